/* predict_risk.c - the range of churned ARR in the next horizon: a seeded Monte Carlo of the accounts' independent churn events (a weighted Poisson-binomial). */
#include "hc_predict.h"
#include "hc_metrics.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The quantile probabilities of the two central ranges. */
static const double range_probs[4] = {0.025, 0.10, 0.90, 0.975};

/* Each draw is one possible horizon: account i churns with probability
 * p_i, independently of the others, and then loses its ARR a_i; the total
 * of a draw is sum_i a_i B_i, B_i ~ Bernoulli(p_i). Rather than one uniform
 * per account per draw (accounts x draws, 10^9 for a 100,000-account book),
 * account i's churning draws are visited directly: the gaps between
 * successive draws in which it churns are Geometric(p_i) (the number of
 * failures before a success, floor(log U / log(1 - p)) for U uniform on
 * (0, 1], Devroye 1986, section X.2), so the work is
 * O(accounts + draws x expected churners) and the draws have exactly the
 * Bernoulli joint law. The mean is not estimated: it is sum p_i a_i
 * exactly. Quantiles are R's type 7 of the draws (hc_metrics_quantiles). */
hc_status hc_predict_risk_range_compute(const double *p, const double *arr, size_t n,
                                        size_t draws, unsigned long seed,
                                        hc_predict_risk_range *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    out->draws = draws;
    out->seed = seed;
    if (draws < 2)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the revenue-at-risk range needs at least 2 draws, not %zu",
                            draws);
    for (size_t i = 0; i < n; i++) {
        if (!(p[i] >= 0 && p[i] <= 1) || !(arr[i] >= 0) || !isfinite(arr[i]))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "revenue at risk: account %zu has P(churn) %g and ARR %g "
                                "(need P in [0, 1] and a finite ARR >= 0)", i, p[i], arr[i]);
        out->mean += p[i] * arr[i];
        out->variance += p[i] * (1 - p[i]) * arr[i] * arr[i];
    }
    out->accounts = n;
    double *total = calloc(draws, sizeof *total);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!total || !rng) {
        free(total);
        if (rng)
            gsl_rng_free(rng);
        return hc_error_nomem(err);
    }
    gsl_rng_set(rng, seed);
    double d_draws = (double)draws;
    for (size_t i = 0; i < n; i++) {
        double pi = p[i], a = arr[i];
        if (pi <= 0 || a <= 0)
            continue;
        if (pi >= 1) {
            for (size_t j = 0; j < draws; j++)
                total[j] += a;
            continue;
        }
        double log_q = log1p(-pi);
        /* j: the next draw in which account i churns. */
        double j = -1;
        for (;;) {
            double skip = floor(log(gsl_rng_uniform_pos(rng)) / log_q);
            j += skip + 1;
            if (!(j < d_draws))
                break;
            total[(size_t)j] += a;
        }
    }
    gsl_rng_free(rng);
    double q[4];
    int rc = hc_metrics_quantiles_in(total, draws, range_probs, 4, q);
    free(total);
    if (rc != 0)
        return hc_error_nomem(err);
    out->lo95 = q[0];
    out->lo80 = q[1];
    out->hi80 = q[2];
    out->hi95 = q[3];
    out->computed = 1;
    return HC_OK;
}
