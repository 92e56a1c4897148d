/* pod.h: a pod's configuration and runtime state, as kept in
 * STATE/pods/<id>/{config,state} (kvfile.h format), and their lookup.
 *
 * config is written once by `pod create`. state is rewritten (atomically,
 * under the state lock) when the pod starts and when it ends. A state that
 * says Running but whose keeper is gone (or whose pid was reused) is stale:
 * pod_effective_status() reports it as Exited, never as Running. */
#ifndef UPOD_POD_H
#define UPOD_POD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "state/kvfile.h"
#include "text/portspec.h"
#include "base/proc.h"

#define POD_ID_LEN 64
/* The file whose presence makes pods/<id>/ a pod (written before the
 * directory is renamed into place). */
#define POD_CONFIG_FILE "config"
#define POD_NAME_MAX 128

/* A pod's status is its infra's. (podman's Degraded and Stopped, which
 * count a pod's containers, are never a upod pod's.) */
typedef enum {
    POD_STATUS_CREATED,
    POD_STATUS_RUNNING,
    POD_STATUS_EXITED,
    POD_STATUS_UNKNOWN, /* its files cannot be read: pod_t.unreadable says why */
} pod_status_t;

typedef struct {
    char id[POD_ID_LEN + 1];
    char infra_id[POD_ID_LEN + 1];
    char *name;
    char *hostname;     /* the uts name of the pod */
    unsigned share;     /* SHARE_* bits */
    long long created;  /* ns since the epoch */
    port_mapping_t *ports;
    size_t nports;
    char **labels;      /* "key=value" */
    size_t nlabels;
    net_options_t net;
    bool keep_id;       /* --userns keep-id */
} pod_config_t;

typedef struct {
    pod_status_t status;   /* as stored */
    proc_ref_t keeper;
    proc_ref_t infra;
    long long started;     /* ns since the epoch, 0 if never */
    long long finished;
    int exit_code;         /* of the infra, when Exited */
    published_port_t *published; /* while Running: the ports as bound */
    size_t npublished;
} pod_state_t;

typedef struct pod {
    pod_config_t config;
    pod_state_t state;
    /* NULL for a pod read whole. Else which file could not be read and why
     * ("pods/<id>/config: malformed state file: line 3"): config.id is the
     * directory's name, status is Unknown, and the rest holds what the
     * files still tell (name, infra id, creation time, the keeper's and
     * the infra's pids with their start times), zero or "" when nothing. */
    char *unreadable;
} pod_t;

const char *pod_status_name(pod_status_t s);
bool pod_status_parse(const char *text, pod_status_t *out);

/* Pure conversions, unit tested. */
void pod_config_to_kv(const pod_config_t *c, kv_t *kv);
int pod_config_from_kv(const kv_t *kv, pod_config_t *c, upod_error_t *err);
void pod_state_to_kv(const pod_state_t *s, kv_t *kv);
int pod_state_from_kv(const kv_t *kv, pod_state_t *s, upod_error_t *err);
void pod_config_clear(pod_config_t *c);
void pod_state_clear(pod_state_t *s);
void pod_clear(pod_t *p);

/* podman's name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most POD_NAME_MAX. */
bool pod_name_valid(const char *name);
/* 64 random hex digits. */
void pod_new_id(char out[POD_ID_LEN + 1]);
/* A random "adjective_noun" name. */
char *pod_random_name(void);

/* The infra container's name, as podman names it: <pod-id-12>-infra. */
void pod_infra_name(const pod_t *p, char *buf, size_t size);

/* Status after checking that the recorded keeper still runs. */
pod_status_t pod_effective_status(const pod_t *p);
/* The exit code to show for an Exited pod: the recorded one, or 137 when
 * the record says Running and its keeper or infra is gone (killed: nobody
 * recorded the end). */
int pod_effective_exit_code(const pod_t *p);
/* The keeper or the infra the state names still runs (same start time):
 * what decides for an Unknown pod whether it must be stopped. */
bool pod_processes_alive(const pod_t *p);

/* Load / save under STATE/pods (dirfd of the pods directory). pod_load
 * fails on any bad file (naming it), and when the config's id is not the
 * directory's name. */
int pod_load(int pods_fd, const char *id, pod_t *out, upod_error_t *err);
int pod_save_state(int pods_fd, const pod_t *p, upod_error_t *err);

/* All pods read whole (sorted by creation time, newest first): a pod whose
 * files cannot be read is left out, and only it. */
int pod_list(int pods_fd, pod_t **out, size_t *n, upod_error_t *err);
/* The same, with the unreadable ones too (status Unknown, after the
 * others): for listings, and for what removes them. */
int pod_list_all(int pods_fd, pod_t **out, size_t *n, upod_error_t *err);
void pod_list_free(pod_t *pods, size_t n);
/* Their ids only, in the same order (free(*ids) releases them): for what
 * acts on every pod and finds each again by id. */
int pod_list_ids(int pods_fd, bool with_unreadable, char ***ids, size_t *n, upod_error_t *err);

/* Find a pod by name, id or unique id prefix, or by its infra container's
 * id or name, as podman does (records_lookup: a pod's full id reads that pod
 * alone, not every pod). Not found: -1 with kind UPOD_ERR_NO_SUCH, errnum 0
 * and podman's message; an id prefix of several pods: -1, "more than one
 * result". A pod found but unreadable: -1 with an error that says why and
 * how to remove it. */
int pod_lookup(int pods_fd, const char *ref, pod_t *out, upod_error_t *err);
/* The same, but an unreadable pod is found too (by id, id prefix, or the
 * name its files still tell): for `pod rm` and `pod stop`. */
int pod_lookup_any(int pods_fd, const char *ref, pod_t *out, upod_error_t *err);

/* STATE/pods, created when missing. */
int pods_dir_open(int state_fd, upod_error_t *err);

#endif
