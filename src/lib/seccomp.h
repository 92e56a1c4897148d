/* seccomp.h: the syscall filter every container runs under. It refuses,
 * with EPERM, the syscalls podman's default profile refuses to rootless
 * containers (kernel modules, kexec, keyrings, bpf, perf events, handles
 * to files outside the container, clocks, swap, reboot, accounting,
 * namespace creation and entry, mounts, userfaultfd...), and every syscall
 * of another ABI (i386, x32) than the binary's. */
#ifndef UPOD_SECCOMP_H
#define UPOD_SECCOMP_H

#include "error.h"

/* Install it in the calling thread (no_new_privs must be set). */
int seccomp_apply_default(upod_error_t *err);

#endif
