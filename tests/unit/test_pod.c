/* Unit tests: the --share parser (namespaces.c), pod names and the state
 * file format (pod.c, kvfile.c), /proc parsing (proc.c), id maps
 * (userns.c), signal names (signals.c) and podman's durations (timefmt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/kvfile.h"
#include "text/share.h"
#include "state/pod.h"
#include "base/proc.h"
#include "base/signals.h"
#include "state/state.h"
#include "text/timefmt.h"
#include "sandbox/userns.h"

static unsigned share_ok(const char *text)
{
    unsigned set = 0;
    upod_error_t err = {0};
    assert_int_equal(share_parse(text, &set, &err), 0);
    return set;
}

static void share_bad(const char *text, const char *needle)
{
    unsigned set = 12345;
    upod_error_t err = {0};
    assert_int_equal(share_parse(text, &set, &err), -1);
    assert_int_equal(err.status, 125);
    assert_non_null(strstr(err.msg, needle));
    assert_int_equal(set, 12345); /* untouched */
}

static void test_share_parser(void **state)
{
    (void)state;
    assert_int_equal(share_ok("net"), SHARE_NET | SHARE_USER);
    assert_int_equal(share_ok("net,uts,ipc,pid"),
                     SHARE_NET | SHARE_UTS | SHARE_IPC | SHARE_PID | SHARE_USER);
    assert_int_equal(share_ok("cgroup"), SHARE_CGROUP | SHARE_USER);
    assert_int_equal(share_ok("none"), SHARE_USER);
    assert_int_equal(share_ok(""), SHARE_USER);
    assert_int_equal(share_ok("user"), SHARE_USER);
    assert_int_equal(share_ok("+pid"), SHARE_DEFAULT | SHARE_PID);
    assert_int_equal(share_ok("net,net"), SHARE_NET | SHARE_USER);
    share_bad("help", "Invalid kernel namespace to share: help. Options are: cgroup, ipc, net, "
                      "pid, uts, user or none");
    share_bad("net,bogus", "bogus");
    share_bad("net,", "trailing comma");
    share_bad(",net", "Invalid kernel namespace to share");
    share_bad("none,net", "cannot be combined");
    share_bad("+", "adds nothing");
    share_bad("+none", "+none");
    share_bad("NET", "NET");
}

static void test_share_format(void **state)
{
    (void)state;
    char buf[64];
    share_format(SHARE_DEFAULT, buf, sizeof(buf));
    assert_string_equal(buf, "ipc,net,uts");
    share_format(SHARE_USER, buf, sizeof(buf));
    assert_string_equal(buf, "none");
    share_format(SHARE_PID | SHARE_CGROUP | SHARE_USER, buf, sizeof(buf));
    assert_string_equal(buf, "cgroup,pid");
    /* and back */
    assert_int_equal(share_ok(buf), SHARE_PID | SHARE_CGROUP | SHARE_USER);
}

static void test_pod_names(void **state)
{
    (void)state;
    assert_true(pod_name_valid("web"));
    assert_true(pod_name_valid("a.b-c_d9"));
    assert_true(pod_name_valid("9lives"));
    assert_false(pod_name_valid(""));
    assert_false(pod_name_valid("-web"));
    assert_false(pod_name_valid("_web"));
    assert_false(pod_name_valid("we b"));
    assert_false(pod_name_valid("web/1"));
    assert_false(pod_name_valid("caf\xc3\xa9"));
    char long_name[POD_NAME_MAX + 2];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[POD_NAME_MAX + 1] = '\0';
    assert_false(pod_name_valid(long_name));
    long_name[POD_NAME_MAX] = '\0';
    assert_true(pod_name_valid(long_name));
    char *random = pod_random_name();
    assert_true(pod_name_valid(random));
    free(random);
    char id[POD_ID_LEN + 1];
    pod_new_id(id);
    assert_int_equal(strlen(id), 64);
    assert_int_equal(strspn(id, "0123456789abcdef"), 64);
}

static void test_kv_round_trip_and_escapes(void **state)
{
    (void)state;
    kv_t kv, back;
    upod_error_t err = {0};
    kv_init(&kv);
    kv_add(&kv, "name", "web");
    kv_add(&kv, "label", "a=b\nc\\d");
    kv_add(&kv, "label", "");
    char *text = kv_serialize(&kv);
    assert_string_equal(text, "name=web\nlabel=a=b\\nc\\\\d\nlabel=\n");
    assert_int_equal(kv_parse(text, &back, &err), 0);
    assert_string_equal(kv_get(&back, "name"), "web");
    assert_string_equal(kv_get_nth(&back, "label", 0), "a=b\nc\\d");
    assert_string_equal(kv_get_nth(&back, "label", 1), "");
    assert_null(kv_get_nth(&back, "label", 2));
    assert_null(kv_get(&back, "missing"));
    free(text);
    kv_clear(&kv);
    kv_clear(&back);
}

static void test_kv_rejects_malformed(void **state)
{
    (void)state;
    kv_t kv;
    upod_error_t err = {0};
    assert_int_equal(kv_parse("ok=1\nno equals\n", &kv, &err), -1);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_int_equal(kv_parse("=value\n", &kv, &err), -1);
    assert_int_equal(kv_parse("Key=value\n", &kv, &err), -1);
    assert_int_equal(kv_parse("k=bad\\x\n", &kv, &err), -1);
    assert_int_equal(kv_parse("k=trailing\\\n", &kv, &err), -1);
    assert_int_equal(kv_parse("\n\nk=v", &kv, &err), 0); /* blank lines, no final newline */
    assert_string_equal(kv_get(&kv, "k"), "v");
    kv_clear(&kv);
}

static void fill_config(pod_config_t *c)
{
    upod_error_t err = {0};
    memset(c, 0, sizeof(*c));
    pod_new_id(c->id);
    pod_new_id(c->infra_id);
    c->name = strdup("web");
    c->hostname = strdup("webhost");
    c->share = SHARE_NET | SHARE_PID | SHARE_USER;
    c->created = 1764384000123456789LL;
    c->ports = calloc(2, sizeof(*c->ports));
    assert_int_equal(port_mapping_parse("127.0.0.1:8080:80", &c->ports[0], &err), 0);
    assert_int_equal(port_mapping_parse("9000-9001:9000-9001/udp", &c->ports[1], &err), 0);
    c->nports = 2;
    c->labels = calloc(1, sizeof(char *));
    c->labels[0] = strdup("tier=web");
    c->nlabels = 1;
    assert_int_equal(net_options_parse("slirp:allow_host_loopback=true,mtu=1500", &c->net, &err), 0);
    c->keep_id = true;
}

static void test_pod_config_round_trip(void **state)
{
    (void)state;
    pod_config_t c, back;
    upod_error_t err = {0};
    fill_config(&c);
    kv_t kv;
    kv_init(&kv);
    pod_config_to_kv(&c, &kv);
    char *text = kv_serialize(&kv);
    kv_clear(&kv);
    assert_int_equal(kv_parse(text, &kv, &err), 0);
    assert_int_equal(pod_config_from_kv(&kv, &back, &err), 0);
    assert_string_equal(back.id, c.id);
    assert_string_equal(back.infra_id, c.infra_id);
    assert_string_equal(back.name, "web");
    assert_string_equal(back.hostname, "webhost");
    assert_int_equal(back.share, c.share);
    assert_true(back.created == c.created);
    assert_int_equal(back.nports, 2);
    assert_int_equal(back.ports[1].container_port, 9000);
    assert_int_equal(back.ports[1].count, 2);
    assert_int_equal(back.ports[1].proto, PORT_PROTO_UDP);
    assert_string_equal(back.ports[0].host_ip, "127.0.0.1");
    assert_int_equal(back.nlabels, 1);
    assert_string_equal(back.labels[0], "tier=web");
    assert_true(back.net.allow_host_loopback);
    assert_int_equal(back.net.mtu, 1500);
    assert_true(back.keep_id);
    free(text);
    kv_clear(&kv);
    pod_config_clear(&c);
    pod_config_clear(&back);
}

static void test_pod_config_corrupt(void **state)
{
    (void)state;
    pod_config_t c;
    upod_error_t err = {0};
    kv_t kv;
    const char *bad[] = {
        "name=web\n", /* no id */
        "id=zz\ninfra_id=zz\nname=web\nhostname=h\nshare=net\ncreated=1\nnetwork=slirp\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(kv_parse(bad[i], &kv, &err), 0);
        assert_int_equal(pod_config_from_kv(&kv, &c, &err), -1);
        assert_non_null(strstr(err.msg, "corrupt pod config"));
        kv_clear(&kv);
    }
}

/* The typed lines of a config: each wrong value, or port lines that do
 * not pair up, make the config unreadable (never a pod that publishes or
 * shares something else). */
static void test_pod_config_typed_lines(void **state)
{
    (void)state;
    static const char good[] =
        "id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
        "infra_id=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
        "name=web\nhostname=web\ncreated=1\nuserns=\n"
        "share_net=true\nshare_uts=true\nshare_ipc=true\nshare_pid=false\nshare_cgroup=false\n"
        "net_mode=slirp\nnet_allow_host_loopback=false\nnet_mtu=1500\n"
        "net_port_handler=splice\nnet_enable_ipv6=true\n";
    static const char port[] =
        "port_host_ip=127.0.0.1\nport_host=8080\nport_container=80\nport_count=1\nport_proto=tcp\n";
    char text[2048];
    kv_t kv;
    pod_config_t c;
    upod_error_t err = {0};
    snprintf(text, sizeof(text), "%s%s", good, port);
    assert_int_equal(kv_parse(text, &kv, &err), 0);
    assert_int_equal(pod_config_from_kv(&kv, &c, &err), 0);
    assert_int_equal(c.share, SHARE_NET | SHARE_UTS | SHARE_IPC | SHARE_USER);
    assert_int_equal(c.net.mtu, 1500);
    assert_int_equal(c.nports, 1);
    assert_string_equal(c.ports[0].host_ip, "127.0.0.1");
    assert_int_equal(c.ports[0].host_port, 8080);
    pod_config_clear(&c);
    kv_clear(&kv);
    static const char *const bad[] = {
        "port_host_ip=127.0.0.1\nport_host=8080\nport_container=80\nport_count=1\n",
        "port_host_ip=not-an-ip\nport_host=8080\nport_container=80\nport_count=1\nport_proto=tcp\n",
        "port_host_ip=\nport_host=65535\nport_container=80\nport_count=2\nport_proto=tcp\n",
        "port_host_ip=\nport_host=80\nport_container=0\nport_count=1\nport_proto=tcp\n",
        "port_host_ip=\nport_host=80\nport_container=80\nport_count=1\nport_proto=sctp\n",
        "port_container=80\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", good, bad[i]);
        assert_int_equal(kv_parse(text, &kv, &err), 0);
        assert_int_equal(pod_config_from_kv(&kv, &c, &err), -1);
        assert_non_null(strstr(err.msg, "published ports"));
        kv_clear(&kv);
    }
    /* One value made wrong: an out-of-range mtu, a flag that is neither
     * true nor false, an unknown network mode. */
    static const char *const swap[][2] = {{"net_mtu=1500", "net_mtu=10"},
                                          {"share_pid=false", "share_pid=maybe"},
                                          {"net_mode=slirp", "net_mode=tap"}};
    for (size_t i = 0; i < sizeof(swap) / sizeof(swap[0]); i++) {
        const char *at = strstr(good, swap[i][0]);
        assert_non_null(at);
        snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, swap[i][1],
                 at + strlen(swap[i][0]));
        assert_int_equal(kv_parse(text, &kv, &err), 0);
        assert_int_equal(pod_config_from_kv(&kv, &c, &err), -1);
        assert_non_null(strstr(err.msg, "corrupt pod config"));
        kv_clear(&kv);
    }
}

static void test_pod_state_round_trip(void **state)
{
    (void)state;
    pod_state_t s = {.status = POD_STATUS_RUNNING, .keeper = {123, 456}, .infra = {124, 457},
                     .started = 99, .finished = 0, .exit_code = 0}, back;
    upod_error_t err = {0};
    kv_t kv;
    kv_init(&kv);
    pod_state_to_kv(&s, &kv);
    assert_int_equal(pod_state_from_kv(&kv, &back, &err), 0);
    assert_int_equal(back.status, POD_STATUS_RUNNING);
    assert_int_equal(back.keeper.pid, 123);
    assert_int_equal(back.infra.start, 457);
    kv_clear(&kv);
    assert_int_equal(kv_parse("status=Running\nkeeper_pid=-5\n", &kv, &err), 0);
    assert_int_equal(pod_state_from_kv(&kv, &back, &err), -1);
    kv_clear(&kv);
    assert_int_equal(kv_parse("status=Sleeping\n", &kv, &err), 0);
    assert_int_equal(pod_state_from_kv(&kv, &back, &err), -1);
    kv_clear(&kv);
}

static void test_stale_state_is_not_running(void **state)
{
    (void)state;
    /* A keeper recorded with a start time that does not match the live
     * process with that pid (ours) is stale: the pod is not Running. */
    pod_t p;
    memset(&p, 0, sizeof(p));
    p.state.status = POD_STATUS_RUNNING;
    p.state.keeper = proc_self_ref();
    p.state.infra = proc_self_ref();
    assert_int_equal(pod_effective_status(&p), POD_STATUS_RUNNING);
    p.state.keeper.start += 1;
    assert_int_equal(pod_effective_status(&p), POD_STATUS_EXITED);
    p.state.keeper = proc_self_ref();
    p.state.infra.pid = 0;
    assert_int_equal(pod_effective_status(&p), POD_STATUS_EXITED);
}

static void test_proc_stat_parsing(void **state)
{
    (void)state;
    char st;
    unsigned long long start = 0;
    const char *text = "42 (a (weird) name) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
                       "987654 1000 10\n";
    assert_int_equal(proc_parse_stat(text, &st, &start), 0);
    assert_int_equal(st, 'S');
    assert_int_equal(start, 987654);
    assert_int_equal(proc_parse_stat("42 (x) Z 1 2 3", &st, &start), -1);
    assert_int_equal(proc_parse_stat("no paren", &st, &start), -1);
}

/* A child that sleeps; ignoring SIGTERM if asked. Returns once it is set
 * up (a pipe says so). */
static pid_t sleeper(bool ignore_term)
{
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (ignore_term)
            signal(SIGTERM, SIG_IGN);
        close(ready[0]);
        close(ready[1]);
        for (;;)
            pause();
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 0); /* EOF: the child closed its end */
    close(ready[0]);
    return pid;
}

static int killed_by(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* proc_ref_stop: the stop signal, SIGKILL when the timeout passes (at once
 * with none), the partner killed first when asked; never a process that
 * is gone. */
static void test_proc_ref_stop(void **state)
{
    (void)state;
    pid_t p = sleeper(false);
    proc_ref_t ref = proc_ref_of(p);
    proc_ref_stop(&ref, SIGTERM, 5, NULL, PROC_STOP_WAIT_PARTNER);
    assert_int_equal(killed_by(p), SIGTERM);

    p = sleeper(false);
    ref = proc_ref_of(p);
    proc_ref_stop(&ref, SIGTERM, 0, NULL, PROC_STOP_WAIT_PARTNER);
    assert_int_equal(killed_by(p), SIGKILL);

    p = sleeper(true);
    pid_t partner = sleeper(true);
    proc_ref_t partner_ref = proc_ref_of(partner);
    ref = proc_ref_of(p);
    long long before = time_now_ns();
    proc_ref_stop(&ref, SIGTERM, 1, &partner_ref, PROC_STOP_KILL_PARTNER);
    assert_true(time_now_ns() - before >= 1000000000LL);
    assert_int_equal(killed_by(p), SIGKILL);
    assert_int_equal(killed_by(partner), SIGKILL);

    /* Gone (reaped): its pid, even if reused, is not signalled. */
    proc_ref_stop(&ref, SIGKILL, 0, &partner_ref, PROC_STOP_KILL_PARTNER);
}

static void test_idmap_build(void **state)
{
    (void)state;
    idmap_t m;
    subid_range_t r = {.start = 100000, .count = 65536};
    idmap_build(1000, 1000, &r, false, &m);
    assert_int_equal(m.n, 2);
    assert_int_equal(m.lines[0].inside, 0);
    assert_int_equal(m.lines[0].outside, 1000);
    assert_int_equal(m.lines[1].inside, 1);
    assert_int_equal(m.lines[1].outside, 100000);
    assert_int_equal(m.lines[1].count, 65536);
    idmap_build(1000, 1000, &r, true, &m);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.lines[0].inside, 0);
    assert_int_equal(m.lines[0].outside, 100000);
    assert_int_equal(m.lines[0].count, 1000);
    assert_int_equal(m.lines[1].inside, 1000);
    assert_int_equal(m.lines[1].outside, 1000);
    assert_int_equal(m.lines[2].inside, 1001);
    assert_int_equal(m.lines[2].outside, 101000);
    assert_int_equal(m.lines[2].count, 64536);
    idmap_build(1000, 1000, NULL, false, &m);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.lines[0].inside, 0);
    idmap_build(1000, 1000, NULL, true, &m);
    assert_int_equal(m.lines[0].inside, 1000);
    subid_range_t small = {.start = 5000, .count = 10};
    idmap_build(1000, 1000, &small, true, &m);
    assert_int_equal(m.n, 2);
    assert_int_equal(m.lines[0].count, 10);
    /* Nested in a parent mapped "0 1000 1, 1 100000 65536": identity, or
     * keep-id relative to the parent (the user is 0 there). */
    idmap_plan_t parent = {.subids = true, .uid = 1000, .gid = 1000};
    idmap_build(1000, 1000, &r, false, &parent.uids);
    idmap_build(1000, 1000, &r, false, &parent.gids);
    idmap_t u, g;
    idmap_nested(&parent, false, &u, &g);
    char text[256];
    assert_int_equal(idmap_format(&u, text, sizeof(text)), 0);
    assert_string_equal(text, "0 0 1\n1 1 65536\n");
    idmap_nested(&parent, true, &u, &g);
    assert_int_equal(idmap_format(&g, text, sizeof(text)), 0);
    assert_string_equal(text, "0 1 1000\n1000 0 1\n1001 1001 64536\n");
    idmap_plan_t single = {.uid = 1000, .gid = 1000};
    idmap_build(1000, 1000, NULL, false, &single.uids);
    idmap_build(1000, 1000, NULL, false, &single.gids);
    idmap_nested(&single, true, &u, &g);
    assert_int_equal(idmap_format(&u, text, sizeof(text)), 0);
    assert_string_equal(text, "1000 0 1\n");
    idmap_nested(&single, false, &u, &g);
    assert_int_equal(idmap_format(&u, text, sizeof(text)), 0);
    assert_string_equal(text, "0 0 1\n");
    assert_int_equal(idmap_format(&u, text, 4), -1);
}

static void test_signals(void **state)
{
    (void)state;
    int s;
    upod_error_t err = {0};
    assert_int_equal(signal_parse("KILL", &s, &err), 0);
    assert_int_equal(s, SIGKILL);
    assert_int_equal(signal_parse("sigterm", &s, &err), 0);
    assert_int_equal(s, SIGTERM);
    assert_int_equal(signal_parse("9", &s, &err), 0);
    assert_int_equal(s, 9);
    assert_int_equal(signal_parse("0", &s, &err), -1);
    assert_int_equal(signal_parse("65", &s, &err), -1);
    assert_int_equal(signal_parse("BOGUS", &s, &err), -1);
    assert_non_null(strstr(err.msg, "invalid signal: BOGUS"));
}

static void test_human_duration(void **state)
{
    (void)state;
    char b[64];
    human_duration(0, b, sizeof(b));
    assert_string_equal(b, "Less than a second");
    human_duration(1, b, sizeof(b));
    assert_string_equal(b, "1 second");
    human_duration(42, b, sizeof(b));
    assert_string_equal(b, "42 seconds");
    human_duration(90, b, sizeof(b));
    assert_string_equal(b, "About a minute");
    human_duration(600, b, sizeof(b));
    assert_string_equal(b, "10 minutes");
    human_duration(3700, b, sizeof(b));
    assert_string_equal(b, "About an hour");
    human_duration(5 * 3600, b, sizeof(b));
    assert_string_equal(b, "5 hours");
    human_duration(3 * 86400, b, sizeof(b));
    assert_string_equal(b, "3 days");
    rfc3339_nano(1764384000123456789LL, b, sizeof(b));
    assert_string_equal(b, "2025-11-29T02:40:00.123456789Z");
}

static void test_time_parsing(void **state)
{
    (void)state;
    long long ns = 0;
    const char *t = "2025-11-29T02:40:00.123456789Z";
    assert_true(rfc3339_parse(t, strlen(t), &ns));
    assert_true(ns == 1764384000123456789LL);
    t = "2025-11-29T03:40:00+01:00"; /* the same instant, whole seconds */
    assert_true(rfc3339_parse(t, strlen(t), &ns));
    assert_true(ns == 1764384000000000000LL);
    t = "2025-11-28T21:10:00.5-05:30";
    assert_true(rfc3339_parse(t, strlen(t), &ns));
    assert_true(ns == 1764384000500000000LL);
    t = "2024-02-29T00:00:00Z"; /* a leap day */
    assert_true(rfc3339_parse(t, strlen(t), &ns));
    assert_true(ns == 1709164800000000000LL);
    /* Only the given length counts (log lines hold more after the time). */
    t = "2025-11-29T02:40:00Z stdout F hello";
    assert_true(rfc3339_parse(t, 20, &ns));
    assert_false(rfc3339_parse(t, strlen(t), &ns));
    const char *bad[] = {"", "2025-11-29", "2025-11-29T02:40:00", "2025-13-01T00:00:00Z",
                         "2025-11-29T24:00:00Z", "2025-11-29T02:40:00.Z", "2025-11-29T02:40:00+0100",
                         "x025-11-29T02:40:00Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(rfc3339_parse(bad[i], strlen(bad[i]), &ns));

    long long now = 1764384000000000000LL;
    assert_true(time_parse_since("10m", now, &ns));
    assert_true(ns == now - 600000000000LL);
    assert_true(time_parse_since("1h30m", now, &ns));
    assert_true(ns == now - 5400000000000LL);
    assert_true(time_parse_since("2.5s", now, &ns));
    assert_true(ns == now - 2500000000LL);
    assert_true(time_parse_since("150ms", now, &ns));
    assert_true(ns == now - 150000000LL);
    assert_true(time_parse_since("1764384000", now, &ns));
    assert_true(ns == 1764384000000000000LL);
    assert_true(time_parse_since("1764384000.25", now, &ns));
    assert_true(ns == 1764384000250000000LL);
    assert_true(time_parse_since("2025-11-29T02:40:00Z", now, &ns));
    assert_true(ns == now);
    const char *bad_since[] = {"", "10", "m", "10x", "1h-5m", "yesterday", "1.5.5", "-10m",
                               "1764384000.", "10m ", "2025-11-29T02:40"};
    for (size_t i = 0; i < sizeof(bad_since) / sizeof(bad_since[0]); i++) {
        long long before = 42;
        ns = before;
        if (strcmp(bad_since[i], "10") == 0) {
            /* digits alone are a Unix time, not a duration */
            assert_true(time_parse_since(bad_since[i], now, &ns));
            assert_true(ns == 10000000000LL);
            continue;
        }
        assert_false(time_parse_since(bad_since[i], now, &ns));
        assert_true(ns == before);
    }
}

/* A pods directory of our own, with one whole pod and one whose config is
 * garbage but still tells its name: pod_list skips the bad one, pod_list_all
 * shows it Unknown (its file named), pod_lookup refuses it with how to
 * remove it, pod_lookup_any finds it by id prefix and by name. */
static void write_pod(int pods_fd, const pod_config_t *c)
{
    upod_error_t err = {0};
    assert_int_equal(mkdirat(pods_fd, c->id, 0700), 0);
    int fd = openat(pods_fd, c->id, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    kv_t kv;
    kv_init(&kv);
    pod_config_to_kv(c, &kv);
    char *text = kv_serialize(&kv);
    kv_clear(&kv);
    assert_int_equal(state_write_file(fd, "config", text, strlen(text), &err), 0);
    free(text);
    pod_state_t st = {.status = POD_STATUS_EXITED};
    kv_init(&kv);
    pod_state_to_kv(&st, &kv);
    text = kv_serialize(&kv);
    kv_clear(&kv);
    assert_int_equal(state_write_file(fd, "state", text, strlen(text), &err), 0);
    free(text);
    close(fd);
}

/* A pods directory of our own (its path into dir) with two pods written
 * whole: good ("web") and bad (named bad_name). Returns its fd. */
static int make_two_pods(char dir[32], pod_config_t *good, pod_config_t *bad, const char *bad_name)
{
    snprintf(dir, 32, "/tmp/upod-test-pods.XXXXXX");
    assert_non_null(mkdtemp(dir));
    int pods_fd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(pods_fd >= 0);
    fill_config(good);
    fill_config(bad);
    free(bad->name);
    bad->name = strdup(bad_name);
    write_pod(pods_fd, good);
    write_pod(pods_fd, bad);
    return pods_fd;
}

static void remove_pods_dir(const char *dir, int pods_fd)
{
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    close(pods_fd);
}

static void test_unreadable_pod_is_listed_and_found(void **state)
{
    (void)state;
    char dir[32];
    pod_config_t good, bad;
    int pods_fd = make_two_pods(dir, &good, &bad, "broken");
    char path[300];
    snprintf(path, sizeof(path), "%s/%s/config", dir, bad.id);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("\x01garbage line\n", f);
    fclose(f);

    upod_error_t err = {0};
    pod_t *pods;
    size_t n;
    assert_int_equal(pod_list(pods_fd, &pods, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(pods[0].config.name, "web");
    pod_list_free(pods, n);
    assert_int_equal(pod_list_all(pods_fd, &pods, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_null(pods[0].unreadable);
    assert_non_null(pods[1].unreadable);
    assert_non_null(strstr(pods[1].unreadable, "/config: malformed state file"));
    assert_string_equal(pods[1].config.id, bad.id);
    assert_string_equal(pods[1].config.name, "broken");
    assert_string_equal(pods[1].config.infra_id, bad.infra_id);
    assert_int_equal(pod_effective_status(&pods[1]), POD_STATUS_UNKNOWN);
    pod_list_free(pods, n);

    pod_t p;
    char prefix[13];
    snprintf(prefix, sizeof(prefix), "%.12s", bad.id);
    assert_int_equal(pod_lookup(pods_fd, prefix, &p, &err), -1);
    assert_int_not_equal(err.kind, UPOD_ERR_NO_SUCH);
    assert_non_null(strstr(err.msg, "upod pod rm -f"));
    assert_int_equal(pod_lookup_any(pods_fd, prefix, &p, &err), 0);
    assert_non_null(p.unreadable);
    pod_clear(&p);
    assert_int_equal(pod_lookup_any(pods_fd, "broken", &p, &err), 0);
    assert_string_equal(p.config.id, bad.id);
    pod_clear(&p);

    /* An id= that is not the directory's name is unreadable too. */
    pod_config_t other;
    fill_config(&other);
    memcpy(other.id, good.id, sizeof(other.id));
    pod_new_id(good.id);
    free(good.name);
    good.name = strdup("moved");
    char from[300], to[300];
    snprintf(from, sizeof(from), "%s/%s", dir, other.id);
    snprintf(to, sizeof(to), "%s/%s", dir, good.id);
    assert_int_equal(rename(from, to), 0);
    assert_int_equal(pod_lookup(pods_fd, "web", &p, &err), -1);
    assert_int_equal(pod_list_all(pods_fd, &pods, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_non_null(pods[0].unreadable);
    assert_non_null(pods[1].unreadable);
    pod_list_free(pods, n);

    remove_pods_dir(dir, pods_fd);
    pod_config_clear(&good);
    pod_config_clear(&bad);
    pod_config_clear(&other);
}

/* A pod's full id reads that pod alone (records_lookup); a full id that is
 * no pod's directory may still be an infra container's id. Not found: the
 * kind, errnum and message podman's scripts see. */
static void test_pod_lookup_by_full_id(void **state)
{
    (void)state;
    char dir[32];
    pod_config_t web, bad;
    int pods_fd = make_two_pods(dir, &web, &bad, "old");
    char path[300];
    snprintf(path, sizeof(path), "%s/%s/state", dir, bad.id);
    assert_int_equal(truncate(path, 3), 0);

    upod_error_t err = {0};
    pod_t p;
    assert_int_equal(pod_lookup(pods_fd, web.id, &p, &err), 0);
    assert_string_equal(p.config.id, web.id);
    assert_null(p.unreadable);
    pod_clear(&p);
    assert_int_equal(pod_lookup(pods_fd, web.infra_id, &p, &err), 0);
    assert_string_equal(p.config.id, web.id);
    pod_clear(&p);

    assert_int_equal(pod_lookup(pods_fd, bad.id, &p, &err), -1);
    assert_int_not_equal(err.kind, UPOD_ERR_NO_SUCH);
    assert_non_null(strstr(err.msg, "/state: "));
    assert_non_null(strstr(err.msg, "upod pod rm -f"));
    err = (upod_error_t){0};
    assert_int_equal(pod_lookup_any(pods_fd, bad.id, &p, &err), 0);
    assert_non_null(p.unreadable);
    assert_string_equal(p.config.name, "old");
    assert_int_equal(pod_effective_status(&p), POD_STATUS_UNKNOWN);
    pod_clear(&p);

    char none[POD_ID_LEN + 1], want[200];
    pod_new_id(none);
    assert_int_equal(pod_lookup_any(pods_fd, none, &p, &err), -1);
    assert_int_equal(err.kind, UPOD_ERR_NO_SUCH);
    assert_int_equal(err.errnum, 0);
    snprintf(want, sizeof(want), "no pod with name or ID %s found: no such pod", none);
    assert_string_equal(err.msg, want);

    remove_pods_dir(dir, pods_fd);
    pod_config_clear(&web);
    pod_config_clear(&bad);
}

static void test_kv_parse_line(void **state)
{
    (void)state;
    kv_t kv;
    kv_init(&kv);
    assert_true(kv_parse_line("a=1", 3, &kv));
    assert_true(kv_parse_line("", 0, &kv));
    assert_false(kv_parse_line("no equals", 9, &kv));
    assert_false(kv_parse_line("Bad=key", 7, &kv));
    assert_false(kv_parse_line("k=bad\\q", 7, &kv));
    assert_int_equal(kv.len, 1);
    assert_string_equal(kv_get(&kv, "a"), "1");
    kv_clear(&kv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_parser),
        cmocka_unit_test(test_unreadable_pod_is_listed_and_found),
        cmocka_unit_test(test_pod_lookup_by_full_id),
        cmocka_unit_test(test_kv_parse_line),
        cmocka_unit_test(test_share_format),
        cmocka_unit_test(test_pod_names),
        cmocka_unit_test(test_kv_round_trip_and_escapes),
        cmocka_unit_test(test_kv_rejects_malformed),
        cmocka_unit_test(test_pod_config_round_trip),
        cmocka_unit_test(test_pod_config_corrupt),
        cmocka_unit_test(test_pod_config_typed_lines),
        cmocka_unit_test(test_pod_state_round_trip),
        cmocka_unit_test(test_stale_state_is_not_running),
        cmocka_unit_test(test_proc_stat_parsing),
        cmocka_unit_test(test_proc_ref_stop),
        cmocka_unit_test(test_idmap_build),
        cmocka_unit_test(test_signals),
        cmocka_unit_test(test_human_duration),
        cmocka_unit_test(test_time_parsing),
    };
    return cmocka_run_group_tests_name("pod", tests, NULL, NULL);
}
