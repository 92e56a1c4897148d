# upod version, --help, and errors of the command line.

test_version_reports_libraries_and_build() {
    run_upod version
    assert_status 0
    assert_contains "$out" "libslirp:     4.7.0"
    assert_contains "$out" "libcap:       2.66"
    assert_contains "$out" "musl"
    assert_contains "$out" "statically linked"
}

test_version_json_and_template_agree() {
    run_upod version --format json
    assert_status 0
    jq -e '.Client.Libslirp == "4.7.0" and .Client.Static == true and (.Client.Version | length > 0)' \
        <<<"$out" >/dev/null || fail "unexpected version JSON: $out"
    local json_version
    json_version=$(jq -r .Client.Version <<<"$out")
    run_upod version --format '{{.Client.Version}}'
    assert_status 0
    assert_eq "$out" "$json_version" "template version"
    run_upod --version
    assert_eq "$out" "upod version $json_version" "upod --version"
}

test_unknown_flag_is_one_line_error_125() {
    run_upod version --bogus
    assert_status 125
    assert_eq "$out" "" "stdout"
    assert_one_line "$err" "stderr"
    assert_contains "$err" "Error: unknown flag: --bogus"
}

test_missing_flag_argument_is_an_error() {
    run_upod info --format
    assert_status 125
    assert_one_line "$err" "stderr"
    assert_contains "$err" "flag needs an argument: --format"
}

test_unknown_command_is_125() {
    run_upod frobnicate
    assert_status 125
    assert_one_line "$err" "stderr"
    assert_contains "$err" "unrecognized command"
}

test_bad_template_is_an_error_without_output() {
    run_upod version --format '{{.Client.Nope}}'
    assert_status 125
    assert_eq "$out" "" "stdout"
    assert_contains "$err" "can't evaluate field Nope"
    run_upod info --format '{{range .}}'
    assert_status 125
    assert_contains "$err" "invalid --format template"
}

test_help_lists_commands() {
    run_upod --help
    assert_status 0
    assert_contains "$out" "info"
    assert_contains "$out" "version"
}
