/* enter.h: `upod pod enter`: a host command inside a running pod.
 *
 * Theory of operation
 * -------------------
 * The command runs in the process pod_spawn (spawn.h) starts: in the pod's
 * user, mount (the host's filesystem) and shared namespaces, with fresh
 * ones for what the pod does not share, or all of the infra's
 * (all_infra). Before its exec, that process mounts what is fresh (a /proc
 * for its own pid namespace, /dev/shm and /dev/mqueue for its own ipc
 * namespace), brings lo up in its own network namespace, and with
 * keep-id switches to the user's own ids (no capabilities). It touches
 * nothing else. The CLI waits for it, ignoring the terminal's INT and
 * QUIT (they reach the command itself). */
#ifndef UPOD_ENTER_H
#define UPOD_ENTER_H

#include <stdbool.h>

#include "base/error.h"
#include "state/pod.h"

/* Run argv; returns its exit status (128+N when killed by signal N), 126 or
 * 127 when it cannot be run, or -1 with err. */
int pod_enter(const pod_t *pod, int pods_fd, bool all_infra, char **argv, upod_error_t *err);

#endif
