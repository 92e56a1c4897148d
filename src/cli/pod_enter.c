/* pod_enter.c: `upod pod enter POD [CMD...]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/enter.h"
#include "state/pod.h"
#include "cli/cmd.h"

int cmd_pod_enter(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"infra", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool all_infra = false;
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case 'I': all_infra = true; break;
        case 'h':
            printf("Usage: upod pod enter [--infra] POD [COMMAND [ARG...]]\n\n"
                   "Run a host command (default: $SHELL) in the pod's user namespace and shared\n"
                   "namespaces, on the host's filesystem. Namespaces the pod does not share are\n"
                   "fresh for the command, as for a container. --infra joins all of the infra's\n"
                   "namespaces instead (the counterpart of `ip netns exec`).\n");
            return 0;
        default: return cli_option_error(c, argc, argv, "pod enter", err);
        }
    }
    if (optind >= argc)
        return upod_fail(err, 0, "`upod pod enter` needs a pod name or ID");
    const char *ref = argv[optind++];
    char *shell_argv[2] = {getenv("SHELL"), NULL};
    if (!shell_argv[0] || !*shell_argv[0])
        shell_argv[0] = "/bin/sh";
    char **cmd = optind < argc ? argv + optind : shell_argv;
    pod_t pod;
    memset(&pod, 0, sizeof(pod));
    state_handle_t st;
    if (state_handle_open(&st, err) < 0)
        return -1;
    int ret = pod_lookup(st.pods_fd, ref, &pod, err);
    if (ret == 0 && pod_effective_status(&pod) != POD_STATUS_RUNNING)
        ret = upod_fail(err, 0, "pod %s is not running: start it with 'upod pod start %s'",
                        pod.config.name, pod.config.name);
    else if (ret == 0)
        ret = pod_enter(&pod, st.pods_fd, all_infra, cmd, err);
    pod_clear(&pod);
    state_handle_close(&st);
    return ret;
}
