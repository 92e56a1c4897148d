/* SPDX-License-Identifier: BSD-3-Clause
 * glib-compat: implementations of the glib calls libslirp uses. See glib.h. */
#define _GNU_SOURCE
#include "glib.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ---- memory ---- */

static void out_of_memory(gsize n)
{
    char msg[96];
    int len = snprintf(msg, sizeof(msg), "glib-compat: failed to allocate %zu bytes\n", n);
    if (len > 0 && write(STDERR_FILENO, msg, (size_t)len) < 0) {
        /* nothing more can be done: we abort below anyway */
    }
    abort();
}

gpointer g_malloc(gsize n)
{
    if (n == 0)
        return NULL;
    void *p = malloc(n);
    if (!p)
        out_of_memory(n);
    return p;
}

gpointer g_malloc0(gsize n)
{
    if (n == 0)
        return NULL;
    void *p = calloc(1, n);
    if (!p)
        out_of_memory(n);
    return p;
}

gpointer g_realloc(gpointer mem, gsize n)
{
    if (n == 0) {
        free(mem);
        return NULL;
    }
    void *p = realloc(mem, n);
    if (!p)
        out_of_memory(n);
    return p;
}

void g_free(gpointer mem)
{
    free(mem);
}

gpointer glib_compat_malloc_n(gsize count, gsize size, gboolean zero)
{
    gsize total;
    if (__builtin_mul_overflow(count, size, &total))
        out_of_memory((gsize)-1);
    return zero ? g_malloc0(total) : g_malloc(total);
}

/* ---- strings ---- */

gchar *g_strdup(const gchar *s)
{
    if (!s)
        return NULL;
    gsize len = strlen(s) + 1;
    gchar *copy = g_malloc(len);
    memcpy(copy, s, len);
    return copy;
}

gsize g_strlcpy(gchar *dest, const gchar *src, gsize dest_size)
{
    gsize src_len = strlen(src);
    if (dest_size > 0) {
        gsize n = src_len < dest_size - 1 ? src_len : dest_size - 1;
        memcpy(dest, src, n);
        dest[n] = '\0';
    }
    return src_len;
}

gchar *g_strstr_len(const gchar *haystack, gssize haystack_len, const gchar *needle)
{
    if (haystack_len < 0)
        return strstr(haystack, needle);
    gsize needle_len = strlen(needle);
    if (needle_len == 0)
        return (gchar *)haystack;
    /* The haystack ends at haystack_len bytes or at its first NUL. */
    gsize len = strnlen(haystack, (gsize)haystack_len);
    if (needle_len > len)
        return NULL;
    for (gsize i = 0; i + needle_len <= len; i++) {
        if (memcmp(haystack + i, needle, needle_len) == 0)
            return (gchar *)(haystack + i);
    }
    return NULL;
}

gboolean g_str_has_prefix(const gchar *str, const gchar *prefix)
{
    return strncmp(str, prefix, strlen(prefix)) == 0;
}

guint g_strv_length(gchar **str_array)
{
    guint n = 0;
    while (str_array && str_array[n])
        n++;
    return n;
}

void g_strfreev(gchar **str_array)
{
    for (guint i = 0; str_array && str_array[i]; i++)
        free(str_array[i]);
    free(str_array);
}

const gchar *g_strerror(gint errnum)
{
    return strerror(errnum);
}

const gchar *g_getenv(const gchar *name)
{
    return getenv(name);
}

gint g_vsnprintf(gchar *str, gulong n, const gchar *format, va_list args)
{
    return vsnprintf(str, n, format, args);
}

gint g_snprintf(gchar *str, gulong n, const gchar *format, ...)
{
    va_list ap;
    va_start(ap, format);
    gint ret = vsnprintf(str, n, format, ap);
    va_end(ap);
    return ret;
}

GString *g_string_new(const gchar *init)
{
    GString *s = g_new0(GString, 1);
    gsize len = init ? strlen(init) : 0;
    s->allocated_len = len + 64;
    s->str = g_malloc(s->allocated_len);
    if (len)
        memcpy(s->str, init, len);
    s->str[len] = '\0';
    s->len = len;
    return s;
}

void g_string_append_printf(GString *string, const gchar *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int need = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    if (need < 0)
        return;
    gsize want = string->len + (gsize)need + 1;
    if (want > string->allocated_len) {
        gsize grown = string->allocated_len * 2;
        string->allocated_len = grown > want ? grown : want;
        string->str = g_realloc(string->str, string->allocated_len);
    }
    va_start(ap, format);
    vsnprintf(string->str + string->len, (gsize)need + 1, format, ap);
    va_end(ap);
    string->len += (gsize)need;
}

gchar *g_string_free(GString *string, gboolean free_segment)
{
    gchar *segment = string->str;
    if (free_segment) {
        free(segment);
        segment = NULL;
    }
    free(string);
    return segment;
}

/* ---- errors ---- */

void g_error_free(GError *error)
{
    if (!error)
        return;
    free(error->message);
    free(error);
}

static void set_error(GError **error, const gchar *message)
{
    if (!error)
        return;
    GError *e = g_new0(GError, 1);
    e->code = 1;
    e->message = g_strdup(message);
    *error = e;
}

/* ---- debug keys ---- */

/* glib compares keys ignoring case and treating '-' and '_' alike. */
static gboolean debug_key_matches(const gchar *key, const gchar *token, gsize len)
{
    for (gsize i = 0; i < len; i++, key++) {
        if (*key == '\0')
            return FALSE;
        char a = (char)tolower((unsigned char)*key), b = (char)tolower((unsigned char)token[i]);
        if (a == '-')
            a = '_';
        if (b == '-')
            b = '_';
        if (a != b)
            return FALSE;
    }
    return *key == '\0';
}

guint g_parse_debug_string(const gchar *string, const GDebugKey *keys, guint nkeys)
{
    guint result = 0;
    if (!string)
        return 0;
    const gchar *p = string;
    while (*p) {
        gsize len = strcspn(p, ":;, \t");
        if (len == 3 && strncasecmp(p, "all", 3) == 0) {
            for (guint i = 0; i < nkeys; i++)
                result |= keys[i].value;
        } else {
            for (guint i = 0; i < nkeys; i++) {
                if (debug_key_matches(keys[i].key, p, len))
                    result |= keys[i].value;
            }
        }
        p += len;
        if (*p)
            p++;
    }
    return result;
}

/* ---- random numbers: xorshift64*, seeded from the kernel ---- */

struct GRand {
    guint64 state;
};

GRand *g_rand_new(void)
{
    GRand *r = g_new0(GRand, 1);
    if (getrandom(&r->state, sizeof(r->state), GRND_NONBLOCK) != (ssize_t)sizeof(r->state)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r->state = (guint64)ts.tv_nsec ^ ((guint64)ts.tv_sec << 32) ^ (guint64)getpid();
    }
    if (r->state == 0)
        r->state = 0x9e3779b97f4a7c15ULL;
    return r;
}

void g_rand_free(GRand *rand)
{
    free(rand);
}

static guint32 rand_next(GRand *r)
{
    r->state ^= r->state >> 12;
    r->state ^= r->state << 25;
    r->state ^= r->state >> 27;
    return (guint32)((r->state * 0x2545F4914F6CDD1DULL) >> 32);
}

gint32 g_rand_int_range(GRand *rand, gint32 begin, gint32 end)
{
    if (end <= begin)
        return begin;
    guint32 span = (guint32)((gint64)end - (gint64)begin);
    /* Reject the top partial block so every value is equally likely. */
    guint32 limit = UINT32_MAX - (UINT32_MAX % span);
    guint32 v;
    do {
        v = rand_next(rand);
    } while (v >= limit);
    return (gint32)((gint64)begin + (gint64)(v % span));
}

/* ---- spawning: not supported ---- */

static const gchar spawn_refused[] = "running programs (guestfwd exec) is not supported by upod";

gboolean g_shell_parse_argv(const gchar *command_line, gint *argcp, gchar ***argvp,
                            GError **error)
{
    (void)command_line;
    if (argcp)
        *argcp = 0;
    if (argvp)
        *argvp = NULL;
    set_error(error, spawn_refused);
    return FALSE;
}

gboolean g_spawn_async_with_fds(const gchar *working_directory, gchar **argv, gchar **envp,
                                GSpawnFlags flags, GSpawnChildSetupFunc child_setup,
                                gpointer user_data, GPid *child_pid, gint stdin_fd,
                                gint stdout_fd, gint stderr_fd, GError **error)
{
    (void)working_directory, (void)argv, (void)envp, (void)flags, (void)child_setup;
    (void)user_data, (void)stdin_fd, (void)stdout_fd, (void)stderr_fd;
    if (child_pid)
        *child_pid = -1;
    set_error(error, spawn_refused);
    return FALSE;
}

/* ---- logging ---- */

static GlibCompatLogFunc log_func;

void glib_compat_set_log_func(GlibCompatLogFunc func)
{
    log_func = func;
}

static const char *level_name(GLogLevelFlags level)
{
    switch (level) {
    case G_LOG_LEVEL_ERROR:
        return "ERROR";
    case G_LOG_LEVEL_CRITICAL:
        return "CRITICAL";
    case G_LOG_LEVEL_WARNING:
        return "WARNING";
    case G_LOG_LEVEL_DEBUG:
        return "DEBUG";
    }
    return "LOG";
}

void g_log(const gchar *domain, GLogLevelFlags level, const gchar *format, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof(message), format, ap); /* truncates long lines */
    va_end(ap);
    if (log_func) {
        log_func(domain, level, message);
        return;
    }
    if (level == G_LOG_LEVEL_DEBUG && !getenv("G_MESSAGES_DEBUG"))
        return;
    fprintf(stderr, "%s-%s: %s\n", domain ? domain : "glib-compat", level_name(level), message);
}

void glib_compat_abort(const gchar *file, int line, const gchar *func, const gchar *what)
{
    fprintf(stderr, "%s:%d:%s: %s\n", file, line, func, what);
    abort();
}
