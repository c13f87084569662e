/* test_metrics_conventions.c - the stated conventions of the metrics: Hosmer-Lemeshow's df with tied groups, clipping before the calibration logit, the ceil(N/10) top decile. */
#include "test_util.h"

#include <gsl/gsl_errno.h>

#include "hc_metrics.h"

/* Audit item 3. 40 predictions with 4 distinct values: the ten decile
 * groups of hoslem.test merge. Reference: `Rscript tests/reference/metrics.R`
 * (section "hl ties", R 4.2.2): the groups of ResourceSelection's
 * hoslem.test (breaks = unique(quantile(p, seq(0, 1, 0.1))),
 * cut(include.lowest = TRUE)), reproduced by hand because ResourceSelection
 * is not installable here (no Debian package r-cran-resourceselection),
 * with df = groups - 2 and p = pchisq(chi2, df, lower.tail = FALSE).
 * hoslem.test's own df of 8 would give p = 0.99946531072276379. */
static void test_hl_df_from_groups(void **state)
{
    (void)state;
    double p[40], y[40];
    size_t i = 0;
    const double val[4] = {0.1, 0.2, 0.35, 0.6};
    const size_t cnt[4] = {12, 10, 10, 8}, pos[4] = {2, 2, 4, 5};
    for (size_t g = 0; g < 4; g++)
        for (size_t k = 0; k < cnt[g]; k++, i++) {
            p[i] = val[g];
            y[i] = k < pos[g] ? 1.0 : 0.0;
        }
    hc_metrics_hl hl;
    hc_error err;
    assert_int_equal(hc_metrics_hosmer_lemeshow(y, p, 40, 10, &hl, &err), HC_OK);
    assert_int_equal(hl.n_groups, 4);
    assert_int_equal(hl.df, 2);
    assert_close(hl.chi2, 0.72331603581603565, 1e-12);
    assert_close(hl.p_value, 0.69652052466289871, 1e-12);
    /* The summary says the same, and the groups used. */
    hc_metrics_summary s;
    assert_int_equal(hc_metrics_evaluate(y, p, 40, &s, &err), HC_OK);
    assert_int_equal(s.hl_df, 2);
    assert_int_equal(s.hl_groups, 4);
    assert_true(s.hl_estimable);
    assert_close(s.hl_p, 0.69652052466289871, 1e-12);

    /* Two distinct predictions: 2 groups, no degree of freedom left. The
     * test alone is not estimable; the summary still stands, without NaN. */
    for (i = 0; i < 40; i++)
        p[i] = i < 20 ? 0.1 : 0.3;
    assert_int_equal(hc_metrics_hosmer_lemeshow(y, p, 40, 10, &hl, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "not estimable"));
    assert_int_equal(hl.n_groups, 2);
    assert_int_equal(hc_metrics_evaluate(y, p, 40, &s, &err), HC_OK);
    assert_false(s.hl_estimable);
    assert_int_equal(s.hl_df, 0);
    assert_int_equal(s.hl_groups, 2);
    assert_true(isfinite(s.hl_p) && isfinite(s.hl_chi2));
    assert_true(s.roc_auc > 0.0);
}

/* Audit item 4. Rows with p = 0 or 1 are clipped to [1e-15, 1 - 1e-15]
 * (HC_METRICS_CLIP_EPS, scikit-learn 1.2 log_loss's eps) before the logit,
 * not dropped, and counted. Reference: R glm(y ~ qlogis(pmin(pmax(p, eps),
 * 1 - eps)), binomial) and the offset-only fit (`Rscript
 * tests/reference/metrics.R`, section "calibration clipped"). Dropping the
 * three rows, as val.prob does, gives slope 4.8955976517114967 instead. */
static void test_calibration_clips(void **state)
{
    (void)state;
    const double y[] = {0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1};
    const double p[] = {0.0, 0.6, 0.3, 0.8, 0.4, 0.5, 1.0, 0.55, 0.0, 0.1, 0.2, 0.7};
    hc_metrics_calibration_result cal;
    hc_error err;
    assert_int_equal(hc_metrics_calibration(y, p, 12, &cal, &err), HC_OK);
    assert_int_equal(cal.n_fit, 12);
    assert_int_equal(cal.n_clipped, 3);
    assert_close(cal.intercept, 0.076480543168758117, 1e-6);
    assert_close(cal.slope, 0.025507044040388789, 1e-6);
    assert_close(cal.slope_se, 0.037085634428636785, 1e-6);
    assert_close(cal.in_the_large, 0.4722097015221543, 1e-6);
    hc_metrics_summary s;
    assert_int_equal(hc_metrics_evaluate(y, p, 12, &s, &err), HC_OK);
    assert_int_equal(s.calibration_clipped, 3);
    /* Hosmer-Lemeshow's first group here holds only the two p = 0 rows
     * (expected churners 0): that test alone is not estimable. */
    assert_false(s.hl_estimable);
    assert_close(s.calibration_slope, cal.slope, 0);
    /* The log loss clips with the same epsilon: with p = 1e-15 in place of
     * 0 (and 1 - 1e-15 for 1) nothing changes. */
    double q[12], l0, l1;
    for (int i = 0; i < 12; i++)
        q[i] = p[i] == 0.0 ? HC_METRICS_CLIP_EPS : p[i] == 1.0 ? 1.0 - HC_METRICS_CLIP_EPS : p[i];
    assert_int_equal(hc_metrics_log_loss(y, p, 12, &l0, &err), HC_OK);
    assert_int_equal(hc_metrics_log_loss(y, q, 12, &l1, &err), HC_OK);
    assert_close(l0, l1, 0);
}

/* Audit item 9. The top decile is the top ceil(N/10) rows (the gains-table
 * convention of R's gains, SAS and credit-scoring tools), ties at the cut
 * sharing equally; by hand:
 * - 15 distinct scores, churners ranked 2nd and 9th: the top 2 rows hold
 *   one churner: capture 1/2, lift (1/2) / (2/15) = 3.75 (0.1 N = 1.5 rows
 *   gave capture 0.25 and lift 2.5);
 * - the top 3 scores tied, one churner among them, one more below: the 2
 *   rows take 2/3 of the tie's churner: capture 1/3, lift 2.5. */
static void test_top_decile_ceil(void **state)
{
    (void)state;
    double s[15], y[15];
    for (int i = 0; i < 15; i++) {
        s[i] = 15 - i;
        y[i] = i == 1 || i == 8;
    }
    hc_error err;
    double lift, cap;
    assert_int_equal(hc_metrics_top_decile(y, s, 15, &lift, &cap, &err), HC_OK);
    assert_close(cap, 0.5, 1e-15);
    assert_close(lift, 3.75, 1e-14);
    hc_metrics_summary sum;
    double p[15];
    for (int i = 0; i < 15; i++)
        p[i] = s[i] / 20.0;
    assert_int_equal(hc_metrics_evaluate(y, p, 15, &sum, &err), HC_OK);
    assert_close(sum.capture_top_decile, 0.5, 1e-15);
    assert_close(sum.lift_top_decile, 3.75, 1e-14);

    s[0] = s[1] = s[2] = 20;
    assert_int_equal(hc_metrics_top_decile(y, s, 15, &lift, &cap, &err), HC_OK);
    assert_close(cap, 1.0 / 3.0, 1e-15);
    assert_close(lift, 2.5, 1e-14);

    /* ceil(N/10) exactly, also where 0.1 N is not exact in binary. */
    assert_int_equal(hc_metrics_top_count(30, 0.1), 3);
    assert_int_equal(hc_metrics_top_count(10, 0.1), 1);
    assert_int_equal(hc_metrics_top_count(7043, 0.1), 705);
    assert_int_equal(hc_metrics_top_count(3, 0.1), 1);
    assert_int_equal(hc_metrics_top_count(70, 0.3), 21);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hl_df_from_groups),
        cmocka_unit_test(test_calibration_clips),
        cmocka_unit_test(test_top_decile_ceil),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
