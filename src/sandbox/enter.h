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

#include "sandbox/join.h"
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

/* The same without waiting: returns the pid (in our pid namespace) of the
 * process to wait for and to signal, our child. The caller stays in its
 * own namespaces: a joiner joins the pod's for it (join.h). keep: what
 * that process keeps of the caller's fds until fn runs. When a fresh pid
 * namespace needs one more process, the middle one relays TERM, HUP,
 * USR1, USR2 (and INT, QUIT when detached: no terminal sends them to the
 * whole group) to the command and exits with its status. */
pid_t pod_spawn_start(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh,
                      bool detached, const spawn_keep_t *keep, pod_child_fn_t fn, void *arg,
                      upod_error_t *err);

#endif
