# Pods: lifecycle, shared namespaces, state, and what is left behind.

create_started_pod() { # NAME [create options...]
    local name=$1
    shift
    run_upod pod create --name "$name" "$@"
    assert_status 0
    [[ $out =~ ^[0-9a-f]{64}$ ]] || fail "pod create did not print a 64-hex id: $out"
    run_upod pod start "$name"
    assert_status 0
}

# enter_and_hold POD KIND: print the KIND namespace of a process entered
# into POD, which stays alive until $TESTDIR/released exists (at most 20 s).
enter_and_hold() {
    rm -f "$TESTDIR/released"
    "$UPOD" pod enter "$1" sh -c "readlink /proc/self/ns/$2; i=0
        while [ ! -e '$TESTDIR/released' ] && [ \$i -lt 400 ]; do sleep 0.05; i=\$((i + 1)); done"
}

test_create_prints_id_and_status_created() {
    run_upod pod create --name web
    assert_status 0
    local id=$out
    [[ $id =~ ^[0-9a-f]{64}$ ]] || fail "not a pod id: $id"
    run_upod pod ps --format '{{.Name}} {{.Status}} {{.ID}}'
    assert_eq "$out" "web Created $id" "pod ps"
    run_upod pod exists web
    assert_status 0
    run_upod pod exists nope
    assert_status 1
}

test_shared_namespaces_are_the_pods() {
    create_started_pod shared --share net,uts,ipc,pid
    local kind a b host
    for kind in net uts ipc pid user; do
        a=$(ns_of shared $kind) || fail "enter failed for $kind"
        b=$(ns_of shared $kind) || fail "enter failed for $kind"
        host=$(readlink /proc/self/ns/$kind)
        assert_eq "$a" "$b" "$kind namespace of two entered processes"
        [ "$a" != "$host" ] || fail "$kind namespace is the host's ($host)"
    done
    # The pod's namespaces are the infra's.
    assert_eq "$(ns_of shared net)" "$("$UPOD" pod enter --infra shared readlink /proc/self/ns/net)" \
        "infra net namespace"
}

test_share_none_only_the_user_namespace_is_the_pods() {
    create_started_pod lonely --share none
    local kind a b host
    a=$(ns_of lonely user)
    assert_eq "$(ns_of lonely user)" "$a" "user namespace"
    [ "$a" != "$(readlink /proc/self/ns/user)" ] || fail "user namespace is the host's"
    for kind in net uts ipc pid; do
        # The first process stays alive while the second looks: the kernel
        # reuses the number of a namespace as soon as it is freed.
        enter_and_hold lonely "$kind" >"$TESTDIR/first" &
        wait_for 2 test -s "$TESTDIR/first" || fail "first enter printed nothing for $kind"
        a=$(cat "$TESTDIR/first")
        b=$(ns_of lonely $kind) || fail "enter failed for $kind"
        touch "$TESTDIR/released"
        wait
        host=$(readlink /proc/self/ns/$kind)
        [ "$a" != "$b" ] || fail "$kind is shared by two entered processes in a --share none pod"
        [ "$a" != "$host" ] || fail "$kind namespace is the host's"
    done
}

test_default_share_is_ipc_net_uts() {
    create_started_pod dflt
    run_upod pod inspect --format '{{json .SharedNamespaces}}' dflt
    assert_eq "$out" '["ipc","net","uts"]' "SharedNamespaces"
    assert_eq "$(ns_of dflt net)" "$(ns_of dflt net)" "net"
    # The first process stays alive while the second looks: the kernel
    # reuses the number of a namespace as soon as it is freed.
    local a b
    enter_and_hold dflt pid >"$TESTDIR/first" &
    wait_for 2 test -s "$TESTDIR/first" || fail "first enter printed nothing for pid"
    a=$(cat "$TESTDIR/first")
    b=$(ns_of dflt pid) || fail "enter failed for pid"
    touch "$TESTDIR/released"
    wait
    [ "$a" != "$b" ] || fail "pid is shared by default"
}

test_share_plus_adds_to_default() {
    run_upod pod create --name plus --share +pid
    assert_status 0
    run_upod pod inspect --format '{{json .SharedNamespaces}}' plus
    assert_eq "$out" '["ipc","net","pid","uts"]' "SharedNamespaces"
}

test_uts_shared_hostname_is_pod_name_or_given() {
    create_started_pod named --share uts
    assert_eq "$("$UPOD" pod enter named hostname)" "named" "hostname"
    create_started_pod other --share uts,net --hostname myhost
    assert_eq "$("$UPOD" pod enter other hostname)" "myhost" "hostname"
}

test_pid_shared_infra_is_pid1_and_sees_everything() {
    create_started_pod pids --share pid
    assert_eq "$("$UPOD" pod enter pids cat /proc/1/comm)" "upod-infra" "PID 1 of the pod"
    "$UPOD" pod enter pids sh -c 'sleep 30 & sleep 0.2' || fail "enter failed"
    # The orphaned sleep was adopted by the infra (PID 1) and is visible.
    "$UPOD" pod enter pids sh -c 'ps -eo ppid,args' | grep -q '^ *1 sleep 30' ||
        fail "the orphan is not a child of the pod's PID 1: $("$UPOD" pod enter pids ps -ef)"
}

test_infra_reaps_orphans() {
    create_started_pod reaper --share pid
    "$UPOD" pod enter reaper sh -c '(sleep 0.2 &) ; true' || fail "enter failed"
    sleep 0.5
    local zombies
    zombies=$("$UPOD" pod enter reaper sh -c 'ps -eo stat,pid,args | grep "^Z"' || true)
    assert_eq "$zombies" "" "zombies in the pod"
}

test_stop_leaves_no_process_and_start_brings_back() {
    create_started_pod stopme --share pid
    local pid userns
    pid=$(infra_pid stopme)
    userns=$(pod_userns stopme)
    "$UPOD" pod enter stopme sh -c 'sleep 300 >/dev/null 2>&1 &' || fail "enter failed"
    [ -n "$(processes_in_userns "$userns")" ] || fail "no process found in the pod's userns"
    run_upod pod stop stopme
    assert_status 0
    assert_eq "$(processes_in_userns "$userns")" "" "processes left after pod stop"
    ! process_alive "$pid" || fail "the infra outlived pod stop"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Exited" "status after stop"
    run_upod pod start stopme
    assert_status 0
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Running" "status after restart"
}

test_kill_keeper_kills_the_pod() {
    create_started_pod victim --share pid
    local keeper infra userns
    keeper=$("$UPOD" pod inspect --format '{{.KeeperPid}}' victim)
    infra=$(infra_pid victim)
    userns=$(pod_userns victim)
    "$UPOD" pod enter victim sh -c 'sleep 300 >/dev/null 2>&1 &' || fail "enter failed"
    kill -9 "$keeper"
    wait_for 2 no_processes_in_userns "$userns" ||
        fail "processes of the pod still run 2 s after kill -9 of the keeper"
    wait_for 2 eval '! process_alive "$infra"' || fail "the infra outlived its killed keeper"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Exited" "status after the keeper was killed"
    run_upod pod start victim
    assert_status 0
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Running" "status after pod start"
}

test_kill_infra_marks_exited() {
    create_started_pod infrakill
    kill -9 "$(infra_pid infrakill)"
    wait_for 2 sh -c "[ \"\$('$UPOD' pod ps --format '{{.Status}}')\" = Exited ]" ||
        fail "pod not Exited after kill -9 of the infra"
    run_upod pod inspect --format '{{.ExitCode}}' infrakill
    assert_eq "$out" "137" "exit code"
}

test_sigterm_to_infra_exits_cleanly() {
    create_started_pod term
    local keeper
    keeper=$("$UPOD" pod inspect --format '{{.KeeperPid}}' term)
    kill -TERM "$(infra_pid term)"
    wait_for 2 sh -c "[ \"\$('$UPOD' pod ps --format '{{.Status}}')\" = Exited ]" ||
        fail "pod not Exited after SIGTERM to the infra"
    # The pod reads Exited as soon as its infra is gone, and 137 until its
    # keeper has written down the infra's status: it then ends.
    wait_for 5 eval '! process_alive "$keeper"' || fail "the keeper outlived its infra"
    run_upod pod inspect --format '{{.ExitCode}}' term
    assert_eq "$out" "0" "exit code after SIGTERM"
}

test_pod_kill_and_restart() {
    create_started_pod k
    run_upod pod kill k
    assert_status 0
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Exited" "status after pod kill"
    run_upod pod restart k
    assert_status 0
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Running" "status after restart"
    run_upod pod kill --signal BOGUS k
    assert_status 125
    assert_contains "$err" "invalid signal"
}

test_rm_running_needs_force() {
    create_started_pod busy
    run_upod pod rm busy
    assert_status 2
    assert_contains "$err" "is running"
    run_upod pod exists busy
    assert_status 0
    run_upod pod rm -f busy
    assert_status 0
    run_upod pod exists busy
    assert_status 1
    run_upod pod rm busy
    assert_status 1
    assert_contains "$err" "no such pod"
    run_upod pod rm --ignore busy
    assert_status 0
}

test_parallel_creates_distinct_names() {
    local i pids=()
    for i in $(seq 1 20); do
        "$UPOD" pod create --name "par$i" >"$TESTDIR/out.$i" 2>&1 &
        pids+=($!)
    done
    local failed=0
    for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
    assert_eq "$failed" "0" "failed parallel creates"
    assert_eq "$("$UPOD" pod ps -q | wc -l)" "20" "pods after 20 parallel creates"
}

test_parallel_creates_same_name_one_wins() {
    local i pids=() ok=0 bad=0
    for i in $(seq 1 10); do
        "$UPOD" pod create --name same >"$TESTDIR/out.$i" 2>"$TESTDIR/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 10); do
        if wait "${pids[$((i - 1))]}"; then
            ok=$((ok + 1))
        else
            bad=$((bad + 1))
            assert_one_line "$(cat "$TESTDIR/err.$i")" "error of a losing create"
            assert_contains "$(cat "$TESTDIR/err.$i")" 'pod name "same" is already in use'
        fi
    done
    assert_eq "$ok" "1" "successful creates"
    assert_eq "$bad" "9" "refused creates"
    assert_eq "$("$UPOD" pod ps -q | wc -l)" "1" "pods"
}

test_bad_input_changes_nothing() {
    local before
    run_upod pod create --name keep
    before=$(ls -R "$XDG_RUNTIME_DIR/upod/pods")
    run_upod pod create --share help
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "Invalid kernel namespace to share: help. Options are: cgroup, ipc, net, pid, uts, user or none"
    run_upod pod create --name 'bad name'
    assert_status 125
    assert_contains "$err" "invalid pod name"
    run_upod pod create --name keep
    assert_status 125
    assert_contains "$err" "already in use"
    run_upod pod create --share none --hostname h
    assert_status 125
    assert_contains "$err" "uts"
    run_upod pod create -p 99999:80
    assert_status 125
    assert_contains "$err" "invalid port spec"
    run_upod pod create --network host
    assert_status 125
    assert_contains "$err" "invalid network"
    run_upod pod create --network none -p 8080:80
    assert_status 125
    run_upod pod create --userns nomap
    assert_status 125
    run_upod pod start nosuchpod
    assert_status 125
    assert_contains "$err" "no pod with name or ID nosuchpod found"
    assert_eq "$(ls -R "$XDG_RUNTIME_DIR/upod/pods")" "$before" "state after bad input"
}

test_share_user_is_accepted() {
    run_upod pod create --name u --share user
    assert_status 0
    run_upod pod inspect --format '{{json .SharedNamespaces}}' u
    assert_eq "$out" '[]' "SharedNamespaces of --share user"
}

test_foreign_state_dir_is_refused() {
    run_upod pod create --name x
    assert_status 0
    chmod 0755 "$XDG_RUNTIME_DIR/upod"
    run_upod pod ps
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "chmod 0700"
}

test_pod_ps_columns_and_formats() {
    run_upod pod create --name alpha --label tier=web
    local id=$out
    run_upod pod create --name beta
    run_upod pod ps
    assert_status 0
    assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "POD ID NAME STATUS CREATED INFRA ID # OF CONTAINERS" "header"
    assert_contains "$out" "${id:0:12}  alpha"
    run_upod pod ps -q --no-trunc --filter name=alp
    assert_eq "$out" "$id" "filtered ids"
    run_upod pod ps --filter label=tier=web --format '{{.Name}}'
    assert_eq "$out" "alpha" "label filter"
    run_upod pod ps --filter status=created --filter name=beta --format '{{.Name}}'
    assert_eq "$out" "beta" "status and name filters"
    run_upod pod ps --format json
    jq -e 'length == 2 and .[0].Name == "beta" and (.[1].Labels.tier == "web")' <<<"$out" >/dev/null ||
        fail "pod ps json: $out"
    run_upod pod ps --filter bogus=1
    assert_status 125
}

test_inspect_shows_ports_and_namespaces() {
    local port udp
    port=$(free_port) || exit 1
    udp=$(free_port 2) || exit 1
    create_started_pod ports -p $port:80 -p 127.0.0.1:$udp-$((udp + 1)):9000-9001/udp
    run_upod pod inspect ports
    assert_status 0
    jq -e --arg port "$port" '.InfraConfig.PortBindings["80/tcp"][0].HostPort == $port
           and .InfraConfig.PortBindings["9001/udp"][0].HostIp == "127.0.0.1"
           and .State == "Running" and .NumContainers == 1
           and (.Namespaces.net | startswith("/proc/"))
           and .Containers[0].Name == (.Id[0:12] + "-infra")' <<<"$out" >/dev/null ||
        fail "pod inspect: $out"
}

test_userns_keep_id() {
    create_started_pod kid --userns keep-id
    assert_eq "$("$UPOD" pod enter kid id -u)" "$(id -u)" "uid inside with keep-id"
    create_started_pod root
    assert_eq "$("$UPOD" pod enter root id -u)" "0" "uid inside by default"
}

test_enter_exit_codes() {
    create_started_pod codes
    "$UPOD" pod enter codes sh -c 'exit 7'
    assert_eq "$?" "7" "exit status of the entered command"
    run_upod pod enter codes /nonexistent/cmd
    assert_status 127
    run_upod pod enter stopped-or-not true
    assert_status 125
}

test_infra_shows_in_ps_as_container() {
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name shown -p $port:80
    local id=$out
    run_upod ps --format '{{.Names}}'
    assert_eq "$out" "" "ps without -a lists no created infra"
    run_upod ps -a --format '{{.Names}} {{.State}} {{.Ports}}'
    assert_eq "$out" "${id:0:12}-infra created 0.0.0.0:$port->80/tcp" "ps -a"
    run_upod pod start shown
    run_upod ps
    assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES" "ps header"
    assert_contains "$out" "Up "
    assert_contains "$out" "${id:0:12}-infra"
    run_upod pod stop shown
    run_upod ps -a --format json
    jq -e '.[0].Names == ["'"${id:0:12}"'-infra"] and .[0].IsInfra and .[0].Exited and .[0].PodName == "shown"' \
        <<<"$out" >/dev/null || fail "ps -a json: $out"
    run_upod container ls -a -q
    assert_eq "$out" "$("$UPOD" pod inspect --format '{{.InfraContainerID}}' shown | cut -c1-12)" "container ls -q"
}

test_pod_top_lists_the_pods_processes() {
    create_started_pod topped --share pid
    "$UPOD" pod enter topped sh -c 'sleep 300 >/dev/null 2>&1 &' || fail "enter failed"
    run_upod pod top topped
    assert_status 0
    assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "USER PID PPID %CPU ELAPSED TTY TIME COMMAND" "top header"
    grep -Eq '^root +1 +0 .* upod-infra$' <<<"$out" || fail "no PID 1 upod-infra owned by root in: $out"
    grep -Eq '^root +[0-9]+ +1 .*sleep 300$' <<<"$out" || fail "the sleep, child of PID 1, is missing: $out"
    run_upod pod stop topped
    run_upod pod top topped
    assert_status 125
    assert_contains "$err" "is not running"
}

test_userns_disabled_is_explained() {
    # user.max_user_namespaces is per user namespace: set it to 0 in one of
    # our own and run upod there, as on a machine where it is disabled.
    run_upod pod create --name nouserns
    out=$(unshare --user --map-root-user sh -c \
        'echo 0 >/proc/sys/user/max_user_namespaces && exec "$0" pod start nouserns' "$UPOD" 2>&1)
    status=$?
    [ "$status" -eq 125 ] || fail "pod start exited $status: $out"
    assert_one_line "$out"
    assert_contains "$out" "user.max_user_namespaces is 0"
    assert_contains "$out" "sysctl -w user.max_user_namespaces=15000"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Created" "status after the failed start"
}

test_share_none_with_published_ports_is_valid() {
    # Unlike podman 4: the ports reach the infra's network namespace, as in
    # the seed article.
    run_upod pod create --name nonep --share none -p 9090:80
    assert_status 0
    run_upod pod ls --format '{{.Name}}'
    assert_eq "$out" "nonep" "pod ls"
    run_upod pod inspect --format '{{json .InfraConfig.PortBindings}}' nonep
    assert_eq "$out" '{"80/tcp":[{"HostIp":"","HostPort":"9090"}]}' "PortBindings"
}
