/* metrics_ranked.h - metrics that reuse a ranking of p, shared between the metrics files (private). */
#ifndef HC_METRICS_RANKED_H
#define HC_METRICS_RANKED_H

#include "hc_metrics.h"

/* hc_metrics_hosmer_lemeshow with the ranking of p (NULL: sorted here). */
hc_status hc_metrics_hl_ranked(const double *y, const double *p,
                               const hc_metrics_ranked *ranked, size_t n, size_t g,
                               hc_metrics_hl *out, hc_error *err);

/* hc_metrics_calibration_ex with the ranking of p (NULL: sorted here) for
 * the lowess smooth. */
hc_status hc_metrics_calibration_ranked(const double *y, const double *p,
                                        const hc_metrics_ranked *ranked, size_t n,
                                        int smooth, hc_metrics_calibration_result *out,
                                        hc_error *err);

#endif
