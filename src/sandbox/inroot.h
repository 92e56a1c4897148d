/* inroot.h: paths inside a container's root filesystem, resolved as the
 * container will see them once it runs: symlinks and ".." never lead out
 * of the root (openat2 with RESOLVE_IN_ROOT, Linux 5.6). A rootfs is
 * hostile, and it may change while a container is set up (another
 * container of the pod may share it), so mount targets are resolved once,
 * to an fd, and mounted on through that fd ("/proc/self/fd/N"), never by
 * a host path made of root + container path. */
#ifndef UPOD_INROOT_H
#define UPOD_INROOT_H

#include <stdbool.h>

#include "base/error.h"

/* Open path (absolute or not, as seen from the container) under root_fd
 * with flags (O_CLOEXEC is added); -1 with err. */
int inroot_open(int root_fd, const char *path, int flags, upod_error_t *err);

/* An O_PATH fd for path under root_fd, made first if missing: its parents
 * as directories (0755), itself as a directory, or as an empty file
 * (0644) when file. A dangling symlink on the way is made through, where
 * it points inside the root (at most 40 of them). -1 with err. */
int inroot_make(int root_fd, const char *path, bool file, upod_error_t *err);

/* "/proc/self/fd/N": the name through which mount(2) reaches what fd is. */
#define INROOT_FD_PATH_MAX 32
const char *inroot_fd_path(int fd, char buf[INROOT_FD_PATH_MAX]);

/* Whether path has a ".." component (which a mount target never needs). */
bool inroot_has_dotdot(const char *path);

#endif
