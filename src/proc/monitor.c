/* monitor.c: see monitor.h. */
#include "proc/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/sync.h"
#include "base/util.h"
#include "proc/proclog.h"
#include "proc/watch.h"
#include "state/state.h"

/* Monitor: a session of its own, named for ps; stdio on /dev/null but
 * stderr, which goes to the container's monitor.log. The fds that the
 * watch needs (the container's directory, /dev/null), or -1 with err. */
static int monitor_detach(int ctrs_fd, const ctr_t *ctr, watch_sink_t *sink, upod_error_t *err)
{
    setsid();
    prctl(PR_SET_NAME, "upod-monitor");
    cleanup_free char *title = xasprintf("upod-monitor %s", ctr->name);
    proctitle_set(title);
    sink->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sink->devnull < 0)
        return upod_fail(err, errno, "cannot open /dev/null");
    sink->ctr_dir_fd = state_open_subdir(ctrs_fd, ctr->id, false, err);
    if (sink->ctr_dir_fd < 0)
        return -1;
    if (proclog_open(sink->ctr_dir_fd, "monitor.log") < 0)
        dup2(sink->devnull, STDERR_FILENO); /* no log: still nothing of the CLI's */
    return 0;
}

__attribute__((noreturn)) static void monitor_main(int state_fd, int ctrs_fd, const pod_t *pod,
                                                  container_spec_t *spec, ctr_t *ctr, int ready)
{
    upod_error_t err = {0};
    /* Hold nothing of the caller's but what we pass on (--preserve-fds):
     * a pipe of theirs held here would never see its end. */
    int ours[] = {state_fd, ctrs_fd, ready};
    close_fds_from_except(3 + spec->preserve_fds, ours, sizeof(ours) / sizeof(ours[0]));
    watch_sink_t sink = {.kind = WATCH_SINK_LOG, .ctr_dir_fd = -1, .devnull = -1,
                         .ready_fd = ready};
    if (monitor_detach(ctrs_fd, ctr, &sink, &err) < 0) {
        upod_error_wrap(&err, "cannot start the container's monitor");
        sync_send_error(ready, &err);
        _exit(1);
    }
    watch_dirs_t dirs = {state_fd, ctrs_fd, pods_dir_open(state_fd, &err)};
    if (dirs.pods_fd < 0) {
        sync_send_error(ready, &err);
        _exit(1);
    }
    int code = watch_container(&dirs, pod, spec, ctr, &sink, &err);
    if (code < 0) { /* the CLI was told too (sink.ready_fd) */
        char text[1200];
        proclog("monitor", "start failed: %s", upod_error_text(&err, text, sizeof(text)));
        _exit(1);
    }
    _exit(code);
}

int monitor_start(int state_fd, int ctrs_fd, const pod_t *pod, container_spec_t *spec, ctr_t *ctr,
                  upod_error_t *err)
{
    int ready[2];
    if (sync_socketpair(ready, err) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(ready[0]);
        close(ready[1]);
        return upod_fail(err, errno, "cannot start the container's monitor");
    }
    if (pid == 0) {
        close(ready[0]);
        monitor_main(state_fd, ctrs_fd, pod, spec, ctr, ready[1]);
    }
    close(ready[1]);
    sync_msg_t msg;
    int r = sync_receive(ready[0], SYNC_READY, -1, "container's monitor", &msg, err);
    close(ready[0]);
    if (r == 0)
        return upod_fail(err, 0, "the container's monitor exited before the container started");
    if (r < 0)
        return -1;
    ctr->monitor = proc_ref_of(pid);
    return 0;
}
