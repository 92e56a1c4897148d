#!/usr/bin/env bash
# tests/integration/runner.sh [--tap-start N] [--only FILE] [--reliability]:
# run every test_* function of every t_*.sh file in $TESTS and then in
# $TESTS/../reliability (fault, load and security tests; --reliability:
# those alone), each in a fresh bash with its own temporary directory and
# XDG_RUNTIME_DIR, under a time limit. Prints TAP, in the order of the
# files and functions, whatever order they ran in.
# There is no "skip": a test that cannot run fails.
#
# Tests run $UPOD_TEST_JOBS at a time (default 5: they mostly wait for
# processes and sockets, on two cores; 1: one after the other, in order).
# A file may name some of its functions (or "all") in:
# - SERIAL_TESTS: tests that load the CPU or need it (t_load.sh, a
#   gigabyte of output): they run one after the other, never two at once,
#   in a lane of their own (one of the jobs) beside the others;
# - PROCESS_TABLE_TESTS: tests that look at every process of the user
#   (pod_processes, own_pgrep): they run alone, before the others, unless
#   each test gets a cgroup v2 of its own, where all its processes stay and
#   to which in_own_cgroup and own_pgrep (lib.sh) limit what they look at.
#   That needs $UPOD_TEST_CGROUP_DIR: a cgroup directory that this runner
#   is in and may write to (tests/integration/run.sh delegates one when it
#   runs as root). When a test ends, what is left of its processes there
#   is killed;
# - ALONE_TESTS: tests that run alone, before the others, whatever the
#   cgroups: the UDP floods, which lose a datagram when other tests keep
#   the forwarder off the CPU, and the tests that meet a race of upod's on
#   a busy machine (see each file).
# The tests of tests/reliability, the longer ones, are started first.
# Host ports: free_port (lib.sh) gives each test its own. make_rootfs
# copies a rootfs made once for the run.
# UPOD_TEST_TIMES=FILE: a line per test is added to FILE: when it started
# (seconds since the runner did), how long it took, the CPU seconds of
# its processes (with cgroups; "-" without), its file and function.
set -uo pipefail
n=1
only=""
: "${UPOD:?}" "${TESTS:?}" "${XDG_RUNTIME_DIR:?}"
files=("$TESTS"/t_*.sh "$TESTS"/../reliability/t_*.sh)
while [ $# -gt 0 ]; do
    case $1 in
    --tap-start) n=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --reliability) files=("$TESTS"/../reliability/t_*.sh); shift ;;
    *) echo "runner.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
per_test_timeout=${UPOD_TEST_TIMEOUT:-120}
jobs=${UPOD_TEST_JOBS:-5}
case $jobs in
'' | *[!0-9]* | 0) echo "runner.sh: UPOD_TEST_JOBS must be a number of at least 1, not '$jobs'" >&2; exit 2 ;;
esac

t0=$EPOCHREALTIME
results=$(mktemp -d "$XDG_RUNTIME_DIR/results.XXXXXX") || exit 1
export UPOD_TEST_PORTS=$results/ports UPOD_TEST_ROOTFS=$results/rootfs

# Per-test cgroups, if this runner was given a directory for them.
cg_dir=${UPOD_TEST_CGROUP_DIR:-}
if [ -n "$cg_dir" ]; then
    if ! mkdir "$cg_dir/probe" 2>/dev/null || ! rmdir "$cg_dir/probe" ||
        [ ! -w "$cg_dir/cgroup.procs" ]; then
        echo "runner.sh: cannot make cgroups in $cg_dir" >&2
        exit 2
    fi
fi

# The tests, in order: their file, function and how they run (pool,
# serial or alone).
t_file=()
t_fn=()
t_how=()
for file in "${files[@]}"; do
    name=$(basename "$file")
    [ -n "$only" ] && [ "$name" != "$only" ] && continue
    listing=$(bash -c ". '$TESTS/lib.sh'; trap - EXIT; . '$file'
        declare -F | awk '\$3 ~ /^test_/ {print \$3}'
        echo serial \${SERIAL_TESTS:-}
        echo process-table \${PROCESS_TABLE_TESTS:-}
        echo alone \${ALONE_TESTS:-}") || {
        echo "not ok $n - $name: cannot be read"
        exit 1
    }
    serial=$(sed -n 's/^serial //p' <<<"$listing")
    process_table=$(sed -n 's/^process-table //p' <<<"$listing")
    [ -z "$cg_dir" ] || process_table=""
    alone=$(sed -n 's/^alone //p' <<<"$listing")
    for fn in $(grep '^test_' <<<"$listing"); do
        how=pool
        case " $serial " in *" all "* | *" $fn "*) how=serial ;; esac
        case " $process_table $alone " in *" all "* | *" $fn "*) how=alone ;; esac
        t_file+=("$file")
        t_fn+=("$fn")
        t_how+=("$how")
    done
done
total=${#t_fn[@]}

# run_one I: run test I; its output goes to $results/I.out, then its
# status to $results/I.rc (the sign that it ended).
run_one() {
    local i=$1 dir run cg="" out rc start=$EPOCHREALTIME cpu=-
    dir=$(mktemp -d "${TMPDIR:-/tmp}/upod-test.XXXXXX")
    run=$(mktemp -d "$XDG_RUNTIME_DIR/t.XXXXXX")
    if [ -n "$cg_dir" ]; then
        cg=$cg_dir/t$i
        mkdir "$cg" || { echo "cannot make the cgroup $cg" >"$results/$i.out"; echo 1 >"$results/$i.rc"; return; }
    fi
    # The test's bash enters its cgroup first: all it starts stays there.
    out=$(cd "$dir" && TESTDIR=$dir XDG_RUNTIME_DIR=$run UPOD_TEST_CGROUP_FS=$cg \
        timeout -k 5 "$per_test_timeout" bash -c '
        if [ -n "$UPOD_TEST_CGROUP_FS" ]; then
            echo $$ >"$UPOD_TEST_CGROUP_FS/cgroup.procs" || exit 1
            export UPOD_TEST_CGROUP=$(sed -n "s/^0:://p" /proc/self/cgroup)
        fi
        unset UPOD_TEST_CGROUP_FS
        . "$1/lib.sh"; . "$2"; "$3"' bash "$TESTS" "${t_file[$i]}" "${t_fn[$i]}" 2>&1)
    rc=$?
    [ $rc -eq 124 ] && out="$out"$'\n'"timed out after ${per_test_timeout}s"
    if [ -n "${UPOD_TEST_TIMES:-}" ]; then
        [ -z "$cg" ] || cpu=$(awk '$1 == "usage_usec" {printf "%.2f", $2 / 1e6}' "$cg/cpu.stat")
        echo "$(awk -v t="$t0" -v a="$start" -v b="$EPOCHREALTIME" \
            'BEGIN {printf "%.2f %.2f", a - t, b - a}') $cpu" \
            "$(basename "${t_file[$i]}") ${t_fn[$i]}" >>"$UPOD_TEST_TIMES"
    fi
    if [ -n "$cg" ]; then
        # What is left of the test's processes goes, whoever's they are.
        echo 1 >"$cg/cgroup.kill" 2>/dev/null
        local waited=0
        while grep -q '^populated 1' "$cg/cgroup.events" 2>/dev/null && [ $waited -lt 100 ]; do
            sleep 0.05
            waited=$((waited + 1))
        done
        rmdir "$cg" 2>/dev/null
    fi
    rm -rf "$dir" "$run" 2>/dev/null
    printf '%s\n' "$out" >"$results/$i.out"
    echo "$rc" >"$results/$i.rc.new" && mv "$results/$i.rc.new" "$results/$i.rc"
}

status=0
printed=0
# print_done: print, in order, the results of the tests that ended.
print_done() {
    local rc
    while [ $printed -lt $total ] && [ -e "$results/$printed.rc" ]; do
        rc=$(cat "$results/$printed.rc")
        local num=$((n + printed)) label
        label="$(basename "${t_file[$printed]}"): ${t_fn[$printed]}"
        if [ "$rc" -eq 0 ]; then
            echo "ok $num - $label"
        else
            echo "not ok $num - $label"
            sed 's/^/#   /' "$results/$printed.out"
            status=1
        fi
        printed=$((printed + 1))
    done
}

if [ "$jobs" -eq 1 ]; then
    for ((i = 0; i < total; i++)); do
        run_one "$i"
        print_done
    done
else
    # Alone first; then the serial lane and the pool, $jobs at a time.
    for ((i = 0; i < total; i++)); do
        [ "${t_how[$i]}" = alone ] || continue
        run_one "$i"
        print_done
    done
    running=0
    # reap: wait for a job to end, print what can be.
    reap() {
        wait -n
        [ $? -eq 127 ] && running=1 # none left (cannot be: counted)
        running=$((running - 1))
        print_done
    }
    lane=()
    for ((i = 0; i < total; i++)); do
        [ "${t_how[$i]}" = serial ] && lane+=("$i")
    done
    if [ ${#lane[@]} -gt 0 ]; then
        (for i in "${lane[@]}"; do run_one "$i"; done) &
        running=1
    fi
    pool=()
    for ((i = 0; i < total; i++)); do
        [ "${t_how[$i]}" = pool ] && case ${t_file[$i]} in */reliability/*) pool+=("$i") ;; esac
    done
    for ((i = 0; i < total; i++)); do
        [ "${t_how[$i]}" = pool ] && case ${t_file[$i]} in */reliability/*) ;; *) pool+=("$i") ;; esac
    done
    for i in ${pool[@]+"${pool[@]}"}; do
        while [ $running -ge "$jobs" ]; do reap; done
        run_one "$i" &
        running=$((running + 1))
        print_done
    done
    while [ $running -gt 0 ]; do reap; done
    wait
    print_done
fi
[ $printed -eq $total ] || { echo "not ok - runner.sh: only $printed of $total tests reported"; status=1; }
rm -rf "$results"
exit $status
