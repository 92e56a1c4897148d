/* infra.c: see infra.h. Everything here runs inside the pod's namespaces,
 * as root of the pod's user namespace. */
#include "proc/infra.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "net/netlink.h"
#include "base/pollset.h"
#include "net/forwarder.h"
#include "net/tap.h"
#include "base/proc.h"
#include "base/sync.h"
#include "base/util.h"

int infra_clone_flags(void)
{
    return CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
           CLONE_NEWNS | CLONE_NEWCGROUP;
}

/* Mount fs on target when target exists; a missing target is not an error
 * (a host without /dev/mqueue has nothing to shadow there). */
static int mount_if_present(const char *fs, const char *target, unsigned long flags,
                            const char *data, upod_error_t *err)
{
    struct stat st;
    if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (mount(fs, target, fs, flags, data) < 0)
        return upod_fail(err, errno, "cannot mount %s on %s in the pod", fs, target);
    return 0;
}

static int infra_setup(const pod_config_t *config, upod_error_t *err)
{
    if (sethostname(config->hostname, strlen(config->hostname)) < 0)
        return upod_fail(err, errno, "cannot set the pod hostname to %s", config->hostname);
    /* Our mounts must not leak back to the host: receive, never send. */
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return upod_fail(err, errno, "cannot make the pod's mounts private");
    /* The pod's view of processes, IPC and shared memory. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return upod_fail(err, errno, "cannot mount /proc for the pod's pid namespace");
    if (mount_if_present("tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "mode=1777,size=65536k", err) < 0 ||
        mount_if_present("mqueue", "/dev/mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
        return -1;
    if (netlink_link_up(1, err) < 0)
        return -1;
    return 0;
}

/* tap0 when the pod has a network; -1 with --network none. */
static int infra_network(const pod_config_t *config, int *tapfd, upod_error_t *err)
{
    *tapfd = -1;
    if (config->net.mode == NET_MODE_NONE)
        return 0;
    *tapfd = tap_create_pod_interface(config->net.mtu, err);
    return *tapfd < 0 ? -1 : 0;
}

/* catatonit-like: only signals decide when we go. Between them, the
 * forwarder moves the published ports' bytes. */
__attribute__((noreturn)) static void infra_loop(int sync_fd, forwarder_t *fwd)
{
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGABRT);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0)
        _exit(1);
    pollset_t ps = {0};
    for (;;) {
        pollset_reset(&ps);
        size_t sig_index = pollset_add(&ps, sfd, POLLIN);
        size_t sync_index = pollset_add(&ps, sync_fd, POLLIN);
        forwarder_fill(fwd, &ps);
        if (pollset_wait(&ps, forwarder_timeout(fwd)) < 0)
            _exit(1);
        if (pollset_revents(&ps, sync_index) & (POLLHUP | POLLERR))
            _exit(0); /* the keeper is gone: so is the pod */
        forwarder_dispatch(fwd, &ps);
        if (!(pollset_revents(&ps, sig_index) & POLLIN))
            continue;
        struct signalfd_siginfo si;
        if (TEMP_FAILURE_RETRY(read(sfd, &si, sizeof(si))) != (ssize_t)sizeof(si))
            continue;
        switch (si.ssi_signo) {
        case SIGCHLD:
            while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
            break;
        case SIGTERM:
        case SIGINT:
            _exit(0);
        default:
            break; /* PID 1 of the pod ignores the rest, like a pause process */
        }
    }
}

void infra_main(const pod_config_t *config, int sync_fd, const forward_t *forwards,
                size_t nforwards)
{
    upod_error_t err = {0};
    sync_msg_t msg;
    /* Die with the keeper. The keeper may already be gone: the socket then
     * hangs up and sync_expect fails below. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "upod-infra");
    proctitle_set("upod-infra");
    /* Block everything now so no signal kills PID 1 before the loop. */
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    if (sync_expect(sync_fd, SYNC_USERMAP_DONE, -1, "keeper", &msg, &err) < 0)
        _exit(1);
    /* Mapped (our uid_map is written: a non-dumpable process's would be
     * root's), and our namespaces are the keeper's to hand out (podns.h):
     * from now on nothing in the pod, whatever its capabilities, may
     * ptrace us, take our fds (the host's published sockets) or read our
     * /proc/1/root (the host's filesystem). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        upod_fail(&err, errno, "cannot make the infra non-dumpable");
        sync_send_error(sync_fd, &err);
        _exit(1);
    }
    int tapfd = -1;
    if (infra_setup(config, &err) < 0 || infra_network(config, &tapfd, &err) < 0) {
        sync_send_error(sync_fd, &err);
        _exit(1);
    }
    if (chdir("/") < 0) {
        upod_fail(&err, errno, "chdir /");
        sync_send_error(sync_fd, &err);
        _exit(1);
    }
    if (sync_send_fd(sync_fd, SYNC_INFRA_READY, 0, tapfd, &err) < 0)
        _exit(1);
    if (tapfd >= 0)
        close(tapfd); /* the keeper's now */
    /* Keep only what the loop uses. */
    stdio_to_devnull();
    infra_loop(sync_fd, forwarder_new(forwards, nforwards));
}
