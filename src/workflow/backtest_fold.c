/* backtest_fold.c - one fold: its workspace, every config on its rows, the common test rows and per-fold metrics, then its place in the pool. */
#include "backtest_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_bt_workspace_release(hc_bt_workspace *w, size_t n_cfg)
{
    free(w->xa);
    free(w->xb);
    free(w->ta);
    free(w->tb);
    free(w->valid);
    free(w->fit_sub);
    free(w->fit_y);
    free(w->fold_sub);
    free(w->fold_sub_test);
    free(w->rows);
    free(w->train_buf);
    if (w->sc)
        for (size_t c = 0; c < n_cfg; c++) {
            free(w->sc[c].h_test);
            free(w->sc[c].p_test);
            free(w->sc[c].b_test);
        }
    free(w->sc);
    memset(w, 0, sizeof *w);
}

hc_status hc_bt_workspace_alloc(hc_bt_workspace *w, const hc_backtest_plan *plan,
                                const hc_bt_cache *cache, size_t n_cfg, hc_error *err)
{
    memset(w, 0, sizeof *w);
    for (size_t f = 0; f < plan->n_folds; f++) {
        const hc_backtest_fold_plan *fp = &plan->folds[f];
        size_t a = fp->train_stop - fp->train_begin, b = fp->test_stop - fp->test_begin;
        w->max_train = a > w->max_train ? a : w->max_train;
        w->max_test = b > w->max_test ? b : w->max_test;
    }
    size_t mt = w->max_train ? w->max_train : 1, ms = w->max_test ? w->max_test : 1;
    w->ta = malloc(ms * sizeof *w->ta);
    w->tb = malloc(ms * sizeof *w->tb);
    w->valid = malloc(ms);
    w->train_buf = malloc(mt * sizeof *w->train_buf);
    w->sc = calloc(n_cfg, sizeof *w->sc);
    w->cache = cache;
    int ok = w->ta && w->tb && w->valid && w->train_buf && w->sc;
    for (size_t c = 0; ok && c < n_cfg; c++) {
        hc_bt_scratch *s = &w->sc[c];
        s->h_test = malloc(ms * sizeof *s->h_test);
        s->p_test = malloc(ms * sizeof *s->p_test);
        s->b_test = malloc(ms * sizeof *s->b_test);
        ok = s->h_test && s->p_test && s->b_test;
    }
    if (!ok) {
        hc_bt_workspace_release(w, n_cfg);
        return hc_error_nomem(err);
    }
    return HC_OK;
}

/* The objective's value for a red band of `red_n` rows holding
 * `red_churn` churners and `red_carr` churned ARR, out of `churners`
 * churners and `carr` churned ARR. */
static double objective_value(const hc_threshold_options *o, size_t red_n,
                              size_t red_churn, double red_carr, size_t churners,
                              double carr)
{
    switch (o->objective) {
    case HC_THRESHOLD_RECALL:
        return churners ? (double)red_churn / (double)churners : NAN;
    case HC_THRESHOLD_ARR_RECALL:
        return carr > 0 ? red_carr / carr : NAN;
    case HC_THRESHOLD_PRECISION:
        return red_n ? (double)red_churn / (double)red_n : NAN;
    case HC_THRESHOLD_VALUE:
        return o->save_rate * red_carr - o->cost * (double)red_n;
    case HC_THRESHOLD_CAPACITY:
        return NAN; /* per scoring date, in accounts: backtest_accounts.c */
    }
    return NAN;
}

/* Frees the models kept of fold f (keep_models, or a deferred tuned
 * config) when the fold turns out unusable. */
static void cell_release_models(hc_backtest_result *res, size_t f)
{
    for (size_t c = 0; c < res->n_configs; c++)
        if (res->configs[c].fold_models) {
            hc_model_free(res->configs[c].fold_models[f]);
            res->configs[c].fold_models[f] = NULL;
        }
}

/* Metrics of one config on the fold's common test rows (already compacted
 * into ta = y, tb = p). */
static void fold_metrics(hc_backtest_cell *cell, const double *y, const double *p,
                         size_t n)
{
    hc_error e;
    hc_error_clear(&e);
    /* Per fold, folds.csv reports no lowess-based metric: skip the smooth. */
    if (hc_metrics_evaluate_ex(y, p, NULL, n, HC_METRICS_NO_SMOOTH, &cell->metrics, NULL, &e) == HC_OK) {
        cell->has_metrics = 1;
    } else {
        cell->has_metrics = 0;
        size_t pos = 0;
        for (size_t i = 0; i < n; i++)
            pos += y[i] == 1.0;
        cell->metrics.n = n;
        cell->metrics.positives = pos;
        if (pos == 0)
            snprintf(cell->note, sizeof cell->note,
                     "no churners among the %zu test rows: the metrics are "
                     "undefined for this fold (its rows still count in the "
                     "pooled metrics)", n);
        else
            snprintf(cell->note, sizeof cell->note, "metrics undefined: %.400s", e.message);
    }
}

hc_status hc_bt_fold_compute(const hc_history *h, hc_backtest_result *res,
                             const hc_bt_cache *cache, hc_bt_workspace *w, size_t f,
                             hc_error *err)
{
    w->ready = 0;
    hc_backtest_fold *fold = &res->folds[f];
    const hc_backtest_fold_plan *fp = &res->plan.folds[f];
    size_t n_tr = fp->train_stop - fp->train_begin, n_te = fp->test_stop - fp->test_begin;
    fold->n_train = n_tr;
    w->y_train = cache->y + fp->train_begin;
    w->y_test = cache->y + fp->test_begin;
    for (size_t i = 0; i < n_tr; i++)
        fold->train_positives += w->y_train[i] == 1.0;
    if (n_te == 0) {
        snprintf(fold->note, sizeof fold->note, "no observations in the test period");
        return HC_OK;
    }
    if (n_tr == 0) {
        snprintf(fold->note, sizeof fold->note,
                 "no training observations before the embargo");
        return HC_OK;
    }
    if (fold->train_positives < res->opt.min_train_churners) {
        snprintf(fold->note, sizeof fold->note,
                 "only %zu churners among the %zu training rows (at least %zu "
                 "needed)", fold->train_positives, n_tr, res->opt.min_train_churners);
        return HC_OK;
    }
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_status st = hc_bt_fold_config(h, res, cache, w, f, c, fold->note,
                                         sizeof fold->note, err);
        if (st == HC_OK)
            continue;
        cell_release_models(res, f);
        memset(fold->cells, 0, res->n_configs * sizeof *fold->cells);
        return hc_bt_is_skip(st) ? HC_OK : st;
    }
    /* The common test rows: every config has H and p. */
    size_t nv = 0;
    for (size_t i = 0; i < n_te; i++) {
        int ok = 1;
        for (size_t c = 0; c < res->n_configs && ok; c++)
            ok = isfinite(w->sc[c].h_test[i]) && isfinite(w->sc[c].p_test[i]);
        w->valid[i] = (unsigned char)ok;
        nv += ok;
    }
    fold->test_excluded = n_te - nv;
    fold->n_test = nv;
    if (nv == 0) {
        snprintf(fold->note, sizeof fold->note,
                 "none of the %zu test rows has a health score under every config", n_te);
        cell_release_models(res, f);
        return HC_OK;
    }
    /* Per-fold metrics of every config on the common rows, here rather
     * than in hc_bt_fold_pool so that two folds compute them at once; the
     * rows themselves when every one is common (the compacted copies'
     * pages are then never touched). */
    int all = nv == n_te;
    size_t q = 0;
    for (size_t i = 0; !all && i < n_te; i++)
        if (w->valid[i])
            w->ta[q++] = w->y_test[i];
    for (size_t c = 0; c < res->n_configs; c++) {
        q = 0;
        for (size_t i = 0; !all && i < n_te; i++)
            if (w->valid[i])
                w->tb[q++] = w->sc[c].p_test[i];
        fold_metrics(&fold->cells[c], all ? w->y_test : w->ta,
                     all ? w->sc[c].p_test : w->tb, nv);
    }
    w->ready = 1;
    return HC_OK;
}

void hc_bt_fold_pool(hc_backtest_result *res, hc_bt_workspace *w, size_t f,
                     unsigned char *mark)
{
    if (!w->ready)
        return;
    hc_backtest_fold *fold = &res->folds[f];
    const hc_backtest_fold_plan *fp = &res->plan.folds[f];
    size_t n_te = fp->test_stop - fp->test_begin, nv = fold->n_test;
    size_t base = res->n_pooled;
    const double *y = w->y_test;
    const hc_bt_cache *cache = w->cache;
    /* The rows themselves, their outcomes and ARR join the pool after the
     * folds, by compaction of the plan and the cache
     * (hc_bt_pooled_from_cache), and so do the p, H and bands of a
     * deferred config (hc_bt_pooled_outputs): here the rows are only
     * marked. */
    for (size_t i = 0; i < n_te; i++) {
        mark[fp->test_begin + i] = w->valid[i];
        if (w->valid[i])
            fold->test_positives += y[i] == 1.0;
    }
    double carr = 0;
    for (size_t i = 0; i < n_te; i++)
        if (w->valid[i])
            carr += y[i] == 1.0 ? hc_bt_cache_arr(cache, fp->test_begin + i) : 0.0;
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        hc_backtest_cell *cell = &fold->cells[c];
        hc_bt_scratch *s = &w->sc[c];
        for (size_t i = 0, q = base; !w->defer->deferred[c] && i < n_te; i++) {
            if (!w->valid[i])
                continue;
            cf->p[q] = s->p_test[i];
            cf->health[q] = s->h_test[i];
            cf->band[q] = s->b_test[i];
            q++;
        }
        /* Bands on the test rows under this fold's cut points. */
        double red_carr = 0;
        for (size_t i = 0; i < n_te; i++) {
            if (!w->valid[i])
                continue;
            int32_t b = s->b_test[i];
            cell->band_accounts[b]++;
            cell->band_churners[b] += y[i] == 1.0;
            double a = hc_bt_cache_arr(cache, fp->test_begin + i);
            cell->band_arr[b] += a;
            if (b == 0 && y[i] == 1.0)
                red_carr += a;
        }
        size_t red_n = cell->band_accounts[0], red_y = cell->band_churners[0];
        cell->red_share = (double)red_n / (double)nv;
        cell->red_precision = red_n ? (double)red_y / (double)red_n : NAN;
        cell->red_recall = fold->test_positives
                               ? (double)red_y / (double)fold->test_positives
                               : NAN;
        cell->red_arr_recall = carr > 0 ? red_carr / carr : NAN;
        if (res->opt.use_objective)
            cell->objective_test = objective_value(&res->opt.threshold, red_n, red_y,
                                                   red_carr, fold->test_positives, carr);
    }
    res->n_pooled += nv;
    fold->used = 1;
    res->folds_used++;
}
