/* backtest_internal.h - the backtest's private parts: per-fold workspaces, deferred configs and the steps hc_backtest_run takes in order. */
#ifndef HC_BACKTEST_INTERNAL_H
#define HC_BACKTEST_INTERNAL_H

#include "hc_backtest.h"
#include "backtest_cache.h"

/* The steps of hc_backtest_run (backtest.c), each in its own file:
 *   hc_backtest_plan_build       the folds by date (backtest_plan.c);
 *   hc_bt_cache_build            the rows scored once (backtest_cache.c);
 *   hc_bt_fold_compute           one fold's configs (backtest_fold.c, each
 *                                config by hc_bt_fold_config in
 *                                backtest_fold_config.c), two folds at once;
 *   hc_bt_fold_pool              the fold's test rows join the pool, in
 *                                fold order (backtest_fold.c);
 *   hc_bt_pooled_outputs,
 *   hc_bt_pooled_from_cache      the pooled arrays (backtest_pooled.c);
 *   hc_bt_pooled_evaluate        pooled metrics, DeLong comparisons and the
 *                                threshold sweep (backtest_evaluate.c);
 *   hc_bt_fold_accounts          each fold's test rows in accounts and per
 *                                scoring date, the out-of-time vote
 *                                (backtest_accounts.c). */

/* What the thresholds count accounts and scoring dates by, read from the
 * snapshot table by row index (no per-row copy): its account codes and
 * dates by table row, and each account's churned amount. */
typedef struct {
    const int32_t *account;    /* the id column's codes, in [0, n_accounts) */
    const int32_t *date;       /* the snapshot dates (day numbers) */
    size_t n_accounts;
    const double *churned;     /* n_accounts amounts of the first churn events
                                  (NaN: none), or NULL without events; borrowed */
} hc_bt_units;

/* Fills `u` from h's snapshot table, with the churned amounts `churned`
 * (borrowed; may be NULL). */
void hc_bt_units_init(hc_bt_units *u, const hc_history *h, const double *churned);

/* The search's account inputs for search rows whose table rows are
 * rows[0..n) (borrowed). */
void hc_bt_units_search(const hc_bt_units *u, const uint32_t *rows,
                        hc_threshold_accounts *acc);

/* Per-account scratch of the tallies below, allocated once. */
typedef struct {
    size_t n;
    unsigned char *flag;       /* n: what the rows so far showed of the account */
    double *last_arr;          /* n: ARR of its last churner row so far */
} hc_bt_account_scratch;

hc_status hc_bt_account_scratch_alloc(hc_bt_account_scratch *s, size_t n_accounts,
                                      hc_error *err);
void hc_bt_account_scratch_release(hc_bt_account_scratch *s);

/* Pooled rows in accounts and per scoring date. The pooled rows are in
 * date order (the plan sorts by date, the folds pool in fold order), so a
 * scoring date's rows are consecutive. */
typedef struct {
    size_t rows, red_rows;                 /* snapshots */
    size_t accounts, red_accounts;         /* distinct accounts: with a row, a red row */
    size_t churned, caught;                /* with a churner row; a red churner row */
    double churned_arr, caught_arr;        /* their churned ARR, once each */
    size_t dates;                          /* scoring dates */
    size_t per_date_max;                   /* most red rows on a date */
    double per_date_share_max;             /* largest red share of a date's rows */
    size_t dates_over;                     /* capacity objective: dates over it */
} hc_bt_tally;

/* Adds pooled rows [b, e) to `t` and the scratch: pooled row i is red
 * when band[i] is 0 (band non-NULL), else when H[i] < red_cut; `o` (may be
 * NULL) gives the capacity whose excess dates are counted. Start from a
 * zeroed tally and a clear scratch (fresh, or after hc_bt_tally_end). */
void hc_bt_tally_add(const hc_backtest_result *res, const hc_bt_units *u,
                     hc_bt_account_scratch *s, size_t b, size_t e, const int32_t *band,
                     const double *H, double red_cut, const hc_threshold_options *o,
                     hc_bt_tally *t);

/* Counts the accounts the rows marked and clears the scratch. */
void hc_bt_tally_end(const hc_bt_units *u, hc_bt_account_scratch *s, hc_bt_tally *t);

/* The objective counted in accounts on a tally (NaN when undefined: no
 * churned account, no red account, no churned ARR), and whether it held. */
double hc_bt_tally_objective(const hc_threshold_options *o, const hc_bt_tally *t);
int hc_bt_tally_met(const hc_threshold_options *o, const hc_bt_tally *t, double v);

/* Config c's fold cells from its pooled bands (cf->band, before they are
 * freed): per used fold, the red accounts per scoring date of the test
 * rows, the objective counted in accounts there (objective_test,
 * objective_met_test), and the config's out-of-time vote
 * (folds_evaluated, folds_met_test, bands_recommended). */
void hc_bt_fold_accounts(hc_backtest_result *res, size_t c, const hc_bt_units *u,
                         hc_bt_account_scratch *s);

/* Per-config scratch for one fold, allocated once for the largest fold. */
typedef struct {
    const double *h_train; /* the fold's training H: the workspace's
                              train_buf or a slice of the cache */
    double *h_test;    /* max_test */
    double *p_test;
    int32_t *b_test;
    double cuts[HC_THRESHOLDS_MAX_BANDS];
    size_t n_cuts;
} hc_bt_scratch;

/* The configs whose pooled p, H and bands are made after the folds rather
 * than stored fold by fold: those the cache scores (hand-set without
 * per-fold quantiles: from the cache, hc_bt_pooled_outputs), and the tuned
 * refit on cached sub-scores (from the table with its fold models, just
 * before its pooled validation, hc_bt_pooled_tuned). What that needs
 * beyond the cells' cut points and maps (map_used): the tuned config's
 * models (in fold_models). */
typedef struct {
    unsigned char *deferred;   /* n_configs */
} hc_bt_deferral;

/* Shared buffers of one fold's computation. */
typedef struct {
    size_t max_train, max_test;
    const hc_bt_cache *cache;
    const double *y_train, *y_test;        /* the fold's slices of the cache */
    double *train_buf;   /* max_train: the training H of a config scored in
                            the fold (one config at a time), else the PSI's
                            scratch */
    double *xa, *xb;     /* max_train, allocated when a training row lacks H */
    double *ta, *tb;     /* max_test: a fold's test rows, compacted */
    unsigned char *valid;                  /* max_test */
    /* the complete training rows of the refit, when some sub-score is
     * missing (allocated on first use) */
    double *fit_sub;                       /* k x max_train */
    double *fit_y;                         /* max_train */
    double *fold_sub;  /* k x max_train: the training sub-scores of a refit
                          that learns transforms per fold (allocated on
                          first use) */
    double *fold_sub_test; /* k x max_test: its test rows' sub-scores */
    size_t *rows;      /* max_train + max_test: a fold's rows for the APIs
                          that read the table (allocated on first use) */
    const hc_bt_deferral *defer;           /* shared by both workspaces */
    const hc_bt_units *units;              /* accounts and dates of the rows */
    hc_bt_scratch *sc;                     /* n_configs */
    int ready;                             /* hc_bt_fold_compute left a fold to pool */
} hc_bt_workspace;

/* Status of a per-fold step: HC_OK, a skip (the fold is unusable; the
 * message is in its note) or a hard error returned to the caller. */
static inline int hc_bt_is_skip(hc_status st)
{
    return st == HC_ENUMERIC;
}

/* The band of health score h under cut points cuts[0 .. n_cuts) (band 0,
 * the red one, below cuts[0]). */
static inline int32_t hc_bt_band_of_cuts(const double *cuts, size_t n_cuts, double h)
{
    int32_t b = 0;
    while ((size_t)b < n_cuts && h >= cuts[b])
        b++;
    return b;
}

/* ---- one fold (backtest_fold.c, backtest_fold_config.c) ---- */

/* Allocates a workspace sized for the plan's largest fold (buffers needed
 * only in some folds come on first use); release it with
 * hc_bt_workspace_release (an error leaves nothing to release). */
hc_status hc_bt_workspace_alloc(hc_bt_workspace *w, const hc_backtest_plan *plan,
                                const hc_bt_cache *cache, size_t n_cfg, hc_error *err);

/* Frees the buffers of a workspace of n_cfg configs and zeroes it. */
void hc_bt_workspace_release(hc_bt_workspace *w, size_t n_cfg);

/* The first half of fold f: every config's scores, probabilities and cut
 * points on the fold's rows, into the workspace `w`, and the per-fold
 * metrics. Folds are independent here, so two run at once on two
 * workspaces; w->ready says whether the fold is to be pooled. A skipped
 * fold gets its note and HC_OK. */
hc_status hc_bt_fold_compute(const hc_history *h, hc_backtest_result *res,
                             const hc_bt_cache *cache, hc_bt_workspace *w, size_t f,
                             hc_error *err);

/* The second half: marks the fold's common test rows in `mark` (plan
 * order), appends the p, H and bands of the configs that are not deferred
 * to the pooled arrays and counts the fold's bands. Runs in fold order, so
 * the pooled rows are in the same order however the folds were computed. */
void hc_bt_fold_pool(hc_backtest_result *res, hc_bt_workspace *w, size_t f,
                     unsigned char *mark);

/* Scores config c in fold f: builds or copies its model, scores the
 * training and test rows, its probabilities and its cut points, into
 * w->sc[c] and the fold's cell. A skip leaves its reason in `note`. */
hc_status hc_bt_fold_config(const hc_history *h, hc_backtest_result *res,
                            const hc_bt_cache *cache, hc_bt_workspace *w, size_t f,
                            size_t c, char *note, size_t note_size, hc_error *err);

/* ---- the pooled rows (backtest_pooled.c) ---- */

/* Allocates the folds' cells, and the pooled arrays filled fold by fold:
 * those of the configs that are not deferred. */
hc_status hc_bt_pooled_alloc(hc_backtest_result *res, const hc_bt_deferral *d,
                             hc_error *err);

/* The pooled p, H and bands of the deferred configs on the marked rows,
 * from the cache and what each fold kept. Frees what of the cache is no
 * longer read (each cached P once used), keeping what
 * hc_bt_pooled_from_cache takes. */
hc_status hc_bt_pooled_outputs(hc_backtest_result *res, hc_bt_cache *cache,
                               const hc_bt_deferral *d, const unsigned char *mark,
                               hc_error *err);

/* The tuned config c's pooled p, H and bands (a deferred refit: from the
 * table with each fold's model, as hc_bt_fold_config would have stored
 * them), then its fold models freed unless keep_models; a no-op when they
 * exist. Called just before its pooled validation. */
hc_status hc_bt_pooled_tuned(hc_backtest_result *res, const hc_history *h, size_t c,
                             hc_error *err);

/* Makes pooled_row, pooled_y and the cached configs' pooled H by
 * compaction of the plan's rows and the cache in place, which moves them
 * into `res`, reads pooled_arr from the table, and releases the rest of
 * the cache (also on error). */
hc_status hc_bt_pooled_from_cache(hc_backtest_result *res, hc_bt_cache *cache,
                                  const unsigned char *mark, hc_error *err);

/* ---- the threshold search walked forward (backtest_nested.c) ---- */

/* Fills res->nested: for each used fold after the first, the cut points
 * the objective `to` chooses on the pooled test rows of the earlier folds
 * (the primary config's H; counted in accounts of `u`), scored on this
 * fold's test rows in snapshots and in accounts (`s` is scratch; `u` and
 * `s` NULL: a pool without a table, every row its own unit); has_nested
 * when at least one fold was scored. A fold whose earlier rows give no
 * cut points keeps a note. */
hc_status hc_bt_nested_thresholds(hc_backtest_result *res, const hc_threshold_options *to,
                                  int have_arr, const hc_bt_units *u,
                                  hc_bt_account_scratch *s, hc_error *err);

/* Frees and zeroes a nested result. */
void hc_bt_nested_release(hc_backtest_nested *n);

/* ---- the pooled evaluation (backtest_evaluate.c) ---- */

/* Pooled validation of every config, the DeLong comparison of each with
 * config 0, and the threshold sweep of the primary config. */
hc_status hc_bt_pooled_evaluate(const hc_history *h, hc_backtest_result *res,
                                hc_error *err);

#endif
