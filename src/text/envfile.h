/* envfile.h: the text of an --env-file, as podman reads it. A pure parser
 * (but for the environment lookup of a bare KEY), fuzzed in tests/fuzz. */
#ifndef UPOD_ENVFILE_H
#define UPOD_ENVFILE_H

#include <stddef.h>

#include "base/error.h"

/* One variable per line: KEY=VALUE is taken as it stands; a bare KEY takes
 * its value from upod's own environment (and is left out when unset).
 * Lines starting with '#' and lines of only blanks are skipped. The text
 * ends at its first NUL byte. *out: a NULL-terminated list of malloc'd
 * "KEY=VALUE" strings, *n of them. A line starting with '=' fails, naming
 * the line ("line 3: ..."); then *out is NULL. */
int envfile_parse(const char *text, char ***out, size_t *n, upod_error_t *err);

/* Free a list as envfile_parse returns it. */
void envfile_free(char **env, size_t n);

#endif
