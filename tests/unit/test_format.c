/* Unit tests: JSON output, --format templates, YAML (src/text/json.c,
 * src/text/template.c), the option-error messages and the exit status of
 * a verb on several names (src/cli/cli.c). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "text/json.h"
#include "text/template.h"
#include "base/util.h"

/* Capture what a printer writes. */
typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} capture_t;

static FILE *capture_open(capture_t *c)
{
    memset(c, 0, sizeof(*c));
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
    return c->f;
}

static const char *capture_text(capture_t *c)
{
    fflush(c->f);
    return c->buf;
}

static void capture_close(capture_t *c)
{
    fclose(c->f);
    free(c->buf);
}

static json_t *sample(void)
{
    json_t *root = json_new_object();
    json_set_string(root, "Name", "web");
    json_set_int(root, "Count", 3);
    json_set_bool(root, "Running", true);
    json_t *host = json_set(root, "host", json_new_object());
    json_set_string(host, "kernel", "6.1");
    json_t *list = json_set(root, "Ports", json_new_array());
    json_append(list, json_new_string("80/tcp"));
    json_append(list, json_new_string("53/udp"));
    json_set_string(root, "Quote", "a\"b\\c\n");
    return root;
}

static void test_json_pretty_and_escaping(void **state)
{
    (void)state;
    capture_t c;
    json_t *v = sample();
    json_print(capture_open(&c), v, true);
    const char *text = capture_text(&c);
    assert_non_null(strstr(text, "{\n    \"Name\": \"web\",\n    \"Count\": 3,"));
    assert_non_null(strstr(text, "\"Quote\": \"a\\\"b\\\\c\\n\""));
    assert_non_null(strstr(text, "\"Ports\": [\n        \"80/tcp\",\n        \"53/udp\"\n    ]"));
    capture_close(&c);
    json_free(v);
}

static void test_json_set_replaces(void **state)
{
    (void)state;
    json_t *v = json_new_object();
    json_set_int(v, "a", 1);
    json_set_int(v, "a", 2);
    assert_int_equal(v->u.list.len, 1);
    assert_int_equal(json_get(v, "a")->u.integer, 2);
    json_free(v);
}

static void render_expect(const char *format, const char *expected)
{
    capture_t c;
    upod_error_t err = {0};
    json_t *v = sample();
    assert_int_equal(format_output(format, v, capture_open(&c), &err), 0);
    assert_string_equal(capture_text(&c), expected);
    capture_close(&c);
    json_free(v);
}

static void test_template_fields(void **state)
{
    (void)state;
    render_expect("{{.Name}}", "web\n");
    render_expect("{{ .Name }} {{.Count}} {{.Running}}", "web 3 true\n");
    render_expect("{{.Host.Kernel}}", "6.1\n");       /* podman-style capitalised path */
    render_expect("{{.host.kernel}}\\t{{.Name}}\\n", "6.1\tweb\n");
    render_expect("{{.Ports}}", "[80/tcp 53/udp]\n");
    render_expect("{{json .Ports}}", "[\"80/tcp\",\"53/udp\"]\n");
    render_expect("{{json .host}}", "{\"kernel\":\"6.1\"}\n");
    render_expect("plain", "plain\n");
}

static void test_template_over_array(void **state)
{
    (void)state;
    capture_t c;
    upod_error_t err = {0};
    json_t *arr = json_new_array();
    json_append(arr, sample());
    json_t *second = json_append(arr, sample());
    json_set_string(second, "Name", "db");
    assert_int_equal(format_output("{{.Name}}", arr, capture_open(&c), &err), 0);
    assert_string_equal(capture_text(&c), "web\ndb\n");
    capture_close(&c);
    json_free(arr);
}

static void test_template_errors(void **state)
{
    (void)state;
    upod_error_t err = {0};
    assert_null(template_compile("{{.Name", &err));
    assert_non_null(strstr(err.msg, "unclosed"));
    assert_null(template_compile("{{range .}}", &err));
    assert_non_null(strstr(err.msg, "unsupported action"));
    assert_null(template_compile("{{.a..b}}", &err));

    capture_t c;
    json_t *v = sample();
    assert_int_equal(format_output("x {{.Missing}}", v, capture_open(&c), &err), -1);
    assert_non_null(strstr(err.msg, "can't evaluate field Missing"));
    assert_string_equal(capture_text(&c), ""); /* nothing printed on error */
    capture_close(&c);
    json_free(v);
}

/* An unknown field is an error found before any output: in any row (the
 * first rows must not be printed when a later one lacks the field), and in
 * the shape when there are no rows at all (`ps --format '{{.Bogus}}'` with
 * no containers exited 0, printing nothing). */
static void test_unknown_field_fails_before_output(void **state)
{
    (void)state;
    upod_error_t err = {0};
    capture_t c;
    json_t *rows = json_new_array();
    json_append(rows, sample());
    json_t *other = json_append(rows, json_new_object());
    json_set_string(other, "Count", "no Name here");
    assert_int_equal(format_output("{{.Name}}", rows, capture_open(&c), &err), -1);
    assert_non_null(strstr(err.msg, "can't evaluate field Name"));
    assert_string_equal(capture_text(&c), "");
    capture_close(&c);
    json_free(rows);

    json_t *shape = sample();
    json_set(shape, "Labels", json_new_object());
    json_t *none = json_new_array();
    assert_int_equal(format_rows("{{.Name}} {{.Bogus}}", none, shape, capture_open(&c), &err), -1);
    assert_string_equal(err.msg, "template: can't evaluate field Bogus at <.Bogus>: no such field "
                                 "(--format json shows the fields there are)");
    assert_string_equal(capture_text(&c), "");
    capture_close(&c);
    assert_int_equal(format_rows("{{.Host.Bogus}}", none, shape, capture_open(&c), &err), -1);
    assert_non_null(strstr(err.msg, "field Bogus at <.Host.Bogus>"));
    capture_close(&c);
    assert_int_equal(format_rows("{{.Name.Sub}}", none, shape, capture_open(&c), &err), -1);
    assert_non_null(strstr(err.msg, "field Sub"));
    capture_close(&c);
    /* Known fields over no rows print nothing, and succeed; so does a key
     * of a map (an empty object in the shape), which no shape can know. */
    assert_int_equal(format_rows("{{.Name}} {{.host.kernel}}", none, shape, capture_open(&c), &err), 0);
    assert_string_equal(capture_text(&c), "");
    capture_close(&c);
    assert_int_equal(format_rows("{{.Labels.app}}", none, shape, capture_open(&c), &err), 0);
    capture_close(&c);
    /* With rows, the shape is checked too, and the rows printed. */
    json_append(none, sample());
    assert_int_equal(format_rows("{{.Name}}", none, shape, capture_open(&c), &err), 0);
    assert_string_equal(capture_text(&c), "web\n");
    capture_close(&c);
    assert_int_equal(format_rows("json", none, shape, capture_open(&c), &err), 0);
    assert_non_null(strstr(capture_text(&c), "\"Name\": \"web\""));
    capture_close(&c);
    json_free(none);
    json_free(shape);
}

static void test_yaml(void **state)
{
    (void)state;
    capture_t c;
    json_t *v = json_new_object();
    json_t *host = json_set(v, "host", json_new_object());
    json_set_string(host, "kernel", "6.1");
    json_set_string(host, "empty", "");
    json_set_string(host, "colon", "a: b");
    json_set(v, "none", json_new_array());
    json_t *p = json_set(v, "problems", json_new_array());
    json_append(p, json_new_string("fix it"));
    json_print_yaml(capture_open(&c), v);
    assert_string_equal(capture_text(&c), "host:\n"
                                          "  kernel: 6.1\n"
                                          "  empty: \"\"\n"
                                          "  colon: \"a: b\"\n"
                                          "none: []\n"
                                          "problems:\n"
                                          "  - fix it\n");
    capture_close(&c);
    json_free(v);
}

static int run_options(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    cli_reset_getopt();
    while ((ch = getopt_long(argc, argv, "+:f:q", opts, NULL)) != -1) {
        if (ch == '?' || ch == ':')
            return cli_option_error(ch, argc, argv, "test", err);
    }
    return 0;
}

static void test_cli_option_errors(void **state)
{
    (void)state;
    upod_error_t err = {0};
    char *a1[] = {"test", "--bogus", NULL};
    assert_int_equal(run_options(2, a1, &err), -1);
    assert_string_equal(err.msg, "unknown flag: --bogus (see 'upod test --help')");
    char *a2[] = {"test", "--bogus=3", NULL};
    assert_int_equal(run_options(2, a2, &err), -1);
    assert_string_equal(err.msg, "unknown flag: --bogus (see 'upod test --help')");
    char *a3[] = {"test", "-z", NULL};
    assert_int_equal(run_options(2, a3, &err), -1);
    assert_string_equal(err.msg, "unknown flag: -z (see 'upod test --help')");
    char *a4[] = {"test", "--format", NULL};
    assert_int_equal(run_options(2, a4, &err), -1);
    assert_string_equal(err.msg, "flag needs an argument: --format (see 'upod test --help')");
    char *a5[] = {"test", "-f", NULL};
    assert_int_equal(run_options(2, a5, &err), -1);
    assert_string_equal(err.msg, "flag needs an argument: -f (see 'upod test --help')");
    char *a6[] = {"test", "-q", "--format", "x", "arg", NULL};
    assert_int_equal(run_options(5, a6, &err), 0);
}

static void test_parse_long(void **state)
{
    (void)state;
    long v;
    assert_true(parse_long("42", 0, 100, &v));
    assert_int_equal(v, 42);
    assert_false(parse_long("", 0, 100, &v));
    assert_false(parse_long("4x", 0, 100, &v));
    assert_false(parse_long("101", 0, 100, &v));
    assert_false(parse_long("-1", 0, 100, &v));
    assert_false(parse_long("99999999999999999999", 0, 100, &v));
}

/* In a child (it closes fds): what close_fds_except keeps stays open,
 * everything else above 2 goes, whatever the order of keep. */
static void test_close_fds_except(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fds[6];
        for (int i = 0; i < 6; i++)
            fds[i] = dup(STDERR_FILENO);
        int keep[] = {fds[4], fds[1], 1};
        close_fds_except(keep, 3);
        bool ok = fcntl(fds[1], F_GETFD) >= 0 && fcntl(fds[4], F_GETFD) >= 0 &&
                  fcntl(0, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0;
        for (int i = 0; i < 6; i++) {
            if (i != 1 && i != 4)
                ok = ok && fcntl(fds[i], F_GETFD) < 0;
        }
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A ref says how its action ends: "ok", "none" (no such thing), or the
 * exit status of a failure ("125", "2"). Counts the calls. */
static int fake_action(void *ctx, const char *ref, upod_error_t *err)
{
    (*(int *)ctx)++;
    if (strcmp(ref, "ok") == 0)
        return 0;
    if (strcmp(ref, "none") == 0) {
        upod_fail(err, 0, "no such thing %s", ref);
        err->kind = UPOD_ERR_NO_SUCH;
        return -1;
    }
    return upod_fail_status(err, atoi(ref), 0, "failed with %s", ref);
}

static int each_status(const char *refs, bool skip_no_such, bool no_such_is_1, int *calls)
{
    char *copy = strdup(refs), *argv[8];
    size_t n = 0;
    for (char *w = strtok(copy, " "); w && n < 8; w = strtok(NULL, " "))
        argv[n++] = w;
    cli_each_t how = {.skip_no_such = skip_no_such, .no_such_is_1 = no_such_is_1};
    *calls = 0;
    int status = cli_for_each_ref(argv, n, &how, fake_action, calls);
    free(copy);
    return status;
}

/* podman's exit status for rm a b c: the first failure's, except that a
 * "no such" (1, for rm) gives way to a later failure. Every ref is tried. */
static void test_for_each_ref_status(void **state)
{
    (void)state;
    int calls;
    int saved = dup(2), null = open("/dev/null", O_WRONLY); /* the failures' lines */
    dup2(null, 2);
    assert_int_equal(each_status("ok ok", false, false, &calls), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(each_status("ok none ok", true, true, &calls), 0);
    assert_int_equal(each_status("none ok", false, true, &calls), 1);
    assert_int_equal(each_status("none", false, false, &calls), 125);
    assert_int_equal(each_status("none 2 ok", false, true, &calls), 2);
    assert_int_equal(calls, 3);
    assert_int_equal(each_status("none none", false, true, &calls), 1);
    assert_int_equal(each_status("2 none", false, true, &calls), 2);
    assert_int_equal(each_status("125 2 none", false, true, &calls), 125);
    assert_int_equal(each_status("none 2", true, false, &calls), 2);
    assert_int_equal(each_status("", false, false, &calls), 0);
    assert_int_equal(calls, 0);
    dup2(saved, 2);
    close(saved);
    close(null);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_pretty_and_escaping),
        cmocka_unit_test(test_json_set_replaces),
        cmocka_unit_test(test_template_fields),
        cmocka_unit_test(test_template_over_array),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_unknown_field_fails_before_output),
        cmocka_unit_test(test_yaml),
        cmocka_unit_test(test_cli_option_errors),
        cmocka_unit_test(test_for_each_ref_status),
        cmocka_unit_test(test_parse_long),
        cmocka_unit_test(test_close_fds_except),
    };
    return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
