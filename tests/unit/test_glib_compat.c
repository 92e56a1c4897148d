/* Unit tests: our glib compatibility layer (third_party/glib-compat), the
 * part of libslirp's runtime that is our own code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib-compat.h>

static void test_strings(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(g_strlcpy(buf, "abcdef", sizeof(buf)), 6);
    assert_string_equal(buf, "abc");
    const char *hello = "hello world";
    assert_ptr_equal(g_strstr_len(hello, -1, "world"), hello + 6);
    const char *hay = "abcdef";
    assert_ptr_equal(g_strstr_len(hay, 6, "def"), hay + 3);
    assert_null(g_strstr_len(hay, 5, "def")); /* beyond the length limit */
    assert_ptr_equal(g_strstr_len(hay, 3, ""), hay);
    assert_true(g_str_has_prefix("http://x", "http://"));
    assert_false(g_str_has_prefix("htt", "http://"));
    char *dup = g_strdup("x");
    assert_string_equal(dup, "x");
    g_free(dup);
    assert_null(g_strdup(NULL));
}

static void test_gstring(void **state)
{
    (void)state;
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 100; i++)
        g_string_append_printf(s, "%d,", i);
    assert_int_equal(s->len, 290);
    gchar *text = g_string_free(s, FALSE);
    assert_memory_equal(text, "0,1,2,", 6);
    g_free(text);
}

static void test_strv(void **state)
{
    (void)state;
    gchar **v = g_new0(gchar *, 3);
    v[0] = g_strdup("a");
    v[1] = g_strdup("b");
    assert_int_equal(g_strv_length(v), 2);
    g_strfreev(v);
}

static void test_debug_string(void **state)
{
    (void)state;
    const GDebugKey keys[] = {{"call", 1}, {"misc", 2}, {"verbose_call", 16}};
    assert_int_equal(g_parse_debug_string("call:misc", keys, 3), 3);
    assert_int_equal(g_parse_debug_string("CALL, verbose-call", keys, 3), 17);
    assert_int_equal(g_parse_debug_string("all", keys, 3), 19);
    assert_int_equal(g_parse_debug_string("nothing", keys, 3), 0);
    assert_int_equal(g_parse_debug_string("cal", keys, 3), 0);
}

static void test_rand_range(void **state)
{
    (void)state;
    GRand *r = g_rand_new();
    int seen_low = 0, seen_high = 0;
    for (int i = 0; i < 20000; i++) {
        gint32 v = g_rand_int_range(r, 49152, 65536);
        assert_true(v >= 49152 && v < 65536);
        seen_low |= v < 50000;
        seen_high |= v > 65000;
    }
    assert_true(seen_low && seen_high);
    assert_int_equal(g_rand_int_range(r, 5, 6), 5);
    g_rand_free(r);
}

static void test_spawn_is_refused(void **state)
{
    (void)state;
    GError *err = NULL;
    gint argc = -1;
    gchar **argv = (gchar **)1;
    assert_false(g_shell_parse_argv("ls -l", &argc, &argv, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "not supported"));
    assert_null(argv);
    g_error_free(err);
    err = NULL;
    GPid pid = 0;
    assert_false(g_spawn_async_with_fds(NULL, NULL, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &pid,
                                        0, 1, 2, &err));
    assert_int_equal(pid, -1);
    g_error_free(err);
}

static void test_alloc(void **state)
{
    (void)state;
    assert_null(g_malloc(0));
    int *p = g_new0(int, 4);
    assert_int_equal(p[3], 0);
    p = g_realloc(p, 8 * sizeof(int));
    g_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),      cmocka_unit_test(test_gstring),
        cmocka_unit_test(test_strv),         cmocka_unit_test(test_debug_string),
        cmocka_unit_test(test_rand_range),   cmocka_unit_test(test_spawn_is_refused),
        cmocka_unit_test(test_alloc),
    };
    return cmocka_run_group_tests_name("glib-compat", tests, NULL, NULL);
}
