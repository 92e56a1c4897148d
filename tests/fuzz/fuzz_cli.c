/* fuzz_cli: command lines. The input, split at NUL bytes, is the argument
 * vector of `upod create`, `upod run` (ctr_create_parse) and `upod pod
 * create` (pod_create_parse); the values they accept then go through the
 * checks the commands make before touching the system (pod_create_check,
 * and for containers the -p, --network, -e, -v, -u, --cap-add/--cap-drop
 * and --name parsers). */
#include "fuzz.h"

#include <getopt.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "sandbox/container.h"
#include "state/pod.h"
#include "text/portspec.h"

/* --help prints the usage on stdout: keep it out of the fuzzer's output. */
static void silence_stdout(void)
{
    static bool done;
    if (!done && !freopen("/dev/null", "w", stdout))
        abort();
    done = true;
}

static void check_ctr_values(const ctr_create_opts_t *o)
{
    upod_error_t err = {0};
    port_mapping_t m;
    net_options_t net;
    volume_t v;
    uid_t uid;
    gid_t gid;
    unsigned long long caps = container_default_caps();
    if (o->name)
        (void)pod_name_valid(o->name);
    for (size_t i = 0; i < o->npublish; i++)
        (void)port_mapping_parse(o->publish[i], &m, &err);
    if (o->network)
        (void)net_options_parse(o->network, &net, &err);
    for (size_t i = 0; i < o->nenv; i++) {
        char *e = NULL;
        (void)env_parse(o->env_specs[i], &e, &err);
        free(e);
    }
    for (size_t i = 0; i < o->nvolumes; i++) {
        if (volume_parse(o->volumes[i], &v, &err) == 0) {
            free(v.source);
            free(v.target);
        }
    }
    if (o->user)
        (void)user_parse(o->user, &uid, &gid, &err);
    for (size_t i = 0; i < o->ncap_add; i++)
        (void)container_caps_edit(&caps, o->cap_add[i], true, &err);
    for (size_t i = 0; i < o->ncap_drop; i++)
        (void)container_caps_edit(&caps, o->cap_drop[i], false, &err);
}

static void check_ctr_create(int argc, char **argv, bool run)
{
    ctr_create_opts_t o = {0};
    upod_error_t err = {0};
    int r = ctr_create_parse(argc, argv, run, &o, &err);
    if (r == 0) {
        fuzz_require(o.rootfs && optind >= 1 && optind <= argc);
        check_ctr_values(&o);
    } else if (r < 0) {
        fuzz_require(err.status != 0 && err.msg[0]);
    }
    ctr_create_opts_free(&o);
}

static void check_pod_create(int argc, char **argv)
{
    pod_create_opts_t o = {0};
    upod_error_t err = {0};
    int r = pod_create_parse(argc, argv, &o, &err);
    if (r == 0)
        (void)pod_create_check(&o, &err);
    else if (r < 0)
        fuzz_require(err.status != 0 && err.msg[0]);
    free(o.publish);
    free(o.labels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    silence_stdout();
    int argc;
    char *storage;
    char **argv = fuzz_argv(data, size, &argc, &storage);
    check_ctr_create(argc, argv, false);
    check_ctr_create(argc, argv, true);
    check_pod_create(argc, argv);
    free(argv);
    free(storage);
    return 0;
}
