/* proc.c: see proc.h. */
#include "base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"

int proc_parse_stat(const char *stat_text, char *state, unsigned long long *out)
{
    const char *p = strrchr(stat_text, ')');
    if (!p)
        return -1;
    p++;
    /* After "pid (comm)" come fields 3.. (3: the state letter); the start
     * time is field 22. */
    for (int field = 3; field <= 22; field++) {
        while (*p == ' ')
            p++;
        if (!*p)
            return -1;
        if (field == 3)
            *state = *p;
        if (field == 22) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(p, &end, 10);
            if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
                return -1;
            *out = v;
            return 0;
        }
        p += strcspn(p, " ");
    }
    return -1;
}

/* The state letter and start time of pid, under a /proc (AT_FDCWD:
 * "/proc"). */
static int proc_stat_at(int proc_fd, pid_t pid, char *state, unsigned long long *out)
{
    char path[64];
    cleanup_free char *text = NULL;
    snprintf(path, sizeof(path), proc_fd == AT_FDCWD ? "/proc/%d/stat" : "%d/stat", (int)pid);
    if (read_file_at(proc_fd, path, 4096, &text, NULL) < 0)
        return -1;
    if (proc_parse_stat(text, state, out) < 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int proc_stat(pid_t pid, char *state, unsigned long long *out)
{
    return proc_stat_at(AT_FDCWD, pid, state, out);
}

int proc_start_time(pid_t pid, unsigned long long *out)
{
    char state;
    return proc_stat(pid, &state, out);
}

proc_ref_t proc_ref_of_at(int proc_fd, pid_t pid)
{
    proc_ref_t ref = {.pid = pid, .start = 0};
    char state;
    if (proc_stat_at(proc_fd, pid, &state, &ref.start) < 0)
        ref.pid = 0;
    return ref;
}

proc_ref_t proc_ref_of(pid_t pid)
{
    proc_ref_t ref = {.pid = pid, .start = 0};
    if (proc_start_time(pid, &ref.start) < 0)
        ref.pid = 0;
    return ref;
}

proc_ref_t proc_self_ref(void)
{
    return proc_ref_of(getpid());
}

bool proc_ref_alive(const proc_ref_t *ref)
{
    unsigned long long start;
    char state;
    if (ref->pid <= 0)
        return false;
    if (proc_stat(ref->pid, &state, &start) < 0)
        return false;
    /* A zombie has ended: it is not a running keeper or infra. */
    return start == ref->start && state != 'Z' && state != 'X';
}

int proc_ref_pidfd(const proc_ref_t *ref, upod_error_t *err)
{
    if (ref->pid <= 0)
        return upod_fail(err, ESRCH, "no process recorded");
    int fd = upod_pidfd_open(ref->pid, 0);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open process %d", (int)ref->pid);
    /* Checked after the open: if the start time matches now, the pidfd
     * refers to the process we recorded and cannot be recycled. */
    if (!proc_ref_alive(ref)) {
        close(fd);
        return upod_fail(err, ESRCH, "process %d is gone", (int)ref->pid);
    }
    return fd;
}

bool pidfd_wait_exit(int pidfd, int timeout_ms)
{
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    int r = TEMP_FAILURE_RETRY(poll(&pfd, 1, timeout_ms));
    return r > 0;
}

/* How long a process is given to end after SIGKILL (or a partner after
 * the process it goes with): it is not caught, only the kernel's teardown
 * (a large address space, a slow filesystem) takes time. */
#define STOP_KILL_WAIT_MS 5000

void proc_ref_stop(const proc_ref_t *p, int sig, long timeout_s, const proc_ref_t *partner,
                   proc_stop_partner_t how)
{
    upod_error_t ignored = {0};
    cleanup_close int fd = proc_ref_pidfd(p, &ignored);
    cleanup_close int partner_fd = partner ? proc_ref_pidfd(partner, &ignored) : -1;
    bool ended = false;
    if (fd >= 0 && timeout_s > 0) {
        upod_pidfd_send_signal(fd, sig);
        ended = pidfd_wait_exit(fd, (int)(timeout_s * 1000));
    }
    if (!ended) {
        if (partner_fd >= 0 && how == PROC_STOP_KILL_PARTNER)
            upod_pidfd_send_signal(partner_fd, SIGKILL);
        if (fd >= 0) {
            upod_pidfd_send_signal(fd, SIGKILL);
            pidfd_wait_exit(fd, STOP_KILL_WAIT_MS);
        }
    }
    if (partner_fd >= 0)
        pidfd_wait_exit(partner_fd, STOP_KILL_WAIT_MS);
}

static char *title_area;
static size_t title_len;

void proctitle_init(int argc, char **argv)
{
    /* The argv strings are contiguous: /proc/PID/cmdline shows that area. */
    if (argc < 1)
        return;
    title_area = argv[0];
    char *end = argv[argc - 1] + strlen(argv[argc - 1]);
    title_len = (size_t)(end - title_area);
}

void proctitle_set(const char *title)
{
    if (!title_area || title_len == 0)
        return;
    size_t n = strlen(title);
    if (n > title_len)
        n = title_len;
    memcpy(title_area, title, n);
    memset(title_area + n, '\0', title_len - n);
}
