/* portbind.h: the host sockets of published ports (-p), bound by the
 * keeper, in the host's network namespace: portbind_open() expands the
 * pod's mappings to one entry per host port, picks free ports for random
 * ones, and binds the host sockets itself (TCP listeners of the splice
 * driver, UDP sockets), so that "port in use" or "port below
 * ip_unprivileged_port_start" fail the pod's start with a clear message.
 * Ports of the slirp driver (TCP only) are checked the same way, then
 * handed to libslirp, which binds their IPv4 socket itself.
 *
 * No other local user may bind next to a published port and take its
 * traffic: a port published on all addresses is one IPv6 socket with
 * IPV6_V6ONLY=0 (every IPv4 and IPv6 address), or, with the slirp driver,
 * libslirp's 0.0.0.0 listener plus ours on [::] (IPV6_V6ONLY=1), served by
 * the infra's forwarder; UDP sockets never set SO_REUSEADDR (with it, any
 * user's socket with SO_REUSEADDR could share the port); nothing sets
 * SO_REUSEPORT.
 *
 * The infra serves them (forwarder.h). */
#ifndef UPOD_PORTBIND_H
#define UPOD_PORTBIND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "state/pod.h"

/* The listen() backlog of every published TCP port, whichever driver: a
 * burst of connections waits there instead of losing its SYNs. */
#define PUBLISHED_LISTEN_BACKLOG 4096

typedef struct {
    published_port_t *ports;
    size_t n;
} published_t;

int portbind_open(const pod_config_t *config, published_t *out, upod_error_t *err);
/* Close the listening sockets (the keeper's copies after the clone). */
void portbind_close_listeners(published_t *p);
/* Close the slirp driver's check sockets, once libslirp holds the ports. */
void portbind_release_checks(published_t *p);
void published_clear(published_t *p);

#endif
