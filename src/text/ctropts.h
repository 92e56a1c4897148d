/* ctropts.h: the values of a container's options as the command line and
 * the records give them: -v, -u, -e, --cap-add/--cap-drop. */
#ifndef UPOD_CTROPTS_H
#define UPOD_CTROPTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

#define CONTAINER_ID_LEN 64

typedef struct {
    char *source;       /* host path */
    char *target;       /* path in the container */
    bool read_only;
} volume_t;

/* podman's default capability set for rootless containers. */
unsigned long long container_default_caps(void);
/* --cap-add / --cap-drop: a name ("NET_RAW", "CAP_NET_RAW", "all"). */
int container_caps_edit(unsigned long long *caps, const char *name, bool add, upod_error_t *err);

/* -v SRC:DST[:ro|rw] (SRC made absolute by the caller). */
int volume_parse(const char *spec, volume_t *out, upod_error_t *err);
/* -u UID[:GID], numbers only (the rootfs' /etc/passwd is not read). */
int user_parse(const char *spec, uid_t *uid, gid_t *gid, upod_error_t *err);
/* -e KEY=VALUE or KEY (taken from our environment); NULL when KEY is
 * unset and without '='. */
int env_parse(const char *spec, char **out, upod_error_t *err);

#endif
