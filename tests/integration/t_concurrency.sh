# Concurrency (issue 8): many upod commands at once on one pod must all
# succeed, with unique names, and leave the state whole.

test_50_concurrent_runs_and_execs() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name busy
    run_upod pod start busy
    assert_status 0
    local i
    for i in $(seq 50); do
        "$UPOD" run -d --pod busy --rootfs "$TESTDIR/rootfs" sleep 1000 >"$TESTDIR/run.$i" 2>&1 &
    done
    wait
    for i in $(seq 50); do
        grep -qx '[0-9a-f]\{64\}' "$TESTDIR/run.$i" || fail "run -d #$i: $(cat "$TESTDIR/run.$i")"
    done
    run_upod ps --filter pod=busy --filter status=running --format '{{.Names}}'
    local names
    names=$(grep -v infra <<<"$out")
    assert_eq "$(wc -l <<<"$names")" "50" "running containers"
    assert_eq "$(sort -u <<<"$names" | wc -l)" "50" "unique names"
    local target
    target=$(head -n 1 <<<"$names")
    for i in $(seq 50); do
        ("$UPOD" exec "$target" true >"$TESTDIR/exec.$i" 2>&1; echo "status $?" >>"$TESTDIR/exec.$i") &
    done
    wait
    for i in $(seq 50); do
        grep -qx 'status 0' "$TESTDIR/exec.$i" || fail "exec #$i: $(cat "$TESTDIR/exec.$i")"
    done
    # Every record still reads back (nothing half-written).
    run_upod inspect $names
    assert_status 0
    assert_eq "$(jq length <<<"$out")" "50" "records that inspect reads"
    run_upod pod rm -f busy
    assert_status 0
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers")" "" "records after pod rm"
}
