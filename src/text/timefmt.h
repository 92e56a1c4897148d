/* timefmt.h: times as podman prints them. */
#ifndef UPOD_TIMEFMT_H
#define UPOD_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>

/* Go's units.HumanDuration: "Less than a second", "5 seconds",
 * "About a minute", "3 minutes", "About an hour", "2 hours", "3 days",
 * "2 weeks", "4 months", "2 years". */
void human_duration(long long seconds, char *buf, size_t size);

/* RFC 3339 with nanoseconds, UTC: 2026-11-29T02:45:01.123456789Z */
void rfc3339_nano(long long ns_since_epoch, char *buf, size_t size);

/* RFC 3339, as podman's logs write it: 2026-11-29T02:45:01.123456789+01:00,
 * or Z; the fraction is optional. Nanoseconds since the epoch; false when
 * text is not of that form. */
bool rfc3339_parse(const char *text, size_t len, long long *ns);

/* `logs --since T`: RFC 3339 (also without a zone: local time), a Unix
 * time ("1700000000", "1700000000.5"), or a Go duration back from now_ns
 * ("10m", "1h30m", "2.5s", units ns us ms s m h). False when text is none
 * of those. */
bool time_parse_since(const char *text, long long now_ns, long long *ns);

/* Nanoseconds since the epoch, now. */
long long time_now_ns(void);

#endif
