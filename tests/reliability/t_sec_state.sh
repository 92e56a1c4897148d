# State that must always be cleaned up (issue 13, items 8, 9 and 11): a
# corrupt or oversized record affects itself only, and is shown (Unknown,
# its file named) and removed with its processes; a full state filesystem
# never leaves a container running that its record denies; a killed
# monitor reads Exited (137) without a made-up age; a stopped lock holder
# is named, and waited for a bounded time.

. "$TESTS/../reliability/helpers.sh"

# It looks for its sleeps among the user's processes (own_pgrep: see
# tests/integration/runner.sh).
PROCESS_TABLE_TESTS=test_full_state_fs_start_and_restart

STATE() { echo "$XDG_RUNTIME_DIR/upod"; }

pod_id_of() { "$UPOD" pod inspect --format '{{.Id}}' "$1"; }

# corrupt_pod_file HOW DIR: damage one file of the pod directory DIR.
corrupt_pod_file() {
    local how=$1 dir=$2
    case $how in
    config-garbage) printf 'garbage\001\002 not a state file\n' >"$dir/config" ;;
    config-truncated) head -c 50 "$dir/config" >"$dir/.cut" && mv "$dir/.cut" "$dir/config" ;;
    config-bad-id)
        sed -i "s/^id=.*/id=$(printf 'ab%.0s' $(seq 32))/" "$dir/config" ;;
    state-garbage) printf '\377\376garbage=\\q\n' >"$dir/state" ;;
    esac
}

# A pod whose config or state is damaged is listed Unknown, with its file
# named in a warning; pod rm -f (by id, id prefix or --all) removes it and
# ends its keeper and infra, found from what the state still tells. A
# healthy pod next to it is not affected.
test_corrupt_pod_files_are_shown_and_removed() {
    run_upod pod create --name healthy
    assert_status 0
    run_upod pod start healthy
    assert_status 0
    local how rm_by round=0
    for how in config-garbage config-truncated config-bad-id state-garbage; do
        round=$((round + 1))
        run_upod pod create --name "bad$round"
        assert_status 0
        run_upod pod start "bad$round"
        assert_status 0
        local id keeper infra
        id=$(pod_id_of "bad$round")
        keeper=$("$UPOD" pod inspect --format '{{.KeeperPid}}' "bad$round")
        infra=$(infra_pid "bad$round")
        alive "$keeper" && alive "$infra" || fail "$how: pod bad$round does not run"
        corrupt_pod_file "$how" "$(STATE)/pods/$id"

        run_upod pod ps --format '{{.Id}} {{.Status}}'
        assert_status 0
        assert_contains "$out" "$id Unknown" "$how: pod ps"
        assert_contains "$out" "Running" "$how: pod ps (the healthy pod)"
        assert_contains "$err" "$(STATE)/pods/$id/" "$how: the warning names the file"
        run_upod pod ps
        assert_status 0
        assert_contains "$out" "Unknown" "$how: pod ps table"
        run_upod pod start "${id:0:12}"
        [ "$status" -ne 0 ] || fail "$how: pod start of an unreadable pod succeeded"
        assert_contains "$err" "pod rm -f" "$how: pod start says how to remove it"

        case $round in
        1) rm_by=$id ;;
        2) rm_by=--all ;;
        3) rm_by=${id:0:12} ;;
        *) rm_by=--all ;;
        esac
        if [ "$rm_by" = --all ]; then
            run_upod pod rm -f -t 1 --all
            assert_status 0
            run_upod pod create --name healthy
            assert_status 0
            run_upod pod start healthy
            assert_status 0
        else
            run_upod pod rm -f -t 1 "$rm_by"
            assert_status 0
            assert_contains "$out" "$id" "$how: pod rm prints the id"
        fi
        wait_for 5 eval "! alive $keeper && ! alive $infra" ||
            fail "$how: the keeper ($keeper) or infra ($infra) of the removed pod still runs"
        [ ! -e "$(STATE)/pods/$id" ] || fail "$how: pods/$id is still there"
        run_upod pod ps --format '{{.Name}} {{.Status}}'
        assert_status 0
        assert_eq "$out" "healthy Running" "$how: pods after the removal"
        assert_eq "$err" "" "$how: pod ps stderr after the removal"
    done
}

# A pid recorded in an unreadable state is only signalled if its start
# time matches: a reused pid (here: a process of ours under the recorded
# keeper pid with another start time) is left alone.
test_unreadable_pod_never_kills_a_reused_pid() {
    sleep 300 &
    local bystander=$!
    run_upod pod create --name reused
    assert_status 0
    local id
    id=$(pod_id_of reused)
    printf 'status=Running\nkeeper_pid=%s\nkeeper_start=1\ninfra_pid=%s\ninfra_start=1\njunk\n' \
        "$bystander" "$bystander" >"$(STATE)/pods/$id/state"
    run_upod pod rm -f -t 0 "$id"
    assert_status 0
    alive "$bystander" || fail "pod rm -f killed a process whose start time was not the recorded one"
    kill "$bystander"
}

# corrupt_record HOW FILE: damage a container record, keeping what names
# its monitor and process (the salvageable lines).
corrupt_record() {
    case $1 in
    garbage) sed -i '1i this line is not key=value' "$2" ;;
    oversized) head -c 5000000 /dev/zero | tr '\0' x | sed 's/^/arg=/' >>"$2" ;;
    esac
}

# A damaged container record is listed Unknown (ps -a) with its file named;
# a 5 MB line in one record fails nothing else (ps, pod ps, run -d into
# another pod, rm of another container); rm -f ID and rm -f --all remove
# it and end its monitor and process.
test_corrupt_container_records_affect_only_themselves() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name p1
    assert_status 0
    run_upod pod create --name p2
    assert_status 0
    local how
    for how in garbage oversized; do
        run_upod run -d --pod p1 --name "victim-$how" --rootfs "$TESTDIR/rootfs" sleep 300
        assert_status 0
        local id mon pid
        id=$out
        mon=$("$UPOD" inspect --format '{{.State.ConmonPid}}' "$id")
        pid=$("$UPOD" inspect --format '{{.State.Pid}}' "$id")
        alive "$mon" && alive "$pid" || fail "$how: the container does not run"
        corrupt_record "$how" "$(STATE)/containers/$id/container"

        run_upod ps -a --format '{{.ID}} {{.Status}}'
        assert_status 0
        assert_contains "$out" "${id:0:12} Unknown" "$how: ps -a"
        assert_contains "$err" "$(STATE)/containers/$id/container" "$how: the warning names the file"
        run_upod pod ps
        assert_status 0
        run_upod run -d --pod p2 --name "other-$how" --rootfs "$TESTDIR/rootfs" sleep 300
        assert_status 0
        run_upod rm -f -t 0 "other-$how"
        assert_status 0
        run_upod start "$id"
        [ "$status" -ne 0 ] || fail "$how: start of an unreadable record succeeded"
        assert_contains "$err" "rm -f" "$how: start says how to remove it"

        if [ "$how" = garbage ]; then
            run_upod rm -f -t 0 "$id"
        else
            run_upod rm -f -t 0 --all
        fi
        assert_status 0
        assert_contains "$out" "$id" "$how: rm prints the id"
        wait_for 5 eval "! alive $mon && ! alive $pid" ||
            fail "$how: the monitor ($mon) or the process ($pid) of the removed record still runs"
        [ ! -e "$(STATE)/containers/$id" ] || fail "$how: containers/$id is still there"
        run_upod ps -a --format '{{.Names}}'
        assert_status 0
        assert_eq "$err" "" "$how: ps -a stderr after the removal"
        assert_not_contains "$out" "victim" "$how: ps -a after the removal"
    done
}

# A full state filesystem: start and restart fail (not 0) when the record
# cannot say running, the container does not run, the record says what it
# said before; a container started before the disk filled still gets its
# exit code recorded; once space is freed, start and restart work.
test_full_state_fs_start_and_restart() {
    make_rootfs "$TESTDIR/rootfs"
    cat >"$TESTDIR/full.sh" <<'SCRIPT'
set -u
. "$TESTS/lib.sh"
. "$TESTS/../reliability/helpers.sh"
TESTDIR=$1
mount -t tmpfs -o size=2m,mode=0700 tmpfs "$XDG_RUNTIME_DIR" || fail "cannot mount a tmpfs"
status_of() { "$UPOD" ps -a --filter "name=^$1\$" --format '{{.Status}}'; }
runs() { own_pgrep -f "sleep $1" >/dev/null; }
run_upod pod create --name a
assert_status 0
run_upod pod start a
assert_status 0
run_upod create --pod a --name c1 --rootfs "$TESTDIR/rootfs" sleep 301
assert_status 0
run_upod run -d --pod a --name c2 --rootfs "$TESTDIR/rootfs" sleep 302
assert_status 0
run_upod run -d --pod a --name c3 --rootfs "$TESTDIR/rootfs" sh -c 'sleep 2; exit 7'
assert_status 0
dd if=/dev/zero of="$XDG_RUNTIME_DIR/filler" bs=4k 2>/dev/null
run_upod start c1
[ "$status" -ne 0 ] || fail "start on a full disk returned 0 (ps: $(status_of c1))"
assert_contains "$err" "No space left on device" "start: stderr"
assert_eq "$(status_of c1)" "Created" "c1 after a failed start"
sleep 0.3
runs 301 && fail "c1 runs while its record says $(status_of c1)"
run_upod restart -t 0 c2
[ "$status" -ne 0 ] || fail "restart on a full disk returned 0 (ps: $(status_of c2))"
assert_contains "$err" "No space left on device" "restart: stderr"
sleep 0.3
runs 302 && fail "c2 runs while its record says $(status_of c2)"
case $(status_of c2) in Up*) fail "c2 recorded Up, but it does not run" ;; esac
# The end of a container that started with space is recorded on a full
# disk (its monitor reserved the room before releasing it).
c3_exited() { case $(status_of c3) in Exited*) true ;; *) false ;; esac; }
wait_for 10 c3_exited || fail "c3 did not exit: $(status_of c3)"
assert_contains "$(status_of c3)" "Exited (7)" "c3's exit recorded on a full disk"
rm -f "$XDG_RUNTIME_DIR/filler"
run_upod start c1
assert_status 0
assert_contains "$(status_of c1)" "Up" "c1 once space is back"
runs 301 || fail "c1 does not run once space is back"
run_upod restart -t 0 c2
assert_status 0
assert_contains "$(status_of c2)" "Up" "c2 once space is back"
runs 302 || fail "c2 does not run once space is back"
run_upod pod rm -f -t 0 --all
assert_status 0
SCRIPT
    unshare --map-root-user --mount bash "$TESTDIR/full.sh" "$TESTDIR" ||
        fail "the full-disk scenario failed (see above)"
}

# A killed monitor: the container got SIGKILL with it, so it reads Exited
# (137) as podman's would, in ps, inspect and wait; nobody recorded when it
# ended, so ps shows no made-up age ("Less than a second ago" forever).
test_killed_monitor_reads_137_without_a_made_up_age() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod run -d --name k --network none --rootfs "$TESTDIR/rootfs" sleep 300
    assert_status 0
    local mon
    mon=$("$UPOD" inspect --format '{{.State.ConmonPid}}' k)
    kill -KILL "$mon"
    wait_for 5 eval '! alive $mon' || fail "the monitor survived SIGKILL"
    sleep 1.2
    run_upod ps -a --filter name=^k$ --format '{{.Status}}'
    assert_status 0
    assert_contains "$out" "Exited (137)" "ps after a killed monitor"
    assert_not_contains "$out" "Less than a second" "ps after a killed monitor"
    run_upod inspect --format '{{.State.ExitCode}}' k
    assert_eq "$out" "137" "inspect's exit code after a killed monitor"
    run_upod wait k
    assert_eq "$out" "137" "wait after a killed monitor"
}

# take_lock: a process of ours holds the state lock (flock, as upod takes
# it) and is stopped; its pid in $holder.
take_lock() {
    run_upod pod create --name first
    assert_status 0
    flock "$(STATE)/lock" sleep 120 &
    holder=$!
    wait_for 5 eval 'grep -q " $holder " /proc/locks' || fail "flock did not take the lock"
    kill -STOP "$holder"
}

# release_lock: end the holder and its child (sleep, which holds the
# lock's file description too), by pid.
release_lock() {
    local kids
    kids=$(cat "/proc/$holder/task/$holder/children" 2>/dev/null)
    # shellcheck disable=SC2086
    kill -KILL "$holder" $kids 2>/dev/null
    wait "$holder" 2>/dev/null
    return 0
}

# A stopped lock holder: after about a second, one line names it; the
# command goes on as soon as the holder goes.
test_stopped_lock_holder_is_named() {
    local holder
    take_lock
    "$UPOD" pod create --name second >"$TESTDIR/out" 2>"$TESTDIR/err" &
    local cmd=$!
    sleep 2.5
    alive "$cmd" || fail "pod create did not wait for the lock: $(cat "$TESTDIR/err")"
    assert_contains "$(cat "$TESTDIR/err")" "waiting for the state lock held by pid $holder" \
        "stderr while waiting"
    assert_one_line "$(cat "$TESTDIR/err")" "stderr while waiting"
    release_lock
    wait_for 10 eval '! alive $cmd' || fail "pod create still waits after the holder went"
    wait "$cmd"
    assert_eq "$?" "0" "pod create once the lock is free"
}

# ... and a bounded wait: past the bound ($UPOD_LOCK_TIMEOUT, 30 s by
# default), the command fails with an error that names the holder.
test_stopped_lock_holder_bounded_wait() {
    local holder
    take_lock
    local t0=$SECONDS
    out=$(UPOD_LOCK_TIMEOUT=3 timeout 20 "$UPOD" pod create --name second 2>"$TESTDIR/err")
    status=$?
    err=$(cat "$TESTDIR/err")
    local took=$((SECONDS - t0))
    [ "$status" -ne 124 ] || fail "pod create hung behind a stopped lock holder"
    assert_status 125
    [ "$took" -ge 2 ] && [ "$took" -le 8 ] || fail "the wait took ${took}s, not about 3"
    assert_contains "$err" "waiting for the state lock held by pid $holder" "stderr"
    assert_contains "$err" "Error: the state lock is still held by pid $holder" "stderr"
    release_lock
    run_upod pod ps --format '{{.Name}}'
    assert_eq "$out" "first" "pods after the failed wait"
}
