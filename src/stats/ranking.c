/* ranking.c - the ranking of scores (sorted once, shared by every metric of the same scores) and R's type-7 quantiles by sort or by selection. */
#include "hc_sort.h"
#include "hc_metrics.h"
#include "ranking.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

hc_metrics_ranked *hc_metrics_rank(const double *score, size_t n)
{
    hc_metrics_ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        r[i].s = score[i];
        r[i].i = i;
    }
    hc_sort_by_double_key(r, n, sizeof *r); /* stable: ties in index order */
    return r;
}

static int by_index(const void *a, const void *b)
{
    size_t x = ((const hc_metrics_ranked *)a)->i, y = ((const hc_metrics_ranked *)b)->i;
    return (x > y) - (x < y);
}

hc_metrics_ranked *hc_metrics_rank_through(const double *p, const hc_metrics_ranked *by,
                                           size_t n)
{
    hc_metrics_ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        r[k].i = by[k].i;
        r[k].s = p[by[k].i];
        if ((k > 0 && !(r[k].s >= r[k - 1].s)) || (r[k].s == 0.0 && signbit(r[k].s))) {
            free(r); /* not monotone, NaN or -0.0: the sort decides */
            return hc_metrics_rank(p, n);
        }
    }
    /* A tie of p spanning several scores is in score order, not row order
     * (hc_metrics_rank's stable sort): such groups are put in row order.
     * Without -0.0, equal p are equal bits: the groups the radix sort
     * forms. */
    for (size_t k = 0; k < n;) {
        size_t j = k + 1, ordered = 1;
        while (j < n && r[j].s == r[k].s) {
            ordered &= r[j].i > r[j - 1].i;
            j++;
        }
        if (!ordered)
            qsort(r + k, j - k, sizeof *r, by_index);
        k = j;
    }
    return r;
}

void hc_ranking_values(const double *score, const hc_metrics_ranked *ranked, size_t n,
                       double *sorted)
{
    if (ranked) {
        for (size_t k = 0; k < n; k++)
            sorted[k] = ranked[k].s;
    } else {
        memcpy(sorted, score, n * sizeof *sorted);
        hc_sort_by_double_key(sorted, n, sizeof *sorted);
    }
}

double hc_metrics_quantile_sorted(const double *sorted, size_t n, double prob)
{
    if (n == 0)
        return 0.0;
    if (prob < 0.0)
        prob = 0.0;
    if (prob > 1.0)
        prob = 1.0;
    /* R: index <- 1 + (n - 1) * probs; lo <- floor(index); hi <- ceiling;
     * qs <- x[lo]; if (index > lo && x[hi] != qs)
     * qs <- (1 - h) * qs + h * x[hi], h = index - lo. */
    double index = 1.0 + (double)(n - 1) * prob;
    double lo = floor(index), hi = ceil(index);
    double qs = sorted[(size_t)lo - 1];
    double xh = sorted[(size_t)hi - 1];
    if (index > lo && xh != qs) {
        double h = index - lo;
        qs = (1.0 - h) * qs + h * xh;
    }
    return qs;
}

/* R's type-7 position of prob in n sorted values: the 1-based index and its
 * floor and ceiling, clamped as hc_metrics_quantile_sorted does. */
static double quantile_index(size_t n, double prob, size_t *lo, size_t *hi)
{
    if (prob < 0.0)
        prob = 0.0;
    if (prob > 1.0)
        prob = 1.0;
    double index = 1.0 + (double)(n - 1) * prob;
    *lo = (size_t)floor(index);
    *hi = (size_t)ceil(index);
    return index;
}

/* hc_metrics_quantiles, selecting in x's own storage when `in` is set
 * (hc_select_ranks_in: x gets its values back). */
static int quantiles(const double *x, double *in, size_t n, const double *probs,
                     size_t m, double *out)
{
    if (m == 0)
        return 0;
    if (n == 0) {
        for (size_t j = 0; j < m; j++)
            out[j] = 0.0;
        return 0;
    }
    size_t *ranks = calloc(2 * m + 1, sizeof *ranks);
    double *val = malloc((2 * m + 1) * sizeof *val);
    if (!ranks || !val) {
        free(ranks);
        free(val);
        return -1;
    }
    /* The order statistics every quantile needs, ascending and unique. */
    size_t nr = 0;
    for (size_t j = 0; j < m; j++) {
        size_t lo, hi;
        quantile_index(n, probs[j], &lo, &hi);
        ranks[nr++] = lo - 1;
        ranks[nr++] = hi - 1;
    }
    for (size_t a = 1; a < nr; a++) /* insertion sort: at most a few dozen */
        for (size_t b = a; b > 0 && ranks[b - 1] > ranks[b]; b--) {
            size_t t = ranks[b];
            ranks[b] = ranks[b - 1];
            ranks[b - 1] = t;
        }
    size_t nu = 0;
    for (size_t a = 0; a < nr; a++)
        if (nu == 0 || ranks[a] != ranks[nu - 1])
            ranks[nu++] = ranks[a];
    int rc = in ? hc_select_ranks_in(in, n, ranks, nu, val)
                : hc_select_ranks(x, n, ranks, nu, val);
    for (size_t j = 0; rc == 0 && j < m; j++) {
        size_t lo, hi;
        double index = quantile_index(n, probs[j], &lo, &hi);
        double qs = NAN, xh = NAN;
        for (size_t a = 0; a < nu; a++) {
            if (ranks[a] == lo - 1)
                qs = val[a];
            if (ranks[a] == hi - 1)
                xh = val[a];
        }
        /* The same arithmetic as hc_metrics_quantile_sorted. */
        if (index > (double)lo && xh != qs) {
            double h = index - (double)lo;
            qs = (1.0 - h) * qs + h * xh;
        }
        out[j] = qs;
    }
    free(ranks);
    free(val);
    return rc;
}

int hc_metrics_quantiles(const double *x, size_t n, const double *probs, size_t m,
                         double *out)
{
    return quantiles(x, NULL, n, probs, m, out);
}

int hc_metrics_quantiles_in(double *x, size_t n, const double *probs, size_t m,
                            double *out)
{
    return quantiles(x, x, n, probs, m, out);
}
