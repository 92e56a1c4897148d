# The harness itself, and the shape of what we ship.

test_runs_as_unprivileged_user() {
    [ "$(id -u)" -ne 0 ] || fail "integration tests must run as a non-root uid, got $(id -u)"
}

test_binary_is_static_and_small() {
    local desc size
    desc=$(file -b "$UPOD")
    assert_contains "$desc" "statically linked" "file ./upod"
    ldd "$UPOD" >"$TESTDIR/ldd" 2>&1 && fail "ldd treats upod as dynamic: $(cat "$TESTDIR/ldd")"
    assert_contains "$(cat "$TESTDIR/ldd")" "not a dynamic executable" "ldd ./upod"
    size=$(stat -c %s "$UPOD")
    [ "$size" -lt $((2 * 1024 * 1024)) ] || fail "upod is $size bytes, over 2 MB"
}
