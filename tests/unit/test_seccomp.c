/* Unit tests: the containers' seccomp filter (src/lib/seccomp.c), applied
 * in a child process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/seccomp.h"

/* Child: exit code 0 when the refused syscalls fail with EPERM and the
 * ordinary ones work; a different code names the failed check. */
static int child_checks(void)
{
    upod_error_t err = {0};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_apply_default(&err) < 0)
        return 10;
    errno = 0;
    if (syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0) != -1 || errno != EPERM)
        return 11;
    if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM)
        return 12;
    if (syscall(SYS_bpf, 0, NULL, 0) != -1 || errno != EPERM)
        return 13;
    if (syscall(SYS_open_by_handle_at, -1, NULL, 0) != -1 || errno != EPERM)
        return 14;
    if (syscall(SYS_kexec_load, 0, 0, NULL, 0) != -1 || errno != EPERM)
        return 15;
    /* x32 ABI numbers are refused too. */
    if (syscall(0x40000000 | SYS_getpid) != -1 || errno != EPERM)
        return 16;
    if (getpid() <= 0 || write(STDOUT_FILENO, "", 0) != 0)
        return 17;
    pid_t p = fork(); /* still allowed: containers fork */
    if (p < 0)
        return 18;
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return 0;
}

static void test_filter_refuses_and_allows(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_checks());
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_refuses_and_allows),
    };
    return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
