/* test_metrics_clustered.c - unit tests of the intervals for clustered rows: Obuchowski's clustered DeLong, ratio estimators, recalibration design effects, the cluster bootstrap (hc_metrics). */
#include "test_util.h"

#include <math.h>

#include <gsl/gsl_errno.h>

#include "hc_metrics.h"

/* The 44 rows of tests/reference/metrics_clustered.py and .R: 12 clusters,
 * one of positives only (0), one of a lone positive (4), five of negatives
 * only, five mixed; scores with ties. */
#define NR 44
static const int32_t CL[NR] = {0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5,
                               6, 6, 6, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10, 10, 10, 10, 10,
                               10, 11, 11, 11, 11, 11};
static const double Y[NR] = {1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                             0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1};
static const double S[NR] = {0.5, 0.7, 0.5, 0.4, 0.3, 0.5, 0.5, 0.4, 0.6, 0.7, 0.2,
                             0.2, 0.3, 0.3, 0.2, 0.5, 0.3, 0.1, 0.2, 0.4, 0.1, 0.2,
                             0.2, 0.3, 0.1, 0.4, 0.5, 0.2, 0.5, 0.7, 0.3, 0.6, 0.3,
                             0.8, 0.4, 0.6, 0.8, 0.7, 0.6, 0.3, 0.1, 0.5, 0.2, 0.3};
static const double S2[NR] = {0.56, 0.6, 0.36, 0.06, 0.47, 0.43, 0.42, 0.34, 0.24,
                              0.43, 0.16, 0.15, 0.12, 0.44, 0.49, 0.62, 0.29, 0.35,
                              0.23, 0.24, 0.29, 0.36, 0.47, 0.25, 0.37, 0.25, 0.41,
                              0.21, 0.19, 0.16, 0.14, 0.63, 0.31, 0.63, 0.2, 0.35,
                              0.37, 0.2, 0.62, 0.07, 0.18, 0.65, 0.04, 0.28};

/* A reproducible uniform in [0, 1) (a 64-bit LCG, Knuth's MMIX constants). */
static double lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*x >> 11) / 9007199254740992.0;
}

/* With one row per cluster the clustered variance is DeLong's: on the 44
 * rows and on 3000 rows with heavy ties, clusters coded in a shuffled
 * order (the codes need not follow the rows), alone and paired. */
static void test_one_row_per_cluster_is_delong(void **state)
{
    (void)state;
    size_t n = 3000;
    double *y = malloc(n * sizeof *y), *s = malloc(n * sizeof *s), *s2 = malloc(n * sizeof *s2);
    int32_t *c = malloc(n * sizeof *c);
    uint64_t x = 42;
    for (size_t i = 0; i < n; i++) {
        y[i] = lcg(&x) < 0.1;
        s[i] = floor(20 * (lcg(&x) + 0.3 * y[i])) / 20; /* ties */
        s2[i] = lcg(&x) + 0.1 * y[i];
        c[i] = (int32_t)i;
    }
    for (size_t i = n - 1; i > 0; i--) { /* shuffle the codes */
        size_t j = (size_t)(lcg(&x) * (double)(i + 1));
        int32_t t = c[i];
        c[i] = c[j];
        c[j] = t;
    }
    int32_t own[NR];
    for (int i = 0; i < NR; i++)
        own[i] = NR - 1 - i;
    const struct {
        const double *y, *s, *s2;
        const int32_t *c;
        size_t n;
    } sets[] = {{Y, S, S2, own, NR}, {y, s, s2, c, n}};
    hc_error err;
    for (size_t k = 0; k < 2; k++) {
        hc_metrics_auc_ci d;
        hc_metrics_auc_ci_clustered cc;
        assert_int_equal(hc_metrics_delong_ci(sets[k].y, sets[k].s, sets[k].n, 0.95, &d, &err), HC_OK);
        assert_int_equal(hc_metrics_delong_clustered(sets[k].y, sets[k].s, sets[k].c, sets[k].n,
                                                     0.95, &cc, &err), HC_OK);
        assert_close(cc.ci.auc, d.auc, 1e-15);
        assert_close(cc.ci.se, d.se, 1e-12);
        assert_close(cc.se_naive, d.se, 1e-12);
        assert_close(cc.ci.ci_low, d.ci_low, 1e-12);
        assert_close(cc.ci.ci_high, d.ci_high, 1e-12);
        assert_close(cc.design_effect, 1.0, 1e-12);
        assert_int_equal(cc.n_clusters, sets[k].n);
        assert_int_equal(cc.n_pos_clusters, d.n_pos);
        hc_metrics_auc_diff pd;
        hc_metrics_auc_diff_clustered pc;
        assert_int_equal(hc_metrics_delong_paired(sets[k].y, sets[k].s, sets[k].s2, sets[k].n,
                                                  0.95, &pd, &err), HC_OK);
        assert_int_equal(hc_metrics_delong_paired_clustered(sets[k].y, sets[k].s, sets[k].s2,
                                                            sets[k].c, sets[k].n, 0.95, &pc,
                                                            &err), HC_OK);
        assert_close(pc.d.diff, pd.diff, 1e-15);
        assert_close(pc.d.se, pd.se, 1e-12);
        assert_close(pc.d.z, pd.z, 1e-10);
        assert_close(pc.d.p_value, pd.p_value, 1e-12);
        assert_close(pc.d.ci_low, pd.ci_low, 1e-12);
        assert_close(pc.se_naive, pd.se, 1e-12);
        assert_close(pc.design_effect, 1.0, 1e-12);
    }
    free(y);
    free(s);
    free(s2);
    free(c);
}

/* Against the direct O(n^2) implementation of Obuchowski (1997) in
 * tests/reference/metrics_clustered.py (pure Python, from the paper):
 * auc1 0.97115384615384626, var1 0.00052036390928124517 (DeLong
 * 0.00053904917215626103), auc2 0.75854700854700852, var2
 * 0.0051633989759374919, var(diff) 0.0067356841196665081 (DeLong
 * 0.0056531919145041305); I = 12, I10 = 7, I01 = 10. */
static void test_obuchowski_reference(void **state)
{
    (void)state;
    hc_error err;
    hc_metrics_auc_ci_clustered a, b;
    assert_int_equal(hc_metrics_delong_clustered(Y, S, CL, NR, 0.95, &a, &err), HC_OK);
    assert_int_equal(hc_metrics_delong_clustered(Y, S2, CL, NR, 0.95, &b, &err), HC_OK);
    assert_close(a.ci.auc, 0.97115384615384626, 1e-15);
    assert_close(a.ci.se * a.ci.se, 0.00052036390928124517, 1e-15);
    assert_close(a.se_naive * a.se_naive, 0.00053904917215626103, 1e-15);
    assert_close(a.design_effect, 0.00052036390928124517 / 0.00053904917215626103, 1e-12);
    assert_close(b.ci.auc, 0.75854700854700852, 1e-15);
    assert_close(b.ci.se * b.ci.se, 0.0051633989759374919, 1e-15);
    assert_int_equal(a.n_clusters, 12);
    assert_int_equal(a.n_pos_clusters, 7);
    assert_int_equal(a.n_neg_clusters, 10);
    /* the interval: auc -/+ qnorm(0.975) se, clipped at 1 */
    assert_close(a.ci.ci_low, 0.97115384615384626 - 1.959963984540054 * sqrt(0.00052036390928124517), 1e-12);
    assert_close(a.ci.ci_high, 1.0, 0);
    hc_metrics_auc_diff_clustered d;
    assert_int_equal(hc_metrics_delong_paired_clustered(Y, S, S2, CL, NR, 0.95, &d, &err), HC_OK);
    assert_close(d.d.diff, 0.97115384615384626 - 0.75854700854700852, 1e-15);
    assert_close(d.d.se * d.d.se, 0.0067356841196665081, 1e-15);
    assert_close(d.se_naive * d.se_naive, 0.0056531919145041305, 1e-15);
    /* the placements variants give the same without re-ranking */
    hc_metrics_ranked *r1 = hc_metrics_rank(S, NR), *r2 = hc_metrics_rank(S2, NR);
    double t1, t2;
    double *p1 = hc_metrics_delong_placements(Y, r1, NR, &t1);
    double *p2 = hc_metrics_delong_placements(Y, r2, NR, &t2);
    hc_metrics_auc_ci_clustered a2;
    hc_metrics_auc_diff_clustered d2;
    assert_int_equal(hc_metrics_delong_clustered_placements(Y, p1, t1, CL, NR, 0.95, &a2, &err), HC_OK);
    assert_int_equal(hc_metrics_delong_paired_clustered_placements(Y, p1, t1, p2, t2, CL, NR, 0.95,
                                                                   &d2, &err), HC_OK);
    assert_close(a2.ci.se, a.ci.se, 0);
    assert_close(d2.d.se, d.d.se, 0);
    assert_close(d2.d.p_value, d.d.p_value, 0);
    free(r1);
    free(r2);
    free(p1);
    free(p2);
}

static void test_clustered_errors(void **state)
{
    (void)state;
    hc_error err;
    hc_metrics_auc_ci_clustered a;
    int32_t bad[NR];
    memcpy(bad, CL, sizeof bad);
    bad[7] = -1;
    assert_int_equal(hc_metrics_delong_clustered(Y, S, bad, NR, 0.95, &a, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "row 7"));
    /* every churner in one account: the variance cannot be estimated */
    int32_t one[NR];
    for (int i = 0; i < NR; i++)
        one[i] = Y[i] == 1.0 ? 0 : 1 + i % 5;
    assert_int_equal(hc_metrics_delong_clustered(Y, S, one, NR, 0.95, &a, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "2 clusters"));
    assert_int_equal(hc_metrics_delong_clustered(Y, S, CL, NR, 1.5, &a, &err), HC_EUSAGE);
}

/* Ratio estimators against tests/reference/metrics_clustered.R (the
 * linearised variance of survey::svyratio written out by hand, Wilson at
 * the Korn-Graubard df-adjusted effective size, t for the other kinds).
 * Bands of p = S: red >= 0.5, yellow >= 0.3. */
static void test_ratio_reference(void **state)
{
    (void)state;
    hc_error err;
    double one[NR], sq[NR];
    for (int i = 0; i < NR; i++) {
        one[i] = 1.0;
        sq[i] = (S[i] - Y[i]) * (S[i] - Y[i]);
    }
    hc_metrics_ratio r;
    assert_int_equal(hc_metrics_ratio_clustered(Y, NULL, CL, NR, 0.95, HC_METRICS_RATIO_PROPORTION, &r,
                                                &err), HC_OK);
    assert_close(r.estimate, 0.40909090909090912, 1e-15);
    assert_close(r.se, 0.12705580761179006, 1e-13);
    assert_close(r.se_naive, 0.074978374741248771, 1e-13);
    assert_close(r.design_effect, 2.8715540657689411, 1e-12);
    assert_close(r.n_effective, 12.571771128789608, 1e-12); /* df 11 */
    assert_close(r.ci_low, 0.15151383624670453, 1e-12); /* = survey::svyciprop */
    assert_close(r.ci_high, 0.71017765751917739, 1e-12);
    assert_int_equal(r.n_clusters, 12);
    assert_int_equal(hc_metrics_ratio_clustered(sq, one, CL, NR, 0.95, HC_METRICS_RATIO_MEAN,
                                                &r, &err), HC_OK);
    assert_close(r.estimate, 0.12386363636363637, 1e-15);
    assert_close(r.se, 0.017195032189066595, 1e-13);
    assert_close(r.se_naive, 0.01470361128748073, 1e-13);
    assert_close(r.design_effect, 1.3675964362133255, 1e-12);
    assert_close(r.ci_low, 0.086017625688202759, 1e-12);
    assert_close(r.ci_high, 0.16170964703906998, 1e-12);
    assert_int_equal(hc_metrics_ratio_clustered(sq, NULL, CL, NR, 0.95,
                                                HC_METRICS_RATIO_POSITIVE, &r, &err), HC_OK);
    assert_close(r.ci_low, 0.091252964488367658, 1e-12);
    assert_close(r.ci_high, 0.16812824108502106, 1e-12);
    /* a negative code names its row */
    int32_t bad[NR];
    memcpy(bad, CL, sizeof bad);
    bad[5] = -2;
    assert_int_equal(hc_metrics_ratio_clustered(sq, NULL, bad, NR, 0.95, 0, &r, &err),
                     HC_EUSAGE);
    assert_non_null(strstr(err.message, "row 5"));

    int band[NR];
    for (int i = 0; i < NR; i++)
        band[i] = S[i] >= 0.5 ? 0 : S[i] >= 0.3 ? 1 : 2;
    hc_metrics_bands_result b;
    assert_int_equal(hc_metrics_bands(band, Y, NULL, NR, 3, &b, &err), HC_OK);
    double wl = b.bands[0].rate_ci_low;
    assert_int_equal(hc_metrics_bands_clustered(band, Y, CL, NR, 0.95, &b, &err), HC_OK);
    assert_true(b.clustered);
    assert_close(b.bands[0].naive_ci_low, wl, 0);
    assert_close(b.bands[0].design_effect, 1.164983164983165, 1e-12);
    assert_close(b.bands[0].rate_ci_low, 0.64514861539913648, 1e-12); /* = svyciprop */
    assert_close(b.bands[0].rate_ci_high, 0.99976270202351891, 1e-12);
    /* deff 0.91 < 1: the rows' count (not survey's larger R(1 - R) / var),
     * df-adjusted, Clopper-Pearson: never narrower than the rows' Wilson
     * interval */
    assert_close(b.bands[1].design_effect, 0.91280148423005592, 1e-12);
    assert_close(b.bands[1].rate_ci_low, 0.0011559099482244678, 1e-12);
    assert_close(b.bands[1].rate_ci_high, 0.36438528886452692, 1e-12);
    assert_true(b.bands[1].rate_ci_low <= b.bands[1].naive_ci_low);
    assert_true(b.bands[1].rate_ci_high >= b.bands[1].naive_ci_high);
    /* no churner in green: each of its 5 accounts counts once (df 4) */
    assert_int_equal(b.bands[2].clusters, 5);
    assert_close(b.bands[2].rate_ci_low, 0, 1e-12);
    assert_close(b.bands[2].rate_ci_high, 0.77247458782234368, 1e-12);
    assert_close(b.red_precision_ci_low, 0.64514861539913648, 1e-12);
    assert_close(b.red_recall_ci_low, 0.65262429990476101, 1e-12); /* = svyciprop */
    assert_close(b.red_recall_ci_high, 0.9997172808400222, 1e-12);
    assert_close(b.red_recall_design_effect, 1.0505050505050506, 1e-12);
    assert_close(b.rate_design_effect, 2.8715540657689411, 1e-12);
    assert_int_equal(b.n_clusters, 12);
    assert_int_equal(b.churned_clusters, 7);
    hc_metrics_bands_release(&b);

    /* one row per cluster: every band interval is the rows' Wilson */
    int32_t own[NR];
    for (int i = 0; i < NR; i++)
        own[i] = i;
    assert_int_equal(hc_metrics_bands(band, Y, NULL, NR, 3, &b, &err), HC_OK);
    assert_int_equal(hc_metrics_bands_clustered(band, Y, own, NR, 0.95, &b, &err), HC_OK);
    for (int k = 0; k < 3; k++) {
        double lo, hi;
        hc_metrics_wilson(b.bands[k].churners, b.bands[k].accounts, 0.95, &lo, &hi);
        assert_close(b.bands[k].rate_ci_low, lo, 0);
        assert_close(b.bands[k].rate_ci_high, hi, 0);
    }
    hc_metrics_bands_release(&b);
}

/* Recalibration design effects against sandwich::vcovCL (HC1) by cluster
 * over by row (tests/reference/metrics_clustered.R): slope and intercept
 * 1.0323675558421719 and 0.96307110529369611 (intercept, slope), CITL
 * 2.0559813600124079; clustered SEs 0.77514071198371559, 1.9855907854620827
 * and 0.48006636908363259. Tolerance 1e-9 on the design effects (both fits
 * converged to 1e-14), 1e-8 on the SEs (hc_logreg stops at a relative
 * deviance change of 1e-10). */
/* Korn & Graubard's Clopper-Pearson limits at a real effective size,
 * against R's qbeta (R 4.2.2): n 500, p 0.010985 is a case where
 * gsl_cdf_beta_Pinv returns NaN for the upper limit. */
static void test_clopper_pearson_reference(void **state)
{
    (void)state;
    double lo, hi;
    hc_metrics_clopper_pearson_eff(0.010985, 500, 0.95, &lo, &hi);
    assert_close(lo, 0.0038169692755911136, 1e-12);
    assert_close(hi, 0.024545431634946935, 1e-12);
    hc_metrics_clopper_pearson_eff(0.5, 10.61511635334454, 0.95, &lo, &hi);
    assert_close(lo, 0.19498891422465525, 1e-12);
    assert_close(hi, 0.80501108577534475, 1e-12);
    hc_metrics_clopper_pearson_eff(0, 12, 0.95, &lo, &hi);
    assert_close(lo, 0, 0);
    assert_close(hi, 1 - pow(0.025, 1.0 / 12), 1e-12); /* closed form at x = 0 */
    hc_metrics_clopper_pearson_eff(1, 12, 0.95, &lo, &hi);
    assert_close(lo, pow(0.025, 1.0 / 12), 1e-12);
    assert_close(hi, 1, 0);
}

static void test_calibration_reference(void **state)
{
    (void)state;
    hc_error err;
    hc_metrics_calibration_result cal;
    assert_int_equal(hc_metrics_calibration_ex(Y, S, NR, 0, &cal, &err), HC_OK);
    assert_close(cal.intercept, 1.4070339968058088, 1e-9);
    assert_close(cal.slope, 5.8003719746161595, 1e-9);
    hc_metrics_calibration_clustered c;
    assert_int_equal(hc_metrics_calibration_cluster(Y, S, CL, NR, &cal, &c, &err), HC_OK);
    assert_close(c.intercept_deff, 1.0323675558421719, 1e-9);
    assert_close(c.slope_deff, 0.96307110529369611, 1e-9);
    assert_close(c.in_the_large_deff, 2.0559813600124079, 1e-9);
    assert_close(c.intercept_se, 0.77514071198371559, 1e-8);
    assert_close(c.slope_se, 1.9855907854620827, 1e-8); /* deff < 1: the model SE */
    assert_close(c.slope_se, cal.slope_se, 0);
    assert_close(c.in_the_large_se, 0.48006636908363259, 1e-8);
    assert_int_equal(c.n_clusters, 12);
}

/* The cluster bootstrap: estimates equal the metrics of the rows, the
 * same seed gives the same intervals, another seed other ones. */
static void test_cluster_bootstrap(void **state)
{
    (void)state;
    hc_error err;
    hc_metrics_cluster_boot a, b, c;
    assert_int_equal(hc_metrics_cluster_bootstrap(Y, S, NULL, S, CL, NR, 200, 7, 0.95, &a, &err),
                     HC_OK);
    assert_int_equal(hc_metrics_cluster_bootstrap(Y, S, NULL, S, CL, NR, 200, 7, 0.95, &b, &err),
                     HC_OK);
    assert_int_equal(hc_metrics_cluster_bootstrap(Y, S, NULL, S, CL, NR, 200, 8, 0.95, &c, &err),
                     HC_OK);
    double ap, ks, ece, lift, capture;
    assert_int_equal(hc_metrics_average_precision(Y, S, NR, &ap, &err), HC_OK);
    assert_int_equal(hc_metrics_ks(Y, S, NR, &ks, NULL, &err), HC_OK);
    assert_int_equal(hc_metrics_ece(Y, S, NR, 10, &ece, &err), HC_OK);
    assert_int_equal(hc_metrics_top_decile(Y, S, NR, &lift, &capture, &err), HC_OK);
    assert_close(a.pr_auc.estimate, ap, 1e-12);
    assert_close(a.ks.estimate, ks, 1e-12);
    assert_close(a.ece.estimate, ece, 1e-12);
    assert_close(a.lift_top_decile.estimate, lift, 1e-12);
    assert_close(a.capture_top_decile.estimate, capture, 1e-12);
    assert_int_equal(a.used, b.used);
    assert_memory_equal(&a.pr_auc, &b.pr_auc, sizeof a.pr_auc);
    assert_memory_equal(&a.ece, &b.ece, sizeof a.ece);
    assert_true(a.pr_auc.ci_low != c.pr_auc.ci_low || a.pr_auc.ci_high != c.pr_auc.ci_high ||
                a.pr_auc.se != c.pr_auc.se);
    assert_true(a.pr_auc.se > 0);
    assert_true(a.pr_auc.ci_low <= a.pr_auc.ci_high);
    assert_true(a.ece.ci_low >= 0 && a.ks.ci_high <= 1);
    assert_int_equal(hc_metrics_cluster_bootstrap(Y, S, NULL, S, CL, NR, 1, 7, 0.95, &a, &err),
                     HC_EUSAGE);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_per_cluster_is_delong),
        cmocka_unit_test(test_obuchowski_reference),
        cmocka_unit_test(test_clustered_errors),
        cmocka_unit_test(test_ratio_reference),
        cmocka_unit_test(test_clopper_pearson_reference),
        cmocka_unit_test(test_calibration_reference),
        cmocka_unit_test(test_cluster_bootstrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
