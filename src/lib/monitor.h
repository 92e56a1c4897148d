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

#include "container.h"
#include "ctr.h"
#include "pod.h"

/* The record exists (status created). Returns 0 once the container runs,
 * the container's exit status (125/126/127...) when its setup or exec
 * failed (the record is then removed), or -1 with err. */
int monitor_start(int state_fd, int ctrs_fd, const pod_t *pod, container_spec_t *spec, ctr_t *ctr,
                  upod_error_t *err);

#endif
