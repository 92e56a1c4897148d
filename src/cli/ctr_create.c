/* ctr_create.c: `upod create`, and what `run` and `start` share with it:
 * the options, the pod a container goes to (an existing one, --pod
 * new:NAME, or without --pod a pod of its own), the record that holds
 * everything needed to start it again, its files; starting a container
 * under its monitor; removing one with its own pod. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/container.h"
#include "state/ctr.h"
#include "text/envfile.h"
#include "sandbox/inroot.h"
#include "proc/monitor.h"
#include "text/share.h"
#include "state/pod.h"
#include "base/signals.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "cli/cmd.h"

static const char options_help[] =
    "Options:\n"
    "      --pod POD|new:NAME     the pod to join (new: creates it first; none: a pod of its own)\n"
    "      --rootfs DIR[:O]       the container's root filesystem (:O: a throw-away overlay)\n"
    "      --name NAME            the container's name\n"
    "      --rm                   remove the container when it exits\n"
    "      --stop-signal SIGNAL   what stop sends first (default TERM)\n"
    "  -i, --interactive          keep stdin attached (always, for attached runs)\n"
    "  -t, --tty                  give the container a terminal\n"
    "  -e, --env KEY[=VALUE]      set an environment variable\n"
    "      --env-file FILE        read KEY=VALUE lines\n"
    "      --entrypoint CMD       run CMD, with COMMAND as its arguments\n"
    "  -w, --workdir DIR          working directory\n"
    "  -u, --user UID[:GID]       user inside the container\n"
    "      --hostname NAME        hostname (pods that do not share uts only)\n"
    "  -v, --volume SRC:DST[:ro]  bind a host path\n"
    "      --tmpfs DST            mount a tmpfs\n"
    "      --read-only            mount the rootfs read-only\n"
    "      --init                 a small init runs the command: signals, orphans\n"
    "      --cap-add CAP, --cap-drop CAP\n"
    "  -p, --publish SPEC         publish a port (a new pod only: no --pod, or --pod new:NAME)\n"
    "      --network MODE         slirp[:OPTIONS] or none (a new pod only)\n"
    "      --preserve-fds N       run: pass the fds 3 to N+2 on to the container (only 0, 1, 2\n"
    "                             otherwise)\n";

static void push(char ***list, size_t *n, char *v)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(char *));
    (*list)[(*n)++] = v;
}

void ctr_create_opts_free(ctr_create_opts_t *o)
{
    free(o->env_specs);
    free(o->env_files);
    free(o->volumes);
    free(o->tmpfs);
    free(o->cap_add);
    free(o->cap_drop);
    free(o->publish);
}

int ctr_create_parse(int argc, char **argv, bool run, ctr_create_opts_t *o, upod_error_t *err)
{
    enum { O_POD = 256, O_ROOTFS, O_NAME, O_RM, O_ENVFILE, O_ENTRY, O_HOST, O_TMPFS, O_RO,
           O_CAPADD, O_CAPDROP, O_INIT, O_STOPSIG, O_NETWORK, O_PRESERVE };
    static const struct option opts[] = {
        {"pod", required_argument, NULL, O_POD},       {"rootfs", required_argument, NULL, O_ROOTFS},
        {"name", required_argument, NULL, O_NAME},     {"rm", no_argument, NULL, O_RM},
        {"interactive", no_argument, NULL, 'i'},       {"env", required_argument, NULL, 'e'},
        {"env-file", required_argument, NULL, O_ENVFILE},
        {"entrypoint", required_argument, NULL, O_ENTRY},
        {"workdir", required_argument, NULL, 'w'},     {"user", required_argument, NULL, 'u'},
        {"hostname", required_argument, NULL, O_HOST}, {"volume", required_argument, NULL, 'v'},
        {"tmpfs", required_argument, NULL, O_TMPFS},   {"read-only", no_argument, NULL, O_RO},
        {"cap-add", required_argument, NULL, O_CAPADD},
        {"cap-drop", required_argument, NULL, O_CAPDROP},
        {"detach", no_argument, NULL, 'd'},            {"tty", no_argument, NULL, 't'},
        {"init", no_argument, NULL, O_INIT},           {"stop-signal", required_argument, NULL, O_STOPSIG},
        {"publish", required_argument, NULL, 'p'},     {"network", required_argument, NULL, O_NETWORK},
        {"preserve-fds", required_argument, NULL, O_PRESERVE},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    const char *cmd = run ? "run" : "create";
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:ie:w:u:v:dtp:h", opts, NULL)) != -1) {
        switch (c) {
        case O_POD: o->pod = optarg; break;
        case O_ROOTFS: o->rootfs = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_RM: o->auto_remove = true; break;
        case 'i': break;  /* stdin is always an attached container's */
        case 'e': push(&o->env_specs, &o->nenv, optarg); break;
        case O_ENVFILE: push(&o->env_files, &o->nenv_files, optarg); break;
        case O_ENTRY: o->entrypoint = optarg; break;
        case 'w': o->workdir = optarg; break;
        case 'u': o->user = optarg; break;
        case O_HOST: o->hostname = optarg; break;
        case 'v': push(&o->volumes, &o->nvolumes, optarg); break;
        case O_TMPFS: push(&o->tmpfs, &o->ntmpfs, optarg); break;
        case O_RO: o->read_only = true; break;
        case O_CAPADD: push(&o->cap_add, &o->ncap_add, optarg); break;
        case O_CAPDROP: push(&o->cap_drop, &o->ncap_drop, optarg); break;
        case O_STOPSIG:
            if (signal_parse(optarg, &o->stop_signal, err) < 0)
                return -1;
            break;
        case 'd':
            if (!run)
                return cli_option_error('?', argc, argv, cmd, err);
            o->detach = true;
            break;
        case 't': o->tty = true; break;
        case O_INIT: o->init = true; break;
        case 'p': push(&o->publish, &o->npublish, optarg); break;
        case O_NETWORK: o->network = optarg; break;
        case O_PRESERVE:
            if (!run)
                return cli_option_error('?', argc, argv, cmd, err);
            if (cli_preserve_fds(optarg, &o->preserve_fds, err) < 0)
                return -1;
            break;
        case 'h':
            printf("Usage: upod %s [--pod POD] --rootfs DIR [OPTIONS] [--] COMMAND [ARG...]\n\n%s\n\n%s",
                   cmd,
                   run ? "Run a container (its pod is started if needed); attached, upod exits "
                         "with its status."
                       : "Create a container (status Created; start it with 'upod start').",
                   options_help);
            return 1;
        default: return cli_option_error(c, argc, argv, cmd, err);
        }
    }
    if (!o->rootfs)
        return upod_fail(err, 0, "upod %s needs --rootfs DIR: upod runs no images", cmd);
    if (o->pod && strncmp(o->pod, "new:", 4) != 0 && (o->npublish || o->network))
        return upod_fail(err, 0, "invalid config provided: published ports and the network "
                                 "are the pod's: give them to 'upod pod create', or use "
                                 "--pod new:NAME");
    return 0;
}

/* The environment: podman's defaults, then --env-file, then -e. */
static int build_env(const ctr_create_opts_t *o, const char *hostname, ctr_t *c,
                     upod_error_t *err)
{
    char **env = NULL;
    size_t n = 0;
    push(&env, &n, xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    push(&env, &n, xstrdup("container=podman"));
    push(&env, &n, xasprintf("HOSTNAME=%s", hostname));
    push(&env, &n, xstrdup("HOME=/root"));
    if (o->tty)
        push(&env, &n, xstrdup("TERM=xterm"));
    int ret = 0;
    for (size_t f = 0; f < o->nenv_files && ret == 0; f++) {
        cleanup_free char *text = NULL;
        char **file_env;
        size_t nfile_env;
        if (read_file_at(AT_FDCWD, o->env_files[f], 1 << 20, &text, NULL) < 0) {
            ret = upod_fail(err, errno, "cannot read env file %s", o->env_files[f]);
            break;
        }
        if (envfile_parse(text, &file_env, &nfile_env, err) < 0) {
            upod_error_wrap(err, "env file %s", o->env_files[f]);
            ret = -1;
            break;
        }
        for (size_t i = 0; i < nfile_env; i++)
            push(&env, &n, file_env[i]);
        free(file_env); /* the strings moved to env */
    }
    for (size_t i = 0; i < o->nenv && ret == 0; i++) {
        char *v = NULL;
        ret = env_parse(o->env_specs[i], &v, err);
        if (v)
            push(&env, &n, v);
    }
    /* Later settings win: drop earlier duplicates of a key. */
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
    return ret;
}

static int set_rootfs(const char *arg, ctr_t *c, upod_error_t *err)
{
    char real[PATH_MAX];
    cleanup_free char *rootfs = xstrdup(arg);
    size_t rlen = strlen(rootfs);
    c->overlay = rlen > 2 && strcmp(rootfs + rlen - 2, ":O") == 0;
    if (c->overlay)
        rootfs[rlen - 2] = '\0';
    if (!realpath(rootfs, real))
        return upod_fail(err, errno, "rootfs %s", rootfs);
    struct stat st;
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
        return upod_fail(err, 0, "rootfs %s is not a directory", rootfs);
    if (path_hidden_in_pods(real))
        return upod_fail(err, 0, "rootfs %s is under %s, which a pod replaces with its own: "
                                 "move it elsewhere",
                         real, path_hidden_in_pods(real));
    c->rootfs = xstrdup(real);
    return 0;
}

static int set_command(const ctr_create_opts_t *o, int cmd_argc, char **cmd_argv, ctr_t *c,
                       upod_error_t *err)
{
    c->argv = xcalloc((size_t)cmd_argc + 2, sizeof(char *));
    if (o->entrypoint)
        c->argv[c->argc++] = xstrdup(o->entrypoint);
    c->has_entrypoint = o->entrypoint != NULL;
    for (int i = 0; i < cmd_argc; i++)
        c->argv[c->argc++] = xstrdup(cmd_argv[i]);
    if (c->argc == 0)
        return upod_fail(err, 0, "no command or entrypoint provided (upod runs no images: give "
                                 "the command after the options)");
    return 0;
}

static int set_mounts(const ctr_create_opts_t *o, ctr_t *c, upod_error_t *err)
{
    for (size_t i = 0; i < o->nvolumes; i++) {
        volume_t v;
        if (volume_parse(o->volumes[i], &v, err) < 0)
            return -1;
        int saved = access(v.source, F_OK) < 0 ? errno : 0;
        const char *hidden = path_hidden_in_pods(v.source);
        push(&c->volumes, &c->nvolumes, xasprintf("%s:%s:%s", v.source, v.target,
                                                  v.read_only ? "ro" : "rw"));
        free(v.source);
        free(v.target);
        if (saved)
            return upod_fail(err, saved, "volume source of %s", o->volumes[i]);
        if (hidden)
            return upod_fail(err, 0, "invalid volume \"%s\": its source is under %s, which a "
                                     "pod replaces with its own (the pod's %s is shared with "
                                     "ipc; bind a directory elsewhere)",
                             o->volumes[i], hidden, hidden);
    }
    for (size_t i = 0; i < o->ntmpfs; i++) {
        if (o->tmpfs[i][0] != '/')
            return upod_fail(err, 0, "invalid --tmpfs \"%s\": use an absolute path", o->tmpfs[i]);
        if (inroot_has_dotdot(o->tmpfs[i]))
            return upod_fail(err, 0, "invalid --tmpfs \"%s\": the path must not contain ..",
                             o->tmpfs[i]);
        push(&c->tmpfs, &c->ntmpfs, xstrdup(o->tmpfs[i]));
    }
    return 0;
}

/* Everything about the container but its name and pod, checked. */
static int build_record(const ctr_create_opts_t *o, const pod_t *pod, int cmd_argc,
                        char **cmd_argv, ctr_t *c, upod_error_t *err)
{
    if (set_rootfs(o->rootfs, c, err) < 0 || set_command(o, cmd_argc, cmd_argv, c, err) < 0)
        return -1;
    bool own_uts = !(pod->config.share & SHARE_UTS);
    if (o->hostname && !own_uts)
        return upod_fail(err, 0, "invalid config provided: cannot set hostname when joining the "
                                 "pod UTS namespace");
    if (own_uts)
        c->hostname = o->hostname ? xstrdup(o->hostname) : xasprintf("%.12s", c->id);
    if (build_env(o, c->hostname ? c->hostname : pod->config.hostname, c, err) < 0)
        return -1;
    c->workdir = xstrdup(o->workdir ? o->workdir : "/");
    if (c->workdir[0] != '/')
        return upod_fail(err, 0, "invalid --workdir \"%s\": it must be an absolute path",
                         o->workdir);
    if (o->user && user_parse(o->user, &c->uid, &c->gid, err) < 0)
        return -1;
    c->has_user = o->user != NULL;
    if (set_mounts(o, c, err) < 0)
        return -1;
    c->read_only = o->read_only;
    c->with_init = o->init;
    c->tty = o->tty;
    c->caps = container_default_caps();
    for (size_t i = 0; i < o->ncap_add; i++) {
        if (container_caps_edit(&c->caps, o->cap_add[i], true, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < o->ncap_drop; i++) {
        if (container_caps_edit(&c->caps, o->cap_drop[i], false, err) < 0)
            return -1;
    }
    c->stop_signal = o->stop_signal ? o->stop_signal : SIGTERM;
    c->auto_remove = o->auto_remove;
    c->created = time_now_ns();
    c->status = CTR_CREATED;
    return 0;
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
static int pick_name(cmd_state_t *st, int ctrs_fd, const ctr_create_opts_t *o, ctr_t *c,
                     upod_error_t *err)
{
    if (o->name) {
        c->name = xstrdup(o->name);
        return check_name_free(ctrs_fd, c->name, err);
    }
    for (int tries = 0; tries < 100; tries++) {
        upod_error_t ignored = {0};
        pod_t pod;
        bool pod_taken = false;
        c->name = pod_random_name();
        if (!o->pod && pod_lookup(st->pods_fd, c->name, &pod, &ignored) == 0) {
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

/* The pod the container goes to, made first for --pod new:NAME and for a
 * container without --pod (a pod named as the container, sharing net and
 * ipc: its own hostname and pid 1, as a podman container outside pods). */
static int resolve_pod(cmd_state_t *st, const ctr_create_opts_t *o, const char *name,
                       pod_t *pod, bool *made, upod_error_t *err)
{
    char id[POD_ID_LEN + 1];
    const char *ref = o->pod;
    *made = false;
    if (!o->pod || strncmp(o->pod, "new:", 4) == 0) {
        pod_create_opts_t po = {.name = o->pod ? o->pod + 4 : name,
                                .share = o->pod ? NULL : "net,ipc",
                                .network = o->network,
                                .publish = o->publish,
                                .npublish = o->npublish};
        if (cmd_pod_create_with(st, &po, id, err) < 0) {
            if (!o->pod)
                upod_error_wrap(err, "a container run without --pod gets a pod of its own, "
                                     "named as the container");
            return -1;
        }
        *made = true;
        ref = id;
    }
    if (pod_lookup(st->pods_fd, ref, pod, err) < 0)
        return -1;
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

static int write_container(cmd_state_t *st, int ctrs_fd, const pod_t *pod, ctr_t *c,
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

int ctr_create(cmd_state_t *st, int ctrs_fd, const ctr_create_opts_t *o, int cmd_argc,
               char **cmd_argv, ctr_t *c, upod_error_t *err)
{
    memset(c, 0, sizeof(*c));
    pod_new_id(c->id);
    if (o->name && !pod_name_valid(o->name))
        return upod_fail(err, 0, "invalid container name \"%s\": names must match "
                                 "[a-zA-Z0-9][a-zA-Z0-9_.-]*",
                         o->name);
    if (pick_name(st, ctrs_fd, o, c, err) < 0)
        return -1;
    pod_t pod = {0};
    bool made_pod = false;
    int ret = resolve_pod(st, o, c->name, &pod, &made_pod, err);
    if (ret == 0) {
        memcpy(c->pod_id, pod.config.id, sizeof(c->pod_id));
        c->own_pod = made_pod && !o->pod;
        ret = build_record(o, &pod, cmd_argc, cmd_argv, c, err);
    }
    if (ret == 0)
        ret = write_container(st, ctrs_fd, &pod, c, !o->name, err);
    if (ret < 0 && made_pod)
        cmd_pod_remove(st, pod.config.id, true, 0, NULL, &(upod_error_t){0});
    pod_clear(&pod);
    return ret;
}

int ctr_remove_with_pod(cmd_state_t *st, int ctrs_fd, const ctr_t *c, upod_error_t *err)
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
        ret = cmd_pod_remove(st, c->pod_id, true, 0, NULL, err);
    return ret;
}

void ctr_after_exit(const ctr_t *c)
{
    cmd_state_t st = {-1, -1, NULL};
    upod_error_t ignored = {0};
    if (!c->own_pod || cmd_state_open(&st, &ignored) < 0)
        return;
    if (c->auto_remove)
        cmd_pod_remove(&st, c->pod_id, true, 10, NULL, &ignored);
    else
        cmd_pod_stop_one(&st, c->pod_id, 10, &ignored);
    cmd_state_close(&st);
}

int ctr_prepare_start(cmd_state_t *st, const ctr_t *c, bool attached, pod_t *pod,
                      container_spec_t *spec, upod_error_t *err)
{
    memset(pod, 0, sizeof(*pod));
    memset(spec, 0, sizeof(*spec));
    /* podman starts the pod of a container it starts. */
    if (cmd_pod_start_one(st, c->pod_id, false, attached && c->own_pod, err) < 0 ||
        pod_lookup(st->pods_fd, c->pod_id, pod, err) < 0)
        return -1;
    return ctr_spec_build(c, pod, st->path, spec, err);
}

int ctr_start(cmd_state_t *st, int ctrs_fd, ctr_t *c, upod_error_t *err)
{
    return ctr_start_passing_fds(st, ctrs_fd, c, 0, err);
}

int ctr_start_passing_fds(cmd_state_t *st, int ctrs_fd, ctr_t *c, unsigned preserve_fds,
                          upod_error_t *err)
{
    if (ctr_effective_status(c) == CTR_RUNNING)
        return 0;
    pod_t pod;
    container_spec_t spec;
    int ret = ctr_prepare_start(st, c, false, &pod, &spec, err);
    spec.preserve_fds = preserve_fds;
    if (ret == 0)
        ret = monitor_start(st->state_fd, ctrs_fd, &pod, &spec, c, ctr_after_exit, err);
    container_spec_clear(&spec);
    pod_clear(&pod);
    return ret;
}

int ctr_create_command(int argc, char **argv, bool run, ctr_created_fn_t then, upod_error_t *err)
{
    ctr_create_opts_t o = {0};
    cmd_state_t st = {-1, -1, NULL};
    ctr_t c = {0};
    int ctrs_fd = -1;
    int ret = ctr_create_parse(argc, argv, run, &o, err);
    bool help = ret == 1;
    if (ret == 0)
        ret = cmd_state_open(&st, err);
    if (ret == 0 && (ctrs_fd = ctrs_dir_open(st.state_fd, err)) < 0)
        ret = -1;
    if (ret == 0)
        ret = ctr_create(&st, ctrs_fd, &o, argc - optind, argv + optind, &c, err);
    if (ret == 0)
        ret = then(&st, ctrs_fd, &o, &c, err);
    if (ctrs_fd >= 0)
        close(ctrs_fd);
    ctr_clear(&c);
    cmd_state_close(&st);
    ctr_create_opts_free(&o);
    return help ? 0 : ret;
}

static int print_id(cmd_state_t *st, int ctrs_fd, const ctr_create_opts_t *o, ctr_t *c,
                    upod_error_t *err)
{
    (void)st, (void)ctrs_fd, (void)o, (void)err;
    printf("%s\n", c->id);
    return 0;
}

int cmd_create(int argc, char **argv, upod_error_t *err)
{
    return ctr_create_command(argc, argv, false, print_id, err);
}
