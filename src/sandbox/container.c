/* container.c: see container.h. Everything below container_child_fds()
 * runs in the container's own process, inside the pod's user namespace (as
 * its root), before exec. */
#include "sandbox/container.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <strings.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/sync.h"
#include "sandbox/seccomp.h"
#include "net/control.h"
#include "sandbox/inroot.h"
#include "net/tap.h"
#include "sandbox/terminal.h"
#include "net/netlink.h"
#include "base/util.h"

void container_spec_clear(container_spec_t *spec)
{
    free(spec->name);
    free(spec->rootfs);
    free(spec->overlay_dir);
    for (size_t i = 0; spec->argv && spec->argv[i]; i++)
        free(spec->argv[i]);
    free(spec->argv);
    for (size_t i = 0; spec->env && spec->env[i]; i++)
        free(spec->env[i]);
    free(spec->env);
    free(spec->workdir);
    free(spec->hostname);
    for (size_t i = 0; i < spec->nvolumes; i++) {
        free(spec->volumes[i].source);
        free(spec->volumes[i].target);
    }
    free(spec->volumes);
    for (size_t i = 0; i < spec->ntmpfs; i++)
        free(spec->tmpfs[i]);
    free(spec->tmpfs);
    free(spec->hosts_data);
    free(spec->resolv_data);
    free(spec->hostname_data);
    free(spec->own_net_pod_dir);
    memset(spec, 0, sizeof(*spec));
}

size_t container_child_fds(const container_spec_t *spec, int keep[CONTAINER_CHILD_FDS_MAX])
{
    size_t n = 0;
    if (spec->report_errors)
        keep[n++] = spec->report_fd;
    if (spec->console)
        keep[n++] = spec->console_fd;
    for (int i = 0; spec->set_stdio && i < 3; i++)
        keep[n++] = spec->stdio[i];
    return n;
}

/* ---- setup, in the container's process ---- */

/* Where setup errors are reported: the spec's report socket (SYNC_ERROR,
 * sync.h), else stderr as text (exec: its CLI is our parent, and shares
 * our stderr). */
static int report_fd = -1;

__attribute__((noreturn)) static void fail_exit(int code, const char *what, int errnum)
{
    sync_fail_exit(report_fd, code, what, errnum);
}

__attribute__((noreturn, format(printf, 2, 3))) static void failf(int errnum, const char *fmt,
                                                                   ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    fail_exit(EXIT_UPOD_FAILED, what, errnum);
}

/* Mount points are resolved inside the root being assembled (inroot.h):
 * open once, mounted on through their fd. */
static int target_fd(int root_fd, const char *path, bool file)
{
    upod_error_t err = {0};
    int fd = inroot_make(root_fd, path, file, &err);
    if (fd < 0)
        fail_exit(EXIT_UPOD_FAILED, err.msg, err.errnum);
    return fd;
}

static int reopen_in_root(int root_fd, const char *path, int flags)
{
    upod_error_t err = {0};
    int fd = inroot_open(root_fd, path, flags, &err);
    if (fd < 0)
        fail_exit(EXIT_UPOD_FAILED, err.msg, err.errnum);
    return fd;
}

static void do_mount(const char *src, const char *target, const char *fs, unsigned long flags,
                     const char *data)
{
    if (mount(src, target, fs, flags, data) < 0)
        failf(errno, "cannot mount %s on %s", src ? src : fs ? fs : "(remount)", target);
}

/* Mount a filesystem (fs, data) on path in the root. */
static void mount_in_root(int root_fd, const char *fs, const char *path, unsigned long flags,
                          const char *data)
{
    char at[INROOT_FD_PATH_MAX];
    cleanup_close int t = target_fd(root_fd, path, false);
    if (mount(fs, inroot_fd_path(t, at), fs, flags, data) < 0)
        failf(errno, "cannot mount %s on %s", fs, path);
}

/* Bind src (a host path, or a /proc/self/fd name) at dst in the root,
 * read-only when asked. A read-only bind is made so before it is
 * attached (open_tree, mount_setattr, move_mount onto the target's fd): a
 * remount found again by path could be sent elsewhere by a rootfs that
 * another container changed meanwhile. */
static void bind_in_root(int root_fd, const char *src, const char *dst, bool ro, bool rec)
{
    struct stat st;
    if (stat(src, &st) < 0)
        failf(errno, "cannot bind %s into the container", src);
    char at[INROOT_FD_PATH_MAX];
    cleanup_close int t = target_fd(root_fd, dst, !S_ISDIR(st.st_mode));
    if (!ro) {
        if (mount(src, inroot_fd_path(t, at), NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
            failf(errno, "cannot bind %s on %s", src, dst);
        return;
    }
    unsigned recursive = rec ? UPOD_AT_RECURSIVE : 0;
    cleanup_close int tree = upod_open_tree(AT_FDCWD, src, UPOD_OPEN_TREE_CLONE | O_CLOEXEC | recursive);
    if (tree < 0)
        failf(errno, "cannot bind %s on %s", src, dst);
    struct upod_mount_attr attr = {.attr_set = UPOD_MOUNT_ATTR_RDONLY};
    if (upod_mount_setattr(tree, "", UPOD_AT_EMPTY_PATH | recursive, &attr) < 0)
        failf(errno, "cannot make %s read-only (Linux >= 5.12 is needed)", dst);
    if (upod_move_mount(tree, "", t, "", UPOD_MOVE_MOUNT_F_EMPTY_PATH | UPOD_MOVE_MOUNT_T_EMPTY_PATH) < 0)
        failf(errno, "cannot bind %s on %s", src, dst);
}

static void setup_dev(int root_fd, const container_spec_t *spec)
{
    static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    mount_in_root(root_fd, "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        char path[32];
        snprintf(path, sizeof(path), "/dev/%s", devices[i]);
        bind_in_root(root_fd, path, path, false, false); /* the host's, at the same name */
    }
    mount_in_root(root_fd, "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
                  "newinstance,ptmxmode=0666,mode=620");
    static const char *const links[][2] = {{"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"},
                                           {"/proc/self/fd/0", "stdin"},
                                           {"/proc/self/fd/1", "stdout"},
                                           {"/proc/self/fd/2", "stderr"}};
    cleanup_close int dev = reopen_in_root(root_fd, "/dev", O_PATH | O_DIRECTORY);
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        if (symlinkat(links[i][0], dev, links[i][1]) < 0)
            failf(errno, "cannot create /dev/%s", links[i][1]);
    }
    /* The pod's /dev/shm (we stand in the pod's mount namespace) when ipc is
     * shared, else one of our own. */
    if (spec->share_ipc)
        bind_in_root(root_fd, "/dev/shm", "/dev/shm", false, false);
    else
        mount_in_root(root_fd, "tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      "mode=1777,size=65536k");
    mount_in_root(root_fd, "mqueue", "/dev/mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* The container's /etc/hosts, /etc/resolv.conf and /etc/hostname: copies
 * of the pod's, on a small tmpfs of the container's own (writable, as
 * podman's are, but no write reaches the state directory, and no file of
 * it is bound: what a container plants there is never followed). The
 * tmpfs is mounted on /proc, before the container's procfs hides it, and
 * unmounted once its files are bound. */
static void setup_etc_files(int root_fd, const container_spec_t *spec)
{
    const struct {
        const char *name, *data;
    } files[] = {{"hosts", spec->hosts_data}, {"resolv.conf", spec->resolv_data},
                 {"hostname", spec->hostname_data}};
    mount_in_root(root_fd, "tmpfs", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=0755,size=4m,nr_inodes=16");
    cleanup_close int staging = reopen_in_root(root_fd, "/proc", O_PATH | O_DIRECTORY);
    char at[INROOT_FD_PATH_MAX];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        const char *data = files[i].data ? files[i].data : "";
        int fd = openat(staging, files[i].name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            failf(errno, "cannot create the container's /etc/%s", files[i].name);
        bool written = fd_write_all(fd, data, strlen(data)) == 0;
        close(fd);
        if (!written)
            failf(errno, "cannot write the container's /etc/%s", files[i].name);
        cleanup_free char *src = xasprintf("%s/%s", inroot_fd_path(staging, at), files[i].name);
        cleanup_free char *dst = xasprintf("/etc/%s", files[i].name);
        bind_in_root(root_fd, src, dst, false, false);
    }
    if (umount2(inroot_fd_path(staging, at), MNT_DETACH) < 0)
        failf(errno, "cannot unmount the staging tmpfs of the container's /etc files");
}

/* Assemble the container's root at root (a host path) and return an fd of
 * it: everything mounted under it is resolved inside it. */
static int setup_mounts(const container_spec_t *spec, const char *root)
{
    /* Nothing we mount may reach the pod's (or the host's) mount table. */
    do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    if (spec->overlay_dir) {
        /* A throw-away layer over the rootfs: writes go to upper/. */
        cleanup_free char *opts = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr",
                                            spec->rootfs, spec->overlay_dir, spec->overlay_dir);
        if (mount("overlay", root, "overlay", 0, opts) < 0)
            failf(errno, "cannot mount an overlay on the rootfs (rootless overlayfs needs "
                         "Linux >= 5.11)");
    } else {
        do_mount(spec->rootfs, root, NULL, MS_BIND | MS_REC, NULL);
    }
    int root_fd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root_fd < 0)
        failf(errno, "cannot open the container's root %s", root);
    setup_etc_files(root_fd, spec);
    mount_in_root(root_fd, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    setup_dev(root_fd, spec);
    /* A fresh sysfs needs a network namespace of our user namespace: the
     * host's, read-only, works in every case. */
    bind_in_root(root_fd, "/sys", "/sys", true, true);
    for (size_t i = 0; i < spec->nvolumes; i++)
        bind_in_root(root_fd, spec->volumes[i].source, spec->volumes[i].target,
                     spec->volumes[i].read_only, true);
    for (size_t i = 0; i < spec->ntmpfs; i++)
        mount_in_root(root_fd, "tmpfs", spec->tmpfs[i], MS_NOSUID | MS_NODEV, "mode=1777");
    return root_fd;
}

/* pivot_root into the root at root_fd, and let go of the old root. Paths
 * from here on (masks, -w) resolve in the container's root by nature. */
static void enter_root(int root_fd)
{
    if (fchdir(root_fd) < 0)
        failf(errno, "cannot enter the container's root");
    close(root_fd);
    if (upod_pivot_root(".", ".") < 0)
        failf(errno, "pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        failf(errno, "cannot detach the old root");
    if (chdir("/") < 0)
        failf(errno, "chdir /");
}

/* What podman masks and makes read-only in /proc and /sys. */
static void mask_paths(void)
{
    static const char *const masked[] = {"/proc/acpi", "/proc/kcore", "/proc/keys",
                                         "/proc/latency_stats", "/proc/timer_list",
                                         "/proc/timer_stats", "/proc/sched_debug",
                                         "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
                                         "/sys/dev/block"};
    static const char *const read_only[] = {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
                                            "/proc/sys", "/proc/sysrq-trigger"};
    for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
        struct stat st;
        if (stat(masked[i], &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            do_mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0");
        else
            do_mount("/dev/null", masked[i], NULL, MS_BIND, NULL);
    }
    for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
        if (access(read_only[i], F_OK) < 0)
            continue;
        do_mount(read_only[i], read_only[i], NULL, MS_BIND | MS_REC, NULL);
        do_mount(NULL, read_only[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
    }
}

/* Keep only spec->caps in the bounding set; needs CAP_SETPCAP, so before
 * switching to another user. */
static void drop_bounding_set(unsigned long long keep)
{
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
        if (!(keep & (1ULL << c)) && cap_drop_bound(c) < 0 && errno != EINVAL)
            failf(errno, "cannot drop capability %d", (int)c);
    }
}

/* The process's own sets (kept across the user switch by PR_SET_KEEPCAPS);
 * exec then gives a non-root user none, as in podman. Ambient stays empty. */
static void set_process_caps(unsigned long long keep)
{
    cap_t caps = cap_init();
    if (!caps)
        failf(errno, "cap_init");
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
        if (!(keep & (1ULL << c)))
            continue;
        cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
        cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET);
        cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET);
    }
    if (cap_set_proc(caps) < 0)
        failf(errno, "cannot set the container's capabilities");
    cap_free(caps);
}

static const char *env_get(char **env, const char *key)
{
    size_t len = strlen(key);
    for (size_t i = 0; env && env[i]; i++) {
        if (strncmp(env[i], key, len) == 0 && env[i][len] == '=')
            return env[i] + len + 1;
    }
    return NULL;
}

/* SIG_DFL through the raw syscall: libc refuses its own reserved real-time
 * signals (32-34), which a parent may still have left ignored. */
static void reset_signal(int sig)
{
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
    } ksa = {.handler = SIG_DFL};
    syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

/* execvpe with the container's PATH; ENOENT everywhere means 127. */
__attribute__((noreturn)) static void exec_command(const container_spec_t *spec)
{
    const char *cmd = spec->argv[0];
    int saved = ENOENT;
    /* What upod ignores or blocks (SIGPIPE, the terminal's INT and QUIT)
     * must not be the command's: default dispositions, empty mask. */
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            reset_signal(sig);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (spec->controlling_tty &&
        (setsid() < 0 || ioctl(spec->stdio[0], TIOCSCTTY, 0) < 0))
        failf(errno, "cannot make the terminal the container's");
    for (int i = 0; spec->set_stdio && i < 3; i++) {
        if (dup2(spec->stdio[i], i) < 0)
            failf(errno, "cannot set up the container's stdio");
    }
    if (fds_keep_across_exec(3, spec->preserve_fds) < 0)
        failf(errno, "cannot pass on the preserved fds");
    if (strchr(cmd, '/')) {
        execve(cmd, spec->argv, spec->env);
        saved = errno;
    } else {
        const char *path = env_get(spec->env, "PATH");
        cleanup_free char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            cleanup_free char *full = xasprintf("%s/%s", dir, cmd);
            execve(full, spec->argv, spec->env);
            if (errno != ENOENT && errno != ENOTDIR)
                saved = errno; /* found but not runnable: remember why */
        }
    }
    char what[PATH_MAX + 64];
    if (saved == ENOENT) {
        snprintf(what, sizeof(what), "%s: executable file not found in $PATH", cmd);
        fail_exit(EXIT_NOT_FOUND, what, 0);
    }
    snprintf(what, sizeof(what), "%s: cannot run it", cmd);
    fail_exit(EXIT_CANNOT_RUN, what, saved);
}

/* Setup errors go to the report socket when the spec has one. */
static void use_report_fd(const container_spec_t *spec)
{
    if (spec->report_errors)
        report_fd = spec->report_fd;
}

void container_failf(const container_spec_t *spec, int errnum, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    use_report_fd(spec);
    fail_exit(EXIT_UPOD_FAILED, what, errnum);
}

void container_setup_network(const container_spec_t *spec, int fresh)
{
    use_report_fd(spec);
    upod_error_t err = {0};
    if ((fresh & CLONE_NEWNET) && netlink_link_up(1, &err) < 0)
        fail_exit(EXIT_UPOD_FAILED, err.msg, err.errnum);
    if ((fresh & CLONE_NEWNET) && spec->own_net_pod_dir) {
        int tapfd = tap_create_pod_interface(spec->own_net_mtu, &err);
        if (tapfd < 0 || control_send_tap(spec->own_net_pod_dir, tapfd, &err) < 0)
            fail_exit(EXIT_UPOD_FAILED, err.msg, err.errnum);
        close(tapfd);
    }
}

/* -t: the pty, made here, where /dev/ptmx is the container's own; its
 * slave becomes the command's stdio and controlling terminal. */
static void take_console(container_spec_t *ready)
{
    upod_error_t err = {0};
    int slave;
    if (terminal_make_for_peer(ready->console_fd, &slave, &err) < 0)
        fail_exit(EXIT_UPOD_FAILED, err.msg, err.errnum);
    close(ready->console_fd);
    ready->set_stdio = ready->controlling_tty = true;
    ready->stdio[0] = ready->stdio[1] = ready->stdio[2] = slave;
}

void container_setup(const container_spec_t *spec, container_spec_t *ready)
{
    use_report_fd(spec);
    if (!spec->join_only) {
        /* Where the new root is assembled before pivot_root: the rootfs
         * itself, bound onto itself (pivot_root needs a mount point), or the
         * overlay's merged directory. */
        cleanup_free char *merged =
            spec->overlay_dir ? xasprintf("%s/merged", spec->overlay_dir) : NULL;
        const char *root = merged ? merged : spec->rootfs;
        enter_root(setup_mounts(spec, root));
        mask_paths();
        if (spec->read_only)
            do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
        if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
            failf(errno, "cannot set the hostname");
    }
    *ready = *spec;
    if (ready->console)
        take_console(ready);
    if (chdir(ready->workdir ? ready->workdir : "/") < 0)
        failf(errno, "working directory %s", ready->workdir ? ready->workdir : "/");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        failf(errno, "no_new_privs");
    /* Switch user while we still may; keep the capabilities across the
     * switch, then set exactly the container's. */
    drop_bounding_set(ready->caps);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        failf(errno, "keepcaps");
    gid_t gid = ready->gid;
    if (setgroups(0, NULL) < 0 && errno != EPERM)
        failf(errno, "setgroups");
    if (setresgid(gid, gid, gid) < 0)
        failf(errno, "cannot switch to gid %u (is it mapped in the pod?)", (unsigned)gid);
    if (setresuid(ready->uid, ready->uid, ready->uid) < 0)
        failf(errno, "cannot switch to uid %u (is it mapped in the pod?)", (unsigned)ready->uid);
    set_process_caps(ready->caps);
    /* Last: from here on, only what the command (and the init) may do. */
    upod_error_t filter_err = {0};
    if (seccomp_apply_default(&filter_err) < 0)
        fail_exit(EXIT_UPOD_FAILED, filter_err.msg, filter_err.errnum);
}

void container_exec_command(const container_spec_t *ready)
{
    use_report_fd(ready);
    exec_command(ready);
}

void container_exec(const container_spec_t *spec)
{
    container_spec_t ready;
    container_setup(spec, &ready);
    container_exec_command(&ready);
}
