/* records.h: a directory of records (STATE/pods, STATE/containers): one
 * subdirectory per record, named by its id, and what pod.c and ctr.c do
 * alike with it: list the records, and find the one a name, an id or an id
 * prefix names.
 *
 * Each kind of record describes itself with a records_kind_t (its size, how
 * to load, salvage and clear one, and where its id, names and creation time
 * are); the functions here work on arrays of such records through it.
 *
 * Entries that are not ids (".", "..", ".new-<id>" being created,
 * ".rm-<id>" being removed) are never records; nor is a directory without
 * the kind's whole_file (a create that did not finish: state_sweep removes
 * it). */
#ifndef UPOD_RECORDS_H
#define UPOD_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* Pods and containers have ids of the same form. */
#define RECORD_ID_LEN 64

/* RECORD_ID_LEN lowercase hex digits: what names a record's directory. */
bool record_id_valid(const char *s);

typedef struct records_kind {
    size_t size;            /* of one record (pod_t, ctr_t) */
    const char *noun;       /* "pod": in messages */
    const char *dir_name;   /* "pods": in messages */
    const char *whole_file; /* present in every record's directory */
    const char *remove_cmd; /* what removes an unreadable record: "upod pod rm -f" */
    /* podman quotes the ref of a container it cannot find, not a pod's. */
    const char *not_found_quote;

    /* Read the record in rec_fd (its directory, named id) into out (zeroed
     * before). 0, or -1 with err naming the file; out is then cleared. */
    int (*load)(int rec_fd, const char *id, void *out, upod_error_t *err);
    /* After load failed (why): what rec_fd still tells, into out, marked
     * unreadable. */
    void (*salvage)(int rec_fd, const char *id, const upod_error_t *why, void *out);
    void (*clear)(void *rec);
    /* Where a record holds its id (char[RECORD_ID_LEN + 1]), its creation
     * time (long long, ns) and why it could not be read (char *, NULL when
     * it was read whole): offsetof(pod_t, config.id)... */
    size_t id_at, created_at, unreadable_at;
    /* ref is one of the record's names other than its id (a pod: its
     * name, its infra container's id and name). */
    bool (*has_name)(const void *rec, const char *ref);
} records_kind_t;

/* The record dir_fd/id read whole: k->load on its directory. */
int records_load(int dir_fd, const records_kind_t *k, const char *id, void *out,
                 upod_error_t *err);

/* Every record of dir_fd into *out (an array of *n records of k->size
 * bytes, NULL when none; records_free releases it): the ones read whole
 * first, then, with_unreadable, the ones that cannot be read (salvaged);
 * each group newest first (ties in directory order). A record that cannot
 * be read is left out (or shown unreadable), and only it; the listing fails
 * only when reading fails for want of resources (state_error_is_transient):
 * a missing record would then be a lie. */
int records_list(int dir_fd, const records_kind_t *k, bool with_unreadable, void **out,
                 size_t *n, upod_error_t *err);
void records_free(const records_kind_t *k, void *list, size_t n);
/* The ids of records_list's records, in its order: for what acts on each
 * record in turn and finds it again by id (records_lookup reads it alone).
 * One allocation: free(*ids) releases it. */
int records_list_ids(int dir_fd, const records_kind_t *k, bool with_unreadable, char ***ids,
                     size_t *n, upod_error_t *err);

typedef enum {
    RECORD_MATCH_NONE,
    RECORD_MATCH_ONE,
    RECORD_MATCH_AMBIGUOUS, /* ref begins the ids of several records */
} record_match_t;

/* Which of list's n records ref names (*index, when one): the first whose
 * id or name (k->has_name) is ref, else the only one whose id begins with
 * ref (not empty, shorter than an id). Pure. A listing has whole records
 * first: a name an unreadable record still tells never hides a whole
 * one's. */
record_match_t records_match(const records_kind_t *k, const void *list, size_t n, const char *ref,
                             size_t *index);

/* Find the record ref names, into out. When ref is the id of a record in
 * dir_fd, that record alone is read (an id goes before any name); else the
 * records are listed and matched (records_match). any: a record that
 * cannot be read is found too (salvaged); else finding one fails with why
 * and how to remove it (k->remove_cmd).
 * Not found: -1 with err->kind UPOD_ERR_NO_SUCH, errnum 0 and podman's
 * message ("no pod with name or ID x found: no such pod"). An id prefix of
 * several records: -1, "more than one result for pod ID x". On any failure
 * out is zeroed. */
int records_lookup(int dir_fd, const records_kind_t *k, const char *ref, bool any, void *out,
                   upod_error_t *err);

#endif
