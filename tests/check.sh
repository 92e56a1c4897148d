#!/usr/bin/env bash
# tests/check.sh UNIT_BINARY...: run every test tier and print one summary.
# Unit tests (cmocka, ASan/UBSan) run as whoever calls make; integration tests
# run the real ./upod as an unprivileged user (tests/integration/run.sh drops
# privileges when called as root). Each tier speaks TAP; the last line is
# "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0

# count_tap NAME STATUS OUTPUT: add a tier's TAP results to the totals. A
# runner that exits non-zero without reporting a failure (a crash, an ASan
# abort) counts as one failed test, so a broken runner is never silent.
count_tap() {
    local name=$1 status=$2 out=$3 ok notok
    ok=$(grep -c '^ok ' <<<"$out")
    notok=$(grep -c '^not ok ' <<<"$out")
    if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
        echo "not ok - $name exited with status $status without reporting a failure"
        notok=1
    fi
    if [ $((ok + notok)) -eq 0 ]; then
        echo "not ok - $name ran no test"
        notok=1
    fi
    passed=$((passed + ok))
    failed=$((failed + notok))
}

echo "# unit tests (cmocka, ASan/UBSan)"
for t in "$@"; do
    out=$(CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 timeout -k 5 300 "$t" 2>&1)
    status=$?
    printf '%s\n' "$out"
    count_tap "$t" "$status" "$out"
done

echo "# fuzz corpora and kept crashing inputs (tests/fuzz, replayed without libFuzzer)"
for src in tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    inputs=()
    for f in tests/fuzz/corpus/"$t"/* tests/fuzz/regressions/"$t"/*; do
        [ -f "$f" ] && inputs+=("$f")
    done
    out=$(ASAN_OPTIONS=detect_leaks=1 timeout -k 5 300 obj/native/fuzz/replay_"$t" "${inputs[@]}" 2>&1)
    status=$?
    if [ "$status" -eq 0 ] && [ "${#inputs[@]}" -gt 0 ]; then
        out="ok - fuzz target $t: ${#inputs[@]} inputs"
    else
        out=$(printf '%s\nnot ok - fuzz target %s: %d inputs, status %d' "$(tail -n 20 <<<"$out")" \
            "$t" "${#inputs[@]}" "$status")
    fi
    printf '%s\n' "$out"
    count_tap "fuzz target $t" 0 "$out"
done

echo "# integration tests (./upod as an unprivileged user)"
# Stream the output as it comes, and keep a copy to count.
log=$(mktemp)
tests/integration/run.sh 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count_tap "integration" "$status" "$(cat "$log")"
rm -f "$log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
