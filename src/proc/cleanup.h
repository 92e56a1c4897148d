/* cleanup.h: upod-cleanup, the watcher of an attached run's CLI.
 *
 * Theory of operation
 * -------------------
 * Role: the CLI of an attached `upod run` is its container's monitor
 * (watch.h). If it is killed, its container dies with it
 * (PR_SET_PDEATHSIG), and what it would have done after the exit is left
 * undone: this small process does it (podman has conmon's `container
 * cleanup`). It records the exit (137), honours --rm, and stops or
 * removes the pod made for a container run without --pod; every step is
 * idempotent, as the CLI may have done some of them before it was killed.
 * A container started again meanwhile by another command is left alone.
 *
 * Namespaces: the host's, as the CLI's. It is forked by the CLI before
 * the pod starts, and never joins any.
 *
 * What it may touch: the state directory only (the container's record,
 * and the pod made for it through teardown.h), under the state lock. It
 * holds nothing of the CLI's but its end of a pipe, a pidfd of the CLI and
 * the host's /proc; no terminal, stdio on /dev/null (it must not hold a
 * caller's pipe open either).
 *
 *   CLI                                   upod-cleanup (setsid)
 *    | fork, pipe                          | read the pipe
 *    | ... run the container, record ...   |
 *    | one byte: all done -------------->  | exit
 *    killed: the pipe ends, no byte ---->  | wait for the CLI's end (pidfd),
 *                                          | then clean up after it
 *
 * The keeper of a pod made for an attached run's container also holds a
 * pidfd of the run and stops the pod when it ends, in case this watcher
 * was killed first (keeper.h). */
#ifndef UPOD_CLEANUP_H
#define UPOD_CLEANUP_H

#include "state/ctr.h"

/* Fork the watcher for the attached run of c (the calling process).
 * Returns the pipe's write end, to pass to cleanup_watcher_done once all
 * is done, or -1 when no watcher could be started (the run goes on
 * without). */
int cleanup_watcher_start(const ctr_t *c);
/* All done: the watcher goes (closes fd; nothing for -1). */
void cleanup_watcher_done(int fd);

#endif
