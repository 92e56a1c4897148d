/* logfile.c: see logfile.h. */
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "util.h"

int log_writer_open(log_writer_t *w, int dirfd, upod_error_t *err)
{
    memset(w, 0, sizeof(*w));
    w->dirfd = dirfd;
    w->fd = openat(dirfd, LOG_FILE, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (w->fd < 0)
        return upod_fail(err, errno, "cannot open the container's log");
    w->size = (size_t)lseek(w->fd, 0, SEEK_END);
    return 0;
}

static void timestamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    char date[32], zone[8];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof(zone), "%z", &tm); /* +0000 -> +00:00 below */
    snprintf(buf, size, "%s.%09ld%.3s:%.2s", date, (long)ts.tv_nsec, zone, zone + 3);
}

/* Past the cap, the current file becomes the old one. */
static void rotate_if_needed(log_writer_t *w)
{
    if (w->size < LOG_MAX_BYTES)
        return;
    if (renameat(w->dirfd, LOG_FILE, w->dirfd, LOG_OLD_FILE) < 0)
        return;
    int fd = openat(w->dirfd, LOG_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                    0600);
    if (fd < 0)
        return;
    close(w->fd);
    w->fd = fd;
    w->size = 0;
}

static void write_record(log_writer_t *w, int stream, bool partial, const char *text, size_t len)
{
    char ts[64];
    timestamp(ts, sizeof(ts));
    cleanup_free char *head = xasprintf("%s %s %c ", ts, stream ? "stderr" : "stdout", partial ? 'P' : 'F');
    struct iovec iov[3] = {{.iov_base = head, .iov_len = strlen(head)},
                           {.iov_base = (void *)text, .iov_len = len},
                           {.iov_base = "\n", .iov_len = 1}};
    ssize_t n = TEMP_FAILURE_RETRY(writev(w->fd, iov, 3));
    if (n > 0)
        w->size += (size_t)n;
    rotate_if_needed(w);
}

void log_writer_add(log_writer_t *w, int stream, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        size_t have = w->pending_len[stream];
        if (have + take >= LOG_LINE_MAX) {
            /* Too long for one record: write what we have as partial. */
            size_t room = LOG_LINE_MAX - have;
            w->pending[stream] = xrealloc(w->pending[stream], have + room);
            memcpy(w->pending[stream] + have, data, room);
            write_record(w, stream, true, w->pending[stream], have + room);
            w->pending_len[stream] = 0;
            data += room;
            len -= room;
            continue;
        }
        if (nl) {
            if (have) {
                w->pending[stream] = xrealloc(w->pending[stream], have + take);
                memcpy(w->pending[stream] + have, data, take);
                write_record(w, stream, false, w->pending[stream], have + take);
                w->pending_len[stream] = 0;
            } else {
                write_record(w, stream, false, data, take);
            }
            data += take + 1;
            len -= take + 1;
        } else {
            w->pending[stream] = xrealloc(w->pending[stream], have + take);
            memcpy(w->pending[stream] + have, data, take);
            w->pending_len[stream] = have + take;
            len = 0;
        }
    }
}

void log_writer_end(log_writer_t *w, int stream)
{
    if (w->pending_len[stream]) {
        write_record(w, stream, false, w->pending[stream], w->pending_len[stream]);
        w->pending_len[stream] = 0;
    }
}

void log_writer_close(log_writer_t *w)
{
    log_writer_end(w, 0);
    log_writer_end(w, 1);
    free(w->pending[0]);
    free(w->pending[1]);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

bool log_parse_line(const char *line, size_t len, log_record_t *out)
{
    const char *sp1 = memchr(line, ' ', len);
    if (!sp1)
        return false;
    const char *rest = sp1 + 1;
    size_t left = len - (size_t)(rest - line);
    if (left >= 7 && memcmp(rest, "stdout ", 7) == 0)
        out->stream = 0;
    else if (left >= 7 && memcmp(rest, "stderr ", 7) == 0)
        out->stream = 1;
    else
        return false;
    rest += 7;
    left -= 7;
    if (left < 2 || (rest[0] != 'F' && rest[0] != 'P') || rest[1] != ' ')
        return false;
    out->partial = rest[0] == 'P';
    out->time = line;
    out->time_len = (size_t)(sp1 - line);
    out->text = rest + 2;
    out->text_len = left - 2;
    return true;
}
