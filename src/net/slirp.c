/* slirp.c: see slirp.h. The libslirp callbacks below are what a host of
 * libslirp must provide; each says what it implements. */
#include "net/slirp.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libslirp.h>

#include "base/compat.h"
#include "net/portbind.h"
#include "net/tap.h"
#include "base/util.h"

typedef struct slirp_timer {
    struct slirp_timer *next;
    SlirpTimerCb cb;
    void *cb_opaque;
    int64_t expire_ms; /* -1: not armed */
} slirp_timer_t;

struct pod_slirp {
    Slirp *slirp;
    int tapfd;
    slirp_timer_t *timers;
    size_t tap_index;   /* in the pollset of the current turn */
    bool tap_gone;      /* its network namespace (and so the device) is gone */
    uint8_t frame[65536 + 64];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Callback: a frame from the stack to the pod, written to the tap. A full
 * tap queue drops the frame, as a network would; TCP resends it. */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    pod_slirp_t *s = opaque;
    ssize_t w = TEMP_FAILURE_RETRY(write(s->tapfd, buf, len));
    if (w < 0 && errno != EAGAIN)
        fprintf(stderr, "slirp: writing to the tap failed: %s\n", strerror(errno));
    return (ssize_t)len;
}

/* Callback: the pod sent something libslirp rejects. */
static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "slirp: guest error: %s\n", msg);
}

/* Callback: libslirp's clock (monotonic, ns). */
static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Callbacks: timers (TCP's fast and slow timers, IPv6 router adverts). */
static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    pod_slirp_t *s = opaque;
    slirp_timer_t *t = xcalloc(1, sizeof(*t));
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    t->next = s->timers;
    s->timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    pod_slirp_t *s = opaque;
    for (slirp_timer_t **p = &s->timers; *p; p = &(*p)->next) {
        if (*p == timer) {
            *p = (*p)->next;
            free(timer);
            return;
        }
    }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    ((slirp_timer_t *)timer)->expire_ms = expire_ms;
}

/* Callbacks: descriptor (un)registration and wake-ups: our loop asks
 * libslirp for its descriptors on every turn, so nothing to do. */
static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd, (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd, (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
};

pod_slirp_t *pod_slirp_new(int tapfd, const net_options_t *opts, upod_error_t *err)
{
    pod_slirp_t *s = xcalloc(1, sizeof(*s));
    s->tapfd = tapfd;
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.version = 3;
    cfg.in_enabled = true;
    inet_pton(AF_INET, POD_NET_ADDR, &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, POD_GATEWAY, &cfg.vhost);
    inet_pton(AF_INET, POD_DHCP_START, &cfg.vdhcp_start);
    inet_pton(AF_INET, POD_DNS, &cfg.vnameserver);
    cfg.in6_enabled = opts->enable_ipv6;
    inet_pton(AF_INET6, POD_IP6_PREFIX, &cfg.vprefix_addr6);
    cfg.vprefix_len = POD_IP6_PREFIX_LEN;
    inet_pton(AF_INET6, POD_GATEWAY6, &cfg.vhost6);
    inet_pton(AF_INET6, POD_DNS6, &cfg.vnameserver6);
    cfg.if_mtu = opts->mtu;
    cfg.if_mru = opts->mtu;
    cfg.disable_host_loopback = !opts->allow_host_loopback;
    s->slirp = slirp_new(&cfg, &callbacks, s);
    if (!s->slirp) {
        free(s);
        upod_fail(err, 0, "cannot start the pod's network stack (libslirp)");
        return NULL;
    }
    return s;
}

void pod_slirp_free(pod_slirp_t *s)
{
    if (!s)
        return;
    slirp_cleanup(s->slirp);
    while (s->timers) {
        slirp_timer_t *next = s->timers->next;
        free(s->timers);
        s->timers = next;
    }
    close(s->tapfd);
    free(s);
}

/* libslirp listens on a published TCP port with a backlog of 1: a burst of
 * connections overflows it, the kernel drops the SYNs and clients resend
 * them only after 1 s, 3 s, 7 s... (500 connections at once took minutes).
 * listen() again on a listening socket just changes its backlog: find
 * libslirp's listener among our fds by its port. */
static void widen_listen_backlog(unsigned port)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long fd;
        int listening = 0;
        socklen_t len = sizeof(listening);
        struct sockaddr_in sin;
        socklen_t slen = sizeof(sin);
        if (!parse_long(e->d_name, 0, INT_MAX, &fd) || fd == dirfd(d) ||
            getsockopt((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening ||
            getsockname((int)fd, (struct sockaddr *)&sin, &slen) < 0 || sin.sin_family != AF_INET)
            continue;
        if (ntohs(sin.sin_port) == port)
            listen((int)fd, PUBLISHED_LISTEN_BACKLOG);
    }
    closedir(d);
}

int pod_slirp_add_hostfwd(pod_slirp_t *s, bool udp, const char *host_ip, unsigned host_port,
                          unsigned guest_port, upod_error_t *err)
{
    struct in_addr host = {.s_addr = htonl(INADDR_ANY)}, guest;
    if (host_ip && *host_ip && inet_pton(AF_INET, host_ip, &host) != 1)
        return upod_fail(err, 0, "the slirp port handler publishes IPv4 addresses only, not %s "
                                 "(use port_handler=splice)",
                         host_ip);
    inet_pton(AF_INET, POD_IP, &guest);
    if (slirp_add_hostfwd(s->slirp, udp, host, (int)host_port, guest, (int)guest_port) < 0)
        return upod_fail(err, errno, "cannot publish host port %u/%s", host_port,
                         udp ? "udp" : "tcp");
    if (!udp)
        widen_listen_backlog(host_port);
    return 0;
}

static int slirp_to_poll(int events)
{
    int e = 0;
    if (events & SLIRP_POLL_IN)
        e |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        e |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        e |= POLLPRI;
    return e;
}

/* Callbacks of slirp_pollfds_fill / _poll: our pollset is the opaque. */
static int add_poll_cb(int fd, int events, void *opaque)
{
    return (int)pollset_add(opaque, fd, (short)slirp_to_poll(events));
}

static int get_revents_cb(int idx, void *opaque)
{
    short r = pollset_revents(opaque, (size_t)idx);
    int e = 0;
    if (r & POLLIN)
        e |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        e |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        e |= SLIRP_POLL_PRI;
    if (r & POLLERR)
        e |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        e |= SLIRP_POLL_HUP;
    return e;
}

void pod_slirp_fill(pod_slirp_t *s, pollset_t *ps, int *timeout_ms)
{
    uint32_t timeout = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
    s->tap_index = pollset_add(ps, s->tapfd, POLLIN);
    slirp_pollfds_fill(s->slirp, &timeout, add_poll_cb, ps);
    int64_t now = now_ms();
    for (slirp_timer_t *t = s->timers; t; t = t->next) {
        if (t->expire_ms < 0)
            continue;
        int64_t wait = t->expire_ms > now ? t->expire_ms - now : 0;
        if ((uint64_t)wait < timeout)
            timeout = (uint32_t)wait;
    }
    *timeout_ms = timeout == UINT32_MAX ? -1 : (int)timeout;
}

/* One frame from the pod into the stack per turn of the loop: the stack's
 * host sockets are served between frames, which measured faster for bulk
 * transfers out of the pod than draining the tap (bench/net.sh, slirp down:
 * 1.70 Gbit/s against 1.53 with 8 frames a turn). */
static void read_tap(pod_slirp_t *s)
{
    ssize_t n = TEMP_FAILURE_RETRY(read(s->tapfd, s->frame, sizeof(s->frame)));
    if (n > 0)
        slirp_input(s->slirp, s->frame, (int)n);
    else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        s->tap_gone = true; /* EBADFD once the device is unregistered */
}

static void run_timers(pod_slirp_t *s)
{
    int64_t now = now_ms();
    /* A callback may re-arm or free timers: restart the walk after each. */
    for (bool fired = true; fired;) {
        fired = false;
        for (slirp_timer_t *t = s->timers; t; t = t->next) {
            if (t->expire_ms >= 0 && t->expire_ms <= now) {
                t->expire_ms = -1;
                t->cb(t->cb_opaque);
                fired = true;
                break;
            }
        }
    }
}

void pod_slirp_dispatch(pod_slirp_t *s, const pollset_t *ps, bool poll_failed)
{
    /* Sockets first, with the revents libslirp asked for in its fill, then
     * the pod's frames (slirp4netns's order). The other way round, the
     * answer to the first datagram of a new UDP flow (the pod's first DNS
     * query) was lost now and then. */
    slirp_pollfds_poll(s->slirp, poll_failed, get_revents_cb, (void *)ps);
    short tap_events = pollset_revents(ps, s->tap_index);
    if (tap_events & POLLIN)
        read_tap(s);
    else if (tap_events & (POLLERR | POLLHUP | POLLNVAL))
        s->tap_gone = true;
    run_timers(s);
}

bool pod_slirp_tap_gone(const pod_slirp_t *s)
{
    return s->tap_gone;
}
