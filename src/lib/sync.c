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

/* One message, with a descriptor when passed >= 0. */
static int send_msg(int fd, const sync_msg_t *m, int passed)
{
    struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (passed >= 0) {
        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = sizeof(control.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &passed, sizeof(int));
    }
    ssize_t r = TEMP_FAILURE_RETRY(sendmsg(fd, &mh, MSG_NOSIGNAL));
    return r == (ssize_t)sizeof(*m) ? 0 : -1;
}

int sync_send(int fd, sync_type_t type, int64_t value, upod_error_t *err)
{
    sync_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.value = value;
    if (send_msg(fd, &m, -1) < 0)
        return upod_fail(err, errno, "cannot send to the peer process");
    return 0;
}

int sync_send_fd(int fd, sync_type_t type, int64_t value, int passed, upod_error_t *err)
{
    sync_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.value = value;
    if (send_msg(fd, &m, passed) < 0)
        return upod_fail(err, errno, "cannot pass a descriptor to the peer process");
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
    (void)send_msg(fd, &m, -1);
}

/* Receive one message; a passed descriptor goes to *passed (or is closed). */
static ssize_t recv_msg(int fd, sync_msg_t *msg, int *passed)
{
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    ssize_t n = TEMP_FAILURE_RETRY(recvmsg(fd, &mh, MSG_CMSG_CLOEXEC));
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int))) {
            int got;
            memcpy(&got, CMSG_DATA(c), sizeof(int));
            if (passed && *passed < 0)
                *passed = got;
            else
                close(got);
        }
    }
    return n;
}

int sync_expect(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                sync_msg_t *msg, upod_error_t *err)
{
    return sync_expect_fd(fd, expected, timeout_ms, what_peer, msg, NULL, err);
}

int sync_expect_fd(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                   sync_msg_t *msg, int *passed, upod_error_t *err)
{
    if (passed)
        *passed = -1;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = TEMP_FAILURE_RETRY(poll(&pfd, 1, timeout_ms));
    if (r < 0)
        return upod_fail(err, errno, "waiting for the %s", what_peer);
    if (r == 0)
        return upod_fail(err, ETIMEDOUT, "the %s did not answer", what_peer);
    ssize_t n = recv_msg(fd, msg, passed);
    if (n < 0)
        return upod_fail(err, errno, "cannot read from the %s", what_peer);
    if (n == 0)
        return upod_fail(err, 0, "the %s exited before it was ready", what_peer);
    if (n != (ssize_t)sizeof(*msg)) {
        if (passed && *passed >= 0)
            close(*passed);
        return upod_fail(err, EPROTO, "short message from the %s", what_peer);
    }
    msg->text[sizeof(msg->text) - 1] = '\0';
    if (msg->type == (uint32_t)expected)
        return 0;
    if (msg->type == SYNC_ERROR)
        upod_fail_status(err, msg->value > 0 ? (int)msg->value : EXIT_UPOD_FAILED, msg->errnum,
                         "%s", msg->text);
    else
        upod_fail(err, EPROTO, "unexpected message %u from the %s", msg->type, what_peer);
    if (passed && *passed >= 0) {
        close(*passed);
        *passed = -1;
    }
    return -1;
}
