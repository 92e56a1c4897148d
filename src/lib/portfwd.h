/* portfwd.h: published ports (-p).
 *
 * Keeper side, in the host's network namespace: portfwd_bind() expands the
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
 * the forwarder below; UDP sockets never set SO_REUSEADDR (with it, any
 * user's socket with SO_REUSEADDR could share the port); nothing sets
 * SO_REUSEPORT.
 *
 * Infra side, in the pod's network namespace: the forwarder serves the host
 * sockets (inherited across the clone). TCP: it accepts, connects a socket
 * made right there to 10.0.2.100:port, and moves bytes both ways with
 * splice(2) through a pipe per direction, zero-copy, half-close included.
 * UDP: one pod-side socket per client address (a flow, src/lib/udpflow.h:
 * as many as the fd limit allows, expired after a minute of silence, the
 * least recently used one given up to a newcomer only once idle for 10 s).
 * Doing this in the infra, which already sits in the pod's network
 * namespace, saves a round trip of descriptor passing per connection.
 *
 * UDP does not go through libslirp: its host forwards cannot answer a client
 * on the host's loopback while the pod is denied the host's loopback (the
 * default), since the answer is addressed to 10.0.2.2. */
#ifndef UPOD_PORTFWD_H
#define UPOD_PORTFWD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "pod.h"
#include "pollset.h"

/* The listen() backlog of every published TCP port, whichever driver: a
 * burst of connections waits there instead of losing its SYNs. */
#define PUBLISHED_LISTEN_BACKLOG 4096

typedef struct {
    published_port_t *ports;
    size_t n;
} published_t;

int portfwd_bind(const pod_config_t *config, published_t *out, upod_error_t *err);
/* Close the listening sockets (the keeper's copies after the clone). */
void portfwd_close_listeners(published_t *p);
/* Close the slirp driver's check sockets, once libslirp holds the ports. */
void portfwd_release_checks(published_t *p);
void published_clear(published_t *p);


/* ---- infra side ---- */
typedef struct forwarder forwarder_t;

/* A host socket the infra serves: a TCP listener or a bound UDP socket. */
typedef struct {
    int fd;
    unsigned container_port;
    port_proto_t proto;
} forward_t;

forwarder_t *forwarder_new(const forward_t *forwards, size_t n);
/* The poll timeout the forwarder needs (UDP flows expire), in ms or -1. */
int forwarder_timeout(const forwarder_t *f);
void forwarder_fill(forwarder_t *f, pollset_t *ps);
void forwarder_dispatch(forwarder_t *f, const pollset_t *ps);
size_t forwarder_connections(const forwarder_t *f);

#endif
