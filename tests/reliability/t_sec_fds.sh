# Security: upod's descriptors and the caller's never reach a container.
# (issue 13, items 1 and 2: fd theft from a process being started in a pod
# that shares pid; fds of the calling shell leaking into containers.)

. "$TESTS/../reliability/helpers.sh"

# A rootfs with the attacker program in it.
make_attacker_rootfs() {
    make_rootfs "$1"
    cp "$THIEF" "$1/bin/thief"
}

# A container of a pod that shares pid watches for every process upod
# starts in the pod (plain run -d, -t, --init, exec, exec -t) and tries to
# take its fds with pidfd_getfd and to reach the host's files through its
# /proc/PID/root, for as long as each lives. It must get nothing: before it
# execs, a starting process is not dumpable and holds nothing of upod's.
test_starting_processes_give_nothing_to_a_pod_sibling() {
    make_attacker_rootfs "$TESTDIR/rootfs"
    echo secret >"$TESTDIR/host-marker"
    run_upod pod create --name shared --share +pid
    assert_status 0
    run_upod run -d --pod shared --name thief --rootfs "$TESTDIR/rootfs" \
        thief 25 "$TESTDIR/host-marker"
    assert_status 0
    thief_is_watching() { "$UPOD" logs thief 2>/dev/null | grep -q watching; }
    wait_for 10 thief_is_watching || fail "the thief did not start: $("$UPOD" logs thief 2>&1)"
    local i
    for i in 1 2 3 4 5 6; do
        run_upod run -d --pod shared --name "v$i" --rootfs "$TESTDIR/rootfs" sleep 60
        assert_status 0
        run_upod run -d -t --pod shared --name "t$i" --rootfs "$TESTDIR/rootfs" sleep 60
        assert_status 0
        run_upod run -d --init --pod shared --name "i$i" --rootfs "$TESTDIR/rootfs" sleep 60
        assert_status 0
        run_upod exec "v$i" true
        assert_status 0
        "$UPOD" exec -t "v$i" true </dev/null >/dev/null 2>&1
        run_upod run --rm --pod shared --rootfs "$TESTDIR/rootfs" true
        assert_status 0
    done
    run_upod stop -t 10 thief
    local log
    log=$("$UPOD" logs thief)
    assert_contains "$log" "watched" "the thief's report"
    local watched
    watched=$(sed -n 's/^watched \([0-9]*\) pids.*/\1/p' <<<"$log")
    [ "${watched:-0}" -ge 30 ] || fail "the thief saw only ${watched:-0} new processes: $log"
    local taken
    taken=$(grep -E '^(stolen|reached) ' <<<"$log" | head -n 8)
    assert_eq "$taken" "" "what the thief took"
}

# The calling shell's fds above 2 stay out of every container, attached,
# detached and exec'd: a directory fd of the caller's would let a container
# write into the caller's files.
test_callers_fds_do_not_leak_into_containers() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir "$TESTDIR/home"
    run_upod pod create --name leak
    assert_status 0
    local probe='for f in /proc/self/fd/*; do readlink "$f"; done; echo x >/proc/self/fd/9/f'
    exec 9<"$TESTDIR/home"
    run_upod run --rm --pod leak --rootfs "$TESTDIR/rootfs" sh -c "$probe"
    assert_eq "$(grep -c . <<<"$out")" 3 "fds of an attached container (its 0, 1, 2): $out"
    run_upod run -d --pod leak --name bg --rootfs "$TESTDIR/rootfs" sh -c "$probe; sleep 60"
    assert_status 0
    run_upod exec bg sh -c "$probe"
    assert_eq "$(grep -c . <<<"$out")" 3 "fds of an exec'd command (its 0, 1, 2): $out"
    exec 9<&-
    # Its probe has run once the shell says it could not write through fd 9.
    bg_probed() { "$UPOD" logs bg 2>&1 | grep -q '/proc/self/fd/9/f'; }
    wait_for 10 bg_probed || fail "the detached container's probe did not run: $("$UPOD" logs bg 2>&1)"
    assert_eq "$("$UPOD" logs bg 2>&1 | grep -vc '/proc/self/fd/9/f')" 3 \
        "fds of a detached container (its 0, 1, 2): $("$UPOD" logs bg 2>&1)"
    assert_eq "$(ls -A "$TESTDIR/home")" "" "files a container wrote through the caller's fd"
}

# A pipe of the caller's is not held by anything upod leaves running (the
# monitor, the keeper, the container): its reader sees its end once the
# caller closes it.
test_callers_pipe_is_not_held_by_a_detached_container() {
    make_rootfs "$TESTDIR/rootfs"
    mkfifo "$TESTDIR/fifo"
    (cat "$TESTDIR/fifo" >/dev/null; echo end >"$TESTDIR/ended") &
    exec 8>"$TESTDIR/fifo"
    run_upod run -d --name held --rootfs "$TESTDIR/rootfs" sleep 60
    assert_status 0
    exec 8>&-
    wait_for 5 test -s "$TESTDIR/ended" ||
        fail "the caller's pipe is still held open after run -d returned"
    run_upod rm -f -t 0 held
}

# --preserve-fds N passes fds 3..N+2 on, and nothing else; a count beyond
# what is open is refused before anything is made.
test_preserve_fds_passes_exactly_those() {
    make_rootfs "$TESTDIR/rootfs"
    echo three >"$TESTDIR/three"
    echo four >"$TESTDIR/four"
    run_upod pod create --name pres
    assert_status 0
    exec 3<"$TESTDIR/three" 4<"$TESTDIR/four" 9<"$TESTDIR/four"
    run_upod run --rm --pod pres --preserve-fds 2 --rootfs "$TESTDIR/rootfs" \
        sh -c 'cat /proc/self/fd/3 /proc/self/fd/4; test -e /proc/self/fd/9 && echo leaked; true'
    assert_status 0
    assert_eq "$out" "three
four" "what the container read from its fds 3 and 4"
    run_upod run -d --pod pres --name keep --preserve-fds 1 --rootfs "$TESTDIR/rootfs" \
        sh -c 'cat /proc/self/fd/3; test -e /proc/self/fd/4 && echo leaked; sleep 60'
    assert_status 0
    keep_printed() { "$UPOD" logs keep | grep -q three; }
    wait_for 5 keep_printed || fail "run -d --preserve-fds 1: $("$UPOD" logs keep)"
    assert_not_contains "$("$UPOD" logs keep)" "leaked"
    run_upod exec --preserve-fds 1 keep sh -c 'cat /proc/self/fd/3; test -e /proc/self/fd/4 && echo leaked; true'
    assert_eq "$out" "three" "exec --preserve-fds 1"
    exec 3<&- 4<&- 9<&-
    local before
    before=$("$UPOD" ps -aq | wc -l)
    run_upod run --rm --pod pres --preserve-fds 3 --rootfs "$TESTDIR/rootfs" true
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "fd 3 is not open"
    assert_eq "$("$UPOD" ps -aq | wc -l)" "$before" "containers after a refused --preserve-fds"
}

# PID 1 of a pod that shares pid is the infra, which stands on the host's
# filesystem and holds the host's published sockets: a container given
# SYS_PTRACE, or every capability, must not reach either through
# /proc/1/root, /proc/1/fd or ptrace.
test_infra_out_of_reach_of_ptrace_capable_containers() {
    make_rootfs "$TESTDIR/rootfs"
    echo host-secret >"$TESTDIR/secret"
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name ptr --share +pid -p 127.0.0.1:$port:80
    assert_status 0
    local caps probe
    probe="cat /proc/1/comm; cat /proc/1/root$TESTDIR/secret; ls -l /proc/1/fd/; cat /proc/1/environ"
    for caps in SYS_PTRACE all; do
        run_upod run --rm --pod ptr --cap-add "$caps" --rootfs "$TESTDIR/rootfs" sh -c "$probe"
        assert_contains "$out" "upod-infra" "PID 1 seen by a container with --cap-add $caps"
        assert_not_contains "$out" "host-secret" "what a container with --cap-add $caps read"
        assert_not_contains "$out" "socket:" "the infra's fds, listed by a container with --cap-add $caps"
    done
    # The user still joins the pod (its keeper hands the namespaces out).
    run_upod pod enter ptr cat /proc/1/comm
    assert_status 0
    assert_eq "$out" "upod-infra" "PID 1 seen by pod enter"
}

# upod-init (--init) is a fork of upod that never execs: its memory holds
# the caller's environment. The container it runs must not read it.
test_init_does_not_show_the_callers_environment() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name envpod
    assert_status 0
    out=$(UPOD_CALLER_SECRET=caller-secret-42 "$UPOD" run --rm --pod envpod --init \
        --rootfs "$TESTDIR/rootfs" sh -c 'cat /proc/1/comm; cat /proc/1/environ; head -c 64 /proc/1/mem' 2>&1)
    assert_contains "$out" "upod-init" "PID 1 of an --init container"
    assert_not_contains "$out" "caller-secret-42" "what the container read of its init"
    UPOD_CALLER_SECRET=caller-secret-42 "$UPOD" run -d --name envbg --pod envpod --init \
        --rootfs "$TESTDIR/rootfs" sleep 60 >/dev/null || fail "run -d --init"
    run_upod exec envbg sh -c 'cat /proc/1/environ; for p in /proc/[0-9]*; do cat $p/environ; done 2>/dev/null'
    assert_not_contains "$out" "caller-secret-42" "what exec read of the container's processes"
    run_upod exec envbg cat /proc/self/comm
    assert_eq "$out" "cat" "exec into an --init container"
}
