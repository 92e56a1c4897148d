/* pollset.c: see pollset.h. */
#include "base/pollset.h"

#include <stdlib.h>

#include "base/compat.h"
#include "base/util.h"

void pollset_reset(pollset_t *ps)
{
    ps->len = 0;
}

size_t pollset_add(pollset_t *ps, int fd, short events)
{
    if (ps->len == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 32;
        ps->fds = xrealloc(ps->fds, ps->cap * sizeof(*ps->fds));
    }
    ps->fds[ps->len] = (struct pollfd){.fd = fd, .events = events, .revents = 0};
    return ps->len++;
}

short pollset_revents(const pollset_t *ps, size_t index)
{
    return index < ps->len ? ps->fds[index].revents : 0;
}

int pollset_wait(pollset_t *ps, int timeout_ms)
{
    return (int)TEMP_FAILURE_RETRY(poll(ps->fds, ps->len, timeout_ms));
}

void pollset_free(pollset_t *ps)
{
    free(ps->fds);
    ps->fds = NULL;
    ps->len = ps->cap = 0;
}
