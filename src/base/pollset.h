/* pollset.h: a growable array of pollfds, rebuilt on every turn of a poll
 * loop (the keeper's and the infra's), so that each part of a loop can add
 * its descriptors and later read its results by index. */
#ifndef UPOD_POLLSET_H
#define UPOD_POLLSET_H

#include <poll.h>
#include <stddef.h>

typedef struct {
    struct pollfd *fds;
    size_t len, cap;
} pollset_t;

void pollset_reset(pollset_t *ps);
/* Returns the index of the new entry. */
size_t pollset_add(pollset_t *ps, int fd, short events);
short pollset_revents(const pollset_t *ps, size_t index);
/* poll() the whole set; EINTR retried. */
int pollset_wait(pollset_t *ps, int timeout_ms);
void pollset_free(pollset_t *ps);

#endif
