/* share.c: see share.h. */
#include "text/share.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

const ns_kind_t ns_kinds[] = {
    {"user", SHARE_USER, CLONE_NEWUSER}, {"net", SHARE_NET, CLONE_NEWNET},
    {"uts", SHARE_UTS, CLONE_NEWUTS},    {"ipc", SHARE_IPC, CLONE_NEWIPC},
    {"pid", SHARE_PID, CLONE_NEWPID},    {"cgroup", SHARE_CGROUP, CLONE_NEWCGROUP},
};
const unsigned ns_kinds_count = sizeof(ns_kinds) / sizeof(ns_kinds[0]);

static const char valid_share_names[] = "cgroup, ipc, net, pid, uts, user or none";

static int share_bit(const char *name, size_t len, unsigned *bit)
{
    for (unsigned i = 0; i < ns_kinds_count; i++) {
        if (strlen(ns_kinds[i].name) == len && strncmp(ns_kinds[i].name, name, len) == 0) {
            *bit = ns_kinds[i].share_bit;
            return 0;
        }
    }
    return -1;
}

int share_parse(const char *text, unsigned *out, upod_error_t *err)
{
    unsigned set = 0;
    const char *p = text;
    if (*p == '+') {
        set = SHARE_DEFAULT;
        p++;
        if (!*p)
            return upod_fail(err, 0, "Invalid kernel namespace to share: \"+\" adds nothing. "
                                     "Options are: %s",
                             valid_share_names);
    }
    if (strcmp(p, "none") == 0 || (*p == '\0' && set == 0)) {
        if (set)
            return upod_fail(err, 0, "Invalid kernel namespace to share: \"+none\" cannot add "
                                     "to the default");
        *out = SHARE_USER;
        return 0;
    }
    while (*p) {
        size_t len = strcspn(p, ",");
        unsigned bit;
        if (len == 4 && strncmp(p, "none", 4) == 0)
            return upod_fail(err, 0, "Invalid kernel namespace to share: none cannot be combined "
                                     "with other namespaces in \"%s\"",
                             text);
        if (share_bit(p, len, &bit) < 0)
            return upod_fail(err, 0, "Invalid kernel namespace to share: %.*s. Options are: %s",
                             (int)(len ? len : 2), len ? p : "\"\"", valid_share_names);
        set |= bit;
        p += len;
        if (*p == ',') {
            p++;
            if (!*p)
                return upod_fail(err, 0, "Invalid kernel namespace to share: \"\" (trailing "
                                         "comma in \"%s\"). Options are: %s",
                                 text, valid_share_names);
        }
    }
    *out = set | SHARE_USER;
    return 0;
}

void share_format(unsigned set, char *buf, unsigned long size)
{
    /* Alphabetical, as podman prints SharedNamespaces. */
    static const char *const order[] = {"cgroup", "ipc", "net", "pid", "uts"};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        unsigned bit = 0;
        share_bit(order[i], strlen(order[i]), &bit);
        if (!(set & bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", order[i]);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "none");
}
