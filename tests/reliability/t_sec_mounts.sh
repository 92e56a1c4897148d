# Security: a container's mounts stay inside its rootfs, and its writes
# never land in upod's state directory (issue 13, items 4 and 5).

. "$TESTS/../reliability/helpers.sh"

# A rootfs whose /vv/sub is a symlink to a host directory (absolute), and
# whose /up climbs out with "..": mount targets under them are resolved as
# the container sees them, inside the rootfs, never on the host.
test_mount_targets_through_symlinks_stay_in_the_rootfs() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir -p "$TESTDIR/outside" "$TESTDIR/rootfs/vv" "$TESTDIR/vol"
    echo from-volume >"$TESTDIR/vol/file"
    ln -s "$TESTDIR/outside" "$TESTDIR/rootfs/vv/sub"
    ln -s ../../../../../../../../../../.."$TESTDIR/outside" "$TESTDIR/rootfs/up"
    run_upod pod create --name links
    assert_status 0
    run_upod run --rm --pod links --rootfs "$TESTDIR/rootfs" -v "$TESTDIR/vol:/vv/sub/deeper" \
        --tmpfs /vv/sub/x -v "$TESTDIR/vol:/up/y:ro" sh -c \
        "cat /vv/sub/deeper/file; cat /up/y/file; grep -c ' $TESTDIR/outside/x ' /proc/mounts"
    assert_status 0
    assert_eq "$out" "from-volume
from-volume
1" "the volumes and the tmpfs, seen from inside"
    assert_eq "$(ls -A "$TESTDIR/outside")" "" "what the mounts made on the host"
    # They were made where the container looks: in the rootfs.
    [ -d "$TESTDIR/rootfs$TESTDIR/outside/deeper" ] || fail "the volume's mount point is not in the rootfs"
}

# --tmpfs with ".." is refused before anything is made.
test_tmpfs_with_dotdot_refused() {
    make_rootfs "$TESTDIR/rootfs"
    local escape=/tmp/upod-escape-$$-$RANDOM
    run_upod run --rm --rootfs "$TESTDIR/rootfs" --tmpfs "/../../../../../../../..$escape" true
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "must not contain .."
    [ ! -e "$escape" ] || fail "--tmpfs with .. made $escape on the host"
    assert_eq "$("$UPOD" ps -aq)" "" "containers after a refused --tmpfs"
}

# The container's /etc/hosts is writable, as in podman, but is its own:
# filling it neither fills the state directory nor changes the pod's file.
test_etc_hosts_cannot_fill_the_state_directory() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name fill
    assert_status 0
    run_upod run -d --pod fill --name other --rootfs "$TESTDIR/rootfs" sleep 60
    assert_status 0
    local pod_id hosts before
    pod_id=$("$UPOD" pod inspect --format '{{.Id}}' fill)
    hosts=$XDG_RUNTIME_DIR/upod/pods/$pod_id/hosts
    before=$(cat "$hosts")
    local used_before
    used_before=$(du -sk "$XDG_RUNTIME_DIR/upod" | cut -f1)
    run_upod run --rm --pod fill --rootfs "$TESTDIR/rootfs" sh -c \
        'echo "10.9.9.9 mine" >>/etc/hosts && grep -c mine /etc/hosts;
         dd if=/dev/zero of=/etc/hosts bs=1M count=64 2>/dev/null; echo dd=$?;
         echo "10.9.9.9 more" >/etc/resolv.conf; echo newname >/etc/hostname'
    assert_status 0
    assert_contains "$out" "1" "the container's own line in /etc/hosts"
    assert_contains "$out" "dd=1" "dd's status once the container's /etc/hosts space is full"
    assert_eq "$(cat "$hosts")" "$before" "the pod's hosts file after a container wrote its own"
    local used_after
    used_after=$(du -sk "$XDG_RUNTIME_DIR/upod" | cut -f1)
    [ $((used_after - used_before)) -lt 1024 ] ||
        fail "the state directory grew from ${used_before} KB to ${used_after} KB"
    run_upod exec other cat /etc/hosts
    assert_not_contains "$out" "mine" "another container's /etc/hosts"
    run_upod run --rm --pod fill --rootfs "$TESTDIR/rootfs" sh -c 'pod=$(cat /etc/hostname); echo $pod'
    assert_eq "$out" "fill" "the next container's /etc/hostname"
}

# A symlink planted in place of a pod's or a container's file in the
# state directory is never followed into the container.
test_planted_state_symlinks_are_not_followed() {
    make_rootfs "$TESTDIR/rootfs"
    echo host-secret >"$TESTDIR/secret"
    run_upod pod create --name plant
    assert_status 0
    run_upod pod start plant
    assert_status 0
    local pod_id
    pod_id=$("$UPOD" pod inspect --format '{{.Id}}' plant)
    ln -sf "$TESTDIR/secret" "$XDG_RUNTIME_DIR/upod/pods/$pod_id/hosts"
    run_upod run --rm --pod plant --rootfs "$TESTDIR/rootfs" cat /etc/hosts
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "hosts"
    assert_not_contains "$out" "host-secret"
    run_upod pod rm -f plant
    run_upod create --name planted --rootfs "$TESTDIR/rootfs" cat /etc/hostname
    assert_status 0
    local id
    id=$("$UPOD" inspect --format '{{.Id}}' planted)
    ln -sf "$TESTDIR/secret" "$XDG_RUNTIME_DIR/upod/containers/$id/hostname"
    run_upod start -a planted
    assert_status 125
    assert_contains "$err" "hostname"
    assert_not_contains "$out" "host-secret"
}

# A read-only bind (a :ro volume, /sys) is read-only where it is attached:
# it is made read-only before it is attached, not remounted by a path a
# changing rootfs could send elsewhere.
test_read_only_binds_are_read_only_where_they_are() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir "$TESTDIR/vol"
    run_upod run --rm --rootfs "$TESTDIR/rootfs" -v "$TESTDIR/vol:/data:ro" sh -c \
        'awk "\$2 == \"/data\" || \$2 == \"/sys\" {print \$2, substr(\$4, 1, 3)}" /proc/mounts;
         touch /data/x 2>/dev/null && echo wrote; awk "\$2 == \"/dev\" {print \$2, substr(\$4, 1, 3)}" /proc/mounts'
    assert_status 0
    assert_eq "$out" "/sys ro,
/data ro,
/dev rw," "the read-only mounts, and /dev, as the container sees them"
}
