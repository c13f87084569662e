/* backtest_cache.h - what the backtest computes once for all its rows, in date order (private to the backtest's files). */
#ifndef HC_BACKTEST_CACHE_H
#define HC_BACKTEST_CACHE_H

#include "hc_backtest.h"

/* Per-row values of the plan's rows (plan->rows, date order), so that a
 * fold's training and test rows are contiguous slices [begin, stop).
 * ARR is not copied: hc_bt_cache_arr reads it from the table. Nor are the
 * accounts: a fold's refit needs them only for its cluster-robust
 * standard errors, which change no coefficient, weight or prediction and
 * which the backtest never reports, so the refits from the cache are fitted
 * without clusters. */
typedef struct {
    size_t n;          /* plan rows */
    double *y;         /* churn outcome, 0 or 1 */
    size_t k;          /* components of the sub-scores */
    double *sub;       /* k x n sub-scores of models[0] (component-major),
                          or NULL */
    unsigned char *learned; /* k flags, or NULL when no component of
                          models[0] learns a transform per fold: component k
                          has a metric whose quantile cuts, categorical
                          levels or seasonal baseline each fold relearns,
                          and its column of sub is not filled (each fold
                          scores it on its own rows) */
    int sub_complete;  /* every sub-score (of the filled columns) is finite */
    size_t n_models;
    double **health;   /* per model: H of every row, or NULL: scored per
                          fold, from the table or (models[0] when sub is
                          kept) from the sub-scores, which cost k
                          multiply-adds a row and no second array */
    double **p;        /* per model: P(churn) under its own churn model, or
                          NULL (no churn model, or H is NULL) */
    const hc_table *table;     /* the history's, for ARR */
    int arr_col;               /* its ARR column, or -1 */
    const uint32_t *rows;      /* the plan's rows (plan->rows) */
} hc_bt_cache;

/* ARR of plan row i: a missing or negative value, or no ARR column,
 * counts as 0. */
double hc_bt_cache_arr(const hc_bt_cache *c, size_t i);

/* Whether config m's H and P come from the cache, as slices of its
 * arrays or scored from its sub-scores (models[0]), rather than from the
 * table in each fold. */
int hc_bt_cache_scores(const hc_bt_cache *c, size_t m);

/* Fills the cache: y always; the sub-scores of models[0] when
 * `want_sub` and models[0] allows it (no segments), but for the components
 * whose transforms a refit relearns (c->learned); H (and P, for a model with a churn
 * model) for every other model that scores the same in every fold (no
 * quantile transform learned per fold), and for models[0] when its
 * sub-scores are not kept. Scores on two threads. h and plan are only
 * read, and must outlive the cache.
 * On error the cache is released; otherwise release it with
 * hc_bt_cache_release. */
hc_status hc_bt_cache_build(const hc_history *h, const hc_backtest_plan *plan,
                            const hc_model *const *models, size_t n_models,
                            int want_sub, hc_bt_cache *c, hc_error *err);

/* Frees every array of the cache and zeroes it; NULL is a no-op. */
void hc_bt_cache_release(hc_bt_cache *c);

#endif
