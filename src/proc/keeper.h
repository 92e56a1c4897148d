/* keeper.h: one keeper process per running pod (upod-keeper).
 *
 * Theory of operation
 * -------------------
 * Role: it makes the pod (the infra), runs its network (libslirp), holds
 * its namespaces for the owner's processes (ns.sock) and records its end.
 * Namespaces: the host's, always, as the user. It may touch the pod's
 * state directory (under the state lock), the host sockets of published
 * ports, the tap fds, and the infra through its pidfd; never a container's
 * files.
 *
 * `upod pod start` (the CLI) holds the state lock and forks the keeper:
 *
 *   CLI (host namespaces, the user's uid)
 *    |  fork, SOCK_SEQPACKET pair "cli"
 *    +-- keeper: setsid, stdio to /dev/null and pods/<id>/keeper.log
 *         |  clone3(CLONE_NEWUSER|NEWPID|NEWNET|NEWUTS|NEWIPC|NEWNS|NEWCGROUP),
 *         |  SOCK_SEQPACKET pair "infra"
 *         +-- infra (see infra.h): waits for SYNC_USERMAP_DONE
 *
 *   1. keeper writes the infra's uid/gid maps (newuidmap/newgidmap with the
 *      user's subordinate ranges, else the single mapping), sends
 *      SYNC_USERMAP_DONE;
 *   2. infra sets up its namespaces, answers SYNC_INFRA_READY (or SYNC_ERROR);
 *   3. keeper writes the pod state "Running" (keeper and infra with their
 *      start times) while the CLI still holds the lock for it, then sends
 *      SYNC_POD_READY to the CLI, which prints the pod id and exits;
 *   4. keeper waits: SIGTERM/SIGINT are passed to the infra; when the infra
 *      exits, the keeper records "Exited" and its code (under the lock)
 *      and exits.
 *
 * Failures at any step travel back as SYNC_ERROR and are printed by the CLI;
 * a keeper that fails kills its infra first. If the keeper is killed, the
 * infra dies with it (PR_SET_PDEATHSIG), and with the infra, PID 1 of the
 * pod's pid namespace, every process of the pod. */
#ifndef UPOD_KEEPER_H
#define UPOD_KEEPER_H

#include <stdbool.h>

#include "state/pod.h"

/* Called by the CLI with the state lock held (lock_fd). Returns once the pod
 * runs (its state written) or failed. tie_to_caller: the pod also stops
 * when the calling process ends. The CLI of an attached `run` is its
 * container's monitor, and the pod made for that container must not outlive
 * it, whatever kills the CLI and its cleanup watcher. */
int keeper_start(int pods_fd, int lock_fd, pod_t *pod, bool tie_to_caller, upod_error_t *err);

#endif
