/* main.c: upod's entry point. It only dispatches to src/cli/ and prints the
 * error a command returns, as "Error: ..." with podman's exit codes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "buildinfo.h"
#include "base/proc.h"
#include "base/util.h"
#include "cli/cmd.h"

static int cmd_container(int argc, char **argv, upod_error_t *err);

static const cmd_entry_t commands[] = {
    {"container", cmd_container, "Manage containers (the commands below, and ls)"},
    {"create", cmd_create, "Create a container (start it with 'upod start')"},
    {"exec", cmd_exec, "Run a command in a running container"},
    {"info", cmd_info, "Check whether upod can run pods here"},
    {"inspect", cmd_inspect, "Show a container's or a pod's details as JSON"},
    {"kill", cmd_kill, "Send a signal to containers"},
    {"logs", cmd_logs, "Show a container's output"},
    {"pod", cmd_pod, "Manage pods"},
    {"port", cmd_port, "List a pod's published ports"},
    {"ps", cmd_ps, "List containers"},
    {"restart", cmd_restart, "Restart containers"},
    {"rm", cmd_rm, "Remove containers"},
    {"run", cmd_run, "Run a container (in a pod)"},
    {"start", cmd_start, "Start containers"},
    {"stop", cmd_stop, "Stop containers"},
    {"system", cmd_system, "Reset upod's per-user state (migrate)"},
    {"top", cmd_top, "Show a container's processes"},
    {"wait", cmd_wait, "Wait for containers to exit"},
    {"unshare", cmd_unshare, "Run a command as root of your parent user namespace"},
    {"version", cmd_version, "Show upod's version and build information"},
};

/* The commands that act on containers, also as `upod container VERB`. */
static const cmd_entry_t container_commands[] = {
    {"create", cmd_create, NULL},   {"exec", cmd_exec, NULL},   {"inspect", cmd_inspect, NULL},
    {"kill", cmd_kill, NULL},       {"logs", cmd_logs, NULL},   {"ls", cmd_ps, NULL},
    {"list", cmd_ps, NULL},         {"ps", cmd_ps, NULL},       {"port", cmd_port, NULL},
    {"restart", cmd_restart, NULL}, {"rm", cmd_rm, NULL},       {"run", cmd_run, NULL},
    {"start", cmd_start, NULL},     {"stop", cmd_stop, NULL},   {"top", cmd_top, NULL},
    {"wait", cmd_wait, NULL},
};

static int cmd_container(int argc, char **argv, upod_error_t *err)
{
    for (size_t i = 0; argc >= 2 && i < sizeof(container_commands) / sizeof(container_commands[0]);
         i++) {
        if (strcmp(argv[1], container_commands[i].name) == 0)
            return container_commands[i].fn(argc - 1, argv + 1, err);
    }
    return upod_fail(err, 0, "upod container needs a command: create, exec, inspect, kill, "
                             "logs, ls, port, restart, rm, run, start, stop, top, wait");
}

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
    /* What the caller left open is not for what upod execs (helpers,
     * containers): only --preserve-fds passes fds on, on purpose. */
    fds_mark_cloexec_from(3);
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
