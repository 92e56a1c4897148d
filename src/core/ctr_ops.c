/* ctr_ops.c: see ctr_ops.h. */
#include "core/ctr_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "core/pod_ops.h"
#include "proc/cleanup.h"
#include "proc/monitor.h"
#include "proc/teardown.h"
#include "proc/watch.h"
#include "text/share.h"
#include "text/timefmt.h"

void ctr_create_spec_clear(ctr_create_spec_t *spec)
{
    if (spec->new_pod) {
        pod_config_clear(spec->new_pod);
        free(spec->new_pod);
        spec->new_pod = NULL;
    }
    ctr_clear(&spec->ctr);
}

/* Name taken by a container record? (Under the lock.) */
static int check_name_free(int ctrs_fd, const char *name, upod_error_t *err)
{
    ctr_t *list;
    size_t n;
    if (ctr_list(ctrs_fd, &list, &n, err) < 0)
        return -1;
    int ret = 0;
    for (size_t i = 0; i < n && ret == 0; i++) {
        if (strcmp(list[i].name, name) == 0)
            ret = upod_fail(err, 0, "the container name \"%s\" is already in use by %.12s: "
                                    "remove that container or choose another name",
                            name, list[i].id);
    }
    ctr_list_free(list, n);
    return ret;
}

/* --name, or a random name that no container (nor pod, when one named as
 * the container is to be made) has. */
static int pick_name(state_handle_t *st, int ctrs_fd, bool pod_too, ctr_t *c, upod_error_t *err)
{
    if (c->name)
        return check_name_free(ctrs_fd, c->name, err);
    for (int tries = 0; tries < 100; tries++) {
        upod_error_t ignored = {0};
        pod_t pod;
        bool pod_taken = false;
        c->name = pod_random_name();
        if (pod_too && pod_lookup(st->pods_fd, c->name, &pod, &ignored) == 0) {
            pod_taken = true;
            pod_clear(&pod);
        }
        if (!pod_taken && check_name_free(ctrs_fd, c->name, &ignored) == 0)
            return 0;
        free(c->name);
        c->name = NULL;
    }
    return upod_fail(err, 0, "could not find a free container name: use --name");
}

/* The pod the container goes to: the one spec->pod_ref names, or one made
 * for it from spec->new_pod (*made then says so). */
static int resolve_pod(state_handle_t *st, ctr_create_spec_t *spec, const char *name, pod_t *pod,
                       bool *made, upod_error_t *err)
{
    *made = false;
    const char *ref = spec->pod_ref;
    if (!ref) {
        if (!spec->new_pod->name)
            spec->new_pod->name = xstrdup(name);
        if (core_pod_create(st, spec->new_pod, err) < 0) {
            if (spec->own_pod)
                upod_error_wrap(err, "a container run without --pod gets a pod of its own, "
                                     "named as the container");
            return -1;
        }
        *made = true;
        ref = spec->new_pod->id;
    }
    return pod_lookup(st->pods_fd, ref, pod, err);
}

/* The environment: podman's defaults, then the user's settings; later
 * settings of a key win. */
static void build_env(const char *hostname, ctr_t *c)
{
    char **env = NULL;
    size_t n = 0;
    strv_push(&env, &n, xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    strv_push(&env, &n, xstrdup("container=podman"));
    strv_push(&env, &n, xasprintf("HOSTNAME=%s", hostname));
    strv_push(&env, &n, xstrdup("HOME=/root"));
    if (c->tty)
        strv_push(&env, &n, xstrdup("TERM=xterm"));
    for (size_t i = 0; i < c->nenv; i++)
        strv_push(&env, &n, c->env[i]);
    free(c->env);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        size_t klen = strcspn(env[i], "=");
        bool later = false;
        for (size_t j = i + 1; j < n && !later; j++)
            later = strncmp(env[j], env[i], klen + 1) == 0;
        if (later)
            free(env[i]);
        else
            env[kept++] = env[i];
    }
    c->env = xrealloc(env, (kept + 1) * sizeof(char *));
    c->env[kept] = NULL;
    c->nenv = kept;
}

/* What the record takes from its pod, and the defaults. */
static int complete_record(const pod_t *pod, ctr_t *c, upod_error_t *err)
{
    bool own_uts = !(pod->config.share & SHARE_UTS);
    if (c->hostname && !own_uts)
        return upod_fail(err, 0, "invalid config provided: cannot set hostname when joining the "
                                 "pod UTS namespace");
    if (own_uts && !c->hostname)
        c->hostname = xasprintf("%.12s", c->id);
    build_env(c->hostname ? c->hostname : pod->config.hostname, c);
    if (!c->workdir)
        c->workdir = xstrdup("/");
    if (c->workdir[0] != '/')
        return upod_fail(err, 0, "invalid --workdir \"%s\": it must be an absolute path",
                         c->workdir);
    memcpy(c->pod_id, pod->config.id, sizeof(c->pod_id));
    if (!c->stop_signal)
        c->stop_signal = SIGTERM;
    c->created = time_now_ns();
    c->status = CTR_CREATED;
    return 0;
}

/* STATE/containers/<id>/: /etc/hostname of its own, the overlay's
 * directories, the record; all under the lock, the name checked (a random
 * one is drawn again when taken): a create killed half-way leaves a
 * directory without record, which the next removal sweeps (state_sweep). */
static int write_container_files(int ctrs_fd, const pod_t *pod, const ctr_t *c, upod_error_t *err)
{
    cleanup_close int dirfd = state_open_subdir(ctrs_fd, c->id, true, err);
    if (dirfd < 0)
        return -1;
    cleanup_free char *name = xasprintf("%s\n", c->hostname ? c->hostname : pod->config.hostname);
    if (state_write_file(dirfd, "hostname", name, strlen(name), err) < 0)
        return -1;
    static const char *const overlay_dirs[] = {"upper", "work", "merged"};
    for (size_t i = 0; c->overlay && i < 3; i++) {
        if (mkdirat(dirfd, overlay_dirs[i], 0700) < 0)
            return upod_fail(err, errno, "cannot create the overlay's %s directory",
                             overlay_dirs[i]);
    }
    return 0;
}

static int write_container(state_handle_t *st, int ctrs_fd, const pod_t *pod, ctr_t *c,
                           bool random_name, upod_error_t *err)
{
    int lock = state_lock(st->state_fd, err);
    if (lock < 0)
        return -1;
    int ret = check_name_free(ctrs_fd, c->name, err);
    /* A random name another upod took meanwhile: draw again. */
    for (int tries = 0; ret < 0 && random_name && tries < 100; tries++) {
        free(c->name);
        c->name = pod_random_name();
        ret = check_name_free(ctrs_fd, c->name, err);
    }
    if (ret == 0)
        ret = write_container_files(ctrs_fd, pod, c, err);
    if (ret == 0)
        ret = ctr_save(ctrs_fd, c, false, err);
    if (ret < 0)
        state_remove_tree(ctrs_fd, c->id, &(upod_error_t){0});
    close(lock);
    return ret;
}

int core_ctr_create(state_handle_t *st, int ctrs_fd, ctr_create_spec_t *spec, ctr_t *out,
                    upod_error_t *err)
{
    ctr_t *c = &spec->ctr;
    memset(out, 0, sizeof(*out));
    pod_new_id(c->id);
    bool random_name = !c->name;
    if (c->name && !pod_name_valid(c->name))
        return upod_fail(err, 0, "invalid container name \"%s\": names must match "
                                 "[a-zA-Z0-9][a-zA-Z0-9_.-]*",
                         c->name);
    if (pick_name(st, ctrs_fd, spec->own_pod, c, err) < 0)
        return -1;
    pod_t pod = {0};
    bool made_pod = false;
    int ret = resolve_pod(st, spec, c->name, &pod, &made_pod, err);
    c->own_pod = made_pod && spec->own_pod;
    if (ret == 0)
        ret = complete_record(&pod, c, err);
    if (ret == 0)
        ret = write_container(st, ctrs_fd, &pod, c, random_name, err);
    /* By the id it was made with: pod is empty when its lookup failed. */
    if (ret < 0 && made_pod)
        teardown_pod_remove(st, spec->new_pod->id, true, 0, NULL, &(upod_error_t){0});
    pod_clear(&pod);
    if (ret == 0) {
        *out = *c; /* the record moves to out */
        memset(c, 0, sizeof(*c));
    }
    return ret;
}

int core_ctr_remove(state_handle_t *st, int ctrs_fd, const ctr_t *c, upod_error_t *err)
{
    return teardown_ctr_remove(st, ctrs_fd, c, err);
}

int core_ctr_prepare_start(state_handle_t *st, const ctr_t *c, bool attached, pod_t *pod,
                           container_spec_t *spec, upod_error_t *err)
{
    memset(pod, 0, sizeof(*pod));
    memset(spec, 0, sizeof(*spec));
    /* podman starts the pod of a container it starts. */
    if (core_pod_start(st, c->pod_id, attached && c->own_pod, NULL, err) < 0 ||
        pod_lookup(st->pods_fd, c->pod_id, pod, err) < 0)
        return -1;
    return ctr_spec_build(c, pod, st->path, spec, err);
}

int core_ctr_start(state_handle_t *st, int ctrs_fd, ctr_t *c, unsigned preserve_fds,
                   upod_error_t *err)
{
    if (ctr_effective_status(c) == CTR_RUNNING)
        return 0;
    pod_t pod;
    container_spec_t spec;
    int ret = core_ctr_prepare_start(st, c, false, &pod, &spec, err);
    spec.preserve_fds = preserve_fds;
    if (ret == 0)
        ret = monitor_start(st->state_fd, ctrs_fd, &pod, &spec, c, err);
    container_spec_clear(&spec);
    pod_clear(&pod);
    return ret;
}

int core_ctr_run_attached(state_handle_t *st, int ctrs_fd, ctr_t *c, unsigned preserve_fds,
                          upod_error_t *err)
{
    pod_t pod;
    container_spec_t spec;
    int watcher = cleanup_watcher_start(c);
    int code = core_ctr_prepare_start(st, c, true, &pod, &spec, err);
    spec.preserve_fds = preserve_fds;
    watch_dirs_t dirs = {st->state_fd, ctrs_fd, st->pods_fd};
    watch_sink_t sink = {.kind = WATCH_SINK_TERMINAL, .ctr_dir_fd = -1, .devnull = -1,
                         .ready_fd = -1};
    if (code == 0)
        code = watch_container(&dirs, &pod, &spec, c, &sink, err);
    container_spec_clear(&spec);
    pod_clear(&pod);
    if (code < 0) /* never ran: no record, nor the pod made for it */
        core_ctr_remove(st, ctrs_fd, c, &(upod_error_t){0});
    cleanup_watcher_done(watcher); /* all done: the watcher may go */
    return code;
}
