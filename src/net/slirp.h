/* slirp.h: the pod's user-mode network stack: one libslirp instance per tap
 * device, run by the keeper in the host's namespaces. Outbound TCP, UDP and
 * ICMP echo go out through ordinary host sockets, DNS at 10.0.2.3 is
 * forwarded to the host's resolvers, 10.0.2.2 is the host (its loopback only
 * with allow_host_loopback), and host forwards serve the IPv4 addresses of
 * the TCP ports published with the slirp port handler (their IPv6
 * addresses and UDP ports are the infra's forwarder's: see forwarder.h). */
#ifndef UPOD_SLIRP_H
#define UPOD_SLIRP_H

#include <stdbool.h>

#include "base/error.h"
#include "base/pollset.h"
#include "text/portspec.h"

typedef struct pod_slirp pod_slirp_t;

/* Takes ownership of tapfd (non-blocking). */
pod_slirp_t *pod_slirp_new(int tapfd, const net_options_t *opts, upod_error_t *err);
void pod_slirp_free(pod_slirp_t *s);

/* Publish host_ip:host_port (""/NULL: all IPv4 addresses) to the pod's
 * 10.0.2.100:guest_port through libslirp, which binds the host socket. */
int pod_slirp_add_hostfwd(pod_slirp_t *s, bool udp, const char *host_ip, unsigned host_port,
                          unsigned guest_port, upod_error_t *err);

/* One turn of the poll loop: add our descriptors and lower *timeout_ms to
 * our next timer; after poll, handle what is ready. */
void pod_slirp_fill(pod_slirp_t *s, pollset_t *ps, int *timeout_ms);
void pod_slirp_dispatch(pod_slirp_t *s, const pollset_t *ps, bool poll_failed);

/* The tap went away (its network namespace ended): free the instance. */
bool pod_slirp_tap_gone(const pod_slirp_t *s);

#endif
