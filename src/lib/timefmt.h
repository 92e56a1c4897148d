/* timefmt.h: times as podman prints them. */
#ifndef UPOD_TIMEFMT_H
#define UPOD_TIMEFMT_H

#include <stddef.h>

/* Go's units.HumanDuration: "Less than a second", "5 seconds",
 * "About a minute", "3 minutes", "About an hour", "2 hours", "3 days",
 * "2 weeks", "4 months", "2 years". */
void human_duration(long long seconds, char *buf, size_t size);

/* RFC 3339 with nanoseconds, UTC: 2026-11-29T02:45:01.123456789Z */
void rfc3339_nano(long long ns_since_epoch, char *buf, size_t size);

/* Nanoseconds since the epoch, now. */
long long time_now_ns(void);

#endif
