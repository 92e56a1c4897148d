/* state.h: where upod keeps its state, and the checks that make it safe.
 *
 * Rules (shared/design.md), first match wins:
 *   1. $XDG_RUNTIME_DIR/upod       when XDG_RUNTIME_DIR is set (it must then be
 *                                  an absolute path to a directory we own)
 *   2. /run/user/$UID/upod         when /run/user/$UID is a directory we own
 *   3. $TMPDIR/upod-$UID           otherwise ($TMPDIR if absolute, else /tmp)
 * The upod directory itself must be owned by the user, mode 0700, and not a
 * symlink; anything else is refused with an error that says how to fix it. */
#ifndef UPOD_STATE_H
#define UPOD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/error.h"
#include "state/kvfile.h"

/* The largest state file upod reads or writes: a record larger than this
 * is refused when written, and shown unreadable when found. */
#define STATE_FILE_MAX (1u << 20)

typedef enum {
    STATE_RULE_XDG_RUNTIME_DIR,
    STATE_RULE_RUN_USER,
    STATE_RULE_TMPDIR,
} state_rule_t;

typedef struct {
    char *path;         /* the upod state directory */
    state_rule_t rule;  /* which rule chose it */
} state_dir_choice_t;

/* What the environment says, gathered by the caller (pure inputs so that the
 * rules can be unit tested). run_user_ours: /run/user/$UID is a directory
 * owned by uid. */
typedef struct {
    const char *xdg_runtime_dir; /* NULL when unset */
    const char *tmpdir;          /* NULL when unset */
    uid_t uid;
    bool run_user_ours;
} state_env_t;

/* Apply the rules. Fails when XDG_RUNTIME_DIR is set but not absolute. */
int state_dir_choose(const state_env_t *env, state_dir_choice_t *out, upod_error_t *err);
void state_dir_choice_clear(state_dir_choice_t *c);
const char *state_rule_describe(state_rule_t rule);

/* Check lstat() results of the state directory: a directory (not a symlink),
 * owned by uid, no permission bits for group or others. */
int state_dir_check_stat(const char *path, const struct stat *st, uid_t uid, upod_error_t *err);

/* Gather state_env_t from the real environment (getenv, lstat). Also checks
 * that XDG_RUNTIME_DIR, when set, is a directory owned by the user. */
int state_env_from_system(state_env_t *env, upod_error_t *err);

/* Choose, create when missing (mode 0700) and check the state directory, and
 * open it (O_DIRECTORY|O_NOFOLLOW). Returns the directory fd. */
int state_dir_open(state_dir_choice_t *choice, upod_error_t *err);

/* Like state_dir_open() but without creating anything: tells whether the
 * directory exists and passes the checks. Used by `upod info`. */
int state_dir_probe(state_dir_choice_t *choice, bool *exists, upod_error_t *err);

/* Replace dir/name atomically: write a temporary file, fsync, rename over
 * name, fsync the directory. Readers see the old or the new file, never a
 * half-written one. */
int state_write_file(int dirfd, const char *name, const char *data, size_t len, upod_error_t *err);

/* Keep size bytes of the filesystem for a later write: dir/name, a file
 * of that size (zeros). Unlinking it gives the space back. */
int state_reserve_file(int dirfd, const char *name, size_t size, upod_error_t *err);

/* Read dir/name (a regular file, no symlinks followed, at most
 * STATE_FILE_MAX bytes) into a NUL-terminated buffer. */
int state_read_file(int dirfd, const char *name, char **out, upod_error_t *err);
/* What can still be read of a file that state_read_file or kv_parse
 * refused: its well-formed lines, overlong ones skipped (a 5 MB line costs
 * a scan, not memory). Empty when the file cannot be opened at all. */
void state_salvage_file(int dirfd, const char *name, kv_t *out);

/* Take the state lock (flock on STATE/lock): every change of state happens
 * under it. Returns the lock fd; closing it releases the lock. When another
 * process holds it, the wait is bounded and reported: after a second, one
 * line on stderr names the holder ("waiting for the state lock held by pid
 * N"); after STATE_LOCK_TIMEOUT seconds (or $UPOD_LOCK_TIMEOUT) it fails,
 * naming the holder again, instead of hanging behind a stopped process. */
#define STATE_LOCK_TIMEOUT 30
int state_lock(int state_fd, upod_error_t *err);
/* The same for a process that records what happened (a monitor's exit, a
 * keeper's): it has no one to report to, and giving up would lose the
 * record, so it waits for as long as the lock is held. */
int state_lock_patient(int state_fd, upod_error_t *err);
/* The pid holding an flock on the file of fd (from /proc/locks), or 0 when
 * none is seen (or the holder is in no pid namespace we can see). */
pid_t state_lock_holder(int fd);

/* Open (creating if asked) a subdirectory, refusing symlinks. */
int state_open_subdir(int dirfd, const char *name, bool create, upod_error_t *err);

/* Remove a directory tree below dirfd (no symlinks followed). */
int state_remove_tree(int dirfd, const char *name, upod_error_t *err);
/* Under the state lock: remove from dirfd (pods/ or containers/) what a
 * command killed half-way left behind: ".new-*" and ".rm-*" entries, and
 * directories without the file `whole` (a record never written). Every
 * command makes and removes such entries only while it holds the lock, so
 * whatever a lock holder finds there is nobody's work in progress. Best
 * effort; returns how many entries went. */
int state_sweep(int dirfd, const char *whole);
/* Listing pods or containers, an entry failed to load with this error: is
 * it the listing that fails (out of fds or memory, I/O errors: a missing
 * entry would then be a lie, the listing must fail), rather than the
 * entry's files that are bad (garbage, truncated, too large, not a regular
 * file: the entry is shown unreadable, and only it is affected)? */
bool state_error_is_transient(const upod_error_t *load_err);

/* The state directory and its pods directory, opened for a command or an
 * operation (state_handle_close releases them). */
typedef struct {
    int state_fd;
    int pods_fd;
    char *path; /* of the state directory */
} state_handle_t;

int state_handle_open(state_handle_t *s, upod_error_t *err);
void state_handle_close(state_handle_t *s);

#endif
