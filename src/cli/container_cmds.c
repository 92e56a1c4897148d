/* container_cmds.c: `upod start|stop|restart|rm|exec|inspect|kill|wait
 * CONTAINER...`: what acts on container records. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "state/ctr.h"
#include "sandbox/exec.h"
#include "text/json.h"
#include "text/share.h"
#include "state/pod.h"
#include "net/tap.h"
#include "text/template.h"
#include "text/timefmt.h"
#include "state/logfile.h"
#include "base/signals.h"
#include "state/state.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "core/ctr_ops.h"

typedef struct {
    state_handle_t st;
    int state_fd, ctrs_fd;
} ctr_ctx_t;

static int ctx_open(ctr_ctx_t *c, upod_error_t *err)
{
    if (state_handle_open(&c->st, err) < 0)
        return -1;
    c->state_fd = c->st.state_fd;
    c->ctrs_fd = ctrs_dir_open(c->state_fd, err);
    if (c->ctrs_fd < 0) {
        state_handle_close(&c->st);
        return -1;
    }
    return 0;
}

static void ctx_close(ctr_ctx_t *c)
{
    close(c->ctrs_fd);
    state_handle_close(&c->st);
}

/* Stop signal, then SIGKILL after timeout seconds; returns once the monitor
 * recorded the exit (or is gone). */
static void stop_container(const ctr_t *c, long timeout, int signal_first)
{
    proc_ref_stop(&c->process, signal_first, timeout, &c->monitor, PROC_STOP_WAIT_PARTNER);
}

/* An unreadable record may name a monitor but no process: a monitor that
 * outlived stop_container goes with SIGKILL (its container with it,
 * PR_SET_PDEATHSIG), its start time checked. */
static void end_monitor(const ctr_t *c)
{
    upod_error_t ignored = {0};
    cleanup_close int mon = proc_ref_pidfd(&c->monitor, &ignored);
    if (mon >= 0 && upod_pidfd_send_signal(mon, SIGKILL) == 0)
        pidfd_wait_exit(mon, 5000);
}

typedef struct {
    long timeout;
    bool force;
    bool all; /* --all: every container instead of names */
    int signal;
} ctr_opts_t;

/* -t, -f, -a (those in shortopts) and -h; then container names, or none
 * with --all. Returns 1 after --help. */
static int parse_simple(int argc, char **argv, const char *cmd, const char *shortopts,
                        const struct option *opts, const char *usage, ctr_opts_t *o,
                        upod_error_t *err)
{
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (!parse_long(optarg, 0, 86400, &o->timeout))
                return upod_fail(err, 0, "invalid --time \"%s\": seconds from 0 to 86400", optarg);
            break;
        case 'f': o->force = true; break;
        case 'a': o->all = true; break;
        case 'h': fputs(usage, stdout); return 1;
        default: return cli_option_error(c, argc, argv, cmd, err);
        }
    }
    if (o->all && optind < argc)
        return upod_fail(err, 0, "when using the --all switch, you may not pass any container "
                                 "names or IDs");
    if (!o->all && optind >= argc)
        return upod_fail(err, 0, "`upod %s` needs at least one container name or ID", cmd);
    return 0;
}

/* ref: the name or id as the user typed it (podman echoes it back). */
typedef int (*ctr_action_t)(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                            upod_error_t *err);
static int rm_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                  upod_error_t *err);

typedef struct {
    ctr_ctx_t *ctx;
    const ctr_opts_t *o;
    ctr_action_t action;
    bool any; /* rm: a record that cannot be read too, which every other verb refuses */
} ctr_run_t;

/* cli_ref_action_t: find the container ref names, act on it. */
static int run_on_container(void *p, const char *ref, upod_error_t *err)
{
    const ctr_run_t *run = p;
    ctr_t c = {0};
    int ret = (run->any ? cli_ctr_lookup_any : cli_ctr_lookup)(&run->ctx->st, run->ctx->ctrs_fd,
                                                               ref, &c, err);
    if (ret == 0)
        ret = run->action(run->ctx, &c, ref, run->o, err);
    ctr_clear(&c);
    return ret;
}

/* Run action on each named container, or with --all on each container
 * there is now, by id (each then read alone). Failures and exit status:
 * cli_for_each_ref (1 for "no such container" when no_such_is_1). */
static int for_each_container(int argc, char **argv, const ctr_opts_t *o, ctr_action_t action,
                              bool no_such_is_1, upod_error_t *err)
{
    ctr_ctx_t ctx;
    if (ctx_open(&ctx, err) < 0)
        return -1;
    ctr_run_t run = {.ctx = &ctx, .o = o, .action = action, .any = action == rm_one};
    char **ids = NULL;
    size_t n = (size_t)(argc - optind);
    if (o->all && ctr_list_ids(ctx.ctrs_fd, run.any, &ids, &n, err) < 0) {
        ctx_close(&ctx);
        return -1;
    }
    cli_each_t how = {.skip_no_such = o->all, .no_such_is_1 = no_such_is_1};
    int status = cli_for_each_ref(o->all ? ids : argv + optind, n, &how, run_on_container, &run);
    free(ids);
    ctx_close(&ctx);
    return status;
}

static int stop_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                    upod_error_t *err)
{
    (void)ctx, (void)err;
    if (ctr_effective_status(c) == CTR_RUNNING)
        stop_container(c, o->timeout, c->stop_signal);
    printf("%s\n", ref);
    return 0;
}

static int rm_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                  upod_error_t *err)
{
    (void)ref;
    /* A start may race with us: whether it runs is settled under the lock,
     * where the record is removed. */
    for (int tries = 0; tries < 10; tries++) {
        if (ctr_effective_status(c) == CTR_RUNNING ||
            (c->unreadable && ctr_processes_alive(c))) {
            if (!o->force)
                return upod_fail_status(err, 2, 0, "container %s is running: stop it first or "
                                                   "use --force",
                                        c->name[0] ? c->name : c->id);
            stop_container(c, o->timeout, c->stop_signal);
            if (c->unreadable)
                end_monitor(c);
        }
        int r = core_ctr_remove(&ctx->st, ctx->ctrs_fd, c, err);
        if (r < 0)
            return -1;
        if (r == 0) {
            printf("%s\n", c->id);
            return 0;
        }
        char id[CONTAINER_ID_LEN + 1];
        memcpy(id, c->id, sizeof(id));
        ctr_clear(c);
        if (ctr_load(ctx->ctrs_fd, id, c, err) < 0)
            return -1;
    }
    return upod_fail(err, 0, "container %s keeps being started again: cannot remove it", c->name);
}

static int start_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                     upod_error_t *err)
{
    (void)o;
    if (core_ctr_start(&ctx->st, ctx->ctrs_fd, c, 0, err) < 0)
        return -1;
    printf("%s\n", ref);
    return 0;
}

/* start -a: the output of this run of the container, and its exit status
 * (the monitor's, which exits with it). */
static int start_attached(const char *ref, upod_error_t *err)
{
    ctr_ctx_t ctx;
    if (ctx_open(&ctx, err) < 0)
        return -1;
    ctr_t c = {0};
    int ret = cli_ctr_lookup(&ctx.st, ctx.ctrs_fd, ref, &c, err);
    if (ret == 0 && ctr_effective_status(&c) == CTR_RUNNING)
        ret = upod_fail(err, 0, "container %s is already running: use 'upod logs -f %s'",
                        c.name, ref);
    log_reader_t log;
    if (ret == 0)
        ret = logs_follow_open(ctx.ctrs_fd, c.id, &log, err);
    if (ret == 0 && core_ctr_start(&ctx.st, ctx.ctrs_fd, &c, 0, err) < 0) {
        ret = -1;
        logs_follow_close(&log);
    }
    if (ret == 0) {
        logs_follow(&log, &c.monitor);
        int status = 0;
        if (TEMP_FAILURE_RETRY(waitpid(c.monitor.pid, &status, 0)) < 0)
            ret = upod_fail(err, errno, "waiting for the container's monitor");
        else
            ret = exit_code_from_status(status);
    }
    ctr_clear(&c);
    ctx_close(&ctx);
    return ret;
}

int cmd_start(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"attach", no_argument, NULL, 'a'},
                                          {"interactive", no_argument, NULL, 'i'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool attach = false;
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, ":aih", opts, NULL)) != -1) {
        switch (c) {
        case 'a': attach = true; break;
        case 'i': break; /* no stdin for started containers: see docs/architecture.md */
        case 'h':
            printf("Usage: upod start [-a] CONTAINER...\n\nStart containers (and their pods); "
                   "-a prints the output of one and exits with its status.\n");
            return 0;
        default: return cli_option_error(c, argc, argv, "start", err);
        }
    }
    if (optind >= argc)
        return upod_fail(err, 0, "`upod start` needs at least one container name or ID");
    if (attach && argc - optind > 1)
        return upod_fail(err, 0, "you cannot start and attach multiple containers at once");
    if (attach)
        return start_attached(argv[optind], err);
    ctr_opts_t o = {0};
    return for_each_container(argc, argv, &o, start_one, false, err);
}

static int restart_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                       upod_error_t *err)
{
    (void)ref;
    if (ctr_effective_status(c) == CTR_RUNNING) {
        stop_container(c, o->timeout, c->stop_signal);
        char id[CONTAINER_ID_LEN + 1];
        memcpy(id, c->id, sizeof(id));
        ctr_clear(c);
        if (ctr_load(ctx->ctrs_fd, id, c, err) < 0)
            return -1; /* --rm: it went when it stopped */
    }
    if (core_ctr_start(&ctx->st, ctx->ctrs_fd, c, 0, err) < 0)
        return -1;
    printf("%s\n", c->id);
    return 0;
}

int cmd_restart(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"time", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    ctr_opts_t o = {.timeout = 10};
    int r = parse_simple(argc, argv, "restart", ":t:h", opts,
                         "Usage: upod restart [-t SECONDS] CONTAINER...\n\n"
                         "Stop (as upod stop) and start containers again.\n",
                         &o, err);
    if (r != 0)
        return r > 0 ? 0 : -1;
    return for_each_container(argc, argv, &o, restart_one, false, err);
}

int cmd_stop(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"time", required_argument, NULL, 't'},
                                          {"all", no_argument, NULL, 'a'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    ctr_opts_t o = {.timeout = 10};
    int r = parse_simple(argc, argv, "stop", ":at:h", opts,
                         "Usage: upod stop [-a] [-t SECONDS] CONTAINER...\n\n"
                         "Send the stop signal, then SIGKILL after -t seconds (default 10);\n"
                         "--all: every container.\n",
                         &o, err);
    if (r != 0)
        return r > 0 ? 0 : -1;
    return for_each_container(argc, argv, &o, stop_one, false, err);
}

int cmd_rm(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                          {"all", no_argument, NULL, 'a'},
                                          {"time", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    ctr_opts_t o = {.timeout = 10};
    int r = parse_simple(argc, argv, "rm", ":aft:h", opts,
                         "Usage: upod rm [-a] [-f] [-t SECONDS] CONTAINER...\n\n"
                         "Remove containers; --force stops running ones first; --all: every\n"
                         "container (pods' infra containers go with their pods).\n",
                         &o, err);
    if (r != 0)
        return r > 0 ? 0 : -1;
    return for_each_container(argc, argv, &o, rm_one, true, err);
}

int cmd_exec(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"interactive", no_argument, NULL, 'i'}, {"tty", no_argument, NULL, 't'},
        {"env", required_argument, NULL, 'e'},   {"workdir", required_argument, NULL, 'w'},
        {"user", required_argument, NULL, 'u'},  {"help", no_argument, NULL, 'h'},
        {"preserve-fds", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    unsigned preserve_fds = 0;
    char *env[64];
    size_t nenv = 0;
    const char *workdir = NULL;
    uid_t uid = 0;
    gid_t gid = 0;
    bool tty = false;
    int c, ret = 0;
    cli_reset_getopt();
    while (ret == 0 && (c = getopt_long(argc, argv, "+:ite:w:u:h", opts, NULL)) != -1) {
        switch (c) {
        case 'i': break; /* stdin is always the command's */
        case 't': tty = true; break;
        case 'e':
            if (nenv == sizeof(env) / sizeof(env[0]) - 1)
                ret = upod_fail(err, 0, "too many -e (at most 63)");
            else if (env_parse(optarg, &env[nenv], err) < 0)
                ret = -1;
            else if (env[nenv])
                nenv++;
            break;
        case 'w': workdir = optarg; break;
        case 'P':
            if (cli_preserve_fds(optarg, &preserve_fds, err) < 0)
                ret = -1;
            break;
        case 'u':
            if (user_parse(optarg, &uid, &gid, err) < 0)
                ret = -1;
            break;
        case 'h':
            printf("Usage: upod exec [-i] [-t] [-e KEY=VALUE] [-w DIR] [-u UID[:GID]] "
                   "[--preserve-fds N] CONTAINER COMMAND [ARG...]\n\nRun a command in a running "
                   "container. It gets stdin, stdout and stderr, and with --preserve-fds N\n"
                   "the fds 3 to N+2 too; no other fd.\n");
            goto out;
        default: ret = cli_option_error(c, argc, argv, "exec", err);
        }
    }
    env[nenv] = NULL;
    if (ret == 0 && argc - optind < 2)
        ret = upod_fail(err, 0, "`upod exec` needs a container and a command");
    if (ret == 0) {
        ctr_ctx_t ctx;
        ctr_t ctr = {0};
        ret = ctx_open(&ctx, err);
        if (ret == 0) {
            ret = cli_ctr_lookup(&ctx.st, ctx.ctrs_fd, argv[optind], &ctr, err);
            ctx_close(&ctx);
        }
        if (ret == 0)
            ret = ctr_exec(&ctr, argv + optind + 1, env, uid, gid, workdir, tty, preserve_fds, err);
        ctr_clear(&ctr);
    }
out:
    for (size_t i = 0; i < nenv; i++)
        free(env[i]);
    return ret;
}

/* NetworkSettings: the pod's address and published ports, for a container
 * that shares the pod's network (its own network has no published port). */
static json_t *network_json(const pod_t *pod)
{
    json_t *o = json_new_object();
    bool has_net = pod && pod->config.net.mode != NET_MODE_NONE;
    json_set_string(o, "IPAddress", has_net ? POD_IP : "");
    json_set_string(o, "Gateway", has_net ? POD_GATEWAY : "");
    json_t *ports = json_set(o, "Ports", json_new_object());
    bool shares = pod && (pod->config.share & SHARE_NET);
    bool running = pod && pod_effective_status(pod) == POD_STATUS_RUNNING;
    for (size_t i = 0; shares && running && i < pod->state.npublished; i++) {
        const published_port_t *pp = &pod->state.published[i];
        char key[32], host_port[16];
        snprintf(key, sizeof(key), "%u/%s", pp->container_port,
                 pp->proto == PORT_PROTO_UDP ? "udp" : "tcp");
        snprintf(host_port, sizeof(host_port), "%u", pp->host_port);
        json_t *list = json_get(ports, key);
        if (!list)
            list = json_set(ports, key, json_new_array());
        json_t *binding = json_new_object();
        json_set_string(binding, "HostIp", pp->host_ip[0] ? pp->host_ip : "0.0.0.0");
        json_set_string(binding, "HostPort", host_port);
        json_append(list, binding);
    }
    return o;
}

static json_t *config_json(const ctr_t *c, const pod_t *pod)
{
    json_t *cfg = json_new_object();
    json_set_string(cfg, "Hostname", c->hostname ? c->hostname : pod ? pod->config.hostname : "");
    json_t *env = json_set(cfg, "Env", json_new_array());
    for (size_t i = 0; i < c->nenv; i++)
        json_append(env, json_new_string(c->env[i]));
    size_t first = c->has_entrypoint ? 1 : 0;
    json_t *entry = json_set(cfg, "Entrypoint", json_new_array());
    if (c->has_entrypoint && c->argc)
        json_append(entry, json_new_string(c->argv[0]));
    json_t *cmd = json_set(cfg, "Cmd", json_new_array());
    for (size_t i = first; i < c->argc; i++)
        json_append(cmd, json_new_string(c->argv[i]));
    json_set_string(cfg, "WorkingDir", c->workdir ? c->workdir : "/");
    char user[32] = "";
    if (c->has_user)
        snprintf(user, sizeof(user), "%u:%u", (unsigned)c->uid, (unsigned)c->gid);
    json_set_string(cfg, "User", user);
    json_set_bool(cfg, "Tty", c->tty);
    char sig[16];
    snprintf(sig, sizeof(sig), "%d", c->stop_signal);
    json_set_string(cfg, "StopSignal", sig);
    return cfg;
}

/* podman's container inspect keys, where upod has them. */
static json_t *ctr_inspect_json(const ctr_t *c, const pod_t *pod, const char *state_path)
{
    char created[64], started[64], finished[64];
    ctr_status_t s = ctr_effective_status(c);
    json_t *o = json_new_object();
    json_set_string(o, "Id", c->id);
    rfc3339_nano(c->created, created, sizeof(created));
    json_set_string(o, "Created", created);
    json_set_string(o, "Path", c->argc ? c->argv[0] : "");
    json_t *args = json_set(o, "Args", json_new_array());
    for (size_t i = 1; i < c->argc; i++)
        json_append(args, json_new_string(c->argv[i]));
    json_t *st = json_set(o, "State", json_new_object());
    json_set_string(st, "Status", ctr_status_name(s));
    json_set_bool(st, "Running", s == CTR_RUNNING);
    json_set_int(st, "Pid", s == CTR_RUNNING ? c->init.pid : 0);
    /* podman's name for the process watching the container: ours is the
     * upod-monitor (or the CLI of an attached run). */
    json_set_int(st, "ConmonPid", s == CTR_RUNNING ? c->monitor.pid : 0);
    json_set_int(st, "ExitCode", s == CTR_EXITED ? ctr_effective_exit_code(c) : 0);
    rfc3339_nano(c->started, started, sizeof(started));
    rfc3339_nano(c->finished, finished, sizeof(finished));
    json_set_string(st, "StartedAt", c->started ? started : "");
    json_set_string(st, "FinishedAt", c->finished ? finished : "");
    json_set_string(o, "Image", c->rootfs);
    json_set_string(o, "Rootfs", c->rootfs);
    json_set_string(o, "Name", c->name);
    json_set_string(o, "Pod", c->pod_id);
    cleanup_free char *hosts = xasprintf("%s/pods/%s/hosts", state_path, c->pod_id);
    cleanup_free char *resolv = xasprintf("%s/pods/%s/resolv.conf", state_path, c->pod_id);
    cleanup_free char *hostname = xasprintf("%s/containers/%s/hostname", state_path, c->id);
    cleanup_free char *log = xasprintf("%s/containers/%s/%s", state_path, c->id, LOG_FILE);
    json_set_string(o, "HostsPath", hosts);
    json_set_string(o, "ResolvConfPath", resolv);
    json_set_string(o, "HostnamePath", hostname);
    json_set_string(o, "LogPath", log);
    json_set(o, "Config", config_json(c, pod));
    json_set(o, "NetworkSettings", network_json(pod));
    json_t *ns = json_set(o, "Namespaces", json_new_object());
    for (unsigned i = 0; i < ns_kinds_count; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)c->init.pid, ns_kinds[i].name);
        json_set(ns, ns_kinds[i].name, s == CTR_RUNNING ? json_new_string(path) : json_new_null());
    }
    return o;
}

int cmd_inspect(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *format = "json";
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'h':
            printf("Usage: upod inspect [--format json|TEMPLATE] CONTAINER|POD...\n");
            return 0;
        default: return cli_option_error(c, argc, argv, "inspect", err);
        }
    }
    if (optind >= argc)
        return upod_fail(err, 0, "`upod inspect` needs a container or pod name or ID");
    ctr_ctx_t ctx;
    if (ctx_open(&ctx, err) < 0)
        return -1;
    json_t *list = json_new_array();
    int ret = 0;
    for (int i = optind; i < argc && ret == 0; i++) {
        ctr_t ctr;
        upod_error_t one = {0};
        if (ctr_lookup(ctx.ctrs_fd, argv[i], &ctr, &one) == 0) {
            pod_t pod;
            bool have_pod = pod_lookup(ctx.st.pods_fd, ctr.pod_id, &pod, &one) == 0;
            json_append(list, ctr_inspect_json(&ctr, have_pod ? &pod : NULL, ctx.st.path));
            if (have_pod)
                pod_clear(&pod);
            ctr_clear(&ctr);
            continue;
        }
        /* Not a container: a pod (or its infra), as podman's inspect finds. */
        pod_t pod;
        if (cmd_find_pod(argv[i], &pod, err) < 0) {
            ret = upod_fail(err, 0, "no such object: \"%s\"", argv[i]);
            break;
        }
        ctr_t *ctrs;
        size_t nctrs;
        if (cmd_list_containers(&ctx.st, &ctrs, &nctrs, err) < 0) {
            pod_clear(&pod);
            ret = -1;
            break;
        }
        json_append(list, pod_inspect_json(&pod, ctrs, nctrs));
        ctr_list_free(ctrs, nctrs);
        pod_clear(&pod);
    }
    if (ret == 0)
        ret = format_output(format, list, stdout, err);
    json_free(list);
    ctx_close(&ctx);
    return ret;
}

static int kill_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                    upod_error_t *err)
{
    (void)ctx;
    if (ctr_effective_status(c) != CTR_RUNNING)
        return upod_fail(err, 0, "can only kill running containers: %s is %s", c->name,
                         ctr_status_name(ctr_effective_status(c)));
    cleanup_close int fd = proc_ref_pidfd(&c->process, err);
    if (fd < 0 || upod_pidfd_send_signal(fd, o->signal) < 0)
        return upod_fail(err, errno, "cannot signal container %s", c->name);
    printf("%s\n", ref);
    return 0;
}

int cmd_kill(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"signal", required_argument, NULL, 's'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int sig = SIGKILL, c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (signal_parse(optarg, &sig, err) < 0)
                return -1;
            break;
        case 'h':
            printf("Usage: upod kill [-s SIGNAL] CONTAINER...\n\nSend a signal (default KILL).\n");
            return 0;
        default: return cli_option_error(c, argc, argv, "kill", err);
        }
    }
    if (optind >= argc)
        return upod_fail(err, 0, "`upod kill` needs at least one container name or ID");
    ctr_opts_t o = {.signal = sig};
    return for_each_container(argc, argv, &o, kill_one, false, err);
}

/* Prints the exit code once the container has exited. */
static int wait_one(ctr_ctx_t *ctx, ctr_t *c, const char *ref, const ctr_opts_t *o,
                    upod_error_t *err)
{
    (void)ref, (void)o;
    for (;;) {
        if (ctr_effective_status(c) == CTR_EXITED)
            break;
        if (c->status == CTR_RUNNING) {
            cleanup_close int mon = proc_ref_pidfd(&c->monitor, err);
            if (mon >= 0)
                pidfd_wait_exit(mon, -1);
        } else {
            poll(NULL, 0, 100); /* created: not started yet */
        }
        char id[CONTAINER_ID_LEN + 1];
        memcpy(id, c->id, sizeof(id));
        ctr_clear(c);
        if (ctr_load(ctx->ctrs_fd, id, c, err) < 0)
            return -1; /* removed meanwhile (--rm) */
    }
    printf("%d\n", ctr_effective_exit_code(c));
    return 0;
}

int cmd_wait(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {{"condition", required_argument, NULL, 'c'},
                                          {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            /* What upod waits for is the exit: podman's default, "stopped". */
            if (strcmp(optarg, "stopped") != 0 && strcmp(optarg, "exited") != 0)
                return upod_fail(err, 0, "invalid --condition \"%s\": upod waits for stopped "
                                         "(or exited) containers only",
                                 optarg);
            break;
        case 'h':
            printf("Usage: upod wait [--condition stopped] CONTAINER...\n\nWait for containers "
                   "to exit; print their exit codes.\n");
            return 0;
        default: return cli_option_error(c, argc, argv, "wait", err);
        }
    }
    if (optind >= argc)
        return upod_fail(err, 0, "`upod wait` needs at least one container name or ID");
    ctr_opts_t o = {0};
    return for_each_container(argc, argv, &o, wait_one, false, err);
}
