/* Unit tests: the child-to-parent messages (src/base/sync.c), over real
 * SEQPACKET socketpairs: SYNC_ERROR keeps status, errno and text; a
 * hang-up is told apart from a message; an exec closes a setup socket with
 * nothing sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/sync.h"
#include "base/util.h"

static void test_error_round_trip(void **state)
{
    (void)state;
    int sv[2];
    upod_error_t err = {0};
    assert_int_equal(sync_socketpair(sv, &err), 0);
    upod_error_t sent = {0};
    upod_fail_status(&sent, EXIT_CANNOT_RUN, EACCES, "/etc/hostname: cannot run it");
    sync_send_error(sv[1], &sent);
    sync_msg_t msg;
    assert_int_equal(sync_expect(sv[0], SYNC_READY, 1000, "monitor", &msg, &err), -1);
    assert_int_equal(err.status, EXIT_CANNOT_RUN);
    assert_int_equal(err.errnum, EACCES);
    assert_string_equal(err.msg, "/etc/hostname: cannot run it");
    /* Printed as main prints it: message, then the errno's text. */
    char text[1200];
    assert_string_equal(upod_error_text(&err, text, sizeof(text)),
                        "/etc/hostname: cannot run it: Permission denied");
    close(sv[0]);
    close(sv[1]);
}

/* A status of 0 is shown as 125, an empty text gets one naming the peer. */
static void test_error_defaults(void **state)
{
    (void)state;
    int sv[2];
    upod_error_t err = {0};
    assert_int_equal(sync_socketpair(sv, &err), 0);
    upod_error_t sent = {0};
    sync_send_error(sv[1], &sent);
    assert_int_equal(sync_expect_hangup(sv[0], 1000, "container", &err), -1);
    assert_int_equal(err.status, EXIT_UPOD_FAILED);
    assert_int_equal(err.errnum, 0);
    assert_string_equal(err.msg, "the container failed");
    close(sv[0]);
    close(sv[1]);
}

static void test_ready_and_hangup(void **state)
{
    (void)state;
    int sv[2];
    upod_error_t err = {0};
    sync_msg_t msg;
    assert_int_equal(sync_socketpair(sv, &err), 0);
    assert_int_equal(sync_send(sv[1], SYNC_READY, 0, &err), 0);
    assert_int_equal(sync_receive(sv[0], SYNC_READY, 1000, "monitor", &msg, &err), 1);
    assert_int_equal(msg.type, SYNC_READY);
    close(sv[1]);
    /* Then the end: a hang-up, not an error, for sync_receive... */
    assert_int_equal(sync_receive(sv[0], SYNC_READY, 1000, "monitor", &msg, &err), 0);
    /* ...an error for sync_expect... */
    assert_int_equal(sync_expect(sv[0], SYNC_READY, 1000, "monitor", &msg, &err), -1);
    assert_string_equal(err.msg, "the monitor exited before it was ready");
    /* ...and what sync_expect_hangup waits for. */
    assert_int_equal(sync_expect_hangup(sv[0], 1000, "container", &err), 0);
    close(sv[0]);
}

/* Any message but SYNC_ERROR where a hang-up is awaited is a protocol
 * error, and the descriptors it carries are closed. */
static void test_hangup_refuses_messages(void **state)
{
    (void)state;
    int sv[2], p[2];
    upod_error_t err = {0};
    assert_int_equal(sync_socketpair(sv, &err), 0);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(sync_send_fd(sv[1], SYNC_CONSOLE, 0, p[0], &err), 0);
    close(p[0]);
    assert_int_equal(sync_expect_hangup(sv[0], 1000, "container", &err), -1);
    assert_int_equal(err.errnum, EPROTO);
    /* The passed read end is gone: the pipe has no reader left. */
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(write(p[1], "x", 1), -1);
    assert_int_equal(errno, EPIPE);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
}

/* The setup socket is close-on-exec: a child that execs closes it with
 * nothing sent; one that fails reports before it exits. */
static void test_exec_closes_the_setup_socket(void **state)
{
    (void)state;
    int sv[2];
    upod_error_t err = {0};
    assert_int_equal(sync_socketpair(sv, &err), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        execl("/bin/sleep", "sleep", "0.2", (char *)NULL);
        upod_error_t failed = {0};
        upod_fail_status(&failed, EXIT_NOT_FOUND, errno, "sleep");
        sync_send_error(sv[1], &failed);
        _exit(EXIT_NOT_FOUND);
    }
    close(sv[1]);
    assert_int_equal(sync_expect_hangup(sv[0], 5000, "container", &err), 0);
    close(sv[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_kill_and_reap(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    {
        cleanup_pid pid_t child = pid;
        (void)child;
    }
    /* Killed and reaped when it left scope: no child is left. */
    assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(7);
    {
        cleanup_pid pid_t child = pid;
        steal_pid(&child); /* kept: ours to reap */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 7);
}

/* The joiner's report (sandbox/join.c): the joined process's pid, or the
 * joiner's error with its errno; a joiner that dies first is a hang-up. */
static void test_joined_report(void **state)
{
    (void)state;
    int sv[2];
    upod_error_t err = {0};
    sync_msg_t msg;
    assert_int_equal(sync_socketpair(sv, &err), 0);
    assert_int_equal(sync_send(sv[1], SYNC_JOINED, 4242, &err), 0);
    assert_int_equal(sync_expect(sv[0], SYNC_JOINED, 1000, "joiner", &msg, &err), 0);
    assert_int_equal(msg.value, 4242);
    upod_error_t sent = {0};
    upod_fail(&sent, EPERM, "cannot join pod web");
    sync_send_error(sv[1], &sent);
    assert_int_equal(sync_expect(sv[0], SYNC_JOINED, 1000, "joiner", &msg, &err), -1);
    assert_int_equal(err.errnum, EPERM);
    assert_string_equal(err.msg, "cannot join pod web");
    close(sv[1]);
    memset(&err, 0, sizeof(err));
    assert_int_equal(sync_expect(sv[0], SYNC_JOINED, 1000, "joiner", &msg, &err), -1);
    assert_non_null(strstr(err.msg, "joiner"));
    close(sv[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_round_trip),
        cmocka_unit_test(test_error_defaults),
        cmocka_unit_test(test_ready_and_hangup),
        cmocka_unit_test(test_hangup_refuses_messages),
        cmocka_unit_test(test_exec_closes_the_setup_socket),
        cmocka_unit_test(test_kill_and_reap),
        cmocka_unit_test(test_joined_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
