/* envfile.c: see envfile.h. */
#include "text/envfile.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text/ctropts.h"
#include "base/util.h"

/* Lines that carry no variable: comments and blank lines. */
static bool line_is_skipped(const char *line)
{
    return line[0] == '#' || line[strspn(line, " \t")] == '\0';
}

void envfile_free(char **env, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(env[i]);
    free(env);
}

int envfile_parse(const char *text, char ***out, size_t *n, upod_error_t *err)
{
    cleanup_free char *copy = xstrdup(text);
    char **env = xcalloc(1, sizeof(char *));
    size_t count = 0, lineno = 0;
    /* Line by line, counting every line (empty ones too) so that an error
     * names the line an editor shows. */
    char *line = copy;
    while (*line) {
        size_t len = strcspn(line, "\n");
        bool last = line[len] == '\0';
        line[len] = '\0';
        lineno++;
        char *v = NULL;
        if (!line_is_skipped(line)) {
            if (env_parse(line, &v, err) < 0) {
                upod_error_wrap(err, "line %zu", lineno);
                envfile_free(env, count);
                *out = NULL;
                *n = 0;
                return -1;
            }
        }
        if (v)
            strv_push(&env, &count, v);
        if (last)
            break;
        line += len + 1;
    }
    *out = env;
    *n = count;
    return 0;
}
