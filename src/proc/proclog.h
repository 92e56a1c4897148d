/* proclog.h: the log of a long-lived process of upod's, for the failures
 * that no one is left to hear once the command that started it returned:
 * the keeper's STATE/pods/<id>/keeper.log, a monitor's
 * STATE/containers/<id>/monitor.log. It is the process's stderr, appended
 * to, one line per event: "<unix time> <role>[<pid>]: <message>". */
#ifndef UPOD_PROCLOG_H
#define UPOD_PROCLOG_H

/* stdin and stdout on /dev/null; stderr appended to path under dirfd
 * (made 0600, never through a symlink). -1 (stderr left as it was) when
 * the log cannot be opened. */
int proclog_open(int dirfd, const char *path);
/* One line on stderr, as above once proclog_open() succeeded; else (the
 * CLI of an attached run, which is its container's monitor and whose
 * stderr is the user's) "upod-<role>: <message>". */
void proclog(const char *role, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
