# Limits: out of file descriptors, out of disk space for the state
# directory. upod must fail with a clear one-line error, leave no corrupt or
# half-written state, and work again once the resource is back.

. "$TESTS/../reliability/helpers.sh"

# It looks for what is left of the user's pods (assert_truthful,
# assert_all_cleaned: see tests/integration/runner.sh).
PROCESS_TABLE_TESTS=test_out_of_fds

# assert_clean_failure WHAT: the last run_upod either succeeded or failed
# with upod's own one-line error and status (not a crash).
assert_clean_failure() {
    [ "$status" -eq 0 ] && return 0
    [ "$status" -lt 128 ] || fail "$1: killed by signal $((status - 128)): $err"
    assert_one_line "$err" "$1: stderr"
    assert_contains "$err" "Error: " "$1: stderr"
}

test_out_of_fds() {
    make_rootfs "$TESTDIR/rootfs"
    local n failures=0
    for n in 3 4 5 6 7 8 10 12 16 24; do
        run_upod_limited "$n" pod create --name "f$n"
        assert_clean_failure "pod create with $n fds"
        [ "$status" -eq 0 ] || failures=$((failures + 1))
        if [ "$status" -eq 0 ]; then
            run_upod_limited "$n" pod start "f$n"
            assert_clean_failure "pod start with $n fds"
            # The pod exists: failing to read it is not "no such pod".
            assert_not_contains "$err" "no pod with name" "pod start with $n fds"
            run_upod_limited "$n" run -d --pod "f$n" --name "c$n" --rootfs "$TESTDIR/rootfs" sleep 300
            assert_clean_failure "run -d with $n fds"
        fi
        assert_truthful
    done
    [ "$failures" -gt 0 ] || fail "no command failed: the limits tried are too high to test anything"
    # With the limit back, everything works and goes.
    run_upod pod create --name after
    assert_status 0
    run_upod run --rm --pod after --rootfs "$TESTDIR/rootfs" true
    assert_status 0
    assert_all_cleaned
}

# run_upod_limited N ARGS...: run_upod with at most N open files.
run_upod_limited() {
    local n=$1
    shift
    out=$(exec 2>"$TESTDIR/.stderr" && ulimit -n "$n" && exec "$UPOD" "$@")
    status=$?
    err=$(cat "$TESTDIR/.stderr")
}

# The state directory on a 2 MB tmpfs of our own (mounted as root of a user
# and mount namespace of the test's, where upod then runs: no real root
# needed), filled up: commands that must
# write state fail clearly, nothing half-written stays, and all works again
# once space is freed.
test_out_of_disk_space() {
    make_rootfs "$TESTDIR/rootfs"
    cat >"$TESTDIR/full.sh" <<'SCRIPT'
set -u
. "$TESTS/lib.sh"
. "$TESTS/../reliability/helpers.sh"
TESTDIR=$1
mount -t tmpfs -o size=2m,mode=0700 tmpfs "$XDG_RUNTIME_DIR" || fail "cannot mount a tmpfs"
run_upod pod create --name a
assert_status 0
run_upod pod start a
assert_status 0
run_upod run -d --pod a --name c1 --rootfs "$TESTDIR/rootfs" sleep 300
assert_status 0
dd if=/dev/zero of="$XDG_RUNTIME_DIR/filler" bs=4k 2>/dev/null
for attempt in "pod create --name b" "run -d --pod a --name c2 --rootfs $TESTDIR/rootfs true" \
               "create --pod a --name c3 --rootfs $TESTDIR/rootfs true"; do
    # shellcheck disable=SC2086
    run_upod $attempt
    [ "$status" -ne 0 ] || fail "$attempt succeeded on a full disk"
    assert_one_line "$err" "$attempt: stderr"
    assert_contains "$err" "No space left on device" "$attempt: stderr"
done
assert_eq "$("$UPOD" pod ps --format '{{.Name}} {{.Status}}')" "a Running" "pods on a full disk"
assert_eq "$("$UPOD" ps -a --format '{{.Names}} {{.Status}} {{.IsInfra}}' | awk '$NF == "false" {print $1, $2}')" \
    "c1 Up" "containers on a full disk"
left=$(find "$XDG_RUNTIME_DIR/upod" -name '*.tmp*' -o -name '.new-*' -o -name '.rm-*')
assert_eq "$left" "" "half-written files on a full disk"
rm -f "$XDG_RUNTIME_DIR/filler"
run_upod pod create --name b
assert_status 0
run_upod run --rm --pod a --rootfs "$TESTDIR/rootfs" true
assert_status 0
run_upod pod rm -f -t 0 --all
assert_status 0
assert_eq "$("$UPOD" ps -aq)$("$UPOD" pod ps -q)" "" "state after cleanup"
SCRIPT
    unshare --map-root-user --mount bash "$TESTDIR/full.sh" "$TESTDIR" ||
        fail "the full-disk scenario failed (see above)"
}
