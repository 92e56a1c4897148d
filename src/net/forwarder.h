/* forwarder.h: the infra's port forwarder, in the pod's network
 * namespace: it serves the host sockets of published ports (portbind.h,
 * inherited across the clone). TCP: it accepts, connects a socket
 * made right there to 10.0.2.100:port, and moves bytes both ways with
 * splice(2) through a pipe per direction, zero-copy, half-close included.
 * UDP: one pod-side socket per client address (a flow, net/udpflow.h:
 * as many as the fd limit allows, expired after a minute of silence, the
 * least recently used one given up to a newcomer only once idle for 10 s).
 * Doing this in the infra, which already sits in the pod's network
 * namespace, saves a round trip of descriptor passing per connection.
 *
 * UDP does not go through libslirp: its host forwards cannot answer a client
 * on the host's loopback while the pod is denied the host's loopback (the
 * default), since the answer is addressed to 10.0.2.2. */
#ifndef UPOD_FORWARDER_H
#define UPOD_FORWARDER_H

#include <stddef.h>

#include "base/pollset.h"
#include "text/portspec.h"

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

#endif
