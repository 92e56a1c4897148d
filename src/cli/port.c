/* port.c: `upod port POD|INFRA [PORT[/PROTO]]`: the host ports a running
 * pod publishes, as `podman port` prints them ("80/tcp -> 0.0.0.0:8080"),
 * random ones included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/ctr.h"
#include "state/pod.h"
#include "base/util.h"
#include "cli/cmd.h"

/* "80" or "80/udp" -> port, proto. */
static int parse_private(const char *text, unsigned *port, port_proto_t *proto, upod_error_t *err)
{
    cleanup_free char *copy = xstrdup(text);
    char *slash = strchr(copy, '/');
    *proto = PORT_PROTO_TCP;
    if (slash) {
        *slash++ = '\0';
        if (strcmp(slash, "udp") == 0)
            *proto = PORT_PROTO_UDP;
        else if (strcmp(slash, "tcp") != 0)
            return upod_fail(err, 0, "invalid port \"%s\": use PORT, PORT/tcp or PORT/udp", text);
    }
    long v;
    if (!parse_long(copy, 1, 65535, &v))
        return upod_fail(err, 0, "invalid port \"%s\": use PORT, PORT/tcp or PORT/udp", text);
    *port = (unsigned)v;
    return 0;
}

/* A container's ports are its pod's. */
static int find_container_pod(const char *ref, pod_t *pod, upod_error_t *err)
{
    state_handle_t st;
    if (state_handle_open(&st, err) < 0)
        return -1;
    int ret = -1;
    int ctrs_fd = ctrs_dir_open(st.state_fd, err);
    ctr_t c;
    if (ctrs_fd >= 0 && ctr_lookup(ctrs_fd, ref, &c, err) == 0) {
        ret = pod_lookup(st.pods_fd, c.pod_id, pod, err);
        ctr_clear(&c);
    } else if (ctrs_fd >= 0) {
        upod_fail(err, 0, "no pod or container with name or ID %s found", ref);
        err->kind = UPOD_ERR_NO_SUCH;
    }
    if (ctrs_fd >= 0)
        close(ctrs_fd);
    state_handle_close(&st);
    return ret;
}

int cmd_port(int argc, char **argv, upod_error_t *err)
{
    if (argc < 2 || argc > 3 || argv[1][0] == '-') {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            printf("Usage: upod port POD [PORT[/PROTO]]\n\nList a running pod's published ports.\n");
            return 0;
        }
        return upod_fail(err, 0, "usage: upod port POD [PORT[/PROTO]]");
    }
    unsigned want = 0;
    port_proto_t want_proto = PORT_PROTO_TCP;
    if (argc == 3 && parse_private(argv[2], &want, &want_proto, err) < 0)
        return -1;
    pod_t pod;
    int ret = cmd_find_pod(argv[1], &pod, err);
    if (ret < 0 && err->kind == UPOD_ERR_NO_SUCH)
        ret = find_container_pod(argv[1], &pod, err);
    if (ret < 0)
        return -1;
    if (pod_effective_status(&pod) != POD_STATUS_RUNNING) {
        ret = upod_fail(err, 0, "pod %s is not running: its ports are published when it runs",
                        pod.config.name);
    } else if (want) {
        ret = upod_fail(err, 0, "pod %s does not publish port %u/%s", pod.config.name, want,
                        want_proto == PORT_PROTO_UDP ? "udp" : "tcp");
        for (size_t i = 0; i < pod.state.npublished; i++) {
            const published_port_t *pp = &pod.state.published[i];
            if (pp->container_port == want && pp->proto == want_proto) {
                bool v6 = strchr(pp->host_ip, ':') != NULL;
                printf("%s%s%s:%u\n", v6 ? "[" : "", pp->host_ip[0] ? pp->host_ip : "0.0.0.0",
                       v6 ? "]" : "", pp->host_port);
                ret = 0;
            }
        }
    } else {
        cleanup_free char *text = published_describe(pod.state.published, pod.state.npublished);
        fputs(text, stdout);
    }
    pod_clear(&pod);
    return ret;
}
