# A flag's value is never taken as a container name (issue 13, item 12):
# flags after the names are parsed as flags, as podman's interspersed
# parsing does (run, create and exec keep everything after the command).

. "$TESTS/../reliability/helpers.sh"

# A running container whose id starts with "1", which `stop f2 -t 1` used
# to stop as well (it read "1" as an id prefix).
start_container_with_id_prefix_1() {
    local i id
    for i in $(seq 1 80); do
        id=$("$UPOD" create --pod flags --name "cand$i" --rootfs "$TESTDIR/rootfs" sleep 60) ||
            fail "create cand$i"
        if [ "${id:0:1}" = 1 ]; then
            "$UPOD" start "cand$i" >/dev/null || fail "start cand$i"
            echo "cand$i"
            return 0
        fi
        "$UPOD" rm "cand$i" >/dev/null || fail "rm cand$i"
    done
    fail "no container id started with 1 in 80 tries"
}

test_flags_after_names_are_flags() {
    make_rootfs "$TESTDIR/rootfs"
    run_upod pod create --name flags
    assert_status 0
    run_upod run -d --pod flags --name f2 --rootfs "$TESTDIR/rootfs" sleep 60
    assert_status 0
    local bystander
    bystander=$(start_container_with_id_prefix_1)
    run_upod stop f2 -t 1
    assert_status 0
    assert_eq "$out" "f2" "what stop printed"
    assert_eq "$("$UPOD" inspect --format '{{.State.Status}}' "$bystander")" running \
        "the container whose id starts with 1, after 'stop f2 -t 1'"
    assert_eq "$("$UPOD" inspect f2 --format '{{.State.Status}}')" exited "inspect NAME --format"
    run_upod create --pod flags --name quick --rootfs "$TESTDIR/rootfs" echo attached
    assert_status 0
    run_upod start quick -a
    assert_status 0
    assert_eq "$out" attached "start NAME -a"
    run_upod start f2
    assert_status 0
    run_upod kill f2 -s KILL
    assert_status 0
    run_upod wait f2 --condition=stopped
    assert_status 0
    assert_eq "$out" 137 "wait's exit code"
    run_upod rm f2 -f
    assert_status 0
    assert_eq "$("$UPOD" inspect --format '{{.State.Status}}' "$bystander")" running \
        "the container whose id starts with 1, after the other commands"
    assert_eq "$("$UPOD" pod inspect flags --format '{{.Name}}')" flags "pod inspect NAME --format"
    run_upod pod stop flags -t 0
    assert_status 0
    run_upod pod rm flags -f
    assert_status 0
    assert_eq "$("$UPOD" pod ps -q)" "" "pods after 'pod rm flags -f'"
}
