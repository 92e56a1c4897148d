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

proc_ref_t proc_ref_of(pid_t pid);
/* The same through an open /proc directory (AT_FDCWD: "/proc"). No
 * process of upod's that looks at /proc stands in a pod's mount namespace
 * (only their children join: sandbox/join.h), so "/proc" is always the
 * one of the pid namespace upod runs in. */
proc_ref_t proc_ref_of_at(int proc_fd, pid_t pid);

/* The process named by ref still runs (same pid, same start time, not a
 * zombie). */
bool proc_ref_alive(const proc_ref_t *ref);

/* Wait (poll on the pidfd) up to timeout_ms for the process to exit.
 * true when it exited. */
bool pidfd_wait_exit(int pidfd, int timeout_ms);

/* What proc_ref_stop does with the process that ends with the one it stops. */
typedef enum {
    /* It ends by itself once the process is gone (a container's monitor,
     * which records the exit). */
    PROC_STOP_WAIT_PARTNER,
    /* When the timeout passes, it gets SIGKILL too, before the process (a
     * pod's infra: its keeper, killed, would pass it nothing). */
    PROC_STOP_KILL_PARTNER,
} proc_stop_partner_t;

/* Stop p: sig, then SIGKILL once timeout_s seconds have passed without its
 * end (at once when timeout_s is 0), through pidfds opened before anything
 * is sent and checked against the start times (never a reused pid; a
 * process already gone is skipped). Then partner (NULL: none) is waited
 * for. Waits after a SIGKILL, and for the partner, are bounded (5 s). */
void proc_ref_stop(const proc_ref_t *p, int sig, long timeout_s, const proc_ref_t *partner,
                   proc_stop_partner_t how);

/* Our command line as ps shows it: main() hands over argv once, and the
 * keeper and the infra rewrite it ("upod-keeper web"), so that ps and
 * pod top say what they are rather than repeat "upod pod start web". */
void proctitle_init(int argc, char **argv);
void proctitle_set(const char *title);

/* A pidfd for ref, checked after opening: the fd then pins that very
 * process. Fails with ESRCH when it is gone or the pid was reused. */
int proc_ref_pidfd(const proc_ref_t *ref, upod_error_t *err);

#endif
