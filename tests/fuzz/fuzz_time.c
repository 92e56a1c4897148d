/* fuzz_time: times users and log files give: RFC 3339 (rfc3339_parse, log
 * records) and `logs --since` (time_parse_since). The first 8 bytes also
 * give a time to format: rfc3339_nano's text parses back to it. */
#include "fuzz.h"

#include "text/timefmt.h"

/* A fixed "now", so that a run depends on its input only. */
#define FUZZ_NOW_NS 1800000000000000000LL

static void check_format_round_trip(long long ns)
{
    char text[64], human[64];
    long long again;
    human_duration(ns / 1000000000LL, human, sizeof(human));
    if (ns < 0)
        return; /* before 1970: not a time upod writes */
    rfc3339_nano(ns, text, sizeof(text));
    fuzz_require(rfc3339_parse(text, strlen(text), &again) && again == ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long long ns;
    /* rfc3339_parse takes a length, not a C string: give it the exact bytes. */
    uint8_t *exact = xmalloc(size ? size : 1);
    memcpy(exact, data, size);
    (void)rfc3339_parse((const char *)exact, size, &ns);
    free(exact);

    char *text = fuzz_string(data, size);
    (void)time_parse_since(text, FUZZ_NOW_NS, &ns);
    free(text);

    long long raw = 0;
    memcpy(&raw, data, size < sizeof(raw) ? size : sizeof(raw));
    check_format_round_trip(raw);
    return 0;
}
