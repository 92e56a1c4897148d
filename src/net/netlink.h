/* netlink.h: the little rtnetlink upod needs to configure a pod's network
 * namespace itself (no iproute2 at run time). Runs inside the namespace. */
#ifndef UPOD_NETLINK_H
#define UPOD_NETLINK_H

#include "base/error.h"

/* Bring up the interface with this index (1 is lo). */
int netlink_link_up(int ifindex, upod_error_t *err);

/* Set an interface's MTU. */
int netlink_link_set_mtu(int ifindex, unsigned mtu, upod_error_t *err);

/* Add an IPv4 address (dotted text) with its prefix length. */
int netlink_addr_add_v4(int ifindex, const char *addr, unsigned prefix, upod_error_t *err);

/* Add the IPv4 default route via gateway, through ifindex. */
int netlink_route_default_v4(int ifindex, const char *gateway, upod_error_t *err);

#endif
