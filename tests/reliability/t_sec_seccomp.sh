# Security: the seccomp filter, seen from inside a real container (issue
# 13, item 3). The probe ($SYSPROBE, tests/tools/sysprobe.c) prints one
# line per attempt, "NAME ok" or "NAME ERRNO". The filter program itself
# is checked call by call in tests/unit/test_seccomp.c.

# probe_in_container [RUN-ARGS...]: run the probe in a fresh container (its
# own pod), output in $out.
probe_in_container() {
    make_rootfs "$TESTDIR/rootfs"
    cp "$SYSPROBE" "$TESTDIR/rootfs/bin/sysprobe"
    run_upod run --rm "$@" --rootfs "$TESTDIR/rootfs" sysprobe
    assert_status 0
}

# assert_probe NAME RESULT: the probe's line for NAME says RESULT.
assert_probe() {
    local line
    line=$(grep "^$1 " <<<"$out")
    assert_eq "$line" "$1 $2" "the probe's attempt $1 (all: $(tr '\n' ',' <<<"$out"))"
}

# clone with namespace flags (a new user and net namespace would give the
# child every capability there: raw sockets, AF_PACKET, nfnetlink) and
# clone3, whose flags a filter cannot read, are refused like unshare.
test_clone_with_namespace_flags_refused() {
    probe_in_container
    assert_probe clone_newuser_newnet EPERM
    assert_probe clone_newns EPERM
    assert_probe clone3_newuser ENOSYS
    assert_probe unshare_newuser EPERM
}

# io_uring, vsock, audit netlink, personality flags, pidfd_getfd.
test_refused_interfaces() {
    probe_in_container
    assert_probe io_uring_setup ENOSYS
    assert_probe socket_vsock EAFNOSUPPORT
    assert_probe socket_netlink_audit EINVAL
    assert_probe personality_addr_no_randomize EPERM
    assert_probe pidfd_getfd EPERM
}

# What must keep working: processes and threads (musl's pthread_create and
# posix_spawn use clone without namespace flags), sockets, personality
# queries; and a shell's pipelines, subshells and background jobs.
test_ordinary_processes_still_work() {
    probe_in_container
    local what
    for what in fork clone_plain thread posix_spawn socket_inet socket_netlink_route \
        personality_query; do
        assert_probe "$what" ok
    done
    run_upod run --rm --rootfs "$TESTDIR/rootfs" sh -c \
        'echo abc | tr b x | cat; (echo sub); sleep 0 & wait; echo $(echo nested)'
    assert_status 0
    assert_eq "$out" $'axc\nsub\nnested' "a shell's pipelines, subshells and jobs"
}

# The filter is the same for exec and for --init containers.
test_exec_and_init_filtered_too() {
    make_rootfs "$TESTDIR/rootfs"
    cp "$SYSPROBE" "$TESTDIR/rootfs/bin/sysprobe"
    run_upod run -d --init --name box --rootfs "$TESTDIR/rootfs" sleep 300
    assert_status 0
    run_upod exec box sysprobe
    assert_status 0
    assert_probe clone_newuser_newnet EPERM
    assert_probe clone3_newuser ENOSYS
    assert_probe io_uring_setup ENOSYS
    assert_probe fork ok
    assert_probe thread ok
    run_upod rm -f -t 0 box
    assert_status 0
}
