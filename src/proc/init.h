/* init.h: upod-init (--init), the init of a container.
 *
 * Theory of operation
 * -------------------
 * With --init, the container's process (ctr_process.h), once set up all
 * the way (mounts, root, user, capabilities, seccomp: sandbox/container.h),
 * forks the command and stays as its init:
 *
 *   upod-init        PID 1 of the container's pid namespace (unless the
 *    |               pod shares pid): forwards every signal it may catch
 *    |               to the command, reaps whatever is orphaned to it,
 *    |               exits with the command's status
 *    +-- command     exec'd by the child, with everything set up above
 *
 * upod-init runs in the container's namespaces, with its user,
 * capabilities and seccomp filter, and touches nothing but signals and
 * wait: it keeps no descriptor of upod's (the report socket would be held
 * open for the container's life; nothing of the host may stay reachable
 * from inside). It stays non-dumpable: a fork of upod, never exec'd, its
 * memory still holds the caller's environment and upod's heap. `exec`
 * joins the container through the command instead (proc/watch.c: wrappers_of). */
#ifndef UPOD_INIT_H
#define UPOD_INIT_H

#include "sandbox/container.h"

/* ready: as container_setup left it. */
__attribute__((noreturn)) void init_run(const container_spec_t *ready);

#endif
