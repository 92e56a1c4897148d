/* watch.c: see watch.h. */
#include "proc/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/sync.h"
#include "base/util.h"
#include "proc/ctr_process.h"
#include "proc/proclog.h"
#include "proc/spawn.h"
#include "proc/teardown.h"
#include "sandbox/terminal.h"
#include "state/logfile.h"
#include "state/state.h"
#include "text/share.h"
#include "text/timefmt.h"

/* A failure that no one but the monitor's log will hear of (proclog.h):
 * what could not be done, and why (with its errno's text). */
static void log_failure(const char *what, const upod_error_t *err)
{
    char text[1200];
    proclog("monitor", "%s: %s", what, upod_error_text(err, text, sizeof(text)));
}

/* ---- the record ---- */

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

/* How many of upod's processes stand between what pod_spawn_start returns
 * and the container's command: the relay of a fresh pid namespace,
 * upod-init. */
static unsigned wrappers_of(const pod_t *pod, const ctr_t *ctr)
{
    return (pod->config.share & SHARE_PID ? 0U : 1U) + (ctr->with_init ? 1U : 0U);
}

/* Take the state lock for a start: the record must still exist and not
 * run. Returns the lock's fd, or -1. */
static int claim_start(int state_fd, int ctrs_fd, const ctr_t *ctr, upod_error_t *err)
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

/* Under the claim's lock: the record says running, watched by us; the
 * command (whose namespaces exec joins) is recorded as its init. -1 with
 * err when it cannot be written: the caller then kills pid and fails
 * (nothing may run that its record denies; the record stays as it was,
 * written whole or not at all). */
static int record_running(int ctrs_fd, ctr_t *ctr, pid_t pid, unsigned wrappers,
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

/* Update the record under the lock (waiting as long as it takes: a
 * record given up would be lost). Never without the lock: a command may
 * be removing or starting it meanwhile; the failure is logged instead. */
static void record_exited(int state_fd, int ctrs_fd, const ctr_t *ctr)
{
    upod_error_t err = {0};
    cleanup_close int lock = state_lock_patient(state_fd, &err);
    if (lock < 0)
        log_failure("cannot record the exit", &err);
    else if (ctr_save_final(ctrs_fd, ctr, &err) < 0)
        log_failure("cannot record the exit", &err);
}

/* --rm: the record goes, under the lock as in record_exited(). */
static void remove_record(int state_fd, int ctrs_fd, const ctr_t *ctr)
{
    upod_error_t err = {0};
    cleanup_close int lock = state_lock_patient(state_fd, &err);
    if (lock < 0 || ctr_remove(ctrs_fd, ctr->id, &err) < 0)
        log_failure("cannot remove the exited container", &err);
}

void watch_record_exit(int state_fd, int ctrs_fd, ctr_t *ctr, int code)
{
    ctr->status = CTR_EXITED;
    ctr->exit_code = code;
    ctr->finished = time_now_ns();
    if (ctr->auto_remove)
        remove_record(state_fd, ctrs_fd, ctr);
    else
        record_exited(state_fd, ctrs_fd, ctr);
    teardown_own_pod(ctr);
}

/* ---- the container's output ---- */

/* What the watcher holds of the container's stdio: with -t, the console
 * socket (console[1] the container's end) and then the pty's master; for
 * the log without -t, the pipes of stdout and stderr (out[1] and errp[1]
 * the container's ends). -1 where unused. */
typedef struct {
    int console[2], out[2], errp[2];
    int master;
    log_writer_t log;
    bool log_open;
} watch_io_t;

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The container's ends, once it holds its own copies. */
static void io_close_child_ends(watch_io_t *io)
{
    close_fd(&io->console[1]);
    close_fd(&io->out[1]);
    close_fd(&io->errp[1]);
}

static void io_close(watch_io_t *io)
{
    io_close_child_ends(io);
    close_fd(&io->console[0]);
    close_fd(&io->out[0]);
    close_fd(&io->errp[0]);
    close_fd(&io->master);
    if (io->log_open)
        log_writer_close(&io->log);
    io->log_open = false;
}

/* The log sink without -t: /dev/null in, pipes out. */
static int io_pipes(const watch_sink_t *sink, container_spec_t *spec, watch_io_t *io,
                    upod_error_t *err)
{
    if (pipe2(io->out, O_CLOEXEC) < 0 || pipe2(io->errp, O_CLOEXEC) < 0)
        return upod_fail(err, errno, "pipe");
    spec->set_stdio = true;
    spec->stdio[0] = sink->devnull;
    spec->stdio[1] = io->out[1];
    spec->stdio[2] = io->errp[1];
    return 0;
}

/* Before the spawn: the container's stdio as the sink wants it. */
static int io_prepare(const watch_sink_t *sink, const ctr_t *ctr, container_spec_t *spec,
                      watch_io_t *io, upod_error_t *err)
{
    memset(io, 0, sizeof(*io));
    io->console[0] = io->console[1] = io->out[0] = io->out[1] = -1;
    io->errp[0] = io->errp[1] = io->master = -1;
    int r = 0;
    if (sink->kind == WATCH_SINK_LOG) {
        r = log_writer_open(&io->log, sink->ctr_dir_fd, err);
        io->log_open = r == 0;
    }
    if (r == 0 && ctr->tty) {
        /* Made inside, on the container's devpts: the master comes back. */
        r = sync_socketpair(io->console, err);
        spec->console = true;
        spec->console_fd = io->console[1];
    } else if (r == 0 && sink->kind == WATCH_SINK_LOG) {
        r = io_pipes(sink, spec, io, err);
    }
    if (r < 0)
        io_close(io);
    return r;
}

/* -t: the master comes first (none if the setup failed before: then its
 * report says why, else no_console does). */
static void io_receive_console(watch_io_t *io, upod_error_t *no_console)
{
    if (io->console[0] >= 0 && terminal_receive(io->console[0], &io->master, no_console) < 0)
        io->master = -1;
    close_fd(&io->console[0]);
}

static int wait_exit_code(pid_t pid)
{
    int status = 0;
    if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) < 0)
        return EXIT_UPOD_FAILED;
    return exit_code_from_status(status);
}

/* The log sink: the container's output into the log until it exits. */
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
    return wait_exit_code(pid);
}

/* Once it runs: relay or log until it exits; its exit status. */
static int io_run(const watch_sink_t *sink, watch_io_t *io, pid_t pid)
{
    if (sink->kind == WATCH_SINK_LOG) {
        cleanup_close int pidfd = upod_pidfd_open(pid, 0);
        int out = io->master >= 0 ? io->master : io->out[0];
        return pump_logs(&io->log, out, io->errp[0], pidfd, pid);
    }
    /* The terminal's signals reach the command itself (or travel as bytes
     * through the pty). */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    if (io->master >= 0)
        return terminal_relay(io->master, pid);
    return wait_exit_code(pid);
}

/* ---- the start ---- */

/* The outcome of the start to whoever waits for it (sink->ready_fd). */
static void tell_ready(const watch_sink_t *sink, const upod_error_t *failure)
{
    if (sink->ready_fd < 0)
        return;
    if (failure)
        sync_send_error(sink->ready_fd, failure);
    else
        sync_send(sink->ready_fd, SYNC_READY, 0, &(upod_error_t){0});
    close(sink->ready_fd);
}

/* The container's setup reports on report_fd: 0 once its command was
 * exec'd (the socket closed with nothing sent), else -1 with err as the
 * setup sent it (pid reaped). */
static int await_exec(int report_fd, pid_t pid, upod_error_t *err)
{
    if (sync_expect_hangup(report_fd, -1, "container", err) == 0)
        return 0;
    TEMP_FAILURE_RETRY(waitpid(pid, NULL, 0));
    return -1;
}

/* Under the claim: the container's process in the pod, its setup
 * reporting on *report_fd (ours to close). Its pid, or -1 with err. */
static pid_t spawn(const watch_dirs_t *dirs, const pod_t *pod, container_spec_t *spec,
                   const watch_sink_t *sink, watch_io_t *io, int *report_fd, upod_error_t *err)
{
    int report[2];
    if (sync_socketpair(report, err) < 0)
        return -1;
    spec->report_errors = true;
    spec->report_fd = report[1];
    int fds[CONTAINER_CHILD_FDS_MAX];
    spawn_keep_t keep = {fds, container_child_fds(spec, fds), spec->preserve_fds, report[1]};
    fflush(NULL);
    pid_t pid = pod_spawn_start(pod, dirs->pods_fd, false, CLONE_NEWNS,
                                sink->kind == WATCH_SINK_LOG, &keep, container_start, spec, err);
    close(report[1]);
    if (spec->preserve_fds)
        upod_close_range(3, 2 + spec->preserve_fds, 0); /* the container's now */
    io_close_child_ends(io);
    *report_fd = report[0];
    return pid;
}

/* Claim, spawn, wait for the exec, record running, release the lock. The
 * container's pid, or -1 with err (nothing of it left running). */
static pid_t start_claimed(const watch_dirs_t *dirs, const pod_t *pod, container_spec_t *spec,
                           ctr_t *ctr, const watch_sink_t *sink, watch_io_t *io,
                           upod_error_t *err)
{
    cleanup_close int lock = claim_start(dirs->state_fd, dirs->ctrs_fd, ctr, err);
    if (lock < 0)
        return -1;
    cleanup_close int report_fd = -1;
    /* Killed and reaped unless it runs and its record says so. */
    cleanup_pid pid_t pid = spawn(dirs, pod, spec, sink, io, &report_fd, err);
    if (pid < 0)
        return -1;
    upod_error_t no_console = {0};
    io_receive_console(io, &no_console);
    if (await_exec(report_fd, pid, err) < 0) {
        steal_pid(&pid); /* reaped */
        return -1;
    }
    if (ctr->tty && io->master < 0) { /* it runs, but its terminal never came */
        *err = no_console;
        return -1;
    }
    if (record_running(dirs->ctrs_fd, ctr, pid, wrappers_of(pod, ctr), err) < 0)
        return -1;
    return steal_pid(&pid);
}

int watch_container(const watch_dirs_t *dirs, const pod_t *pod, container_spec_t *spec, ctr_t *ctr,
                    const watch_sink_t *sink, upod_error_t *err)
{
    watch_io_t io;
    if (io_prepare(sink, ctr, spec, &io, err) < 0) {
        if (sink->kind == WATCH_SINK_LOG)
            upod_error_wrap(err, "cannot start the container's monitor");
        tell_ready(sink, err);
        return -1;
    }
    pid_t pid = start_claimed(dirs, pod, spec, ctr, sink, &io, err);
    if (pid < 0) {
        io_close(&io);
        tell_ready(sink, err);
        return -1;
    }
    tell_ready(sink, NULL);
    int code = io_run(sink, &io, pid);
    io_close(&io);
    watch_record_exit(dirs->state_fd, dirs->ctrs_fd, ctr, code);
    return code;
}
