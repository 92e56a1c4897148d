#!/usr/bin/env bash
# tests/integration/run.sh: run the integration tests against ./upod as an
# unprivileged user, printing TAP.
#
# As root (CI): create the test user (UPOD_TEST_USER, default "upodtest",
# with subordinate id ranges) if needed, and a second user, the same name
# with "-o", that the security tests act as (through sudo: "as_other" in
# lib.sh; a rule in /etc/sudoers.d that the run removes); copy the binary and the tests into a fresh world-readable
# directory (the checkout may not be readable by others), give the user its
# own 0700 XDG_RUNTIME_DIR, and drop privileges with setpriv. The tests run
# in a mount namespace of their own where /dev/net/tun is a node of ours,
# mode 0666 (as .ci/run leaves the device); then the tests that need a
# particular /dev/net/tun mode run again with one of mode 0600 (as this
# machine ships it). The real device is never changed: other runs on the
# machine see it as it is. The runner is given a cgroup v2 of the run's
# own, delegated to the user, where it gives each test a cgroup of its own
# (see runner.sh); what is left there is killed at the end.
# As a plain user: run the tests directly, with a temporary XDG_RUNTIME_DIR.
# Arguments go to runner.sh: --only t_run.sh runs one file. --script FILE
# runs FILE instead (make tutorial, make bench).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
test_user=${UPOD_TEST_USER:-upodtest}
other_user=$test_user-o
sudoers=/etc/sudoers.d/upod-tests-$test_user

[ -x "$top/upod" ] || { echo "not ok - $top/upod is missing: run make first"; exit 1; }
for tool in xfer ipc thief sysprobe nsprobe; do
    [ -x "$top/tests/tools/$tool" ] || { echo "not ok - tests/tools/$tool is missing: run make check"; exit 1; }
done

stage=$(mktemp -d /tmp/upod-check.XXXXXX)
chmod 0755 "$stage"
cp "$top/upod" "$stage/upod"
mkdir -p "$stage/tools"
cp "$top/tests/tools/xfer" "$top/tests/tools/ipc" "$top/tests/tools/thief" "$top/tests/tools/sysprobe" "$top/tests/tools/nsprobe" \
    "$stage/tools/"
cp -r "$top/tests/integration" "$stage/integration"
# As root: private copies of newuidmap/newgidmap, setuid as the real ones,
# that t_userns.sh puts first in $PATH to count their runs (inotify sees
# each exec open them; nothing else on the machine uses these copies).
idmap_dir=""
if [ "$(id -u)" -eq 0 ] && command -v newuidmap >/dev/null && command -v newgidmap >/dev/null; then
    idmap_dir=$stage/idmap
    mkdir -p "$idmap_dir"
    cp --preserve=mode,ownership "$(command -v newuidmap)" "$(command -v newgidmap)" "$idmap_dir/"
fi
cp -r "$top/tests/reliability" "$stage/reliability"
cp "$top/tests/tutorial.sh" "$stage/tutorial.sh"
chmod -R a+rX "$stage"

# free_subid_start FILE: the first id after every range in FILE (at least
# 300000), so that test users never share subordinate ids.
free_subid_start() {
    awk -F: 'BEGIN {end = 300000} $3 > 0 && $2 + $3 > end {end = $2 + $3} END {print end}' \
        "$1" 2>/dev/null || echo 300000
}

ensure_user() { # NAME
    if ! id "$1" >/dev/null 2>&1; then
        useradd --no-create-home --shell /bin/bash --user-group "$1"
    fi
    local f start
    for f in subuid subgid; do
        grep -q "^$1:" /etc/$f 2>/dev/null && continue
        start=$(free_subid_start /etc/$f)
        usermod --add-$f"s" "$start-$((start + 65535))" "$1"
    done
}

# make_subid_switch: $stage/subid-switch, a root script the test user may
# run through sudo (t_userns.sh): "alt" moves its first subordinate uid and
# gid ranges to a free place, "orig" moves them back (and the run's end
# does, whatever happened). Its ranges are fixed here, not taken from its
# caller.
subid_switch=""
subid_orig_u="" subid_orig_g="" subid_alt_u="" subid_alt_g=""
make_subid_switch() {
    # The first range of each file, "start:count"; the alternative starts
    # after every range of the file (free_subid_start).
    subid_orig_u=$(awk -F: -v u="$test_user" '$1 == u {print $2 ":" $3; exit}' /etc/subuid)
    subid_orig_g=$(awk -F: -v u="$test_user" '$1 == u {print $2 ":" $3; exit}' /etc/subgid)
    [ -n "$subid_orig_u" ] && [ -n "$subid_orig_g" ] || return 0
    subid_alt_u="$(free_subid_start /etc/subuid):${subid_orig_u#*:}"
    subid_alt_g="$(free_subid_start /etc/subgid):${subid_orig_g#*:}"
    subid_switch=$stage/subid-switch
    # sed -i writes a new file and renames it: readers see one or the
    # other (usermod refuses while the user has processes).
    {
        echo '#!/bin/sh'
        echo 'set -e'
        echo 'case "$1" in'
        echo "alt) sed -i 's/^$test_user:$subid_orig_u\$/$test_user:$subid_alt_u/' /etc/subuid; sed -i 's/^$test_user:$subid_orig_g\$/$test_user:$subid_alt_g/' /etc/subgid ;;"
        echo "orig) sed -i 's/^$test_user:$subid_alt_u\$/$test_user:$subid_orig_u/' /etc/subuid; sed -i 's/^$test_user:$subid_alt_g\$/$test_user:$subid_orig_g/' /etc/subgid ;;"
        echo '*) echo "usage: subid-switch alt|orig" >&2; exit 2 ;;'
        echo 'esac'
    } >"$subid_switch"
    chmod 0755 "$subid_switch"
}

# restore_subids: the test user's ranges as they were.
restore_subids() {
    [ -n "$subid_switch" ] || return 0
    grep -q "^$test_user:$subid_alt_u\$" /etc/subuid /etc/subgid || return 0
    "$subid_switch" orig 2>/dev/null || true
}

ensure_test_user() {
    ensure_user "$test_user"
    ensure_user "$other_user"
    make_subid_switch
    if command -v sudo >/dev/null 2>&1 && [ -d /etc/sudoers.d ]; then
        {
            printf '%s ALL=(%s) NOPASSWD: ALL\n' "$test_user" "$other_user"
            [ -z "$subid_switch" ] || printf '%s ALL=(root) NOPASSWD: %s\n' "$test_user" "$subid_switch"
        } >"$sudoers.tmp"
        chmod 0440 "$sudoers.tmp"
        mv "$sudoers.tmp" "$sudoers"
    fi
}

# make_cgroup: a cgroup v2 of the run's own ($cgroup_dir), that the test
# user may make cgroups in and move its processes between. None where no
# cgroup2 is mounted writable.
cgroup_dir=""
make_cgroup() {
    local root
    root=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n 1)
    [ -n "$root" ] && [ -w "$root/cgroup.procs" ] || return 0
    mkdir "$root/upod-tests-$test_user.$$" || return 0
    cgroup_dir=$root/upod-tests-$test_user.$$
    chown "$test_user:$test_user" "$cgroup_dir" "$cgroup_dir/cgroup.procs"
}

# remove_cgroup: kill what is left in it, and remove it.
remove_cgroup() {
    [ -n "$cgroup_dir" ] && [ -d "$cgroup_dir" ] || return 0
    echo 1 >"$cgroup_dir/cgroup.kill" 2>/dev/null || true
    local i
    for i in $(seq 100); do
        grep -q '^populated 1' "$cgroup_dir/cgroup.events" 2>/dev/null || break
        sleep 0.05
    done
    find "$cgroup_dir" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
    rmdir "$cgroup_dir" 2>/dev/null || true
}

run_tmpfs=""
cleanup() {
    local status=$?
    remove_cgroup
    if [ -n "$run_tmpfs" ]; then
        pkill -KILL -u "$test_user" 2>/dev/null || true
        sleep 0.2
        umount "$run_tmpfs" 2>/dev/null || umount -l "$run_tmpfs" 2>/dev/null || true
    fi
    if [ "$(id -u)" -eq 0 ]; then
        # Nothing of the test users may outlive the run.
        pkill -KILL -u "$test_user" 2>/dev/null || true
        pkill -KILL -u "$other_user" 2>/dev/null || true
        restore_subids
        rm -f "$sudoers"
    fi
    rm -rf "$stage" 2>/dev/null || true
    exit "$status"
}
trap cleanup EXIT

# in_test_env COMMAND...: as root, run COMMAND in the run's cgroup (when
# there is one) and, when $tun_mode is set, in a mount namespace of its
# own, where /dev/net/tun is a character device 10,200 (the tun device)
# of mode $tun_mode, owned by root, on a tmpfs of that namespace.
tun_mode=""
in_test_env() {
    local ns=()
    [ -z "$tun_mode" ] || ns=(unshare --mount --propagation private --)
    mkdir -p "$stage/tun"
    "${ns[@]}" /bin/sh -c '
        set -e
        [ -z "$1" ] || echo $$ >"$1/cgroup.procs"
        if [ -n "$2" ]; then
            mount -t tmpfs -o size=16k,mode=0755 upod-tun "$3"
            mknod -m "$2" "$3/tun" c 10 200
            mount --bind "$3/tun" /dev/net/tun
        fi
        shift 3
        exec "$@"' sh "$cgroup_dir" "$tun_mode" "$stage/tun" "$@"
}

# run_as_user ARGS...: run the test runner with a clean environment (as
# root: in_test_env).
run_as_user() {
    local home=$stage/home run=$stage/run
    # Scripts (benchmarks) get what a login session gives: a tmpfs at
    # /run/user/UID, unmounted afterwards.
    if [ "$script" = script.sh ] && [ "$(id -u)" -eq 0 ]; then
        run=/run/user/$(id -u "$test_user")
        if ! mountpoint -q "$run"; then
            mkdir -p "$run"
            mount -t tmpfs -o "mode=0700,uid=$(id -u "$test_user"),gid=$(id -g "$test_user"),size=256m" \
                tmpfs "$run"
            run_tmpfs=$run
        fi
    fi
    mkdir -p "$home" "$run"
    chmod 0700 "$run"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$test_user:$test_user" "$home" "$run"
        local pass=()
        [ -z "$cgroup_dir" ] || pass+=(UPOD_TEST_CGROUP_DIR="$cgroup_dir")
        [ -z "${UPOD_TEST_JOBS:-}" ] || pass+=(UPOD_TEST_JOBS="$UPOD_TEST_JOBS")
        [ -z "${UPOD_TEST_TIMEOUT:-}" ] || pass+=(UPOD_TEST_TIMEOUT="$UPOD_TEST_TIMEOUT")
        [ -z "${UPOD_TEST_TIMES:-}" ] || pass+=(UPOD_TEST_TIMES="$UPOD_TEST_TIMES")
        [ -z "$idmap_dir" ] || pass+=(UPOD_TEST_IDMAP_DIR="$idmap_dir")
        [ -z "$subid_switch" ] || pass+=(UPOD_TEST_SUBID_SWITCH="$subid_switch")
        in_test_env setpriv --reuid="$test_user" --regid="$test_user" --init-groups \
            env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" \
            USER="$test_user" LOGNAME="$test_user" XDG_RUNTIME_DIR="$run" "${pass[@]}" \
            OTHER_USER="$other_user" UPOD="$stage/upod" XFER="$stage/tools/xfer" IPC="$stage/tools/ipc" THIEF="$stage/tools/thief" SYSPROBE="$stage/tools/sysprobe" NSPROBE="$stage/tools/nsprobe" TESTS="$stage/integration" \
            TUTORIAL="$stage/tutorial.sh" bash "$stage/$script" "$@"
    else
        env XDG_RUNTIME_DIR="$run" UPOD="$stage/upod" XFER="$stage/tools/xfer" IPC="$stage/tools/ipc" THIEF="$stage/tools/thief" SYSPROBE="$stage/tools/sysprobe" NSPROBE="$stage/tools/nsprobe" TESTS="$stage/integration" \
            TUTORIAL="$stage/tutorial.sh" bash "$stage/$script" "$@"
    fi
}

# --script FILE [ARGS]: run FILE (tests/tutorial.sh, bench/compare.sh)
# instead of the tests, as the same user in the same clean environment.
script=integration/runner.sh
if [ "${1:-}" = --script ]; then
    cp "$2" "$stage/script.sh"
    chmod a+r "$stage/script.sh"
    script=script.sh
    shift 2
fi

if [ "$(id -u)" -eq 0 ]; then
    ensure_test_user
    make_cgroup
    # The whole suite with the device usable, as .ci/run leaves it.
    [ -c /dev/net/tun ] && tun_mode=0666
    if [ "$script" = script.sh ]; then
        run_as_user "$@"
        exit
    fi
    status=0
    run_as_user --tap-start 1 "$@" || status=$?
    # Then the tun checks again with the device as this machine ships it
    # (whatever the first part found).
    if [ -n "$tun_mode" ]; then
        tun_mode=0600
        run_as_user --tap-start 1000 --only t_tun.sh || status=$?
    fi
    exit "$status"
elif [ "$script" = script.sh ]; then
    run_as_user "$@"
else
    run_as_user --tap-start 1 "$@"
fi
