/* portfwd.h: published ports (-p).
 *
 * Keeper side, in the host's network namespace: portfwd_bind() expands the
 * pod's mappings to one entry per host port, picks free ports for random
 * ones, and binds the listening sockets of the splice driver (TCP) itself,
 * so that "port in use" or "port below ip_unprivileged_port_start" fail the
 * pod's start with a clear message. Ports of the slirp driver (and every UDP
 * port) are checked the same way, then handed to libslirp.
 *
 * Infra side, in the pod's network namespace: the forwarder accepts on the
 * splice listeners (inherited across the clone), connects a socket made
 * right there to 10.0.2.100:port, and moves bytes both ways with splice(2)
 * through a pipe per direction, zero-copy, half-close included. Doing this in
 * the infra, which already sits in the pod's network namespace, saves a
 * round trip of descriptor passing per connection. */
#ifndef UPOD_PORTFWD_H
#define UPOD_PORTFWD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "pod.h"
#include "pollset.h"

typedef struct {
    published_port_t *ports;
    size_t n;
} published_t;

int portfwd_bind(const pod_config_t *config, published_t *out, upod_error_t *err);
/* Close the listening sockets (the keeper's copies after the clone). */
void portfwd_close_listeners(published_t *p);
void published_clear(published_t *p);


/* ---- infra side ---- */
typedef struct forwarder forwarder_t;

/* listeners[i] accepts connections for container_ports[i]. */
forwarder_t *forwarder_new(const int *listeners, const unsigned *container_ports, size_t n);
void forwarder_fill(forwarder_t *f, pollset_t *ps);
void forwarder_dispatch(forwarder_t *f, const pollset_t *ps);
size_t forwarder_connections(const forwarder_t *f);

#endif
