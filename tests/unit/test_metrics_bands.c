/* test_metrics_bands.c - unit tests of the band tallies, the population stability index and the Wilson interval they use (hc_metrics). */
#include "test_util.h"

#include <gsl/gsl_errno.h>

#include "hc_metrics.h"

static void test_wilson(void **state)
{
    (void)state;
    static const struct {
        size_t k, n;
        double lo, hi;
    } cases[] = {
        {0, 10, 0, 0.27753279986288915},
        {3, 10, 0.10779126740630104, 0.60322185253885452},
        {10, 10, 0.72246720013711085, 1},
        {1869, 7043, 0.25518811288450727, 0.2758074374889079},
        {2, 3, 0.20765960080204782, 0.93850805527960379},
        {1, 2, 0.094531205734230739, 0.90546879426576921},
        {1, 5, 0.036224108632430141, 0.62446537023747473},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double lo, hi;
        hc_metrics_wilson(cases[i].k, cases[i].n, 0.95, &lo, &hi);
        assert_close(lo, cases[i].lo, 1e-12);
        assert_close(hi, cases[i].hi, 1e-12);
    }
    double lo, hi;
    hc_metrics_wilson(0, 0, 0.95, &lo, &hi);
    assert_close(lo, 0, 0);
    assert_close(hi, 1, 0);
}


/* PSI closed forms. Identical samples: 0. Baseline 1..10 with 2 bins cut
 * at its median 5.5 (type 7): shares 0.5 / 0.5; current {1, 2, 3, 7}:
 * 0.75 / 0.25, PSI = 0.25 ln 1.5 + (-0.25) ln 0.5 = 0.25 ln 3. Current
 * {1, 2}: 1 / 0 -> floored 1 / 1e-4: PSI = 0.5 ln 2 + (1e-4 - 0.5) ln(2e-4). */
static void test_psi(void **state)
{
    (void)state;
    double base[10], cur[4] = {1, 2, 3, 7};
    for (int i = 0; i < 10; i++)
        base[i] = i + 1;
    hc_metrics_psi_result r;
    hc_error err;
    assert_int_equal(hc_metrics_psi(base, 10, base, 10, 10, &r, &err), HC_OK);
    assert_close(r.psi, 0.0, 0);
    assert_int_equal(r.n_bins, 10);
    for (size_t k = 0; k < 10; k++)
        assert_close(r.base_share[k], 0.1, 1e-15);
    /* Deciles of 1..10 (type 7): 1.9, 2.8, ..., 9.1. */
    assert_close(r.upper[0], 1.9, 1e-15);
    assert_close(r.upper[8], 9.1, 1e-15);
    assert_true(isinf(r.upper[9]));
    assert_int_equal(hc_metrics_psi(base, 10, cur, 4, 2, &r, &err), HC_OK);
    assert_int_equal(r.n_bins, 2);
    assert_close(r.upper[0], 5.5, 0);
    assert_close(r.current_share[0], 0.75, 0);
    assert_close(r.psi, 0.25 * log(3.0), 1e-15);
    assert_int_equal(hc_metrics_psi(base, 10, cur, 2, 2, &r, &err), HC_OK);
    assert_close(r.psi, 0.5 * log(2.0) + (1e-4 - 0.5) * log(2e-4), 1e-14);
    /* Tied deciles merge: a baseline of 95 zeros and 5 ones has every
     * decile at 0, so one cut and two bins. */
    double tied[100];
    for (int i = 0; i < 100; i++)
        tied[i] = i < 95 ? 0 : 1;
    assert_int_equal(hc_metrics_psi(tied, 100, tied, 100, 10, &r, &err), HC_OK);
    assert_int_equal(r.n_bins, 2);
    assert_close(r.psi, 0.0, 0);
    double nan = NAN;
    assert_int_equal(hc_metrics_psi(base, 10, &nan, 1, 10, &r, &err),
                     HC_ENUMERIC);
}

/* Band tallies by hand; Wilson intervals from prop.test (see test_wilson):
 * red 2 of 3 churn, yellow 1 of 2, green 1 of 5. */
static void test_bands(void **state)
{
    (void)state;
    const int band[] = {0, 0, 0, 1, 1, 2, 2, 2, 2, 2};
    const double y[] = {1, 1, 0, 1, 0, 0, 0, 0, 0, 1};
    const double arr[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    hc_metrics_bands_result r;
    hc_error err;
    assert_int_equal(hc_metrics_bands(band, y, arr, 10, 3, &r, &err), HC_OK);
    assert_int_equal(r.bands[0].accounts, 3);
    assert_int_equal(r.bands[0].churners, 2);
    assert_close(r.bands[0].churn_rate, 2.0 / 3.0, 1e-15);
    assert_close(r.bands[0].rate_ci_low, 0.20765960080204782, 1e-12);
    assert_close(r.bands[0].rate_ci_high, 0.93850805527960379, 1e-12);
    assert_close(r.bands[1].rate_ci_low, 0.094531205734230739, 1e-12);
    assert_close(r.bands[2].rate_ci_high, 0.62446537023747473, 1e-12);
    assert_close(r.bands[0].arr, 60, 0);
    assert_close(r.bands[0].churned_arr, 30, 0);
    assert_close(r.churned_arr, 170, 0); /* 10 + 20 + 40 + 100 */
    assert_close(r.red_precision, 2.0 / 3.0, 1e-15);
    assert_close(r.red_recall, 0.5, 1e-15);
    assert_close(r.red_arr_recall, 30.0 / 170.0, 1e-15);
    assert_close(r.bands[2].share, 0.5, 1e-15);
    hc_metrics_bands_release(&r);
    /* An empty band reports zeros and the uninformative [0, 1]. */
    assert_int_equal(hc_metrics_bands(band, y, NULL, 10, 4, &r, &err), HC_OK);
    assert_int_equal(r.bands[3].accounts, 0);
    assert_close(r.bands[3].churn_rate, 0, 0);
    assert_close(r.bands[3].rate_ci_high, 1, 0);
    assert_close(r.red_arr_recall, 0, 0);
    hc_metrics_bands_release(&r);
    const int bad[] = {0, 3};
    assert_int_equal(hc_metrics_bands(bad, y, NULL, 2, 3, &r, &err),
                     HC_ENUMERIC);
    assert_null(r.bands);
}


int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_psi),
        cmocka_unit_test(test_bands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
