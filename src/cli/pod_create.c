/* pod_create.c: `upod pod create`: validate everything, then write the pod's
 * config and state in one rename, under the state lock. */
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

static void push(char ***list, size_t *n, char *value)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(char *));
    (*list)[(*n)++] = value;
}

/* RFC 1123 host name: letters, digits, '-', '.', at most 63 characters. */
static bool hostname_valid(const char *h)
{
    size_t len = strlen(h);
    if (len == 0 || len > 63 || h[0] == '-' || h[0] == '.')
        return false;
    for (const char *p = h; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return false;
    }
    return true;
}

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
        case 'p': push(&o->publish, &o->npublish, optarg); break;
        case 'l': push(&o->labels, &o->nlabels, optarg); break;
        case 'N': o->network = optarg; break;
        case 'U': o->userns = optarg; break;
        case 'h': fputs(create_usage, stdout); return 1;
        default: return cli_option_error(c, argc, argv, "pod create", err);
        }
    }
    return cli_no_args(argc, argv, "pod create", err);
}

/* Everything the user asked for, checked before anything is written. */
static int build_config(const pod_create_opts_t *o, pod_config_t *c, upod_error_t *err)
{
    if (o->name && !pod_name_valid(o->name))
        return upod_fail(err, 0, "invalid pod name \"%s\": names must match "
                                 "[a-zA-Z0-9][a-zA-Z0-9_.-]* (at most %d characters)",
                         o->name, POD_NAME_MAX);
    c->share = SHARE_DEFAULT;
    if (o->share && share_parse(o->share, &c->share, err) < 0)
        return -1;
    if (o->hostname) {
        if (!hostname_valid(o->hostname))
            return upod_fail(err, 0, "invalid hostname \"%s\": use letters, digits, '-' and "
                                     "'.', at most 63 characters",
                             o->hostname);
        if (!(c->share & SHARE_UTS))
            return upod_fail(err, 0, "--hostname needs the pod to share the uts namespace "
                                     "(add uts to --share)");
    }
    net_options_default(&c->net);
    if (o->network && net_options_parse(o->network, &c->net, err) < 0)
        return -1;
    if (o->userns && strcmp(o->userns, "") != 0 && strcmp(o->userns, "keep-id") != 0)
        return upod_fail(err, 0, "invalid --userns \"%s\": upod supports \"\" and keep-id",
                         o->userns);
    c->keep_id = o->userns && strcmp(o->userns, "keep-id") == 0;
    if (o->npublish && c->net.mode == NET_MODE_NONE)
        return upod_fail(err, 0, "cannot publish ports with --network none");
    c->ports = xcalloc(o->npublish ? o->npublish : 1, sizeof(*c->ports));
    for (size_t i = 0; i < o->npublish; i++) {
        if (port_mapping_parse(o->publish[i], &c->ports[i], err) < 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            if (port_mappings_conflict(&c->ports[j], &c->ports[i]))
                return upod_fail(err, 0, "port mappings %s and %s conflict: they use the same "
                                         "host port",
                                 o->publish[j], o->publish[i]);
        }
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
    int ret = build_config(o, &c, err);
    pod_config_clear(&c);
    return ret;
}

static bool name_taken(const pod_t *pods, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(pods[i].config.name, name) == 0)
            return true;
    }
    return false;
}

/* Under the lock: pick the name, write pods/.new-<id>/{config,state}, then
 * rename it to pods/<id>: the pod appears whole or not at all. */
static int write_new_pod(cmd_state_t *st, const char *requested_name, const char *hostname,
                         pod_config_t *c, upod_error_t *err)
{
    pod_t *pods;
    size_t n;
    if (pod_list(st->pods_fd, &pods, &n, err) < 0)
        return -1;
    int ret = 0;
    if (requested_name && name_taken(pods, n, requested_name))
        ret = upod_fail(err, 0, "the pod name \"%s\" is already in use: choose another name or "
                                "remove that pod ('upod pod rm %s')",
                        requested_name, requested_name);
    if (ret == 0) {
        c->name = requested_name ? xstrdup(requested_name) : pod_random_name();
        for (int tries = 0; !requested_name && name_taken(pods, n, c->name) && tries < 100; tries++) {
            free(c->name);
            c->name = pod_random_name();
        }
        if (name_taken(pods, n, c->name))
            ret = upod_fail(err, 0, "could not find a free pod name: use --name");
    }
    pod_list_free(pods, n);
    if (ret < 0)
        return -1;
    c->hostname = xstrdup(hostname ? hostname : c->name);

    cleanup_free char *tmpname = xasprintf(".new-%s", c->id);
    cleanup_close int dirfd = state_open_subdir(st->pods_fd, tmpname, true, err);
    if (dirfd < 0)
        return -1;
    pod_state_t state = {.status = POD_STATUS_CREATED};
    kv_t kv;
    kv_init(&kv);
    pod_config_to_kv(c, &kv);
    cleanup_free char *config_text = kv_serialize(&kv);
    kv_clear(&kv);
    pod_state_to_kv(&state, &kv);
    cleanup_free char *state_text = kv_serialize(&kv);
    kv_clear(&kv);
    if (state_write_file(dirfd, POD_CONFIG_FILE, config_text, strlen(config_text), err) < 0 ||
        state_write_file(dirfd, "state", state_text, strlen(state_text), err) < 0 ||
        (renameat(st->pods_fd, tmpname, st->pods_fd, c->id) < 0 &&
         upod_fail(err, errno, "cannot create the pod's state directory") < 0)) {
        upod_error_t ignored = {0};
        state_remove_tree(st->pods_fd, tmpname, &ignored);
        return -1;
    }
    if (fsync(st->pods_fd) < 0)
        return upod_fail(err, errno, "cannot sync the state directory");
    return 0;
}

int cmd_pod_create_with(cmd_state_t *st, const pod_create_opts_t *o, char *id_out,
                        upod_error_t *err)
{
    pod_config_t c = {0};
    int ret = build_config(o, &c, err);
    if (ret == 0) {
        pod_new_id(c.id);
        pod_new_id(c.infra_id);
        c.created = time_now_ns();
        int lock = state_lock(st->state_fd, err);
        ret = lock < 0 ? -1 : write_new_pod(st, o->name, o->hostname, &c, err);
        if (lock >= 0)
            close(lock);
    }
    if (ret == 0 && id_out)
        memcpy(id_out, c.id, POD_ID_LEN + 1);
    pod_config_clear(&c);
    return ret;
}

int cmd_pod_create(int argc, char **argv, upod_error_t *err)
{
    pod_create_opts_t o = {0};
    cmd_state_t st = {-1, -1, NULL};
    char id[POD_ID_LEN + 1];
    int ret = pod_create_parse(argc, argv, &o, err);
    if (ret == 0)
        ret = cmd_state_open(&st, err);
    if (ret == 0)
        ret = cmd_pod_create_with(&st, &o, id, err);
    if (ret == 0)
        printf("%s\n", id);
    cmd_state_close(&st);
    free(o.publish);
    free(o.labels);
    return ret > 0 ? 0 : ret; /* 1: --help was printed */
}
