/* netlink.c: see netlink.h. */
#include "net/netlink.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/util.h"

/* Send one request and wait for its acknowledgement (NLMSG_ERROR with
 * error 0, or the negative errno of the failure). */
static int netlink_transact(struct nlmsghdr *req, upod_error_t *err)
{
    cleanup_close int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return upod_fail(err, errno, "cannot open a netlink socket");
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    req->nlmsg_seq = 1;
    if (TEMP_FAILURE_RETRY(sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel,
                                  sizeof(kernel))) < 0)
        return upod_fail(err, errno, "netlink request failed");
    union {
        char buf[4096];
        struct nlmsghdr align;
    } reply;
    ssize_t n = TEMP_FAILURE_RETRY(recv(fd, reply.buf, sizeof(reply.buf), 0));
    if (n < 0)
        return upod_fail(err, errno, "netlink reply failed");
    for (struct nlmsghdr *h = &reply.align; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type != NLMSG_ERROR)
            continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
            return upod_fail(err, EPROTO, "short netlink reply");
        const struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error == 0)
            return 0;
        return upod_fail(err, -e->error, "netlink request refused");
    }
    return upod_fail(err, EPROTO, "no netlink acknowledgement");
}

/* A request with room for attributes after its fixed header. */
typedef struct {
    struct nlmsghdr h;
    char body[256];
} nl_request_t;

static void *nl_start(nl_request_t *req, uint16_t type, uint16_t flags, size_t fixed)
{
    memset(req, 0, sizeof(*req));
    req->h.nlmsg_len = NLMSG_LENGTH(fixed);
    req->h.nlmsg_type = type;
    req->h.nlmsg_flags = flags;
    return NLMSG_DATA(&req->h);
}

/* Append one attribute; the buffer is sized for the few upod sends. */
static void nl_attr(nl_request_t *req, uint16_t type, const void *data, size_t len)
{
    struct rtattr *rta = (struct rtattr *)((char *)&req->h + NLMSG_ALIGN(req->h.nlmsg_len));
    size_t total = NLMSG_ALIGN(req->h.nlmsg_len) + RTA_SPACE(len);
    if (total > sizeof(*req))
        abort(); /* a programming error: the buffer above is too small */
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(rta), data, len);
    req->h.nlmsg_len = (uint32_t)total;
}

int netlink_link_up(int ifindex, upod_error_t *err)
{
    nl_request_t req;
    struct ifinfomsg *ifi = nl_start(&req, RTM_NEWLINK, 0, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    if (netlink_transact(&req.h, err) < 0) {
        upod_error_wrap(err, "cannot bring up interface %d", ifindex);
        return -1;
    }
    return 0;
}

int netlink_link_set_mtu(int ifindex, unsigned mtu, upod_error_t *err)
{
    nl_request_t req;
    struct ifinfomsg *ifi = nl_start(&req, RTM_NEWLINK, 0, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    uint32_t value = mtu;
    nl_attr(&req, IFLA_MTU, &value, sizeof(value));
    if (netlink_transact(&req.h, err) < 0) {
        upod_error_wrap(err, "cannot set MTU %u on interface %d", mtu, ifindex);
        return -1;
    }
    return 0;
}

int netlink_addr_add_v4(int ifindex, const char *addr, unsigned prefix, upod_error_t *err)
{
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1)
        return upod_fail(err, EINVAL, "invalid IPv4 address %s", addr);
    nl_request_t req;
    struct ifaddrmsg *ifa =
        nl_start(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (unsigned char)prefix;
    ifa->ifa_index = (unsigned)ifindex;
    nl_attr(&req, IFA_LOCAL, &a, sizeof(a));
    nl_attr(&req, IFA_ADDRESS, &a, sizeof(a));
    if (netlink_transact(&req.h, err) < 0) {
        upod_error_wrap(err, "cannot add address %s/%u", addr, prefix);
        return -1;
    }
    return 0;
}

int netlink_route_default_v4(int ifindex, const char *gateway, upod_error_t *err)
{
    struct in_addr gw;
    if (inet_pton(AF_INET, gateway, &gw) != 1)
        return upod_fail(err, EINVAL, "invalid IPv4 gateway %s", gateway);
    nl_request_t req;
    struct rtmsg *rtm = nl_start(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));
    rtm->rtm_family = AF_INET;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_UNICAST;
    uint32_t oif = (uint32_t)ifindex;
    nl_attr(&req, RTA_GATEWAY, &gw, sizeof(gw));
    nl_attr(&req, RTA_OIF, &oif, sizeof(oif));
    if (netlink_transact(&req.h, err) < 0) {
        upod_error_wrap(err, "cannot add the default route via %s", gateway);
        return -1;
    }
    return 0;
}
