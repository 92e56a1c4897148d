/* fuzz.h: what the fuzz targets share. Each tests/fuzz/fuzz_<name>.c defines
 * LLVMFuzzerTestOneInput for one family of parsers of outside input; it is
 * linked with libFuzzer by `make fuzz` (clang) and with replay.c by
 * `make check` (gcc), which runs the corpora and the kept crashing inputs.
 *
 * A target aborts (fuzz_require) when a property of a successful parse does
 * not hold, e.g. that formatting a parsed value and parsing it again gives
 * the same value: the fuzzer reports that as a crash like any other. */
#ifndef UPOD_FUZZ_H
#define UPOD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: say which, then abort so the input is kept. */
#define fuzz_require(cond)                                                                     \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);        \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* The input as a C string (it ends at its first NUL byte, as the text of a
 * file or an argument would). malloc'd. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The input as an argument vector: argv[0] is "upod", then one argument per
 * NUL-separated piece (a trailing NUL ends the last one); NULL-terminated.
 * *storage holds the strings; free both. */
static inline char **fuzz_argv(const uint8_t *data, size_t size, int *argc, char **storage)
{
    char *s = fuzz_string(data, size);
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += s[i] == '\0';
    char **argv = xcalloc(n + 2, sizeof(char *));
    int count = 0;
    argv[count++] = (char *)"upod";
    for (size_t i = 0; i < size;) {
        argv[count++] = s + i;
        i += strlen(s + i) + 1;
    }
    argv[count] = NULL;
    *argc = count;
    *storage = s;
    return argv;
}

#endif
