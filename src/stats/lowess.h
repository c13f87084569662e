/* lowess.h - the lowess smoother with a ranking of x and a thread count, for the calibration metrics (private to src/stats). */
#ifndef HC_LOWESS_H
#define HC_LOWESS_H

#include "hc_metrics.h"

/* The thread count of hc_metrics_lowess and of the calibration's smooth. */
#define HC_LOWESS_THREADS 2

/* hc_metrics_lowess with the ranking of x when the caller has it
 * (`ranked`, from hc_metrics_rank(x, n); NULL: computed here) and the
 * local fits shared between `threads` threads (1 or less: the calling
 * thread alone; at most 8 are used). The fitted values are the same
 * whatever the thread count. `fitted` may be x or y. */
hc_status hc_lowess_ranked(const double *x, const double *y, const hc_metrics_ranked *ranked,
                           size_t n, double f, int iter, double delta, int threads,
                           double *fitted, hc_error *err);

/* lowess(x, y, f, iter = 0, delta) in ascending x: value k belongs to the
 * point ranked[k] (`ranked` from hc_metrics_rank(x, n), required). A new
 * array of n doubles the caller frees, or NULL with *err set. The values
 * are those of hc_lowess_ranked; they are written over the copy of y in
 * x order, so beside the ranking only 2n doubles are ever held (the
 * calibration's smooth of millions of rows). y must be finite. */
double *hc_lowess_sorted(const double *y, const hc_metrics_ranked *ranked, size_t n,
                         double f, double delta, int threads, hc_error *err);

#endif
