/* test_lowess.c - unit tests of the lowess smoother (hc_metrics_lowess): R's values on small data, and its threaded and sequential paths against a reference loop. */
#include "test_util.h"

#include <gsl/gsl_errno.h>

#include "hc_metrics.h"

/* R's lowess on 10 points with ties, default iter = 3 and val.prob's
 * iter = 0 (tests/reference/metrics.R, "== lowess small"); the inputs are
 * passed shuffled to check that results come back in input order. */
static void test_lowess_small(void **state)
{
    (void)state;
    const double x[] = {1, 2, 2, 3, 5, 8, 9, 11, 12, 15};
    const double y[] = {0, 1, 0, 0, 1, 1, 0, 1, 1, 1};
    const double r3[] = {-0.12129917558329578, 0.1014127638360471,
                         0.1014127638360471, 0.34065323193433461,
                         0.75932555928397705, 0.98700532093239279,
                         0.98954675430968542, 0.99105910276067832,
                         0.9942177963026172, 1.0041228115511327};
    const double r0[] = {0.10953507534271298, 0.28160392609014967,
                         0.28160392609014967, 0.47011806499964737,
                         0.77759083285583996, 0.70304606185355367,
                         0.73499684065646032, 0.8048153912637771,
                         0.8720159746393723, 1.0948043185066636};
    const size_t perm[] = {7, 2, 9, 0, 4, 1, 8, 3, 6, 5};
    double xs[10], ys[10], f[10];
    for (size_t i = 0; i < 10; i++) {
        xs[i] = x[perm[i]];
        ys[i] = y[perm[i]];
    }
    hc_error err;
    assert_int_equal(hc_metrics_lowess(xs, ys, 10, 2.0 / 3.0, 3, -1, f, &err),
                     HC_OK);
    for (size_t i = 0; i < 10; i++)
        assert_close(f[i], r3[perm[i]], 1e-12);
    assert_int_equal(hc_metrics_lowess(xs, ys, 10, 2.0 / 3.0, 0, -1, f, &err),
                     HC_OK);
    for (size_t i = 0; i < 10; i++)
        assert_close(f[i], r0[perm[i]], 1e-12);
}


/* The sequential lowess of src/stats/lowess.c as it was before its fits
 * were split over two threads and its weights kept per window: R's lowest
 * loop, with the two-pass local line. A reference for bit-identity. */
static int ref_point(const double *x, const double *y, size_t n, double xs, size_t nleft,
                     size_t nright, double *w, const double *rw, double *ys)
{
    double range = x[n - 1] - x[0];
    double h = fmax(xs - x[nleft], x[nright] - xs);
    double h9 = 0.999 * h, h1 = 0.001 * h;
    double s0 = 0.0, s1 = 0.0, sy = 0.0;
    size_t j = nleft;
    while (j < n) {
        double r = fabs(x[j] - xs), wj = 0.0;
        if (r <= h9) {
            if (r <= h1) {
                wj = 1.0;
            } else {
                double q = r / h;
                double t = 1.0 - q * q * q;
                wj = t * t * t;
            }
            if (rw)
                wj *= rw[j];
            s0 += wj;
            s1 += wj * x[j];
            sy += wj * y[j];
        } else if (x[j] > xs) {
            break;
        }
        w[j] = wj;
        j++;
    }
    size_t nrt = j - 1;
    if (s0 <= 0.0)
        return 0;
    double fit = sy / s0;
    if (h > 0.0) {
        double a = s1 / s0, c = 0.0, d = 0.0;
        for (j = nleft; j <= nrt; j++) {
            double dx = x[j] - a;
            c += w[j] * dx * dx;
            d += w[j] * dx * y[j];
        }
        c /= s0;
        d /= s0;
        if (sqrt(c) > 0.001 * range)
            fit += (xs - a) / c * d;
    }
    *ys = fit;
    return 1;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* x ascending; iter robustness passes as R's lowess. */
static void ref_lowess(const double *x, const double *y, size_t n, double f, int iter,
                       double delta, double *ys)
{
    double *w = malloc(n * sizeof *w), *rw = malloc(n * sizeof *rw);
    double *res = malloc(n * sizeof *res);
    double fn = f * (double)n + 1e-7;
    size_t ns = fn >= (double)n ? n : (size_t)fn;
    if (ns < 2)
        ns = 2;
    for (int it = 1; it <= iter + 1; it++) {
        size_t nleft = 0, nright = ns - 1, i = 0;
        long last = -1;
        for (;;) {
            if (nright < n - 1) {
                double d1 = x[i] - x[nleft], d2 = x[nright + 1] - x[i];
                if (d1 > d2) {
                    nleft++;
                    nright++;
                    continue;
                }
            }
            if (!ref_point(x, y, n, x[i], nleft, nright, w, it > 1 ? rw : NULL, &ys[i]))
                ys[i] = y[i];
            if (last < (long)i - 1) {
                double denom = x[i] - x[last];
                for (size_t j = (size_t)(last + 1); j < i; j++) {
                    double alpha = (x[j] - x[last]) / denom;
                    ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[last];
                }
            }
            last = (long)i;
            double cut = x[last] + delta;
            for (i = (size_t)last + 1; i < n; i++) {
                if (x[i] > cut)
                    break;
                if (x[i] == x[last]) {
                    ys[i] = ys[last];
                    last = (long)i;
                }
            }
            i = (size_t)last + 1 > i - 1 ? (size_t)last + 1 : i - 1;
            if ((size_t)last >= n - 1)
                break;
        }
        if (it > iter)
            break;
        double sc = 0.0;
        for (size_t k = 0; k < n; k++) {
            res[k] = y[k] - ys[k];
            sc += fabs(res[k]);
        }
        sc /= (double)n;
        for (size_t k = 0; k < n; k++)
            w[k] = fabs(res[k]);
        qsort(w, n, sizeof *w, cmp_dbl);
        size_t m1 = n / 2;
        double cmad = n % 2 == 0 ? 3.0 * (w[m1] + w[n - m1 - 1]) : 6.0 * w[m1];
        if (cmad < 1e-7 * sc)
            break;
        double c9 = 0.999 * cmad, c1 = 0.001 * cmad;
        for (size_t k = 0; k < n; k++) {
            double r = fabs(res[k]);
            if (r <= c1)
                rw[k] = 1.0;
            else if (r <= c9)
                rw[k] = (1.0 - (r / cmad) * (r / cmad)) * (1.0 - (r / cmad) * (r / cmad));
            else
                rw[k] = 0.0;
        }
    }
    free(w);
    free(rw);
    free(res);
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Property: lowess with spaced fits (split over two threads) and with
 * every point fitted (sequential) gives, in row order, the values of the
 * reference loop bit for bit (the data of test_metrics.c's
 * test_large_paths_bit_identical, whose lowess part this was). */
static void test_lowess_large_bit_identical(void **state)
{
    (void)state;
    const size_t sizes[2] = {20000, 3000};
    for (int si = 0; si < 2; si++) {
        size_t n = sizes[si];
        double *p = malloc(n * sizeof *p), *y = malloc(n * sizeof *y);
        double *q = malloc(n * sizeof *q);
        srand(17 + (unsigned)si);
        for (size_t i = 0; i < n; i++) {
            double u = (double)rand() / RAND_MAX;
            p[i] = floor(u * 2000.0) / 2000.0 * 0.9 + 0.05; /* ties */
            y[i] = (double)rand() / RAND_MAX < p[i] ? 1.0 : 0.0;
            q[i] = 0.5 * p[i] + 0.25 * ((double)rand() / RAND_MAX);
        }
        /* lowess: delta spaced (two threads on 20000) or 0 (sequential). */
        double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
        size_t *ord = malloc(n * sizeof *ord);
        hc_metrics_ranked *rk = hc_metrics_rank(p, n);
        for (size_t k = 0; k < n; k++) {
            xs[k] = rk[k].s;
            ys[k] = y[rk[k].i];
            ord[k] = rk[k].i;
        }
        double *fit = malloc(n * sizeof *fit), *ref = malloc(n * sizeof *ref);
        hc_error err;
        for (int iter = 0; iter <= 2; iter += 2) {
            double delta = si == 0 ? 0.01 * (xs[n - 1] - xs[0]) : 0.0;
            assert_int_equal(hc_metrics_lowess(p, y, n, 2.0 / 3.0, iter, delta, fit, &err),
                             HC_OK);
            ref_lowess(xs, ys, n, 2.0 / 3.0, iter, delta, ref);
            for (size_t k = 0; k < n; k++)
                assert_true(same(fit[ord[k]], ref[k]));
        }
        free(rk);
        free(fit);
        free(ref);
        free(xs);
        free(ys);
        free(ord);
        free(p);
        free(y);
        free(q);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lowess_small),
        cmocka_unit_test(test_lowess_large_bit_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
