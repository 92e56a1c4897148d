/* portspec.h: the text forms of published ports (`-p`) and of the pod network
 * (`--network`), with podman's syntax. Pure parsers and formatters: nothing
 * here touches the system, so every rule is unit tested. */
#ifndef UPOD_PORTSPEC_H
#define UPOD_PORTSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* The form named by every port spec error. */
#define PORT_SPEC_FORM "[ip:][hostPort:]containerPort[/tcp|udp]"

typedef enum { PORT_PROTO_TCP, PORT_PROTO_UDP } port_proto_t;

typedef struct {
    char host_ip[64];        /* "" = all addresses (0.0.0.0); canonical IPv4 or IPv6 text,
                                IPv6 without brackets */
    unsigned host_port;      /* first host port; 0 = pick a free port at start time */
    unsigned container_port; /* first container port */
    unsigned count;          /* ports in the range, >= 1 */
    port_proto_t proto;
} port_mapping_t;

/* Parse one -p spec, as podman does:
 *   80                  container port 80, random host port
 *   8080:80             host 8080 -> 80
 *   :80, 0:80           random host port (0 is what port_mapping_format writes)
 *   127.0.0.1:8080:80, [::1]:8080:80, 127.0.0.1::80 (random host port on that IP)
 *   8080:80/udp, 80/tcp (tcp is the default)
 *   8000-8002:8000-8002 (ranges of the same length), 8000-8002 (random host ports)
 * Ports are 1-65535; a host range needs a container range of the same length
 * (and a single host port a single container port). "0.0.0.0" is stored as
 * "" and IP addresses are stored in canonical form (inet_ntop), so that equal
 * addresses compare equal. */
int port_mapping_parse(const char *spec, port_mapping_t *out, upod_error_t *err);

/* Canonical text for state files: "[ip:]hostPort:containerPort/proto", ranges
 * as a-b, a random host port as 0, IPv6 in brackets. Parses back to the same
 * mapping. E.g. "127.0.0.1:8080:80/tcp", "0:8000-8002/udp". malloc'd. */
char *port_mapping_format(const port_mapping_t *m);

/* podman's PORTS column: "0.0.0.0:8080->80/tcp", "[::1]:8000-8002->8000-8002/udp".
 * A host port still 0 (not yet chosen) is shown as 0. malloc'd. */
char *port_mapping_display(const port_mapping_t *m);

/* Whether two mappings cannot both be bound: same protocol, overlapping host
 * port ranges (random ports, 0, never conflict: they are chosen free) and
 * overlapping host IPs ("" overlaps every address, otherwise equal text). */
bool port_mappings_conflict(const port_mapping_t *a, const port_mapping_t *b);

typedef enum { NET_MODE_SLIRP, NET_MODE_NONE } net_mode_t;
typedef enum { PORT_HANDLER_SPLICE, PORT_HANDLER_SLIRP } port_handler_t;

typedef struct {
    net_mode_t mode;
    bool allow_host_loopback;    /* default false */
    unsigned mtu;                /* default 65520, 68-65520 */
    port_handler_t port_handler; /* default splice */
    bool enable_ipv6;            /* default true */
} net_options_t;

#define NET_MTU_MIN 68u
#define NET_MTU_MAX 65520u

void net_options_default(net_options_t *o);

/* Parse "slirp", "slirp:opt=v,opt=v", "slirp4netns[:opts]" (podman's name,
 * a synonym) or "none". Options: allow_host_loopback=true|false, mtu=N
 * (68-65520), port_handler=splice|slirp (podman's rootlesskit and slirp4netns
 * are accepted as synonyms), enable_ipv6=true|false; each at most once.
 * Options not given keep their defaults. Anything else fails, naming the
 * valid choices. */
int net_options_parse(const char *text, net_options_t *out, upod_error_t *err);

/* Canonical text: "none", or slirp with every option spelled out, e.g.
 * "slirp:allow_host_loopback=false,mtu=65520,port_handler=splice,enable_ipv6=true".
 * Parses back to the same options (for "none": to the defaults, since the
 * slirp options mean nothing without a network). malloc'd. */
char *net_options_format(const net_options_t *o);

/* A published port once the pod runs: one host port (random ones chosen),
 * and which driver serves it. Kept in the pod state. */
typedef struct {
    char host_ip[64];        /* "" = all addresses */
    unsigned host_port;
    unsigned container_port;
    port_proto_t proto;
    bool via_slirp;          /* libslirp host forward, else the splice forwarder */
    int listen_fd;           /* the splice listener while the keeper starts, else -1 */
    int check_fd;            /* slirp driver: holds the port until libslirp binds it, else -1 */
} published_port_t;

/* "[ip:]host:container/proto[,slirp]" and back. */
char *published_port_format(const published_port_t *pp);
int published_port_parse(const char *text, published_port_t *out);
/* "80/tcp -> 0.0.0.0:8080" lines, as `podman port` prints them. */
char *published_describe(const published_port_t *ports, size_t n);

#endif
