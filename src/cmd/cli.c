/* cli.c: option-parsing helpers shared by the subcommands (see cmd.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

void cli_reset_getopt(void)
{
    optind = 0; /* 0, not 1: also resets getopt's internal state (glibc, musl) */
    opterr = 0;
}

int cli_option_error(int c, int argc, char **argv, const char *usage_cmd, upod_error_t *err)
{
    /* A long option is named by the word the user typed (argv[optind-1]);
     * a short one by optopt. */
    const char *word = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "";
    char name[64];
    if (strncmp(word, "--", 2) == 0)
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(word, "="), word);
    else
        snprintf(name, sizeof(name), "-%c", optopt ? optopt : '?');
    if (c == ':')
        return upod_fail(err, 0, "flag needs an argument: %s (see 'upod %s --help')", name,
                         usage_cmd);
    return upod_fail(err, 0, "unknown flag: %s (see 'upod %s --help')", name, usage_cmd);
}

int cli_no_args(int argc, char **argv, const char *cmd, upod_error_t *err)
{
    if (optind < argc)
        return upod_fail(err, 0, "`upod %s` takes no arguments, got \"%s\"", cmd, argv[optind]);
    return 0;
}
