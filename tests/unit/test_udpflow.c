/* Unit tests: the UDP forwarder's flow table (src/net/udpflow.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "net/udpflow.h"

/* ---- helpers ---- */

static struct sockaddr_in v4(const char *ip, unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return a;
}

static struct sockaddr_in6 v6(const char *ip, unsigned port)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
    return a;
}

/* The client at 127.0.0.1:port. */
static udp_flow_t *add_port(udp_flows_t *t, unsigned port, long long now)
{
    struct sockaddr_in a = v4("127.0.0.1", port);
    return udp_flows_add(t, 0, (struct sockaddr *)&a, sizeof(a), (int)port, now);
}

static udp_flow_t *find_port(udp_flows_t *t, unsigned port)
{
    struct sockaddr_in a = v4("127.0.0.1", port);
    return udp_flows_find(t, 0, (struct sockaddr *)&a, sizeof(a));
}

/* ---- lookup ---- */

static void test_find_what_was_added(void **state)
{
    (void)state;
    udp_flows_t t;
    udp_flows_init(&t, 100, 42);
    struct sockaddr_in a = v4("127.0.0.1", 5000);
    struct sockaddr_in6 b = v6("::ffff:127.0.0.1", 5000), c = v6("::1", 5000);
    udp_flow_t *fa = udp_flows_add(&t, 0, (struct sockaddr *)&a, sizeof(a), 10, 1);
    udp_flow_t *fb = udp_flows_add(&t, 0, (struct sockaddr *)&b, sizeof(b), 11, 1);
    udp_flow_t *fc = udp_flows_add(&t, 1, (struct sockaddr *)&c, sizeof(c), 12, 1);
    assert_non_null(fa);
    assert_non_null(fb);
    assert_non_null(fc);
    assert_int_equal(t.n, 3);
    assert_ptr_equal(udp_flows_find(&t, 0, (struct sockaddr *)&a, sizeof(a)), fa);
    assert_ptr_equal(udp_flows_find(&t, 0, (struct sockaddr *)&b, sizeof(b)), fb);
    assert_ptr_equal(udp_flows_find(&t, 1, (struct sockaddr *)&c, sizeof(c)), fc);
    assert_int_equal(fc->pod, 12);
    /* Same address on another published port, another port, another family. */
    assert_null(udp_flows_find(&t, 1, (struct sockaddr *)&a, sizeof(a)));
    assert_null(udp_flows_find(&t, 0, (struct sockaddr *)&c, sizeof(c)));
    assert_null(find_port(&t, 5001));
    udp_flows_remove(&t, fb);
    assert_null(udp_flows_find(&t, 0, (struct sockaddr *)&b, sizeof(b)));
    assert_ptr_equal(udp_flows_find(&t, 0, (struct sockaddr *)&a, sizeof(a)), fa);
    assert_int_equal(t.n, 2);
    udp_flows_clear(&t);
}

static void test_other_families_and_short_addresses_are_refused(void **state)
{
    (void)state;
    udp_flows_t t;
    udp_flows_init(&t, 100, 1);
    struct sockaddr_storage unix_like = {.ss_family = AF_UNIX};
    assert_null(udp_flows_add(&t, 0, (struct sockaddr *)&unix_like, sizeof(unix_like), 3, 0));
    struct sockaddr_in6 a = v6("::1", 1);
    assert_null(udp_flows_add(&t, 0, (struct sockaddr *)&a, sizeof(struct sockaddr_in), 3, 0));
    assert_null(udp_flows_find(&t, 0, (struct sockaddr *)&unix_like, sizeof(unix_like)));
    assert_int_equal(t.n, 0);
    udp_flows_clear(&t);
}

/* Many flows: the table grows, every one stays findable, removals too. */
static void test_many_flows(void **state)
{
    (void)state;
    udp_flows_t t;
    udp_flows_init(&t, 50000, 7);
    for (unsigned p = 1; p <= 40000; p++)
        assert_non_null(add_port(&t, p, p));
    assert_true(t.nbuckets >= 40000);
    for (unsigned p = 1; p <= 40000; p += 2)
        udp_flows_remove(&t, find_port(&t, p));
    assert_int_equal(t.n, 20000);
    for (unsigned p = 1; p <= 40000; p++) {
        udp_flow_t *fl = find_port(&t, p);
        if (p % 2)
            assert_null(fl);
        else
            assert_true(fl && fl->pod == (int)p);
    }
    /* The use list still runs from the oldest to the newest. */
    size_t n = 0;
    for (udp_flow_t *fl = udp_flows_oldest(&t); fl; fl = fl->newer, n++)
        assert_true(!fl->newer || fl->newer->last > fl->last);
    assert_int_equal(n, 20000);
    udp_flows_clear(&t);
}

/* ---- the bound and eviction ---- */

static void test_budget_follows_the_fd_limit(void **state)
{
    (void)state;
    assert_int_equal(udp_flows_budget(1024, 33, false), 991);
    assert_int_equal(udp_flows_budget(1048576, 34, false), 1048542);
    assert_int_equal(udp_flows_budget(1048576, 34, true), 524271);
    assert_int_equal(udp_flows_budget(20, 33, false), 0);
}

static void test_full_table_refuses_new_flows(void **state)
{
    (void)state;
    udp_flows_t t;
    udp_flows_init(&t, 3, 1);
    for (unsigned p = 1; p <= 3; p++)
        assert_non_null(add_port(&t, p, 0));
    assert_null(add_port(&t, 4, 0));
    assert_int_equal(t.n, 3);
    udp_flows_clear(&t);
}

/* Least recently used, not oldest made: a touch moves a flow to the end. */
static void test_touch_makes_a_flow_the_newest(void **state)
{
    (void)state;
    udp_flows_t t;
    udp_flows_init(&t, 10, 1);
    udp_flow_t *a = add_port(&t, 1, 100), *b = add_port(&t, 2, 200), *c = add_port(&t, 3, 300);
    assert_ptr_equal(udp_flows_oldest(&t), a);
    udp_flows_touch(&t, a, 400);
    assert_ptr_equal(udp_flows_oldest(&t), b);
    assert_ptr_equal(t.newest, a);
    assert_int_equal(a->last, 400);
    udp_flows_touch(&t, a, 500); /* already the newest */
    assert_ptr_equal(t.newest, a);
    udp_flows_remove(&t, b);
    assert_ptr_equal(udp_flows_oldest(&t), c);
    udp_flows_clear(&t);
}

static void test_only_an_idle_flow_is_evictable(void **state)
{
    (void)state;
    udp_flows_t t;
    udp_flows_init(&t, 10, 1);
    assert_null(udp_flows_evictable(&t, 0));
    udp_flow_t *a = add_port(&t, 1, 1000);
    add_port(&t, 2, 2000);
    assert_null(udp_flows_evictable(&t, 1000 + UDP_FLOW_EVICTABLE_MS - 1));
    assert_ptr_equal(udp_flows_evictable(&t, 1000 + UDP_FLOW_EVICTABLE_MS), a);
    udp_flows_clear(&t);
}

/* The attack of issue 13: a client that keeps talking while another user
 * opens far more flows than the table holds. It is never the one to go:
 * while every flow is active, newcomers are refused; once the attacker's
 * flows are idle, they make room, the talking client stays. */
static void test_a_talking_client_outlives_a_flood(void **state)
{
    (void)state;
    const size_t max = 1000;
    udp_flows_t t;
    udp_flows_init(&t, max, 99);
    long long now = 0;
    udp_flow_t *talker = add_port(&t, 1, now);
    unsigned next_port = 2;
    size_t refused = 0, evicted = 0;
    for (int second = 0; second < 30; second++) {
        for (int datagram = 0; datagram < 3000; datagram++) {
            now = second * 1000LL + datagram / 3;
            if (datagram % 500 == 0)
                udp_flows_touch(&t, talker, now); /* twice a second */
            if (t.n >= max) {
                udp_flow_t *idle = udp_flows_evictable(&t, now);
                if (!idle) {
                    refused++;
                    continue;
                }
                assert_ptr_not_equal(idle, talker);
                udp_flows_remove(&t, idle);
                evicted++;
            }
            assert_non_null(add_port(&t, next_port++, now));
        }
        assert_ptr_equal(find_port(&t, 1), talker);
    }
    assert_true(refused > 0);
    assert_true(evicted > 0);
    udp_flows_clear(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_what_was_added),
        cmocka_unit_test(test_other_families_and_short_addresses_are_refused),
        cmocka_unit_test(test_many_flows),
        cmocka_unit_test(test_budget_follows_the_fd_limit),
        cmocka_unit_test(test_full_table_refuses_new_flows),
        cmocka_unit_test(test_touch_makes_a_flow_the_newest),
        cmocka_unit_test(test_only_an_idle_flow_is_evictable),
        cmocka_unit_test(test_a_talking_client_outlives_a_flood),
    };
    return cmocka_run_group_tests_name("udpflow", tests, NULL, NULL);
}
