/* run.c: `upod run [--pod POD|new:NAME] --rootfs DIR [OPTIONS] CMD...`:
 * create the container (ctr_create.c), start its pod if needed, then run
 * it: attached (upod waits and exits with its status: 125, 126, 127 as
 * podman), with a terminal (-t), or detached under a monitor (-d).
 *
 * An attached container has a record as any other, with this process as
 * its monitor: `ps -a` shows it running, then exited, as podman does. A
 * container whose setup or exec fails leaves no record (nor the pod made
 * for it). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "sandbox/container.h"
#include "state/ctr.h"
#include "proc/ctr_process.h"
#include "proc/spawn.h"
#include "proc/monitor.h"
#include "proc/teardown.h"
#include "state/pod.h"
#include "state/state.h"
#include "base/sync.h"
#include "sandbox/terminal.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "core/ctr_ops.h"

/* The container runs as our child: its terminal (-t) and setup errors
 * come back on a socket and a pipe, then we are its monitor until it
 * exits. Returns its exit status. */
static int run_attached(state_handle_t *st, int ctrs_fd, const pod_t *pod, container_spec_t *spec,
                        ctr_t *c, bool *failed_setup, upod_error_t *err)
{
    int console[2] = {-1, -1}, report[2], master = -1;
    if (c->tty && sync_socketpair(console, err) < 0)
        return -1;
    if (sync_socketpair(report, err) < 0) {
        if (console[0] >= 0) {
            close(console[0]);
            close(console[1]);
        }
        return -1;
    }
    spec->console = c->tty;
    spec->console_fd = console[1];
    spec->report_errors = true;
    spec->report_fd = report[1];
    fflush(NULL);
    cleanup_close int lock = monitor_claim_start(st->state_fd, ctrs_fd, c, err);
    int fds[CONTAINER_CHILD_FDS_MAX];
    spawn_keep_t keep = {fds, container_child_fds(spec, fds), spec->preserve_fds};
    pid_t child = lock < 0 ? -1
                           : pod_spawn_start(pod, st->pods_fd, false, CLONE_NEWNS, false, &keep,
                                             container_start,
                                             spec, err);
    close(report[1]);
    if (console[1] >= 0)
        close(console[1]);
    upod_error_t no_console = {0};
    if (child >= 0 && console[0] >= 0 && terminal_receive(console[0], &master, &no_console) < 0)
        master = -1; /* the setup failed first: the report says why */
    if (console[0] >= 0)
        close(console[0]);
    int code = child < 0 ? -1 : monitor_await_exec(report[0], child, err);
    close(report[0]);
    if (code == 0 && c->tty && master < 0) {
        kill_and_reap(child); /* it runs, but its terminal never came */
        *err = no_console;
        return -1;
    }
    if (code < 0) {
        if (master >= 0)
            close(master);
        *failed_setup = child >= 0;
        return -1;
    }
    if (monitor_record_running(ctrs_fd, c, child, monitor_wrappers(pod, c), err) < 0) {
        kill_and_reap(child); /* its record could not say it runs: it must not */
        if (master >= 0)
            close(master);
        return -1;
    }
    close(steal_fd(&lock));
    /* The terminal's signals reach the command itself (or travel as bytes
     * through the pty). */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    if (master >= 0) {
        code = terminal_relay(master, child);
        close(master);
    } else {
        int status = 0;
        code = TEMP_FAILURE_RETRY(waitpid(child, &status, 0)) < 0 ? EXIT_UPOD_FAILED
                                                                     : exit_code_from_status(status);
    }
    return code;
}

/* Cleanup watcher: what the CLI of a killed attached run can no longer do
 * (its container dies with it). The record says running with a dead
 * monitor, or created: record the exit, then --rm and the pod made for the
 * container as after a normal exit. Every step is idempotent: the CLI may
 * have done some of them before it was killed. */
static void cleanup_after_killed_run(const ctr_t *orig)
{
    state_handle_t st = {-1, -1, NULL};
    upod_error_t ignored = {0};
    if (state_handle_open(&st, &ignored) < 0)
        return;
    int ctrs_fd = ctrs_dir_open(st.state_fd, &ignored);
    ctr_t c = {0};
    if (ctrs_fd < 0) {
        /* nothing to read: nothing to clean */
    } else if (ctr_load(ctrs_fd, orig->id, &c, &ignored) < 0) {
        teardown_own_pod(orig); /* removed (--rm) already: its pod may remain */
    } else if (ctr_effective_status(&c) == CTR_RUNNING) {
        /* started again by someone else meanwhile: theirs now */
    } else if (c.status == CTR_RUNNING) {
        monitor_record_exit(st.state_fd, ctrs_fd, &c, 128 + SIGKILL);
    } else if (c.auto_remove) {
        core_ctr_remove(&st, ctrs_fd, &c, &ignored);
    } else {
        teardown_own_pod(&c);
    }
    ctr_clear(&c);
    if (ctrs_fd >= 0)
        close(ctrs_fd);
    state_handle_close(&st);
}

/* An attached run's CLI is its container's monitor. In case it is killed,
 * a small process (podman has conmon's `container cleanup`) waits on a
 * pipe: a byte from the CLI means all is done; the end of the pipe without
 * one, that the CLI died first. Returns the pipe's write end, or -1 when
 * no watcher could be started (the run goes on without). */
static int cleanup_watcher_start(const ctr_t *c)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t cli = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        /* Watcher: nothing of the CLI's but the pipe's read end, no
         * terminal (it must not hold a caller's pipe open either). */
        setsid();
        prctl(PR_SET_NAME, "upod-cleanup");
        close(p[1]);
        int keep[] = {p[0], upod_pidfd_open(cli, 0)};
        close_fds_except(keep, sizeof(keep) / sizeof(keep[0]));
        stdio_to_devnull();
        char done;
        if (TEMP_FAILURE_RETRY(read(p[0], &done, 1)) == 1)
            _exit(0);
        /* The pipe ends as the CLI starts to exit: wait until it has (its
         * record names it as the monitor, alive until then). */
        if (keep[1] >= 0)
            pidfd_wait_exit(keep[1], 5000);
        cleanup_after_killed_run(c);
        _exit(0);
    }
    close(p[0]);
    return p[1];
}

/* Start the pod (podman does), then the container, attached or not. A
 * container that could not be run leaves no record (nor the pod made for
 * it). */
static int run_container(state_handle_t *st, int ctrs_fd, const ctr_create_opts_t *o, ctr_t *c,
                         upod_error_t *err)
{
    if (o->detach) {
        int ret = core_ctr_start(st, ctrs_fd, c, o->preserve_fds, err);
        if (ret == 0)
            printf("%s\n", c->id);
        else
            core_ctr_remove(st, ctrs_fd, c, &(upod_error_t){0});
        return ret;
    }
    pod_t pod;
    container_spec_t spec;
    bool failed_setup = false;
    int watcher = cleanup_watcher_start(c);
    int code = core_ctr_prepare_start(st, c, true, &pod, &spec, err);
    spec.preserve_fds = o->preserve_fds;
    if (code == 0)
        code = run_attached(st, ctrs_fd, &pod, &spec, c, &failed_setup, err);
    container_spec_clear(&spec);
    pod_clear(&pod);
    if (code < 0 || failed_setup)
        core_ctr_remove(st, ctrs_fd, c, &(upod_error_t){0});
    else
        monitor_record_exit(st->state_fd, ctrs_fd, c, code);
    if (watcher >= 0) { /* all done: the watcher may go */
        (void)!write(watcher, "", 1);
        close(watcher);
    }
    return code;
}

int cmd_run(int argc, char **argv, upod_error_t *err)
{
    return ctr_create_command(argc, argv, true, run_container, err);
}
