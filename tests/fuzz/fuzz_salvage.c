/* fuzz_salvage: what upod still reads of a state file it cannot parse
 * (state_salvage_file, state.c), and the pids it takes from that
 * (proc_ref_from_kv): the input is written to a file and salvaged. Every
 * pair kept must be a line that parses alone and round-trips, and a pid
 * read back is either nothing or in range. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "state/kvfile.h"
#include "base/proc.h"
#include "state/state.h"

static char work_path[] = "/tmp/upod-fuzz-salvage.XXXXXX";

/* Nothing of the run is left in /tmp. */
static void remove_work_dir(void)
{
    char file[sizeof(work_path) + 16];
    snprintf(file, sizeof(file), "%s/record", work_path);
    unlink(file);
    rmdir(work_path);
}

/* A directory of our own for the file, made once per process and removed
 * when it exits. */
static int work_dir(void)
{
    static int fd = -1;
    if (fd < 0) {
        fuzz_require(mkdtemp(work_path) != NULL);
        fuzz_require(atexit(remove_work_dir) == 0);
        fd = open(work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fuzz_require(fd >= 0);
    }
    return fd;
}

static void check_pair(const kv_pair_t *pair)
{
    kv_t one, again;
    upod_error_t err = {0};
    kv_init(&one);
    kv_add(&one, pair->key, pair->value);
    char *text = kv_serialize(&one);
    fuzz_require(kv_parse(text, &again, &err) == 0);
    fuzz_require(again.len == 1 && strcmp(again.pairs[0].key, pair->key) == 0 &&
                 strcmp(again.pairs[0].value, pair->value) == 0);
    kv_clear(&again);
    kv_clear(&one);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int dir = work_dir();
    int fd = openat(dir, "record", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    fuzz_require(fd >= 0);
    fuzz_require(fd_write_all(fd, data, size) == 0);
    close(fd);
    kv_t kv;
    state_salvage_file(dir, "record", &kv);
    for (size_t i = 0; i < kv.len; i++)
        check_pair(&kv.pairs[i]);
    proc_ref_t ref = proc_ref_from_kv(&kv, "keeper_pid", "keeper_start");
    fuzz_require((ref.pid == 0 && ref.start == 0) || (ref.pid > 0 && ref.start > 0));
    kv_clear(&kv);
    return 0;
}
