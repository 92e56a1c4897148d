/* timefmt.c: see timefmt.h. */
#include "text/timefmt.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL

void human_duration(long long s, char *buf, size_t size)
{
    if (s < 1)
        snprintf(buf, size, "Less than a second");
    else if (s == 1)
        snprintf(buf, size, "1 second");
    else if (s < 60)
        snprintf(buf, size, "%lld seconds", s);
    else if (s / 60 == 1)
        snprintf(buf, size, "About a minute");
    else if (s < 3600)
        snprintf(buf, size, "%lld minutes", s / 60);
    else if ((s + 1800) / 3600 == 1)
        snprintf(buf, size, "About an hour");
    else if (s < 48 * 3600)
        snprintf(buf, size, "%lld hours", (s + 1800) / 3600);
    else if (s < 7 * 24 * 3600 * 2)
        snprintf(buf, size, "%lld days", s / (24 * 3600));
    else if (s < 30 * 24 * 3600 * 3)
        snprintf(buf, size, "%lld weeks", s / (7 * 24 * 3600));
    else if (s < 365 * 24 * 3600 * 2)
        snprintf(buf, size, "%lld months", s / (30 * 24 * 3600));
    else
        snprintf(buf, size, "%lld years", s / (365 * 24 * 3600));
}

void rfc3339_nano(long long ns, char *buf, size_t size)
{
    time_t secs = (time_t)(ns / 1000000000LL);
    struct tm tm;
    char date[32] = "1970-01-01T00:00:00";
    if (gmtime_r(&secs, &tm))
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%09lldZ", date, ns % 1000000000LL);
}

long long time_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* n decimal digits at p, as a number. */
static bool digits(const char *p, const char *end, int n, int *out)
{
    int v = 0;
    if (end - p < n)
        return false;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date, the time and the fraction; *rest at the zone. */
static bool parse_date_time(const char *p, const char *end, struct tm *tm, long long *frac_ns,
                            const char **rest)
{
    int y, mo, d, h, mi, s;
    if (!digits(p, end, 4, &y) || end - p < 19 || p[4] != '-' || !digits(p + 5, end, 2, &mo) ||
        p[7] != '-' || !digits(p + 8, end, 2, &d) || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
        !digits(p + 11, end, 2, &h) || p[13] != ':' || !digits(p + 14, end, 2, &mi) ||
        p[16] != ':' || !digits(p + 17, end, 2, &s))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    p += 19;
    *frac_ns = 0;
    if (p < end && *p == '.') {
        long long scale = 100000000LL;
        p++;
        if (p == end || !isdigit((unsigned char)*p))
            return false;
        for (; p < end && isdigit((unsigned char)*p); p++, scale /= 10)
            *frac_ns += (*p - '0') * scale;
    }
    memset(tm, 0, sizeof(*tm));
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    tm->tm_hour = h;
    tm->tm_min = mi;
    tm->tm_sec = s;
    *rest = p;
    return true;
}

/* secs seconds and frac_ns (0 to 999999999) nanoseconds since the epoch,
 * as nanoseconds; false when that does not fit in a long long (before 1677
 * or after 2262), which no time upod keeps can be. */
static bool to_ns(long long secs, long long frac_ns, long long *ns)
{
    if (secs > (LLONG_MAX - frac_ns) / NS_PER_SEC || secs < LLONG_MIN / NS_PER_SEC + 1)
        return false;
    *ns = secs * NS_PER_SEC + frac_ns;
    return true;
}

static long long utc_seconds(const struct tm *tm)
{
    return days_from_civil(tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday) * 86400LL +
           tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

bool rfc3339_parse(const char *text, size_t len, long long *ns)
{
    const char *end = text + len, *p;
    struct tm tm;
    long long frac;
    if (!parse_date_time(text, end, &tm, &frac, &p) || p == end)
        return false;
    long long offset = 0;
    if ((*p == 'Z' || *p == 'z') && p + 1 == end) {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && end - p == 6 && p[3] == ':') {
        int oh, om;
        if (!digits(p + 1, end, 2, &oh) || !digits(p + 4, end, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else {
        return false;
    }
    return to_ns(utc_seconds(&tm) - offset, frac, ns);
}

/* A Go duration: one or more number+unit, the number may have a fraction. */
static bool parse_duration(const char *text, long long *ns)
{
    static const struct { const char *unit; long long ns; } units[] = {
        {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000LL},
        {"m", 60000000000LL}, {"h", 3600000000000LL},
    };
    double total = 0;
    const char *p = text;
    if (!*p)
        return false;
    while (*p) {
        char *after;
        if (!isdigit((unsigned char)*p) && *p != '.')
            return false;
        double v = strtod(p, &after);
        if (after == p)
            return false;
        p = after;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t l = strlen(units[i].unit);
            if (strncmp(p, units[i].unit, l) == 0 && l > best_len) {
                best = i;
                best_len = l;
            }
        }
        if (!best_len)
            return false;
        total += v * (double)units[best].ns;
        p += best_len;
    }
    if (total > 9.2e18)
        return false;
    *ns = (long long)total;
    return true;
}

bool time_parse_since(const char *text, long long now_ns, long long *ns)
{
    size_t len = strlen(text);
    if (len == 0)
        return false;
    if (rfc3339_parse(text, len, ns))
        return true;
    const char *rest;
    struct tm tm;
    long long frac;
    if (parse_date_time(text, text + len, &tm, &frac, &rest) && *rest == '\0') {
        tm.tm_isdst = -1;
        time_t t = mktime(&tm); /* no zone: local time */
        if (t == (time_t)-1)
            return false;
        return to_ns((long long)t, frac, ns);
    }
    /* A Unix time: digits, maybe a fraction. */
    size_t int_len = strspn(text, "0123456789");
    if (int_len > 0 && int_len <= 12 &&
        (text[int_len] == '\0' ||
         (text[int_len] == '.' && text[int_len + 1] &&
          strspn(text + int_len + 1, "0123456789") == strlen(text + int_len + 1)))) {
        long long secs = strtoll(text, NULL, 10), frac_ns = 0, scale = 100000000LL;
        for (const char *p = text + int_len + (text[int_len] == '.'); *p && scale; p++, scale /= 10)
            frac_ns += (*p - '0') * scale;
        return to_ns(secs, frac_ns, ns);
    }
    long long d;
    if (!parse_duration(text, &d))
        return false;
    *ns = now_ns - d;
    return true;
}
