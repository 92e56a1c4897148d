/* ps.c: `upod ps` / `upod container ls`: containers with podman's columns.
 * Each pod's infra is listed as the container <pod-id-12>-infra, as podman
 * lists its infra containers (`ps` shows running ones, `ps -a` all). */
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

/* podman's PORTS column: "0.0.0.0:8080->80/tcp, ...", with the ports as
 * bound (random ones chosen) while the pod runs. */
static char *ports_text(const pod_t *p, pod_status_t s)
{
    const pod_config_t *c = &p->config;
    bool running = s == POD_STATUS_RUNNING && p->state.npublished > 0;
    size_t n = running ? p->state.npublished : c->nports;
    char *text = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        port_mapping_t bound;
        if (running) {
            const published_port_t *pp = &p->state.published[i];
            memset(&bound, 0, sizeof(bound));
            snprintf(bound.host_ip, sizeof(bound.host_ip), "%s", pp->host_ip);
            bound.host_port = pp->host_port;
            bound.container_port = pp->container_port;
            bound.count = 1;
            bound.proto = pp->proto;
            /* Consecutive ports show as a range, as podman prints them. */
            while (i + 1 < n && p->state.published[i + 1].host_port == pp->host_port + bound.count &&
                   p->state.published[i + 1].container_port == pp->container_port + bound.count &&
                   p->state.published[i + 1].proto == pp->proto &&
                   strcmp(p->state.published[i + 1].host_ip, pp->host_ip) == 0) {
                bound.count++;
                i++;
            }
        }
        cleanup_free char *one = port_mapping_display(running ? &bound : &c->ports[i]);
        char *joined = xasprintf("%s%s%s", text, text[0] ? ", " : "", one);
        free(text);
        text = joined;
    }
    return text;
}

/* "Exited (0) 2 seconds ago"; "Exited (137)" alone when nobody recorded
 * when it ended (a killed keeper or monitor): no made-up age. */
static char *exited_text(int code, long long finished, long long now)
{
    char ago[64];
    if (finished <= 0)
        return xasprintf("Exited (%d)", code);
    human_duration((now - finished) / 1000000000LL, ago, sizeof(ago));
    return xasprintf("Exited (%d) %s ago", code, ago);
}

/* "Up 3 seconds", "Exited (0) 2 seconds ago", "Created". */
static char *status_text(const pod_t *p, pod_status_t s, long long now)
{
    char ago[64];
    if (s == POD_STATUS_RUNNING) {
        human_duration((now - p->state.started) / 1000000000LL, ago, sizeof(ago));
        return xasprintf("Up %s", ago);
    }
    if (s == POD_STATUS_EXITED) {
        bool recorded = p->state.status == POD_STATUS_EXITED;
        return exited_text(pod_effective_exit_code(p), recorded ? p->state.finished : 0, now);
    }
    return xstrdup("Created");
}

/* names_text: Names and Command as one string, as podman's templates see
 * them ({{.Names}} prints "web", not "[web]"); JSON keeps podman's arrays. */
static json_t *infra_json(const pod_t *p, pod_status_t s, long long now, bool names_text)
{
    char name[32], created[64];
    pod_infra_name(p, name, sizeof(name));
    json_t *o = json_new_object();
    json_set_string(o, "Id", p->config.infra_id);
    json_set_string(o, "Image", "");
    json_set(o, "Command", names_text ? json_new_string("") : json_new_array());
    json_set_int(o, "Created", p->config.created / 1000000000LL);
    rfc3339_nano(p->config.created, created, sizeof(created));
    json_set_string(o, "CreatedAt", created);
    json_set_string(o, "State", s == POD_STATUS_RUNNING ? "running"
                                : s == POD_STATUS_CREATED ? "created" : "exited");
    cleanup_free char *status = status_text(p, s, now);
    json_set_string(o, "Status", status);
    cleanup_free char *ports = ports_text(p, s);
    json_set_string(o, "Ports", ports);
    if (names_text)
        json_set_string(o, "Names", name);
    else
        json_append(json_set(o, "Names", json_new_array()), json_new_string(name));
    json_set_string(o, "Pod", p->config.id);
    json_set_string(o, "PodName", p->config.name);
    json_set_bool(o, "IsInfra", true);
    json_set_int(o, "Pid", s == POD_STATUS_RUNNING ? p->state.infra.pid : 0);
    json_set_int(o, "ExitCode", s == POD_STATUS_EXITED ? pod_effective_exit_code(p) : 0);
    json_set_bool(o, "Exited", s == POD_STATUS_EXITED);
    return o;
}

/* A container record as podman's ps JSON. */
static json_t *ctr_json(const ctr_t *c, const pod_t *pod, long long now, bool names_text)
{
    char created[64], ago[64];
    ctr_status_t s = ctr_effective_status(c);
    json_t *o = json_new_object();
    json_set_string(o, "Id", c->id);
    json_set_string(o, "Image", c->rootfs);
    if (names_text) {
        cleanup_free char *joined = strv_join(c->argv, " ");
        json_set_string(o, "Command", joined);
    } else {
        json_t *cmd = json_set(o, "Command", json_new_array());
        for (size_t i = 0; i < c->argc; i++)
            json_append(cmd, json_new_string(c->argv[i]));
    }
    json_set_int(o, "Created", c->created / 1000000000LL);
    rfc3339_nano(c->created, created, sizeof(created));
    json_set_string(o, "CreatedAt", created);
    json_set_string(o, "State", ctr_status_name(s));
    cleanup_free char *status = NULL;
    if (s == CTR_RUNNING) {
        human_duration((now - c->started) / 1000000000LL, ago, sizeof(ago));
        status = xasprintf("Up %s", ago);
    } else if (s == CTR_EXITED) {
        status = exited_text(ctr_effective_exit_code(c), c->status == CTR_EXITED ? c->finished : 0,
                             now);
    } else if (s == CTR_UNKNOWN) {
        status = xstrdup("Unknown");
    } else {
        status = xstrdup("Created");
    }
    json_set_string(o, "Status", status);
    /* The pod's ports reach a container that shares the pod's network. */
    cleanup_free char *ports = pod && (pod->config.share & SHARE_NET)
                                   ? ports_text(pod, pod_effective_status(pod)) : xstrdup("");
    json_set_string(o, "Ports", ports);
    if (names_text)
        json_set_string(o, "Names", c->name);
    else
        json_append(json_set(o, "Names", json_new_array()), json_new_string(c->name));
    json_set_string(o, "Pod", c->pod_id);
    json_set_string(o, "PodName", pod ? pod->config.name : "");
    json_set_bool(o, "IsInfra", false);
    json_set_int(o, "Pid", s == CTR_RUNNING ? c->process.pid : 0);
    json_set_int(o, "ExitCode", s == CTR_EXITED ? ctr_effective_exit_code(c) : 0);
    json_set_bool(o, "Exited", s == CTR_EXITED);
    return o;
}

void cmd_warn_unreadable_ctrs(const state_handle_t *st, const ctr_t *ctrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ctrs[i].unreadable)
            fprintf(stderr, "Warning: container %.12s cannot be read (%s/%s), its status is "
                            "Unknown: 'upod rm -f %.12s' removes it and ends its processes\n",
                    ctrs[i].id, st->path, ctrs[i].unreadable, ctrs[i].id);
    }
}

static const char ctr_filter_keys[] = "name, id, status and pod";

static int add_filter(cli_filters_t *fs, const char *text, upod_error_t *err)
{
    if (cli_filter_add(fs, text, ctr_filter_keys, err) < 0)
        return -1;
    const cli_filter_t *f = &fs->items[fs->n - 1];
    if (strcmp(f->key, "status") == 0 && strcmp(f->value, "created") != 0 &&
        strcmp(f->value, "running") != 0 && strcmp(f->value, "exited") != 0 &&
        strcmp(f->value, "unknown") != 0)
        return upod_fail(err, 0, "invalid container status \"%s\": use created, running, "
                                 "exited or unknown",
                         f->value);
    return 0;
}

/* On a row of the listing (ctr_json or infra_json). */
static bool filter_matches(const cli_filter_t *f, const void *obj)
{
    const json_t *row = obj;
    const json_t *names = json_get(row, "Names");
    const char *name = names->type == JSON_STRING ? names->u.string
                                                  : names->u.list.items[0]->u.string;
    if (strcmp(f->key, "name") == 0)
        return cli_name_matches(f->value, name);
    if (strcmp(f->key, "id") == 0)
        return strncmp(json_get(row, "Id")->u.string, f->value, strlen(f->value)) == 0;
    if (strcmp(f->key, "status") == 0)
        return strcmp(json_get(row, "State")->u.string, f->value) == 0;
    /* pod=NAME or pod=ID (a prefix) */
    return strcmp(json_get(row, "PodName")->u.string, f->value) == 0 ||
           (f->value[0] && strncmp(json_get(row, "Pod")->u.string, f->value, strlen(f->value)) == 0);
}

static int by_created(const void *a, const void *b)
{
    long long x = json_get(*(json_t *const *)a, "Created")->u.integer;
    long long y = json_get(*(json_t *const *)b, "Created")->u.integer;
    return (x < y) - (x > y);
}

int cmd_ps(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'},      {"quiet", no_argument, NULL, 'q'},
        {"no-trunc", no_argument, NULL, 'T'}, {"pod", no_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'F'}, {"filter", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    bool all = false, quiet = false, no_trunc = false, show_pod = false;
    const char *format = NULL;
    cli_filters_t filters = {0};
    int c, ret = 0;
    cli_reset_getopt();
    while (ret == 0 && (c = getopt_long(argc, argv, "+:aqpf:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': all = true; break;
        case 'q': quiet = true; break;
        case 'T': no_trunc = true; break;
        case 'p': show_pod = true; break;
        case 'F': format = optarg; break;
        case 'f': ret = add_filter(&filters, optarg, err); break;
        case 'h':
            printf("Usage: upod ps [-a] [-q] [--no-trunc] [--pod] [--format json|TEMPLATE] "
                   "[--filter KEY=VALUE]...\n\n"
                   "List containers (running ones; all with -a), pods' infra included.\n"
                   "Filters: name (a regular expression), id (a prefix), status (created, "
                   "running, exited), pod (name or id).\n");
            cli_filters_free(&filters);
            return 0;
        default: ret = cli_option_error(c, argc, argv, "ps", err);
        }
    }
    state_handle_t st;
    if (ret < 0 || cli_no_args(argc, argv, "ps", err) < 0 || state_handle_open(&st, err) < 0) {
        cli_filters_free(&filters);
        return -1;
    }
    pod_t *pods;
    size_t n;
    ctr_t *ctrs = NULL;
    size_t nctrs = 0;
    ret = pod_list(st.pods_fd, &pods, &n, err);
    int ctrs_fd = ret == 0 ? ctrs_dir_open(st.state_fd, err) : -1;
    if (ret == 0 && (ctrs_fd < 0 || ctr_list_all(ctrs_fd, &ctrs, &nctrs, err) < 0)) {
        pod_list_free(pods, n);
        ret = -1;
    }
    if (ctrs_fd >= 0)
        close(ctrs_fd);
    if (ret == 0)
        cmd_warn_unreadable_ctrs(&st, ctrs, nctrs);
    state_handle_close(&st);
    if (ret < 0) {
        cli_filters_free(&filters);
        return -1;
    }
    long long now = time_now_ns();
    json_t *list = json_new_array();
    bool names_text = format && strcmp(format, "json") != 0;
    for (size_t i = 0; i < n; i++) {
        pod_status_t s = pod_effective_status(&pods[i]);
        if (all || s == POD_STATUS_RUNNING)
            json_append(list, infra_json(&pods[i], s, now, names_text));
    }
    for (size_t i = 0; i < nctrs; i++) {
        const pod_t *pod = NULL;
        for (size_t k = 0; k < n && !pod; k++) {
            if (strcmp(pods[k].config.id, ctrs[i].pod_id) == 0)
                pod = &pods[k];
        }
        if (all || ctr_effective_status(&ctrs[i]) == CTR_RUNNING)
            json_append(list, ctr_json(&ctrs[i], pod, now, names_text));
    }
    /* The filters see rows with Names as a list or as text alike. */
    size_t kept = 0;
    for (size_t i = 0; i < list->u.list.len; i++) {
        if (cli_filters_select(&filters, filter_matches, list->u.list.items[i]))
            list->u.list.items[kept++] = list->u.list.items[i];
        else
            json_free(list->u.list.items[i]);
    }
    list->u.list.len = kept;
    cli_filters_free(&filters);
    if (list->u.list.len > 1)
        qsort(list->u.list.items, list->u.list.len, sizeof(json_t *), by_created);
    if (format) {
        /* podman's templates see short ids ({{.ID}}), unless --no-trunc. */
        for (size_t i = 0; names_text && !no_trunc && i < list->u.list.len; i++) {
            json_t *row = list->u.list.items[i];
            char id[13], pod[13];
            snprintf(id, sizeof(id), "%s", json_get(row, "Id")->u.string);
            snprintf(pod, sizeof(pod), "%s", json_get(row, "Pod")->u.string);
            json_set_string(row, "Id", id);
            json_set_string(row, "Pod", pod);
        }
        /* A row's keys, for the template's fields to be checked with no rows. */
        pod_t shape_pod = {.config = {.name = ""}};
        json_t *shape = infra_json(&shape_pod, POD_STATUS_CREATED, now, names_text);
        ret = format_rows(format, list, shape, stdout, err);
        json_free(shape);
    } else if (quiet) {
        for (size_t i = 0; i < list->u.list.len; i++)
            printf("%.*s\n", no_trunc ? 64 : 12, json_get(list->u.list.items[i], "Id")->u.string);
    } else {
        table_t t;
        table_init(&t, show_pod ? 9 : 7);
        if (show_pod)
            table_add_row(&t, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                          "NAMES", "POD ID", "PODNAME");
        else
            table_add_row(&t, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                          "NAMES");
        for (size_t i = 0; i < list->u.list.len; i++) {
            const json_t *o = list->u.list.items[i];
            char id[65], pod[65], ago[64], created[80];
            snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, json_get(o, "Id")->u.string);
            snprintf(pod, sizeof(pod), "%.*s", no_trunc ? 64 : 12, json_get(o, "Pod")->u.string);
            human_duration(now / 1000000000LL - json_get(o, "Created")->u.integer, ago, sizeof(ago));
            snprintf(created, sizeof(created), "%s ago", ago);
            const char *name = json_get(o, "Names")->u.list.items[0]->u.string;
            const json_t *cmdv = json_get(o, "Command");
            char **words = xcalloc(cmdv->u.list.len + 1, sizeof(char *));
            for (size_t k = 0; k < cmdv->u.list.len; k++)
                words[k] = cmdv->u.list.items[k]->u.string;
            cleanup_free char *command = strv_join(words, " ");
            free(words);
            if (strlen(command) > 20) /* podman truncates the command column */
                strcpy(command + 17, "...");
            table_add_row(&t, id, json_get(o, "Image")->u.string, command, created,
                          json_get(o, "Status")->u.string,
                          json_get(o, "Ports")->u.string, name, pod,
                          json_get(o, "PodName")->u.string);
        }
        table_print(&t);
        table_free(&t);
    }
    json_free(list);
    pod_list_free(pods, n);
    ctr_list_free(ctrs, nctrs);
    return ret;
}
