/* relay.h: upod-relay, the middle process of a fresh pid namespace.
 *
 * Theory of operation
 * -------------------
 * A container (or pod enter) that does not share the pod's pid namespace
 * gets one of its own, nested in the pod's; a pid namespace is made by
 * unshare for the children of the process that calls it, so the process
 * that the caller waits for (spawn.h) forks once more, and that child is
 * PID 1 of the new namespace (the command, or upod-init):
 *
 *   caller (CLI, monitor; host namespaces)
 *    +-- upod-relay      pod's namespaces, pid namespace: the pod's
 *         +-- command    PID 1 of the fresh pid namespace
 *
 * The relay stands in the command's namespaces (the pod's, and fresh ones
 * for what the pod does not share) but in the pod's pid namespace, with
 * the capabilities of the pod's user namespace, and not dumpable: a fork
 * of upod that never execs (the joiner made it so, join.h, and nothing
 * undoes it). It holds no fd above 2 (a pipe of the caller's held here would never
 * report its end), touches no file, passes TERM, HUP, USR1, USR2 (and INT,
 * QUIT when detached: no terminal sends them to the whole group) on to
 * PID 1, and exits with its status: to the caller, it is the command. */
#ifndef UPOD_RELAY_H
#define UPOD_RELAY_H

#include <stdbool.h>
#include <sys/types.h>

/* Become the relay of command (our child). */
__attribute__((noreturn)) void relay_run(pid_t command, bool detached);

#endif
