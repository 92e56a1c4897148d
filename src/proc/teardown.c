/* teardown.c: see teardown.h. */
#include "proc/teardown.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/proc.h"
#include "base/util.h"
#include "text/timefmt.h"

/* ---- pods ---- */

int pod_lock_lookup(state_handle_t *st, const char *ref, bool any, pod_t *pod,
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

bool pod_runs(const pod_t *pod)
{
    if (pod->unreadable)
        return pod_processes_alive(pod);
    return pod_effective_status(pod) == POD_STATUS_RUNNING;
}

void pod_settle_stale(state_handle_t *st, pod_t *pod)
{
    if (pod->state.status == POD_STATUS_RUNNING && pod_effective_status(pod) == POD_STATUS_EXITED) {
        upod_error_t ignored = {0};
        pod->state.status = POD_STATUS_EXITED;
        pod->state.finished = time_now_ns();
        pod->state.exit_code = 137;
        pod_save_state(st->pods_fd, pod, &ignored);
    }
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

int teardown_pod_stop(state_handle_t *st, const char *ref, long timeout, pod_t *out,
                      upod_error_t *err)
{
    pod_t pod;
    int lock = pod_lock_lookup(st, ref, true, &pod, err);
    if (lock < 0)
        return -1;
    bool running = pod_runs(&pod);
    pod_settle_stale(st, &pod);
    close(lock);
    if (running) {
        /* An unreadable pod is stopped through what its state still tells
         * (keeper and infra, start times checked: never a reused pid). */
        stop_processes(&pod, timeout);
        /* The keeper records the exit; if it was killed, we do. */
        pod_t after;
        lock = pod_lock_lookup(st, pod.config.id, true, &after, err);
        if (lock >= 0) {
            pod_settle_stale(st, &after);
            close(lock);
            pod_clear(&after);
        }
    }
    if (out)
        *out = pod;
    else
        pod_clear(&pod);
    return 0;
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

int teardown_pod_remove(state_handle_t *st, const char *ref, bool force, long timeout,
                        char *id_out, upod_error_t *err)
{
    pod_t pod;
    if (force) {
        if (teardown_pod_stop(st, ref, timeout, &pod, err) < 0)
            return -1;
        pod_clear(&pod);
    }
    if (pod_lookup_any(st->pods_fd, ref, &pod, err) < 0)
        return -1;
    if (!pod_runs(&pod))
        wait_pod_monitors(st, pod.config.id);
    pod_clear(&pod);
    int lock = pod_lock_lookup(st, ref, true, &pod, err);
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

/* ---- containers ---- */

int teardown_ctr_remove(state_handle_t *st, int ctrs_fd, const ctr_t *c, upod_error_t *err)
{
    int lock = state_lock(st->state_fd, err);
    ctr_status_t now;
    upod_error_t ignored = {0};
    /* Started meanwhile (seen under the lock): the caller stops it first. */
    if (lock >= 0 && ctr_status_now(ctrs_fd, c->id, &now, &ignored) == 0 && now == CTR_RUNNING) {
        close(lock);
        return 1;
    }
    int ret = lock < 0 ? -1 : ctr_remove(ctrs_fd, c->id, err);
    if (lock >= 0) {
        state_sweep(ctrs_fd, CTR_RECORD_FILE);
        close(lock);
    }
    if (ret == 0 && c->own_pod)
        ret = teardown_pod_remove(st, c->pod_id, true, 0, NULL, err);
    return ret;
}

void teardown_own_pod(const ctr_t *c)
{
    state_handle_t st = {-1, -1, NULL};
    upod_error_t ignored = {0};
    if (!c->own_pod || state_handle_open(&st, &ignored) < 0)
        return;
    if (c->auto_remove)
        teardown_pod_remove(&st, c->pod_id, true, 10, NULL, &ignored);
    else
        teardown_pod_stop(&st, c->pod_id, 10, NULL, &ignored);
    state_handle_close(&st);
}
