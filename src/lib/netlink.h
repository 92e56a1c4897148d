/* netlink.h: the little rtnetlink upod needs to configure a pod's network
 * namespace itself (no iproute2 at run time). Runs inside the namespace. */
#ifndef UPOD_NETLINK_H
#define UPOD_NETLINK_H

#include "error.h"

/* Bring up the interface with this index (1 is lo). */
int netlink_link_up(int ifindex, upod_error_t *err);

#endif
