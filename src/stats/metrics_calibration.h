/* metrics_calibration.h - the calibration metrics that sort p, taking its ranking when the caller has one (private to src/stats). */
#ifndef HC_METRICS_CALIBRATION_H
#define HC_METRICS_CALIBRATION_H

#include "hc_metrics.h"

/* hc_metrics_calibration_ex with the ranking of p (hc_metrics_rank(p, n);
 * NULL: sorted here) for the lowess smooth; the same result. */
hc_status hc_metrics_calibration_ranked(const double *y, const double *p,
                                        const hc_metrics_ranked *ranked, size_t n,
                                        int smooth, hc_metrics_calibration_result *out,
                                        hc_error *err);

/* hc_metrics_hosmer_lemeshow with the ranking of p (NULL: sorted here) for
 * the quantiles that cut the groups; the same result. */
hc_status hc_metrics_hl_ranked(const double *y, const double *p,
                               const hc_metrics_ranked *ranked, size_t n, size_t g,
                               hc_metrics_hl *out, hc_error *err);

#endif
