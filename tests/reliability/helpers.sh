# tests/reliability/helpers.sh: what the fault and load tests check after
# a fault (sourced by them, after tests/integration/lib.sh).

# random_delay: a sleep of 0 to 39 ms, different each time.
random_delay() {
    sleep "0.0$(printf '%02d' $((RANDOM % 40)))"
}

# kill_at_random COMMAND...: run an upod command and SIGKILL it after a
# random delay (it may have finished by then: that is one of the points).
kill_at_random() {
    "$UPOD" "$@" >/dev/null 2>&1 &
    local pid=$!
    random_delay
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

alive() { # PID: running (not a zombie)
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

# pod_processes: live processes of this user's pods: upod's own (keeper,
# infra, monitor, relay, init: their names start with upod-; not
# upod-userns) and anything in
# a user namespace other than ours (a pod's). The test's shell and tools
# are neither, nor is anything of another user's (other work may run on
# the machine), nor of another test's running at the same time
# (in_own_cgroup). The user's are those of its real uid (pgrep -U reads it
# from /proc/PID/status: the owner of /proc/PID is root while a process is
# not dumpable).
pod_processes() {
    local me p comm
    me=$(readlink /proc/self/ns/user)
    for p in $(pgrep -U "$(id -u)"); do
        alive "$p" || continue
        in_own_cgroup "$p" || continue
        comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
        case $comm in
        # The holder of the parent user namespace is the user's, not a
        # pod's: it outlives the last pod by its linger, then exits
        # (t_userns.sh checks that).
        upod-userns) ;;
        upod-*) echo "$p $comm" ;;
        *) [ "$(readlink "/proc/$p/ns/user" 2>/dev/null || echo "$me")" = "$me" ] ||
            echo "$p $comm" ;;
        esac
    done
    return 0
}

no_pod_processes() {
    [ -z "$(pod_processes)" ]
}

# pod_truthful ID: what the state says of pod ID is so: Running means its
# keeper and infra are alive; anything else, that its keeper is gone.
pod_truthful() {
    local state keeper infra name
    read -r state keeper infra name < <("$UPOD" pod inspect --format \
        '{{.State}} {{.KeeperPid}} {{.InfraPid}} {{.Name}}' "$1" 2>/dev/null)
    [ -n "$state" ] || return 0 # removed meanwhile
    if [ "$state" = Running ]; then
        alive "$keeper" && alive "$infra"
    else
        ! own_pgrep -f "^upod-keeper $name\$" >/dev/null
    fi
}

# ctr_truthful ID: an Up container has its process alive; a container that
# is not up has no monitor left.
ctr_truthful() {
    local pid status name
    read -r pid name status < <("$UPOD" ps -a --no-trunc --filter "id=$1" \
        --format '{{.Pid}} {{.Names}} {{.Status}}' 2>/dev/null)
    [ -n "$status" ] || return 0 # removed meanwhile
    case $status in
    Up*) alive "$pid" ;;
    *) ! own_pgrep -f "^upod-monitor $name\$" >/dev/null ;;
    esac
}

# assert_truthful: `pod ps` and `ps -a` answer, and within a moment (a
# command killed half-way may leave a keeper or monitor finishing or
# undoing its work) what they say of every pod and container is so.
assert_truthful() {
    local id
    run_upod pod ps -q --no-trunc
    assert_status 0
    for id in $out; do
        wait_for 3 pod_truthful "$id" || fail "pod $id: $("$UPOD" pod inspect --format \
            '{{.State}} keeper {{.KeeperPid}} infra {{.InfraPid}}' "$id") is not so"
    done
    run_upod ps -a
    assert_status 0
    local ids
    ids=$("$UPOD" ps -a --no-trunc --format '{{.ID}} {{.IsInfra}}' | awk '$2 == "false" {print $1}')
    for id in $ids; do
        wait_for 3 ctr_truthful "$id" || fail "container $id: $("$UPOD" ps -a --filter "id=$id" \
            --format '{{.Status}} pid {{.Pid}}') is not so"
    done
}

# assert_all_cleaned: remove every container and pod; nothing may remain,
# neither in the state nor as a process.
assert_all_cleaned() {
    run_upod rm -f -t 0 --all
    assert_status 0
    run_upod pod rm -f -t 0 --all
    assert_status 0
    assert_eq "$("$UPOD" ps -aq)" "" "containers (and infras) after rm -f"
    assert_eq "$("$UPOD" pod ps -q)" "" "pods after pod rm -f --all"
    wait_for 3 no_pod_processes || fail "processes left after cleanup: $(pod_processes)"
    local left
    left=$(find "$XDG_RUNTIME_DIR/upod" -mindepth 2 -maxdepth 2 ! -name lock 2>/dev/null)
    assert_eq "$left" "" "state entries left after cleanup"
}
