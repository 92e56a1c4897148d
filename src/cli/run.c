/* run.c: `upod run [--pod POD|new:NAME] --rootfs DIR [OPTIONS] CMD...`:
 * create the container (ctr_create.c), start its pod if needed, then run
 * it: attached (upod waits and exits with its status: 125, 126, 127 as
 * podman), with a terminal (-t), or detached under a monitor (-d).
 *
 * An attached container has a record as any other, with this process as
 * its monitor: `ps -a` shows it running, then exited, as podman does. A
 * container whose setup or exec fails leaves no record (nor the pod made
 * for it). */
#include <stdio.h>

#include "cli/cmd.h"
#include "core/ctr_ops.h"
#include "state/ctr.h"
#include "state/state.h"

/* Start the pod (podman does), then the container, attached or not. A
 * container that could not be run leaves no record (nor the pod made for
 * it). */
static int run_container(state_handle_t *st, int ctrs_fd, const ctr_create_opts_t *o, ctr_t *c,
                         upod_error_t *err)
{
    if (o->detach) {
        int ret = core_ctr_start(st, ctrs_fd, c, o->preserve_fds, err);
        if (ret == 0)
            printf("%s\n", c->id);
        else
            core_ctr_remove(st, ctrs_fd, c, &(upod_error_t){0});
        return ret;
    }
    return core_ctr_run_attached(st, ctrs_fd, c, o->preserve_fds, err);
}

int cmd_run(int argc, char **argv, upod_error_t *err)
{
    return ctr_create_command(argc, argv, true, run_container, err);
}
