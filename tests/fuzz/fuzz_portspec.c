/* fuzz_portspec: -p specs (port_mapping_parse), the published ports of a
 * pod state file (published_port_parse) and --network (net_options_parse).
 * Each canonical text must parse back to the value it was made from. */
#include "fuzz.h"

#include "text/portspec.h"

static bool same_mapping(const port_mapping_t *a, const port_mapping_t *b)
{
    return strcmp(a->host_ip, b->host_ip) == 0 && a->host_port == b->host_port &&
           a->container_port == b->container_port && a->count == b->count &&
           a->proto == b->proto;
}

static void check_port_mapping(const char *text)
{
    port_mapping_t m, again;
    upod_error_t err = {0};
    if (port_mapping_parse(text, &m, &err) < 0) {
        fuzz_require(err.status != 0 && err.msg[0]);
        return;
    }
    fuzz_require(m.count >= 1 && m.container_port >= 1 &&
                 m.container_port + m.count - 1 <= 65535);
    fuzz_require(m.host_port == 0 || m.host_port + m.count - 1 <= 65535);
    char *canonical = port_mapping_format(&m);
    fuzz_require(port_mapping_parse(canonical, &again, &err) == 0);
    fuzz_require(same_mapping(&m, &again));
    free(canonical);
    free(port_mapping_display(&m));
    /* A mapping conflicts with itself unless its host port is random. */
    fuzz_require(port_mappings_conflict(&m, &m) == (m.host_port != 0));
}

static void check_published_port(const char *text)
{
    published_port_t pp, again;
    if (published_port_parse(text, &pp) < 0)
        return;
    char *canonical = published_port_format(&pp);
    fuzz_require(published_port_parse(canonical, &again) == 0);
    fuzz_require(strcmp(pp.host_ip, again.host_ip) == 0 && pp.host_port == again.host_port &&
                 pp.container_port == again.container_port && pp.proto == again.proto &&
                 pp.via_slirp == again.via_slirp);
    free(canonical);
    free(published_describe(&pp, 1));
}

static void check_net_options(const char *text)
{
    net_options_t o, again;
    upod_error_t err = {0};
    if (net_options_parse(text, &o, &err) < 0) {
        fuzz_require(err.status != 0 && err.msg[0]);
        return;
    }
    fuzz_require(o.mtu >= NET_MTU_MIN && o.mtu <= NET_MTU_MAX);
    char *canonical = net_options_format(&o);
    fuzz_require(net_options_parse(canonical, &again, &err) == 0);
    fuzz_require(o.mode == again.mode && o.allow_host_loopback == again.allow_host_loopback &&
                 o.mtu == again.mtu && o.port_handler == again.port_handler &&
                 o.enable_ipv6 == again.enable_ipv6);
    free(canonical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    check_port_mapping(text);
    check_published_port(text);
    check_net_options(text);
    free(text);
    return 0;
}
