# Container lifecycle as podman's: create, start [-a], restart, top, ps
# --filter, logs --since, `upod container VERB`.

setup_pod() { # NAME [create options...]
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name "$@"
    assert_status 0
}

status_of() { # CONTAINER: its STATUS column
    "$UPOD" ps -a --filter "name=^$1\$" --format '{{.Status}}'
}

test_create_start_stop_restart() {
    setup_pod life
    run_upod create --name svc --pod life --rootfs "$TESTDIR/rootfs" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
    assert_status 0
    [[ $out =~ ^[0-9a-f]{64}$ ]] || fail "create printed '$out'"
    local id=$out
    assert_eq "$(status_of svc)" "Created" "after create"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Created" "create does not start the pod"
    run_upod inspect --format '{{.State.Status}} {{.State.Running}}' svc
    assert_eq "$out" "created false" "inspect after create"
    run_upod start svc
    assert_status 0
    assert_eq "$out" "svc" "start echoes the reference"
    assert_contains "$(status_of svc)" "Up"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Running" "start started the pod"
    local first second pid1 pid2
    first=$("$UPOD" inspect --format '{{.State.StartedAt}}' svc)
    pid1=$("$UPOD" inspect --format '{{.State.Pid}}' svc)
    run_upod start svc
    assert_status 0
    assert_eq "$("$UPOD" inspect --format '{{.State.Pid}}' svc)" "$pid1" "start of a running container changes nothing"
    run_upod restart svc
    assert_status 0
    assert_eq "$out" "$id" "restart prints the id"
    second=$("$UPOD" inspect --format '{{.State.StartedAt}}' svc)
    pid2=$("$UPOD" inspect --format '{{.State.Pid}}' svc)
    [ "$first" != "$second" ] || fail "StartedAt did not change on restart ($first)"
    [ "$pid1" != "$pid2" ] || fail "the same process after restart ($pid1)"
    kill -0 "$pid1" 2>/dev/null && fail "the first process still runs after restart"
    assert_contains "$(status_of svc)" "Up"
    run_upod stop svc
    assert_status 0
    assert_contains "$(status_of svc)" "Exited (0)"
    # An exited container starts again, with the same record.
    run_upod start svc
    assert_status 0
    assert_contains "$(status_of svc)" "Up"
    assert_eq "$("$UPOD" inspect --format '{{.Id}}' svc)" "$id" "same container"
    run_upod rm -f svc
    assert_status 0
}

test_start_attach_returns_output_and_status() {
    setup_pod att
    "$UPOD" create --name job --pod att --rootfs "$TESTDIR/rootfs" \
        sh -c 'echo out-line; echo err-line >&2; exit 4' >/dev/null || fail "create"
    run_upod start -a job
    assert_status 4
    assert_eq "$out" "out-line" "stdout of start -a"
    assert_eq "$err" "err-line" "stderr of start -a"
    # Only this run's output: a second start -a does not repeat the first.
    run_upod start -a job
    assert_status 4
    assert_eq "$out" "out-line" "second start -a"
    assert_eq "$("$UPOD" logs job | wc -l)" "2" "the log holds both runs' stdout"
    run_upod start -a job job
    assert_status 125
    assert_contains "$err" "cannot start and attach multiple containers"
}

test_start_errors_are_clear() {
    setup_pod bad
    run_upod start nosuch
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" 'no container with name or ID "nosuch" found'
    # The command is checked when the container starts, as in podman: the
    # error is the exec's, the record stays, not running.
    run_upod create --name nocmd --pod bad --rootfs "$TESTDIR/rootfs" nosuchcmd
    assert_status 0
    run_upod start nocmd
    assert_status 127
    assert_one_line "$err"
    assert_contains "$err" "nosuchcmd: executable file not found in \$PATH"
    assert_eq "$(status_of nocmd)" "Created" "after the failed start"
    # Bad input to create: one line, nothing written.
    run_upod create --pod bad --rootfs "$TESTDIR/nothing" true
    assert_status 125
    assert_one_line "$err"
    run_upod create --pod bad --rootfs "$TESTDIR/rootfs" -d true
    assert_status 125
    assert_contains "$err" "unknown flag"
    run_upod create --name nocmd --pod bad --rootfs "$TESTDIR/rootfs" true
    assert_status 125
    assert_contains "$err" 'the container name "nocmd" is already in use'
    # Host paths under /dev/shm are hidden by the pod's own /dev/shm.
    run_upod create --pod bad --rootfs "$TESTDIR/rootfs" -v /dev/shm:/x true
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "its source is under /dev/shm, which a pod replaces with its own"
    local shm_dir
    shm_dir=$(mktemp -d /dev/shm/upod-test.XXXXXX)
    XDG_RUNTIME_DIR=$shm_dir run_upod pod ps
    rmdir "$shm_dir"
    assert_status 125
    assert_contains "$err" "state directory $shm_dir/upod is under /dev/shm"
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers" | wc -l)" "1" "records"
}

test_top_shows_the_containers_processes() {
    setup_pod tops --share net,ipc
    "$UPOD" run -d --name sleeper --pod tops --rootfs "$TESTDIR/rootfs" sleep 100 >/dev/null || fail "run -d"
    "$UPOD" run -d --name other --pod tops --rootfs "$TESTDIR/rootfs" sleep 200 >/dev/null || fail "run -d"
    "$UPOD" exec sleeper sh -c 'sleep 50 & exit 0'
    run_upod top sleeper
    assert_status 0
    assert_eq "$(head -n 1 <<<"$out" | tr -s ' ')" "USER PID PPID %CPU ELAPSED TTY TIME COMMAND" "header"
    # Its own pid namespace: the command is PID 1; exec'd processes belong
    # to it; the other container's do not.
    assert_eq "$(awk '$NF == "100" {print $1, $2}' <<<"$out")" "root 1" "the command"
    assert_contains "$out" "sleep 50"
    assert_not_contains "$out" "sleep 200"
    run_upod top nosuch
    assert_status 125
    run_upod stop -t 0 sleeper
    run_upod top sleeper
    assert_status 125
    assert_contains "$err" "container sleeper is not running"
}

test_logs_since() {
    setup_pod since
    "$UPOD" run -d --name talker --pod since --rootfs "$TESTDIR/rootfs" \
        sh -c 'echo early; sleep 2; echo late' >/dev/null || fail "run -d"
    wait_for 10 sh -c "'$UPOD' logs talker | grep -q early" || fail "no early line"
    sleep 1
    local middle
    middle=$(date +%s)
    wait_for 10 sh -c "'$UPOD' logs talker | grep -q late" || fail "no late line"
    run_upod logs --since "$middle" talker
    assert_eq "$out" "late" "--since a Unix time"
    run_upod logs --since "$(date -u -d "@$middle" +%Y-%m-%dT%H:%M:%SZ)" talker
    assert_eq "$out" "late" "--since RFC 3339"
    run_upod logs --since 1h talker
    assert_eq "$out" "early
late" "--since 1h"
    run_upod logs --since 1s --tail 5 talker
    assert_status 0
    run_upod logs --since yesterday talker
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" 'invalid --since "yesterday"'
}

test_ps_filters() {
    # Pod names that are no id prefix: pod=NAME also matches ids that start
    # with NAME, and "f1" starts one id in 256.
    setup_pod pf1
    run_upod pod create --name pf2
    "$UPOD" run -d --name alpha --pod pf1 --rootfs "$TESTDIR/rootfs" sleep 100 >/dev/null || fail "alpha"
    "$UPOD" run --name beta --pod pf2 --rootfs "$TESTDIR/rootfs" true || fail "beta"
    "$UPOD" create --name gamma --pod pf1 --rootfs "$TESTDIR/rootfs" true >/dev/null || fail "gamma"
    names() { "$UPOD" ps -a "$@" --format '{{.Names}}' | grep -v infra | sort | paste -sd, -; }
    assert_eq "$(names --filter 'name=^[ag]')" "alpha,gamma" "name regex"
    assert_eq "$(names --filter name=mm)" "gamma" "name regex, unanchored"
    assert_eq "$(names --filter status=running)" "alpha" "status running"
    assert_eq "$(names --filter status=exited)" "beta" "status exited"
    assert_eq "$(names --filter status=created)" "gamma" "status created"
    assert_eq "$(names --filter pod=pf1)" "alpha,gamma" "pod by name"
    local pod2
    pod2=$("$UPOD" pod inspect --format '{{.Id}}' pf2)
    assert_eq "$(names --filter "pod=${pod2:0:12}")" "beta" "pod by id"
    assert_eq "$(names --filter pod=pf1 --filter status=running)" "alpha" "different keys: and"
    assert_eq "$(names --filter name=alpha --filter name=beta)" "alpha,beta" "same key: or"
    local id
    id=$("$UPOD" inspect --format '{{.Id}}' gamma)
    assert_eq "$(names --filter "id=${id:0:8}")" "gamma" "id prefix"
    run_upod ps -a --filter color=red
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "upod filters on name, id, status and pod"
    run_upod ps --filter status=paused
    assert_status 125
    run_upod ps --filter 'name=('
    assert_status 125
}

test_container_subcommands() {
    setup_pod sub
    run_upod container run --name c1 --pod sub --rootfs "$TESTDIR/rootfs" true
    assert_status 0
    run_upod container ls -a --filter "name=^c1$" --format '{{.Names}}'
    assert_eq "$out" "c1" "container ls"
    run_upod container inspect --format '{{.Name}}' c1
    assert_eq "$out" "c1" "container inspect"
    run_upod container rm c1
    assert_status 0
    run_upod container frobnicate
    assert_status 125
    assert_contains "$err" "upod container needs a command"
}

# A pod's containers are counted and listed by pod ps and pod inspect, the
# infra included, as podman does; ps templates see short ids.
test_pod_ps_and_inspect_count_containers() {
    setup_pod counted
    run_upod pod create --name empty
    "$UPOD" run -d --name m1 --pod counted --rootfs "$TESTDIR/rootfs" sleep 100 >/dev/null || fail "m1"
    "$UPOD" create --name m2 --pod counted --rootfs "$TESTDIR/rootfs" true >/dev/null || fail "m2"
    run_upod pod ps
    assert_eq "$(awk '$2 == "counted" {print $NF}' <<<"$out")" "3" "# OF CONTAINERS of counted"
    assert_eq "$(awk '$2 == "empty" {print $NF}' <<<"$out")" "1" "# OF CONTAINERS of empty"
    run_upod pod ps --format json
    jq -e 'map(select(.Name == "counted"))[0].NumberOfContainers == 3' <<<"$out" >/dev/null ||
        fail "pod ps json: $out"
    assert_eq "$(jq -r 'map(select(.Name == "counted"))[0].Containers | map(.Names) | map(select(test("infra") | not)) | sort | join(",")' <<<"$out")" \
        "m1,m2" "pod ps json members"
    run_upod pod inspect counted
    assert_eq "$(jq -r '.NumContainers' <<<"$out")" "3" "NumContainers"
    assert_eq "$(jq -r '[.Containers[] | select(.Name == "m1" or .Name == "m2") | .Name + "=" + .State] | sort | join(",")' <<<"$out")" \
        "m1=running,m2=created" "pod inspect members"
    local id
    id=$("$UPOD" inspect --format '{{.Id}}' m1)
    run_upod ps --filter name=m1 --format '{{.ID}}'
    assert_eq "$out" "${id:0:12}" "{{.ID}} in ps templates"
    run_upod ps --no-trunc --filter name=m1 --format '{{.ID}}'
    assert_eq "$out" "$id" "{{.ID}} with --no-trunc"
}

# ps -a lists each pod's infra container, as podman does; the container
# commands name it as such instead of "no such container".
test_infra_container_is_explained() {
    run_upod pod create --name withinfra
    assert_status 0
    local short name
    read -r short name < <("$UPOD" ps -a --format '{{.ID}} {{.Names}} {{.IsInfra}}' | awk '$3 == "true" {print $1, $2}')
    [ -n "$short" ] || fail "ps -a lists no infra container"
    run_upod rm -f "$short"
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "is the infra container of pod withinfra"
    run_upod logs "$name"
    assert_status 125
    assert_contains "$err" "is the infra container of pod withinfra"
    run_upod pod exists withinfra
    assert_status 0
    run_upod rm nosuchthing
    assert_status 1
    assert_contains "$err" "no such container"
}

test_stop_and_rm_all() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name many
    assert_status 0
    run_upod run -d --pod many --name one --rootfs "$TESTDIR/rootfs" sleep 300
    assert_status 0
    run_upod create --pod many --name two --rootfs "$TESTDIR/rootfs" true
    assert_status 0
    run_upod rm -a one
    assert_status 125
    assert_contains "$err" "you may not pass any container names"
    run_upod stop -a -t 0
    assert_status 0
    assert_eq "$(printf '%s\n' "$out" | wc -l)" "2" "lines printed by stop -a"
    assert_eq "$("$UPOD" ps --format '{{.Names}} {{.IsInfra}}' | awk '$2 == "false"')" "" \
        "running containers after stop -a"
    run_upod rm --all
    assert_status 0
    assert_eq "$("$UPOD" ps -a --format '{{.IsInfra}}' | sort -u)" "true" "what ps -a lists after rm --all"
    run_upod pod exists many
    assert_status 0
}
