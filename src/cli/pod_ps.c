/* pod_ps.c: `upod pod ps|ls`, `pod inspect`, `pod exists`: what pods there
 * are, with podman's columns, JSON keys and filters. Statuses are checked
 * against the live processes (pod_effective_status), never taken on trust. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/ctr.h"
#include "text/json.h"
#include "text/share.h"
#include "state/pod.h"
#include "text/template.h"
#include "text/timefmt.h"
#include "base/util.h"
#include "cli/cmd.h"

/* The infra as podman shows the pod's containers. */
static const char *infra_state_name(pod_status_t s)
{
    switch (s) {
    case POD_STATUS_CREATED:
        return "created";
    case POD_STATUS_RUNNING:
        return "running";
    case POD_STATUS_UNKNOWN:
        return "unknown";
    case POD_STATUS_EXITED:
        break;
    }
    return "exited";
}

static json_t *labels_json(const pod_config_t *c)
{
    json_t *labels = json_new_object();
    for (size_t i = 0; i < c->nlabels; i++) {
        cleanup_free char *key = xstrdup(c->labels[i]);
        char *eq = strchr(key, '=');
        *eq = '\0';
        json_set_string(labels, key, eq + 1);
    }
    return labels;
}

/* The pod's containers, the infra first, into list as podman shows them
 * (keys name_key and state_key differ between ps and inspect). Returns how
 * many. */
static size_t members_json(json_t *list, const pod_t *p, const ctr_t *ctrs, size_t nctrs,
                           const char *name_key, const char *state_key)
{
    char name[32];
    json_t *infra = json_append(list, json_new_object());
    pod_infra_name(p, name, sizeof(name));
    json_set_string(infra, "Id", p->config.infra_id);
    json_set_string(infra, name_key, name);
    json_set_string(infra, state_key, infra_state_name(pod_effective_status(p)));
    size_t n = 1;
    for (size_t i = 0; i < nctrs; i++) {
        if (strcmp(ctrs[i].pod_id, p->config.id) != 0)
            continue;
        json_t *c = json_append(list, json_new_object());
        json_set_string(c, "Id", ctrs[i].id);
        json_set_string(c, name_key, ctrs[i].name);
        json_set_string(c, state_key, ctr_status_name(ctr_effective_status(&ctrs[i])));
        n++;
    }
    return n;
}

/* One pod in `pod ps --format json` (podman's ListPodsReport keys). */
static json_t *pod_ps_json(const pod_t *p, const ctr_t *ctrs, size_t nctrs)
{
    char created[64];
    pod_status_t status = pod_effective_status(p);
    json_t *o = json_new_object();
    json_set_string(o, "Cgroup", "");
    json_t *members = json_set(o, "Containers", json_new_array());
    size_t count = members_json(members, p, ctrs, nctrs, "Names", "Status");
    rfc3339_nano(p->config.created, created, sizeof(created));
    json_set_string(o, "Created", created);
    json_set_string(o, "Id", p->config.id);
    json_set_string(o, "InfraId", p->config.infra_id);
    json_set_string(o, "Name", p->config.name);
    json_set_string(o, "Namespace", "");
    json_set(o, "Networks", json_new_array());
    json_set_string(o, "Status", pod_status_name(status));
    json_set(o, "Labels", labels_json(&p->config));
    json_set_int(o, "NumberOfContainers", (long long)count);
    return o;
}

void cmd_warn_unreadable_pods(const state_handle_t *st, const pod_t *pods, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (pods[i].unreadable)
            fprintf(stderr, "Warning: pod %.12s cannot be read (%s/%s), its status is Unknown: "
                            "'upod pod rm -f %.12s' removes it and ends its processes\n",
                    pods[i].config.id, st->path, pods[i].unreadable, pods[i].config.id);
    }
}

/* ---- filters ---- */

static const char pod_filter_keys[] = "name, id, status and label";


/* podman's pod statuses that no upod pod has (pod.h): a filter on them is
 * valid, as in podman, and matches no pod. */
static bool podman_only_status(const char *s)
{
    return strcasecmp(s, "degraded") == 0 || strcasecmp(s, "stopped") == 0;
}

static int add_filter(cli_filters_t *fs, const char *text, upod_error_t *err)
{
    if (cli_filter_add(fs, text, pod_filter_keys, err) < 0)
        return -1;
    const cli_filter_t *f = &fs->items[fs->n - 1];
    pod_status_t s;
    if (strcmp(f->key, "status") == 0 && !pod_status_parse(f->value, &s) &&
        !podman_only_status(f->value))
        return upod_fail(err, 0, "invalid pod status \"%s\": use created, running, degraded, "
                                 "stopped, exited or unknown",
                         f->value);
    return 0;
}

static bool filter_matches(const cli_filter_t *f, const void *obj)
{
    const pod_t *p = obj;
    if (strcmp(f->key, "name") == 0)
        return cli_name_matches(f->value, p->config.name);
    if (strcmp(f->key, "id") == 0)
        return strncmp(p->config.id, f->value, strlen(f->value)) == 0;
    if (strcmp(f->key, "status") == 0)
        return strcasecmp(pod_status_name(pod_effective_status(p)), f->value) == 0;
    /* label=KEY or label=KEY=VALUE */
    const char *eq = strchr(f->value, '=');
    size_t klen = eq ? (size_t)(eq - f->value) : strlen(f->value);
    for (size_t i = 0; i < p->config.nlabels; i++) {
        const char *l = p->config.labels[i];
        if (strncmp(l, f->value, klen) == 0 && l[klen] == '=' &&
            (!eq || strcmp(l + klen + 1, eq + 1) == 0))
            return true;
    }
    return false;
}

static void print_pod_table(const pod_t *pods, size_t n, const ctr_t *ctrs, size_t nctrs,
                            bool no_trunc)
{
    table_t t;
    table_init(&t, 6);
    table_add_row(&t, "POD ID", "NAME", "STATUS", "CREATED", "INFRA ID", "# OF CONTAINERS");
    long long now = time_now_ns();
    for (size_t i = 0; i < n; i++) {
        const pod_t *p = &pods[i];
        char id[POD_ID_LEN + 1], infra[POD_ID_LEN + 1], ago[64], created[80];
        snprintf(id, sizeof(id), "%.*s", no_trunc ? POD_ID_LEN : 12, p->config.id);
        snprintf(infra, sizeof(infra), "%.*s", no_trunc ? POD_ID_LEN : 12, p->config.infra_id);
        human_duration((now - p->config.created) / 1000000000LL, ago, sizeof(ago));
        snprintf(created, sizeof(created), "%s ago", ago);
        size_t count = 1;
        for (size_t k = 0; k < nctrs; k++)
            count += strcmp(ctrs[k].pod_id, p->config.id) == 0;
        char count_text[24];
        snprintf(count_text, sizeof(count_text), "%zu", count);
        table_add_row(&t, id, p->config.name, pod_status_name(pod_effective_status(p)), created,
                      infra, count_text);
    }
    table_print(&t);
    table_free(&t);
}

int cmd_pod_ps(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"quiet", no_argument, NULL, 'q'},    {"no-trunc", no_argument, NULL, 'T'},
        {"format", required_argument, NULL, 'F'}, {"filter", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    bool quiet = false, no_trunc = false;
    const char *format = NULL;
    cli_filters_t filters = {0};
    int c, ret = 0;
    cli_reset_getopt();
    while (ret == 0 && (c = getopt_long(argc, argv, "+:qf:h", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = true; break;
        case 'T': no_trunc = true; break;
        case 'F': format = optarg; break;
        case 'f': ret = add_filter(&filters, optarg, err); break;
        case 'h':
            printf("Usage: upod pod ps [-q] [--no-trunc] [--format json|TEMPLATE] "
                   "[--filter KEY=VALUE]...\n\nList pods (filters: name, id, status, label).\n");
            goto out;
        default: ret = cli_option_error(c, argc, argv, "pod ps", err);
        }
    }
    if (ret == 0)
        ret = cli_no_args(argc, argv, "pod ps", err);
    state_handle_t st = {-1, -1, NULL};
    if (ret == 0)
        ret = state_handle_open(&st, err);
    pod_t *pods = NULL;
    size_t n = 0;
    ctr_t *ctrs = NULL;
    size_t nctrs = 0;
    if (ret == 0)
        ret = pod_list_all(st.pods_fd, &pods, &n, err);
    if (ret == 0)
        ret = cmd_list_containers(&st, &ctrs, &nctrs, err);
    if (ret == 0) {
        cmd_warn_unreadable_pods(&st, pods, n);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (cli_filters_select(&filters, filter_matches, &pods[i]))
                pods[kept++] = pods[i];
            else
                pod_clear(&pods[i]);
        }
        n = kept;
        if (quiet) {
            for (size_t i = 0; i < n; i++)
                printf("%.*s\n", no_trunc ? POD_ID_LEN : 12, pods[i].config.id);
        } else if (format) {
            json_t *list = json_new_array();
            for (size_t i = 0; i < n; i++)
                json_append(list, pod_ps_json(&pods[i], ctrs, nctrs));
            /* A row's keys, for the template's fields to be checked with no rows. */
            pod_t shape_pod = {.config = {.name = ""}};
            json_t *shape = pod_ps_json(&shape_pod, NULL, 0);
            ret = format_rows(format, list, shape, stdout, err);
            json_free(shape);
            json_free(list);
        } else {
            print_pod_table(pods, n, ctrs, nctrs, no_trunc);
        }
    }
    pod_list_free(pods, n);
    ctr_list_free(ctrs, nctrs);
    state_handle_close(&st);
out:
    cli_filters_free(&filters);
    return ret;
}

/* ---- inspect ---- */

static json_t *port_bindings_json(const pod_config_t *c)
{
    json_t *b = json_new_object();
    for (size_t i = 0; i < c->nports; i++) {
        const port_mapping_t *m = &c->ports[i];
        for (unsigned k = 0; k < m->count; k++) {
            char key[32], host_port[16];
            snprintf(key, sizeof(key), "%u/%s", m->container_port + k,
                     m->proto == PORT_PROTO_UDP ? "udp" : "tcp");
            snprintf(host_port, sizeof(host_port), "%u", m->host_port ? m->host_port + k : 0);
            json_t *list = json_get(b, key);
            if (!list)
                list = json_set(b, key, json_new_array());
            json_t *entry = json_append(list, json_new_object());
            json_set_string(entry, "HostIp", m->host_ip);
            json_set_string(entry, "HostPort", m->host_port ? host_port : "");
        }
    }
    return b;
}

static json_t *namespaces_json(const pod_t *p, bool running)
{
    json_t *ns = json_new_object();
    for (unsigned i = 0; i < ns_kinds_count; i++) {
        if (!running) {
            json_set(ns, ns_kinds[i].name, json_new_null());
            continue;
        }
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)p->state.infra.pid, ns_kinds[i].name);
        json_set_string(ns, ns_kinds[i].name, path);
    }
    return ns;
}

json_t *pod_inspect_json(const pod_t *p, const ctr_t *ctrs, size_t nctrs)
{
    char created[64], share[64];
    pod_status_t status = pod_effective_status(p);
    bool running = status == POD_STATUS_RUNNING;
    json_t *o = json_new_object();
    json_set_string(o, "Id", p->config.id);
    json_set_string(o, "Name", p->config.name);
    rfc3339_nano(p->config.created, created, sizeof(created));
    json_set_string(o, "Created", created);
    json_set_string(o, "State", pod_status_name(status));
    json_set_string(o, "Hostname", p->config.hostname);
    json_set(o, "Labels", labels_json(&p->config));
    json_set_bool(o, "CreateInfra", true);
    json_set_string(o, "InfraContainerID", p->config.infra_id);
    share_format(p->config.share, share, sizeof(share));
    json_t *shared = json_set(o, "SharedNamespaces", json_new_array());
    if (strcmp(share, "none") != 0) {
        char *save = NULL;
        for (char *s = strtok_r(share, ",", &save); s; s = strtok_r(NULL, ",", &save))
            json_append(shared, json_new_string(s));
    }
    json_t *ic = json_set(o, "InfraConfig", json_new_object());
    json_set(ic, "PortBindings", port_bindings_json(&p->config));
    cleanup_free char *net = net_options_format(&p->config.net);
    json_set_string(ic, "NetworkOptions", net);
    json_set_string(ic, "UserNS", p->config.keep_id ? "keep-id" : "");
    json_t *members = json_new_array();
    json_set_int(o, "NumContainers", (long long)members_json(members, p, ctrs, nctrs, "Name", "State"));
    json_set(o, "Containers", members);
    /* upod's own: the processes and namespaces behind the pod. */
    json_set_int(o, "InfraPid", running ? p->state.infra.pid : 0);
    json_set_int(o, "KeeperPid", running ? p->state.keeper.pid : 0);
    json_set(o, "Namespaces", namespaces_json(p, running));
    if (status == POD_STATUS_EXITED)
        json_set_int(o, "ExitCode", pod_effective_exit_code(p));
    return o;
}

int cmd_pod_inspect(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "json";
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'h': printf("Usage: upod pod inspect [--format json|TEMPLATE] POD...\n"); return 0;
        default: return cli_option_error(c, argc, argv, "pod inspect", err);
        }
    }
    if (optind >= argc)
        return upod_fail(err, 0, "`upod pod inspect` needs a pod name or ID");
    state_handle_t st;
    if (state_handle_open(&st, err) < 0)
        return -1;
    ctr_t *ctrs;
    size_t nctrs;
    if (cmd_list_containers(&st, &ctrs, &nctrs, err) < 0) {
        state_handle_close(&st);
        return -1;
    }
    /* One pod: an object (podman 4); several: an array. */
    json_t *out = argc - optind > 1 ? json_new_array() : NULL;
    int ret = 0;
    for (int i = optind; i < argc && ret == 0; i++) {
        pod_t p;
        ret = pod_lookup(st.pods_fd, argv[i], &p, err);
        if (ret == 0) {
            json_t *one = pod_inspect_json(&p, ctrs, nctrs);
            if (out)
                json_append(out, one);
            else
                out = one;
            pod_clear(&p);
        }
    }
    if (ret == 0)
        ret = format_output(format, out, stdout, err);
    json_free(out);
    ctr_list_free(ctrs, nctrs);
    state_handle_close(&st);
    return ret;
}

int cmd_pod_exists(int argc, char **argv, upod_error_t *err)
{
    int ret = cli_one_pod_arg(argc, argv, "pod exists",
                              "Usage: upod pod exists POD\n\nExit 0 if the pod exists, 1 if not.\n",
                              err);
    if (ret != 0)
        return ret > 0 ? 0 : -1;
    pod_t p;
    ret = cmd_find_pod(argv[1], &p, err);
    if (ret == 0) {
        pod_clear(&p);
        return 0;
    }
    return err->kind == UPOD_ERR_NO_SUCH ? 1 : -1;
}
