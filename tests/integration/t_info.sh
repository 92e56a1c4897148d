# upod info must tell the truth about this machine: each check is compared
# with an independent observation made by the test itself.

info_json() {
    run_upod info --format json
    assert_status 0
    jq -e . <<<"$out" >/dev/null || fail "info --format json is not JSON: $out"
}

test_info_host_and_user() {
    info_json
    assert_eq "$(jq -r .host.kernel <<<"$out")" "$(uname -r)" "kernel"
    assert_eq "$(jq -r .user.uid <<<"$out")" "$(id -u)" "uid"
    run_upod info --format '{{.Host.Kernel}} {{.User.Uid}}'
    assert_status 0
    assert_eq "$out" "$(uname -r) $(id -u)" "template output"
}

test_info_user_namespaces_truthful() {
    local expect=false
    unshare --user true 2>/dev/null && expect=true
    info_json
    assert_eq "$(jq -r .userNamespaces.unprivileged <<<"$out")" "$expect" "unprivileged userns"
    assert_eq "$(jq -r .userNamespaces.maxUserNamespaces <<<"$out")" \
        "$(cat /proc/sys/user/max_user_namespaces)" "max_user_namespaces"
}

test_info_idmap_helpers_and_subids_truthful() {
    info_json
    assert_eq "$(jq -r .userNamespaces.newuidmap.path <<<"$out")" "$(command -v newuidmap)" "newuidmap"
    assert_eq "$(jq -r .userNamespaces.newgidmap.path <<<"$out")" "$(command -v newgidmap)" "newgidmap"
    local user expected_uids expected_gids
    user=$(id -un)
    expected_uids=$(awk -F: -v u="$user" -v i="$(id -u)" '($1 == u || $1 == i) {print $2 ":" $3}' /etc/subuid 2>/dev/null | paste -sd, -)
    expected_gids=$(awk -F: -v u="$user" -v i="$(id -g)" '($1 == u || $1 == i) {print $2 ":" $3}' /etc/subgid 2>/dev/null | paste -sd, -)
    assert_eq "$(jq -r '.userNamespaces.subuids | join(",")' <<<"$out")" "$expected_uids" "subuids"
    assert_eq "$(jq -r '.userNamespaces.subgids | join(",")' <<<"$out")" "$expected_gids" "subgids"
    if [ -n "$expected_uids" ] && [ -n "$expected_gids" ] && [ -u "$(command -v newuidmap)" ]; then
        assert_eq "$(jq -r .userNamespaces.idMapping <<<"$out")" "subids" "id mapping"
    else
        assert_eq "$(jq -r .userNamespaces.idMapping <<<"$out")" "single" "id mapping"
    fi
}

test_info_state_dir_from_xdg_runtime_dir() {
    info_json
    assert_eq "$(jq -r .store.stateDir <<<"$out")" "$XDG_RUNTIME_DIR/upod" "state dir"
    assert_contains "$(jq -r .store.rule <<<"$out")" "XDG_RUNTIME_DIR is set"
    [ -e "$XDG_RUNTIME_DIR/upod" ] && fail "upod info created the state directory"
    return 0
}

test_info_state_dir_fallback_rules() {
    mkdir -m 0700 "$TESTDIR/tmp"
    out=$(env -u XDG_RUNTIME_DIR TMPDIR="$TESTDIR/tmp" "$UPOD" info --format json) ||
        fail "upod info failed"
    local uid expected
    uid=$(id -u)
    if [ -d "/run/user/$uid" ] && [ "$(stat -c %u "/run/user/$uid")" = "$uid" ]; then
        expected="/run/user/$uid/upod"
    else
        expected="$TESTDIR/tmp/upod-$uid"
    fi
    assert_eq "$(jq -r .store.stateDir <<<"$out")" "$expected" "fallback state dir"
}

test_info_refuses_symlinked_state_dir() {
    mkdir -m 0700 "$TESTDIR/elsewhere"
    ln -s "$TESTDIR/elsewhere" "$XDG_RUNTIME_DIR/upod"
    info_json
    assert_eq "$(jq -r .store.status <<<"$out")" "refused" "store status"
    assert_contains "$(jq -r .store.hint <<<"$out")" "is a symlink"
    assert_eq "$(jq -r .ready <<<"$out")" "false" "ready"
    assert_contains "$(jq -r '.problems | join("\n")' <<<"$out")" "symlink"
}

test_info_refuses_state_dir_with_loose_mode() {
    mkdir -m 0755 "$XDG_RUNTIME_DIR/upod"
    info_json
    assert_eq "$(jq -r .store.status <<<"$out")" "refused" "store status"
    assert_contains "$(jq -r .store.hint <<<"$out")" "chmod 0700"
}

test_info_refuses_foreign_xdg_runtime_dir() {
    out=$(XDG_RUNTIME_DIR=/ "$UPOD" info --format json) || fail "upod info failed"
    assert_eq "$(jq -r .store.status <<<"$out")" "refused" "store status"
    assert_contains "$(jq -r .store.hint <<<"$out")" "not a directory owned by you"
}

test_info_yaml_default_output() {
    run_upod info
    assert_status 0
    assert_contains "$out" "userNamespaces:"
    assert_contains "$out" "stateDir: $XDG_RUNTIME_DIR/upod"
}
