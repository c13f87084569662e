/* lowess.h - the lowess smoother with a ranking of x and a thread count, for the calibration metrics (private to src/stats). */
#ifndef HC_LOWESS_H
#define HC_LOWESS_H

#include "hc_metrics.h"

/* The thread count of hc_metrics_lowess and of the calibration's smooth. */
#define HC_LOWESS_THREADS 2

/* hc_metrics_lowess with the ranking of x when the caller has it
 * (`ranked`, from hc_metrics_rank(x, n); NULL: computed here) and the
 * local fits shared between `threads` threads (1 or less: the calling
 * thread alone; at most 8 are used, each holding about 2n/3 doubles of
 * weights). The fitted values are the same whatever the thread count.
 * `fitted` may be x or y. */
hc_status hc_lowess_ranked(const double *x, const double *y, const hc_metrics_ranked *ranked,
                           size_t n, double f, int iter, double delta, int threads,
                           double *fitted, hc_error *err);

#endif
