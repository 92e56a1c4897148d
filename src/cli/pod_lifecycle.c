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

#define DEFAULT_STOP_TIMEOUT 10

typedef struct {
    long timeout;   /* stop: seconds before SIGKILL */
    int signal;     /* kill */
    bool force;     /* rm */
    bool ignore;    /* rm: unknown pods are not an error */
    bool all;
} lifecycle_opts_t;

typedef int (*pod_action_t)(cmd_state_t *st, const char *ref, const lifecycle_opts_t *o,
                            upod_error_t *err);

/* Lock, find the pod (any: an unreadable one too, for stop and rm). The
 * caller unlocks (close). */
static int lock_and_lookup(cmd_state_t *st, const char *ref, bool any, pod_t *pod,
                           upod_error_t *err)
{
    int lock = state_lock(st->state_fd, err);
    if (lock < 0)
        return -1;
    if ((any ? pod_lookup_any : pod_lookup)(st->pods_fd, ref, pod, err) < 0) {
        close(lock);
        return -1;
    }
    return lock;
}

/* Processes of the pod still run: Running, or Unknown (unreadable) with
 * its recorded keeper or infra alive (start times checked). */
static bool pod_runs(const pod_t *pod)
{
    if (pod->unreadable)
        return pod_processes_alive(pod);
    return pod_effective_status(pod) == POD_STATUS_RUNNING;
}

/* A pod recorded Running whose keeper is gone: write down that it exited. */
static void settle_stale(cmd_state_t *st, pod_t *pod)
{
    if (pod->state.status == POD_STATUS_RUNNING && pod_effective_status(pod) == POD_STATUS_EXITED) {
        upod_error_t ignored = {0};
        pod->state.status = POD_STATUS_EXITED;
        pod->state.finished = time_now_ns();
        pod->state.exit_code = 137;
        pod_save_state(st->pods_fd, pod, &ignored);
    }
}

int cmd_pod_start_one(cmd_state_t *st, const char *ref, bool print_id, bool tie_to_caller,
                      upod_error_t *err)
{
    pod_t pod;
    int lock = lock_and_lookup(st, ref, false, &pod, err);
    if (lock < 0)
        return -1;
    int ret = 0;
    if (pod_effective_status(&pod) != POD_STATUS_RUNNING) {
        settle_stale(st, &pod);
        ret = keeper_start(st->pods_fd, lock, &pod, tie_to_caller, err);
        if (ret < 0)
            upod_error_wrap(err, "cannot start pod %s", pod.config.name);
    }
    close(lock);
    if (ret == 0 && print_id)
        printf("%s\n", pod.config.id);
    pod_clear(&pod);
    return ret;
}

static int start_one(cmd_state_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    (void)o;
    return cmd_pod_start_one(st, ref, true, false, err);
}

/* Stop a running pod: SIGTERM to the keeper (which passes it to the infra),
 * then, after timeout seconds, SIGKILL to both. Returns once no process of
 * the pod is left. Called without the lock (the keeper needs it to record
 * the exit). */
static void stop_processes(const pod_t *pod, long timeout)
{
    upod_error_t ignored = {0};
    cleanup_close int keeper = proc_ref_pidfd(&pod->state.keeper, &ignored);
    cleanup_close int infra = proc_ref_pidfd(&pod->state.infra, &ignored);
    if (keeper >= 0 && timeout > 0) {
        upod_pidfd_send_signal(keeper, SIGTERM);
        if (pidfd_wait_exit(keeper, (int)(timeout * 1000)))
            return;
    }
    if (infra >= 0)
        upod_pidfd_send_signal(infra, SIGKILL);
    if (keeper >= 0) {
        upod_pidfd_send_signal(keeper, SIGKILL);
        pidfd_wait_exit(keeper, 5000);
    }
    if (infra >= 0)
        pidfd_wait_exit(infra, 5000);
}

static int stop_pod(cmd_state_t *st, const char *ref, long timeout, pod_t *out, upod_error_t *err)
{
    pod_t pod;
    int lock = lock_and_lookup(st, ref, true, &pod, err);
    if (lock < 0)
        return -1;
    bool running = pod_runs(&pod);
    settle_stale(st, &pod);
    close(lock);
    if (running) {
        /* An unreadable pod is stopped through what its state still tells
         * (keeper and infra, start times checked: never a reused pid). */
        stop_processes(&pod, timeout);
        /* The keeper records the exit; if it was killed, we do. */
        pod_t after;
        lock = lock_and_lookup(st, pod.config.id, true, &after, err);
        if (lock >= 0) {
            settle_stale(st, &after);
            close(lock);
            pod_clear(&after);
        }
    }
    *out = pod;
    return 0;
}

int cmd_pod_stop_one(cmd_state_t *st, const char *ref, long timeout, upod_error_t *err)
{
    pod_t pod;
    if (stop_pod(st, ref, timeout, &pod, err) < 0)
        return -1;
    pod_clear(&pod);
    return 0;
}

static int stop_one(cmd_state_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    pod_t pod;
    if (stop_pod(st, ref, o->timeout, &pod, err) < 0)
        return -1;
    printf("%s\n", pod.config.id);
    pod_clear(&pod);
    return 0;
}

static int restart_one(cmd_state_t *st, const char *ref, const lifecycle_opts_t *o,
                       upod_error_t *err)
{
    pod_t pod;
    if (stop_pod(st, ref, o->timeout, &pod, err) < 0)
        return -1;
    fflush(stdout);
    /* start prints the id */
    int ret = start_one(st, pod.config.id, o, err);
    pod_clear(&pod);
    return ret;
}

static int kill_one(cmd_state_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    pod_t pod;
    int lock = lock_and_lookup(st, ref, false, &pod, err);
    if (lock < 0)
        return -1;
    int ret = 0;
    cleanup_close int infra = -1;
    if (pod_effective_status(&pod) != POD_STATUS_RUNNING) {
        ret = upod_fail(err, 0, "pod %s is not running: nothing to kill", pod.config.name);
    } else {
        infra = proc_ref_pidfd(&pod.state.infra, err);
        if (infra < 0 || upod_pidfd_send_signal(infra, o->signal) < 0)
            ret = upod_fail(err, errno, "cannot signal pod %s", pod.config.name);
    }
    close(lock);
    if (ret == 0) {
        /* A fatal signal ends the pod: wait until its exit is recorded so
         * that the next `pod ps` tells the truth. */
        cleanup_close int keeper = proc_ref_pidfd(&pod.state.keeper, err);
        if (keeper >= 0 && pidfd_wait_exit(infra, 200))
            pidfd_wait_exit(keeper, 5000);
        printf("%s\n", pod.config.id);
    }
    pod_clear(&pod);
    return ret;
}

/* The monitors of a stopped pod's containers record the containers' end
 * (under the lock, so call this without it): wait for them, so that no
 * record is written again after its removal. */
static void wait_pod_monitors(cmd_state_t *st, const char *pod_id)
{
    upod_error_t ignored = {0};
    cleanup_close int ctrs_fd = ctrs_dir_open(st->state_fd, &ignored);
    ctr_t *list;
    size_t n;
    if (ctrs_fd < 0 || ctr_list_all(ctrs_fd, &list, &n, &ignored) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].pod_id, pod_id) != 0)
            continue;
        cleanup_close int mon = proc_ref_pidfd(&list[i].monitor, &ignored);
        if (mon >= 0)
            pidfd_wait_exit(mon, 5000);
    }
    ctr_list_free(list, n);
}

/* A pod's containers go with it, as in podman. Called with the lock held,
 * after wait_pod_monitors. */
static int remove_pod_containers(cmd_state_t *st, const char *pod_id, upod_error_t *err)
{
    cleanup_close int ctrs_fd = ctrs_dir_open(st->state_fd, err);
    if (ctrs_fd < 0)
        return -1;
    ctr_t *list;
    size_t n;
    if (ctr_list_all(ctrs_fd, &list, &n, err) < 0)
        return -1;
    int ret = 0;
    for (size_t i = 0; i < n && ret == 0; i++) {
        if (strcmp(list[i].pod_id, pod_id) != 0)
            continue;
        /* An unreadable record goes too, unless what it names still runs. */
        if (ctr_effective_status(&list[i]) == CTR_RUNNING ||
            (list[i].unreadable && ctr_processes_alive(&list[i])))
            ret = upod_fail(err, 0, "container %s of the pod still runs", list[i].name);
        else
            ret = ctr_remove(ctrs_fd, list[i].id, err);
    }
    ctr_list_free(list, n);
    state_sweep(ctrs_fd, CTR_RECORD_FILE);
    return ret;
}

int cmd_pod_remove(cmd_state_t *st, const char *ref, bool force, long timeout, char *removed_id,
                   upod_error_t *err)
{
    pod_t pod;
    if (force) {
        if (stop_pod(st, ref, timeout, &pod, err) < 0)
            return -1;
        pod_clear(&pod);
    }
    if (pod_lookup_any(st->pods_fd, ref, &pod, err) < 0)
        return -1;
    if (!pod_runs(&pod))
        wait_pod_monitors(st, pod.config.id);
    pod_clear(&pod);
    int lock = lock_and_lookup(st, ref, true, &pod, err);
    if (lock < 0)
        return -1;
    int ret = 0;
    if (pod_runs(&pod)) {
        ret = upod_fail_status(err, 2, 0, "pod %s is running: stop it first or use --force",
                               pod.config.name[0] ? pod.config.name : pod.config.id);
    } else {
        /* Rename first: the pod disappears at once, even if removing its
         * files is interrupted. */
        cleanup_free char *gone = xasprintf(".rm-%s", pod.config.id);
        if (remove_pod_containers(st, pod.config.id, err) < 0)
            ret = -1;
        else if (renameat(st->pods_fd, pod.config.id, st->pods_fd, gone) < 0)
            ret = upod_fail(err, errno, "cannot remove pod %s",
                            pod.config.name[0] ? pod.config.name : pod.config.id);
        else
            ret = state_remove_tree(st->pods_fd, gone, err);
        state_sweep(st->pods_fd, POD_CONFIG_FILE);
    }
    close(lock);
    if (ret == 0 && removed_id)
        memcpy(removed_id, pod.config.id, POD_ID_LEN + 1);
    pod_clear(&pod);
    return ret;
}

static int rm_one(cmd_state_t *st, const char *ref, const lifecycle_opts_t *o, upod_error_t *err)
{
    char id[POD_ID_LEN + 1];
    if (cmd_pod_remove(st, ref, o->force, o->timeout, id, err) < 0)
        return -1;
    printf("%s\n", id);
    return 0;
}

/* Run action on each named pod (or every pod with --all). Failures are
 * printed as they happen; the exit status follows podman: 0, or the
 * status of the failure (1 when every failure was "no such pod" under rm). */
static int for_each_pod(int argc, char **argv, const lifecycle_opts_t *o, const char *cmd,
                        pod_action_t action, upod_error_t *err)
{
    cmd_state_t st;
    if (!o->all && optind >= argc)
        return upod_fail(err, 0, "`upod %s` needs at least one pod name or ID, or --all", cmd);
    if (o->all && optind < argc)
        return upod_fail(err, 0, "--all and pod names cannot be used together");
    if (cmd_state_open(&st, err) < 0)
        return -1;
    char **refs = argv + optind;
    size_t nrefs = (size_t)(argc - optind);
    pod_t *pods = NULL;
    size_t npods = 0;
    if (o->all) {
        if (pod_list_all(st.pods_fd, &pods, &npods, err) < 0) {
            cmd_state_close(&st);
            return -1;
        }
        refs = xcalloc(npods ? npods : 1, sizeof(char *));
        for (size_t i = 0; i < npods; i++)
            refs[i] = pods[i].config.id;
        nrefs = npods;
    }
    int status = 0;
    for (size_t i = 0; i < nrefs; i++) {
        upod_error_t one = {0};
        if (action(&st, refs[i], o, &one) == 0)
            continue;
        /* --all: a pod removed meanwhile (by another command) is no error. */
        if (one.kind == UPOD_ERR_NO_SUCH && (o->ignore || o->all))
            continue;
        int code = one.kind == UPOD_ERR_NO_SUCH && action == rm_one ? 1 : one.status;
        if (status == 0 || status == 1)
            status = code;
        cli_print_error(&one);
    }
    if (o->all) {
        free(refs);
        pod_list_free(pods, npods);
    }
    cmd_state_close(&st);
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
