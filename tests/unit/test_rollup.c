/* test_rollup.c - unit tests of user rows rolled up to the account (src/data/rollup.c) and of the config's rollup (round trip, snapshots). */
#include "test_util.h"

#include "hc_history.h"
#include "hc_model.h"
#include "hc_rollup.h"

/* Columns: account_id, snapshot_date, user_id, segment, x (rolled up by
 * the aggregation under test), arr (not rolled up). */
typedef struct {
    const char *acc;
    int day;
    const char *user;
    const char *seg;
    double x, arr;
} urow;

static hc_table *table_of(const urow *r, size_t n)
{
    hc_table *t = hc_table_alloc("users.csv");
    assert_int_equal(hc_table_add_column(t, "account_id", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(t, "snapshot_date", HC_COL_DATE), 1);
    assert_int_equal(hc_table_add_column(t, "user_id", HC_COL_TEXT), 2);
    assert_int_equal(hc_table_add_column(t, "segment", HC_COL_TEXT), 3);
    assert_int_equal(hc_table_add_column(t, "x", HC_COL_NUM), 4);
    assert_int_equal(hc_table_add_column(t, "arr", HC_COL_NUM), 5);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    for (size_t i = 0; i < n; i++) {
        if (r[i].acc)
            assert_int_equal(hc_table_set_text(t, 0, i, r[i].acc), HC_OK);
        t->cols[1].code[i] = 20000 + r[i].day;
        if (r[i].user)
            assert_int_equal(hc_table_set_text(t, 2, i, r[i].user), HC_OK);
        if (r[i].seg)
            assert_int_equal(hc_table_set_text(t, 3, i, r[i].seg), HC_OK);
        assert_int_equal(hc_table_num_set(t, 4, i, r[i].x), HC_OK);
        assert_int_equal(hc_table_num_set(t, 5, i, r[i].arr), HC_OK);
    }
    return t;
}

/* Group a/0: users u1 u2 u3 with x 10, 4, NaN (arr 100 on the second
 * row only); group b/0: u9 with 0; group a/7: u1 and u2 both missing (a
 * roll-up over zero users); group b/7: u9 with 3. */
static const urow ROWS[] = {
    {"a", 0, "u1", NULL, 10, NAN}, {"b", 0, "u9", "ent", 0, 50}, {"a", 0, "u2", "smb", 4, 100},
    {"a", 7, "u1", "smb", NAN, 100}, {"a", 0, "u3", "smb", NAN, 100},
    {"b", 7, "u9", "ent", 3, 50},   {"a", 7, "u2", "smb", NAN, 100}};

/* The rolled value of x for groups a/0, b/0, a/7, b/7, by hand. */
static void rolled(const char *agg, const double want[4])
{
    hc_table *t = table_of(ROWS, 7);
    static char xcol[] = "x", ucol[] = "user_id";
    hc_rollup r = {0};
    hc_rollup_metric m = {xcol, HC_AGG_MEAN, 0};
    assert_int_equal(hc_rollup_parse_agg(agg, &m.agg, &m.threshold), 0);
    r.user_column = ucol;
    r.metrics = &m;
    r.n_metrics = 1;
    hc_table *o;
    hc_rollup_counts c;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_rollup_apply(t, &r, 0, 1, &o, &c, &err), HC_OK);
    assert_int_equal(c.user_rows, 7);
    assert_int_equal(c.users, 4);
    assert_int_equal(c.account_rows, 4);
    assert_int_equal(o->n_rows, 4);
    assert_int_equal(o->n_cols, 5); /* no user column */
    assert_int_equal(hc_table_find(o, "user_id"), -1);
    /* groups in order of first appearance: a/0 (line 2), b/0 (3), a/7 (5), b/7 (7) */
    const char *acc[] = {"a", "b", "a", "b"};
    const int day[] = {0, 0, 7, 7};
    const uint32_t line[] = {2, 3, 5, 7};
    int x = hc_table_find(o, "x");
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(hc_table_text(o, 0, i), acc[i]);
        assert_int_equal(o->cols[1].code[i], 20000 + day[i]);
        assert_int_equal(hc_table_line(o, i), line[i]);
        double v = hc_table_num(o, x, i);
        if (isnan(want[i]))
            assert_true(isnan(v));
        else
            assert_close(v, want[i], 1e-15);
    }
    /* Not rolled up: the first row in file order with a value. */
    assert_string_equal(hc_table_text(o, 2, 0), "smb");
    assert_close(hc_table_num(o, 4, 0), 100, 0);
    hc_table_free(o);
    hc_table_free(t);
}

static void test_aggregations(void **state)
{
    (void)state;
    rolled("mean", (double[]){7, 0, NAN, 3});
    rolled("median", (double[]){7, 0, NAN, 3});
    rolled("min", (double[]){4, 0, NAN, 3});
    rolled("max", (double[]){10, 0, NAN, 3});
    rolled("sum", (double[]){14, 0, NAN, 3});
    rolled("share_above:5", (double[]){0.5, 0, NAN, 0});
    rolled("count_active", (double[]){2, 0, 0, 1});
    hc_agg a;
    double th;
    assert_int_equal(hc_rollup_parse_agg("share_above:", &a, &th), -1);
    assert_int_equal(hc_rollup_parse_agg("share_above:x", &a, &th), -1);
    assert_int_equal(hc_rollup_parse_agg("average", &a, &th), -1);
    char buf[64];
    hc_rollup_agg_text(HC_AGG_SHARE_ABOVE, 0.1, buf, sizeof buf);
    assert_string_equal(buf, "share_above:0.1");
}

static void test_bad_rows(void **state)
{
    (void)state;
    static char xcol[] = "x", ucol[] = "user_id";
    hc_rollup_metric m = {xcol, HC_AGG_SUM, 0};
    hc_rollup r = {ucol, 1, &m};
    hc_table *o;
    hc_error err;
    hc_error_clear(&err);
    /* a user row with no account */
    urow no_acc[] = {{"a", 0, "u1", NULL, 1, 1}, {NULL, 0, "u2", NULL, 1, 1}};
    hc_table *t = table_of(no_acc, 2);
    assert_int_equal(hc_rollup_apply(t, &r, 0, 1, &o, NULL, &err), HC_EDATA);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "a user row with no account"));
    assert_non_null(strstr(err.message, "u2"));
    hc_table_free(t);
    /* an empty user id */
    urow no_user[] = {{"a", 0, NULL, NULL, 1, 1}};
    t = table_of(no_user, 1);
    assert_int_equal(hc_rollup_apply(t, &r, 0, 1, &o, NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "user id is empty"));
    hc_table_free(t);
    /* one user twice on one date */
    urow twice[] = {{"a", 0, "u1", NULL, 1, 1}, {"a", 7, "u1", NULL, 1, 1},
                    {"a", 0, "u1", NULL, 2, 1}};
    t = table_of(twice, 3);
    assert_int_equal(hc_rollup_apply(t, &r, 0, 1, &o, NULL, &err), HC_EDATA);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "also on line 2"));
    /* a roll-up metric the table lacks */
    static char npscol[] = "nps";
    hc_rollup_metric m2 = {npscol, HC_AGG_MEAN, 0};
    hc_rollup r2 = {ucol, 1, &m2};
    assert_int_equal(hc_rollup_apply(t, &r2, 0, 1, &o, NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "rollup.metrics.nps"));
    hc_table_free(t);
}

/* Through the snapshot index: user rows become account rows before the
 * duplicate check (which would otherwise refuse them). */
static void test_snapshots_from_table(void **state)
{
    (void)state;
    hc_table *t = table_of(ROWS, 7);
    static char xcol[] = "x", ucol[] = "user_id";
    hc_rollup_metric m = {xcol, HC_AGG_SUM, 0};
    hc_rollup r = {ucol, 1, &m};
    hc_snapshot_columns cols = {0};
    hc_snapshots s;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_snapshots_from_table(t, &cols, &s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "duplicate snapshot"));
    cols.rollup = &r;
    assert_int_equal(hc_snapshots_from_table(t, &cols, &s, &err), HC_OK); /* takes t */
    assert_int_equal(s.table->n_rows, 4);
    assert_int_equal(s.n_accounts, 2);
    assert_int_equal(s.rollup.user_rows, 7);
    assert_int_equal(s.rollup.users, 4);
    assert_int_equal(s.rollup.account_rows, 4);
    hc_snapshots_release(&s);
}

/* The config: written and read back the same; copied. */
static void test_config_round_trip(void **state)
{
    (void)state;
    const char *text =
        "{\"schema\": \"healthcal-model/1\", \"components\": ["
        " {\"name\": \"u\", \"weight\": 1, \"metrics\": ["
        "  {\"column\": \"logins\", \"transform\": {\"type\": \"identity\"}}]}],"
        " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
        " \"churn_model\": null, \"expansion_model\": null,"
        " \"rollup\": {\"user_column\": \"user_id\", \"metrics\": {\"logins\": \"sum\","
        "  \"nps\": \"median\", \"usage\": \"share_above:0.25\", \"seats\": \"count_active\"}}}";
    hc_model *m = NULL, *m2 = NULL;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_load_string(text, "r.json", &m, &err), HC_OK);
    assert_non_null(m->rollup);
    assert_int_equal(m->rollup->n_metrics, 4);
    assert_int_equal(m->rollup->metrics[2].agg, HC_AGG_SHARE_ABOVE);
    assert_close(m->rollup->metrics[2].threshold, 0.25, 0);
    char *a = hc_model_to_string(m);
    assert_int_equal(hc_model_load_string(a, "r2.json", &m2, &err), HC_OK);
    char *b = hc_model_to_string(m2);
    assert_string_equal(a, b);
    hc_model *m3 = hc_model_copy(m2);
    char *c = hc_model_to_string(m3);
    assert_string_equal(a, c);
    /* the columns a loader needs: the user column as text, nps, usage, seats */
    hc_colspec *specs;
    size_t n;
    assert_int_equal(hc_model_required_columns(m, &specs, &n, &err), HC_OK);
    assert_int_equal(n, 9);
    assert_string_equal(specs[5].name, "user_id");
    assert_int_equal(specs[5].type, HC_COL_TEXT);
    free(specs);
    free(a);
    free(b);
    free(c);
    hc_model_free(m);
    hc_model_free(m2);
    hc_model_free(m3);
    const char *bad[] = {"{\"user_column\": \"user_id\", \"metrics\": {\"x\": \"avg\"}}",
                         "{\"user_column\": \"user_id\", \"metrics\": {}}",
                         "{\"user_column\": \"account_id\", \"metrics\": {\"x\": \"sum\"}}"};
    const char *want[] = {"rollup.metrics.x: must be", "rollup.metrics: must be",
                          "is a role column"};
    for (size_t i = 0; i < 3; i++) {
        char t2[1024];
        snprintf(t2, sizeof t2,
                 "{\"schema\": \"healthcal-model/1\", \"components\": ["
                 " {\"name\": \"u\", \"weight\": 1, \"metrics\": ["
                 "  {\"column\": \"x\", \"transform\": {\"type\": \"identity\"}}]}],"
                 " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
                 " \"churn_model\": null, \"expansion_model\": null, \"rollup\": %s}",
                 bad[i]);
        hc_model *mb = NULL;
        assert_int_equal(hc_model_load_string(t2, "bad.json", &mb, &err), HC_EDATA);
        if (!strstr(err.message, want[i]))
            fail_msg("'%s' lacks '%s'", err.message, want[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregations),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_snapshots_from_table),
        cmocka_unit_test(test_config_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
