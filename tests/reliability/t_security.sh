# Security: what a container can reach of the host, whom its root is, and
# who may use upod's state. (The seccomp filter and the control socket's
# peer check are in t_run.sh and the unit tests; the host's loopback in
# t_net.sh: test_host_loopback_only_when_allowed.)

. "$TESTS/../reliability/helpers.sh"

# A host process the container must neither see nor signal, however hard
# its root tries (kill -KILL -1 signals everything the sender can see).
test_container_cannot_see_or_signal_host_processes() {
    make_rootfs "$TESTDIR/rootfs"
    cp "$(command -v sleep)" "$TESTDIR/host-marker-31337"
    "$TESTDIR/host-marker-31337" 300 &
    local marker=$!
    run_upod pod create --name walls
    assert_status 0
    run_upod run --rm --pod walls --rootfs "$TESTDIR/rootfs" sh -c \
        'cat /proc/[0-9]*/cmdline | tr "\0" " "; echo; kill -KILL -1; echo killed'
    assert_status 0
    assert_not_contains "$out" "host-marker-31337" "processes the container sees"
    assert_contains "$out" "killed" "the container's output"
    kill -0 "$marker" 2>/dev/null || fail "the container's kill -KILL -1 reached a host process"
    kill "$marker"
}

# The container's root is the user, no one more: uid 0 maps to the user's
# uid alone, nothing maps to the host's root, and what root writes to a
# volume belongs to the user on the host.
test_container_root_maps_to_the_user_only() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir "$TESTDIR/vol"
    run_upod pod create --name maps
    assert_status 0
    run_upod run -d --name mapper --pod maps -v "$TESTDIR/vol:/vol" --rootfs "$TESTDIR/rootfs" sh -c \
        'touch /vol/by-root; exec sleep 63'
    assert_status 0
    wait_for 5 own_pgrep -xf 'sleep 63' >/dev/null || fail "the container did not start"
    # Read from the host, which sees the host's ids (from inside, the map
    # is relative to the parent user namespace: 0 is the parent's 0).
    out=$(cat "/proc/$(own_pgrep -xf 'sleep 63' | head -n 1)/uid_map")
    local root_line
    root_line=$(awk '$1 == 0 {print $2, $3}' <<<"$out")
    assert_eq "$root_line" "$(id -u) 1" "what uid 0 maps to (uid_map: $out)"
    [ -z "$(awk '$2 == 0' <<<"$out")" ] || fail "something maps to the host's root: $out"
    assert_eq "$(stat -c %u "$TESTDIR/vol/by-root")" "$(id -u)" "owner of a file root made in a volume"
}

# The state directory: a symlink or a directory of someone else is refused
# by every command that would write state, and nothing is written.
test_state_dir_symlink_refused() {
    mkdir "$TESTDIR/elsewhere"
    chmod 0700 "$TESTDIR/elsewhere"
    ln -s "$TESTDIR/elsewhere" "$XDG_RUNTIME_DIR/upod"
    run_upod pod create --name nope
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "is a symlink"
    assert_eq "$(ls -A "$TESTDIR/elsewhere")" "" "files written through the symlink"
}

test_state_dir_open_to_others_refused() {
    mkdir -m 0755 "$XDG_RUNTIME_DIR/upod"
    run_upod pod create --name nope
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "chmod 0700"
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod")" "" "files written in an open state directory"
}
