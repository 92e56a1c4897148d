/* netlink.c: see netlink.h. */
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat.h"
#include "util.h"

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

int netlink_link_up(int ifindex, upod_error_t *err)
{
    struct {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
    } req;
    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
    req.h.nlmsg_type = RTM_NEWLINK;
    req.ifi.ifi_family = AF_UNSPEC;
    req.ifi.ifi_index = ifindex;
    req.ifi.ifi_flags = IFF_UP;
    req.ifi.ifi_change = IFF_UP;
    if (netlink_transact(&req.h, err) < 0) {
        upod_error_wrap(err, "cannot bring up interface %d", ifindex);
        return -1;
    }
    return 0;
}
