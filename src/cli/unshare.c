/* unshare.c: `upod unshare [COMMAND...]`, as podman's: run COMMAND (your
 * $SHELL by default) as root of your parent user namespace
 * (proc/holder.h), where your subordinate ids are mapped as the pods see
 * them: to look at or clean what containers wrote with them. The command
 * runs in our child; we hold the lease on the namespace until it ends. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "proc/holder.h"
#include "state/state.h"

__attribute__((noreturn)) static void unshare_exec(char **argv)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    execvp(argv[0], argv);
    int saved = errno;
    fprintf(stderr, "Error: %s: %s\n", argv[0],
            saved == ENOENT ? "executable file not found in $PATH" : strerror(saved));
    _exit(saved == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

int cmd_unshare(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: upod unshare [COMMAND [ARG...]]\n\n"
                   "Run COMMAND (default: $SHELL) as root of your parent user namespace,\n"
                   "where your subordinate ids are mapped as the pods see them.\n");
            return 0;
        }
        return cli_option_error(c, argc, argv, "unshare", err);
    }
    const char *shell = getenv("SHELL");
    char *default_argv[] = {(char *)(shell && *shell ? shell : "/bin/sh"), NULL};
    char **command = optind < argc ? argv + optind : default_argv;
    state_handle_t s;
    if (state_handle_open(&s, err) < 0)
        return -1;
    idmap_plan_t plan;
    int lease = holder_join(s.state_fd, &plan, err);
    idmap_plan_clear(&plan);
    state_handle_close(&s);
    if (lease < 0)
        return -1;
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(lease);
        return upod_fail(err, errno, "cannot fork");
    }
    if (child == 0)
        unshare_exec(command);
    /* The terminal's signals reach the command itself. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int status;
    pid_t r = TEMP_FAILURE_RETRY(waitpid(child, &status, 0));
    close(lease);
    if (r < 0)
        return upod_fail(err, errno, "waiting for %s", command[0]);
    return exit_code_from_status(status);
}
