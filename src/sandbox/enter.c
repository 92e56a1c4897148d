/* enter.c: see enter.h. */
#include "sandbox/enter.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "net/control.h"
#include "text/share.h"
#include "net/netlink.h"
#include "sandbox/podns.h"
#include "base/proc.h"
#include "state/state.h"
#include "base/util.h"

static int wait_child(pid_t pid)
{
    int status;
    if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) < 0)
        return EXIT_UPOD_FAILED;
    return exit_code_from_status(status);
}

__attribute__((noreturn)) static void die_child(int code, const char *what, int errnum)
{
    dprintf(STDERR_FILENO, "Error: %s%s%s\n", what, errnum ? ": " : "", errnum ? strerror(errnum) : "");
    _exit(code);
}

static void mount_fresh(const char *fs, const char *target, const char *data)
{
    struct stat st;
    if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    if (mount(fs, target, fs, MS_NOSUID | MS_NODEV | MS_NOEXEC, data) < 0)
        die_child(EXIT_UPOD_FAILED, "cannot mount a fresh filesystem in the entered process",
                  errno);
}

typedef struct {
    const pod_t *pod;
    char **argv;
} enter_args_t;

/* The process that runs the command: set up what is fresh, then exec. */
static void enter_exec(void *arg, int fresh)
{
    const pod_t *pod = ((enter_args_t *)arg)->pod;
    char **argv = ((enter_args_t *)arg)->argv;
    upod_error_t err = {0};
    if (fresh & CLONE_NEWPID)
        mount_fresh("proc", "/proc", NULL);
    if (fresh & CLONE_NEWIPC) {
        mount_fresh("tmpfs", "/dev/shm", "mode=1777,size=65536k");
        mount_fresh("mqueue", "/dev/mqueue", NULL);
    }
    if ((fresh & CLONE_NEWNET) && netlink_link_up(1, &err) < 0)
        die_child(EXIT_UPOD_FAILED, err.msg, err.errnum);
    if (pod->config.keep_id) {
        /* keep-id: the user's own ids inside, and no capabilities. */
        gid_t gid = getgid();
        uid_t uid = getuid();
        if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
            die_child(EXIT_UPOD_FAILED, "cannot switch to your uid in the pod", errno);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    execvp(argv[0], argv);
    int saved = errno;
    char what[512];
    snprintf(what, sizeof(what), "%s: %s", argv[0],
             saved == ENOENT ? "executable file not found in $PATH" : "cannot run it");
    die_child(saved == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, what,
              saved == ENOENT ? 0 : saved);
}

int pod_enter(const pod_t *pod, int pods_fd, bool all_infra, char **argv, upod_error_t *err)
{
    enter_args_t args = {.pod = pod, .argv = argv};
    return pod_spawn(pod, pods_fd, all_infra, 0, enter_exec, &args, err);
}

int pod_spawn(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh, pod_child_fn_t fn,
              void *arg, upod_error_t *err)
{
    pid_t child = pod_spawn_start(pod, pods_fd, all_infra, extra_fresh, false, NULL, fn, arg, err);
    if (child < 0)
        return -1;
    /* CLI: the terminal's signals reach the command itself. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    return wait_child(child);
}

static volatile pid_t relay_target;

static void relay_signal(int sig)
{
    if (relay_target > 0)
        kill(relay_target, sig);
}

/* The middle process of a fresh pid namespace: pass signals on. */
static void relay_signals_to(pid_t target, bool detached)
{
    relay_target = target;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = relay_signal;
    sa.sa_flags = SA_RESTART;
    const int relayed[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT};
    for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
        if (!detached && (relayed[i] == SIGINT || relayed[i] == SIGQUIT))
            signal(relayed[i], SIG_IGN); /* the terminal sends them to the command too */
        else
            sigaction(relayed[i], &sa, NULL);
    }
}

/* The pod's namespaces, from its keeper (podns.h). */
static int pod_namespaces(int pods_fd, const pod_t *pod, podns_t *ns, upod_error_t *err)
{
    cleanup_close int dirfd = state_open_subdir(pods_fd, pod->config.id, false, err);
    if (dirfd < 0 || control_get_namespaces(dirfd, ns->fd, PODNS_COUNT, err) < 0) {
        upod_error_wrap(err, "pod %s", pod->config.name);
        return -1;
    }
    return 0;
}

/* The pod's namespaces that a process of it joins, and those it gets of
 * its own (pod_spawn_start). */
static void spawn_namespaces(const pod_t *pod, bool all_infra, int extra_fresh, int *join,
                             int *fresh)
{
    unsigned share = all_infra ? ~0U : pod->config.share;
    *join = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID;
    *fresh = 0;
    for (unsigned i = 0; i < ns_kinds_count; i++) {
        const ns_kind_t *k = &ns_kinds[i];
        if (k->clone_flag == CLONE_NEWUSER || k->clone_flag == CLONE_NEWPID)
            continue;
        if (share & k->share_bit)
            *join |= k->clone_flag;
        else if (k->clone_flag != CLONE_NEWCGROUP)
            *fresh |= k->clone_flag;
    }
    if (!(share & SHARE_PID))
        *fresh |= CLONE_NEWPID;
    *fresh |= extra_fresh;
    if (*fresh & (CLONE_NEWPID | CLONE_NEWIPC))
        *fresh |= CLONE_NEWNS; /* for the fresh /proc, /dev/shm, /dev/mqueue */
}

typedef struct {
    int fresh;
    bool detached;
    pod_child_fn_t fn;
    void *arg;
} spawned_t;

/* The process pod_spawn_start returns, in the pod's pid namespace (join.h):
 * its fresh namespaces (a fresh pid namespace can only be made from here:
 * the kernel wants it made from the active one), and one more fork for the
 * PID 1 of a fresh pid namespace. */
static void spawned_main(void *arg)
{
    const spawned_t *s = arg;
    int fresh = s->fresh;
    if (fresh && unshare(fresh) < 0)
        die_child(EXIT_UPOD_FAILED, "cannot create the entered process's own namespaces", errno);
    if (fresh & CLONE_NEWNS) {
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
            die_child(EXIT_UPOD_FAILED, "cannot make mounts private", errno);
    }
    if (!(fresh & CLONE_NEWPID)) {
        s->fn(s->arg, fresh);
        _exit(EXIT_UPOD_FAILED);
    }
    pid_t grandchild = fork();
    if (grandchild < 0)
        die_child(EXIT_UPOD_FAILED, "cannot fork", errno);
    if (grandchild == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        s->fn(s->arg, fresh);
        _exit(EXIT_UPOD_FAILED);
    }
    /* Hold nothing of the caller's: a pipe kept open here would never
     * report its end. */
    upod_close_range(3, ~0U, 0);
    prctl(PR_SET_NAME, "upod-relay");
    proctitle_set("upod-relay");
    relay_signals_to(grandchild, s->detached);
    _exit(wait_child(grandchild));
}

pid_t pod_spawn_start(const pod_t *pod, int pods_fd, bool all_infra, int extra_fresh,
                      bool detached, const spawn_keep_t *keep, pod_child_fn_t fn, void *arg,
                      upod_error_t *err)
{
    cleanup_close int pidfd = proc_ref_pidfd(&pod->state.infra, err);
    if (pidfd < 0) {
        upod_fail(err, 0, "pod %s is not running: start it with 'upod pod start %s'",
                  pod->config.name, pod->config.name);
        return -1;
    }
    podns_t ns;
    if (pod_namespaces(pods_fd, pod, &ns, err) < 0)
        return -1;
    spawned_t spawned = {.detached = detached, .fn = fn, .arg = arg};
    int join;
    spawn_namespaces(pod, all_infra, extra_fresh, &join, &spawned.fresh);
    /* The entered process starts where we are (the pod's mount namespace
     * holds the host's filesystem). */
    cleanup_free char *cwd = getcwd(NULL, 0);
    cleanup_free char *what = xasprintf("pod %s", pod->config.name);
    join_target_t target = {
        .ns = &ns, .pidfd = -1, .what = what, .flags = join, .cwd = cwd ? cwd : "/"};
    pid_t child = join_spawn(&target, keep, spawned_main, &spawned, err);
    podns_close(&ns);
    return child;
}
