/* exec.h: `upod exec`: a command in a running container, in the
 * namespaces of its command, with its user, capabilities and environment. */
#ifndef UPOD_EXEC_H
#define UPOD_EXEC_H

#include <stdbool.h>

#include "base/error.h"
#include "state/ctr.h"

/* `upod exec`: run argv in the running container c (all of its
 * namespaces, joined through a pidfd of its command), with its environment
 * plus extra_env, as uid:gid in workdir, with its capabilities; tty: on a
 * pty of the container's, relayed to our terminal. Returns the exit status
 * (126/127 when argv cannot be run), or -1 with err. The caller's fds
 * 3..preserve_fds+2 are passed on; no other fd of upod's or the caller's. */
int ctr_exec(const ctr_t *c, char **argv, char **extra_env, uid_t uid, gid_t gid,
             const char *workdir, bool tty, unsigned preserve_fds, upod_error_t *err);

#endif
