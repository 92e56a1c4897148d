/* control.h: the keeper's control socket, STATE/pods/<id>/keeper.sock
 * (SOCK_SEQPACKET, in the user's 0700 state directory).
 *
 * A container of a pod that does not share its network gets a network
 * namespace of its own: it creates its own tap0 there (tap.h) and hands the
 * tap fd to its pod's keeper through this socket; the keeper runs one more
 * libslirp instance on it until the tap goes away with the namespace.
 *
 * container setup                       keeper
 *   tap_create_pod_interface()            poll: control socket readable
 *   connect keeper.sock, SYNC_TAP + fd -> accept, read, pod_slirp_new
 *   <- SYNC_TAP_READY (or SYNC_ERROR)      reply; serve the tap */
#ifndef UPOD_CONTROL_H
#define UPOD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

#define CONTROL_SOCKET_NAME "keeper.sock"
/* Every pod's keeper also serves its infra's namespaces (sandbox/podns.h),
 * to the owner only, on STATE/pods/<id>/ns.sock: connect, receive one
 * SYNC_NAMESPACES message with all the fds (PODNS_COUNT). */
#define CONTROL_NS_SOCKET_NAME "ns.sock"

/* Only the pod's owner may talk to its keeper: peer is the client's uid as
 * SO_PEERCRED gives it (a container's root maps to the owner). */
bool control_peer_allowed(uid_t peer, uid_t owner);

/* Keeper: listen on pod_dir/keeper.sock (a stale one is replaced).
 * Returns the listening fd (non-blocking, CLOEXEC). */
int control_listen(int pod_dirfd, upod_error_t *err);

/* Keeper: accept one client and read its tap fd (1 s at most); *owner: a
 * pidfd of the client process (the container's: the tap is needed as long
 * as it lives). Returns the connection (answer with control_reply), or
 * -1. */
int control_accept_tap(int listen_fd, int *tapfd, int *owner, upod_error_t *err);
/* Keeper: tell the client whether its tap is served (failure: NULL for
 * success, else the error), then close the connection. */
void control_reply(int conn, const upod_error_t *failure);

/* Keeper: listen on pod_dir/ns.sock. */
int control_listen_namespaces(int pod_dirfd, upod_error_t *err);
/* Keeper: accept one client (the owner only) and pass it fds[0..n-1]. */
void control_serve_namespaces(int listen_fd, const int *fds, size_t n, upod_error_t *err);
/* A process about to join the pod whose state directory is pod_dirfd: its
 * namespaces from its keeper, exactly n fds (all -1 on failure). */
int control_get_namespaces(int pod_dirfd, int *fds, size_t n, upod_error_t *err);

/* The user's parent user namespace is handed out by its holder
 * (proc/holder.h) on STATE/userns.sock: connect, receive one SYNC_USERNS
 * message with its fd; the connection stays open for as long as the
 * client uses the namespace (a lease: the holder counts them). */
#define CONTROL_USERNS_SOCKET_NAME "userns.sock"
/* Holder: listen on state_dir/userns.sock (a stale one is replaced). */
int control_listen_userns(int state_fd, upod_error_t *err);
/* Holder: accept one client (the owner only), pass it userns_fd; the
 * connection (the lease), or -1. */
int control_accept_lease(int listen_fd, int userns_fd, upod_error_t *err);
/* Client: the namespace's fd in *userns_fd; returns the lease, -1 with
 * errno ECONNREFUSED or ENOENT when no holder listens. */
int control_get_userns(int state_fd, int *userns_fd, upod_error_t *err);

/* Container: hand tapfd to the keeper of the pod whose state directory is
 * pod_dir, and wait for its answer. The calling process must be the one
 * whose end frees the tap. */
int control_send_tap(const char *pod_dir, int tapfd, upod_error_t *err);

#endif
