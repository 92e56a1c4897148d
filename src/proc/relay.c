/* relay.c: see relay.h. */
#include "proc/relay.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/error.h"
#include "base/proc.h"
#include "base/util.h"

static volatile pid_t relay_target;

static void relay_signal(int sig)
{
    if (relay_target > 0)
        kill(relay_target, sig);
}

static void relay_signals_to(pid_t target, bool detached)
{
    relay_target = target;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = relay_signal;
    sa.sa_flags = SA_RESTART;
    const int relayed[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT};
    for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
        if (!detached && (relayed[i] == SIGINT || relayed[i] == SIGQUIT))
            signal(relayed[i], SIG_IGN); /* the terminal sends them to the command too */
        else
            sigaction(relayed[i], &sa, NULL);
    }
}

void relay_run(pid_t command, bool detached)
{
    upod_close_range(3, ~0U, 0);
    prctl(PR_SET_NAME, "upod-relay");
    proctitle_set("upod-relay");
    relay_signals_to(command, detached);
    int status;
    if (TEMP_FAILURE_RETRY(waitpid(command, &status, 0)) < 0)
        _exit(EXIT_UPOD_FAILED);
    _exit(exit_code_from_status(status));
}
