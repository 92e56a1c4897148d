/* pod_top.c: `upod pod top POD` and `upod top CONTAINER`: processes as
 * podman shows them (USER PID PPID %CPU ELAPSED TTY TIME COMMAND), with pids
 * and users as seen inside. A process belongs to a pod when it lives in the
 * pod's user namespace, to a container when it lives in the container's
 * mount namespace (every container has one of its own; exec joins it). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/ctr.h"
#include "state/pod.h"
#include "base/util.h"
#include "net/control.h"
#include "sandbox/podns.h"
#include "state/state.h"
#include "cli/cmd.h"

typedef struct {
    pid_t host_pid;
    char *status;  /* /proc/PID/status */
    char *stat;    /* /proc/PID/stat */
    char *cmdline; /* NULs turned into spaces */
} top_proc_t;

static bool same_ns(pid_t pid, const char *kind, const struct stat *ns)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind);
    return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

/* Field "Name:" of a status text, or NULL. */
static const char *status_field(const char *status, const char *name)
{
    size_t len = strlen(name);
    for (const char *line = status; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, name, len) == 0 && line[len] == ':')
            return line + len + 1;
    }
    return NULL;
}

/* The pid at nesting level `level` of an "NSpid:" list (0: the host's). */
static long nspid_at(const char *status, int level)
{
    const char *p = status_field(status, "NSpid");
    for (int i = 0; p && i <= level; i++) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            return -1;
        if (i == level)
            return v;
        p = end;
    }
    return -1;
}

static int nspid_depth(const char *status)
{
    const char *p = status_field(status, "NSpid");
    int n = 0;
    while (p && *p && *p != '\n') {
        char *end;
        strtol(p, &end, 10);
        if (end == p)
            break;
        n++;
        p = end;
    }
    return n;
}

static bool load_proc(pid_t pid, top_proc_t *out)
{
    char path[64];
    size_t len = 0;
    memset(out, 0, sizeof(*out));
    out->host_pid = pid;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (read_file_at(AT_FDCWD, path, 1 << 16, &out->status, NULL) < 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_file_at(AT_FDCWD, path, 1 << 16, &out->stat, NULL) < 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    if (read_file_at(AT_FDCWD, path, 1 << 16, &out->cmdline, &len) < 0)
        return false;
    /* Arguments are NUL-separated; a rewritten title leaves NULs behind. */
    while (len > 0 && out->cmdline[len - 1] == '\0')
        len--;
    out->cmdline[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        if (out->cmdline[i] == '\0')
            out->cmdline[i] = ' ';
    }
    return true;
}

static void free_proc(top_proc_t *p)
{
    free(p->status);
    free(p->stat);
    free(p->cmdline);
}

/* Fields of /proc/PID/stat after the comm, numbered as in proc(5). */
static unsigned long long stat_field(const char *stat, int field)
{
    const char *p = strrchr(stat, ')');
    for (int f = 3; p && f <= field; f++) {
        p += strspn(p + 1, " ") + 1;
        if (f == field)
            return strtoull(p, NULL, 10);
        p += strcspn(p, " ") - 1;
    }
    return 0;
}

/* Go's time.Duration text, as podman prints ELAPSED and TIME. */
static void go_duration(double secs, char *buf, size_t size)
{
    long long whole = (long long)secs;
    double frac = secs - (double)whole;
    if (whole >= 3600)
        snprintf(buf, size, "%lldh%lldm%.3gs", whole / 3600, whole % 3600 / 60,
                 (double)(whole % 60) + frac);
    else if (whole >= 60)
        snprintf(buf, size, "%lldm%.3gs", whole / 60, (double)(whole % 60) + frac);
    else
        snprintf(buf, size, "%.3gs", secs);
}

/* The uid seen inside the pod, from the infra's uid_map. */
static void inside_user(pid_t infra, const char *status, char *buf, size_t size)
{
    const char *uidf = status_field(status, "Uid");
    unsigned long host_uid = uidf ? strtoul(uidf, NULL, 10) : 0;
    char path[64];
    cleanup_free char *map = NULL;
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)infra);
    if (read_file_at(AT_FDCWD, path, 4096, &map, NULL) == 0) {
        char *save = NULL;
        for (char *line = strtok_r(map, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            unsigned long in, out, count;
            if (sscanf(line, "%lu %lu %lu", &in, &out, &count) == 3 && host_uid >= out &&
                host_uid - out < count) {
                unsigned long uid = in + (host_uid - out);
                if (uid == 0)
                    snprintf(buf, size, "root");
                else
                    snprintf(buf, size, "%lu", uid);
                return;
            }
        }
    }
    snprintf(buf, size, "nobody");
}

static void add_row(table_t *t, const top_proc_t *p, const top_proc_t *all, size_t n, pid_t infra,
                    int level, double uptime, long hz)
{
    char user[32], pid[24], ppid[24], cpu[24], elapsed[48], cputime[48];
    inside_user(infra, p->status, user, sizeof(user));
    snprintf(pid, sizeof(pid), "%ld", nspid_at(p->status, level));
    long host_ppid = strtol(status_field(p->status, "PPid") ? status_field(p->status, "PPid") : "0", NULL, 10);
    long pod_ppid = 0;
    for (size_t i = 0; i < n; i++) {
        if (all[i].host_pid == host_ppid)
            pod_ppid = nspid_at(all[i].status, level);
    }
    snprintf(ppid, sizeof(ppid), "%ld", pod_ppid > 0 ? pod_ppid : 0);
    double cpu_secs = (double)(stat_field(p->stat, 14) + stat_field(p->stat, 15)) / (double)hz;
    double age = uptime - (double)stat_field(p->stat, 22) / (double)hz;
    snprintf(cpu, sizeof(cpu), "%.3f", age > 0 ? 100.0 * cpu_secs / age : 0.0);
    go_duration(age > 0 ? age : 0, elapsed, sizeof(elapsed));
    go_duration(cpu_secs, cputime, sizeof(cputime));
    table_add_row(t, user, pid, ppid, cpu, elapsed, "?", cputime, p->cmdline);
}

/* The table for ref and the processes in the ns_kind namespace ns (ref's),
 * pids as seen in ref's pid namespace. ref is listed even when its
 * namespaces cannot be read (the infra is not dumpable). */
static void show_top_of(pid_t ref, const struct stat *ns, const char *ns_kind)
{
    top_proc_t *procs = NULL, ref_proc;
    size_t n = 0;
    int level = 1;
    if (load_proc(ref, &ref_proc)) {
        level = nspid_depth(ref_proc.status) - 1;
        free_proc(&ref_proc);
    }
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
        top_proc_t p;
        if (pid != ref && !same_ns(pid, ns_kind, ns))
            continue;
        if (!load_proc(pid, &p))
            continue; /* it ended meanwhile */
        procs = xrealloc(procs, (n + 1) * sizeof(*procs));
        procs[n++] = p;
    }
    if (d)
        closedir(d);
    cleanup_free char *uptime_text = NULL;
    double uptime = 0;
    if (read_file_at(AT_FDCWD, "/proc/uptime", 256, &uptime_text, NULL) == 0)
        uptime = strtod(uptime_text, NULL);
    long hz = sysconf(_SC_CLK_TCK);
    table_t t;
    table_init(&t, 8);
    table_add_row(&t, "USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND");
    for (size_t i = 0; i < n; i++) {
        if (nspid_at(procs[i].status, level) > 0)
            add_row(&t, &procs[i], procs, n, ref, level, uptime, hz > 0 ? hz : 100);
    }
    table_print(&t);
    table_free(&t);
    for (size_t i = 0; i < n; i++)
        free_proc(&procs[i]);
    free(procs);
}

/* The same, ref's ns_kind namespace found through its /proc (ref must be
 * dumpable: a container's process). */
static int show_top(pid_t ref, const char *ns_kind, const char *what, upod_error_t *err)
{
    char path[64];
    struct stat ns;
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)ref, ns_kind);
    if (stat(path, &ns) < 0)
        return upod_fail(err, 0, "%s is not running", what);
    show_top_of(ref, &ns, ns_kind);
    return 0;
}

/* A pod's processes: those in its user namespace, which its keeper hands
 * out (podns.h), and its infra. */
static int show_pod_top(const state_handle_t *st, const pod_t *pod, const char *what,
                        upod_error_t *err)
{
    cleanup_close int dirfd = state_open_subdir(st->pods_fd, pod->config.id, false, err);
    podns_t ns;
    if (dirfd < 0 || control_get_namespaces(dirfd, ns.fd, PODNS_COUNT, err) < 0)
        return upod_fail(err, 0, "%s is not running", what);
    struct stat user;
    int r = fstat(ns.fd[PODNS_USER], &user);
    podns_close(&ns);
    if (r < 0)
        return upod_fail(err, errno, "%s: its user namespace", what);
    show_top_of(pod->state.infra.pid, &user, "user");
    return 0;
}

int cmd_pod_top(int argc, char **argv, upod_error_t *err)
{
    int ret = cli_one_pod_arg(argc, argv, "pod top",
                              "Usage: upod pod top POD\n\nShow the processes of a running pod.\n", err);
    if (ret != 0)
        return ret > 0 ? 0 : -1;
    state_handle_t st;
    if (state_handle_open(&st, err) < 0)
        return -1;
    pod_t pod;
    if (pod_lookup(st.pods_fd, argv[1], &pod, err) < 0) {
        state_handle_close(&st);
        return -1;
    }
    cleanup_free char *what = xasprintf("pod %s", pod.config.name);
    if (pod_effective_status(&pod) != POD_STATUS_RUNNING)
        ret = upod_fail(err, 0, "%s is not running", what);
    else
        ret = show_pod_top(&st, &pod, what, err);
    pod_clear(&pod);
    state_handle_close(&st);
    return ret;
}

int cmd_top(int argc, char **argv, upod_error_t *err)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: upod top CONTAINER\n\nShow the processes of a running container.\n");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-')
        return upod_fail(err, 0, "`upod top` takes exactly one container name or ID (no "
                                 "ps options)");
    state_handle_t st = {-1, -1, NULL};
    if (state_handle_open(&st, err) < 0)
        return -1;
    cleanup_close int ctrs_fd = ctrs_dir_open(st.state_fd, err);
    ctr_t c = {0};
    int ret = ctrs_fd < 0 ? -1 : cli_ctr_lookup(&st, ctrs_fd, argv[1], &c, err);
    if (ret == 0) {
        cleanup_free char *what = xasprintf("container %s", c.name);
        if (ctr_effective_status(&c) != CTR_RUNNING || !proc_ref_alive(&c.init))
            ret = upod_fail(err, 0, "%s is not running", what);
        else
            ret = show_top(c.init.pid, "mnt", what, err);
    }
    ctr_clear(&c);
    state_handle_close(&st);
    return ret;
}
