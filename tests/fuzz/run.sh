#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS TARGET...: `make fuzz`. Runs each libFuzzer
# target (obj/fuzz/fuzz_TARGET) for SECONDS, one process, seeded by
# tests/fuzz/corpus/TARGET/ and tests/fuzz/regressions/TARGET/ (read only),
# growing tests/fuzz/out/TARGET/ (ignored by git). Fails when a target
# crashes, naming the file that holds the crashing input.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
seconds=$1
shift

failed=0
for t in "$@"; do
    out=tests/fuzz/out/$t
    mkdir -p "$out" tests/fuzz/out/crashes
    seeds=()
    for d in tests/fuzz/corpus/$t tests/fuzz/regressions/$t; do
        [ -d "$d" ] && seeds+=("$d")
    done
    log=tests/fuzz/out/$t.log
    # -timeout: an input that takes 10 s is a hang worth keeping.
    timeout -k 10 $((seconds + 120)) "obj/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
        -artifact_prefix="tests/fuzz/out/crashes/$t-" -print_final_stats=1 \
        "$out" "${seeds[@]}" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if [ "$status" -eq 0 ]; then
        echo "  FUZZ  $t: ${runs:-?} runs in ${seconds}s, no crash"
        continue
    fi
    failed=1
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    echo "  FUZZ  $t: FAILED (status $status) after ${runs:-?} runs; log: $log" >&2
    grep -m1 -E 'ERROR: |property failed|runtime error' "$log" >&2
    if [ -n "$artifact" ]; then
        echo "        crashing input: $artifact (replay: obj/fuzz/fuzz_$t $artifact)" >&2
        echo "        keep it as tests/fuzz/regressions/$t/<what-it-shows> once fixed" >&2
    fi
done
exit "$failed"
