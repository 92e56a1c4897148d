/* monitor.h: upod-monitor, one small process per detached container
 * (`run -d`, `start`), as conmon is for podman.
 *
 * Theory of operation
 * -------------------
 * Role: start the container, log its output, record its exit; then stop
 * or remove the pod made for it (a container run without --pod). It is
 * the container's parent: if it is killed, the container gets SIGKILL
 * (PR_SET_PDEATHSIG) and the record shows it exited.
 *
 * Namespaces: the host's, always; setsid, no terminal. Its child joins
 * the pod and becomes the container (pod_spawn_start, spawn.h).
 *
 * What it may touch: the state directory (the lock, the container's
 * record, ctr.log and monitor.log in STATE/containers/<id>/, the pod's
 * state when it stops the pod made for its container); nothing of its
 * caller's but the fds passed on with --preserve-fds.
 *
 *   CLI                        monitor (setsid)            container
 *    | fork, "ready" socket      | watch_container (watch.h): claim,
 *    |                           |  pod_spawn_start ------>  setup, exec
 *    |                           |  <- setup socket: hang-up at exec, or SYNC_ERROR
 *    |  <- SYNC_READY / ERROR ---|  record running
 *    exit                        |  log stdout/stderr, wait, record exited
 *
 * Its own failures, when no CLI is left to hear them (an exit it could not
 * record), go to STATE/containers/<id>/monitor.log (proclog.h). */
#ifndef UPOD_MONITOR_H
#define UPOD_MONITOR_H

#include "sandbox/container.h"
#include "state/ctr.h"
#include "state/pod.h"

/* The record exists (status created or exited). Returns 0 once the
 * container runs (the record says so; here only ctr->monitor is set: the
 * monitor is our child and exits with the container's status), or -1 with
 * err; when the container's setup or exec failed, err->status is its exit
 * status (125/126/127), with its errno and message, and the record is
 * unchanged. With ctr->tty the container's stdio is a pty whose output
 * goes to the log. */
int monitor_start(int state_fd, int ctrs_fd, const pod_t *pod, container_spec_t *spec, ctr_t *ctr,
                  upod_error_t *err);

#endif
