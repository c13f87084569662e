/* test_recalibration.c - the recalibration maps of P(churn): fits against R and scikit-learn, the JSON form and its checks, scoring through the map. */
#include "test_util.h"

#include <gsl/gsl_errno.h>

#include "hc_date.h"
#include "hc_metrics.h"
#include "hc_model.h"

/* ---- Platt: the data set of tests/reference/recalibration.R ---------- */

#define PN 30
static const double platt_p[PN] = {0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.20,
                                   0.22, 0.25, 0.28, 0.30, 0.33, 0.35, 0.40, 0.42,
                                   0.45, 0.50, 0.55, 0.60, 0.62, 0.65, 0.70, 0.72,
                                   0.75, 0.80, 0.85, 0.90, 0.95, 0.99};
static const double platt_y[PN] = {0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0,
                                   1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1};

/* Relative agreement for values of any size (the map gives 2e-11 at p = 0). */
static void assert_rel(double a, double b, double tol)
{
    if (!(fabs(a - b) <= tol * fabs(b))) {
        fprintf(stderr, "got %.17g, expected %.17g (relative tol %g)\n", a, b, tol);
        fail();
    }
}

/* R 4.x: glm(y ~ qlogis(p), binomial, control = glm.control(epsilon =
 * 1e-14)) (tests/reference/recalibration.R); the new probabilities include
 * p = 1e-20 and p = 1, clipped to [1e-15, 1 - 1e-15] before the logit. */
static void test_platt_matches_glm(void **state)
{
    (void)state;
    hc_recalibration r;
    hc_error err;
    assert_int_equal(hc_recal_fit_platt(platt_y, platt_p, PN, &r, &err), HC_OK);
    assert_int_equal(r.method, HC_RECAL_PLATT);
    assert_close(r.a, -0.32031573920352957, 1e-10);
    assert_close(r.b, 0.70427349533956696, 1e-10);
    /* scikit-learn 1.2 LogisticRegression(penalty = "none") on logit(p),
     * lbfgs to tol 1e-12 (recalibration.py): the same fit, to its 1e-6. */
    assert_close(r.a, -0.32031567978182707, 1e-6);
    assert_close(r.b, 0.7042731078585251, 1e-6);
    static const double newp[6] = {1e-20, 0.01, 0.3, 0.5, 0.77, 1};
    static const double want[6] = {1.9805518288497787e-11, 0.02774569096211402,
                                   0.28556034467814034, 0.42059880171564912,
                                   0.62963838987789578, 0.99999999996243671};
    for (int i = 0; i < 6; i++)
        assert_rel(hc_recal_apply(&r, newp[i]), want[i], 1e-9);
    assert_true(isnan(hc_recal_apply(&r, NAN)));
    /* The map's a and b are the calibration intercept and slope of the
     * metrics (the same logistic fit on the same clipped logit). */
    hc_metrics_calibration_result cal;
    assert_int_equal(hc_metrics_calibration_ex(platt_y, platt_p, PN, 0, &cal, &err), HC_OK);
    assert_close(cal.intercept, r.a, 1e-9);
    assert_close(cal.slope, r.b, 1e-9);
    hc_recal_release(&r);
}

static void test_platt_refuses_degenerate(void **state)
{
    (void)state;
    hc_recalibration r;
    hc_error err;
    double y0[PN] = {0};
    assert_int_equal(hc_recal_fit_platt(y0, platt_p, PN, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "needs churners and retained rows"));
    /* Predictions that rank the wrong way: outcomes reversed. */
    double yr[PN];
    for (int i = 0; i < PN; i++)
        yr[i] = platt_y[PN - 1 - i];
    assert_int_equal(hc_recal_fit_platt(yr, platt_p, PN, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "<= 0"));
    double pc[PN];
    for (int i = 0; i < PN; i++)
        pc[i] = 0.3;
    assert_int_equal(hc_recal_fit_platt(platt_y, pc, PN, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "two distinct predictions"));
    double pb[PN];
    memcpy(pb, platt_p, sizeof pb);
    pb[3] = NAN;
    assert_int_equal(hc_recal_fit_platt(platt_y, pb, PN, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "prediction 3"));
}

/* ---- isotonic: scikit-learn 1.2, tests/reference/recalibration.py ---- */

#define IN 16
static const double iso_p[IN] = {0.05, 0.1, 0.2, 0.2, 0.2, 0.3, 0.35, 0.4,
                                 0.5,  0.5, 0.6, 0.7, 0.7, 0.8, 0.9,  0.95};
static const double iso_y[IN] = {0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1};

static void test_isotonic_matches_sklearn(void **state)
{
    (void)state;
    /* The input in a shuffled order: the fit sorts it. */
    static const size_t perm[IN] = {7, 2, 15, 0, 9, 4, 12, 1, 14, 3, 8, 11, 6, 13, 5, 10};
    double p[IN], y[IN], fitted[IN];
    for (int i = 0; i < IN; i++) {
        p[i] = iso_p[perm[i]];
        y[i] = iso_y[perm[i]];
    }
    hc_recalibration r;
    hc_error err;
    assert_int_equal(hc_recal_fit_isotonic(y, p, IN, &r, fitted, &err), HC_OK);
    assert_int_equal(r.method, HC_RECAL_ISOTONIC);
    /* IsotonicRegression(out_of_bounds = "clip").fit(p, y).predict(p). */
    static const double want_fit[IN] = {0, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4,
                                        0.4, 2.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1};
    for (int i = 0; i < IN; i++)
        assert_close(fitted[i], want_fit[perm[i]], 1e-12);
    /* X_thresholds_ and y_thresholds_. */
    static const double wx[7] = {0.05, 0.1, 0.6, 0.7, 0.8, 0.9, 0.95};
    static const double wy[7] = {0, 0.4, 0.4, 2.0 / 3, 2.0 / 3, 1, 1};
    assert_int_equal(r.n_points, 7);
    for (int j = 0; j < 7; j++) {
        assert_close(r.x[j], wx[j], 1e-15);
        assert_close(r.y[j], wy[j], 1e-12);
    }
    /* predict() between, at and beyond the thresholds. */
    static const double newp[11] = {0.0, 0.05, 0.12, 0.2, 0.25, 0.33, 0.45, 0.62,
                                    0.75, 0.97, 1.0};
    static const double want[11] = {0, 0, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4533333333333334,
                                    0.6666666666666666, 1, 1};
    for (int i = 0; i < 11; i++)
        assert_close(hc_recal_apply(&r, newp[i]), want[i], 1e-12);
    hc_recal_release(&r);
}

/* A pool-adjacent-violators property on random data: the fit is
 * non-decreasing in p and each pooled block's value is the block's mean
 * outcome, so the fitted values have the outcomes' total. */
static void test_isotonic_properties(void **state)
{
    (void)state;
    enum { N = 2000 };
    static double p[N], y[N], f[N];
    uint64_t s = 42;
    double ysum = 0;
    for (int i = 0; i < N; i++) {
        p[i] = (double)(hc_test_rnd(&s) % 1000) / 1000.0; /* many ties */
        y[i] = (double)(hc_test_rnd(&s) % 1000) / 1000.0 < p[i];
        ysum += y[i];
    }
    hc_recalibration r;
    hc_error err;
    assert_int_equal(hc_recal_fit_isotonic(y, p, N, &r, f, &err), HC_OK);
    assert_int_equal(hc_recal_validate(&r, "r", NULL, &err), HC_OK);
    double fsum = 0;
    for (int i = 0; i < N; i++) {
        fsum += f[i];
        assert_close(hc_recal_apply(&r, p[i]), f[i], 1e-12);
        for (int j = 0; j < 20; j++) {
            int k = (int)(hc_test_rnd(&s) % N);
            if (p[k] > p[i])
                assert_true(f[k] >= f[i]);
        }
    }
    assert_close(fsum, ysum, 1e-9);
    hc_recal_release(&r);
    double pc[3] = {0.2, 0.2, 0.2}, yc[3] = {0, 1, 0};
    assert_int_equal(hc_recal_fit_isotonic(yc, pc, 3, &r, NULL, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "two distinct predictions"));
}

/* ---- the JSON form ----------------------------------------------------- */

#define CONFIG_HEAD                                                             \
    "{\"schema\": \"healthcal-model/1\", \"components\": [{\"name\": \"usage\", " \
    "\"weight\": 1, \"metrics\": [{\"column\": \"u\", \"transform\": {\"type\": " \
    "\"identity\"}}]}], \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": " \
    "\"green\", \"min\": 50}], "

static hc_model *load(const char *churn, hc_error *err, hc_status want)
{
    char text[4096];
    snprintf(text, sizeof text, CONFIG_HEAD "\"churn_model\": %s}", churn);
    hc_model *m = NULL;
    hc_status st = hc_model_load_string(text, "cfg.json", &m, err);
    if (st != want)
        fprintf(stderr, "load: status %d, message: %s\n", st, err->message);
    assert_int_equal(st, want);
    return m;
}

static void round_trip(const char *churn)
{
    hc_error err;
    hc_model *m = load(churn, &err, HC_OK);
    assert_non_null(m->recalibration);
    char *a = hc_model_to_string(m);
    hc_model *m2;
    assert_int_equal(hc_model_load_string(a, "again", &m2, &err), HC_OK);
    char *b = hc_model_to_string(m2);
    assert_string_equal(a, b);
    const hc_recalibration *r = m->recalibration, *r2 = m2->recalibration;
    assert_int_equal(r2->method, r->method);
    assert_true(r2->a == r->a && r2->b == r->b);
    assert_int_equal(r2->n_points, r->n_points);
    for (size_t j = 0; j < r->n_points; j++)
        assert_true(r2->x[j] == r->x[j] && r2->y[j] == r->y[j]);
    assert_int_equal(r2->source.present, r->source.present);
    assert_int_equal(r2->source.rows, r->source.rows);
    assert_int_equal(r2->source.first_date, r->source.first_date);
    /* A copy carries the map too. */
    hc_model *c = hc_model_copy(m);
    assert_non_null(c);
    char *cs = hc_model_to_string(c);
    assert_string_equal(a, cs);
    free(cs);
    hc_model_free(c);
    free(a);
    free(b);
    hc_model_free(m);
    hc_model_free(m2);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    round_trip("{\"intercept\": 2, \"slope\": -0.05, \"recalibration\": {\"method\": "
               "\"platt\", \"a\": -0.1234567890123, \"b\": 0.4, \"fitted_on\": "
               "{\"rows\": 1200, \"accounts\": 300, \"churners\": 40, \"first_date\": "
               "\"2024-11-04\", \"last_date\": \"2025-01-13\", \"embargo_days\": 30}}}");
    round_trip("{\"intercept\": 2, \"slope\": -0.05, \"recalibration\": {\"method\": "
               "\"isotonic\", \"x\": [0.0, 0.1, 0.30000000000000004, 1], \"y\": [0, "
               "0.05, 0.05, 0.9]}}");
    hc_error err;
    hc_model *m = load("{\"intercept\": 2, \"slope\": -0.05, \"recalibration\": "
                       "{\"method\": \"isotonic\", \"x\": [0.1, 0.5], \"y\": [0.2, 0.3], "
                       "\"fitted_on\": {\"rows\": 10, \"accounts\": 5, \"churners\": 2, "
                       "\"first_date\": \"2024-01-01\", \"last_date\": \"2024-01-08\", "
                       "\"embargo_days\": 0}}}", &err, HC_OK);
    assert_int_equal(m->recalibration->source.last_date, hc_date_from_civil(2024, 1, 8));
    /* Clearing the churn model drops the map; no map without a churn model. */
    hc_recalibration keep;
    assert_int_equal(hc_recal_copy(&keep, m->recalibration, &err), HC_OK);
    hc_model_clear_churn(m);
    assert_null(m->recalibration);
    assert_int_equal(hc_model_set_recalibration(m, &keep, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "no churn model to recalibrate"));
    assert_int_equal(hc_model_set_churn(m, 1, -0.1, &err), HC_OK);
    assert_int_equal(hc_model_set_recalibration(m, &keep, &err), HC_OK);
    assert_non_null(m->recalibration);
    assert_int_equal(hc_model_set_recalibration(m, NULL, &err), HC_OK);
    assert_null(m->recalibration);
    char *s = hc_model_to_string(m);
    assert_null(strstr(s, "recalibration"));
    free(s);
    hc_recal_release(&keep);
    hc_model_free(m);
}

static void expect_bad(const char *churn, const char *message)
{
    hc_error err;
    hc_error_clear(&err);
    load(churn, &err, HC_EDATA);
    if (!strstr(err.message, message)) {
        fprintf(stderr, "message: %s\nexpected: %s\n", err.message, message);
        fail();
    }
    assert_string_equal(err.file, "cfg.json");
}

#define CHURN "{\"intercept\": 2, \"slope\": -0.05, \"recalibration\": "

static void test_json_rejects(void **state)
{
    (void)state;
    expect_bad(CHURN "[1]}", "churn_model.recalibration: must be an object, not an array");
    expect_bad(CHURN "{\"a\": 1, \"b\": 1}}", "churn_model.recalibration.method: missing");
    expect_bad(CHURN "{\"method\": \"beta\"}}",
               "churn_model.recalibration.method: unknown method 'beta' (expected "
               "platt or isotonic)");
    expect_bad(CHURN "{\"method\": \"platt\", \"b\": 1}}",
               "churn_model.recalibration.a: missing");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": \"0\", \"b\": 1}}",
               "churn_model.recalibration.a: must be a number, not a string");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": 0, \"b\": 0}}",
               "churn_model.recalibration.b: must be a finite number > 0 (got 0)");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": 0, \"b\": -0.5}}",
               "churn_model.recalibration.b: must be a finite number > 0 (got -0.5)");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": 0, \"b\": 1, \"x\": [0, 1]}}",
               "churn_model.recalibration.x: unknown key");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0, 0.5, 0.4], \"y\": [0, 0.1, "
                     "0.2]}}",
               "churn_model.recalibration.x[2]: must be greater than x[1]");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0, 0.5, 0.5], \"y\": [0, 0.1, "
                     "0.2]}}",
               "churn_model.recalibration.x[2]: must be greater than x[1]");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0, 0.5, 0.7], \"y\": [0, 0.3, "
                     "0.2]}}",
               "churn_model.recalibration.y[2]: must not be less than y[1] (0.20000000000000001 "
               "< 0.29999999999999999): an isotonic map is non-decreasing");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [1.5, 2], \"y\": [0, 1]}}",
               "churn_model.recalibration.x[0]: must be a probability in [0, 1] (got 1.5)");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0, 1], \"y\": [-0.1, 1]}}",
               "churn_model.recalibration.y[0]: must be a probability in [0, 1] (got "
               "-0.10000000000000001)");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0, 1], \"y\": [0, 0.5, 1]}}",
               "churn_model.recalibration.y: has 3 values, x has 2 (one y per x)");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0.5], \"y\": [0.5]}}",
               "churn_model.recalibration.x: needs at least 2 points (got 1)");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"x\": [0, \"1\"], \"y\": [0, 1]}}",
               "churn_model.recalibration.x[1]: must be a number, not a string");
    expect_bad(CHURN "{\"method\": \"isotonic\", \"y\": [0, 1]}}",
               "churn_model.recalibration.x: missing");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": 0, \"b\": 1, \"fitted_on\": "
                     "{\"rows\": 10, \"accounts\": 5, \"churners\": 2, \"first_date\": "
                     "\"2024-13-01\", \"last_date\": \"2024-01-08\", \"embargo_days\": 0}}}",
               "churn_model.recalibration.fitted_on.first_date: must be a date \"YYYY-MM-DD\"");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": 0, \"b\": 1, \"fitted_on\": "
                     "{\"rows\": -1}}}",
               "churn_model.recalibration.fitted_on.rows: must be an integer >= 0, not a "
               "negative number");
    expect_bad(CHURN "{\"method\": \"platt\", \"a\": 0, \"b\": 1, \"fitted_on\": "
                     "{\"rows\": 10, \"accounts\": 5, \"churners\": 20, \"first_date\": "
                     "\"2024-01-01\", \"last_date\": \"2024-01-08\", \"embargo_days\": 0}}}",
               "churn_model.recalibration.fitted_on.churners: exceeds rows (10)");
    /* A segment's churn model has no map of its own. */
    hc_error err;
    hc_model *m = NULL;
    const char *seg = CONFIG_HEAD "\"churn_model\": {\"intercept\": 1, \"slope\": -0.1}, "
                                  "\"segments\": {\"smb\": {\"churn_model\": {\"intercept\": "
                                  "1, \"slope\": -0.1, \"recalibration\": {\"method\": "
                                  "\"platt\", \"a\": 0, \"b\": 1}}}}}";
    assert_int_equal(hc_model_load_string(seg, "cfg.json", &m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "segments.smb.churn_model.recalibration: a "
                                        "segment's churn model has no recalibration"));
    /* NaN is not JSON; through the setter it is named. */
    char text[2048];
    snprintf(text, sizeof text, CONFIG_HEAD "\"churn_model\": " CHURN
             "{\"method\": \"platt\", \"a\": NaN, \"b\": 1}}}");
    assert_int_equal(hc_model_load_string(text, "cfg.json", &m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "invalid JSON"));
    m = load("{\"intercept\": 1, \"slope\": -0.1}", &err, HC_OK);
    hc_recalibration r;
    hc_recal_init(&r);
    r.method = HC_RECAL_PLATT;
    r.a = NAN;
    r.b = 1;
    assert_int_equal(hc_model_set_recalibration(m, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "churn_model.recalibration.a: must be a finite number"));
    r.a = 0;
    r.b = INFINITY;
    assert_int_equal(hc_model_set_recalibration(m, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "churn_model.recalibration.b: must be a finite number > 0"));
    double x[2] = {0, NAN}, y[2] = {0, 1};
    r.method = HC_RECAL_ISOTONIC;
    r.n_points = 2;
    r.x = x;
    r.y = y;
    assert_int_equal(hc_model_set_recalibration(m, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "churn_model.recalibration.x[1]: must be a "
                                        "probability in [0, 1] (got nan)"));
    assert_null(m->recalibration);
    hc_model_free(m);
}

/* ---- scoring through the map -------------------------------------------- */

/* The model's P(churn) is the map of the raw probability, bit for bit, in
 * hc_model_score_rows (one and two threads), hc_model_score_rows_ex and
 * hc_model_score_subs; a missing H stays NaN. */
static void test_scoring_applies_map(void **state)
{
    (void)state;
    enum { N = 3001 };
    hc_table *t = hc_table_alloc("t");
    int cu = hc_table_add_column(t, "u", HC_COL_NUM);
    assert_int_equal(hc_table_resize(t, N), HC_OK);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(hc_table_num_set(t, cu, i, i % 97 == 0 ? NAN : (double)(i % 101)),
                         HC_OK);
    t->cols[cu].n_missing = 0;
    for (size_t i = 0; i < N; i++)
        t->cols[cu].n_missing += i % 97 == 0;
    hc_error err;
    static const char *const churns[2] = {
        "{\"intercept\": 1, \"slope\": -0.06, \"recalibration\": {\"method\": \"platt\", "
        "\"a\": -0.7, \"b\": 0.45}}",
        "{\"intercept\": 1, \"slope\": -0.06, \"recalibration\": {\"method\": "
        "\"isotonic\", \"x\": [0.01, 0.2, 0.5, 0.7], \"y\": [0.02, 0.1, 0.1, 0.4]}}"};
    for (int v = 0; v < 2; v++) {
        hc_model *m = load(churns[v], &err, HC_OK);
        hc_model raw = *m;
        raw.recalibration = NULL;
        double *p1 = malloc(N * sizeof *p1), *p2 = malloc(N * sizeof *p2);
        double *pr = malloc(N * sizeof *pr), *praw = malloc(N * sizeof *praw);
        double *ps = malloc(N * sizeof *ps), *sub = malloc(N * sizeof *sub);
        hc_score_out o1 = {.p_churn = p1, .sub = sub};
        assert_int_equal(hc_model_score_rows(m, t, NULL, 0, N, 1, &o1, &err), HC_OK);
        hc_score_out o2 = {.p_churn = p2};
        assert_int_equal(hc_model_score_rows_ex(m, t, NULL, 0, N, 2, &o2, pr, &err), HC_OK);
        hc_score_out o3 = {.p_churn = praw};
        assert_int_equal(hc_model_score_rows(&raw, t, NULL, 0, N, 1, &o3, &err), HC_OK);
        hc_score_out o4 = {.p_churn = ps};
        assert_int_equal(hc_model_score_subs(m, sub, N, N, &o4, &err), HC_OK);
        size_t changed = 0;
        for (size_t i = 0; i < N; i++) {
            if (i % 97 == 0) {
                assert_true(isnan(p1[i]) && isnan(p2[i]) && isnan(pr[i]) && isnan(ps[i]));
                continue;
            }
            double h = (double)(i % 101);
            double want_raw = 1 / (1 + exp(-(1 - 0.06 * h)));
            assert_close(praw[i], want_raw, 1e-14);
            assert_true(pr[i] == praw[i]);
            assert_true(p1[i] == hc_recal_apply(m->recalibration, praw[i]));
            assert_true(p2[i] == p1[i]);
            assert_true(ps[i] == p1[i]);
            changed += p1[i] != praw[i];
        }
        assert_true(changed > N / 2); /* the map is applied, not the identity */
        free(p1);
        free(p2);
        free(pr);
        free(praw);
        free(ps);
        free(sub);
        hc_model_free(m);
    }
    hc_table_free(t);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platt_matches_glm),
        cmocka_unit_test(test_platt_refuses_degenerate),
        cmocka_unit_test(test_isotonic_matches_sklearn),
        cmocka_unit_test(test_isotonic_properties),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_rejects),
        cmocka_unit_test(test_scoring_applies_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
