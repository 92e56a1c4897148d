/* infra.h: the pod's infra process (upod-infra).
 *
 * Theory of operation: role, PID 1 of the pod; namespaces, all of the
 * pod's own (it makes them); it may touch the host's filesystem (its mount
 * namespace is a slave copy of the host's, with the pod's /proc, /dev/shm,
 * /dev/mqueue), the published ports' host sockets it inherits, and its
 * socket to the keeper; nothing of the state directory.
 *
 * Created by the keeper with clone(CLONE_NEWUSER | every other namespace):
 * the kernel makes the user namespace first and nests the others under it.
 * The infra waits for its id maps, sets up what the pod's namespaces need
 * (hostname, lo up, tap0 for the pod network, a /proc for its pid
 * namespace, the pod's /dev/shm and /dev/mqueue), reports ready (passing
 * the tap's fd to the keeper, which runs libslirp on it), then lives like
 * catatonit: PID 1 of the pod, reaping orphans, exiting 0 on SIGTERM/SIGINT,
 * dying with the keeper (PR_SET_PDEATHSIG). Whatever else runs in the pod
 * dies with it. Its only other work is the splice forwarder of published
 * TCP ports (net/forwarder.h), which needs to sit in the pod's network namespace. */
#ifndef UPOD_INFRA_H
#define UPOD_INFRA_H

#include "state/pod.h"
#include "net/forwarder.h"

/* Namespace flags the infra is created with: every one, cgroup included;
 * a kernel without one of them fails the pod's start (there is no
 * fallback). */
int infra_clone_flags(void);

/* The infra's whole life; never returns. sync_fd: its end of the
 * keeper<->infra socketpair; forwards: the host sockets of published ports
 * the keeper bound in the host's network namespace. */
__attribute__((noreturn)) void infra_main(const pod_config_t *config, int sync_fd,
                                          const forward_t *forwards, size_t nforwards);

#endif
