/* error.c: see error.h. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_message(upod_error_t *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int upod_fail(upod_error_t *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    err->status = EXIT_UPOD_FAILED;
    err->kind = UPOD_ERR_GENERIC;
    err->errnum = errnum;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return -1;
}

int upod_fail_status(upod_error_t *err, int status, int errnum, const char *fmt, ...)
{
    va_list ap;
    err->status = status;
    err->kind = UPOD_ERR_GENERIC;
    err->errnum = errnum;
    va_start(ap, fmt);
    set_message(err, fmt, ap);
    va_end(ap);
    return -1;
}

void upod_error_wrap(upod_error_t *err, const char *fmt, ...)
{
    char prefix[512], old[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* A message too long for the buffer keeps its start: the context. */
    if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
        memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
}

const char *upod_error_text(const upod_error_t *err, char *buf, unsigned long size)
{
    if (err->errnum)
        snprintf(buf, size, "%s: %s", err->msg, strerror(err->errnum));
    else
        snprintf(buf, size, "%s", err->msg);
    return buf;
}
