/* Unit tests: the container option parsers (src/lib/container.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "lib/container.h"

static void test_volumes(void **state)
{
    (void)state;
    volume_t v;
    upod_error_t err = {0};
    assert_int_equal(volume_parse("/a:/b", &v, &err), 0);
    assert_string_equal(v.source, "/a");
    assert_string_equal(v.target, "/b");
    assert_false(v.read_only);
    free(v.source), free(v.target);
    assert_int_equal(volume_parse("/a:/b:ro", &v, &err), 0);
    assert_true(v.read_only);
    free(v.source), free(v.target);
    assert_int_equal(volume_parse("/a:/b:rw", &v, &err), 0);
    assert_false(v.read_only);
    free(v.source), free(v.target);
    const char *bad[] = {"", "/a", ":/b", "a:/b", "/a:b", "/a:/b:xx", "/a:/x/../y", "/a:/x/.."};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(volume_parse(bad[i], &v, &err), -1);
        assert_non_null(strstr(err.msg, "invalid volume"));
    }
}

static void test_users(void **state)
{
    (void)state;
    uid_t u;
    gid_t g;
    upod_error_t err = {0};
    assert_int_equal(user_parse("1000", &u, &g, &err), 0);
    assert_int_equal(u, 1000);
    assert_int_equal(g, 1000);
    assert_int_equal(user_parse("0", &u, &g, &err), 0);
    assert_int_equal(g, 0);
    assert_int_equal(user_parse("5:7", &u, &g, &err), 0);
    assert_int_equal(u, 5);
    assert_int_equal(g, 7);
    assert_int_equal(user_parse("root", &u, &g, &err), -1);
    assert_int_equal(user_parse("1:x", &u, &g, &err), -1);
    assert_int_equal(user_parse("70000", &u, &g, &err), -1);
    assert_int_equal(user_parse("", &u, &g, &err), -1);
}

static void test_env(void **state)
{
    (void)state;
    char *v;
    upod_error_t err = {0};
    assert_int_equal(env_parse("A=1", &v, &err), 0);
    assert_string_equal(v, "A=1");
    free(v);
    assert_int_equal(env_parse("A=", &v, &err), 0);
    assert_string_equal(v, "A=");
    free(v);
    setenv("UPOD_TEST_ENV", "x y", 1);
    assert_int_equal(env_parse("UPOD_TEST_ENV", &v, &err), 0);
    assert_string_equal(v, "UPOD_TEST_ENV=x y");
    free(v);
    unsetenv("UPOD_TEST_ENV");
    assert_int_equal(env_parse("UPOD_TEST_ENV", &v, &err), 0);
    assert_null(v);
    assert_int_equal(env_parse("=1", &v, &err), -1);
    assert_int_equal(env_parse("", &v, &err), -1);
}

static void test_caps(void **state)
{
    (void)state;
    upod_error_t err = {0};
    unsigned long long caps = container_default_caps();
    assert_true(caps == 0x800405fbULL);
    assert_int_equal(container_caps_edit(&caps, "CHOWN", false, &err), 0);
    assert_int_equal(container_caps_edit(&caps, "cap_net_raw", true, &err), 0);
    assert_true(caps == 0x800425faULL);
    assert_int_equal(container_caps_edit(&caps, "all", false, &err), 0);
    assert_true(caps == 0);
    assert_int_equal(container_caps_edit(&caps, "BOGUS", true, &err), -1);
    assert_non_null(strstr(err.msg, "unknown capability"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volumes),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
