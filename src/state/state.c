/* state.c: see state.h. */
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/proc.h"
#include "base/util.h"
#include "state/pod.h"

const char *state_rule_describe(state_rule_t rule)
{
    switch (rule) {
    case STATE_RULE_XDG_RUNTIME_DIR:
        return "$XDG_RUNTIME_DIR/upod (XDG_RUNTIME_DIR is set)";
    case STATE_RULE_RUN_USER:
        return "/run/user/$UID/upod (XDG_RUNTIME_DIR is unset, /run/user/$UID is yours)";
    case STATE_RULE_TMPDIR:
        return "$TMPDIR/upod-$UID (no XDG_RUNTIME_DIR and no /run/user/$UID of yours)";
    }
    return "?";
}

void state_dir_choice_clear(state_dir_choice_t *c)
{
    free(c->path);
    c->path = NULL;
}

/* Containers bind the pod's files from the state directory: it must not be
 * where a pod has mounts of its own. */
static int check_reachable(state_dir_choice_t *c, upod_error_t *err)
{
    const char *hidden = path_hidden_in_pods(c->path);
    if (!hidden)
        return 0;
    upod_fail(err, 0, "state directory %s is under %s, which every pod replaces with its own, so "
                      "that containers could not see their files: set XDG_RUNTIME_DIR (or "
                      "TMPDIR) to a directory elsewhere",
              c->path, hidden);
    state_dir_choice_clear(c);
    return -1;
}

int state_dir_choose(const state_env_t *env, state_dir_choice_t *out, upod_error_t *err)
{
    if (env->xdg_runtime_dir && env->xdg_runtime_dir[0]) {
        if (env->xdg_runtime_dir[0] != '/')
            return upod_fail(err, 0,
                             "XDG_RUNTIME_DIR=%s is not an absolute path: unset it or set it to "
                             "a directory you own with mode 0700",
                             env->xdg_runtime_dir);
        out->path = xasprintf("%s/upod", env->xdg_runtime_dir);
        out->rule = STATE_RULE_XDG_RUNTIME_DIR;
        return check_reachable(out, err);
    }
    if (env->run_user_ours) {
        out->path = xasprintf("/run/user/%u/upod", (unsigned)env->uid);
        out->rule = STATE_RULE_RUN_USER;
        return 0;
    }
    const char *tmp = env->tmpdir && env->tmpdir[0] == '/' ? env->tmpdir : "/tmp";
    out->path = xasprintf("%s/upod-%u", tmp, (unsigned)env->uid);
    out->rule = STATE_RULE_TMPDIR;
    return check_reachable(out, err);
}

int state_dir_check_stat(const char *path, const struct stat *st, uid_t uid, upod_error_t *err)
{
    if (S_ISLNK(st->st_mode))
        return upod_fail(err, 0, "state directory %s is a symlink: refusing to use it (remove it, "
                                 "upod creates the directory itself)",
                         path);
    if (!S_ISDIR(st->st_mode))
        return upod_fail(err, 0, "state directory %s is not a directory: remove it", path);
    if (st->st_uid != uid)
        return upod_fail(err, 0,
                         "state directory %s is owned by uid %u, not by you (uid %u): refusing "
                         "to use it (remove it, or set XDG_RUNTIME_DIR to a directory you own)",
                         path, (unsigned)st->st_uid, (unsigned)uid);
    if (st->st_mode & 077)
        return upod_fail(err, 0,
                         "state directory %s has mode %04o: it must be 0700 (run: chmod 0700 %s)",
                         path, (unsigned)(st->st_mode & 07777), path);
    return 0;
}

int state_env_from_system(state_env_t *env, upod_error_t *err)
{
    struct stat st;
    memset(env, 0, sizeof(*env));
    env->uid = geteuid();
    env->xdg_runtime_dir = getenv("XDG_RUNTIME_DIR");
    env->tmpdir = getenv("TMPDIR");
    if (env->xdg_runtime_dir && env->xdg_runtime_dir[0] == '/') {
        if (stat(env->xdg_runtime_dir, &st) < 0)
            return upod_fail(err, errno, "XDG_RUNTIME_DIR=%s is not usable (unset it or create "
                                         "it with mode 0700)",
                             env->xdg_runtime_dir);
        if (!S_ISDIR(st.st_mode) || st.st_uid != env->uid)
            return upod_fail(err, 0,
                             "XDG_RUNTIME_DIR=%s is not a directory owned by you (uid %u): "
                             "unset it or point it at a directory you own with mode 0700",
                             env->xdg_runtime_dir, (unsigned)env->uid);
    }
    char run_user[64];
    snprintf(run_user, sizeof(run_user), "/run/user/%u", (unsigned)env->uid);
    env->run_user_ours = lstat(run_user, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == env->uid;
    return 0;
}

static int choose_from_system(state_dir_choice_t *choice, upod_error_t *err)
{
    state_env_t env;
    if (state_env_from_system(&env, err) < 0)
        return -1;
    return state_dir_choose(&env, choice, err);
}

int state_dir_probe(state_dir_choice_t *choice, bool *exists, upod_error_t *err)
{
    struct stat st;
    if (choose_from_system(choice, err) < 0)
        return -1;
    if (lstat(choice->path, &st) < 0) {
        if (errno != ENOENT)
            return upod_fail(err, errno, "cannot inspect state directory %s", choice->path);
        *exists = false;
        return 0;
    }
    *exists = true;
    return state_dir_check_stat(choice->path, &st, geteuid(), err);
}

int state_dir_open(state_dir_choice_t *choice, upod_error_t *err)
{
    struct stat st;
    if (choose_from_system(choice, err) < 0)
        return -1;
    if (mkdir(choice->path, 0700) < 0 && errno != EEXIST)
        return upod_fail(err, errno, "cannot create state directory %s", choice->path);
    /* Open without following a symlink, then check what we really opened:
     * no window between the check and the use. */
    cleanup_close int fd = open(choice->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR) {
            if (lstat(choice->path, &st) == 0)
                return state_dir_check_stat(choice->path, &st, geteuid(), err);
        }
        return upod_fail(err, errno, "cannot open state directory %s", choice->path);
    }
    if (fstat(fd, &st) < 0)
        return upod_fail(err, errno, "cannot inspect state directory %s", choice->path);
    if (state_dir_check_stat(choice->path, &st, geteuid(), err) < 0)
        return -1;
    return steal_fd(&fd);
}

int state_write_file(int dirfd, const char *name, const char *data, size_t len, upod_error_t *err)
{
    cleanup_free char *tmp = xasprintf(".%s.tmp.%d", name, (int)getpid());
    cleanup_close int fd =
        openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return upod_fail(err, errno, "cannot create state file %s", tmp);
    size_t done = 0;
    while (done < len) {
        ssize_t w = TEMP_FAILURE_RETRY(write(fd, data + done, len - done));
        if (w < 0) {
            int saved = errno;
            unlinkat(dirfd, tmp, 0);
            return upod_fail(err, saved, "cannot write state file %s", name);
        }
        done += (size_t)w;
    }
    if (fsync(fd) < 0 || close(steal_fd(&fd)) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return upod_fail(err, saved, "cannot write state file %s", name);
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return upod_fail(err, saved, "cannot replace state file %s", name);
    }
    if (fsync(dirfd) < 0)
        return upod_fail(err, errno, "cannot sync the state directory");
    return 0;
}

int state_reserve_file(int dirfd, const char *name, size_t size, upod_error_t *err)
{
    cleanup_close int fd =
        openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return upod_fail(err, errno, "cannot reserve space in the state directory");
    static const char zeros[4096];
    for (size_t done = 0; done < size;) {
        size_t chunk = size - done < sizeof(zeros) ? size - done : sizeof(zeros);
        ssize_t w = TEMP_FAILURE_RETRY(write(fd, zeros, chunk));
        if (w < 0) {
            int saved = errno;
            unlinkat(dirfd, name, 0);
            return upod_fail(err, saved, "cannot reserve space in the state directory");
        }
        done += (size_t)w;
    }
    /* No fsync: the blocks are taken when written (tmpfs pages, or a
     * delayed allocation's reservation), and the file is only ever freed. */
    return 0;
}

/* Open a state file to read it: a regular file, never a symlink, and
 * never a FIFO that would block the reader (O_NONBLOCK, then checked). */
static int open_state_file(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    int saved = fstat(fd, &st) < 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
    if (saved) {
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int state_read_file(int dirfd, const char *name, char **out, upod_error_t *err)
{
    cleanup_close int fd = open_state_file(dirfd, name);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open state file %s", name);
    if (read_fd(fd, STATE_FILE_MAX, out, NULL) < 0)
        return upod_fail(err, errno, "cannot read state file %s", name);
    return 0;
}

/* Salvage reads at most this much of a file, keeping lines up to LINE_MAX. */
#define SALVAGE_SCAN_MAX (64u << 20)
#define SALVAGE_LINE_MAX 4096

void state_salvage_file(int dirfd, const char *name, kv_t *out)
{
    kv_init(out);
    cleanup_close int fd = open_state_file(dirfd, name);
    if (fd < 0)
        return;
    cleanup_free char *line = xmalloc(SALVAGE_LINE_MAX);
    cleanup_free char *buf = xmalloc(65536);
    size_t len = 0, scanned = 0;
    bool overlong = false;
    ssize_t n;
    while (scanned < SALVAGE_SCAN_MAX && (n = TEMP_FAILURE_RETRY(read(fd, buf, 65536))) > 0) {
        scanned += (size_t)n;
        const char *p = buf, *end = buf + n;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t chunk = (size_t)((nl ? nl : end) - p);
            if (!overlong && len + chunk < SALVAGE_LINE_MAX) {
                memcpy(line + len, p, chunk);
                len += chunk;
            } else {
                overlong = true;
            }
            p += chunk;
            if (nl) { /* a whole line: keep it if it is well-formed */
                if (!overlong)
                    kv_parse_line(line, len, out);
                len = 0;
                overlong = false;
                p++;
            }
        }
    }
    if (!overlong && len > 0 && scanned < SALVAGE_SCAN_MAX)
        kv_parse_line(line, len, out); /* a last line without its newline */
}

static long lock_timeout_seconds(void)
{
    long v;
    const char *env = getenv("UPOD_LOCK_TIMEOUT");
    return env && parse_long(env, 1, 86400, &v) ? v : STATE_LOCK_TIMEOUT;
}

pid_t state_lock_holder(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return 0;
    cleanup_free char *text = NULL;
    if (read_file_at(AT_FDCWD, "/proc/locks", 4u << 20, &text, NULL) < 0)
        return 0;
    /* "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; waiters show "->"
     * before the kind. */
    for (char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
        char kind[16];
        int pid;
        unsigned maj, min;
        unsigned long long ino;
        if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", kind, &pid, &maj, &min, &ino) == 5 &&
            strcmp(kind, "FLOCK") == 0 && maj == major(st.st_dev) && min == minor(st.st_dev) &&
            ino == (unsigned long long)st.st_ino && pid > 0)
            return (pid_t)pid;
    }
    return 0;
}

/* "pid 1234 (upod), stopped" for messages about the lock's holder. */
static void describe_holder(pid_t pid, char *buf, size_t size)
{
    if (pid <= 0) {
        snprintf(buf, size, "another process (not visible here)");
        return;
    }
    char path[64], state = '?';
    cleanup_free char *comm = NULL, *stat_text = NULL;
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    if (read_file_at(AT_FDCWD, path, 256, &comm, NULL) < 0)
        comm = xstrdup("?\n");
    comm[strcspn(comm, "\n")] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    unsigned long long start;
    if (read_file_at(AT_FDCWD, path, 4096, &stat_text, NULL) == 0)
        proc_parse_stat(stat_text, &state, &start);
    snprintf(buf, size, "pid %d (%s)%s", (int)pid, comm,
             state == 'T' || state == 't' ? ", which is stopped" : "");
}

static volatile sig_atomic_t lock_ticks;

static void on_lock_tick(int sig)
{
    (void)sig;
    lock_ticks++;
}

/* Block on the lock, woken every second by SIGALRM (no SA_RESTART, so
 * flock returns EINTR): report once after the first second, give up after
 * the bound. The caller's SIGALRM disposition, mask and timer are put
 * back. */
static int wait_for_lock(int fd, upod_error_t *err)
{
    struct sigaction tick = {.sa_handler = on_lock_tick}, old_action;
    sigemptyset(&tick.sa_mask);
    struct itimerval every_second = {{1, 0}, {1, 0}}, old_timer;
    sigset_t alarm_only, old_mask;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    long timeout = lock_timeout_seconds();
    lock_ticks = 0;
    if (sigaction(SIGALRM, &tick, &old_action) < 0)
        return upod_fail(err, errno, "cannot wait for the state lock");
    sigprocmask(SIG_UNBLOCK, &alarm_only, &old_mask);
    if (setitimer(ITIMER_REAL, &every_second, &old_timer) < 0) {
        int saved = errno;
        sigaction(SIGALRM, &old_action, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return upod_fail(err, saved, "cannot wait for the state lock");
    }
    bool reported = false;
    int ret = 0, saved = 0;
    char holder[128];
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            saved = errno;
            ret = -1;
            break;
        }
        if (lock_ticks >= timeout) {
            ret = -1;
            break;
        }
        if (lock_ticks >= 1 && !reported) {
            describe_holder(state_lock_holder(fd), holder, sizeof(holder));
            fprintf(stderr, "Warning: waiting for the state lock held by %s; giving up after "
                            "%ld s\n",
                    holder, timeout);
            reported = true;
        }
    }
    setitimer(ITIMER_REAL, &old_timer, NULL);
    sigaction(SIGALRM, &old_action, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    if (ret < 0 && saved)
        return upod_fail(err, saved, "cannot take the state lock");
    if (ret < 0) {
        describe_holder(state_lock_holder(fd), holder, sizeof(holder));
        return upod_fail(err, 0, "the state lock is still held by %s after %ld s: resume or end "
                                 "that process (kill -CONT, or kill), then try again",
                         holder, timeout);
    }
    return 0;
}

int state_lock(int state_fd, upod_error_t *err)
{
    cleanup_close int fd = openat(state_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open the state lock");
    if (TEMP_FAILURE_RETRY(flock(fd, LOCK_EX | LOCK_NB)) == 0)
        return steal_fd(&fd);
    if (errno != EWOULDBLOCK)
        return upod_fail(err, errno, "cannot take the state lock");
    if (wait_for_lock(fd, err) < 0)
        return -1;
    return steal_fd(&fd);
}

int state_lock_patient(int state_fd, upod_error_t *err)
{
    cleanup_close int fd = openat(state_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open the state lock");
    if (TEMP_FAILURE_RETRY(flock(fd, LOCK_EX)) < 0)
        return upod_fail(err, errno, "cannot take the state lock");
    return steal_fd(&fd);
}

int state_open_subdir(int dirfd, const char *name, bool create, upod_error_t *err)
{
    if (create && mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
        return upod_fail(err, errno, "cannot create state directory %s", name);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open state directory %s", name);
    return fd;
}

int state_remove_tree(int dirfd, const char *name, upod_error_t *err)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) {
        /* overlayfs leaves work/work with mode 0: ours, so we may open it up. */
        fchmodat(dirfd, name, 0700, 0);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return upod_fail(err, errno, "cannot open %s for removal", name);
    }
    DIR *d = fdopendir(dup(fd));
    if (!d)
        return upod_fail(err, errno, "cannot list %s", name);
    struct dirent *e;
    int ret = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_type == DT_DIR) {
            if (state_remove_tree(fd, e->d_name, err) < 0) {
                ret = -1;
                break;
            }
        } else if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT) {
            ret = upod_fail(err, errno, "cannot remove %s/%s", name, e->d_name);
            break;
        }
    }
    closedir(d);
    if (ret == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        ret = upod_fail(err, errno, "cannot remove %s", name);
    return ret;
}

int state_sweep(int dirfd, const char *whole)
{
    int dfd = dup(dirfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return 0;
    }
    rewinddir(d);
    int swept = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        bool leftover = str_has_prefix(name, ".new-") || str_has_prefix(name, ".rm-");
        if (!leftover && name[0] != '.' && e->d_type == DT_DIR) {
            struct stat st;
            cleanup_free char *path = xasprintf("%s/%s", name, whole);
            leftover = fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
        }
        upod_error_t ignored = {0};
        if (leftover && e->d_type == DT_DIR && state_remove_tree(dirfd, name, &ignored) == 0)
            swept++;
    }
    closedir(d);
    return swept;
}

bool state_error_is_transient(const upod_error_t *load_err)
{
    switch (load_err->errnum) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case ENOBUFS:
    case EIO:
    case EINTR:
    case EAGAIN:
        return true;
    default:
        return false;
    }
}

int state_handle_open(state_handle_t *s, upod_error_t *err)
{
    state_dir_choice_t choice = {0};
    s->state_fd = s->pods_fd = -1;
    s->state_fd = state_dir_open(&choice, err);
    s->path = steal_pointer(&choice.path);
    if (s->state_fd < 0) {
        free(s->path);
        s->path = NULL;
        return -1;
    }
    s->pods_fd = pods_dir_open(s->state_fd, err);
    if (s->pods_fd < 0) {
        close(s->state_fd);
        s->state_fd = -1;
        free(s->path);
        s->path = NULL;
        return -1;
    }
    return 0;
}

void state_handle_close(state_handle_t *s)
{
    if (s->pods_fd >= 0)
        close(s->pods_fd);
    if (s->state_fd >= 0)
        close(s->state_fd);
    s->state_fd = s->pods_fd = -1;
    free(s->path);
    s->path = NULL;
}
