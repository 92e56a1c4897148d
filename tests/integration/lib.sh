# tests/integration/lib.sh: helpers for integration tests. Each test_*
# function runs in its own bash, in $TESTDIR, with its own $XDG_RUNTIME_DIR.
# A test fails by exiting non-zero: use the assertions below.

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# run_upod ARGS...: run ./upod, keep stdout in $out, stderr in $err, status in $status.
run_upod() {
    out=$("$UPOD" "$@" 2>"$TESTDIR/.stderr")
    status=$?
    err=$(cat "$TESTDIR/.stderr")
    return 0
}

assert_status() { # expected
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status; stdout: $out; stderr: $err"
}

assert_eq() { # actual expected [what]
    [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

assert_contains() { # haystack needle [what]
    case $1 in
    *"$2"*) ;;
    *) fail "${3:-output} does not contain '$2': $1" ;;
    esac
}

assert_not_contains() { # haystack needle [what]
    case $1 in
    *"$2"*) fail "${3:-output} contains '$2': $1" ;;
    esac
}

assert_one_line() { # text [what]
    [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] || fail "${2:-output} is not one line: $1"
}

# wait_for TIMEOUT_SECONDS COMMAND...: poll until COMMAND succeeds (bounded).
# COMMAND runs anew each time, but its arguments are expanded once, by the
# caller: poll a function, never a "$(...)" argument.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
}

# as_other COMMAND...: run COMMAND as the second local user (an attacker:
# it shares nothing with the test user but the machine). Only as root does
# the runner make that user; a test that needs it fails without.
as_other() {
    [ -n "${OTHER_USER:-}" ] || fail "this test needs a second user: run make check as root"
    sudo -n -u "$OTHER_USER" -- "$@"
}

# free_port [COUNT]: the first of COUNT consecutive host ports that no
# socket uses now (TCP or UDP, in any state, on any address) and that no
# other test of this run has been given: tests that run at the same time
# never share a port. From 42200-47999, less the fixed ports that the
# tests of other checkouts may use at the same time (t_net.sh's 42000 and
# up, 43080, 44080, 44090, t_sec_ports.sh's 47000 and up); a port is
# reserved by a directory in $UPOD_TEST_PORTS (the runner's), never freed
# during the run.
free_port() {
    local count=${1:-1} dir=${UPOD_TEST_PORTS:-$TESTDIR/.ports} used first p i tries=0
    mkdir -p "$dir" || fail "free_port: cannot make $dir"
    used=" $(ss -Htuan | awk '{n = split($5, a, ":"); print a[n]}' | sort -u | tr '\n' ' ') "
    first=$((42200 + RANDOM % 5700))
    while [ $tries -lt 5800 ]; do
        tries=$((tries + 1))
        first=$((first + 1))
        [ $((first + count - 1)) -le 47999 ] || first=42200
        for ((i = 0; i < count; i++)); do
            p=$((first + i))
            case $p in 43080 | 44080 | 44090 | 470[0-9][0-9]) continue 2 ;; esac
            case $used in *" $p "*) continue 2 ;; esac
        done
        for ((i = 0; i < count; i++)); do
            mkdir "$dir/$((first + i))" 2>/dev/null && continue
            while [ $i -gt 0 ]; do # taken meanwhile: give back the others
                i=$((i - 1))
                rmdir "$dir/$((first + i))"
            done
            continue 2
        done
        echo "$first"
        return 0
    done
    fail "free_port: no $count free consecutive ports"
}

# in_own_cgroup PID: the process is one of this test's. The runner gives
# each test a cgroup v2 of its own ($UPOD_TEST_CGROUP, when it can: as
# root, tests/integration/run.sh delegates one to it); every process the
# test starts stays there, detached or not, whoever it runs as. Without
# one, every process counts as the test's: the runner then runs the tests
# that look at the user's processes alone (PROCESS_TABLE_TESTS).
in_own_cgroup() {
    [ -n "${UPOD_TEST_CGROUP:-}" ] || return 0
    local cg
    cg=$(sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null)
    # Unreadable (gone meanwhile): counted, so that nothing is ever hidden.
    [ -z "$cg" ] || [ "$cg" = "$UPOD_TEST_CGROUP" ]
}

# own_pgrep ARGS...: pgrep ARGS among the test user's processes, only this
# test's (as in_own_cgroup); pgrep's output and status.
own_pgrep() {
    if [ -n "${UPOD_TEST_CGROUP:-}" ]; then
        pgrep -u "$(id -u)" --cgroup "$UPOD_TEST_CGROUP" "$@"
    else
        pgrep -u "$(id -u)" "$@"
    fi
}

# Pods left by a test are removed when it ends, whatever happened.
cleanup_pods() {
    "$UPOD" pod rm --all --force -t 0 >/dev/null 2>&1 || true
}
trap cleanup_pods EXIT

# infra_pid POD: the host pid of a running pod's infra.
infra_pid() {
    "$UPOD" pod inspect --format '{{.InfraPid}}' "$1"
}

# pod_userns POD: the user namespace of a running pod ("user:[N]"), as a
# process entered into it sees it (the infra's own /proc/PID/ns cannot be
# read: it is not dumpable).
pod_userns() {
    "$UPOD" pod enter --infra "$1" readlink /proc/self/ns/user
}

# process_alive PID: it runs (a zombie does not).
process_alive() {
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

# processes_in_userns LINK: live pids whose user namespace is LINK
# ("user:[N]"). Zombies are dead and hold nothing: they are skipped (an infra
# orphaned by a killed keeper waits for init to reap it, which can be slow in
# a container whose init is not a real one). Processes that are not
# dumpable (the infra, upod's own while they join a pod) are not seen.
processes_in_userns() {
    local p state
    case $1 in user:\[*\]) ;; *) fail "processes_in_userns: no namespace given ($1)" ;; esac
    # One find reads every process's link (-lname: brackets escaped).
    local pattern=${1//\[/\\[}
    pattern=${pattern//\]/\\]}
    for p in $(find /proc/[0-9]*/ns/user -maxdepth 0 -lname "$pattern" 2>/dev/null); do
        p=${p%/ns/user}
        state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "$p/status" 2>/dev/null)
        [ "$state" = Z ] || [ -z "$state" ] || echo "${p#/proc/}"
    done
    return 0
}

no_processes_in_userns() { # LINK
    [ -z "$(processes_in_userns "$1")" ]
}

# ns_of POD KIND: the namespace a process entered into POD sees for KIND.
ns_of() {
    "$UPOD" pod enter "$1" readlink "/proc/self/ns/$2"
}

# serve_in_pod POD OUTFILE XFER-ARGS...: run the test peer inside POD in
# the background and wait until it listens (its pid in $server_pid).
serve_in_pod() {
    local pod=$1 outfile=$2
    shift 2
    : >"$outfile"
    "$UPOD" pod enter "$pod" "$XFER" "$@" >"$outfile" 2>&1 &
    server_pid=$!
    wait_for 10 grep -q listening "$outfile" || fail "server in pod $pod did not start: $(cat "$outfile")"
}

# host_address: the first global IPv4 address of this host (not loopback).
host_address() {
    ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n 1
}

# make_rootfs DIR: a minimal rootfs from the host's static busybox, its
# applets as relative links (they must resolve inside the container). A
# copy (cp -a) of one made once per run, in $UPOD_TEST_ROOTFS (the
# runner's), when that is set: the 270 links cost half a second each time.
make_rootfs() {
    local cache=${UPOD_TEST_ROOTFS:-} tmp
    if [ -z "$cache" ]; then
        build_rootfs "$1"
        return
    fi
    if [ ! -d "$cache" ]; then
        # Built aside, then renamed: whoever renames first, the others use it.
        tmp=$(mktemp -d "$cache.XXXXXX") || fail "make_rootfs: mktemp"
        build_rootfs "$tmp/rootfs"
        mv -T "$tmp/rootfs" "$cache" 2>/dev/null
        rm -rf "$tmp"
        [ -d "$cache" ] || fail "make_rootfs: no $cache"
    fi
    cp -a "$cache/." "$1" || fail "make_rootfs: cannot copy $cache to $1"
}

build_rootfs() { # DIR
    mkdir -p "$1/bin" "$1/etc" "$1/tmp" "$1/root"
    cp "$(command -v busybox)" "$1/bin/busybox"
    local applet
    for applet in $("$1/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$1/bin/$applet"
    done
}
