/* backtest_pooled.c - the pooled test rows of every used fold: their arrays, the deferred configs' outputs, compaction of the plan and the cache. */
#include "backtest_internal.h"
#include "hc_logreg.h"

#include <stdint.h>
#include <stdlib.h>

/* pooled_row, pooled_y and pooled_arr are not allocated here: they are
 * compactions of the plan and the cache (hc_bt_pooled_from_cache). */
hc_status hc_bt_pooled_alloc(hc_backtest_result *res, const hc_bt_deferral *d,
                             hc_error *err)
{
    size_t cap = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++)
        cap += res->plan.folds[f].test_stop - res->plan.folds[f].test_begin;
    cap = cap ? cap : 1;
    res->folds = calloc(res->plan.n_folds, sizeof *res->folds);
    if (!res->folds)
        return hc_error_nomem(err);
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        res->folds[f].index = f;
        res->folds[f].plan = &res->plan.folds[f];
        if (!(res->folds[f].cells = calloc(res->n_configs, sizeof *res->folds[f].cells)))
            return hc_error_nomem(err);
    }
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        if (d->deferred[c])
            continue;
        cf->p = malloc(cap * sizeof *cf->p);
        cf->health = malloc(cap * sizeof *cf->health);
        cf->band = malloc(cap * sizeof *cf->band);
        if (!cf->p || !cf->health || !cf->band)
            return hc_error_nomem(err);
    }
    return HC_OK;
}

/* Keeps the values v[i] with mark[i] set, in order, at the front of v
 * (q <= i: nothing is overwritten before it is read); returns their count. */
static size_t compact_doubles(double *v, const unsigned char *mark, size_t n)
{
    size_t q = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i])
            v[q++] = v[i];
    return q;
}

static size_t compact_rows(uint32_t *v, const unsigned char *mark, size_t n)
{
    size_t q = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i])
            v[q++] = v[i];
    return q;
}

/* Gives back the tail of a compacted array (a failed shrink keeps it). */
static void *shrink(void *p, size_t bytes)
{
    void *q = realloc(p, bytes ? bytes : 1);
    return q ? q : p;
}

/* The pooled p, band and (when `health` is not NULL) H of config c on
 * fold f's pooled rows, from its H and, unless the fold used the map, its
 * own p (`P`): the arithmetic hc_bt_fold_config uses, so the values it
 * would have stored. `keep[i]` (NULL: every row) selects the rows of H and
 * P that joined the pool; q is where they go in the pooled arrays. */
static size_t pool_values(hc_backtest_config *cf, const hc_backtest_cell *cell,
                          const double *H, const double *P, const unsigned char *keep,
                          size_t n, size_t q, int store_h)
{
    for (size_t i = 0; i < n; i++) {
        if (keep && !keep[i])
            continue;
        double h = H[i];
        if (store_h)
            cf->health[q] = h;
        cf->p[q] = cell->map_used ? hc_logistic(cell->map_intercept + cell->map_slope * h)
                                  : P[i];
        cf->band[q] = hc_bt_band_of_cuts(cell->cuts, cell->n_cuts, h);
        q++;
    }
    return q;
}

/* What each fold kept (cut points, the map of H or the config's own p)
 * remakes a deferred hand-set config's test values. The tuned config is
 * left to hc_bt_pooled_tuned: its arrays made here would be held through
 * every other config's pooled validation. Runs before
 * hc_bt_pooled_from_cache. */
hc_status hc_bt_pooled_outputs(hc_backtest_result *res, hc_bt_cache *cache,
                               const hc_bt_deferral *d, const unsigned char *mark,
                               hc_error *err)
{
    size_t np = res->n_pooled ? res->n_pooled : 1, nc = res->n_configs, max_test = 1;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        const hc_backtest_fold_plan *fp = &res->plan.folds[f];
        max_test = fp->test_stop - fp->test_begin > max_test ? fp->test_stop - fp->test_begin
                                                             : max_test;
    }
    double *th = NULL, *tp = NULL; /* a fold's H and p from the sub-scores */
    hc_status st = HC_OK;
    for (size_t c = 0; c < nc && st == HC_OK; c++) {
        hc_backtest_config *cf = &res->configs[c];
        if (!d->deferred[c] || cf->kind == HC_BT_TUNED)
            continue;
        /* Scored here from the sub-scores (models[0] when the cache keeps
         * them), else slices of the cache, whose H becomes the pooled H by
         * compaction. */
        int scored = !(c < cache->n_models && cache->health[c]);
        cf->p = malloc(np * sizeof *cf->p);
        cf->band = malloc(np * sizeof *cf->band);
        if (scored)
            cf->health = malloc(np * sizeof *cf->health);
        if (scored && !th) {
            th = malloc(max_test * sizeof *th);
            tp = malloc(max_test * sizeof *tp);
        }
        if (!cf->p || !cf->band || (scored && (!cf->health || !th || !tp))) {
            st = hc_error_nomem(err);
            break;
        }
        size_t q = 0;
        for (size_t f = 0; f < res->plan.n_folds && st == HC_OK; f++) {
            if (!res->folds[f].used)
                continue;
            const hc_backtest_fold_plan *fp = &res->plan.folds[f];
            size_t b = fp->test_begin, n_te = fp->test_stop - fp->test_begin;
            const double *H = NULL, *P = NULL;
            if (!scored) {
                H = cache->health[c] + b;
                P = cache->p[c] ? cache->p[c] + b : NULL;
            } else {
                hc_score_out out = {.health = th, .p_churn = tp};
                st = hc_model_score_subs(cf->model, cache->sub + b, cache->n, n_te, &out, err);
                H = th;
                P = tp;
            }
            if (st == HC_OK)
                q = pool_values(cf, &res->folds[f].cells[c], H, P, mark + b, n_te, q, scored);
        }
        /* A cached P is read by its own config only. */
        if (cache->p[c]) {
            free(cache->p[c]);
            cache->p[c] = NULL;
        }
    }
    free(th);
    free(tp);
    return st;
}

hc_status hc_bt_pooled_tuned(hc_backtest_result *res, const hc_history *h, size_t c,
                             hc_error *err)
{
    hc_backtest_config *cf = &res->configs[c];
    if (cf->p || !cf->fold_models)
        return HC_OK; /* stored fold by fold, or made already */
    size_t np = res->n_pooled ? res->n_pooled : 1, chunk = (size_t)1 << 20;
    cf->p = malloc(np * sizeof *cf->p);
    cf->band = malloc(np * sizeof *cf->band);
    cf->health = malloc(np * sizeof *cf->health);
    double *tp = malloc(chunk * sizeof *tp);
    size_t *rows = malloc(chunk * sizeof *rows);
    hc_status st = cf->p && cf->band && cf->health && tp && rows ? HC_OK : hc_error_nomem(err);
    /* A fold's pooled rows are the next n_test of the pool; scored from
     * the table a million at a time (the same sub-scores as the cache's,
     * so the same H and p bit for bit). */
    size_t q = 0;
    for (size_t f = 0; f < res->plan.n_folds && st == HC_OK; f++) {
        if (!res->folds[f].used)
            continue;
        const hc_model *m = cf->fold_models[f];
        const hc_backtest_cell *cell = &res->folds[f].cells[c];
        for (size_t b0 = 0; b0 < res->folds[f].n_test && st == HC_OK; b0 += chunk) {
            size_t nb = res->folds[f].n_test - b0 < chunk ? res->folds[f].n_test - b0 : chunk;
            for (size_t i = 0; i < nb; i++)
                rows[i] = res->pooled_row[q + i];
            hc_score_out out = {.health = cf->health + q, .p_churn = tp};
            st = hc_model_score_rows(m, h->snapshots.table, rows, 0, nb, 2, &out, err);
            if (st == HC_OK)
                q = pool_values(cf, cell, cf->health + q, tp, NULL, nb, q, 0);
        }
    }
    free(tp);
    free(rows);
    if (!res->opt.keep_models) {
        for (size_t f = 0; f < res->plan.n_folds; f++)
            hc_model_free(cf->fold_models[f]);
        free(cf->fold_models);
        cf->fold_models = NULL;
    }
    return st;
}

/* The pooled rows are the marked plan rows in plan order (folds test
 * consecutive date ranges, each a slice of the plan, and pool in fold
 * order), so the plan's rows and the cache's outcomes and cached H
 * become the pooled arrays by compaction in place: no second copy of
 * them is ever held. The plan's rows move to pooled_row (plan.rows is
 * NULL afterwards); the rest of the cache is freed, also on error. */
hc_status hc_bt_pooled_from_cache(hc_backtest_result *res, hc_bt_cache *cache,
                                  const unsigned char *mark, hc_error *err)
{
    size_t n = res->plan.n_rows, np = res->n_pooled;
    /* The sub-scores are done with before the pooled ARR is read from the
     * table, by plan row (before the plan's rows are compacted). */
    free(cache->sub);
    cache->sub = NULL;
    res->pooled_arr = malloc((np ? np : 1) * sizeof *res->pooled_arr);
    if (!res->pooled_arr) {
        hc_bt_cache_release(cache);
        return hc_error_nomem(err);
    }
    for (size_t i = 0, q = 0; i < n; i++)
        if (mark[i])
            res->pooled_arr[q++] = hc_bt_cache_arr(cache, i);
    compact_rows(res->plan.rows, mark, n);
    res->pooled_row = shrink(res->plan.rows, np * sizeof *res->pooled_row);
    res->plan.rows = NULL;
    compact_doubles(cache->y, mark, n);
    res->pooled_y = shrink(cache->y, np * sizeof *res->pooled_y);
    cache->y = NULL;
    for (size_t c = 0; c < res->n_configs && c < cache->n_models; c++) {
        if (!cache->health[c])
            continue;
        compact_doubles(cache->health[c], mark, n);
        res->configs[c].health = shrink(cache->health[c], np * sizeof(double));
        cache->health[c] = NULL;
    }
    hc_bt_cache_release(cache);
    return HC_OK;
}
