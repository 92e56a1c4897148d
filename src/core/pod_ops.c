/* pod_ops.c: see pod_ops.h. */
#include "core/pod_ops.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"
#include "proc/keeper.h"
#include "state/ctr.h"
#include "text/share.h"
#include "text/timefmt.h"

/* ---- create ---- */

/* RFC 1123 host name: letters, digits, '-', '.', at most 63 characters. */
static bool hostname_valid(const char *h)
{
    size_t len = strlen(h);
    if (len == 0 || len > 63 || h[0] == '-' || h[0] == '.')
        return false;
    for (const char *p = h; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return false;
    }
    return true;
}

static bool name_taken(const pod_t *pods, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(pods[i].config.name, name) == 0)
            return true;
    }
    return false;
}

/* Under the lock: pick the name, write pods/.new-<id>/{config,state}, then
 * rename it to pods/<id>: the pod appears whole or not at all. */
static int write_new_pod(state_handle_t *st, pod_config_t *c, upod_error_t *err)
{
    cleanup_free char *requested_name = steal_pointer(&c->name);
    cleanup_free char *hostname = steal_pointer(&c->hostname);
    pod_t *pods;
    size_t n;
    if (pod_list(st->pods_fd, &pods, &n, err) < 0)
        return -1;
    int ret = 0;
    if (requested_name && name_taken(pods, n, requested_name))
        ret = upod_fail(err, 0, "the pod name \"%s\" is already in use: choose another name or "
                                "remove that pod ('upod pod rm %s')",
                        requested_name, requested_name);
    if (ret == 0) {
        c->name = requested_name ? xstrdup(requested_name) : pod_random_name();
        for (int tries = 0; !requested_name && name_taken(pods, n, c->name) && tries < 100; tries++) {
            free(c->name);
            c->name = pod_random_name();
        }
        if (name_taken(pods, n, c->name))
            ret = upod_fail(err, 0, "could not find a free pod name: use --name");
    }
    pod_list_free(pods, n);
    if (ret < 0)
        return -1;
    c->hostname = hostname ? steal_pointer(&hostname) : xstrdup(c->name);

    cleanup_free char *tmpname = xasprintf(".new-%s", c->id);
    cleanup_close int dirfd = state_open_subdir(st->pods_fd, tmpname, true, err);
    if (dirfd < 0)
        return -1;
    pod_state_t state = {.status = POD_STATUS_CREATED};
    kv_t kv;
    kv_init(&kv);
    pod_config_to_kv(c, &kv);
    cleanup_free char *config_text = kv_serialize(&kv);
    kv_clear(&kv);
    pod_state_to_kv(&state, &kv);
    cleanup_free char *state_text = kv_serialize(&kv);
    kv_clear(&kv);
    if (state_write_file(dirfd, POD_CONFIG_FILE, config_text, strlen(config_text), err) < 0 ||
        state_write_file(dirfd, "state", state_text, strlen(state_text), err) < 0 ||
        (renameat(st->pods_fd, tmpname, st->pods_fd, c->id) < 0 &&
         upod_fail(err, errno, "cannot create the pod's state directory") < 0)) {
        upod_error_t ignored = {0};
        state_remove_tree(st->pods_fd, tmpname, &ignored);
        return -1;
    }
    if (fsync(st->pods_fd) < 0)
        return upod_fail(err, errno, "cannot sync the state directory");
    return 0;
}

int core_pod_check(const pod_config_t *spec, upod_error_t *err)
{
    if (spec->name && !pod_name_valid(spec->name))
        return upod_fail(err, 0, "invalid pod name \"%s\": names must match "
                                 "[a-zA-Z0-9][a-zA-Z0-9_.-]* (at most %d characters)",
                         spec->name, POD_NAME_MAX);
    if (spec->hostname) {
        if (!hostname_valid(spec->hostname))
            return upod_fail(err, 0, "invalid hostname \"%s\": use letters, digits, '-' and "
                                     "'.', at most 63 characters",
                             spec->hostname);
        if (!(spec->share & SHARE_UTS))
            return upod_fail(err, 0, "--hostname needs the pod to share the uts namespace "
                                     "(add uts to --share)");
    }
    if (spec->nports && spec->net.mode == NET_MODE_NONE)
        return upod_fail(err, 0, "cannot publish ports with --network none");
    for (size_t i = 0; i < spec->nports; i++) {
        for (size_t j = 0; j < i; j++) {
            if (!port_mappings_conflict(&spec->ports[j], &spec->ports[i]))
                continue;
            cleanup_free char *a = port_mapping_display(&spec->ports[j]);
            cleanup_free char *b = port_mapping_display(&spec->ports[i]);
            return upod_fail(err, 0, "port mappings %s and %s conflict: they use the same "
                                     "host port",
                             a, b);
        }
    }
    for (size_t i = 0; i < spec->nlabels; i++) {
        const char *l = spec->labels[i];
        if (!*l || *l == '=' || !strchr(l, '=') || strchr(l, '\n'))
            return upod_fail(err, 0, "invalid label \"%s\": use KEY or KEY=VALUE", l);
    }
    return 0;
}

int core_pod_create(state_handle_t *st, pod_config_t *spec, upod_error_t *err)
{
    if (core_pod_check(spec, err) < 0)
        return -1;
    pod_new_id(spec->id);
    pod_new_id(spec->infra_id);
    spec->created = time_now_ns();
    int lock = state_lock(st->state_fd, err);
    if (lock < 0)
        return -1;
    int ret = write_new_pod(st, spec, err);
    close(lock);
    return ret;
}

/* ---- start, stop, kill, remove ---- */

/* Lock, find the pod (any: an unreadable one too, for stop and rm). The
 * caller unlocks (close). */
static int lock_and_lookup(state_handle_t *st, const char *ref, bool any, pod_t *pod,
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
static void settle_stale(state_handle_t *st, pod_t *pod)
{
    if (pod->state.status == POD_STATUS_RUNNING && pod_effective_status(pod) == POD_STATUS_EXITED) {
        upod_error_t ignored = {0};
        pod->state.status = POD_STATUS_EXITED;
        pod->state.finished = time_now_ns();
        pod->state.exit_code = 137;
        pod_save_state(st->pods_fd, pod, &ignored);
    }
}

int core_pod_start(state_handle_t *st, const char *ref, bool tie_to_caller, char *id_out,
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
    if (ret == 0 && id_out)
        memcpy(id_out, pod.config.id, POD_ID_LEN + 1);
    pod_clear(&pod);
    return ret;
}

/* Stop a running pod: SIGTERM to the keeper (which passes it to the infra),
 * then, after timeout seconds, SIGKILL to both. Returns once no process of
 * the pod is left. Called without the lock (the keeper needs it to record
 * the exit). */
static void stop_processes(const pod_t *pod, long timeout)
{
    proc_ref_stop(&pod->state.keeper, SIGTERM, timeout, &pod->state.infra,
                  PROC_STOP_KILL_PARTNER);
}

static int stop_pod(state_handle_t *st, const char *ref, long timeout, pod_t *out, upod_error_t *err)
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

int core_pod_stop(state_handle_t *st, const char *ref, long timeout, char *id_out,
                  upod_error_t *err)
{
    pod_t pod;
    if (stop_pod(st, ref, timeout, &pod, err) < 0)
        return -1;
    if (id_out)
        memcpy(id_out, pod.config.id, POD_ID_LEN + 1);
    pod_clear(&pod);
    return 0;
}

int core_pod_kill(state_handle_t *st, const char *ref, int sig, char *id_out, upod_error_t *err)
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
        if (infra < 0 || upod_pidfd_send_signal(infra, sig) < 0)
            ret = upod_fail(err, errno, "cannot signal pod %s", pod.config.name);
    }
    close(lock);
    if (ret == 0) {
        /* A fatal signal ends the pod: wait until its exit is recorded so
         * that the next `pod ps` tells the truth. */
        cleanup_close int keeper = proc_ref_pidfd(&pod.state.keeper, err);
        if (keeper >= 0 && pidfd_wait_exit(infra, 200))
            pidfd_wait_exit(keeper, 5000);
        if (id_out)
            memcpy(id_out, pod.config.id, POD_ID_LEN + 1);
    }
    pod_clear(&pod);
    return ret;
}

/* The monitors of a stopped pod's containers record the containers' end
 * (under the lock, so call this without it): wait for them, so that no
 * record is written again after its removal. */
static void wait_pod_monitors(state_handle_t *st, const char *pod_id)
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
static int remove_pod_containers(state_handle_t *st, const char *pod_id, upod_error_t *err)
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

int core_pod_remove(state_handle_t *st, const char *ref, bool force, long timeout, char *id_out,
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
    if (ret == 0 && id_out)
        memcpy(id_out, pod.config.id, POD_ID_LEN + 1);
    pod_clear(&pod);
    return ret;
}
