/* Unit tests: the k8s-file log writer, parser and reader (src/state/logfile.c), and
 * the published-port records of the pod state (src/text/portspec.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/logfile.h"
#include "text/portspec.h"
#include "base/util.h"

static int temp_dir(char *path)
{
    strcpy(path, "/tmp/upod-unit-XXXXXX");
    assert_non_null(mkdtemp(path));
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    return fd;
}

static char *read_log(int dirfd, const char *name)
{
    char *text = NULL;
    assert_int_equal(read_file_at(dirfd, name, 1 << 26, &text, NULL), 0);
    return text;
}

static void remove_dir(const char *path, int dirfd)
{
    unlinkat(dirfd, LOG_FILE, 0);
    unlinkat(dirfd, LOG_OLD_FILE, 0);
    close(dirfd);
    rmdir(path);
}

static void test_lines_streams_and_partials(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_writer_t w;
    upod_error_t err = {0};
    assert_int_equal(log_writer_open(&w, dirfd, &err), 0);
    log_writer_add(&w, 0, "one\ntw", 6);
    log_writer_add(&w, 1, "err\n", 4);
    log_writer_add(&w, 0, "o\nunfinished", 12);
    log_writer_close(&w); /* flushes "unfinished" */
    char *text = read_log(dirfd, LOG_FILE);
    const char *want[][2] = {{"stdout", "one"}, {"stderr", "err"}, {"stdout", "two"},
                             {"stdout", "unfinished"}};
    char *line = text;
    for (size_t i = 0; i < 4; i++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        log_record_t r;
        assert_true(log_parse_line(line, (size_t)(nl - line), &r));
        assert_int_equal(r.stream, strcmp(want[i][0], "stderr") == 0);
        assert_false(r.partial);
        assert_int_equal(r.text_len, strlen(want[i][1]));
        assert_memory_equal(r.text, want[i][1], r.text_len);
        /* RFC 3339 with nanoseconds and a numeric zone. */
        assert_int_equal(r.time_len, strlen("2026-11-29T03:31:14.123456789+00:00"));
        line = nl + 1;
    }
    assert_int_equal(*line, '\0');
    free(text);
    remove_dir(path, dirfd);
}

static void test_long_line_is_split_into_partials(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_writer_t w;
    upod_error_t err = {0};
    assert_int_equal(log_writer_open(&w, dirfd, &err), 0);
    size_t n = LOG_LINE_MAX * 2 + 10;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\n';
    log_writer_add(&w, 0, big, n + 1);
    log_writer_close(&w);
    char *text = read_log(dirfd, LOG_FILE);
    size_t records = 0, partials = 0, total = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        log_record_t r;
        assert_true(log_parse_line(line, (size_t)(nl - line), &r));
        records++;
        partials += r.partial;
        total += r.text_len;
        line = nl + 1;
    }
    assert_int_equal(records, 3);
    assert_int_equal(partials, 2);
    assert_int_equal(total, n);
    free(big);
    free(text);
    remove_dir(path, dirfd);
}

static void test_rotation_keeps_one_old_file(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_writer_t w;
    upod_error_t err = {0};
    assert_int_equal(log_writer_open(&w, dirfd, &err), 0);
    char line[1001];
    memset(line, 'y', 1000);
    line[1000] = '\n';
    for (int i = 0; i < (LOG_MAX_BYTES / 1000) * 3; i++)
        log_writer_add(&w, 0, line, sizeof(line));
    log_writer_close(&w);
    struct stat cur, old;
    assert_int_equal(fstatat(dirfd, LOG_FILE, &cur, 0), 0);
    assert_int_equal(fstatat(dirfd, LOG_OLD_FILE, &old, 0), 0);
    assert_true(cur.st_size < LOG_MAX_BYTES + 2000);
    assert_true(old.st_size >= LOG_MAX_BYTES && old.st_size < LOG_MAX_BYTES + 2000);
    remove_dir(path, dirfd);
}

static void test_parse_rejects_garbage(void **state)
{
    (void)state;
    log_record_t r;
    const char *bad[] = {"", "nospace", "t stdin F x", "t stdout X x", "t stdout F"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(log_parse_line(bad[i], strlen(bad[i]), &r));
    assert_true(log_parse_line("t stdout P ", 11, &r));
    assert_true(r.partial);
    assert_int_equal(r.text_len, 0);
}

/* ---- the reader, following the writer across rotations ---- */

/* What a follower received: line numbers, checked as they come. */
typedef struct {
    long *seen;
    size_t n, cap;
    size_t long_lines; /* lines longer than a record, joined from P records */
} received_t;

static void receive_line(void *ctx, const log_record_t *rec)
{
    received_t *r = ctx;
    char num[16] = "";
    size_t digits = 0;
    while (digits < rec->text_len && digits < sizeof(num) - 1 && rec->text[digits] >= '0' &&
           rec->text[digits] <= '9')
        digits++;
    assert_true(digits > 0);
    memcpy(num, rec->text, digits);
    num[digits] = '\0';
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->seen = xrealloc(r->seen, r->cap * sizeof(long));
    }
    r->seen[r->n++] = strtol(num, NULL, 10);
    if (rec->text_len > LOG_LINE_MAX)
        r->long_lines++;
    assert_int_equal(rec->stream, 0);
    assert_false(rec->partial);
}

/* Line i of the test: its number, then filler; every 997th is longer than
 * a record, so that P records cross rotations too. */
static size_t make_line(char *buf, size_t size, long i)
{
    size_t len = (i % 997 == 0) ? LOG_LINE_MAX * 2 + 100 : 90 + (size_t)(i % 40);
    assert_true(len + 1 <= size);
    int n = snprintf(buf, size, "%ld ", i);
    memset(buf + n, 'a' + (int)(i % 26), len - (size_t)n);
    buf[len] = '\n';
    return len + 1;
}

static void remove_logs(const char *path, int dirfd)
{
    remove_dir(path, dirfd);
}

/* Write `lines` lines through the real writer, the follower polling every
 * poll_every bytes written (and once more at the end); returns what it got. */
static void write_and_follow(int dirfd, log_reader_t *reader, long lines, size_t poll_every,
                             size_t budget, received_t *got)
{
    log_writer_t w;
    upod_error_t err = {0};
    assert_int_equal(log_writer_open(&w, dirfd, &err), 0);
    size_t size = LOG_LINE_MAX * 3;
    char *buf = malloc(size);
    size_t since_poll = 0;
    for (long i = 0; i < lines; i++) {
        size_t len = make_line(buf, size, i);
        log_writer_add(&w, 0, buf, len);
        since_poll += len;
        if (since_poll >= poll_every) {
            while (log_reader_poll(reader, budget, receive_line, got) == 1)
                ;
            since_poll = 0;
        }
    }
    log_writer_close(&w);
    while (log_reader_poll(reader, budget, receive_line, got) == 1)
        ;
    free(buf);
}

static void assert_all_once_in_order(const received_t *got, long lines)
{
    assert_int_equal(got->n, (size_t)lines);
    for (size_t i = 0; i < got->n; i++) {
        if (got->seen[i] != (long)i)
            fail_msg("line %zu: got number %ld (lost, repeated or out of order)", i, got->seen[i]);
    }
}

/* About 40 MiB through the writer, 4 rotations and more: polled often, and
 * with a small read budget (the poll stops and goes on). */
static void test_reader_follows_rotations(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_reader_t reader;
    upod_error_t err = {0};
    assert_int_equal(log_reader_open(&reader, dirfd, LOG_FROM_OLDEST, &err), 0);
    received_t got = {0};
    long lines = 250000;
    write_and_follow(dirfd, &reader, lines, 256 << 10, 100 << 10, &got);
    assert_all_once_in_order(&got, lines);
    assert_true(got.long_lines > 200);
    log_reader_close(&reader);
    free(got.seen);
    remove_logs(path, dirfd);
}

/* The writer rotates twice between two polls: the file being read was
 * renamed, then replaced as ctr.log.1; the reader finishes it through its
 * fd, then reads ctr.log.1 (the next one), then ctr.log. */
static void test_reader_two_rotations_between_polls(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_reader_t reader;
    upod_error_t err = {0};
    assert_int_equal(log_reader_open(&reader, dirfd, LOG_FROM_OLDEST, &err), 0);
    received_t got = {0};
    long lines = 250000;
    write_and_follow(dirfd, &reader, lines, LOG_MAX_BYTES + LOG_MAX_BYTES / 2, 64 << 20, &got);
    assert_all_once_in_order(&got, lines);
    log_reader_close(&reader);
    free(got.seen);
    remove_logs(path, dirfd);
}

/* Three rotations between polls: a whole file went before the reader
 * could open it. Those lines are gone (the cap), but nothing is repeated
 * or out of order, and every line still on disk arrives. */
static void test_reader_three_rotations_lose_only_what_is_gone(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_reader_t reader;
    upod_error_t err = {0};
    assert_int_equal(log_reader_open(&reader, dirfd, LOG_FROM_OLDEST, &err), 0);
    received_t got = {0};
    long lines = 400000;
    write_and_follow(dirfd, &reader, lines, 3 * LOG_MAX_BYTES + LOG_MAX_BYTES / 2, 64 << 20, &got);
    assert_true(got.n < (size_t)lines);
    for (size_t i = 1; i < got.n; i++)
        assert_true(got.seen[i] > got.seen[i - 1]);
    /* What is on disk now is the end of what the follower got. */
    log_reader_t disk;
    assert_int_equal(log_reader_open(&disk, dirfd, LOG_FROM_OLDEST, &err), 0);
    received_t on_disk = {0};
    assert_int_equal(log_reader_poll(&disk, 64 << 20, receive_line, &on_disk), 0);
    assert_true(on_disk.n > 0 && on_disk.n <= got.n);
    assert_int_equal(on_disk.seen[on_disk.n - 1], lines - 1);
    assert_memory_equal(on_disk.seen, got.seen + got.n - on_disk.n, on_disk.n * sizeof(long));
    log_reader_close(&disk);
    log_reader_close(&reader);
    free(on_disk.seen);
    free(got.seen);
    remove_logs(path, dirfd);
}

/* LOG_FROM_END (start -a): only what is written after the open, and the
 * old file left from before is not read. */
static void test_reader_from_end(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    log_writer_t w;
    upod_error_t err = {0};
    char *line = malloc(LOG_LINE_MAX * 3);
    assert_int_equal(log_writer_open(&w, dirfd, &err), 0);
    for (long i = 0; i < 100000; i++) /* one rotation: an old file and a current one */
        log_writer_add(&w, 0, line, make_line(line, LOG_LINE_MAX * 3, 1000000 + i));
    log_writer_close(&w);
    free(line);
    struct stat st;
    assert_int_equal(fstatat(dirfd, LOG_OLD_FILE, &st, 0), 0);
    log_reader_t reader;
    assert_int_equal(log_reader_open(&reader, dirfd, LOG_FROM_END, &err), 0);
    received_t got = {0};
    long lines = 150000;
    write_and_follow(dirfd, &reader, lines, 1 << 20, 64 << 20, &got);
    assert_all_once_in_order(&got, lines);
    log_reader_close(&reader);
    free(got.seen);
    /* With no ctr.log at all (only an old file), the old one is skipped
     * and the new ctr.log read from its start. */
    assert_int_equal(unlinkat(dirfd, LOG_FILE, 0), 0);
    assert_int_equal(log_reader_open(&reader, dirfd, LOG_FROM_END, &err), 0);
    received_t later = {0};
    write_and_follow(dirfd, &reader, 1000, 1 << 20, 64 << 20, &later);
    assert_all_once_in_order(&later, 1000);
    log_reader_close(&reader);
    free(later.seen);
    remove_logs(path, dirfd);
}

/* A truncated file is read again from its start; garbage and lines too
 * long to be records are skipped, the records around them kept. */
static void test_reader_truncation_and_garbage(void **state)
{
    (void)state;
    char path[64];
    int dirfd = temp_dir(path);
    int fd = openat(dirfd, LOG_FILE, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    const char *first = "t stdout F 0 one\nnot a record\nt stdout P 1 a\nt stdout F b\n";
    assert_int_equal(write(fd, first, strlen(first)), (ssize_t)strlen(first));
    log_reader_t reader;
    upod_error_t err = {0};
    assert_int_equal(log_reader_open(&reader, dirfd, LOG_FROM_OLDEST, &err), 0);
    received_t got = {0};
    assert_int_equal(log_reader_poll(&reader, 1 << 20, receive_line, &got), 0);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.seen[1], 1);
    assert_int_equal(ftruncate(fd, 0), 0);
    size_t junk_len = LOG_LINE_MAX * 4;
    char *junk = malloc(junk_len);
    memset(junk, 'z', junk_len);
    junk[junk_len - 1] = '\n';
    assert_int_equal(write(fd, junk, junk_len), (ssize_t)junk_len);
    const char *after = "t stdout F 2\n";
    assert_int_equal(write(fd, after, strlen(after)), (ssize_t)strlen(after));
    assert_int_equal(log_reader_poll(&reader, 1 << 20, receive_line, &got), 0);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.seen[2], 2);
    free(junk);
    close(fd);
    log_reader_close(&reader);
    free(got.seen);
    remove_logs(path, dirfd);
}

static void test_published_port_records(void **state)
{
    (void)state;
    published_port_t p = {.host_port = 8080, .container_port = 80, .proto = PORT_PROTO_TCP,
                          .listen_fd = -1};
    published_port_t back;
    char *text = published_port_format(&p);
    assert_string_equal(text, ":8080:80/tcp");
    assert_int_equal(published_port_parse(text, &back), 0);
    assert_int_equal(back.host_port, 8080);
    assert_string_equal(back.host_ip, "");
    assert_false(back.via_slirp);
    free(text);
    strcpy(p.host_ip, "::1");
    p.proto = PORT_PROTO_UDP;
    p.via_slirp = true;
    text = published_port_format(&p);
    assert_string_equal(text, "[::1]:8080:80/udp,slirp");
    assert_int_equal(published_port_parse(text, &back), 0);
    assert_string_equal(back.host_ip, "::1");
    assert_int_equal(back.proto, PORT_PROTO_UDP);
    assert_true(back.via_slirp);
    free(text);
    assert_int_equal(published_port_parse("garbage", &back), -1);
    assert_int_equal(published_port_parse("1-2:1-2/tcp", &back), -1); /* one port per record */
    char *desc = published_describe(&p, 1);
    assert_string_equal(desc, "80/udp -> [::1]:8080\n");
    free(desc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_streams_and_partials),
        cmocka_unit_test(test_long_line_is_split_into_partials),
        cmocka_unit_test(test_rotation_keeps_one_old_file),
        cmocka_unit_test(test_parse_rejects_garbage),
        cmocka_unit_test(test_reader_follows_rotations),
        cmocka_unit_test(test_reader_two_rotations_between_polls),
        cmocka_unit_test(test_reader_three_rotations_lose_only_what_is_gone),
        cmocka_unit_test(test_reader_from_end),
        cmocka_unit_test(test_reader_truncation_and_garbage),
        cmocka_unit_test(test_published_port_records),
    };
    return cmocka_run_group_tests_name("logfile", tests, NULL, NULL);
}
