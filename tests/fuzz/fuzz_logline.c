/* fuzz_logline: the lines of a container's log file as `logs` reads them
 * back (log_parse_line, then rfc3339_parse of the time for --since). The
 * file is upod's, but whatever it holds must not crash `logs`. */
#include "fuzz.h"

#include "state/logfile.h"
#include "text/timefmt.h"

/* [p, p + n) lies within [base, base + size). */
static bool within(const char *p, size_t n, const uint8_t *base, size_t size)
{
    return p >= (const char *)base && n <= size && p - (const char *)base <= (ptrdiff_t)(size - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly the line's bytes (no NUL after them), as logs passes them. */
    uint8_t *line = xmalloc(size ? size : 1);
    memcpy(line, data, size);
    log_record_t r;
    if (log_parse_line((const char *)line, size, &r)) {
        fuzz_require(within(r.time, r.time_len, line, size));
        fuzz_require(within(r.text, r.text_len, line, size));
        fuzz_require(r.stream == 0 || r.stream == 1);
        long long at;
        (void)rfc3339_parse(r.time, r.time_len, &at);
    }
    free(line);
    return 0;
}
