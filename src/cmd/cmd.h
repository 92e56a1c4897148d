/* cmd.h: the subcommands. Each cmd_<verb>() parses its own options with
 * getopt_long ("+" first: a container's arguments are never reordered) and
 * returns the exit status, or -1 with err filled (main prints it). */
#ifndef UPOD_CMD_H
#define UPOD_CMD_H

#include <getopt.h>
#include <stdbool.h>

#include "../lib/error.h"

typedef int (*cmd_fn_t)(int argc, char **argv, upod_error_t *err);

typedef struct {
    const char *name;
    cmd_fn_t fn;
    const char *summary;
} cmd_entry_t;

int cmd_version(int argc, char **argv, upod_error_t *err);
int cmd_info(int argc, char **argv, upod_error_t *err);
int cmd_pod(int argc, char **argv, upod_error_t *err);
int cmd_ps(int argc, char **argv, upod_error_t *err);
int cmd_port(int argc, char **argv, upod_error_t *err);
int cmd_run(int argc, char **argv, upod_error_t *err);
int cmd_stop(int argc, char **argv, upod_error_t *err);
int cmd_rm(int argc, char **argv, upod_error_t *err);
int cmd_logs(int argc, char **argv, upod_error_t *err);
int cmd_exec(int argc, char **argv, upod_error_t *err);
int cmd_inspect(int argc, char **argv, upod_error_t *err);
int cmd_kill(int argc, char **argv, upod_error_t *err);
int cmd_wait(int argc, char **argv, upod_error_t *err);


int cmd_container(int argc, char **argv, upod_error_t *err);

/* pod subcommands */
int cmd_pod_create(int argc, char **argv, upod_error_t *err);
int cmd_pod_start(int argc, char **argv, upod_error_t *err);
int cmd_pod_stop(int argc, char **argv, upod_error_t *err);
int cmd_pod_kill(int argc, char **argv, upod_error_t *err);
int cmd_pod_restart(int argc, char **argv, upod_error_t *err);
int cmd_pod_rm(int argc, char **argv, upod_error_t *err);
int cmd_pod_exists(int argc, char **argv, upod_error_t *err);
int cmd_pod_ps(int argc, char **argv, upod_error_t *err);
int cmd_pod_inspect(int argc, char **argv, upod_error_t *err);
int cmd_pod_top(int argc, char **argv, upod_error_t *err);
int cmd_pod_enter(int argc, char **argv, upod_error_t *err);

/* The state directory and its pods directory, opened for a command. */
typedef struct {
    int state_fd;
    int pods_fd;
    char *path; /* of the state directory */
} cmd_state_t;

int cmd_state_open(cmd_state_t *s, upod_error_t *err);
/* "Error: ..." on stderr, after what stdout holds. */
void cli_print_error(const upod_error_t *err);
/* A pod with the default options (run --pod new:NAME). */
int cmd_pod_create_default(cmd_state_t *st, const char *name, upod_error_t *err);
/* Start a pod unless it runs (as `pod start`, which prints the id). */
int cmd_pod_start_one(cmd_state_t *st, const char *ref, bool print_id, upod_error_t *err);
void cmd_state_close(cmd_state_t *s);

struct pod;
struct json;
/* The JSON of `pod inspect` for one pod (pod_ps.c). */
struct json *pod_inspect_json(const struct pod *p);
/* Open the state, find one pod by name, id, id prefix or infra name. */
int cmd_find_pod(const char *ref, struct pod *out, upod_error_t *err);

/* For commands of the form `upod CMD POD`: 1 after printing usage for
 * --help, 0 when argv is exactly one pod reference, else -1 with err. */
int cli_one_pod_arg(int argc, char **argv, const char *cmd, const char *usage, upod_error_t *err);

/* Print rows of cells as podman's tables: columns padded to the widest
 * cell plus two spaces, the last column unpadded. */
typedef struct {
    char **cells;
    size_t ncols, nrows, cap;
} table_t;

void table_init(table_t *t, size_t ncols);
void table_add_row(table_t *t, ...); /* ncols strings (copied) */
void table_print(const table_t *t);
void table_free(table_t *t);

/* Shared option handling (cli.c). */

/* Reset getopt for a subcommand's argv. */
void cli_reset_getopt(void);
/* Turn getopt's '?' or ':' into podman's message: "unknown flag: --foo" or
 * "flag needs an argument: --format"; returns -1. */
int cli_option_error(int c, int argc, char **argv, const char *usage_cmd, upod_error_t *err);
/* "accepts no arguments" check for commands without positional args. */
int cli_no_args(int argc, char **argv, const char *cmd, upod_error_t *err);

#endif
