/* main.c: upod's entry point. It only dispatches to src/cmd/ and prints the
 * error a command returns, as "Error: ..." with podman's exit codes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "buildinfo.h"
#include "lib/proc.h"
#include "cmd/cmd.h"

static const cmd_entry_t commands[] = {
    {"container", cmd_container, "Manage containers (ls)"},
    {"exec", cmd_exec, "Run a command in a running container"},
    {"info", cmd_info, "Check whether upod can run pods here"},
    {"inspect", cmd_inspect, "Show a container's or a pod's details as JSON"},
    {"kill", cmd_kill, "Send a signal to containers"},
    {"logs", cmd_logs, "Show a container's output"},
    {"pod", cmd_pod, "Manage pods"},
    {"port", cmd_port, "List a pod's published ports"},
    {"ps", cmd_ps, "List containers"},
    {"rm", cmd_rm, "Remove containers"},
    {"run", cmd_run, "Run a container in a pod"},
    {"stop", cmd_stop, "Stop containers"},
    {"wait", cmd_wait, "Wait for containers to exit"},
    {"version", cmd_version, "Show upod's version and build information"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: upod COMMAND [OPTIONS]\n\n"
                 "Rootless pods in one static binary, with podman's commands.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'upod COMMAND --help' for more information on a command.\n");
}

static int report(int ret, const upod_error_t *err)
{
    if (ret >= 0)
        return ret;
    cli_print_error(err);
    return err->status ? err->status : EXIT_UPOD_FAILED;
}

int main(int argc, char **argv)
{
    upod_error_t err = {0};
    proctitle_init(argc, argv);
    /* A closed pipe (upod ps | head) must not kill us mid-write. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_UPOD_FAILED;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(verb, "--version") == 0 || strcmp(verb, "-v") == 0) {
        printf("upod version %s\n", UPOD_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(verb, commands[i].name) == 0)
            return report(commands[i].fn(argc - 1, argv + 1, &err), &err);
    }
    upod_fail(&err, 0, "unrecognized command `upod %s` (try 'upod --help')", verb);
    return report(-1, &err);
}
