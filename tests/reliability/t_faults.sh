# Faults: SIGKILL at random points of upod's commands, and of a pod's own
# processes. After each, the state must tell the truth, `pod rm -f` and
# `rm -f` must clean up, and nothing of the user's pods may remain.
# docs/reliability.md lists the outcomes these tests hold upod to.

ROUNDS=${UPOD_FAULT_ROUNDS:-12}

# Every test looks for what is left of the user's pods (pod_processes,
# assert_truthful: see tests/integration/runner.sh).
PROCESS_TABLE_TESTS=all
# test_kill_container_every_time looks for the monitor as soon as the
# container reads Exited; the monitor writes that down, then ends: beside
# four busy tests it was once still there. It runs alone, as before.
ALONE_TESTS=test_kill_container_every_time

. "$TESTS/../reliability/helpers.sh"

test_kill_pod_create_at_random_points() {
    local i
    for i in $(seq 1 "$ROUNDS"); do
        kill_at_random pod create --name "p$i"
        assert_truthful
    done
    assert_all_cleaned
    run_upod pod create --name p1
    assert_status 0
}

test_kill_pod_start_at_random_points() {
    local i port
    for i in $(seq 1 "$ROUNDS"); do
        port=$(free_port) || exit 1
        run_upod pod create --name "s$i" -p "127.0.0.1:$port:80"
        assert_status 0
        kill_at_random pod start "s$i"
        assert_truthful
        # Whatever happened, the pod can be started (or already runs).
        run_upod pod start "s$i"
        assert_status 0
        assert_truthful
    done
    assert_all_cleaned
}

test_kill_run_at_random_points() {
    local i
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name host
    assert_status 0
    for i in $(seq 1 "$ROUNDS"); do
        kill_at_random run -d --pod host --name "d$i" --rootfs "$TESTDIR/rootfs" sleep 300
        kill_at_random run --rm --name "a$i" --rootfs "$TESTDIR/rootfs" sleep 300
        # The pod made for it is started only once a cleanup watcher runs:
        # whenever the kill came, it does not stay up (see below).
        wait_for 10 pod_not_running "a$i" || fail "the pod made for killed run a$i still runs"
        assert_truthful
    done
    assert_all_cleaned
}

test_kill_rm_at_random_points() {
    local i
    make_rootfs "$TESTDIR/rootfs"
    for i in $(seq 1 "$ROUNDS"); do
        run_upod run -d --name "c$i" --rootfs "$TESTDIR/rootfs" sleep 300
        assert_status 0
        run_upod pod create --name "r$i"
        assert_status 0
        run_upod pod start "r$i"
        assert_status 0
        kill_at_random rm -f -t 0 "c$i"
        kill_at_random pod rm -f -t 0 "r$i"
        assert_truthful
    done
    assert_all_cleaned
}

# A pod (pid namespace shared) with one detached container, both running.
pod_with_container() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name victim
    assert_status 0
    run_upod run -d --pod victim --name sleeper --rootfs "$TESTDIR/rootfs" sleep 300
    assert_status 0
}

ctr_status() { "$UPOD" ps -a --filter name=sleeper --format '{{.Status}}'; }
pod_status() { "$UPOD" pod ps --filter name=victim --format '{{.Status}}'; }
ctr_exited() { case $(ctr_status) in Exited*) return 0 ;; esac; return 1; }

# Bring the pod and its container back, as a user would after a fault.
restart_both() {
    run_upod pod start victim
    assert_status 0
    run_upod start sleeper
    assert_status 0
    assert_eq "$(pod_status)" "Running" "pod after pod start"
    case $(ctr_status) in Up*) ;; *) fail "container after start: $(ctr_status)" ;; esac
}

test_kill_keeper_every_time() {
    pod_with_container
    local i
    for i in 1 2 3 4 5; do
        kill -KILL "$("$UPOD" pod inspect --format '{{.KeeperPid}}' victim)"
        wait_for 3 no_pod_processes ||
            fail "round $i: processes left 3 s after kill -9 of the keeper: $(pod_processes)"
        assert_eq "$(pod_status)" "Exited" "round $i: pod after kill -9 of its keeper"
        ctr_exited || fail "round $i: container after kill -9 of the keeper: $(ctr_status)"
        restart_both
    done
}

test_kill_infra_every_time() {
    pod_with_container
    local i
    for i in 1 2 3 4 5; do
        kill -KILL "$(infra_pid victim)"
        wait_for 3 no_pod_processes ||
            fail "round $i: processes left 3 s after kill -9 of the infra: $(pod_processes)"
        assert_eq "$(pod_status)" "Exited" "round $i: pod after kill -9 of its infra"
        assert_eq "$("$UPOD" pod inspect --format '{{.ExitCode}}' victim)" "137" "round $i: exit code"
        ctr_exited || fail "round $i: container after kill -9 of the infra: $(ctr_status)"
        restart_both
    done
}

test_kill_container_every_time() {
    pod_with_container
    local i
    for i in 1 2 3 4 5; do
        kill -KILL "$("$UPOD" inspect --format '{{.State.Pid}}' sleeper)"
        wait_for 3 ctr_exited || fail "round $i: container after kill -9 of its process: $(ctr_status)"
        assert_eq "$("$UPOD" inspect --format '{{.State.ExitCode}}' sleeper)" "137" "round $i: exit code"
        assert_eq "$(pod_status)" "Running" "round $i: the pod after its container was killed"
        own_pgrep -f "^upod-monitor sleeper\$" >/dev/null && fail "round $i: the monitor outlived its container"
        run_upod start sleeper
        assert_status 0
    done
}

test_kill_monitor_every_time() {
    pod_with_container
    local i pid
    for i in 1 2 3 4 5; do
        pid=$("$UPOD" inspect --format '{{.State.Pid}}' sleeper)
        kill -KILL "$("$UPOD" inspect --format '{{.State.ConmonPid}}' sleeper)"
        wait_for 3 ctr_exited || fail "round $i: container after kill -9 of its monitor: $(ctr_status)"
        wait_for 3 sh -c "! kill -0 $pid 2>/dev/null" ||
            fail "round $i: the container's process outlived its monitor"
        assert_eq "$(pod_status)" "Running" "round $i: the pod after the monitor was killed"
        run_upod start sleeper
        assert_status 0
    done
}

nothing_named() { # NAME: no container, no pod of that name
    [ -z "$("$UPOD" ps -aq --filter "name=$1")$("$UPOD" pod ps -q --filter "name=$1")" ]
}

pod_not_running() { # POD
    ! pod_status_is "$1" Running
}

pod_status_is() { # POD STATUS
    [ "$("$UPOD" pod ps --filter "name=$1" --format '{{.Status}}')" = "$2" ]
}

# An attached run's CLI is its container's monitor: killed, its container
# dies with it, and its cleanup watcher does the rest: with --rm no record
# and no pod remain, without it the record says Exited (137) and the pod
# made for the container is stopped. (Up to 10 s: the killed processes are
# orphans of the host's init, and the pod's PID 1 cannot exit before they
# are reaped; this machine's init reaps them only every second or two.)
test_killed_attached_run_is_cleaned_up() {
    make_rootfs "$TESTDIR/rootfs"
    local cli
    "$UPOD" run --rm --name gone --rootfs "$TESTDIR/rootfs" sleep 300 >/dev/null 2>&1 &
    cli=$!
    wait_for 10 sh -c "'$UPOD' ps --filter name=gone --format '{{.Status}}' | grep -q '^Up'" ||
        fail "run --rm did not start"
    kill -KILL "$cli"
    wait_for 10 nothing_named gone ||
        fail "left after a killed run --rm: $("$UPOD" ps -a --filter name=gone) $("$UPOD" pod ps)"
    wait_for 10 no_pod_processes || fail "processes left: $(pod_processes)"

    "$UPOD" run --name kept --rootfs "$TESTDIR/rootfs" sleep 300 >/dev/null 2>&1 &
    cli=$!
    wait_for 10 sh -c "'$UPOD' ps --filter name=kept --format '{{.Status}}' | grep -q '^Up'" ||
        fail "run did not start"
    kill -KILL "$cli"
    wait_for 10 pod_status_is kept Exited ||
        fail "the pod made for a killed run: $("$UPOD" pod ps --filter name=kept)"
    assert_eq "$("$UPOD" inspect --format '{{.State.ExitCode}}' kept)" "137" "exit code of the killed run"
    wait_for 10 no_pod_processes || fail "processes left: $(pod_processes)"
    # The pod of a container in a pod of the user's is left running.
    run_upod pod create --name theirs
    assert_status 0
    "$UPOD" run --pod theirs --name inpod --rootfs "$TESTDIR/rootfs" sleep 300 >/dev/null 2>&1 &
    cli=$!
    wait_for 10 sh -c "'$UPOD' ps --filter name=inpod --format '{{.Status}}' | grep -q '^Up'" ||
        fail "run --pod did not start"
    kill -KILL "$cli"
    wait_for 3 sh -c "'$UPOD' ps -a --filter name=inpod --format '{{.Status}}' | grep -q '^Exited (137)'" ||
        fail "container after its killed run: $("$UPOD" ps -a --filter name=inpod)"
    assert_eq "$("$UPOD" pod ps --filter name=theirs --format '{{.Status}}')" "Running" "the user's pod"
}

# Kill -9 of an attached run's cleanup watcher, then of the run itself:
# nothing is left to clean up after the run, but the pod made for its
# container is tied to it (its keeper watches the run) and stops.
test_killed_watcher_then_killed_run_stops_the_pod() {
    make_rootfs "$TESTDIR/rootfs"
    local cli watcher
    "$UPOD" run --rm --name orphan --rootfs "$TESTDIR/rootfs" sleep 300 >/dev/null 2>&1 &
    cli=$!
    wait_for 10 sh -c "'$UPOD' ps --filter name=orphan --format '{{.Status}}' | grep -q '^Up'" ||
        fail "run --rm did not start"
    watcher=$(own_pgrep -x upod-cleanup)
    [ "$(wc -w <<<"$watcher")" -eq 1 ] || fail "not one cleanup watcher for the attached run: '$watcher'"
    kill -KILL $watcher
    sleep 0.2
    kill -KILL "$cli"
    wait_for 10 no_pod_processes || fail "processes left after both were killed: $(pod_processes)"
    assert_eq "$("$UPOD" pod ps --filter name=orphan --format '{{.Status}}')" "Exited" \
        "the pod made for the killed run"
    run_upod rm -f orphan
    assert_status 0
    run_upod pod rm -f orphan
    assert_eq "$("$UPOD" pod ps -q)" "" "pods after removal"
}
