/* terminal.h: `run -t`: a pseudo-terminal for the container, and the
 * copying between it and the user's terminal (raw mode, window size,
 * restored on the way out). */
#ifndef UPOD_TERMINAL_H
#define UPOD_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/* A new pty: the master (ours) and the slave (the container's). */
int terminal_open_pty(int *master, int *slave, upod_error_t *err);

/* A container's terminal is made inside it, on its own devpts instance
 * (so that ttyname() and /dev/pts agree there), and its master is passed
 * to whoever relays or logs it, over a SOCK_SEQPACKET socket (sync.h).
 *
 * In the container, once its /dev is mounted: a new pty; the master goes
 * to the other end of sock, the slave is returned in *slave. */
int terminal_make_for_peer(int sock, int *slave, upod_error_t *err);
/* The other end: the master, or -1 with err when the container ended (or
 * failed) before sending one. */
int terminal_receive(int sock, int *master, upod_error_t *err);

/* Copy stdin -> master and master -> stdout until the child exits; raw
 * mode and window-size changes while stdin is a terminal. Returns the
 * child's exit status (128+N for a signal). */
int terminal_relay(int master, pid_t child);

#endif
