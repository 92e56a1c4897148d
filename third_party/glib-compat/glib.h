/* SPDX-License-Identifier: BSD-3-Clause
 *
 * glib-compat: the small part of glib that libslirp 4.7.0 uses, written for
 * upod so that libslirp can be linked statically with musl without glib.
 *
 * Only what libslirp calls is here (checked by building it: anything missing
 * is a compile error, never a silent fallback). Semantics follow glib's
 * documentation where libslirp depends on them: allocation failure aborts,
 * g_malloc(0) returns NULL, g_error() aborts, g_return_if_fail() logs a
 * critical message and returns.
 */
#ifndef UPOD_GLIB_COMPAT_H
#define UPOD_GLIB_COMPAT_H

#include <endian.h>
#include <signal.h> /* glib.h brings it in (gbacktrace.h); libslirp relies on it */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pretend to be a recent glib: libslirp then takes its modern code paths
 * (g_spawn_async_with_fds instead of its own fallback). */
#define GLIB_MAJOR_VERSION 2
#define GLIB_MINOR_VERSION 74
#define GLIB_MICRO_VERSION 0
#define GLIB_CHECK_VERSION(major, minor, micro)                                   \
    (GLIB_MAJOR_VERSION > (major) ||                                              \
     (GLIB_MAJOR_VERSION == (major) && GLIB_MINOR_VERSION > (minor)) ||           \
     (GLIB_MAJOR_VERSION == (major) && GLIB_MINOR_VERSION == (minor) &&           \
      GLIB_MICRO_VERSION >= (micro)))

#define G_OS_UNIX 1
#define GLIB_SIZEOF_VOID_P __SIZEOF_POINTER__

/* ---- basic types ---- */
typedef char gchar;
typedef unsigned char guchar;
typedef int gint;
typedef unsigned int guint;
typedef short gshort;
typedef unsigned short gushort;
typedef long glong;
typedef unsigned long gulong;
typedef int8_t gint8;
typedef uint8_t guint8;
typedef int16_t gint16;
typedef uint16_t guint16;
typedef int32_t gint32;
typedef uint32_t guint32;
typedef int64_t gint64;
typedef uint64_t guint64;
typedef size_t gsize;
typedef ssize_t gssize;
typedef gint gboolean;
typedef void *gpointer;
typedef const void *gconstpointer;
typedef gchar **GStrv;
typedef int GPid;

#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif

#ifndef MIN
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif

#define G_N_ELEMENTS(arr) (sizeof(arr) / sizeof((arr)[0]))
#define G_LIKELY(expr) __builtin_expect(!!(expr), 1)
#define G_UNLIKELY(expr) __builtin_expect(!!(expr), 0)
#define G_STATIC_ASSERT(expr) _Static_assert(expr, #expr)
#define G_GNUC_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#define G_GNUC_NORETURN __attribute__((noreturn))
#define G_STRINGIFY_ARG(x) #x
#define G_STRINGIFY(x) G_STRINGIFY_ARG(x)

/* ---- byte order ---- */
#define G_LITTLE_ENDIAN 1234
#define G_BIG_ENDIAN 4321
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define G_BYTE_ORDER G_BIG_ENDIAN
#else
#define G_BYTE_ORDER G_LITTLE_ENDIAN
#endif
#define GUINT16_TO_BE(v) ((guint16)htobe16((guint16)(v)))
#define GUINT16_FROM_BE(v) ((guint16)be16toh((guint16)(v)))
#define GINT16_TO_BE(v) ((gint16)htobe16((guint16)(v)))
#define GINT16_FROM_BE(v) ((gint16)be16toh((guint16)(v)))
#define GUINT32_TO_BE(v) ((guint32)htobe32((guint32)(v)))
#define GUINT32_FROM_BE(v) ((guint32)be32toh((guint32)(v)))
#define GINT32_TO_BE(v) ((gint32)htobe32((guint32)(v)))
#define GINT32_FROM_BE(v) ((gint32)be32toh((guint32)(v)))

/* ---- memory ---- */
gpointer g_malloc(gsize n);
gpointer g_malloc0(gsize n);
gpointer g_realloc(gpointer mem, gsize n);
void g_free(gpointer mem);
/* glib checks the multiplication for overflow; so do we. */
gpointer glib_compat_malloc_n(gsize count, gsize size, gboolean zero);
#define g_new(type, count) ((type *)glib_compat_malloc_n((count), sizeof(type), FALSE))
#define g_new0(type, count) ((type *)glib_compat_malloc_n((count), sizeof(type), TRUE))

/* ---- strings ---- */
gchar *g_strdup(const gchar *s);
gsize g_strlcpy(gchar *dest, const gchar *src, gsize dest_size);
gchar *g_strstr_len(const gchar *haystack, gssize haystack_len, const gchar *needle);
gboolean g_str_has_prefix(const gchar *str, const gchar *prefix);
guint g_strv_length(gchar **str_array);
void g_strfreev(gchar **str_array);
const gchar *g_strerror(gint errnum);
const gchar *g_getenv(const gchar *name);
gint g_snprintf(gchar *str, gulong n, const gchar *format, ...) G_GNUC_PRINTF(3, 4);
gint g_vsnprintf(gchar *str, gulong n, const gchar *format, va_list args) G_GNUC_PRINTF(3, 0);

typedef struct {
    gchar *str;
    gsize len;
    gsize allocated_len;
} GString;

GString *g_string_new(const gchar *init);
void g_string_append_printf(GString *string, const gchar *format, ...) G_GNUC_PRINTF(2, 3);
gchar *g_string_free(GString *string, gboolean free_segment);

/* ---- errors ---- */
typedef struct {
    guint32 domain;
    gint code;
    gchar *message;
} GError;

void g_error_free(GError *error);

/* ---- debug keys (SLIRP_DEBUG=call:misc...) ---- */
typedef struct {
    const gchar *key;
    guint value;
} GDebugKey;

guint g_parse_debug_string(const gchar *string, const GDebugKey *keys, guint nkeys);

/* ---- random numbers ---- */
typedef struct GRand GRand;
GRand *g_rand_new(void);
void g_rand_free(GRand *rand);
gint32 g_rand_int_range(GRand *rand, gint32 begin, gint32 end);

/* ---- process spawning: refused, upod does not offer guestfwd exec ---- */
typedef enum {
    G_SPAWN_DEFAULT = 0,
    G_SPAWN_SEARCH_PATH = 1 << 2,
} GSpawnFlags;
typedef void (*GSpawnChildSetupFunc)(gpointer user_data);

gboolean g_shell_parse_argv(const gchar *command_line, gint *argcp, gchar ***argvp,
                            GError **error);
gboolean g_spawn_async_with_fds(const gchar *working_directory, gchar **argv, gchar **envp,
                                GSpawnFlags flags, GSpawnChildSetupFunc child_setup,
                                gpointer user_data, GPid *child_pid, gint stdin_fd,
                                gint stdout_fd, gint stderr_fd, GError **error);

/* ---- logging ---- */
typedef enum {
    G_LOG_LEVEL_ERROR = 1 << 2,
    G_LOG_LEVEL_CRITICAL = 1 << 3,
    G_LOG_LEVEL_WARNING = 1 << 4,
    G_LOG_LEVEL_DEBUG = 1 << 7,
} GLogLevelFlags;

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN ((gchar *)0)
#endif

void g_log(const gchar *domain, GLogLevelFlags level, const gchar *format, ...)
    G_GNUC_PRINTF(3, 4);
/* Where log lines go; upod points this at its own logger. NULL restores the
 * default (stderr, debug lines only when G_MESSAGES_DEBUG is set). */
typedef void (*GlibCompatLogFunc)(const gchar *domain, GLogLevelFlags level, const gchar *message);
void glib_compat_set_log_func(GlibCompatLogFunc func);

void glib_compat_abort(const gchar *file, int line, const gchar *func, const gchar *what)
    G_GNUC_NORETURN;

#define g_debug(...) g_log(G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__)
#define g_warning(...) g_log(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, __VA_ARGS__)
#define g_critical(...) g_log(G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, __VA_ARGS__)
/* g_error() never returns (glib: "log a fatal error and abort"). */
#define g_error(...)                                                                  \
    do {                                                                              \
        g_log(G_LOG_DOMAIN, G_LOG_LEVEL_ERROR, __VA_ARGS__);                          \
        glib_compat_abort(__FILE__, __LINE__, __func__, "g_error");                  \
    } while (0)

#define g_assert(expr)                                                                \
    do {                                                                              \
        if (G_UNLIKELY(!(expr)))                                                      \
            glib_compat_abort(__FILE__, __LINE__, __func__, "assertion failed: " #expr); \
    } while (0)
#define g_assert_not_reached()                                                        \
    glib_compat_abort(__FILE__, __LINE__, __func__, "code should not be reached")

#define g_return_if_fail(expr)                                                        \
    do {                                                                              \
        if (G_UNLIKELY(!(expr))) {                                                    \
            g_critical("%s: assertion '%s' failed", __func__, #expr);                \
            return;                                                                   \
        }                                                                             \
    } while (0)
#define g_return_val_if_fail(expr, val)                                               \
    do {                                                                              \
        if (G_UNLIKELY(!(expr))) {                                                    \
            g_critical("%s: assertion '%s' failed", __func__, #expr);                \
            return (val);                                                             \
        }                                                                             \
    } while (0)
#define g_warn_if_fail(expr)                                                          \
    do {                                                                              \
        if (G_UNLIKELY(!(expr)))                                                      \
            g_warning("%s:%d:%s: runtime check failed: (%s)", __FILE__, __LINE__,     \
                      __func__, #expr);                                               \
    } while (0)
#define g_warn_if_reached()                                                           \
    g_warning("%s:%d:%s: code should not be reached", __FILE__, __LINE__, __func__)

#ifdef __cplusplus
}
#endif

#endif /* UPOD_GLIB_COMPAT_H */
