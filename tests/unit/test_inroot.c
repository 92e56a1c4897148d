/* Unit tests: paths resolved and made inside a rootfs (src/sandbox/inroot.c),
 * on real directories: symlinks (absolute, "..", dangling) never lead out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/inroot.h"

typedef struct {
    char top[64];        /* holds root/ and outside/ */
    char root[96], outside[96];
    int root_fd;
} tree_t;

static int tree_setup(void **state)
{
    tree_t *t = calloc(1, sizeof(*t));
    strcpy(t->top, "/tmp/upod-test-inroot.XXXXXX");
    if (!mkdtemp(t->top))
        return -1;
    snprintf(t->root, sizeof(t->root), "%s/root", t->top);
    snprintf(t->outside, sizeof(t->outside), "%s/outside", t->top);
    if (mkdir(t->root, 0755) < 0 || mkdir(t->outside, 0755) < 0)
        return -1;
    t->root_fd = open(t->root, O_PATH | O_DIRECTORY);
    *state = t;
    return t->root_fd < 0 ? -1 : 0;
}

static int tree_teardown(void **state)
{
    tree_t *t = *state;
    char cmd[128];
    close(t->root_fd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->top);
    int ret = system(cmd);
    free(t);
    return ret == 0 ? 0 : -1;
}

static void link_in_root(tree_t *t, const char *target, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", t->root, name);
    assert_int_equal(symlink(target, path), 0);
}

/* The real path of what fd names must lie under the root. */
static void assert_inside(tree_t *t, int fd, const char *expected_suffix)
{
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof(real) - 1);
    assert_true(n > 0);
    real[n] = '\0';
    assert_int_equal(strncmp(real, t->root, strlen(t->root)), 0);
    assert_string_equal(real + strlen(t->root), expected_suffix);
}

static void assert_outside_empty(tree_t *t)
{
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", t->outside);
    assert_int_equal(system(cmd), 0);
}

static void test_makes_missing_parents_inside(void **state)
{
    tree_t *t = *state;
    upod_error_t err = {0};
    int fd = inroot_make(t->root_fd, "/a/b/c", false, &err);
    assert_true(fd >= 0);
    assert_inside(t, fd, "/a/b/c");
    close(fd);
    fd = inroot_make(t->root_fd, "/a/b/file", true, &err);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    close(fd);
}

static void test_absolute_symlink_stays_inside(void **state)
{
    tree_t *t = *state;
    upod_error_t err = {0};
    /* /vv -> the host's outside/ (which exists on the host, not in root) */
    link_in_root(t, t->outside, "vv");
    int fd = inroot_make(t->root_fd, "/vv/deeper", false, &err);
    assert_true(fd >= 0);
    char expected[PATH_MAX];
    snprintf(expected, sizeof(expected), "%s/deeper", t->outside);
    assert_inside(t, fd, expected);
    close(fd);
    assert_outside_empty(t);
}

static void test_dotdot_symlink_stays_inside(void **state)
{
    tree_t *t = *state;
    upod_error_t err = {0};
    link_in_root(t, "../../../../../../../../outside", "up");
    int fd = inroot_make(t->root_fd, "/up/x", true, &err);
    assert_true(fd >= 0);
    assert_inside(t, fd, "/outside/x");
    close(fd);
    fd = inroot_make(t->root_fd, "/../../outside/y", false, &err);
    assert_true(fd >= 0);
    assert_inside(t, fd, "/outside/y");
    close(fd);
    assert_outside_empty(t);
}

static void test_symlink_loop_refused(void **state)
{
    tree_t *t = *state;
    upod_error_t err = {0};
    link_in_root(t, "/loop2", "loop1");
    link_in_root(t, "/loop1", "loop2");
    assert_int_equal(inroot_make(t->root_fd, "/loop1/x", false, &err), -1);
    assert_non_null(strstr(err.msg, "/loop1/x"));
}

static void test_file_in_the_way_refused(void **state)
{
    tree_t *t = *state;
    upod_error_t err = {0};
    int fd = inroot_make(t->root_fd, "/plain", true, &err);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(inroot_make(t->root_fd, "/plain/below", false, &err), -1);
}

static void test_dotdot_detection(void **state)
{
    (void)state;
    assert_true(inroot_has_dotdot("/../x"));
    assert_true(inroot_has_dotdot("/a/.."));
    assert_true(inroot_has_dotdot("/a//../b"));
    assert_false(inroot_has_dotdot("/a/..b/c"));
    assert_false(inroot_has_dotdot("/a/b.."));
    assert_false(inroot_has_dotdot("/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_makes_missing_parents_inside, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_absolute_symlink_stays_inside, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_dotdot_symlink_stays_inside, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_symlink_loop_refused, tree_setup, tree_teardown),
        cmocka_unit_test_setup_teardown(test_file_in_the_way_refused, tree_setup, tree_teardown),
        cmocka_unit_test(test_dotdot_detection),
    };
    return cmocka_run_group_tests_name("inroot", tests, NULL, NULL);
}
