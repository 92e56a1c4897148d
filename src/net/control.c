/* control.c: see control.h. */
#include "net/control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/sync.h"
#include "base/util.h"

#define CONTROL_TIMEOUT_MS 1000
#define TAP_SERVE_TIMEOUT_MS 10000

/* bind or connect to dirfd/name: through a chdir, since the full path may
 * be longer than sun_path holds. The caller's working directory is
 * restored. */
static int at_socket_path(int sock, int dirfd, const char *name, bool do_bind)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", name);
    cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0 || fchdir(dirfd) < 0)
        return -1;
    int r = do_bind ? bind(sock, (struct sockaddr *)&addr, sizeof(addr))
                    : TEMP_FAILURE_RETRY(connect(sock, (struct sockaddr *)&addr, sizeof(addr)));
    int saved = errno;
    if (fchdir(cwd) < 0 && r == 0) {
        saved = errno;
        r = -1;
    }
    errno = saved;
    return r;
}

bool control_peer_allowed(uid_t peer, uid_t owner)
{
    return peer == owner;
}

static int at_control_path(int sock, int dirfd, bool do_bind)
{
    return at_socket_path(sock, dirfd, CONTROL_SOCKET_NAME, do_bind);
}

/* Listen on pod_dirfd/name (a stale socket is replaced). */
static int listen_at(int pod_dirfd, const char *name, upod_error_t *err)
{
    if (unlinkat(pod_dirfd, name, 0) < 0 && errno != ENOENT)
        return upod_fail(err, errno, "cannot remove the old socket %s", name);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return upod_fail(err, errno, "socket");
    if (at_socket_path(fd, pod_dirfd, name, true) < 0 || listen(fd, 64) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot listen on the pod's socket %s", name);
    }
    return fd;
}

int control_listen(int pod_dirfd, upod_error_t *err)
{
    return listen_at(pod_dirfd, CONTROL_SOCKET_NAME, err);
}

int control_listen_namespaces(int pod_dirfd, upod_error_t *err)
{
    return listen_at(pod_dirfd, CONTROL_NS_SOCKET_NAME, err);
}

/* Accept one client of listen_fd, the pod's owner only; its credentials
 * in *cred. Returns the connection or -1. */
static int accept_owner(int listen_fd, struct ucred *cred, upod_error_t *err)
{
    int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return upod_fail(err, errno, "accept on the control socket");
    socklen_t len = sizeof(*cred);
    if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0) {
        upod_fail(err, errno, "cannot identify a control socket client");
    } else if (!control_peer_allowed(cred->uid, geteuid())) {
        /* The socket's directory is 0700 already; this holds even if a
         * descriptor of it leaked to another user. */
        upod_fail(err, EPERM, "control socket client uid %u refused (not the pod's owner)",
                  (unsigned)cred->uid);
    } else {
        return conn;
    }
    close(conn);
    return -1;
}

void control_serve_namespaces(int listen_fd, const int *fds, size_t n, upod_error_t *err)
{
    struct ucred cred;
    int conn = accept_owner(listen_fd, &cred, err);
    if (conn < 0)
        return;
    sync_send_fds(conn, SYNC_NAMESPACES, 0, fds, n, err);
    close(conn);
}

int control_get_namespaces(int pod_dirfd, int *fds, size_t n, upod_error_t *err)
{
    for (size_t i = 0; i < n; i++)
        fds[i] = -1;
    cleanup_close int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return upod_fail(err, errno, "socket");
    if (at_socket_path(sock, pod_dirfd, CONTROL_NS_SOCKET_NAME, false) < 0)
        return upod_fail(err, errno, "cannot reach the pod's keeper for its namespaces");
    sync_msg_t msg;
    size_t got = 0;
    if (sync_expect_fds(sock, SYNC_NAMESPACES, CONTROL_TIMEOUT_MS, "pod keeper", &msg, fds, n,
                        &got, err) < 0)
        return -1;
    if (got != n) {
        for (size_t i = 0; i < got; i++) {
            close(fds[i]);
            fds[i] = -1;
        }
        return upod_fail(err, EPROTO, "the pod keeper passed %zu namespaces, not %zu", got, n);
    }
    return 0;
}

int control_accept_tap(int listen_fd, int *tapfd, int *owner, upod_error_t *err)
{
    *tapfd = *owner = -1;
    struct ucred cred;
    int conn = accept_owner(listen_fd, &cred, err);
    if (conn < 0)
        return -1;
    /* The peer's pid, in our pid namespace: it waits for our answer, so
     * the pid cannot be reused before the pidfd holds it. */
    sync_msg_t msg;
    if ((*owner = upod_pidfd_open(cred.pid, 0)) < 0) {
        upod_fail(err, errno, "cannot watch the container that sent its tap");
    } else if (sync_expect_fd(conn, SYNC_TAP, CONTROL_TIMEOUT_MS, "container", &msg, tapfd,
                              err) == 0) {
        if (*tapfd >= 0)
            return conn;
        upod_fail(err, EPROTO, "a container sent no tap device");
    }
    if (*owner >= 0)
        close(*owner);
    *owner = -1;
    close(conn);
    return -1;
}

void control_reply(int conn, const upod_error_t *failure)
{
    upod_error_t ignored = {0};
    if (failure)
        sync_send_error(conn, failure);
    else
        sync_send(conn, SYNC_TAP_READY, 0, &ignored);
    close(conn);
}

int control_send_tap(const char *pod_dir, int tapfd, upod_error_t *err)
{
    cleanup_close int dirfd = open(pod_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return upod_fail(err, errno, "the pod's state directory %s", pod_dir);
    cleanup_close int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return upod_fail(err, errno, "socket");
    if (at_control_path(sock, dirfd, false) < 0)
        return upod_fail(err, errno, "cannot reach the pod's keeper for the container's network");
    sync_msg_t msg;
    if (sync_send_fd(sock, SYNC_TAP, 0, tapfd, err) < 0 ||
        sync_expect(sock, SYNC_TAP_READY, TAP_SERVE_TIMEOUT_MS, "pod keeper", &msg, err) < 0)
        return -1;
    return 0;
}

int control_listen_userns(int state_fd, upod_error_t *err)
{
    return listen_at(state_fd, CONTROL_USERNS_SOCKET_NAME, err);
}

int control_accept_lease(int listen_fd, int userns_fd, upod_error_t *err)
{
    struct ucred cred;
    int conn = accept_owner(listen_fd, &cred, err);
    if (conn < 0)
        return -1;
    if (sync_send_fd(conn, SYNC_USERNS, 0, userns_fd, err) < 0) {
        close(conn);
        return -1;
    }
    return conn;
}

int control_get_userns(int state_fd, int *userns_fd, upod_error_t *err)
{
    *userns_fd = -1;
    int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return upod_fail(err, errno, "socket");
    sync_msg_t msg;
    if (at_socket_path(sock, state_fd, CONTROL_USERNS_SOCKET_NAME, false) < 0) {
        upod_fail(err, errno, "cannot reach the user namespace holder");
    } else if (sync_expect_fd(sock, SYNC_USERNS, CONTROL_TIMEOUT_MS, "user namespace holder", &msg,
                              userns_fd, err) == 0) {
        if (*userns_fd >= 0)
            return sock;
        upod_fail(err, EPROTO, "the user namespace holder passed no namespace");
    }
    int saved = err->errnum;
    close(sock);
    errno = saved;
    return -1;
}
