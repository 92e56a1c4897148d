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

#define LOG_OUT_MAX (64 << 10) /* flush the batch past this */

/* Write the batch, then rotate if the file is past its cap. */
static void flush_records(log_writer_t *w)
{
    size_t done = 0;
    while (done < w->out_len) {
        ssize_t n = TEMP_FAILURE_RETRY(write(w->fd, w->out + done, w->out_len - done));
        if (n <= 0)
            break; /* a full disk loses log lines, never the container */
        done += (size_t)n;
    }
    w->size += done;
    w->out_len = 0;
    rotate_if_needed(w);
}

static void write_record(log_writer_t *w, int stream, bool partial, const char *text, size_t len)
{
    if (!w->stamp[0])
        timestamp(w->stamp, sizeof(w->stamp));
    size_t stamp_len = strlen(w->stamp);
    size_t need = stamp_len + 10 + len + 1; /* " stdout F " + text + "\n" */
    if (w->out_len + need > LOG_OUT_MAX && w->out_len)
        flush_records(w);
    if (!w->out)
        w->out = xmalloc(LOG_OUT_MAX + LOG_LINE_MAX + 128);
    char *p = w->out + w->out_len;
    memcpy(p, w->stamp, stamp_len);
    p += stamp_len;
    memcpy(p, stream ? " stderr " : " stdout ", 8);
    p += 8;
    *p++ = partial ? 'P' : 'F';
    *p++ = ' ';
    memcpy(p, text, len);
    p += len;
    *p++ = '\n';
    w->out_len = (size_t)(p - w->out);
    if (w->size + w->out_len >= LOG_MAX_BYTES)
        flush_records(w); /* rotation happens at the cap, not a batch later */
}

static void log_writer_add_records(log_writer_t *w, int stream, const char *data, size_t len);

void log_writer_add(log_writer_t *w, int stream, const char *data, size_t len)
{
    w->stamp[0] = '\0'; /* one time for the records of this read, as conmon does */
    log_writer_add_records(w, stream, data, len);
    flush_records(w);
}

static void log_writer_add_records(log_writer_t *w, int stream, const char *data, size_t len)
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
        w->stamp[0] = '\0';
        write_record(w, stream, false, w->pending[stream], w->pending_len[stream]);
        w->pending_len[stream] = 0;
        flush_records(w);
    }
}

void log_writer_close(log_writer_t *w)
{
    log_writer_end(w, 0);
    log_writer_end(w, 1);
    free(w->pending[0]);
    free(w->pending[1]);
    free(w->out);
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
