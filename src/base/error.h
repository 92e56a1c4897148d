/* error.h: one way to report failures, everywhere.
 *
 * A library function that can fail takes `upod_error_t *err`, fills it and
 * returns -1 (or NULL). Callers may add context on the way up with
 * upod_error_wrap(). Only main() prints the error and exits with err->status.
 * No library function exits the process that called it; a child that upod
 * forked (a container being set up, a keeper, a monitor) ends with _exit()
 * in its own code, after reporting to its parent. */
#ifndef UPOD_ERROR_H
#define UPOD_ERROR_H

/* Exit codes shared with podman. */
enum {
    EXIT_UPOD_FAILED = 125, /* upod itself failed (bad input, internal error) */
    EXIT_CANNOT_RUN = 126,  /* the command exists but cannot be run */
    EXIT_NOT_FOUND = 127,   /* the command was not found */
};

typedef enum {
    UPOD_ERR_GENERIC = 0,
    UPOD_ERR_NO_SUCH, /* the named pod or container does not exist */
} upod_err_kind_t;

typedef struct upod_error {
    int status;    /* process exit status to report, 0 when no error */
    upod_err_kind_t kind;
    int errnum;    /* errno behind the failure, or 0 */
    char msg[1024]; /* one line, truncated if longer */
} upod_error_t;

/* Record a failure with exit status 125; returns -1 for `return upod_fail(...)`.
 * errnum != 0 appends ": strerror(errnum)" when printed. */
int upod_fail(upod_error_t *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int upod_fail_status(upod_error_t *err, int status, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefix the recorded message with context: "context: message". */
void upod_error_wrap(upod_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The full one-line text (message and errno text) into buf. */
const char *upod_error_text(const upod_error_t *err, char *buf, unsigned long size);

#endif
