/* logs.c: `upod logs [--tail N] [-f] [-t] [--since T] CONTAINER`: the
 * k8s-file log a container's monitor writes (logfile.h), the rotated file
 * first, read with logfile.h's reader (which follows rotations); and the
 * following of it that `start -a` shares. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/ctr.h"
#include "state/logfile.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "cli/cmd.h"

typedef struct {
    char **lines; /* complete lines, P records joined */
    int *streams;
    char **times;
    size_t n, cap;
    long long since; /* ns; records before it are skipped (0: none) */
} log_lines_t;

static void add_line(log_lines_t *l, int stream, const char *time, size_t tlen, const char *text,
                     size_t len)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->lines = xrealloc(l->lines, l->cap * sizeof(char *));
        l->streams = xrealloc(l->streams, l->cap * sizeof(int));
        l->times = xrealloc(l->times, l->cap * sizeof(char *));
    }
    l->lines[l->n] = xasprintf("%.*s", (int)len, text);
    l->times[l->n] = xasprintf("%.*s", (int)tlen, time);
    l->streams[l->n++] = stream;
}

static bool before_since(long long since, const log_record_t *rec)
{
    long long at;
    return since && rfc3339_parse(rec->time, rec->time_len, &at) && at < since;
}

static void collect_line(void *ctx, const log_record_t *rec)
{
    log_lines_t *l = ctx;
    if (!before_since(l->since, rec))
        add_line(l, rec->stream, rec->time, rec->time_len, rec->text, rec->text_len);
}

typedef struct {
    long long since;
    bool timestamps;
} print_opts_t;

static void print_line(void *ctx, const log_record_t *rec)
{
    const print_opts_t *o = ctx;
    if (before_since(o->since, rec))
        return;
    FILE *out = rec->stream ? stderr : stdout;
    if (o->timestamps)
        fprintf(out, "%.*s ", (int)rec->time_len, rec->time);
    fwrite(rec->text, 1, rec->text_len, out);
    fputc('\n', out);
}

static void print_lines(const log_lines_t *l, size_t from, bool timestamps)
{
    for (size_t i = from; i < l->n; i++) {
        FILE *out = l->streams[i] ? stderr : stdout;
        if (timestamps)
            fprintf(out, "%s %s\n", l->times[i], l->lines[i]);
        else
            fprintf(out, "%s\n", l->lines[i]);
    }
    fflush(stdout);
    fflush(stderr);
}

static void free_lines(log_lines_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->lines[i]);
        free(l->times[i]);
    }
    free(l->lines);
    free(l->times);
    free(l->streams);
    memset(l, 0, sizeof(*l));
}

/* What one poll reads at most: the loop checks the monitor and the output
 * in between. What is on disk at once (two files) fits in one read. */
#define FOLLOW_BUDGET (1 << 20)
#define ON_DISK_MAX (2 * LOG_MAX_BYTES + (1 << 20))

/* Print new lines as they come, across rotations, until the monitor is
 * gone (what it wrote before going is printed too) or no one reads. */
static void follow(log_reader_t *r, const proc_ref_t *monitor, const print_opts_t *o)
{
    for (;;) {
        bool alive = proc_ref_alive(monitor);
        int more = log_reader_poll(r, FOLLOW_BUDGET, print_line, (void *)o);
        fflush(stdout);
        fflush(stderr);
        if (ferror(stdout) || ferror(stderr))
            break; /* `upod logs -f | head`: the reader went */
        if (more)
            continue;
        if (!alive)
            break;
        poll(NULL, 0, 50);
    }
}

int logs_follow_open(int ctrs_fd, const char *id, log_reader_t *r, upod_error_t *err)
{
    cleanup_close int dirfd = state_open_subdir(ctrs_fd, id, false, err);
    if (dirfd < 0)
        return -1;
    if (log_reader_open(r, dirfd, LOG_FROM_END, err) < 0)
        return -1;
    r->dirfd = steal_fd(&dirfd);
    return 0;
}

void logs_follow_close(log_reader_t *r)
{
    int dirfd = r->dirfd;
    log_reader_close(r);
    close(dirfd);
}

void logs_follow(log_reader_t *r, const proc_ref_t *monitor)
{
    print_opts_t o = {0, false};
    follow(r, monitor, &o);
    logs_follow_close(r);
}

static const char logs_usage[] =
    "Usage: upod logs [--tail N] [-f] [-t] [--since TIME] CONTAINER\n\n"
    "Show a container's output.\n\n"
    "Options:\n"
    "  -n, --tail N        only the last N lines\n"
    "  -f, --follow        keep printing new output until the container exits\n"
    "  -t, --timestamps    show each line's time\n"
    "      --since TIME    only output since TIME: RFC 3339 (2026-11-29T10:00:00Z), a Unix\n"
    "                      time, or a duration back from now (10m, 1h30m)\n";

int cmd_logs(int argc, char **argv, upod_error_t *err)
{
    enum { O_SINCE = 256 };
    static const struct option opts[] = {
        {"tail", required_argument, NULL, 'n'}, {"follow", no_argument, NULL, 'f'},
        {"timestamps", no_argument, NULL, 't'}, {"since", required_argument, NULL, O_SINCE},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    long tail = -1;
    bool follow_on = false, timestamps = false;
    log_lines_t lines = {0};
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:n:fth", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_long(optarg, -1, 1L << 30, &tail))
                return upod_fail(err, 0, "invalid --tail \"%s\": a number of lines", optarg);
            break;
        case 'f': follow_on = true; break;
        case 't': timestamps = true; break;
        case O_SINCE:
            if (!time_parse_since(optarg, time_now_ns(), &lines.since))
                return upod_fail(err, 0, "invalid --since \"%s\": use RFC 3339 "
                                         "(2026-11-29T10:00:00Z), a Unix time or a duration "
                                         "(10m)",
                                 optarg);
            break;
        case 'h': fputs(logs_usage, stdout); return 0;
        default: return cli_option_error(c, argc, argv, "logs", err);
        }
    }
    if (optind != argc - 1)
        return upod_fail(err, 0, "`upod logs` takes exactly one container name or ID");
    state_handle_t st = {-1, -1, NULL};
    if (state_handle_open(&st, err) < 0)
        return -1;
    cleanup_close int ctrs_fd = ctrs_dir_open(st.state_fd, err);
    ctr_t ctr = {0};
    int ret = ctrs_fd < 0 ? -1 : cli_ctr_lookup(&st, ctrs_fd, argv[optind], &ctr, err);
    cleanup_close int dirfd = ret == 0 ? state_open_subdir(ctrs_fd, ctr.id, false, err) : -1;
    if (ret == 0 && dirfd < 0)
        ret = -1;
    log_reader_t reader;
    if (ret == 0)
        ret = log_reader_open(&reader, dirfd, LOG_FROM_OLDEST, err);
    if (ret == 0) {
        /* What is on disk, the old file first (all of it for --tail's
         * count), then, with -f, what comes. */
        print_opts_t o = {lines.since, timestamps};
        if (tail < 0) {
            log_reader_poll(&reader, ON_DISK_MAX, print_line, &o);
        } else {
            log_reader_poll(&reader, ON_DISK_MAX, collect_line, &lines);
            print_lines(&lines, (size_t)tail < lines.n ? lines.n - (size_t)tail : 0, timestamps);
        }
        fflush(stdout);
        fflush(stderr);
        if (follow_on)
            follow(&reader, &ctr.monitor, &o);
        log_reader_close(&reader);
    }
    free_lines(&lines);
    ctr_clear(&ctr);
    state_handle_close(&st);
    return ret;
}
