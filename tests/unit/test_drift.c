/* test_drift.c - unit tests of the drift workflow (src/workflow/drift.c). */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "hc_date.h"
#include "hc_drift.h"

/* The example of tests/reference/drift.R, part 2: 16 baseline snapshots
 * (2024-01-10) and 12 current ones (2024-02-10) of two identity-scored
 * components a and b with weights 1/2; the last current row has no b, so
 * its health is a alone (renormalised). One more row on 2024-03-01 has no b
 * at all, for the "score absent in a period" case. */
static const double BA[16] = {12, 25, 31, 38, 44, 47, 52, 58, 63, 66, 71, 77, 80, 85, 90, 95};
static const double BB[16] = {60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80, 82, 84, 86, 88, 90};
static const double CA[12] = {10, 15, 22, 28, 33, 40, 45, 52, 57, 61, 70, 88};
static const double CB[12] = {62, 65, 68, 71, 74, 77, 80, 83, 86, 89, 70, NAN};

typedef struct {
    hc_model *model;
    hc_snapshots snaps;
} fixture;

static int32_t day(const char *s)
{
    int32_t d;
    assert_int_equal(hc_date_parse(s, strlen(s), &d), 0);
    return d;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    hc_error err;
    hc_error_clear(&err);
    hc_table *t = hc_table_alloc("drift.csv");
    int id = hc_table_add_column(t, "account_id", HC_COL_TEXT);
    int dt = hc_table_add_column(t, "snapshot_date", HC_COL_DATE);
    int xa = hc_table_add_column(t, "xa", HC_COL_NUM);
    int xb = hc_table_add_column(t, "xb", HC_COL_NUM);
    assert_int_equal(hc_table_resize(t, 29), HC_OK);
    char name[16];
    for (size_t i = 0; i < 29; i++) {
        size_t acc = i < 16 ? i : i < 28 ? i - 16 : 0;
        snprintf(name, sizeof name, "u%02zu", acc + 1);
        assert_int_equal(hc_table_set_text(t, id, i, name), HC_OK);
        t->cols[dt].code[i] = day(i < 16 ? "2024-01-10" : i < 28 ? "2024-02-10" : "2024-03-01");
        assert_int_equal(hc_table_num_set(t, xa, i, i < 16 ? BA[i] : i < 28 ? CA[i - 16] : 50), HC_OK);
        assert_int_equal(hc_table_num_set(t, xb, i, i < 16 ? BB[i] : i < 28 ? CB[i - 16] : NAN), HC_OK);
    }
    assert_int_equal(hc_snapshots_from_table(t, NULL, &fx->snaps, &err), HC_OK);

    hc_model *m = hc_model_alloc("drift.json");
    hc_transform id_tf;
    hc_transform_init(&id_tf);
    size_t k;
    assert_int_equal(hc_model_add_component(m, "a", 0.5, &k, &err), HC_OK);
    assert_int_equal(hc_model_add_metric(m, k, "xa", 1, &id_tf, &err), HC_OK);
    assert_int_equal(hc_model_add_component(m, "b", 0.5, &k, &err), HC_OK);
    assert_int_equal(hc_model_add_metric(m, k, "xb", 1, &id_tf, &err), HC_OK);
    const char *names[] = {"red", "yellow", "green"};
    const double mins[] = {0, 40, 70};
    assert_int_equal(hc_model_set_bands(m, 3, names, mins, &err), HC_OK);
    assert_int_equal(hc_model_validate(m, &err), HC_OK);
    fx->model = m;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    hc_snapshots_release(&fx->snaps);
    hc_model_free(fx->model);
    free(fx);
    return 0;
}

static void options(fixture *fx, hc_drift_options *o, const char *base,
                    const char *cur)
{
    hc_error err;
    hc_drift_options_init(o);
    o->model = fx->model;
    o->snapshots = &fx->snaps;
    assert_int_equal(hc_drift_parse_period(base, "--baseline", &o->baseline, &err), HC_OK);
    assert_int_equal(hc_drift_parse_period(cur, "--current", &o->current, &err), HC_OK);
}

/* PSI against R: tests/reference/drift.R, part 2 ("unit health", "unit a",
 * "unit b"), `Rscript tests/reference/drift.R`. */
static void test_psi_hand_computed(void **state)
{
    fixture *fx = *state;
    hc_drift_options o;
    options(fx, &o, "2024-01-01:2024-01-31", "2024-02-01:2024-02-29");
    hc_drift_result r;
    hc_error err;
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_OK);
    assert_int_equal(r.n_scores, 3);
    assert_string_equal(r.scores[0].name, "health");
    assert_string_equal(r.scores[2].name, "b");
    assert_int_equal(r.scores[0].n_baseline, 16);
    assert_int_equal(r.scores[0].n_current, 12);
    assert_int_equal(r.scores[2].n_current, 11); /* the missing b is left out */
    assert_close(r.scores[0].psi, 1.5558347228241154, 1e-12);
    assert_close(r.scores[1].psi, 1.6784383794505811, 1e-12);
    assert_close(r.scores[2].psi, 0.11815008759544522, 1e-12);
    assert_int_equal(r.scores[0].flag, HC_DRIFT_FLAG_RECALIBRATE);
    assert_int_equal(r.scores[1].flag, HC_DRIFT_FLAG_RECALIBRATE);
    assert_int_equal(r.scores[2].flag, HC_DRIFT_FLAG_WATCH);
    /* The worst flag; health comes first among equals. */
    assert_int_equal(r.verdict, HC_DRIFT_FLAG_RECALIBRATE);
    assert_int_equal(r.verdict_score, 0);
    /* b's baseline deciles are 63, 66, ..., 87 (R: quantile(bb, 1:9/10)). */
    assert_int_equal(r.scores[2].detail.n_bins, 10);
    assert_close(r.scores[2].detail.upper[0], 63, 1e-12);
    assert_close(r.scores[2].detail.upper[8], 87, 1e-12);
    assert_int_equal(r.baseline.rows, 16);
    assert_int_equal(r.current.rows, 12);
    assert_int_equal(r.current.accounts, 12);
    hc_drift_result_release(&r);
}

/* Band shares by hand: baseline health (a + b) / 2 = 36, 43.5, ..., 92.5
 * has 1 red (< 40), 8 yellow, 7 green of 16; current health 36, 40, 45,
 * 49.5, 53.5, 58.5, 62.5, 67.5, 71.5, 75, 70, 88 (the last a alone) has
 * 1 red, 7 yellow (40 is yellow: min <= H), 4 green of 12. */
static void test_band_shares(void **state)
{
    fixture *fx = *state;
    hc_drift_options o;
    options(fx, &o, "2024-01-01:2024-01-31", "2024-02-01:2024-02-29");
    hc_drift_result r;
    hc_error err;
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_OK);
    assert_int_equal(r.n_bands, 3);
    assert_int_equal(r.baseline.band_rows[0], 1);
    assert_int_equal(r.baseline.band_rows[1], 8);
    assert_int_equal(r.baseline.band_rows[2], 7);
    assert_int_equal(r.current.band_rows[0], 1);
    assert_int_equal(r.current.band_rows[1], 7);
    assert_int_equal(r.current.band_rows[2], 4);
    assert_close(r.baseline.band_share[2], 7.0 / 16, 1e-15);
    assert_close(r.current.band_share[1], 7.0 / 12, 1e-15);
    assert_false(r.has_labels);
    assert_true(isnan(r.current.churn_rate));
    hc_drift_result_release(&r);
}

/* Identical periods: every bin share is equal, so every PSI is exactly 0. */
static void test_identical_periods_zero(void **state)
{
    fixture *fx = *state;
    hc_drift_options o;
    options(fx, &o, "2024-02-01:2024-02-29", "2024-02-01:2024-02-29");
    hc_drift_result r;
    hc_error err;
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_OK);
    for (size_t k = 0; k < r.n_scores; k++) {
        assert_true(r.scores[k].psi == 0.0);
        assert_int_equal(r.scores[k].flag, HC_DRIFT_STABLE);
    }
    assert_int_equal(r.verdict, HC_DRIFT_STABLE);
    hc_drift_result_release(&r);
}

/* A score absent from a period gets no PSI and a note, not an error; the
 * verdict comes from the others. */
static void test_absent_score(void **state)
{
    fixture *fx = *state;
    hc_drift_options o;
    options(fx, &o, "2024-01-01:2024-01-31", "2024-03-01:2024-03-01");
    hc_drift_result r;
    hc_error err;
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_OK);
    assert_true(isnan(r.scores[2].psi));
    assert_int_equal(r.scores[2].flag, HC_DRIFT_UNKNOWN);
    assert_non_null(strstr(r.scores[2].note, "no b value in the current period"));
    assert_false(isnan(r.scores[0].psi));
    assert_int_not_equal(r.verdict, HC_DRIFT_UNKNOWN);
    hc_drift_result_release(&r);
}

static void test_empty_period_is_an_error(void **state)
{
    fixture *fx = *state;
    hc_drift_options o;
    options(fx, &o, "2023-01-01:2023-12-31", "2024-02-01:2024-02-29");
    hc_drift_result r;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "baseline period 2023-01-01:2023-12-31 holds no snapshot"));
    assert_non_null(strstr(err.message, "2024-01-10 to 2024-03-01"));
}

/* Churn base rate per period from labels (built by hand here: the label
 * rules themselves are tested in test_labels). */
static void test_churn_rate(void **state)
{
    fixture *fx = *state;
    uint8_t status[29] = {0}, churn[29] = {0};
    churn[3] = churn[9] = 1;             /* 2 of 16 baseline */
    churn[17] = 1;                       /* 1 of 10 current observations */
    status[26] = status[27] = HC_ROW_CENSORED;
    status[25] = HC_ROW_POST_CHURN;
    churn[25] = 1;                       /* not an observation: not counted */
    hc_labels l = {.n_rows = 29, .status = status, .churn = churn, .horizon = 30};
    hc_drift_options o;
    options(fx, &o, "2024-01-01:2024-01-31", "2024-02-01:2024-02-29");
    o.labels = &l;
    hc_drift_result r;
    hc_error err;
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_OK);
    assert_true(r.has_labels);
    assert_int_equal(r.baseline.observations, 16);
    assert_int_equal(r.baseline.churners, 2);
    assert_close(r.baseline.churn_rate, 2.0 / 16, 1e-15);
    assert_int_equal(r.current.observations, 9);
    assert_int_equal(r.current.churners, 1);
    assert_int_equal(r.current.censored, 2);
    assert_int_equal(r.current.excluded, 1);
    assert_close(r.current.churn_rate, 1.0 / 9, 1e-15);
    hc_drift_result_release(&r);
}

static void test_flags(void **state)
{
    (void)state;
    assert_int_equal(hc_drift_flag_of(0.0), HC_DRIFT_STABLE);
    assert_int_equal(hc_drift_flag_of(0.0999999), HC_DRIFT_STABLE);
    assert_int_equal(hc_drift_flag_of(0.1), HC_DRIFT_FLAG_WATCH);
    assert_int_equal(hc_drift_flag_of(0.2499), HC_DRIFT_FLAG_WATCH);
    assert_int_equal(hc_drift_flag_of(0.25), HC_DRIFT_FLAG_RECALIBRATE);
    assert_int_equal(hc_drift_flag_of(NAN), HC_DRIFT_UNKNOWN);
    assert_string_equal(hc_drift_flag_name(HC_DRIFT_FLAG_WATCH), "watch");
}

static void test_parse_period(void **state)
{
    (void)state;
    hc_drift_period p;
    hc_error err;
    assert_int_equal(hc_drift_parse_period("2024-01-01:2024-03-31", "--baseline", &p, &err), HC_OK);
    assert_int_equal(p.from, day("2024-01-01"));
    assert_int_equal(p.to, day("2024-03-31"));
    assert_int_equal(hc_drift_parse_period("2024-02-29:2024-02-29", "--baseline", &p, &err), HC_OK);
    const char *bad[] = {"", "2024-01-01", "2024-01-01-2024-03-31", "2024-01-01:",
                         ":2024-01-01", "2024-02-30:2024-03-01",
                         "2024-01-01:2024-03-31:2024-04-01", "2024-01-01 : 2024-03-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hc_error_clear(&err);
        assert_int_equal(hc_drift_parse_period(bad[i], "--current", &p, &err), HC_EUSAGE);
        assert_non_null(strstr(err.message, "option '--current'"));
        assert_non_null(strstr(err.message, "FROM:TO"));
    }
    assert_int_equal(hc_drift_parse_period("2024-03-31:2024-01-01", "--baseline", &p, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "ends before it starts"));
}

static void test_text_and_json(void **state)
{
    fixture *fx = *state;
    hc_drift_options o;
    options(fx, &o, "2024-01-01:2024-01-31", "2024-02-01:2024-02-29");
    hc_drift_result r;
    hc_error err;
    assert_int_equal(hc_drift_run(&o, &r, &err), HC_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hc_drift_write_text(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "b                        16         11    0.1182  watch\n"));
    assert_non_null(strstr(buf, "verdict: recalibrate (health PSI 1.5558 >= 0.25)\n"));
    assert_non_null(strstr(buf, "yellow               50.0%     58.3%           +8.3\n"));
    free(buf);

    json_t *j = hc_drift_to_json(&r);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "recalibrate");
    assert_string_equal(json_string_value(json_object_get(j, "verdict_score")), "health");
    json_t *b = json_array_get(json_object_get(j, "scores"), 2);
    assert_close(json_real_value(json_object_get(b, "psi")), 0.11815008759544522, 1e-12);
    assert_string_equal(json_string_value(json_object_get(b, "flag")), "watch");
    json_t *bins = json_object_get(b, "bins");
    assert_int_equal(json_array_size(bins), 10);
    /* The open upper end of the last bin is null, not infinity. */
    assert_true(json_is_null(json_object_get(json_array_get(bins, 9), "upper")));
    json_decref(j);
    hc_drift_result_release(&r);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_psi_hand_computed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_band_shares, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_periods_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_score, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_period_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_churn_rate, setup, teardown),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_parse_period),
        cmocka_unit_test_setup_teardown(test_text_and_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
