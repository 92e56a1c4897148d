/* pod_lifecycle.c: `upod pod start|stop|kill|restart|rm`. Each takes pod
 * names or ids (or --all), acts on each under the state lock, prints the ids
 * it acted on, and reports failures as podman does. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/compat.h"
#include "state/ctr.h"
#include "proc/keeper.h"
#include "state/pod.h"
#include "base/signals.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "core/pod_ops.h"

#define DEFAULT_STOP_TIMEOUT 10

typedef struct {
    long timeout;   /* stop: seconds before SIGKILL */
    int signal;     /* kill */
    bool force;     /* rm */
    bool ignore;    /* rm: unknown pods are not an error */
    bool all;
} lifecycle_opts_t;

typedef int (*pod_action_t)(state_handle_t *st, const char *ref, const lifecycle_opts_t *o,
                            upod_error_t *err);

/* Each action prints the id of the pod it acted on. */
static int print_id(int ret, const char *id)
{
    if (ret == 0)
        printf("%s\n", id);
    return ret;
}

static int start_one(state_handle_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    (void)o;
    char id[POD_ID_LEN + 1];
    return print_id(core_pod_start(st, ref, false, id, err), id);
}

static int stop_one(state_handle_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    char id[POD_ID_LEN + 1];
    return print_id(core_pod_stop(st, ref, o->timeout, id, err), id);
}

static int restart_one(state_handle_t *st, const char *ref, const lifecycle_opts_t *o,
                       upod_error_t *err)
{
    char id[POD_ID_LEN + 1];
    if (core_pod_stop(st, ref, o->timeout, id, err) < 0)
        return -1;
    return start_one(st, id, o, err);
}

static int kill_one(state_handle_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    char id[POD_ID_LEN + 1];
    return print_id(core_pod_kill(st, ref, o->signal, id, err), id);
}

static int rm_one(state_handle_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    char id[POD_ID_LEN + 1];
    return print_id(core_pod_remove(st, ref, o->force, o->timeout, id, err), id);
}

typedef struct {
    state_handle_t *st;
    const lifecycle_opts_t *o;
    pod_action_t action;
} pod_run_t;

/* cli_ref_action_t: the action (which finds the pod itself, under the
 * lock). */
static int run_on_pod(void *p, const char *ref, upod_error_t *err)
{
    const pod_run_t *run = p;
    return run->action(run->st, ref, run->o, err);
}

/* Run action on each named pod, or with --all on each pod there is now
 * (unreadable ones too), by id: each is then read alone. Failures and exit
 * status: cli_for_each_ref (1 for "no such pod" under rm, which --ignore
 * and --all pass over). */
static int for_each_pod(int argc, char **argv, const lifecycle_opts_t *o, const char *cmd,
                        pod_action_t action, upod_error_t *err)
{
    state_handle_t st;
    if (!o->all && optind >= argc)
        return upod_fail(err, 0, "`upod %s` needs at least one pod name or ID, or --all", cmd);
    if (o->all && optind < argc)
        return upod_fail(err, 0, "--all and pod names cannot be used together");
    if (state_handle_open(&st, err) < 0)
        return -1;
    char **ids = NULL;
    size_t n = (size_t)(argc - optind);
    if (o->all && pod_list_ids(st.pods_fd, true, &ids, &n, err) < 0) {
        state_handle_close(&st);
        return -1;
    }
    pod_run_t run = {.st = &st, .o = o, .action = action};
    cli_each_t how = {.skip_no_such = o->ignore || o->all, .no_such_is_1 = action == rm_one};
    int status = cli_for_each_ref(o->all ? ids : argv + optind, n, &how, run_on_pod, &run);
    free(ids);
    state_handle_close(&st);
    return status;
}

static int lifecycle(int argc, char **argv, const char *cmd, const char *shortopts,
                     pod_action_t action, const char *usage, upod_error_t *err)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'},     {"time", required_argument, NULL, 't'},
        {"signal", required_argument, NULL, 's'}, {"force", no_argument, NULL, 'f'},
        {"ignore", no_argument, NULL, 'i'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    lifecycle_opts_t o = {.timeout = DEFAULT_STOP_TIMEOUT, .signal = SIGKILL};
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        /* Only the options this command's short list names are accepted. */
        if (c != '?' && c != ':' && !strchr(shortopts, c))
            c = '?';
        switch (c) {
        case 'a': o.all = true; break;
        case 'f': o.force = true; break;
        case 'i': o.ignore = true; break;
        case 't':
            if (!parse_long(optarg, 0, 86400, &o.timeout))
                return upod_fail(err, 0, "invalid --time \"%s\": seconds from 0 to 86400", optarg);
            break;
        case 's':
            if (signal_parse(optarg, &o.signal, err) < 0)
                return -1;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_option_error(c, argc, argv, cmd, err);
        }
    }
    return for_each_pod(argc, argv, &o, cmd, action, err);
}

int cmd_pod_start(int argc, char **argv, upod_error_t *err)
{
    return lifecycle(argc, argv, "pod start", ":ah", start_one,
                     "Usage: upod pod start [--all] POD...\n\nStart pods.\n", err);
}

int cmd_pod_stop(int argc, char **argv, upod_error_t *err)
{
    return lifecycle(argc, argv, "pod stop", ":at:h", stop_one,
                     "Usage: upod pod stop [--all] [-t SECONDS] POD...\n\n"
                     "Stop pods: SIGTERM, then SIGKILL after -t seconds (default 10).\n"
                     "No process of a stopped pod is left.\n",
                     err);
}

int cmd_pod_kill(int argc, char **argv, upod_error_t *err)
{
    return lifecycle(argc, argv, "pod kill", ":as:h", kill_one,
                     "Usage: upod pod kill [--all] [-s SIGNAL] POD...\n\n"
                     "Send a signal (default KILL) to the pod's processes.\n",
                     err);
}

int cmd_pod_restart(int argc, char **argv, upod_error_t *err)
{
    return lifecycle(argc, argv, "pod restart", ":at:h", restart_one,
                     "Usage: upod pod restart [--all] [-t SECONDS] POD...\n\nStop, then start pods.\n",
                     err);
}

int cmd_pod_rm(int argc, char **argv, upod_error_t *err)
{
    return lifecycle(argc, argv, "pod rm", ":afit:h", rm_one,
                     "Usage: upod pod rm [--all] [--force] [--ignore] [-t SECONDS] POD...\n\n"
                     "Remove pods; --force stops running ones first.\n",
                     err);
}
