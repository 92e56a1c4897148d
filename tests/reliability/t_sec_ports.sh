# Published ports against another local user: no one else may take the
# traffic of a published port (whatever driver and protocol), and no one
# may push a pod's UDP clients out of the forwarder's flow table.

# Each test uses host ports of its own (free_port, lib.sh). The floods
# run alone (tests/integration/runner.sh): a forwarder kept off the CPU by
# other tests (a gigabyte of output, or just four busy tests) lets its
# socket's queue overflow during the flood, and the talking client loses
# a datagram.
ALONE_TESTS="test_udp_client_keeps_its_flow_under_a_flood test_udp_full_flow_table_keeps_active_clients"

# attacker_races PROTO HOST PORT OPTS CLIENT...: the other user tries to
# bind HOST:PORT with OPTS (plain, reuseaddr, reuseport, both) and, if it
# could, to answer what comes there for 3 s; meanwhile CLIENT (run as the
# test user) talks to HOST:PORT, its output in $client_out. The bind must
# be refused, and nothing may have reached the attacker.
attacker_races() {
    local proto=$1 host=$2 port=$3 opts=$4 attacker
    shift 4
    : >"$TESTDIR/attacker"
    as_other timeout 10 "$XFER" hijack "$proto" "$host" "$port" "$opts" 3 >"$TESTDIR/attacker" 2>&1 &
    attacker=$!
    wait_for 5 grep -Eq 'bound|refused' "$TESTDIR/attacker" ||
        fail "the attacker did not start: $(cat "$TESTDIR/attacker")"
    client_out=$("$@" 2>&1)
    wait "$attacker"
    local result
    result=$(cat "$TESTDIR/attacker")
    assert_contains "$result" "refused" "another user binding $proto $host:$port ($opts)"
    assert_not_contains "$result" "caught" "another user on $proto $host:$port ($opts)"
}

# no_hijack DRIVER: a pod publishing PORT for TCP and UDP on all addresses,
# and PORT+1 on 127.0.0.1 alone; the other user tries each address the
# pod's clients use, with every bind option; every client is answered by
# the pod.
no_hijack() {
    local driver=$1 port=$2 opts host
    ip -6 addr show dev lo | grep -q '::1' || fail "this host has no ::1 to test with"
    run_upod pod create --name "hj-$driver" --network "slirp:port_handler=$driver" \
        -p "$port:80" -p "$port:53/udp" -p "127.0.0.1:$((port + 1)):81" \
        -p "127.0.0.1:$((port + 1)):54/udp"
    assert_status 0
    run_upod pod start "hj-$driver"
    assert_status 0
    # 2 addresses x 4 option sets on the first port, 4 on the second.
    serve_in_pod "hj-$driver" "$TESTDIR/tcp80" echo-serve 80 8
    local tcp80=$server_pid
    serve_in_pod "hj-$driver" "$TESTDIR/tcp81" echo-serve 81 4
    local tcp81=$server_pid
    serve_in_pod "hj-$driver" "$TESTDIR/udp53" udp-whoami 53
    local udp53=$server_pid
    serve_in_pod "hj-$driver" "$TESTDIR/udp54" udp-whoami 54
    local udp54=$server_pid
    for opts in plain reuseaddr reuseport both; do
        for host in 127.0.0.1 ::1; do
            attacker_races tcp "$host" "$port" "$opts" timeout 10 "$XFER" many "$host" "$port" 1
            assert_eq "$client_out" "1 echoed" "$driver: TCP client of $host:$port ($opts attacker)"
            attacker_races udp "$host" "$port" "$opts" timeout 10 "$XFER" udp-ask "$host" "$port" ping
            assert_contains "$client_out" "ping 10.0.2.100:" \
                "$driver: UDP client of $host:$port ($opts attacker)"
        done
        attacker_races tcp 127.0.0.1 $((port + 1)) "$opts" timeout 10 "$XFER" many 127.0.0.1 $((port + 1)) 1
        assert_eq "$client_out" "1 echoed" "$driver: TCP client of 127.0.0.1:$((port + 1)) ($opts attacker)"
        attacker_races udp 127.0.0.1 $((port + 1)) "$opts" timeout 10 "$XFER" udp-ask 127.0.0.1 $((port + 1)) ping
        assert_contains "$client_out" "ping 10.0.2.100:" \
            "$driver: UDP client of 127.0.0.1:$((port + 1)) ($opts attacker)"
    done
    kill "$tcp80" "$tcp81" "$udp53" "$udp54" 2>/dev/null
    run_upod pod rm -f "hj-$driver"
    assert_status 0
}

test_no_other_user_takes_published_ports_splice() {
    local port
    port=$(free_port 2) || exit 1
    no_hijack splice "$port"
}

test_no_other_user_takes_published_ports_slirp() {
    local port
    port=$(free_port 2) || exit 1
    no_hijack slirp "$port"
}

# With port_handler=slirp, a client of [::1] is served too (as with the
# splice driver and podman's rootlessport), by the pod and not by whoever
# binds [::1] first.
test_slirp_driver_serves_ipv6_loopback_clients() {
    local port
    port=$(free_port) || exit 1
    ip -6 addr show dev lo | grep -q '::1' || fail "this host has no ::1 to test with"
    run_upod pod create --name v6seen --network slirp:port_handler=slirp -p "$port:80"
    assert_status 0
    run_upod pod start v6seen
    assert_status 0
    serve_in_pod v6seen "$TESTDIR/srv" echo-serve 80 2
    run_upod_timeout 10 "$XFER" many ::1 "$port" 1
    assert_eq "$out" "1 echoed" "a client of [::1]:$port ($err)"
    run_upod_timeout 10 "$XFER" many 127.0.0.1 "$port" 1
    assert_eq "$out" "1 echoed" "a client of 127.0.0.1:$port ($err)"
    wait "$server_pid" || fail "the server in the pod failed: $(cat "$TESTDIR/srv")"
}

# run_upod_timeout SECONDS COMMAND...: like run_upod, for any command, bounded.
run_upod_timeout() {
    local limit=$1
    shift
    out=$(timeout -k 2 "$limit" "$@" 2>"$TESTDIR/.stderr")
    status=$?
    err=$(cat "$TESTDIR/.stderr")
}

# flood_while_talking PORT: a client talks to PORT (30 datagrams, one
# every 200 ms) while the other user sends from 3000 source ports (more
# flows than the old table's 1024), 5 rounds; $talk and $flood get what
# each saw.
flood_while_talking() {
    local port=$1 talker
    "$XFER" udp-talk 127.0.0.1 "$port" 30 200 >"$TESTDIR/talk" 2>"$TESTDIR/talk.err" &
    talker=$!
    sleep 0.5
    flood=$(as_other timeout 60 "$XFER" udp-flood 127.0.0.1 "$port" 3000 5 2>&1)
    wait "$talker"
    talk=$(cat "$TESTDIR/talk")
    echo "# client: $talk; attacker: $flood" >&2
    head -n 3 "$TESTDIR/talk.err" >&2
}

# A legitimate client keeps its flow (the pod sees it from one address, and
# answers every datagram) while another user opens thousands of flows.
test_udp_client_keeps_its_flow_under_a_flood() {
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name flood -p "$port:53/udp"
    assert_status 0
    run_upod pod start flood
    assert_status 0
    serve_in_pod flood "$TESTDIR/srv" udp-whoami 53
    flood_while_talking "$port"
    assert_eq "$talk" "answered 30 of 30, seen from 1 source(s)" "the talking client"
    # The table follows the fd limit: every one of the 3000 flows was served.
    assert_contains "$flood" "answered 3000 of 3000 " "the flooding user"
    kill "$server_pid"
}

# The same with a table too small for the flood (a hard fd limit of 1200):
# active flows are kept, new ones refused while no flow is idle; once the
# flood's flows are idle, new clients are served again.
test_udp_full_flow_table_keeps_active_clients() {
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name full -p "$port:53/udp"
    assert_status 0
    run_upod_timeout 30 sh -c "ulimit -n 1200 && exec '$UPOD' pod start full"
    assert_status 0
    serve_in_pod full "$TESTDIR/srv" udp-whoami 53
    flood_while_talking "$port"
    assert_eq "$talk" "answered 30 of 30, seen from 1 source(s)" "the talking client"
    local served=${flood#answered }
    served=${served%% *}
    [ "$served" -gt 0 ] && [ "$served" -lt 1200 ] ||
        fail "the flood got $served flows, the table holds fewer than 1200: $flood"
    # A new client is refused while the flood's flows are active, then
    # served once they have been idle for 10 s.
    local deadline=$((SECONDS + 25))
    until "$XFER" udp-ask 127.0.0.1 "$port" late 2>/dev/null | grep -q '^late '; do
        [ $SECONDS -lt $deadline ] || fail "no new client served 25 s after the flood"
    done
    kill "$server_pid"
}
