/* ctr.h: container records, STATE/containers/<id>/container (kvfile.h
 * format, replaced atomically under the state lock), next to the
 * container's log (ctr.log) and /etc/hostname.
 *
 * A detached container is watched by a monitor process (monitor.h), the
 * record names it with its start time: a record that says running while its
 * monitor is gone is shown as exited, never as running. */
#ifndef UPOD_CTR_H
#define UPOD_CTR_H

#include <stdbool.h>
#include <stddef.h>

#include "text/ctropts.h"
#include "base/error.h"
#include "state/kvfile.h"
#include "base/proc.h"

/* The record in containers/<id>/: a directory without it is a create
 * that did not finish (state_sweep). */
#define CTR_RECORD_FILE "container"

/* CTR_UNKNOWN: the record cannot be read (ctr_t.unreadable says why). */
typedef enum { CTR_CREATED, CTR_RUNNING, CTR_EXITED, CTR_UNKNOWN } ctr_status_t;

typedef struct ctr_record {
    char id[CONTAINER_ID_LEN + 1];
    char *name;
    char pod_id[CONTAINER_ID_LEN + 1];
    char *rootfs;
    char **argv;
    size_t argc;
    long long created;
    int stop_signal;
    bool auto_remove;
    /* How it runs (create stores it, start rebuilds the spec from it). */
    bool has_entrypoint;  /* argv[0] came from --entrypoint */
    bool has_user;        /* -u was given */
    char *workdir;
    uid_t uid;
    gid_t gid;
    char *hostname;       /* own uts: its hostname; NULL when the pod's is shared */
    volume_t *volumes;    /* -v, parsed once (stored as volume_source/_target/_mode lines) */
    size_t nvolumes;
    char **tmpfs;
    size_t ntmpfs;
    bool read_only, with_init, overlay, tty; /* with_init: --init */
    bool own_pod;         /* run without --pod: the pod is this container's, removed with it */
    /* state */
    ctr_status_t status;
    proc_ref_t monitor;   /* watches the container */
    proc_ref_t process;   /* what stop signals (relays to PID 1 of a fresh pid ns) */
    proc_ref_t init;      /* the command itself: exec joins its namespaces */
    char **env;           /* the container's environment, for exec */
    size_t nenv;
    unsigned long long caps;
    long long started, finished;
    int exit_code;
    /* NULL for a record read whole. Else which file could not be read and
     * why ("containers/<id>/container: ..."): id is the directory's name,
     * status CTR_UNKNOWN, and the rest what the record still tells (name,
     * pod, creation time, the monitor's and the process's pids with their
     * start times, own_pod), zero or "" when nothing. */
    char *unreadable;
} ctr_t;

const char *ctr_status_name(ctr_status_t s);
ctr_status_t ctr_effective_status(const ctr_t *c);
/* The exit code to show for an exited container: the recorded one, or
 * 137 when the record says running and its monitor is gone (the
 * container got SIGKILL with it, and nobody recorded the end). */
int ctr_effective_exit_code(const ctr_t *c);
/* The monitor or the process the record names still runs (same start
 * time): what decides for an unreadable record whether rm must stop it. */
bool ctr_processes_alive(const ctr_t *c);

void ctr_to_kv(const ctr_t *c, kv_t *kv);
int ctr_from_kv(const kv_t *kv, ctr_t *c, upod_error_t *err);
void ctr_clear(ctr_t *c);

/* STATE/containers, created when missing. */
int ctrs_dir_open(int state_fd, upod_error_t *err);
/* create: the first save; later ones never bring back a removed record.
 * A record larger than STATE_FILE_MAX is refused (it could not be read
 * back). */
int ctr_save(int ctrs_fd, const ctr_t *c, bool create, upod_error_t *err);
/* Before a container is released: keep enough of the state filesystem
 * (containers/<id>/.reserve) that the record of its end can be written
 * even when the filesystem is full by then. */
int ctr_reserve_space(int ctrs_fd, const ctr_t *c, upod_error_t *err);
/* Save the last record of a run (its exit): on ENOSPC the reserve is given
 * back and the save tried again; the reserve goes in any case. */
int ctr_save_final(int ctrs_fd, const ctr_t *c, upod_error_t *err);
void ctr_release_reserve(int ctrs_fd, const char *id);
/* Fails on a bad record (naming the file), or one whose id is not its
 * directory's name. */
int ctr_load(int ctrs_fd, const char *id, ctr_t *out, upod_error_t *err);
/* The status of container id as its record says now (effective: a running
 * record whose monitor is gone is exited); -1 when there is no record.
 * Call it under the state lock for an answer that holds. */
int ctr_status_now(int ctrs_fd, const char *id, ctr_status_t *status, upod_error_t *err);
/* Records read whole (newest first); an unreadable one is left out, and
 * only it. */
int ctr_list(int ctrs_fd, ctr_t **out, size_t *n, upod_error_t *err);
/* The same with the unreadable ones too (CTR_UNKNOWN, after the others). */
int ctr_list_all(int ctrs_fd, ctr_t **out, size_t *n, upod_error_t *err);
void ctr_list_free(ctr_t *list, size_t n);
/* Their ids only, in the same order (free(*ids) releases them): for what
 * acts on every container and finds each again by id. */
int ctr_list_ids(int ctrs_fd, bool with_unreadable, char ***ids, size_t *n, upod_error_t *err);
/* By name, id or unique id prefix (records_lookup: a full id reads that
 * record alone). Not found: -1 with kind UPOD_ERR_NO_SUCH, errnum 0; an id
 * prefix of several: "more than one result". An unreadable record found:
 * an error saying why and that rm -f removes it. */
int ctr_lookup(int ctrs_fd, const char *ref, ctr_t *out, upod_error_t *err);
/* The same, but unreadable records are found too (for rm). */
int ctr_lookup_any(int ctrs_fd, const char *ref, ctr_t *out, upod_error_t *err);
int ctr_remove(int ctrs_fd, const char *id, upod_error_t *err);

#endif
