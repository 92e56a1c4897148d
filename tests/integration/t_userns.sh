# t_userns.sh: the user's parent user namespace (src/proc/holder.h): every
# pod's own user namespace is nested in one parent, mapped once with
# newuidmap/newgidmap and held by upod-userns; pods stay apart.
#
# The helpers' runs are counted, not assumed: as root, the runner makes
# private setuid copies of them (UPOD_TEST_IDMAP_DIR), put first in $PATH
# here, and inotify counts each exec that opens them. A root script of the
# runner's (UPOD_TEST_SUBID_SWITCH, through sudo) moves our subordinate
# ranges for the test of a change of /etc/subuid.
ALONE_TESTS=test_subuid_change_makes_a_new_parent

# started_pod NAME [create options...]: created and started, or the test fails.
started_pod() {
    local name=$1
    shift
    run_upod pod create --name "$name" "$@"
    assert_status 0
    run_upod pod start "$name"
    assert_status 0
}

# enter_sleeper POD SECONDS: `sleep SECONDS` entered into POD in the
# background; its host pid in $sleeper, the background job in $sleeper_job
# (stop_sleeper ends it).
enter_sleeper() {
    "$UPOD" pod enter "$1" sleep "$2" >/dev/null 2>&1 &
    sleeper_job=$!
    wait_for 5 own_pgrep -xf "sleep $2" >/dev/null || fail "no process entered into $1"
    sleeper=$(own_pgrep -xf "sleep $2" | head -n 1)
}

stop_sleeper() {
    kill "$sleeper_job" 2>/dev/null
    wait "$sleeper_job" 2>/dev/null
    return 0
}

# holder_pid: the running holder's pid, as `upod info` says ("" if none).
holder_pid() {
    "$UPOD" info --format json | jq -r 'if .userNamespaces.holder.running then .userNamespaces.holder.pid else "" end'
}

# userns_inode LINK: N of "user:[N]".
userns_inode() {
    local l=$1
    l=${l#user:[}
    echo "${l%]}"
}

# parent_of_pod POD: the inode of the parent of POD's user namespace, seen
# through a process entered into it (lsns asks the kernel: NS_GET_PARENT).
parent_of_pod() {
    local ns
    ns=$(userns_inode "$(pod_userns "$1")")
    "$UPOD" pod enter "$1" sleep 30 >/dev/null 2>&1 &
    local pid=$! i parent=""
    for i in $(seq 100); do
        parent=$(lsns -n -t user -o NS,PNS 2>/dev/null | awk -v n="$ns" '$1 == n {print $2; exit}')
        [ -n "$parent" ] && break
        sleep 0.05
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    echo "$parent"
}

# map_inside POD: its uid_map as a process in it reads it (relative to the
# parent namespace), one line, blanks squeezed.
map_inside() {
    "$UPOD" pod enter "$1" cat /proc/self/uid_map | awk '{printf "%s%s %s %s", (NR > 1 ? "," : ""), $1, $2, $3}'
}

test_pods_nest_in_one_parent_mapped_once() {
    [ -n "${UPOD_TEST_IDMAP_DIR:-}" ] || fail "this test needs the runner's helper copies: run make check as root"
    command -v inotifywait >/dev/null || fail "inotifywait is missing (apt-get install inotify-tools)"
    export PATH="$UPOD_TEST_IDMAP_DIR:$PATH"
    inotifywait -m -e open --format '%w' "$UPOD_TEST_IDMAP_DIR/newuidmap" \
        "$UPOD_TEST_IDMAP_DIR/newgidmap" >"$TESTDIR/opens" 2>"$TESTDIR/inotify.err" &
    local watcher=$!
    wait_for 10 grep -q "Watches established" "$TESTDIR/inotify.err" || fail "inotifywait did not start"
    local p
    for p in nest1 nest2 nest3; do
        started_pod "$p"
    done
    sleep 0.2
    kill "$watcher"
    wait "$watcher" 2>/dev/null
    assert_eq "$(grep -c newuidmap "$TESTDIR/opens")" "1" "newuidmap runs for 3 pod starts"
    assert_eq "$(grep -c newgidmap "$TESTDIR/opens")" "1" "newgidmap runs for 3 pod starts"
    local h
    h=$(holder_pid)
    [ -n "$h" ] || fail "upod info shows no holder"
    assert_eq "$(cat "/proc/$h/comm")" "upod-userns" "the holder's name"
    local parent
    parent=$(userns_inode "$(readlink "/proc/$h/ns/user")")
    for p in nest1 nest2 nest3; do
        assert_eq "$(parent_of_pod "$p")" "$parent" "parent of $p's user namespace"
    done
    # The pods' namespaces are distinct, and each maps the parent as it is.
    [ "$(pod_userns nest1)" != "$(pod_userns nest2)" ] || fail "two pods share a user namespace"
    local count
    count=$(awk -F: -v u="$(id -un)" '$1 == u {print $3; exit}' /etc/subuid)
    assert_eq "$(map_inside nest1)" "0 0 1,1 1 $count" "nest1's map, relative to the parent"
    # The host sees the same ids as before the nesting: 0 is the user.
    enter_sleeper nest1 30
    assert_eq "$(awk 'NR == 1 {print $1, $2, $3}' "/proc/$sleeper/uid_map")" "0 $(id -u) 1" "host view"
    stop_sleeper
}

test_pod_cannot_reach_another_pod() {
    started_pod isoa
    started_pod isob
    enter_sleeper isob 61
    local victim=$sleeper h
    h=$(holder_pid)
    # B's namespaces and the parent user namespace, handed (as a leak
    # would) to a root process of pod A, with full capabilities in A's
    # user namespace: every setns must be refused.
    "$NSPROBE" serve "$TESTDIR/ns.sock" "$victim" "$h" >"$TESTDIR/serve.out" 2>&1 &
    local server=$!
    wait_for 5 grep -q listening "$TESTDIR/serve.out" || fail "nsprobe serve: $(cat "$TESTDIR/serve.out")"
    out=$("$UPOD" pod enter isoa "$NSPROBE" try "$TESTDIR/ns.sock" 2>&1)
    status=$?
    wait "$server"
    assert_eq "$status" "0" "probe status ($out)"
    local kind
    for kind in user net uts ipc mnt pid parent; do
        assert_contains "$out" "setns $kind: refused (Operation not permitted)"
    done
    assert_not_contains "$out" "allowed"
    # A's root signals every process it can name: B's is not among them.
    assert_contains "$out" "kill -1: sent"
    process_alive "$victim" || fail "pod A's kill -1 reached pod B's process"
    run_upod pod enter isob true
    assert_status 0
    stop_sleeper
}

test_holder_killed_is_replaced() {
    started_pod kill1
    local h1 h2
    h1=$(holder_pid)
    [ -n "$h1" ] || fail "no holder"
    kill -KILL "$h1"
    wait_for 5 sh -c "! kill -0 $h1 2>/dev/null" || fail "holder $h1 did not die"
    run_upod info --format json
    assert_eq "$(jq -r .userNamespaces.holder.running <<<"$out")" "false" "info after the holder died"
    started_pod kill2
    h2=$(holder_pid)
    [ -n "$h2" ] && [ "$h2" != "$h1" ] || fail "no new holder (was $h1, now '$h2')"
    # The first pod runs on in the namespace it has.
    run_upod pod enter kill1 true
    assert_status 0
    [ "$(parent_of_pod kill2)" = "$(userns_inode "$(readlink "/proc/$h2/ns/user")")" ] ||
        fail "kill2 is not in the new holder's namespace"
}

test_stale_record_is_not_trusted() {
    started_pod stale1
    local rec=$XDG_RUNTIME_DIR/upod/userns h1
    h1=$(holder_pid)
    # A reused pid: the record names another live process of the user,
    # with another start time. It is not the holder, and is left alone.
    sleep 60 &
    local other=$!
    sed -i "s/^pid=.*/pid=$other/" "$rec"
    run_upod info --format json
    assert_eq "$(jq -r .userNamespaces.holder.running <<<"$out")" "false" "a reused pid"
    run_upod system migrate
    assert_status 0
    kill -0 "$other" || fail "system migrate signalled a process that is not the holder"
    kill "$other"
    # A record of another boot: a new holder is made.
    started_pod stale2
    local h2
    h2=$(holder_pid)
    [ -n "$h2" ] && [ "$h2" != "$h1" ] || fail "no new holder after the reused pid"
    sed -i "s/^boot_id=.*/boot_id=00000000-0000-0000-0000-000000000000/" "$rec"
    started_pod stale3
    local h3
    h3=$(holder_pid)
    [ -n "$h3" ] && [ "$h3" != "$h2" ] || fail "a record of another boot was trusted"
}

test_system_migrate_stops_the_holder() {
    started_pod mig1
    local h
    h=$(holder_pid)
    [ -n "$h" ] || fail "no holder"
    run_upod system migrate
    assert_status 0
    wait_for 5 sh -c "! kill -0 $h 2>/dev/null" || fail "the holder outlived system migrate"
    [ ! -e "$XDG_RUNTIME_DIR/upod/userns" ] || fail "the holder's record is left"
    [ ! -e "$XDG_RUNTIME_DIR/upod/userns.sock" ] || fail "the holder's socket is left"
    run_upod pod enter mig1 true
    assert_status 0
    run_upod system bogus
    assert_status 125
}

test_holder_exits_without_leases() {
    # Checked through its timer: a holder whose last pod went exits after
    # HOLDER_LINGER_MS (30 s); here its lease goes and it must still be
    # there at once, then gone within the linger plus a margin.
    started_pod linger1
    local h
    h=$(holder_pid)
    [ -n "$h" ] || fail "no holder"
    run_upod pod rm -f linger1
    assert_status 0
    kill -0 "$h" || fail "the holder went at once"
    wait_for 40 sh -c "! kill -0 $h 2>/dev/null" || fail "the holder outlived its linger"
    [ ! -e "$XDG_RUNTIME_DIR/upod/userns" ] || fail "the holder left its record"
}

test_keep_id_is_relative_to_the_parent() {
    started_pod keep1 --userns keep-id
    local u
    u=$(id -u)
    assert_eq "$("$UPOD" pod enter keep1 id -u)" "$u" "uid inside"
    # Inside U is the parent's 0 (the user); 0 is the parent's 1.
    assert_contains "$(map_inside keep1)" "$u 0 1"
    assert_contains "$(map_inside keep1)" "0 1 "
}

test_no_subids_single_mapping_nested() {
    # As root of a user namespace of its own (unshare --map-root-user), the
    # user has no subordinate ids: upod falls back to the single mapping,
    # with the same parent and nesting.
    out=$(unshare --user --map-root-user sh -c '
        set -e
        "$0" pod create --name single1 >/dev/null
        "$0" pod start single1 >/dev/null
        "$0" pod create --name single2 >/dev/null
        "$0" pod start single2 >/dev/null
        "$0" info --format "{{.UserNamespaces.Holder.IdMapping}}"
        "$0" pod enter single1 cat /proc/self/uid_map
        a=$("$0" pod enter single1 readlink /proc/self/ns/user)
        b=$("$0" pod enter single2 readlink /proc/self/ns/user)
        [ "$a" != "$b" ] && echo distinct
        "$0" pod rm -f single1 single2 >/dev/null
        "$0" system migrate' "$UPOD" 2>&1)
    assert_contains "$out" "single"
    assert_contains "$(awk 'NR == 2 {print $1, $2, $3}' <<<"$out")" "0 0 1"
    assert_contains "$out" "distinct"
}

# host_map_of POD: the second line of the uid map of a process entered into
# POD, as the host reads it ("inside outside count": outside is the first
# subordinate uid).
host_map_of() {
    enter_sleeper "$1" 62
    awk 'NR == 2 {print $1, $2, $3}' "/proc/$sleeper/uid_map"
    stop_sleeper
}

test_subuid_change_makes_a_new_parent() {
    # The runner's root script moves our ranges (and back at the end):
    # alone, since every pod started meanwhile would see the move.
    [ -n "${UPOD_TEST_SUBID_SWITCH:-}" ] || fail "this test needs the runner's subid switch: run make check as root"
    trap 'sudo -n "$UPOD_TEST_SUBID_SWITCH" orig >/dev/null 2>&1; cleanup_pods' EXIT
    started_pod sub1
    local h1 before after start
    h1=$(holder_pid)
    before=$(host_map_of sub1)
    start=$(awk -F: -v u="$(id -un)" '$1 == u {print $2; exit}' /etc/subuid)
    assert_eq "$before" "1 $start 65536" "sub1's subordinate ids"
    sudo -n "$UPOD_TEST_SUBID_SWITCH" alt || fail "cannot move the subordinate ranges"
    started_pod sub2
    local h2
    h2=$(holder_pid)
    [ -n "$h2" ] && [ "$h2" != "$h1" ] || fail "no new holder after /etc/subuid changed"
    start=$(awk -F: -v u="$(id -un)" '$1 == u {print $2; exit}' /etc/subuid)
    after=$(host_map_of sub2)
    assert_eq "$after" "1 $start 65536" "sub2's subordinate ids, from the new /etc/subuid"
    [ "$after" != "$before" ] || fail "the ranges did not move"
    # The first pod runs on, in the parent it has.
    assert_eq "$(host_map_of sub1)" "$before" "sub1 after the change"
    sudo -n "$UPOD_TEST_SUBID_SWITCH" orig || fail "cannot move the ranges back"
}

test_unshare_runs_in_the_parent() {
    # A store operation's place: the parent, with no pod at all.
    run_upod unshare cat /proc/self/uid_map
    assert_status 0
    local start count
    start=$(awk -F: -v u="$(id -un)" '$1 == u {print $2; exit}' /etc/subuid)
    count=$(awk -F: -v u="$(id -un)" '$1 == u {print $3; exit}' /etc/subuid)
    assert_eq "$(awk '{printf "%s%s %s %s", (NR > 1 ? "," : ""), $1, $2, $3}' <<<"$out")" \
        "0 $(id -u) 1,1 $start $count" "the parent's map"
    run_upod unshare readlink /proc/self/ns/user
    assert_eq "$out" "$(readlink "/proc/$(holder_pid)/ns/user")" "the holder's namespace"
    run_upod unshare id -u
    assert_eq "$out" "0" "uid in the parent"
    # A file made there as a subordinate id is that id on the host.
    run_upod unshare sh -c "touch '$TESTDIR/by-1000' && chown 1000:1000 '$TESTDIR/by-1000'"
    assert_status 0
    assert_eq "$(stat -c %u "$TESTDIR/by-1000")" "$((start + 999))" "owner on the host"
    run_upod unshare rm -f "$TESTDIR/by-1000"
    assert_status 0
    run_upod unshare sh -c 'exit 3'
    assert_status 3
    run_upod unshare no-such-command-here
    assert_status 127
    assert_contains "$err" "executable file not found"
}
