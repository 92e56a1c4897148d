/* replay.c: run a fuzz target over files, without libFuzzer (so gcc builds
 * it): `replay_<target> FILE...` calls LLVMFuzzerTestOneInput once per file
 * and prints one line per file. A crash or a broken property aborts (ASan,
 * UBSan, fuzz_require), so a zero exit status means every input passed.
 * `make check` runs it over tests/fuzz/corpus/<target>/ and
 * tests/fuzz/regressions/<target>/. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* The whole file into a malloc'd buffer of exactly its size. */
static int read_input(const char *path, uint8_t **data, size_t *size)
{
    char *text;
    if (read_file_at(AT_FDCWD, path, 1 << 24, &text, size) < 0)
        return -1;
    *data = xmalloc(*size ? *size : 1);
    memcpy(*data, text, *size);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        uint8_t *data;
        size_t size;
        if (read_input(argv[i], &data, &size) < 0) {
            fprintf(stderr, "replay: cannot read %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        fprintf(stderr, "replay: %s: passed\n", argv[i]);
    }
    return 0;
}
