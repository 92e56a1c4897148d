/* sync.c: see sync.h. */
#include "base/sync.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/compat.h"

int sync_socketpair(int fds[2], upod_error_t *err)
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return upod_fail(err, errno, "cannot create a socketpair");
    return 0;
}

/* One message, with the n descriptors of passed (n <= SYNC_MAX_FDS). */
static int send_msg(int fd, const sync_msg_t *m, const int *passed, size_t n)
{
    struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
    union {
        char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
        struct cmsghdr align;
    } control;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n > SYNC_MAX_FDS) {
        errno = EINVAL;
        return -1;
    }
    if (n > 0) {
        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), passed, sizeof(int) * n);
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
    if (send_msg(fd, &m, NULL, 0) < 0)
        return upod_fail(err, errno, "cannot send to the peer process");
    return 0;
}

int sync_send_fd(int fd, sync_type_t type, int64_t value, int passed, upod_error_t *err)
{
    return sync_send_fds(fd, type, value, &passed, passed >= 0 ? 1 : 0, err);
}

int sync_send_fds(int fd, sync_type_t type, int64_t value, const int *passed, size_t n,
                  upod_error_t *err)
{
    sync_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.value = value;
    if (send_msg(fd, &m, passed, n) < 0)
        return upod_fail(err, errno, "cannot pass descriptors to the peer process");
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
    (void)send_msg(fd, &m, NULL, 0);
}

/* The largest errno value the kernel reports (MAX_ERRNO). */
#define SYNC_ERRNUM_MAX 4095

static bool known_type(uint32_t type)
{
    return type >= SYNC_USERMAP_DONE && type <= SYNC_TYPE_LAST;
}

/* A SYNC_ERROR carries an errno (0: none) and an exit status (0: none
 * given, shown as 125). */
static bool error_fields_valid(const sync_msg_t *m)
{
    return m->errnum >= 0 && m->errnum <= SYNC_ERRNUM_MAX && m->value >= 0 && m->value <= 255;
}

int sync_msg_decode(const void *buf, size_t len, sync_type_t expected, const char *what_peer,
                    sync_msg_t *msg, upod_error_t *err)
{
    if (len < sizeof(*msg))
        return upod_fail(err, EPROTO, "short message from the %s", what_peer);
    if (len > sizeof(*msg))
        return upod_fail(err, EPROTO, "oversized message from the %s", what_peer);
    memcpy(msg, buf, sizeof(*msg));
    if (!known_type(msg->type))
        return upod_fail(err, EPROTO, "unknown message %u from the %s", msg->type, what_peer);
    if (!memchr(msg->text, '\0', sizeof(msg->text)))
        return upod_fail(err, EPROTO, "malformed message from the %s: unterminated text",
                         what_peer);
    if (msg->type == (uint32_t)expected)
        return 0;
    if (msg->type != SYNC_ERROR)
        return upod_fail(err, EPROTO, "unexpected message %u from the %s", msg->type, what_peer);
    if (!error_fields_valid(msg))
        return upod_fail(err, EPROTO, "malformed error message from the %s (errno %d, status "
                                      "%lld)",
                         what_peer, (int)msg->errnum, (long long)msg->value);
    int status = msg->value > 0 ? (int)msg->value : EXIT_UPOD_FAILED;
    /* A message is what the user reads: never leave it empty. */
    if (!msg->text[0])
        return upod_fail_status(err, status, msg->errnum, "the %s failed", what_peer);
    return upod_fail_status(err, status, msg->errnum, "%s", msg->text);
}

/* Where the descriptors passed with a packet go: the first max of them to
 * fds[] (*n counts them), every other one is closed, so that a peer passing
 * more than asked leaks nothing into this process. */
typedef struct {
    int *fds;
    size_t max, n;
} passed_fds_t;

static void take_passed_fds(struct msghdr *mh, passed_fds_t *into)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len < CMSG_LEN(0))
            continue;
        size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (into && into->n < into->max)
                into->fds[into->n++] = got;
            else
                close(got);
        }
    }
}

static void close_passed_fds(passed_fds_t *p)
{
    for (size_t i = 0; p && i < p->n; i++)
        close(p->fds[i]);
    if (p)
        p->n = 0;
}

/* Receive one packet into buf. size should exceed a message by a byte, so
 * that an oversized packet shows as such instead of as a truncated one. */
static ssize_t recv_packet(int fd, void *buf, size_t size, passed_fds_t *passed)
{
    struct iovec iov = {.iov_base = buf, .iov_len = size};
    union {
        char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
        struct cmsghdr align;
    } control;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    ssize_t n = TEMP_FAILURE_RETRY(recvmsg(fd, &mh, MSG_CMSG_CLOEXEC));
    if (n >= 0)
        take_passed_fds(&mh, passed);
    return n;
}

int sync_expect(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                sync_msg_t *msg, upod_error_t *err)
{
    return sync_expect_fd(fd, expected, timeout_ms, what_peer, msg, NULL, err);
}

/* Wait for one packet and decode it: 1 when it is the expected message, 0
 * when the peer hung up without a word, else -1 with err. The caller keeps
 * the descriptors only with a message that is accepted. */
static int receive_expected(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                            sync_msg_t *msg, passed_fds_t *passed, upod_error_t *err)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = TEMP_FAILURE_RETRY(poll(&pfd, 1, timeout_ms));
    if (r < 0)
        return upod_fail(err, errno, "waiting for the %s", what_peer);
    if (r == 0)
        return upod_fail(err, ETIMEDOUT, "the %s did not answer", what_peer);
    union {
        sync_msg_t msg;
        char bytes[sizeof(sync_msg_t) + 1];
    } packet;
    ssize_t n = recv_packet(fd, &packet, sizeof(packet), passed);
    if (n < 0)
        return upod_fail(err, errno, "cannot read from the %s", what_peer);
    if (n == 0)
        return 0;
    return sync_msg_decode(&packet, (size_t)n, expected, what_peer, msg, err) < 0 ? -1 : 1;
}

int sync_receive(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                 sync_msg_t *msg, upod_error_t *err)
{
    /* No room for descriptors: any passed along are closed. */
    return receive_expected(fd, expected, timeout_ms, what_peer, msg, NULL, err);
}

int sync_expect_hangup(int fd, int timeout_ms, const char *what_peer, upod_error_t *err)
{
    sync_msg_t msg;
    return sync_receive(fd, SYNC_NONE, timeout_ms, what_peer, &msg, err) == 0 ? 0 : -1;
}

int sync_expect_fd(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                   sync_msg_t *msg, int *passed, upod_error_t *err)
{
    size_t n = 0;
    int got = -1;
    int r = sync_expect_fds(fd, expected, timeout_ms, what_peer, msg, passed ? &got : NULL,
                            passed ? 1 : 0, &n, err);
    if (passed)
        *passed = r == 0 && n == 1 ? got : -1;
    return r;
}

int sync_expect_fds(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                    sync_msg_t *msg, int *fds, size_t max, size_t *n, upod_error_t *err)
{
    passed_fds_t passed = {.fds = fds, .max = max, .n = 0};
    int r = receive_expected(fd, expected, timeout_ms, what_peer, msg, &passed, err);
    if (r == 0)
        r = upod_fail(err, 0, "the %s exited before it was ready", what_peer);
    if (r < 0)
        close_passed_fds(&passed);
    *n = passed.n;
    return r < 0 ? -1 : 0;
}

void sync_fail_exit(int report_fd, int code, const char *what, int errnum)
{
    if (report_fd >= 0) {
        upod_error_t failure = {0};
        upod_fail_status(&failure, code, errnum, "%s", what);
        sync_send_error(report_fd, &failure);
    } else {
        dprintf(STDERR_FILENO, "Error: %s%s%s\n", what, errnum ? ": " : "",
                errnum ? strerror(errnum) : "");
    }
    _exit(code);
}
