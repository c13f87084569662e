/* rank_pairs.c - (score, outcome) pairs in score order and the rank metrics read off one walk over them, shared by the rank metrics and the summary. */
#include "hc_sort.h"
#include "hc_metrics.h"
#include "rank_pairs.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

hc_rank_pair *hc_rank_pairs(const double *y, const double *score,
                            const hc_metrics_ranked *ranked, size_t n, size_t *npos)
{
    hc_rank_pair *v = malloc(n * sizeof *v);
    if (!v)
        return NULL;
    size_t pos = 0;
    if (ranked) {
        for (size_t k = 0; k < n; k++) {
            v[k].s = ranked[k].s;
            v[k].y = y[ranked[k].i];
            pos += v[k].y == 1.0;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            v[i].s = score[i];
            v[i].y = y[i];
            pos += y[i] == 1.0;
        }
        hc_sort_by_double_key(v, n, sizeof *v);
    }
    *npos = pos;
    return v;
}

/* Mann-Whitney AUC from ascending pairs. 2U is an integer (ties count 1/2),
 * accumulated exactly in 64 bits. */
static double auc_sorted(const hc_rank_pair *v, size_t n, size_t npos)
{
    size_t nneg = n - npos;
    uint64_t twice_u = 0, neg_below = 0;
    for (size_t i = 0; i < n;) {
        size_t j = hc_rank_group_end(v, n, i);
        uint64_t a = hc_rank_group_positives(v, i, j), b = (j - i) - a;
        twice_u += 2 * a * neg_below + a * b;
        neg_below += b;
        i = j;
    }
    return (double)twice_u / (2.0 * (double)npos * (double)nneg);
}

/* DeLong variance components from ascending pairs: the placement of a
 * positive is the share of negatives below it (ties 1/2), that of a negative
 * the share of positives above it; every member of a tie group of the same
 * class shares one placement, so sums run over groups. */
static void delong_sorted(const hc_rank_pair *v, size_t n, size_t npos,
                          double auc, double *s10, double *s01)
{
    double P = (double)npos, N = (double)(n - npos);
    size_t neg_below = 0, pos_below = 0;
    double ss10 = 0.0, ss01 = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = hc_rank_group_end(v, n, i);
        size_t a = hc_rank_group_positives(v, i, j), b = (j - i) - a;
        if (a) {
            double v10 = ((double)neg_below + 0.5 * (double)b) / N;
            ss10 += (double)a * (v10 - auc) * (v10 - auc);
        }
        if (b) {
            double above = (double)(npos - pos_below - a);
            double v01 = (above + 0.5 * (double)a) / P;
            ss01 += (double)b * (v01 - auc) * (v01 - auc);
        }
        neg_below += b;
        pos_below += a;
        i = j;
    }
    *s10 = ss10 / (P - 1.0);
    *s01 = ss01 / (N - 1.0);
}

/* Thresholds are walked downwards, from the highest score. */
double hc_rank_average_precision(const hc_rank_pair *v, size_t n, size_t npos)
{
    double tp = 0.0, fp = 0.0, prev_recall = 0.0, ap = 0.0;
    for (size_t j = n; j > 0;) {
        size_t i = j - 1;
        while (i > 0 && v[i - 1].s == v[j - 1].s)
            i--;
        size_t a = hc_rank_group_positives(v, i, j);
        tp += (double)a;
        fp += (double)((j - i) - a);
        double recall = tp / (double)npos;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
        j = i;
    }
    return ap;
}

double hc_rank_ks(const hc_rank_pair *v, size_t n, size_t npos, double *threshold)
{
    double P = (double)npos, N = (double)(n - npos);
    double cp = 0.0, cn = 0.0, best = 0.0, at = v[0].s;
    for (size_t i = 0; i < n;) {
        size_t j = hc_rank_group_end(v, n, i);
        size_t a = hc_rank_group_positives(v, i, j);
        cp += (double)a;
        cn += (double)((j - i) - a);
        double d = fabs(cp / P - cn / N);
        if (d > best) {
            best = d;
            at = v[i].s;
        }
        i = j;
    }
    if (threshold)
        *threshold = at;
    return best;
}

double hc_rank_top_positives(const hc_rank_pair *v, size_t n, double k)
{
    double taken = 0.0, pos = 0.0;
    for (size_t j = n; j > 0 && taken < k;) {
        size_t i = j - 1;
        while (i > 0 && v[i - 1].s == v[j - 1].s)
            i--;
        double size = (double)(j - i), a = (double)hc_rank_group_positives(v, i, j);
        double use = k - taken < size ? k - taken : size;
        pos += a * (use / size);
        taken += use;
        j = i;
    }
    return pos;
}

hc_status hc_rank_check_level(double level, hc_error *err)
{
    if (!(level > 0.0 && level < 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "confidence level %g is not between 0 and 1",
                            level);
    return HC_OK;
}

hc_status hc_rank_delong_need(size_t npos, size_t nneg, hc_error *err)
{
    if (npos < 2 || nneg < 2)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the DeLong interval needs at least 2 churners "
                            "and 2 non-churners (have %zu and %zu)",
                            npos, nneg);
    return HC_OK;
}

void hc_rank_delong_ci(const hc_rank_pair *v, size_t n, size_t npos, double level,
                       hc_metrics_auc_ci *out)
{
    double auc = auc_sorted(v, n, npos), s10, s01;
    delong_sorted(v, n, npos, auc, &s10, &s01);
    double se = sqrt(s10 / (double)npos + s01 / (double)(n - npos));
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    out->auc = auc;
    out->se = se;
    out->ci_low = fmax(0.0, auc - z * se);
    out->ci_high = fmin(1.0, auc + z * se);
    out->level = level;
    out->n_pos = npos;
    out->n_neg = n - npos;
}
