/* util.h: scope-bound cleanup and small helpers shared by every file. */
#ifndef UPOD_UTIL_H
#define UPOD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* Cleanup tied to scope (as crun and bubblewrap do): the variable's resource
 * is released whenever it leaves scope, so error paths cannot leak. */
void upod_freep(void *p);
void upod_closep(int *fd);
#define cleanup_free __attribute__((cleanup(upod_freep)))
#define cleanup_close __attribute__((cleanup(upod_closep)))

/* Hand ownership out of a cleanup_* variable. */
static inline void *steal_pointer(void *pp)
{
    void **p = pp, *v = *p;
    *p = NULL;
    return v;
}
static inline int steal_fd(int *fd)
{
    int v = *fd;
    *fd = -1;
    return v;
}

/* A child of ours that must not outlive a failure: SIGKILL, then reaped
 * (so that no zombie is left, and the pid cannot be reused before). Does
 * nothing for pid <= 0 (none, or the child's own copy after fork). */
void kill_and_reap(pid_t pid);
/* The same tied to scope: a child still held when the variable leaves
 * scope is killed and reaped; steal_pid() keeps it (it runs on, or was
 * reaped by the caller). */
void upod_killp(pid_t *pid);
#define cleanup_pid __attribute__((cleanup(upod_killp)))
static inline pid_t steal_pid(pid_t *pid)
{
    pid_t v = *pid;
    *pid = -1;
    return v;
}

/* Allocation failure is not recoverable for a CLI tool: these abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* len bytes from the kernel's random source (getrandom); aborts when it
 * has none at all. */
void random_bytes(void *buf, size_t len);

/* Read a whole file (at most max bytes, else EFBIG) into a NUL-terminated
 * buffer. Returns 0, or -1 with errno set. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len);
int read_fd(int fd, size_t max, char **out, size_t *len);

/* A wait status as a shell reports it: the exit code, or 128+N when killed
 * by signal N. */
int exit_code_from_status(int status);
/* Write all len bytes of data to the blocking fd: 0, or -1 with errno. */
int fd_write_all(int fd, const void *data, size_t len);

/* "ab" + "c" checks. */
bool str_has_prefix(const char *s, const char *prefix);

/* Parse a decimal integer in [min, max]; the whole string must be the number. */
bool parse_long(const char *s, long min, long max, long *out);

/* Inside a pod, /proc, /dev/shm and /dev/mqueue are the pod's own mounts:
 * a host path under them cannot be reached from a container. Returns that
 * mount point for an absolute path under one, else NULL. */
const char *path_hidden_in_pods(const char *path);

/* Append v to the list of *n strings, keeping it NULL-terminated. */
void strv_push(char ***list, size_t *n, char *v);
/* The NULL-terminated strings of v, separated by sep (a new string). */
char *strv_join(char *const *v, const char *sep);

/* Close every fd above 2 but those in keep (n of them): a long-lived child
 * forked from the CLI must not hold the CLI's other fds (a pipe held open
 * by it would never report its end). */
void close_fds_except(const int *keep, size_t n);
/* The same from fd `from` up: 3..from-1 stay too (--preserve-fds). */
void close_fds_from_except(unsigned from, const int *keep, size_t n);
/* Mark every fd from `from` up close-on-exec: what upod inherits from its
 * caller must not reach anything upod execs unless passed on purpose. */
void fds_mark_cloexec_from(unsigned from);
/* Clear close-on-exec on fds first..first+count-1 (passed on on purpose). */
int fds_keep_across_exec(unsigned first, unsigned count);
/* stdin, stdout and stderr on /dev/null (best effort): for processes that
 * outlive the command that started them and must hold no terminal or pipe
 * of its caller's. */
void stdio_to_devnull(void);

/* Read a sysctl file as a number; -1 when absent or unreadable. */
long read_sysctl_long(const char *path);

#endif
