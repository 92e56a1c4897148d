# The seed article's experiments (shared/seed/), one test each, rootless:
# what sharing each namespace with `pod create --share` means, seen from
# inside the containers. docs/tutorial.md walks through the same steps.

# A rootfs with busybox, an httpd page and the IPC demonstration program.
article_rootfs() {
    make_rootfs "$TESTDIR/rootfs"
    mkdir -p "$TESTDIR/rootfs/www"
    echo '<html><body><h1>It works!</h1></body></html>' >"$TESTDIR/rootfs/www/index.html"
    cp "$IPC" "$TESTDIR/rootfs/bin/ipc"
}

R() { echo "$TESTDIR/rootfs"; }

httpd_in() { # POD NAME: a detached httpd serving /www on port 80
    "$UPOD" run --pod "$1" --rm -d --name "$2" --rootfs "$(R)" httpd -f -p 80 -h /www >/dev/null ||
        fail "httpd $2 in $1 did not start"
}

netns_of_infra() { # POD
    "$UPOD" pod enter --infra "$1" readlink /proc/self/ns/net
}

wait_exited() { # CONTAINER
    wait_for 10 sh -c "'$UPOD' ps -a --filter 'name=^$1\$' --format '{{.State}}' | grep -qx exited" ||
        fail "$1 did not exit"
}

ipc_detached() { # POD NAME ROLE: run `ipc -ROLE` (producer, consumer) detached, until it exits
    "$UPOD" run -d --pod "$1" --name "$2" --rootfs "$(R)" --entrypoint /bin/ipc -- "-$3" >/dev/null ||
        fail "$3 $2 in $1 did not start"
    wait_exited "$2"
}

# 1. net shared: one network namespace; the published port reaches httpd.
test_article_1_net_shared() {
    article_rootfs
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name netshared --share net -p $port:80
    assert_status 0
    httpd_in netshared net1
    wait_for 10 sh -c "curl -fsS http://localhost:$port/ >/dev/null 2>&1" || fail "no page on $port"
    assert_eq "$(curl -fsS "http://localhost:$port/")" "<html><body><h1>It works!</h1></body></html>" \
        "curl localhost:$port"
    # ps -a: the infra and net1, both with the port mapping.
    run_upod ps -a --format '{{.Names}} {{.Ports}}'
    assert_contains "$out" "net1 0.0.0.0:$port->80/tcp"
    assert_contains "$out" "-infra 0.0.0.0:$port->80/tcp"
    # The infra has 10.0.2.100, and net1 sees that same interface.
    assert_contains "$("$UPOD" pod enter --infra netshared ip -o -4 addr show tap0)" "10.0.2.100/24"
    assert_contains "$("$UPOD" exec net1 ip -o -4 addr show tap0)" "10.0.2.100/24"
    assert_eq "$("$UPOD" exec net1 readlink /proc/self/ns/net)" "$(netns_of_infra netshared)" \
        "net1's network namespace is the infra's"
    run_upod inspect --format '{{.NetworkSettings.IPAddress}}' net1
    assert_eq "$out" "10.0.2.100" "inspect"
}

# 2. net not shared: the port leads to the sleeping infra; each container
# has a network namespace and an address of its own.
test_article_2_net_not_shared() {
    article_rootfs
    local port
    port=$(free_port) || exit 1
    run_upod pod create --name none --share none -p $port:80
    assert_status 0
    httpd_in none none1
    wait_for 10 sh -c "'$UPOD' exec none1 wget -qO- http://127.0.0.1/ >/dev/null 2>&1" ||
        fail "httpd in none1 does not answer inside"
    local page status
    page=$(curl -sS --max-time 5 "http://localhost:$port/" 2>&1)
    status=$?
    [ $status -ne 0 ] || fail "curl localhost:$port succeeded: $page"
    assert_not_contains "$page" "It works!"
    # PORTS: the infra's only.
    run_upod ps -a --format '{{.Names}}|{{.Ports}}'
    assert_eq "$(grep -c -x 'none1|' <<<"$out")" "1" "none1 without ports: $out"
    assert_contains "$out" "-infra|0.0.0.0:$port->80/tcp"
    # Its own namespace and address; the httpd itself works.
    local own
    own=$("$UPOD" exec none1 readlink /proc/self/ns/net)
    [ "$own" != "$(netns_of_infra none)" ] || fail "none1 shares the infra's network namespace"
    assert_contains "$("$UPOD" exec none1 ip -o -4 addr show tap0)" "10.0.2.100/24"
    assert_eq "$("$UPOD" exec none1 wget -qO- http://127.0.0.1/)" \
        "<html><body><h1>It works!</h1></body></html>" "httpd inside none1"
    httpd_in none none2
    [ "$("$UPOD" exec none2 readlink /proc/self/ns/net)" != "$own" ] ||
        fail "none1 and none2 share a network namespace"
    # `pod enter --infra` is the article's `ip netns exec`.
    run_upod pod enter --infra none ip -o link
    assert_contains "$out" "lo:"
    assert_contains "$out" "tap0:"
}

# 3. uts: the pod's name for everyone, or each container's own id.
test_article_3_uts() {
    article_rootfs
    run_upod pod create --name utsshared --share uts
    run_upod pod create --name none --share none
    local c id
    for c in uts1 uts2; do
        "$UPOD" run -d --pod utsshared --rm --name $c --rootfs "$(R)" sleep 100 >/dev/null || fail "$c"
        assert_eq "$("$UPOD" exec $c hostname)" "utsshared" "hostname of $c"
    done
    for c in none1 none2; do
        "$UPOD" run -d --pod none --rm --name $c --rootfs "$(R)" sleep 100 >/dev/null || fail "$c"
        id=$("$UPOD" inspect --format '{{.Id}}' $c)
        assert_eq "$("$UPOD" exec $c hostname)" "${id:0:12}" "hostname of $c"
    done
}

# 4. ipc: a producer and a consumer in two containers, through a POSIX
# message queue, System V IPC and /dev/shm; nothing crosses without it.
test_article_4_ipc() {
    article_rootfs
    run_upod pod create --name ipcshared --share ipc
    ipc_detached ipcshared ipc1 producer
    ipc_detached ipcshared ipc2 consumer
    local produced consumed
    produced=$("$UPOD" logs ipc1 | sed -n 's/^Produced: //p')
    consumed=$("$UPOD" logs ipc2 | sed -n 's/^Consumed: //p')
    assert_eq "$(wc -l <<<"$produced")" "8" "messages produced"
    assert_eq "$consumed" "$produced"$'\n'"done" "messages consumed"
    assert_eq "$("$UPOD" inspect --format '{{.State.ExitCode}}' ipc2)" "0" "consumer status"
    # System V message queue and /dev/shm, attached.
    "$UPOD" run --pod ipcshared --rootfs "$(R)" ipc -sysv-producer >"$TESTDIR/sysv-p" || fail "sysv producer"
    "$UPOD" run --pod ipcshared --rootfs "$(R)" ipc -sysv-consumer >"$TESTDIR/sysv-c" || fail "sysv consumer"
    assert_eq "$(sed -n 's/^Consumed: //p' "$TESTDIR/sysv-c")" \
        "$(sed -n 's/^Produced: //p' "$TESTDIR/sysv-p")"$'\n'"done" "System V messages"
    "$UPOD" run --pod ipcshared --rootfs "$(R)" ipc -shm-write shared-memory || fail "shm write"
    assert_eq "$("$UPOD" run --pod ipcshared --rootfs "$(R)" ipc -shm-read)" "shared-memory" "/dev/shm"

    # Not shared: the consumer finds nothing, and says so.
    run_upod pod create --name none --share none
    ipc_detached none ipc_unshare1 producer
    ipc_detached none ipc_unshare2 consumer
    local nothing="Either the producer has not been started or maybe I cannot access the same memory..."
    assert_eq "$("$UPOD" logs --tail 6 ipc_unshare2)" "$nothing" "consumer without ipc"
    assert_eq "$("$UPOD" inspect --format '{{.State.ExitCode}}' ipc_unshare2)" "1" "its status"
    "$UPOD" run --pod none --rootfs "$(R)" ipc -sysv-producer >/dev/null || fail "sysv producer"
    run_upod run --pod none --rootfs "$(R)" ipc -sysv-consumer
    assert_status 1
    assert_eq "$out" "$nothing" "System V without ipc"
    "$UPOD" run --pod none --rootfs "$(R)" ipc -shm-write private || fail "shm write"
    run_upod run --pod none --rootfs "$(R)" ipc -shm-read
    assert_status 1
    assert_eq "$out" "$nothing" "/dev/shm without ipc"
}

# 5. user: always the pod's; --share user is accepted, help lists the names.
test_article_5_user() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name usershared --share user
    assert_status 0
    # Every member of a pod is in the pod's user namespace.
    "$UPOD" run -d --pod usershared --rm --name u1 --rootfs "$TESTDIR/rootfs" sleep 100 >/dev/null || fail "u1"
    assert_eq "$("$UPOD" run --pod usershared --rm --rootfs "$TESTDIR/rootfs" readlink /proc/self/ns/user)" \
        "$("$UPOD" exec u1 readlink /proc/self/ns/user)" "user namespace of two containers"
    run_upod pod create --share help
    assert_status 125
    assert_one_line "$err"
    assert_contains "$err" "Invalid kernel namespace to share: help. Options are:"
    local name
    for name in cgroup ipc net pid uts user none; do
        assert_contains "$err" "$name"
    done
}

# 6. pid: the infra as PID 1 and the other containers' processes, or only
# one's own.
test_article_6_pid() {
    article_rootfs
    run_upod pod create --share pid --name pidshared
    httpd_in pidshared pid1
    "$UPOD" run -d --pod pidshared --rm --name pid2 --rootfs "$(R)" sleep 1000 >/dev/null || fail "pid2"
    run_upod run --pod pidshared --rm --name pid3 --rootfs "$(R)" ps -ef
    assert_status 0
    assert_eq "$(awk '$1 == 1 {print $NF}' <<<"$out")" "upod-infra" "PID 1 with pid shared"
    assert_contains "$out" "httpd -f -p 80 -h /www"
    assert_contains "$out" "sleep 1000"
    # The default pod does not share pid.
    run_upod pod create --name none
    httpd_in none none1
    run_upod run --pod none --rm --name none3 --rootfs "$(R)" ps -ef
    assert_eq "$(tail -n +2 <<<"$out" | awk '{print $1, $NF}')" "1 -ef" "only its own process"
    assert_not_contains "$out" "httpd"
}

# 7. The default pod shares net, uts and ipc (and the user namespace, as
# every pod), not pid; and it behaves so.
test_article_7_default_pod() {
    article_rootfs
    run_upod pod create --name default
    run_upod pod inspect --format '{{.SharedNamespaces}}' default
    assert_eq "$out" "[ipc net uts]" "shared namespaces of the default pod (podman's list)"
    "$UPOD" run -d --pod default --rm --name d1 --rootfs "$(R)" sleep 100 >/dev/null || fail "d1"
    "$UPOD" run -d --pod default --rm --name d2 --rootfs "$(R)" sleep 100 >/dev/null || fail "d2"
    local kind
    for kind in net uts ipc; do
        assert_eq "$("$UPOD" exec d1 readlink /proc/self/ns/$kind)" \
            "$("$UPOD" exec d2 readlink /proc/self/ns/$kind)" "$kind shared"
    done
    [ "$("$UPOD" exec d1 readlink /proc/self/ns/pid)" != "$("$UPOD" exec d2 readlink /proc/self/ns/pid)" ] ||
        fail "pid is shared in the default pod"
    assert_eq "$("$UPOD" exec d1 hostname)" "default" "hostname"
}

# 8. logs --tail 5 of the producer: its last five lines.
test_article_8_logs_tail() {
    article_rootfs
    run_upod pod create --name ipcshared --share ipc
    ipc_detached ipcshared ipc1 producer
    run_upod logs --tail 5 ipc1
    assert_status 0
    assert_eq "$out" "$("$UPOD" logs ipc1 | tail -n 5)" "the last five lines"
    assert_eq "$(grep -c '^Produced: [0-9a-f][0-9a-f]$' <<<"$out")" "5" "five Produced lines"
}
