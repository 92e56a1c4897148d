/* pod_create.c: `upod pod create`: its options into a typed spec, which
 * core_pod_create checks and writes. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/share.h"
#include "state/pod.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "core/pod_ops.h"

static const char create_usage[] =
    "Usage: upod pod create [OPTIONS]\n\n"
    "Create a pod (status Created; start it with 'upod pod start').\n\n"
    "Options:\n"
    "  -n, --name NAME          pod name (default: a random adjective_noun)\n"
    "      --share LIST         namespaces to share: cgroup,ipc,net,pid,uts,user or none;\n"
    "                           +LIST adds to the default (ipc,net,uts)\n"
    "      --hostname NAME      the pod's hostname (default: its name; needs uts shared)\n"
    "  -p, --publish SPEC       publish a port: [ip:][hostPort:]containerPort[/tcp|udp]\n"
    "  -l, --label KEY[=VALUE]  set a label\n"
    "      --network MODE       slirp[:OPTIONS] (default) or none\n"
    "      --userns MODE        \"\" (you are root in the pod) or keep-id\n";

int pod_create_parse(int argc, char **argv, pod_create_opts_t *o, upod_error_t *err)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},    {"share", required_argument, NULL, 's'},
        {"hostname", required_argument, NULL, 'H'}, {"publish", required_argument, NULL, 'p'},
        {"label", required_argument, NULL, 'l'},   {"network", required_argument, NULL, 'N'},
        {"userns", required_argument, NULL, 'U'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:n:p:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': o->name = optarg; break;
        case 's': o->share = optarg; break;
        case 'H': o->hostname = optarg; break;
        case 'p': strv_push(&o->publish, &o->npublish, optarg); break;
        case 'l': strv_push(&o->labels, &o->nlabels, optarg); break;
        case 'N': o->network = optarg; break;
        case 'U': o->userns = optarg; break;
        case 'h': fputs(create_usage, stdout); return 1;
        default: return cli_option_error(c, argc, argv, "pod create", err);
        }
    }
    return cli_no_args(argc, argv, "pod create", err);
}

/* The typed spec of what the user asked for (core_pod_check and
 * core_pod_create check the values themselves). */
int pod_spec_from_opts(const pod_create_opts_t *o, pod_config_t *c, upod_error_t *err)
{
    c->name = o->name ? xstrdup(o->name) : NULL;
    c->hostname = o->hostname ? xstrdup(o->hostname) : NULL;
    c->share = SHARE_DEFAULT;
    if (o->share && share_parse(o->share, &c->share, err) < 0)
        return -1;
    net_options_default(&c->net);
    if (o->network && net_options_parse(o->network, &c->net, err) < 0)
        return -1;
    if (o->userns && strcmp(o->userns, "") != 0 && strcmp(o->userns, "keep-id") != 0)
        return upod_fail(err, 0, "invalid --userns \"%s\": upod supports \"\" and keep-id",
                         o->userns);
    c->keep_id = o->userns && strcmp(o->userns, "keep-id") == 0;
    c->ports = xcalloc(o->npublish ? o->npublish : 1, sizeof(*c->ports));
    for (size_t i = 0; i < o->npublish; i++) {
        if (port_mapping_parse(o->publish[i], &c->ports[i], err) < 0)
            return -1;
        c->nports++;
    }
    for (size_t i = 0; i < o->nlabels; i++) {
        const char *l = o->labels[i];
        if (!*l || *l == '=' || strchr(l, '\n'))
            return upod_fail(err, 0, "invalid label \"%s\": use KEY or KEY=VALUE", l);
        const char *eq = strchr(l, '=');
        char *label = eq ? xstrdup(l) : xasprintf("%s=", l);
        c->labels = xrealloc(c->labels, (c->nlabels + 1) * sizeof(char *));
        c->labels[c->nlabels++] = label;
    }
    return 0;
}

int pod_create_check(const pod_create_opts_t *o, upod_error_t *err)
{
    pod_config_t c = {0};
    int ret = pod_spec_from_opts(o, &c, err);
    if (ret == 0)
        ret = core_pod_check(&c, err);
    pod_config_clear(&c);
    return ret;
}

int cmd_pod_create(int argc, char **argv, upod_error_t *err)
{
    pod_create_opts_t o = {0};
    state_handle_t st = {-1, -1, NULL};
    pod_config_t spec = {0};
    int ret = pod_create_parse(argc, argv, &o, err);
    if (ret == 0)
        ret = pod_spec_from_opts(&o, &spec, err);
    if (ret == 0)
        ret = state_handle_open(&st, err);
    if (ret == 0)
        ret = core_pod_create(&st, &spec, err);
    if (ret == 0)
        printf("%s\n", spec.id);
    pod_config_clear(&spec);
    state_handle_close(&st);
    free(o.publish);
    free(o.labels);
    return ret > 0 ? 0 : ret; /* 1: --help was printed */
}
