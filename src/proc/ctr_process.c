/* ctr_process.c: see ctr_process.h. */
#include "proc/ctr_process.h"

#include "proc/init.h"
#include "sandbox/container.h"

void container_start(void *arg, int fresh)
{
    const container_spec_t *spec = arg;
    container_spec_t ready;
    container_setup_network(spec, fresh);
    container_setup(spec, &ready);
    if (spec->init)
        init_run(&ready);
    container_exec_command(&ready);
}
