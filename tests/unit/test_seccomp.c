/* Unit tests: the containers' seccomp filter (src/sandbox/seccomp.c), applied
 * in a child process, which makes each call and reports the first that
 * did not get the answer expected. Refused calls are made with arguments
 * that would do no harm if the filter let them through (these tests run
 * as root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/seccomp.h"

typedef struct refused_call {
    const char *what;
    long nr;
    long args[5];
    int errnum; /* what the filter must answer */
} refused_call_t;

static struct clone_args clone3_newuser = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};

static const refused_call_t refused_calls[] = {
    {"keyctl", SYS_keyctl, {0 /* KEYCTL_GET_KEYRING_ID */, -3}, EPERM},
    {"unshare(CLONE_NEWUSER)", SYS_unshare, {CLONE_NEWUSER}, EPERM},
    {"bpf", SYS_bpf, {0}, EPERM},
    {"open_by_handle_at", SYS_open_by_handle_at, {-1}, EPERM},
    {"kexec_load", SYS_kexec_load, {0}, EPERM},
    {"an x32 syscall", 0x40000000 | SYS_getpid, {0}, EPERM},
    /* Namespaces through clone: each flag alone, and the pair of the finding. */
    {"clone(CLONE_NEWUSER|CLONE_NEWNET)", SYS_clone, {CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWUSER)", SYS_clone, {CLONE_NEWUSER | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWNET)", SYS_clone, {CLONE_NEWNET | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWNS)", SYS_clone, {CLONE_NEWNS | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWPID)", SYS_clone, {CLONE_NEWPID | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWUTS)", SYS_clone, {CLONE_NEWUTS | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWIPC)", SYS_clone, {CLONE_NEWIPC | SIGCHLD}, EPERM},
    {"clone(CLONE_NEWCGROUP)", SYS_clone, {CLONE_NEWCGROUP | SIGCHLD}, EPERM},
    {"clone(thread flags|CLONE_NEWUSER)", SYS_clone,
     {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_NEWUSER}, EPERM},
    {"clone3(CLONE_NEWUSER)", SYS_clone3, {(long)&clone3_newuser, sizeof clone3_newuser}, ENOSYS},
    {"io_uring_setup", SYS_io_uring_setup, {1, 0}, ENOSYS},
    {"io_uring_enter", SYS_io_uring_enter, {-1}, ENOSYS},
    {"io_uring_register", SYS_io_uring_register, {-1}, ENOSYS},
    {"socket(AF_VSOCK)", SYS_socket, {AF_VSOCK, SOCK_STREAM, 0}, EAFNOSUPPORT},
    {"socket(AF_ALG)", SYS_socket, {AF_ALG, SOCK_SEQPACKET, 0}, EAFNOSUPPORT},
    {"socket(AF_NETLINK, NETLINK_AUDIT)", SYS_socket, {AF_NETLINK, SOCK_RAW, NETLINK_AUDIT}, EINVAL},
    {"personality(ADDR_NO_RANDOMIZE)", SYS_personality, {ADDR_NO_RANDOMIZE}, EPERM},
    {"personality(READ_IMPLIES_EXEC)", SYS_personality, {READ_IMPLIES_EXEC}, EPERM},
    {"pidfd_getfd", SYS_pidfd_getfd, {-1, 0, 0}, EPERM},
    {"process_madvise", SYS_process_madvise, {-1}, EPERM},
    {"kcmp", SYS_kcmp, {0}, EPERM},
    {"migrate_pages", SYS_migrate_pages, {0}, EPERM},
    {"vmsplice", SYS_vmsplice, {-1}, EPERM},
    /* A length over 64 is EINVAL if let through: the host's names stay. */
    {"sethostname", SYS_sethostname, {0, 100000}, EPERM},
    {"setdomainname", SYS_setdomainname, {0, 100000}, EPERM},
    {"mount_setattr", SYS_mount_setattr, {-1}, EPERM},
    {"open_tree_attr", 467, {-1}, EPERM},
    {"quotactl_fd", 443, {-1}, EPERM},
    {"set_mempolicy_home_node", 450, {0}, EPERM},
    {"lsm_list_modules", 461, {0}, ENOSYS},
    {"a syscall newer than the filter's review (listns)", 470, {0}, ENOSYS},
    {"syscall 1000", 1000, {0}, ENOSYS},
};

/* Checks run in the filtered child return NULL or what went wrong. */
typedef const char *(*check_fn)(char *buf, size_t size);

static const char *check_refused(char *buf, size_t size)
{
    pid_t me = getpid();
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(refused_calls) / sizeof(refused_calls[0]); i++) {
        const refused_call_t *c = &refused_calls[i];
        errno = 0;
        long r = syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4]);
        if (r == 0 && getpid() != me)
            _exit(0); /* a clone the filter let through: the new child */
        int got = errno;
        if ((r != -1 || got != c->errnum) && used < size) {
            int n = snprintf(buf + used, size - used, "%s%s: expected errno %s, got %ld (%s)",
                             used ? "; " : "", c->what, strerror(c->errnum), r, strerror(got));
            used += n > 0 ? (size_t)n : 0;
        }
    }
    return buf[0] ? buf : NULL;
}

/* Apart, so that nothing of the caller's frame is live across vfork. */
static __attribute__((noinline)) pid_t vfork_child_that_exits(void)
{
    pid_t p = vfork();
    if (p == 0)
        _exit(0);
    return p;
}

static void *thread_body(void *arg)
{
    return arg;
}

/* How fork, raw clone, vfork, threads and posix_spawn create processes
 * (glibc tries clone3 first and must fall back to clone). */
static const char *check_process_creation(char *buf, size_t size)
{
    pid_t p = fork();
    if (p < 0)
        return snprintf(buf, size, "fork: %s", strerror(errno)), buf;
    if (p == 0)
        _exit(0);
    if (waitpid(p, NULL, 0) != p)
        return "waitpid after fork";
    long r = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (r < 0)
        return snprintf(buf, size, "clone(SIGCHLD): %s", strerror(errno)), buf;
    if (r == 0)
        _exit(0);
    if (waitpid((pid_t)r, NULL, 0) != r)
        return "waitpid after clone";
    p = vfork_child_that_exits();
    if (p < 0)
        return snprintf(buf, size, "vfork: %s", strerror(errno)), buf;
    if (waitpid(p, NULL, 0) != p)
        return "waitpid after vfork";
    pthread_t t;
    int e = pthread_create(&t, NULL, thread_body, buf);
    if (e != 0)
        return snprintf(buf, size, "pthread_create: %s", strerror(e)), buf;
    void *back = NULL;
    if (pthread_join(t, &back) != 0 || back != buf)
        return "pthread_join";
    char *argv[] = {"true", NULL};
    char *envp[] = {NULL};
    int status = -1;
    e = posix_spawn(&p, "/bin/true", NULL, NULL, argv, envp);
    if (e != 0)
        return snprintf(buf, size, "posix_spawn: %s", strerror(e)), buf;
    if (waitpid(p, &status, 0) != p || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "posix_spawn's child did not exit 0";
    return NULL;
}

static const char *socket_works(int family, int type, int protocol, char *buf, size_t size)
{
    int fd = socket(family, type, protocol);
    if (fd < 0)
        return snprintf(buf, size, "socket(%d, %d, %d): %s", family, type, protocol,
                        strerror(errno)), buf;
    close(fd);
    return NULL;
}

/* What the filter must let through: other socket families and netlink
 * protocols, the personality values programs use, syscalls it used to
 * refuse that both reference profiles allow, ordinary calls. */
static const char *check_allowed(char *buf, size_t size)
{
    const char *bad;
    if ((bad = socket_works(AF_INET, SOCK_STREAM, 0, buf, size)) ||
        (bad = socket_works(AF_INET6, SOCK_DGRAM, 0, buf, size)) ||
        (bad = socket_works(AF_UNIX, SOCK_STREAM, 0, buf, size)) ||
        (bad = socket_works(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, buf, size)))
        return bad;
    int persona = personality(0xffffffff);
    if (persona < 0 || personality(PER_LINUX) < 0 || personality((unsigned long)persona) < 0)
        return snprintf(buf, size, "personality: %s", strerror(errno)), buf;
    struct timex tx = {.modes = 0};
    if (syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) < 0)
        return snprintf(buf, size, "clock_adjtime (read): %s", strerror(errno)), buf;
    struct {
        struct file_handle fh;
        unsigned char room[128];
    } handle = {.fh.handle_bytes = 128};
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, "/", &handle.fh, &mount_id, 0) < 0 && errno == EPERM)
        return "name_to_handle_at: EPERM";
    if (getpid() <= 0 || write(STDOUT_FILENO, "", 0) != 0)
        return "getpid or write";
    return NULL;
}

/* Fork, install the filter in the child, run the check there; fail the
 * test with the child's message. */
static void run_filtered(check_fn check)
{
    int report[2];
    assert_int_equal(pipe(report), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(report[0]);
        char buf[4096];
        upod_error_t err = {0};
        const char *bad = NULL;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            bad = "no_new_privs";
        else if (seccomp_apply_default(&err) < 0)
            bad = err.msg;
        else
            bad = check(buf, sizeof buf);
        if (bad && write(report[1], bad, strlen(bad)) < 0)
            _exit(2);
        _exit(bad ? 1 : 0);
    }
    close(report[1]);
    char msg[4096] = "";
    ssize_t n = read(report[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(report[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("filtered child (status %#x): %s", (unsigned)status, msg);
}

static void test_filter_refuses_with_the_expected_errno(void **state)
{
    (void)state;
    run_filtered(check_refused);
}

static void test_filter_allows_process_and_thread_creation(void **state)
{
    (void)state;
    run_filtered(check_process_creation);
}

static void test_filter_allows_ordinary_calls(void **state)
{
    (void)state;
    run_filtered(check_allowed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_refuses_with_the_expected_errno),
        cmocka_unit_test(test_filter_allows_process_and_thread_creation),
        cmocka_unit_test(test_filter_allows_ordinary_calls),
    };
    return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
