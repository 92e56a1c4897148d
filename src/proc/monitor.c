/* monitor.c: see monitor.h. */
#include "proc/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "proc/ctr_process.h"
#include "proc/spawn.h"
#include "state/logfile.h"
#include "text/share.h"
#include "base/sync.h"
#include "sandbox/terminal.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "proc/teardown.h"

/* The command itself, below the wrappers upod put over it (host pids):
 * from pid, one child down per wrapper. */
static proc_ref_t find_command(pid_t pid, unsigned wrappers)
{
    for (unsigned level = 0; level < wrappers; level++) {
        char path[64];
        cleanup_free char *children = NULL;
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
        if (read_file_at(AT_FDCWD, path, 4096, &children, NULL) < 0 || !children[0])
            break;
        long child = strtol(children, NULL, 10);
        if (child <= 0)
            break;
        pid = (pid_t)child;
    }
    return proc_ref_of(pid);
}

unsigned monitor_wrappers(const pod_t *pod, const ctr_t *ctr)
{
    return (pod->config.share & SHARE_PID ? 0U : 1U) + (ctr->with_init ? 1U : 0U);
}

/* Write the record (the caller holds the lock); a failure goes to our
 * stderr, the monitor has no one else to tell. */
static void save_record(int ctrs_fd, const ctr_t *ctr)
{
    upod_error_t err = {0};
    if (ctr_save_final(ctrs_fd, ctr, &err) < 0)
        dprintf(STDERR_FILENO, "upod-monitor: %s\n", err.msg);
}

/* Update the record under the lock (waiting as long as it takes: a
 * record given up would be lost). Never without the lock: a command may be
 * removing or starting it meanwhile; the failure is logged instead. */
static void record(int state_fd, int ctrs_fd, ctr_t *ctr)
{
    upod_error_t err = {0};
    cleanup_close int lock = state_lock_patient(state_fd, &err);
    if (lock >= 0)
        save_record(ctrs_fd, ctr);
    else
        dprintf(STDERR_FILENO, "upod-monitor: cannot record the exit: %s\n", err.msg);
}

/* --rm: the record goes, under the lock as in record(). */
static void remove_record(int state_fd, int ctrs_fd, const ctr_t *ctr)
{
    upod_error_t err = {0};
    cleanup_close int lock = state_lock_patient(state_fd, &err);
    if (lock < 0)
        dprintf(STDERR_FILENO, "upod-monitor: cannot remove the exited container: %s\n",
                err.msg);
    else if (ctr_remove(ctrs_fd, ctr->id, &err) < 0)
        dprintf(STDERR_FILENO, "upod-monitor: %s\n", err.msg);
}

int monitor_claim_start(int state_fd, int ctrs_fd, const ctr_t *ctr, upod_error_t *err)
{
    int lock = state_lock(state_fd, err);
    if (lock < 0)
        return -1;
    ctr_status_t now;
    int ret = 0;
    if (ctr_status_now(ctrs_fd, ctr->id, &now, err) < 0)
        ret = upod_fail(err, 0, "container %s was removed while it was being started", ctr->name);
    else if (now == CTR_RUNNING)
        ret = upod_fail(err, 0, "container %s was started by another command meanwhile",
                        ctr->name);
    if (ret < 0) {
        close(lock);
        return -1;
    }
    return lock;
}

int monitor_record_running(int ctrs_fd, ctr_t *ctr, pid_t pid, unsigned wrappers,
                           upod_error_t *err)
{
    ctr->status = CTR_RUNNING;
    ctr->monitor = proc_self_ref();
    ctr->process = proc_ref_of(pid);
    ctr->init = find_command(pid, wrappers);
    ctr->started = time_now_ns();
    ctr->finished = 0;
    ctr->exit_code = 0;
    /* Space for the record of its end first, then the record that it
     * runs: if either cannot be written, the caller stops it. */
    if (ctr_reserve_space(ctrs_fd, ctr, err) < 0 || ctr_save(ctrs_fd, ctr, false, err) < 0) {
        ctr_release_reserve(ctrs_fd, ctr->id);
        upod_error_wrap(err, "container %s was stopped: its record could not say it runs", ctr->name);
        return -1;
    }
    return 0;
}

void monitor_record_exit(int state_fd, int ctrs_fd, ctr_t *ctr, int code)
{
    ctr->status = CTR_EXITED;
    ctr->exit_code = code;
    ctr->finished = time_now_ns();
    if (ctr->auto_remove)
        remove_record(state_fd, ctrs_fd, ctr);
    else
        record(state_fd, ctrs_fd, ctr);
    teardown_own_pod(ctr);
}

int monitor_await_exec(int report_fd, pid_t pid, upod_error_t *err)
{
    if (sync_expect_hangup(report_fd, -1, "container", err) == 0)
        return 0;
    TEMP_FAILURE_RETRY(waitpid(pid, NULL, 0));
    return -1;
}

/* Monitor: the container's output into the log until it exits. */
static int pump_logs(log_writer_t *log, int out, int errfd, int pidfd, pid_t pid)
{
    int fds[2] = {out, errfd};
    char buf[65536];
    for (;;) {
        struct pollfd p[3] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN},
                              {.fd = pidfd, .events = POLLIN}};
        if (TEMP_FAILURE_RETRY(poll(p, 3, -1)) < 0)
            break;
        for (int s = 0; s < 2; s++) {
            if (fds[s] < 0 || !(p[s].revents & (POLLIN | POLLHUP)))
                continue;
            ssize_t n = TEMP_FAILURE_RETRY(read(fds[s], buf, sizeof(buf)));
            if (n > 0) {
                log_writer_add(log, s, buf, (size_t)n);
            } else {
                log_writer_end(log, s);
                fds[s] = -1; /* poll ignores negative fds */
            }
        }
        if (p[2].revents & POLLIN)
            break;
    }
    /* It exited: what it wrote before is still in the pipes. */
    for (int s = 0; s < 2; s++) {
        if (fds[s] < 0)
            continue;
        fcntl(fds[s], F_SETFL, O_NONBLOCK);
        ssize_t n;
        while ((n = read(fds[s], buf, sizeof(buf))) > 0)
            log_writer_add(log, s, buf, (size_t)n);
    }
    int status = 0;
    if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) < 0)
        return EXIT_UPOD_FAILED;
    return exit_code_from_status(status);
}

/* The container's stdio: /dev/null in, pipes out; or (-t) a pty it makes
 * inside and whose master comes back on console[0]. out[0] and err[0] are
 * what the monitor reads (-1 until the master comes, with a pty). */
static int open_stdio(const ctr_t *ctr, container_spec_t *spec, int devnull, int out[2],
                      int errp[2], int console[2], upod_error_t *err)
{
    out[0] = out[1] = errp[0] = errp[1] = console[0] = console[1] = -1;
    if (ctr->tty) {
        if (sync_socketpair(console, err) < 0)
            return -1;
        spec->console = true;
        spec->console_fd = console[1];
        return 0;
    }
    spec->set_stdio = true;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
        return upod_fail(err, errno, "pipe");
    spec->stdio[0] = devnull;
    spec->stdio[1] = out[1];
    spec->stdio[2] = errp[1];
    return 0;
}

/* To monitor_start, over the ready socket: SYNC_ERROR. */
static void report_failure(int ready, const upod_error_t *err)
{
    sync_send_error(ready, err);
}

static void close_if_open(int fd)
{
    if (fd >= 0)
        close(fd);
}

__attribute__((noreturn)) static void monitor_main(int state_fd, int ctrs_fd, const pod_t *pod,
                                                  container_spec_t *spec, ctr_t *ctr, int ready)
{
    upod_error_t err = {0};
    /* Hold nothing of the caller's but what we pass on (--preserve-fds):
     * a pipe of theirs held here would never see its end. */
    int ours[] = {state_fd, ctrs_fd, ready};
    close_fds_from_except(3 + spec->preserve_fds, ours, sizeof(ours) / sizeof(ours[0]));
    setsid();
    prctl(PR_SET_NAME, "upod-monitor");
    cleanup_free char *title = xasprintf("upod-monitor %s", ctr->name);
    proctitle_set(title);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        upod_fail(&err, errno, "cannot open /dev/null");
    cleanup_close int dirfd = devnull < 0 ? -1 : state_open_subdir(ctrs_fd, ctr->id, false, &err);
    log_writer_t log;
    int out[2], errp[2], console[2], report[2];
    if (devnull < 0 || dirfd < 0 || log_writer_open(&log, dirfd, &err) < 0 ||
        open_stdio(ctr, spec, devnull, out, errp, console, &err) < 0 ||
        sync_socketpair(report, &err) < 0) {
        upod_error_wrap(&err, "cannot start the container's monitor");
        report_failure(ready, &err);
        _exit(1);
    }
    dup2(devnull, STDIN_FILENO);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    spec->report_errors = true;
    spec->report_fd = report[1];
    int lock = monitor_claim_start(state_fd, ctrs_fd, ctr, &err);
    if (lock < 0) {
        report_failure(ready, &err);
        _exit(1);
    }
    int fds[CONTAINER_CHILD_FDS_MAX];
    spawn_keep_t keep = {fds, container_child_fds(spec, fds), spec->preserve_fds};
    int pods_fd = pods_dir_open(state_fd, &err);
    pid_t pid = pods_fd < 0 ? -1
                            : pod_spawn_start(pod, pods_fd, false, CLONE_NEWNS, true, &keep,
                                              container_start, spec, &err);
    if (pods_fd >= 0)
        close(pods_fd);
    if (spec->preserve_fds)
        upod_close_range(3, 2 + spec->preserve_fds, 0); /* the container's now */
    close_if_open(out[1]);
    close_if_open(errp[1]);
    close_if_open(console[1]);
    close(report[1]);
    if (pid < 0) {
        report_failure(ready, &err);
        _exit(1);
    }
    int pidfd = upod_pidfd_open(pid, 0);
    /* -t: the master comes first (none if the setup failed before). */
    if (console[0] >= 0 && terminal_receive(console[0], &out[0], &err) < 0)
        out[0] = -1;
    /* A successful exec closes the report socket with nothing sent. */
    upod_error_t no_console = err;
    int failed = monitor_await_exec(report[0], pid, &err);
    if (failed == 0 && out[0] < 0) { /* ran, but without its terminal: stop it */
        kill_and_reap(pid);
        err = no_console;
        failed = -1;
    }
    if (failed < 0) {
        report_failure(ready, &err);
        _exit(1);
    }
    /* Nothing may run that its record denies: if the record cannot say
     * running (a full state filesystem), the container goes and the start
     * fails; the record stays as it was (written whole or not at all). */
    if (monitor_record_running(ctrs_fd, ctr, pid, monitor_wrappers(pod, ctr), &err) < 0) {
        kill_and_reap(pid);
        report_failure(ready, &err);
        _exit(1);
    }
    close(lock);
    sync_send(ready, SYNC_READY, 0, &err);
    close(ready);
    int code = pump_logs(&log, out[0], errp[0], pidfd, pid);
    log_writer_close(&log);
    monitor_record_exit(state_fd, ctrs_fd, ctr, code);
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
