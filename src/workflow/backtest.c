/* backtest.c - the walk-forward backtest run: configs set up, rows scored once, folds two at a time, pooled rows evaluated. */
#include "backtest_internal.h"
#include "hc_trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_backtest_result_release(hc_backtest_result *res)
{
    if (!res)
        return;
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        free(cf->name);
        if (cf->band_names)
            for (size_t b = 0; b < cf->n_bands; b++)
                free(cf->band_names[b]);
        free(cf->band_names);
        hc_validate_result_release(&cf->pooled);
        free(cf->p);
        free(cf->health);
        free(cf->band);
        if (cf->fold_models) {
            for (size_t f = 0; f < res->plan.n_folds; f++)
                hc_model_free(cf->fold_models[f]);
            free(cf->fold_models);
        }
    }
    free(res->configs);
    if (res->folds)
        for (size_t f = 0; f < res->plan.n_folds; f++)
            free(res->folds[f].cells);
    free(res->folds);
    free(res->pooled_row);
    free(res->pooled_y);
    free(res->pooled_arr);
    free(res->comparisons);
    hc_threshold_result_release(&res->sweep);
    hc_bt_nested_release(&res->nested);
    hc_backtest_plan_release(&res->plan);
    memset(res, 0, sizeof *res);
}

/* One fold's computation, runnable on a thread. */
typedef struct {
    const hc_history *h;
    hc_backtest_result *res;
    const hc_bt_cache *cache;
    hc_bt_workspace *w;
    size_t f;
    hc_status st;
    hc_error err;
} fold_job;

static void *fold_thread(void *arg)
{
    fold_job *j = arg;
    j->st = hc_bt_fold_compute(j->h, j->res, j->cache, j->w, j->f, &j->err);
    return NULL;
}

/* The configs of the run: the n given and, with opt.tuned, the refit of
 * the first; display names made distinct (they key the output files),
 * band names copied, slots for the fold models when they are kept. */
static hc_status setup_configs(hc_backtest_result *res, const hc_model *const *configs,
                               const char *const *names, size_t n, hc_error *err)
{
    size_t n_cfg = n + (res->opt.tuned ? 1 : 0);
    res->configs = calloc(n_cfg, sizeof *res->configs);
    if (!res->configs)
        return hc_error_nomem(err);
    res->n_configs = n_cfg;
    for (size_t c = 0; c < n_cfg; c++) {
        hc_backtest_config *cf = &res->configs[c];
        int tuned = c == n;
        const hc_model *m = tuned ? configs[0] : configs[c];
        cf->kind = tuned ? HC_BT_TUNED : HC_BT_HAND_SET;
        cf->model = m;
        char buf[256];
        if (tuned)
            snprintf(buf, sizeof buf, "tuned");
        else if (names && names[c])
            snprintf(buf, sizeof buf, "%s", names[c]);
        else if (m->name)
            snprintf(buf, sizeof buf, "%s", m->name);
        else
            snprintf(buf, sizeof buf, "config %zu", c + 1);
        /* Display names must be distinct: they key the output files. */
        for (size_t d = 0; d < c; d++)
            if (strcmp(res->configs[d].name, buf) == 0) {
                size_t len = strlen(buf);
                snprintf(buf + (len < 240 ? len : 240), sizeof buf - (len < 240 ? len : 240),
                         " (%zu)", c + 1);
                break;
            }
        cf->name = strdup(buf);
        if (!cf->name)
            return hc_error_nomem(err);
        if (m->n_bands > HC_THRESHOLDS_MAX_BANDS)
            return hc_error_set(err, HC_EUSAGE, m->source, 0, 0,
                                "bands: the config has %zu bands; the backtest "
                                "handles at most %d", m->n_bands,
                                HC_THRESHOLDS_MAX_BANDS);
        cf->n_bands = m->n_bands;
        cf->band_names = calloc(m->n_bands ? m->n_bands : 1, sizeof *cf->band_names);
        if (!cf->band_names)
            return hc_error_nomem(err);
        for (size_t b = 0; b < m->n_bands; b++)
            if (!(cf->band_names[b] = strdup(m->bands[b].name)))
                return hc_error_nomem(err);
        if (tuned)
            cf->probabilities = "refitted on each fold's training rows (hc_fit_model)";
        else if (m->churn.present)
            cf->probabilities = "the config's churn_model (fixed)";
        else
            cf->probabilities = "logistic map of H fitted on each fold's training rows";
        if (res->opt.keep_models &&
            !(cf->fold_models = calloc(res->plan.n_folds, sizeof *cf->fold_models)))
            return hc_error_nomem(err);
    }
    return HC_OK;
}

/* Runs folds f and f + 1 at once, f + 1 on a second thread (or after f
 * when no thread can be made), each in its own workspace, then pools both
 * in fold order. */
static hc_status two_folds(const hc_history *h, hc_backtest_result *res,
                           const hc_bt_cache *cache, hc_bt_workspace *w, size_t f,
                           unsigned char *mark, hc_error *err)
{
    size_t nf = res->plan.n_folds;
    fold_job job = {h, res, cache, &w[1], f + 1, HC_OK, {0}};
    pthread_t th;
    int threaded = 0;
    w[1].ready = 0;
    if (f + 1 < nf)
        threaded = pthread_create(&th, NULL, fold_thread, &job) == 0;
    hc_status st = hc_bt_fold_compute(h, res, cache, &w[0], f, err);
    if (threaded)
        pthread_join(th, NULL);
    else if (f + 1 < nf)
        fold_thread(&job);
    if (st == HC_OK && job.st != HC_OK) {
        st = job.st;
        *err = job.err;
    }
    if (st != HC_OK)
        return st;
    hc_bt_fold_pool(res, &w[0], f, mark);
    if (f + 1 < nf)
        hc_bt_fold_pool(res, &w[1], f + 1, mark);
    return HC_OK;
}

hc_status hc_backtest_run(const hc_history *h, const hc_model *const *configs,
                          const char *const *names, size_t n,
                          const hc_backtest_options *opt,
                          hc_backtest_result *res, hc_error *err)
{
    memset(res, 0, sizeof *res);
    if (n == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "no config to backtest");
    res->opt = *opt;
    res->opt.progress = NULL;
    res->opt.progress_ctx = NULL;
    if (opt->use_objective && h->snapshots.arr_col < 0 &&
        (opt->threshold.objective == HC_THRESHOLD_ARR_RECALL ||
         opt->threshold.objective == HC_THRESHOLD_VALUE))
        return hc_error_set(err, HC_EUSAGE, h->snapshots.table->source, 0, 0,
                            "the %s objective needs ARR, and the snapshots have "
                            "no ARR column", opt->threshold.objective ==
                            HC_THRESHOLD_VALUE ? "value" : "arr-recall");
    hc_status st = hc_backtest_plan_build(h, opt, &res->plan, err);
    if (st != HC_OK)
        return st;
    /* The folds are placed: their row ranges are all that is read of the
     * dates from here on. */
    free(res->plan.date);
    res->plan.date = NULL;
    hc_trace_mark("backtest: plan");
    if ((st = setup_configs(res, configs, names, n, err)) != HC_OK)
        return st;
    hc_bt_cache cache;
    if ((st = hc_bt_cache_build(h, &res->plan, configs, n,
                                opt->tuned && !opt->fit.segments && !opt->fit.expansion,
                                &cache, err)) != HC_OK)
        return st;
    hc_trace_mark("backtest: rows scored once");
    /* Which plan rows joined the pool (hc_bt_fold_pool), and which configs'
     * pooled outputs are made after the folds. */
    unsigned char *mark = calloc(res->plan.n_rows ? res->plan.n_rows : 1, 1);
    hc_bt_deferral defer;
    defer.deferred = calloc(res->n_configs, 1);
    hc_bt_workspace w[2];
    memset(w, 0, sizeof w);
    /* The folds' threshold searches count accounts and scoring dates. */
    double *churned = NULL;
    hc_bt_units units;
    if (!mark || !defer.deferred)
        st = hc_error_nomem(err);
    if (st == HC_OK && opt->use_objective)
        st = hc_validate_churn_amounts(h, &churned, err);
    hc_bt_units_init(&units, h, churned);
    for (size_t c = 0; st == HC_OK && c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        defer.deferred[c] = (unsigned char)(hc_bt_cache_scores(&cache, c) ||
                                            (cf->kind == HC_BT_TUNED && cache.sub &&
                                             !cache.learned));
        /* The tuned models of the folds rescore the pooled rows. */
        if (defer.deferred[c] && cf->kind == HC_BT_TUNED && !cf->fold_models &&
            !(cf->fold_models = calloc(res->plan.n_folds, sizeof *cf->fold_models)))
            st = hc_error_nomem(err);
    }
    if (st == HC_OK)
        st = hc_bt_pooled_alloc(res, &defer, err);
    /* Two folds at a time, one on a second thread, each with its own
     * workspace; then both are pooled in fold order. */
    if (st == HC_OK &&
        (st = hc_bt_workspace_alloc(&w[0], &res->plan, &cache, res->n_configs, err)) == HC_OK &&
        (st = hc_bt_workspace_alloc(&w[1], &res->plan, &cache, res->n_configs, err)) == HC_OK) {
        w[0].defer = w[1].defer = &defer;
        w[0].units = w[1].units = &units;
    }
    size_t nf = res->plan.n_folds;
    for (size_t f = 0; f < nf && st == HC_OK; f += 2) {
        if ((st = two_folds(h, res, &cache, w, f, mark, err)) != HC_OK)
            break;
        hc_trace_mark("backtest: two folds");
        for (size_t g = f; opt->progress && g < f + 2 && g < nf; g++)
            opt->progress(opt->progress_ctx, g + 1, nf);
    }
    /* The folds' buffers are done with before the pooled arrays grow. */
    hc_bt_workspace_release(&w[0], res->n_configs);
    hc_bt_workspace_release(&w[1], res->n_configs);
    free(churned);
    if (st == HC_OK)
        st = hc_bt_pooled_outputs(res, &cache, &defer, mark, err);
    if (st == HC_OK)
        st = hc_bt_pooled_from_cache(res, &cache, mark, err);
    hc_bt_cache_release(&cache);
    free(mark);
    free(defer.deferred);
    if (st != HC_OK)
        return st;
    if (res->folds_used == 0) {
        const char *why = res->plan.n_folds ? res->folds[0].note : "";
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "none of the %zu folds could be evaluated (the first: "
                            "%s)", res->plan.n_folds, why);
    }
    for (size_t f = 0; f < res->plan.n_folds; f++)
        res->test_excluded += res->folds[f].test_excluded;
    if ((st = hc_bt_pooled_evaluate(h, res, err)) != HC_OK)
        return st;
    hc_backtest_fold_adequacy_format(res, res->adequacy, sizeof res->adequacy);
    return HC_OK;
}
