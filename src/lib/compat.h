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

static inline int upod_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
    return (int)syscall(SYS_close_range, first, last, flags);
}

#endif
