/* template.c: see template.h. */
#include "text/template.h"

#include <ctype.h>
#include <string.h>

#include "base/util.h"

typedef enum { SEG_TEXT, SEG_FIELD, SEG_JSON } seg_kind_t;

typedef struct {
    seg_kind_t kind;
    char *text;   /* SEG_TEXT: literal; others: the path without its leading '.' */
} segment_t;

struct template {
    segment_t *segs;
    size_t nsegs;
    bool ends_with_newline;
};

void template_free(template_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsegs; i++)
        free(t->segs[i].text);
    free(t->segs);
    free(t);
}

static void add_segment(template_t *t, seg_kind_t kind, char *text)
{
    t->segs = xrealloc(t->segs, (t->nsegs + 1) * sizeof(*t->segs));
    t->segs[t->nsegs].kind = kind;
    t->segs[t->nsegs].text = text;
    t->nsegs++;
}

/* Literal text with "\t" and "\n" turned into the characters. */
static char *unescape_text(const char *s, size_t len)
{
    char *out = xmalloc(len + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && (s[i + 1] == 't' || s[i + 1] == 'n')) {
            *o++ = s[i + 1] == 't' ? '\t' : '\n';
            i++;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static bool valid_path(const char *p)
{
    /* "." alone, or ".Name(.Name)*" */
    if (strcmp(p, ".") == 0)
        return true;
    if (*p != '.')
        return false;
    while (*p == '.') {
        p++;
        if (!isalpha((unsigned char)*p) && *p != '_')
            return false;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
    }
    return *p == '\0';
}

/* One action "{{ ... }}" body, already trimmed. */
static int compile_action(template_t *t, const char *body, size_t len, upod_error_t *err)
{
    cleanup_free char *action = xmalloc(len + 1);
    memcpy(action, body, len);
    action[len] = '\0';
    seg_kind_t kind = SEG_FIELD;
    char *path = action;
    if (strncmp(action, "json", 4) == 0 && isspace((unsigned char)action[4])) {
        kind = SEG_JSON;
        path = action + 4;
        while (isspace((unsigned char)*path))
            path++;
    }
    if (!valid_path(path))
        return upod_fail(err, 0, "invalid --format template: unsupported action {{%s}} "
                                 "(upod supports {{.Field}}, {{.A.B}} and {{json .Field}})",
                         action);
    add_segment(t, kind, xstrdup(path[1] ? path + 1 : ""));
    return 0;
}

template_t *template_compile(const char *format, upod_error_t *err)
{
    template_t *t = xcalloc(1, sizeof(*t));
    const char *p = format;
    while (*p) {
        const char *open = strstr(p, "{{");
        size_t text_len = open ? (size_t)(open - p) : strlen(p);
        if (text_len)
            add_segment(t, SEG_TEXT, unescape_text(p, text_len));
        if (!open)
            break;
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            upod_fail(err, 0, "invalid --format template: unclosed action in \"%s\"", format);
            template_free(t);
            return NULL;
        }
        const char *b = open + 2, *e = close;
        if (*b == '-') /* {{- trims whitespace in Go; accepted and ignored */
            b++;
        if (e > b && e[-1] == '-')
            e--;
        while (b < e && isspace((unsigned char)*b))
            b++;
        while (e > b && isspace((unsigned char)e[-1]))
            e--;
        if (compile_action(t, b, (size_t)(e - b), err) < 0) {
            template_free(t);
            return NULL;
        }
        p = close + 2;
    }
    t->ends_with_newline = t->nsegs && t->segs[t->nsegs - 1].kind == SEG_TEXT &&
                           t->segs[t->nsegs - 1].text[0] &&
                           t->segs[t->nsegs - 1].text[strlen(t->segs[t->nsegs - 1].text) - 1] == '\n';
    return t;
}

/* The value at path (Go's .A.B, any case) in v. As a shape (a row that
 * stands for rows not shown), an empty object ends the walk: a map, whose
 * keys no one can know before there are rows. */
static const json_t *lookup(const json_t *v, const char *path, bool shape, upod_error_t *err)
{
    cleanup_free char *copy = xstrdup(path);
    char *save = NULL;
    for (char *name = strtok_r(copy, ".", &save); name; name = strtok_r(NULL, ".", &save)) {
        if (shape && v->type == JSON_OBJECT && v->u.list.len == 0)
            return v;
        const json_t *next = json_get_nocase(v, name);
        if (!next) {
            upod_fail(err, 0, "template: can't evaluate field %s at <.%s>: no such field "
                              "(--format json shows the fields there are)",
                      name, path);
            return NULL;
        }
        v = next;
    }
    return v;
}

/* Every field the template names is in v. */
static int check_fields(const template_t *t, const json_t *v, bool shape, upod_error_t *err)
{
    for (size_t i = 0; i < t->nsegs; i++) {
        if (t->segs[i].kind != SEG_TEXT && !lookup(v, t->segs[i].text, shape, err))
            return -1;
    }
    return 0;
}

/* How Go's text/template prints a value: strings raw, lists as [a b]. */
static void print_plain(FILE *out, const json_t *v)
{
    switch (v->type) {
    case JSON_NULL:
        fputs("<no value>", out);
        break;
    case JSON_BOOL:
        fputs(v->u.boolean ? "true" : "false", out);
        break;
    case JSON_INT:
        fprintf(out, "%lld", v->u.integer);
        break;
    case JSON_STRING:
        fputs(v->u.string, out);
        break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        fputs(v->type == JSON_OBJECT ? "map[" : "[", out);
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i)
                fputc(' ', out);
            if (v->type == JSON_OBJECT)
                fprintf(out, "%s:", v->u.list.items[i]->key);
            print_plain(out, v->u.list.items[i]);
        }
        fputc(']', out);
        break;
    }
}

int template_render(const template_t *t, const json_t *value, FILE *out, upod_error_t *err)
{
    /* Resolve every field first so that a bad one prints nothing at all. */
    if (check_fields(t, value, false, err) < 0)
        return -1;
    for (size_t i = 0; i < t->nsegs; i++) {
        const segment_t *s = &t->segs[i];
        if (s->kind == SEG_TEXT)
            fputs(s->text, out);
        else if (s->kind == SEG_FIELD)
            print_plain(out, lookup(value, s->text, false, err));
        else
            json_print(out, lookup(value, s->text, false, err), false);
    }
    if (!t->ends_with_newline)
        fputc('\n', out);
    return 0;
}

int format_rows(const char *format, const json_t *value, const json_t *shape, FILE *out,
                upod_error_t *err)
{
    if (strcmp(format, "json") == 0) {
        json_print(out, value, true);
        return 0;
    }
    template_t *t = template_compile(format, err);
    if (!t)
        return -1;
    bool many = value->type == JSON_ARRAY;
    size_t n = many ? value->u.list.len : 1;
    /* Every field checked, in the shape and in every row, before the first
     * row is printed: an unknown field prints nothing, even with no rows. */
    int ret = shape ? check_fields(t, shape, true, err) : 0;
    for (size_t i = 0; i < n && ret == 0; i++)
        ret = check_fields(t, many ? value->u.list.items[i] : value, false, err);
    for (size_t i = 0; i < n && ret == 0; i++)
        ret = template_render(t, many ? value->u.list.items[i] : value, out, err);
    template_free(t);
    return ret;
}

int format_output(const char *format, const json_t *value, FILE *out, upod_error_t *err)
{
    return format_rows(format, value, NULL, out, err);
}
