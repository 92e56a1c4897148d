/* seccomp.h: the syscall filter every container runs under. It refuses,
 * with EPERM, what podman's or Docker's default profile refuses a
 * container without CAP_SYS_ADMIN and friends (kernel modules, kexec,
 * keyrings, bpf, perf events, handles to files outside the container,
 * clocks, swap, reboot, accounting, namespace creation and entry (unshare,
 * setns, clone with a namespace flag), mounts, userfaultfd, pidfd_getfd...),
 * AF_VSOCK and AF_ALG sockets, personality flags such as ADDR_NO_RANDOMIZE,
 * and every syscall of another ABI (i386, x32) than the binary's. clone3,
 * io_uring and syscalls newer than the filter answer ENOSYS, as on a
 * kernel without them, so that programs fall back. */
#ifndef UPOD_SECCOMP_H
#define UPOD_SECCOMP_H

#include "base/error.h"

/* Install it in the calling thread (no_new_privs must be set). */
int seccomp_apply_default(upod_error_t *err);

#endif
