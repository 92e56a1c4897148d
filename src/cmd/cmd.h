/* cmd.h: the subcommands. Each cmd_<verb>() parses its own options with
 * getopt_long ("+" first: a container's arguments are never reordered) and
 * returns the exit status, or -1 with err filled (main prints it). */
#ifndef UPOD_CMD_H
#define UPOD_CMD_H

#include <getopt.h>

#include "../lib/error.h"

typedef int (*cmd_fn_t)(int argc, char **argv, upod_error_t *err);

typedef struct {
    const char *name;
    cmd_fn_t fn;
    const char *summary;
} cmd_entry_t;

int cmd_version(int argc, char **argv, upod_error_t *err);
int cmd_info(int argc, char **argv, upod_error_t *err);

/* Shared option handling (cli.c). */

/* Reset getopt for a subcommand's argv. */
void cli_reset_getopt(void);
/* Turn getopt's '?' or ':' into podman's message: "unknown flag: --foo" or
 * "flag needs an argument: --format"; returns -1. */
int cli_option_error(int c, int argc, char **argv, const char *usage_cmd, upod_error_t *err);
/* "accepts no arguments" check for commands without positional args. */
int cli_no_args(int argc, char **argv, const char *cmd, upod_error_t *err);

#endif
