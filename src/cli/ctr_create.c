/* ctr_create.c: `upod create`, and what `run` shares with it: the
 * options, parsed into the typed spec that core_ctr_create (core/ctr_ops.h)
 * turns into a container and, when asked, the pod it goes to. */
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
#include "text/share.h"
#include "state/pod.h"
#include "base/signals.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "core/ctr_ops.h"

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
        case 'e': strv_push(&o->env_specs, &o->nenv, optarg); break;
        case O_ENVFILE: strv_push(&o->env_files, &o->nenv_files, optarg); break;
        case O_ENTRY: o->entrypoint = optarg; break;
        case 'w': o->workdir = optarg; break;
        case 'u': o->user = optarg; break;
        case O_HOST: o->hostname = optarg; break;
        case 'v': strv_push(&o->volumes, &o->nvolumes, optarg); break;
        case O_TMPFS: strv_push(&o->tmpfs, &o->ntmpfs, optarg); break;
        case O_RO: o->read_only = true; break;
        case O_CAPADD: strv_push(&o->cap_add, &o->ncap_add, optarg); break;
        case O_CAPDROP: strv_push(&o->cap_drop, &o->ncap_drop, optarg); break;
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
        case 'p': strv_push(&o->publish, &o->npublish, optarg); break;
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

/* The user's environment settings, in order: --env-file, then -e (the
 * defaults and the precedence are core_ctr_create's). */
static int user_env(const ctr_create_opts_t *o, ctr_t *c, upod_error_t *err)
{
    for (size_t f = 0; f < o->nenv_files; f++) {
        cleanup_free char *text = NULL;
        char **file_env;
        size_t nfile_env;
        if (read_file_at(AT_FDCWD, o->env_files[f], 1 << 20, &text, NULL) < 0)
            return upod_fail(err, errno, "cannot read env file %s", o->env_files[f]);
        if (envfile_parse(text, &file_env, &nfile_env, err) < 0) {
            upod_error_wrap(err, "env file %s", o->env_files[f]);
            return -1;
        }
        for (size_t i = 0; i < nfile_env; i++)
            strv_push(&c->env, &c->nenv, file_env[i]);
        free(file_env); /* the strings moved to env */
    }
    for (size_t i = 0; i < o->nenv; i++) {
        char *v = NULL;
        if (env_parse(o->env_specs[i], &v, err) < 0)
            return -1;
        if (v)
            strv_push(&c->env, &c->nenv, v);
    }
    return 0;
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
        c->volumes = xrealloc(c->volumes, (c->nvolumes + 1) * sizeof(*c->volumes));
        c->volumes[c->nvolumes++] = v;
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
        strv_push(&c->tmpfs, &c->ntmpfs, xstrdup(o->tmpfs[i]));
    }
    return 0;
}

/* The pod made for the container: --pod new:NAME, or without --pod one of
 * its own (named as the container, sharing net and ipc: its own hostname
 * and pid 1, as a podman container outside pods). */
static int new_pod_spec(const ctr_create_opts_t *o, pod_config_t *out, upod_error_t *err)
{
    pod_create_opts_t po = {.name = o->pod ? o->pod + 4 : NULL,
                            .share = o->pod ? NULL : "net,ipc",
                            .network = o->network,
                            .publish = o->publish,
                            .npublish = o->npublish};
    return pod_spec_from_opts(&po, out, err);
}

/* Everything about the container, parsed and checked: core_ctr_create
 * adds what comes from its pod. */
static int build_spec(const ctr_create_opts_t *o, int cmd_argc, char **cmd_argv,
                      ctr_create_spec_t *spec, upod_error_t *err)
{
    ctr_t *c = &spec->ctr;
    if (!o->pod || strncmp(o->pod, "new:", 4) == 0) {
        spec->new_pod = xcalloc(1, sizeof(*spec->new_pod));
        spec->own_pod = !o->pod;
        if (new_pod_spec(o, spec->new_pod, err) < 0)
            return -1;
    } else {
        spec->pod_ref = o->pod;
    }
    c->name = o->name ? xstrdup(o->name) : NULL;
    c->hostname = o->hostname ? xstrdup(o->hostname) : NULL;
    if (set_rootfs(o->rootfs, c, err) < 0 || set_command(o, cmd_argc, cmd_argv, c, err) < 0)
        return -1;
    c->tty = o->tty;
    if (user_env(o, c, err) < 0)
        return -1;
    c->workdir = o->workdir ? xstrdup(o->workdir) : NULL;
    if (o->user && user_parse(o->user, &c->uid, &c->gid, err) < 0)
        return -1;
    c->has_user = o->user != NULL;
    if (set_mounts(o, c, err) < 0)
        return -1;
    c->read_only = o->read_only;
    c->with_init = o->init;
    c->caps = container_default_caps();
    for (size_t i = 0; i < o->ncap_add; i++) {
        if (container_caps_edit(&c->caps, o->cap_add[i], true, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < o->ncap_drop; i++) {
        if (container_caps_edit(&c->caps, o->cap_drop[i], false, err) < 0)
            return -1;
    }
    c->stop_signal = o->stop_signal;
    c->auto_remove = o->auto_remove;
    return 0;
}

int ctr_create_command(int argc, char **argv, bool run, ctr_created_fn_t then, upod_error_t *err)
{
    ctr_create_opts_t o = {0};
    ctr_create_spec_t spec = {0};
    state_handle_t st = {-1, -1, NULL};
    ctr_t c = {0};
    int ctrs_fd = -1;
    int ret = ctr_create_parse(argc, argv, run, &o, err);
    bool help = ret == 1;
    if (ret == 0)
        ret = build_spec(&o, argc - optind, argv + optind, &spec, err);
    if (ret == 0)
        ret = state_handle_open(&st, err);
    if (ret == 0 && (ctrs_fd = ctrs_dir_open(st.state_fd, err)) < 0)
        ret = -1;
    if (ret == 0)
        ret = core_ctr_create(&st, ctrs_fd, &spec, &c, err);
    if (ret == 0)
        ret = then(&st, ctrs_fd, &o, &c, err);
    if (ctrs_fd >= 0)
        close(ctrs_fd);
    ctr_clear(&c);
    ctr_create_spec_clear(&spec);
    state_handle_close(&st);
    ctr_create_opts_free(&o);
    return help ? 0 : ret;
}

static int print_id(state_handle_t *st, int ctrs_fd, const ctr_create_opts_t *o, ctr_t *c,
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
