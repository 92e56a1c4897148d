/* fuzz_envfile: the text of an --env-file (envfile_parse). */
#include "fuzz.h"

#include "text/envfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char **env;
    size_t n;
    upod_error_t err = {0};
    if (envfile_parse(text, &env, &n, &err) == 0) {
        /* Every entry is one line's KEY=VALUE, with a key. */
        for (size_t i = 0; i < n; i++)
            fuzz_require(env[i][0] != '=' && strchr(env[i], '=') && !strchr(env[i], '\n'));
        fuzz_require(env[n] == NULL);
        envfile_free(env, n);
    } else {
        fuzz_require(env == NULL && n == 0 && err.status != 0 && err.msg[0]);
    }
    free(text);
    return 0;
}
