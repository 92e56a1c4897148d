#!/usr/bin/env bash
# tests/integration/runner.sh [--tap-start N] [--only FILE] [--reliability]:
# run every test_* function of every t_*.sh file in $TESTS and then in
# $TESTS/../reliability (fault, load and security tests; --reliability:
# those alone), each in a fresh bash with its own temporary directory and
# XDG_RUNTIME_DIR, under a time limit. Prints TAP.
# There is no "skip": a test that cannot run fails.
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
status=0

for file in "${files[@]}"; do
    name=$(basename "$file")
    [ -n "$only" ] && [ "$name" != "$only" ] && continue
    for fn in $(bash -c ". '$TESTS/lib.sh'; . '$file'; declare -F" | awk '$3 ~ /^test_/ {print $3}'); do
        dir=$(mktemp -d "${TMPDIR:-/tmp}/upod-test.XXXXXX")
        run=$(mktemp -d "$XDG_RUNTIME_DIR/t.XXXXXX")
        out=$(cd "$dir" && TESTDIR=$dir XDG_RUNTIME_DIR=$run timeout -k 5 "$per_test_timeout" \
              bash -c ". '$TESTS/lib.sh'; . '$file'; $fn" 2>&1)
        rc=$?
        if [ $rc -eq 0 ]; then
            echo "ok $n - $name: $fn"
        else
            [ $rc -eq 124 ] && out="$out"$'\n'"timed out after ${per_test_timeout}s"
            echo "not ok $n - $name: $fn"
            printf '%s\n' "$out" | sed 's/^/#   /'
            status=1
        fi
        rm -rf "$dir" "$run" 2>/dev/null
        n=$((n + 1))
    done
done
exit $status
