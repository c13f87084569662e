/* test_fit_recalibrate.c - fit --recalibrate on a simulated drifting history whose true probabilities are known: the split, the map, and calibration on a later period. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hc_date.h"
#include "hc_fit.h"
#include "hc_metrics.h"
#include "hc_predict.h"
#include "hc_validate.h"

#define K 3
static const char *const comp_names[K] = {"usage", "support", "financial"};

/* The truth. Three identity-transform components s_k in [0, 100] (an
 * account level plus weekly noise) and churn drawn per row from
 *   weeks 0..19:   logit P = 10.5 + beta . s
 *   weeks 20..:    logit P = 3 + (beta . s) / 2.5
 * so a model fitted on the early weeks (logit = 10.5 + beta . s) is
 * miscalibrated by construction on the later ones: there its logit is 2.5
 * times too steep, logit P_true = -1.2 + 0.4 logit P_fit (calibration
 * slope 0.4), which a Platt map can undo exactly. */
static const double beta[K] = {-0.1, -0.05, -0.1};
#define ACCOUNTS 5000
#define WEEKS 40
#define DRIFT_WEEK 20
#define FIT_WEEKS 30   /* weeks offered to fit; 30..39 are the evaluation */
#define HORIZON 28

typedef struct {
    hc_history h;
    hc_model *base;
    double *p_true; /* per row */
    int32_t day0;
} sim;

static void simulate(sim *s, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    hc_table *t = hc_table_alloc("sim");
    int cid = hc_table_add_column(t, "account_id", HC_COL_TEXT);
    int cdate = hc_table_add_column(t, "snapshot_date", HC_COL_DATE);
    int cm[K];
    for (int k = 0; k < K; k++)
        cm[k] = hc_table_add_column(t, comp_names[k], HC_COL_NUM);
    size_t n = (size_t)ACCOUNTS * WEEKS;
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    memset(&s->h, 0, sizeof s->h);
    s->h.labels.n_rows = n;
    s->h.labels.status = calloc(n, 1);
    s->h.labels.churn = calloc(n, 1);
    s->h.labels.expansion = calloc(n, 1);
    s->h.labels.horizon = HORIZON;
    s->h.labels.lead = 0;
    s->p_true = malloc(n * sizeof *s->p_true);
    s->day0 = hc_date_from_civil(2024, 1, 1);
    size_t r = 0;
    for (size_t a = 0; a < ACCOUNTS; a++) {
        char id[32];
        snprintf(id, sizeof id, "A%06zu", a);
        double level[K];
        for (int k = 0; k < K; k++)
            level[k] = 20 + 60 * gsl_rng_uniform(rng);
        for (size_t w = 0; w < WEEKS; w++, r++) {
            assert_int_equal(hc_table_set_text(t, cid, r, id), HC_OK);
            t->cols[cdate].code[r] = s->day0 + (int32_t)(7 * w);
            double lin = 0;
            for (int k = 0; k < K; k++) {
                double v = level[k] + gsl_ran_gaussian(rng, 10);
                v = v < 0 ? 0 : v > 100 ? 100 : v;
                lin += beta[k] * v;
                assert_int_equal(hc_table_num_set(t, cm[k], r, v), HC_OK);
            }
            double eta = w < DRIFT_WEEK ? 10.5 + lin : 3 + lin / 2.5;
            s->p_true[r] = 1 / (1 + exp(-eta));
            s->h.labels.churn[r] = gsl_rng_uniform(rng) < s->p_true[r];
            s->h.labels.observations++;
        }
    }
    hc_error err;
    assert_int_equal(hc_snapshots_from_table(t, NULL, &s->h.snapshots, &err), HC_OK);
    gsl_rng_free(rng);

    s->base = hc_model_alloc(NULL);
    hc_transform id_tf;
    hc_transform_init(&id_tf);
    static const double hand[K] = {0.5, 0.3, 0.2};
    for (int k = 0; k < K; k++) {
        size_t idx;
        assert_int_equal(hc_model_add_component(s->base, comp_names[k], hand[k], &idx, &err), HC_OK);
        assert_int_equal(hc_model_add_metric(s->base, idx, comp_names[k], 1, &id_tf, &err), HC_OK);
    }
    const char *bands[] = {"red", "yellow", "green"};
    const double mins[] = {0, 40, 70};
    assert_int_equal(hc_model_set_bands(s->base, 3, bands, mins, &err), HC_OK);
    s->base->horizon_days = HORIZON;
    assert_int_equal(hc_model_validate(s->base, &err), HC_OK);
}

static void sim_release(sim *s)
{
    hc_history_release(&s->h);
    hc_model_free(s->base);
    free(s->p_true);
}

static size_t week_of(const sim *s, size_t r)
{
    const hc_snapshots *sn = &s->h.snapshots;
    return (size_t)((sn->table->cols[sn->date_col].code[r] - s->day0) / 7);
}

/* Rows of weeks [w0, w1) in *out (caller frees). */
static size_t rows_of_weeks(const sim *s, size_t w0, size_t w1, size_t **out)
{
    size_t n = s->h.snapshots.table->n_rows, m = 0;
    *out = malloc(n * sizeof **out);
    for (size_t r = 0; r < n; r++) {
        size_t w = week_of(s, r);
        if (w >= w0 && w < w1)
            (*out)[m++] = r;
    }
    return m;
}

typedef struct {
    double slope_before, slope_after, int_before, int_after;
    double brier_before, brier_after, brier_true, mae_before, mae_after;
} eval;

/* Calibration (the library's metric) and Brier score of the tuned
 * config's probabilities before and after its map on the evaluation
 * weeks, which no step of the fit saw. */
static eval evaluate(const sim *s, const hc_model *tuned)
{
    size_t *rows;
    size_t n = rows_of_weeks(s, FIT_WEEKS, WEEKS, &rows);
    double *p = malloc(n * sizeof *p), *raw = malloc(n * sizeof *raw);
    double *y = malloc(n * sizeof *y), *pt = malloc(n * sizeof *pt);
    hc_error err;
    hc_score_out out = {.p_churn = p};
    assert_int_equal(hc_model_score_rows_ex(tuned, s->h.snapshots.table, rows, 0, n, 2,
                                            &out, raw, &err),
                     HC_OK);
    eval e = {0};
    for (size_t i = 0; i < n; i++) {
        y[i] = s->h.labels.churn[rows[i]];
        pt[i] = s->p_true[rows[i]];
        e.mae_before += fabs(raw[i] - pt[i]) / (double)n;
        e.mae_after += fabs(p[i] - pt[i]) / (double)n;
    }
    hc_metrics_calibration_result cb, ca;
    assert_int_equal(hc_metrics_calibration(y, raw, n, &cb, &err), HC_OK);
    assert_int_equal(hc_metrics_calibration(y, p, n, &ca, &err), HC_OK);
    assert_int_equal(hc_metrics_brier(y, raw, n, &e.brier_before, NULL, &err), HC_OK);
    assert_int_equal(hc_metrics_brier(y, p, n, &e.brier_after, NULL, &err), HC_OK);
    assert_int_equal(hc_metrics_brier(y, pt, n, &e.brier_true, NULL, &err), HC_OK);
    e.slope_before = cb.slope;
    e.slope_after = ca.slope;
    e.int_before = cb.intercept;
    e.int_after = ca.intercept;
    free(p);
    free(raw);
    free(y);
    free(pt);
    free(rows);
    return e;
}

/* `validate -c` on the later weeks shows calibration before and after
 * the map, out of time (every row follows the map's holdout), with the
 * numbers evaluate() computes from the scorer on the same rows. */
static void check_validate_agrees(const sim *s, const hc_model *tuned, const eval *e)
{
    size_t *rows;
    size_t n = rows_of_weeks(s, FIT_WEEKS, WEEKS, &rows);
    hc_validate_model_options o;
    hc_validate_model_options_init(&o);
    o.bootstrap = 0;
    hc_validate_result res;
    hc_error err;
    assert_int_equal(hc_validate_model_opts(tuned, &s->h, rows, n, &o, &res, NULL, &err),
                     HC_OK);
    const hc_validate_recal *rc = &res.recal;
    assert_true(rc->present && rc->ok && rc->out_of_time);
    assert_int_equal(rc->rows, n);
    assert_int_equal(rc->rows_in_holdout, 0);
    assert_close(rc->slope_before, e->slope_before, 1e-12);
    assert_close(rc->slope_after, e->slope_after, 1e-12);
    assert_close(rc->brier_before, e->brier_before, 1e-15);
    assert_close(rc->brier_after, e->brier_after, 1e-15);
    assert_non_null(strstr(rc->note, "out of time"));
    hc_validate_result_release(&res);
    /* On the map's own holdout (weeks 24-29) it says the rows are
     * in-sample for the map. */
    free(rows);
    n = rows_of_weeks(s, 24, FIT_WEEKS, &rows);
    assert_int_equal(hc_validate_model_opts(tuned, &s->h, rows, n, &o, &res, NULL, &err),
                     HC_OK);
    assert_false(res.recal.out_of_time);
    assert_int_equal(res.recal.rows_in_holdout, n);
    assert_non_null(strstr(res.recal.note, "in-sample for the map"));
    hc_validate_result_release(&res);
    free(rows);
}

/* predict's p_churn for the as-of snapshots (each account's latest, week
 * 39) equals the scorer's p of the same rows bit for bit, with the config
 * as written to JSON and read back (as `healthcal predict -c` reads it). */
static void check_predict_agrees(const sim *s, const hc_model *tuned)
{
    hc_error err;
    char *text = hc_model_to_string(tuned);
    hc_model *back;
    assert_int_equal(hc_model_load_string(text, "tuned.json", &back, &err), HC_OK);
    free(text);
    assert_non_null(back->recalibration);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = back;
    po.snapshots = &s->h.snapshots;
    hc_predict_result pr;
    assert_int_equal(hc_predict_run(&po, &pr, &err), HC_OK);
    assert_int_equal(pr.n, ACCOUNTS);
    size_t *rows = malloc(pr.n * sizeof *rows);
    double *p = malloc(pr.n * sizeof *p);
    for (size_t i = 0; i < pr.n; i++) {
        rows[i] = pr.rows[i].row;
        assert_int_equal(week_of(s, rows[i]), WEEKS - 1);
    }
    hc_score_out out = {.p_churn = p};
    assert_int_equal(hc_model_score_rows(tuned, s->h.snapshots.table, rows, 0, pr.n, 1,
                                         &out, &err),
                     HC_OK);
    for (size_t i = 0; i < pr.n; i++) {
        assert_true(isfinite(p[i]));
        assert_true(memcmp(&pr.rows[i].p_churn, &p[i], sizeof p[i]) == 0);
    }
    free(rows);
    free(p);
    hc_predict_result_release(&pr);
    hc_model_free(back);
}

static void run(hc_recal_method method, sim *s, hc_fit_result *r)
{
    size_t *rows;
    size_t n = rows_of_weeks(s, 0, FIT_WEEKS, &rows);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    opt.expansion = 0;
    opt.recalibrate = method;
    hc_error err;
    hc_status st = hc_fit_model(s->base, &s->h, rows, n, &opt, r, &err);
    if (st != HC_OK)
        fprintf(stderr, "fit: %s\n", err.message);
    assert_int_equal(st, HC_OK);
    free(rows);
    /* The split: 30 dates, the latest ceil(0.2 * 30) = 6 held out (weeks
     * 24..29); fit rows are those with date + 28 < the holdout's first
     * date, weeks 0..19; weeks 20..23 are the embargo. */
    const hc_fit_recal *rc = &r->recal;
    assert_true(r->recalibrated);
    assert_int_equal(rc->candidate_dates, FIT_WEEKS);
    assert_int_equal(rc->holdout_dates, 6);
    assert_int_equal(rc->embargo_days, HORIZON);
    assert_int_equal(rc->fit_rows, 20 * ACCOUNTS);
    assert_int_equal(r->n_fit, 20 * ACCOUNTS);
    assert_int_equal(rc->embargoed_rows, 4 * ACCOUNTS);
    assert_int_equal(rc->holdout_rows, 6 * ACCOUNTS);
    assert_int_equal(rc->holdout_accounts, ACCOUNTS);
    assert_int_equal(rc->fit_last_date, s->day0 + 7 * 19);
    assert_int_equal(rc->holdout_first_date, s->day0 + 7 * 24);
    assert_int_equal(rc->holdout_last_date, s->day0 + 7 * 29);
    const hc_recalibration *map = r->tuned->recalibration;
    assert_non_null(map);
    assert_int_equal(map->method, method);
    assert_int_equal(map->source.rows, 6 * ACCOUNTS);
    assert_int_equal(map->source.first_date, s->day0 + 7 * 24);
    /* The weights were fitted on the early, correctly specified rows. */
    double B = 0;
    for (int k = 0; k < K; k++)
        B += beta[k];
    for (int k = 0; k < K; k++)
        assert_close(r->new_weight[k], beta[k] / B, 0.05);
    assert_close(r->tuned->churn.slope, B, 0.02); /* logit P = b0 + B H */
}

static void test_platt_recalibrates_out_of_time(void **state)
{
    (void)state;
    sim s;
    simulate(&s, 20261207);
    hc_fit_result r;
    run(HC_RECAL_PLATT, &s, &r);
    const hc_recalibration *map = r.tuned->recalibration;
    /* The map recovers the drift: p_true = logistic(-1.2 + 0.4 logit p). */
    fprintf(stderr, "platt map a %.4f b %.4f; holdout slope before %.4f after %.4f, "
                    "Brier before %.6f after %.6f\n",
            map->a, map->b, r.recal.before_slope, r.recal.after_slope,
            r.recal.before_brier, r.recal.after_brier);
    assert_true(fabs(map->b - 0.4) < 0.03);
    assert_true(fabs(map->a - -1.2) < 0.15);
    assert_close(r.recal.before_slope, map->b, 1e-9);
    assert_close(r.recal.after_slope, 1, 1e-6); /* in-sample for the map */
    assert_true(fabs(r.recal.after_intercept) < 1e-6);
    assert_true(r.recal.after_brier < r.recal.before_brier);

    eval e = evaluate(&s, r.tuned);
    fprintf(stderr, "later period (weeks 30-39): calibration slope %.4f -> %.4f, "
                    "intercept %.4f -> %.4f, Brier %.6f -> %.6f (true p %.6f), "
                    "mean |p - p_true| %.5f -> %.5f\n",
            e.slope_before, e.slope_after, e.int_before, e.int_after, e.brier_before,
            e.brier_after, e.brier_true, e.mae_before, e.mae_after);
    assert_true(fabs(e.slope_before - 1) > 0.5);
    assert_true(fabs(e.slope_after - 1) < 0.05);
    assert_true(fabs(e.int_after) < 0.05);
    assert_true(e.brier_after < e.brier_before);
    assert_true(e.mae_after < e.mae_before / 3);
    check_validate_agrees(&s, r.tuned, &e);
    check_predict_agrees(&s, r.tuned);
    hc_fit_result_release(&r);
    sim_release(&s);
}

static void test_isotonic_recalibrates_out_of_time(void **state)
{
    (void)state;
    sim s;
    simulate(&s, 99);
    hc_fit_result r;
    run(HC_RECAL_ISOTONIC, &s, &r);
    const hc_recalibration *map = r.tuned->recalibration;
    assert_true(map->n_points >= 10);
    assert_close(r.recal.after_slope, 1, 1e-6); /* block means: exact in-sample */
    eval e = evaluate(&s, r.tuned);
    fprintf(stderr, "isotonic (%zu points), later period: calibration slope %.4f -> %.4f, "
                    "Brier %.6f -> %.6f (true p %.6f)\n",
            map->n_points, e.slope_before, e.slope_after, e.brier_before, e.brier_after,
            e.brier_true);
    assert_true(fabs(e.slope_after - 1) < 0.1);
    assert_true(e.brier_after < e.brier_before);
    check_predict_agrees(&s, r.tuned);
    hc_fit_result_release(&r);
    sim_release(&s);
}

/* A refit of a recalibrated config does not carry the stale map over, and
 * the split refuses what it cannot do, in words. */
static void test_refit_and_refusals(void **state)
{
    (void)state;
    sim s;
    simulate(&s, 5);
    hc_fit_result r;
    run(HC_RECAL_PLATT, &s, &r);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    opt.expansion = 0;
    hc_fit_result r2;
    hc_error err;
    assert_int_equal(hc_fit_model(r.tuned, &s.h, NULL, 0, &opt, &r2, &err), HC_OK);
    assert_null(r2.tuned->recalibration);
    assert_false(r2.recalibrated);
    hc_fit_result_release(&r2);

    /* Too long an embargo leaves nothing to fit on. */
    opt.recalibrate = HC_RECAL_PLATT;
    opt.recal_embargo_days = 7 * 40;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r2, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "no observation is left to fit the weights on"));
    /* One date only. */
    size_t *rows;
    size_t n = rows_of_weeks(&s, 3, 4, &rows);
    opt.recal_embargo_days = -1;
    assert_int_equal(hc_fit_model(s.base, &s.h, rows, n, &opt, &r2, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "at least 2 snapshot dates"));
    free(rows);
    opt.recal_holdout = 1.5;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r2, &err), HC_EUSAGE);
    /* The backtest's refit from columns has no dates. */
    hc_fit_options oc;
    hc_fit_options_init(&oc);
    oc.expansion = 0;
    oc.recalibrate = HC_RECAL_ISOTONIC;
    double c0[2] = {1, 2}, y0[2] = {0, 1};
    const double *cols[K] = {c0, c0, c0};
    int32_t cl[2] = {0, 1};
    assert_int_equal(hc_fit_model_columns(s.base, cols, y0, cl, 2, &oc, &r2, &err),
                     HC_EUSAGE);
    assert_non_null(strstr(err.message, "no snapshot dates"));
    hc_fit_result_release(&r);
    sim_release(&s);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platt_recalibrates_out_of_time),
        cmocka_unit_test(test_isotonic_recalibrates_out_of_time),
        cmocka_unit_test(test_refit_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
