/* fuzz_control: packets of the sync and control-socket protocol, as a
 * broken or hostile peer could send them (sync_msg_decode). The first byte
 * picks the message type the receiver waits for (0xff: none, as
 * sync_expect_hangup does for a container's setup); the rest is the
 * packet. */
#include "fuzz.h"

#include "base/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sync_type_t expected = data[0] == 0xff
                               ? SYNC_NONE
                               : (sync_type_t)(SYNC_USERMAP_DONE + data[0] % SYNC_TYPE_LAST);
    /* A copy of exactly the packet's size, so that ASan sees any read past it. */
    uint8_t *packet = xmalloc(size - 1 ? size - 1 : 1);
    memcpy(packet, data + 1, size - 1);
    sync_msg_t msg;
    upod_error_t err = {0};
    if (sync_msg_decode(packet, size - 1, expected, "peer", &msg, &err) == 0) {
        fuzz_require(msg.type == (uint32_t)expected);
        fuzz_require(memchr(msg.text, '\0', sizeof(msg.text)) != NULL);
    } else {
        fuzz_require(err.status >= 1 && err.status <= 255 && err.msg[0]);
        fuzz_require(err.errnum >= 0 && err.errnum <= 4095);
    }
    free(packet);
    return 0;
}
