/* userns.c: see userns.h. */
#include "sandbox/userns.h"

#include <errno.h>
#include <pwd.h>
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

#include "base/compat.h"
#include "base/util.h"

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
    userns_explain_failure(out->errnum, out->hint, sizeof(out->hint));
}

void userns_explain_failure(int errnum, char *buf, size_t size)
{
    userns_failure_hint(errnum, read_sysctl_long("/proc/sys/user/max_user_namespaces"),
                        read_sysctl_long("/proc/sys/kernel/unprivileged_userns_clone"),
                        read_sysctl_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
                        buf, size);
}

void idmap_build(unsigned long inside_id, unsigned long outside_id, const subid_range_t *range,
                 bool keep_id, idmap_t *out)
{
    out->n = 0;
#define ADD_LINE(in, outside_, cnt)                                                                \
    out->lines[out->n++] = (idmap_line_t){.inside = (in), .outside = (outside_), .count = (cnt)}
    if (!range) {
        ADD_LINE(keep_id ? inside_id : 0, outside_id, 1);
        return;
    }
    if (!keep_id || inside_id == 0) {
        ADD_LINE(0, outside_id, 1);
        ADD_LINE(1, range->start, range->count);
        return;
    }
    /* keep-id: the subordinate range fills 0..id-1 and id+1..; id is the user. */
    unsigned long below = range->count < inside_id ? range->count : inside_id;
    ADD_LINE(0, range->start, below);
    ADD_LINE(inside_id, outside_id, 1);
    if (range->count > inside_id)
        ADD_LINE(inside_id + 1, range->start + inside_id, range->count - inside_id);
#undef ADD_LINE
}

void idmap_plan(idmap_plan_t *plan)
{
    memset(plan, 0, sizeof(*plan));
    uid_t uid = geteuid();
    gid_t gid = getegid();
    struct passwd *pw = getpwuid(uid);
    const char *name = pw ? pw->pw_name : NULL;
    idmap_helper_t hu, hg;
    idmap_helper_find("newuidmap", &hu);
    idmap_helper_find("newgidmap", &hg);
    subid_ranges_t su = {.n = 0}, sg = {.n = 0};
    upod_error_t ignored = {0};
    if (hu.privileged && hg.privileged) {
        /* An unreadable subid file means no ranges: the single mapping. */
        (void)subid_read("/etc/subuid", name, uid, &su, &ignored);
        (void)subid_read("/etc/subgid", name, (uid_t)gid, &sg, &ignored);
    }
    plan->subids = su.n > 0 && sg.n > 0;
    plan->uid = uid;
    plan->gid = gid;
    idmap_build(uid, uid, plan->subids ? &su.ranges[0] : NULL, false, &plan->uids);
    idmap_build(gid, gid, plan->subids ? &sg.ranges[0] : NULL, false, &plan->gids);
    if (plan->subids) {
        plan->newuidmap = steal_pointer(&hu.path);
        plan->newgidmap = steal_pointer(&hg.path);
    }
    idmap_helper_clear(&hu);
    idmap_helper_clear(&hg);
}

/* One kind of a pod's map, relative to the parent: the parent's own map
 * is "0 -> the user" plus (with subids) "1..count -> the range", so the
 * user is 0 there and the range starts at 1. */
static void nested_map(unsigned long self, const idmap_t *parent, bool keep_id, idmap_t *out)
{
    subid_range_t rest = {.start = 1, .count = parent->n > 1 ? parent->lines[1].count : 0};
    idmap_build(self, 0, parent->n > 1 ? &rest : NULL, keep_id, out);
}

void idmap_nested(const idmap_plan_t *parent, bool keep_id, idmap_t *uids, idmap_t *gids)
{
    nested_map(parent->uid, &parent->uids, keep_id, uids);
    nested_map(parent->gid, &parent->gids, keep_id, gids);
}

int idmap_format(const idmap_t *map, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < map->n; i++) {
        int n = snprintf(buf + used, size - used, "%lu %lu %lu\n", map->lines[i].inside,
                         map->lines[i].outside, map->lines[i].count);
        if (n < 0 || (size_t)n >= size - used)
            return -1;
        used += (size_t)n;
    }
    return 0;
}

void idmap_plan_clear(idmap_plan_t *plan)
{
    free(plan->newuidmap);
    free(plan->newgidmap);
    memset(plan, 0, sizeof(*plan));
}

/* A running newuidmap/newgidmap, its stderr kept for the error message. */
typedef struct {
    const char *helper;
    pid_t pid;
    int stderr_fd;
} map_helper_t;

/* Start HELPER PID inside outside count... */
static int map_helper_start(const char *helper, pid_t pid, const idmap_t *map, map_helper_t *h,
                            upod_error_t *err)
{
    char *argv[2 + 3 * IDMAP_MAX_LINES + 1];
    char numbers[1 + 3 * IDMAP_MAX_LINES][24];
    size_t argc = 0, k = 0;
    argv[argc++] = (char *)helper;
    snprintf(numbers[k], sizeof(numbers[k]), "%d", (int)pid);
    argv[argc++] = numbers[k++];
    for (size_t i = 0; i < map->n; i++) {
        unsigned long v[3] = {map->lines[i].inside, map->lines[i].outside, map->lines[i].count};
        for (int j = 0; j < 3; j++) {
            snprintf(numbers[k], sizeof(numbers[k]), "%lu", v[j]);
            argv[argc++] = numbers[k++];
        }
    }
    argv[argc] = NULL;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return upod_fail(err, errno, "cannot run %s", helper);
    pid_t child = fork();
    if (child < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return upod_fail(err, errno, "cannot run %s", helper);
    }
    if (child == 0) {
        /* Child: the helper, its stderr into the pipe. */
        dup2(pipefd[1], STDERR_FILENO);
        execv(helper, argv);
        _exit(127);
    }
    close(pipefd[1]);
    *h = (map_helper_t){.helper = helper, .pid = child, .stderr_fd = pipefd[0]};
    return 0;
}

/* Wait for it; its failure becomes err (unless err already holds one). */
static int map_helper_finish(map_helper_t *h, upod_error_t *err)
{
    char msg[512];
    ssize_t n = TEMP_FAILURE_RETRY(read(h->stderr_fd, msg, sizeof(msg) - 1));
    close(h->stderr_fd);
    msg[n > 0 ? n : 0] = '\0';
    msg[strcspn(msg, "\n")] = '\0';
    int status;
    if (TEMP_FAILURE_RETRY(waitpid(h->pid, &status, 0)) < 0)
        return upod_fail(err, errno, "waiting for %s", h->helper);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return upod_fail(err, 0, "%s failed%s%s (check your ranges in /etc/subuid and /etc/subgid)",
                         h->helper, msg[0] ? ": " : "", msg);
    return 0;
}

static int write_proc_file(pid_t pid, const char *file, const char *text, upod_error_t *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open %s", path);
    size_t len = strlen(text);
    if (TEMP_FAILURE_RETRY(write(fd, text, len)) != (ssize_t)len)
        return upod_fail(err, errno, "cannot write %s", path);
    return 0;
}

int idmap_apply(const idmap_plan_t *plan, pid_t pid, upod_error_t *err)
{
    if (plan->subids) {
        /* Both at once: each is a setuid program that takes a few ms to
         * start, and they write different files. */
        map_helper_t uid_helper, gid_helper;
        if (map_helper_start(plan->newuidmap, pid, &plan->uids, &uid_helper, err) < 0)
            return -1;
        if (map_helper_start(plan->newgidmap, pid, &plan->gids, &gid_helper, err) < 0) {
            upod_error_t ignored = {0};
            map_helper_finish(&uid_helper, &ignored);
            return -1;
        }
        upod_error_t gid_err = {0};
        int r = map_helper_finish(&uid_helper, err);
        int g = map_helper_finish(&gid_helper, &gid_err);
        if (r == 0 && g < 0)
            *err = gid_err;
        return r < 0 || g < 0 ? -1 : 0;
    }
    return idmap_write(pid, &plan->uids, &plan->gids, true, err);
}

int idmap_write(pid_t pid, const idmap_t *uids, const idmap_t *gids, bool deny_setgroups,
                upod_error_t *err)
{
    char text[3 * IDMAP_MAX_LINES * 24];
    if (idmap_format(uids, text, sizeof(text)) < 0)
        return upod_fail(err, EOVERFLOW, "cannot write the uid map");
    if (write_proc_file(pid, "uid_map", text, err) < 0)
        return -1;
    if (deny_setgroups && write_proc_file(pid, "setgroups", "deny", err) < 0)
        return -1;
    if (idmap_format(gids, text, sizeof(text)) < 0)
        return upod_fail(err, EOVERFLOW, "cannot write the gid map");
    return write_proc_file(pid, "gid_map", text, err);
}
