/* join.c: see join.h. */
#include "sandbox/join.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/proc.h"
#include "base/sync.h"
#include "base/util.h"

/* What the three processes share, made by the caller before the fork. */
typedef struct {
    int report[2];    /* joiner -> caller: SYNC_JOINED or SYNC_ERROR (a socketpair) */
    int go[2];        /* caller -> joined: one byte once the caller has its pid */
    int caller_pidfd; /* the caller, for the joined process */
} join_channel_t;

static void close_if_open(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void channel_close(join_channel_t *ch)
{
    for (int i = 0; i < 2; i++) {
        close_if_open(&ch->report[i]);
        close_if_open(&ch->go[i]);
    }
    close_if_open(&ch->caller_pidfd);
}

static int channel_open(join_channel_t *ch, upod_error_t *err)
{
    ch->report[0] = ch->report[1] = ch->go[0] = ch->go[1] = -1;
    ch->caller_pidfd = upod_pidfd_open(getpid(), 0);
    if (ch->caller_pidfd < 0)
        return upod_fail(err, errno, "cannot open a pidfd of upod");
    if (sync_socketpair(ch->report, err) < 0) {
        channel_close(ch);
        return -1;
    }
    if (pipe2(ch->go, O_CLOEXEC) < 0) {
        int saved = errno;
        channel_close(ch);
        return upod_fail(err, saved, "pipe");
    }
    return 0;
}

/* Every fd above 2 goes at once but keep's and the two the joined process
 * still needs for itself. */
static void close_all_but(const spawn_keep_t *keep, int go_fd, int caller_pidfd)
{
    size_t n = keep ? keep->n : 0;
    int *fds = xcalloc(n + 2, sizeof(int));
    for (size_t i = 0; i < n; i++)
        fds[i] = keep->fds[i];
    fds[n] = go_fd;
    fds[n + 1] = caller_pidfd;
    close_fds_from_except(3 + (keep ? keep->preserve : 0), fds, n + 2);
    free(fds);
}

/* The joined process: the caller's child, seen from inside (join.h). */
__attribute__((noreturn)) static void joined_main(const spawn_keep_t *keep, int go_fd,
                                                 int caller_pidfd, join_fn_t fn, void *arg)
{
    close_all_but(keep, go_fd, caller_pidfd);
    /* Die with the caller. If it died before this was armed, its pidfd
     * says so now. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || pidfd_wait_exit(caller_pidfd, 0))
        _exit(EXIT_UPOD_FAILED);
    /* No byte: the caller never learnt our pid (the joiner died), and
     * nothing may run that it does not watch. */
    char go;
    if (TEMP_FAILURE_RETRY(read(go_fd, &go, 1)) != 1)
        _exit(EXIT_UPOD_FAILED);
    close(go_fd);
    close(caller_pidfd);
    fn(arg);
    _exit(EXIT_UPOD_FAILED);
}

/* Before the first join, for the joiner and the joined process, which
 * inherits it until its exec: nothing inside the pod may ptrace either, or
 * take its fds with pidfd_getfd, whatever its capabilities there (the
 * kernel then asks for CAP_SYS_PTRACE over the namespace upod was exec'd
 * in). */
static int make_undumpable(upod_error_t *err)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return upod_fail(err, errno, "cannot make upod non-dumpable before it joins the pod");
    return 0;
}

static int join_namespaces(const join_target_t *t, upod_error_t *err)
{
    if (t->ns) {
        if (make_undumpable(err) < 0 || podns_join(t->ns, t->flags, err) < 0) {
            upod_error_wrap(err, "cannot join %s", t->what);
            return -1;
        }
    } else {
        if (make_undumpable(err) < 0)
            return -1;
        if (setns(t->pidfd, t->flags) < 0)
            return upod_fail(err, errno, "cannot join the namespaces of %s", t->what);
    }
    if (t->cwd && chdir(t->cwd) < 0 && chdir("/") < 0)
        return upod_fail(err, errno, "chdir /");
    return 0;
}

/* The joiner: in the host's pid namespace, so that nothing of the pod
 * ever sees it; it ends as soon as the joined process is started. */
__attribute__((noreturn)) static void joiner_main(const join_target_t *t,
                                                 const spawn_keep_t *keep, join_channel_t *ch,
                                                 join_fn_t fn, void *arg)
{
    /* The go-ahead pipe's write end is the caller's alone: the joined
     * process must see its end if the caller gives up. */
    close_if_open(&ch->report[0]);
    close_if_open(&ch->go[1]);
    upod_error_t err = {0};
    if (join_namespaces(t, &err) == 0) {
        /* Our child would not be the caller's: CLONE_PARENT. */
        pid_t pid = upod_clone_parent();
        if (pid == 0)
            joined_main(keep, ch->go[0], ch->caller_pidfd, fn, arg);
        if (pid > 0)
            _exit(sync_send(ch->report[1], SYNC_JOINED, pid, &err) < 0 ? 1 : 0);
        upod_fail(&err, errno, "cannot fork");
    }
    sync_send_error(ch->report[1], &err);
    _exit(1);
}

/* The joiner's report: the joined process's pid, or -1 with its error.
 * A joiner killed after its clone leaves a joined process we cannot name:
 * it gets no go-ahead and exits. */
static pid_t read_report(int fd, upod_error_t *err)
{
    sync_msg_t msg;
    if (sync_expect(fd, SYNC_JOINED, -1, "the process joining the namespaces", &msg, err) < 0)
        return -1;
    if (msg.value <= 0 || msg.value > 0x7fffffff)
        return upod_fail(err, EPROTO, "the process joining the namespaces named no process");
    return (pid_t)msg.value;
}

pid_t join_spawn(const join_target_t *target, const spawn_keep_t *keep, join_fn_t fn, void *arg,
                 upod_error_t *err)
{
    join_channel_t ch;
    if (channel_open(&ch, err) < 0)
        return -1;
    fflush(NULL);
    pid_t joiner = fork();
    if (joiner < 0) {
        channel_close(&ch);
        return upod_fail(err, errno, "cannot fork");
    }
    if (joiner == 0)
        joiner_main(target, keep, &ch, fn, arg);
    close_if_open(&ch.report[1]);
    close_if_open(&ch.go[0]);
    close_if_open(&ch.caller_pidfd);
    pid_t pid = read_report(ch.report[0], err);
    TEMP_FAILURE_RETRY(waitpid(joiner, NULL, 0));
    /* It goes on only now that we can wait for it and signal it. A failed
     * write means it died already: its status says so to whoever waits. */
    if (pid > 0)
        (void)!write(ch.go[1], "", 1);
    channel_close(&ch);
    return pid;
}
