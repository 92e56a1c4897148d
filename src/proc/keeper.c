/* keeper.c: see keeper.h for the process model. */
#include "proc/keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/compat.h"
#include "net/control.h"
#include "sandbox/podns.h"
#include "text/share.h"
#include "proc/holder.h"
#include "proc/infra.h"
#include "proc/proclog.h"
#include "base/pollset.h"
#include "net/forwarder.h"
#include "net/portbind.h"
#include "base/proc.h"
#include "net/slirp.h"
#include "net/tap.h"
#include "state/state.h"
#include "base/sync.h"
#include "sandbox/userns.h"
#include "base/util.h"

#define INFRA_READY_TIMEOUT_MS 30000
#define KEEPER_READY_TIMEOUT_MS 60000

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Keeper: detach from the CLI's session and terminal. stderr goes to the
 * pod's keeper.log so that a keeper's own failures can be read later. */
static void keeper_detach(int pods_fd, const char *id, const char *name)
{
    setsid();
    prctl(PR_SET_NAME, "upod-keeper");
    cleanup_free char *title = xasprintf("upod-keeper %s", name);
    proctitle_set(title);
    cleanup_free char *log = xasprintf("%s/keeper.log", id);
    proclog_open(pods_fd, log);
}

#define keeper_log(...) proclog("keeper", __VA_ARGS__)

/* Infra, right after the clone: keep only the sync socket (as fd 3) and
 * the host sockets of published ports (4...), then become the infra. Every
 * descriptor is first copied above the target range, so that placing one
 * never clobbers another still to be placed. */
__attribute__((noreturn)) static void become_infra(const pod_config_t *config, int sync_fd,
                                                  published_t *published)
{
    forward_t *forwards = xcalloc(published->n + 1, sizeof(*forwards));
    int high_from = 4 + (int)published->n;
    int sync_high = fcntl(sync_fd, F_DUPFD_CLOEXEC, high_from);
    if (sync_high < 0)
        _exit(1);
    size_t n = 0;
    for (size_t i = 0; i < published->n; i++) {
        const published_port_t *pp = &published->ports[i];
        if (pp->listen_fd < 0)
            continue;
        forwards[n].fd = fcntl(pp->listen_fd, F_DUPFD_CLOEXEC, high_from);
        if (forwards[n].fd < 0)
            _exit(1);
        forwards[n].container_port = pp->container_port;
        forwards[n++].proto = pp->proto;
    }
    if (dup2(sync_high, 3) < 0)
        _exit(1);
    for (size_t i = 0; i < n; i++) {
        if (dup2(forwards[i].fd, 4 + (int)i) < 0)
            _exit(1);
        forwards[i].fd = 4 + (int)i;
    }
    upod_close_range(4 + (unsigned)n, ~0U, 0);
    infra_main(config, 3, forwards, n);
}

/* Keeper: create the infra and wait until it is ready (its tap fd, when the
 * pod has a network, comes with the ready message). */
static int keeper_spawn_infra(const pod_config_t *config, const idmap_plan_t *parent,
                              published_t *published, pid_t *pid,
                              int *pidfd, int *sync_fd, int *tapfd, podns_t *ns,
                              upod_error_t *err)
{
    int pair[2];
    if (sync_socketpair(pair, err) < 0)
        return -1;
    /* In the parent user namespace already (keeper_run): the clone makes
     * the pod's inside it. */
    /* Killed and reaped if it is not ready (cleanup_pid). */
    cleanup_pid pid_t child = upod_clone_pidfd((uint64_t)infra_clone_flags(), pidfd);
    if (child < 0) {
        int saved = errno;
        close(pair[0]);
        close(pair[1]);
        /* Say which setting forbids it, as `upod info` does. */
        char hint[512];
        userns_explain_failure(saved, hint, sizeof(hint));
        return upod_fail(err, 0, "cannot create the pod's user namespace: %s", hint);
    }
    if (child == 0)
        become_infra(config, pair[1], published); /* inside the new namespaces */
    /* Keeper, outside: the listeners are the infra's now. */
    close(pair[1]);
    portbind_close_listeners(published);
    *sync_fd = pair[0];
    sync_msg_t msg;
    /* Root in the parent, we write the pod's maps ourselves. */
    idmap_t uids, gids;
    idmap_nested(parent, config->keep_id, &uids, &gids);
    int r = idmap_write(child, &uids, &gids, !parent->subids, err);
    /* While the infra is still dumpable (podns.h): it is not, once told
     * that its maps are written. */
    if (r == 0)
        r = podns_open(child, ns, err);
    if (r == 0)
        r = sync_send(pair[0], SYNC_USERMAP_DONE, 0, err);
    if (r == 0)
        r = sync_expect_fd(pair[0], SYNC_INFRA_READY, INFRA_READY_TIMEOUT_MS,
                           "pod infra process", &msg, tapfd, err);
    if (r == 0 && config->net.mode != NET_MODE_NONE && *tapfd < 0)
        r = upod_fail(err, EPROTO, "the pod infra process sent no tap device");
    if (r < 0) {
        podns_close(ns);
        close(*pidfd);
        close(pair[0]);
        return -1;
    }
    *pid = steal_pid(&child);
    return 0;
}

/* Keeper: the infra ended; record it unless the pod was restarted since. */
static void keeper_record_exit(int pods_fd, int state_fd, const pod_t *pod, int status)
{
    upod_error_t err = {0};
    int code = exit_code_from_status(status);
    cleanup_close int lock = state_lock_patient(state_fd, &err);
    if (lock < 0) {
        keeper_log("cannot record the pod's exit: %s", err.msg);
        return;
    }
    pod_t current;
    if (pod_load(pods_fd, pod->config.id, &current, &err) < 0) {
        keeper_log("pod gone before its exit was recorded: %s", err.msg);
        return;
    }
    proc_ref_t self = proc_self_ref();
    if (current.state.keeper.pid == self.pid && current.state.keeper.start == self.start) {
        current.state.status = POD_STATUS_EXITED;
        current.state.finished = now_ns();
        current.state.exit_code = code;
        pod_state_clear(&current.state); /* no port is published any more */
        if (pod_save_state(pods_fd, &current, &err) < 0)
            keeper_log("cannot record the pod's exit: %s", err.msg);
    }
    pod_clear(&current);
}

/* The libslirp instances of containers with a network of their own, each
 * with a pidfd of the container's process: our tap fd holds its network
 * namespace alive, so the device never goes away by itself; the instance
 * goes when that process ends. */
typedef struct {
    pod_slirp_t *slirp;
    int owner; /* pidfd */
    size_t owner_index;
} own_net_t;

typedef struct {
    own_net_t *items;
    size_t n;
} own_nets_t;

/* Keeper: a container hands over its tap (control.h). */
static void keeper_serve_tap(int control_fd, const pod_config_t *config, own_nets_t *nets)
{
    upod_error_t err = {0};
    int tapfd, owner = -1;
    pod_slirp_t *s = NULL;
    int conn = control_accept_tap(control_fd, &tapfd, &owner, &err);
    if (conn < 0) {
        keeper_log("control socket: %s", err.msg);
        return;
    }
    s = pod_slirp_new(tapfd, &config->net, &err);
    if (s) {
        nets->items = xrealloc(nets->items, (nets->n + 1) * sizeof(*nets->items));
        nets->items[nets->n++] = (own_net_t){.slirp = s, .owner = owner};
    } else {
        close(owner);
    }
    control_reply(conn, s ? NULL : &err);
}

/* Keeper: free the instances whose container ended. */
static void keeper_drop_ended(own_nets_t *nets, const pollset_t *ps)
{
    size_t kept = 0;
    for (size_t i = 0; i < nets->n; i++) {
        own_net_t *net = &nets->items[i];
        if ((pollset_revents(ps, net->owner_index) & POLLIN) || pod_slirp_tap_gone(net->slirp)) {
            pod_slirp_free(net->slirp);
            close(net->owner);
        } else {
            nets->items[kept++] = *net;
        }
    }
    nets->n = kept;
}

/* Keeper: run the pod's network (and its containers' own ones) until the
 * infra ends, passing on the stop signals. Returns the infra's wait
 * status. */
static int keeper_loop(pid_t infra, int infra_pidfd, int sigfd, int tie_fd, pod_slirp_t *slirp,
                       int control_fd, int ns_fd, const podns_t *ns, const pod_config_t *config)
{
    pollset_t ps = {0};
    own_nets_t nets = {0};
    long long ns_starved_until = 0;
    for (;;) {
        pollset_reset(&ps);
        size_t infra_index = pollset_add(&ps, infra_pidfd, POLLIN);
        size_t sig_index = pollset_add(&ps, sigfd, POLLIN);
        size_t control_index = control_fd >= 0 ? pollset_add(&ps, control_fd, POLLIN) : 0;
        size_t tie_index = tie_fd >= 0 ? pollset_add(&ps, tie_fd, POLLIN) : 0;
        /* Out of fds, accept fails and the listener stays readable: leave
         * it alone for a moment instead of spinning. */
        long long ns_rest_ms = (ns_starved_until - now_ns()) / 1000000;
        bool ns_polled = ns_rest_ms <= 0;
        size_t ns_index = ns_polled ? pollset_add(&ps, ns_fd, POLLIN) : 0;
        int timeout = ns_polled ? -1 : (int)ns_rest_ms + 1;
        if (slirp)
            pod_slirp_fill(slirp, &ps, &timeout);
        for (size_t i = 0; i < nets.n; i++) {
            nets.items[i].owner_index = pollset_add(&ps, nets.items[i].owner, POLLIN);
            pod_slirp_fill(nets.items[i].slirp, &ps, &timeout);
        }
        int r = pollset_wait(&ps, timeout);
        if (slirp)
            pod_slirp_dispatch(slirp, &ps, r < 0);
        for (size_t i = 0; i < nets.n; i++)
            pod_slirp_dispatch(nets.items[i].slirp, &ps, r < 0);
        keeper_drop_ended(&nets, &ps);
        if (control_fd >= 0 && (pollset_revents(&ps, control_index) & POLLIN))
            keeper_serve_tap(control_fd, config, &nets);
        if (ns_polled && (pollset_revents(&ps, ns_index) & POLLIN)) {
            upod_error_t ns_err = {0};
            control_serve_namespaces(ns_fd, ns->fd, PODNS_COUNT, &ns_err);
            if (ns_err.errnum == EMFILE || ns_err.errnum == ENFILE)
                ns_starved_until = now_ns() + 100 * 1000000LL;
            else if (ns_err.msg[0])
                keeper_log("namespaces socket: %s", ns_err.msg);
        }
        if (pollset_revents(&ps, infra_index) & POLLIN)
            break;
        if (tie_fd >= 0 && (pollset_revents(&ps, tie_index) & POLLIN)) {
            /* The attached run this pod was made for is gone, and nothing
             * stopped the pod: stop it as if asked to. */
            keeper_log("the attached run of this pod's container ended: stopping the pod");
            upod_pidfd_send_signal(infra_pidfd, SIGTERM);
            close(tie_fd);
            tie_fd = -1;
        }
        struct signalfd_siginfo si;
        if ((pollset_revents(&ps, sig_index) & POLLIN) &&
            TEMP_FAILURE_RETRY(read(sigfd, &si, sizeof(si))) == (ssize_t)sizeof(si) &&
            si.ssi_signo != SIGCHLD)
            upod_pidfd_send_signal(infra_pidfd, SIGTERM);
    }
    for (size_t i = 0; i < nets.n; i++) {
        pod_slirp_free(nets.items[i].slirp);
        close(nets.items[i].owner);
    }
    free(nets.items);
    pollset_free(&ps);
    int status = 0;
    if (TEMP_FAILURE_RETRY(waitpid(infra, &status, 0)) < 0)
        status = 255 << 8;
    return status;
}

/* Keeper: libslirp on the tap, and the host forwards of the slirp driver. */
static pod_slirp_t *keeper_network(const pod_config_t *config, int tapfd,
                                   const published_t *published, upod_error_t *err)
{
    if (tapfd < 0)
        return NULL;
    pod_slirp_t *slirp = pod_slirp_new(tapfd, &config->net, err);
    if (!slirp)
        return NULL;
    for (size_t i = 0; i < published->n; i++) {
        const published_port_t *pp = &published->ports[i];
        if (pp->via_slirp &&
            pod_slirp_add_hostfwd(slirp, pp->proto == PORT_PROTO_UDP, pp->host_ip, pp->host_port,
                                  pp->container_port, err) < 0) {
            pod_slirp_free(slirp);
            return NULL;
        }
    }
    return slirp;
}

/* Keeper: the pod's /etc/hosts and /etc/resolv.conf, for its containers. */
static int keeper_write_etc(int pods_fd, const pod_config_t *config, upod_error_t *err)
{
    cleanup_close int dirfd = state_open_subdir(pods_fd, config->id, false, err);
    if (dirfd < 0)
        return -1;
    cleanup_free char *hosts = xasprintf(
        "127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain\n"
        "%s\t%s %s\n%s\thost.containers.internal host.docker.internal\n",
        POD_IP, config->hostname, config->name, POD_GATEWAY);
    const char *resolv = config->net.enable_ipv6 ? "nameserver " POD_DNS "\nnameserver " POD_DNS6 "\n"
                                                 : "nameserver " POD_DNS "\n";
    if (config->net.mode == NET_MODE_NONE)
        resolv = "";
    if (state_write_file(dirfd, "hosts", hosts, strlen(hosts), err) < 0 ||
        state_write_file(dirfd, "resolv.conf", resolv, strlen(resolv), err) < 0)
        return -1;
    return 0;
}

/* Keeper: the socket that hands the infra's namespaces out (podns.h). */
static int keeper_listen_namespaces(int pods_fd, const pod_config_t *config, int *ns_fd,
                                    upod_error_t *err)
{
    cleanup_close int dirfd = state_open_subdir(pods_fd, config->id, false, err);
    if (dirfd < 0)
        return -1;
    *ns_fd = control_listen_namespaces(dirfd, err);
    return *ns_fd < 0 ? -1 : 0;
}

/* Keeper: the control socket, when containers get networks of their own
 * (the pod has a network but does not share it). */
static int keeper_control(int pods_fd, const pod_config_t *config, int *control_fd,
                          upod_error_t *err)
{
    *control_fd = -1;
    if (config->net.mode == NET_MODE_NONE || (config->share & SHARE_NET))
        return 0;
    cleanup_close int dirfd = state_open_subdir(pods_fd, config->id, false, err);
    if (dirfd < 0)
        return -1;
    *control_fd = control_listen(dirfd, err);
    return *control_fd < 0 ? -1 : 0;
}

/* Keeper: the whole life, after the fork. Never returns. */
/* Keeper (and the infra it forks): every published connection costs fds
 * here (2 sockets for libslirp, 2 sockets and 2 pipes for the splice
 * forwarder), so the soft RLIMIT_NOFILE (1024 in most sessions: about 170
 * spliced connections) is raised to the hard one, as podman does for
 * itself. Containers are not started from here and keep the user's. */
static void keeper_raise_fd_limit(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
            keeper_log("cannot raise the open files limit: %s", strerror(errno));
    }
}

__attribute__((noreturn)) static void keeper_run(int state_fd, int pods_fd, pod_t *pod,
                                                 int cli_fd, int tie_fd)
{
    upod_error_t err = {0};
    keeper_detach(pods_fd, pod->config.id, pod->config.name);
    keeper_raise_fd_limit();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sigfd < 0) {
        upod_fail(&err, errno, "signalfd");
        sync_send_error(cli_fd, &err);
        _exit(1);
    }
    published_t published = {0};
    pid_t infra = -1;
    int infra_pidfd = -1, infra_sync = -1, tapfd = -1, control_fd = -1, ns_fd = -1;
    podns_t ns;
    podns_init(&ns);
    pod_slirp_t *slirp = NULL;
    /* Our lease on the parent user namespace: held as long as we live. */
    int lease = -1;
    idmap_plan_t parent = {0};
    if (keeper_write_etc(pods_fd, &pod->config, &err) < 0 ||
        (keeper_control(pods_fd, &pod->config, &control_fd, &err) < 0) ||
        keeper_listen_namespaces(pods_fd, &pod->config, &ns_fd, &err) < 0 ||
        portbind_open(&pod->config, &published, &err) < 0 ||
        (lease = holder_join(state_fd, &parent, &err)) < 0 ||
        keeper_spawn_infra(&pod->config, &parent, &published, &infra, &infra_pidfd, &infra_sync, &tapfd,
                           &ns, &err) < 0) {
        keeper_log("start failed: %s", err.msg);
        sync_send_error(cli_fd, &err);
        _exit(1);
    }
    if (tapfd >= 0 && !(slirp = keeper_network(&pod->config, tapfd, &published, &err)))
        goto failed;
    portbind_release_checks(&published);
    /* The CLI holds the state lock for us until SYNC_POD_READY. */
    pod->state.status = POD_STATUS_RUNNING;
    pod->state.keeper = proc_self_ref();
    pod->state.infra = proc_ref_of(infra);
    pod->state.started = now_ns();
    pod->state.finished = 0;
    pod->state.exit_code = 0;
    pod->state.published = published.ports;
    pod->state.npublished = published.n;
    if (pod_save_state(pods_fd, pod, &err) < 0 ||
        sync_send(cli_fd, SYNC_POD_READY, infra, &err) < 0)
        goto failed;
    close(cli_fd);
    int status = keeper_loop(infra, infra_pidfd, sigfd, tie_fd, slirp, control_fd, ns_fd, &ns,
                             &pod->config);
    keeper_record_exit(pods_fd, state_fd, pod, status);
    _exit(0);

failed:
    keeper_log("start failed: %s", err.msg);
    sync_send_error(cli_fd, &err);
    kill_and_reap(infra);
    _exit(1);
}

int keeper_start(int pods_fd, int lock_fd, pod_t *pod, bool tie_to_caller, upod_error_t *err)
{
    /* Opened here, not in the keeper: there getppid() may already name
     * whoever adopted it. */
    cleanup_close int tie_fd = tie_to_caller ? upod_pidfd_open(getpid(), 0) : -1;
    if (tie_to_caller && tie_fd < 0)
        return upod_fail(err, errno, "pidfd_open");
    int pair[2];
    if (sync_socketpair(pair, err) < 0)
        return -1;
    /* The keeper needs the state directory itself (for the lock file). */
    cleanup_close int state_fd = openat(pods_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (state_fd < 0) {
        close(pair[0]);
        close(pair[1]);
        return upod_fail(err, errno, "cannot open the state directory");
    }
    fflush(NULL);
    /* Killed and reaped unless the pod runs (cleanup_pid). */
    cleanup_pid pid_t pid = fork();
    if (pid < 0) {
        close(pair[0]);
        close(pair[1]);
        return upod_fail(err, errno, "cannot start the pod keeper (fork)");
    }
    if (pid == 0) {
        /* Keeper. Our copy of the CLI's lock must go, or the lock would
         * live as long as the pod; so must every other fd of the CLI's
         * (an attached run's cleanup pipe, a caller's pipe). */
        close(lock_fd);
        close(pair[0]);
        int keep[] = {state_fd, pods_fd, pair[1], tie_fd};
        close_fds_except(keep, sizeof(keep) / sizeof(keep[0]));
        keeper_run(state_fd, pods_fd, pod, pair[1], tie_fd);
    }
    /* CLI. */
    close(pair[1]);
    sync_msg_t msg;
    int r = sync_expect(pair[0], SYNC_POD_READY, KEEPER_READY_TIMEOUT_MS, "pod keeper", &msg, err);
    close(pair[0]);
    if (r < 0)
        return -1;
    steal_pid(&pid); /* the keeper runs on, reparented once we exit */
    return 0;
}
