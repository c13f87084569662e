/* test_fit.c - the fit workflow on simulated histories with known truth. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hc_date.h"
#include "hc_fit.h"
#include "hc_simulate.h"

#include <unistd.h>

#define K 3
static const char *const comp_names[K] = {"usage", "support", "financial"};

/* A history of `accounts` accounts x `weeks` weekly snapshots with three
 * identity-transform components s_k in [0, 100] that drift per account,
 * and a churn label per row drawn from the TRUE model
 * logit P = b0 + sum_k beta_k s_k (so the fitted model is correctly
 * specified). Segment "big" or "small" by account parity. */
typedef struct {
    hc_history h;
    hc_model *base;
} sim;

static void simulate(sim *s, unsigned long seed, size_t accounts, size_t weeks,
                     double b0, const double *beta, double missing_rate)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    hc_table *t = hc_table_alloc("sim");
    int cid = hc_table_add_column(t, "account_id", HC_COL_TEXT);
    int cdate = hc_table_add_column(t, "snapshot_date", HC_COL_DATE);
    int cseg = hc_table_add_column(t, "segment", HC_COL_TEXT);
    int cm[K];
    for (int k = 0; k < K; k++)
        cm[k] = hc_table_add_column(t, comp_names[k], HC_COL_NUM);
    size_t n = accounts * weeks;
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    memset(&s->h, 0, sizeof s->h);
    s->h.labels.n_rows = n;
    s->h.labels.status = calloc(n, 1);
    s->h.labels.churn = calloc(n, 1);
    s->h.labels.expansion = calloc(n, 1);
    size_t r = 0;
    for (size_t a = 0; a < accounts; a++) {
        char id[32];
        snprintf(id, sizeof id, "A%06zu", a);
        double level[K];
        for (int k = 0; k < K; k++)
            level[k] = 20 + 60 * gsl_rng_uniform(rng);
        for (size_t w = 0; w < weeks; w++, r++) {
            assert_int_equal(hc_table_set_text(t, cid, r, id), HC_OK);
            assert_int_equal(hc_table_set_text(t, cseg, r, a % 2 ? "big" : "small"), HC_OK);
            t->cols[cdate].code[r] = hc_date_from_civil(2024, 1, 1) + (int32_t)(7 * w);
            double eta = b0;
            for (int k = 0; k < K; k++) {
                double v = level[k] + gsl_ran_gaussian(rng, 10);
                v = v < 0 ? 0 : v > 100 ? 100 : v;
                eta += beta[k] * v;
                assert_int_equal(hc_table_num_set(t, cm[k], r,
                                                  gsl_rng_uniform(rng) < missing_rate ? NAN : v),
                                 HC_OK);
            }
            s->h.labels.churn[r] = gsl_rng_uniform(rng) < 1 / (1 + exp(-eta));
            s->h.labels.expansion[r] = gsl_rng_uniform(rng) < 0.05 + 0.001 * level[0];
            s->h.labels.observations++;
        }
    }
    for (int k = 0; k < K; k++) {
        t->cols[cm[k]].n_missing = 0;
        for (size_t i = 0; i < n; i++)
            t->cols[cm[k]].n_missing += isnan(hc_table_num(t, cm[k], i));
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
    assert_int_equal(hc_model_validate(s->base, &err), HC_OK);
}

static void sim_release(sim *s)
{
    hc_history_release(&s->h);
    hc_model_free(s->base);
}

/* Property: the tuned config's P(churn) = logistic(b0 + B H) reproduces the
 * fitted logistic regression's probabilities (H is a sufficient statistic
 * when every beta <= 0: sum_k b_k s_k = B H) to 1e-12. */
static void test_config_reproduces_fit(void **state)
{
    (void)state;
    static const double beta[K] = {-0.03, -0.01, -0.05};
    sim s;
    simulate(&s, 11, 300, 20, 1.0, beta, 0.0);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    hc_fit_result r;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r, &err), HC_OK);
    assert_int_equal(r.n_kept, K);
    hc_scores *sc = hc_scores_alloc(r.tuned, s.h.snapshots.table->n_rows);
    assert_int_equal(hc_model_score(r.tuned, s.h.snapshots.table, sc, &err), HC_OK);
    double wsum = 0;
    for (int k = 0; k < K; k++) {
        assert_true(r.new_weight[k] > 0);
        wsum += r.new_weight[k];
    }
    assert_close(wsum, 1.0, 1e-15);
    for (size_t i = 0; i < sc->n_rows; i++) {
        double eta = r.churn.coef[0];
        for (int k = 0; k < K; k++)
            eta += r.churn.coef[k + 1] * sc->sub[k * sc->n_rows + i];
        assert_close(sc->p_churn[i], 1 / (1 + exp(-eta)), 1e-12);
    }
    assert_true(r.in_sample_auc > 0.6 && r.in_sample_auc < 1);
    hc_scores_free(sc);
    hc_fit_result_release(&r);
    sim_release(&s);
}

/* Property: a fit from sub-score columns the caller holds
 * (hc_fit_model_columns, the backtest's refit) is bit-identical to
 * hc_fit_model on the same rows. */
static void test_fit_from_columns(void **state)
{
    (void)state;
    static const double beta[K] = {-0.03, 0.03, -0.05}; /* one wrong sign */
    sim s;
    simulate(&s, 5, 200, 15, 0.5, beta, 0.0);
    size_t n = s.h.snapshots.table->n_rows, first = 300, len = n - 600;
    size_t *rows = malloc(len * sizeof *rows);
    for (size_t i = 0; i < len; i++)
        rows[i] = first + i;
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    opt.expansion = 0;
    hc_fit_result a, b;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, rows, len, &opt, &a, &err), HC_OK);
    hc_scores *sc = hc_scores_alloc(s.base, n);
    assert_int_equal(hc_model_score(s.base, s.h.snapshots.table, sc, &err), HC_OK);
    const double *cols[K];
    for (int k = 0; k < K; k++)
        cols[k] = sc->sub + (size_t)k * n + first;
    double *y = malloc(len * sizeof *y);
    int32_t *cl = malloc(len * sizeof *cl);
    const int32_t *ids = s.h.snapshots.table->cols[s.h.snapshots.id_col].code;
    for (size_t i = 0; i < len; i++) {
        y[i] = s.h.labels.churn[first + i];
        cl[i] = ids[first + i];
    }
    assert_int_equal(hc_fit_model_columns(s.base, cols, y, cl, len, &opt, &b, &err), HC_OK);
    assert_int_equal(a.n_kept, b.n_kept);
    assert_int_equal(a.n_kept, K - 1); /* the wrong-signed one refitted out */
    for (size_t j = 0; j <= a.n_kept; j++) {
        assert_true(a.churn.coef[j] == b.churn.coef[j]);
        assert_true(a.churn.robust_se[j] == b.churn.robust_se[j]);
    }
    for (int k = 0; k < K; k++) {
        assert_true(a.new_weight[k] == b.new_weight[k]);
        assert_true(a.weight_ci_low[k] == b.weight_ci_low[k]);
    }
    assert_true(a.in_sample_auc == b.in_sample_auc);
    assert_true(a.tuned->churn.slope == b.tuned->churn.slope);
    hc_fit_result_release(&a);
    hc_fit_result_release(&b);
    /* Segments and expansion need the history: refused. */
    opt.expansion = 1;
    assert_int_equal(hc_fit_model_columns(s.base, cols, y, cl, len, &opt, &b, &err),
                     HC_EUSAGE);
    hc_scores_free(sc);
    free(rows);
    free(y);
    free(cl);
    sim_release(&s);
}

/* Property: a fit never modifies its input. Two fits of one history give
 * the same bits, and the history scores the same before and after (every
 * sub-score and health of every row, compared bit for bit). */
static void test_fit_leaves_history_unchanged(void **state)
{
    (void)state;
    static const double beta[K] = {-0.03, -0.01, -0.05};
    sim s;
    simulate(&s, 9, 150, 12, 1.0, beta, 0.05);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    opt.segments = 1;
    const hc_table *t = s.h.snapshots.table;
    hc_scores *before = hc_scores_alloc(s.base, t->n_rows);
    hc_scores *after = hc_scores_alloc(s.base, t->n_rows);
    assert_non_null(before);
    assert_non_null(after);
    assert_int_equal(hc_model_score(s.base, t, before, NULL), HC_OK);
    hc_fit_result a, b;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &a, &err), HC_OK);
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &b, &err), HC_OK);
    assert_int_equal(hc_model_score(s.base, t, after, NULL), HC_OK);
    assert_int_equal(a.n_fit, b.n_fit);
    assert_int_equal(a.n_incomplete, b.n_incomplete);
    assert_true(a.n_incomplete > 0); /* 5% missing per component */
    for (size_t j = 0; j <= a.n_kept; j++)
        assert_true(a.churn.coef[j] == b.churn.coef[j]);
    assert_true(a.expansion.coef[1] == b.expansion.coef[1]);
    assert_true(a.in_sample_auc == b.in_sample_auc);
    assert_int_equal(a.n_segments, b.n_segments);
    assert_true(a.segments[0].intercept == b.segments[0].intercept);
    size_t n = t->n_rows;
    assert_memory_equal(before->sub, after->sub, s.base->n_components * n * sizeof *before->sub);
    assert_memory_equal(before->health, after->health, n * sizeof *before->health);
    hc_scores_free(before);
    hc_scores_free(after);
    hc_fit_result_release(&a);
    hc_fit_result_release(&b);
    sim_release(&s);
}

/* Known truth: over 20 seeds the true normalised weights beta_k / sum beta
 * lie inside the fitted 95% delta-method intervals (robust by account) for
 * at least 90% of (component, seed) pairs. */
static void test_weights_cover_truth(void **state)
{
    (void)state;
    static const double beta[K] = {-0.03, -0.01, -0.05};
    double bsum = beta[0] + beta[1] + beta[2];
    int covered = 0, total = 0;
    for (unsigned long seed = 1; seed <= 20; seed++) {
        sim s;
        simulate(&s, seed, 200, 15, 1.0, beta, 0.0);
        hc_fit_options opt;
        hc_fit_options_init(&opt);
        opt.expansion = 0;
        hc_fit_result r;
        hc_error err;
        assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r, &err), HC_OK);
        for (int k = 0; k < K; k++) {
            double truth = beta[k] / bsum;
            covered += r.weight_ci_low[k] <= truth && truth <= r.weight_ci_high[k];
            total++;
        }
        hc_fit_result_release(&r);
        sim_release(&s);
    }
    fprintf(stderr, "weights: %d of %d intervals cover the truth\n", covered, total);
    assert_true(covered >= (int)(0.9 * total));
}

/* A component whose true effect is harmful (beta > 0) is dropped and gets
 * weight 0; the others keep positive weights. */
static void test_wrong_sign_dropped(void **state)
{
    (void)state;
    static const double beta[K] = {-0.04, 0.03, -0.04};
    sim s;
    simulate(&s, 5, 300, 20, -1.0, beta, 0.0);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    hc_fit_result r;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r, &err), HC_OK);
    assert_int_equal(r.dropped[1], 1);
    assert_int_equal(r.n_kept, 2);
    assert_true(r.new_weight[1] == 0);
    assert_close(r.new_weight[0] + r.new_weight[2], 1.0, 1e-15);
    assert_close(r.tuned->components[1].weight, 0.0, 0);
    hc_fit_result_release(&r);
    sim_release(&s);
}

/* Every component harmful: no non-negative weights exist; HC_ENUMERIC. */
static void test_all_wrong_sign(void **state)
{
    (void)state;
    static const double beta[K] = {0.03, 0.03, 0.03};
    sim s;
    simulate(&s, 6, 200, 20, -6.0, beta, 0.0);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    hc_fit_result r;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "unhealthy sign"));
    sim_release(&s);
}

/* Missing sub-scores: incomplete rows are counted and left out. */
static void test_missing_rows_counted(void **state)
{
    (void)state;
    static const double beta[K] = {-0.03, -0.01, -0.05};
    sim s;
    simulate(&s, 7, 200, 10, 1.0, beta, 0.05);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    hc_fit_result r;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r, &err), HC_OK);
    size_t incomplete = 0, n = s.h.snapshots.table->n_rows;
    for (size_t i = 0; i < n; i++) {
        int miss = 0;
        for (int k = 0; k < K; k++)
            miss |= isnan(hc_table_num(s.h.snapshots.table, 3 + k, i));
        incomplete += miss;
    }
    assert_int_equal(r.n_incomplete, incomplete);
    assert_int_equal(r.n_fit + r.n_incomplete, n);
    hc_fit_result_release(&r);
    sim_release(&s);
}

/* Segments: credibility Z = E / (E + 10 K), weights a convex combination
 * summing to 1, and each segment's calibration reproduces its own 2-parameter
 * logistic fit of churn on H_s. */
static void test_segments(void **state)
{
    (void)state;
    static const double beta[K] = {-0.03, -0.01, -0.05};
    sim s;
    simulate(&s, 8, 300, 20, 1.0, beta, 0.0);
    hc_fit_options opt;
    hc_fit_options_init(&opt);
    opt.segments = 1;
    hc_fit_result r;
    hc_error err;
    assert_int_equal(hc_fit_model(s.base, &s.h, NULL, 0, &opt, &r, &err), HC_OK);
    assert_int_equal(r.n_segments, 2);
    for (size_t g = 0; g < 2; g++) {
        const hc_fit_segment *fs = &r.segments[g];
        assert_true(fs->own_fit && fs->calibrated);
        assert_close(fs->credibility, (double)fs->events / (fs->events + 10.0 * K), 1e-15);
        double sum = 0;
        for (int k = 0; k < K; k++)
            sum += fs->weights[k];
        assert_close(sum, 1.0, 1e-15);
        int idx = hc_model_find_segment(r.tuned, fs->name);
        assert_true(idx >= 0);
        assert_close(r.tuned->segments[idx].churn.intercept, fs->intercept, 0);
    }
    hc_fit_result_release(&r);
    sim_release(&s);
}


/* Known truth from the simulator (datasets/README.md): the true component
 * weights 0.30, 0.05, 0, 0.50, 0.15 lie inside the fitted 95% intervals
 * (delta method on the robust covariance) for at least 90% of the
 * (component, seed) pairs over 6 simulated histories. The simulator's
 * 30-day label is only approximately logistic in the snapshot's
 * sub-scores, so this also checks that the approximation is good enough
 * for the intervals at this size. */
static void test_simulator_truth_weights(void **state)
{
    (void)state;
    static const double truth[5] = {0.30, 0.05, 0.0, 0.50, 0.15};
    int covered = 0, total = 0;
    for (unsigned long seed = 1; seed <= 6; seed++) {
        char dir[] = "/tmp/hc-test-fit-XXXXXX";
        assert_non_null(mkdtemp(dir));
        hc_simulate_options so;
        hc_simulate_options_init(&so);
        so.accounts = 1000;
        so.weeks = 78;
        so.seed = seed;
        so.out_dir = dir;
        hc_error err;
        assert_int_equal(hc_simulate_run(&so, NULL, &err), HC_OK);
        char snap[64], ev[64], cur[64];
        snprintf(snap, sizeof snap, "%s/snapshots.csv", dir);
        snprintf(ev, sizeof ev, "%s/events.csv", dir);
        snprintf(cur, sizeof cur, "%s/current.json", dir);
        hc_model *base;
        assert_int_equal(hc_model_load(cur, &base, &err), HC_OK);
        hc_history_options ho;
        memset(&ho, 0, sizeof ho);
        ho.snapshots_path = snap;
        ho.events_path = ev;
        ho.labels.horizon = 30;
        ho.labels.as_of = HC_DATE_MISSING;
        hc_history h;
        assert_int_equal(hc_history_load(&ho, &h, &err), HC_OK);
        hc_fit_options fo;
        hc_fit_options_init(&fo);
        fo.expansion = 0;
        hc_fit_result r;
        assert_int_equal(hc_fit_model(base, &h, NULL, 0, &fo, &r, &err), HC_OK);
        for (size_t k = 0; k < 5; k++) {
            /* A dropped (wrong-signed) component has weight 0 and no
             * interval: it covers a true weight of 0 only. */
            int in = r.dropped[k] ? truth[k] == 0.0
                                  : r.weight_ci_low[k] <= truth[k] &&
                                        truth[k] <= r.weight_ci_high[k];
            covered += in;
            total++;
        }
        hc_fit_result_release(&r);
        hc_history_release(&h);
        hc_model_free(base);
        const char *files[] = {"snapshots.csv", "events.csv", "truth.json", "current.json"};
        for (size_t i = 0; i < 4; i++) {
            char path[96];
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            unlink(path);
        }
        rmdir(dir);
    }
    fprintf(stderr, "simulator: %d of %d true weights inside the 95%% intervals\n",
            covered, total);
    assert_true(covered >= (int)(0.9 * total));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_reproduces_fit),
        cmocka_unit_test(test_fit_from_columns),
        cmocka_unit_test(test_fit_leaves_history_unchanged),
        cmocka_unit_test(test_weights_cover_truth),
        cmocka_unit_test(test_wrong_sign_dropped),
        cmocka_unit_test(test_all_wrong_sign),
        cmocka_unit_test(test_missing_rows_counted),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_simulator_truth_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
