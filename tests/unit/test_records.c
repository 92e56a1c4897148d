/* Unit tests: directories of records (src/state/records.c), with a kind of
 * record of the test's own: matching a ref (pure), the listing's order and
 * what it leaves out, and the lookups, a full id reading one record only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "state/records.h"
#include "state/state.h"

typedef struct {
    char id[RECORD_ID_LEN + 1];
    char *name;
    long long created;
    char *unreadable;
} thing_t;

/* How many records the kind's load read: a lookup by full id reads one. */
static int loads;

/* A thing's file, "rec": "NAME CREATED"; one that begins with '!' is bad. */
static int load_thing(int rec_fd, const char *id, void *out, upod_error_t *err)
{
    thing_t *t = out;
    cleanup_free char *text = NULL;
    char name[64];
    loads++;
    if (state_read_file(rec_fd, "rec", &text, err) < 0)
        return -1;
    if (text[0] == '!' || sscanf(text, "%63s %lld", name, &t->created) != 2)
        return upod_fail(err, 0, "things/%s/rec: bad", id);
    memcpy(t->id, id, sizeof(t->id));
    t->name = xstrdup(name);
    return 0;
}

static void salvage_thing(int rec_fd, const char *id, const upod_error_t *why, void *out)
{
    (void)rec_fd;
    thing_t *t = out;
    memcpy(t->id, id, sizeof(t->id));
    t->name = xstrdup("");
    t->unreadable = xstrdup(why->msg);
}

static void clear_thing(void *rec)
{
    thing_t *t = rec;
    free(t->name);
    free(t->unreadable);
    memset(t, 0, sizeof(*t));
}

static bool thing_has_name(const void *rec, const char *ref)
{
    const thing_t *t = rec;
    return t->name[0] && strcmp(t->name, ref) == 0;
}

static const records_kind_t things = {
    .size = sizeof(thing_t),
    .noun = "thing",
    .dir_name = "things",
    .whole_file = "rec",
    .remove_cmd = "rm-thing -f",
    .not_found_quote = "'",
    .load = load_thing,
    .salvage = salvage_thing,
    .clear = clear_thing,
    .id_at = offsetof(thing_t, id),
    .created_at = offsetof(thing_t, created),
    .unreadable_at = offsetof(thing_t, unreadable),
    .has_name = thing_has_name,
};

/* An id: head, then '0's up to the last digit, tail. */
static void make_id(char out[RECORD_ID_LEN + 1], const char *head, char tail)
{
    memset(out, '0', RECORD_ID_LEN);
    out[RECORD_ID_LEN] = '\0';
    memcpy(out, head, strlen(head));
    out[RECORD_ID_LEN - 1] = tail;
}

static void test_record_id_valid(void **state)
{
    (void)state;
    char id[RECORD_ID_LEN + 1];
    make_id(id, "0123456789abcdef", 'f');
    assert_true(record_id_valid(id));
    id[3] = 'A';
    assert_false(record_id_valid(id));
    id[3] = 'g';
    assert_false(record_id_valid(id));
    id[3] = '3';
    id[RECORD_ID_LEN - 1] = '\0';
    assert_false(record_id_valid(id));
    assert_false(record_id_valid(""));
    assert_false(record_id_valid(NULL));
    char rm[RECORD_ID_LEN + 8];
    make_id(id, "ab", '1');
    snprintf(rm, sizeof(rm), ".rm-%s", id);
    assert_false(record_id_valid(rm));
}

/* ---- records_match, on records in memory ---- */

static void test_match(void **state)
{
    (void)state;
    thing_t list[4] = {0};
    make_id(list[0].id, "ab12", '1');
    make_id(list[1].id, "ab13", '2');
    make_id(list[2].id, "cd", '3');
    make_id(list[3].id, "ef", '4');
    list[0].name = "web";
    list[1].name = "cd"; /* a name that is also a prefix of list[2]'s id */
    list[2].name = "";   /* unreadable and nameless */
    list[3].name = "web"; /* unreadable, the name of a whole one */
    size_t i = 99;

    assert_int_equal(records_match(&things, list, 4, "web", &i), RECORD_MATCH_ONE);
    assert_int_equal(i, 0); /* the first: whole ones come first */
    assert_int_equal(records_match(&things, list, 4, list[3].id, &i), RECORD_MATCH_ONE);
    assert_int_equal(i, 3);
    assert_int_equal(records_match(&things, list, 4, "cd", &i), RECORD_MATCH_ONE);
    assert_int_equal(i, 1); /* a name goes before an id prefix */
    assert_int_equal(records_match(&things, list, 4, "ab12", &i), RECORD_MATCH_ONE);
    assert_int_equal(i, 0);
    assert_int_equal(records_match(&things, list, 4, "e", &i), RECORD_MATCH_ONE);
    assert_int_equal(i, 3);
    assert_int_equal(records_match(&things, list, 4, "ab1", &i), RECORD_MATCH_AMBIGUOUS);
    assert_int_equal(records_match(&things, list, 4, "a", &i), RECORD_MATCH_AMBIGUOUS);
    /* Neither the empty ref nor a ref of an id's length is a prefix. */
    assert_int_equal(records_match(&things, list, 4, "", &i), RECORD_MATCH_NONE);
    char longer[RECORD_ID_LEN + 2];
    snprintf(longer, sizeof(longer), "%s0", list[2].id);
    assert_int_equal(records_match(&things, list, 4, longer, &i), RECORD_MATCH_NONE);
    char other[RECORD_ID_LEN + 1];
    make_id(other, "cd", '9');
    assert_int_equal(records_match(&things, list, 4, other, &i), RECORD_MATCH_NONE);
    assert_int_equal(records_match(&things, list, 4, "zz", &i), RECORD_MATCH_NONE);
    assert_int_equal(records_match(&things, list, 0, "web", &i), RECORD_MATCH_NONE);
}

/* ---- a directory of things ---- */

typedef struct {
    char path[64];
    int fd;
    char ids[5][RECORD_ID_LEN + 1];
} things_dir_t;

static void write_thing(const things_dir_t *d, const char *entry, const char *text)
{
    upod_error_t err = {0};
    assert_int_equal(mkdirat(d->fd, entry, 0700), 0);
    if (!text)
        return;
    int fd = openat(d->fd, entry, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    assert_int_equal(state_write_file(fd, "rec", text, strlen(text), &err), 0);
    close(fd);
}

static void make_dir(things_dir_t *d)
{
    snprintf(d->path, sizeof(d->path), "/tmp/upod-test-records.XXXXXX");
    assert_non_null(mkdtemp(d->path));
    d->fd = open(d->path, O_RDONLY | O_DIRECTORY);
    assert_true(d->fd >= 0);
}

/* Setup: ids[0..2] whole ("old" 1, "new" 3, "mid" 2), ids[3] unreadable,
 * ids[4] a directory without rec; and entries that are no records. */
static int make_things(void **state)
{
    things_dir_t *d = xcalloc(1, sizeof(*d));
    char (*ids)[RECORD_ID_LEN + 1] = d->ids;
    make_dir(d);
    make_id(ids[0], "ab12", '1');
    make_id(ids[1], "ab13", '2');
    make_id(ids[2], "cd", '3');
    make_id(ids[3], "ef", '4');
    make_id(ids[4], "f0", '5');
    write_thing(d, ids[0], "old 1\n");
    write_thing(d, ids[1], "new 3\n");
    write_thing(d, ids[2], "mid 2\n");
    write_thing(d, ids[3], "!garbage\n");
    write_thing(d, ids[4], NULL);
    char entry[RECORD_ID_LEN + 8];
    snprintf(entry, sizeof(entry), ".new-%s", ids[4]);
    write_thing(d, entry, "creating 9\n");
    snprintf(entry, sizeof(entry), ".rm-%s", ids[0]);
    write_thing(d, entry, "removing 9\n");
    write_thing(d, "junk", "junk 9\n");
    *state = d;
    return 0;
}

static void remove_dir(things_dir_t *d)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d->path);
    assert_int_equal(system(cmd), 0);
    close(d->fd);
}

static int remove_things(void **state)
{
    remove_dir(*state);
    free(*state);
    return 0;
}

static void test_list_order_and_what_is_left_out(void **state)
{
    things_dir_t *d = *state;
    char (*ids)[RECORD_ID_LEN + 1] = d->ids;
    upod_error_t err = {0};
    void *list;
    size_t n;

    assert_int_equal(records_list(d->fd, &things, false, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    thing_t *t = list;
    assert_string_equal(t[0].name, "new");
    assert_string_equal(t[1].name, "mid");
    assert_string_equal(t[2].name, "old");
    assert_string_equal(t[2].id, ids[0]);
    records_free(&things, list, n);

    assert_int_equal(records_list(d->fd, &things, true, &list, &n, &err), 0);
    assert_int_equal(n, 4);
    t = list;
    assert_null(t[2].unreadable);
    assert_string_equal(t[3].id, ids[3]);
    assert_non_null(t[3].unreadable);
    assert_non_null(strstr(t[3].unreadable, "bad"));
    records_free(&things, list, n);

    char **listed;
    assert_int_equal(records_list_ids(d->fd, &things, true, &listed, &n, &err), 0);
    assert_int_equal(n, 4);
    const char *order[] = {ids[1], ids[2], ids[0], ids[3]};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(listed[i], order[i]);
    free(listed);
    assert_int_equal(records_list_ids(d->fd, &things, false, &listed, &n, &err), 0);
    assert_int_equal(n, 3);
    free(listed);

    things_dir_t empty;
    make_dir(&empty);
    assert_int_equal(records_list(empty.fd, &things, true, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(list);
    assert_int_equal(records_list_ids(empty.fd, &things, true, &listed, &n, &err), 0);
    assert_int_equal(n, 0);
    free(listed);
    remove_dir(&empty);
}

static void test_lookup_by_full_id_reads_one_record(void **state)
{
    things_dir_t *d = *state;
    char (*ids)[RECORD_ID_LEN + 1] = d->ids;
    upod_error_t err = {0};
    thing_t t;

    loads = 0;
    assert_int_equal(records_lookup(d->fd, &things, ids[2], false, &t, &err), 0);
    assert_int_equal(loads, 1);
    assert_string_equal(t.name, "mid");
    clear_thing(&t);

    /* An unreadable record by its id: refused, or found with any. */
    loads = 0;
    assert_int_equal(records_lookup(d->fd, &things, ids[3], false, &t, &err), -1);
    assert_int_equal(loads, 1);
    assert_int_not_equal(err.kind, UPOD_ERR_NO_SUCH);
    char want[512];
    snprintf(want, sizeof(want), "thing %.12s cannot be read (things/%s/rec: bad): 'rm-thing -f "
                                 "%.12s' removes it and ends its processes",
             ids[3], ids[3], ids[3]);
    assert_string_equal(err.msg, want);
    assert_null(t.name);
    err = (upod_error_t){0};
    assert_int_equal(records_lookup(d->fd, &things, ids[3], true, &t, &err), 0);
    assert_int_equal(loads, 2);
    assert_non_null(t.unreadable);
    clear_thing(&t);

    /* Names and prefixes are matched against every record (the four
     * directories of things, and the one without rec). */
    loads = 0;
    assert_int_equal(records_lookup(d->fd, &things, "old", false, &t, &err), 0);
    assert_string_equal(t.id, ids[0]);
    assert_int_equal(loads, 5);
    clear_thing(&t);
    assert_int_equal(records_lookup(d->fd, &things, "cd", false, &t, &err), 0);
    assert_string_equal(t.name, "mid");
    clear_thing(&t);
}

static void test_lookup_failures(void **state)
{
    things_dir_t *d = *state;
    char (*ids)[RECORD_ID_LEN + 1] = d->ids;
    upod_error_t err = {0};
    thing_t t;
    char want[256];

    assert_int_equal(records_lookup(d->fd, &things, "ab1", false, &t, &err), -1);
    assert_string_equal(err.msg, "more than one result for thing ID ab1");
    assert_int_not_equal(err.kind, UPOD_ERR_NO_SUCH);

    err = (upod_error_t){0};
    assert_int_equal(records_lookup(d->fd, &things, "nothing", true, &t, &err), -1);
    assert_string_equal(err.msg, "no thing with name or ID 'nothing' found: no such thing");
    assert_int_equal(err.kind, UPOD_ERR_NO_SUCH);
    assert_int_equal(err.errnum, 0);
    assert_int_equal(err.status, EXIT_UPOD_FAILED);

    /* A full id that names no record (a directory without rec, or none):
     * the records are listed, for it may be a name, and it is not found. */
    char never[RECORD_ID_LEN + 1];
    make_id(never, "ab12", '9');
    const char *absent[] = {ids[4], never};
    for (size_t i = 0; i < 2; i++) {
        err = (upod_error_t){0};
        loads = 0;
        assert_int_equal(records_lookup(d->fd, &things, absent[i], true, &t, &err), -1);
        assert_int_equal(err.kind, UPOD_ERR_NO_SUCH);
        snprintf(want, sizeof(want), "no thing with name or ID '%s' found: no such thing",
                 absent[i]);
        assert_string_equal(err.msg, want);
        assert_true(loads >= 5); /* every directory of an id was read */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_id_valid),
        cmocka_unit_test(test_match),
        cmocka_unit_test_setup_teardown(test_list_order_and_what_is_left_out, make_things,
                                        remove_things),
        cmocka_unit_test_setup_teardown(test_lookup_by_full_id_reads_one_record, make_things,
                                        remove_things),
        cmocka_unit_test_setup_teardown(test_lookup_failures, make_things, remove_things),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
