/* fuzz_format: --format values (format_output: "json" or a Go-style
 * template, template_compile then template_render), applied to a value
 * shaped like what upod's commands print. */
#include "fuzz.h"

#include "text/json.h"
#include "text/template.h"

/* { "Name": "web", "Id": "4f30...", "Ports": [...], "Store": {...}, ... } */
static json_t *sample_value(void)
{
    json_t *v = json_new_object();
    json_set_string(v, "Name", "web");
    json_set_string(v, "Id", "4f30b9f9317f");
    json_set_int(v, "Pid", 4242);
    json_set_bool(v, "Running", true);
    json_set(v, "Nothing", json_new_null());
    json_t *ports = json_new_array();
    json_append(ports, json_new_string("0.0.0.0:8080->80/tcp"));
    json_append(ports, json_new_string("[::1]:53->53/udp"));
    json_set(v, "Ports", ports);
    json_t *store = json_new_object();
    json_set_string(store, "StateDir", "/run/user/1000/upod");
    json_set(v, "Store", store);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *format = fuzz_string(data, size);
    json_t *value = sample_value();
    json_t *list = json_new_array();
    json_append(list, sample_value());
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        abort();
    upod_error_t err = {0};
    if (format_output(format, value, out, &err) < 0)
        fuzz_require(err.status != 0 && err.msg[0]);
    err = (upod_error_t){0};
    if (format_output(format, list, out, &err) < 0)
        fuzz_require(err.status != 0 && err.msg[0]);
    if (fclose(out) != 0)
        abort();
    free(text);
    json_free(list);
    json_free(value);
    free(format);
    return 0;
}
