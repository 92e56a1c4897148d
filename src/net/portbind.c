/* portbind.c: see portbind.h. */
#include "net/portbind.h"

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

/* Which addresses a host socket takes. */
typedef enum {
    HOST_ADDRESS_GIVEN, /* ip as published; "" = every address, IPv4 and IPv6 */
    HOST_ADDRESS_V6,    /* every IPv6 address alone ([::], IPV6_V6ONLY=1) */
} host_address_t;

/* The options that keep a published port ours against other local users.
 * SO_REUSEADDR on TCP lets a pod bind again a port whose old connections
 * linger in TIME_WAIT; while we listen, the kernel still refuses anyone's
 * bind of an overlapping address (127.0.0.1 next to our wildcard) and
 * shares a port through SO_REUSEPORT only between sockets of one uid. On
 * UDP, SO_REUSEADDR would let any user's socket with SO_REUSEADDR share the
 * port, and the more specific bind would get our clients' datagrams: never
 * on UDP. V6ONLY is set either way, whatever net.ipv6.bindv6only says: 0 on
 * the wildcard of all addresses (one socket covers both families, nothing
 * is left for another user to bind), 1 for HOST_ADDRESS_V6. */
static int set_host_socket_options(int fd, port_proto_t proto, int v6only)
{
    int one = 1;
    if (proto == PORT_PROTO_TCP && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        return -1;
    if (v6only >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
        return -1;
    return 0;
}

static int host_bind_failed(int saved, const char *ip, unsigned port, const char *proto_name,
                            upod_error_t *err)
{
    if (saved == EADDRINUSE)
        return upod_fail(err, 0, "host port %u/%s%s%s is already in use (by another program "
                                 "or pod): publish another host port",
                         port, proto_name, ip[0] ? " on " : "", ip);
    if (saved == EACCES) {
        long start = read_sysctl_long("/proc/sys/net/ipv4/ip_unprivileged_port_start");
        return upod_fail(err, 0, "host port %u is below net.ipv4.ip_unprivileged_port_start "
                                 "(%ld): publish a port >= %ld, or as root run 'sysctl -w "
                                 "net.ipv4.ip_unprivileged_port_start=%u'",
                         port, start, start, port);
    }
    if (saved == EADDRNOTAVAIL)
        return upod_fail(err, 0, "host address %s is not an address of this host", ip);
    return upod_fail(err, saved, "cannot bind host port %u/%s", port, proto_name);
}

/* A socket bound to ip:port as `scope` says (for HOST_ADDRESS_GIVEN, ""
 * falls back to all IPv4 addresses on a host without IPv6). listen() only
 * for TCP listeners. *family: the socket's. */
static int bind_host_socket(const char *ip, host_address_t scope, unsigned port, port_proto_t proto,
                            bool do_listen, unsigned *bound_port, int *family, upod_error_t *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    bool all = scope == HOST_ADDRESS_V6 || ip[0] == '\0';
    bool v6 = all || strchr(ip, ':') != NULL;
    int type = proto == PORT_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
    int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 && v6 && all && scope == HOST_ADDRESS_GIVEN && errno == EAFNOSUPPORT) {
        v6 = false; /* a host without IPv6: all IPv4 addresses */
        fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    }
    if (fd < 0)
        return upod_fail(err, errno, "cannot create a socket for host port %u", port);
    int v6only = !v6 ? -1 : scope == HOST_ADDRESS_V6 ? 1 : all ? 0 : -1;
    if (set_host_socket_options(fd, proto, v6only) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot set the options of the socket of host port %u", port);
    }
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (!all && inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) {
            close(fd);
            return upod_fail(err, 0, "invalid host address %s", ip);
        }
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, all ? "0.0.0.0" : ip, &a->sin_addr) != 1) {
            close(fd);
            return upod_fail(err, 0, "invalid host address %s", ip);
        }
        len = sizeof(*a);
    }
    const char *proto_name = proto == PORT_PROTO_UDP ? "udp" : "tcp";
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int saved = errno;
        close(fd);
        return host_bind_failed(saved, scope == HOST_ADDRESS_V6 ? "::" : ip, port, proto_name,
                                err);
    }
    if (do_listen && listen(fd, PUBLISHED_LISTEN_BACKLOG) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot listen on host port %u", port);
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        int saved = errno;
        close(fd);
        return upod_fail(err, saved, "cannot read the address of host port %u", port);
    }
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    *family = ss.ss_family;
    return fd;
}

/* The host socket(s) of one published port; pp->listen_fd is what the
 * infra's forwarder serves (-1: nothing).
 * - splice driver, UDP: one socket on the address published; "" is one
 *   IPv6 socket with IPV6_V6ONLY=0, which holds the port on every IPv4 and
 *   IPv6 address.
 * - slirp driver (TCP): libslirp binds its own IPv4 socket (it forwards an
 *   IPv4 host socket to the pod's IPv4 address only); ours first proves the
 *   port free (and picks a random one) on both families. For "", the IPv6
 *   addresses are held by a listener of ours ([::], IPV6_V6ONLY=1) that the
 *   forwarder serves as the splice driver does: a client of [::1] reaches
 *   the pod, and no other user can bind [::1]:PORT under it. */
static int bind_published_port(published_port_t *pp, unsigned want, upod_error_t *err)
{
    int family;
    pp->check_fd = -1;
    bool tcp_listener = pp->proto == PORT_PROTO_TCP && !pp->via_slirp;
    int fd = bind_host_socket(pp->host_ip, HOST_ADDRESS_GIVEN, want, pp->proto, tcp_listener,
                              &pp->host_port, &family, err);
    if (fd < 0 || !pp->via_slirp) {
        pp->listen_fd = fd;
        return fd < 0 ? -1 : 0;
    }
    bool hold_v6 = pp->host_ip[0] == '\0' && family == AF_INET6;
    int v6 = -1;
    if (hold_v6) {
        /* Bound while the check socket still is (both SO_REUSEADDR, the
         * check not listening): the port never stands free between them. */
        unsigned port;
        v6 = bind_host_socket("", HOST_ADDRESS_V6, pp->host_port, PORT_PROTO_TCP, true, &port,
                              &family, err);
    }
    if (hold_v6 && v6 < 0) {
        close(fd);
        return -1;
    }
    /* Kept until libslirp has bound its own socket (both SO_REUSEADDR,
     * neither listening yet): the IPv4 port never stands free for another
     * user to take (portbind_release_checks). */
    pp->check_fd = fd;
    pp->listen_fd = v6;
    return 0;
}

void portbind_release_checks(published_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->ports[i].check_fd >= 0) {
            close(p->ports[i].check_fd);
            p->ports[i].check_fd = -1;
        }
    }
}

int portbind_open(const pod_config_t *config, published_t *out, upod_error_t *err)
{
    out->ports = NULL;
    out->n = 0;
    for (size_t i = 0; i < config->nports; i++) {
        const port_mapping_t *m = &config->ports[i];
        for (unsigned k = 0; k < m->count; k++) {
            published_port_t pp;
            memset(&pp, 0, sizeof(pp));
            snprintf(pp.host_ip, sizeof(pp.host_ip), "%s", m->host_ip);
            pp.container_port = m->container_port + k;
            pp.proto = m->proto;
            pp.via_slirp = m->proto == PORT_PROTO_TCP &&
                           config->net.port_handler == PORT_HANDLER_SLIRP;
            if (bind_published_port(&pp, m->host_port ? m->host_port + k : 0, err) < 0) {
                published_clear(out);
                return -1;
            }
            out->ports = xrealloc(out->ports, (out->n + 1) * sizeof(*out->ports));
            out->ports[out->n++] = pp;
        }
    }
    return 0;
}

void portbind_close_listeners(published_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->ports[i].listen_fd >= 0) {
            close(p->ports[i].listen_fd);
            p->ports[i].listen_fd = -1;
        }
    }
}

void published_clear(published_t *p)
{
    portbind_close_listeners(p);
    portbind_release_checks(p);
    free(p->ports);
    p->ports = NULL;
    p->n = 0;
}
