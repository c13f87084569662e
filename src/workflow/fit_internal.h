/* fit_internal.h - the fit's private parts: the design of complete rows and the steps hc_fit_model takes on it. */
#ifndef HC_FIT_INTERNAL_H
#define HC_FIT_INTERNAL_H

#include "hc_fit.h"

/* The steps of hc_fit_model (fit.c), each in its own file:
 *   hc_fit_design_build         the sub-scores and outcomes of the complete
 *                               observation rows (fit_design.c);
 *   hc_fit_constrained_churn,
 *   hc_fit_weights_from_churn   the churn fit under the sign constraint and
 *                               the weights with their intervals
 *                               (fit_churn.c);
 *   hc_fit_segments             per-segment weights and calibration, shrunk
 *                               toward the pooled model (fit_segments.c). */

/* The design of one fit: complete rows only, one array per component.
 * Column storage lets a subset of components be passed to the logistic
 * regression as pointers, with no copy of the data. */
typedef struct {
    size_t n, k;
    double **own;       /* k arrays of n doubles, or NULL (borrowed) */
    const double **col; /* k column pointers (into own) */
    double *churn;      /* n */
    double *expansion;  /* n, or NULL when the expansion model is not fitted */
    int32_t *cluster;   /* n account codes */
    const char *cluster_name; /* what they are, for the SE label (borrowed) */
    int32_t *segment;   /* n segment codes or -1; NULL without segments */
    int borrowed;       /* col, churn and cluster belong to the caller */
} hc_fit_design;

/* Builds in `d` the design of the rows `rows` (n of them, indexes into the
 * snapshot table of `h`), or with rows NULL of the observations among the
 * table's first n rows, with model `m`'s sub-scores; rows with a missing
 * sub-score are left out and counted in *incomplete. The history is only
 * read. On success `d` owns its arrays (hc_fit_design_release); on error
 * it holds nothing. */
hc_status hc_fit_design_build(const hc_model *m, const hc_history *h,
                              const size_t *rows, size_t n,
                              const hc_fit_options *opt, hc_fit_design *d,
                              size_t *incomplete, hc_error *err);

/* Frees the arrays `d` owns (none when borrowed); `d` itself is the
 * caller's. */
void hc_fit_design_release(hc_fit_design *d);

/* The churn fit under the sign constraint b_k <= 0 on the design rows
 * `sel` (n_sel of them; sel NULL: all n_sel = d->n rows): fit, drop the
 * component with the largest positive model-based z (b / se), refit,
 * until no coefficient is positive. On success `kept` (room for d->k)
 * lists the `n_kept` surviving components, `dropped` (d->k) marks the
 * others and the caller releases `res`. `why` (d->k entries, or NULL)
 * receives for each dropped component its estimate and inference in the
 * fit it was dropped from (hc_fit_dropped); other entries are zeroed.
 * With sel given, ybuf, cbuf (n_sel each) and scratch (n_sel * d->k) are
 * the caller's workspace for the gathered rows; with sel NULL they may be
 * NULL. */
hc_status hc_fit_constrained_churn(const hc_model *m, const hc_fit_design *d,
                                   const size_t *sel, size_t n_sel,
                                   const hc_fit_options *opt,
                                   size_t *kept, size_t *n_kept, int *dropped,
                                   hc_fit_dropped *why,
                                   hc_logreg_result *res, double *ybuf,
                                   int32_t *cbuf, double *scratch, hc_error *err);

/* Writes the weights w_k = b_k / B of a constrained churn fit over the
 * components `kept` (0 for the other of the k components), their 95%
 * intervals [lo, hi] and standard errors `se` (NULL: not wanted) by the
 * delta method on the robust covariance when the fit has one, into the
 * caller's arrays of k. */
void hc_fit_weights_from_churn(const hc_logreg_result *fit, const size_t *kept,
                               size_t n_kept, size_t k, double *w, double *lo,
                               double *hi, double *se);

/* The number of distinct accounts (cluster codes) with at least one row
 * of churn > 0 among the rows `sel` (n of them; sel NULL: rows 0..n-1).
 * `buf` (n entries) is the caller's workspace. */
size_t hc_fit_churned_accounts(const double *churn, const int32_t *cluster,
                               const size_t *sel, size_t n, int32_t *buf);

/* The empirical-Bayes shrinkage strength k of the segments' credibility
 * Z_s = C_s / (C_s + k) (formula in fit_segments.c): w and v are S x K
 * row-major, the segments' own weights and their variances (an entry with
 * v <= 0 or not finite is left out: a component the segment's fit dropped,
 * or a segment without an own fit), C the S churned-account counts. */
void hc_fit_shrinkage_estimate(const double *w, const double *v,
                               const size_t *C, size_t S, size_t K,
                               hc_fit_shrinkage *out);

/* Fits each segment's weights and calibration on the design (which was
 * built with opt->segments) and adds them to res->tuned, recording each in
 * res->segments (owned by `res`). The pooled weights and churn model must
 * already be in `res`. HC_EUSAGE when the snapshots have no segment
 * column. */
hc_status hc_fit_segments(const hc_model *m, const hc_history *h,
                          const hc_fit_design *d, const hc_fit_options *opt,
                          hc_fit_result *res, hc_error *err);

/* hc_fit_model with opt->recalibrate set (fit_recalibrate.c): splits the
 * candidate rows by date, fits on the early rows (hc_fit_model without
 * recalibration) and the map on the holdout, filling res->recal. */
hc_status hc_fit_recalibrated(const hc_model *base, const hc_history *h,
                              const size_t *rows, size_t n,
                              const hc_fit_options *opt, hc_fit_result *res,
                              hc_error *err);

#endif
