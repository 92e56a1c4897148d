# Concurrency (issue 8): many upod commands at once on one pod must all
# succeed, with unique names, and leave the state whole.

# It finds its containers' monitors among the user's processes (own_pgrep:
# see tests/integration/runner.sh); a gigabyte of output takes both CPUs
# for a while: it runs in the serial lane, never beside the load tests.
PROCESS_TABLE_TESTS=test_a_gigabyte_of_output_stays_capped
SERIAL_TESTS=test_a_gigabyte_of_output_stays_capped

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

# 1 GB on stdout: the log stays within its cap (8 MiB, one older file),
# the container's monitor does not grow, nor does the pod's keeper.
test_a_gigabyte_of_output_stays_capped() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name loud
    # 27027027 lines of 37 bytes: exactly 999999999 bytes, then END.
    "$UPOD" run -d --name big --pod loud --rootfs "$TESTDIR/rootfs" \
        sh -c 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 999999999; echo END' >/dev/null ||
        fail "run -d"
    local mon rss_early rss_late keeper keeper_rss
    mon=$(own_pgrep -f '^upod-monitor big')
    [ -n "$mon" ] || fail "no monitor"
    # The keeper never sees container output: its memory stays as it was.
    keeper=$("$UPOD" pod inspect --format '{{.KeeperPid}}' loud)
    keeper_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$keeper/status")
    sleep 1
    rss_early=$(awk '/^VmRSS:/ {print $2}' "/proc/$mon/status")
    wait_for 100 sh -c "'$UPOD' ps -a --filter name=big --format '{{.State}}' | grep -qx exited" || {
        rss_late=$(awk '/^VmRSS:/ {print $2}' "/proc/$mon/status" 2>/dev/null)
        fail "1 GB took more than 100 s (monitor RSS $rss_early -> $rss_late KiB)"
    }
    [ "$(awk '/^VmRSS:/ {print $2}' "/proc/$keeper/status")" -le $((keeper_rss + 256)) ] ||
        fail "keeper RSS grew: $keeper_rss -> $(awk '/^VmRSS:/ {print $2}' "/proc/$keeper/status") KiB"
    local dir
    dir=$(ls -d "$XDG_RUNTIME_DIR"/upod/containers/*/)
    local cap=$((8 * 1024 * 1024 + 16 * 1024 + 128)) f size
    for f in ctr.log ctr.log.1; do
        size=$(stat -c %s "$dir/$f")
        [ "$size" -le "$cap" ] || fail "$f is $size bytes, over the cap"
    done
    assert_eq "$("$UPOD" logs --tail 2 big)" "0123456789abcdefghijklmnopqrstuvwxyz
END" "the end of the output"
    # The monitor is gone now; while it ran, a sample taken late must not
    # be far above the early one: measured in a second run, which writes
    # until it is removed (a bounded one may end, its monitor a zombie
    # without RSS, before the late sample on a fast machine).
    "$UPOD" run -d --name big2 --pod loud --rootfs "$TESTDIR/rootfs" \
        sh -c 'yes 0123456789abcdefghijklmnopqrstuvwxyz' >/dev/null || fail "run -d"
    mon=$(own_pgrep -f '^upod-monitor big2')
    sleep 0.5
    rss_early=$(awk '/^VmRSS:/ {print $2}' "/proc/$mon/status")
    sleep 1.5
    rss_late=$(awk '/^VmRSS:/ {print $2}' "/proc/$mon/status")
    "$UPOD" rm -f -t 0 big2 >/dev/null
    [ -n "$rss_early" ] && [ -n "$rss_late" ] || fail "no RSS sample of the monitor: '$rss_early' '$rss_late'"
    [ "$rss_late" -le $((rss_early + 512)) ] || fail "monitor RSS grew: $rss_early -> $rss_late KiB"
}
