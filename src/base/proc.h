/* proc.h: processes as /proc shows them: start times (so that a reused pid
 * is never mistaken for ours), and pidfds opened only after that check. */
#ifndef UPOD_PROC_H
#define UPOD_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/* A process identity: pid plus its start time (clock ticks after boot,
 * field 22 of /proc/PID/stat). */
typedef struct {
    pid_t pid;
    unsigned long long start;
} proc_ref_t;

/* The state letter (field 3) and start time (field 22) of a /proc/PID/stat
 * text (the comm field may hold spaces and parentheses: parse after the
 * last ')'). */
int proc_parse_stat(const char *stat_text, char *state, unsigned long long *out);
int proc_start_time(pid_t pid, unsigned long long *out);
proc_ref_t proc_self_ref(void);

/* AT_FDCWD, for "/proc". No process of upod's that looks at /proc stands
 * in a pod's mount namespace (only their children join: sandbox/join.h),
 * so "/proc" is always our pid namespace's. Left for state/pod.c's one
 * call, which handles AT_FDCWD; new code opens "/proc/..." itself. */
int proc_host_fd(void);
proc_ref_t proc_ref_of(pid_t pid);
/* The same through an open /proc directory (AT_FDCWD: "/proc"). */
proc_ref_t proc_ref_of_at(int proc_fd, pid_t pid);

/* The process named by ref still runs (same pid, same start time, not a
 * zombie). */
bool proc_ref_alive(const proc_ref_t *ref);

/* Wait (poll on the pidfd) up to timeout_ms for the process to exit.
 * true when it exited. */
bool pidfd_wait_exit(int pidfd, int timeout_ms);

/* Our command line as ps shows it: main() hands over argv once, and the
 * keeper and the infra rewrite it ("upod-keeper web"), so that ps and
 * pod top say what they are rather than repeat "upod pod start web". */
void proctitle_init(int argc, char **argv);
void proctitle_set(const char *title);

/* A pidfd for ref, checked after opening: the fd then pins that very
 * process. Fails with ESRCH when it is gone or the pid was reused. */
int proc_ref_pidfd(const proc_ref_t *ref, upod_error_t *err);

#endif
