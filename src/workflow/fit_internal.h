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
 * component with the largest positive z, refit, until no coefficient is
 * positive. On success `kept` (room for d->k) lists the `n_kept`
 * surviving components, `dropped` (d->k) marks the others and the caller
 * releases `res`. With sel given, ybuf, cbuf (n_sel each) and scratch
 * (n_sel * d->k) are the caller's workspace for the gathered rows; with
 * sel NULL they may be NULL. */
hc_status hc_fit_constrained_churn(const hc_model *m, const hc_fit_design *d,
                                   const size_t *sel, size_t n_sel,
                                   const hc_fit_options *opt,
                                   size_t *kept, size_t *n_kept, int *dropped,
                                   hc_logreg_result *res, double *ybuf,
                                   int32_t *cbuf, double *scratch, hc_error *err);

/* Writes the weights w_k = b_k / B of a constrained churn fit over the
 * components `kept` (0 for the other of the k components) and their 95%
 * intervals [lo, hi] by the delta method into the caller's arrays of k. */
void hc_fit_weights_from_churn(const hc_logreg_result *fit, const size_t *kept,
                               size_t n_kept, size_t k, double *w, double *lo,
                               double *hi);

/* Fits each segment's weights and calibration on the design (which was
 * built with opt->segments) and adds them to res->tuned, recording each in
 * res->segments (owned by `res`). The pooled weights and churn model must
 * already be in `res`. HC_EUSAGE when the snapshots have no segment
 * column. */
hc_status hc_fit_segments(const hc_model *m, const hc_history *h,
                          const hc_fit_design *d, const hc_fit_options *opt,
                          hc_fit_result *res, hc_error *err);

#endif
