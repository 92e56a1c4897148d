/* userns.h: what a user namespace needs on this machine: the kernel's
 * permission, newuidmap/newgidmap, and the user's subordinate id ranges. */
#ifndef UPOD_USERNS_H
#define UPOD_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

typedef struct {
    unsigned long start;
    unsigned long count;
} subid_range_t;

#define SUBID_MAX_RANGES 16

typedef struct {
    subid_range_t ranges[SUBID_MAX_RANGES];
    size_t n;
} subid_ranges_t;

/* Find the ranges of a user in the text of /etc/subuid or /etc/subgid
 * ("name-or-uid:start:count" per line). Malformed lines are skipped, as
 * shadow-utils does; ranges past SUBID_MAX_RANGES are ignored. */
void subid_parse(const char *text, const char *user, uid_t id, subid_ranges_t *out);

/* Read and parse a subid file; a missing file gives no ranges. */
int subid_read(const char *path, const char *user, uid_t id, subid_ranges_t *out,
               upod_error_t *err);

/* A usable id-mapping helper: the path of newuidmap/newgidmap (searched in
 * $PATH, then /usr/bin, /usr/sbin, /bin, /sbin) and whether it is setuid root
 * or has file capabilities (without either it cannot write maps). */
typedef struct {
    char *path; /* NULL when not found */
    bool privileged;
} idmap_helper_t;

void idmap_helper_find(const char *name, idmap_helper_t *out);
void idmap_helper_clear(idmap_helper_t *h);

/* Unprivileged user namespaces: the sysctl and a real unshare in a child. */
typedef struct {
    long max_user_namespaces;  /* -1 when unreadable */
    bool works;                /* a child could unshare(CLONE_NEWUSER) */
    int errnum;                /* errno of the failed attempt */
    char hint[512];            /* what to do when it does not work */
} userns_probe_t;

void userns_probe(userns_probe_t *out);

/* The hint for a failed CLONE_NEWUSER, from errno and the known sysctls
 * (their values passed in, -1 when absent), as bubblewrap explains it. */
void userns_failure_hint(int errnum, long max_user_namespaces, long unprivileged_userns_clone,
                         long apparmor_restrict, char *buf, size_t size);

/* One line of an id map: ids [inside, inside+count) are [outside, ...). */
typedef struct {
    unsigned long inside, outside, count;
} idmap_line_t;

#define IDMAP_MAX_LINES 3

typedef struct {
    idmap_line_t lines[IDMAP_MAX_LINES];
    size_t n;
} idmap_t;

/* The map of one id kind. With a range of other ids: the user (outside_id
 * outside) is root inside (or, keep_id, keeps its own id, inside_id, and
 * root is the range's first id) and the range fills the rest. Without
 * (range NULL): the user alone, as 0 (or as inside_id with keep_id). Pure,
 * unit tested. The parent user namespace maps the host's ids (inside_id ==
 * outside_id == the user's, range: the subordinate one); a pod maps the
 * parent's (outside_id 0, range 1..count: idmap_nested). */
void idmap_build(unsigned long inside_id, unsigned long outside_id, const subid_range_t *range,
                 bool keep_id, idmap_t *out);

/* How the user's parent user namespace (proc/holder.h) is mapped on this
 * machine, relative to the host. */
typedef struct {
    bool subids;                   /* newuidmap/newgidmap with the ranges */
    uid_t uid;
    gid_t gid;
    idmap_t uids, gids;
    char *newuidmap, *newgidmap;   /* helper paths when subids */
} idmap_plan_t;

/* Decide the mapping for the current user: subids when both helpers are
 * usable and the user has both ranges, else the single mapping. */
void idmap_plan(idmap_plan_t *plan);
void idmap_plan_clear(idmap_plan_t *plan);
/* Write the maps of process pid (which must sit in a fresh user namespace
 * made from the host's): the helpers with subids, else by ourselves. */
int idmap_apply(const idmap_plan_t *plan, pid_t pid, upod_error_t *err);

/* A pod's maps, relative to the parent mapped by plan: the parent's ids
 * as they are (keep_id: the user keeps its own id, as idmap_build). */
void idmap_nested(const idmap_plan_t *parent, bool keep_id, idmap_t *uids, idmap_t *gids);
/* The map as /proc/PID/uid_map takes it ("inside outside count" lines). */
int idmap_format(const idmap_t *map, char *buf, size_t size);
/* Write them ourselves: the writer is root in the parent of pid's user
 * namespace, or the map is of its own uid alone (deny_setgroups then). */
int idmap_write(pid_t pid, const idmap_t *uids, const idmap_t *gids, bool deny_setgroups,
                upod_error_t *err);

/* The same hint, with the sysctls read from this machine. */
void userns_explain_failure(int errnum, char *buf, size_t size);


#endif
