/* test_trend.c - unit tests of trend metrics: difference, ratio and slope over an account's last N days (src/data/trend.c), no look-ahead, the model's trend columns and scoring (src/model/model_trend.c). */
#include "test_util.h"

#include "hc_model.h"
#include "hc_trend.h"

/* A table of (account, day, value) rows in the given (any) order. */
static hc_table *table_of(const char *const *acc, const int *day, const double *x, size_t n)
{
    hc_table *t = hc_table_alloc("snapshots.csv");
    assert_int_equal(hc_table_add_column(t, "account_id", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(t, "snapshot_date", HC_COL_DATE), 1);
    assert_int_equal(hc_table_add_column(t, "logins", HC_COL_NUM), 2);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hc_table_set_text(t, 0, i, acc[i]), HC_OK);
        t->cols[1].code[i] = 20000 + day[i];
        assert_int_equal(hc_table_num_set(t, 2, i, x[i]), HC_OK);
    }
    return t;
}

/* Account a: days 0..35 weekly, values 10 12 14 13 8 6, rows shuffled;
 * account b: a zero base and a missing value. By hand, window 28:
 *   a day 28: base day 0 (10): difference -2, ratio -0.2; slope: dates
 *     -28..0 step 7 (mean -14), values 10 12 14 13 8 (mean 11.4),
 *     sxy = -21, sxx = 490: 28 x (-21 / 490) = -1.2;
 *   a day 35: base day 7 (12): difference -6, ratio -0.5 (slope below);
 *   days 0..21: the history is shorter than 28 days: missing;
 *   b day 30: base day 0 (0): difference 5, ratio missing (0 base);
 *   b day 40: base day 0 (0); its own value is missing: all missing. */
static const char *const ACC[] = {"a", "b", "a", "a", "b", "a", "a", "a", "b"};
static const int DAY[] = {28, 0, 0, 14, 30, 7, 35, 21, 40};
static const double X[] = {8, 0, 10, 14, 5, 12, 6, 13, NAN};

static void test_kinds_by_hand(void **state)
{
    (void)state;
    hc_table *t = table_of(ACC, DAY, X, 9);
    double d[9], r[9], s[9];
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_trend_compute(t, 0, 1, 2, HC_TREND_DIFFERENCE, 28, d, &err), HC_OK);
    assert_int_equal(hc_trend_compute(t, 0, 1, 2, HC_TREND_RATIO, 28, r, &err), HC_OK);
    assert_int_equal(hc_trend_compute(t, 0, 1, 2, HC_TREND_SLOPE, 28, s, &err), HC_OK);
    /* row 0: a day 28 */
    assert_close(d[0], -2, 1e-15);
    assert_close(r[0], -0.2, 1e-15);
    assert_close(s[0], -1.2, 1e-13);
    /* row 6: a day 35: slope over 7..35: dates -28..0 (mean -14), values
     * 12 14 13 8 6 (mean 10.6): sxy = (-14)(1.4) + (-7)(3.4) + 0 + 7(-2.6)
     * + 14(-4.6) = -19.6 - 23.8 - 18.2 - 64.4 = -126; 28 x -126 / 490 = -7.2 */
    assert_close(d[6], -6, 1e-15);
    assert_close(r[6], -0.5, 1e-15);
    assert_close(s[6], -7.2, 1e-13);
    /* short history: missing, never a number */
    const size_t short_rows[] = {2, 3, 5, 7, 1};
    for (size_t i = 0; i < 5; i++) {
        assert_true(isnan(d[short_rows[i]]));
        assert_true(isnan(r[short_rows[i]]));
        assert_true(isnan(s[short_rows[i]]));
    }
    /* b: zero base: difference 5, ratio missing (not infinite) */
    assert_close(d[4], 5, 0);
    assert_true(isnan(r[4]));
    assert_close(s[4], 5 * 28.0 / 30.0, 1e-13); /* two points: (5 - 0) / 30 days */
    assert_true(isnan(d[8]) && isnan(r[8]) && isnan(s[8]));
    /* window longer than any history: every row missing */
    assert_int_equal(hc_trend_compute(t, 0, 1, 2, HC_TREND_RATIO, 365, r, &err), HC_OK);
    for (size_t i = 0; i < 9; i++)
        assert_true(isnan(r[i]));
    assert_int_equal(hc_trend_compute(t, 0, 1, 2, HC_TREND_RATIO, 0, r, &err), HC_EUSAGE);
    assert_int_equal(hc_trend_compute(t, 2, 1, 0, HC_TREND_RATIO, 7, r, &err), HC_EUSAGE);
    hc_table_free(t);
}

/* No look-ahead: on an irregular history of many accounts, the trend of
 * every row dated on or before a cut-off is bit for bit the same when the
 * rows after the cut-off are deleted, for every kind. */
static void test_no_look_ahead(void **state)
{
    (void)state;
    enum { N = 600 };
    static const char *names[] = {"p", "q", "r", "s", "t", "u"};
    const char *acc[N];
    int day[N];
    double x[N];
    unsigned seed = 12345;
    int last[6] = {0};
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t a = (seed >> 16) % 6;
        last[a] += 1 + (int)((seed >> 8) % 9); /* irregular steps */
        acc[i] = names[a];
        day[i] = last[a];
        x[i] = (seed >> 4) % 7 == 0 ? NAN : (double)((seed >> 10) % 1000) / 10.0;
    }
    /* shuffle the row order */
    for (size_t i = N - 1; i > 0; i--) {
        seed = seed * 1103515245u + 12345u;
        size_t j = (seed >> 16) % (i + 1);
        const char *ta = acc[i];
        acc[i] = acc[j];
        acc[j] = ta;
        int td = day[i];
        day[i] = day[j];
        day[j] = td;
        double tx = x[i];
        x[i] = x[j];
        x[j] = tx;
    }
    hc_table *full = table_of(acc, day, x, N);
    const int cut = 250;
    const char *acc2[N];
    int day2[N];
    double x2[N];
    size_t map[N], n2 = 0;
    for (size_t i = 0; i < N; i++)
        if (day[i] <= cut) {
            acc2[n2] = acc[i];
            day2[n2] = day[i];
            x2[n2] = x[i];
            map[n2++] = i;
        }
    assert_true(n2 > 100 && n2 < N);
    hc_table *part = table_of(acc2, day2, x2, n2);
    hc_error err;
    hc_error_clear(&err);
    static const hc_trend_kind kinds[] = {HC_TREND_DIFFERENCE, HC_TREND_RATIO,
                                          HC_TREND_SLOPE};
    double a[N], b[N];
    size_t present = 0;
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(hc_trend_compute(full, 0, 1, 2, kinds[k], 28, a, &err), HC_OK);
        assert_int_equal(hc_trend_compute(part, 0, 1, 2, kinds[k], 28, b, &err), HC_OK);
        for (size_t i = 0; i < n2; i++) {
            double u = a[map[i]], v = b[i];
            assert_true((isnan(u) && isnan(v)) || memcmp(&u, &v, sizeof u) == 0);
            assert_false(isinf(v));
            present += !isnan(v);
        }
    }
    assert_true(present > 100); /* the property was tested on real values */
    hc_table_free(full);
    hc_table_free(part);
}

static const char *const MODEL =
    "{\"schema\": \"healthcal-model/1\", \"components\": ["
    " {\"name\": \"usage\", \"weight\": 1, \"metrics\": ["
    "  {\"column\": \"logins\", \"trend\": {\"kind\": \"ratio\", \"days\": 28},"
    "   \"transform\": {\"type\": \"linear\", \"low\": -0.5, \"high\": 0.5,"
    "   \"higher_is_healthier\": true}},"
    "  {\"column\": \"logins\", \"transform\": {\"type\": \"identity\"}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
    " \"churn_model\": null, \"expansion_model\": null}";

/* The model: a ratio trend scored through its transform (by hand: a day
 * 28, ratio -0.2 -> 100 (-0.2 + 0.5) = 30; with the plain metric 8, the
 * component is (30 + 8) / 2 = 19); the same with the derived column as
 * computed per call; the config round trip keeps the trend. */
static void test_model_trend(void **state)
{
    (void)state;
    hc_model *m = NULL;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_load_string(MODEL, "trend.json", &m, &err), HC_OK);
    hc_table *t = table_of(ACC, DAY, X, 9);
    double s1[9], s2[9];
    hc_score_out o1 = {.sub = s1, .sub_stride = 9};
    hc_score_out o2 = {.sub = s2, .sub_stride = 9};
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 9, 2, &o1, &err), HC_OK);
    assert_close(s1[0], 19, 1e-12);
    assert_close(s1[6], 3, 1e-12); /* ratio -0.5 -> 0; (0 + 6) / 2 */
    assert_close(s1[2], 10, 0);    /* no trend yet: the plain metric alone */
    assert_int_equal(hc_model_derive_trends(m, t, &err), HC_OK);
    assert_true(hc_table_find(t, "logins~ratio~28d") >= 0);
    assert_int_equal(hc_model_derive_trends(m, t, &err), HC_OK); /* idempotent */
    assert_int_equal(t->n_cols, 4);
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 9, 1, &o2, &err), HC_OK);
    for (size_t i = 0; i < 9; i++)
        assert_true((isnan(s1[i]) && isnan(s2[i])) || s1[i] == s2[i]);
    char *a = hc_model_to_string(m);
    assert_non_null(strstr(a, "\"trend\""));
    assert_non_null(strstr(a, "\"ratio\""));
    hc_model *m2 = NULL;
    assert_int_equal(hc_model_load_string(a, "again.json", &m2, &err), HC_OK);
    char *b = hc_model_to_string(m2);
    assert_string_equal(a, b);
    assert_int_equal(m2->components[0].metrics[0].trend, HC_TREND_RATIO);
    assert_int_equal(m2->components[0].metrics[0].trend_days, 28);
    hc_model *m3 = hc_model_copy(m2);
    assert_int_equal(m3->components[0].metrics[0].trend_days, 28);
    free(a);
    free(b);
    hc_model_free(m);
    hc_model_free(m2);
    hc_model_free(m3);
    hc_table_free(t);
    /* bad trends */
    const char *bad[] = {"\"trend\": {\"kind\": \"ratio\", \"days\": 0}",
                         "\"trend\": {\"kind\": \"growth\", \"days\": 7}",
                         "\"trend\": {\"kind\": \"ratio\"}"};
    const char *want[] = {"trend.days: must be 1 to 3650", "trend.kind: must be",
                          "trend.days: missing"};
    for (size_t i = 0; i < 3; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"schema\": \"healthcal-model/1\", \"components\": ["
                 " {\"name\": \"u\", \"weight\": 1, \"metrics\": ["
                 "  {\"column\": \"logins\", %s, \"transform\": {\"type\": \"identity\"}}]}],"
                 " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
                 " \"churn_model\": null, \"expansion_model\": null}",
                 bad[i]);
        hc_model *mb = NULL;
        assert_int_equal(hc_model_load_string(text, "bad.json", &mb, &err), HC_EDATA);
        if (!strstr(err.message, want[i]))
            fail_msg("'%s' lacks '%s'", err.message, want[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_by_hand),
        cmocka_unit_test(test_no_look_ahead),
        cmocka_unit_test(test_model_trend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
