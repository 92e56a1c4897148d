/* system.c: `upod system migrate`: forget the user's parent user namespace
 * (proc/holder.h), so that the next pod is made in a new one mapped from
 * /etc/subuid and /etc/subgid as they are now. upod notices a change of
 * them by itself; this is the reset by hand, as podman's. Running pods
 * keep the namespace they have: restart them to move them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "proc/holder.h"
#include "state/state.h"

static int system_migrate(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: upod system migrate\n\n"
                   "Stop the holder of your parent user namespace and forget it: the next\n"
                   "pod is made in a new one, mapped from /etc/subuid and /etc/subgid as\n"
                   "they are now. Running pods keep theirs until restarted.\n");
            return 0;
        }
        return cli_option_error(c, argc, argv, "system migrate", err);
    }
    if (cli_no_args(argc, argv, "system migrate", err) < 0)
        return -1;
    state_handle_t s;
    if (state_handle_open(&s, err) < 0)
        return -1;
    int r = holder_reset(s.state_fd, err);
    state_handle_close(&s);
    return r < 0 ? -1 : 0;
}

int cmd_system(int argc, char **argv, upod_error_t *err)
{
    if (argc >= 2 && strcmp(argv[1], "migrate") == 0)
        return system_migrate(argc - 1, argv + 1, err);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("Usage: upod system migrate\n");
        return 0;
    }
    return upod_fail(err, 0, "upod system needs a command: migrate");
}
