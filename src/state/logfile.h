/* logfile.h: container logs in podman's k8s-file format, one record per
 * line: "<RFC 3339 time with ns> stdout|stderr F|P <text>" (P: the line
 * goes on in the next record). The file is capped: past LOG_MAX_BYTES it
 * moves to ctr.log.1 (replacing the older one) and a new one starts. */
#ifndef UPOD_LOGFILE_H
#define UPOD_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

#define LOG_FILE "ctr.log"
#define LOG_OLD_FILE "ctr.log.1"
#define LOG_MAX_BYTES (8 << 20)
#define LOG_LINE_MAX 16384 /* longer lines are split into P records */

typedef struct {
    int dirfd;          /* the container's directory */
    int fd;
    size_t size;
    char *pending[2];   /* an unfinished line per stream */
    size_t pending_len[2];
    /* Records of one log_writer_add, written in one go: one write per
     * read of the container's output, not one per line. */
    char *out;
    size_t out_len;
    char stamp[64];     /* the time of this batch's records */
} log_writer_t;

int log_writer_open(log_writer_t *w, int dirfd, upod_error_t *err);
/* Bytes read from a stream (0 stdout, 1 stderr). */
void log_writer_add(log_writer_t *w, int stream, const char *data, size_t len);
/* The stream ended: flush what remains of its line. */
void log_writer_end(log_writer_t *w, int stream);
void log_writer_close(log_writer_t *w);

/* One record of a log file's line, parsed in place. */
typedef struct {
    const char *time;
    size_t time_len;
    int stream;
    bool partial;
    const char *text;
    size_t text_len;
} log_record_t;

bool log_parse_line(const char *line, size_t len, log_record_t *out);

/* A reader of a container's log as it is written, across rotations.
 *
 * The writer rotates by renaming: ctr.log becomes ctr.log.1 (the older .1
 * goes) and a new ctr.log starts; it writes nothing more to a file once it
 * is renamed. So the reader keeps the file it reads open, and once ctr.log
 * names another file (or none) it reads its own to the end, then goes on
 * with the file that came next: ctr.log.1 if that is not the one just read
 * (the writer rotated twice meanwhile), else ctr.log, from offset 0. A
 * record is never read twice nor skipped while its file exists; the reader
 * loses records only when the writer rotated a file out before the reader
 * reached it (it fell more than two files behind: the cap says so). A file
 * that shrinks under the reader's offset was truncated: it is read again
 * from its start. P records are joined into their line, across files too. */
typedef struct log_reader {
    int dirfd;
    int fd;          /* the file being read; -1 before there is one */
    dev_t dev;       /* which file fd is (or, with fd -1, the one to skip) */
    ino_t ino;
    off_t offset;    /* of the next byte of fd to read */
    char *buf;       /* read, not yet a whole record */
    size_t len;
    bool skipping;   /* in a line too long to be a record: drop to its end */
    char *join[2];   /* P records of a stream waiting for their F */
    size_t join_len[2], join_cap[2];
} log_reader_t;

typedef enum {
    LOG_FROM_OLDEST, /* ctr.log.1 (if any), then ctr.log */
    LOG_FROM_END,    /* only what is written to ctr.log from now on */
} log_from_t;

/* One whole line: the records' text joined, with the time of its last one. */
typedef void log_line_fn(void *ctx, const log_record_t *line);

int log_reader_open(log_reader_t *r, int dirfd, log_from_t from, upod_error_t *err);
/* Hand every whole line read since the last call to fn, until the end of
 * what is written or max_bytes read. Returns 1 when max_bytes stopped it
 * (call again), 0 at the end. */
int log_reader_poll(log_reader_t *r, size_t max_bytes, log_line_fn *fn, void *ctx);
void log_reader_close(log_reader_t *r);

#endif
