/* kvfile.h: upod's state file format.
 *
 * One "key=value" pair per line, UTF-8, keys [a-z0-9_.]+, a key may repeat
 * (lists: one line per element). In values, backslash escapes "\\\\" and "\\n"
 * keep every record on one line. Unknown keys are kept and ignored by
 * readers, so newer files stay readable. Files are written whole and renamed
 * into place (state.h), never edited. */
#ifndef UPOD_KVFILE_H
#define UPOD_KVFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/proc.h"

typedef struct {
    char *key;
    char *value;
} kv_pair_t;

typedef struct {
    kv_pair_t *pairs;
    size_t len, cap;
} kv_t;

void kv_init(kv_t *kv);
void kv_clear(kv_t *kv);
void kv_add(kv_t *kv, const char *key, const char *value);
void kv_addf(kv_t *kv, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* First value of key, or NULL. */
const char *kv_get(const kv_t *kv, const char *key);
/* The n-th value of a repeated key (n from 0), or NULL. */
const char *kv_get_nth(const kv_t *kv, const char *key, size_t n);

/* The integer value of key, within [min, max]; false when missing or not
 * a whole decimal number in range. */
bool kv_get_ll(const kv_t *kv, const char *key, long long min, long long max, long long *out);
/* One line (without its '\n') added to out; false, and nothing added, when
 * it is malformed. An empty line adds nothing. */
bool kv_parse_line(const char *line, size_t len, kv_t *out);
/* Parse the text of a file; a malformed line fails (names the line). */
int kv_parse(const char *text, kv_t *out, upod_error_t *err);
/* The file text. */
char *kv_serialize(const kv_t *kv);

/* A pid and its start time as a record's lines tell them (pid_key,
 * start_key), or nothing ({0}) when either is missing or out of range. */
proc_ref_t proc_ref_from_kv(const kv_t *kv, const char *pid_key, const char *start_key);

#endif
