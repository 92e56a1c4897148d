/* template.h: the subset of Go templates that podman users pass to --format:
 *   {{.Field}}, {{.Field.Sub}}, {{.}}, {{json .Field}}, {{ .Field }}, and
 *   literal text in which "\t" and "\n" (backslash sequences as typed in a
 *   shell) become a tab and a newline, as podman's report package does.
 * Values come from a json_t tree (see json.h). */
#ifndef UPOD_TEMPLATE_H
#define UPOD_TEMPLATE_H

#include <stdio.h>

#include "base/error.h"
#include "text/json.h"

typedef struct template template_t;

/* Parse a format; syntax errors are reported here, before any output. */
template_t *template_compile(const char *format, upod_error_t *err);
/* Render one value, ending with a newline (added if the format has none). */
int template_render(const template_t *t, const json_t *value, FILE *out, upod_error_t *err);
void template_free(template_t *t);

/* --format handling shared by every command: "json" prints the value as
 * indented JSON; anything else is a template applied to the value, or to each
 * element when the value is an array. A field that is not there is an
 * error, found in every element before anything is printed. */
int format_output(const char *format, const json_t *value, FILE *out, upod_error_t *err);
/* format_output of a listing (ps, pod ps), whose rows may be none: the
 * template's fields are also checked against shape, one row of the kind
 * listed, so that an unknown field is an error before any output, rows or
 * not (only an empty object in shape, a map, cannot be checked). */
int format_rows(const char *format, const json_t *rows, const json_t *shape, FILE *out,
                upod_error_t *err);

#endif
