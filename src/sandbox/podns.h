/* podns.h: a running pod's namespaces, for the processes that join it.
 *
 * The infra is not dumpable once its id maps are written: nothing in the
 * pod, whatever its capabilities there (a container given SYS_PTRACE), may
 * ptrace it, take its fds, or read its /proc/1/root, which is the host's
 * filesystem. The kernel then refuses the user as well: a setns through the
 * infra's pidfd, or opening its /proc/PID/ns files, are ptrace checks. So
 * the keeper opens those files while the infra is still dumpable, holds
 * them for the pod's life, and hands them to the owner's processes over
 * STATE/pods/<id>/ns.sock (control.h); they join with podns_join. */
#ifndef UPOD_PODNS_H
#define UPOD_PODNS_H

#include <sys/types.h>

#include "base/error.h"

typedef enum {
    PODNS_USER, /* first: it gives the capabilities the other joins need */
    PODNS_MNT,
    PODNS_NET,
    PODNS_UTS,
    PODNS_IPC,
    PODNS_CGROUP,
    PODNS_PID, /* last: it only applies to children */
    PODNS_COUNT
} podns_kind_t;

typedef struct {
    int fd[PODNS_COUNT];
} podns_t;

/* All -1. */
void podns_init(podns_t *ns);
/* The namespaces of pid (/proc/PID/ns/). */
int podns_open(pid_t pid, podns_t *ns, upod_error_t *err);
void podns_close(podns_t *ns);
/* Join those of ns named by clone_flags (CLONE_NEWUSER, CLONE_NEWNS, ...:
 * the user namespace first, the pid namespace for our children last). */
int podns_join(const podns_t *ns, int clone_flags, upod_error_t *err);
/* Which namespace a CLONE_NEW* flag names; PODNS_COUNT for none. */
podns_kind_t podns_kind_of_flag(int clone_flag);

#endif
