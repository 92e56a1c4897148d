#!/usr/bin/env bash
# bench/latency.sh: how long upod's commands take, with hyperfine.
#
#   apt-get install -y hyperfine busybox-static
#   bench/latency.sh [RUNS]          (default 50)
#
# Run it as the plain user who runs pods. Prints hyperfine's table for:
#   run --rm true      attached run of `true` in a running pod
#   run -d --rm true   detached run (returns once the command runs)
#   exec true          exec of `true` in a running container
#   pod create+start+rm, and `sh -c true` to subtract the shell it needs
set -euo pipefail
runs=${1:-50}
top=$(cd "$(dirname "$0")/.." && pwd)
upod=${UPOD:-$top/upod}
command -v hyperfine >/dev/null || { echo "bench/latency.sh: apt-get install -y hyperfine" >&2; exit 1; }
[ -x "$upod" ] || { echo "bench/latency.sh: build upod first (./build.sh)" >&2; exit 1; }

work=$(mktemp -d)
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/run}
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
cleanup() {
    "$upod" pod rm -f lat-pod >/dev/null 2>&1 || true
    "$upod" rm -f lat-box >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

rootfs=$work/rootfs
mkdir -p "$rootfs/bin"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $("$rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"; done

"$upod" pod create --name lat-pod >/dev/null
"$upod" pod start lat-pod >/dev/null
"$upod" run -d --pod lat-pod --rootfs "$rootfs" --name lat-box sleep 100000 >/dev/null

# -N: no intermediate shell, so that its start-up is not counted. run -d
# uses --rm with a command that exits at once: the next run finds no record.
hyperfine --warmup 3 --runs "$runs" -N --export-markdown "$work/table.md" \
    -n 'run --rm true' "$upod run --rm --pod lat-pod --rootfs $rootfs true" \
    -n 'run -d --rm true' "$upod run -d --rm --pod lat-pod --rootfs $rootfs true" \
    -n 'exec true' "$upod exec lat-box true"
# Three commands in a row need a shell; its own cost is measured beside it.
hyperfine --warmup 3 --runs "$runs" --shell=none --export-markdown "$work/pod.md" \
    -n 'pod create+start+rm' "sh -c '$upod pod create --name lat-p2 >/dev/null && $upod pod start lat-p2 >/dev/null && $upod pod rm -f lat-p2 >/dev/null'" \
    -n 'sh -c true (the shell alone)' "sh -c true"
cat "$work/table.md" "$work/pod.md"
