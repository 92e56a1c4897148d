/* signals.h: signal names as users type them (KILL, SIGKILL, kill, 9). */
#ifndef UPOD_SIGNALS_H
#define UPOD_SIGNALS_H

#include "base/error.h"

int signal_parse(const char *text, int *out, upod_error_t *err);

#endif
