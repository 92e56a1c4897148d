/* join.h: a process inside namespaces that its caller never joins.
 *
 * The caller (the CLI, a monitor) stays in the host's namespaces; only its
 * child goes in, as with crun and bubblewrap:
 *
 *  caller (host namespaces)
 *   | fork
 *   +-- joiner       host pid namespace, invisible from the pod: makes
 *   |                itself non-dumpable, joins (the user namespace first),
 *   |                clones with CLONE_PARENT, sends that pid, exits
 *   +-- joined       the caller's child, in the joined pid namespace: closes
 *                    every fd but the kept ones, PR_SET_PDEATHSIG, waits for
 *                    the caller's go-ahead, then fn
 *
 * setns into a pid namespace only applies to the children of the process
 * that calls it, which is why the joiner forks once more. CLONE_PARENT makes
 * that child the caller's own, so that the caller waits for and signals it
 * as if it had forked it, and PR_SET_PDEATHSIG ties it to the caller from
 * the start (the joiner's exit does not fire it). A process of the pod that
 * shares its pid namespace sees the joined process from its fork on: it is
 * not dumpable until it execs (no ptrace, no pidfd_getfd, no /proc/PID/fd
 * for anyone inside), and holds nothing of upod's but what it was told to
 * keep. */
#ifndef UPOD_JOIN_H
#define UPOD_JOIN_H

#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"
#include "sandbox/podns.h"

/* What the joined process keeps of the caller's fds (above 2) until fn
 * runs: fds[0..n-1], and 3..preserve+2 (--preserve-fds). NULL: nothing.
 * report: one of fds, where a failure before fn runs is sent as
 * SYNC_ERROR (the container's setup socket); -1: stderr. */
typedef struct {
    const int *fds;
    size_t n;
    unsigned preserve;
    int report;
} spawn_keep_t;

/* Where to go: the namespaces ns->fd[] named by flags (podns_join), or,
 * when ns is NULL, those of the process pidfd (setns(pidfd, flags)). what
 * names them in errors ("pod web", "container web"). cwd: where the joined
 * process starts, as a path of the joined mount namespace ("/" when it
 * cannot go there); NULL: where the join left it (the root of that
 * namespace). */
typedef struct {
    const podns_t *ns;
    int pidfd;
    const char *what;
    int flags;
    const char *cwd;
} join_target_t;

/* Runs in the joined process; must exec or _exit. */
typedef void (*join_fn_t)(void *arg);

/* Start fn(arg) in a process inside target's namespaces. Returns its pid
 * (in our pid namespace: our child, to wait for and to signal), or -1 with
 * err (why the join failed, as the joiner saw it). */
pid_t join_spawn(const join_target_t *target, const spawn_keep_t *keep, join_fn_t fn, void *arg,
                 upod_error_t *err);

#endif
