/* inroot.c: see inroot.h. */
#include "sandbox/inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"

static const unsigned long long in_root = UPOD_RESOLVE_IN_ROOT | UPOD_RESOLVE_NO_MAGICLINKS;

int inroot_open(int root_fd, const char *path, int flags, upod_error_t *err)
{
    /* RESOLVE_IN_ROOT takes "/x" as root_fd's "x"; an empty path is the
     * root itself. */
    const char *rel = path + strspn(path, "/");
    int fd = upod_openat2(root_fd, *rel ? rel : ".", flags | O_CLOEXEC, in_root);
    if (fd < 0) {
        if (errno == ENOSYS)
            return upod_fail(err, errno, "resolving %s in the rootfs needs openat2 (Linux >= 5.6)",
                             path);
        return upod_fail(err, errno, "%s in the rootfs", path);
    }
    return fd;
}

/* Make name, a directory or an empty file, in the directory dir_fd. A
 * name that exists already is left as it is (the caller opens it again). */
static int make_entry(int dir_fd, const char *name, bool file, const char *path, upod_error_t *err)
{
    if (!file) {
        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
            return upod_fail(err, errno, "cannot create %s in the rootfs", path);
        return 0;
    }
    int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST)
        return upod_fail(err, errno, "cannot create mount point %s in the rootfs", path);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* The path a dangling symlink (name, in the directory parent, itself
 * under root as prefix_parent) leads to, followed by rest: where the walk
 * goes on, still inside the root. */
static char *through_dangling_link(int dir_fd, const char *name, const char *prefix_parent,
                                   const char *rest)
{
    char target[4096];
    ssize_t n = readlinkat(dir_fd, name, target, sizeof(target) - 1);
    if (n < 0)
        return NULL;
    target[n] = '\0';
    if (target[0] == '/')
        return xasprintf("%s/%s", target, rest);
    return xasprintf("%s/%s/%s", prefix_parent, target, rest);
}

/* inroot_make with the number of dangling symlinks followed so far. */
static int make_path(int root_fd, const char *path, bool file, int links, upod_error_t *err)
{
    cleanup_free char *prefix = xcalloc(strlen(path) + 2, 1);
    cleanup_free char *copy = xstrdup(path);
    int dir = inroot_open(root_fd, "/", O_PATH | O_DIRECTORY, err);
    char *save = NULL;
    char *name = strtok_r(copy, "/", &save);
    while (dir >= 0 && name) {
        char *next = strtok_r(NULL, "/", &save);
        bool last = next == NULL;
        size_t parent_len = strlen(prefix);
        strcat(strcat(prefix, "/"), name);
        /* Each prefix is resolved from the root again, so that a symlink
         * in it is read as the container reads it. */
        upod_error_t ignored = {0};
        int fd = inroot_open(root_fd, prefix, O_PATH, &ignored);
        if (fd < 0 && ignored.errnum == ENOENT) {
            if (make_entry(dir, name, last && file, prefix, err) < 0) {
                close(dir);
                return -1;
            }
            fd = inroot_open(root_fd, prefix, O_PATH, &ignored);
        }
        if (fd < 0 && ignored.errnum == ENOENT) {
            /* name exists but leads nowhere yet: a dangling symlink. Go
             * on where it points, inside the root, as the kernel would. */
            prefix[parent_len] = '\0';
            const char *rest = last ? "" : path + (next - copy);
            cleanup_free char *onward = through_dangling_link(dir, name, prefix, rest);
            close(dir);
            if (!onward)
                return upod_fail(err, ENOENT, "mount point %s in the rootfs", path);
            if (links >= 40)
                return upod_fail(err, ELOOP, "mount point %s in the rootfs", path);
            return make_path(root_fd, onward, file, links + 1, err);
        }
        if (fd < 0)
            upod_fail(err, ignored.errnum, "mount point %s: %s in the rootfs", path, prefix);
        close(dir);
        dir = fd;
        name = next;
    }
    return dir;
}

int inroot_make(int root_fd, const char *path, bool file, upod_error_t *err)
{
    return make_path(root_fd, path, file, 0, err);
}

const char *inroot_fd_path(int fd, char buf[INROOT_FD_PATH_MAX])
{
    snprintf(buf, INROOT_FD_PATH_MAX, "/proc/self/fd/%d", fd);
    return buf;
}

bool inroot_has_dotdot(const char *path)
{
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += len;
        p += strspn(p, "/");
    }
    return false;
}
