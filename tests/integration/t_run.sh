# Containers run attached in pods: rootfs, mounts, capabilities, exit codes,
# and the namespace semantics of --share, seen from inside.

# They look for upod's processes among the user's (own_pgrep: see
# tests/integration/runner.sh).
PROCESS_TABLE_TESTS="test_run_without_pod_gets_a_pod_of_its_own test_run_init_forwards_signals_and_reaps"
# It looks for keepers, infras and monitors right after a pod went: alone,
# as all tests ran before they ran in parallel.
ALONE_TESTS="test_run_without_pod_gets_a_pod_of_its_own"

setup_pod() { # NAME [create options...]
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name "$@"
    assert_status 0
}

crun() { # POD ARGS...: upod run in POD with the test rootfs
    local pod=$1
    shift
    "$UPOD" run --pod "$pod" --rootfs "$TESTDIR/rootfs" "$@"
}

test_run_exit_codes() {
    setup_pod codes
    crun codes sh -c 'exit 3'
    assert_eq "$?" "3" "exit status of the container"
    # Its record, exited with its status, as podman keeps it, as it ended
    # just now (asked later, its age would depend on how fast the failed
    # runs below go).
    run_upod ps -a --filter pod=codes --format '{{.IsInfra}} {{.Command}} {{.Status}}'
    assert_eq "$(grep '^false' <<<"$out" | sed 's/ago$//')" "false sh -c exit 3 Exited (3) Less than a second " \
        "the attached container's record"
    run_upod run --pod codes --rootfs "$TESTDIR/rootfs" nosuchcmd
    assert_status 127
    assert_one_line "$err"
    assert_contains "$err" "nosuchcmd: executable file not found in \$PATH"
    run_upod run --pod codes --rootfs "$TESTDIR/rootfs" /etc/hostname
    assert_status 126
    run_upod run --pod codes --rootfs "$TESTDIR/nothing" true
    assert_status 125
    assert_contains "$err" "rootfs"
    run_upod run --pod codes --rootfs "$TESTDIR/rootfs"
    assert_status 125
    assert_contains "$err" "no command"
    run_upod run --pod nosuchpod --rootfs "$TESTDIR/rootfs" true
    assert_status 125
    assert_contains "$err" "no pod with name or ID nosuchpod found"
    # None of the failed ones left a record; the one that ran keeps its
    # record as it was (but for its age).
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers" | wc -l)" "1" "container records"
    run_upod ps -a --filter pod=codes --format '{{.IsInfra}} {{.Command}} {{.Status}}'
    assert_eq "$(grep '^false' <<<"$out" | sed -E 's/ (Less than a second|1 second|[0-9]+ seconds) ago$//')" \
        "false sh -c exit 3 Exited (3)" "the attached container's record after the failed runs"
    crun codes --rm --name gone true
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers" | wc -l)" "1" "records after --rm"
}

test_run_starts_the_pod() {
    setup_pod lazy
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Created" "before run"
    assert_eq "$(crun lazy echo hi)" "hi" "output"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Running" "after run"
}

test_run_mounts_and_pod_files() {
    setup_pod files --hostname web1
    local out
    out=$(crun files sh -c '
        cat /etc/hostname; grep -c "10.0.2.100	web1 files" /etc/hosts; cat /etc/resolv.conf
        ls /dev | tr "\n" " "; echo
        echo 1 >/proc/sys/kernel/shmmax 2>&1 || echo procsys-ro
        touch /sys/x 2>/dev/null || echo sys-ro
        grep -E " /dev/pts | /dev/shm | /dev/mqueue " /proc/mounts | cut -d" " -f3 | tr "\n" " "; echo')
    assert_eq "$(sed -n 1p <<<"$out")" "web1" "/etc/hostname"
    assert_eq "$(sed -n 2p <<<"$out")" "1" "pod line in /etc/hosts"
    assert_eq "$(sed -n 3p <<<"$out")" "nameserver 10.0.2.3" "resolv.conf"
    assert_eq "$(sed -n 5p <<<"$out")" "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "/dev"
    assert_contains "$out" "procsys-ro"
    assert_contains "$out" "sys-ro"
    assert_contains "$out" "devpts tmpfs mqueue"
    # What the host has of podman's masked files reads empty inside.
    local f masked=0
    for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
        [ -e "$f" ] || continue
        assert_eq "$(crun files sh -c "wc -c <$f")" "0" "$f masked"
        masked=$((masked + 1))
    done
    [ "$masked" -gt 0 ] || fail "none of the masked /proc files exists on this host to check"
}

test_run_capabilities_and_no_new_privs() {
    setup_pod caps
    local status
    status=$(crun caps cat /proc/self/status)
    assert_contains "$status" "CapEff:	00000000800405fb"
    assert_contains "$status" "CapBnd:	00000000800405fb"
    assert_contains "$status" "NoNewPrivs:	1"
    assert_contains "$status" "Seccomp:	2" # the filter (issue 8), checked below
    # Nothing upod ignores (SIGPIPE...) or blocks is passed on.
    assert_contains "$status" "SigIgn:	0000000000000000"
    assert_contains "$status" "SigBlk:	0000000000000000"
    # The seccomp filter refuses namespace creation, which the pod's user
    # namespace would otherwise allow.
    run_upod run --pod caps --rootfs "$TESTDIR/rootfs" unshare -U true
    [ "$status" -ne 0 ] || fail "unshare -U worked inside a container"
    assert_contains "$err" "Operation not permitted"
    status=$(crun caps --cap-drop CHOWN --cap-add net_raw cat /proc/self/status)
    assert_contains "$status" "CapEff:	00000000800425fa"
    run_upod run --pod caps --rootfs "$TESTDIR/rootfs" --cap-add BOGUS true
    assert_status 125
    assert_contains "$err" "unknown capability"
    # A non-root user has no effective capability, as in podman.
    status=$(crun caps -u 1000:1000 cat /proc/self/status)
    assert_contains "$status" "CapEff:	0000000000000000"
    assert_contains "$status" "Uid:	1000	1000	1000	1000"
}

test_run_user_env_workdir() {
    setup_pod envs
    printf 'FROMFILE=yes\n# comment\nB=file\n' >"$TESTDIR/env"
    local out
    out=$(FROMHOST=host crun envs -e A=1 -e FROMHOST --env-file "$TESTDIR/env" -e B=flag -w /tmp \
        sh -c 'echo $A $FROMHOST $FROMFILE $B $container; pwd; echo $PATH')
    assert_eq "$(sed -n 1p <<<"$out")" "1 host yes flag podman" "environment"
    assert_eq "$(sed -n 2p <<<"$out")" "/tmp" "working directory"
    assert_eq "$(sed -n 3p <<<"$out")" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "PATH"
    assert_eq "$(crun envs --entrypoint echo hello)" "hello" "entrypoint"
}

test_run_volumes_tmpfs_read_only() {
    setup_pod vols
    mkdir "$TESTDIR/data"
    echo from-host >"$TESTDIR/data/in"
    crun vols -v "$TESTDIR/data:/data" sh -c 'cat /data/in; echo from-container >/data/out' >"$TESTDIR/o" ||
        fail "run with a volume failed"
    assert_eq "$(cat "$TESTDIR/o")" "from-host" "volume read"
    assert_eq "$(cat "$TESTDIR/data/out")" "from-container" "volume write"
    crun vols -v "$TESTDIR/data:/data:ro" sh -c 'echo x >/data/x' 2>/dev/null &&
        fail "a :ro volume was writable"
    assert_eq "$(crun vols --read-only --tmpfs /scratch sh -c 'touch /x 2>/dev/null || echo ro; touch /scratch/y && echo tmpfs-ok')" \
        "ro
tmpfs-ok" "read-only rootfs with a tmpfs"
    run_upod run --pod vols --rootfs "$TESTDIR/rootfs" -v relative:/x true
    assert_status 125
    assert_contains "$err" "invalid volume"
}

test_run_hostname_refused_when_uts_shared() {
    setup_pod utsp
    run_upod run --pod utsp --rootfs "$TESTDIR/rootfs" --hostname x true
    assert_status 125
    assert_contains "$err" "cannot set hostname when joining the pod UTS namespace"
}

# ns_in_container POD KIND [hold]: the namespace a container of POD sees;
# with hold, the container stays alive until $TESTDIR/hold/released exists
# (at most 20 s: namespace numbers are reused as soon as a namespace is
# freed).
ns_in_container() {
    if [ -n "${3:-}" ]; then
        crun "$1" -v "$TESTDIR/hold:/hold" sh -c "readlink /proc/self/ns/$2; i=0
            while [ ! -e /hold/released ] && [ \$i -lt 400 ]; do sleep 0.05; i=\$((i + 1)); done"
    else
        crun "$1" sh -c "readlink /proc/self/ns/$2; "
    fi
}

test_namespace_semantics_from_two_containers() {
    make_rootfs "$TESTDIR/rootfs"
    "$UPOD" pod create --name all --share net,uts,ipc,pid >/dev/null
    "$UPOD" pod create --name nothing --share none >/dev/null
    local kind a b
    mkdir "$TESTDIR/hold"
    for kind in net uts ipc pid; do
        assert_eq "$(ns_in_container all $kind)" "$(ns_in_container all $kind)" "shared $kind"
        rm -f "$TESTDIR/hold/released"
        ns_in_container nothing $kind hold >"$TESTDIR/first" &
        wait_for 5 test -s "$TESTDIR/first" || fail "first container printed nothing"
        a=$(cat "$TESTDIR/first")
        b=$(ns_in_container nothing $kind)
        touch "$TESTDIR/hold/released"
        wait
        [ "$a" != "$b" ] || fail "$kind is shared by two containers of a --share none pod ($a)"
    done
    # uts: the pod's name, or each container's own short id.
    assert_eq "$(crun all hostname)" "all" "hostname with uts shared"
    [[ $(crun nothing hostname) =~ ^[0-9a-f]{12}$ ]] || fail "own hostname is not a short id"
    # pid: the pod's PID 1 is the infra, visible from a container.
    assert_eq "$(crun all cat /proc/1/cmdline | tr -d '\0')" "upod-infra" "PID 1 with pid shared"
    assert_eq "$(crun nothing sh -c 'cat /proc/1/cmdline; true' | tr '\0' ' ')" \
        "sh -c cat /proc/1/cmdline; true " "PID 1 with pid not shared"
    # net: the pod's tap0 when shared, a tap0 of its own when not.
    assert_contains "$(crun all ip -o addr)" "10.0.2.100"
    assert_eq "$(crun nothing ip -o link | awk -F': ' '{print $2}' | paste -sd, -)" "lo,tap0" "own network"
}

test_run_pod_new_creates_and_starts_the_pod() {
    make_rootfs "$TESTDIR/rootfs"
    assert_eq "$("$UPOD" run --pod new:fresh --rootfs "$TESTDIR/rootfs" hostname)" "fresh" "hostname"
    run_upod pod ps --format '{{.Name}} {{.Status}}'
    assert_eq "$out" "fresh Running" "the new pod"
    run_upod run --pod new:fresh --rootfs "$TESTDIR/rootfs" true
    assert_status 125
    assert_contains "$err" 'pod name "fresh" is already in use'
}

# Without --pod, a container gets a pod of its own, named as it is and
# sharing net and ipc: its own hostname (short id) and PID 1, the pod's
# network; the pod stops when the container exits and goes with it.
test_run_without_pod_gets_a_pod_of_its_own() {
    make_rootfs "$TESTDIR/rootfs"
    local out id
    out=$("$UPOD" run --name solo --rootfs "$TESTDIR/rootfs" sh -c 'hostname; echo $$; ip -o addr show tap0') ||
        fail "run without --pod: $out"
    id=$("$UPOD" inspect --format '{{.Id}}' solo)
    assert_eq "$(sed -n 1p <<<"$out")" "${id:0:12}" "hostname: the short id"
    assert_eq "$(sed -n 2p <<<"$out")" "1" "the command is PID 1"
    assert_contains "$(sed -n 3p <<<"$out")" "10.0.2.100/24"
    run_upod pod ps --format '{{.Name}} {{.Status}}'
    assert_eq "$out" "solo Exited" "its pod, stopped after the container exited"
    # Started again, the container starts its pod.
    run_upod start -a solo
    assert_status 0
    run_upod rm solo
    assert_status 0
    run_upod pod ps -q
    assert_eq "$out" "" "the pod went with the container"
    # --rm: nothing at all is left; -d --rm too, once it exited.
    assert_eq "$("$UPOD" run --rm --rootfs "$TESTDIR/rootfs" echo once)" "once" "--rm output"
    "$UPOD" run -d --rm --name brief --rootfs "$TESTDIR/rootfs" sleep 0.3 >/dev/null
    wait_for 10 sh -c "[ -z \"\$('$UPOD' pod ps -q)\" ]" || fail "the pod of a -d --rm container stayed"
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers")" "" "records"
    local left
    # (zombies are ended processes that this machine's init reaps late)
    left=$(own_pgrep -x 'upod-(infra|keeper|monitor)' |
        xargs -r ps -o pid=,stat=,args= -p | awk '$2 !~ /^Z/')
    assert_eq "$left" "" "keepers, infras, monitors left"
    # A pod named as the container exists already: a clear error, nothing made.
    "$UPOD" pod create --name taken >/dev/null
    run_upod run --name taken --rootfs "$TESTDIR/rootfs" true
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" 'pod name "taken" is already in use'
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers")" "" "records after the refusal"
    # Ports and network go to a new pod only.
    run_upod run --pod taken -p 8080:80 --rootfs "$TESTDIR/rootfs" true
    assert_status 125
    assert_contains "$err" "published ports and the network are the pod's"
}

# run -p without --pod publishes on the container's own pod.
test_run_without_pod_publishes_ports() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir -p "$TESTDIR/rootfs/www"
    echo served >"$TESTDIR/rootfs/www/index.html"
    local port
    port=$(free_port) || exit 1
    "$UPOD" run -d --name web -p "127.0.0.1:$port:80" --rootfs "$TESTDIR/rootfs" \
        httpd -f -p 80 -h /www >/dev/null || fail "run -d -p"
    wait_for 10 sh -c "curl -fsS http://127.0.0.1:$port/ >/dev/null 2>&1" || fail "no answer on $port"
    assert_eq "$(curl -fsS "http://127.0.0.1:$port/")" "served" "the page through the port"
    run_upod port web
    assert_eq "$out" "80/tcp -> 127.0.0.1:$port" "upod port"
    run_upod rm -f -t 0 web
    assert_status 0
    run_upod pod ps -q
    assert_eq "$out" "" "pods left"
}

test_run_tty_through_a_pty() {
    setup_pod ttyp
    # script(1) gives upod a terminal; the container gets one of its own.
    local out
    out=$(printf 'test -t 0 && echo is-a-tty; echo $TERM; tty; exit 3\n' |
        script -qec "'$UPOD' run -it --pod ttyp --rootfs '$TESTDIR/rootfs' sh" /dev/null)
    assert_eq "$?" "3" "exit status through the terminal"
    assert_contains "$out" "is-a-tty"
    assert_contains "$out" "xterm"
    # The terminal is one of the container's devpts: ttyname() finds it.
    [[ $out =~ /dev/pts/[0-9]+ ]] || fail "run -it: tty printed no /dev/pts name: $out"
    # Ctrl-C (a byte in raw mode) reaches the container as SIGINT.
    out=$( (sleep 1; printf '\003') | timeout 20 script -qec \
        "'$UPOD' run -it --pod ttyp --rootfs '$TESTDIR/rootfs' sh -c 'trap \"echo got-int; exit 7\" INT; sleep 10 & wait'" /dev/null)
    assert_eq "$?" "7" "exit status after Ctrl-C"
    assert_contains "$out" "got-int"
    # -d -t: a terminal with no one on the other side; its output goes to
    # the log (with the terminal's CR LF, as podman's).
    "$UPOD" run -d -t --name dt --pod ttyp --rootfs "$TESTDIR/rootfs" \
        sh -c 'test -t 0 && test -t 1 && echo is-a-tty; echo $TERM; tty' >/dev/null || fail "run -d -t"
    wait_for 10 sh -c "'$UPOD' ps -a --filter name=dt --format '{{.Status}}' | grep -q Exited" ||
        fail "-d -t container did not finish"
    assert_eq "$("$UPOD" logs dt | tr -d '\r' | sed 's,^/dev/pts/[0-9]*$,/dev/pts/N,')" "is-a-tty
xterm
/dev/pts/N" "logs of a -d -t container"
}

test_run_rootfs_overlay_is_thrown_away() {
    setup_pod ovl
    local before
    before=$(cd "$TESTDIR/rootfs" && find . | sort)
    assert_eq "$("$UPOD" run --pod ovl --rootfs "$TESTDIR/rootfs:O" sh -c 'echo new >/bin/added; rm /bin/ls; cat /bin/added; test -e /bin/ls || echo ls-gone' 2>&1)" "new
ls-gone" "writes inside the overlay"
    assert_eq "$(cd "$TESTDIR/rootfs" && find . | sort)" "$before" "the rootfs after an overlay run"
    # The overlay lives as long as the container: its changes survive a
    # restart, and go with rm (or at once with --rm).
    "$UPOD" create --name keep --pod ovl --rootfs "$TESTDIR/rootfs:O" sh -c 'echo run >>/log; cat /log' >/dev/null
    assert_eq "$("$UPOD" start -a keep)" "run" "first start"
    assert_eq "$("$UPOD" start -a keep)" "run
run" "second start sees the first one's write"
    assert_eq "$(cd "$TESTDIR/rootfs" && find . | sort)" "$before" "the rootfs after two starts"
    run_upod rm keep
    assert_status 0
    "$UPOD" run --rm --pod ovl --rootfs "$TESTDIR/rootfs:O" true
    run_upod ps -a --filter pod=ovl --format '{{.Names}}'
    assert_eq "$(grep -vc infra <<<"$out")" "1" "records left: the first run's only"
    assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers" | wc -l)" "1" "container directories left"
}

test_run_init_forwards_signals_and_reaps() {
    setup_pod initp
    # PID 1 of the container is upod-init; the command is its child.
    assert_eq "$(crun initp --init sh -c 'cat /proc/1/comm; echo $$')" "upod-init
2" "init and command"
    # An orphan is reaped: no zombie under PID 1 once its parent is gone.
    assert_eq "$(crun initp --init sh -c '(sleep 0.2 &); sleep 0.6; ps -o stat | grep -c Z')" "0" "zombies"
    # Signals sent to the init reach the command.
    crun initp --init sh -c 'trap "echo term-seen; exit 5" TERM; while :; do sleep 0.1; done' \
        >"$TESTDIR/o" &
    local runner=$! init_pid=""
    init_runs() { own_pgrep -x upod-init >/dev/null; }
    wait_for 5 init_runs || fail "no upod-init process"
    init_pid=$(own_pgrep -x upod-init | head -n 1)
    sleep 0.3
    kill -TERM "$init_pid"
    wait "$runner"
    assert_eq "$?" "5" "exit status through --init"
    assert_eq "$(cat "$TESTDIR/o")" "term-seen" "the command got TERM"
    # -d --init: the init stays PID 1 while the command runs, and stop's
    # TERM reaches the command through it.
    "$UPOD" run -d --init --name di --pod initp --rootfs "$TESTDIR/rootfs" \
        sh -c 'trap "exit 6" TERM; while :; do sleep 0.1; done' >/dev/null || fail "run -d --init"
    sleep 0.5
    run_upod ps --filter name=di --format '{{.Status}}'
    assert_contains "$out" "Up"
    assert_eq "$("$UPOD" exec di cat /proc/1/comm)" "upod-init" "PID 1 of the -d --init container"
    run_upod stop di
    assert_status 0
    run_upod ps -a --filter name=di --format '{{.Status}}'
    assert_contains "$out" "Exited (6)"
}

# in_host_namespaces PID WHAT: PID (one of upod's own) stands in our
# namespaces, all of them, and will fork into ours.
in_host_namespaces() {
    local kind
    for kind in user mnt pid pid_for_children net uts ipc cgroup; do
        assert_eq "$(readlink "/proc/$1/ns/$kind" 2>/dev/null)" "$(readlink "/proc/self/ns/$kind")" \
            "$2: its $kind namespace"
    done
}

command_runs() { # CMDLINE: a process of ours runs exactly that command line
    pgrep -u "$(id -u)" -xf "$1" >/dev/null
}

# upod's own processes stay in the host's namespaces while what they start
# runs in the pod's: the monitor of a detached container, and the CLI of an
# attached run, of exec and of pod enter.
test_upods_own_processes_stay_in_the_hosts_namespaces() {
    setup_pod hostns
    run_upod run -d --pod hostns --name bg --rootfs "$TESTDIR/rootfs" sleep 61
    assert_status 0
    local mon ctr
    mon=$("$UPOD" inspect --format '{{.State.ConmonPid}}' bg)
    in_host_namespaces "$mon" "the monitor of a detached container"
    ctr=$(pgrep -u "$(id -u)" -xf 'sleep 61')
    [ "$(readlink "/proc/$ctr/ns/user")" != "$(readlink /proc/self/ns/user)" ] ||
        fail "the container's command runs in our user namespace"
    local how cli
    for how in "run 62" "exec 63" "enter 64"; do
        case $how in
        run*) crun hostns --rm sleep "${how#* }" & ;;
        exec*) "$UPOD" exec bg sleep "${how#* }" & ;;
        enter*) "$UPOD" pod enter hostns sleep "${how#* }" & ;;
        esac
        cli=$!
        wait_for 10 command_runs "sleep ${how#* }" || fail "$how: the command did not start"
        in_host_namespaces "$cli" "the CLI of ${how% *}"
        kill -KILL "$(pgrep -u "$(id -u)" -xf "sleep ${how#* }")"
        wait "$cli" || true
    done
}
