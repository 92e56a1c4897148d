/* compat.h: the one place for what glibc and musl (or old headers) disagree on.
 * Raw syscalls that libc may not wrap, and glibc-only macros. */
#ifndef UPOD_COMPAT_H
#define UPOD_COMPAT_H

#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef TEMP_FAILURE_RETRY
#define TEMP_FAILURE_RETRY(expr)                                                                   \
    (__extension__({                                                                               \
        long int upod_retry_result_;                                                               \
        do                                                                                         \
            upod_retry_result_ = (long int)(expr);                                                 \
        while (upod_retry_result_ == -1L && errno == EINTR);                                       \
        upod_retry_result_;                                                                        \
    }))
#endif

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#ifndef SYS_pivot_root
#define SYS_pivot_root 155
#endif

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat2 (Linux 5.6): struct open_how and the RESOLVE_ flags, which
 * musl does not declare. */
struct upod_open_how {
    unsigned long long flags, mode, resolve;
};
#define UPOD_RESOLVE_NO_MAGICLINKS 0x02
#define UPOD_RESOLVE_IN_ROOT 0x10

static inline int upod_openat2(int dirfd, const char *path, int flags, unsigned long long resolve)
{
    struct upod_open_how how = {.flags = (unsigned long long)flags, .mode = 0, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* The new mount API (open_tree, move_mount: Linux 5.2; mount_setattr:
 * 5.12), which musl does not wrap. */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define UPOD_OPEN_TREE_CLONE 1
#define UPOD_AT_RECURSIVE 0x8000
#define UPOD_AT_EMPTY_PATH 0x1000
#define UPOD_MOVE_MOUNT_F_EMPTY_PATH 0x04
#define UPOD_MOVE_MOUNT_T_EMPTY_PATH 0x40
#define UPOD_MOUNT_ATTR_RDONLY 0x1

struct upod_mount_attr {
    unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static inline int upod_open_tree(int dirfd, const char *path, unsigned int flags)
{
    return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

static inline int upod_move_mount(int from_dirfd, const char *from_path, int to_dirfd,
                                  const char *to_path, unsigned int flags)
{
    return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

static inline int upod_mount_setattr(int dirfd, const char *path, unsigned int flags,
                                     struct upod_mount_attr *attr)
{
    return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr));
}

static inline int upod_pidfd_open(pid_t pid, unsigned int flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static inline int upod_pidfd_send_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static inline int upod_pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static inline int upod_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
    return (int)syscall(SYS_close_range, first, last, flags);
}

/* clone3 with CLONE_PIDFD (Linux 5.3): a child and a pidfd for it, with no
 * window in which the pid could be reused. Declared here so as not to pull
 * <linux/sched.h> next to libc's <sched.h>. */
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

#include <stdint.h>
struct upod_clone_args {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
};

/* Like fork(): returns 0 in the child, the pid in the parent (and *pidfd). */
static inline pid_t upod_clone_pidfd(uint64_t flags, int *pidfd)
{
    struct upod_clone_args args = {0};
    args.flags = flags | CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.exit_signal = 17; /* SIGCHLD */
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

#ifndef CLONE_PARENT
#define CLONE_PARENT 0x00008000
#endif

/* Like fork(), but the child is our parent's (CLONE_PARENT), with the exit
 * signal we were given (clone3 wants exit_signal 0 with that flag). libc
 * does not know that the child forked: it keeps our thread id, so the
 * child must not raise() or use threads; plain syscalls, fork and exec are
 * fine. */
static inline pid_t upod_clone_parent(void)
{
    struct upod_clone_args args = {0};
    args.flags = CLONE_PARENT;
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

#endif
