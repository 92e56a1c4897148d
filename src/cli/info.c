/* info.c: `upod info`: can upod work here, and if not, what to do. */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "text/json.h"
#include "state/state.h"
#include "net/tap.h"
#include "text/template.h"
#include "sandbox/userns.h"
#include "base/util.h"
#include "buildinfo.h"
#include "proc/holder.h"
#include "cli/cmd.h"

/* Problems are collected as we go; each says what to do. */
static void add_problem(json_t *problems, const char *text)
{
    json_append(problems, json_new_string(text));
}

static void add_host(json_t *root)
{
    struct utsname u;
    json_t *host = json_set(root, "host", json_new_object());
    if (uname(&u) == 0) {
        json_set_string(host, "kernel", u.release);
        json_set_string(host, "arch", u.machine);
        json_set_string(host, "hostname", u.nodename);
    }
    json_set_string(host, "os", "linux");
    cleanup_free char *osr = NULL;
    if (read_file_at(AT_FDCWD, "/etc/os-release", 64 << 10, &osr, NULL) == 0) {
        char *line = strstr(osr, "PRETTY_NAME=");
        if (line && (line == osr || line[-1] == '\n')) {
            line += strlen("PRETTY_NAME=");
            line[strcspn(line, "\n")] = '\0';
            size_t n = strlen(line);
            if (n >= 2 && line[0] == '"' && line[n - 1] == '"') {
                line[n - 1] = '\0';
                line++;
            }
            json_set_string(host, "distribution", line);
        }
    }
}

static json_t *ranges_json(const subid_ranges_t *r)
{
    json_t *list = json_new_array();
    for (size_t i = 0; i < r->n; i++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%lu:%lu", r->ranges[i].start, r->ranges[i].count);
        json_append(list, json_new_string(buf));
    }
    return list;
}

static void add_helper(json_t *obj, const char *key, const idmap_helper_t *h)
{
    json_t *o = json_set(obj, key, json_new_object());
    json_set_string(o, "path", h->path);
    json_set_bool(o, "privileged", h->privileged);
}

static json_t *add_user_namespaces(json_t *root, json_t *problems)
{
    uid_t uid = geteuid();
    struct passwd *pw = getpwuid(uid);
    const char *name = pw ? pw->pw_name : NULL;

    json_t *user = json_set(root, "user", json_new_object());
    json_set_int(user, "uid", uid);
    json_set_int(user, "gid", getegid());
    json_set_string(user, "name", name);

    json_t *ns = json_set(root, "userNamespaces", json_new_object());
    userns_probe_t probe;
    userns_probe(&probe);
    json_set_int(ns, "maxUserNamespaces", probe.max_user_namespaces);
    json_set_bool(ns, "unprivileged", probe.works);
    if (!probe.works) {
        json_set_string(ns, "hint", probe.hint);
        add_problem(problems, probe.hint);
    }

    idmap_helper_t uidmap, gidmap;
    idmap_helper_find("newuidmap", &uidmap);
    idmap_helper_find("newgidmap", &gidmap);
    add_helper(ns, "newuidmap", &uidmap);
    add_helper(ns, "newgidmap", &gidmap);

    subid_ranges_t subuids, subgids;
    upod_error_t err = {0};
    char text[1200];
    if (subid_read("/etc/subuid", name, uid, &subuids, &err) < 0)
        add_problem(problems, upod_error_text(&err, text, sizeof(text)));
    if (subid_read("/etc/subgid", name, (uid_t)getegid(), &subgids, &err) < 0)
        add_problem(problems, upod_error_text(&err, text, sizeof(text)));
    json_set(ns, "subuids", ranges_json(&subuids));
    json_set(ns, "subgids", ranges_json(&subgids));

    /* The mapping pods will get: the full one needs both helpers usable and
     * both ranges; otherwise root in the pod is the user alone. */
    bool helpers = uidmap.privileged && gidmap.privileged;
    bool full = helpers && subuids.n && subgids.n;
    json_set_string(ns, "idMapping", full ? "subids" : "single");
    if (!full) {
        const char *why = !uidmap.path || !gidmap.path
                              ? "newuidmap/newgidmap are not installed (apt-get install uidmap)"
                          : !helpers ? "newuidmap/newgidmap are neither setuid root nor given file "
                                       "capabilities (reinstall the uidmap package)"
                                     : "you have no range in /etc/subuid and /etc/subgid (as root: "
                                       "usermod --add-subuids 100000-165535 --add-subgids "
                                       "100000-165535 USER)";
        cleanup_free char *note = xasprintf(
            "single id mapping: containers see only uid 0 (you) because %s", why);
        json_set_string(ns, "idMappingNote", note);
    }
    idmap_helper_clear(&uidmap);
    idmap_helper_clear(&gidmap);
    return ns;
}

/* The holder of the parent user namespace (proc/holder.h), as its record
 * says and only when it is current: running false otherwise. */
static void add_holder(json_t *ns)
{
    json_t *h = json_set(ns, "holder", json_new_object());
    state_dir_choice_t choice = {0};
    upod_error_t err = {0};
    bool exists = false;
    int r = state_dir_probe(&choice, &exists, &err);
    int dirfd = r < 0 || !exists || !choice.path
                    ? -1
                    : open(choice.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    state_dir_choice_clear(&choice);
    holder_record_t rec;
    bool running = dirfd >= 0 && holder_record_load(dirfd, &rec, &err) == 0;
    if (running && !holder_record_current(&rec, NULL)) {
        holder_record_clear(&rec);
        running = false;
    }
    if (dirfd >= 0)
        close(dirfd);
    json_set_bool(h, "running", running);
    if (!running)
        return;
    json_set_int(h, "pid", rec.ref.pid);
    json_set_string(h, "idMapping", rec.subids ? "subids" : "single");
    json_set_string(h, "uidMap", rec.uid_map);
    json_set_string(h, "gidMap", rec.gid_map);
    json_set_int(h, "created", rec.created);
    holder_record_clear(&rec);
}

static void add_tun(json_t *root, json_t *problems)
{
    tun_probe_t probe;
    tun_probe(&probe);
    json_t *tun = json_set(root, "tun", json_new_object());
    json_set_string(tun, "device", TUN_DEVICE);
    json_set_bool(tun, "usable", probe.usable);
    if (!probe.usable) {
        json_set_string(tun, "hint", probe.hint);
        add_problem(problems, probe.hint);
    }
}

static void add_store(json_t *root, json_t *problems)
{
    json_t *store = json_set(root, "store", json_new_object());
    state_dir_choice_t choice = {0};
    upod_error_t err = {0};
    bool exists = false;
    int r = state_dir_probe(&choice, &exists, &err);
    json_set_string(store, "stateDir", choice.path);
    if (choice.path)
        json_set_string(store, "rule", state_rule_describe(choice.rule));
    if (r < 0) {
        char text[1200];
        upod_error_text(&err, text, sizeof(text));
        json_set_string(store, "status", "refused");
        json_set_string(store, "hint", text);
        add_problem(problems, text);
    } else {
        json_set_string(store, "status", exists ? "ok" : "absent (created on first use)");
    }
    state_dir_choice_clear(&choice);
}

static json_t *info_tree(void)
{
    json_t *root = json_new_object();
    json_t *problems = json_new_array();
    add_host(root);
    add_holder(add_user_namespaces(root, problems));
    add_tun(root, problems);
    add_store(root, problems);
    json_t *up = json_set(root, "upod", json_new_object());
    json_set_string(up, "version", UPOD_VERSION);
    json_set_bool(root, "ready", problems->u.list.len == 0);
    json_set(root, "problems", problems);
    return root;
}

int cmd_info(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = NULL;
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            break;
        case 'h':
            printf("Usage: upod info [--format json|TEMPLATE]\n\n"
                   "Check whether upod can run pods here, and say what to fix if not:\n"
                   "user namespaces, newuidmap/newgidmap and subordinate ids, /dev/net/tun,\n"
                   "and the state directory.\n");
            return 0;
        default:
            return cli_option_error(c, argc, argv, "info", err);
        }
    }
    if (cli_no_args(argc, argv, "info", err) < 0)
        return -1;
    json_t *tree = info_tree();
    int ret = 0;
    if (format)
        ret = format_output(format, tree, stdout, err);
    else
        json_print_yaml(stdout, tree);
    json_free(tree);
    return ret;
}
