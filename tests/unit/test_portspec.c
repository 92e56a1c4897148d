/* Unit tests: published port specs and the --network option (src/text/portspec.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "text/portspec.h"
#include "base/util.h"

/* ---- helpers ---- */

static port_mapping_t parse_ok(const char *spec)
{
    port_mapping_t m;
    upod_error_t err = {0};
    memset(&m, 0xa5, sizeof(m));
    if (port_mapping_parse(spec, &m, &err) != 0)
        fail_msg("\"%s\" should parse, got: %s", spec, err.msg);
    return m;
}

static void expect_mapping(const char *spec, const char *ip, unsigned host, unsigned ctr,
                           unsigned count, port_proto_t proto)
{
    port_mapping_t m = parse_ok(spec);
    assert_string_equal(m.host_ip, ip);
    assert_int_equal(m.host_port, host);
    assert_int_equal(m.container_port, ctr);
    assert_int_equal(m.count, count);
    assert_int_equal(m.proto, proto);
}

/* The spec fails, the message quotes it, names the valid form and says why. */
static void expect_port_error(const char *spec, const char *why)
{
    port_mapping_t m = {.host_port = 4242};
    upod_error_t err = {0};
    assert_int_equal(port_mapping_parse(spec, &m, &err), -1);
    assert_int_equal(err.status, 125);
    assert_int_equal(m.host_port, 4242); /* out untouched on failure */
    assert_null(strchr(err.msg, '\n'));
    if (spec && *spec) {
        char *quoted = xasprintf("\"%s\"", spec);
        if (!strstr(err.msg, quoted))
            fail_msg("error for %s does not quote it: %s", quoted, err.msg);
        free(quoted);
    }
    if (!strstr(err.msg, PORT_SPEC_FORM))
        fail_msg("error for \"%s\" does not name the form: %s", spec, err.msg);
    if (!strstr(err.msg, why))
        fail_msg("error for \"%s\" lacks \"%s\": %s", spec, why, err.msg);
}

static void expect_format(const char *spec, const char *canonical)
{
    port_mapping_t m = parse_ok(spec);
    char *text = port_mapping_format(&m);
    assert_string_equal(text, canonical);
    free(text);
}

static void expect_display(const char *spec, const char *shown)
{
    port_mapping_t m = parse_ok(spec);
    char *text = port_mapping_display(&m);
    assert_string_equal(text, shown);
    free(text);
}

static void expect_conflict(const char *a, const char *b, bool conflict)
{
    port_mapping_t ma = parse_ok(a), mb = parse_ok(b);
    if (port_mappings_conflict(&ma, &mb) != conflict || port_mappings_conflict(&mb, &ma) != conflict)
        fail_msg("\"%s\" and \"%s\" should %sconflict", a, b, conflict ? "" : "not ");
}

/* ---- port specs: accepted forms ---- */

static void test_container_port_only(void **state)
{
    (void)state;
    expect_mapping("80", "", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("1", "", 0, 1, 1, PORT_PROTO_TCP);
    expect_mapping("65535", "", 0, 65535, 1, PORT_PROTO_TCP);
    expect_mapping("080", "", 0, 80, 1, PORT_PROTO_TCP);
}

static void test_host_and_container_port(void **state)
{
    (void)state;
    expect_mapping("8080:80", "", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("1:65535", "", 1, 65535, 1, PORT_PROTO_TCP);
    expect_mapping("65535:1", "", 65535, 1, 1, PORT_PROTO_TCP);
}

static void test_random_host_port(void **state)
{
    (void)state;
    expect_mapping(":80", "", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("0:80", "", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("127.0.0.1::80", "127.0.0.1", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("127.0.0.1:0:80", "127.0.0.1", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("[::1]::80", "::1", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("[::1]:0:80/udp", "::1", 0, 80, 1, PORT_PROTO_UDP);
}

static void test_host_ip(void **state)
{
    (void)state;
    expect_mapping("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("10.1.2.3:53:53/udp", "10.1.2.3", 53, 53, 1, PORT_PROTO_UDP);
    expect_mapping("[::1]:8080:80", "::1", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("[fe80::1]:8080:80", "fe80::1", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("[::]:8080:80", "::", 8080, 80, 1, PORT_PROTO_TCP);
    /* 0.0.0.0 is all addresses, stored as "". */
    expect_mapping("0.0.0.0:8080:80", "", 8080, 80, 1, PORT_PROTO_TCP);
    /* IPv6 addresses are stored in canonical form. */
    expect_mapping("[0:0:0:0:0:0:0:1]:8080:80", "::1", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("[2001:DB8:0::1]:8080:80", "2001:db8::1", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1:1",
                   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, 1, 1, PORT_PROTO_TCP);
}

static void test_protocols(void **state)
{
    (void)state;
    expect_mapping("8080:80/udp", "", 8080, 80, 1, PORT_PROTO_UDP);
    expect_mapping("8080:80/tcp", "", 8080, 80, 1, PORT_PROTO_TCP);
    expect_mapping("80/tcp", "", 0, 80, 1, PORT_PROTO_TCP);
    expect_mapping("53/udp", "", 0, 53, 1, PORT_PROTO_UDP);
    expect_mapping("127.0.0.1::53/udp", "127.0.0.1", 0, 53, 1, PORT_PROTO_UDP);
    expect_mapping("[::1]:53:53/udp", "::1", 53, 53, 1, PORT_PROTO_UDP);
}

static void test_ranges(void **state)
{
    (void)state;
    expect_mapping("8000-8002:8000-8002", "", 8000, 8000, 3, PORT_PROTO_TCP);
    expect_mapping("9000-9002:8000-8002/udp", "", 9000, 8000, 3, PORT_PROTO_UDP);
    expect_mapping("8000-8002", "", 0, 8000, 3, PORT_PROTO_TCP);
    expect_mapping("0:8000-8002", "", 0, 8000, 3, PORT_PROTO_TCP);
    expect_mapping(":8000-8002", "", 0, 8000, 3, PORT_PROTO_TCP);
    expect_mapping("127.0.0.1::8000-8002", "127.0.0.1", 0, 8000, 3, PORT_PROTO_TCP);
    expect_mapping("127.0.0.1:8000-8002:8000-8002", "127.0.0.1", 8000, 8000, 3, PORT_PROTO_TCP);
    expect_mapping("[::1]:8000-8002:9000-9002", "::1", 8000, 9000, 3, PORT_PROTO_TCP);
    expect_mapping("80-80:90-90", "", 80, 90, 1, PORT_PROTO_TCP);
    expect_mapping("65533-65535:1-3", "", 65533, 1, 3, PORT_PROTO_TCP);
    expect_mapping("1-65535", "", 0, 1, 65535, PORT_PROTO_TCP);
}

/* ---- port specs: errors ---- */

static void test_error_empty(void **state)
{
    (void)state;
    expect_port_error(NULL, "empty port spec");
    expect_port_error("", "empty port spec");
    expect_port_error("/tcp", "missing container port");
    expect_port_error("8080:", "missing container port");
    expect_port_error(":", "missing container port");
    expect_port_error("127.0.0.1:8080:", "missing container port");
    expect_port_error("[::1]:8080:", "missing container port");
}

static void test_error_garbage(void **state)
{
    (void)state;
    expect_port_error("http", "container port \"http\" is not a number");
    expect_port_error("abc:80", "host port \"abc\" is not a number");
    expect_port_error("-80", "is not a number or start-end");
    expect_port_error("+80", "is not a number");
    expect_port_error(" 80", "is not a number");
    expect_port_error("0x50", "is not a number");
    expect_port_error("1-2-3", "is not a number or start-end");
    expect_port_error("80-", "is not a number or start-end");
    expect_port_error("-", "is not a number or start-end");
    expect_port_error("80]", "is not a number");
}

static void test_error_port_zero(void **state)
{
    (void)state;
    expect_port_error("0", "container port 0 is out of range: ports are 1-65535");
    expect_port_error("8080:0", "container port 0 is out of range");
    expect_port_error("127.0.0.1::0", "container port 0 is out of range");
    expect_port_error("0-2:80-82", "host port range 0-2 starts at 0");
    expect_port_error("0-2", "container port range 0-2 starts at 0");
}

static void test_error_port_too_big(void **state)
{
    (void)state;
    expect_port_error("65536", "container port 65536 is out of range: ports are 1-65535");
    expect_port_error("65536:80", "host port 65536 is out of range");
    expect_port_error("99999999999999999999", "is out of range");
    expect_port_error("80:4294967376", "container port 4294967376 is out of range");
}

static void test_error_reversed_range(void **state)
{
    (void)state;
    expect_port_error("8002-8000", "container port range 8002-8000 is reversed");
    expect_port_error("8002-8000:8000-8002", "host port range 8002-8000 is reversed");
}

static void test_error_mismatched_range(void **state)
{
    (void)state;
    expect_port_error("8000-8002:80", "host port 8000-8002 and container port 80 differ in "
                                      "length (3 vs 1 ports)");
    expect_port_error("8080:8000-8002", "differ in length (1 vs 3 ports)");
    expect_port_error("8000-8001:9000-9002", "differ in length (2 vs 3 ports)");
    expect_port_error("127.0.0.1:8000-8001:80", "differ in length");
}

static void test_error_range_past_65535(void **state)
{
    (void)state;
    expect_port_error("65535-65536", "container port range 65535-65536 runs past 65535");
    expect_port_error("65534-65536:1-3", "host port range 65534-65536 runs past 65535");
    expect_port_error("65536-65537", "runs past 65535");
    expect_port_error("1-99999999999", "runs past 65535");
}

static void test_error_protocol(void **state)
{
    (void)state;
    expect_port_error("80/sctp", "protocol sctp is not supported by upod: use tcp or udp");
    expect_port_error("8080:80/icmp", "unknown protocol \"icmp\": use tcp or udp");
    expect_port_error("80/TCP", "unknown protocol \"TCP\"");
    expect_port_error("80/", "missing protocol after '/'");
    expect_port_error("80/tcp/udp", "unknown protocol \"tcp/udp\"");
    expect_port_error("80/tcp,udp", "unknown protocol \"tcp,udp\"");
}

static void test_error_unbracketed_ipv6(void **state)
{
    (void)state;
    expect_port_error("::1:8080:80", "IPv6 address ::1 must be in brackets, as in [::1]:8080:80");
    expect_port_error("fe80::1:8080:80", "IPv6 address fe80::1 must be in brackets");
    expect_port_error("::1::80", "IPv6 address ::1 must be in brackets");
    expect_port_error("::1:80", "too many ':'");
}

static void test_error_bad_ip(void **state)
{
    (void)state;
    expect_port_error("256.1.1.1:8080:80", "host IP \"256.1.1.1\" is not an IPv4 address");
    expect_port_error("localhost:8080:80", "host IP \"localhost\" is not an IPv4 address");
    expect_port_error("127.1:8080:80", "is not an IPv4 address");
    expect_port_error(":8080:80", "empty host IP");
    expect_port_error("[127.0.0.1]:8080:80", "\"127.0.0.1\" is not an IPv6 address");
    expect_port_error("[]:8080:80", "\"\" is not an IPv6 address");
    expect_port_error("[fe80::1%eth0]:8080:80", "is not an IPv6 address");
    expect_port_error("[::1:8080:80", "missing ']'");
    expect_port_error("[::1]8080:80", "expected ':' after ']'");
    expect_port_error("[::1]", "expected ':' after ']'");
    expect_port_error("[::1]:80", "a host IP must be followed by hostPort:containerPort");
    /* Far longer than any address: refused, never copied into host_ip. */
    char long_ip[300];
    memset(long_ip, '1', sizeof(long_ip));
    memcpy(long_ip + sizeof(long_ip) - 7, ":80:80", 7);
    expect_port_error(long_ip, "is not an IPv4 address");
}

static void test_error_trailing_junk(void **state)
{
    (void)state;
    expect_port_error("80abc", "container port \"80abc\" is not a number");
    expect_port_error("8080x:80", "host port \"8080x\" is not a number");
    expect_port_error("80 ", "is not a number");
    expect_port_error("80/tcpx", "unknown protocol \"tcpx\"");
    expect_port_error("80/tcp ", "unknown protocol");
    expect_port_error("8000-8002x", "is not a number or start-end");
    expect_port_error("[::1]:8080:80]", "is not a number");
}

static void test_error_too_many_colons(void **state)
{
    (void)state;
    expect_port_error("1:2:3:4", "too many ':'");
    expect_port_error("127.0.0.1:80:80:80", "too many ':'");
    expect_port_error("[::1]:80:80:80", "too many ':'");
    expect_port_error(":::", "too many ':'");
}

/* ---- port specs: formatting ---- */

static void test_format(void **state)
{
    (void)state;
    expect_format("80", "0:80/tcp");
    expect_format("8080:80", "8080:80/tcp");
    expect_format("8080:80/udp", "8080:80/udp");
    expect_format("127.0.0.1:8080:80", "127.0.0.1:8080:80/tcp");
    expect_format("127.0.0.1::80", "127.0.0.1:0:80/tcp");
    expect_format("0.0.0.0:8080:80", "8080:80/tcp");
    expect_format("[::1]:8080:80/udp", "[::1]:8080:80/udp");
    expect_format("[0::1]::80", "[::1]:0:80/tcp");
    expect_format("8000-8002:8000-8002", "8000-8002:8000-8002/tcp");
    expect_format("8000-8002", "0:8000-8002/tcp");
    expect_format("80-80:90-90", "80:90/tcp");
}

static void assert_same_mapping(const port_mapping_t *a, const port_mapping_t *b)
{
    assert_string_equal(a->host_ip, b->host_ip);
    assert_int_equal(a->host_port, b->host_port);
    assert_int_equal(a->container_port, b->container_port);
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->proto, b->proto);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    static const char *const specs[] = {
        "80", "8080:80", ":80", "0:80", "127.0.0.1:8080:80", "127.0.0.1::80",
        "[::1]:8080:80", "[::1]::80/udp", "[2001:db8::42]:443:8443", "8080:80/udp", "80/tcp",
        "8000-8002:8000-8002", "8000-8002", "127.0.0.1::8000-8002/udp",
        "[fe80::1]:9000-9009:8000-8009", "65535:65535", "1-65535",
    };
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        port_mapping_t m = parse_ok(specs[i]);
        char *text = port_mapping_format(&m);
        port_mapping_t back = parse_ok(text);
        assert_same_mapping(&m, &back);
        /* The canonical text is a fixed point. */
        char *again = port_mapping_format(&back);
        assert_string_equal(text, again);
        free(again);
        free(text);
    }
}

static void test_display(void **state)
{
    (void)state;
    expect_display("8080:80", "0.0.0.0:8080->80/tcp");
    expect_display("8080:80/udp", "0.0.0.0:8080->80/udp");
    expect_display("127.0.0.1:8080:80", "127.0.0.1:8080->80/tcp");
    expect_display("127.0.0.1:8000-8002:8000-8002", "127.0.0.1:8000-8002->8000-8002/tcp");
    expect_display("[::1]:8080:80", "[::1]:8080->80/tcp");
    expect_display("[::]:53:53/udp", "[::]:53->53/udp");
    /* Not yet given a host port. */
    expect_display("80", "0.0.0.0:0->80/tcp");
    expect_display("8000-8002", "0.0.0.0:0->8000-8002/tcp");
}

/* ---- port specs: conflicts ---- */

static void test_conflicts(void **state)
{
    (void)state;
    expect_conflict("8080:80", "8080:81", true);
    expect_conflict("8080:80", "8081:80", false);
    /* Same port, different protocol. */
    expect_conflict("8080:80/tcp", "8080:80/udp", false);
    expect_conflict("8000-8002:80-82/udp", "8001:80/udp", true);
    /* All addresses overlap every address. */
    expect_conflict("8080:80", "127.0.0.1:8080:80", true);
    expect_conflict("0.0.0.0:8080:80", "[::1]:8080:80", true);
    expect_conflict("127.0.0.1:8080:80", "127.0.0.1:8080:90", true);
    expect_conflict("127.0.0.1:8080:80", "127.0.0.2:8080:80", false);
    expect_conflict("[::1]:8080:80", "[0::1]:8080:80", true);
    expect_conflict("[::1]:8080:80", "127.0.0.1:8080:80", false);
    /* Ranges: overlapping at one end, containing, adjacent. */
    expect_conflict("8000-8002:8000-8002", "8002-8004:8000-8002", true);
    expect_conflict("8000-8009:8000-8009", "8003:80", true);
    expect_conflict("8003:80", "8000-8009:8000-8009", true);
    expect_conflict("8000-8002:8000-8002", "8003-8005:8000-8002", false);
    expect_conflict("7997-7999:8000-8002", "8000-8002:8000-8002", false);
    expect_conflict("65535:80", "65533-65535:1-3", true);
    /* Random host ports are chosen free: never a conflict. */
    expect_conflict("80", "80", false);
    expect_conflict("0:8080", "8080:8080", false);
    expect_conflict("8000-8002", "8000-8002:8000-8002", false);
    expect_conflict("127.0.0.1::80", "127.0.0.1::80", false);
}

/* ---- --network ---- */

static net_options_t net_ok(const char *text)
{
    net_options_t o;
    upod_error_t err = {0};
    memset(&o, 0xa5, sizeof(o));
    if (net_options_parse(text, &o, &err) != 0)
        fail_msg("\"%s\" should parse, got: %s", text, err.msg);
    return o;
}

static void assert_same_net(const net_options_t *a, const net_options_t *b)
{
    assert_int_equal(a->mode, b->mode);
    assert_int_equal(a->allow_host_loopback, b->allow_host_loopback);
    assert_int_equal(a->mtu, b->mtu);
    assert_int_equal(a->port_handler, b->port_handler);
    assert_int_equal(a->enable_ipv6, b->enable_ipv6);
}

static void expect_net_error(const char *text, const char *why)
{
    net_options_t o;
    net_options_default(&o);
    o.mtu = 1234;
    upod_error_t err = {0};
    assert_int_equal(net_options_parse(text, &o, &err), -1);
    assert_int_equal(err.status, 125);
    assert_int_equal(o.mtu, 1234); /* out untouched on failure */
    assert_null(strchr(err.msg, '\n'));
    if (text && *text) {
        char *quoted = xasprintf("\"%s\"", text);
        if (!strstr(err.msg, quoted))
            fail_msg("error for %s does not quote it: %s", quoted, err.msg);
        free(quoted);
    }
    if (!strstr(err.msg, why))
        fail_msg("error for \"%s\" lacks \"%s\": %s", text, why, err.msg);
}

static void expect_net_format(const char *text, const char *canonical)
{
    net_options_t o = net_ok(text);
    char *s = net_options_format(&o);
    assert_string_equal(s, canonical);
    free(s);
}

static void test_net_defaults(void **state)
{
    (void)state;
    net_options_t o;
    memset(&o, 0xa5, sizeof(o));
    net_options_default(&o);
    assert_int_equal(o.mode, NET_MODE_SLIRP);
    assert_false(o.allow_host_loopback);
    assert_int_equal(o.mtu, 65520);
    assert_int_equal(o.port_handler, PORT_HANDLER_SPLICE);
    assert_true(o.enable_ipv6);
    net_options_t p = net_ok("slirp");
    assert_same_net(&o, &p);
    p = net_ok("slirp4netns");
    assert_same_net(&o, &p);
}

static void test_net_none(void **state)
{
    (void)state;
    net_options_t o = net_ok("none");
    assert_int_equal(o.mode, NET_MODE_NONE);
    expect_net_error("none:mtu=1500", "none takes no options");
    expect_net_error("none:", "none takes no options");
}

static void test_net_options(void **state)
{
    (void)state;
    net_options_t o = net_ok("slirp:allow_host_loopback=true");
    assert_true(o.allow_host_loopback);
    assert_int_equal(o.mtu, 65520);
    o = net_ok("slirp:allow_host_loopback=false");
    assert_false(o.allow_host_loopback);
    o = net_ok("slirp:mtu=1500");
    assert_int_equal(o.mtu, 1500);
    o = net_ok("slirp:mtu=68");
    assert_int_equal(o.mtu, 68);
    o = net_ok("slirp:mtu=65520");
    assert_int_equal(o.mtu, 65520);
    o = net_ok("slirp:port_handler=slirp");
    assert_int_equal(o.port_handler, PORT_HANDLER_SLIRP);
    o = net_ok("slirp:port_handler=splice");
    assert_int_equal(o.port_handler, PORT_HANDLER_SPLICE);
    o = net_ok("slirp:enable_ipv6=false");
    assert_false(o.enable_ipv6);
    assert_int_equal(o.mode, NET_MODE_SLIRP);
    o = net_ok("slirp:enable_ipv6=true");
    assert_true(o.enable_ipv6);
}

static void test_net_podman_synonyms(void **state)
{
    (void)state;
    net_options_t o = net_ok("slirp:port_handler=rootlesskit");
    assert_int_equal(o.port_handler, PORT_HANDLER_SPLICE);
    o = net_ok("slirp:port_handler=slirp4netns");
    assert_int_equal(o.port_handler, PORT_HANDLER_SLIRP);
    o = net_ok("slirp4netns:port_handler=slirp4netns,allow_host_loopback=true");
    assert_int_equal(o.mode, NET_MODE_SLIRP);
    assert_int_equal(o.port_handler, PORT_HANDLER_SLIRP);
    assert_true(o.allow_host_loopback);
}

static void test_net_all_options(void **state)
{
    (void)state;
    net_options_t o = net_ok("slirp:enable_ipv6=false,port_handler=slirp,mtu=9000,"
                             "allow_host_loopback=true");
    assert_int_equal(o.mode, NET_MODE_SLIRP);
    assert_true(o.allow_host_loopback);
    assert_int_equal(o.mtu, 9000);
    assert_int_equal(o.port_handler, PORT_HANDLER_SLIRP);
    assert_false(o.enable_ipv6);
}

static void test_net_error_empty(void **state)
{
    (void)state;
    expect_net_error(NULL, "empty network: expected slirp[:options] or none");
    expect_net_error("", "empty network: expected slirp[:options] or none");
    expect_net_error("slirp:", "empty option");
    expect_net_error("slirp:mtu=1500,", "empty option");
    expect_net_error("slirp:,mtu=1500", "empty option");
    expect_net_error("slirp:mtu=1500,,enable_ipv6=true", "empty option");
}

static void test_net_error_unknown_option(void **state)
{
    (void)state;
    const char *names = "allow_host_loopback, mtu, port_handler, enable_ipv6";
    expect_net_error("slirp:cidr=10.0.2.0/24", "unknown option \"cidr\"");
    expect_net_error("slirp:cidr=10.0.2.0/24", names);
    expect_net_error("slirp:MTU=1500", "unknown option \"MTU\"");
    expect_net_error("slirp:mtu", "option \"mtu\" has no value");
    expect_net_error("slirp:mtu", names);
    expect_net_error("slirp:=1500", "unknown option \"\"");
}

static void test_net_error_bad_value(void **state)
{
    (void)state;
    expect_net_error("slirp:allow_host_loopback=yes",
                     "allow_host_loopback=yes is not valid: use allow_host_loopback=true or "
                     "allow_host_loopback=false");
    expect_net_error("slirp:allow_host_loopback=", "allow_host_loopback= is not valid");
    expect_net_error("slirp:enable_ipv6=1", "enable_ipv6=1 is not valid");
    expect_net_error("slirp:enable_ipv6=TRUE", "enable_ipv6=TRUE is not valid");
    expect_net_error("slirp:port_handler=pasta", "port_handler=pasta is not valid: use "
                                                 "port_handler=splice");
    expect_net_error("slirp:port_handler=", "port_handler= is not valid");
    const char *mtu_range = "the mtu is a number from 68 to 65520";
    expect_net_error("slirp:mtu=67", mtu_range);
    expect_net_error("slirp:mtu=65521", mtu_range);
    expect_net_error("slirp:mtu=0", mtu_range);
    expect_net_error("slirp:mtu=", mtu_range);
    expect_net_error("slirp:mtu=-1500", mtu_range);
    expect_net_error("slirp:mtu= 1500", mtu_range);
    expect_net_error("slirp:mtu=1500x", mtu_range);
    expect_net_error("slirp:mtu=1e3", mtu_range);
    expect_net_error("slirp:mtu=99999999999999999999", mtu_range);
    expect_net_error("slirp:mtu=1500=1", "mtu=1500=1 is not valid");
}

static void test_net_error_duplicate(void **state)
{
    (void)state;
    expect_net_error("slirp:mtu=1500,mtu=1500", "option mtu is given more than once");
    expect_net_error("slirp:enable_ipv6=true,mtu=9000,enable_ipv6=false",
                     "option enable_ipv6 is given more than once");
    expect_net_error("slirp:port_handler=splice,port_handler=rootlesskit",
                     "option port_handler is given more than once");
}

static void test_net_error_mode(void **state)
{
    (void)state;
    const char *valid = "upod supports slirp[:options] (alias slirp4netns) and none";
    expect_net_error("host", "network mode \"host\" is not supported");
    expect_net_error("host", valid);
    expect_net_error("bridge", valid);
    expect_net_error("pasta", valid);
    expect_net_error("pasta:-T,8080", "network mode \"pasta\" is not supported");
    expect_net_error("container:abc", valid);
    expect_net_error("ns:/proc/1/ns/net", valid);
    expect_net_error("SLIRP", valid);
    expect_net_error("slirp ", valid);
    expect_net_error(":mtu=1500", "network mode \"\" is not supported");
}

static void test_net_format(void **state)
{
    (void)state;
    expect_net_format("none", "none");
    expect_net_format("slirp", "slirp:allow_host_loopback=false,mtu=65520,port_handler=splice,"
                               "enable_ipv6=true");
    expect_net_format("slirp4netns:port_handler=slirp4netns,mtu=1500,enable_ipv6=false,"
                      "allow_host_loopback=true",
                      "slirp:allow_host_loopback=true,mtu=1500,port_handler=slirp,"
                      "enable_ipv6=false");
}

static void test_net_round_trip(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "none",
        "slirp",
        "slirp4netns",
        "slirp:mtu=68",
        "slirp:allow_host_loopback=true,enable_ipv6=false",
        "slirp:port_handler=rootlesskit,mtu=1280",
        "slirp:port_handler=slirp,mtu=65520,allow_host_loopback=true,enable_ipv6=true",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        net_options_t o = net_ok(texts[i]);
        char *s = net_options_format(&o);
        net_options_t back = net_ok(s);
        assert_same_net(&o, &back);
        char *again = net_options_format(&back);
        assert_string_equal(s, again);
        free(again);
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_container_port_only),
        cmocka_unit_test(test_host_and_container_port),
        cmocka_unit_test(test_random_host_port),
        cmocka_unit_test(test_host_ip),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_error_empty),
        cmocka_unit_test(test_error_garbage),
        cmocka_unit_test(test_error_port_zero),
        cmocka_unit_test(test_error_port_too_big),
        cmocka_unit_test(test_error_reversed_range),
        cmocka_unit_test(test_error_mismatched_range),
        cmocka_unit_test(test_error_range_past_65535),
        cmocka_unit_test(test_error_protocol),
        cmocka_unit_test(test_error_unbracketed_ipv6),
        cmocka_unit_test(test_error_bad_ip),
        cmocka_unit_test(test_error_trailing_junk),
        cmocka_unit_test(test_error_too_many_colons),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_display),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_net_defaults),
        cmocka_unit_test(test_net_none),
        cmocka_unit_test(test_net_options),
        cmocka_unit_test(test_net_podman_synonyms),
        cmocka_unit_test(test_net_all_options),
        cmocka_unit_test(test_net_error_empty),
        cmocka_unit_test(test_net_error_unknown_option),
        cmocka_unit_test(test_net_error_bad_value),
        cmocka_unit_test(test_net_error_duplicate),
        cmocka_unit_test(test_net_error_mode),
        cmocka_unit_test(test_net_format),
        cmocka_unit_test(test_net_round_trip),
    };
    return cmocka_run_group_tests_name("portspec", tests, NULL, NULL);
}
