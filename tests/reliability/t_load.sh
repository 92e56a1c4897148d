# Load: many connections through a published port; the pod's processes
# must serve them all and give back every file descriptor.

# Outside the ephemeral port range (32768-60999 by default), where the
# clients of these tests leave hundreds of ports in TIME_WAIT.
PORT_BASE=61000

# They run in the serial lane (tests/integration/runner.sh): 500
# connections at once, and a check that the forwarder does not spin.
SERIAL_TESTS=all

fd_count() { # PID
    ls "/proc/$1/fd" | wc -l
}

fds_at_most() { # PID N
    [ "$(fd_count "$1")" -le "$2" ]
}

# connections_through DRIVER PORT: 500 connections open at once through a
# published port, each echoed by a server in the pod; the keeper and the
# infra hold as many fds afterwards as before.
connections_through() {
    local driver=$1 port=$2 keeper infra keeper_fds infra_fds
    # What a login session gives (CI's root passes on a higher limit): 500
    # spliced connections need about 3000 fds in the forwarder.
    ulimit -Sn 1024
    run_upod pod create --name load --network "slirp:port_handler=$driver" -p "127.0.0.1:$port:7000"
    assert_status 0
    run_upod pod start load
    assert_status 0
    keeper=$("$UPOD" pod inspect --format '{{.KeeperPid}}' load)
    infra=$(infra_pid load)
    keeper_fds=$(fd_count "$keeper")
    infra_fds=$(fd_count "$infra")
    serve_in_pod load "$TESTDIR/server.out" echo-serve 7000 500
    run_upod_timeout 60 "$XFER" many 127.0.0.1 "$port" 500
    [ "$status" -eq 124 ] && err="$err (timed out after 60 s)"
    [ "$status" -eq 0 ] || fail "$driver: not every connection was echoed: $out $err"
    assert_eq "$out" "500 echoed" "$driver: connections echoed"
    wait "$server_pid" || fail "$driver: the server in the pod failed: $(cat "$TESTDIR/server.out")"
    # libslirp keeps a closed connection's host socket through its own
    # TIME_WAIT (2 x MSL = 10 s).
    wait_for 30 fds_at_most "$keeper" "$keeper_fds" ||
        fail "$driver: keeper fds: $keeper_fds before, $(fd_count "$keeper") after"
    wait_for 10 fds_at_most "$infra" "$infra_fds" ||
        fail "$driver: infra fds: $infra_fds before, $(fd_count "$infra") after"
    run_upod pod rm -f load
    assert_status 0
}

# run_upod_timeout SECONDS COMMAND...: like run_upod, for any command, bounded.
run_upod_timeout() {
    local limit=$1
    shift
    out=$(timeout -k 2 "$limit" "$@" 2>"$TESTDIR/.stderr")
    status=$?
    err=$(cat "$TESTDIR/.stderr")
}

test_500_connections_splice() {
    connections_through splice $((PORT_BASE + 1))
}

test_500_connections_slirp() {
    connections_through slirp $((PORT_BASE + 2))
}

backlog_empty() { # PORT: no connection waits to be accepted on this listener
    [ "$(ss -Hltn "sport = :$1" | awk '{print $2}')" = 0 ]
}

# cpu_ticks PID: user + system time of a process, in clock ticks.
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}

# The splice forwarder out of fds: connections wait in the listener's
# backlog, the forwarder does not spin on accept(), and it serves again
# once fds are back.
test_forwarder_out_of_fds_waits_and_recovers() {
    local port=$((PORT_BASE + 3)) infra infra_fds before after client
    run_upod pod create --name starve -p "127.0.0.1:$port:7000"
    assert_status 0
    # The keeper and the infra get a hard limit of 256 fds (about 40
    # spliced connections); the server and the client keep more.
    run_upod_timeout 30 sh -c "ulimit -n 256 && exec '$UPOD' pod start starve"
    assert_status 0
    infra=$(infra_pid starve)
    infra_fds=$(fd_count "$infra")
    serve_in_pod starve "$TESTDIR/server.out" echo-serve 7000 300
    "$XFER" many 127.0.0.1 "$port" 300 >"$TESTDIR/client.out" 2>&1 &
    client=$!
    sleep 1 # the forwarder has run out of fds by now: the client waits
    kill -0 "$client" 2>/dev/null || fail "the client did not wait: $(cat "$TESTDIR/client.out")"
    before=$(cpu_ticks "$infra")
    sleep 1
    after=$(cpu_ticks "$infra")
    [ $((after - before)) -lt 30 ] ||
        fail "the infra used $((after - before)) ticks in 1 s while out of fds: it spins"
    kill "$client" "$server_pid" 2>/dev/null
    wait "$client" "$server_pid" 2>/dev/null
    # The dead client's connections still wait in the listener's backlog:
    # let the forwarder take (and drop) them all first, or the next server
    # would count them as its own.
    wait_for 20 backlog_empty "$port" && wait_for 10 fds_at_most "$infra" "$infra_fds" ||
        fail "the forwarder did not drain: backlog $(ss -Hltn "sport = :$port" | awk '{print $2}'), \
$(fd_count "$infra") fds (had $infra_fds)"
    serve_in_pod starve "$TESTDIR/server2.out" echo-serve 7000 10
    run_upod_timeout 30 "$XFER" many 127.0.0.1 "$port" 10
    assert_eq "$out" "10 echoed" "connections after the fds came back ($err)"
}
