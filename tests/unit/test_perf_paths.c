/* test_perf_paths.c - the fast paths of issue 21 give what the paths they replace give: decimal cells, the ranking read through a monotone map, the rank summary from one ranking. */
#include "test_util.h"

#include "hc_csv.h"
#include "hc_metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *cell(int decimal, long long m, int scale, double v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (decimal)
        hc_csv_write_decimal(f, m, scale);
    else
        hc_csv_write_num(f, v);
    fclose(f);
    return buf;
}

/* Property: hc_csv_write_decimal(m, d) writes the bytes hc_csv_write_num
 * writes for m / 10^d (the double the table decodes), for every scale the
 * integer stores take and for magnitudes around the 1e9 and 6-decimal
 * edges where it hands over to the double's path. */
static void test_decimal_cells(void **state)
{
    (void)state;
    static const double d10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    static const long long fixed[] = {0,          1,          -1,         5,         10,
                                      100,        1234,       -1060,      999999999, 1000000000,
                                      -999999999, 2147483647, -2147483647, 120000,   7000000};
    uint64_t x = 88172645463325252ULL;
    size_t checked = 0;
    for (int d = 0; d <= 9; d++) {
        for (size_t k = 0; k < sizeof fixed / sizeof fixed[0] + 4000; k++) {
            long long m;
            if (k < sizeof fixed / sizeof fixed[0]) {
                m = fixed[k];
            } else {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                /* Any int32 value, or a short one with trailing zeros. */
                m = (k % 3 == 0) ? (long long)(int32_t)(x >> 32)
                                 : (long long)((int64_t)(x % 200001) - 100000) *
                                       (long long)(k % 3 == 1 ? 10 : 1000);
            }
            char *a = cell(1, m, d, 0), *b = cell(0, 0, 0, (double)m / d10[d]);
            if (strcmp(a, b) != 0) {
                fprintf(stderr, "m %lld scale %d: decimal '%s', double '%s'\n", m, d, a, b);
                fail();
            }
            free(a);
            free(b);
            checked++;
        }
    }
    assert_true(checked > 40000);
}

/* Property: the ranking of p = logistic(a + b s) read off the ranking of s
 * is the ranking hc_metrics_rank(p) makes, ties of p in row order also
 * where they span several s (saturation makes many); and a p that is not
 * monotone in s falls back to the sort. */
static void test_rank_through(void **state)
{
    (void)state;
    size_t n = 20000;
    double *s = malloc(n * sizeof *s), *p = malloc(n * sizeof *p);
    assert_non_null(s);
    assert_non_null(p);
    for (int variant = 0; variant < 3; variant++) {
        uint64_t x = 0x9E3779B97F4A7C15ULL + (uint64_t)variant;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s[i] = (double)(x % 4001) / 10.0 - 200.0; /* ties in s too */
            double z = variant == 2 ? -0.05 * s[i] * s[i] : -3.0 + 0.4 * s[i];
            p[i] = 1.0 / (1.0 + exp(-z)); /* 0 and 1 at the ends: ties */
        }
        hc_metrics_ranked *rs = hc_metrics_rank(s, n);
        hc_metrics_ranked *want = hc_metrics_rank(p, n);
        hc_metrics_ranked *got = hc_metrics_rank_through(p, rs, n);
        assert_non_null(rs);
        assert_non_null(want);
        assert_non_null(got);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(got[k].i, want[k].i);
            assert_true(memcmp(&got[k].s, &want[k].s, sizeof got[k].s) == 0);
        }
        free(rs);
        free(want);
        free(got);
    }
    free(s);
    free(p);
}

/* hc_metrics_rank_summary equals hc_metrics_delong_ci,
 * hc_metrics_average_precision, hc_metrics_ks and hc_metrics_top_decile
 * on the same scores bit for bit, with or without the ranking given. */
static void test_rank_summary(void **state)
{
    (void)state;
    size_t n = 5003;
    double *y = malloc(n * sizeof *y), *s = malloc(n * sizeof *s);
    assert_non_null(y);
    assert_non_null(s);
    uint64_t x = 1234567;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s[i] = (double)(x % 97); /* heavy ties */
        y[i] = (x >> 20) % 100 < 5 + s[i] / 5 ? 1.0 : 0.0;
    }
    hc_error err;
    hc_metrics_auc_ci ci;
    double ap, ks, lift, cap;
    assert_int_equal(hc_metrics_delong_ci(y, s, n, 0.95, &ci, &err), HC_OK);
    assert_int_equal(hc_metrics_average_precision(y, s, n, &ap, &err), HC_OK);
    assert_int_equal(hc_metrics_ks(y, s, n, &ks, NULL, &err), HC_OK);
    assert_int_equal(hc_metrics_top_decile(y, s, n, &lift, &cap, &err), HC_OK);
    hc_metrics_ranked *r = hc_metrics_rank(s, n);
    assert_non_null(r);
    for (int given = 0; given < 2; given++) {
        hc_metrics_summary sum;
        memset(&sum, 0, sizeof sum);
        sum.brier = 0.25; /* left as it is */
        assert_int_equal(hc_metrics_rank_summary(y, s, given ? r : NULL, n, &sum, &err), HC_OK);
        assert_true(sum.roc_auc == ci.auc);
        assert_true(sum.roc_auc_ci_low == ci.ci_low);
        assert_true(sum.roc_auc_ci_high == ci.ci_high);
        assert_true(sum.pr_auc == ap);
        assert_true(sum.ks == ks);
        assert_true(sum.lift_top_decile == lift);
        assert_true(sum.capture_top_decile == cap);
        assert_true(sum.brier == 0.25);
        assert_int_equal(sum.n, n);
    }
    /* One class only: HC_ENUMERIC with a message. */
    for (size_t i = 0; i < n; i++)
        y[i] = 0.0;
    hc_metrics_summary sum;
    assert_int_equal(hc_metrics_rank_summary(y, s, r, n, &sum, &err), HC_ENUMERIC);
    assert_true(err.message[0] != '\0');
    free(r);
    free(y);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_cells),
        cmocka_unit_test(test_rank_through),
        cmocka_unit_test(test_rank_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
