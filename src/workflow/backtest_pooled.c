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

/* What each fold kept (cut points, the map of H or the config's own p,
 * the tuned model) remakes a deferred config's test values with the
 * arithmetic hc_bt_fold_config uses: the values it would have stored.
 * Runs before hc_bt_pooled_from_cache. */
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
    double *th = NULL, *tp = NULL; /* a fold's tuned H and p */
    hc_status st = HC_OK;
    for (size_t c = 0; c < nc && st == HC_OK; c++) {
        if (!d->deferred[c])
            continue;
        hc_backtest_config *cf = &res->configs[c];
        int tuned = cf->kind == HC_BT_TUNED;
        /* Scored here from the sub-scores (the tuned config, and models[0]
         * when the cache keeps its sub-scores), else slices of the cache,
         * whose H becomes the pooled H by compaction. */
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
            const hc_backtest_cell *cell = &res->folds[f].cells[c];
            size_t b = fp->test_begin, n_te = fp->test_stop - fp->test_begin;
            const double *H = NULL, *P = NULL;
            if (!scored) {
                H = cache->health[c] + b;
                P = cache->p[c] ? cache->p[c] + b : NULL;
            } else {
                hc_score_out out = {.health = th, .p_churn = tp};
                st = hc_model_score_subs(tuned ? cf->fold_models[f] : cf->model,
                                         cache->sub + b, cache->n, n_te, &out, err);
                H = th;
                P = tp;
            }
            int map = d->map_used[f * nc + c];
            for (size_t i = 0; st == HC_OK && i < n_te; i++) {
                if (!mark[b + i])
                    continue;
                double h = H[i];
                if (scored)
                    cf->health[q] = h;
                cf->p[q] = map ? hc_logistic(cell->map_intercept + cell->map_slope * h) : P[i];
                cf->band[q] = hc_bt_band_of_cuts(cell->cuts, cell->n_cuts, h);
                q++;
            }
        }
        /* A cached P is read by its own config only. */
        if (!tuned && cache->p[c]) {
            free(cache->p[c]);
            cache->p[c] = NULL;
        }
        if (!res->opt.keep_models && cf->fold_models) {
            for (size_t f = 0; f < res->plan.n_folds; f++)
                hc_model_free(cf->fold_models[f]);
            free(cf->fold_models);
            cf->fold_models = NULL;
        }
    }
    free(th);
    free(tp);
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
