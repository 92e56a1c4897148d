# Logs across rotations, and --format errors (issue 13, items 10 and 11).
# ctr.log is capped at 8 MiB, one older file kept (src/state/logfile.h):
# `logs -f` must follow the writer through every rotation.

. "$TESTS/../reliability/helpers.sh"

# numbers FILE: the lines of FILE that are only a number.
numbers() {
    grep -E '^[0-9]+$' "$1"
}

# A container prints 800000 numbered lines (about 40 MiB of records: the
# log rotates 4 times or more), then three marked lines a while later,
# while `logs -f` follows from before the burst. The follower must show
# the marked lines, never a number twice nor out of order, and every line
# still on disk at the end (the two files: what the cap kept). Before the
# fix it re-read ctr.log from its old offset: it skipped into the middle of
# the new files and never showed the marked lines.
test_logs_follow_across_rotations() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir "$TESTDIR/go"
    local lines=800000
    run_upod run -d --name burst --network none -v "$TESTDIR/go:/go" --rootfs "$TESTDIR/rootfs" sh -c \
        "echo ready; until [ -e /go/start ]; do sleep 0.05; done; seq 1 $lines; sleep 1;
         for i in 1 2 3; do echo marker \$i; sleep 0.2; done"
    assert_status 0
    : >"$TESTDIR/followed"
    "$UPOD" logs -f burst >"$TESTDIR/followed" 2>"$TESTDIR/followed.err" &
    local follower=$!
    wait_for 10 grep -q '^ready$' "$TESTDIR/followed" || fail "logs -f showed nothing: $(cat "$TESTDIR/followed.err")"
    touch "$TESTDIR/go/start"
    local waited=0
    while kill -0 "$follower" 2>/dev/null && [ $waited -lt 900 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$follower" 2>/dev/null; then
        kill "$follower"
        fail "logs -f did not end within 90 s"
    fi
    wait "$follower"
    local status=$?
    [ "$status" -eq 0 ] || fail "logs -f exited $status: $(cat "$TESTDIR/followed.err")"
    local state
    state=$("$UPOD" ps -a --filter name=burst --format '{{.State}}')
    assert_contains "$state" "exited" "the container's state"
    # The log rotated: an old file is there, the current one is small.
    local dir
    dir=$(ls -d "$XDG_RUNTIME_DIR"/upod/containers/*/)
    [ -f "$dir/ctr.log.1" ] || fail "the log never rotated: the test wrote too little"

    assert_eq "$(grep '^marker' "$TESTDIR/followed" | tr '\n' ' ')" "marker 1 marker 2 marker 3 " \
        "the marked lines logs -f showed after the burst"
    assert_eq "$(tail -n 3 "$TESTDIR/followed" | tr '\n' ' ')" "marker 1 marker 2 marker 3 " \
        "the end of what logs -f showed"
    numbers "$TESTDIR/followed" >"$TESTDIR/followed.numbers"
    # Strictly increasing: no line twice, none out of order.
    local disorder
    disorder=$(awk 'NR > 1 && $1 <= prev { print "line " NR ": " $1 " after " prev; exit }
                    { prev = $1 }' "$TESTDIR/followed.numbers")
    [ -z "$disorder" ] || fail "logs -f showed a number twice or out of order: $disorder"
    # What is on disk now (upod logs: ctr.log.1 then ctr.log) is the end of
    # what the follower showed, line for line.
    "$UPOD" logs burst >"$TESTDIR/on-disk" 2>&1 || fail "upod logs failed: $(cat "$TESTDIR/on-disk")"
    numbers "$TESTDIR/on-disk" >"$TESTDIR/on-disk.numbers"
    local kept shown
    kept=$(wc -l <"$TESTDIR/on-disk.numbers")
    shown=$(wc -l <"$TESTDIR/followed.numbers")
    [ "$kept" -gt 100000 ] || fail "only $kept numbered lines on disk"
    assert_eq "$(tail -n 1 "$TESTDIR/on-disk.numbers")" "$lines" "the last number on disk"
    tail -n "$kept" "$TESTDIR/followed.numbers" | cmp -s - "$TESTDIR/on-disk.numbers" ||
        fail "lines on disk that logs -f did not show (it showed $shown numbers, $kept are on disk)"
    # The follower may lose lines only where the cap removed them before it
    # came to them: whole files, when it was kept off the CPU while the
    # writer filled two (usually it shows all; the count is printed).
    echo "# logs -f showed $shown of $lines numbered lines ($kept still on disk)" >&2
}

# start -a follows the same way (it shares the follower): a burst that
# rotates the log, then a last line, all shown, in order.
test_start_attached_across_rotations() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod create --name again --network none --rootfs "$TESTDIR/rootfs" sh -c 'seq 1 400000; sleep 0.5; echo last'
    assert_status 0
    "$UPOD" start -a again >"$TESTDIR/attached" 2>"$TESTDIR/attached.err" ||
        fail "start -a failed: $(cat "$TESTDIR/attached.err")"
    assert_eq "$(tail -n 1 "$TESTDIR/attached")" "last" "the last line start -a showed"
    numbers "$TESTDIR/attached" >"$TESTDIR/attached.numbers"
    awk 'NR > 1 && $1 <= prev { bad = 1; exit } { prev = $1 } END { exit bad }' \
        "$TESTDIR/attached.numbers" || fail "start -a showed a number twice or out of order"
    assert_eq "$(tail -n 1 "$TESTDIR/attached.numbers")" 400000 "the last number start -a showed"
}

# An unknown field in a --format template: one line naming the field,
# exit 125, nothing on stdout; for every command that takes --format, with
# rows to show or none (ps and pod ps with nothing listed exited 0).
test_format_unknown_field_is_an_error() {
    local cmd
    for cmd in "ps" "ps -a" "pod ps"; do
        # shellcheck disable=SC2086
        assert_bogus_fails $cmd
    done
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name fmt --network none
    assert_status 0
    run_upod run -d --pod fmt --name fmtc --rootfs "$TESTDIR/rootfs" sleep 300
    assert_status 0
    for cmd in "ps" "ps -a" "pod ps" "inspect" "pod inspect" "info" "version"; do
        local names=""
        case $cmd in
        inspect) names=fmtc ;;
        "pod inspect") names=fmt ;;
        esac
        # shellcheck disable=SC2086
        assert_bogus_fails $cmd -- $names
    done
    # A known field next to an unknown one prints nothing either.
    run_upod ps -a --format '{{.Names}} {{.Names.Bogus}}'
    assert_status 125
    assert_eq "$out" "" "stdout of ps -a --format '{{.Names}} {{.Names.Bogus}}'"
    # And known fields still work.
    run_upod ps --format '{{.Names}}'
    assert_status 0
    assert_contains "$out" "fmtc" "ps --format {{.Names}}"
    run_upod rm -f -t 0 fmtc
}

# assert_bogus_fails VERB... [-- NAMES...]: `upod VERB... --format
# '{{.Bogus}}' NAMES...` fails with 125, one line naming the field, and
# nothing on stdout.
assert_bogus_fails() {
    local verb=() names=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        verb+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    names=("$@")
    run_upod "${verb[@]}" --format '{{.Bogus}}' "${names[@]}"
    assert_status 125
    assert_eq "$out" "" "stdout of ${verb[*]} --format {{.Bogus}} ${names[*]}"
    assert_one_line "$err" "stderr of ${verb[*]}"
    assert_contains "$err" "field Bogus" "stderr of ${verb[*]}"
}
