/* logfile.c: see logfile.h. */
#include "state/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"

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
    if (fd < 0) {
        /* No new file (no space, no fd): ctr.log stays the file written, so
         * that the next flush rotates again and readers keep reading it. */
        renameat(w->dirfd, LOG_OLD_FILE, w->dirfd, LOG_FILE);
        return;
    }
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

/* ---- the reader (see logfile.h) ---- */

#define LOG_RECORD_MAX (LOG_LINE_MAX + 128) /* the longest record the writer makes */
#define LOG_READ_CHUNK (64 << 10)
#define LOG_JOIN_MAX LOG_MAX_BYTES          /* a line of P records longer than this is cut */

static bool same_file(const struct stat *st, dev_t dev, ino_t ino)
{
    return st->st_dev == dev && st->st_ino == ino;
}

/* A log file, only if it is a regular file (O_NONBLOCK: a FIFO planted
 * there must not block the reader). */
static int open_log_file(int dirfd, const char *name, struct stat *st)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

/* Read fd from its start from now on. A record never spans two files (the
 * writer rotates between whole records), so nothing buffered carries over;
 * the P records joined so far do. */
static void reader_switch(log_reader_t *r, int fd, const struct stat *st)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = fd;
    r->dev = st->st_dev;
    r->ino = st->st_ino;
    r->offset = 0;
    r->len = 0;
    r->skipping = false;
}

int log_reader_open(log_reader_t *r, int dirfd, log_from_t from, upod_error_t *err)
{
    memset(r, 0, sizeof(*r));
    r->dirfd = dirfd;
    r->fd = -1;
    r->buf = xmalloc(LOG_READ_CHUNK + LOG_RECORD_MAX);
    if (from == LOG_FROM_OLDEST)
        return 0; /* the first poll takes ctr.log.1, else ctr.log */
    struct stat st;
    int fd = open_log_file(dirfd, LOG_FILE, &st);
    if (fd >= 0) {
        reader_switch(r, fd, &st);
        r->offset = lseek(fd, 0, SEEK_END);
        if (r->offset < 0) {
            log_reader_close(r);
            return upod_fail(err, errno, "cannot read the container's log");
        }
        return 0;
    }
    if (errno != ENOENT) {
        int e = errno;
        log_reader_close(r);
        return upod_fail(err, e, "cannot open the container's log");
    }
    /* No ctr.log yet: an old file there holds nothing new; skip it. */
    if (fstatat(dirfd, LOG_OLD_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        r->dev = st.st_dev;
        r->ino = st.st_ino;
    }
    return 0;
}

/* The file read is complete and ctr.log is another one: take the file that
 * came after it. That is ctr.log.1 if it is not the file just read (the
 * writer rotated twice), else ctr.log, provided ctr.log.1 did not change
 * while ctr.log was opened (else ctr.log may be two files further on).
 * false: there is no next file yet (the writer is between its rename and
 * its new file) or nothing was rotated after all. */
static bool reader_advance(log_reader_t *r)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        struct stat old_st, cur_st, again;
        int old_fd = open_log_file(r->dirfd, LOG_OLD_FILE, &old_st);
        if (old_fd >= 0 && !same_file(&old_st, r->dev, r->ino)) {
            reader_switch(r, old_fd, &old_st);
            return true;
        }
        int cur_fd = open_log_file(r->dirfd, LOG_FILE, &cur_st);
        bool old_unchanged;
        if (old_fd >= 0)
            old_unchanged = fstatat(r->dirfd, LOG_OLD_FILE, &again, AT_SYMLINK_NOFOLLOW) == 0 &&
                            same_file(&again, old_st.st_dev, old_st.st_ino);
        else
            old_unchanged = fstatat(r->dirfd, LOG_OLD_FILE, &again, AT_SYMLINK_NOFOLLOW) < 0 &&
                            errno == ENOENT;
        if (old_fd >= 0)
            close(old_fd);
        if (cur_fd < 0)
            return false;
        if (same_file(&cur_st, r->dev, r->ino)) {
            close(cur_fd);
            return false;
        }
        if (old_unchanged) {
            reader_switch(r, cur_fd, &cur_st);
            return true;
        }
        close(cur_fd); /* rotated again while we looked: look again */
    }
    return false;
}

/* One line of the file: a record, joined with the P records before it. */
static void reader_record(log_reader_t *r, const char *line, size_t len, log_line_fn *fn, void *ctx)
{
    log_record_t rec;
    if (!log_parse_line(line, len, &rec))
        return; /* not a record: skipped, as podman does */
    int s = rec.stream;
    if (!rec.partial && r->join_len[s] == 0) {
        fn(ctx, &rec);
        return;
    }
    if (r->join_len[s] + rec.text_len > r->join_cap[s]) {
        r->join_cap[s] = (r->join_len[s] + rec.text_len) * 2; /* no copy per record */
        r->join[s] = xrealloc(r->join[s], r->join_cap[s]);
    }
    memcpy(r->join[s] + r->join_len[s], rec.text, rec.text_len);
    r->join_len[s] += rec.text_len;
    if (rec.partial && r->join_len[s] < LOG_JOIN_MAX)
        return;
    rec.text = r->join[s];
    rec.text_len = r->join_len[s];
    rec.partial = false;
    fn(ctx, &rec);
    r->join_len[s] = 0;
}

/* Hand the whole lines of the buffer over; keep the rest, at most one
 * record long: anything longer is no record of the writer's. */
static void reader_split(log_reader_t *r, log_line_fn *fn, void *ctx)
{
    char *p = r->buf, *end = r->buf + r->len;
    for (char *nl; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
        if (r->skipping)
            r->skipping = false;
        else
            reader_record(r, p, (size_t)(nl - p), fn, ctx);
    }
    size_t rest = (size_t)(end - p);
    if (r->skipping || rest >= LOG_RECORD_MAX) {
        r->skipping = true;
        rest = 0;
    }
    memmove(r->buf, p, rest);
    r->len = rest;
}

/* Read fd to its end (for now). 1: max_bytes reached first. */
static int reader_drain(log_reader_t *r, size_t *done, size_t max_bytes, log_line_fn *fn, void *ctx)
{
    for (;;) {
        if (*done >= max_bytes)
            return 1;
        ssize_t n = TEMP_FAILURE_RETRY(read(r->fd, r->buf + r->len, LOG_READ_CHUNK));
        if (n <= 0)
            return 0; /* an error reads as the end: tried again at the next poll */
        r->offset += n;
        r->len += (size_t)n;
        *done += (size_t)n;
        reader_split(r, fn, ctx);
    }
}

int log_reader_poll(log_reader_t *r, size_t max_bytes, log_line_fn *fn, void *ctx)
{
    size_t done = 0;
    for (;;) {
        if (r->fd < 0 && !reader_advance(r))
            return 0;
        if (reader_drain(r, &done, max_bytes, fn, ctx))
            return 1;
        struct stat st;
        if (fstatat(r->dirfd, LOG_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&st, r->dev, r->ino)) {
            if (st.st_size >= r->offset)
                return 0; /* still the file written, read to its end */
            /* Shorter than what was read: truncated, read it again. */
            if (lseek(r->fd, 0, SEEK_SET) < 0)
                return 0;
            r->offset = 0;
            r->len = 0;
            r->skipping = false;
            continue;
        }
        /* ctr.log is another file (or none): the writer renamed ours and
         * writes no more to it. What it wrote before the rename is read
         * now, then the file after it. */
        if (reader_drain(r, &done, max_bytes, fn, ctx))
            return 1;
        if (!reader_advance(r))
            return 0;
    }
}

void log_reader_close(log_reader_t *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    free(r->buf);
    free(r->join[0]);
    free(r->join[1]);
    r->buf = r->join[0] = r->join[1] = NULL;
}
