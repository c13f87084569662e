/* metrics_common.c - what every metric family shares: the checks of outcomes and scores, and Wilson's interval for a rate (also at an effective sample size). */
#include "hc_metrics.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

hc_status hc_metrics_check(const double *y, const double *score, size_t n,
                           int probability, int need_both, const char *what,
                           hc_error *err)
{
    if (!what)
        what = "score";
    if (n == 0 || !y || !score)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no rows to evaluate");
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0.0 && y[i] != 1.0)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "outcome of row %zu is %g, not 0 or 1", i,
                                y[i]);
        if (!isfinite(score[i]))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "%s of row %zu is missing or not finite",
                                what, i);
        if (probability && (score[i] < 0.0 || score[i] > 1.0))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "%s of row %zu is %g, outside [0, 1]", what,
                                i, score[i]);
        pos += y[i] == 1.0;
    }
    if (need_both && pos == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no positive outcomes (no churners) among %zu "
                            "rows: discrimination is undefined", n);
    if (need_both && pos == n)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "every one of %zu rows is a positive outcome: "
                            "discrimination is undefined", n);
    return HC_OK;
}

void hc_metrics_wilson(size_t k, size_t n, double level, double *lo,
                       double *hi)
{
    if (n == 0 || k > n) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    hc_metrics_wilson_eff((double)k / (double)n, (double)n, level, lo, hi);
}

void hc_metrics_wilson_eff(double p, double n_eff, double level, double *lo,
                           double *hi)
{
    if (!(n_eff > 0.0) || !(p >= 0.0 && p <= 1.0)) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    if (!(level > 0.0 && level < 1.0))
        level = 0.95;
    /* prop.test(k, n, correct = FALSE)'s arithmetic, so the numbers match R
     * to the last bits: centre p + z^2/2n, half-width
     * z sqrt(p(1-p)/n + z^2/4n^2), both over 1 + z^2/n. A real n is the
     * effective sample size of clustered rows (Korn & Graubard 1998). */
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    double dn = n_eff;
    double z22n = z * z / (2.0 * dn);
    double root = z * sqrt(p * (1.0 - p) / dn + z22n / (2.0 * dn));
    *hi = p >= 1.0 ? 1.0 : (p + z22n + root) / (1.0 + 2.0 * z22n);
    *lo = p <= 0.0 ? 0.0 : (p + z22n - root) / (1.0 + 2.0 * z22n);
}
