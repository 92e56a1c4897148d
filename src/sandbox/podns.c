/* podns.c: see podns.h. */
#include "sandbox/podns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static const struct {
    const char *file; /* under /proc/PID/ns/ */
    int flag;
} kinds[PODNS_COUNT] = {
    [PODNS_USER] = {"user", CLONE_NEWUSER}, [PODNS_MNT] = {"mnt", CLONE_NEWNS},
    [PODNS_NET] = {"net", CLONE_NEWNET},    [PODNS_UTS] = {"uts", CLONE_NEWUTS},
    [PODNS_IPC] = {"ipc", CLONE_NEWIPC},    [PODNS_CGROUP] = {"cgroup", CLONE_NEWCGROUP},
    [PODNS_PID] = {"pid", CLONE_NEWPID},
};

void podns_init(podns_t *ns)
{
    for (int i = 0; i < PODNS_COUNT; i++)
        ns->fd[i] = -1;
}

int podns_open(pid_t pid, podns_t *ns, upod_error_t *err)
{
    podns_init(ns);
    for (int i = 0; i < PODNS_COUNT; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].file);
        ns->fd[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (ns->fd[i] < 0) {
            int saved = errno;
            podns_close(ns);
            return upod_fail(err, saved, "cannot open the pod's %s namespace", kinds[i].file);
        }
    }
    return 0;
}

void podns_close(podns_t *ns)
{
    for (int i = 0; i < PODNS_COUNT; i++) {
        if (ns->fd[i] >= 0)
            close(ns->fd[i]);
        ns->fd[i] = -1;
    }
}

podns_kind_t podns_kind_of_flag(int clone_flag)
{
    for (int i = 0; i < PODNS_COUNT; i++) {
        if (kinds[i].flag == clone_flag)
            return (podns_kind_t)i;
    }
    return PODNS_COUNT;
}

int podns_join(const podns_t *ns, int clone_flags, upod_error_t *err)
{
    /* kinds[] is in the order the joins must happen. */
    for (int i = 0; i < PODNS_COUNT; i++) {
        if (!(clone_flags & kinds[i].flag))
            continue;
        if (ns->fd[i] < 0)
            return upod_fail(err, EBADF, "the pod's %s namespace is missing", kinds[i].file);
        if (setns(ns->fd[i], kinds[i].flag) < 0)
            return upod_fail(err, errno, "cannot join the pod's %s namespace", kinds[i].file);
    }
    return 0;
}
