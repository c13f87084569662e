/* test_backtest_nested.c - the thresholds' nested walk-forward: cut points chosen on earlier folds only, scored on the next; on a score without signal the out-of-time precision is the base rate while the in-sample one flatters. */
#include "test_util.h"

#include "hc_backtest.h"

#include "../../src/workflow/backtest_internal.h"

#define FOLDS 5
#define PER_FOLD 4000

/* A pool of FOLDS x PER_FOLD test rows whose health score is pure noise
 * (independent of the outcome): the known truth is that every red band
 * has precision equal to the churn rate, 5%. */
typedef struct {
    hc_backtest_result res;
    hc_backtest_fold folds[FOLDS];
    hc_backtest_config cfg;
    double y[FOLDS * PER_FOLD], h[FOLDS * PER_FOLD];
} noise_pool;

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static void noise_pool_init(noise_pool *np, uint64_t seed)
{
    memset(np, 0, sizeof *np);
    for (size_t i = 0; i < FOLDS * PER_FOLD; i++) {
        np->y[i] = (double)(lcg(&seed) % 1000 < 50);
        np->h[i] = (double)(lcg(&seed) % 100000) / 1000.0; /* 0 .. 99.999 */
    }
    for (size_t f = 0; f < FOLDS; f++) {
        np->folds[f].index = f;
        np->folds[f].used = 1;
        np->folds[f].n_test = PER_FOLD;
    }
    np->cfg.health = np->h;
    np->res.plan.n_folds = FOLDS;
    np->res.folds = np->folds;
    np->res.folds_used = FOLDS;
    np->res.configs = &np->cfg;
    np->res.n_configs = 1;
    np->res.n_pooled = FOLDS * PER_FOLD;
    np->res.pooled_y = np->y;
}

static void precision_options(hc_threshold_options *to)
{
    hc_threshold_options_init(to);
    to->objective = HC_THRESHOLD_PRECISION;
    to->target = 0.058;
    to->min_band_share = 0.005;
    to->grid = 0.1;
    to->n_bands = 2; /* red and the rest: a noise score has no monotone third band */
}

/* Each fold's cut points are those the search chooses on the earlier
 * folds' rows alone (an independent call on that prefix), and its tallies
 * are a hand count over its own rows. */
static void test_chosen_on_earlier_folds_only(void **state)
{
    (void)state;
    static noise_pool np;
    noise_pool_init(&np, 7);
    hc_threshold_options to;
    precision_options(&to);
    hc_error err;
    assert_int_equal(hc_bt_nested_thresholds(&np.res, &to, 0, NULL, NULL, &err), HC_OK);
    const hc_backtest_nested *n = &np.res.nested;
    assert_int_equal(n->n_folds, FOLDS - 1);
    size_t red_rows = 0, red_churners = 0;
    for (size_t k = 0; k < n->n_folds; k++) {
        const hc_backtest_nested_fold *nf = &n->folds[k];
        size_t start = (k + 1) * PER_FOLD;
        assert_int_equal(nf->fold, k + 1);
        assert_int_equal(nf->chosen_on, start);
        assert_true(nf->ok);
        hc_threshold_result tr;
        assert_int_equal(hc_thresholds_search(np.h, np.y, NULL, start, &to, &tr, &err), HC_OK);
        assert_int_equal(nf->n_cuts, 1);
        assert_true(nf->cuts[0] == tr.cuts[0]);
        size_t rr = 0, rc = 0, ch = 0;
        for (size_t i = start; i < start + PER_FOLD; i++) {
            rr += np.h[i] < tr.cuts[0];
            rc += np.h[i] < tr.cuts[0] && np.y[i] == 1.0;
            ch += np.y[i] == 1.0;
        }
        hc_threshold_result_release(&tr);
        assert_int_equal(nf->rows, PER_FOLD);
        assert_int_equal(nf->red_rows, rr);
        assert_int_equal(nf->red_churners, rc);
        assert_int_equal(nf->churners, ch);
        assert_true(fabs(nf->precision - (double)rc / (double)rr) < 1e-15);
        assert_int_equal(nf->met, (double)rc / (double)rr >= to.target);
        red_rows += rr;
        red_churners += rc;
    }
    assert_int_equal(n->scored, FOLDS - 1);
    assert_int_equal(n->red_rows, red_rows);
    assert_int_equal(n->red_churners, red_churners);
    assert_true(np.res.has_nested);
    hc_bt_nested_release(&np.res.nested);
}

/* Known truth: the score carries no signal, so any red band's precision
 * is 5%. Chosen and scored on the same rows (the pooled sweep), the
 * search picks, among many candidate bands, one that looks better than
 * the truth: selection on noise. Over eight noise pools, the in-sample
 * precision exceeds 5% by more than two standard errors of its mean,
 * while the nested figures, scored on rows the choice never saw, stay
 * within three standard errors of 5%. */
static void test_noise_in_sample_flatters(void **state)
{
    (void)state;
    static noise_pool np;
    hc_threshold_options to;
    precision_options(&to);
    hc_error err;
    double in_sum = 0, in_var = 0;
    size_t red_rows = 0, red_churners = 0, seeds = 8;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        noise_pool_init(&np, seed);
        hc_threshold_result all;
        assert_int_equal(hc_thresholds_search(np.h, np.y, NULL, FOLDS * PER_FOLD, &to, &all,
                                              &err), HC_OK);
        size_t flagged = all.sweep[all.red_point].flagged;
        in_sum += all.achieved;
        in_var += 0.05 * 0.95 / (double)flagged;
        hc_threshold_result_release(&all);
        assert_int_equal(hc_bt_nested_thresholds(&np.res, &to, 0, NULL, NULL, &err), HC_OK);
        red_rows += np.res.nested.red_rows;
        red_churners += np.res.nested.red_churners;
        hc_bt_nested_release(&np.res.nested);
    }
    double in_mean = in_sum / (double)seeds, in_se = sqrt(in_var) / (double)seeds;
    double out = (double)red_churners / (double)red_rows;
    double out_se = sqrt(0.05 * 0.95 / (double)red_rows);
    if (getenv("HC_TEST_VERBOSE"))
        fprintf(stderr, "in-sample %.4f (se %.4f), out of time %.4f (se %.4f)\n", in_mean,
                in_se, out, out_se);
    assert_true(in_mean - 0.05 > 2 * in_se);
    assert_true(fabs(out - 0.05) < 3 * out_se);
    assert_true(out < in_mean);
}

/* Fewer than two used folds: nothing earlier to choose on. */
static void test_one_fold(void **state)
{
    (void)state;
    static noise_pool np;
    noise_pool_init(&np, 3);
    np.res.folds_used = 1;
    for (size_t f = 1; f < FOLDS; f++)
        np.folds[f].used = 0;
    np.res.n_pooled = PER_FOLD;
    hc_threshold_options to;
    precision_options(&to);
    hc_error err;
    assert_int_equal(hc_bt_nested_thresholds(&np.res, &to, 0, NULL, NULL, &err), HC_OK);
    assert_false(np.res.has_nested);
    assert_int_equal(np.res.nested.n_folds, 0);
    hc_bt_nested_release(&np.res.nested);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chosen_on_earlier_folds_only),
        cmocka_unit_test(test_noise_in_sample_flatters),
        cmocka_unit_test(test_one_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
