# /dev/net/tun: upod info must report what this user really gets, and when it
# cannot be opened, say why and how to fix it. tests/integration/run.sh runs
# this file with the device at 0666 and again at 0600 when it runs as root.

test_info_tun_truthful() {
    run_upod info --format json
    assert_status 0
    if (exec 3<>/dev/net/tun) 2>/dev/null; then
        assert_eq "$(jq -r .tun.usable <<<"$out")" "true" "tun usable"
    else
        local mode hint
        mode=$(stat -c %a /dev/net/tun)
        hint=$(jq -r .tun.hint <<<"$out")
        assert_eq "$(jq -r .tun.usable <<<"$out")" "false" "tun usable"
        assert_contains "$hint" "mode 0$mode"
        assert_contains "$hint" "chmod 0666 /dev/net/tun"
        assert_eq "$(jq -r .ready <<<"$out")" "false" "ready"
        assert_contains "$(jq -r '.problems | join("\n")' <<<"$out")" "/dev/net/tun"
    fi
}

test_pod_start_explains_tun() {
    run_upod pod create --name tunpod
    run_upod pod start tunpod
    if (exec 3<>/dev/net/tun) 2>/dev/null; then
        assert_status 0
        assert_contains "$("$UPOD" pod enter tunpod ip link show tap0)" "tap0"
    else
        assert_status 125
        assert_one_line "$err"
        assert_contains "$err" "chmod 0666 /dev/net/tun"
        run_upod pod ps --format '{{.Status}}'
        assert_eq "$out" "Created" "status after the failed start"
        # --network none needs no tun device.
        run_upod pod create --name tunless --network none
        run_upod pod start tunless
        assert_status 0
        # A run whose pod cannot start leaves no record, nor its own pod.
        make_rootfs "$TESTDIR/rootfs"
        run_upod run --name lonely --rootfs "$TESTDIR/rootfs" true
        assert_status 125
        assert_contains "$err" "chmod 0666 /dev/net/tun"
        assert_eq "$(ls -A "$XDG_RUNTIME_DIR/upod/containers")" "" "records after the failed run"
        run_upod pod exists lonely
        assert_status 1
    fi
}
