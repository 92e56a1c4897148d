/* cli.c: option-parsing helpers shared by the subcommands (see cmd.h). */
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/ctr.h"
#include "state/pod.h"
#include "state/state.h"
#include "base/util.h"
#include "cli/cmd.h"

void cli_reset_getopt(void)
{
    optind = 0; /* 0, not 1: also resets getopt's internal state (glibc, musl) */
    opterr = 0;
}

int cli_option_error(int c, int argc, char **argv, const char *usage_cmd, upod_error_t *err)
{
    /* A long option is named by the word the user typed (argv[optind-1]);
     * a short one by optopt. */
    const char *word = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "";
    char name[64];
    if (strncmp(word, "--", 2) == 0)
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(word, "="), word);
    else
        snprintf(name, sizeof(name), "-%c", optopt ? optopt : '?');
    if (c == ':')
        return upod_fail(err, 0, "flag needs an argument: %s (see 'upod %s --help')", name,
                         usage_cmd);
    return upod_fail(err, 0, "unknown flag: %s (see 'upod %s --help')", name, usage_cmd);
}

int cli_no_args(int argc, char **argv, const char *cmd, upod_error_t *err)
{
    if (optind < argc)
        return upod_fail(err, 0, "`upod %s` takes no arguments, got \"%s\"", cmd, argv[optind]);
    return 0;
}

int cli_preserve_fds(const char *arg, unsigned *n, upod_error_t *err)
{
    long count;
    if (!parse_long(arg, 0, 1 << 20, &count))
        return upod_fail(err, 0, "invalid --preserve-fds \"%s\": use a count of fds above 2", arg);
    for (long fd = 3; fd < 3 + count; fd++) {
        if (fcntl((int)fd, F_GETFD) < 0)
            return upod_fail(err, 0, "--preserve-fds %ld: fd %ld is not open (the fds 3 to %ld "
                                     "must be)",
                             count, fd, 2 + count);
    }
    *n = (unsigned)count;
    return 0;
}

void cli_print_error(const upod_error_t *err)
{
    char text[1200];
    fflush(stdout);
    fprintf(stderr, "Error: %s\n", upod_error_text(err, text, sizeof(text)));
}

int cli_for_each_ref(char *const *refs, size_t n, const cli_each_t *how, cli_ref_action_t action,
                     void *ctx)
{
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        upod_error_t one = {0};
        if (action(ctx, refs[i], &one) == 0)
            continue;
        bool no_such = one.kind == UPOD_ERR_NO_SUCH;
        if (no_such && how->skip_no_such)
            continue;
        cli_print_error(&one);
        /* A 1 (nothing of that name) gives way to a later, real failure. */
        if (status == 0 || status == 1)
            status = no_such && how->no_such_is_1 ? 1 : one.status;
    }
    return status;
}

void table_init(table_t *t, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
}

void table_add_row(table_t *t, ...)
{
    va_list ap;
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
    }
    va_start(ap, t);
    for (size_t c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    t->nrows++;
}

void table_print(const table_t *t)
{
    size_t width[16] = {0};
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols && c < 16; c++) {
            size_t len = strlen(t->cells[r * t->ncols + c]);
            if (len > width[c])
                width[c] = len;
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            if (c + 1 == t->ncols)
                printf("%s\n", cell);
            else
                printf("%-*s  ", (int)width[c < 16 ? c : 15], cell);
        }
    }
}

void table_free(table_t *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

int cmd_find_pod(const char *ref, pod_t *out, upod_error_t *err)
{
    state_handle_t st;
    if (state_handle_open(&st, err) < 0)
        return -1;
    int ret = pod_lookup(st.pods_fd, ref, out, err);
    state_handle_close(&st);
    return ret;
}

int cli_one_pod_arg(int argc, char **argv, const char *cmd, const char *usage, upod_error_t *err)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 1;
    }
    if (argc != 2 || argv[1][0] == '-')
        return upod_fail(err, 0, "`upod %s` takes exactly one pod name or ID", cmd);
    return 0;
}

/* ---- --filter KEY=VALUE ---- */

int cli_filter_add(cli_filters_t *fs, const char *text, const char *keys, upod_error_t *err)
{
    const char *eq = strchr(text, '=');
    size_t klen = eq ? (size_t)(eq - text) : 0;
    if (!eq || eq == text)
        return upod_fail(err, 0, "invalid filter \"%s\": use KEY=VALUE (%s)", text, keys);
    /* keys: "a, b and c"; KEY must be one of its words. */
    bool known = false;
    for (const char *k = keys; *k && !known; k += strcspn(k, " ,"), k += strspn(k, " ,")) {
        size_t len = strcspn(k, " ,");
        known = len == klen && strncmp(k, text, klen) == 0 && strncmp(k, "and", len) != 0;
    }
    if (!known)
        return upod_fail(err, 0, "invalid filter \"%.*s\": upod filters on %s", (int)klen, text,
                         keys);
    if (klen == 4 && strncmp(text, "name", 4) == 0) {
        regex_t re;
        if (regcomp(&re, eq + 1, REG_EXTENDED | REG_NOSUB) != 0)
            return upod_fail(err, 0, "invalid name filter \"%s\": not a regular expression",
                             eq + 1);
        regfree(&re);
    }
    fs->items = xrealloc(fs->items, (fs->n + 1) * sizeof(*fs->items));
    fs->items[fs->n].key = xasprintf("%.*s", (int)klen, text);
    fs->items[fs->n].value = xstrdup(eq + 1);
    fs->n++;
    return 0;
}

bool cli_filters_select(const cli_filters_t *fs, cli_filter_match_t match, const void *obj)
{
    for (size_t i = 0; i < fs->n; i++) {
        bool any = false;
        for (size_t j = 0; j < fs->n && !any; j++)
            any = strcmp(fs->items[j].key, fs->items[i].key) == 0 && match(&fs->items[j], obj);
        if (!any)
            return false;
    }
    return true;
}

bool cli_name_matches(const char *regex, const char *name)
{
    regex_t re;
    if (regcomp(&re, regex, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool m = regexec(&re, name, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

void cli_filters_free(cli_filters_t *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->items[i].key);
        free(fs->items[i].value);
    }
    free(fs->items);
    memset(fs, 0, sizeof(*fs));
}

/* The pod whose infra container ref names (name, or a prefix of its id). */
static bool find_infra_pod(const state_handle_t *st, const char *ref, char *pod_name, size_t size)
{
    pod_t *pods;
    size_t n;
    upod_error_t ignored = {0};
    if (!ref[0] || pod_list(st->pods_fd, &pods, &n, &ignored) < 0)
        return false;
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        char infra_name[32];
        pod_infra_name(&pods[i], infra_name, sizeof(infra_name));
        if (strcmp(infra_name, ref) == 0 || str_has_prefix(pods[i].config.infra_id, ref)) {
            snprintf(pod_name, size, "%s", pods[i].config.name);
            found = true;
        }
    }
    pod_list_free(pods, n);
    return found;
}

static int lookup_or_infra(const state_handle_t *st, int ctrs_fd, const char *ref, bool any,
                           ctr_t *out, upod_error_t *err)
{
    if ((any ? ctr_lookup_any : ctr_lookup)(ctrs_fd, ref, out, err) == 0)
        return 0;
    char pod_name[256];
    if (err->kind == UPOD_ERR_NO_SUCH && find_infra_pod(st, ref, pod_name, sizeof(pod_name)))
        return upod_fail(err, 0, "container %s is the infra container of pod %s: it lives and "
                                 "goes with the pod (use 'upod pod stop|rm|inspect %s')",
                         ref, pod_name, pod_name);
    return -1;
}

int cli_ctr_lookup(const state_handle_t *st, int ctrs_fd, const char *ref, ctr_t *out,
                   upod_error_t *err)
{
    return lookup_or_infra(st, ctrs_fd, ref, false, out, err);
}

int cli_ctr_lookup_any(const state_handle_t *st, int ctrs_fd, const char *ref, ctr_t *out,
                       upod_error_t *err)
{
    return lookup_or_infra(st, ctrs_fd, ref, true, out, err);
}

int cmd_list_containers(const state_handle_t *st, struct ctr_record **out, size_t *n,
                        upod_error_t *err)
{
    *out = NULL;
    *n = 0;
    int ctrs_fd = ctrs_dir_open(st->state_fd, err);
    if (ctrs_fd < 0)
        return -1;
    int ret = ctr_list(ctrs_fd, out, n, err);
    close(ctrs_fd);
    return ret;
}
