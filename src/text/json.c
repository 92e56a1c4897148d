/* json.c: see json.h. */
#include "text/json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

static json_t *json_alloc(json_type_t type)
{
    json_t *v = xcalloc(1, sizeof(*v));
    v->type = type;
    return v;
}

json_t *json_new_object(void)
{
    return json_alloc(JSON_OBJECT);
}

json_t *json_new_array(void)
{
    return json_alloc(JSON_ARRAY);
}

json_t *json_new_string(const char *s)
{
    if (!s)
        return json_new_null();
    json_t *v = json_alloc(JSON_STRING);
    v->u.string = xstrdup(s);
    return v;
}

json_t *json_new_int(long long i)
{
    json_t *v = json_alloc(JSON_INT);
    v->u.integer = i;
    return v;
}

json_t *json_new_bool(bool b)
{
    json_t *v = json_alloc(JSON_BOOL);
    v->u.boolean = b;
    return v;
}

json_t *json_new_null(void)
{
    return json_alloc(JSON_NULL);
}

void json_free(json_t *v)
{
    if (!v)
        return;
    if (v->type == JSON_STRING)
        free(v->u.string);
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->u.list.len; i++)
            json_free(v->u.list.items[i]);
        free(v->u.list.items);
    }
    free(v->key);
    free(v);
}

static void list_push(json_t *container, json_t *value)
{
    if (container->u.list.len == container->u.list.cap) {
        container->u.list.cap = container->u.list.cap ? container->u.list.cap * 2 : 8;
        container->u.list.items =
            xrealloc(container->u.list.items, container->u.list.cap * sizeof(json_t *));
    }
    container->u.list.items[container->u.list.len++] = value;
}

json_t *json_append(json_t *array, json_t *value)
{
    list_push(array, value);
    return value;
}

json_t *json_get(const json_t *object, const char *key)
{
    if (!object || object->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->u.list.len; i++) {
        if (strcmp(object->u.list.items[i]->key, key) == 0)
            return object->u.list.items[i];
    }
    return NULL;
}

json_t *json_set(json_t *object, const char *key, json_t *value)
{
    free(value->key);
    value->key = xstrdup(key);
    for (size_t i = 0; i < object->u.list.len; i++) {
        if (strcmp(object->u.list.items[i]->key, key) == 0) {
            json_free(object->u.list.items[i]);
            object->u.list.items[i] = value;
            return value;
        }
    }
    list_push(object, value);
    return value;
}

json_t *json_set_string(json_t *object, const char *key, const char *s)
{
    return json_set(object, key, json_new_string(s));
}

json_t *json_set_int(json_t *object, const char *key, long long v)
{
    return json_set(object, key, json_new_int(v));
}

json_t *json_set_bool(json_t *object, const char *key, bool v)
{
    return json_set(object, key, json_new_bool(v));
}

static void print_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void print_indent(FILE *out, bool pretty, int depth)
{
    if (!pretty)
        return;
    fputc('\n', out);
    for (int i = 0; i < depth; i++)
        fputs("    ", out);
}

static void print_value(FILE *out, const json_t *v, bool pretty, int depth)
{
    switch (v->type) {
    case JSON_NULL:
        fputs("null", out);
        return;
    case JSON_BOOL:
        fputs(v->u.boolean ? "true" : "false", out);
        return;
    case JSON_INT:
        fprintf(out, "%lld", v->u.integer);
        return;
    case JSON_STRING:
        print_string(out, v->u.string);
        return;
    case JSON_ARRAY:
    case JSON_OBJECT:
        break;
    }
    bool object = v->type == JSON_OBJECT;
    fputc(object ? '{' : '[', out);
    for (size_t i = 0; i < v->u.list.len; i++) {
        const json_t *item = v->u.list.items[i];
        if (i)
            fputc(',', out);
        print_indent(out, pretty, depth + 1);
        if (object) {
            print_string(out, item->key);
            fputs(pretty ? ": " : ":", out);
        }
        print_value(out, item, pretty, depth + 1);
    }
    if (v->u.list.len)
        print_indent(out, pretty, depth);
    fputc(object ? '}' : ']', out);
}

void json_print(FILE *out, const json_t *v, bool pretty)
{
    print_value(out, v, pretty, 0);
    if (pretty)
        fputc('\n', out);
}

json_t *json_get_nocase(const json_t *object, const char *key)
{
    json_t *exact = json_get(object, key);
    if (exact || !object || object->type != JSON_OBJECT)
        return exact;
    for (size_t i = 0; i < object->u.list.len; i++) {
        if (strcasecmp(object->u.list.items[i]->key, key) == 0)
            return object->u.list.items[i];
    }
    return NULL;
}

static void yaml_scalar(FILE *out, const json_t *v)
{
    if (v->type == JSON_STRING) {
        /* Quote what YAML would misread: empty, leading/trailing space, ': '. */
        const char *s = v->u.string;
        size_t n = strlen(s);
        if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || strstr(s, ": ") || strchr("-#&*!|>'\"%@`{[", s[0]))
            print_string(out, s);
        else
            fputs(s, out);
    } else {
        print_value(out, v, false, 0);
    }
}

static void yaml_value(FILE *out, const json_t *v, int depth);

static void yaml_item(FILE *out, const json_t *item, int depth, const char *lead)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", out);
    fputs(lead, out);
    bool nested = (item->type == JSON_OBJECT || item->type == JSON_ARRAY) && item->u.list.len;
    if (nested) {
        fputc('\n', out);
        yaml_value(out, item, depth + 1);
        return;
    }
    if (*lead)
        fputc(' ', out);
    if (item->type == JSON_OBJECT || item->type == JSON_ARRAY)
        fputs(item->type == JSON_OBJECT ? "{}" : "[]", out);
    else
        yaml_scalar(out, item);
    fputc('\n', out);
}

static void yaml_value(FILE *out, const json_t *v, int depth)
{
    for (size_t i = 0; i < v->u.list.len; i++) {
        const json_t *item = v->u.list.items[i];
        if (v->type == JSON_OBJECT) {
            char *lead = xasprintf("%s:", item->key);
            yaml_item(out, item, depth, lead);
            free(lead);
        } else {
            yaml_item(out, item, depth, "-");
        }
    }
}

void json_print_yaml(FILE *out, const json_t *v)
{
    if (v->type == JSON_OBJECT || v->type == JSON_ARRAY)
        yaml_value(out, v, 0);
    else
        yaml_item(out, v, 0, "");
}
