/* tap.c: see tap.h. */
#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net/netlink.h"
#include "base/util.h"

void tun_failure_hint(int errnum, const struct stat *st, char *buf, size_t size)
{
    switch (errnum) {
    case EACCES:
    case EPERM:
        if (st)
            snprintf(buf, size,
                     "%s is mode %04o owned by uid %u: a plain user cannot open it. Fix, as "
                     "root: chmod 0666 %s (most distributions ship it 0666; to keep it across "
                     "reboots add the udev rule KERNEL==\"tun\", MODE=\"0666\")",
                     TUN_DEVICE, (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid, TUN_DEVICE);
        else
            snprintf(buf, size, "%s cannot be opened (%s): as root, run chmod 0666 %s",
                     TUN_DEVICE, strerror(errnum), TUN_DEVICE);
        return;
    case ENOENT:
        snprintf(buf, size,
                 "%s does not exist: as root, load the driver (modprobe tun) or create the "
                 "device (mkdir -p /dev/net && mknod -m 0666 %s c 10 200)",
                 TUN_DEVICE, TUN_DEVICE);
        return;
    case ENODEV:
    case ENXIO:
        snprintf(buf, size, "the kernel has no tun driver: as root, run modprobe tun "
                            "(CONFIG_TUN must be enabled)");
        return;
    default:
        snprintf(buf, size, "%s cannot be opened: %s", TUN_DEVICE, strerror(errnum));
    }
}

void tun_probe(tun_probe_t *out)
{
    memset(out, 0, sizeof(*out));
    int fd = open(TUN_DEVICE, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        out->usable = true;
        return;
    }
    out->errnum = errno;
    struct stat st;
    bool have_stat = stat(TUN_DEVICE, &st) == 0;
    tun_failure_hint(out->errnum, have_stat ? &st : NULL, out->hint, sizeof(out->hint));
}

int tap_create_pod_interface(unsigned mtu, upod_error_t *err)
{
    cleanup_close int fd = open(TUN_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int saved = errno;
        char hint[512];
        struct stat st;
        tun_failure_hint(saved, stat(TUN_DEVICE, &st) == 0 ? &st : NULL, hint, sizeof(hint));
        return upod_fail(err, 0, "cannot give the pod a network: %s", hint);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", POD_TAP_NAME);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return upod_fail(err, errno, "cannot create %s in the pod (TUNSETIFF)", POD_TAP_NAME);
    /* Persistent: the last close of a non-persistent tap unregisters the
     * device there and then (about 20 ms of the keeper's exit, which
     * `pod rm -f` waits for); a persistent one goes with its network
     * namespace, which the kernel tears down in the background once the
     * last fd (ours: a tap holds its namespace) is closed. Best effort. */
    (void)ioctl(fd, TUNSETPERSIST, 1);
    int ifindex = (int)if_nametoindex(POD_TAP_NAME);
    if (ifindex == 0)
        return upod_fail(err, errno, "cannot find %s in the pod", POD_TAP_NAME);
    if (netlink_link_set_mtu(ifindex, mtu, err) < 0 ||
        netlink_addr_add_v4(ifindex, POD_IP, POD_NET_PREFIX, err) < 0 ||
        netlink_link_up(ifindex, err) < 0 ||
        netlink_route_default_v4(ifindex, POD_GATEWAY, err) < 0)
        return -1;
    return steal_fd(&fd);
}
