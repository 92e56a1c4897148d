/* monitor.h: one small process per detached container (`run -d`), as
 * conmon is for podman: it joins the pod, starts the container with its
 * stdout and stderr on pipes, writes them to the log (logfile.h), waits for
 * the container and records its exit (and removes it for --rm). It dies
 * with nothing else: if it is killed, the container gets SIGKILL
 * (PR_SET_PDEATHSIG) and the record shows it exited.
 *
 * CLI                    monitor (setsid)            container
 *  | fork, "ready" pipe    |  pod_spawn_start ------>  setup, exec
 *  |                       |  <- report pipe: EOF at exec, or the error
 *  |  <- "ok" / error -----|  record running
 *  exit                    |  log stdout/stderr, wait, record exited */
#ifndef UPOD_MONITOR_H
#define UPOD_MONITOR_H

#include "sandbox/container.h"
#include "state/ctr.h"
#include "state/pod.h"

/* The record exists (status created or exited). Returns 0 once the
 * container runs (the record says so; here only ctr->monitor is set: the
 * monitor is our child and exits with the container's status), or -1 with
 * err; when the container's setup or exec failed, err->status is its exit
 * status (125/126/127) and the record is unchanged. With ctr->tty the
 * container's stdio is a pty whose output goes to the log. */
int monitor_start(int state_fd, int ctrs_fd, const pod_t *pod, container_spec_t *spec, ctr_t *ctr,
                  upod_error_t *err);

/* What a monitor does, for the CLI when it is one (attached runs). */

/* The container's setup reports on report_fd (its socket's other end): 0
 * once its command was exec'd (the socket closed with nothing sent), else
 * -1 with err as the setup sent it (exit status 125/126/127, errno,
 * message; pid reaped). */
int monitor_await_exec(int report_fd, pid_t pid, upod_error_t *err);
/* Take the state lock for a start: the record must still exist and not
 * run. The lock is held from before the container is spawned until the
 * record says running (monitor_record_running) or the start failed, so
 * that no other command (rm, a second start) sees a container that runs
 * while its record says created; a watcher killed in between releases it,
 * and its container dies with it. Returns the lock's fd, or -1. */
int monitor_claim_start(int state_fd, int ctrs_fd, const ctr_t *ctr, upod_error_t *err);
/* How many of upod's processes stand between what pod_spawn_start
 * returns and the container's command: the relay of a fresh pid
 * namespace, upod-init. */
unsigned monitor_wrappers(const pod_t *pod, const ctr_t *ctr);
/* The record says running, watched by the calling process; pid: what
 * pod_spawn_start returned, wrappers: monitor_wrappers(). The command
 * (whose namespaces exec joins) is recorded as the container's init.
 * Under the lock of monitor_claim_start. -1 with err when it cannot be
 * written: the caller then kills pid and fails. */
int monitor_record_running(int ctrs_fd, ctr_t *ctr, pid_t pid, unsigned wrappers,
                           upod_error_t *err);
/* The record says exited with code, or goes (--rm), under the lock
 * (waiting as long as it takes; without it, nothing is written and the
 * failure goes to stderr: the monitor's log); then the pod made for the
 * container stops or goes (teardown_own_pod). */
void monitor_record_exit(int state_fd, int ctrs_fd, ctr_t *ctr, int code);

#endif
