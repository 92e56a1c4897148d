# The pod network: tap0, libslirp, published ports through both drivers.

# Each test uses host ports of its own (free_port, lib.sh).

# They look for keepers among the user's processes (own_pgrep: see
# tests/integration/runner.sh).
PROCESS_TABLE_TESTS="test_port_in_use_is_named_and_changes_nothing
    test_containers_get_their_own_network_when_net_is_not_shared"
# The keeper of a pod that failed to start tells the CLI, then ends: the
# test that looks for it right after runs alone, as before.
ALONE_TESTS=test_port_in_use_is_named_and_changes_nothing

httpd_in_pod() { # POD PORT: busybox httpd serving $TESTDIR/www on PORT inside POD
    mkdir -p "$TESTDIR/www"
    echo "hello from $1" >"$TESTDIR/www/index.html"
    "$UPOD" pod enter "$1" busybox httpd -f -p "$2" -h "$TESTDIR/www" &
}

fetch() { # URL
    curl -s -m 5 "$1"
}

expect_page() { # URL POD
    wait_for 10 sh -c "curl -s -m 2 '$1' | grep -q 'hello from $2'" ||
        fail "no page from pod $2 at $1"
}

test_pod_network_interfaces() {
    run_upod pod create --name net1
    run_upod pod start net1
    assert_status 0
    local addrs route
    addrs=$("$UPOD" pod enter net1 ip -4 -o addr show dev tap0)
    assert_contains "$addrs" "10.0.2.100/24"
    route=$("$UPOD" pod enter net1 ip route show default)
    assert_contains "$route" "default via 10.0.2.2 dev tap0"
    assert_contains "$("$UPOD" pod enter net1 ip link show tap0)" "mtu 65520"
    assert_contains "$("$UPOD" pod enter net1 ip link show lo)" "UP"
}

test_mtu_option() {
    run_upod pod create --name mtu --network slirp:mtu=1500
    run_upod pod start mtu
    assert_status 0
    assert_contains "$("$UPOD" pod enter mtu ip link show tap0)" "mtu 1500"
}

test_network_none_has_only_lo() {
    run_upod pod create --name nonet --network none
    run_upod pod start nonet
    assert_status 0
    local links
    links=$("$UPOD" pod enter nonet ip -o link show | awk -F': ' '{print $2}' | paste -sd, -)
    assert_eq "$links" "lo" "interfaces with --network none"
}

publish_forms() { # DRIVER
    local driver=$1 b
    b=$(free_port 4) || exit 1
    run_upod pod create --name "forms-$driver" --network "slirp:port_handler=$driver" \
        -p $b:80 -p 127.0.0.1:$((b + 1)):81 -p $((b + 2))-$((b + 3)):82-83 -p 84
    assert_status 0
    run_upod pod start "forms-$driver"
    assert_status 0
    local p
    for p in 80 81 82 83 84; do httpd_in_pod "forms-$driver" $p; done
    expect_page "http://127.0.0.1:$b/" "forms-$driver"
    expect_page "http://127.0.0.1:$((b + 1))/" "forms-$driver"
    expect_page "http://127.0.0.1:$((b + 2))/" "forms-$driver"
    expect_page "http://127.0.0.1:$((b + 3))/" "forms-$driver"
    local random
    random=$("$UPOD" port "forms-$driver" 84) || fail "upod port failed"
    [[ $random =~ ^0\.0\.0\.0:[0-9]+$ ]] || fail "upod port POD 84 printed '$random'"
    expect_page "http://127.0.0.1:${random#*:}/" "forms-$driver"
    # 127.0.0.1-only: not reachable on the host's other address.
    local ip
    ip=$(host_address)
    [ -n "$ip" ] || fail "this host has no global IPv4 address to test with"
    fetch "http://$ip:$((b + 1))/" && fail "a 127.0.0.1 port answered on $ip"
    run_upod port "forms-$driver"
    assert_contains "$out" "80/tcp -> 0.0.0.0:$b"
    assert_contains "$out" "81/tcp -> 127.0.0.1:$((b + 1))"
    assert_contains "$out" "83/tcp -> 0.0.0.0:$((b + 3))"
    run_upod ps --format '{{.Ports}}'
    assert_contains "$out" "0.0.0.0:$((b + 2))-$((b + 3))->82-83/tcp"
}

test_publish_forms_splice() {
    publish_forms splice
}

test_publish_forms_slirp() {
    publish_forms slirp
}

test_publish_ipv6_loopback_splice() {
    ip -6 addr show dev lo | grep -q '::1' || fail "this host has no ::1 to test with"
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name v6 -p "[::1]:$port:80"
    run_upod pod start v6
    assert_status 0
    httpd_in_pod v6 80
    wait_for 10 sh -c "curl -s -m 2 'http://[::1]:$port/' | grep -q 'hello from v6'" ||
        fail "no page through [::1]"
    run_upod port v6
    assert_eq "$out" "80/tcp -> [::1]:$port" "upod port"
}

test_slirp_driver_refuses_ipv6_host_ip() {
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name v6s --network slirp:port_handler=slirp -p "[::1]:$port:80"
    run_upod pod start v6s
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "port_handler=splice"
}

transfer_100mb() { # DRIVER PORT
    local pod="bulk-$1"
    head -c 100000000 /dev/urandom >"$TESTDIR/big"
    local expected
    expected=$("$XFER" sum "$TESTDIR/big")
    run_upod pod create --name "$pod" --network "slirp:port_handler=$1" -p "$2:80"
    run_upod pod start "$pod"
    assert_status 0
    # Host -> pod; the pod answers after our half-close.
    serve_in_pod "$pod" "$TESTDIR/srv" sink 80
    assert_eq "$("$XFER" send 127.0.0.1 "$2" "$TESTDIR/big")" "$expected" "upload through $1"
    wait "$server_pid"
    # Pod -> host.
    serve_in_pod "$pod" "$TESTDIR/srv" source 80 "$TESTDIR/big"
    assert_eq "$("$XFER" recv 127.0.0.1 "$2")" "$expected" "download through $1"
    wait "$server_pid"
}

test_100mb_both_ways_splice() {
    local port
    port=$(free_port) || exit 1
    transfer_100mb splice "$port"
}

test_100mb_both_ways_slirp() {
    local port
    port=$(free_port) || exit 1
    transfer_100mb slirp "$port"
}

test_slirp_driver_shows_remote_client_address() {
    local ip port
    ip=$(host_address)
    [ -n "$ip" ] || fail "this host has no global IPv4 address to test with"
    port=$(free_port) || exit 1
    run_upod pod create --name seen --network slirp:port_handler=slirp -p $port:80
    run_upod pod start seen
    serve_in_pod seen "$TESTDIR/srv" peer 80
    assert_eq "$("$XFER" ask "$ip" $port)" "$ip" "client address seen in the pod"
    wait "$server_pid"
}

test_udp_published_port() {
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name udp -p $port:53/udp
    run_upod pod start udp
    assert_status 0
    serve_in_pod udp "$TESTDIR/srv" udp-echo 53
    assert_eq "$("$XFER" udp-ask 127.0.0.1 $port ping)" "ping" "UDP echo"
    wait "$server_pid"
}

test_port_in_use_is_named_and_changes_nothing() {
    local port
    port=$(free_port) || exit 1
    "$XFER" sink $port >"$TESTDIR/holder" &
    local holder=$!
    wait_for 5 grep -q listening "$TESTDIR/holder" || fail "could not occupy port $port"
    run_upod pod create --name clash -p $port:80
    run_upod pod start clash
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "host port $port/tcp is already in use"
    run_upod pod ps --format '{{.Status}}'
    assert_eq "$out" "Created" "status after the failed start"
    kill "$holder"
    # Two pods, one port: the second is refused.
    run_upod pod start clash
    assert_status 0
    run_upod pod create --name clash2 -p $port:80
    run_upod pod start clash2
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "host port $port/tcp is already in use"
    run_upod pod ps --filter name=clash2 --format '{{.Status}}'
    assert_eq "$out" "Created" "status of the refused pod"
    # No keeper of it is left (its title names the pod; zombies have none).
    assert_eq "$(own_pgrep -f '^upod-keeper clash2$' || true)" "" "keeper of the refused pod"
}

test_privileged_port_is_explained() {
    local start
    start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    [ "$start" -gt 80 ] || fail "ip_unprivileged_port_start is $start here: port 80 is not privileged"
    run_upod pod create --name low -p 80:80
    run_upod pod start low
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "host port 80 is below net.ipv4.ip_unprivileged_port_start ($start)"
}

test_outbound_to_host_through_gateway() {
    local port ip
    port=$(free_port) || exit 1
    ip=$(host_address)
    run_upod pod create --name out --network slirp:allow_host_loopback=true
    run_upod pod start out
    # 10.0.2.2 is the host's loopback when allowed.
    "$XFER" peer $port >"$TESTDIR/host-srv" &
    wait_for 5 grep -q listening "$TESTDIR/host-srv" || fail "host server did not start"
    assert_eq "$("$UPOD" pod enter out "$XFER" ask 10.0.2.2 $port)" "127.0.0.1" \
        "the pod's address as the host sees it through 10.0.2.2"
    wait
    # Refused by default.
    run_upod pod create --name shut
    run_upod pod start shut
    "$XFER" peer $port >"$TESTDIR/host-srv" &
    local srv=$!
    wait_for 5 grep -q listening "$TESTDIR/host-srv" || fail "host server did not start"
    "$UPOD" pod enter shut "$XFER" ask 10.0.2.2 $port >/dev/null 2>&1 &&
        fail "the pod reached the host's loopback without allow_host_loopback"
    # The host's other addresses are reachable by default.
    assert_eq "$("$UPOD" pod enter shut "$XFER" ask "$ip" $port)" "$ip" \
        "the pod reaching the host's address $ip"
    wait "$srv"
}

test_hosts_and_resolv_conf_written() {
    run_upod pod create --name files --hostname web1
    local id=$out
    run_upod pod start files
    local dir="$XDG_RUNTIME_DIR/upod/pods/$id"
    assert_contains "$(cat "$dir/hosts")" "10.0.2.100	web1 files"
    assert_contains "$(cat "$dir/hosts")" "host.containers.internal"
    assert_contains "$(cat "$dir/resolv.conf")" "nameserver 10.0.2.3"
}

test_stop_closes_published_ports() {
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name closing -p $port:80
    run_upod pod start closing
    run_upod pod stop closing
    "$XFER" sink $port >"$TESTDIR/again" &
    wait_for 5 grep -q listening "$TESTDIR/again" || fail "port $port still taken after pod stop"
    kill %1
}

test_dns_is_forwarded_to_the_hosts_resolver() {
    # libslirp forwards queries to 10.0.2.3 to the nameserver of the host's
    # /etc/resolv.conf. The test gives upod a resolv.conf naming 127.0.0.53
    # (as systemd-resolved does) and answers there itself with a small DNS
    # responder. Port 53 and the bind mount need namespaces of the test's own.
    printf 'nameserver 127.0.0.53\n' >"$TESTDIR/resolv.conf"
    out=$(unshare --user --map-root-user --net --mount sh -c '
        ip link set lo up
        mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 1
        "$2" dns-serve 127.0.0.53 53 pod.test 192.0.2.77 >"$1/dns" 2>&1 &
        dns=$!
        for i in $(seq 100); do grep -q listening "$1/dns" && break; sleep 0.05; done
        "$3" pod create --name dns >/dev/null && "$3" pod start dns >/dev/null || exit 1
        "$3" pod enter dns "$2" dns-ask 10.0.2.3 pod.test
        "$3" pod enter dns "$2" dns-ask 10.0.2.3 other.test
        "$3" pod rm -f dns >/dev/null
        kill $dns' sh "$TESTDIR" "$XFER" "$UPOD" 2>&1)
    assert_eq "$out" "192.0.2.77
NXDOMAIN" "answers through 10.0.2.3"
}

# A pod that does not share its network: each container gets its own
# namespace with its own tap0 and libslirp instance in the pod's keeper,
# freed when the container ends.
test_containers_get_their_own_network_when_net_is_not_shared() {
    local port kp
    port=$(free_port) || exit 1
    make_rootfs "$TESTDIR/rootfs"
    cp "$XFER" "$TESTDIR/rootfs/bin/xfer"
    run_upod pod create --name apart --share none --network slirp:allow_host_loopback=true
    run_upod pod start apart
    assert_status 0
    kp=$(own_pgrep -f '^upod-keeper apart')
    [ -n "$kp" ] || fail "no keeper for pod apart"
    tun_fds() { ls -l "/proc/$kp/fd" | grep -c '/net/tun'; }
    assert_eq "$(tun_fds)" "1" "the keeper's taps: the pod's"
    # Outbound through the container's own slirp: the host sees 127.0.0.1.
    "$XFER" peer $port >"$TESTDIR/host-srv" &
    wait_for 5 grep -q listening "$TESTDIR/host-srv" || fail "host server did not start"
    assert_eq "$("$UPOD" run --pod apart --rootfs "$TESTDIR/rootfs" xfer ask 10.0.2.2 $port)" \
        "127.0.0.1" "a container's own network reaching the host"
    wait
    for c in n1 n2; do
        "$UPOD" run -d --name $c --pod apart --rootfs "$TESTDIR/rootfs" sleep 100 >/dev/null ||
            fail "run -d $c"
    done
    assert_contains "$("$UPOD" exec n1 ip -o addr show tap0)" "10.0.2.100/24"
    assert_contains "$("$UPOD" exec n2 ip route)" "default via 10.0.2.2"
    local a b
    a=$("$UPOD" exec n1 readlink /proc/self/ns/net)
    b=$("$UPOD" exec n2 readlink /proc/self/ns/net)
    [ "$a" != "$b" ] || fail "n1 and n2 share a network namespace ($a)"
    wait_for 5 sh -c "[ \$(ls -l /proc/$kp/fd | grep -c /net/tun) = 3 ]" ||
        fail "the keeper serves $(tun_fds) taps, expected 3"
    "$UPOD" rm -f -t 0 n1 n2 >/dev/null
    wait_for 10 sh -c "[ \$(ls -l /proc/$kp/fd | grep -c /net/tun) = 1 ]" ||
        fail "the containers' taps were not freed: $(tun_fds) left"
}
