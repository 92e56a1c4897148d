/* enter.h: `upod pod enter`: a host command inside a running pod.
 *
 * The command joins, through the infra's namespaces that the pod's keeper
 * hands out (podns.h; pods_fd: STATE/pods), the pod's user namespace,
 * its shared namespaces and its mount namespace (the host's filesystem with
 * the pod's /proc and /dev/shm), and gets fresh namespaces for what the pod
 * does not share, as a container would: its own network (lo only), uts, ipc
 * (with its own /dev/shm and /dev/mqueue) and pid namespace (with its own
 * /proc). Fresh pid namespaces are nested in the pod's, so that nothing
 * entered outlives the pod. With all_infra, every namespace of the infra is
 * joined instead (the counterpart of `ip netns exec` on the infra's netns). */
#ifndef UPOD_ENTER_H
#define UPOD_ENTER_H

#include <stdbool.h>

#include "state/pod.h"

/* Run argv; returns its exit status (128+N when killed by signal N), 126 or
 * 127 when it cannot be run, or -1 with err. */
int pod_enter(const pod_t *pod, int pods_fd, bool all_infra, char **argv, upod_error_t *err);

/* The general form, shared with containers: fn(arg, fresh) runs in a
 * process inside the pod as described above (fresh: the CLONE_NEW* flags
 * made for it, always including extra_fresh), and must exec or _exit. The
 * caller waits; returns fn's process exit status, or -1 with err. */
typedef void (*pod_child_fn_t)(void *arg, int fresh);
int pod_spawn(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh, pod_child_fn_t fn,
              void *arg, upod_error_t *err);

/* What a spawned process keeps of the caller's fds (above 2) until fn
 * runs: fds[0..n-1], and 3..preserve+2 (--preserve-fds). NULL: nothing. */
typedef struct {
    const int *fds;
    size_t n;
    unsigned preserve;
} spawn_keep_t;

/* The same without waiting: returns the pid (in our pid namespace) of the
 * process to wait for and to signal. Joins the pod's namespaces in the
 * CALLING process (it is then inside the pod's user namespace, and
 * non-dumpable: spawn_guard_before_join). When a fresh
 * pid namespace needs one more process, the middle one relays TERM, HUP,
 * USR1, USR2 (and INT, QUIT when detached: no terminal sends them to the
 * whole group) to the command and exits with its status. */
pid_t pod_spawn_start(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh,
                      bool detached, const spawn_keep_t *keep, pod_child_fn_t fn, void *arg,
                      upod_error_t *err);

/* Before a process joins a pod's namespaces: non-dumpable (until exec),
 * so that nothing inside the pod may ptrace it or take its fds with
 * pidfd_getfd, whatever its capabilities there (the kernel then asks for
 * CAP_SYS_PTRACE over the namespace upod was exec'd in). Its children
 * inherit it; their exec ends it. */
int spawn_guard_before_join(upod_error_t *err);

/* In the process forked after the join (seen from inside the pod): close
 * every fd but keep's, at once. */
void spawn_close_fds(const spawn_keep_t *keep);

#endif
