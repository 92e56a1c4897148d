/* logfile.h: container logs in podman's k8s-file format, one record per
 * line: "<RFC 3339 time with ns> stdout|stderr F|P <text>" (P: the line
 * goes on in the next record). The file is capped: past LOG_MAX_BYTES it
 * moves to ctr.log.1 (replacing the older one) and a new one starts. */
#ifndef UPOD_LOGFILE_H
#define UPOD_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

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

#endif
