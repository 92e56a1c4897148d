/* tap.h: the pod's tap device (/dev/net/tun). */
#ifndef UPOD_TAP_H
#define UPOD_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/error.h"

#define TUN_DEVICE "/dev/net/tun"

typedef struct {
    bool usable;     /* open(O_RDWR) succeeded */
    int errnum;      /* why it failed */
    char hint[512];  /* what the user should do */
} tun_probe_t;

/* The pod network, as slirp4netns lays it out. */
#define POD_NET_ADDR "10.0.2.0"
#define POD_NET_PREFIX 24
#define POD_IP "10.0.2.100"
#define POD_GATEWAY "10.0.2.2"   /* the host, as slirp shows it */
#define POD_DNS "10.0.2.3"       /* slirp's DNS forwarder */
#define POD_DHCP_START "10.0.2.15"
#define POD_IP6_PREFIX "fd00::"
#define POD_IP6_PREFIX_LEN 64
#define POD_GATEWAY6 "fd00::2"
#define POD_DNS6 "fd00::3"
#define POD_TAP_NAME "tap0"

/* Create tap0 (IFF_TAP|IFF_NO_PI) in the current network namespace, set
 * its MTU, address 10.0.2.100/24, bring it up and route the default through
 * 10.0.2.2. Returns the tap fd (O_CLOEXEC) for the keeper's libslirp. */
int tap_create_pod_interface(unsigned mtu, upod_error_t *err);

/* Try to open /dev/net/tun as the current user and explain a failure. */
void tun_probe(tun_probe_t *out);

/* The explanation for a failed open, given errno and the device's stat (NULL
 * when stat failed too). Pure, for unit tests. */
void tun_failure_hint(int errnum, const struct stat *st, char *buf, size_t size);

#endif
