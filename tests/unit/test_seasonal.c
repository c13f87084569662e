/* test_seasonal.c - unit tests of the seasonal adjustment of a metric: the rule by hand, learning medians on training rows, scoring, the config round trip and bad input. */
#include "test_util.h"

#include "hc_date.h"
#include "hc_model.h"

#include <math.h>

/* One component, one metric u (identity transform), seasonal key %s. */
static const char *const MODEL =
    "{\"schema\": \"healthcal-model/1\", \"components\": ["
    " {\"name\": \"usage\", \"weight\": 1, \"metrics\": ["
    "  {\"column\": \"u\"%s, \"transform\": {\"type\": %s}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": \"green\", \"min\": 50}],"
    " \"churn_model\": null, \"expansion_model\": null}";

static hc_status load(const char *seasonal, const char *type, hc_model **m, hc_error *err)
{
    char text[4096];
    snprintf(text, sizeof text, MODEL, seasonal, type);
    *m = NULL;
    hc_error_clear(err);
    return hc_model_load_string(text, "s.json", m, err);
}

/* Rows: (month, u) dated on the 15th of 2024's months. */
static hc_table *table_of(const int *month, const double *u, size_t n)
{
    hc_table *t = hc_table_alloc("snapshots.csv");
    assert_int_equal(hc_table_add_column(t, "snapshot_date", HC_COL_DATE), 0);
    assert_int_equal(hc_table_add_column(t, "u", HC_COL_NUM), 1);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    for (size_t i = 0; i < n; i++) {
        t->cols[0].code[i] = hc_date_from_civil(2024, month[i], 15);
        assert_int_equal(hc_table_num_set(t, 1, i, u[i]), HC_OK);
    }
    return t;
}

/* By hand: baseline January 2, February none, other months 4, overall 3.
 * ratio: x' = x * 3 / b, so 10 in January is 15, in February 10 (factor 1),
 * in March 7.5; difference: x' = x - (b - 3), so 11, 10 and 9. */
static void test_rule(void **state)
{
    (void)state;
    hc_seasonal *s = hc_seasonal_new();
    assert_non_null(s);
    for (int i = 0; i < 12; i++)
        s->baseline[i] = 4;
    s->baseline[0] = 2;
    s->baseline[1] = NAN;
    s->overall = 3;
    s->has_baseline = 1;
    int32_t d[5] = {hc_date_from_civil(2024, 1, 31), hc_date_from_civil(2023, 2, 1),
                    hc_date_from_civil(2025, 3, 1), hc_date_from_civil(2025, 3, 2),
                    HC_DATE_MISSING};
    double x[5] = {10, 10, 10, NAN, 10};
    hc_seasonal_adjust(s, d, 5, x);
    assert_close(x[0], 15, 1e-12);
    assert_close(x[1], 10, 0);
    assert_close(x[2], 7.5, 1e-12);
    assert_true(isnan(x[3])); /* missing stays missing */
    assert_close(x[4], 10, 0); /* missing date: unchanged */
    s->method = HC_SEASON_DIFFERENCE;
    double y[3] = {10, 10, 10};
    hc_seasonal_adjust(s, d, 3, y);
    assert_close(y[0], 11, 1e-12);
    assert_close(y[1], 10, 0);
    assert_close(y[2], 9, 1e-12);
    free(s);
}

/* Medians by hand: January {1, 2, 3} -> 2, March {4, 6} -> 5, the NaN
 * ignored; overall median of {1, 2, 3, 4, 6} = 3; other months none. */
static void test_learn(void **state)
{
    (void)state;
    hc_seasonal *s = hc_seasonal_new();
    int32_t jan = hc_date_from_civil(2024, 1, 10), mar = hc_date_from_civil(2025, 3, 10);
    const double x[] = {3, 1, 2, 6, 4, NAN};
    const int32_t d[] = {jan, jan, jan, mar, mar, mar};
    hc_error err;
    assert_int_equal(hc_seasonal_learn(s, x, d, 6, &err), HC_OK);
    assert_true(s->has_baseline);
    assert_close(s->baseline[0], 2, 0);
    assert_close(s->baseline[2], 5, 0);
    assert_true(isnan(s->baseline[1]));
    assert_close(s->overall, 3, 0);
    /* a zero January median cannot be a ratio's baseline: named */
    const double z[] = {0, 0, 1, 6, 4};
    assert_int_equal(hc_seasonal_learn(s, z, d, 5, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "January"));
    /* ... but is fine for the difference method: January 0, overall 1 */
    s->method = HC_SEASON_DIFFERENCE;
    assert_int_equal(hc_seasonal_learn(s, z, d, 5, &err), HC_OK);
    assert_close(s->baseline[0], 0, 0);
    assert_close(s->overall, 1, 0);
    /* no value at all */
    const double nn[] = {NAN, NAN};
    assert_int_equal(hc_seasonal_learn(s, nn, d, 2, &err), HC_EDATA);
    free(s);
}

/* Learned on the training rows 0..3 only (fit's rule): January {20, 40}
 * -> 30, July {10} -> 10, March {50} -> 50, overall median of
 * {10, 20, 40, 50} = 30; the test row 4 (July, 99) is not seen. Scores
 * (identity): row 0 Jan 20 * 30/30 = 20; row 2 Jul 10 * 30/10 = 30; row 4
 * Jul 99 * 3 = 297 -> 100 (clamped); row 5 in May (no baseline) 42. */
static void test_model(void **state)
{
    (void)state;
    const int month[] = {1, 1, 7, 3, 7, 5};
    const double u[] = {20, 40, 10, 50, 99, 42};
    hc_table *t = table_of(month, u, 6);
    hc_model *m;
    hc_error err;
    assert_int_equal(load(", \"seasonal\": {\"period\": \"month\"}", "\"identity\"", &m, &err), HC_OK);
    assert_true(hc_model_has_quantiles(m, 1)); /* needs learning */
    /* scoring before learning is refused with a clear message */
    double h[6];
    hc_score_out o = {.health = h};
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 6, 1, &o, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "has no baseline"));
    const size_t train[] = {0, 1, 2, 3};
    assert_int_equal(hc_model_learn_quantiles(m, t, train, 4, &err), HC_OK);
    const hc_seasonal *s = m->components[0].metrics[0].seasonal;
    assert_close(s->baseline[0], 30, 0);
    assert_close(s->baseline[6], 10, 0);
    assert_close(s->baseline[2], 50, 0);
    assert_true(isnan(s->baseline[4]));
    assert_close(s->overall, 30, 0);
    assert_false(hc_model_has_quantiles(m, 1));
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 6, 1, &o, &err), HC_OK);
    assert_close(h[0], 20, 1e-12);
    assert_close(h[2], 30, 1e-12);
    assert_close(h[4], 100, 0);
    assert_close(h[5], 42, 0);
    /* the same values through hc_model_metric_values, for learning */
    double v[6];
    assert_int_equal(hc_model_metric_values(m, 0, 0, t, NULL, 6, v, &err), HC_OK);
    assert_close(v[4], 297, 1e-9);
    /* a copy keeps the baseline */
    hc_model *c = hc_model_copy(m);
    assert_non_null(c);
    assert_close(c->components[0].metrics[0].seasonal->baseline[0], 30, 0);
    hc_model_free(c);
    hc_model_free(m);

    /* quantile cuts are learned on the adjusted values: training values
     * adjusted are 20, 40, 30, 30 -> the median cut (50th percentile) is 30 */
    assert_int_equal(load(", \"seasonal\": {}", "\"quantile\", \"higher_is_healthier\": true",
                          &m, &err), HC_OK);
    assert_int_equal(hc_model_learn_quantiles(m, t, train, 4, &err), HC_OK);
    assert_close(m->components[0].metrics[0].transform.cuts[49], 30, 1e-12);
    hc_model_free(m);
    hc_table_free(t);
}

/* write -> read -> write gives the same text, for a hand-set baseline with
 * a month left out, a learned one and the difference method. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *const keys[] = {
        ", \"seasonal\": {\"period\": \"month\", \"method\": \"ratio\", \"baseline\": "
        "[1, 2, 3, 4, 5, 6, 7, 8.5, 9, 10, 11, null], \"overall\": 6.25}",
        ", \"seasonal\": {\"method\": \"difference\", \"learn\": true, \"baseline\": "
        "[-1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.1]}",
        ", \"seasonal\": {}",
    };
    for (size_t i = 0; i < 3; i++) {
        hc_model *m, *m2;
        hc_error err;
        assert_int_equal(load(keys[i], "\"identity\"", &m, &err), HC_OK);
        char *a = hc_model_to_string(m);
        assert_non_null(a);
        assert_non_null(strstr(a, "\"seasonal\""));
        assert_int_equal(hc_model_load_string(a, "a.json", &m2, &err), HC_OK);
        char *b = hc_model_to_string(m2);
        assert_string_equal(a, b);
        const hc_seasonal *s = m2->components[0].metrics[0].seasonal;
        if (i == 0) {
            assert_false(s->learn);
            assert_true(isnan(s->baseline[11]));
            assert_close(s->baseline[7], 8.5, 0);
            assert_close(s->overall, 6.25, 0);
        } else if (i == 1) {
            assert_true(s->learn);
            assert_int_equal(s->method, HC_SEASON_DIFFERENCE);
            /* overall defaults to the mean of the months: (-1 + 0 + 9 + 0.1) / 12 */
            assert_close(s->overall, 8.1 / 12, 1e-15);
        } else {
            assert_false(s->has_baseline);
            assert_true(s->learn);
        }
        free(a);
        free(b);
        hc_model_free(m);
        hc_model_free(m2);
    }
}

static void bad(const char *seasonal, const char *type, const char *want)
{
    hc_model *m;
    hc_error err;
    hc_status st = load(seasonal, type, &m, &err);
    if (st != HC_EDATA || !strstr(err.message, want))
        fail_msg("%s: got %d '%s', wanted '%s'", seasonal, (int)st, err.message, want);
    assert_null(m);
}

static void test_bad_input(void **state)
{
    (void)state;
    bad(", \"seasonal\": {\"baseline\": [1, 2, 3]}", "\"identity\"",
        "seasonal.baseline: must be an array of 12 numbers or nulls (January first), not an array of 3");
    bad(", \"seasonal\": {\"baseline\": [1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12]}", "\"identity\"",
        "seasonal.baseline[7] (August): must be a finite number > 0 for the ratio method");
    bad(", \"seasonal\": {\"baseline\": [1, 2, 3, 4, 5, 6, 7, -8, 9, 10, 11, 12]}", "\"identity\"",
        "baseline[7] (August)");
    bad(", \"seasonal\": {\"baseline\": [1, 2, 3, 4, 5, 6, 7, \"NaN\", 9, 10, 11, 12]}", "\"identity\"",
        "seasonal.baseline[7]: must be a number or null, not a string");
    bad(", \"seasonal\": {\"baseline\": [null, null, null, null, null, null, null, null, null, "
        "null, null, null]}", "\"identity\"", "every month is null");
    bad(", \"seasonal\": {\"baseline\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], \"overall\": 0}",
        "\"identity\"", "seasonal.overall: must be a finite number > 0");
    bad(", \"seasonal\": {\"overall\": 3}", "\"identity\"", "seasonal.overall: needs a baseline");
    bad(", \"seasonal\": {\"period\": \"week\"}", "\"identity\"", "seasonal.period: must be \"month\"");
    bad(", \"seasonal\": {\"method\": \"log\"}", "\"identity\"",
        "seasonal.method: must be \"ratio\" or \"difference\"");
    bad(", \"seasonal\": {\"learn\": false}", "\"identity\"", "seasonal.baseline: missing, and learn is false");
    bad(", \"seasonal\": {\"periods\": \"month\"}", "\"identity\"", "periods");
    bad(", \"seasonal\": {}", "\"categorical\", \"levels\": {\"a\": 1}, \"unseen\": \"missing\"",
        "a categorical metric has no seasonal adjustment");
    /* NaN is not JSON: the parser rejects it with a line and column */
    hc_model *m;
    hc_error err;
    assert_int_equal(load(", \"seasonal\": {\"baseline\": [NaN, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}",
                          "\"identity\"", &m, &err), HC_EDATA);
    assert_null(m);
    /* the validator refuses an infinite baseline set through the API */
    hc_seasonal *s = hc_seasonal_new();
    for (int i = 0; i < 12; i++)
        s->baseline[i] = 1;
    s->baseline[3] = INFINITY;
    s->overall = 1;
    s->has_baseline = 1;
    assert_int_equal(hc_seasonal_validate(s, "x.seasonal", NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "x.seasonal.baseline[3] (April)"));
    s->baseline[3] = 1;
    s->overall = NAN;
    assert_int_equal(hc_seasonal_validate(s, "x.seasonal", NULL, &err), HC_EDATA);
    free(s);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of a sorted copy (the definition), against the learned one. */
static double sorted_median(const double *v, size_t n)
{
    double *c = malloc(n * sizeof *c);
    assert_non_null(c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_dbl);
    double r = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    free(c);
    return r;
}

/* The learned medians equal the sorted definition exactly on values with
 * many ties (a metric rounded to few levels), runs of one value, sorted and
 * reversed input, odd and even counts (a property: any order, any ties). */
static void test_learn_medians(void **state)
{
    (void)state;
    enum { N = 2001 };
    static double x[N];
    static int32_t d[N];
    int32_t jan = hc_date_from_civil(2024, 1, 15), feb = hc_date_from_civil(2024, 2, 15);
    unsigned long r = 12345;
    for (int shape = 0; shape < 5; shape++)
        for (size_t n = 1; n <= N; n += n < 12 ? 1 : 331) {
            double jv[N], fv[N];
            size_t nj = 0, nf = 0;
            for (size_t i = 0; i < n; i++) {
                r = r * 6364136223846793005UL + 1442695040888963407UL;
                double v = shape == 0 ? (double)((r >> 33) % 7)         /* 7 levels */
                         : shape == 1 ? 3.0                              /* one value */
                         : shape == 2 ? (double)i                        /* sorted */
                         : shape == 3 ? (double)(n - i) / 10             /* reversed */
                                      : (double)((r >> 20) % 100000) / 7; /* spread */
                x[i] = v;
                d[i] = (r >> 40) & 1 ? jan : feb;
                if (d[i] == jan)
                    jv[nj++] = v;
                else
                    fv[nf++] = v;
            }
            hc_seasonal *s = hc_seasonal_new();
            s->method = HC_SEASON_DIFFERENCE;
            hc_error err;
            assert_int_equal(hc_seasonal_learn(s, x, d, n, &err), HC_OK);
            assert_true(s->overall == sorted_median(x, n));
            if (nj)
                assert_true(s->baseline[0] == sorted_median(jv, nj));
            else
                assert_true(isnan(s->baseline[0]));
            if (nf)
                assert_true(s->baseline[1] == sorted_median(fv, nf));
            else
                assert_true(isnan(s->baseline[1]));
            free(s);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_learn),
        cmocka_unit_test(test_learn_medians),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
