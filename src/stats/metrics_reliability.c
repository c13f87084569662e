/* metrics_reliability.c - binned calibration over uniform bins of [0, 1]: the reliability diagram and the expected calibration error. */
#include "hc_metrics.h"

#include <math.h>
#include <stdlib.h>

/* Inner edge k (1 <= k < nb) of nb uniform bins, as numpy's
 * linspace(0, 1, nb + 1) computes it: k * (1 / nb). */
static double bin_edge(size_t k, size_t nb)
{
    return (double)k * (1.0 / (double)nb);
}

/* sklearn's np.searchsorted(inner_edges, p): the number of inner edges
 * strictly below p. */
static size_t bin_of(double p, size_t nb)
{
    double g = floor(p * (double)nb);
    size_t b = g < 0.0 ? 0 : g > (double)(nb - 1) ? nb - 1 : (size_t)g;
    while (b > 0 && !(bin_edge(b, nb) < p))
        b--;
    while (b < nb - 1 && bin_edge(b + 1, nb) < p)
        b++;
    return b;
}

hc_status hc_metrics_reliability(const double *y, const double *p, size_t n,
                                 size_t n_bins,
                                 hc_metrics_reliability_bin *bins,
                                 hc_error *err)
{
    if (n_bins == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "a reliability diagram needs at least one bin");
    hc_status st = hc_metrics_check(y, p, n, 1, 0, "predicted probability",
                                    err);
    if (st)
        return st;
    double *sum_p = calloc(n_bins, sizeof *sum_p);
    if (!sum_p)
        return hc_error_nomem(err);
    for (size_t b = 0; b < n_bins; b++) {
        bins[b].lo = b == 0 ? 0.0 : bin_edge(b, n_bins);
        bins[b].hi = b == n_bins - 1 ? 1.0 : bin_edge(b + 1, n_bins);
        bins[b].n = 0;
        bins[b].positives = 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t b = bin_of(p[i], n_bins);
        bins[b].n++;
        bins[b].positives += y[i] == 1.0;
        sum_p[b] += p[i];
    }
    for (size_t b = 0; b < n_bins; b++) {
        hc_metrics_reliability_bin *r = &bins[b];
        if (r->n) {
            r->mean_p = sum_p[b] / (double)r->n;
            r->rate = (double)r->positives / (double)r->n;
        } else {
            r->mean_p = 0.5 * (r->lo + r->hi);
            r->rate = 0.0;
        }
        hc_metrics_wilson(r->positives, r->n, 0.95, &r->ci_low, &r->ci_high);
    }
    free(sum_p);
    return HC_OK;
}

hc_status hc_metrics_ece(const double *y, const double *p, size_t n,
                         size_t n_bins, double *ece, hc_error *err)
{
    if (n_bins == 0)
        n_bins = 10;
    hc_metrics_reliability_bin *bins = malloc(n_bins * sizeof *bins);
    if (!bins)
        return hc_error_nomem(err);
    hc_status st = hc_metrics_reliability(y, p, n, n_bins, bins, err);
    if (!st) {
        double e = 0.0;
        for (size_t b = 0; b < n_bins; b++)
            if (bins[b].n)
                e += (double)bins[b].n / (double)n *
                     fabs(bins[b].mean_p - bins[b].rate);
        *ece = e;
    }
    free(bins);
    return st;
}
