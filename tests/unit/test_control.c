/* Unit tests: the keeper's control socket (src/net/control.c), over real
 * sockets in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/control.h"
#include "state/state.h"
#include "base/util.h"

static char dir[] = "/tmp/upod-control-test.XXXXXX";

/* Child: send a pipe's end as the "tap", as uid (when not -1); exit 0 when
 * the keeper side accepted it, 1 when refused, 2 on a test error. */
static pid_t client(uid_t uid)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (uid != (uid_t)-1 && setuid(uid) < 0)
        _exit(2);
    int p[2];
    if (pipe(p) < 0)
        _exit(2);
    upod_error_t err = {0};
    _exit(control_send_tap(dir, p[0], &err) == 0 ? 0 : 1);
}

static int child_status(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_tap_handover_and_owner(void **state)
{
    (void)state;
    upod_error_t err = {0};
    assert_non_null(mkdtemp(dir));
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    int listen_fd = control_listen(dirfd, &err);
    assert_true(listen_fd >= 0);
    pid_t pid = client((uid_t)-1);
    int tapfd = -1, owner = -1;
    fcntl(listen_fd, F_SETFL, 0); /* wait for the client here */
    int conn = control_accept_tap(listen_fd, &tapfd, &owner, &err);
    assert_true(conn >= 0);
    assert_true(tapfd >= 0);
    assert_true(owner >= 0); /* a pidfd of the client */
    control_reply(conn, NULL);
    assert_int_equal(child_status(pid), 0);
    close(tapfd);
    close(owner);

    /* An error the keeper reports reaches the client. */
    pid = client((uid_t)-1);
    conn = control_accept_tap(listen_fd, &tapfd, &owner, &err);
    assert_true(conn >= 0);
    upod_error_t no = {0};
    upod_fail(&no, 0, "no slirp for you");
    control_reply(conn, &no);
    assert_int_equal(child_status(pid), 1);
    close(tapfd);
    close(owner);

    /* Another uid is refused (needs root to become one: CI runs the unit
     * tests as root). */
    assert_false(control_peer_allowed(65534, 1000));
    assert_true(control_peer_allowed(1000, 1000));
    if (geteuid() == 0) {
        chmod(dir, 0777);
        cleanup_free char *sock = xasprintf("%s/%s", dir, CONTROL_SOCKET_NAME);
        chmod(sock, 0777);
        pid = client(65534);
        struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};
        assert_int_equal(poll(&pfd, 1, 5000), 1); /* the client did connect */
        conn = control_accept_tap(listen_fd, &tapfd, &owner, &err);
        assert_int_equal(conn, -1);
        assert_non_null(strstr(err.msg, "uid 65534 refused"));
        assert_int_equal(tapfd, -1);
        assert_int_equal(owner, -1);
        assert_int_equal(child_status(pid), 1);
    }
    close(listen_fd);
    state_remove_tree(AT_FDCWD, dir, &err);
    close(dirfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap_handover_and_owner),
    };
    return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
