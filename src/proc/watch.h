/* watch.h: start a container under the calling process, which then
 * watches it until it exits. The one path of both watchers: the detached
 * monitor (monitor.h; its output into the log) and the CLI of an attached
 * run (cli/run.c; the container on the CLI's stdio, or its pty relayed to
 * the CLI's terminal). Only the sink of the output differs.
 *
 *   watcher                                   container (pod_spawn_start)
 *    claim the start: state lock held,
 *    the record still there, not running
 *    spawn --------------------------------->  setup: mounts, caps, ...
 *    <- console socket (-t): SYNC_CONSOLE       made on its own devpts
 *    <- setup socket: hang-up at exec,          exec (CLOEXEC closes it)
 *       or SYNC_ERROR (status, errno, text)
 *    record running, release the lock
 *    ready_fd: SYNC_READY (or SYNC_ERROR)
 *    relay or log until it exits
 *    record the exit (or remove it, --rm),
 *    then the pod made for it stops or goes (teardown.h)
 *
 * The lock is held from before the spawn until the record says running
 * (or the start failed), so that no other command (rm, a second start)
 * sees a container that runs while its record says created; a watcher
 * killed in between releases it, and its container dies with it
 * (PR_SET_PDEATHSIG). */
#ifndef UPOD_WATCH_H
#define UPOD_WATCH_H

#include "sandbox/container.h"
#include "state/ctr.h"
#include "state/pod.h"

typedef enum {
    /* Attached: the container has our stdio, or (-t) a pty whose master
     * is relayed to our terminal (terminal_relay). The terminal's INT and
     * QUIT are the container's, not ours. */
    WATCH_SINK_TERMINAL,
    /* Detached: /dev/null in; stdout and stderr, or the pty (-t), into the
     * container's log (logfile.h). */
    WATCH_SINK_LOG,
} watch_sink_kind_t;

typedef struct {
    watch_sink_kind_t kind;
    int ctr_dir_fd; /* LOG: STATE/containers/<id>, where ctr.log is */
    int devnull;    /* LOG: the container's stdin */
    /* -1, or where the outcome of the start goes (sync.h): SYNC_READY once
     * the record says running, else SYNC_ERROR with err. Closed then. */
    int ready_fd;
} watch_sink_t;

/* Where: the state directory, its containers/ and pods/. */
typedef struct {
    int state_fd, ctrs_fd, pods_fd;
} watch_dirs_t;

/* Start ctr (its record created or exited) in pod with spec, watch it
 * until it exits, record that. Returns its exit status (128+N for signal
 * N), or -1 with err when it could not be started: the record is as it
 * was, err->status is 125, or 126/127 with the errno and message of the
 * container's setup as it sent them. Joins the pod's namespaces in the
 * calling process (pod_spawn_start). */
int watch_container(const watch_dirs_t *dirs, const pod_t *pod, container_spec_t *spec, ctr_t *ctr,
                    const watch_sink_t *sink, upod_error_t *err);

/* The record says exited with code, or goes (--rm), under the lock
 * (waiting as long as it takes; without it nothing is written and the
 * failure is logged: proclog.h); then the pod made for the container
 * stops or goes (teardown_own_pod). */
void watch_record_exit(int state_fd, int ctrs_fd, ctr_t *ctr, int code);

#endif
