/* util.c: helpers shared by every file (see util.h). */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"

void upod_freep(void *p)
{
    free(*(void **)p);
}

void upod_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

void kill_and_reap(pid_t pid)
{
    if (pid <= 0)
        return;
    int saved = errno;
    kill(pid, SIGKILL);
    TEMP_FAILURE_RETRY(waitpid(pid, NULL, 0));
    errno = saved;
}

void upod_killp(pid_t *pid)
{
    kill_and_reap(*pid);
}

static void out_of_memory(void)
{
    static const char msg[] = "Error: out of memory\n";
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* abort() follows regardless */
    }
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        out_of_memory();
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        out_of_memory();
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

int read_fd(int fd, size_t max, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    cleanup_free char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max) {
                errno = EFBIG;
                return -1;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = TEMP_FAILURE_RETRY(read(fd, buf + n, cap - n - 1));
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            errno = EFBIG;
            return -1;
        }
    }
    buf[n] = '\0';
    *out = steal_pointer(&buf);
    if (len)
        *len = n;
    return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len)
{
    cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    return read_fd(fd, max, out, len);
}

int fd_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = TEMP_FAILURE_RETRY(write(fd, p, len));
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int exit_code_from_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

void strv_push(char ***list, size_t *n, char *v)
{
    *list = xrealloc(*list, (*n + 2) * sizeof(char *));
    (*list)[(*n)++] = v;
    (*list)[*n] = NULL;
}

char *strv_join(char *const *v, const char *sep)
{
    size_t len = 1, seplen = strlen(sep);
    for (size_t i = 0; v && v[i]; i++)
        len += strlen(v[i]) + (i ? seplen : 0);
    char *out = xmalloc(len), *p = out;
    for (size_t i = 0; v && v[i]; i++) {
        if (i) {
            memcpy(p, sep, seplen);
            p += seplen;
        }
        size_t l = strlen(v[i]);
        memcpy(p, v[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

const char *path_hidden_in_pods(const char *path)
{
    static const char *const hidden[] = {"/proc", "/dev/shm", "/dev/mqueue"};
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
        size_t len = strlen(hidden[i]);
        if (strncmp(path, hidden[i], len) == 0 && (path[len] == '/' || path[len] == '\0'))
            return hidden[i];
    }
    return NULL;
}

void close_fds_except(const int *keep, size_t n)
{
    close_fds_from_except(3, keep, n);
}

void close_fds_from_except(unsigned from, const int *keep, size_t n)
{
    /* Ranges between the kept fds, in increasing order. */
    unsigned next = from;
    for (;;) {
        unsigned lowest = ~0U;
        for (size_t i = 0; i < n; i++) {
            if (keep[i] >= (int)next && (unsigned)keep[i] < lowest)
                lowest = (unsigned)keep[i];
        }
        if (lowest == ~0U) {
            upod_close_range(next, ~0U, 0);
            return;
        }
        if (lowest > next)
            upod_close_range(next, lowest - 1, 0);
        next = lowest + 1;
    }
}

void fds_mark_cloexec_from(unsigned from)
{
    if (upod_close_range(from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    /* Before Linux 5.11: one by one, up to the fd limit. */
    struct rlimit rl;
    unsigned limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur
                                                                             : 65536;
    for (unsigned fd = from; fd < limit; fd++) {
        int flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

int fds_keep_across_exec(unsigned first, unsigned count)
{
    for (unsigned fd = first; fd < first + count; fd++) {
        if (fcntl((int)fd, F_SETFD, 0) < 0)
            return -1;
    }
    return 0;
}

void stdio_to_devnull(void)
{
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        return;
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
        dup2(devnull, fd);
    if (devnull > STDERR_FILENO)
        close(devnull);
}

void random_bytes(void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = getrandom((char *)buf + done, len - done, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            abort(); /* no entropy at all: nothing sensible to do */
        }
        done += (size_t)r;
    }
}

long read_sysctl_long(const char *path)
{
    cleanup_free char *text = NULL;
    long v;
    if (read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    return parse_long(text, 0, 0x7fffffffL, &v) ? v : -1;
}
