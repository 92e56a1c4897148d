/* tests/tools/sysprobe.c: tries, from inside a container, what the seccomp
 * filter must refuse and what it must let through, and prints one line per
 * attempt: its name, then "ok" or the errno's name ("EPERM", "ENOSYS"...).
 * t_sec_seccomp.sh checks the lines. Every attempt undoes itself: a
 * process it makes exits at once, an fd it gets is closed.
 *
 *   sysprobe      all attempts, in a fixed order
 */
#define _GNU_SOURCE /* clone flags, unshare */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Built against the libc's headers alone (no kernel headers). */
#define NETLINK_ROUTE 0
#define NETLINK_AUDIT 9
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    default: return strerror(e);
    }
}

/* Print the outcome of a call that returned r (-1 and errno on failure). */
static void report(const char *what, long r)
{
    printf("%s %s\n", what, r < 0 ? errno_name(errno) : "ok");
}

/* A process made by a raw clone-like syscall: the child exits at once. */
static void report_child(const char *what, long r)
{
    if (r == 0)
        _exit(0);
    int saved = errno;
    if (r > 0)
        waitpid((pid_t)r, NULL, 0);
    errno = saved;
    report(what, r);
}

/* An fd-returning call: close what it gave. */
static void report_fd(const char *what, long fd)
{
    int saved = errno;
    if (fd >= 0)
        close((int)fd);
    errno = saved;
    report(what, fd);
}

static void *thread_body(void *arg)
{
    return arg;
}

static void try_namespaces(void)
{
    report_child("clone_newuser_newnet",
                 syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, 0L, 0L, 0L, 0L));
    report_child("clone_newns", syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0L, 0L, 0L, 0L));
    /* struct clone_args, first version: flags, then pidfd, child_tid,
     * parent_tid, exit_signal, stack, stack_size, tls. */
    uint64_t args[8] = {[0] = CLONE_NEWUSER, [4] = SIGCHLD};
    report_child("clone3_newuser", syscall(SYS_clone3, args, sizeof args));
    report("unshare_newuser", unshare(CLONE_NEWUSER));
}

static void try_refused_interfaces(void)
{
    unsigned char params[120] = {0}; /* struct io_uring_params, zeroed */
    report_fd("io_uring_setup", syscall(SYS_io_uring_setup, 1L, params));
    report_fd("socket_vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
    report_fd("socket_netlink_audit", socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
    long r = personality(ADDR_NO_RANDOMIZE);
    report("personality_addr_no_randomize", r);
    if (r >= 0)
        personality((unsigned long)r);
    /* Our own fd 0 through a pidfd of ourselves: the ptrace check passes,
     * so only the filter can refuse it. */
    long pidfd = syscall(SYS_pidfd_open, (long)getpid(), 0L);
    if (pidfd < 0) {
        report("pidfd_open", pidfd);
    } else {
        report_fd("pidfd_getfd", syscall(SYS_pidfd_getfd, pidfd, 0L, 0L));
        close((int)pidfd);
    }
}

static void try_allowed(void)
{
    report_child("fork", fork());
    report_child("clone_plain", syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L));
    pthread_t t;
    int e = pthread_create(&t, NULL, thread_body, NULL);
    if (e == 0)
        e = pthread_join(t, NULL);
    errno = e;
    report("thread", e ? -1 : 0);
    pid_t pid;
    char *argv[] = {"true", NULL};
    char *envp[] = {NULL};
    e = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, envp);
    if (e == 0)
        waitpid(pid, NULL, 0);
    errno = e;
    report("posix_spawn", e ? -1 : 0);
    report_fd("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
    report_fd("socket_netlink_route", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    report("personality_query", personality(0xffffffff));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* nothing buffered is copied into children */
    try_namespaces();
    try_refused_interfaces();
    try_allowed();
    return 0;
}
