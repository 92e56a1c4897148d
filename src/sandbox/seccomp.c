/* seccomp.c: see seccomp.h. A classic BPF program: check the
 * architecture and the ABI, answer ENOSYS for syscalls newer than the last
 * one reviewed, check the arguments of clone, socket and personality, then
 * compare the syscall number with each refused one. docs/reliability.md
 * lists where this differs from podman's and Docker's default profiles,
 * and why. */
#include "sandbox/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define UPOD_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define UPOD_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp.c: add this architecture's AUDIT_ARCH (and check its clone argument order)"
#endif

/* The argument checks read the low 32 bits of a 64-bit argument, which
 * come first on a little-endian machine. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "seccomp.c: the argument offsets assume a little-endian machine"
#endif

/* Syscalls newer than the libc headers know. Since Linux 5.1 (424) every
 * architecture gives a new syscall the same number. */
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif
#define SYS_lsm_get_self_attr_ 459
#define SYS_lsm_set_self_attr_ 460
#define SYS_lsm_list_modules_ 461
#define SYS_open_tree_attr_ 467
#define SYS_file_getattr_ 468
#define SYS_file_setattr_ 469

/* The newest syscall this filter was reviewed against (file_setattr,
 * Linux 6.17; 6.18 added none). Any later one is answered ENOSYS, as on an
 * older kernel, until it is reviewed: a libc falls back. */
#define NEWEST_REVIEWED_SYSCALL SYS_file_setattr_

/* clone() flags that make namespaces. CLONE_NEWTIME (0x80) is left out: for
 * clone() those bits are the exit signal's, and a time namespace can only
 * come from clone3 or unshare, both refused. */
#define CLONE_NAMESPACE_FLAGS                                                                 \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
     CLONE_NEWCGROUP)

typedef struct refusal {
    long nr;
    int errnum;
} refusal_t;

/* EPERM for what podman's or Docker's default profile refuses a container
 * without CAP_SYS_ADMIN and friends (which upod never grants); ENOSYS where
 * a program is expected to fall back. */
static const refusal_t refused[] = {
    /* Kernel modules, kexec, reboot, swap, clocks, accounting, raw I/O. */
    {SYS_init_module, EPERM}, {SYS_finit_module, EPERM}, {SYS_delete_module, EPERM},
    {SYS_kexec_load, EPERM},
#ifdef SYS_kexec_file_load
    {SYS_kexec_file_load, EPERM},
#endif
    {SYS_reboot, EPERM}, {SYS_swapon, EPERM}, {SYS_swapoff, EPERM},
    {SYS_clock_settime, EPERM}, {SYS_settimeofday, EPERM},
#ifdef SYS_acct
    {SYS_acct, EPERM},
#endif
#ifdef SYS_ioperm
    {SYS_ioperm, EPERM}, {SYS_iopl, EPERM},
#endif
    {SYS_vhangup, EPERM}, {SYS_syslog, EPERM}, {SYS_sethostname, EPERM},
    {SYS_setdomainname, EPERM}, {SYS_quotactl, EPERM}, {SYS_quotactl_fd, EPERM},
    {SYS_lookup_dcookie, EPERM},
    /* Keyrings (not namespaced), bpf, perf events. */
    {SYS_add_key, EPERM}, {SYS_request_key, EPERM}, {SYS_keyctl, EPERM}, {SYS_bpf, EPERM},
    {SYS_perf_event_open, EPERM},
    /* Reaching into other processes beyond ptrace's own checks (Docker:
     * CAP_SYS_PTRACE only). pidfd_getfd copies another process's fd. */
    {SYS_kcmp, EPERM}, {SYS_pidfd_getfd, EPERM}, {SYS_process_madvise, EPERM},
    /* Files by handle, outside the container's root. */
    {SYS_open_by_handle_at, EPERM},
    /* Memory placement and page faults handled by userspace. */
    {SYS_mbind, EPERM}, {SYS_set_mempolicy, EPERM}, {SYS_set_mempolicy_home_node, EPERM},
    {SYS_move_pages, EPERM}, {SYS_migrate_pages, EPERM}, {SYS_userfaultfd, EPERM},
    {SYS_vmsplice, EPERM},
    /* Obsolete interfaces. */
#ifdef SYS_uselib
    {SYS_uselib, EPERM}, {SYS_ustat, EPERM}, {SYS_sysfs, EPERM}, {SYS__sysctl, EPERM},
#endif
#ifdef SYS_nfsservctl
    {SYS_nfsservctl, EPERM},
#endif
    /* Mounts and namespaces: the pod's user namespace would allow them. */
    {SYS_mount, EPERM}, {SYS_umount2, EPERM}, {SYS_pivot_root, EPERM}, {SYS_move_mount, EPERM},
    {SYS_fsopen, EPERM}, {SYS_fsconfig, EPERM}, {SYS_fsmount, EPERM}, {SYS_fspick, EPERM},
    {SYS_open_tree, EPERM}, {SYS_open_tree_attr_, EPERM}, {SYS_mount_setattr, EPERM},
    {SYS_unshare, EPERM}, {SYS_setns, EPERM},
    /* A filter cannot read clone3's flags (they are in memory): ENOSYS, and
     * libcs fall back to clone, whose flags are checked. */
    {SYS_clone3, ENOSYS},
    /* io_uring runs operations the filter never sees. */
    {SYS_io_uring_setup, ENOSYS}, {SYS_io_uring_enter, ENOSYS}, {SYS_io_uring_register, ENOSYS},
    /* Allowed by neither profile: as on a kernel without them, programs
     * use /proc/self/attr and the FS_IOC_FS[GS]ETXATTR ioctls. */
    {SYS_lsm_get_self_attr_, ENOSYS}, {SYS_lsm_set_self_attr_, ENOSYS},
    {SYS_lsm_list_modules_, ENOSYS}, {SYS_file_getattr_, ENOSYS}, {SYS_file_setattr_, ENOSYS},
};

#define NREFUSED (sizeof(refused) / sizeof(refused[0]))

/* Header, the three argument rules, two instructions per refusal, allow:
 * 64 is well above what the fixed rules take. */
#define PROG_MAX (64 + 2 * NREFUSED)

typedef struct filter {
    struct sock_filter insns[PROG_MAX];
    size_t len;
    int overflow;
} filter_t;

static void emit(filter_t *f, struct sock_filter insn)
{
    if (f->len == PROG_MAX) {
        f->overflow = 1;
        return;
    }
    f->insns[f->len++] = insn;
}

static struct sock_filter ret_errno(int errnum)
{
    return (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)errnum);
}

static struct sock_filter ret_allow(void)
{
    return (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

static struct sock_filter load_nr(void)
{
    return (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
}

/* The low 32 bits of argument i: enough for every argument checked here,
 * which the kernel reads as 32-bit (clone's flags are truncated too). */
static struct sock_filter load_arg_low(unsigned i)
{
    return (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                        offsetof(struct seccomp_data, args) + 8 * i);
}

/* if (A == k) return action; */
static void emit_return_if_equal(filter_t *f, unsigned k, struct sock_filter action)
{
    emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 1));
    emit(f, action);
}

/* if (A != k) return action; */
static void emit_return_unless_equal(filter_t *f, unsigned k, struct sock_filter action)
{
    emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 1, 0));
    emit(f, action);
}

/* A rule for syscall nr: its body (which must end in a return) runs only
 * for nr; other syscalls jump over it with A still the number. */
static size_t begin_rule(filter_t *f, long nr)
{
    emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 0));
    return f->len - 1;
}

static void end_rule(filter_t *f, size_t start)
{
    if (!f->overflow)
        f->insns[start].jf = (unsigned char)(f->len - start - 1);
}

/* clone with a namespace flag: EPERM (unshare is refused; this is the
 * other way in). The flags are argument 0 on x86-64 and aarch64. */
static void emit_clone_rule(filter_t *f)
{
    size_t rule = begin_rule(f, SYS_clone);
    emit(f, load_arg_low(0));
    emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NAMESPACE_FLAGS, 0, 1));
    emit(f, ret_errno(EPERM));
    emit(f, ret_allow());
    end_rule(f, rule);
}

/* socket: no AF_VSOCK (the host's hypervisor sockets) nor AF_ALG (the
 * kernel's crypto), answered as by a kernel without them; NETLINK_AUDIT
 * gets EINVAL, as in podman, so that audit-aware tools carry on without. */
static void emit_socket_rule(filter_t *f)
{
    size_t rule = begin_rule(f, SYS_socket);
    emit(f, load_arg_low(0));
    emit_return_if_equal(f, AF_VSOCK, ret_errno(EAFNOSUPPORT));
    emit_return_if_equal(f, AF_ALG, ret_errno(EAFNOSUPPORT));
    emit_return_unless_equal(f, AF_NETLINK, ret_allow());
    emit(f, load_arg_low(2));
    emit_return_if_equal(f, NETLINK_AUDIT, ret_errno(EINVAL));
    emit(f, ret_allow());
    end_rule(f, rule);
}

/* personality: only the values both profiles allow (Linux, 32-bit Linux,
 * UNAME26, both, and the query). No ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC... */
static void emit_personality_rule(filter_t *f)
{
    static const unsigned allowed[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffffu};
    size_t rule = begin_rule(f, SYS_personality);
    emit(f, load_arg_low(0));
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        emit_return_if_equal(f, allowed[i], ret_allow());
    emit(f, ret_errno(EPERM));
    end_rule(f, rule);
}

static void build_default_filter(filter_t *f)
{
    emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                         offsetof(struct seccomp_data, arch)));
    emit_return_unless_equal(f, UPOD_AUDIT_ARCH, ret_errno(EPERM));
    emit(f, load_nr());
#if defined(__x86_64__)
    /* x32 numbers have bit 30 set: refuse them all. */
    emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
    emit(f, ret_errno(EPERM));
#endif
    emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, NEWEST_REVIEWED_SYSCALL, 0, 1));
    emit(f, ret_errno(ENOSYS));
    emit_clone_rule(f);
    emit_socket_rule(f);
    emit_personality_rule(f);
    for (size_t i = 0; i < NREFUSED; i++)
        emit_return_if_equal(f, (unsigned)refused[i].nr, ret_errno(refused[i].errnum));
    emit(f, ret_allow());
}

int seccomp_apply_default(upod_error_t *err)
{
    filter_t f = {.len = 0};
    build_default_filter(&f);
    if (f.overflow)
        return upod_fail(err, 0, "internal error: the seccomp filter needs more than %zu "
                                 "instructions (raise PROG_MAX in seccomp.c)", (size_t)PROG_MAX);
    struct sock_fprog fprog = {.len = (unsigned short)f.len, .filter = f.insns};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
        return upod_fail(err, errno, "cannot install the container's seccomp filter");
    return 0;
}
