/* teardown.h: how pods and containers end: a pod stopped or removed (with
 * its containers' records), a container's record removed with the pod made
 * for it, and what follows a container's exit.
 *
 * Why here, below core/: the processes that watch a container (its
 * monitor, the CLI of an attached run, the cleanup watcher of a killed
 * run) must themselves stop or remove the pod made for a container run
 * without --pod once it exited, and proc/ calls nothing above it. podman's
 * conmon runs an exit command (`podman container cleanup`) for that; upod
 * does not: it would be a second, hidden entry point into upod that takes
 * back as text what the watcher already holds (the container's id, the pod
 * made for it, --rm) and has to check it all again, while the cleanup
 * watcher needs the same steps in its own process anyway. Stopping and
 * removing a pod are records (state/) and signals (proc_ref_stop), no
 * policy: they sit here, and core/ (pod_ops, ctr_ops) calls the same
 * functions for the user's commands. Done in the watcher, every step and
 * its timing stay as they were: `wait`, `rm` and `start -a` see the
 * monitor end only once the pod has stopped.
 *
 * Every change of state happens under the state lock; nothing here prints. */
#ifndef UPOD_TEARDOWN_H
#define UPOD_TEARDOWN_H

#include <stdbool.h>

#include "base/error.h"
#include "state/ctr.h"
#include "state/pod.h"
#include "state/state.h"

/* Take the lock and find the pod ref names (any: an unreadable one too,
 * for stop and rm). Returns the lock's fd (the caller closes it, and
 * pod_clears *pod), or -1 with err. */
int pod_lock_lookup(state_handle_t *st, const char *ref, bool any, pod_t *pod,
                    upod_error_t *err);
/* Processes of the pod still run: Running, or Unknown (unreadable) with
 * its recorded keeper or infra alive (start times checked). */
bool pod_runs(const pod_t *pod);
/* Under the lock: a pod recorded Running whose keeper is gone is written
 * down as exited (137). */
void pod_settle_stale(state_handle_t *st, pod_t *pod);

/* Stop a pod: SIGTERM to its keeper, SIGKILL to keeper and infra after
 * timeout seconds; returns once no process of it is left. An unreadable
 * pod is stopped through what its state still tells. The pod as it was
 * found goes to out (pod_clear it) unless out is NULL. */
int teardown_pod_stop(state_handle_t *st, const char *ref, long timeout, pod_t *out,
                      upod_error_t *err);
/* Remove a pod and its containers' records (stopped first with force;
 * else a running pod fails with status 2, as podman's). Its id goes to
 * id_out (POD_ID_LEN + 1 bytes) when not NULL. */
int teardown_pod_remove(state_handle_t *st, const char *ref, bool force, long timeout,
                        char *id_out, upod_error_t *err);

/* Remove c's record and files, and the pod made for it (c->own_pod).
 * Returns 1 and removes nothing when, seen under the lock, c runs (it was
 * started meanwhile: stop it and try again). */
int teardown_ctr_remove(state_handle_t *st, int ctrs_fd, const ctr_t *c, upod_error_t *err);
/* After c exited (its exit recorded, or its record gone with --rm): the
 * pod made for it (c->own_pod) stops, or goes with --rm, as nothing else
 * runs in it. Nothing for a container of a pod of the user's. */
void teardown_own_pod(const ctr_t *c);

#endif
