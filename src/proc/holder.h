/* holder.h: the user's parent user namespace and upod-userns, its holder.
 *
 * Every pod's user namespace is made inside one parent user namespace per
 * user, mapped once with newuidmap/newgidmap (0 -> the user, 1..N -> the
 * first subordinate ranges; without them, the user alone). Being root in
 * the parent, the keeper writes each pod's maps itself: no setuid helper
 * runs per pod. A pod's root has capabilities over its own namespaces
 * only; the parent is its owner's, and no pod is an ancestor of another.
 *
 * The parent is held by upod-userns, a small process that sits in it and
 * hands its fd out on STATE/userns.sock (net/control.h). Each user of the
 * namespace (a pod's keeper, a store operation) keeps its connection open:
 * a lease. With no lease for HOLDER_LINGER_MS, the holder exits (a command
 * that comes soon after reuses it; later, the next one makes a new one).
 *
 * STATE/userns records the holder: its pid and start time, the boot it
 * runs in, and the maps it was made with. A record is trusted only when
 * all of them match: a holder that is gone or whose pid was reused, a
 * reboot, or a change of /etc/subuid, /etc/subgid or of the helpers (the
 * maps upod would make now differ) make the next user start a new holder.
 * An old holder lives on while its leases do, then exits. */
#ifndef UPOD_HOLDER_H
#define UPOD_HOLDER_H

#include <stdbool.h>

#include "base/error.h"
#include "base/proc.h"
#include "sandbox/userns.h"

#define HOLDER_RECORD "userns"
#define HOLDER_LINGER_MS 30000

typedef struct {
    proc_ref_t ref;
    char *boot_id;
    char *uid_map, *gid_map; /* relative to the host, as uid_map takes them */
    bool subids;
    long long created; /* ns since the epoch */
} holder_record_t;

/* The record, as written (0), or -1 when there is none or it is bad. */
int holder_record_load(int state_fd, holder_record_t *rec, upod_error_t *err);
void holder_record_clear(holder_record_t *rec);
/* The record names a running holder of this boot made with plan's maps
 * (plan NULL: whatever its maps). */
bool holder_record_current(const holder_record_t *rec, const idmap_plan_t *plan);

/* Put the calling process (single-threaded, in the host's user namespace)
 * into the parent user namespace, starting a holder when none is current.
 * *plan: the parent's maps (for idmap_nested). Returns the lease (keep it
 * open while the namespace is used; CLOEXEC), or -1. */
int holder_join(int state_fd, idmap_plan_t *plan, upod_error_t *err);

/* `upod system migrate`: stop the current holder (its pods run on, in the
 * namespace they have) and remove its record, so that the next command
 * makes a new parent. 1 when one was stopped, 0 when none ran. */
int holder_reset(int state_fd, upod_error_t *err);

#endif
