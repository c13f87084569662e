/* test_segment_key.c - unit tests of derived segments: lifecycle stages, escaped product keys, no look-ahead, bad input and the config round trip (src/data/segment_key.c, src/model/model_json_segkey.c). */
#include "test_util.h"

#include <jansson.h>

#include "hc_date.h"
#include "hc_model.h"
#include "hc_model_segkey.h"
#include "hc_segment_key.h"

static hc_lifecycle *lifecycle_of(const char *start, const int *until, size_t n,
                                  const char *const *names)
{
    hc_lifecycle *lc = calloc(1, sizeof *lc);
    assert_non_null(lc);
    lc->start_date = start ? strdup(start) : NULL;
    lc->stages = calloc(n, sizeof *lc->stages);
    assert_non_null(lc->stages);
    for (size_t i = 0; i < n; i++) {
        lc->stages[i].name = strdup(names[i]);
        lc->stages[i].until_days = until[i];
    }
    lc->n_stages = n;
    return lc;
}

static const char *const STAGES[] = {"onboarding", "tenured"};
static const int UNTIL[] = {90, -1};

static void test_stage_of(void **state)
{
    (void)state;
    static const char *const names[] = {"onboarding", "year one", "tenured"};
    static const int until[] = {90, 365, -1};
    hc_lifecycle *lc = lifecycle_of(NULL, until, 3, names);
    /* "the first 90 days" are days 0..89; a negative tenure counts as 0. */
    assert_int_equal(hc_lifecycle_stage_of(lc, -5), 0);
    assert_int_equal(hc_lifecycle_stage_of(lc, 0), 0);
    assert_int_equal(hc_lifecycle_stage_of(lc, 89), 0);
    assert_int_equal(hc_lifecycle_stage_of(lc, 90), 1);
    assert_int_equal(hc_lifecycle_stage_of(lc, 364), 1);
    assert_int_equal(hc_lifecycle_stage_of(lc, 365), 2);
    assert_int_equal(hc_lifecycle_stage_of(lc, 100000), 2);
    hc_lifecycle_free(lc);
}

static void escaped(const char *v, const char *want)
{
    char buf[64];
    size_t len = 0;
    assert_int_equal(hc_segkey_escape(v, buf, sizeof buf, &len), 0);
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
}

static void test_escape(void **state)
{
    (void)state;
    escaped("enterprise", "enterprise");
    escaped("emea", "emea");
    escaped("a x b", "a \\x b");
    escaped("xl", "\\xl");
    escaped("a\\b", "a\\\\b");
    escaped("box", "box");      /* an x inside a word is left alone */
    escaped("X y", "X y");      /* the separator is lower case */
    char small[4];
    size_t len = 0;
    assert_int_equal(hc_segkey_escape("abcdef", small, sizeof small, &len), -1);
}

/* Rows: account, day offset from 2025-01-06, plan, region, start date. */
typedef struct {
    const char *acc;
    int day;
    const char *plan, *region, *start;
} row;

static hc_table *table_of(const row *r, size_t n)
{
    hc_table *t = hc_table_alloc("snapshots.csv");
    assert_int_equal(hc_table_add_column(t, "account_id", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(t, "snapshot_date", HC_COL_DATE), 1);
    assert_int_equal(hc_table_add_column(t, "plan", HC_COL_TEXT), 2);
    assert_int_equal(hc_table_add_column(t, "region", HC_COL_TEXT), 3);
    assert_int_equal(hc_table_add_column(t, "start_date", HC_COL_TEXT), 4);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    int32_t b = hc_date_from_civil(2025, 1, 6);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hc_table_set_text(t, 0, i, r[i].acc), HC_OK);
        t->cols[1].code[i] = b + r[i].day;
        assert_int_equal(hc_table_set_text(t, 2, i, r[i].plan), HC_OK);
        assert_int_equal(hc_table_set_text(t, 3, i, r[i].region), HC_OK);
        assert_int_equal(hc_table_set_text(t, 4, i, r[i].start), HC_OK);
    }
    return t;
}

static hc_segkey *key_of(const char *const *parts, size_t n, const char *start)
{
    hc_segkey *k = hc_segkey_make(parts, n, lifecycle_of(start, UNTIL, 2, STAGES));
    assert_non_null(k);
    return k;
}

static const char *cell(const hc_table *t, int c, size_t r)
{
    const char *s = hc_table_text(t, c, r);
    return s ? s : "(none)";
}

/* By hand, stages onboarding (< 90 days) and tenured:
 *   r0 a 2025-01-06 start 2025-01-06: tenure 0 -> onboarding
 *   r1 a day 89: 89 -> onboarding;  r2 a day 90: 90 -> tenured
 *   r3 b day 10, start 2025-01-20 (day 14): tenure -4 -> 0, onboarding
 *   r4 b day 200: empty plan -> no key
 *   r5 c day 5: plan "x-large", no start date -> no key with start_date;
 *      with the first-snapshot rule its tenure is 0 -> "\x-large x onboarding"
 *   r6 a day 95, plan "a x b", region "c"; r7 d day 95 plan "a", region "b x c":
 *      the escaped keys differ ("a \x b x c x ..." vs "a x b \x c x ...").
 * First-snapshot rule: a starts day 0 (same stages as above), b day 10
 * (r3 tenure 0), d day 95 (r7 tenure 0: onboarding). */
static const row ROWS[] = {
    {"a", 0, "ent", "emea", "2025-01-06"},   {"a", 89, "ent", "emea", "2025-01-06"},
    {"a", 90, "ent", "emea", "2025-01-06"},  {"b", 10, "smb", "na", "2025-01-20"},
    {"b", 200, "", "na", "2025-01-20"},      {"c", 5, "x-large", "na", ""},
    {"a", 95, "a x b", "c", "2025-01-06"},   {"d", 95, "a", "b x c", "2024-01-01"},
};

static void test_derive_by_hand(void **state)
{
    (void)state;
    static const char *const parts[] = {"plan", "region", "lifecycle"};
    hc_table *t = table_of(ROWS, 8);
    hc_segkey *k = key_of(parts, 3, "start_date");
    assert_string_equal(k->column, "plan x region x lifecycle");
    hc_error err;
    hc_error_clear(&err);
    int c;
    hc_segkey_counts cn;
    assert_int_equal(hc_segkey_derive(k, t, 0, 1, &c, &cn, &err), HC_OK);
    assert_string_equal(cell(t, c, 0), "ent x emea x onboarding");
    assert_string_equal(cell(t, c, 1), "ent x emea x onboarding");
    assert_string_equal(cell(t, c, 2), "ent x emea x tenured");
    assert_string_equal(cell(t, c, 3), "smb x na x onboarding");
    assert_string_equal(cell(t, c, 4), "(none)");
    assert_string_equal(cell(t, c, 5), "(none)");
    assert_string_equal(cell(t, c, 6), "a \\x b x c x tenured");
    /* d: start 2024-01-01, day 95 of 2025 is tenure 370: tenured */
    assert_string_equal(cell(t, c, 7), "a x b \\x c x tenured");
    assert_int_equal(cn.rows, 6);
    assert_int_equal(cn.missing_part, 1);
    assert_int_equal(cn.missing_start, 1);
    assert_int_equal(cn.before_start, 1);
    assert_int_equal(cn.keys, 5);
    /* a second derivation finds the column and keeps it */
    int c2;
    assert_int_equal(hc_segkey_derive(k, t, 0, 1, &c2, NULL, &err), HC_OK);
    assert_int_equal(c2, c);
    hc_segkey_free(k);
    hc_table_free(t);

    /* first-snapshot rule, stage alone */
    static const char *const stage[] = {"lifecycle"};
    t = table_of(ROWS, 8);
    k = key_of(stage, 1, NULL);
    assert_int_equal(hc_segkey_derive(k, t, 0, 1, &c, &cn, &err), HC_OK);
    static const char *const want[] = {"onboarding", "onboarding", "tenured", "onboarding",
                                       "tenured",    "onboarding", "tenured", "onboarding"};
    for (size_t r = 0; r < 8; r++)
        assert_string_equal(cell(t, c, r), want[r]);
    assert_int_equal(cn.before_start, 0);
    hc_segkey_free(k);
    hc_table_free(t);
}

/* The key of a row depends only on rows dated on or before it: for every
 * cut date T, the keys of the rows up to T equal those computed on the
 * full (shuffled) table, under both tenure rules. */
static void test_no_later_rows(void **state)
{
    (void)state;
    enum { N = 60 };
    row full[N];
    char acc[N][8], start[N][16];
    unsigned s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        int a = (int)(s >> 16) % 5;
        snprintf(acc[i], sizeof acc[i], "a%d", a);
        snprintf(start[i], sizeof start[i], "2024-12-%02d", 10 + a);
        full[i] = (row){acc[i], (int)((s >> 8) % 200), a % 2 ? "ent" : "smb",
                        a % 3 ? "na" : "emea", start[i]};
    }
    static const char *const parts[] = {"plan", "lifecycle"};
    for (int rule = 0; rule < 2; rule++) {
        hc_segkey *k = key_of(parts, 2, rule ? "start_date" : NULL);
        hc_table *t = table_of(full, N);
        hc_error err;
        hc_error_clear(&err);
        int c;
        assert_int_equal(hc_segkey_derive(k, t, 0, 1, &c, NULL, &err), HC_OK);
        for (int cut = 0; cut < 200; cut += 13) {
            row sub[N];
            size_t idx[N], m = 0;
            for (size_t i = 0; i < N; i++)
                if (full[i].day <= cut) {
                    idx[m] = i;
                    sub[m++] = full[i];
                }
            if (m == 0)
                continue;
            hc_table *u = table_of(sub, m);
            int cu;
            assert_int_equal(hc_segkey_derive(k, u, 0, 1, &cu, NULL, &err), HC_OK);
            for (size_t j = 0; j < m; j++)
                assert_string_equal(cell(u, cu, j), cell(t, c, idx[j]));
            hc_table_free(u);
        }
        hc_table_free(t);
        hc_segkey_free(k);
    }
}

static void test_bad_start_date(void **state)
{
    (void)state;
    row r[3] = {{"a", 0, "ent", "na", "2025-01-06"},
                {"a", 7, "ent", "na", " 2025-01-06 "},
                {"b", 7, "ent", "na", "2025-13-01"}};
    static const char *const parts[] = {"plan", "lifecycle"};
    hc_table *t = table_of(r, 3);
    hc_segkey *k = key_of(parts, 2, "start_date");
    hc_error err;
    hc_error_clear(&err);
    int c = 5;
    size_t cols = t->n_cols;
    assert_int_equal(hc_segkey_derive(k, t, 0, 1, &c, NULL, &err), HC_EDATA);
    /* row 2 is line 4 of the file (header on line 1); no column added */
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "column 'start_date'"));
    assert_non_null(strstr(err.message, "'2025-13-01' is not a date"));
    assert_int_equal(t->n_cols, cols);
    hc_segkey_free(k);
    /* a part column that is not there */
    static const char *const missing[] = {"tier"};
    k = hc_segkey_make(missing, 1, NULL);
    assert_int_equal(hc_segkey_derive(k, t, 0, 1, &c, NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "columns.segment[0]: column 'tier' is not in"));
    hc_segkey_free(k);
    hc_table_free(t);
}

#define CONFIG_HEAD                                                                    \
    "{\"schema\": \"healthcal-model/1\", \"columns\": {\"segment\": %s}, %s"           \
    " \"components\": [{\"name\": \"usage\", \"weight\": 1, \"metrics\": ["            \
    "  {\"column\": \"logins\", \"transform\": {\"type\": \"identity\"}}]}],"          \
    " \"bands\": [{\"name\": \"red\", \"min\": 0}]%s}"

static hc_status load(const char *seg, const char *lc, const char *tail, hc_model **m,
                      hc_error *err)
{
    char text[2048];
    snprintf(text, sizeof text, CONFIG_HEAD, seg, lc, tail);
    return hc_model_load_string(text, "seg.json", m, err);
}

static void test_config_round_trip(void **state)
{
    (void)state;
    hc_error err;
    hc_error_clear(&err);
    hc_model *m = NULL;
    assert_int_equal(load("[\"plan\", \"region\", \"lifecycle\"]",
                          "\"lifecycle\": {\"start_date\": \"start_date\", \"stages\": ["
                          "{\"name\": \"onboarding\", \"until_days\": 90},"
                          "{\"name\": \"year one\", \"until_days\": 365},"
                          "{\"name\": \"tenured\"}]},",
                          ", \"churn_model\": {\"intercept\": 1, \"slope\": -0.05},"
                          " \"segments\": {\"ent x emea x onboarding\": "
                          "{\"churn_model\": {\"intercept\": 2, \"slope\": -0.06}}}",
                          &m, &err),
                     HC_OK);
    assert_string_equal(m->columns.segment, "plan x region x lifecycle");
    assert_true(hc_model_segkey_active(m));
    assert_int_equal(m->segkey->lifecycle->n_stages, 3);
    json_t *j = hc_model_to_json(m);
    char *text = json_dumps(j, JSON_SORT_KEYS);
    json_decref(j);
    hc_model *m2 = NULL;
    assert_int_equal(hc_model_load_string(text, "again.json", &m2, &err), HC_OK);
    assert_string_equal(m2->columns.segment, "plan x region x lifecycle");
    assert_int_equal(m2->segkey->n_parts, 3);
    assert_string_equal(m2->segkey->parts[1], "region");
    assert_string_equal(m2->segkey->lifecycle->start_date, "start_date");
    assert_int_equal(m2->segkey->lifecycle->stages[1].until_days, 365);
    assert_int_equal(m2->segkey->lifecycle->stages[2].until_days, -1);
    assert_string_equal(m2->segkey->lifecycle->stages[2].name, "tenured");
    assert_int_equal(hc_model_find_segment(m2, "ent x emea x onboarding"), 0);
    /* the copy keeps the key; the second dump equals the first */
    hc_model *m3 = hc_model_copy(m2);
    assert_non_null(m3);
    j = hc_model_to_json(m3);
    char *text3 = json_dumps(j, JSON_SORT_KEYS);
    json_decref(j);
    assert_string_equal(text, text3);
    free(text);
    free(text3);
    hc_model_free(m);
    hc_model_free(m2);
    hc_model_free(m3);

    /* the stage alone, tenure from the first snapshot: start_date null */
    assert_int_equal(load("\"lifecycle\"",
                          "\"lifecycle\": {\"stages\": [{\"name\": \"new\", "
                          "\"until_days\": 30}, {\"name\": \"old\"}]},",
                          "", &m, &err),
                     HC_OK);
    assert_string_equal(m->columns.segment, "lifecycle");
    assert_null(m->segkey->lifecycle->start_date);
    j = hc_model_to_json(m);
    assert_true(json_is_null(json_object_get(json_object_get(j, "lifecycle"), "start_date")));
    assert_true(json_is_array(json_object_get(json_object_get(j, "columns"), "segment")));
    json_decref(j);
    hc_model_free(m);
    /* a plain segment column stays a string, without a key */
    assert_int_equal(load("\"plan\"", "", "", &m, &err), HC_OK);
    assert_null(m->segkey);
    hc_model_free(m);
}

static void test_config_bad(void **state)
{
    (void)state;
    static const struct {
        const char *seg, *lc, *want;
    } bad[] = {
        {"[\"lifecycle\"]",
         "\"lifecycle\": {\"stages\": [{\"name\": \"a\", \"until_days\": 90}, {\"name\": \"b\", "
         "\"until_days\": 60}, {\"name\": \"c\"}]},",
         "lifecycle.stages[1].until_days: 60 is not above the previous stage's 90"},
        {"[\"lifecycle\"]",
         "\"lifecycle\": {\"stages\": [{\"name\": \"a\", \"until_days\": 90}, {\"name\": \"b\", "
         "\"until_days\": 100}]},",
         "lifecycle.stages[1].until_days: the last stage is open-ended"},
        {"[\"lifecycle\"]",
         "\"lifecycle\": {\"stages\": [{\"name\": \"a\", \"until_days\": 0}, {\"name\": \"b\"}]},",
         "lifecycle.stages[0].until_days: must be a whole number"},
        {"[\"lifecycle\"]",
         "\"lifecycle\": {\"stages\": [{\"name\": \"a\", \"until_days\": 9}, {\"name\": \"a\"}]},",
         "lifecycle.stages[1].name: duplicate stage 'a'"},
        {"[\"lifecycle\"]", "\"lifecycle\": {\"stages\": []},", "lifecycle.stages: must be"},
        {"[\"lifecycle\"]", "\"lifecycle\": {\"start\": 1, \"stages\": []},",
         "lifecycle.start: unknown key"},
        {"[\"lifecycle\"]", "\"lifecycle\": {\"start_date\": 5, \"stages\": [{\"name\": \"a\"}]},",
         "lifecycle.start_date: must be a column name"},
        {"\"plan\"", "\"lifecycle\": {\"stages\": [{\"name\": \"a\"}]},",
         "lifecycle: defined, but columns.segment does not list \"lifecycle\""},
        {"[\"plan\", \"plan\"]", "", "columns.segment[1]: 'plan' is listed twice"},
        {"[]", "", "columns.segment: a list of 1 to 8"},
        {"[\"plan\", 3]", "", "columns.segment[1]: must be a column name"},
        {"[\"a x b\"]", "", "columns.segment[0]: a column name of a derived key cannot contain"},
        {"[\"start_date\", \"lifecycle\"]",
         "\"lifecycle\": {\"start_date\": \"start_date\", \"stages\": [{\"name\": \"a\"}]},",
         "lifecycle.start_date: the start date column cannot also be a segment part"},
        {"{}", "", "columns.segment: must be"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hc_error err;
        hc_error_clear(&err);
        hc_model *m = NULL;
        assert_int_equal(load(bad[i].seg, bad[i].lc, "", &m, &err), HC_EDATA);
        assert_null(m);
        if (!strstr(err.message, bad[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.message, bad[i].want);
    }
}

/* The scorer's fallback: a table without the key column gets the same
 * keys as the derived column (predict's loader does not derive it). */
static void test_score_fallback_codes(void **state)
{
    (void)state;
    hc_error err;
    hc_error_clear(&err);
    hc_model *m = NULL;
    assert_int_equal(load("[\"plan\", \"lifecycle\"]",
                          "\"lifecycle\": {\"start_date\": \"start_date\", \"stages\": ["
                          "{\"name\": \"onboarding\", \"until_days\": 90}, "
                          "{\"name\": \"tenured\"}]},",
                          "", &m, &err),
                     HC_OK);
    hc_table *t = table_of(ROWS, 5);
    hc_strpool *pool;
    int32_t *codes;
    assert_int_equal(hc_model_segment_key_codes(m, t, &pool, &codes, &err), HC_OK);
    assert_string_equal(hc_strpool_get(pool, codes[0]), "ent x onboarding");
    assert_string_equal(hc_strpool_get(pool, codes[2]), "ent x tenured");
    assert_string_equal(hc_strpool_get(pool, codes[3]), "smb x onboarding");
    assert_int_equal(codes[4], -1);
    free(codes);
    hc_strpool_free(pool);
    hc_table_free(t);
    hc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stage_of),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_derive_by_hand),
        cmocka_unit_test(test_no_later_rows),
        cmocka_unit_test(test_bad_start_date),
        cmocka_unit_test(test_config_round_trip),
        cmocka_unit_test(test_config_bad),
        cmocka_unit_test(test_score_fallback_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
