/* test_cluster_bootstrap_resample.c - the cluster bootstrap's intervals are those of the explicitly resampled data sets (same draws), with batches of replicates and two threads. */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "hc_metrics.h"

/* A reproducible uniform in [0, 1) (a 64-bit LCG, Knuth's MMIX constants). */
static double lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*x >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The percentile interval (type 7) and SD of v[0..k), as the bootstrap
 * documents them (hc_metrics.h). */
static void interval(double *v, size_t k, double level, double *lo, double *hi, double *se)
{
    double mean = 0.0, ss = 0.0;
    for (size_t r = 0; r < k; r++)
        mean += v[r];
    mean /= (double)k;
    for (size_t r = 0; r < k; r++)
        ss += (v[r] - mean) * (v[r] - mean);
    *se = sqrt(ss / (double)(k - 1));
    qsort(v, k, sizeof *v, cmp_double);
    *lo = hc_metrics_quantile_sorted(v, k, (1.0 - level) / 2.0);
    *hi = hc_metrics_quantile_sorted(v, k, 1.0 - (1.0 - level) / 2.0);
}

/* n rows in m clusters (coded in a shuffled order, rows of a cluster
 * scattered), scores on a grid of `grid` values (ties), churn more likely
 * at low scores and for some clusters; the bootstrap with R replicates
 * against the metrics of each replicate's data set built row by row: the
 * m clusters drawn with replacement in the generator's sequence (the
 * clusters numbered in order of first appearance), every row of a drawn
 * cluster copied once per draw. */
static void check(size_t n, size_t m, size_t grid, size_t R, unsigned long seed)
{
    uint64_t u = 12345 + n;
    int32_t *cl = malloc(n * sizeof *cl);
    double *y = malloc(n * sizeof *y), *s = malloc(n * sizeof *s);
    assert_non_null(cl);
    assert_non_null(y);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        cl[i] = (int32_t)(lcg(&u) * (double)m);
        s[i] = (floor(lcg(&u) * (double)grid) + 0.5) / (double)grid;
        double risk = 0.02 + 0.3 * (1.0 - s[i]) * (cl[i] % 3 == 0 ? 1.5 : 0.5);
        y[i] = lcg(&u) < risk ? 1.0 : 0.0;
    }
    hc_error err;
    hc_metrics_cluster_boot b;
    assert_int_equal(hc_metrics_cluster_bootstrap(y, s, NULL, s, cl, n, R, seed, 0.9, &b, &err),
                     HC_OK);
    assert_int_equal(b.replicates, R);
    /* The clusters in order of first appearance, and their rows. */
    long *first = malloc(m * sizeof *first);
    size_t *order = malloc(m * sizeof *order), k = 0;
    assert_non_null(first);
    assert_non_null(order);
    for (size_t c = 0; c < m; c++)
        first[c] = -1;
    for (size_t i = 0; i < n; i++)
        if (first[cl[i]] < 0) {
            first[cl[i]] = (long)k;
            order[k++] = (size_t)cl[i];
        }
    size_t *count = malloc(k * sizeof *count);
    double *v = malloc(5 * R * sizeof *v);
    size_t cap = 4 * n + 16;
    double *yy = malloc(cap * sizeof *yy), *ss = malloc(cap * sizeof *ss);
    assert_non_null(count);
    assert_non_null(v);
    assert_non_null(yy);
    assert_non_null(ss);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, seed);
    size_t used = 0;
    for (size_t r = 0; r < R; r++) {
        memset(count, 0, k * sizeof *count);
        for (size_t d = 0; d < k; d++)
            count[gsl_rng_uniform_int(rng, k)]++;
        size_t nn = 0, pos = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t t = 0; t < count[first[cl[i]]]; t++) {
                if (nn == cap) {
                    cap *= 2;
                    yy = realloc(yy, cap * sizeof *yy);
                    ss = realloc(ss, cap * sizeof *ss);
                    assert_non_null(yy);
                    assert_non_null(ss);
                }
                yy[nn] = y[i];
                ss[nn] = s[i];
                pos += y[i] == 1.0;
                nn++;
            }
        if (pos == 0 || pos == nn)
            continue;
        double ap, ks, ece, lift, capture;
        assert_int_equal(hc_metrics_average_precision(yy, ss, nn, &ap, &err), HC_OK);
        assert_int_equal(hc_metrics_ks(yy, ss, nn, &ks, NULL, &err), HC_OK);
        assert_int_equal(hc_metrics_ece(yy, ss, nn, 10, &ece, &err), HC_OK);
        assert_int_equal(hc_metrics_top_decile(yy, ss, nn, &lift, &capture, &err), HC_OK);
        v[0 * R + used] = ap;
        v[1 * R + used] = ks;
        v[2 * R + used] = ece;
        v[3 * R + used] = lift;
        v[4 * R + used] = capture;
        used++;
    }
    assert_int_equal(b.used, used);
    const hc_metrics_boot_ci *got[5] = {&b.pr_auc, &b.ks, &b.ece, &b.lift_top_decile,
                                        &b.capture_top_decile};
    for (size_t q = 0; q < 5; q++) {
        double lo, hi, se;
        interval(v + q * R, used, 0.9, &lo, &hi, &se);
        assert_close(got[q]->ci_low, lo, 1e-12);
        assert_close(got[q]->ci_high, hi, 1e-12);
        assert_close(got[q]->se, se, 1e-12);
        assert_true(got[q]->ci_low < got[q]->ci_high);
    }
    gsl_rng_free(rng);
    free(count);
    free(v);
    free(yy);
    free(ss);
    free(first);
    free(order);
    free(cl);
    free(y);
    free(s);
}

/* Few rows, on one thread: 37 replicates are two full batches of the
 * walk and a partial one (with the estimate, 38 weightings). */
static void test_small(void **state)
{
    (void)state;
    check(600, 45, 20, 37, 20240101);
}

/* Enough rows for the second thread (at least 2^16), heavy ties. */
static void test_threaded(void **state)
{
    (void)state;
    check(70000, 900, 50, 20, 7);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_threaded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
