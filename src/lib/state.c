/* state.c: see state.h. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "util.h"

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

int state_read_file(int dirfd, const char *name, char **out, upod_error_t *err)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open state file %s", name);
    if (read_fd(fd, 1 << 20, out, NULL) < 0)
        return upod_fail(err, errno, "cannot read state file %s", name);
    return 0;
}

int state_lock(int state_fd, upod_error_t *err)
{
    int fd = openat(state_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open the state lock");
    if (TEMP_FAILURE_RETRY(flock(fd, LOCK_EX)) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot take the state lock");
    }
    return fd;
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

bool state_entry_skippable(const upod_error_t *load_err)
{
    return load_err->errnum == 0 || load_err->errnum == ENOENT || load_err->errnum == ENOTDIR;
}
