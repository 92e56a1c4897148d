/* Unit tests: the state-directory rules (src/state/state.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"
#include "base/util.h"

static void choose(const char *xdg, const char *tmpdir, bool run_user_ours, state_dir_choice_t *c,
                   int expect_ret, upod_error_t *err)
{
    state_env_t env = {.xdg_runtime_dir = xdg, .tmpdir = tmpdir, .uid = 1000,
                       .run_user_ours = run_user_ours};
    memset(c, 0, sizeof(*c));
    assert_int_equal(state_dir_choose(&env, c, err), expect_ret);
}

static void test_xdg_runtime_dir_wins(void **state)
{
    (void)state;
    state_dir_choice_t c;
    upod_error_t err = {0};
    choose("/run/user/1000", "/var/tmp", true, &c, 0, &err);
    assert_string_equal(c.path, "/run/user/1000/upod");
    assert_int_equal(c.rule, STATE_RULE_XDG_RUNTIME_DIR);
    state_dir_choice_clear(&c);
    choose("/srv/x", NULL, false, &c, 0, &err);
    assert_string_equal(c.path, "/srv/x/upod");
    state_dir_choice_clear(&c);
}

static void test_relative_xdg_runtime_dir_is_refused(void **state)
{
    (void)state;
    state_dir_choice_t c;
    upod_error_t err = {0};
    choose("relative/dir", NULL, true, &c, -1, &err);
    assert_int_equal(err.status, 125);
    assert_non_null(strstr(err.msg, "not an absolute path"));
    assert_null(c.path);
}

static void test_empty_xdg_falls_back_to_run_user(void **state)
{
    (void)state;
    state_dir_choice_t c;
    upod_error_t err = {0};
    choose("", "/var/tmp", true, &c, 0, &err);
    assert_string_equal(c.path, "/run/user/1000/upod");
    assert_int_equal(c.rule, STATE_RULE_RUN_USER);
    state_dir_choice_clear(&c);
}

static void test_tmpdir_fallback(void **state)
{
    (void)state;
    state_dir_choice_t c;
    upod_error_t err = {0};
    choose(NULL, "/var/tmp", false, &c, 0, &err);
    assert_string_equal(c.path, "/var/tmp/upod-1000");
    assert_int_equal(c.rule, STATE_RULE_TMPDIR);
    state_dir_choice_clear(&c);
    /* A relative or missing TMPDIR means /tmp. */
    choose(NULL, "rel", false, &c, 0, &err);
    assert_string_equal(c.path, "/tmp/upod-1000");
    state_dir_choice_clear(&c);
    choose(NULL, NULL, false, &c, 0, &err);
    assert_string_equal(c.path, "/tmp/upod-1000");
    state_dir_choice_clear(&c);
}

/* /dev/shm, /dev/mqueue and /proc are the pod's own inside a pod. */
static void test_state_dir_hidden_in_pods_is_refused(void **state)
{
    (void)state;
    state_dir_choice_t c;
    upod_error_t err = {0};
    choose("/dev/shm/run", NULL, true, &c, -1, &err);
    assert_non_null(strstr(err.msg, "is under /dev/shm"));
    assert_null(c.path);
    choose(NULL, "/dev/mqueue", false, &c, -1, &err);
    assert_non_null(strstr(err.msg, "is under /dev/mqueue"));
    choose("/dev/shmx", NULL, true, &c, 0, &err); /* a different directory */
    assert_string_equal(c.path, "/dev/shmx/upod");
    state_dir_choice_clear(&c);
    assert_string_equal(path_hidden_in_pods("/proc"), "/proc");
    assert_string_equal(path_hidden_in_pods("/proc/1/root"), "/proc");
    assert_null(path_hidden_in_pods("/procfs/x"));
    assert_null(path_hidden_in_pods("/srv/dev/shm"));
}

static struct stat fake_stat(mode_t mode, uid_t uid)
{
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_mode = mode;
    st.st_uid = uid;
    return st;
}

static void test_check_accepts_private_dir(void **state)
{
    (void)state;
    upod_error_t err = {0};
    struct stat st = fake_stat(S_IFDIR | 0700, 1000);
    assert_int_equal(state_dir_check_stat("/x", &st, 1000, &err), 0);
}

static void test_check_refusals(void **state)
{
    (void)state;
    upod_error_t err = {0};
    struct stat st = fake_stat(S_IFLNK | 0777, 1000);
    assert_int_equal(state_dir_check_stat("/x", &st, 1000, &err), -1);
    assert_non_null(strstr(err.msg, "symlink"));

    st = fake_stat(S_IFREG | 0600, 1000);
    assert_int_equal(state_dir_check_stat("/x", &st, 1000, &err), -1);
    assert_non_null(strstr(err.msg, "not a directory"));

    st = fake_stat(S_IFDIR | 0700, 0);
    assert_int_equal(state_dir_check_stat("/x", &st, 1000, &err), -1);
    assert_non_null(strstr(err.msg, "owned by uid 0"));

    st = fake_stat(S_IFDIR | 0750, 1000);
    assert_int_equal(state_dir_check_stat("/x", &st, 1000, &err), -1);
    assert_non_null(strstr(err.msg, "mode 0750"));
    assert_non_null(strstr(err.msg, "chmod 0700 /x"));

    st = fake_stat(S_IFDIR | 0701, 1000);
    assert_int_equal(state_dir_check_stat("/x", &st, 1000, &err), -1);
}

/* Salvage keeps the well-formed lines of a bad file, skips garbage and a
 * line far longer than any record's (a 5 MB one), and state_read_file
 * refuses a file over STATE_FILE_MAX with EFBIG (an entry's own fault). */
static void test_salvage_and_size_limit(void **state)
{
    (void)state;
    char dir[] = "/tmp/upod-test-state.XXXXXX";
    assert_non_null(mkdtemp(dir));
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    char path[300];
    snprintf(path, sizeof(path), "%s/rec", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("monitor_pid=42\ngarbage here\n\x01\x02\narg=", f);
    for (int i = 0; i < 5 * 1024 * 1024; i++)
        fputc('x', f);
    fputs("\nmonitor_start=77\nlast=no newline", f);
    fclose(f);
    char *text = NULL;
    upod_error_t err = {0};
    assert_int_equal(state_read_file(fd, "rec", &text, &err), -1);
    assert_int_equal(err.errnum, EFBIG);
    assert_false(state_error_is_transient(&err));
    kv_t kv;
    state_salvage_file(fd, "rec", &kv);
    assert_string_equal(kv_get(&kv, "monitor_pid"), "42");
    assert_string_equal(kv_get(&kv, "monitor_start"), "77");
    assert_string_equal(kv_get(&kv, "last"), "no newline");
    assert_null(kv_get(&kv, "arg"));
    kv_clear(&kv);
    /* Not a regular file: refused, never blocked on. */
    snprintf(path, sizeof(path), "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(state_read_file(fd, "fifo", &text, &err), -1);
    state_salvage_file(fd, "fifo", &kv);
    assert_int_equal(kv.len, 0);
    upod_error_t emfile = {.errnum = EMFILE};
    assert_true(state_error_is_transient(&emfile));
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    close(fd);
}

/* The lock's holder is named from /proc/locks: here, ourselves, through a
 * second open file description of the lock. */
static void test_lock_holder_is_found(void **state)
{
    (void)state;
    char dir[] = "/tmp/upod-test-lock.XXXXXX";
    assert_non_null(mkdtemp(dir));
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    upod_error_t err = {0};
    int lock = state_lock(fd, &err);
    assert_true(lock >= 0);
    int other = openat(fd, "lock", O_RDWR);
    assert_true(other >= 0);
    assert_int_equal(state_lock_holder(other), getpid());
    close(lock);
    assert_int_equal(state_lock_holder(other), 0);
    close(other);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xdg_runtime_dir_wins),
        cmocka_unit_test(test_relative_xdg_runtime_dir_is_refused),
        cmocka_unit_test(test_empty_xdg_falls_back_to_run_user),
        cmocka_unit_test(test_tmpdir_fallback),
        cmocka_unit_test(test_state_dir_hidden_in_pods_is_refused),
        cmocka_unit_test(test_check_accepts_private_dir),
        cmocka_unit_test(test_check_refusals),
        cmocka_unit_test(test_salvage_and_size_limit),
        cmocka_unit_test(test_lock_holder_is_found),
    };
    return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
