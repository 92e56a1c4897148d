/* share.h: the kernel namespaces a pod can share, and the --share list. */
#ifndef UPOD_NAMESPACES_H
#define UPOD_NAMESPACES_H

#include <stdbool.h>

#include "base/error.h"

/* Bits of a share set. USER is always the pod's own: accepted, always set. */
enum {
    SHARE_NET = 1 << 0,
    SHARE_UTS = 1 << 1,
    SHARE_IPC = 1 << 2,
    SHARE_PID = 1 << 3,
    SHARE_CGROUP = 1 << 4,
    SHARE_USER = 1 << 5,
};

#define SHARE_DEFAULT (SHARE_IPC | SHARE_NET | SHARE_UTS | SHARE_USER)

/* Parse podman's --share value: a comma list of cgroup, ipc, net, pid, uts,
 * user; "none" or "" for nothing; a leading '+' adds to the default
 * (ipc,net,uts). The user namespace is always included. Anything else fails
 * (exit 125) naming the valid options. */
int share_parse(const char *text, unsigned *out, upod_error_t *err);

/* "ipc,net,uts" style list (sorted, without "user" unless only_user is
 * false and it is the only one); "none" when nothing but user is shared.
 * Writes at most size bytes. */
void share_format(unsigned set, char *buf, unsigned long size);

/* Kernel namespace kinds, in the order upod reports them. */
typedef struct {
    const char *name;   /* "net": the file under /proc/PID/ns/ */
    unsigned share_bit; /* SHARE_* */
    int clone_flag;     /* CLONE_NEW* */
} ns_kind_t;

extern const ns_kind_t ns_kinds[];
extern const unsigned ns_kinds_count;

#endif
