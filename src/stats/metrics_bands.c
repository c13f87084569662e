/* metrics_bands.c - per-band outcomes (accounts, churn rate, ARR, red-band precision and recall, with rows-independent or clustered intervals) and the population stability index. */
#include "hc_sort.h"
#include "hc_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hc_metrics_bands_release(hc_metrics_bands_result *res)
{
    if (!res)
        return;
    free(res->bands);
    res->bands = NULL;
    res->n_bands = 0;
}

hc_status hc_metrics_bands(const int *band, const double *y, const double *arr,
                           size_t n, size_t n_bands,
                           hc_metrics_bands_result *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (n_bands == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "at least one band is needed");
    if (n == 0 || !band || !y)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no rows to tally by band");
    for (size_t i = 0; i < n; i++) {
        if (band[i] < 0 || (size_t)band[i] >= n_bands)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "row %zu has band %d, outside 0..%zu", i,
                                band[i], n_bands - 1);
        if (y[i] != 0.0 && y[i] != 1.0)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "outcome of row %zu is %g, not 0 or 1", i,
                                y[i]);
        if (arr && !(isfinite(arr[i]) && arr[i] >= 0.0))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "ARR of row %zu is %g: it must be a finite "
                                "amount >= 0", i, arr[i]);
    }
    hc_metrics_band *b = calloc(n_bands, sizeof *b);
    if (!b)
        return hc_error_nomem(err);
    double total_arr = 0.0, churned_arr = 0.0;
    size_t churners = 0;
    for (size_t i = 0; i < n; i++) {
        hc_metrics_band *t = &b[band[i]];
        double a = arr ? arr[i] : 0.0;
        t->accounts++;
        t->arr += a;
        total_arr += a;
        if (y[i] == 1.0) {
            t->churners++;
            t->churned_arr += a;
            churned_arr += a;
            churners++;
        }
    }
    if (churners == 0) {
        free(b);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no churners among %zu rows: band recall is "
                            "undefined", n);
    }
    for (size_t k = 0; k < n_bands; k++) {
        hc_metrics_band *t = &b[k];
        t->share = (double)t->accounts / (double)n;
        t->churn_rate = t->accounts
                            ? (double)t->churners / (double)t->accounts
                            : 0.0;
        hc_metrics_wilson(t->churners, t->accounts, 0.95, &t->rate_ci_low,
                          &t->rate_ci_high);
        t->naive_ci_low = t->rate_ci_low;
        t->naive_ci_high = t->rate_ci_high;
        t->design_effect = 1.0;
    }
    out->n_bands = n_bands;
    out->bands = b;
    out->n = n;
    out->churners = churners;
    out->arr = total_arr;
    out->churned_arr = churned_arr;
    out->red_precision = b[0].churn_rate;
    out->red_recall = (double)b[0].churners / (double)churners;
    out->red_arr_recall = churned_arr > 0.0 ? b[0].churned_arr / churned_arr
                                            : 0.0;
    return HC_OK;
}

/* Which rows a clustered ratio of hc_metrics_bands_clustered counts. */
typedef enum { BAND_RATE, OVERALL_RATE, RED_RECALL } band_ratio;

/* One clustered proportion over the compacted clusters idx[cluster[i]]. */
static hc_status band_proportion(const int *band, const double *y, const int32_t *cluster,
                                 const long *idx, size_t n, hc_metrics_ratio_sums *s,
                                 size_t m, band_ratio what, int which, double level,
                                 hc_metrics_ratio *out, size_t *churned_clusters,
                                 hc_error *err)
{
    memset(s, 0, m * sizeof *s);
    for (size_t i = 0; i < n; i++) {
        double a, b;
        switch (what) {
        case BAND_RATE:
            if (band[i] != which)
                continue;
            a = y[i];
            b = 1.0;
            break;
        case OVERALL_RATE:
            a = y[i];
            b = 1.0;
            break;
        default: /* RED_RECALL */
            if (y[i] != 1.0)
                continue;
            a = band[i] == 0;
            b = 1.0;
            break;
        }
        hc_metrics_ratio_sums *t = &s[idx[cluster[i]]];
        t->a += a;
        t->b += b;
        t->aa += a;   /* indicators: a^2 = a b = a, b^2 = b */
        t->ab += a;
        t->bb += b;
        t->n++;
    }
    if (churned_clusters) {
        *churned_clusters = 0;
        for (size_t j = 0; j < m; j++)
            *churned_clusters += s[j].a > 0.0;
    }
    return hc_metrics_ratio_from_sums(s, m, level, HC_METRICS_RATIO_PROPORTION, out, err);
}

hc_status hc_metrics_bands_clustered(const int *band, const double *y,
                                     const int32_t *cluster, size_t n, double level,
                                     hc_metrics_bands_result *res, hc_error *err)
{
    if (!res->bands || res->n != n)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the band table is not that of these %zu rows", n);
    long k = hc_metrics_cluster_count(cluster, n, err);
    if (k < 0)
        return HC_EUSAGE;
    long *idx = malloc((k ? (size_t)k : 1) * sizeof *idx);
    if (!idx)
        return hc_error_nomem(err);
    for (long j = 0; j < k; j++)
        idx[j] = -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (idx[cluster[i]] < 0)
            idx[cluster[i]] = (long)m++;
    hc_metrics_ratio_sums *s = malloc(m * sizeof *s);
    if (!s) {
        free(idx);
        return hc_error_nomem(err);
    }
    hc_status st = HC_OK;
    hc_metrics_ratio r;
    for (size_t b = 0; b < res->n_bands && st == HC_OK; b++) {
        hc_metrics_band *t = &res->bands[b];
        if (t->accounts == 0)
            continue;
        st = band_proportion(band, y, cluster, idx, n, s, m, BAND_RATE, (int)b, level, &r,
                             &t->churned_clusters, err);
        if (st)
            break;
        t->clusters = r.n_clusters;
        t->design_effect = r.design_effect;
        t->rate_ci_low = r.ci_low;
        t->rate_ci_high = r.ci_high;
        if (b == 0) {
            res->red_precision_ci_low = r.ci_low;
            res->red_precision_ci_high = r.ci_high;
        }
    }
    if (st == HC_OK &&
        (st = band_proportion(band, y, cluster, idx, n, s, m, OVERALL_RATE, 0, level, &r,
                              &res->churned_clusters, err)) == HC_OK) {
        res->n_clusters = m;
        res->rate_ci_low = r.ci_low;
        res->rate_ci_high = r.ci_high;
        res->rate_design_effect = r.design_effect;
    }
    if (st == HC_OK &&
        (st = band_proportion(band, y, cluster, idx, n, s, m, RED_RECALL, 0, level, &r, NULL,
                              err)) == HC_OK) {
        res->red_recall_ci_low = r.ci_low;
        res->red_recall_ci_high = r.ci_high;
        res->red_recall_design_effect = r.design_effect;
        res->clustered = 1;
    }
    free(idx);
    free(s);
    return st;
}

/* Bin of v among the ascending cut points: the first cut >= v (bins are
 * right-closed), or the last, open-ended bin. */
/* The bin of v: the number of cuts below it. A count rather than a binary
 * search: with at most a few dozen cuts it has no branch to mispredict,
 * and it runs over every row of a backtest's training set. */
static size_t psi_bin(const double *cut, size_t ncut, double v)
{
    size_t b = 0;
    for (size_t k = 0; k < ncut; k++)
        b += cut[k] < v;
    return b;
}

static hc_status psi_check(const double *v, size_t n, const char *what,
                           hc_error *err)
{
    if (n == 0 || !v)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "PSI: the %s sample is empty", what);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "PSI: value %zu of the %s sample is missing "
                                "or not finite", i, what);
    return HC_OK;
}

/* hc_metrics_psi; with `in` (= baseline) the quantiles are selected in
 * the baseline's own storage. */
static hc_status psi(const double *baseline, double *in, size_t n0,
                     const double *current, size_t n1, size_t bins,
                     hc_metrics_psi_result *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (bins == 0)
        bins = 10;
    if (bins < 2 || bins > HC_METRICS_PSI_MAX_BINS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "PSI needs 2 to %d bins, not %zu",
                            HC_METRICS_PSI_MAX_BINS, bins);
    hc_status st = psi_check(baseline, n0, "baseline", err);
    if (st || (st = psi_check(current, n1, "current", err)))
        return st;
    /* Cut points at the baseline's quantiles k / bins, by selection (the
     * baseline of a backtest fold has millions of rows). */
    double probs[HC_METRICS_PSI_MAX_BINS], q[HC_METRICS_PSI_MAX_BINS];
    for (size_t k = 1; k < bins; k++)
        probs[k - 1] = (double)k * (1.0 / (double)bins);
    if ((in ? hc_metrics_quantiles_in(in, n0, probs, bins - 1, q)
            : hc_metrics_quantiles(baseline, n0, probs, bins - 1, q)) != 0)
        return hc_error_nomem(err);
    double cut[HC_METRICS_PSI_MAX_BINS];
    size_t ncut = 0;
    for (size_t k = 0; k + 1 < bins; k++)
        if (ncut == 0 || q[k] != cut[ncut - 1])
            cut[ncut++] = q[k];
    size_t nb = ncut + 1;
    size_t c0[HC_METRICS_PSI_MAX_BINS] = {0}, c1[HC_METRICS_PSI_MAX_BINS] = {0};
    for (size_t i = 0; i < n0; i++)
        c0[psi_bin(cut, ncut, baseline[i])]++;
    for (size_t i = 0; i < n1; i++)
        c1[psi_bin(cut, ncut, current[i])]++;
    double psi = 0.0;
    for (size_t k = 0; k < nb; k++) {
        double b = (double)c0[k] / (double)n0, c = (double)c1[k] / (double)n1;
        out->upper[k] = k < ncut ? cut[k] : INFINITY;
        out->base_share[k] = b;
        out->current_share[k] = c;
        b = fmax(b, HC_METRICS_PSI_FLOOR);
        c = fmax(c, HC_METRICS_PSI_FLOOR);
        psi += (c - b) * log(c / b);
    }
    out->psi = psi;
    out->n_bins = nb;
    return HC_OK;
}

hc_status hc_metrics_psi(const double *baseline, size_t n0,
                         const double *current, size_t n1, size_t bins,
                         hc_metrics_psi_result *out, hc_error *err)
{
    return psi(baseline, NULL, n0, current, n1, bins, out, err);
}

hc_status hc_metrics_psi_in(double *baseline, size_t n0, const double *current,
                            size_t n1, size_t bins, hc_metrics_psi_result *out,
                            hc_error *err)
{
    return psi(baseline, baseline, n0, current, n1, bins, out, err);
}
