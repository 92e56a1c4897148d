/* spawn.h: a process inside a running pod, for pod enter and containers.
 *
 * Theory of operation
 * -------------------
 * The caller (the CLI of an attached run or of pod enter, a monitor) stays
 * in the host's namespaces. The process it gets joins, through the infra's
 * namespaces that the pod's keeper hands out (sandbox/podns.h; pods_fd:
 * STATE/pods), the pod's user namespace, its shared namespaces and its
 * mount namespace (the host's filesystem with the pod's /proc and
 * /dev/shm), and gets fresh namespaces for what the pod does not share, as
 * a container would: its own network (lo only), uts, ipc (with its own
 * /dev/shm and /dev/mqueue) and pid namespace (with its own /proc). With
 * all_infra, every namespace of the infra is joined instead (the
 * counterpart of `ip netns exec` on the infra's netns).
 *
 *   caller (host namespaces)
 *    +-- (joiner)     joins, then starts the caller's child (sandbox/join.h)
 *    +-- spawned      the caller's child, in the pod's pid namespace:
 *         |           unshares the fresh namespaces (a fresh pid namespace
 *         |           can only be made from inside the pod's), then fn;
 *         |           with a fresh pid namespace it is upod-relay instead
 *         +-- fn      (relay.h): PID 1 of the fresh pid namespace, which
 *                     is nested in the pod's, so that nothing entered
 *                     outlives the pod
 *
 * The spawned process is not dumpable (it inherits it from the joiner),
 * holds nothing of upod's but what the caller keeps for it, and dies with
 * the caller (PR_SET_PDEATHSIG), as does fn's process. It touches no file
 * of the state directory: what it needs comes in fn's arg. */
#ifndef UPOD_SPAWN_H
#define UPOD_SPAWN_H

#include <stdbool.h>

#include "sandbox/join.h"
#include "state/pod.h"

/* fn(arg, fresh) runs in a process inside the pod as described above
 * (fresh: the CLONE_NEW* flags made for it, always including extra_fresh),
 * and must exec or _exit. */
typedef void (*pod_child_fn_t)(void *arg, int fresh);

/* The caller waits; returns fn's process exit status, or -1 with err. */
int pod_spawn(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh, pod_child_fn_t fn,
              void *arg, upod_error_t *err);

/* The same without waiting: returns the pid (in our pid namespace) of the
 * process to wait for and to signal, our child. keep: what that process
 * keeps of the caller's fds until fn runs. detached: the relay passes INT
 * and QUIT on too. */
pid_t pod_spawn_start(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh,
                      bool detached, const spawn_keep_t *keep, pod_child_fn_t fn, void *arg,
                      upod_error_t *err);

#endif
