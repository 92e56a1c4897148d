/* udpflow.h: the UDP forwarder's table of flows, one per client address
 * and published port (the sockets themselves are forwarder.c's). Pure
 * bookkeeping, unit tested (tests/unit/test_udpflow.c):
 * - lookup through a hash table whose hash is seeded at random, so that a
 *   client cannot choose source addresses that all land in one bucket;
 * - a list from the least to the most recently used flow (a datagram
 *   either way counts as use), so that expiry and eviction look at its
 *   head only.
 *
 * The bound: a flow costs the forwarder one socket inside the pod, so the
 * table holds as many flows as the infra's fd limit leaves (RLIMIT_NOFILE,
 * which the keeper raised to the hard limit), half of that when TCP
 * connections share the forwarder's fds. When it is full, a new client may
 * take the place of the least recently used flow only if that flow has
 * been idle for UDP_FLOW_EVICTABLE_MS; otherwise (every flow active) the
 * newcomer's datagram is dropped, and the clients that keep talking keep
 * their flows. Flows idle for UDP_FLOW_IDLE_MS expire. */
#ifndef UPOD_UDPFLOW_H
#define UPOD_UDPFLOW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDP_FLOW_IDLE_MS 60000      /* a silent flow expires */
#define UDP_FLOW_EVICTABLE_MS 10000 /* a full table gives up a flow this idle */

typedef union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} udp_peer_t;

typedef struct udp_flow {
    struct udp_flow *chain;         /* next in its hash bucket */
    struct udp_flow *older, *newer; /* neighbours in the use list */
    udp_peer_t client;
    socklen_t client_len;
    size_t forward; /* which published port it came in on */
    int pod;        /* the forwarder's socket for it, inside the pod */
    long long last; /* ms (CLOCK_MONOTONIC): its last datagram, either way */
} udp_flow_t;

typedef struct {
    udp_flow_t **buckets;
    size_t nbuckets;             /* a power of two */
    udp_flow_t *oldest, *newest; /* the use list's ends */
    size_t n, max;
    uint64_t seed;
} udp_flows_t;

void udp_flows_init(udp_flows_t *t, size_t max, uint64_t seed);
/* Frees every flow (their sockets are the caller's to close first). */
void udp_flows_clear(udp_flows_t *t);

/* How many flows fit in fd_limit descriptors when `others` are taken by
 * everything else; half of the rest when TCP connections need fds too. */
size_t udp_flows_budget(size_t fd_limit, size_t others, bool shared_with_tcp);

/* The flow of this client on this published port, or NULL. Addresses of
 * another family than AF_INET/AF_INET6 never match. */
udp_flow_t *udp_flows_find(const udp_flows_t *t, size_t forward, const struct sockaddr *client,
                           socklen_t len);
/* A new flow, the most recently used; NULL when the table is full (or the
 * address is not AF_INET/AF_INET6 or too long). */
udp_flow_t *udp_flows_add(udp_flows_t *t, size_t forward, const struct sockaddr *client,
                          socklen_t len, int pod, long long now);
/* A datagram went through fl at `now`: it becomes the most recently used. */
void udp_flows_touch(udp_flows_t *t, udp_flow_t *fl, long long now);
/* Unlinks and frees fl (its socket is the caller's to close first). */
void udp_flows_remove(udp_flows_t *t, udp_flow_t *fl);

/* The least recently used flow, or NULL when there is none. */
udp_flow_t *udp_flows_oldest(const udp_flows_t *t);
/* The flow a new client may replace in a full table at `now`: the least
 * recently used one if it has been idle for UDP_FLOW_EVICTABLE_MS, else
 * NULL (every flow is active: the new client must wait). */
udp_flow_t *udp_flows_evictable(const udp_flows_t *t, long long now);

#endif
