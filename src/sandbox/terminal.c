/* terminal.c: see terminal.h. */
#include "sandbox/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/sync.h"
#include "base/util.h"

int terminal_open_pty(int *master, int *slave, upod_error_t *err)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*master < 0)
        return upod_fail(err, errno, "cannot open a pseudo-terminal");
    char *name = ptsname(*master);
    if (grantpt(*master) < 0 || unlockpt(*master) < 0 || !name ||
        (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        int saved = errno;
        close(*master);
        return upod_fail(err, saved, "cannot set up a pseudo-terminal");
    }
    return 0;
}

int terminal_make_for_peer(int sock, int *slave, upod_error_t *err)
{
    int master;
    if (terminal_open_pty(&master, slave, err) < 0)
        return -1;
    int ret = sync_send_fd(sock, SYNC_CONSOLE, 0, master, err);
    close(master);
    if (ret < 0)
        close(*slave);
    return ret;
}

int terminal_receive(int sock, int *master, upod_error_t *err)
{
    sync_msg_t msg;
    if (sync_expect_fd(sock, SYNC_CONSOLE, -1, "the container", &msg, master, err) < 0)
        return -1;
    if (*master < 0)
        return upod_fail(err, 0, "the container sent no terminal");
    return 0;
}

static void copy_window_size(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0)
        ioctl(to, TIOCSWINSZ, &ws);
}

/* Write all of buf; false when the other side is gone. */
static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = TEMP_FAILURE_RETRY(write(fd, buf, len));
        if (w < 0) {
            if (errno == EAGAIN) {
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                poll(&p, 1, 100);
                continue;
            }
            return false;
        }
        buf += w;
        len -= (size_t)w;
    }
    return true;
}

int terminal_relay(int master, pid_t child)
{
    struct termios saved, raw;
    bool is_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (is_tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        copy_window_size(STDIN_FILENO, master);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    bool stdin_open = true;
    char buf[16384];
    int status = 0;
    for (;;) {
        struct pollfd p[3] = {{.fd = master, .events = POLLIN},
                              {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
                              {.fd = sfd, .events = POLLIN}};
        if (TEMP_FAILURE_RETRY(poll(p, 3, -1)) < 0)
            break;
        if (p[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = TEMP_FAILURE_RETRY(read(master, buf, sizeof(buf)));
            if (n <= 0)
                break; /* EIO: the container closed its terminal */
            write_all(STDOUT_FILENO, buf, (size_t)n);
        }
        if (p[1].revents & (POLLIN | POLLHUP)) {
            ssize_t n = TEMP_FAILURE_RETRY(read(STDIN_FILENO, buf, sizeof(buf)));
            if (n <= 0) {
                stdin_open = false;
                char eof = 4; /* ^D: end of input for the container's reader */
                write_all(master, &eof, 1);
            } else {
                write_all(master, buf, (size_t)n);
            }
        }
        if (p[2].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGWINCH && is_tty)
                    copy_window_size(STDIN_FILENO, master);
                if (si.ssi_signo == SIGCHLD && waitpid(child, &status, WNOHANG) == child) {
                    child = -1;
                    /* Drain what it wrote last. */
                    fcntl(master, F_SETFL, O_NONBLOCK);
                    ssize_t n;
                    while ((n = read(master, buf, sizeof(buf))) > 0)
                        write_all(STDOUT_FILENO, buf, (size_t)n);
                    break;
                }
            }
        }
    }
    if (child > 0 && TEMP_FAILURE_RETRY(waitpid(child, &status, 0)) < 0)
        status = 125 << 8;
    if (is_tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (sfd >= 0)
        close(sfd);
    return exit_code_from_status(status);
}
