/* ctr_process.h: the container's process, from the join to the exec.
 *
 * Theory of operation
 * -------------------
 * pod_spawn_start (spawn.h) runs container_start in the process that
 * becomes the container: the caller's child (or the relay's, when the pod
 * does not share pid: relay.h), inside the pod's namespaces, with its own
 * mount namespace and fresh ones for what the pod does not share. It
 * holds nothing of upod's but its report socket, console socket and stdio
 * (and the caller's --preserve-fds), and is not dumpable until its exec.
 *
 *   container_start
 *    | its own network (fresh net): lo, and its tap0 to the keeper
 *    | setup: mounts, pivot_root, pty, user, capabilities, seccomp
 *    +-- exec the command, or with --init become upod-init (init.h),
 *        which forks the command
 *
 * The setup itself is sandbox/container.h's; what runs after it (which
 * process the command is) is decided here. */
#ifndef UPOD_CTR_PROCESS_H
#define UPOD_CTR_PROCESS_H

/* A pod_child_fn_t (spawn.h): arg is the container_spec_t, fresh the
 * namespaces made for the process. Never returns. */
__attribute__((noreturn)) void container_start(void *spec, int fresh);

#endif
