/* fuzz_names: the names users give: pod and container names
 * (pod_name_valid, both follow podman's rule), signal names
 * (--stop-signal, kill -s: signal_parse) and pod status names (state files,
 * --filter status=: pod_status_parse). */
#include "fuzz.h"

#include <ctype.h>

#include "state/pod.h"
#include "base/signals.h"

/* podman's rule, written out again: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most
 * POD_NAME_MAX characters (so never a '/', nor "." or ".."). */
static bool name_rule(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > POD_NAME_MAX || !isalnum((unsigned char)s[0]))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    fuzz_require(pod_name_valid(text) == name_rule(text));

    int sig = 0;
    upod_error_t err = {0};
    if (signal_parse(text, &sig, &err) == 0)
        fuzz_require(sig >= 1 && sig <= 64);
    else
        fuzz_require(err.status != 0 && err.msg[0]);

    pod_status_t status;
    if (pod_status_parse(text, &status)) {
        pod_status_t again;
        fuzz_require(pod_status_parse(pod_status_name(status), &again) && again == status);
    }
    free(text);
    return 0;
}
