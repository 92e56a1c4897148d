/* tests/tools/nsprobe.c: can a pod reach another pod's namespaces, or the
 * parent user namespace, given their descriptors? (t_userns.sh)
 *
 *   nsprobe serve SOCK PID HOLDER_PID
 *       On the host: open PID's user, net, uts, ipc, mnt and pid
 *       namespaces and HOLDER_PID's user namespace (the parent), listen on
 *       the unix socket SOCK and hand the seven fds to one client.
 *   nsprobe try SOCK
 *       Inside a pod: receive them and setns into each, printing
 *       "setns KIND: refused (ERRNO)" or "setns KIND: allowed"; then
 *       kill(-1, SIGKILL), which reaches every process the caller can
 *       name ("kill -1: sent"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *kinds[] = {"user", "net", "uts", "ipc", "mnt", "pid", "parent"};
#define NKINDS 7

static int sock_at(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        fprintf(stderr, "nsprobe: socket path too long\n");
        exit(2);
    }
    strcpy(addr->sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) {
        perror("socket");
        exit(2);
    }
    return s;
}

static int serve(const char *path, const char *pid, const char *holder)
{
    int fds[NKINDS];
    char p[96];
    for (int i = 0; i < NKINDS; i++) {
        if (i == NKINDS - 1)
            snprintf(p, sizeof(p), "/proc/%s/ns/user", holder);
        else
            snprintf(p, sizeof(p), "/proc/%s/ns/%s", pid, kinds[i]);
        if ((fds[i] = open(p, O_RDONLY)) < 0) {
            perror(p);
            return 2;
        }
    }
    struct sockaddr_un addr;
    int s = sock_at(path, &addr);
    if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 1) < 0) {
        perror("bind");
        return 2;
    }
    printf("listening\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    if (c < 0) {
        perror("accept");
        return 2;
    }
    char cbuf[CMSG_SPACE(sizeof(fds))];
    memset(cbuf, 0, sizeof(cbuf));
    char byte = 'n';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(fds));
    memcpy(CMSG_DATA(cm), fds, sizeof(fds));
    if (sendmsg(c, &msg, 0) != 1) {
        perror("sendmsg");
        return 2;
    }
    close(c);
    unlink(path);
    return 0;
}

static int try(const char *path)
{
    struct sockaddr_un addr;
    int s = sock_at(path, &addr);
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("connect");
        return 2;
    }
    int fds[NKINDS];
    char cbuf[CMSG_SPACE(sizeof(fds))];
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm;
    if (recvmsg(s, &msg, 0) != 1 || !(cm = CMSG_FIRSTHDR(&msg)) ||
        cm->cmsg_len != CMSG_LEN(sizeof(fds))) {
        fprintf(stderr, "nsprobe: no descriptors received\n");
        return 2;
    }
    memcpy(fds, CMSG_DATA(cm), sizeof(fds));
    for (int i = 0; i < NKINDS; i++) {
        if (setns(fds[i], 0) == 0)
            printf("setns %s: allowed\n", kinds[i]);
        else
            printf("setns %s: refused (%s)\n", kinds[i], strerror(errno));
    }
    fflush(stdout);
    if (kill(-1, SIGKILL) == 0 || errno == ESRCH)
        printf("kill -1: sent\n");
    else
        printf("kill -1: %s\n", strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2], argv[3], argv[4]);
    if (argc == 3 && strcmp(argv[1], "try") == 0)
        return try(argv[2]);
    fprintf(stderr, "usage: nsprobe serve SOCK PID HOLDER_PID | nsprobe try SOCK\n");
    return 2;
}
