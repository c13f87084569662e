/* ranking.h - what the metric families share of the ranking of scores beyond hc_metrics.h (private to src/stats). */
#ifndef HC_RANKING_H
#define HC_RANKING_H

#include "hc_metrics.h"

/* The n scores in ascending order into sorted[0..n) (caller-owned): read
 * off `ranked` when the caller has the ranking of `score`, else `score`
 * copied and sorted (hc_sort_by_double_key). Either way the same values in
 * the same order. */
void hc_ranking_values(const double *score, const hc_metrics_ranked *ranked, size_t n,
                       double *sorted);

#endif
