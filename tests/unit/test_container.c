/* Unit tests: the container option parsers (src/text/ctropts.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/container.h"
#include "state/ctr.h"
#include "text/share.h"
#include "state/pod.h"

static void test_volumes(void **state)
{
    (void)state;
    volume_t v;
    upod_error_t err = {0};
    assert_int_equal(volume_parse("/a:/b", &v, &err), 0);
    assert_string_equal(v.source, "/a");
    assert_string_equal(v.target, "/b");
    assert_false(v.read_only);
    free(v.source), free(v.target);
    assert_int_equal(volume_parse("/a:/b:ro", &v, &err), 0);
    assert_true(v.read_only);
    free(v.source), free(v.target);
    assert_int_equal(volume_parse("/a:/b:rw", &v, &err), 0);
    assert_false(v.read_only);
    free(v.source), free(v.target);
    const char *bad[] = {"", "/a", ":/b", "a:/b", "/a:b", "/a:/b:xx", "/a:/x/../y", "/a:/x/.."};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(volume_parse(bad[i], &v, &err), -1);
        assert_non_null(strstr(err.msg, "invalid volume"));
    }
}

static void test_users(void **state)
{
    (void)state;
    uid_t u;
    gid_t g;
    upod_error_t err = {0};
    assert_int_equal(user_parse("1000", &u, &g, &err), 0);
    assert_int_equal(u, 1000);
    assert_int_equal(g, 1000);
    assert_int_equal(user_parse("0", &u, &g, &err), 0);
    assert_int_equal(g, 0);
    assert_int_equal(user_parse("5:7", &u, &g, &err), 0);
    assert_int_equal(u, 5);
    assert_int_equal(g, 7);
    assert_int_equal(user_parse("root", &u, &g, &err), -1);
    assert_int_equal(user_parse("1:x", &u, &g, &err), -1);
    assert_int_equal(user_parse("70000", &u, &g, &err), -1);
    assert_int_equal(user_parse("", &u, &g, &err), -1);
}

static void test_env(void **state)
{
    (void)state;
    char *v;
    upod_error_t err = {0};
    assert_int_equal(env_parse("A=1", &v, &err), 0);
    assert_string_equal(v, "A=1");
    free(v);
    assert_int_equal(env_parse("A=", &v, &err), 0);
    assert_string_equal(v, "A=");
    free(v);
    setenv("UPOD_TEST_ENV", "x y", 1);
    assert_int_equal(env_parse("UPOD_TEST_ENV", &v, &err), 0);
    assert_string_equal(v, "UPOD_TEST_ENV=x y");
    free(v);
    unsetenv("UPOD_TEST_ENV");
    assert_int_equal(env_parse("UPOD_TEST_ENV", &v, &err), 0);
    assert_null(v);
    assert_int_equal(env_parse("=1", &v, &err), -1);
    assert_int_equal(env_parse("", &v, &err), -1);
}

static void test_caps(void **state)
{
    (void)state;
    upod_error_t err = {0};
    unsigned long long caps = container_default_caps();
    assert_true(caps == 0x800405fbULL);
    assert_int_equal(container_caps_edit(&caps, "CHOWN", false, &err), 0);
    assert_int_equal(container_caps_edit(&caps, "cap_net_raw", true, &err), 0);
    assert_true(caps == 0x800425faULL);
    assert_int_equal(container_caps_edit(&caps, "all", false, &err), 0);
    assert_true(caps == 0);
    assert_int_equal(container_caps_edit(&caps, "BOGUS", true, &err), -1);
    assert_non_null(strstr(err.msg, "unknown capability"));
}

static char *args[] = {"sh", "-c", "echo hi", NULL};
static char *envs[] = {"PATH=/bin", "A=b=c", NULL};
static volume_t vols[] = {{"/srv/data", "/data", true}, {"/tmp", "/scratch", false}};
static char *tmpfs[] = {"/run", NULL};

static ctr_t sample_record(void)
{
    ctr_t c;
    memset(&c, 0, sizeof(c));
    memset(c.id, 'a', CONTAINER_ID_LEN);
    memset(c.pod_id, 'b', CONTAINER_ID_LEN);
    c.name = "web";
    c.rootfs = "/home/u/rootfs";
    c.argv = args, c.argc = 3;
    c.env = envs, c.nenv = 2;
    c.created = 1764384000123456789LL;
    c.stop_signal = 15;
    c.workdir = "/srv";
    c.uid = 1000, c.gid = 100;
    c.hostname = "aaaaaaaaaaaa";
    c.volumes = vols, c.nvolumes = 2;
    c.tmpfs = tmpfs, c.ntmpfs = 1;
    c.read_only = c.with_init = c.overlay = c.tty = c.own_pod = true;
    c.caps = 0x800405fbULL;
    c.status = CTR_EXITED;
    c.exit_code = 3;
    return c;
}

/* What create writes is what start reads back. */
static void test_record_round_trip(void **state)
{
    (void)state;
    ctr_t c = sample_record(), back;
    upod_error_t err = {0};
    kv_t kv, parsed;
    kv_init(&kv);
    ctr_to_kv(&c, &kv);
    char *text = kv_serialize(&kv);
    kv_clear(&kv);
    assert_int_equal(kv_parse(text, &parsed, &err), 0);
    free(text);
    assert_int_equal(ctr_from_kv(&parsed, &back, &err), 0);
    kv_clear(&parsed);
    assert_string_equal(back.name, "web");
    assert_int_equal(back.argc, 3);
    assert_string_equal(back.argv[2], "echo hi");
    assert_null(back.argv[3]);
    assert_int_equal(back.nenv, 2);
    assert_string_equal(back.env[1], "A=b=c");
    assert_string_equal(back.workdir, "/srv");
    assert_int_equal(back.uid, 1000);
    assert_int_equal(back.gid, 100);
    assert_string_equal(back.hostname, "aaaaaaaaaaaa");
    assert_int_equal(back.nvolumes, 2);
    assert_string_equal(back.volumes[0].source, "/srv/data");
    assert_string_equal(back.volumes[0].target, "/data");
    assert_true(back.volumes[0].read_only);
    assert_string_equal(back.volumes[1].target, "/scratch");
    assert_false(back.volumes[1].read_only);
    assert_int_equal(back.ntmpfs, 1);
    assert_true(back.read_only && back.with_init && back.overlay && back.tty && back.own_pod);
    assert_int_equal(back.status, CTR_EXITED);
    assert_int_equal(back.exit_code, 3);
    assert_true(back.caps == 0x800405fbULL);
    ctr_clear(&back);

    /* A record from before these fields: the defaults. */
    assert_int_equal(kv_parse("id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                              "pod=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
                              "name=old\nrootfs=/r\nstatus=exited\ncreated=1\nstop_signal=15\n"
                              "monitor_pid=0\nmonitor_start=0\npid=0\npid_start=0\nstarted=0\n"
                              "finished=0\nexit_code=0\narg=true\n",
                              &parsed, &err),
                     0);
    assert_int_equal(ctr_from_kv(&parsed, &back, &err), 0);
    kv_clear(&parsed);
    assert_string_equal(back.workdir, "/");
    assert_null(back.hostname);
    assert_int_equal(back.nvolumes, 0);
    assert_false(back.tty || back.own_pod || back.overlay);
    ctr_clear(&back);
}

/* Volumes are stored as typed lines; lines that do not pair up (a
 * missing target or mode, a relative path, a mode other than ro/rw) make
 * the record unreadable, never a mount of something else. */
static void test_record_volumes_must_pair(void **state)
{
    (void)state;
    static const char head[] =
        "id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
        "pod=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
        "name=v\nrootfs=/r\nstatus=exited\ncreated=1\nstop_signal=15\n"
        "monitor_pid=0\nmonitor_start=0\npid=0\npid_start=0\nstarted=0\n"
        "finished=0\nexit_code=0\narg=true\n";
    static const char *const bad[] = {
        "volume_source=/a\n",
        "volume_source=/a\nvolume_target=/b\n",
        "volume_source=/a\nvolume_target=/b\nvolume_mode=rx\n",
        "volume_source=a\nvolume_target=/b\nvolume_mode=ro\n",
        "volume_source=/a\nvolume_target=/b\nvolume_mode=ro\nvolume_target=/c\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[1024];
        snprintf(text, sizeof(text), "%s%s", head, bad[i]);
        kv_t parsed;
        ctr_t back;
        upod_error_t err = {0};
        assert_int_equal(kv_parse(text, &parsed, &err), 0);
        assert_int_equal(ctr_from_kv(&parsed, &back, &err), -1);
        assert_non_null(strstr(err.msg, "volume"));
        ctr_clear(&back);
        kv_clear(&parsed);
    }
    char text[1024];
    snprintf(text, sizeof(text), "%svolume_source=/a\nvolume_target=/b\nvolume_mode=ro\n", head);
    kv_t parsed;
    ctr_t back;
    upod_error_t err = {0};
    assert_int_equal(kv_parse(text, &parsed, &err), 0);
    assert_int_equal(ctr_from_kv(&parsed, &back, &err), 0);
    assert_int_equal(back.nvolumes, 1);
    assert_string_equal(back.volumes[0].source, "/a");
    assert_true(back.volumes[0].read_only);
    ctr_clear(&back);
    kv_clear(&parsed);
}

#define CTR_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define POD_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A state directory with pod B's hosts and resolv.conf and container A's
 * hostname; its path in dir. */
static void make_state(char dir[64])
{
    strcpy(dir, "/tmp/upod-test-state.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/pods", dir), mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/pods/" POD_B, dir), mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/containers", dir), mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/containers/" CTR_A, dir), mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/pods/" POD_B "/hosts", dir);
    write_text(path, "127.0.0.1 localhost\n");
    snprintf(path, sizeof(path), "%s/pods/" POD_B "/resolv.conf", dir);
    write_text(path, "nameserver 10.0.2.3\n");
    snprintf(path, sizeof(path), "%s/containers/" CTR_A "/hostname", dir);
    write_text(path, "web\n");
}

static void remove_state(const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_spec_from_record(void **state)
{
    (void)state;
    char dir[64];
    make_state(dir);
    ctr_t c = sample_record();
    pod_t pod;
    memset(&pod, 0, sizeof(pod));
    memset(pod.config.id, 'b', POD_ID_LEN);
    pod.config.share = SHARE_NET | SHARE_IPC;
    container_spec_t spec;
    upod_error_t err = {0};
    assert_int_equal(ctr_spec_build(&c, &pod, dir, &spec, &err), 0);
    assert_string_equal(spec.argv[0], "sh");
    assert_null(spec.argv[3]);
    assert_string_equal(spec.env[0], "PATH=/bin");
    assert_int_equal(spec.nvolumes, 2);
    assert_string_equal(spec.volumes[0].source, "/srv/data");
    assert_string_equal(spec.volumes[0].target, "/data");
    assert_true(spec.volumes[0].read_only);
    assert_false(spec.volumes[1].read_only);
    assert_string_equal(spec.tmpfs[0], "/run");
    assert_true(spec.init && spec.read_only && spec.share_ipc);
    assert_string_equal(spec.workdir, "/srv");
    char expected[PATH_MAX];
    snprintf(expected, sizeof(expected), "%s/containers/" CTR_A, dir);
    assert_string_equal(spec.overlay_dir, expected);
    /* The container gets copies of the pod's files, not the files. */
    assert_string_equal(spec.hosts_data, "127.0.0.1 localhost\n");
    assert_string_equal(spec.resolv_data, "nameserver 10.0.2.3\n");
    assert_string_equal(spec.hostname_data, "web\n");
    container_spec_clear(&spec);
    /* A symlink planted in place of a pod file is never followed. */
    char hosts[PATH_MAX];
    snprintf(hosts, sizeof(hosts), "%s/pods/" POD_B "/hosts", dir);
    assert_int_equal(unlink(hosts), 0);
    assert_int_equal(symlink("/etc/passwd", hosts), 0);
    assert_int_equal(ctr_spec_build(&c, &pod, dir, &spec, &err), -1);
    assert_non_null(strstr(err.msg, "hosts"));
    container_spec_clear(&spec);
    remove_state(dir);
    /* A volume is no longer parsed here: a record whose volume lines are
     * wrong is refused when it is read (test_record_volumes_must_pair). */
}

/* Container records by full id (read alone), by name and by prefix, and
 * the not-found message as podman's (the ref quoted). */
static void test_record_lookup(void **state)
{
    (void)state;
    char dir[64], path[PATH_MAX];
    make_state(dir);
    snprintf(path, sizeof(path), "%s/containers", dir);
    int ctrs_fd = open(path, O_RDONLY | O_DIRECTORY);
    assert_true(ctrs_fd >= 0);
    ctr_t c = sample_record(), found;
    upod_error_t err = {0};
    assert_int_equal(ctr_save(ctrs_fd, &c, true, &err), 0);

    const char *refs[] = {CTR_A, "web", "aaaa"};
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        assert_int_equal(ctr_lookup(ctrs_fd, refs[i], &found, &err), 0);
        assert_string_equal(found.id, CTR_A);
        assert_string_equal(found.argv[2], "echo hi");
        ctr_clear(&found);
    }
    assert_int_equal(ctr_lookup_any(ctrs_fd, POD_B, &found, &err), -1);
    assert_int_equal(err.kind, UPOD_ERR_NO_SUCH);
    assert_string_equal(err.msg, "no container with name or ID \"" POD_B "\" found: no such "
                                 "container");
    close(ctrs_fd);
    remove_state(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volumes),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_record_volumes_must_pair),
        cmocka_unit_test(test_record_lookup),
        cmocka_unit_test(test_spec_from_record),
    };
    return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
