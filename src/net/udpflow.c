/* udpflow.c: see udpflow.h. */
#include "net/udpflow.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define FIRST_BUCKETS 64

/* What identifies a client: family, port, address (and scope for IPv6). */
typedef struct {
    sa_family_t family;
    uint16_t port;
    uint32_t scope;
    unsigned char addr[16];
    size_t addr_len;
} peer_key_t;

static bool peer_key(const struct sockaddr *sa, socklen_t len, peer_key_t *k)
{
    memset(k, 0, sizeof(*k));
    k->family = sa->sa_family;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        k->port = a->sin_port;
        memcpy(k->addr, &a->sin_addr, 4);
        k->addr_len = 4;
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        k->port = a->sin6_port;
        k->scope = a->sin6_scope_id;
        memcpy(k->addr, &a->sin6_addr, 16);
        k->addr_len = 16;
        return true;
    }
    return false;
}

static bool same_key(const peer_key_t *a, const peer_key_t *b)
{
    return a->family == b->family && a->port == b->port && a->scope == b->scope &&
           memcmp(a->addr, b->addr, a->addr_len) == 0;
}

/* One word into the hash: multiply-xorshift rounds (splitmix64's
 * finalizer), after a seed the client cannot know. */
static uint64_t mix(uint64_t h, uint64_t word)
{
    h ^= word;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

static size_t bucket_of(const udp_flows_t *t, size_t forward, const peer_key_t *k)
{
    uint64_t h = mix(t->seed, (uint64_t)forward);
    h = mix(h, (uint64_t)k->family << 48 | (uint64_t)k->port << 32 | k->scope);
    for (size_t i = 0; i < k->addr_len; i += 8) {
        uint64_t word = 0;
        memcpy(&word, k->addr + i, k->addr_len - i < 8 ? k->addr_len - i : 8);
        h = mix(h, word);
    }
    return (size_t)h & (t->nbuckets - 1);
}

void udp_flows_init(udp_flows_t *t, size_t max, uint64_t seed)
{
    memset(t, 0, sizeof(*t));
    t->max = max;
    t->seed = seed;
    t->nbuckets = FIRST_BUCKETS;
    t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
}

void udp_flows_clear(udp_flows_t *t)
{
    for (udp_flow_t *fl = t->oldest, *next; fl; fl = next) {
        next = fl->newer;
        free(fl);
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

size_t udp_flows_budget(size_t fd_limit, size_t others, bool shared_with_tcp)
{
    size_t left = fd_limit > others ? fd_limit - others : 0;
    return shared_with_tcp ? left / 2 : left;
}

udp_flow_t *udp_flows_find(const udp_flows_t *t, size_t forward, const struct sockaddr *client,
                           socklen_t len)
{
    peer_key_t want, have;
    if (!peer_key(client, len, &want))
        return NULL;
    for (udp_flow_t *fl = t->buckets[bucket_of(t, forward, &want)]; fl; fl = fl->chain) {
        if (fl->forward == forward && peer_key(&fl->client.sa, fl->client_len, &have) &&
            same_key(&want, &have))
            return fl;
    }
    return NULL;
}

static void link_newest(udp_flows_t *t, udp_flow_t *fl)
{
    fl->newer = NULL;
    fl->older = t->newest;
    if (t->newest)
        t->newest->newer = fl;
    else
        t->oldest = fl;
    t->newest = fl;
}

static void unlink_use(udp_flows_t *t, udp_flow_t *fl)
{
    if (fl->older)
        fl->older->newer = fl->newer;
    else
        t->oldest = fl->newer;
    if (fl->newer)
        fl->newer->older = fl->older;
    else
        t->newest = fl->older;
    fl->older = fl->newer = NULL;
}

static void link_bucket(udp_flows_t *t, udp_flow_t *fl)
{
    peer_key_t k;
    peer_key(&fl->client.sa, fl->client_len, &k);
    size_t b = bucket_of(t, fl->forward, &k);
    fl->chain = t->buckets[b];
    t->buckets[b] = fl;
}

/* Twice the buckets once there are more flows than buckets (chains stay
 * short: one flow per bucket on average). */
static void grow_if_crowded(udp_flows_t *t)
{
    if (t->n <= t->nbuckets || t->nbuckets > SIZE_MAX / 2 / sizeof(*t->buckets))
        return;
    free(t->buckets);
    t->nbuckets *= 2;
    t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
    for (udp_flow_t *fl = t->oldest; fl; fl = fl->newer)
        link_bucket(t, fl);
}

udp_flow_t *udp_flows_add(udp_flows_t *t, size_t forward, const struct sockaddr *client,
                          socklen_t len, int pod, long long now)
{
    peer_key_t k;
    if (t->n >= t->max || len > (socklen_t)sizeof(udp_peer_t) || !peer_key(client, len, &k))
        return NULL;
    udp_flow_t *fl = xcalloc(1, sizeof(*fl));
    memcpy(&fl->client, client, len);
    fl->client_len = len;
    fl->forward = forward;
    fl->pod = pod;
    fl->last = now;
    t->n++;
    link_newest(t, fl);
    link_bucket(t, fl);
    grow_if_crowded(t);
    return fl;
}

void udp_flows_touch(udp_flows_t *t, udp_flow_t *fl, long long now)
{
    fl->last = now;
    if (t->newest == fl)
        return;
    unlink_use(t, fl);
    link_newest(t, fl);
}

void udp_flows_remove(udp_flows_t *t, udp_flow_t *fl)
{
    peer_key_t k;
    peer_key(&fl->client.sa, fl->client_len, &k);
    for (udp_flow_t **p = &t->buckets[bucket_of(t, fl->forward, &k)]; *p; p = &(*p)->chain) {
        if (*p == fl) {
            *p = fl->chain;
            break;
        }
    }
    unlink_use(t, fl);
    t->n--;
    free(fl);
}

udp_flow_t *udp_flows_oldest(const udp_flows_t *t)
{
    return t->oldest;
}

udp_flow_t *udp_flows_evictable(const udp_flows_t *t, long long now)
{
    udp_flow_t *lru = t->oldest;
    return lru && now - lru->last >= UDP_FLOW_EVICTABLE_MS ? lru : NULL;
}
