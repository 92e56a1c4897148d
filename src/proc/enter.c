/* enter.c: see enter.h. */
#include "proc/enter.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sync.h"
#include "net/netlink.h"
#include "proc/spawn.h"

/* pod enter's command shares the CLI's stderr: its failures go there. */
__attribute__((noreturn)) static void die_child(int code, const char *what, int errnum)
{
    sync_fail_exit(-1, code, what, errnum);
}

static void mount_fresh(const char *fs, const char *target, const char *data)
{
    struct stat st;
    if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    if (mount(fs, target, fs, MS_NOSUID | MS_NODEV | MS_NOEXEC, data) < 0)
        die_child(EXIT_UPOD_FAILED, "cannot mount a fresh filesystem in the entered process",
                  errno);
}

typedef struct {
    const pod_t *pod;
    char **argv;
} enter_args_t;

/* The process that runs the command: set up what is fresh, then exec. */
static void enter_exec(void *arg, int fresh)
{
    const pod_t *pod = ((enter_args_t *)arg)->pod;
    char **argv = ((enter_args_t *)arg)->argv;
    upod_error_t err = {0};
    if (fresh & CLONE_NEWPID)
        mount_fresh("proc", "/proc", NULL);
    if (fresh & CLONE_NEWIPC) {
        mount_fresh("tmpfs", "/dev/shm", "mode=1777,size=65536k");
        mount_fresh("mqueue", "/dev/mqueue", NULL);
    }
    if ((fresh & CLONE_NEWNET) && netlink_link_up(1, &err) < 0)
        die_child(EXIT_UPOD_FAILED, err.msg, err.errnum);
    if (pod->config.keep_id) {
        /* keep-id: the user's own ids inside, and no capabilities. */
        gid_t gid = getgid();
        uid_t uid = getuid();
        if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
            die_child(EXIT_UPOD_FAILED, "cannot switch to your uid in the pod", errno);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    execvp(argv[0], argv);
    int saved = errno;
    char what[512];
    snprintf(what, sizeof(what), "%s: %s", argv[0],
             saved == ENOENT ? "executable file not found in $PATH" : "cannot run it");
    die_child(saved == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, what,
              saved == ENOENT ? 0 : saved);
}

int pod_enter(const pod_t *pod, int pods_fd, bool all_infra, char **argv, upod_error_t *err)
{
    enter_args_t args = {.pod = pod, .argv = argv};
    return pod_spawn(pod, pods_fd, all_infra, 0, enter_exec, &args, err);
}
