/* pod.c: see pod.h. */
#include "state/pod.h"

#include <ctype.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text/share.h"
#include "state/records.h"
#include "state/state.h"
#include "base/util.h"

_Static_assert(POD_ID_LEN == RECORD_ID_LEN, "ids name record directories");

static const char *const status_names[] = {
    [POD_STATUS_CREATED] = "Created", [POD_STATUS_RUNNING] = "Running",
    [POD_STATUS_EXITED] = "Exited", [POD_STATUS_UNKNOWN] = "Unknown",
};

const char *pod_status_name(pod_status_t s)
{
    return status_names[s];
}

bool pod_status_parse(const char *text, pod_status_t *out)
{
    for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
        if (strcasecmp(text, status_names[i]) == 0) {
            *out = (pod_status_t)i;
            return true;
        }
    }
    return false;
}

bool pod_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > POD_NAME_MAX || !isalnum((unsigned char)name[0]))
        return false;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '_' && c != '.' && c != '-')
            return false;
    }
    return true;
}

void pod_new_id(char out[POD_ID_LEN + 1])
{
    unsigned char raw[POD_ID_LEN / 2];
    random_bytes(raw, sizeof(raw));
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

char *pod_random_name(void)
{
    static const char *const adjectives[] = {
        "amber", "brave", "calm", "dusty", "eager", "fuzzy", "gentle", "hardy", "icy", "jolly",
        "keen", "lucid", "mellow", "nimble", "odd", "proud", "quiet", "rapid", "sunny", "tidy",
        "upbeat", "vivid", "witty", "young", "zesty"};
    static const char *const nouns[] = {
        "badger", "canyon", "dolphin", "ember", "falcon", "glacier", "harbor", "island", "juniper",
        "kestrel", "lagoon", "meadow", "nebula", "otter", "prairie", "quartz", "river", "summit",
        "tundra", "urchin", "valley", "walrus", "yak", "zephyr"};
    unsigned short r[2];
    random_bytes(r, sizeof(r));
    return xasprintf("%s_%s", adjectives[r[0] % (sizeof(adjectives) / sizeof(adjectives[0]))],
                     nouns[r[1] % (sizeof(nouns) / sizeof(nouns[0]))]);
}

/* ---- config <-> kv ---- */

/* The typed lines of a pod's config: each value in a line of its own, read
 * back with kv_get_ll and a few names, never with the command line's -p,
 * --network or --share grammars. */
static const char *const proto_names[] = {"tcp", "udp"};
static const char *const handler_names[] = {"splice", "slirp"};

static const char *bool_text(bool b)
{
    return b ? "true" : "false";
}

static void share_to_kv(unsigned share, kv_t *kv)
{
    for (unsigned i = 0; i < ns_kinds_count; i++) {
        if (ns_kinds[i].share_bit == SHARE_USER)
            continue;
        char key[32];
        snprintf(key, sizeof(key), "share_%s", ns_kinds[i].name);
        kv_add(kv, key, bool_text(share & ns_kinds[i].share_bit));
    }
}

static void net_to_kv(const net_options_t *n, kv_t *kv)
{
    kv_add(kv, "net_mode", n->mode == NET_MODE_NONE ? "none" : "slirp");
    kv_add(kv, "net_allow_host_loopback", bool_text(n->allow_host_loopback));
    kv_addf(kv, "net_mtu", "%u", n->mtu);
    kv_add(kv, "net_port_handler", handler_names[n->port_handler == PORT_HANDLER_SLIRP]);
    kv_add(kv, "net_enable_ipv6", bool_text(n->enable_ipv6));
}

static void port_to_kv(const port_mapping_t *m, kv_t *kv)
{
    kv_add(kv, "port_host_ip", m->host_ip);
    kv_addf(kv, "port_host", "%u", m->host_port);
    kv_addf(kv, "port_container", "%u", m->container_port);
    kv_addf(kv, "port_count", "%u", m->count);
    kv_add(kv, "port_proto", proto_names[m->proto == PORT_PROTO_UDP]);
}

void pod_config_to_kv(const pod_config_t *c, kv_t *kv)
{
    kv_add(kv, "id", c->id);
    kv_add(kv, "name", c->name);
    kv_add(kv, "infra_id", c->infra_id);
    kv_add(kv, "hostname", c->hostname);
    share_to_kv(c->share, kv);
    kv_addf(kv, "created", "%lld", c->created);
    for (size_t i = 0; i < c->nports; i++)
        port_to_kv(&c->ports[i], kv);
    for (size_t i = 0; i < c->nlabels; i++)
        kv_add(kv, "label", c->labels[i]);
    net_to_kv(&c->net, kv);
    kv_add(kv, "userns", c->keep_id ? "keep-id" : "");
}

/* One of names[0..n-1], or -1. */
static int name_index(const char *v, const char *const *names, int n)
{
    for (int i = 0; v && i < n; i++) {
        if (strcmp(v, names[i]) == 0)
            return i;
    }
    return -1;
}

static int get_flag(const kv_t *kv, const char *key, bool *out)
{
    static const char *const names[] = {"false", "true"};
    int i = name_index(kv_get(kv, key), names, 2);
    *out = i == 1;
    return i;
}

static int share_from_kv(const kv_t *kv, unsigned *share)
{
    *share = SHARE_USER;
    for (unsigned i = 0; i < ns_kinds_count; i++) {
        if (ns_kinds[i].share_bit == SHARE_USER)
            continue;
        char key[32];
        bool on;
        snprintf(key, sizeof(key), "share_%s", ns_kinds[i].name);
        if (get_flag(kv, key, &on) < 0)
            return -1;
        if (on)
            *share |= ns_kinds[i].share_bit;
    }
    return 0;
}

static int net_from_kv(const kv_t *kv, net_options_t *n)
{
    static const char *const modes[] = {"slirp", "none"};
    long long mtu;
    int mode = name_index(kv_get(kv, "net_mode"), modes, 2);
    int handler = name_index(kv_get(kv, "net_port_handler"), handler_names, 2);
    if (mode < 0 || handler < 0 || get_flag(kv, "net_allow_host_loopback", &n->allow_host_loopback) < 0 ||
        get_flag(kv, "net_enable_ipv6", &n->enable_ipv6) < 0 ||
        !kv_get_ll(kv, "net_mtu", NET_MTU_MIN, NET_MTU_MAX, &mtu))
        return -1;
    n->mode = mode == 1 ? NET_MODE_NONE : NET_MODE_SLIRP;
    n->port_handler = handler == 1 ? PORT_HANDLER_SLIRP : PORT_HANDLER_SPLICE;
    n->mtu = (unsigned)mtu;
    return 0;
}

/* The i-th published port's five lines: an address that inet_pton reads
 * ("" for all), ports in range, the range inside 1-65535. */
static int port_from_kv(const kv_t *kv, size_t i, port_mapping_t *m)
{
    const char *ip = kv_get_nth(kv, "port_host_ip", i);
    const char *host = kv_get_nth(kv, "port_host", i), *ctr = kv_get_nth(kv, "port_container", i);
    const char *count = kv_get_nth(kv, "port_count", i);
    int proto = name_index(kv_get_nth(kv, "port_proto", i), proto_names, 2);
    long h, c, n;
    unsigned char addr[16];
    if (!ip || strlen(ip) >= sizeof(m->host_ip) || proto < 0 || !host || !ctr || !count ||
        !parse_long(host, 0, 65535, &h) || !parse_long(ctr, 1, 65535, &c) ||
        !parse_long(count, 1, 65535, &n) || c + n - 1 > 65535 || (h && h + n - 1 > 65535))
        return -1;
    if (ip[0] && inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
        return -1;
    memset(m, 0, sizeof(*m));
    snprintf(m->host_ip, sizeof(m->host_ip), "%s", ip);
    m->host_port = (unsigned)h;
    m->container_port = (unsigned)c;
    m->count = (unsigned)n;
    m->proto = proto == 1 ? PORT_PROTO_UDP : PORT_PROTO_TCP;
    return 0;
}

static int ports_from_kv(const kv_t *kv, pod_config_t *c)
{
    size_t n = 0;
    while (kv_get_nth(kv, "port_host", n))
        n++;
    if (kv_get_nth(kv, "port_host_ip", n) || kv_get_nth(kv, "port_container", n) ||
        kv_get_nth(kv, "port_count", n) || kv_get_nth(kv, "port_proto", n))
        return -1;
    c->ports = xcalloc(n ? n : 1, sizeof(*c->ports));
    for (; c->nports < n; c->nports++) {
        if (port_from_kv(kv, c->nports, &c->ports[c->nports]) < 0)
            return -1;
    }
    return 0;
}

int pod_config_from_kv(const kv_t *kv, pod_config_t *c, upod_error_t *err)
{
    memset(c, 0, sizeof(*c));
    const char *id = kv_get(kv, "id"), *infra = kv_get(kv, "infra_id");
    const char *name = kv_get(kv, "name"), *hostname = kv_get(kv, "hostname");
    const char *userns = kv_get(kv, "userns");
    if (!record_id_valid(id) || !record_id_valid(infra) || !name || !pod_name_valid(name) || !hostname ||
        !kv_get_ll(kv, "created", LLONG_MIN, LLONG_MAX, &c->created))
        return upod_fail(err, 0, "corrupt pod config: a required field is missing or invalid");
    memcpy(c->id, id, sizeof(c->id));
    memcpy(c->infra_id, infra, sizeof(c->infra_id));
    c->name = xstrdup(name);
    c->hostname = xstrdup(hostname);
    c->keep_id = userns && strcmp(userns, "keep-id") == 0;
    const char *bad = share_from_kv(kv, &c->share) < 0 ? "its shared namespaces"
                      : net_from_kv(kv, &c->net) < 0   ? "its network"
                      : ports_from_kv(kv, c) < 0       ? "its published ports"
                                                       : NULL;
    if (bad) {
        pod_config_clear(c);
        return upod_fail(err, 0, "corrupt pod config: %s", bad);
    }
    const char *v;
    for (size_t i = 0; (v = kv_get_nth(kv, "label", i)); i++) {
        c->labels = xrealloc(c->labels, (c->nlabels + 1) * sizeof(*c->labels));
        c->labels[c->nlabels++] = xstrdup(v);
    }
    return 0;
}

void pod_config_clear(pod_config_t *c)
{
    free(c->name);
    free(c->hostname);
    free(c->ports);
    for (size_t i = 0; i < c->nlabels; i++)
        free(c->labels[i]);
    free(c->labels);
    memset(c, 0, sizeof(*c));
}

void pod_state_clear(pod_state_t *s)
{
    free(s->published);
    s->published = NULL;
    s->npublished = 0;
}

void pod_clear(pod_t *p)
{
    pod_config_clear(&p->config);
    pod_state_clear(&p->state);
    free(p->unreadable);
    p->unreadable = NULL;
}

/* ---- state <-> kv ---- */

void pod_state_to_kv(const pod_state_t *s, kv_t *kv)
{
    kv_add(kv, "status", pod_status_name(s->status));
    kv_addf(kv, "keeper_pid", "%d", (int)s->keeper.pid);
    kv_addf(kv, "keeper_start", "%llu", s->keeper.start);
    kv_addf(kv, "infra_pid", "%d", (int)s->infra.pid);
    kv_addf(kv, "infra_start", "%llu", s->infra.start);
    kv_addf(kv, "started", "%lld", s->started);
    kv_addf(kv, "finished", "%lld", s->finished);
    kv_addf(kv, "exit_code", "%d", s->exit_code);
    for (size_t i = 0; i < s->npublished; i++) {
        char *text = published_port_format(&s->published[i]);
        kv_add(kv, "published", text);
        free(text);
    }
}

int pod_state_from_kv(const kv_t *kv, pod_state_t *s, upod_error_t *err)
{
    long long kpid, kstart, ipid, istart, code;
    memset(s, 0, sizeof(*s));
    const char *status = kv_get(kv, "status");
    if (!status || !pod_status_parse(status, &s->status) || s->status == POD_STATUS_UNKNOWN ||
        !kv_get_ll(kv, "keeper_pid", LLONG_MIN, LLONG_MAX, &kpid) ||
        !kv_get_ll(kv, "keeper_start", LLONG_MIN, LLONG_MAX, &kstart) ||
        !kv_get_ll(kv, "infra_pid", LLONG_MIN, LLONG_MAX, &ipid) ||
        !kv_get_ll(kv, "infra_start", LLONG_MIN, LLONG_MAX, &istart) ||
        !kv_get_ll(kv, "started", LLONG_MIN, LLONG_MAX, &s->started) ||
        !kv_get_ll(kv, "finished", LLONG_MIN, LLONG_MAX, &s->finished) ||
        !kv_get_ll(kv, "exit_code", LLONG_MIN, LLONG_MAX, &code) || kpid < 0 || kpid > 0x7fffffff ||
        ipid < 0 || ipid > 0x7fffffff || kstart < 0 || istart < 0 || code < -1 || code > 255)
        return upod_fail(err, 0, "corrupt pod state: a field is missing or invalid");
    s->keeper.pid = (pid_t)kpid;
    s->keeper.start = (unsigned long long)kstart;
    s->infra.pid = (pid_t)ipid;
    s->infra.start = (unsigned long long)istart;
    s->exit_code = (int)code;
    const char *v;
    for (size_t i = 0; (v = kv_get_nth(kv, "published", i)); i++) {
        s->published = xrealloc(s->published, (s->npublished + 1) * sizeof(*s->published));
        if (published_port_parse(v, &s->published[s->npublished]) < 0) {
            pod_state_clear(s);
            return upod_fail(err, 0, "corrupt pod state: bad published port \"%s\"", v);
        }
        s->npublished++;
    }
    return 0;
}

void pod_infra_name(const pod_t *p, char *buf, size_t size)
{
    snprintf(buf, size, "%.12s-infra", p->config.id);
}

bool pod_processes_alive(const pod_t *p)
{
    return proc_ref_alive(&p->state.keeper) || proc_ref_alive(&p->state.infra);
}

int pod_effective_exit_code(const pod_t *p)
{
    if (p->state.status == POD_STATUS_RUNNING)
        return 137;
    return p->state.exit_code;
}

pod_status_t pod_effective_status(const pod_t *p)
{
    if (p->state.status == POD_STATUS_RUNNING) {
        if (!proc_ref_alive(&p->state.keeper) || !proc_ref_alive(&p->state.infra))
            return POD_STATUS_EXITED;
    }
    return p->state.status;
}

/* ---- files ---- */

int pods_dir_open(int state_fd, upod_error_t *err)
{
    return state_open_subdir(state_fd, "pods", true, err);
}

static int load_kv(int dirfd, const char *name, kv_t *kv, upod_error_t *err)
{
    cleanup_free char *text = NULL;
    if (state_read_file(dirfd, name, &text, err) < 0)
        return -1;
    return kv_parse(text, kv, err);
}

/* config or state of pods/<id>, parsed; errors name the file. */
static int load_part(int dirfd, const char *id, const char *name, pod_t *out, upod_error_t *err)
{
    kv_t kv;
    kv_init(&kv);
    int r = load_kv(dirfd, name, &kv, err);
    if (r == 0 && strcmp(name, POD_CONFIG_FILE) == 0) {
        r = pod_config_from_kv(&kv, &out->config, err);
        if (r == 0 && strcmp(out->config.id, id) != 0) {
            pod_config_clear(&out->config);
            r = upod_fail(err, 0, "its id= is not the directory's name");
        }
    } else if (r == 0) {
        r = pod_state_from_kv(&kv, &out->state, err);
    }
    kv_clear(&kv);
    if (r < 0)
        upod_error_wrap(err, "pods/%s/%s", id, name);
    return r;
}

/* pods/<id>'s config, then its state, into out (zeroed). */
static int load_pod(int pod_fd, const char *id, void *out, upod_error_t *err)
{
    pod_t *p = out;
    if (load_part(pod_fd, id, POD_CONFIG_FILE, p, err) < 0)
        return -1;
    if (load_part(pod_fd, id, "state", p, err) < 0) {
        pod_clear(p);
        return -1;
    }
    return 0;
}

/* A keeper whose state file tells nothing is still found: its stderr is
 * the pod's keeper.log (keeper_detach), open in no other process. Only
 * our own processes' fds can be read, and the file is matched by device
 * and inode; the infra is the keeper's child. */
static void find_keeper_by_log(int pod_fd, pod_state_t *s)
{
    struct stat log, fd2;
    if (fstatat(pod_fd, "keeper.log", &log, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(log.st_mode))
        return;
    int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    int pfd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid;
        char path[64];
        cleanup_free char *comm = NULL, *children = NULL;
        if (!parse_long(e->d_name, 1, 0x7fffffff, &pid))
            continue;
        snprintf(path, sizeof(path), "%ld/fd/2", pid);
        if (fstatat(pfd, path, &fd2, 0) < 0 || fd2.st_dev != log.st_dev ||
            fd2.st_ino != log.st_ino)
            continue;
        snprintf(path, sizeof(path), "%ld/comm", pid);
        if (read_file_at(pfd, path, 64, &comm, NULL) < 0 || strcmp(comm, "upod-keeper\n") != 0)
            continue;
        s->keeper = proc_ref_of_at(pfd, (pid_t)pid);
        snprintf(path, sizeof(path), "%ld/task/%ld/children", pid, pid);
        long child;
        if (read_file_at(pfd, path, 4096, &children, NULL) == 0 &&
            (child = strtol(children, NULL, 10)) > 0)
            s->infra = proc_ref_of_at(pfd, (pid_t)child);
        break;
    }
    closedir(d);
}

/* What pods/<id>/ still tells when load_part failed on one of its files
 * (why: the reason, naming the file). */
static void salvage_pod(int dirfd, const char *id, const upod_error_t *why, void *rec)
{
    pod_t *out = rec;
    upod_error_t ignored = {0};
    char text[1300];
    pod_clear(out);
    memset(out, 0, sizeof(*out));
    if (load_part(dirfd, id, POD_CONFIG_FILE, out, &ignored) < 0) {
        kv_t kv;
        state_salvage_file(dirfd, POD_CONFIG_FILE, &kv);
        const char *name = kv_get(&kv, "name"), *infra = kv_get(&kv, "infra_id");
        out->config.name = xstrdup(name && pod_name_valid(name) ? name : "");
        if (record_id_valid(infra))
            memcpy(out->config.infra_id, infra, sizeof(out->config.infra_id));
        if (!kv_get_ll(&kv, "created", LLONG_MIN, LLONG_MAX, &out->config.created))
            out->config.created = 0;
        kv_clear(&kv);
    }
    memcpy(out->config.id, id, sizeof(out->config.id));
    if (!out->config.hostname)
        out->config.hostname = xstrdup("");
    if (load_part(dirfd, id, "state", out, &ignored) < 0) {
        kv_t kv;
        state_salvage_file(dirfd, "state", &kv);
        out->state.keeper = proc_ref_from_kv(&kv, "keeper_pid", "keeper_start");
        out->state.infra = proc_ref_from_kv(&kv, "infra_pid", "infra_start");
        kv_clear(&kv);
        if (!pod_processes_alive(out))
            find_keeper_by_log(dirfd, &out->state);
    }
    out->state.status = POD_STATUS_UNKNOWN;
    struct stat st;
    if (out->config.created <= 0 && fstat(dirfd, &st) == 0)
        out->config.created = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    out->unreadable = xstrdup(upod_error_text(why, text, sizeof(text)));
}

int pod_save_state(int pods_fd, const pod_t *p, upod_error_t *err)
{
    cleanup_close int fd = state_open_subdir(pods_fd, p->config.id, false, err);
    if (fd < 0)
        return -1;
    kv_t kv;
    kv_init(&kv);
    pod_state_to_kv(&p->state, &kv);
    cleanup_free char *text = kv_serialize(&kv);
    kv_clear(&kv);
    return state_write_file(fd, "state", text, strlen(text), err);
}

/* ---- the pods directory ---- */

static void clear_pod(void *rec)
{
    pod_clear(rec);
}

/* The pod's name, or its infra container's id or name, as podman allows. */
static bool pod_has_name(const void *rec, const char *ref)
{
    const pod_t *p = rec;
    char infra_name[32];
    pod_infra_name(p, infra_name, sizeof(infra_name));
    return (p->config.name[0] && strcmp(p->config.name, ref) == 0) ||
           (p->config.infra_id[0] && strcmp(p->config.infra_id, ref) == 0) ||
           (p->config.infra_id[0] && strcmp(infra_name, ref) == 0);
}

static const records_kind_t pod_records = {
    .size = sizeof(pod_t),
    .noun = "pod",
    .dir_name = "pods",
    .whole_file = POD_CONFIG_FILE,
    .remove_cmd = "upod pod rm -f",
    .not_found_quote = "",
    .load = load_pod,
    .salvage = salvage_pod,
    .clear = clear_pod,
    .id_at = offsetof(pod_t, config.id),
    .created_at = offsetof(pod_t, config.created),
    .unreadable_at = offsetof(pod_t, unreadable),
    .has_name = pod_has_name,
};

int pod_load(int pods_fd, const char *id, pod_t *out, upod_error_t *err)
{
    return records_load(pods_fd, &pod_records, id, out, err);
}

static int list_pods(int pods_fd, bool with_unreadable, pod_t **out, size_t *n,
                     upod_error_t *err)
{
    void *list;
    int r = records_list(pods_fd, &pod_records, with_unreadable, &list, n, err);
    *out = list;
    return r;
}

int pod_list(int pods_fd, pod_t **out, size_t *n, upod_error_t *err)
{
    return list_pods(pods_fd, false, out, n, err);
}

int pod_list_all(int pods_fd, pod_t **out, size_t *n, upod_error_t *err)
{
    return list_pods(pods_fd, true, out, n, err);
}

void pod_list_free(pod_t *pods, size_t n)
{
    records_free(&pod_records, pods, n);
}

int pod_list_ids(int pods_fd, bool with_unreadable, char ***ids, size_t *n, upod_error_t *err)
{
    return records_list_ids(pods_fd, &pod_records, with_unreadable, ids, n, err);
}

int pod_lookup(int pods_fd, const char *ref, pod_t *out, upod_error_t *err)
{
    return records_lookup(pods_fd, &pod_records, ref, false, out, err);
}

int pod_lookup_any(int pods_fd, const char *ref, pod_t *out, upod_error_t *err)
{
    return records_lookup(pods_fd, &pod_records, ref, true, out, err);
}
