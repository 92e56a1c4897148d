/* cmd.h: the subcommands. Each cmd_<verb>() parses its own options with
 * getopt_long ("+" first: a container's arguments are never reordered) and
 * returns the exit status, or -1 with err filled (main prints it). */
#ifndef UPOD_CMD_H
#define UPOD_CMD_H

#include <getopt.h>
#include <stdbool.h>

#include "base/error.h"
#include "base/proc.h"
#include "state/pod.h"
#include "state/state.h"

typedef int (*cmd_fn_t)(int argc, char **argv, upod_error_t *err);

typedef struct {
    const char *name;
    cmd_fn_t fn;
    const char *summary;
} cmd_entry_t;

int cmd_version(int argc, char **argv, upod_error_t *err);
int cmd_info(int argc, char **argv, upod_error_t *err);
int cmd_system(int argc, char **argv, upod_error_t *err);
int cmd_unshare(int argc, char **argv, upod_error_t *err);
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
int cmd_create(int argc, char **argv, upod_error_t *err);
int cmd_start(int argc, char **argv, upod_error_t *err);
int cmd_restart(int argc, char **argv, upod_error_t *err);
int cmd_top(int argc, char **argv, upod_error_t *err);


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

/* "Error: ..." on stderr, after what stdout holds. */
void cli_print_error(const upod_error_t *err);

/* What a verb on several pods or containers does with one ref (a name or
 * an id as typed, or an id of the listing with --all): 0, or -1 with err. */
typedef int (*cli_ref_action_t)(void *ctx, const char *ref, upod_error_t *err);

typedef struct {
    /* A ref that names nothing (UPOD_ERR_NO_SUCH) is passed over: with
     * --all (another command removed it meanwhile), `pod rm --ignore`. */
    bool skip_no_such;
    /* Such a failure has exit status 1 (rm and pod rm, as podman's). */
    bool no_such_is_1;
} cli_each_t;

/* action on each of refs in turn, each failure printed as it comes
 * (cli_print_error). The exit status, as podman's: 0 when all went well,
 * else the status of the first failure whose status is not 1, else 1. */
int cli_for_each_ref(char *const *refs, size_t n, const cli_each_t *how, cli_ref_action_t action,
                     void *ctx);
/* `pod create`'s options; NULL or 0: the default. */
typedef struct {
    const char *name, *hostname, *share, *network, *userns;
    char **publish, **labels;
    size_t npublish, nlabels;
} pod_create_opts_t;

/* `pod create`'s command line into o (publish and labels: malloc'd arrays
 * of pointers into argv, for the caller to free): 1 after printing --help,
 * 0, or -1 with err. */
int pod_create_parse(int argc, char **argv, pod_create_opts_t *o, upod_error_t *err);
/* o as a typed pod spec, for core_pod_create (pod_config_clear it). */
int pod_spec_from_opts(const pod_create_opts_t *o, pod_config_t *out, upod_error_t *err);
/* Check o as `pod create` does before it writes anything; writes nothing. */
int pod_create_check(const pod_create_opts_t *o, upod_error_t *err);

/* Containers (ctr_create.c): the options of `create` and `run`. */
typedef struct {
    const char *pod, *rootfs, *name, *entrypoint, *workdir, *user, *hostname, *network;
    char **env_specs, **env_files, **volumes, **tmpfs, **cap_add, **cap_drop, **publish;
    size_t nenv, nenv_files, nvolumes, ntmpfs, ncap_add, ncap_drop, npublish;
    bool read_only, detach, auto_remove, tty, init;
    int stop_signal;
    unsigned preserve_fds; /* run only: not a property of the container */
} ctr_create_opts_t;

/* run: also -d. 1 after printing --help, 0, or -1 with err; optind is at
 * the command. */
int ctr_create_parse(int argc, char **argv, bool run, ctr_create_opts_t *o, upod_error_t *err);
void ctr_create_opts_free(ctr_create_opts_t *o);

struct ctr_record;
struct pod;
struct container_spec;
/* What follows a successful creation (create: print the id; run: run it). */
typedef int (*ctr_created_fn_t)(state_handle_t *st, int ctrs_fd, const ctr_create_opts_t *o,
                                struct ctr_record *c, upod_error_t *err);
/* The body of `create` and `run`: options, the typed spec, state,
 * core_ctr_create, then then(). */
int ctr_create_command(int argc, char **argv, bool run, ctr_created_fn_t then, upod_error_t *err);

/* logs.c: open a container's log where its new output will start (before
 * starting it), then print that output, across rotations, until monitor is
 * gone (logs_follow closes r; logs_follow_close only closes it). */
struct log_reader;
int logs_follow_open(int ctrs_fd, const char *id, struct log_reader *r, upod_error_t *err);
void logs_follow(struct log_reader *r, const proc_ref_t *monitor);
void logs_follow_close(struct log_reader *r);

/* ctr_lookup, and when nothing matches but ref names a pod's infra
 * container (as `ps -a` lists it: its name or an id prefix), an error that
 * says so and which pod commands act on it instead of "no such container". */
int cli_ctr_lookup(const state_handle_t *st, int ctrs_fd, const char *ref, struct ctr_record *out,
                   upod_error_t *err);
/* The same with ctr_lookup_any: an unreadable record is found too (rm). */
int cli_ctr_lookup_any(const state_handle_t *st, int ctrs_fd, const char *ref,
                       struct ctr_record *out, upod_error_t *err);
/* Every container record read whole (ctr_list_free() them). */
int cmd_list_containers(const state_handle_t *st, struct ctr_record **out, size_t *n,
                        upod_error_t *err);

struct pod;
struct json;
/* The JSON of `pod inspect` for one pod (pod_ps.c), its containers taken
 * from ctrs. */
struct json *pod_inspect_json(const struct pod *p, const struct ctr_record *ctrs, size_t nctrs);
/* One warning line on stderr for each unreadable pod or container record
 * in the list (naming its file, and how to remove it). */
void cmd_warn_unreadable_pods(const state_handle_t *st, const struct pod *pods, size_t n);
void cmd_warn_unreadable_ctrs(const state_handle_t *st, const struct ctr_record *ctrs, size_t n);
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
/* --filter KEY=VALUE, as podman's: filters with the same key are ORed,
 * different keys ANDed. */
typedef struct {
    char *key, *value;
} cli_filter_t;
typedef struct {
    cli_filter_t *items;
    size_t n;
} cli_filters_t;
typedef bool (*cli_filter_match_t)(const cli_filter_t *f, const void *obj);

/* keys: the accepted ones, as the error names them ("name, id and status");
 * a name filter must be a regular expression. */
int cli_filter_add(cli_filters_t *fs, const char *text, const char *keys, upod_error_t *err);
bool cli_filters_select(const cli_filters_t *fs, cli_filter_match_t match, const void *obj);
/* name=REGEX (extended, unanchored, as podman's). */
bool cli_name_matches(const char *regex, const char *name);
void cli_filters_free(cli_filters_t *fs);

/* --preserve-fds N (run, exec): the caller's fds 3..N+2 go to the
 * container. Read before upod opens any fd, each must be open: no fd of
 * upod's can then take one of those numbers. */
int cli_preserve_fds(const char *arg, unsigned *n, upod_error_t *err);

/* "accepts no arguments" check for commands without positional args. */
int cli_no_args(int argc, char **argv, const char *cmd, upod_error_t *err);

#endif
