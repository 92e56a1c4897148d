/* records.c: see records.h. */
#include "state/records.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "state/state.h"

bool record_id_valid(const char *s)
{
    return s && strlen(s) == RECORD_ID_LEN && strspn(s, "0123456789abcdef") == RECORD_ID_LEN;
}

static void *record_at(const records_kind_t *k, void *list, size_t i)
{
    return (char *)list + i * k->size;
}

static const void *record_at_const(const records_kind_t *k, const void *list, size_t i)
{
    return (const char *)list + i * k->size;
}

static const char *id_of(const records_kind_t *k, const void *rec)
{
    return (const char *)rec + k->id_at;
}

static long long created_of(const records_kind_t *k, const void *rec)
{
    return *(const long long *)(const void *)((const char *)rec + k->created_at);
}

static const char *unreadable_of(const records_kind_t *k, const void *rec)
{
    return *(char *const *)(const void *)((const char *)rec + k->unreadable_at);
}

int records_load(int dir_fd, const records_kind_t *k, const char *id, void *out,
                 upod_error_t *err)
{
    memset(out, 0, k->size);
    cleanup_close int fd = state_open_subdir(dir_fd, id, false, err);
    if (fd < 0)
        return -1;
    return k->load(fd, id, out, err);
}

/* dir_fd/id for a listing or a lookup: 0 read whole, 1 unreadable (out:
 * what was salvaged), -1 with err when it is no record (gone meanwhile, or
 * without its whole_file: ENOENT) or when reading it failed for want of
 * resources (state_error_is_transient: the caller fails too). */
static int load_entry(int dir_fd, const records_kind_t *k, const char *id, void *out,
                      upod_error_t *err)
{
    memset(out, 0, k->size);
    cleanup_close int fd = state_open_subdir(dir_fd, id, false, err);
    if (fd < 0)
        return -1;
    upod_error_t why = {0};
    if (k->load(fd, id, out, &why) == 0)
        return 0;
    if (state_error_is_transient(&why)) {
        *err = why;
        return -1;
    }
    struct stat st;
    if (fstatat(fd, k->whole_file, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        return upod_fail(err, ENOENT, "%s/%s has no %s", k->dir_name, id, k->whole_file);
    k->salvage(fd, id, &why, out);
    return 1;
}

/* ---- listing ---- */

typedef struct {
    char *items;
    size_t n, capacity;
} record_array_t;

static void array_append(const records_kind_t *k, record_array_t *a, const void *rec)
{
    if (a->n == a->capacity) {
        a->capacity = a->capacity ? 2 * a->capacity : 8;
        a->items = xrealloc(a->items, a->capacity * k->size);
    }
    memcpy(a->items + a->n * k->size, rec, k->size);
    a->n++;
}

typedef struct {
    long long created;
    size_t index; /* in directory order */
} created_key_t;

static int newest_first(const void *a, const void *b)
{
    const created_key_t *x = a, *y = b;
    if (x->created != y->created)
        return (x->created < y->created) - (x->created > y->created);
    return (x->index > y->index) - (x->index < y->index);
}

/* qsort has no room for k: the creation times are sorted as keys, and the
 * records moved after them. */
static void sort_newest_first(const records_kind_t *k, record_array_t *a)
{
    if (a->n < 2)
        return;
    created_key_t *keys = xcalloc(a->n, sizeof(*keys));
    for (size_t i = 0; i < a->n; i++)
        keys[i] = (created_key_t){created_of(k, record_at(k, a->items, i)), i};
    qsort(keys, a->n, sizeof(*keys), newest_first);
    char *sorted = xmalloc(a->n * k->size);
    for (size_t i = 0; i < a->n; i++)
        memcpy(sorted + i * k->size, record_at(k, a->items, keys[i].index), k->size);
    free(a->items);
    a->items = sorted;
    a->capacity = a->n;
    free(keys);
}

/* Read each record of d into whole or unreadable (NULL: left out). */
static int read_entries(DIR *d, int dir_fd, const records_kind_t *k, record_array_t *whole,
                        record_array_t *unreadable, upod_error_t *err)
{
    cleanup_free void *rec = xmalloc(k->size);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!record_id_valid(e->d_name))
            continue;
        upod_error_t failed = {0};
        int r = load_entry(dir_fd, k, e->d_name, rec, &failed);
        if (r < 0 && state_error_is_transient(&failed)) {
            *err = failed;
            return -1;
        }
        if (r == 0)
            array_append(k, whole, rec);
        else if (r == 1 && unreadable)
            array_append(k, unreadable, rec);
        else if (r == 1)
            k->clear(rec);
        /* else removed meanwhile, or never whole */
    }
    return 0;
}

int records_list(int dir_fd, const records_kind_t *k, bool with_unreadable, void **out,
                 size_t *n, upod_error_t *err)
{
    *out = NULL;
    *n = 0;
    /* A description of its own, read from the start: dir_fd's offset is
     * left alone. */
    int dfd = dup(dir_fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        int saved = errno;
        if (dfd >= 0)
            close(dfd);
        return upod_fail(err, saved, "cannot list %s", k->dir_name);
    }
    rewinddir(d);
    record_array_t whole = {0}, bad = {0};
    int r = read_entries(d, dir_fd, k, &whole, with_unreadable ? &bad : NULL, err);
    closedir(d);
    if (r < 0) {
        records_free(k, whole.items, whole.n);
        records_free(k, bad.items, bad.n);
        return -1;
    }
    sort_newest_first(k, &whole);
    sort_newest_first(k, &bad);
    for (size_t i = 0; i < bad.n; i++)
        array_append(k, &whole, record_at(k, bad.items, i));
    free(bad.items);
    *out = whole.items;
    *n = whole.n;
    return 0;
}

void records_free(const records_kind_t *k, void *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        k->clear(record_at(k, list, i));
    free(list);
}

int records_list_ids(int dir_fd, const records_kind_t *k, bool with_unreadable, char ***ids,
                     size_t *n, upod_error_t *err)
{
    void *list;
    *ids = NULL;
    if (records_list(dir_fd, k, with_unreadable, &list, n, err) < 0)
        return -1;
    /* The pointers, then the ids they point to. */
    const size_t id_size = RECORD_ID_LEN + 1;
    char **v = xmalloc(*n * (sizeof(char *) + id_size) + 1);
    char *text = (char *)(v + *n);
    for (size_t i = 0; i < *n; i++)
        v[i] = memcpy(text + i * id_size, id_of(k, record_at(k, list, i)), id_size);
    records_free(k, list, *n);
    *ids = v;
    return 0;
}

/* ---- lookup ---- */

record_match_t records_match(const records_kind_t *k, const void *list, size_t n, const char *ref,
                             size_t *index)
{
    for (size_t i = 0; i < n; i++) {
        const void *rec = record_at_const(k, list, i);
        if (strcmp(id_of(k, rec), ref) == 0 || k->has_name(rec, ref)) {
            *index = i;
            return RECORD_MATCH_ONE;
        }
    }
    size_t len = strlen(ref), matches = 0;
    if (len == 0 || len >= RECORD_ID_LEN)
        return RECORD_MATCH_NONE;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(id_of(k, record_at_const(k, list, i)), ref, len) == 0) {
            *index = i;
            matches++;
        }
    }
    return matches == 0 ? RECORD_MATCH_NONE : matches == 1 ? RECORD_MATCH_ONE
                                                           : RECORD_MATCH_AMBIGUOUS;
}

/* The outcome of reading ref as a record's directory. */
enum { NOT_AN_ENTRY = 2 };

/* ref as the id of a record of dir_fd: 0 or 1 as load_entry, -1 with err
 * when reading fails for want of resources, NOT_AN_ENTRY when ref names no
 * record there (it may still be a name: the caller lists). */
static int load_by_id(int dir_fd, const records_kind_t *k, const char *ref, void *out,
                      upod_error_t *err)
{
    if (!record_id_valid(ref))
        return NOT_AN_ENTRY;
    upod_error_t failed = {0};
    int r = load_entry(dir_fd, k, ref, out, &failed);
    if (r >= 0)
        return r;
    if (state_error_is_transient(&failed)) {
        *err = failed;
        return -1;
    }
    return NOT_AN_ENTRY;
}

/* ref matched against every record (records_match), the one found moved
 * into out. */
static int find_in_listing(int dir_fd, const records_kind_t *k, const char *ref, void *out,
                           upod_error_t *err)
{
    void *list;
    size_t n, found = 0;
    if (records_list(dir_fd, k, true, &list, &n, err) < 0)
        return -1;
    record_match_t m = records_match(k, list, n, ref, &found);
    if (m == RECORD_MATCH_ONE) {
        memcpy(out, record_at(k, list, found), k->size);
        memset(record_at(k, list, found), 0, k->size);
    }
    records_free(k, list, n);
    if (m == RECORD_MATCH_AMBIGUOUS)
        return upod_fail(err, 0, "more than one result for %s ID %s", k->noun, ref);
    if (m == RECORD_MATCH_NONE) {
        const char *q = k->not_found_quote;
        upod_fail(err, 0, "no %s with name or ID %s%s%s found: no such %s", k->noun, q, ref, q,
                  k->noun);
        err->kind = UPOD_ERR_NO_SUCH;
        return -1;
    }
    return 0;
}

int records_lookup(int dir_fd, const records_kind_t *k, const char *ref, bool any, void *out,
                   upod_error_t *err)
{
    int r = load_by_id(dir_fd, k, ref, out, err);
    if (r == NOT_AN_ENTRY)
        r = find_in_listing(dir_fd, k, ref, out, err);
    const char *why = r < 0 ? NULL : unreadable_of(k, out);
    if (why && !any) {
        const char *id = id_of(k, out);
        r = upod_fail(err, 0, "%s %.12s cannot be read (%s): '%s %.12s' removes it and ends "
                              "its processes",
                      k->noun, id, why, k->remove_cmd, id);
        k->clear(out);
    }
    if (r < 0) {
        memset(out, 0, k->size);
        return -1;
    }
    return 0;
}
