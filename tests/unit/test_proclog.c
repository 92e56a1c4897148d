/* Unit tests: the logs of upod's long-lived processes (src/proc/proclog.c):
 * stderr appended to a file of the state directory, never through a
 * symlink; lines with time, role and pid; without a log, "upod-ROLE: ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "proc/proclog.h"

static char dir[] = "/tmp/upod-proclog-test.XXXXXX";

/* In a child (proclog_open takes over stdio): open path under dirfd,
 * write one line; exit 0 when opened, 1 when not. */
static int log_in_child(int dirfd, const char *path, const char *line)
{
    pid_t pid = fork();
    if (pid == 0) {
        int r = proclog_open(dirfd, path);
        proclog("monitor", "%s", line);
        _exit(r == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_lines_are_appended(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dirfd >= 0);
    assert_int_equal(log_in_child(dirfd, "monitor.log", "first"), 0);
    assert_int_equal(log_in_child(dirfd, "monitor.log", "second: Is a directory"), 0);
    char *text = NULL;
    assert_int_equal(read_file_at(dirfd, "monitor.log", 4096, &text, NULL), 0);
    /* "<time> monitor[<pid>]: first\n<time> monitor[<pid>]: second..." */
    char *second = strchr(text, '\n');
    assert_non_null(second);
    assert_non_null(strstr(text, " monitor["));
    assert_true(strncmp(strchr(text, ']'), "]: first\n", 9) == 0);
    assert_non_null(strstr(second + 1, "]: second: Is a directory\n"));
    struct stat st;
    assert_int_equal(fstatat(dirfd, "monitor.log", &st, 0), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(text);
    close(dirfd);
}

/* A symlink planted at the log's name is not followed; the line then goes
 * to stderr as it was, in the CLI's form. */
static void test_symlink_refused(void **state)
{
    (void)state;
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dirfd >= 0);
    cleanup_free char *target = xasprintf("%s/elsewhere", dir);
    assert_int_equal(symlinkat(target, dirfd, "planted.log"), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], STDERR_FILENO);
        int r = proclog_open(dirfd, "planted.log");
        proclog("monitor", "cannot record the exit");
        _exit(r == 0 ? 0 : 1);
    }
    close(p[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 1);
    char buf[256] = {0};
    assert_true(read(p[0], buf, sizeof(buf) - 1) > 0);
    assert_string_equal(buf, "upod-monitor: cannot record the exit\n");
    close(p[0]);
    assert_int_equal(faccessat(dirfd, "elsewhere", F_OK, 0), -1);
    unlinkat(dirfd, "planted.log", 0);
    unlinkat(dirfd, "monitor.log", 0);
    close(dirfd);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_are_appended),
        cmocka_unit_test(test_symlink_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
