/* seccomp.c: see seccomp.h. A classic BPF program: check the
 * architecture, then compare the syscall number with each refused one. */
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define UPOD_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define UPOD_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp.c: add this architecture's AUDIT_ARCH"
#endif

/* What podman's default profile does not allow a container without
 * CAP_SYS_ADMIN and friends (which upod never grants). */
static const long refused[] = {
#ifdef SYS_acct
    SYS_acct,
#endif
    SYS_add_key, SYS_bpf, SYS_clock_adjtime, SYS_clock_settime, SYS_delete_module,
    SYS_finit_module, SYS_init_module, SYS_kcmp, SYS_kexec_load, SYS_keyctl,
#ifdef SYS_kexec_file_load
    SYS_kexec_file_load,
#endif
#ifdef SYS_ioperm
    SYS_ioperm, SYS_iopl,
#endif
    SYS_lookup_dcookie, SYS_mount, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount,
    SYS_fspick, SYS_open_tree, SYS_name_to_handle_at, SYS_open_by_handle_at,
    SYS_perf_event_open, SYS_pivot_root, SYS_quotactl, SYS_reboot, SYS_request_key,
    SYS_setns, SYS_settimeofday, SYS_swapon, SYS_swapoff, SYS_umount2, SYS_unshare,
    SYS_userfaultfd, SYS_vhangup, SYS_syslog, SYS_mbind, SYS_set_mempolicy, SYS_move_pages,
#ifdef SYS_uselib
    SYS_uselib, SYS_ustat, SYS_sysfs, SYS__sysctl,
#endif
#ifdef SYS_nfsservctl
    SYS_nfsservctl,
#endif
};

#define NREFUSED (sizeof(refused) / sizeof(refused[0]))

int seccomp_apply_default(upod_error_t *err)
{
    /* arch check (3), x32 check (2 on x86-64), one test per refused
     * syscall, allow, refuse. */
    struct sock_filter prog[8 + NREFUSED];
    size_t n = 0;
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, arch));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, UPOD_AUDIT_ARCH, 1, 0);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                             offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    /* x32 numbers have bit 30 set: refuse them all. */
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
#endif
    for (size_t i = 0; i < NREFUSED; i++) {
        /* Match: jump to the refusal after the allow (the rest of the
         * tests, then the allow, lie in between). */
        unsigned char to_refuse = (unsigned char)(NREFUSED - i);
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)refused[i],
                                                 to_refuse, 0);
    }
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    struct sock_fprog fprog = {.len = (unsigned short)n, .filter = prog};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
        return upod_fail(err, errno, "cannot install the container's seccomp filter");
    return 0;
}
