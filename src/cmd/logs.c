/* logs.c: `upod logs [--tail N] [-f] [-t] [--since T] CONTAINER`: the
 * k8s-file log a container's monitor writes (logfile.h), the rotated file
 * first; and the following of it that `start -a` shares. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/ctr.h"
#include "../lib/logfile.h"
#include "../lib/state.h"
#include "../lib/timefmt.h"
#include "../lib/util.h"
#include "cmd.h"

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
    long long at;
    if (l->since && rfc3339_parse(time, tlen, &at) && at < l->since)
        return;
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

/* Read one log file from *offset (when given), joining P records into
 * their line; *offset moves past the complete records read. */
static void read_log(int dirfd, const char *name, log_lines_t *l, size_t *offset)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    if (offset && lseek(fd, (off_t)*offset, SEEK_SET) < 0)
        return;
    cleanup_free char *text = NULL;
    size_t len;
    if (read_fd(fd, 64 << 20, &text, &len) < 0)
        return;
    char *partial[2] = {NULL, NULL};
    size_t used = 0;
    for (char *p = text; p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        if (!nl)
            break; /* a record being written: next time */
        log_record_t r;
        if (log_parse_line(p, (size_t)(nl - p), &r)) {
            cleanup_free char *joined = xasprintf("%s%.*s", partial[r.stream] ? partial[r.stream] : "",
                                                  (int)r.text_len, r.text);
            free(partial[r.stream]);
            partial[r.stream] = NULL;
            if (r.partial)
                partial[r.stream] = steal_pointer(&joined);
            else
                add_line(l, r.stream, r.time, r.time_len, joined, strlen(joined));
        }
        p = nl + 1;
        if (!partial[0] && !partial[1])
            used = (size_t)(p - text); /* resume after whole lines only */
    }
    free(partial[0]);
    free(partial[1]);
    if (offset)
        *offset += used;
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

/* New records of the current log file from *offset, until the monitor is
 * gone (what it wrote before going is printed too). */
static void follow(int dirfd, log_lines_t *lines, size_t *offset, const proc_ref_t *monitor,
                   bool timestamps)
{
    for (;;) {
        size_t before = lines->n;
        bool alive = proc_ref_alive(monitor);
        read_log(dirfd, LOG_FILE, lines, offset);
        print_lines(lines, before, timestamps);
        if (!alive)
            break;
        poll(NULL, 0, 50);
    }
}

size_t logs_current_size(int ctrs_fd, const char *id)
{
    upod_error_t ignored = {0};
    cleanup_close int dirfd = state_open_subdir(ctrs_fd, id, false, &ignored);
    struct stat st;
    if (dirfd < 0 || fstatat(dirfd, LOG_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    return (size_t)st.st_size;
}

void logs_follow(int ctrs_fd, const char *id, size_t offset, const proc_ref_t *monitor)
{
    upod_error_t ignored = {0};
    cleanup_close int dirfd = state_open_subdir(ctrs_fd, id, false, &ignored);
    log_lines_t lines = {0};
    if (dirfd >= 0)
        follow(dirfd, &lines, &offset, monitor, false);
    free_lines(&lines);
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
    cmd_state_t st = {-1, -1, NULL};
    if (cmd_state_open(&st, err) < 0)
        return -1;
    cleanup_close int ctrs_fd = ctrs_dir_open(st.state_fd, err);
    ctr_t ctr = {0};
    int ret = ctrs_fd < 0 ? -1 : cli_ctr_lookup(&st, ctrs_fd, argv[optind], &ctr, err);
    cleanup_close int dirfd = ret == 0 ? state_open_subdir(ctrs_fd, ctr.id, false, err) : -1;
    if (ret == 0 && dirfd < 0)
        ret = -1;
    if (ret == 0) {
        size_t offset = 0;
        read_log(dirfd, LOG_OLD_FILE, &lines, NULL);
        read_log(dirfd, LOG_FILE, &lines, &offset);
        size_t from = tail >= 0 && (size_t)tail < lines.n ? lines.n - (size_t)tail : 0;
        print_lines(&lines, from, timestamps);
        if (follow_on)
            follow(dirfd, &lines, &offset, &ctr.monitor, timestamps);
    }
    free_lines(&lines);
    ctr_clear(&ctr);
    cmd_state_close(&st);
    return ret;
}
