/* holder.c: upod-userns, the holder of the user's parent user namespace.
 *
 * Theory of operation (see holder.h for why it exists).
 *   Role: keep the parent user namespace alive and hand it out; nothing
 *     else. It runs no code of anyone's, reads nothing but its socket.
 *   Namespaces: the parent user namespace (it made it with unshare), the
 *     host's others; it is in no pod's.
 *   May touch: STATE/userns.sock and STATE/userns (its record), under
 *     STATE/userns.lock; nothing else.
 *
 * Start (holder_join, when no current holder answers):
 *   creator                    C (fork)                     H (C's fork)
 *     take userns.lock
 *                                unshare(CLONE_NEWUSER)
 *                       <------  SYNC_READY
 *     newuidmap/newgidmap C
 *     SYNC_USERMAP_DONE ------>  fork H, exit
 *     reap C                                                 setsid, listen on
 *                                                            userns.sock, write
 *                       <------------------------------------ the record, SYNC_READY
 *     connect, get the fd, setns; drop userns.lock
 * H then serves leases until none is left for HOLDER_LINGER_MS, or until
 * SIGTERM (holder_reset). It closes its socket first (a client then finds
 * no holder and makes a new one), and removes the socket and the record
 * only when the record is still its own. */
#include "proc/holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/pollset.h"
#include "base/sync.h"
#include "base/util.h"
#include "net/control.h"
#include "state/kvfile.h"
#include "state/state.h"

#define HOLDER_LOCK "userns.lock"
#define HOLDER_START_TIMEOUT_MS 10000

static long long now_ns(int clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* This boot's id, or "" when the kernel does not say. */
static void boot_id(char out[40])
{
    out[0] = '\0';
    cleanup_free char *text = NULL;
    size_t len = 0;
    if (read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, &text, &len) == 0) {
        snprintf(out, 40, "%.*s", (int)strcspn(text, "\n"), text);
    }
}

void holder_record_clear(holder_record_t *rec)
{
    free(rec->boot_id);
    free(rec->uid_map);
    free(rec->gid_map);
    memset(rec, 0, sizeof(*rec));
}

/* The maps are stored one line each, "inside outside count" joined by ','. */
static char *map_to_field(const idmap_t *map)
{
    char text[3 * IDMAP_MAX_LINES * 24];
    if (idmap_format(map, text, sizeof(text)) < 0)
        return xstrdup("");
    size_t n = strlen(text);
    if (n > 0 && text[n - 1] == '\n')
        text[n - 1] = '\0';
    for (char *p = text; *p; p++) {
        if (*p == '\n')
            *p = ',';
    }
    return xstrdup(text);
}

int holder_record_load(int state_fd, holder_record_t *rec, upod_error_t *err)
{
    memset(rec, 0, sizeof(*rec));
    cleanup_free char *text = NULL;
    if (state_read_file(state_fd, HOLDER_RECORD, &text, err) < 0)
        return -1;
    kv_t kv;
    kv_init(&kv);
    if (kv_parse(text, &kv, err) < 0) {
        kv_clear(&kv);
        return -1;
    }
    rec->ref = proc_ref_from_kv(&kv, "pid", "start");
    const char *b = kv_get(&kv, "boot_id"), *u = kv_get(&kv, "uid_map"),
               *g = kv_get(&kv, "gid_map"), *m = kv_get(&kv, "mapping");
    long long created = 0;
    (void)kv_get_ll(&kv, "created", 0, (long long)1 << 62, &created);
    rec->created = created;
    rec->subids = m && strcmp(m, "subids") == 0;
    int r = 0;
    if (!b || !u || !g || rec->ref.pid <= 0) {
        r = upod_fail(err, EINVAL, "the user namespace holder's record is incomplete");
    } else {
        rec->boot_id = xstrdup(b);
        rec->uid_map = xstrdup(u);
        rec->gid_map = xstrdup(g);
    }
    kv_clear(&kv);
    return r;
}

bool holder_record_current(const holder_record_t *rec, const idmap_plan_t *plan)
{
    char boot[40];
    boot_id(boot);
    if (!rec->boot_id || strcmp(rec->boot_id, boot) != 0 || !proc_ref_alive(&rec->ref))
        return false;
    if (!plan)
        return true;
    cleanup_free char *u = map_to_field(&plan->uids);
    cleanup_free char *g = map_to_field(&plan->gids);
    return strcmp(u, rec->uid_map) == 0 && strcmp(g, rec->gid_map) == 0;
}

static int holder_write_record(int state_fd, const idmap_plan_t *plan, upod_error_t *err)
{
    kv_t kv;
    kv_init(&kv);
    proc_ref_t self = proc_self_ref();
    char boot[40];
    boot_id(boot);
    kv_addf(&kv, "pid", "%d", (int)self.pid);
    kv_addf(&kv, "start", "%llu", self.start);
    kv_add(&kv, "boot_id", boot);
    kv_add(&kv, "mapping", plan->subids ? "subids" : "single");
    char *u = map_to_field(&plan->uids), *g = map_to_field(&plan->gids);
    kv_add(&kv, "uid_map", u);
    kv_add(&kv, "gid_map", g);
    free(u);
    free(g);
    kv_addf(&kv, "created", "%lld", now_ns(CLOCK_REALTIME));
    char *text = kv_serialize(&kv);
    int r = state_write_file(state_fd, HOLDER_RECORD, text, strlen(text), err);
    free(text);
    kv_clear(&kv);
    return r;
}

/* userns.lock, taken (it serialises the making and unmaking of holders;
 * it is never held while waiting for a holder that could wait for it). */
static int holder_lock(int state_fd, upod_error_t *err)
{
    int fd = openat(state_fd, HOLDER_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open the user namespace lock");
    if (TEMP_FAILURE_RETRY(flock(fd, LOCK_EX)) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot take the user namespace lock");
    }
    return fd;
}

/* The record is this process's own. */
static bool record_is_self(int state_fd)
{
    holder_record_t rec;
    upod_error_t ignored = {0};
    if (holder_record_load(state_fd, &rec, &ignored) < 0)
        return false;
    proc_ref_t self = proc_self_ref();
    bool mine = rec.ref.pid == self.pid && rec.ref.start == self.start;
    holder_record_clear(&rec);
    return mine;
}

/* H: give up the socket and, when still ours, the record; exit. */
__attribute__((noreturn)) static void holder_exit(int state_fd, int listen_fd)
{
    close(listen_fd); /* first: new clients are refused, not kept waiting */
    upod_error_t ignored = {0};
    int lock = holder_lock(state_fd, &ignored);
    if (lock >= 0 && record_is_self(state_fd)) {
        unlinkat(state_fd, CONTROL_USERNS_SOCKET_NAME, 0);
        unlinkat(state_fd, HOLDER_RECORD, 0);
    }
    _exit(0);
}

/* H: serve leases (see the top of the file). */
__attribute__((noreturn)) static void holder_serve(int state_fd, int listen_fd, int userns_fd,
                                                   int sigfd)
{
    int *leases = NULL;
    size_t n = 0;
    long long idle_since = now_ns(CLOCK_MONOTONIC);
    pollset_t ps = {0};
    for (;;) {
        pollset_reset(&ps);
        size_t listen_index = pollset_add(&ps, listen_fd, POLLIN);
        size_t sig_index = pollset_add(&ps, sigfd, POLLIN);
        for (size_t i = 0; i < n; i++)
            pollset_add(&ps, leases[i], POLLIN);
        int timeout = -1;
        if (n == 0) {
            long long left = HOLDER_LINGER_MS - (now_ns(CLOCK_MONOTONIC) - idle_since) / 1000000;
            if (left <= 0)
                holder_exit(state_fd, listen_fd);
            timeout = (int)left + 1;
        }
        if (pollset_wait(&ps, timeout) < 0)
            continue;
        if (pollset_revents(&ps, sig_index) & POLLIN)
            holder_exit(state_fd, listen_fd);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            /* A lease says nothing: readable means closed (or misused). */
            if (pollset_revents(&ps, 2 + i))
                close(leases[i]);
            else
                leases[kept++] = leases[i];
        }
        n = kept;
        if (pollset_revents(&ps, listen_index) & POLLIN) {
            upod_error_t ignored = {0};
            int conn = control_accept_lease(listen_fd, userns_fd, &ignored);
            if (conn >= 0) {
                leases = xrealloc(leases, (n + 1) * sizeof(*leases));
                leases[n++] = conn;
            } else if (ignored.errnum == EMFILE || ignored.errnum == ENFILE) {
                usleep(100 * 1000);
            }
        }
        if (n > 0)
            idle_since = 0;
        else if (idle_since == 0)
            idle_since = now_ns(CLOCK_MONOTONIC);
    }
}

/* H, just forked in the parent namespace: detach, listen, record, report. */
__attribute__((noreturn)) static void holder_main(int state_fd, int report,
                                                  const idmap_plan_t *plan)
{
    upod_error_t err = {0};
    setsid();
    prctl(PR_SET_NAME, "upod-userns");
    proctitle_set("upod-userns");
    if (chdir("/") < 0)
        sync_fail_exit(report, EXIT_UPOD_FAILED, "cannot leave the working directory", errno);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_SETMASK, &set, NULL);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    int userns_fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (sigfd < 0 || userns_fd < 0)
        sync_fail_exit(report, EXIT_UPOD_FAILED, "cannot set up the user namespace holder", errno);
    int listen_fd = control_listen_userns(state_fd, &err);
    if (listen_fd < 0 || holder_write_record(state_fd, plan, &err) < 0)
        sync_fail_exit(report, EXIT_UPOD_FAILED, err.msg, err.errnum);
    if (sync_send(report, SYNC_READY, 0, &err) < 0)
        _exit(1);
    close(report);
    stdio_to_devnull();
    holder_serve(state_fd, listen_fd, userns_fd, sigfd);
}

/* C: make the namespace, wait for its maps, fork H, exit. */
__attribute__((noreturn)) static void holder_unshare(int state_fd, int report,
                                                     const idmap_plan_t *plan)
{
    int keep[] = {state_fd, report, STDERR_FILENO};
    close_fds_except(keep, sizeof(keep) / sizeof(keep[0]));
    upod_error_t err = {0};
    sync_msg_t msg;
    if (unshare(CLONE_NEWUSER) < 0) {
        /* Say which setting forbids it, as `upod info` does. */
        char hint[512], what[600];
        userns_explain_failure(errno, hint, sizeof(hint));
        snprintf(what, sizeof(what), "cannot create the parent user namespace: %s", hint);
        sync_fail_exit(report, EXIT_UPOD_FAILED, what, 0);
    }
    if (sync_send(report, SYNC_READY, 0, &err) < 0 ||
        sync_expect(report, SYNC_USERMAP_DONE, HOLDER_START_TIMEOUT_MS, "upod", &msg, &err) < 0)
        _exit(1);
    pid_t h = fork();
    if (h < 0)
        sync_fail_exit(report, EXIT_UPOD_FAILED, "cannot fork the user namespace holder", errno);
    if (h == 0)
        holder_main(state_fd, report, plan);
    _exit(0);
}

/* Under userns.lock: a new holder, ready (its record written). */
static int holder_start(int state_fd, const idmap_plan_t *plan, upod_error_t *err)
{
    int pair[2];
    if (sync_socketpair(pair, err) < 0)
        return -1;
    fflush(NULL);
    cleanup_pid pid_t c = fork();
    if (c < 0) {
        close(pair[0]);
        close(pair[1]);
        return upod_fail(err, errno, "cannot start the user namespace holder (fork)");
    }
    if (c == 0) {
        close(pair[0]);
        holder_unshare(state_fd, pair[1], plan);
    }
    close(pair[1]);
    cleanup_close int sync_fd = pair[0];
    sync_msg_t msg;
    if (sync_expect(sync_fd, SYNC_READY, HOLDER_START_TIMEOUT_MS, "user namespace holder", &msg,
                    err) < 0)
        return -1;
    if (idmap_apply(plan, c, err) < 0)
        return -1;
    if (sync_send(sync_fd, SYNC_USERMAP_DONE, 0, err) < 0 ||
        sync_expect(sync_fd, SYNC_READY, HOLDER_START_TIMEOUT_MS, "user namespace holder", &msg,
                    err) < 0)
        return -1;
    int status;
    if (TEMP_FAILURE_RETRY(waitpid(c, &status, 0)) == c)
        steal_pid(&c);
    return 0;
}

/* Join the namespace of the holder that answers; the lease, or -1. */
static int holder_enter(int state_fd, upod_error_t *err)
{
    int userns_fd;
    int lease = control_get_userns(state_fd, &userns_fd, err);
    if (lease < 0)
        return -1;
    if (setns(userns_fd, CLONE_NEWUSER) < 0) {
        int saved = errno;
        close(userns_fd);
        close(lease);
        return upod_fail(err, saved, "cannot join the parent user namespace");
    }
    close(userns_fd);
    return lease;
}

/* The current holder's lease, or -1 when there is none to trust. */
static int holder_try(int state_fd, const idmap_plan_t *plan, upod_error_t *err)
{
    holder_record_t rec;
    upod_error_t ignored = {0};
    if (holder_record_load(state_fd, &rec, &ignored) < 0)
        return -1;
    bool current = holder_record_current(&rec, plan);
    holder_record_clear(&rec);
    if (!current)
        return -1;
    return holder_enter(state_fd, err);
}

int holder_join(int state_fd, idmap_plan_t *plan, upod_error_t *err)
{
    idmap_plan(plan);
    upod_error_t first = {0};
    int lease = holder_try(state_fd, plan, &first);
    if (lease >= 0)
        return lease;
    cleanup_close int lock = holder_lock(state_fd, err);
    if (lock < 0)
        return -1;
    /* Another command may have made one meanwhile. */
    lease = holder_try(state_fd, plan, &first);
    if (lease >= 0)
        return lease;
    if (holder_start(state_fd, plan, err) < 0) {
        upod_error_wrap(err, "cannot start the user namespace holder");
        return -1;
    }
    lease = holder_enter(state_fd, err);
    return lease;
}

int holder_reset(int state_fd, upod_error_t *err)
{
    cleanup_close int lock = holder_lock(state_fd, err);
    if (lock < 0)
        return -1;
    holder_record_t rec;
    upod_error_t ignored = {0};
    int stopped = 0;
    if (holder_record_load(state_fd, &rec, &ignored) == 0) {
        /* Signalled only when it is the recorded process (pid and start
         * time, this boot): a reused pid is left alone. */
        if (holder_record_current(&rec, NULL)) {
            cleanup_close int pidfd = proc_ref_pidfd(&rec.ref, &ignored);
            if (pidfd >= 0 && upod_pidfd_send_signal(pidfd, SIGKILL) == 0) {
                pidfd_wait_exit(pidfd, 5000);
                stopped = 1;
            }
        }
        holder_record_clear(&rec);
    }
    if (unlinkat(state_fd, HOLDER_RECORD, 0) < 0 && errno != ENOENT)
        return upod_fail(err, errno, "cannot remove the user namespace holder's record");
    if (unlinkat(state_fd, CONTROL_USERNS_SOCKET_NAME, 0) < 0 && errno != ENOENT)
        return upod_fail(err, errno, "cannot remove the user namespace holder's socket");
    return stopped;
}
