/* sync.h: the messages that cross each fork boundary of a pod's start.
 *
 * One SOCK_SEQPACKET socketpair per boundary (CLI <-> keeper, keeper <->
 * infra); one message per packet, so no framing. A child that fails sends
 * SYNC_ERROR with its errno and message; the parent turns it into its own
 * upod_error_t, so the user sees the child's reason in one line. A hang-up
 * (the peer died) is an error too. */
#ifndef UPOD_SYNC_H
#define UPOD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef enum {
    SYNC_USERMAP_DONE = 1, /* keeper -> infra: the id maps are written, go on */
    SYNC_INFRA_READY,      /* infra -> keeper: namespaces set up, value = pid in host ns */
    SYNC_POD_READY,        /* keeper -> CLI: state written, the pod runs */
    SYNC_ERROR,            /* child -> parent: errnum + message */
    SYNC_CONSOLE,          /* container -> its watcher: the master of its pty (passed fd) */
    SYNC_TAP,              /* container -> keeper: its own tap (passed fd), control.h */
    SYNC_TAP_READY,        /* keeper -> container: libslirp serves it */
    SYNC_NAMESPACES,       /* keeper -> a process joining the pod: the infra's namespaces
                            * (passed fds, in ns_kinds order), control.h */
} sync_type_t;

#define SYNC_TYPE_LAST SYNC_NAMESPACES
/* The most descriptors one message carries. */
#define SYNC_MAX_FDS 8

typedef struct {
    uint32_t type;
    int32_t errnum;
    int64_t value;
    char text[1024]; /* as upod_error_t.msg */
} sync_msg_t;

int sync_socketpair(int fds[2], upod_error_t *err);
/* Make sense of one packet received from what_peer (len bytes at buf, as
 * recvmsg returned them; it may be anything a broken peer sends). 0 when it
 * is a well-formed message of type expected, copied to *msg. Else -1 with
 * err: the peer's own error for a SYNC_ERROR (its exit status and errno),
 * EPROTO for a packet that is not one whole sync_msg_t, has an unknown or
 * unexpected type, a text without its NUL, or an errno or exit status out of
 * range. Pure: no descriptor is touched. */
int sync_msg_decode(const void *buf, size_t len, sync_type_t expected, const char *what_peer,
                    sync_msg_t *msg, upod_error_t *err);
int sync_send(int fd, sync_type_t type, int64_t value, upod_error_t *err);
/* The same, passing one file descriptor along (SCM_RIGHTS). */
int sync_send_fd(int fd, sync_type_t type, int64_t value, int passed, upod_error_t *err);
/* The same, passing n (at most SYNC_MAX_FDS) descriptors along. */
int sync_send_fds(int fd, sync_type_t type, int64_t value, const int *passed, size_t n,
                  upod_error_t *err);
/* Forward a failure to the parent (best effort: the child exits next). */
void sync_send_error(int fd, const upod_error_t *failure);
/* Wait up to timeout_ms (-1: forever) for a message of the expected type.
 * A SYNC_ERROR becomes err (with the peer's message); a hang-up or timeout
 * fails with what_peer named in the message. */
int sync_expect(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                sync_msg_t *msg, upod_error_t *err);
/* The same, receiving the descriptor passed with the message into *passed
 * (-1 when none came). */
int sync_expect_fd(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                   sync_msg_t *msg, int *passed, upod_error_t *err);
/* The same, receiving up to max descriptors into fds[] (*n of them; any
 * beyond max are closed). On failure none is kept. */
int sync_expect_fds(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                    sync_msg_t *msg, int *fds, size_t max, size_t *n, upod_error_t *err);

#endif
