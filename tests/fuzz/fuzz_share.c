/* fuzz_share: --share lists (share_parse) and their canonical text
 * (share_format), which must parse back to the same set. */
#include "fuzz.h"

#include "text/share.h"

#define SHARE_ALL (SHARE_NET | SHARE_UTS | SHARE_IPC | SHARE_PID | SHARE_CGROUP | SHARE_USER)

/* share_format's text parses back to set (user is always part of it). */
static void check_round_trip(unsigned set)
{
    char text[64];
    unsigned again;
    upod_error_t err = {0};
    share_format(set, text, sizeof(text));
    fuzz_require(share_parse(text, &again, &err) == 0);
    fuzz_require(again == ((set & SHARE_ALL) | SHARE_USER));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    unsigned set;
    upod_error_t err = {0};
    if (share_parse(text, &set, &err) == 0) {
        fuzz_require((set & SHARE_USER) && (set & ~(unsigned)SHARE_ALL) == 0);
        check_round_trip(set);
    } else {
        fuzz_require(err.status != 0 && err.msg[0]);
    }
    /* Any set of bits, from the first bytes, formats to a valid list. */
    unsigned raw = 0;
    memcpy(&raw, data, size < sizeof(raw) ? size : sizeof(raw));
    check_round_trip(raw);
    free(text);
    return 0;
}
