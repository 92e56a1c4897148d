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
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/compat.h"
#include "../lib/container.h"
#include "../lib/ctr.h"
#include "../lib/enter.h"
#include "../lib/monitor.h"
#include "../lib/pod.h"
#include "../lib/sync.h"
#include "../lib/terminal.h"
#include "../lib/util.h"
#include "cmd.h"

/* The container runs as our child: its terminal (-t) and setup errors
 * come back on a socket and a pipe, then we are its monitor until it
 * exits. Returns its exit status. */
static int run_attached(cmd_state_t *st, int ctrs_fd, const pod_t *pod, container_spec_t *spec,
                        ctr_t *c, bool *failed_setup, upod_error_t *err)
{
    int console[2] = {-1, -1}, report[2], master = -1;
    if (c->tty && sync_socketpair(console, err) < 0)
        return -1;
    if (pipe2(report, O_CLOEXEC) < 0) {
        if (console[0] >= 0) {
            close(console[0]);
            close(console[1]);
        }
        return upod_fail(err, errno, "pipe");
    }
    spec->console = c->tty;
    spec->console_fd = console[1];
    spec->report_errors = true;
    spec->report_fd = report[1];
    fflush(NULL);
    cleanup_close int lock = monitor_claim_start(st->state_fd, ctrs_fd, c, err);
    pid_t child = lock < 0 ? -1
                           : pod_spawn_start(pod, false, CLONE_NEWNS, false, container_start, spec, err);
    close(report[1]);
    if (console[1] >= 0)
        close(console[1]);
    upod_error_t no_console = {0};
    if (child >= 0 && console[0] >= 0 && terminal_receive(console[0], &master, &no_console) < 0)
        master = -1; /* the setup failed first: the report says why */
    if (console[0] >= 0)
        close(console[0]);
    char msg[1200];
    int code = child < 0 ? -1 : monitor_await_exec(report[0], child, msg, sizeof(msg));
    close(report[0]);
    if (code < 0 && child >= 0 && c->tty && master < 0) {
        kill(child, SIGKILL); /* it runs, but its terminal never came */
        waitpid(child, NULL, 0);
        return upod_fail(err, no_console.errnum, "%s", no_console.msg);
    }
    if (child < 0 || code >= 0) {
        if (master >= 0)
            close(master);
        if (code >= 0) {
            *failed_setup = true;
            fprintf(stderr, "Error: %s\n", msg);
        }
        return code;
    }
    monitor_record_running(ctrs_fd, c, child);
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

/* Start the pod (podman does), then the container, attached or not. A
 * container that could not be run leaves no record (nor the pod made for
 * it). */
static int run_container(cmd_state_t *st, int ctrs_fd, const ctr_create_opts_t *o, ctr_t *c,
                         upod_error_t *err)
{
    if (o->detach) {
        int ret = ctr_start(st, ctrs_fd, c, err);
        if (ret == 0)
            printf("%s\n", c->id);
        else
            ctr_remove_with_pod(st, ctrs_fd, c, &(upod_error_t){0});
        return ret;
    }
    pod_t pod;
    container_spec_t spec;
    bool failed_setup = false;
    int code = ctr_prepare_start(st, c, &pod, &spec, err);
    if (code == 0)
        code = run_attached(st, ctrs_fd, &pod, &spec, c, &failed_setup, err);
    container_spec_clear(&spec);
    pod_clear(&pod);
    if (code < 0 || failed_setup)
        ctr_remove_with_pod(st, ctrs_fd, c, &(upod_error_t){0});
    else
        monitor_record_exit(st->state_fd, ctrs_fd, c, code, ctr_after_exit);
    return code;
}

int cmd_run(int argc, char **argv, upod_error_t *err)
{
    return ctr_create_command(argc, argv, true, run_container, err);
}
