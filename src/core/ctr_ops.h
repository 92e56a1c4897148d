/* ctr_ops.h: what can be done to a container, as library calls on typed
 * values: create (with the pod it goes to), start under its monitor or
 * run attached, remove with its own pod. What follows its exit is the
 * work of its monitor (proc/watch.h, proc/teardown.h).
 *
 * Nothing here prints or exits; each call returns 0, or -1 with err. */
#ifndef UPOD_CTR_OPS_H
#define UPOD_CTR_OPS_H

#include <stdbool.h>

#include "base/error.h"
#include "sandbox/container.h"
#include "state/ctr.h"
#include "state/pod.h"
#include "state/state.h"

/* A container to create, as parsed values. */
typedef struct {
    /* Where it goes: the pod pod_ref names; or, when pod_ref is NULL, a
     * pod made for it from new_pod (its name NULL: the container's).
     * own_pod: that pod is the container's (run without --pod): it stops
     * when the container exits and goes with it. */
    const char *pod_ref;
    pod_config_t *new_pod;
    bool own_pod;
    /* The container: name (NULL: a random free one), rootfs (absolute,
     * checked), overlay, argv/argc, has_entrypoint, env (the user's
     * settings in order: podman's defaults go first, later keys win),
     * workdir (NULL: "/"), has_user/uid/gid, volumes (sources
     * checked), tmpfs, read_only, with_init, tty, caps,
     * stop_signal (0: SIGTERM), auto_remove, hostname (NULL: its short id,
     * when the pod does not share uts; refused when it does). The rest
     * (id, pod, status, times) is filled in here. */
    ctr_t ctr;
} ctr_create_spec_t;

void ctr_create_spec_clear(ctr_create_spec_t *spec);

/* Make the pod if asked, then write the record (status created) and the
 * container's files; its record goes to out (ctr_clear it). On failure
 * nothing is left, not even the pod made for it. */
int core_ctr_create(state_handle_t *st, int ctrs_fd, ctr_create_spec_t *spec, ctr_t *out,
                    upod_error_t *err);

/* Start c's pod if needed, look it up and build the spec that starts c in
 * it (pod and spec to be cleared by the caller, whatever the result).
 * attached: the calling process is c's monitor (run without -d): a pod
 * made for c then stops when it ends. */
int core_ctr_prepare_start(state_handle_t *st, const ctr_t *c, bool attached, pod_t *pod,
                           container_spec_t *spec, upod_error_t *err);

/* Start a created or exited container (and its pod) under a monitor,
 * passing the caller's fds 3..preserve_fds+2 on: 0 once it runs
 * (c->monitor set: our child, which exits with the container's status),
 * or -1 with err (err->status 125/126/127 when the container could not be
 * run). Does nothing to a running one. */
int core_ctr_start(state_handle_t *st, int ctrs_fd, ctr_t *c, unsigned preserve_fds,
                   upod_error_t *err);

/* Run c attached: this process is its monitor (proc/watch.h), with its
 * stdio, or its pty (-t) relayed to our terminal, and a watcher in case
 * it is killed (proc/cleanup.h). Returns c's exit status once its exit is
 * recorded (and the pod made for it stopped or removed), or -1 with err
 * when it could not be run (err->status 125/126/127): then no record is
 * left, nor the pod made for it. */
int core_ctr_run_attached(state_handle_t *st, int ctrs_fd, ctr_t *c, unsigned preserve_fds,
                          upod_error_t *err);

/* Remove the record and files, and the pod of a container made without
 * --pod. Returns 1 and removes nothing when, seen under the state lock,
 * the container runs (it was started meanwhile: stop it and try again). */
int core_ctr_remove(state_handle_t *st, int ctrs_fd, const ctr_t *c, upod_error_t *err);

#endif
