/* Unit tests: subordinate id parsing and user-namespace hints (src/sandbox/userns.c),
 * /dev/net/tun hints (src/net/tap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/tap.h"
#include "sandbox/userns.h"

static void test_subid_by_name_and_uid(void **state)
{
    (void)state;
    subid_ranges_t r;
    const char *text = "alice:100000:65536\n"
                       "bob:165536:65536\n"
                       "1000:300000:1000\n";
    subid_parse(text, "alice", 1000, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ranges[0].start, 100000);
    assert_int_equal(r.ranges[0].count, 65536);
    assert_int_equal(r.ranges[1].start, 300000);
    assert_int_equal(r.ranges[1].count, 1000);
    subid_parse(text, "bob", 1001, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ranges[0].start, 165536);
    subid_parse(text, "carol", 1002, &r);
    assert_int_equal(r.n, 0);
}

static void test_subid_malformed_lines_are_skipped(void **state)
{
    (void)state;
    subid_ranges_t r;
    const char *text = "# comment alice:1:2\n"
                       "alice\n"
                       "alice:abc:10\n"
                       "alice:10:0\n"
                       "alice:10:-5\n"
                       "alice:4294967295:10\n"   /* past the 32-bit id space */
                       "alice:1:2:3\n"           /* count must be a number */
                       "\n"
                       "alicex:5:5\n"
                       "alice:200000:10";        /* no final newline */
    subid_parse(text, "alice", 1000, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ranges[0].start, 200000);
    assert_int_equal(r.ranges[0].count, 10);
}

static void test_subid_range_limit(void **state)
{
    (void)state;
    char text[4096] = "";
    for (int i = 0; i < SUBID_MAX_RANGES + 5; i++) {
        char line[64];
        snprintf(line, sizeof(line), "u:%d:1\n", 1000 + i);
        strcat(text, line);
    }
    subid_ranges_t r;
    subid_parse(text, "u", 5, &r);
    assert_int_equal(r.n, SUBID_MAX_RANGES);
}

static void test_userns_hints(void **state)
{
    (void)state;
    char buf[512];
    userns_failure_hint(ENOSPC, 0, -1, -1, buf, sizeof(buf));
    assert_non_null(strstr(buf, "user.max_user_namespaces"));
    userns_failure_hint(EPERM, 1000, 0, -1, buf, sizeof(buf));
    assert_non_null(strstr(buf, "kernel.unprivileged_userns_clone=1"));
    userns_failure_hint(EPERM, 1000, 1, 1, buf, sizeof(buf));
    assert_non_null(strstr(buf, "AppArmor"));
    userns_failure_hint(EPERM, 1000, -1, -1, buf, sizeof(buf));
    assert_non_null(strstr(buf, "seccomp"));
    userns_failure_hint(EINVAL, 1000, -1, -1, buf, sizeof(buf));
    assert_non_null(strstr(buf, "CONFIG_USER_NS"));
}

static void test_tun_hints(void **state)
{
    (void)state;
    char buf[512];
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_mode = S_IFCHR | 0600;
    st.st_uid = 0;
    tun_failure_hint(EACCES, &st, buf, sizeof(buf));
    assert_non_null(strstr(buf, "mode 0600 owned by uid 0"));
    assert_non_null(strstr(buf, "chmod 0666 /dev/net/tun"));
    tun_failure_hint(ENOENT, NULL, buf, sizeof(buf));
    assert_non_null(strstr(buf, "modprobe tun"));
    tun_failure_hint(ENODEV, NULL, buf, sizeof(buf));
    assert_non_null(strstr(buf, "CONFIG_TUN"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subid_by_name_and_uid),
        cmocka_unit_test(test_subid_malformed_lines_are_skipped),
        cmocka_unit_test(test_subid_range_limit),
        cmocka_unit_test(test_userns_hints),
        cmocka_unit_test(test_tun_hints),
    };
    return cmocka_run_group_tests_name("userns", tests, NULL, NULL);
}
