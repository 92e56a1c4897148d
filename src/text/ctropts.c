/* ctropts.c: see ctropts.h. */
#include "text/ctropts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "base/util.h"

static const cap_value_t default_caps[] = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL,      CAP_NET_BIND_SERVICE,
    CAP_SETFCAP, CAP_SETGID,      CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT,
};

unsigned long long container_default_caps(void)
{
    unsigned long long set = 0;
    for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
        set |= 1ULL << default_caps[i];
    return set;
}

int container_caps_edit(unsigned long long *caps, const char *name, bool add, upod_error_t *err)
{
    if (strcasecmp(name, "all") == 0) {
        *caps = add ? ~0ULL : 0;
        return 0;
    }
    cleanup_free char *full = strncasecmp(name, "CAP_", 4) == 0 ? xstrdup(name)
                                                                : xasprintf("CAP_%s", name);
    for (char *p = full; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    cap_value_t v;
    if (cap_from_name(full, &v) < 0 || v < 0 || v > 63)
        return upod_fail(err, 0, "unknown capability \"%s\" (as in NET_RAW or CAP_NET_RAW)", name);
    if (add)
        *caps |= 1ULL << v;
    else
        *caps &= ~(1ULL << v);
    return 0;
}

int volume_parse(const char *spec, volume_t *out, upod_error_t *err)
{
    cleanup_free char *copy = xstrdup(spec);
    char *dst = strchr(copy, ':');
    if (!dst || dst == copy)
        return upod_fail(err, 0, "invalid volume \"%s\": use SRC:DST[:ro]", spec);
    *dst++ = '\0';
    char *opt = strchr(dst, ':');
    if (opt)
        *opt++ = '\0';
    if (copy[0] != '/' || dst[0] != '/')
        return upod_fail(err, 0, "invalid volume \"%s\": SRC and DST must be absolute paths "
                                 "(upod has no named volumes)",
                         spec);
    if (opt && strcmp(opt, "ro") != 0 && strcmp(opt, "rw") != 0)
        return upod_fail(err, 0, "invalid volume option \"%s\" in \"%s\": use ro or rw", opt, spec);
    if (strstr(dst, "/../") || (strlen(dst) >= 3 && strcmp(dst + strlen(dst) - 3, "/..") == 0))
        return upod_fail(err, 0, "invalid volume \"%s\": DST must not contain ..", spec);
    out->source = xstrdup(copy);
    out->target = xstrdup(dst);
    out->read_only = opt && strcmp(opt, "ro") == 0;
    return 0;
}

int user_parse(const char *spec, uid_t *uid, gid_t *gid, upod_error_t *err)
{
    cleanup_free char *copy = xstrdup(spec);
    char *g = strchr(copy, ':');
    if (g)
        *g++ = '\0';
    long u, gg = 0;
    if (!parse_long(copy, 0, 65535, &u) || (g && !parse_long(g, 0, 65535, &gg)))
        return upod_fail(err, 0, "invalid user \"%s\": use UID[:GID] with numbers from 0 to "
                                 "65535",
                         spec);
    *uid = (uid_t)u;
    *gid = (gid_t)(g ? gg : u == 0 ? 0 : u);
    return 0;
}

int env_parse(const char *spec, char **out, upod_error_t *err)
{
    *out = NULL;
    if (spec[0] == '=' || spec[0] == '\0')
        return upod_fail(err, 0, "invalid environment variable \"%s\": use KEY=VALUE or KEY", spec);
    if (strchr(spec, '=')) {
        *out = xstrdup(spec);
        return 0;
    }
    const char *v = getenv(spec);
    if (v)
        *out = xasprintf("%s=%s", spec, v);
    return 0;
}
