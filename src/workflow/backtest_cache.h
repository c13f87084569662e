/* backtest_cache.h - what the backtest computes once for all its rows, in date order (private to the backtest's files). */
#ifndef HC_BACKTEST_CACHE_H
#define HC_BACKTEST_CACHE_H

#include "hc_backtest.h"

/* Per-row values of the plan's rows (plan->rows, date order), so that a
 * fold's training and test rows are contiguous slices [begin, stop). */
typedef struct {
    size_t n;          /* plan rows */
    double *y;         /* churn outcome, 0 or 1 */
    double *arr;       /* ARR, a missing or negative value counted as 0 */
    int32_t *cluster;  /* account code */
    size_t k;          /* components of the sub-scores */
    double *sub;       /* k x n sub-scores of models[0] (component-major),
                          or NULL */
    int sub_complete;  /* every sub-score is finite */
    size_t n_models;
    double **health;   /* per model: H of every row, or NULL (scored per fold) */
    double **p;        /* per model: P(churn) under its own churn model, or
                          NULL (no churn model, or H is NULL) */
} hc_bt_cache;

/* Fills the cache: y, arr and cluster always; H (and P, for a model with a
 * churn model) for every model that scores the same in every fold (no
 * quantile transform learned per fold); the sub-scores of models[0] when
 * `want_sub` and models[0] allows it (no quantile transform, which a refit
 * would relearn, and no segments). Scores on two threads. h is only read.
 * On error the cache is released; otherwise release it with
 * hc_bt_cache_release. */
hc_status hc_bt_cache_build(const hc_history *h, const hc_backtest_plan *plan,
                            const hc_model *const *models, size_t n_models,
                            int want_sub, hc_bt_cache *c, hc_error *err);

/* Frees every array of the cache and zeroes it; NULL is a no-op. */
void hc_bt_cache_release(hc_bt_cache *c);

#endif
