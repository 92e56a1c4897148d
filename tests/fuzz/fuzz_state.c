/* fuzz_state: upod's state files as read back from disk (kv_parse), then
 * each reader of their records: pod config (pod_config_from_kv), pod state
 * (pod_state_from_kv) and container (ctr_from_kv). Written back (the
 * *_to_kv, kv_serialize), every record must read again the same. */
#include "fuzz.h"

#include "state/ctr.h"
#include "state/kvfile.h"
#include "state/pod.h"

/* Ids name directories: 64 lowercase hex digits, nothing else. */
static bool is_id(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static bool same_kv(const kv_t *a, const kv_t *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        if (strcmp(a->pairs[i].key, b->pairs[i].key) != 0 ||
            strcmp(a->pairs[i].value, b->pairs[i].value) != 0)
            return false;
    }
    return true;
}

static void check_kv_round_trip(const kv_t *kv)
{
    kv_t again;
    upod_error_t err = {0};
    char *text = kv_serialize(kv);
    fuzz_require(kv_parse(text, &again, &err) == 0);
    fuzz_require(same_kv(kv, &again));
    kv_clear(&again);
    free(text);
}

static bool same_strv(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        if (strcmp(a[i], b[i]) != 0)
            return false;
    }
    return true;
}

static bool same_volumes(const volume_t *a, size_t na, const volume_t *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        if (strcmp(a[i].source, b[i].source) != 0 || strcmp(a[i].target, b[i].target) != 0 ||
            a[i].read_only != b[i].read_only)
            return false;
    }
    return true;
}

static bool same_pod_config(const pod_config_t *a, const pod_config_t *b)
{
    if (strcmp(a->id, b->id) != 0 || strcmp(a->infra_id, b->infra_id) != 0 ||
        strcmp(a->name, b->name) != 0 || strcmp(a->hostname, b->hostname) != 0 ||
        a->share != b->share || a->created != b->created || a->keep_id != b->keep_id ||
        a->nports != b->nports || a->net.mode != b->net.mode ||
        a->net.allow_host_loopback != b->net.allow_host_loopback || a->net.mtu != b->net.mtu ||
        a->net.port_handler != b->net.port_handler || a->net.enable_ipv6 != b->net.enable_ipv6)
        return false;
    for (size_t i = 0; i < a->nports; i++) {
        char *x = port_mapping_format(&a->ports[i]), *y = port_mapping_format(&b->ports[i]);
        bool same = strcmp(x, y) == 0;
        free(x);
        free(y);
        if (!same)
            return false;
    }
    return same_strv(a->labels, a->nlabels, b->labels, b->nlabels);
}

static void check_pod_config(const kv_t *kv)
{
    pod_config_t c, again;
    upod_error_t err = {0};
    if (pod_config_from_kv(kv, &c, &err) < 0) {
        fuzz_require(err.status != 0 && err.msg[0]);
        return;
    }
    fuzz_require(is_id(c.id) && is_id(c.infra_id));
    kv_t out;
    kv_init(&out);
    pod_config_to_kv(&c, &out);
    fuzz_require(pod_config_from_kv(&out, &again, &err) == 0);
    fuzz_require(same_pod_config(&c, &again));
    check_kv_round_trip(&out);
    kv_clear(&out);
    pod_config_clear(&again);
    pod_config_clear(&c);
}

static bool same_pod_state(const pod_state_t *a, const pod_state_t *b)
{
    if (a->status != b->status || a->keeper.pid != b->keeper.pid ||
        a->keeper.start != b->keeper.start || a->infra.pid != b->infra.pid ||
        a->infra.start != b->infra.start || a->started != b->started ||
        a->finished != b->finished || a->exit_code != b->exit_code ||
        a->npublished != b->npublished)
        return false;
    for (size_t i = 0; i < a->npublished; i++) {
        char *x = published_port_format(&a->published[i]);
        char *y = published_port_format(&b->published[i]);
        bool same = strcmp(x, y) == 0;
        free(x);
        free(y);
        if (!same)
            return false;
    }
    return true;
}

static void check_pod_state(const kv_t *kv)
{
    pod_state_t s, again;
    upod_error_t err = {0};
    if (pod_state_from_kv(kv, &s, &err) < 0) {
        fuzz_require(err.status != 0 && err.msg[0]);
        return;
    }
    kv_t out;
    kv_init(&out);
    pod_state_to_kv(&s, &out);
    fuzz_require(pod_state_from_kv(&out, &again, &err) == 0);
    fuzz_require(same_pod_state(&s, &again));
    kv_clear(&out);
    pod_state_clear(&again);
    pod_state_clear(&s);
}

static bool same_ctr(const ctr_t *a, const ctr_t *b)
{
    return strcmp(a->id, b->id) == 0 && strcmp(a->pod_id, b->pod_id) == 0 &&
           strcmp(a->name, b->name) == 0 && strcmp(a->rootfs, b->rootfs) == 0 &&
           same_strv(a->argv, a->argc, b->argv, b->argc) &&
           same_strv(a->env, a->nenv, b->env, b->nenv) &&
           same_volumes(a->volumes, a->nvolumes, b->volumes, b->nvolumes) &&
           same_strv(a->tmpfs, a->ntmpfs, b->tmpfs, b->ntmpfs) && a->created == b->created &&
           a->stop_signal == b->stop_signal && a->status == b->status &&
           a->monitor.pid == b->monitor.pid && a->monitor.start == b->monitor.start &&
           a->process.pid == b->process.pid && a->init.pid == b->init.pid &&
           a->caps == b->caps && a->started == b->started && a->finished == b->finished &&
           a->exit_code == b->exit_code && strcmp(a->workdir, b->workdir) == 0 &&
           a->uid == b->uid && a->gid == b->gid &&
           (a->hostname ? b->hostname && strcmp(a->hostname, b->hostname) == 0 : !b->hostname) &&
           a->auto_remove == b->auto_remove && a->read_only == b->read_only &&
           a->with_init == b->with_init && a->overlay == b->overlay && a->tty == b->tty &&
           a->own_pod == b->own_pod && a->has_entrypoint == b->has_entrypoint &&
           a->has_user == b->has_user;
}

static void check_ctr(const kv_t *kv)
{
    ctr_t c, again;
    upod_error_t err = {0};
    if (ctr_from_kv(kv, &c, &err) < 0) {
        fuzz_require(err.status != 0 && err.msg[0]);
        return;
    }
    fuzz_require(is_id(c.id) && is_id(c.pod_id));
    kv_t out;
    kv_init(&out);
    ctr_to_kv(&c, &out);
    fuzz_require(ctr_from_kv(&out, &again, &err) == 0);
    fuzz_require(same_ctr(&c, &again));
    kv_clear(&out);
    ctr_clear(&again);
    ctr_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    kv_t kv;
    upod_error_t err = {0};
    if (kv_parse(text, &kv, &err) == 0) {
        check_kv_round_trip(&kv);
        check_pod_config(&kv);
        check_pod_state(&kv);
        check_ctr(&kv);
        kv_clear(&kv);
    } else {
        fuzz_require(err.status != 0 && err.msg[0] && kv.len == 0);
    }
    free(text);
    return 0;
}
