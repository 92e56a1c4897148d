/* pod.c: `upod pod SUBCOMMAND`: dispatch to the pod subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static const cmd_entry_t pod_commands[] = {
    {"create", cmd_pod_create, "Create a pod"},
    {"enter", cmd_pod_enter, "Run a host command inside a running pod"},
    {"exists", cmd_pod_exists, "Exit 0 if a pod exists"},
    {"inspect", cmd_pod_inspect, "Show a pod's configuration and state as JSON"},
    {"kill", cmd_pod_kill, "Send a signal to a pod"},
    {"ls", cmd_pod_ps, "List pods"},
    {"ps", cmd_pod_ps, "List pods"},
    {"restart", cmd_pod_restart, "Restart pods"},
    {"rm", cmd_pod_rm, "Remove pods"},
    {"start", cmd_pod_start, "Start pods"},
    {"top", cmd_pod_top, "Show the processes of a pod"},
    {"stop", cmd_pod_stop, "Stop pods"},
};

static void pod_usage(FILE *out)
{
    fprintf(out, "Usage: upod pod COMMAND\n\nManage pods.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(pod_commands) / sizeof(pod_commands[0]); i++)
        fprintf(out, "  %-10s %s\n", pod_commands[i].name, pod_commands[i].summary);
}

int cmd_pod(int argc, char **argv, upod_error_t *err)
{
    if (argc < 2) {
        pod_usage(stderr);
        return upod_fail(err, 0, "missing pod command (see 'upod pod --help')");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        pod_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(pod_commands) / sizeof(pod_commands[0]); i++) {
        if (strcmp(argv[1], pod_commands[i].name) == 0)
            return pod_commands[i].fn(argc - 1, argv + 1, err);
    }
    return upod_fail(err, 0, "unrecognized command `upod pod %s` (try 'upod pod --help')", argv[1]);
}
