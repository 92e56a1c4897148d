/* pod_ops.h: what can be done to a pod, as library calls on typed values.
 *
 * The CLI (cli/pod_*.c), a container's creation (ctr_ops.h) and, later, a
 * Kubernetes pod all come here with parsed values, never command-line
 * text. Nothing here prints or exits: each call returns 0, or -1 with err
 * (err->kind UPOD_ERR_NO_SUCH when the pod is not there). Every change of
 * state happens under the state lock. */
#ifndef UPOD_POD_OPS_H
#define UPOD_POD_OPS_H

#include <stdbool.h>

#include "base/error.h"
#include "state/pod.h"
#include "state/state.h"

/* The checks core_pod_create makes of spec before it writes anything. */
int core_pod_check(const pod_config_t *spec, upod_error_t *err);
/* Check spec and write it as a new pod (status Created), whole or not at
 * all. spec holds what the user asked for: name (NULL: a random free
 * one), hostname (NULL: the name), share, net, keep_id, ports, labels;
 * its id, infra id and creation time are filled in here. */
int core_pod_create(state_handle_t *st, pod_config_t *spec, upod_error_t *err);

/* Start the pod ref names unless it runs. tie_to_caller: it stops when
 * the calling process ends (keeper_start). Its id goes to id_out
 * (POD_ID_LEN + 1 bytes) when not NULL. */
int core_pod_start(state_handle_t *st, const char *ref, bool tie_to_caller, char *id_out,
                   upod_error_t *err);

/* Stop a pod: SIGTERM to its keeper, SIGKILL to keeper and infra after
 * timeout seconds; returns once no process of it is left. An unreadable
 * pod is stopped through what its state still tells. */
int core_pod_stop(state_handle_t *st, const char *ref, long timeout, char *id_out,
                  upod_error_t *err);

/* Send sig to a running pod's infra; a fatal one is waited for until the
 * pod's exit is recorded. */
int core_pod_kill(state_handle_t *st, const char *ref, int sig, char *id_out, upod_error_t *err);

/* Remove a pod and its containers (stopped first with force; else a
 * running pod fails with status 2, as podman's). */
int core_pod_remove(state_handle_t *st, const char *ref, bool force, long timeout, char *id_out,
                    upod_error_t *err);

#endif
