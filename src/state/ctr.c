/* ctr.c: see ctr.h. */
#include "state/ctr.h"

#include <ctype.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"

#include "text/share.h"
#include "state/pod.h"
#include "state/records.h"
#include "state/state.h"
#include "base/util.h"

_Static_assert(CONTAINER_ID_LEN == RECORD_ID_LEN, "ids name record directories");

static const char *const status_names[] = {"created", "running", "exited", "unknown"};

const char *ctr_status_name(ctr_status_t s)
{
    return status_names[s];
}

int ctr_effective_exit_code(const ctr_t *c)
{
    if (c->status == CTR_RUNNING)
        return 137; /* 128 + SIGKILL: what PR_SET_PDEATHSIG sent it */
    return c->status == CTR_EXITED ? c->exit_code : 0;
}

bool ctr_processes_alive(const ctr_t *c)
{
    return proc_ref_alive(&c->monitor) || proc_ref_alive(&c->process);
}

ctr_status_t ctr_effective_status(const ctr_t *c)
{
    if (c->status == CTR_RUNNING && !proc_ref_alive(&c->monitor))
        return CTR_EXITED;
    return c->status;
}

void ctr_to_kv(const ctr_t *c, kv_t *kv)
{
    kv_add(kv, "id", c->id);
    kv_add(kv, "name", c->name);
    kv_add(kv, "pod", c->pod_id);
    kv_add(kv, "rootfs", c->rootfs);
    for (size_t i = 0; i < c->argc; i++)
        kv_add(kv, "arg", c->argv[i]);
    kv_addf(kv, "created", "%lld", c->created);
    kv_addf(kv, "stop_signal", "%d", c->stop_signal);
    kv_add(kv, "auto_remove", c->auto_remove ? "true" : "false");
    kv_add(kv, "status", ctr_status_name(c->status));
    kv_addf(kv, "monitor_pid", "%d", (int)c->monitor.pid);
    kv_addf(kv, "monitor_start", "%llu", c->monitor.start);
    kv_addf(kv, "pid", "%d", (int)c->process.pid);
    kv_addf(kv, "pid_start", "%llu", c->process.start);
    kv_addf(kv, "init_pid", "%d", (int)c->init.pid);
    kv_addf(kv, "init_start", "%llu", c->init.start);
    for (size_t i = 0; i < c->nenv; i++)
        kv_add(kv, "env", c->env[i]);
    kv_addf(kv, "caps", "%llu", c->caps);
    kv_addf(kv, "started", "%lld", c->started);
    kv_addf(kv, "finished", "%lld", c->finished);
    kv_addf(kv, "exit_code", "%d", c->exit_code);
    kv_add(kv, "workdir", c->workdir ? c->workdir : "/");
    kv_add(kv, "has_entrypoint", c->has_entrypoint ? "true" : "false");
    kv_add(kv, "has_user", c->has_user ? "true" : "false");
    kv_addf(kv, "uid", "%u", (unsigned)c->uid);
    kv_addf(kv, "gid", "%u", (unsigned)c->gid);
    if (c->hostname)
        kv_add(kv, "hostname", c->hostname);
    for (size_t i = 0; i < c->nvolumes; i++) {
        kv_add(kv, "volume_source", c->volumes[i].source);
        kv_add(kv, "volume_target", c->volumes[i].target);
        kv_add(kv, "volume_mode", c->volumes[i].read_only ? "ro" : "rw");
    }
    for (size_t i = 0; i < c->ntmpfs; i++)
        kv_add(kv, "tmpfs", c->tmpfs[i]);
    kv_add(kv, "read_only", c->read_only ? "true" : "false");
    kv_add(kv, "init", c->with_init ? "true" : "false");
    kv_add(kv, "overlay", c->overlay ? "true" : "false");
    kv_add(kv, "tty", c->tty ? "true" : "false");
    kv_add(kv, "own_pod", c->own_pod ? "true" : "false");
}

/* Every value of a repeated key, NULL-terminated. */
static void get_list(const kv_t *kv, const char *key, char ***out, size_t *n)
{
    const char *v;
    for (size_t i = 0; (v = kv_get_nth(kv, key, i)); i++)
        strv_push(out, n, xstrdup(v));
}

/* The volumes: one volume_source, volume_target and volume_mode line
 * each, in the same order; -1 when they do not pair up (absolute paths,
 * mode ro or rw). */
static int get_volumes(const kv_t *kv, ctr_t *c)
{
    const char *src, *dst, *mode;
    size_t n = 0;
    while (kv_get_nth(kv, "volume_source", n))
        n++;
    if (kv_get_nth(kv, "volume_target", n) || kv_get_nth(kv, "volume_mode", n))
        return -1;
    c->volumes = xcalloc(n + 1, sizeof(*c->volumes));
    for (size_t i = 0; i < n; i++) {
        src = kv_get_nth(kv, "volume_source", i);
        dst = kv_get_nth(kv, "volume_target", i);
        mode = kv_get_nth(kv, "volume_mode", i);
        if (!dst || !mode || src[0] != '/' || dst[0] != '/' ||
            (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0))
            return -1;
        c->volumes[i] = (volume_t){xstrdup(src), xstrdup(dst), strcmp(mode, "ro") == 0};
        c->nvolumes = i + 1;
    }
    return 0;
}

static bool get_bool(const kv_t *kv, const char *key)
{
    const char *v = kv_get(kv, key);
    return v && strcmp(v, "true") == 0;
}

/* Ids are 64 lowercase hex digits, as pod_new_id makes them. They name
 * directories (STATE/containers/<id>, removed by `rm`), so a record whose
 * id holds a '/' or ".." must never be taken for one. */
int ctr_from_kv(const kv_t *kv, ctr_t *c, upod_error_t *err)
{
    memset(c, 0, sizeof(*c));
    const char *id = kv_get(kv, "id"), *pod = kv_get(kv, "pod"), *name = kv_get(kv, "name");
    const char *rootfs = kv_get(kv, "rootfs"), *status = kv_get(kv, "status");
    long long sig, mpid, mstart, pid, pstart, code;
    if (!record_id_valid(id) || !record_id_valid(pod) || !name || !pod_name_valid(name) || !rootfs || !status ||
        !kv_get_ll(kv, "created", 0, INT64_MAX, &c->created) ||
        !kv_get_ll(kv, "stop_signal", 1, 64, &sig) || !kv_get_ll(kv, "monitor_pid", 0, 0x7fffffff, &mpid) ||
        !kv_get_ll(kv, "monitor_start", 0, INT64_MAX, &mstart) ||
        !kv_get_ll(kv, "pid", 0, 0x7fffffff, &pid) || !kv_get_ll(kv, "pid_start", 0, INT64_MAX, &pstart) ||
        !kv_get_ll(kv, "started", 0, INT64_MAX, &c->started) ||
        !kv_get_ll(kv, "finished", 0, INT64_MAX, &c->finished) ||
        !kv_get_ll(kv, "exit_code", -1, 255, &code))
        return upod_fail(err, 0, "corrupt container record: a field is missing or invalid");
    c->status = CTR_EXITED;
    for (int i = 0; i < 3; i++) {
        if (strcmp(status, status_names[i]) == 0)
            c->status = (ctr_status_t)i;
    }
    memcpy(c->id, id, sizeof(c->id));
    memcpy(c->pod_id, pod, sizeof(c->pod_id));
    c->name = xstrdup(name);
    c->rootfs = xstrdup(rootfs);
    get_list(kv, "arg", &c->argv, &c->argc);
    c->stop_signal = (int)sig;
    c->auto_remove = get_bool(kv, "auto_remove");
    c->monitor = (proc_ref_t){.pid = (pid_t)mpid, .start = (unsigned long long)mstart};
    c->process = (proc_ref_t){.pid = (pid_t)pid, .start = (unsigned long long)pstart};
    c->exit_code = (int)code;
    long long ipid = 0, istart = 0;
    kv_get_ll(kv, "init_pid", 0, 0x7fffffff, &ipid);
    kv_get_ll(kv, "init_start", 0, INT64_MAX, &istart);
    c->init = (proc_ref_t){.pid = (pid_t)ipid, .start = (unsigned long long)istart};
    const char *caps_text = kv_get(kv, "caps");
    c->caps = caps_text ? strtoull(caps_text, NULL, 10) : 0;
    get_list(kv, "env", &c->env, &c->nenv);
    const char *workdir = kv_get(kv, "workdir"), *hostname = kv_get(kv, "hostname");
    c->workdir = xstrdup(workdir && workdir[0] == '/' ? workdir : "/");
    long long uid = 0, gid = 0;
    kv_get_ll(kv, "uid", 0, 65535, &uid);
    kv_get_ll(kv, "gid", 0, 65535, &gid);
    c->uid = (uid_t)uid;
    c->gid = (gid_t)gid;
    c->hostname = hostname ? xstrdup(hostname) : NULL;
    if (get_volumes(kv, c) < 0)
        return upod_fail(err, 0, "corrupt container record: its volume lines do not match");
    get_list(kv, "tmpfs", &c->tmpfs, &c->ntmpfs);
    c->read_only = get_bool(kv, "read_only");
    c->with_init = get_bool(kv, "init");
    c->overlay = get_bool(kv, "overlay");
    c->tty = get_bool(kv, "tty");
    c->own_pod = get_bool(kv, "own_pod");
    c->has_entrypoint = get_bool(kv, "has_entrypoint");
    c->has_user = get_bool(kv, "has_user");
    return 0;
}

void ctr_clear(ctr_t *c)
{
    free(c->name);
    free(c->rootfs);
    for (size_t i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    for (size_t i = 0; i < c->nenv; i++)
        free(c->env[i]);
    free(c->env);
    free(c->workdir);
    free(c->hostname);
    for (size_t i = 0; i < c->nvolumes; i++) {
        free(c->volumes[i].source);
        free(c->volumes[i].target);
    }
    free(c->volumes);
    for (size_t i = 0; i < c->ntmpfs; i++)
        free(c->tmpfs[i]);
    free(c->tmpfs);
    free(c->unreadable);
    memset(c, 0, sizeof(*c));
}

int ctrs_dir_open(int state_fd, upod_error_t *err)
{
    return state_open_subdir(state_fd, "containers", true, err);
}

int ctr_save(int ctrs_fd, const ctr_t *c, bool create, upod_error_t *err)
{
    kv_t kv;
    kv_init(&kv);
    ctr_to_kv(c, &kv);
    cleanup_free char *text = kv_serialize(&kv);
    kv_clear(&kv);
    size_t len = strlen(text);
    if (len > STATE_FILE_MAX)
        return upod_fail(err, 0, "the record of container %s would take %zu bytes, more than "
                                 "upod reads back (%u): use shorter arguments, environment and "
                                 "volume lists",
                         c->name, len, STATE_FILE_MAX);
    cleanup_close int fd = state_open_subdir(ctrs_fd, c->id, create, err);
    if (fd < 0)
        return -1;
    return state_write_file(fd, CTR_RECORD_FILE, text, len, err);
}

#define CTR_RESERVE_FILE ".reserve"

int ctr_reserve_space(int ctrs_fd, const ctr_t *c, upod_error_t *err)
{
    kv_t kv;
    kv_init(&kv);
    ctr_to_kv(c, &kv);
    cleanup_free char *text = kv_serialize(&kv);
    kv_clear(&kv);
    cleanup_close int fd = state_open_subdir(ctrs_fd, c->id, false, err);
    if (fd < 0)
        return -1;
    /* The new record is written whole before the old one is freed: room
     * for all of it, plus what its exit adds, rounded up by pages. */
    return state_reserve_file(fd, CTR_RESERVE_FILE, strlen(text) + 8192, err);
}

void ctr_release_reserve(int ctrs_fd, const char *id)
{
    cleanup_free char *path = xasprintf("%s/%s", id, CTR_RESERVE_FILE);
    unlinkat(ctrs_fd, path, 0);
}

int ctr_save_final(int ctrs_fd, const ctr_t *c, upod_error_t *err)
{
    int r = ctr_save(ctrs_fd, c, false, err);
    if (r < 0 && err->errnum == ENOSPC) {
        ctr_release_reserve(ctrs_fd, c->id);
        *err = (upod_error_t){0};
        r = ctr_save(ctrs_fd, c, false, err);
    }
    ctr_release_reserve(ctrs_fd, c->id);
    return r;
}

/* The record in dirfd (containers/<id>), parsed; errors name the file. */
static int load_record(int dirfd, const char *id, void *rec, upod_error_t *err)
{
    ctr_t *out = rec;
    cleanup_free char *text = NULL;
    kv_t kv;
    int r = state_read_file(dirfd, CTR_RECORD_FILE, &text, err);
    if (r == 0)
        r = kv_parse(text, &kv, err);
    if (r == 0) {
        r = ctr_from_kv(&kv, out, err);
        kv_clear(&kv);
    }
    if (r == 0 && strcmp(out->id, id) != 0) {
        ctr_clear(out);
        r = upod_fail(err, 0, "its id= is not the directory's name");
    }
    if (r < 0)
        upod_error_wrap(err, "containers/%s/%s", id, CTR_RECORD_FILE);
    return r;
}

/* What containers/<id>/ still tells when its record cannot be read. */
static void salvage_record(int dirfd, const char *id, const upod_error_t *why, void *rec)
{
    ctr_t *out = rec;
    char text[1300];
    kv_t kv;
    memset(out, 0, sizeof(*out));
    state_salvage_file(dirfd, CTR_RECORD_FILE, &kv);
    const char *name = kv_get(&kv, "name"), *pod = kv_get(&kv, "pod");
    memcpy(out->id, id, sizeof(out->id));
    out->name = xstrdup(name && pod_name_valid(name) ? name : "");
    if (record_id_valid(pod))
        memcpy(out->pod_id, pod, sizeof(out->pod_id));
    out->rootfs = xstrdup("");
    out->argv = xcalloc(1, sizeof(char *));
    out->workdir = xstrdup("/");
    long long v;
    out->created = kv_get_ll(&kv, "created", 1, INT64_MAX, &v) ? v : 0;
    out->stop_signal = kv_get_ll(&kv, "stop_signal", 1, 64, &v) ? (int)v : SIGTERM;
    out->monitor = proc_ref_from_kv(&kv, "monitor_pid", "monitor_start");
    out->process = proc_ref_from_kv(&kv, "pid", "pid_start");
    out->init = proc_ref_from_kv(&kv, "init_pid", "init_start");
    out->own_pod = get_bool(&kv, "own_pod") && out->pod_id[0];
    kv_clear(&kv);
    struct stat st;
    if (out->created == 0 && fstat(dirfd, &st) == 0)
        out->created = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    out->status = CTR_UNKNOWN;
    out->unreadable = xstrdup(upod_error_text(why, text, sizeof(text)));
}

int ctr_status_now(int ctrs_fd, const char *id, ctr_status_t *status, upod_error_t *err)
{
    ctr_t now;
    if (ctr_load(ctrs_fd, id, &now, err) < 0)
        return -1;
    *status = ctr_effective_status(&now);
    ctr_clear(&now);
    return 0;
}

/* ---- the containers directory ---- */

static void clear_record(void *rec)
{
    ctr_clear(rec);
}

static bool record_has_name(const void *rec, const char *ref)
{
    const ctr_t *c = rec;
    return c->name[0] && strcmp(c->name, ref) == 0;
}

static const records_kind_t ctr_records = {
    .size = sizeof(ctr_t),
    .noun = "container",
    .dir_name = "containers",
    .whole_file = CTR_RECORD_FILE,
    .remove_cmd = "upod rm -f",
    .not_found_quote = "\"",
    .load = load_record,
    .salvage = salvage_record,
    .clear = clear_record,
    .id_at = offsetof(ctr_t, id),
    .created_at = offsetof(ctr_t, created),
    .unreadable_at = offsetof(ctr_t, unreadable),
    .has_name = record_has_name,
};

int ctr_load(int ctrs_fd, const char *id, ctr_t *out, upod_error_t *err)
{
    return records_load(ctrs_fd, &ctr_records, id, out, err);
}

static int list_records(int ctrs_fd, bool with_unreadable, ctr_t **out, size_t *n,
                        upod_error_t *err)
{
    void *list;
    int r = records_list(ctrs_fd, &ctr_records, with_unreadable, &list, n, err);
    *out = list;
    return r;
}

int ctr_list(int ctrs_fd, ctr_t **out, size_t *n, upod_error_t *err)
{
    return list_records(ctrs_fd, false, out, n, err);
}

int ctr_list_all(int ctrs_fd, ctr_t **out, size_t *n, upod_error_t *err)
{
    return list_records(ctrs_fd, true, out, n, err);
}

void ctr_list_free(ctr_t *list, size_t n)
{
    records_free(&ctr_records, list, n);
}

int ctr_list_ids(int ctrs_fd, bool with_unreadable, char ***ids, size_t *n, upod_error_t *err)
{
    return records_list_ids(ctrs_fd, &ctr_records, with_unreadable, ids, n, err);
}

int ctr_lookup(int ctrs_fd, const char *ref, ctr_t *out, upod_error_t *err)
{
    return records_lookup(ctrs_fd, &ctr_records, ref, false, out, err);
}

int ctr_lookup_any(int ctrs_fd, const char *ref, ctr_t *out, upod_error_t *err)
{
    return records_lookup(ctrs_fd, &ctr_records, ref, true, out, err);
}

int ctr_remove(int ctrs_fd, const char *id, upod_error_t *err)
{
    cleanup_free char *gone = xasprintf(".rm-%s", id);
    if (renameat(ctrs_fd, id, ctrs_fd, gone) < 0)
        return upod_fail(err, errno, "cannot remove container %s", id);
    return state_remove_tree(ctrs_fd, gone, err);
}
