#!/usr/bin/env bash
# bench/net.sh: throughput of a pod's network, as ratios to host loopback
# measured in the same run.
#
#   apt-get install -y iperf3            (the only requirement)
#   bench/net.sh [SECONDS] [REPETITIONS] (defaults: 3 and 3)
#
# Run it as the plain user who runs pods. For each case, iperf3 runs
# REPETITIONS times for SECONDS in both directions; the median is reported:
#   loopback        client and server on the host's 127.0.0.1 (the reference)
#   splice          host client -> -p port -> server in a pod (default driver)
#   slirp           the same through libslirp's port handler
#   outbound        client in a pod -> server on the host through 10.0.2.2
# If slirp4netns is installed it is measured too, with its own port handler,
# on a network namespace of its own (the target: upod's slirp >= slirp4netns).
set -euo pipefail
secs=${1:-3}
reps=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
upod=${UPOD:-$top/upod}
command -v iperf3 >/dev/null || { echo "bench/net.sh: install iperf3 (apt-get install -y iperf3)" >&2; exit 1; }
[ -x "$upod" ] || { echo "bench/net.sh: build upod first (./build.sh)" >&2; exit 1; }

work=$(mktemp -d)
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/run}
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
pids=()
cleanup() {
    "$upod" pod rm -f bench-splice bench-slirp bench-out >/dev/null 2>&1 || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port_base=$((45000 + RANDOM % 1000))

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# run_iperf ARGS...: one client run, prints Gbit/s received
run_iperf() {
    iperf3 -J -t "$secs" "$@" | jq -r '.end.sum_received.bits_per_second / 1e9'
}

# measure NAME CLIENT-PREFIX... -- IPERF-CLIENT-ARGS: median of both directions
declare -A result
measure() {
    local name=$1
    shift
    local prefix=() args=()
    while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
    shift
    args=("$@")
    local up=() down=() i
    for i in $(seq "$reps"); do
        up+=("$("${prefix[@]}" bash -c "$(declare -f run_iperf); secs=$secs; run_iperf $(printf '%q ' "${args[@]}")")")
        down+=("$("${prefix[@]}" bash -c "$(declare -f run_iperf); secs=$secs; run_iperf -R $(printf '%q ' "${args[@]}")")")
    done
    result[$name.up]=$(printf '%s\n' "${up[@]}" | median)
    result[$name.down]=$(printf '%s\n' "${down[@]}" | median)
}

start_server() { # PORT [PREFIX...]
    local port=$1
    shift
    "$@" iperf3 -s -p "$port" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        "$@" sh -c "ss -ltn | grep -q ':$port '" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench/net.sh: iperf3 server on $port did not start" >&2
    exit 1
}

# Reference: host loopback.
start_server $port_base
measure loopback -- -c 127.0.0.1 -p $port_base

for driver in splice slirp; do
    p=$((port_base + 1))
    [ $driver = slirp ] && p=$((port_base + 2))
    "$upod" pod create --name "bench-$driver" --network "slirp:port_handler=$driver" -p "$p:5201" >/dev/null
    "$upod" pod start "bench-$driver" >/dev/null
    start_server 5201 "$upod" pod enter "bench-$driver"
    measure "$driver" -- -c 127.0.0.1 -p "$p"
done

"$upod" pod create --name bench-out --network slirp:allow_host_loopback=true >/dev/null
"$upod" pod start bench-out >/dev/null
measure outbound "$upod" pod enter bench-out -- -c 10.0.2.2 -p $port_base

have_slirp4netns=no
if command -v slirp4netns >/dev/null; then
    have_slirp4netns=yes
    # A user+net namespace with slirp4netns on it, port 5201 published
    # through slirp4netns's own port handler (its API socket).
    api=$work/slirp4netns.sock
    unshare --user --map-root-user --net sleep 3600 &
    ns_pid=$!
    pids+=($ns_pid)
    sleep 0.2
    slirp4netns --configure --mtu=65520 --disable-host-loopback --api-socket "$api" "$ns_pid" tap0 >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [ -S "$api" ] && break; sleep 0.05; done
    p=$((port_base + 3))
    printf '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":%d,"guest_port":5201}}' "$p" |
        nc -U -q 1 "$api" >/dev/null 2>&1 || python3 - "$api" "$p" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(('{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_port":%s,"guest_port":5201}}' % sys.argv[2]).encode())
s.recv(4096)
PY
    start_server 5201 nsenter --preserve-credentials -U -n -t "$ns_pid"
    measure slirp4netns -- -c 127.0.0.1 -p "$p"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
printf '%-14s %12s %12s %10s %10s\n' case "up Gbit/s" "down Gbit/s" "up ratio" "down ratio"
cases="loopback splice slirp outbound"
[ $have_slirp4netns = yes ] && cases="$cases slirp4netns"
for c in $cases; do
    printf '%-14s %12.2f %12.2f %10s %10s\n' "$c" "${result[$c.up]}" "${result[$c.down]}" \
        "$(ratio "${result[$c.up]}" "${result[loopback.up]}")" \
        "$(ratio "${result[$c.down]}" "${result[loopback.down]}")"
done
echo "(median of $reps runs of ${secs}s each; ratios against host loopback in this run;"
echo " up = client sends, down = client receives (iperf3 -R))"
