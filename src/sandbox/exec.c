/* exec.c: see exec.h. */
#include "sandbox/exec.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/compat.h"
#include "base/sync.h"
#include "base/util.h"
#include "sandbox/container.h"
#include "sandbox/join.h"
#include "sandbox/terminal.h"

/* The exec'd process, in the container's namespaces (join.h). */
static void exec_main(void *spec)
{
    container_exec(spec);
}

int ctr_exec(const ctr_t *c, char **argv, char **extra_env, uid_t uid, gid_t gid,
             const char *workdir, bool tty, unsigned preserve_fds, upod_error_t *err)
{
    if (ctr_effective_status(c) != CTR_RUNNING)
        return upod_fail(err, 0, "can only exec in running containers: %s is %s", c->name,
                         ctr_status_name(ctr_effective_status(c)));
    cleanup_close int pidfd = proc_ref_pidfd(&c->init, err);
    if (pidfd < 0)
        return upod_fail(err, 0, "container %s has no running process", c->name);
    container_spec_t spec;
    memset(&spec, 0, sizeof(spec));
    spec.join_only = true;
    spec.argv = argv;
    spec.uid = uid;
    spec.gid = gid;
    spec.workdir = (char *)(workdir ? workdir : "/");
    spec.caps = c->caps;
    size_t n = 0;
    spec.env = xcalloc(c->nenv + 64, sizeof(char *));
    for (size_t i = 0; i < c->nenv; i++)
        spec.env[n++] = c->env[i];
    if (tty)
        spec.env[n++] = "TERM=xterm";
    for (size_t i = 0; extra_env && extra_env[i] && n < c->nenv + 62; i++)
        spec.env[n++] = extra_env[i]; /* later entries win in most programs' getenv */
    int console[2] = {-1, -1};
    if (tty && sync_socketpair(console, err) < 0) {
        free(spec.env);
        return -1;
    }
    spec.console = tty;
    spec.console_fd = console[1];
    spec.preserve_fds = preserve_fds;
    /* Not the cgroup namespace: the kernel refuses it to a process that
     * entered the user namespace with setns (as `nsenter -C` shows). */
    int join = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS |
               CLONE_NEWIPC;
    cleanup_free char *what = xasprintf("container %s", c->name);
    join_target_t target = {.ns = NULL, .pidfd = pidfd, .what = what, .flags = join, .cwd = NULL};
    int fds[CONTAINER_CHILD_FDS_MAX];
    spawn_keep_t keep = {fds, container_child_fds(&spec, fds), preserve_fds, -1};
    pid_t child = join_spawn(&target, &keep, exec_main, &spec, err);
    free(spec.env);
    if (console[1] >= 0)
        close(console[1]);
    int master = -1;
    upod_error_t no_console = {0};
    if (child > 0 && tty && terminal_receive(console[0], &master, &no_console) < 0)
        master = -1; /* the command could not be set up: its status says so */
    if (console[0] >= 0)
        close(console[0]);
    if (child < 0)
        return -1;
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    if (master >= 0) {
        int code = terminal_relay(master, child);
        close(master);
        return code;
    }
    int status;
    if (TEMP_FAILURE_RETRY(waitpid(child, &status, 0)) < 0)
        return upod_fail(err, errno, "waiting for the exec'd command");
    return exit_code_from_status(status);
}
