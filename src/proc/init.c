/* init.c: see init.h. */
#include "proc/init.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"

/* Until the command's end: signals on to it, orphans reaped. */
__attribute__((noreturn)) static void init_loop(pid_t cmd, const sigset_t *all)
{
    for (;;) {
        int sig = 0;
        if (sigwait(all, &sig) != 0)
            continue;
        if (sig != SIGCHLD) {
            kill(cmd, sig);
            continue;
        }
        int status;
        pid_t done;
        while ((done = waitpid(-1, &status, WNOHANG)) > 0) {
            if (done == cmd)
                _exit(exit_code_from_status(status));
        }
    }
}

void init_run(const container_spec_t *ready)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    /* Named before the fork: the command, which may look at once, must
     * see PID 1 as upod-init (its own name comes with its exec). */
    prctl(PR_SET_NAME, "upod-init");
    pid_t cmd = fork();
    if (cmd < 0)
        container_failf(ready, errno, "cannot fork the command under --init");
    if (cmd == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        container_exec_command(ready);
    }
    /* The command alone reports whether its exec worked: our copy of the
     * report socket goes, with every other fd of upod's. */
    upod_close_range(3, ~0U, 0);
    init_loop(cmd, &all);
}
