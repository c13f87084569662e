/* rank_pairs.h - (score, outcome) pairs in ascending score order and the rank metrics computed on them (private to src/stats). */
#ifndef HC_RANK_PAIRS_H
#define HC_RANK_PAIRS_H

#include "hc_metrics.h"

/* A score with its outcome; the rank metrics only ever need these two,
 * and 16-byte records sort and stream faster than the rows they come from. */
typedef struct {
    double s;
    double y;
} hc_rank_pair;

/* The n (score, y) pairs in ascending score order, ties in row order: read
 * off `ranked` when the caller has the ranking of `score` (NULL: sorted
 * here, the same order); *npos gets the number of positives. A new array
 * the caller frees; NULL when out of memory. */
hc_rank_pair *hc_rank_pairs(const double *y, const double *score,
                            const hc_metrics_ranked *ranked, size_t n, size_t *npos);

/* End (exclusive) of the tie group starting at i in ascending pairs. */
static inline size_t hc_rank_group_end(const hc_rank_pair *v, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && v[j].s == v[i].s)
        j++;
    return j;
}

/* Positives among pairs [i, j). */
static inline size_t hc_rank_group_positives(const hc_rank_pair *v, size_t i, size_t j)
{
    size_t a = 0;
    for (size_t k = i; k < j; k++)
        a += v[k].y == 1.0;
    return a;
}

/* The functions below take the n ascending pairs `v` with npos positives
 * and both classes present (the callers have checked the input). */

/* The AUC with its DeLong interval at `level` (hc_metrics_delong_ci's
 * result); needs 2 of each class (hc_rank_delong_need). */
void hc_rank_delong_ci(const hc_rank_pair *v, size_t n, size_t npos, double level,
                       hc_metrics_auc_ci *out);

/* Average precision (hc_metrics_average_precision). */
double hc_rank_average_precision(const hc_rank_pair *v, size_t n, size_t npos);

/* The KS statistic and, when `threshold` is not NULL, the score where it
 * is reached (hc_metrics_ks). */
double hc_rank_ks(const hc_rank_pair *v, size_t n, size_t npos, double *threshold);

/* Positives among the top k (real, need not be whole) rows, a tie group
 * straddling the boundary counting pro rata (hc_metrics_lift). */
double hc_rank_top_positives(const hc_rank_pair *v, size_t n, double k);

/* HC_OK when a confidence level is in (0, 1), else HC_EUSAGE. */
hc_status hc_rank_check_level(double level, hc_error *err);

/* HC_OK with at least 2 positives and 2 negatives (DeLong's variances
 * divide by n - 1), else HC_ENUMERIC saying so. */
hc_status hc_rank_delong_need(size_t npos, size_t nneg, hc_error *err);

#endif
