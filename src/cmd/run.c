/* run.c: `upod run --pod POD --rootfs DIR [OPTIONS] [CMD [ARG...]]`: a
 * container in a pod, attached: it joins the pod's user namespace and
 * shared namespaces (starting the pod if needed), gets fresh ones for the
 * rest, and upod exits with its exit status (125, 126, 127 as podman).
 *
 * Attached containers leave no record (as with --rm); detached ones (-d)
 * are kept in STATE/containers and watched by a monitor (monitor.h). -t and
 * --init come next. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/container.h"
#include "../lib/ctr.h"
#include "../lib/monitor.h"
#include "../lib/signals.h"
#include "../lib/terminal.h"
#include "../lib/timefmt.h"
#include "../lib/enter.h"
#include "../lib/namespaces.h"
#include "../lib/pod.h"
#include "../lib/state.h"
#include "../lib/util.h"
#include "cmd.h"

static const char run_usage[] =
    "Usage: upod run --pod POD --rootfs DIR [OPTIONS] COMMAND [ARG...]\n\n"
    "Run a container in a pod (started if needed), attached; upod exits with its status.\n\n"
    "Options:\n"
    "      --pod POD|new:NAME     the pod to join (new: creates it first)\n"
    "      --rootfs DIR[:O]       the container's root filesystem (:O: a throw-away overlay)\n"
    "      --name NAME            the container's name\n"
    "  -d, --detach               run in the background; output goes to the log\n"
    "      --rm                   remove the container when it exits (attached: always)\n"
    "      --stop-signal SIGNAL   what stop sends first (default TERM)\n"
    "  -i, --interactive          keep stdin attached (always, for now)\n"
    "  -t, --tty                  give the container a terminal (attached runs)\n"
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
    "      --cap-add CAP, --cap-drop CAP\n";

typedef struct {
    const char *pod, *rootfs, *name, *entrypoint, *workdir, *user, *hostname;
    char **env_specs, **env_files, **volumes, **tmpfs, **cap_add, **cap_drop;
    size_t nenv, nenv_files, nvolumes, ntmpfs, ncap_add, ncap_drop;
    bool read_only, detach, auto_remove, tty, init;
    int stop_signal;
} run_opts_t;

static void push(char ***list, size_t *n, char *v)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(char *));
    (*list)[(*n)++] = v;
}

static void run_opts_free(run_opts_t *o)
{
    free(o->env_specs);
    free(o->env_files);
    free(o->volumes);
    free(o->tmpfs);
    free(o->cap_add);
    free(o->cap_drop);
}

static int parse_run_options(int argc, char **argv, run_opts_t *o, upod_error_t *err)
{
    enum { O_POD = 256, O_ROOTFS, O_NAME, O_RM, O_ENVFILE, O_ENTRY, O_HOST, O_TMPFS, O_RO,
           O_CAPADD, O_CAPDROP, O_DETACH, O_TTY, O_INIT, O_STOPSIG };
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
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:ie:w:u:v:dth", opts, NULL)) != -1) {
        switch (c) {
        case O_POD: o->pod = optarg; break;
        case O_ROOTFS: o->rootfs = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_RM: o->auto_remove = true; break;
        case 'i': break;  /* stdin is always the container's */
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
        case 'd': o->detach = true; break;
        case 't': o->tty = true; break;
        case O_INIT: o->init = true; break;
        case 'h': fputs(run_usage, stdout); return 1;
        default: return cli_option_error(c, argc, argv, "run", err);
        }
    }
    if (!o->pod)
        return upod_fail(err, 0, "upod run needs --pod POD or --pod new:NAME for now (a pod of "
                                 "its own for each container is not done yet)");
    if (!o->rootfs)
        return upod_fail(err, 0, "upod run needs --rootfs DIR: upod runs no images");
    if (o->tty && o->detach)
        return upod_fail(err, 0, "upod run -d -t is not supported yet (no attach to come back to)");
    if (o->init && o->detach)
        return upod_fail(err, 0, "upod run -d --init is not supported yet (attached runs only)");
    return 0;
}

/* The environment: podman's defaults, then --env-file, then -e. */
static int build_env(const run_opts_t *o, const char *hostname, char ***out, upod_error_t *err)
{
    char **env = NULL;
    size_t n = 0;
    push(&env, &n, xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    push(&env, &n, xstrdup("container=podman"));
    push(&env, &n, xasprintf("HOSTNAME=%s", hostname));
    push(&env, &n, xstrdup("HOME=/root"));
    if (o->tty)
        push(&env, &n, xstrdup("TERM=xterm"));
    for (size_t f = 0; f < o->nenv_files; f++) {
        cleanup_free char *text = NULL;
        if (read_file_at(AT_FDCWD, o->env_files[f], 1 << 20, &text, NULL) < 0)
            return upod_fail(err, errno, "cannot read env file %s", o->env_files[f]);
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
                continue;
            char *v;
            if (env_parse(line, &v, err) < 0)
                return -1;
            if (v)
                push(&env, &n, v);
        }
    }
    for (size_t i = 0; i < o->nenv; i++) {
        char *v;
        if (env_parse(o->env_specs[i], &v, err) < 0)
            return -1;
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
    env = xrealloc(env, (kept + 1) * sizeof(char *));
    env[kept] = NULL;
    *out = env;
    return 0;
}

static int build_spec(const run_opts_t *o, const pod_t *pod, int cmd_argc, char **cmd_argv,
                      container_spec_t *spec, upod_error_t *err)
{
    char real[PATH_MAX];
    cleanup_free char *rootfs = xstrdup(o->rootfs);
    size_t rlen = strlen(rootfs);
    bool overlay = rlen > 2 && strcmp(rootfs + rlen - 2, ":O") == 0;
    if (overlay)
        rootfs[rlen - 2] = '\0';
    if (o->name && !pod_name_valid(o->name))
        return upod_fail(err, 0, "invalid container name \"%s\": names must match "
                                 "[a-zA-Z0-9][a-zA-Z0-9_.-]*",
                         o->name);
    if (!realpath(rootfs, real))
        return upod_fail(err, errno, "rootfs %s", rootfs);
    struct stat st;
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
        return upod_fail(err, 0, "rootfs %s is not a directory", rootfs);
    spec->rootfs = xstrdup(real);
    spec->overlay_dir = overlay ? xstrdup("") : NULL; /* set in prepare_files */
    pod_new_id(spec->id);
    spec->name = o->name ? xstrdup(o->name) : pod_random_name();
    bool own_uts = !(pod->config.share & SHARE_UTS);
    if (o->hostname && !own_uts)
        return upod_fail(err, 0, "invalid config provided: cannot set hostname when joining the "
                                 "pod UTS namespace");
    if (own_uts)
        spec->hostname = o->hostname ? xstrdup(o->hostname) : xasprintf("%.12s", spec->id);
    spec->share_ipc = pod->config.share & SHARE_IPC;
    /* argv: the entrypoint first, then the command. */
    size_t n = 0;
    spec->argv = xcalloc((size_t)cmd_argc + 2, sizeof(char *));
    if (o->entrypoint)
        spec->argv[n++] = xstrdup(o->entrypoint);
    for (int i = 0; i < cmd_argc; i++)
        spec->argv[n++] = xstrdup(cmd_argv[i]);
    if (n == 0)
        return upod_fail(err, 0, "no command or entrypoint provided (upod runs no images: give "
                                 "the command after the options)");
    if (build_env(o, spec->hostname ? spec->hostname : pod->config.hostname, &spec->env, err) < 0)
        return -1;
    spec->workdir = xstrdup(o->workdir ? o->workdir : "/");
    if (spec->workdir[0] != '/')
        return upod_fail(err, 0, "invalid --workdir \"%s\": it must be an absolute path",
                         o->workdir);
    if (o->user && user_parse(o->user, &spec->uid, &spec->gid, err) < 0)
        return -1;
    spec->volumes = xcalloc(o->nvolumes + 1, sizeof(volume_t));
    for (size_t i = 0; i < o->nvolumes; i++) {
        if (volume_parse(o->volumes[i], &spec->volumes[i], err) < 0)
            return -1;
        spec->nvolumes++;
        if (access(spec->volumes[i].source, F_OK) < 0)
            return upod_fail(err, errno, "volume source %s", spec->volumes[i].source);
    }
    spec->tmpfs = xcalloc(o->ntmpfs + 1, sizeof(char *));
    for (size_t i = 0; i < o->ntmpfs; i++) {
        if (o->tmpfs[i][0] != '/')
            return upod_fail(err, 0, "invalid --tmpfs \"%s\": use an absolute path", o->tmpfs[i]);
        spec->tmpfs[spec->ntmpfs++] = xstrdup(o->tmpfs[i]);
    }
    spec->read_only = o->read_only;
    spec->init = o->init;
    spec->caps = container_default_caps();
    for (size_t i = 0; i < o->ncap_add; i++) {
        if (container_caps_edit(&spec->caps, o->cap_add[i], true, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < o->ncap_drop; i++) {
        if (container_caps_edit(&spec->caps, o->cap_drop[i], false, err) < 0)
            return -1;
    }
    return 0;
}

/* The container's files: /etc/hostname of its own, the pod's hosts and
 * resolv.conf. STATE/containers/<id>/ holds what is its own. */
static int prepare_files(const cmd_state_t *st, const pod_t *pod, container_spec_t *spec,
                         int *dirfd, upod_error_t *err)
{
    cleanup_close int cfd = state_open_subdir(st->state_fd, "containers", true, err);
    if (cfd < 0)
        return -1;
    *dirfd = state_open_subdir(cfd, spec->id, true, err);
    if (*dirfd < 0)
        return -1;
    cleanup_free char *name = xasprintf("%s\n", spec->hostname ? spec->hostname : pod->config.hostname);
    if (state_write_file(*dirfd, "hostname", name, strlen(name), err) < 0)
        return -1;
    spec->hostname_file = xasprintf("%s/containers/%s/hostname", st->path, spec->id);
    if (spec->overlay_dir) {
        static const char *const dirs[] = {"upper", "work", "merged"};
        for (size_t i = 0; i < 3; i++) {
            if (mkdirat(*dirfd, dirs[i], 0700) < 0)
                return upod_fail(err, errno, "cannot create the overlay's %s directory", dirs[i]);
        }
        free(spec->overlay_dir);
        spec->overlay_dir = xasprintf("%s/containers/%s", st->path, spec->id);
    }
    spec->hosts_file = xasprintf("%s/pods/%s/hosts", st->path, pod->config.id);
    spec->resolv_file = xasprintf("%s/pods/%s/resolv.conf", st->path, pod->config.id);
    return 0;
}

/* -t: the container gets a pty of its own session; we copy between it and
 * our terminal (raw mode, window size) until it exits. */
static int run_with_terminal(const pod_t *pod, container_spec_t *spec, upod_error_t *err)
{
    int master, slave;
    if (terminal_open_pty(&master, &slave, err) < 0)
        return -1;
    spec->set_stdio = true;
    spec->controlling_tty = true;
    spec->stdio[0] = spec->stdio[1] = spec->stdio[2] = slave;
    fflush(NULL);
    pid_t child = pod_spawn_start(pod, false, CLONE_NEWNS, false, container_start, spec, err);
    close(slave);
    if (child < 0) {
        close(master);
        return -1;
    }
    signal(SIGINT, SIG_IGN); /* raw mode: ^C travels as a byte to the container */
    signal(SIGQUIT, SIG_IGN);
    int status = terminal_relay(master, child);
    close(master);
    return status;
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

/* -d: a record, then the monitor. Prints the id once the container runs. */
static int run_detached(cmd_state_t *st, const run_opts_t *o, const pod_t *pod,
                        container_spec_t *spec, upod_error_t *err)
{
    cleanup_close int ctrs_fd = ctrs_dir_open(st->state_fd, err);
    if (ctrs_fd < 0)
        return -1;
    ctr_t ctr;
    memset(&ctr, 0, sizeof(ctr));
    memcpy(ctr.id, spec->id, sizeof(ctr.id));
    memcpy(ctr.pod_id, pod->config.id, sizeof(ctr.pod_id));
    ctr.name = xstrdup(spec->name);
    ctr.rootfs = xstrdup(spec->rootfs);
    for (ctr.argc = 0; spec->argv[ctr.argc]; ctr.argc++)
        ;
    ctr.argv = spec->argv; /* borrowed: not freed through ctr */
    ctr.created = time_now_ns();
    ctr.stop_signal = o->stop_signal ? o->stop_signal : SIGTERM;
    ctr.env = spec->env; /* borrowed too */
    for (ctr.nenv = 0; spec->env[ctr.nenv]; ctr.nenv++)
        ;
    ctr.caps = spec->caps;
    ctr.auto_remove = o->auto_remove;
    ctr.status = CTR_CREATED;
    int lock = state_lock(st->state_fd, err);
    int ret = lock < 0 ? -1 : check_name_free(ctrs_fd, ctr.name, err);
    if (ret == 0)
        ret = ctr_save(ctrs_fd, &ctr, true, err);
    if (lock >= 0)
        close(lock);
    if (ret == 0) {
        ret = monitor_start(st->state_fd, ctrs_fd, pod, spec, &ctr, err);
        if (ret == 0)
            printf("%s\n", ctr.id);
    }
    free(ctr.name);
    free(ctr.rootfs);
    return ret;
}

static void remove_container_dir(int state_fd, const char *id)
{
    upod_error_t ignored = {0};
    cleanup_close int cfd = state_open_subdir(state_fd, "containers", false, &ignored);
    if (cfd >= 0)
        state_remove_tree(cfd, id, &ignored);
}

int cmd_run(int argc, char **argv, upod_error_t *err)
{
    run_opts_t o = {0};
    container_spec_t spec = {0};
    cmd_state_t st = {-1, -1, NULL};
    pod_t pod = {0};
    int dirfd = -1;
    bool have_pod = false;
    int ret = parse_run_options(argc, argv, &o, err);
    if (ret > 0) { /* --help */
        run_opts_free(&o);
        return 0;
    }
    if (ret == 0)
        ret = cmd_state_open(&st, err);
    /* --pod new:NAME makes the pod first, as podman does. */
    if (ret == 0 && strncmp(o.pod, "new:", 4) == 0) {
        ret = cmd_pod_create_default(&st, o.pod + 4, err);
        o.pod += 4;
    }
    /* podman starts the pod of a container it runs. */
    if (ret == 0)
        ret = cmd_pod_start_one(&st, o.pod, false, err);
    if (ret == 0)
        have_pod = (ret = pod_lookup(st.pods_fd, o.pod, &pod, err)) == 0;
    if (ret == 0)
        ret = build_spec(&o, &pod, argc - optind, argv + optind, &spec, err);
    if (ret == 0)
        ret = prepare_files(&st, &pod, &spec, &dirfd, err);
    bool keep_dir = false;
    if (ret == 0 && o.detach) {
        ret = run_detached(&st, &o, &pod, &spec, err);
        keep_dir = ret == 0;
    } else if (ret == 0 && o.tty) {
        ret = run_with_terminal(&pod, &spec, err);
    } else if (ret == 0) {
        fflush(NULL);
        ret = pod_spawn(&pod, false, CLONE_NEWNS, container_start, &spec, err);
    }
    if (dirfd >= 0) {
        close(dirfd);
        if (!keep_dir)
            remove_container_dir(st.state_fd, spec.id);
    }
    if (have_pod)
        pod_clear(&pod);
    container_spec_clear(&spec);
    cmd_state_close(&st);
    run_opts_free(&o);
    return ret;
}
