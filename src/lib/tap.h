/* tap.h: the pod's tap device (/dev/net/tun). */
#ifndef UPOD_TAP_H
#define UPOD_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define TUN_DEVICE "/dev/net/tun"

typedef struct {
    bool usable;     /* open(O_RDWR) succeeded */
    int errnum;      /* why it failed */
    char hint[512];  /* what the user should do */
} tun_probe_t;

/* Try to open /dev/net/tun as the current user and explain a failure. */
void tun_probe(tun_probe_t *out);

/* The explanation for a failed open, given errno and the device's stat (NULL
 * when stat failed too). Pure, for unit tests. */
void tun_failure_hint(int errnum, const struct stat *st, char *buf, size_t size);

#endif
