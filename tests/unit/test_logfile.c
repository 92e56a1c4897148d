/* Unit tests: the k8s-file log writer and parser (src/lib/logfile.c), and
 * the published-port records of the pod state (src/lib/portspec.c). */
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

#include "lib/logfile.h"
#include "lib/portspec.h"
#include "lib/util.h"

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
        cmocka_unit_test(test_published_port_records),
    };
    return cmocka_run_group_tests_name("logfile", tests, NULL, NULL);
}
