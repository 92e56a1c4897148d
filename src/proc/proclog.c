/* proclog.c: see proclog.h. */
#include "proc/proclog.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* stderr is our own log (proclog_open): lines get a time and our pid. */
static bool to_log;

int proclog_open(int dirfd, const char *path)
{
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    }
    int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    dup2(fd, STDERR_FILENO);
    close(fd);
    to_log = true;
    return 0;
}

void proclog(const char *role, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (to_log)
        dprintf(STDERR_FILENO, "%lld %s[%d]: %s\n", (long long)time(NULL), role, (int)getpid(),
                line);
    else
        dprintf(STDERR_FILENO, "upod-%s: %s\n", role, line);
}
