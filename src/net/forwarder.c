/* forwarder.c: see forwarder.h. */
#include "net/forwarder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/compat.h"
#include "net/tap.h"
#include "net/udpflow.h"
#include "base/util.h"

#define PIPE_BYTES (1 << 20) /* fs.pipe-max-size's default: the largest a user may ask */

/* One direction of a connection: from -> pipe -> to. */
typedef struct {
    int from, to;
    int pipe[2];
    size_t buffered;
    bool eof;  /* from said EOF */
    bool shut; /* and we passed it on with shutdown(to, SHUT_WR) */
} direction_t;

typedef struct {
    int client, pod;
    bool connecting;
    direction_t dir[2]; /* 0: client -> pod, 1: pod -> client */
    size_t client_index, pod_index;
} connection_t;

#define ACCEPT_RETRY_MS 100
#define FDS_PER_CONNECTION 6 /* 2 sockets, 2 pipes */
#define FDS_RESERVED 32      /* the infra's own (sync socket, signalfd, epoll, std...) */
#define FLOW_EVENTS 64       /* ready UDP flows served per turn of the loop */

struct forwarder {
    forward_t *forwards;
    size_t nforwards;
    size_t *forward_index;
    connection_t **conns;
    size_t nconns, cap;
    /* UDP: the flows, and an epoll set of their pod-side sockets (one
     * pollset entry for them all: thousands of flows must not cost a
     * pollfd each on every turn). */
    udp_flows_t flows;
    int flow_epoll;
    size_t flow_epoll_index;
    bool flow_epoll_polled;
    /* When accept() failed for want of fds: the listeners stay readable,
     * so they are not polled (the loop would spin) until a connection
     * closes or ACCEPT_RETRY_MS pass. 0: accepting. */
    long long starved_since;
    size_t fd_limit; /* RLIMIT_NOFILE: how many fds the connections may take */
    unsigned char datagram[65536];
};

forwarder_t *forwarder_new(const forward_t *forwards, size_t n)
{
    forwarder_t *f = xcalloc(1, sizeof(*f));
    f->forwards = xcalloc(n ? n : 1, sizeof(*f->forwards));
    f->forward_index = xcalloc(n ? n : 1, sizeof(size_t));
    memcpy(f->forwards, forwards, n * sizeof(*forwards));
    f->nforwards = n;
    struct rlimit lim;
    f->fd_limit = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 1 << 30 ? lim.rlim_cur : 1 << 30;
    bool udp = false, tcp = false;
    for (size_t i = 0; i < n; i++) {
        udp |= forwards[i].proto == PORT_PROTO_UDP;
        tcp |= forwards[i].proto != PORT_PROTO_UDP;
    }
    uint64_t seed;
    random_bytes(&seed, sizeof(seed));
    udp_flows_init(&f->flows, udp_flows_budget(f->fd_limit, FDS_RESERVED + n, tcp), seed);
    /* Without its epoll set (no fds, no memory at the pod's start), the
     * forwarder serves no UDP flow: udp_flow_for() refuses them all. */
    f->flow_epoll = udp ? epoll_create1(EPOLL_CLOEXEC) : -1;
    return f;
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int forwarder_timeout(const forwarder_t *f)
{
    const udp_flow_t *oldest = udp_flows_oldest(&f->flows);
    if (!oldest && !f->starved_since)
        return -1;
    long long now = monotonic_ms(), next = LLONG_MAX;
    if (f->starved_since)
        next = f->starved_since + ACCEPT_RETRY_MS - now;
    if (oldest && oldest->last + UDP_FLOW_IDLE_MS - now < next)
        next = oldest->last + UDP_FLOW_IDLE_MS - now;
    return next < 0 ? 0 : next > INT_MAX ? INT_MAX : (int)next;
}

/* Out of the epoll set first: a close alone would leave it there if the
 * socket were shared with another process, and its events would then name
 * a freed flow. */
static void drop_flow(forwarder_t *f, udp_flow_t *fl)
{
    epoll_ctl(f->flow_epoll, EPOLL_CTL_DEL, fl->pod, NULL); /* ENOENT when never added */
    close(fl->pod);
    udp_flows_remove(&f->flows, fl);
}

/* A socket inside the pod, connected to the published port's container
 * port. Out of fds, a flow idle long enough makes room once. -1: none. */
static int pod_socket_for(forwarder_t *f, size_t forward, long long now)
{
    int pod = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (pod < 0 && (errno == EMFILE || errno == ENFILE)) {
        udp_flow_t *idle = udp_flows_evictable(&f->flows, now);
        if (!idle)
            return -1;
        drop_flow(f, idle);
        pod = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    if (pod < 0)
        return -1;
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)f->forwards[forward].container_port)};
    inet_pton(AF_INET, POD_IP, &to.sin_addr);
    if (connect(pod, (struct sockaddr *)&to, sizeof(to)) < 0) {
        close(pod);
        return -1;
    }
    return pod;
}

/* The flow of this client on this port, made on first sight. A full table
 * gives up its least recently used flow only if that one is idle; when
 * every flow is active, the newcomer gets NULL (its datagram is dropped,
 * as a full network would) and the clients that keep talking keep theirs. */
static udp_flow_t *udp_flow_for(forwarder_t *f, size_t forward, const struct sockaddr *client,
                                socklen_t len, long long now)
{
    udp_flow_t *fl = udp_flows_find(&f->flows, forward, client, len);
    if (fl || f->flow_epoll < 0)
        return fl;
    if (f->flows.n >= f->flows.max) {
        udp_flow_t *idle = udp_flows_evictable(&f->flows, now);
        if (!idle)
            return NULL;
        drop_flow(f, idle);
    }
    int pod = pod_socket_for(f, forward, now);
    if (pod < 0)
        return NULL;
    fl = udp_flows_add(&f->flows, forward, client, len, pod, now);
    if (!fl) {
        close(pod);
        return NULL;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = fl};
    if (epoll_ctl(f->flow_epoll, EPOLL_CTL_ADD, pod, &ev) < 0) {
        drop_flow(f, fl);
        return NULL;
    }
    return fl;
}

/* Datagrams from host clients into the pod. */
static void udp_from_host(forwarder_t *f, size_t forward)
{
    for (int k = 0; k < 64; k++) {
        udp_peer_t client;
        socklen_t len = sizeof(client);
        ssize_t n = recvfrom(f->forwards[forward].fd, f->datagram, sizeof(f->datagram), 0,
                             &client.sa, &len);
        if (n < 0)
            return;
        long long now = monotonic_ms();
        udp_flow_t *fl = udp_flow_for(f, forward, &client.sa, len, now);
        if (!fl)
            continue;
        udp_flows_touch(&f->flows, fl, now);
        send(fl->pod, f->datagram, (size_t)n, 0); /* a full queue drops it, as UDP may */
    }
}

/* Answers from the pod back to their client, from the published port. */
static void udp_from_pod(forwarder_t *f, udp_flow_t *fl)
{
    for (int k = 0; k < 64; k++) {
        ssize_t n = recv(fl->pod, f->datagram, sizeof(f->datagram), 0);
        if (n < 0)
            return;
        udp_flows_touch(&f->flows, fl, monotonic_ms());
        sendto(f->forwards[fl->forward].fd, f->datagram, (size_t)n, 0, &fl->client.sa,
               fl->client_len);
    }
}

/* The flows whose pod-side socket has answers, then the expired ones. */
static void serve_flows(forwarder_t *f, const pollset_t *ps, long long now)
{
    if (f->flow_epoll_polled && (pollset_revents(ps, f->flow_epoll_index) & POLLIN)) {
        struct epoll_event ready[FLOW_EVENTS];
        int n = epoll_wait(f->flow_epoll, ready, FLOW_EVENTS, 0);
        for (int i = 0; i < n; i++)
            udp_from_pod(f, ready[i].data.ptr);
    }
    udp_flow_t *oldest;
    while ((oldest = udp_flows_oldest(&f->flows)) && now - oldest->last >= UDP_FLOW_IDLE_MS)
        drop_flow(f, oldest);
}

static void close_connection(connection_t *c)
{
    close(c->client);
    close(c->pod);
    for (int d = 0; d < 2; d++) {
        if (c->dir[d].pipe[0] >= 0) {
            close(c->dir[d].pipe[0]);
            close(c->dir[d].pipe[1]);
        }
    }
    free(c);
}

/* Room for one more connection's fds? A connection accepted and then
 * dropped for want of a socket or a pipe would be reset; one left in the
 * listener's backlog just waits. */
static bool room_for_connection(const forwarder_t *f)
{
    size_t used = FDS_RESERVED + f->nforwards + f->flows.n + f->nconns * FDS_PER_CONNECTION;
    return used + FDS_PER_CONNECTION <= f->fd_limit;
}

static void accept_one(forwarder_t *f, size_t i)
{
    if (!room_for_connection(f)) {
        f->starved_since = monotonic_ms();
        return;
    }
    int client = accept4(f->forwards[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) {
        if (errno == EMFILE || errno == ENFILE)
            f->starved_since = monotonic_ms();
        return; /* else EAGAIN, or a connection reset before we took it */
    }
    int pod = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (pod < 0) {
        close(client);
        return;
    }
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)f->forwards[i].container_port)};
    inet_pton(AF_INET, POD_IP, &to.sin_addr);
    if (connect(pod, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS) {
        close(pod);
        close(client); /* nothing listens in the pod: the client sees the close */
        return;
    }
    connection_t *c = xcalloc(1, sizeof(*c));
    c->client = client;
    c->pod = pod;
    c->connecting = true;
    for (int d = 0; d < 2; d++) {
        c->dir[d].pipe[0] = c->dir[d].pipe[1] = -1;
        c->dir[d].from = d == 0 ? client : pod;
        c->dir[d].to = d == 0 ? pod : client;
    }
    if (f->nconns == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->conns = xrealloc(f->conns, f->cap * sizeof(*f->conns));
    }
    f->conns[f->nconns++] = c;
}

/* The connect inside the pod finished: make the pipes, or give up. */
static bool finish_connect(connection_t *c)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(c->pod, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0)
        return false;
    for (int d = 0; d < 2; d++) {
        if (pipe2(c->dir[d].pipe, O_NONBLOCK | O_CLOEXEC) < 0)
            return false;
        fcntl(c->dir[d].pipe[1], F_SETPIPE_SZ, PIPE_BYTES); /* best effort: bigger moves */
    }
    c->connecting = false;
    return true;
}

/* Move what can be moved now in one direction. false: the connection broke. */
static bool pump(direction_t *d)
{
    for (;;) {
        bool progress = false;
        if (!d->eof) {
            ssize_t n = splice(d->from, NULL, d->pipe[1], NULL, PIPE_BYTES,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                d->buffered += (size_t)n;
                progress = true;
            } else if (n == 0) {
                d->eof = true;
            } else if (errno != EAGAIN && errno != EINTR) {
                return false;
            }
        }
        if (d->buffered > 0) {
            ssize_t n = splice(d->pipe[0], NULL, d->to, NULL, d->buffered,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                d->buffered -= (size_t)n;
                progress = true;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return false;
            }
        }
        if (d->eof && d->buffered == 0 && !d->shut) {
            shutdown(d->to, SHUT_WR); /* half-close: the other side sees EOF */
            d->shut = true;
        }
        if (!progress)
            return true;
    }
}

static short wanted_events(const connection_t *c, int fd)
{
    if (c->connecting)
        return fd == c->pod ? POLLOUT : 0;
    short ev = 0;
    for (int d = 0; d < 2; d++) {
        const direction_t *dir = &c->dir[d];
        if (dir->from == fd && !dir->eof)
            ev |= POLLIN;
        if (dir->to == fd && dir->buffered > 0)
            ev |= POLLOUT;
    }
    return ev;
}

void forwarder_fill(forwarder_t *f, pollset_t *ps)
{
    for (size_t i = 0; i < f->nforwards; i++) {
        bool starved_tcp = f->starved_since && f->forwards[i].proto != PORT_PROTO_UDP;
        f->forward_index[i] = pollset_add(ps, f->forwards[i].fd, starved_tcp ? 0 : POLLIN);
    }
    f->flow_epoll_polled = f->flows.n > 0;
    if (f->flow_epoll_polled)
        f->flow_epoll_index = pollset_add(ps, f->flow_epoll, POLLIN);
    for (size_t i = 0; i < f->nconns; i++) {
        connection_t *c = f->conns[i];
        c->client_index = pollset_add(ps, c->client, wanted_events(c, c->client));
        c->pod_index = pollset_add(ps, c->pod, wanted_events(c, c->pod));
    }
}

/* Handle one connection's events; false when it is over. */
static bool serve(connection_t *c, short client_ev, short pod_ev)
{
    if (c->connecting) {
        if (!(pod_ev & (POLLOUT | POLLERR | POLLHUP)))
            return true;
        if (!finish_connect(c))
            return false;
    }
    if ((client_ev | pod_ev) & POLLERR)
        return false;
    for (int d = 0; d < 2; d++) {
        if (!pump(&c->dir[d]))
            return false;
    }
    return !(c->dir[0].shut && c->dir[1].shut);
}

void forwarder_dispatch(forwarder_t *f, const pollset_t *ps)
{
    /* Connections first: accept_one appends to the list. */
    size_t kept = 0;
    for (size_t i = 0; i < f->nconns; i++) {
        connection_t *c = f->conns[i];
        short cev = pollset_revents(ps, c->client_index), pev = pollset_revents(ps, c->pod_index);
        if ((cev | pev) == 0 || serve(c, cev, pev))
            f->conns[kept++] = c;
        else
            close_connection(c);
    }
    long long now = monotonic_ms();
    if (f->starved_since && (kept < f->nconns || now - f->starved_since >= ACCEPT_RETRY_MS))
        f->starved_since = 0; /* fds came back (or may have): accept again */
    f->nconns = kept;
    serve_flows(f, ps, now);
    for (size_t i = 0; i < f->nforwards; i++) {
        if (!(pollset_revents(ps, f->forward_index[i]) & POLLIN))
            continue;
        if (f->forwards[i].proto == PORT_PROTO_UDP) {
            udp_from_host(f, i);
        } else {
            for (int k = 0; k < 64; k++) {
                size_t before = f->nconns;
                accept_one(f, i);
                if (f->nconns == before)
                    break;
            }
        }
    }
}
