/* spec.c: a container's spec from its record (container.h: ctr_spec_build). */
#include "sandbox/container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "state/pod.h"
#include "state/state.h"
#include "text/share.h"

static char **strv_dup(char *const *v, size_t n)
{
    char **copy = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        copy[i] = xstrdup(v[i]);
    return copy;
}

/* STATE/kind/id/name's content, never through a symlink. */
static int read_state_file(const char *state_path, const char *kind, const char *id,
                           const char *name, char **out, upod_error_t *err)
{
    cleanup_free char *dir_path = xasprintf("%s/%s/%s", state_path, kind, id);
    cleanup_close int dir = open(dir_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0)
        return upod_fail(err, errno, "cannot open %s", dir_path);
    if (state_read_file(dir, name, out, err) < 0) {
        upod_error_wrap(err, "%s", dir_path);
        return -1;
    }
    return 0;
}

int ctr_spec_build(const ctr_t *c, const pod_t *pod, const char *state_path,
                   container_spec_t *spec, upod_error_t *err)
{
    memset(spec, 0, sizeof(*spec));
    memcpy(spec->id, c->id, sizeof(spec->id));
    spec->name = xstrdup(c->name);
    spec->rootfs = xstrdup(c->rootfs);
    spec->overlay_dir = c->overlay ? xasprintf("%s/containers/%s", state_path, c->id) : NULL;
    spec->argv = strv_dup(c->argv, c->argc);
    spec->env = strv_dup(c->env, c->nenv);
    spec->workdir = xstrdup(c->workdir ? c->workdir : "/");
    spec->uid = c->uid;
    spec->gid = c->gid;
    spec->hostname = c->hostname ? xstrdup(c->hostname) : NULL;
    spec->volumes = xcalloc(c->nvolumes + 1, sizeof(volume_t));
    for (; spec->nvolumes < c->nvolumes; spec->nvolumes++) {
        const volume_t *v = &c->volumes[spec->nvolumes];
        spec->volumes[spec->nvolumes] = (volume_t){xstrdup(v->source), xstrdup(v->target),
                                                   v->read_only};
    }
    spec->tmpfs = strv_dup(c->tmpfs, c->ntmpfs);
    spec->ntmpfs = c->ntmpfs;
    spec->read_only = c->read_only;
    spec->init = c->with_init;
    spec->caps = c->caps;
    if (read_state_file(state_path, "containers", c->id, "hostname", &spec->hostname_data,
                        err) < 0 ||
        read_state_file(state_path, "pods", pod->config.id, "hosts", &spec->hosts_data, err) < 0 ||
        read_state_file(state_path, "pods", pod->config.id, "resolv.conf", &spec->resolv_data,
                        err) < 0)
        return -1;
    spec->share_ipc = pod->config.share & SHARE_IPC;
    if (!(pod->config.share & SHARE_NET) && pod->config.net.mode != NET_MODE_NONE) {
        spec->own_net_pod_dir = xasprintf("%s/pods/%s", state_path, pod->config.id);
        spec->own_net_mtu = pod->config.net.mtu;
    }
    return 0;
}

