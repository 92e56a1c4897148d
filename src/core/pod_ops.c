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
#include "proc/teardown.h"
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

int core_pod_start(state_handle_t *st, const char *ref, bool tie_to_caller, char *id_out,
                   upod_error_t *err)
{
    pod_t pod;
    int lock = pod_lock_lookup(st, ref, false, &pod, err);
    if (lock < 0)
        return -1;
    int ret = 0;
    if (pod_effective_status(&pod) != POD_STATUS_RUNNING) {
        pod_settle_stale(st, &pod);
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

int core_pod_stop(state_handle_t *st, const char *ref, long timeout, char *id_out,
                  upod_error_t *err)
{
    pod_t pod;
    if (teardown_pod_stop(st, ref, timeout, &pod, err) < 0)
        return -1;
    if (id_out)
        memcpy(id_out, pod.config.id, POD_ID_LEN + 1);
    pod_clear(&pod);
    return 0;
}

int core_pod_kill(state_handle_t *st, const char *ref, int sig, char *id_out, upod_error_t *err)
{
    pod_t pod;
    int lock = pod_lock_lookup(st, ref, false, &pod, err);
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

int core_pod_remove(state_handle_t *st, const char *ref, bool force, long timeout, char *id_out,
                    upod_error_t *err)
{
    return teardown_pod_remove(st, ref, force, timeout, id_out, err);
}
