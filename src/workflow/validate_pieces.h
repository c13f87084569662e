/* validate_pieces.h - the pieces of a validation that may be not estimable on their own: segments, components alone, and the leakage warnings (private to src/workflow). */
#ifndef HC_VALIDATE_PIECES_H
#define HC_VALIDATE_PIECES_H

#include "hc_validate.h"

/* The AUC of the health score within each segment: rows i < n have
 * segment seg[i] (index into m->segments, -1 = none of them), outcome y[i]
 * and risk risk[i] (higher riskier); with `cluster` (may be NULL) the
 * interval is the clustered DeLong one. A segment without 2 churners and 2
 * retained rows is not estimable, counted in res->n_not_estimable. Fills
 * res->segments (owned by res). HC_ENOMEM only. */
hc_status hc_validate_segments(const hc_model *m, const int32_t *seg, const double *y,
                               const double *risk, const int32_t *cluster, size_t n,
                               hc_validate_result *res, hc_error *err);

/* Fills res->clusters from in->cluster (validate_clusters.c): the
 * clustered ROC AUC interval (into res->summary's roc_auc_ci_*), the
 * ratio estimators, the recalibration intervals (replacing res->slope_ci_*,
 * intercept_ci_*, citl_ci_*, the rows-independent ones kept in
 * res->clusters) and the cluster bootstrap. `p` are the probabilities,
 * `rank` the risk the rank metrics use (p itself, or the score) and
 * `ranked` the ranking of `rank` (NULL: computed). A clustered AUC that is not estimable (fewer
 * than 2 churned accounts) is counted in res->n_not_estimable, with the
 * rows-independent interval kept. HC_EUSAGE for a negative code, HC_ENOMEM. */
hc_status hc_validate_clustered(const hc_validate_input *in, const double *p,
                                const double *rank, const hc_metrics_ranked *ranked,
                                hc_validate_result *res, hc_error *err);

/* The AUC of each component's sub-score alone, sub[k * stride + i] for the
 * n rows (NaN = missing, skipped), ranked low = risk. A component without
 * both classes among its rows is not estimable. Fills res->components.
 * HC_ENOMEM only. */
hc_status hc_validate_components(const hc_model *m, const double *sub, size_t stride,
                                 const double *y, size_t n, hc_validate_result *res,
                                 hc_error *err);

/* Calibration before and after m's recalibration map (validate_recal.c):
 * y, p_raw (the churn model's p) and p (after the map) of n rows dated
 * date[i]. Leaves out zeroed when m has no map; a comparison that cannot
 * be computed keeps a note. HC_ENOMEM only. */
hc_status hc_validate_recalibration(const hc_model *m, const double *y, const double *p_raw,
                                    const double *p, const int32_t *date, size_t n,
                                    hc_validate_recal *out, hc_error *err);

/* Adds the leakage warnings of res (the score's AUC and the components'
 * AUCs against res->leakage_auc and HC_VALIDATE_LEAKAGE_GAP). */
void hc_validate_leakage_warnings(hc_validate_result *res);

/* Appends a warning (dropped beyond HC_VALIDATE_MAX_WARNINGS). */
void hc_validate_warn(hc_validate_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
