/* xfer: a small TCP/UDP test peer for upod's integration tests (busybox nc
 * loses data when its stdin ends, so it cannot check bulk transfers).
 *
 *   xfer sum FILE                 print the FNV-1a 64 checksum and size of FILE
 *   xfer sink PORT                accept one connection, read to EOF, answer
 *                                 "<checksum> <bytes>\n", close (tests half-close)
 *   xfer send HOST PORT FILE      send FILE, shut down writing, print the answer
 *   xfer source PORT FILE         accept one connection, send FILE, close
 *   xfer recv HOST PORT           read to EOF, print "<checksum> <bytes>"
 *   xfer peer PORT                accept one connection, answer the client's
 *                                 address as the server sees it, close
 *   xfer ask HOST PORT            connect, print what the server says
 *   xfer udp-echo PORT            answer one UDP datagram with itself, exit
 *   xfer udp-ask HOST PORT TEXT   send TEXT over UDP, print the answer
 *   xfer dns-serve IP PORT NAME ADDR
 *                                 answer DNS queries on IP:PORT: NAME has the
 *                                 IPv4 address ADDR, anything else NXDOMAIN;
 *                                 runs until killed
 *   xfer dns-ask SERVER NAME      ask SERVER (port 53) for NAME's A record,
 *                                 print the address
 *   xfer echo-serve PORT N        serve N TCP connections at once: greet each
 *                                 with "hello\n", echo it back until its EOF;
 *                                 exit after the N-th
 *   xfer many HOST PORT N         open N connections and wait for the greeting
 *                                 on each (so all N are open end to end at
 *                                 once), then send a distinct line on each,
 *                                 half-close, check every echo; print
 *                                 "N echoed"
 *   xfer hijack tcp|udp HOST PORT OPTS SECONDS
 *                                 what another user would try: bind HOST:PORT
 *                                 with OPTS (plain, reuseaddr, reuseport or
 *                                 both), print "bound" or "refused: <why>";
 *                                 once bound, answer "hijacked" to every
 *                                 connection or datagram for SECONDS, then
 *                                 print "caught N"
 *   xfer udp-whoami PORT          answer every UDP datagram with itself, a
 *                                 space and the sender's address:port, as
 *                                 the server sees it; runs until killed
 *   xfer udp-talk HOST PORT COUNT INTERVAL_MS
 *                                 one client socket: COUNT datagrams, one
 *                                 every INTERVAL_MS, each waiting up to 2 s
 *                                 for its own answer; print "answered A of
 *                                 COUNT, seen from K source(s)" (K: how many
 *                                 times the sender address in udp-whoami's
 *                                 answers changed, plus one)
 *   xfer udp-flood HOST PORT N ROUNDS
 *                                 N client sockets (N source ports), ROUNDS
 *                                 times one datagram from each (32 every
 *                                 ms: a faster burst only overflows the
 *                                 receiving socket's queue), then 300 ms of
 *                                 collecting answers; print "answered A of
 *                                 N (D of ROUNDS*N datagrams)": A sockets
 *                                 got at least one answer, D answers came
 *
 * HOST is an IPv4 or IPv6 literal. Servers listen on all addresses (v4+v6)
 * and print "listening" on stdout once they accept connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "xfer: %s: %s\n", what, strerror(errno));
    exit(1);
}

typedef struct {
    uint64_t hash;
    uint64_t bytes;
} sum_t;

static void sum_init(sum_t *s)
{
    s->hash = 1469598103934665603ULL;
    s->bytes = 0;
}

static void sum_add(sum_t *s, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->hash ^= p[i];
        s->hash *= 1099511628211ULL;
    }
    s->bytes += n;
}

static unsigned char buf[1 << 16];

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        c += w;
        n -= (size_t)w;
    }
}

static sum_t read_to_eof(int fd)
{
    sum_t s;
    sum_init(&s);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        if (n == 0)
            return s;
        sum_add(&s, buf, (size_t)n);
    }
}

static void send_file(int sock, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die(path);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0)
            die("read file");
        if (n == 0)
            break;
        write_all(sock, buf, (size_t)n);
    }
    close(fd);
}

static int listen_on(const char *port, int type)
{
    int fd = socket(AF_INET6, type, 0), zero = 0, one = 1;
    if (fd < 0)
        die("socket");
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port))};
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("bind");
    if (type == SOCK_STREAM && listen(fd, 1024) < 0)
        die("listen");
    printf("listening\n");
    fflush(stdout);
    return fd;
}

static int accept_one(const char *port, struct sockaddr_in6 *peer)
{
    int l = listen_on(port, SOCK_STREAM);
    socklen_t len = sizeof(*peer);
    int c = accept(l, (struct sockaddr *)peer, &len);
    if (c < 0)
        die("accept");
    close(l);
    return c;
}

/* ss := HOST:PORT (an IPv4 or IPv6 literal); returns the address length. */
static socklen_t address_of(const char *host, const char *port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)atoi(port));
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            die("bad address");
        return sizeof(*a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        die("bad address");
    return sizeof(*a);
}

static int connect_to(const char *host, const char *port, int type, struct sockaddr_storage *out,
                      socklen_t *outlen)
{
    struct sockaddr_storage ss;
    socklen_t len = address_of(host, port, &ss);
    int fd = socket(ss.ss_family, type, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&ss, len) < 0)
        die("connect");
    if (out) {
        *out = ss;
        *outlen = len;
    }
    return fd;
}

static void print_sum(FILE *f, const sum_t *s)
{
    fprintf(f, "%016llx %llu\n", (unsigned long long)s->hash, (unsigned long long)s->bytes);
}

static void peer_text(const struct sockaddr_in6 *peer, char *text, size_t size)
{
    if (IN6_IS_ADDR_V4MAPPED(&peer->sin6_addr))
        inet_ntop(AF_INET, &peer->sin6_addr.s6_addr[12], text, (socklen_t)size);
    else
        inet_ntop(AF_INET6, &peer->sin6_addr, text, (socklen_t)size);
}

/* ---- a minimal DNS responder and client (A records, one question) ---- */

/* Encode NAME as DNS labels at out; returns the length. */
static size_t dns_encode_name(const char *name, unsigned char *out)
{
    size_t n = 0;
    const char *p = name;
    while (*p) {
        size_t len = strcspn(p, ".");
        out[n++] = (unsigned char)len;
        memcpy(out + n, p, len);
        n += len;
        p += len;
        if (*p == '.')
            p++;
    }
    out[n++] = 0;
    return n;
}

static void dns_serve(const char *ip, const char *port, const char *name, const char *addr)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
        die("bad address");
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("bind");
    unsigned char want[256];
    size_t want_len = dns_encode_name(name, want);
    struct in_addr answer;
    if (inet_pton(AF_INET, addr, &answer) != 1)
        die("bad answer address");
    printf("listening\n");
    fflush(stdout);
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof(peer);
        ssize_t n = recvfrom(s, buf, 512, 0, (struct sockaddr *)&peer, &len);
        if (n < 12)
            continue;
        /* Header: id, flags, qdcount=1. The question follows at 12. */
        bool match = (size_t)n >= 12 + want_len + 4 && memcmp(buf + 12, want, want_len) == 0;
        size_t qend = 12 + want_len + 4;
        buf[2] = 0x81; /* response, recursion desired */
        buf[3] = match ? 0x80 : 0x83; /* recursion available; NXDOMAIN when no match */
        buf[6] = 0;
        buf[7] = match ? 1 : 0; /* ancount */
        memset(buf + 8, 0, 4);  /* nscount, arcount */
        size_t out = match ? qend : (size_t)n;
        if (match) {
            static const unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};
            memcpy(buf + out, rr, sizeof(rr));
            out += sizeof(rr);
            memcpy(buf + out, &answer, 4);
            out += 4;
        }
        sendto(s, buf, out, 0, (struct sockaddr *)&peer, len);
    }
}

static void dns_ask(const char *server, const char *name)
{
    int s = connect_to(server, "53", SOCK_DGRAM, NULL, NULL);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    unsigned char q[512] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    size_t n = 12 + dns_encode_name(name, q + 12);
    static const unsigned char qtype_class[] = {0, 1, 0, 1};
    memcpy(q + n, qtype_class, 4);
    n += 4;
    write_all(s, q, n);
    ssize_t r = recv(s, buf, 512, 0);
    if (r < 0)
        die("no DNS answer");
    if (r < 12 || buf[0] != 0x12 || buf[1] != 0x34)
        die("bad DNS answer");
    if ((buf[3] & 0x0f) != 0 || buf[7] == 0) {
        printf("NXDOMAIN\n");
        return;
    }
    /* The answer's address is the last four bytes of our one-record reply. */
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, buf + r - 4, text, sizeof(text));
    printf("%s\n", text);
}

/* echo-serve: one poll loop, every connection echoed until its EOF. */
static void echo_serve(const char *port, long want)
{
    int l = listen_on(port, SOCK_STREAM);
    struct pollfd *fds = calloc((size_t)want + 1, sizeof(*fds));
    if (!fds)
        die("calloc");
    fds[0] = (struct pollfd){.fd = l, .events = POLLIN};
    long accepted = 0, closed = 0;
    for (long i = 1; i <= want; i++)
        fds[i].fd = -1;
    while (closed < want) {
        if (poll(fds, (nfds_t)want + 1, -1) < 0)
            die("poll");
        if (fds[0].revents & POLLIN) {
            int c = accept(l, NULL, NULL);
            if (c < 0)
                die("accept");
            if (accepted == want)
                die("more connections than announced");
            write_all(c, "hello\n", 6);
            fds[++accepted] = (struct pollfd){.fd = c, .events = POLLIN};
        }
        for (long i = 1; i <= accepted; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(fds[i].fd, buf, sizeof(buf));
            if (n > 0) {
                write_all(fds[i].fd, buf, (size_t)n);
                continue;
            }
            if (n < 0 && errno != ECONNRESET)
                die("read");
            close(fds[i].fd);
            fds[i].fd = -1;
            closed++;
        }
    }
    free(fds);
}

/* A TCP connection whose local port may be bound again while it lingers in
 * TIME_WAIT (SO_REUSEADDR on the client side). */
static int connect_reusable(const char *host, const char *port)
{
    struct sockaddr_storage ss;
    socklen_t len = address_of(host, port, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&ss, len) < 0)
        die("connect");
    return fd;
}

/* many: n connections open together, then one line each way on every one. */
static void many(const char *host, const char *port, long n)
{
    int *conns = calloc((size_t)n, sizeof(int));
    if (!conns)
        die("calloc");
    struct timeval tv = {.tv_sec = 20};
    for (long i = 0; i < n; i++) {
        /* SO_REUSEADDR on the client side too: the hundreds of ephemeral
         * ports left in TIME_WAIT must not stop a later test (or pod) from
         * binding one of them as a listening port. */
        conns[i] = connect_reusable(host, port);
        setsockopt(conns[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    for (long i = 0; i < n; i++) {
        char hello[6];
        size_t have = 0;
        ssize_t r;
        while (have < sizeof(hello) && (r = read(conns[i], hello + have, sizeof(hello) - have)) > 0)
            have += (size_t)r;
        if (have != sizeof(hello) || memcmp(hello, "hello\n", 6) != 0) {
            fprintf(stderr, "xfer: connection %ld of %ld: no greeting from the server\n", i, n);
            exit(1);
        }
    }
    for (long i = 0; i < n; i++) {
        char line[32];
        int len = snprintf(line, sizeof(line), "connection %ld\n", i);
        write_all(conns[i], line, (size_t)len);
        if (shutdown(conns[i], SHUT_WR) < 0)
            die("shutdown");
    }
    long echoed = 0;
    for (long i = 0; i < n; i++) {
        char line[32], got[64];
        int len = snprintf(line, sizeof(line), "connection %ld\n", i);
        size_t have = 0;
        ssize_t r;
        while (have < sizeof(got) && (r = read(conns[i], got + have, sizeof(got) - have)) > 0)
            have += (size_t)r;
        if (have == (size_t)len && memcmp(got, line, have) == 0)
            echoed++;
        else
            fprintf(stderr, "xfer: connection %ld: %zu bytes back, not its line\n", i, have);
        close(conns[i]);
    }
    printf("%ld echoed\n", echoed);
    free(conns);
    if (echoed != n)
        exit(1);
}

/* ---- what another local user tries on a published port ---- */

static bool set_bind_options(int fd, const char *opts)
{
    int one = 1;
    bool addr = strcmp(opts, "reuseaddr") == 0 || strcmp(opts, "both") == 0;
    bool port = strcmp(opts, "reuseport") == 0 || strcmp(opts, "both") == 0;
    if (!addr && !port && strcmp(opts, "plain") != 0)
        return false;
    if (addr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        die("SO_REUSEADDR");
    if (port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
        die("SO_REUSEPORT");
    return true;
}

/* Answer "hijacked" to whatever comes to fd until the deadline; returns
 * how many connections or datagrams came. */
static long serve_hijacked(int fd, bool tcp, long seconds)
{
    long caught = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ms = seconds * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
                                         (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left_ms <= 0)
            return caught;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left_ms);
        if (r < 0 && errno != EINTR)
            die("poll");
        if (r <= 0)
            continue;
        if (tcp) {
            int c = accept(fd, NULL, NULL);
            if (c < 0)
                continue;
            caught++;
            (void)write(c, "hijacked\n", 9);
            close(c);
        } else {
            struct sockaddr_storage peer;
            socklen_t len = sizeof(peer);
            if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len) < 0)
                continue;
            caught++;
            sendto(fd, "hijacked", 8, 0, (struct sockaddr *)&peer, len);
        }
    }
}

static void hijack(const char *proto, const char *host, const char *port, const char *opts,
                   long seconds)
{
    bool tcp = strcmp(proto, "tcp") == 0;
    if (!tcp && strcmp(proto, "udp") != 0) {
        fprintf(stderr, "xfer: hijack tcp|udp, not %s\n", proto);
        exit(2);
    }
    struct sockaddr_storage ss;
    socklen_t len = address_of(host, port, &ss);
    int fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket");
    if (!set_bind_options(fd, opts)) {
        fprintf(stderr, "xfer: options are plain, reuseaddr, reuseport or both, not %s\n", opts);
        exit(2);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (tcp && listen(fd, 64) < 0)) {
        printf("refused: %s\n", strerror(errno));
        return;
    }
    printf("bound\n");
    fflush(stdout);
    printf("caught %ld\n", serve_hijacked(fd, tcp, seconds));
}

/* ---- UDP flows through a published port ---- */

static void udp_whoami(const char *port)
{
    int s = listen_on(port, SOCK_DGRAM);
    for (;;) {
        struct sockaddr_in6 peer;
        socklen_t len = sizeof(peer);
        ssize_t n = recvfrom(s, buf, 1024, 0, (struct sockaddr *)&peer, &len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("recvfrom");
        }
        char who[INET6_ADDRSTRLEN];
        peer_text(&peer, who, sizeof(who));
        int extra = snprintf((char *)buf + n, sizeof(buf) - (size_t)n, " %s:%u", who,
                             (unsigned)ntohs(peer.sin6_port));
        sendto(s, buf, (size_t)n + (size_t)extra, 0, (struct sockaddr *)&peer, len);
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* udp-talk: one client that keeps talking, and checks it is one flow. */
static void udp_talk(const char *host, const char *port, long count, long interval_ms)
{
    int s = connect_to(host, port, SOCK_DGRAM, NULL, NULL);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char last_source[128] = "";
    long answered = 0, sources = 0;
    for (long i = 1; i <= count; i++) {
        char msg[32];
        int len = snprintf(msg, sizeof(msg), "talk %ld", i);
        if (send(s, msg, (size_t)len, 0) < 0)
            die("send");
        ssize_t n;
        /* Skip late answers to earlier datagrams: wait for this one's. */
        while ((n = recv(s, buf, sizeof(buf) - 1, 0)) >= 0) {
            buf[n] = '\0';
            if (strncmp((char *)buf, msg, (size_t)len) == 0 && buf[len] == ' ')
                break;
        }
        if (n >= 0) {
            answered++;
            const char *source = (char *)buf + len + 1;
            if (strcmp(source, last_source) != 0) {
                if (sources > 0)
                    fprintf(stderr, "xfer: from datagram %ld on, seen from %s, no longer %s\n", i,
                            source, last_source);
                snprintf(last_source, sizeof(last_source), "%s", source);
                sources++;
            }
        }
        if (i < count)
            sleep_ms(interval_ms);
    }
    printf("answered %ld of %ld, seen from %ld source(s)\n", answered, count, sources);
}

/* udp-flood: many source ports, as an attacker filling the flow table. */
static void udp_flood(const char *host, const char *port, long n, long rounds)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    struct pollfd *fds = calloc((size_t)n, sizeof(*fds));
    bool *got = calloc((size_t)n, sizeof(*got));
    if (!fds || !got)
        die("calloc");
    for (long i = 0; i < n; i++) {
        fds[i].fd = connect_to(host, port, SOCK_DGRAM, NULL, NULL);
        fds[i].events = POLLIN;
        if (fcntl(fds[i].fd, F_SETFL, O_NONBLOCK) < 0)
            die("fcntl");
    }
    long datagrams = 0;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < n; i++) {
            char msg[32];
            int len = snprintf(msg, sizeof(msg), "flood %ld", i);
            send(fds[i].fd, msg, (size_t)len, 0); /* refused or dropped: so be it */
            if (i % 32 == 31)
                sleep_ms(1);
        }
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (spent >= 300)
                break;
            if (poll(fds, (nfds_t)n, (int)(300 - spent)) <= 0)
                continue;
            for (long i = 0; i < n; i++) {
                if (fds[i].revents & POLLIN) {
                    while (recv(fds[i].fd, buf, sizeof(buf), 0) >= 0) {
                        got[i] = true;
                        datagrams++;
                    }
                }
            }
        }
    }
    long answered = 0;
    for (long i = 0; i < n; i++)
        answered += got[i];
    printf("answered %ld of %ld (%ld of %ld datagrams)\n", answered, n, datagrams, rounds * n);
}

int main(int argc, char **argv)
{
    struct sockaddr_in6 peer;
    if (argc == 3 && strcmp(argv[1], "sum") == 0) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0)
            die(argv[2]);
        sum_t s = read_to_eof(fd);
        print_sum(stdout, &s);
    } else if (argc == 3 && strcmp(argv[1], "sink") == 0) {
        int c = accept_one(argv[2], &peer);
        sum_t s = read_to_eof(c);
        char line[64];
        int n = snprintf(line, sizeof(line), "%016llx %llu\n", (unsigned long long)s.hash,
                         (unsigned long long)s.bytes);
        write_all(c, line, (size_t)n);
        close(c);
    } else if (argc == 5 && strcmp(argv[1], "send") == 0) {
        int c = connect_to(argv[2], argv[3], SOCK_STREAM, NULL, NULL);
        send_file(c, argv[4]);
        if (shutdown(c, SHUT_WR) < 0)
            die("shutdown");
        ssize_t n = read(c, buf, sizeof(buf) - 1);
        if (n <= 0)
            die("no answer after half-close");
        write_all(1, buf, (size_t)n);
    } else if (argc == 4 && strcmp(argv[1], "source") == 0) {
        int c = accept_one(argv[2], &peer);
        send_file(c, argv[3]);
        close(c);
    } else if (argc == 4 && strcmp(argv[1], "recv") == 0) {
        int c = connect_to(argv[2], argv[3], SOCK_STREAM, NULL, NULL);
        sum_t s = read_to_eof(c);
        print_sum(stdout, &s);
    } else if (argc == 3 && strcmp(argv[1], "peer") == 0) {
        int c = accept_one(argv[2], &peer);
        char text[INET6_ADDRSTRLEN + 2];
        peer_text(&peer, text, sizeof(text));
        strcat(text, "\n");
        write_all(c, text, strlen(text));
        close(c);
    } else if (argc == 4 && strcmp(argv[1], "ask") == 0) {
        int c = connect_to(argv[2], argv[3], SOCK_STREAM, NULL, NULL);
        ssize_t n;
        while ((n = read(c, buf, sizeof(buf))) > 0)
            write_all(1, buf, (size_t)n);
    } else if (argc == 3 && strcmp(argv[1], "udp-echo") == 0) {
        int s = listen_on(argv[2], SOCK_DGRAM);
        socklen_t len = sizeof(peer);
        ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len);
        if (n < 0)
            die("recvfrom");
        if (sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&peer, len) < 0)
            die("sendto");
    } else if (argc == 5 && strcmp(argv[1], "udp-ask") == 0) {
        int s = connect_to(argv[2], argv[3], SOCK_DGRAM, NULL, NULL);
        struct timeval tv = {.tv_sec = 5};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        write_all(s, argv[4], strlen(argv[4]));
        ssize_t n = recv(s, buf, sizeof(buf), 0);
        if (n < 0)
            die("no UDP answer");
        write_all(1, buf, (size_t)n);
        write_all(1, "\n", 1);
    } else if (argc == 6 && strcmp(argv[1], "dns-serve") == 0) {
        dns_serve(argv[2], argv[3], argv[4], argv[5]);
    } else if (argc == 4 && strcmp(argv[1], "dns-ask") == 0) {
        dns_ask(argv[2], argv[3]);
    } else if (argc == 4 && strcmp(argv[1], "echo-serve") == 0) {
        echo_serve(argv[2], atol(argv[3]));
    } else if (argc == 5 && strcmp(argv[1], "many") == 0) {
        many(argv[2], argv[3], atol(argv[4]));
    } else if (argc == 7 && strcmp(argv[1], "hijack") == 0) {
        hijack(argv[2], argv[3], argv[4], argv[5], atol(argv[6]));
    } else if (argc == 3 && strcmp(argv[1], "udp-whoami") == 0) {
        udp_whoami(argv[2]);
    } else if (argc == 6 && strcmp(argv[1], "udp-talk") == 0) {
        udp_talk(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
    } else if (argc == 6 && strcmp(argv[1], "udp-flood") == 0) {
        udp_flood(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
    } else {
        fprintf(stderr, "usage: see the comment at the top of tests/tools/xfer.c\n");
        return 2;
    }
    return 0;
}
