/* fuzz_subid: /etc/subuid and /etc/subgid (subid_parse), for a user by name
 * and by uid. */
#include "fuzz.h"

#include "sandbox/userns.h"

static void check_ranges(const char *text, const char *user, uid_t id)
{
    subid_ranges_t out;
    subid_parse(text, user, id, &out);
    fuzz_require(out.n <= SUBID_MAX_RANGES);
    for (size_t i = 0; i < out.n; i++) {
        /* A range of ids that exist: 1 or more, ending by 2^32. */
        fuzz_require(out.ranges[i].count >= 1);
        fuzz_require(out.ranges[i].start + out.ranges[i].count <= 0x100000000UL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    check_ranges(text, "alice", 1000);
    check_ranges(text, NULL, 0);
    free(text);
    return 0;
}
