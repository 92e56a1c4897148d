/* sync.h: the messages that cross each fork boundary where a child reports
 * to its parent: CLI <-> keeper, keeper <-> infra, a container's setup ->
 * its watcher (the monitor, or the CLI of an attached run), the monitor ->
 * the CLI, and the container <-> keeper exchange of a tap (control.h).
 *
 * One SOCK_SEQPACKET socketpair per boundary; one message per packet, so no
 * framing. A child that fails sends SYNC_ERROR with its exit status, errno
 * and message; the parent turns it into its own upod_error_t (status,
 * errnum, msg as the child had them), so the user sees the child's reason
 * in one line, exactly as the child would have printed it. A hang-up (the
 * peer died) is an error too, except where it is the message: a
 * container's setup socket is close-on-exec, so that a successful exec
 * closes it with nothing sent (sync_expect_hangup). */
#ifndef UPOD_SYNC_H
#define UPOD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef enum {
    SYNC_NONE = 0,         /* no message at all: what sync_expect_hangup waits for */
    SYNC_USERMAP_DONE = 1, /* keeper -> infra: the id maps are written, go on */
    SYNC_INFRA_READY,      /* infra -> keeper: namespaces set up; the tap (passed fd) when
                            * the pod has a network. value 0: the infra is PID 1 of its
                            * own pid namespace, the keeper has its host pid from clone3 */
    SYNC_POD_READY,        /* keeper -> CLI: state written, the pod runs; value = the
                            * infra's host pid */
    SYNC_ERROR,            /* child -> parent: value = exit status (0: 125), errnum, text */
    SYNC_CONSOLE,          /* container -> its watcher: the master of its pty (passed fd) */
    SYNC_TAP,              /* container -> keeper: its own tap (passed fd), control.h */
    SYNC_TAP_READY,        /* keeper -> container: libslirp serves it */
    SYNC_NAMESPACES,       /* keeper -> a process joining the pod: the infra's namespaces
                            * (passed fds, in ns_kinds order), control.h */
    SYNC_READY,            /* monitor -> CLI: the container runs and its record says so
                            * (value 0); else SYNC_ERROR with 125, 126 or 127 */
    SYNC_JOINED,           /* joiner -> its caller: value = the host pid of the process
                            * started in the pod (sandbox/join.h); else SYNC_ERROR */
    SYNC_USERNS,           /* holder -> a process joining the parent user namespace: its
                            * fd (proc/holder.h) */
} sync_type_t;

#define SYNC_TYPE_LAST SYNC_USERNS
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
 * is a well-formed message of type expected (never, for SYNC_NONE: only a
 * SYNC_ERROR is then understood), copied to *msg. Else -1 with
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
/* A forked child's end on failure: what (and errnum's text) to its parent
 * as SYNC_ERROR with status code on report_fd, or, when report_fd is -1,
 * as "Error: ..." on stderr (a parent that shares it); then _exit(code). */
__attribute__((noreturn)) void sync_fail_exit(int report_fd, int code, const char *what,
                                              int errnum);
/* Wait up to timeout_ms (-1: forever) for a message of the expected type.
 * A SYNC_ERROR becomes err (with the peer's message); a hang-up or timeout
 * fails with what_peer named in the message. */
int sync_expect(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                sync_msg_t *msg, upod_error_t *err);
/* The same, telling a hang-up apart: 1 when the expected message came, 0
 * when the peer closed its end without sending anything, else -1 with err
 * as sync_expect. */
int sync_receive(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                 sync_msg_t *msg, upod_error_t *err);
/* Wait for the peer to close its end with nothing sent: 0 then (a
 * container's setup socket: its command was exec'd), else -1 with err (its
 * SYNC_ERROR: exit status, errno and message as it sent them). */
int sync_expect_hangup(int fd, int timeout_ms, const char *what_peer, upod_error_t *err);
/* The same, receiving the descriptor passed with the message into *passed
 * (-1 when none came). */
int sync_expect_fd(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                   sync_msg_t *msg, int *passed, upod_error_t *err);
/* The same, receiving up to max descriptors into fds[] (*n of them; any
 * beyond max are closed). On failure none is kept. */
int sync_expect_fds(int fd, sync_type_t expected, int timeout_ms, const char *what_peer,
                    sync_msg_t *msg, int *fds, size_t max, size_t *n, upod_error_t *err);

#endif
