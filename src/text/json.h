/* json.h: a small JSON value tree. Commands build one tree per object they
 * report, then print it as JSON (--format json) or through a Go-style
 * template (--format '{{.Name}}', see template.h), so both stay in sync. */
#ifndef UPOD_JSON_H
#define UPOD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type_t;

typedef struct json json_t;
struct json {
    json_type_t type;
    char *key; /* set when this value is a member of an object */
    union {
        bool boolean;
        long long integer;
        char *string;
        struct {
            json_t **items;
            size_t len, cap;
        } list; /* array elements or object members, in insertion order */
    } u;
};

json_t *json_new_object(void);
json_t *json_new_array(void);
json_t *json_new_string(const char *s); /* NULL gives a JSON null */
json_t *json_new_int(long long v);
json_t *json_new_bool(bool v);
json_t *json_new_null(void);
void json_free(json_t *v);

/* Append to an array; set (add or replace) an object member. Both take
 * ownership of the value and return it. */
json_t *json_append(json_t *array, json_t *value);
json_t *json_set(json_t *object, const char *key, json_t *value);
json_t *json_set_string(json_t *object, const char *key, const char *s);
json_t *json_set_int(json_t *object, const char *key, long long v);
json_t *json_set_bool(json_t *object, const char *key, bool v);

/* Member by key, or NULL. */
json_t *json_get(const json_t *object, const char *key);

/* Print indented by 4 spaces per level (as podman does), or compact. */
void json_print(FILE *out, const json_t *v, bool pretty);



/* Print as YAML-style indented "key: value" lines (podman info's default). */
void json_print_yaml(FILE *out, const json_t *v);

/* Member by key, ignoring ASCII case (for templates: {{.Host.Kernel}} finds
 * "host"/"kernel" as in podman). Exact matches win. */
json_t *json_get_nocase(const json_t *object, const char *key);
#endif
