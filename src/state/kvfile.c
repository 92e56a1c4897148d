/* kvfile.c: see kvfile.h. */
#include "state/kvfile.h"

#include <errno.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void kv_init(kv_t *kv)
{
    kv->pairs = NULL;
    kv->len = kv->cap = 0;
}

void kv_clear(kv_t *kv)
{
    for (size_t i = 0; i < kv->len; i++) {
        free(kv->pairs[i].key);
        free(kv->pairs[i].value);
    }
    free(kv->pairs);
    kv_init(kv);
}

static void kv_push(kv_t *kv, char *key, char *value)
{
    if (kv->len == kv->cap) {
        kv->cap = kv->cap ? kv->cap * 2 : 16;
        kv->pairs = xrealloc(kv->pairs, kv->cap * sizeof(*kv->pairs));
    }
    kv->pairs[kv->len].key = key;
    kv->pairs[kv->len].value = value;
    kv->len++;
}

void kv_add(kv_t *kv, const char *key, const char *value)
{
    kv_push(kv, xstrdup(key), xstrdup(value));
}

void kv_addf(kv_t *kv, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *value = xvasprintf(fmt, ap);
    va_end(ap);
    kv_push(kv, xstrdup(key), value);
}

const char *kv_get_nth(const kv_t *kv, const char *key, size_t n)
{
    for (size_t i = 0; i < kv->len; i++) {
        if (strcmp(kv->pairs[i].key, key) == 0 && n-- == 0)
            return kv->pairs[i].value;
    }
    return NULL;
}

const char *kv_get(const kv_t *kv, const char *key)
{
    return kv_get_nth(kv, key, 0);
}

static bool valid_key(const char *k, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* Undo the escapes of one value; false on a bad escape. */
static bool unescape_value(const char *s, size_t len, char **out)
{
    char *v = xmalloc(len + 1), *o = v;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            *o++ = s[i];
            continue;
        }
        if (i + 1 >= len || (s[i + 1] != '\\' && s[i + 1] != 'n')) {
            free(v);
            return false;
        }
        *o++ = s[i + 1] == 'n' ? '\n' : '\\';
        i++;
    }
    *o = '\0';
    *out = v;
    return true;
}

bool kv_get_ll(const kv_t *kv, const char *key, long long min, long long max, long long *out)
{
    const char *text = kv_get(kv, key);
    char *end;
    if (!text || !*text)
        return false;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool kv_parse_line(const char *line, size_t len, kv_t *out)
{
    if (len == 0)
        return true;
    const char *eq = memchr(line, '=', len);
    char *value;
    if (!eq || !valid_key(line, (size_t)(eq - line)) ||
        !unescape_value(eq + 1, len - (size_t)(eq - line) - 1, &value))
        return false;
    char *key = xmalloc((size_t)(eq - line) + 1);
    memcpy(key, line, (size_t)(eq - line));
    key[eq - line] = '\0';
    kv_push(out, key, value);
    return true;
}

int kv_parse(const char *text, kv_t *out, upod_error_t *err)
{
    kv_init(out);
    size_t lineno = 0;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        lineno++;
        if (!kv_parse_line(p, len, out)) {
            kv_clear(out);
            return upod_fail(err, 0, "malformed state file: line %zu", lineno);
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    return 0;
}

char *kv_serialize(const kv_t *kv)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        abort();
    for (size_t i = 0; i < kv->len; i++) {
        fputs(kv->pairs[i].key, f);
        fputc('=', f);
        for (const char *c = kv->pairs[i].value; *c; c++) {
            if (*c == '\\')
                fputs("\\\\", f);
            else if (*c == '\n')
                fputs("\\n", f);
            else
                fputc(*c, f);
        }
        fputc('\n', f);
    }
    if (fclose(f) != 0)
        abort();
    return buf;
}

proc_ref_t proc_ref_from_kv(const kv_t *kv, const char *pid_key, const char *start_key)
{
    long long pid, start;
    if (!kv_get_ll(kv, pid_key, 1, 0x7fffffff, &pid) || !kv_get_ll(kv, start_key, 1, INT64_MAX, &start))
        return (proc_ref_t){0};
    return (proc_ref_t){.pid = (pid_t)pid, .start = (unsigned long long)start};
}
