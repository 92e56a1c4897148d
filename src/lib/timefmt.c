/* timefmt.c: see timefmt.h. */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

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
