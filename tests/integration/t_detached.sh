# Detached containers: run -d, the monitor, logs, ps, stop, rm.

# They look for monitors among the user's processes (own_pgrep: see
# tests/integration/runner.sh).
PROCESS_TABLE_TESTS="test_detached_errors_leave_nothing test_pod_stop_ends_its_containers
    test_pod_rm_removes_its_containers"
# Two look for a monitor right after its container went: a monitor writes
# its container's end down, then ends, a moment later on a busy machine
# (as in t_faults.sh). They run alone, as before.
ALONE_TESTS="test_pod_stop_ends_its_containers test_pod_rm_removes_its_containers"

setup() { # POD
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name "$1"
    assert_status 0
}

drun() { # POD ARGS...
    local pod=$1
    shift
    "$UPOD" run -d --pod "$pod" --rootfs "$TESTDIR/rootfs" "$@"
}

status_of() { # NAME
    "$UPOD" ps -a --format '{{.Names}} {{.Status}}' | awk -v n="$1" '$1 == n {$1 = ""; print substr($0, 2)}'
}

test_run_detached_prints_id_and_logs() {
    setup d1
    local id
    id=$(drun d1 --name talker sh -c 'for i in 1 2 3 4 5 6 7 8; do echo line $i; done; sleep 30') ||
        fail "run -d failed"
    [[ $id =~ ^[0-9a-f]{64}$ ]] || fail "run -d printed '$id'"
    wait_for 5 sh -c "'$UPOD' logs talker | grep -q 'line 8'" || fail "no log: $("$UPOD" logs talker)"
    assert_eq "$("$UPOD" logs --tail 5 talker)" "line 4
line 5
line 6
line 7
line 8" "logs --tail 5"
    [[ $("$UPOD" logs -t --tail 1 talker) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+-][0-9]{2}:[0-9]{2}\ line\ 8$ ]] ||
        fail "logs -t: $("$UPOD" logs -t --tail 1 talker)"
    grep -q ' stdout F line 8$' "$XDG_RUNTIME_DIR/upod/containers/$id/ctr.log" ||
        fail "the log is not in k8s-file format"
    [[ $(status_of talker) =~ ^Up ]] || fail "status: $(status_of talker)"
}

test_stderr_goes_to_stderr_of_logs() {
    setup d2
    drun d2 --name errs sh -c 'echo to-out; echo to-err >&2' >/dev/null || fail "run -d failed"
    wait_for 5 sh -c "'$UPOD' ps -a --format '{{.Names}} {{.State}}' | grep -q 'errs exited'" ||
        fail "did not exit"
    assert_eq "$("$UPOD" logs errs 2>/dev/null)" "to-out" "stdout of logs"
    assert_eq "$("$UPOD" logs errs 2>&1 >/dev/null)" "to-err" "stderr of logs"
    assert_eq "$(status_of errs | cut -d' ' -f1-2)" "Exited (0)" "status"
}

test_stop_then_rm() {
    setup d3
    drun d3 --name sleeper --stop-signal KILL sleep 300 >/dev/null || fail "run -d failed"
    local pid
    pid=$("$UPOD" ps --format '{{.Names}} {{.Pid}}' | awk '$1 == "sleeper" {print $2}')
    [ -n "$pid" ] && kill -0 "$pid" || fail "no running process for the container"
    run_upod rm sleeper
    assert_status 2
    assert_contains "$err" "is running"
    run_upod stop -t 5 sleeper
    assert_status 0
    assert_eq "$(status_of sleeper | cut -d' ' -f1-2)" "Exited (137)" "status after stop"
    kill -0 "$pid" 2>/dev/null && fail "the container's process survived stop"
    run_upod rm sleeper
    assert_status 0
    run_upod rm sleeper
    assert_status 1
    assert_contains "$err" "no such container"
}

test_stop_signal_default_term_reaches_the_command() {
    setup d4
    # With pid shared, the command is the process stop signals.
    "$UPOD" pod create --name d4p --share pid,net >/dev/null
    drun d4p --name polite sh -c 'trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
    sleep 0.3
    run_upod stop polite
    assert_status 0
    assert_eq "$(status_of polite | cut -d' ' -f1-2)" "Exited (0)" "exit after TERM"
    assert_eq "$("$UPOD" logs polite)" "got-term" "the trap ran"
}

test_rm_force_and_auto_remove() {
    setup d5
    drun d5 --name gone --rm sh -c 'echo bye' >/dev/null || fail "run -d --rm failed"
    wait_for 5 sh -c "! '$UPOD' ps -a --format '{{.Names}}' | grep -qx gone" ||
        fail "--rm container still listed"
    drun d5 --name forced sleep 300 >/dev/null
    run_upod rm -f -t 0 forced
    assert_status 0
    assert_eq "$("$UPOD" ps -a --format '{{.Names}}' | grep -c forced)" "0" "forced gone"
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers")" "" "records left"
}

test_detached_errors_leave_nothing() {
    setup d6
    run_upod run -d --pod d6 --rootfs "$TESTDIR/rootfs" nosuchcmd
    assert_status 127
    assert_one_line "$err"
    assert_contains "$err" "nosuchcmd: executable file not found"
    drun d6 --name twin sleep 300 >/dev/null
    run_upod run -d --pod d6 --rootfs "$TESTDIR/rootfs" --name twin true
    assert_status 125
    assert_contains "$err" "already in use"
    assert_eq "$("$UPOD" ps -a --format '{{.Names}}' | grep -c twin)" "1" "twin records"
    assert_eq "$(own_pgrep -fc '^upod-monitor twin$' || true)" "1" "monitors of twin"
}

test_pod_stop_ends_its_containers() {
    setup d7
    drun d7 --name inpod sleep 300 >/dev/null
    run_upod pod stop d7
    wait_for 5 sh -c "'$UPOD' ps -a --format '{{.Names}} {{.State}}' | grep -q 'inpod exited'" ||
        fail "container not exited after pod stop: $(status_of inpod)"
    assert_eq "$(own_pgrep -f '^upod-monitor inpod$' || true)" "" "monitor left"
}

test_exec_joins_the_running_container() {
    setup d8
    drun d8 --name box -e FOO=bar sleep 300 >/dev/null || fail "run -d failed"
    assert_eq "$("$UPOD" exec box sh -c 'echo $FOO')" "bar" "the container's environment"
    # Same pid namespace as the container's command: it is PID 1 there.
    assert_eq "$("$UPOD" exec box cat /proc/1/cmdline | tr '\0' ' ')" "sleep 300 " "PID 1 seen by exec"
    assert_eq "$("$UPOD" exec box sh -c 'grep CapEff /proc/self/status')" "CapEff:	00000000800405fb" "caps"
    assert_eq "$("$UPOD" exec box sh -c 'grep ^Seccomp: /proc/self/status')" "Seccomp:	2" "seccomp of exec"
    assert_eq "$("$UPOD" exec -u 1000:1000 -w /tmp -e X=1 box sh -c 'id -u; pwd; echo $X')" "1000
/tmp
1" "exec options"
    "$UPOD" exec box sh -c 'exit 4'
    assert_eq "$?" "4" "exit status of exec"
    run_upod exec box nosuchcmd
    assert_status 127
    # -t: a terminal of the container's own devpts (ttyname agrees), with
    # TERM set; driven through script(1) with -i, and without a terminal on
    # our side too.
    local out
    out=$(printf 'tty; echo $TERM; exit 6\n' | script -qec "'$UPOD' exec -it box sh" /dev/null)
    assert_eq "$?" "6" "exit status of exec -it"
    [[ $out =~ /dev/pts/[0-9]+ ]] || fail "exec -it: no /dev/pts name in: $out"
    assert_contains "$out" "xterm"
    assert_eq "$("$UPOD" exec -t box sh -c 'test -t 0 && tty' | tr -d '\r' | grep -c '^/dev/pts/')" "1" "exec -t"
    run_upod exec nosuchctr true
    assert_status 125
    assert_contains "$err" "no such container"
    run_upod stop -t 0 box
    run_upod exec box true
    assert_status 125
    assert_contains "$err" "can only exec in running containers"
}

test_inspect_container_and_pod() {
    # Pod names that cannot be an id prefix: "d9" also names a container
    # whose id starts with d9.
    setup pd9
    local id
    id=$(drun pd9 --name seen sleep 300) || fail "run -d failed"
    run_upod inspect seen
    assert_status 0
    jq -e --arg id "$id" '.[0].Id == $id and .[0].Name == "seen" and .[0].State.Running == true
        and .[0].State.Status == "running" and .[0].Path == "sleep" and .[0].Args == ["300"]
        and (.[0].State.Pid > 0) and (.[0].HostsPath | endswith("/hosts"))
        and .[0].Config.Hostname == "pd9"' <<<"$out" >/dev/null || fail "inspect: $out"
    local pid
    pid=$(jq -r '.[0].State.Pid' <<<"$out")
    assert_eq "$(cat /proc/$pid/cmdline | tr '\0' ' ')" "sleep 300 " "State.Pid is the command"
    assert_eq "$("$UPOD" inspect --format '{{.Name}}' seen pd9)" "seen
pd9" "a container and a pod"
    run_upod inspect nothing
    assert_status 125
    assert_contains "$err" "no such object"
    # Config as created, NetworkSettings from the pod (its ports as bound).
    run_upod pod create --name d9p -p 127.0.0.1::80
    drun d9p --name cfg --entrypoint /bin/sh -w /tmp -u 1000:1000 -e K=v -t \
        -- -c 'sleep 300' >/dev/null || fail "run -d cfg"
    run_upod inspect cfg
    local port
    port=$("$UPOD" port d9p 80 | cut -d: -f2)
    jq -e --arg port "$port" '.[0].Config.Entrypoint == ["/bin/sh"]
        and .[0].Config.Cmd == ["-c", "sleep 300"] and .[0].Config.WorkingDir == "/tmp"
        and .[0].Config.User == "1000:1000" and .[0].Config.Tty == true
        and (.[0].Config.Env | index("K=v") != null) and .[0].Config.Hostname == "d9p"
        and .[0].NetworkSettings.IPAddress == "10.0.2.100"
        and .[0].NetworkSettings.Ports == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": $port}]}' \
        <<<"$out" >/dev/null || fail "inspect of cfg: $out"
}

test_kill_wait_and_port() {
    setup d10
    local port
    port=$(free_port) || exit 1
    "$UPOD" pod create --name d10p -p $port:80 >/dev/null
    drun d10p --name target sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done' >/dev/null ||
        fail "run -d failed"
    sleep 0.3
    "$UPOD" wait target >"$TESTDIR/waited" &
    local waiter=$!
    sleep 0.3
    run_upod kill --signal USR1 target
    assert_status 0
    wait "$waiter" || fail "wait failed"
    assert_eq "$(cat "$TESTDIR/waited")" "9" "exit code printed by wait"
    run_upod kill target
    assert_status 125
    assert_contains "$err" "can only kill running containers"
    run_upod port target
    assert_eq "$out" "80/tcp -> 0.0.0.0:$port" "port of a container"
}

test_pod_rm_removes_its_containers() {
    setup d11
    "$UPOD" pod create --name other >/dev/null
    drun d11 --name inside sleep 300 >/dev/null || fail "run -d failed"
    drun d11 --name done true >/dev/null || fail "run -d failed"
    drun other --name elsewhere sleep 300 >/dev/null || fail "run -d failed"
    run_upod pod rm d11
    assert_status 2
    run_upod pod rm -f d11
    assert_status 0
    assert_eq "$("$UPOD" ps -a --format '{{.Names}}' | grep -v infra | sort | paste -sd, -)" "elsewhere" \
        "containers after pod rm -f"
    assert_eq "$(own_pgrep -f '^upod-monitor (inside|done)$' || true)" "" "monitors left"
    sleep 0.5
    assert_eq "$("$UPOD" ps -a --format '{{.Names}}' | grep -c -E '^(inside|done)$')" "0" "records brought back"
}

# The monitor's own failures, which no CLI is left to hear, go to
# containers/<id>/monitor.log: a start that failed (the CLI was told too),
# and an exit it could not record (its temporary file taken by a
# directory). The record is left as it was, never written half.
test_monitor_log_keeps_its_failures() {
    setup d12
    run_upod create --pod d12 --name nocmd --rootfs "$TESTDIR/rootfs" nosuchcmd
    assert_status 0
    local id dir mon
    id=$out
    run_upod start nocmd
    assert_status 127
    assert_contains "$err" "nosuchcmd: executable file not found in \$PATH"
    dir=$XDG_RUNTIME_DIR/upod/containers/$id
    [ -f "$dir/monitor.log" ] || fail "no monitor.log in $dir: $(ls -A "$dir")"
    assert_contains "$(cat "$dir/monitor.log")" "start failed: nosuchcmd: executable file not found in \$PATH" \
        "monitor.log after a failed start"
    id=$(drun d12 --name late sleep 1) || fail "run -d failed"
    dir=$XDG_RUNTIME_DIR/upod/containers/$id
    mon=$("$UPOD" inspect --format '{{.State.ConmonPid}}' late)
    mkdir "$dir/.container.tmp.$mon"
    wait_for 10 sh -c "! kill -0 $mon 2>/dev/null" || fail "the monitor of late did not end"
    assert_contains "$(cat "$dir/monitor.log")" \
        "cannot record the exit: cannot create state file .container.tmp.$mon: Is a directory" \
        "monitor.log after an exit it could not record"
    rmdir "$dir/.container.tmp.$mon"
    case $(status_of late) in Exited*) ;; *) fail "late after its monitor: $(status_of late)" ;; esac
    run_upod rm late
    assert_status 0
}
