/* container.h: what a container is, and the setup that turns a process
 * standing in a pod's namespaces into one: its own mount namespace made from
 * the pod's, the rootfs with /proc, /dev, /sys, the pod's /etc files and the
 * volumes, pivot_root, masked and read-only kernel files, hostname,
 * podman's default capabilities (libcap), no_new_privs, user, environment,
 * working directory, exec. */
#ifndef UPOD_CONTAINER_H
#define UPOD_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"
#include "state/ctr.h"
#include "state/pod.h"
#include "text/ctropts.h"

typedef struct container_spec {
    char id[CONTAINER_ID_LEN + 1];
    char *name;
    char *rootfs;          /* absolute host path */
    char *overlay_dir;     /* --rootfs DIR:O: upper/, work/, merged/ live here */
    char **argv;           /* entrypoint + command */
    char **env;            /* KEY=VALUE, the final environment */
    char *workdir;         /* "/" by default */
    uid_t uid;
    gid_t gid;
    char *hostname;        /* own uts: --hostname or the short id; NULL when shared */
    volume_t *volumes;
    size_t nvolumes;
    char **tmpfs;          /* targets */
    size_t ntmpfs;
    bool read_only;
    bool init;             /* --init: a small init is PID 1 and runs the command */
    unsigned long long caps; /* bit n: capability n is kept */
    /* What the container's /etc/hosts, /etc/resolv.conf and /etc/hostname
     * start with (the pod's files, read by the caller): the container gets
     * copies of its own. */
    char *hosts_data, *resolv_data, *hostname_data;
    bool share_ipc;        /* bind the pod's /dev/shm instead of a fresh one */
    /* A network of its own (the pod has one but does not share it): its
     * tap0 goes to the keeper of the pod whose state directory is pod_dir
     * (control.h). NULL: lo only, or the pod's network. */
    char *own_net_pod_dir;
    unsigned own_net_mtu;
    /* report_errors: setup errors go to report_fd as SYNC_ERROR (exit
     * status, errno, message; sync.h) instead of stderr as text. It is one
     * end of a close-on-exec SEQPACKET socketpair: a successful exec closes
     * it with nothing sent (sync_expect_hangup). Then the stdio given to
     * the command. */
    bool report_errors;
    int report_fd;
    bool set_stdio;        /* give the command stdio[] as 0, 1, 2 */
    int stdio[3];
    bool controlling_tty;  /* stdio[0] is a pty: a session of its own with it */
    /* -t: the container makes its pty inside (its devpts) and sends the
     * master over console_fd (terminal.h); the slave becomes its stdio and
     * controlling terminal. */
    bool console;
    int console_fd;
    /* --preserve-fds N: the caller's fds 3..N+2 are passed on (checked
     * open when the option was read, before upod opened any fd). */
    unsigned preserve_fds;
    /* exec: the process already stands in the container's namespaces and
     * root; only user, capabilities, environment and directory are set. */
    bool join_only;
} container_spec_t;

/* In the container's process, once its namespaces exist, in this order.
 * Each step either returns or ends the process: it reports (SYNC_ERROR on
 * the report socket when the spec has one, else "Error: ..." on stderr)
 * and exits 125, or 126/127 when the command cannot be run or is not
 * found. */

/* A network namespace of its own (fresh holds CLONE_NEWNET): lo up, and
 * with own_net_pod_dir its tap0, passed to the pod's keeper. */
void container_setup_network(const container_spec_t *spec, int fresh);
/* Everything else but the exec: mounts and root (unless join_only), the
 * pty (-t), working directory, no_new_privs, user, capabilities, and the
 * seccomp filter last. *ready: spec as its command gets it (with -t, the
 * pty's slave as its stdio). */
void container_setup(const container_spec_t *spec, container_spec_t *ready);
/* Exec the command of a spec that container_setup made ready. */
__attribute__((noreturn)) void container_exec_command(const container_spec_t *ready);
/* container_setup, then container_exec_command: how exec runs its command
 * (never under --init: that is the caller's to run, proc/init.h). */
__attribute__((noreturn)) void container_exec(const container_spec_t *spec);
/* Fail as the setup does (exit 125), for what runs between the steps. */
__attribute__((noreturn, format(printf, 3, 4))) void
container_failf(const container_spec_t *spec, int errnum, const char *fmt, ...);

void container_spec_clear(container_spec_t *spec);

/* The fds (above 2) that the container's process needs until it execs:
 * the report socket, the console socket, its stdio. Everything else of
 * upod's must be closed before it can be seen from inside the pod. */
#define CONTAINER_CHILD_FDS_MAX 5
size_t container_child_fds(const container_spec_t *spec, int keep[CONTAINER_CHILD_FDS_MAX]);

/* The spec that starts container c in pod (state_path: the state
 * directory, where its files and the pod's live). */
int ctr_spec_build(const ctr_t *c, const pod_t *pod, const char *state_path,
                   container_spec_t *spec, upod_error_t *err);


#endif
