#!/usr/bin/env bash
# bench/compare.sh: upod against rootless podman, side by side, in one run.
#
#   apt-get install -y hyperfine busybox-static podman runc slirp4netns uidmap
#   bench/compare.sh [RUNS]      (default 10; `make bench` runs it)
#
# Run it as the plain user who runs pods (as root, `make bench` runs it as
# the test user through tests/integration/run.sh). It installs nothing:
# podman is measured when it is installed, upod always. For each tool:
#   pod create+start   a pod publishing a port, created and started
#   pod rm -f          that pod removed
#   run --rm true      in a running pod
#   run -d sleeper     a detached `sleep`, until the command returns
#   exec true          in a running container
#   memory             summed RSS of the processes that keep one idle pod
#                      with one idle container (`sleep`) alive, the
#                      container's own process not counted; new processes
#                      only: podman's per-user pause process already runs
#   disk               what a user must install
# Each time is the median of RUNS; the last column is podman / upod.
#
# Both tools keep their runtime state in $XDG_RUNTIME_DIR (a tmpfs,
# /run/user/UID, on systemd systems; `make bench` as root mounts one for the
# test user); the table says which file system it was. podman is configured as shared/notes/podman-here.md says
# (cgroupfs, runc, file events), in a temporary HOME: your own podman
# storage is not touched.
set -euo pipefail
runs=${1:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
upod=${UPOD:-$top/upod}
need() { command -v "$1" >/dev/null || { echo "bench/compare.sh: $2" >&2; exit 1; }; }
need hyperfine "install hyperfine (apt-get install -y hyperfine)"
need busybox "install busybox-static (apt-get install -y busybox-static)"
need jq "install jq (apt-get install -y jq)"
[ -x "$upod" ] || { echo "bench/compare.sh: build upod first (./build.sh)" >&2; exit 1; }
[ "$(id -u)" -ne 0 ] || { echo "bench/compare.sh: run it as a plain user (make bench does)" >&2; exit 1; }
have_podman=false
command -v podman >/dev/null && have_podman=true

work=$(mktemp -d)
: "${XDG_RUNTIME_DIR:?set XDG_RUNTIME_DIR (your /run/user/UID; make bench sets one up)}"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
mkdir -p "$XDG_CONFIG_HOME/containers"
printf '[engine]\ncgroup_manager="cgroupfs"\nevents_logger="file"\nruntime="runc"\n' \
    >"$XDG_CONFIG_HOME/containers/containers.conf"
cleanup() {
    "$upod" pod rm -f --all >/dev/null 2>&1 || true
    if $have_podman; then
        podman pod rm -f -t 0 -a >/dev/null 2>&1 || true
        podman rm -f -t 0 -a >/dev/null 2>&1 || true
        podman system reset -f >/dev/null 2>&1 || true
    fi
    chmod -R u+w "$work" 2>/dev/null || true
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $("$rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"; done
image=localhost/upod-bench-busybox
if $have_podman; then
    tar -C "$rootfs" -c . | podman import -q - "$image" >/dev/null
fi

port_base=$((42000 + RANDOM % 5000))
# median_ms JSON: the median of a hyperfine export's means (parameter scans)
# or of its one command's runs, in ms.
median_ms() {
    jq '[.results[] | (if (.times | length) > 1 then .times[] else .mean end)] | sort
        | (if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end)
        * 1000 * 100 | round / 100' "$1"
}
# scan NAME CMD-WITH-{i}: one run per i in 1..runs (unique names and ports).
scan() {
    hyperfine -N -i --runs 1 --warmup 0 -P i 1 "$runs" --export-json "$work/$1.json" "$2" >/dev/null 2>&1
    median_ms "$work/$1.json"
}
# repeat NAME CMD: the same command runs times (after a warm-up).
repeat() {
    hyperfine -N --runs "$runs" --warmup 2 --export-json "$work/$1.json" "$2" >/dev/null 2>&1
    median_ms "$work/$1.json"
}

# rss_kib PIDS...: their summed resident set size.
rss_kib() {
    local total=0 p kb
    for p in "$@"; do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}
my_pids() { pgrep -u "$(id -u)" | sort -n; }

# new_rss BEFORE-FILE: RSS of the user's processes that are not in it (this
# script's own helpers excluded).
new_rss() {
    local after
    after=$(my_pids | comm -13 "$1" - | while read -r p; do
        # Not this script's helpers, nor the container's own `sleep`: the
        # same process for both tools, not something either adds.
        case $(cat "/proc/$p/comm" 2>/dev/null) in bash|pgrep|sort|comm|cat|awk|sleep|'') ;; *) echo "$p" ;; esac
    done)
    # shellcheck disable=SC2086
    rss_kib $after
    {
        for p in $after; do printf '%s(%s) ' "$(cat /proc/$p/comm 2>/dev/null)" \
            "$(awk '/^VmRSS:/ {print $2}' /proc/$p/status 2>/dev/null)"; done
        echo
    } >>"$work/memory-detail"
}

declare -A U P

# ---- upod ----
U[create]=$(scan upod-create "sh -c '$upod pod create --name bu{i} -p 127.0.0.1:\$(($port_base + {i})):80 >/dev/null && $upod pod start bu{i} >/dev/null'")
U[rm]=$(scan upod-rm "$upod pod rm -f bu{i}")
"$upod" pod create --name ubench -p "127.0.0.1:$((port_base + 100)):80" >/dev/null
"$upod" pod start ubench >/dev/null
U[run]=$(repeat upod-run "$upod run --rm --pod ubench --rootfs $rootfs true")
U[rund]=$(scan upod-rund "$upod run -d --name ud{i} --pod ubench --rootfs $rootfs sleep 1000")
"$upod" run -d --name ubox --pod ubench --rootfs "$rootfs" sleep 100000 >/dev/null
U[exec]=$(repeat upod-exec "$upod exec ubox true")
"$upod" pod rm -f --all >/dev/null
my_pids >"$work/before"
echo -n "upod: " >>"$work/memory-detail"
"$upod" pod create --name umem -p "127.0.0.1:$((port_base + 101)):80" >/dev/null
"$upod" run -d --name umembox --pod umem --rootfs "$rootfs" sleep 100000 >/dev/null
sleep 1
U[mem]=$(new_rss "$work/before")
"$upod" pod rm -f --all >/dev/null
U[disk]=$(du -k "$(readlink -f "$upod")" | cut -f1)

# ---- podman ----
if $have_podman; then
    podman info >/dev/null 2>&1 # the per-user pause process and storage, once
    P[create]=$(scan podman-create "sh -c 'podman pod create --name bp{i} -p 127.0.0.1:\$(($port_base + 200 + {i})):80 >/dev/null && podman pod start bp{i} >/dev/null'")
    P[rm]=$(scan podman-rm "podman pod rm -f bp{i}")
    podman pod create --name pbench -p "127.0.0.1:$((port_base + 300)):80" >/dev/null
    podman pod start pbench >/dev/null
    P[run]=$(repeat podman-run "podman run --rm --pod pbench $image true")
    P[rund]=$(scan podman-rund "podman run -d --name pd{i} --pod pbench $image sleep 1000")
    podman run -d --name pbox --pod pbench "$image" sleep 100000 >/dev/null
    P[exec]=$(repeat podman-exec "podman exec pbox true")
    podman pod rm -f -t 0 -a >/dev/null
    my_pids >"$work/before"
    echo -n "podman: " >>"$work/memory-detail"
    podman pod create --name pmem -p "127.0.0.1:$((port_base + 301)):80" >/dev/null
    podman run -d --name pmembox --pod pmem "$image" sleep 100000 >/dev/null
    sleep 1
    P[mem]=$(new_rss "$work/before")
    podman pod rm -f -t 0 -a >/dev/null
    disk=0
    for pkg in podman conmon runc slirp4netns catatonit golang-github-containers-common \
        containernetworking-plugins; do
        kb=$(dpkg-query -W -f '${Installed-Size}' "$pkg" 2>/dev/null || echo 0)
        disk=$((disk + ${kb:-0}))
    done
    P[disk]=$disk
fi

# ---- the table ----
row() { # LABEL KEY UNIT
    local u=${U[$2]} p=${P[$2]:-} ratio="-"
    [ -n "$p" ] && ratio=$(awk -v p="$p" -v u="$u" 'BEGIN { printf (u > 0 ? "%.1fx" : "-"), p / u }')
    printf '| %-22s | %12s | %12s | %8s |\n' "$1" "$u $3" "${p:-not run} ${p:+$3}" "$ratio"
}
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -r), state on $(stat -f -c %T "$XDG_RUNTIME_DIR"):"
echo "upod $("$upod" version --format '{{.Client.Version}} ({{.Client.GitCommit}})' 2>/dev/null || echo '?')," \
    "$($have_podman && podman --version || echo 'podman not installed')," \
    "$($have_podman && runc --version 2>/dev/null | head -n 1 || true), $(hyperfine --version), $runs runs, medians."
echo
printf '| %-22s | %12s | %12s | %8s |\n' "" "upod" "podman" "podman/upod"
printf '|%s|%s|%s|%s|\n' "------------------------" "-------------:" "-------------:" "---------:"
row "pod create+start" create ms
row "pod rm -f" rm ms
row "run --rm true" run ms
row "run -d sleep" rund ms
row "exec true" exec ms
row "memory: pod + 1 ctr" mem KiB
row "disk" disk KiB
echo
echo "Processes counted for memory (name(RSS KiB)):"
sed 's/^/  /' "$work/memory-detail"
