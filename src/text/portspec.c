/* portspec.c: see portspec.h. */
#include "text/portspec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

/* Every port spec error names the spec and the form it should have. */
#define spec_fail(err, spec, fmt, ...)                                                          \
    upod_fail(err, 0, "invalid port spec \"%s\": " fmt "; expected " PORT_SPEC_FORM, spec,     \
              ##__VA_ARGS__)

#define PORT_MAX 65535u

/* Values above this saturate, so "99999999999" reads as too big rather than
 * wrapping around into a valid port. */
#define DECIMAL_SATURATE 1000000u

/* The n characters at s as a decimal number: digits only, no sign and no
 * spaces (strtol would take both). */
static bool parse_decimal(const char *s, size_t n, unsigned *out)
{
    if (n == 0)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > DECIMAL_SATURATE)
            v = DECIMAL_SATURATE;
    }
    *out = v;
    return true;
}

static int parse_single_port(const char *spec, const char *what, const char *text,
                             bool allow_zero, unsigned *first, unsigned *count, upod_error_t *err)
{
    unsigned v;
    if (!parse_decimal(text, strlen(text), &v))
        return spec_fail(err, spec, "%s \"%s\" is not a number", what, text);
    if ((v == 0 && !allow_zero) || v > PORT_MAX)
        return spec_fail(err, spec, "%s %s is out of range: ports are 1-65535", what, text);
    *first = v;
    *count = 1;
    return 0;
}

/* "N" or "N-M" into a first port and a count. On the host side (allow_zero)
 * a lone 0 means "pick a free port"; a range never starts at 0. */
static int parse_port_range(const char *spec, const char *what, const char *text,
                            bool allow_zero, unsigned *first, unsigned *count, upod_error_t *err)
{
    if (!*text)
        return spec_fail(err, spec, "missing %s", what);
    const char *dash = strchr(text, '-');
    if (!dash)
        return parse_single_port(spec, what, text, allow_zero, first, count, err);
    unsigned lo, hi;
    if (!parse_decimal(text, (size_t)(dash - text), &lo) ||
        !parse_decimal(dash + 1, strlen(dash + 1), &hi))
        return spec_fail(err, spec, "%s range \"%s\" is not a number or start-end", what, text);
    if (lo > PORT_MAX || hi > PORT_MAX)
        return spec_fail(err, spec, "%s range %s runs past 65535", what, text);
    if (lo == 0)
        return spec_fail(err, spec, "%s range %s starts at 0: ports are 1-65535", what, text);
    if (lo > hi)
        return spec_fail(err, spec, "%s range %s is reversed: the start must not exceed the end",
                         what, text);
    *first = lo;
    *count = hi - lo + 1;
    return 0;
}

static int parse_proto(const char *spec, const char *text, port_proto_t *out, upod_error_t *err)
{
    if (strcmp(text, "tcp") == 0) {
        *out = PORT_PROTO_TCP;
        return 0;
    }
    if (strcmp(text, "udp") == 0) {
        *out = PORT_PROTO_UDP;
        return 0;
    }
    if (strcmp(text, "sctp") == 0)
        return spec_fail(err, spec, "protocol sctp is not supported by upod: use tcp or udp");
    if (!*text)
        return spec_fail(err, spec, "missing protocol after '/': use tcp or udp");
    return spec_fail(err, spec, "unknown protocol \"%s\": use tcp or udp", text);
}

/* "[v6]:host:ctr" in place (s starts with '['). */
static int split_bracketed(const char *spec, char *s, char **ip, char **host, char **ctr,
                           upod_error_t *err)
{
    char *close = strchr(s, ']');
    if (!close)
        return spec_fail(err, spec, "missing ']' after the IPv6 address");
    if (close[1] != ':')
        return spec_fail(err, spec, "expected ':' after ']'");
    *close = '\0';
    *ip = s + 1;
    char *rest = close + 2;
    char *colon = strchr(rest, ':');
    if (!colon)
        return spec_fail(err, spec, "a host IP must be followed by hostPort:containerPort "
                                    "(hostPort may be empty)");
    *colon = '\0';
    *host = rest;
    *ctr = colon + 1;
    if (strchr(*ctr, ':'))
        return spec_fail(err, spec, "too many ':'");
    return 0;
}

/* More than two ':' without brackets: most likely a bare IPv6 address. s is
 * what precedes the last two ':' (the would-be address). */
static int fail_too_many_colons(const char *spec, const char *s, upod_error_t *err)
{
    struct in6_addr a6;
    if (inet_pton(AF_INET6, s, &a6) == 1)
        return spec_fail(err, spec, "IPv6 address %s must be in brackets, as in [%s]:8080:80", s,
                         s);
    return spec_fail(err, spec, "too many ':' (an IPv6 host IP goes in brackets, as in "
                                "[::1]:8080:80)");
}

/* "[ip:][host:]ctr" without brackets, in place, split at the last two ':'. */
static int split_plain(const char *spec, char *s, char **ip, char **host, char **ctr,
                       upod_error_t *err)
{
    char *last = strrchr(s, ':');
    if (!last) {
        *ctr = s;
        return 0;
    }
    *last = '\0';
    *ctr = last + 1;
    char *prev = strrchr(s, ':');
    if (!prev) {
        *host = s;
        return 0;
    }
    *prev = '\0';
    *host = prev + 1;
    if (strchr(s, ':'))
        return fail_too_many_colons(spec, s, err);
    *ip = s;
    return 0;
}

/* Validate the host IP and store it in canonical form; 0.0.0.0 becomes "". */
static int parse_host_ip(const char *spec, const char *ip, bool bracketed, char *out,
                         size_t size, upod_error_t *err)
{
    struct in6_addr a6;
    struct in_addr a4;
    if (bracketed) {
        if (inet_pton(AF_INET6, ip, &a6) != 1)
            return spec_fail(err, spec, "\"%s\" is not an IPv6 address (brackets are for IPv6 "
                                        "only)",
                             ip);
        inet_ntop(AF_INET6, &a6, out, (socklen_t)size);
        return 0;
    }
    if (!*ip)
        return spec_fail(err, spec, "empty host IP (leave out \"ip:\" to publish on all "
                                    "addresses)");
    if (inet_pton(AF_INET, ip, &a4) != 1)
        return spec_fail(err, spec, "host IP \"%s\" is not an IPv4 address (IPv6 goes in "
                                    "brackets, as in [::1]:8080:80)",
                         ip);
    if (a4.s_addr == htonl(INADDR_ANY))
        out[0] = '\0';
    else
        inet_ntop(AF_INET, &a4, out, (socklen_t)size);
    return 0;
}

int port_mapping_parse(const char *spec, port_mapping_t *out, upod_error_t *err)
{
    if (!spec || !*spec)
        return upod_fail(err, 0, "empty port spec: expected " PORT_SPEC_FORM);
    cleanup_free char *s = xstrdup(spec);
    port_mapping_t m = {.proto = PORT_PROTO_TCP, .count = 1};
    char *slash = strchr(s, '/');
    if (slash) {
        *slash = '\0';
        if (parse_proto(spec, slash + 1, &m.proto, err) < 0)
            return -1;
    }
    char *ip = NULL, *host = NULL, *ctr = NULL;
    bool bracketed = s[0] == '[';
    if (bracketed ? split_bracketed(spec, s, &ip, &host, &ctr, err) < 0
                  : split_plain(spec, s, &ip, &host, &ctr, err) < 0)
        return -1;
    if (ip && parse_host_ip(spec, ip, bracketed, m.host_ip, sizeof(m.host_ip), err) < 0)
        return -1;
    unsigned host_count = 0;
    /* An empty host port ("127.0.0.1::80", ":80") means random, like 0. */
    if (host && *host &&
        parse_port_range(spec, "host port", host, true, &m.host_port, &host_count, err) < 0)
        return -1;
    if (parse_port_range(spec, "container port", ctr, false, &m.container_port, &m.count, err) < 0)
        return -1;
    if (m.host_port != 0 && host_count != m.count)
        return spec_fail(err, spec,
                         "host port %s and container port %s differ in length (%u vs %u ports)",
                         host, ctr, host_count, m.count);
    *out = m;
    return 0;
}

static const char *proto_name(port_proto_t p)
{
    return p == PORT_PROTO_UDP ? "udp" : "tcp";
}

static unsigned span(const port_mapping_t *m)
{
    return m->count ? m->count : 1;
}

/* "N" or "N-M"; count is at least 1. */
static char *range_text(unsigned first, unsigned count)
{
    if (count <= 1)
        return xasprintf("%u", first);
    return xasprintf("%u-%u", first, first + count - 1);
}

/* The host port side: a random port is a single 0 whatever the count. */
static char *host_range_text(const port_mapping_t *m)
{
    return m->host_port ? range_text(m->host_port, span(m)) : xstrdup("0");
}

/* IPv6 addresses need brackets wherever a ':' follows them. */
static char *ip_prefix(const char *ip)
{
    if (strchr(ip, ':'))
        return xasprintf("[%s]:", ip);
    return xasprintf("%s:", ip);
}

char *port_mapping_format(const port_mapping_t *m)
{
    cleanup_free char *ip = m->host_ip[0] ? ip_prefix(m->host_ip) : xstrdup("");
    cleanup_free char *host = host_range_text(m);
    cleanup_free char *ctr = range_text(m->container_port, span(m));
    return xasprintf("%s%s:%s/%s", ip, host, ctr, proto_name(m->proto));
}

char *port_mapping_display(const port_mapping_t *m)
{
    cleanup_free char *ip = ip_prefix(m->host_ip[0] ? m->host_ip : "0.0.0.0");
    cleanup_free char *host = host_range_text(m);
    cleanup_free char *ctr = range_text(m->container_port, span(m));
    return xasprintf("%s%s->%s/%s", ip, host, ctr, proto_name(m->proto));
}

bool port_mappings_conflict(const port_mapping_t *a, const port_mapping_t *b)
{
    if (a->proto != b->proto || a->host_port == 0 || b->host_port == 0)
        return false;
    /* Half-open ranges [port, port + count) overlap unless one ends first. */
    if (a->host_port + span(a) <= b->host_port || b->host_port + span(b) <= a->host_port)
        return false;
    return !a->host_ip[0] || !b->host_ip[0] || strcmp(a->host_ip, b->host_ip) == 0;
}

/* ---- --network ---- */

#define NET_FORM "slirp[:options] or none"
#define NET_OPTION_NAMES "allow_host_loopback, mtu, port_handler, enable_ipv6"

#define net_fail(err, text, fmt, ...)                                                           \
    upod_fail(err, 0, "invalid network \"%s\": " fmt, text, ##__VA_ARGS__)

enum { OPT_LOOPBACK, OPT_MTU, OPT_PORT_HANDLER, OPT_IPV6, OPT_COUNT };

static const char *const net_option_names[OPT_COUNT] = {
    [OPT_LOOPBACK] = "allow_host_loopback",
    [OPT_MTU] = "mtu",
    [OPT_PORT_HANDLER] = "port_handler",
    [OPT_IPV6] = "enable_ipv6",
};

void net_options_default(net_options_t *o)
{
    *o = (net_options_t){
        .mode = NET_MODE_SLIRP,
        .allow_host_loopback = false,
        .mtu = NET_MTU_MAX,
        .port_handler = PORT_HANDLER_SPLICE,
        .enable_ipv6 = true,
    };
}

static int find_net_option(const char *name)
{
    for (int i = 0; i < OPT_COUNT; i++)
        if (strcmp(name, net_option_names[i]) == 0)
            return i;
    return -1;
}

static int parse_bool_value(const char *text, const char *name, const char *value, bool *out,
                            upod_error_t *err)
{
    if (strcmp(value, "true") == 0)
        *out = true;
    else if (strcmp(value, "false") == 0)
        *out = false;
    else
        return net_fail(err, text, "%s=%s is not valid: use %s=true or %s=false", name, value,
                        name, name);
    return 0;
}

static int parse_port_handler(const char *text, const char *value, port_handler_t *out,
                              upod_error_t *err)
{
    /* podman names the two handlers after the programs that implement them. */
    if (strcmp(value, "splice") == 0 || strcmp(value, "rootlesskit") == 0)
        *out = PORT_HANDLER_SPLICE;
    else if (strcmp(value, "slirp") == 0 || strcmp(value, "slirp4netns") == 0)
        *out = PORT_HANDLER_SLIRP;
    else
        return net_fail(err, text, "port_handler=%s is not valid: use port_handler=splice "
                                   "(alias rootlesskit) or port_handler=slirp (alias slirp4netns)",
                        value);
    return 0;
}

static int set_net_option(const char *text, int opt, const char *value, net_options_t *o,
                          upod_error_t *err)
{
    unsigned mtu;
    switch (opt) {
    case OPT_LOOPBACK:
        return parse_bool_value(text, "allow_host_loopback", value, &o->allow_host_loopback, err);
    case OPT_IPV6:
        return parse_bool_value(text, "enable_ipv6", value, &o->enable_ipv6, err);
    case OPT_PORT_HANDLER:
        return parse_port_handler(text, value, &o->port_handler, err);
    case OPT_MTU:
        if (!parse_decimal(value, strlen(value), &mtu) || mtu < NET_MTU_MIN || mtu > NET_MTU_MAX)
            return net_fail(err, text, "mtu=%s is not valid: the mtu is a number from %u to %u",
                            value, NET_MTU_MIN, NET_MTU_MAX);
        o->mtu = mtu;
        return 0;
    }
    return net_fail(err, text, "internal error: option %d", opt);
}

/* One "name=value" (modified in place); seen: bit per option already given. */
static int parse_net_option(const char *text, char *item, unsigned *seen, net_options_t *o,
                            upod_error_t *err)
{
    if (!*item)
        return net_fail(err, text, "empty option: write name=value pairs separated by ',' "
                                   "(options: " NET_OPTION_NAMES ")");
    char *eq = strchr(item, '=');
    if (!eq)
        return net_fail(err, text, "option \"%s\" has no value: write name=value (options: "
                                   NET_OPTION_NAMES ")",
                        item);
    *eq = '\0';
    int opt = find_net_option(item);
    if (opt < 0)
        return net_fail(err, text, "unknown option \"%s\": valid options are " NET_OPTION_NAMES,
                        item);
    if (*seen & (1u << opt))
        return net_fail(err, text, "option %s is given more than once", item);
    *seen |= 1u << opt;
    return set_net_option(text, opt, eq + 1, o, err);
}

/* The comma-separated options after "slirp:", modified in place. */
static int parse_net_options(const char *text, char *opts, net_options_t *o, upod_error_t *err)
{
    unsigned seen = 0;
    char *item = opts;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        if (parse_net_option(text, item, &seen, o, err) < 0)
            return -1;
        if (!comma)
            return 0;
        item = comma + 1;
    }
}

int net_options_parse(const char *text, net_options_t *out, upod_error_t *err)
{
    if (!text || !*text)
        return upod_fail(err, 0, "empty network: expected " NET_FORM);
    cleanup_free char *mode = xstrdup(text);
    char *opts = strchr(mode, ':');
    if (opts)
        *opts++ = '\0';
    net_options_t o;
    net_options_default(&o);
    if (strcmp(mode, "none") == 0) {
        if (opts)
            return net_fail(err, text, "none takes no options: use none or slirp[:options]");
        o.mode = NET_MODE_NONE;
    } else if (strcmp(mode, "slirp") == 0 || strcmp(mode, "slirp4netns") == 0) {
        if (opts && parse_net_options(text, opts, &o, err) < 0)
            return -1;
    } else {
        return net_fail(err, text, "network mode \"%s\" is not supported: upod supports "
                                   "slirp[:options] (alias slirp4netns) and none",
                        mode);
    }
    *out = o;
    return 0;
}

char *net_options_format(const net_options_t *o)
{
    if (o->mode == NET_MODE_NONE)
        return xstrdup("none");
    return xasprintf("slirp:allow_host_loopback=%s,mtu=%u,port_handler=%s,enable_ipv6=%s",
                     o->allow_host_loopback ? "true" : "false", o->mtu,
                     o->port_handler == PORT_HANDLER_SLIRP ? "slirp" : "splice",
                     o->enable_ipv6 ? "true" : "false");
}

/* ---- published ports ---- */

char *published_port_format(const published_port_t *pp)
{
    bool v6 = strchr(pp->host_ip, ':') != NULL;
    return xasprintf("%s%s%s:%u:%u/%s%s", v6 ? "[" : "", pp->host_ip, v6 ? "]" : "", pp->host_port,
                     pp->container_port, pp->proto == PORT_PROTO_UDP ? "udp" : "tcp",
                     pp->via_slirp ? ",slirp" : "");
}

int published_port_parse(const char *text, published_port_t *out)
{
    upod_error_t ignored = {0};
    port_mapping_t m;
    cleanup_free char *copy = xstrdup(text);
    char *flag = strchr(copy, ',');
    if (flag)
        *flag++ = '\0';
    /* An explicit "ip:port:port" with an empty ip is written as ":port:port". */
    const char *spec = copy[0] == ':' ? copy + 1 : copy;
    if (port_mapping_parse(spec, &m, &ignored) < 0 || m.count != 1)
        return -1;
    memset(out, 0, sizeof(*out));
    snprintf(out->host_ip, sizeof(out->host_ip), "%s", m.host_ip);
    out->host_port = m.host_port;
    out->container_port = m.container_port;
    out->proto = m.proto;
    out->via_slirp = flag && strcmp(flag, "slirp") == 0;
    out->listen_fd = -1;
    out->check_fd = -1;
    return 0;
}

char *published_describe(const published_port_t *ports, size_t n)
{
    char *text = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        const published_port_t *pp = &ports[i];
        bool v6 = strchr(pp->host_ip, ':') != NULL;
        char *line = xasprintf("%s%u/%s -> %s%s%s:%u\n", text, pp->container_port,
                               pp->proto == PORT_PROTO_UDP ? "udp" : "tcp", v6 ? "[" : "",
                               pp->host_ip[0] ? pp->host_ip : "0.0.0.0", v6 ? "]" : "",
                               pp->host_port);
        free(text);
        text = line;
    }
    return text;
}
