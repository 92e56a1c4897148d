/* cleanup.c: see cleanup.h. */
#include "proc/cleanup.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/proc.h"
#include "base/util.h"
#include "proc/teardown.h"
#include "proc/watch.h"
#include "state/state.h"

/* What the CLI of a killed attached run can no longer do. The record says
 * running with a dead monitor, or created: record the exit, then --rm and
 * the pod made for the container as after a normal exit. */
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
        watch_record_exit(st.state_fd, ctrs_fd, &c, 128 + SIGKILL);
    } else if (c.auto_remove) {
        teardown_ctr_remove(&st, ctrs_fd, &c, &ignored);
    } else {
        teardown_own_pod(&c);
    }
    ctr_clear(&c);
    if (ctrs_fd >= 0)
        close(ctrs_fd);
    state_handle_close(&st);
}

/* The watcher's life: wait for the CLI's byte, or its end. */
__attribute__((noreturn)) static void cleanup_watcher_main(int done_fd, pid_t cli, const ctr_t *c)
{
    setsid();
    prctl(PR_SET_NAME, "upod-cleanup");
    int keep[] = {done_fd, upod_pidfd_open(cli, 0)};
    close_fds_except(keep, sizeof(keep) / sizeof(keep[0]));
    stdio_to_devnull();
    char done;
    if (TEMP_FAILURE_RETRY(read(done_fd, &done, 1)) == 1)
        _exit(0);
    /* The pipe ends as the CLI starts to exit: wait until it has (its
     * record names it as the monitor, alive until then). */
    if (keep[1] >= 0)
        pidfd_wait_exit(keep[1], 5000);
    cleanup_after_killed_run(c);
    _exit(0);
}

int cleanup_watcher_start(const ctr_t *c)
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
        close(p[1]);
        cleanup_watcher_main(p[0], cli, c);
    }
    close(p[0]);
    return p[1];
}

void cleanup_watcher_done(int fd)
{
    if (fd < 0)
        return;
    (void)!write(fd, "", 1);
    close(fd);
}
