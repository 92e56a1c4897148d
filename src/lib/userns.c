/* userns.c: see userns.h. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "compat.h"
#include "util.h"

/* One "owner:start:count" line. */
static bool parse_subid_line(const char *line, size_t len, const char *user, uid_t id,
                             subid_range_t *range)
{
    cleanup_free char *copy = xmalloc(len + 1);
    memcpy(copy, line, len);
    copy[len] = '\0';
    char *first = strchr(copy, ':');
    if (!first)
        return false;
    char *second = strchr(first + 1, ':');
    if (!second)
        return false;
    *first = *second = '\0';
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%u", (unsigned)id);
    if (!((user && strcmp(copy, user) == 0) || strcmp(copy, idbuf) == 0))
        return false;
    long start, count;
    if (!parse_long(first + 1, 0, 0xFFFFFFFEL, &start) || !parse_long(second + 1, 1, 0xFFFFFFFFL, &count))
        return false;
    if ((unsigned long)start + (unsigned long)count > 0x100000000UL)
        return false;
    range->start = (unsigned long)start;
    range->count = (unsigned long)count;
    return true;
}

void subid_parse(const char *text, const char *user, uid_t id, subid_ranges_t *out)
{
    out->n = 0;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, "\n");
        subid_range_t r;
        if (len && p[0] != '#' && out->n < SUBID_MAX_RANGES &&
            parse_subid_line(p, len, user, id, &r))
            out->ranges[out->n++] = r;
        p += len;
        if (*p == '\n')
            p++;
    }
}

int subid_read(const char *path, const char *user, uid_t id, subid_ranges_t *out,
               upod_error_t *err)
{
    cleanup_free char *text = NULL;
    out->n = 0;
    if (read_file_at(AT_FDCWD, path, 4 << 20, &text, NULL) < 0) {
        if (errno == ENOENT)
            return 0;
        return upod_fail(err, errno, "cannot read %s", path);
    }
    subid_parse(text, user, id, out);
    return 0;
}

static bool is_privileged_helper(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    if ((st.st_mode & S_ISUID) && st.st_uid == 0)
        return true;
    /* Debian may ship them with file capabilities instead of setuid. */
    return getxattr(path, "security.capability", NULL, 0) > 0;
}

void idmap_helper_find(const char *name, idmap_helper_t *out)
{
    out->path = NULL;
    out->privileged = false;
    const char *env_path = getenv("PATH");
    cleanup_free char *search =
        xasprintf("%s:/usr/bin:/usr/sbin:/bin:/sbin", env_path ? env_path : "");
    char *save = NULL;
    for (char *dir = strtok_r(search, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] != '/')
            continue;
        cleanup_free char *candidate = xasprintf("%s/%s", dir, name);
        if (access(candidate, X_OK) == 0) {
            out->path = steal_pointer(&candidate);
            out->privileged = is_privileged_helper(out->path);
            return;
        }
    }
}

void idmap_helper_clear(idmap_helper_t *h)
{
    free(h->path);
    h->path = NULL;
}

long read_sysctl_long(const char *path)
{
    cleanup_free char *text = NULL;
    long v;
    if (read_file_at(AT_FDCWD, path, 64, &text, NULL) < 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    return parse_long(text, 0, 0x7fffffffL, &v) ? v : -1;
}

void userns_failure_hint(int errnum, long max_user_namespaces, long unprivileged_userns_clone,
                         long apparmor_restrict, char *buf, size_t size)
{
    if (max_user_namespaces == 0 || errnum == ENOSPC) {
        snprintf(buf, size,
                 "user.max_user_namespaces is %ld: as root, run "
                 "'sysctl -w user.max_user_namespaces=15000' (and set it in /etc/sysctl.d/)",
                 max_user_namespaces);
    } else if (errnum == EINVAL) {
        snprintf(buf, size, "the kernel was built without user namespaces (CONFIG_USER_NS)");
    } else if (unprivileged_userns_clone == 0) {
        snprintf(buf, size,
                 "kernel.unprivileged_userns_clone is 0: as root, run "
                 "'sysctl -w kernel.unprivileged_userns_clone=1' (and set it in /etc/sysctl.d/)");
    } else if (apparmor_restrict == 1) {
        snprintf(buf, size,
                 "AppArmor restricts unprivileged user namespaces "
                 "(kernel.apparmor_restrict_unprivileged_userns=1): as root, set it to 0 or "
                 "add an AppArmor profile for upod that allows userns");
    } else if (errnum == EPERM || errnum == EACCES) {
        snprintf(buf, size,
                 "the kernel refused (%s): a seccomp filter or the container upod runs in "
                 "forbids user namespaces; run upod on the host or allow unshare(CLONE_NEWUSER)",
                 strerror(errnum));
    } else {
        snprintf(buf, size, "unshare(CLONE_NEWUSER) failed: %s", strerror(errnum));
    }
}

void userns_probe(userns_probe_t *out)
{
    memset(out, 0, sizeof(*out));
    out->max_user_namespaces = read_sysctl_long("/proc/sys/user/max_user_namespaces");
    /* A real attempt, in a child so that this process keeps its namespaces.
     * The child reports its errno as exit status. */
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: try, report, never return. */
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0xff ? errno & 0xff : 255));
    }
    int status = 0;
    if (pid < 0) {
        out->errnum = errno;
    } else if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) < 0) {
        out->errnum = errno;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        out->works = true;
        return;
    } else {
        out->errnum = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
    }
    userns_failure_hint(out->errnum, out->max_user_namespaces,
                        read_sysctl_long("/proc/sys/kernel/unprivileged_userns_clone"),
                        read_sysctl_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
                        out->hint, sizeof(out->hint));
}
