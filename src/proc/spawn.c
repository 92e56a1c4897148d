/* spawn.c: see spawn.h. */
#include "proc/spawn.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/proc.h"
#include "base/sync.h"
#include "base/util.h"
#include "net/control.h"
#include "proc/relay.h"
#include "sandbox/podns.h"
#include "state/state.h"
#include "text/share.h"

static int wait_child(pid_t pid)
{
    int status;
    if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) < 0)
        return EXIT_UPOD_FAILED;
    return exit_code_from_status(status);
}

/* A failure of the spawned process before fn runs: to its watcher as
 * SYNC_ERROR on report (the container's setup socket), else on stderr. */
__attribute__((noreturn)) static void die_child(int report, int code, const char *what, int errnum)
{
    sync_fail_exit(report, code, what, errnum);
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
    int report; /* spawn_keep_t's */
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
        die_child(s->report, EXIT_UPOD_FAILED, "cannot create the entered process's own namespaces", errno);
    if (fresh & CLONE_NEWNS) {
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
            die_child(s->report, EXIT_UPOD_FAILED, "cannot make mounts private", errno);
    }
    if (!(fresh & CLONE_NEWPID)) {
        s->fn(s->arg, fresh);
        _exit(EXIT_UPOD_FAILED);
    }
    pid_t grandchild = fork();
    if (grandchild < 0)
        die_child(s->report, EXIT_UPOD_FAILED, "cannot fork", errno);
    if (grandchild == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        s->fn(s->arg, fresh);
        _exit(EXIT_UPOD_FAILED);
    }
    relay_run(grandchild, s->detached);
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
    spawned_t spawned = {.report = keep ? keep->report : -1, .detached = detached, .fn = fn,
                         .arg = arg};
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
