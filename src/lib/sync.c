/* sync.c: see sync.h. */
#include "sync.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat.h"

int sync_socketpair(int fds[2], upod_error_t *err)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return upod_fail(err, errno, "cannot create a socketpair");
    return 0;
}

static int send_msg(int fd, const sync_msg_t *m)
{
    ssize_t r = TEMP_FAILURE_RETRY(send(fd, m, sizeof(*m), MSG_NOSIGNAL));
    return r == (ssize_t)sizeof(*m) ? 0 : -1;
}

int sync_send(int fd, sync_type_t type, int64_t value, upod_error_t *err)
{
    sync_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.value = value;
    if (send_msg(fd, &m) < 0)
        return upod_fail(err, errno, "cannot send to the parent process");
    return 0;
}

void sync_send_error(int fd, const upod_error_t *failure)
{
    sync_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = SYNC_ERROR;
    m.errnum = failure->errnum;
    m.value = failure->status;
    snprintf(m.text, sizeof(m.text), "%s", failure->msg);
    (void)send_msg(fd, &m);
}

int sync_expect(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                sync_msg_t *msg, upod_error_t *err)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = TEMP_FAILURE_RETRY(poll(&pfd, 1, timeout_ms));
    if (r < 0)
        return upod_fail(err, errno, "waiting for the %s", what_peer);
    if (r == 0)
        return upod_fail(err, ETIMEDOUT, "the %s did not answer", what_peer);
    ssize_t n = TEMP_FAILURE_RETRY(recv(fd, msg, sizeof(*msg), 0));
    if (n < 0)
        return upod_fail(err, errno, "cannot read from the %s", what_peer);
    if (n == 0)
        return upod_fail(err, 0, "the %s exited before it was ready", what_peer);
    if (n != (ssize_t)sizeof(*msg))
        return upod_fail(err, EPROTO, "short message from the %s", what_peer);
    msg->text[sizeof(msg->text) - 1] = '\0';
    if (msg->type == SYNC_ERROR) {
        upod_fail_status(err, msg->value > 0 ? (int)msg->value : EXIT_UPOD_FAILED, msg->errnum,
                         "%s", msg->text);
        return -1;
    }
    if (msg->type != (uint32_t)expected)
        return upod_fail(err, EPROTO, "unexpected message %u from the %s", msg->type, what_peer);
    return 0;
}
