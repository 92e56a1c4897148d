/* control.c: see control.h. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "compat.h"
#include "sync.h"
#include "util.h"

#define CONTROL_TIMEOUT_MS 1000
#define TAP_SERVE_TIMEOUT_MS 10000

/* bind or connect to dirfd/CONTROL_SOCKET_NAME: through a chdir, since the
 * full path may be longer than sun_path holds. The caller's working
 * directory is restored. */
static int at_control_path(int sock, int dirfd, bool do_bind)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, CONTROL_SOCKET_NAME, sizeof(CONTROL_SOCKET_NAME));
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

int control_listen(int pod_dirfd, upod_error_t *err)
{
    if (unlinkat(pod_dirfd, CONTROL_SOCKET_NAME, 0) < 0 && errno != ENOENT)
        return upod_fail(err, errno, "cannot remove the old control socket");
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return upod_fail(err, errno, "socket");
    if (at_control_path(fd, pod_dirfd, true) < 0 || listen(fd, 16) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot listen on the pod's control socket");
    }
    return fd;
}

int control_accept_tap(int listen_fd, int *tapfd, int *owner, upod_error_t *err)
{
    *tapfd = *owner = -1;
    int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return upod_fail(err, errno, "accept on the control socket");
    /* The peer's pid, in our pid namespace: it waits for our answer, so
     * the pid cannot be reused before the pidfd holds it. */
    struct ucred cred;
    socklen_t len = sizeof(cred);
    sync_msg_t msg;
    if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        upod_fail(err, errno, "cannot identify a control socket client");
    } else if (!control_peer_allowed(cred.uid, geteuid())) {
        /* The socket's directory is 0700 already; this holds even if a
         * descriptor of it leaked to another user. */
        upod_fail(err, EPERM, "control socket client uid %u refused (not the pod's owner)",
                  (unsigned)cred.uid);
    } else if ((*owner = upod_pidfd_open(cred.pid, 0)) < 0) {
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
