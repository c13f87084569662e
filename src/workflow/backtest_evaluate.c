/* backtest_evaluate.c - the pooled evaluation: validation of every config, paired DeLong tests against the first, the threshold sweep of the primary. */
#include "backtest_internal.h"
#include "hc_trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The ranking of a config's pooled p, runnable on a thread. */
typedef struct {
    const double *p;
    size_t n;
    hc_metrics_ranked *ranked; /* NULL when out of memory */
} rank_job;

static void *rank_run(void *arg)
{
    rank_job *j = arg;
    j->ranked = hc_metrics_rank(j->p, j->n);
    return NULL;
}

/* The pooled validation of config c on `ranked`, the ranking of its p
 * (freed here); when `pl` is not NULL, the DeLong placements of its p go
 * there (the paired tests need n doubles per config, not its 2n-word
 * ranking). `next`, when not NULL, is the ranking of the next config:
 * made on a second thread while the placements are, the one step of
 * another config small enough to share the memory of this one's. */
static hc_status pooled_validation(hc_backtest_result *res, size_t c, int have_arr,
                                   hc_metrics_ranked *ranked, rank_job *next,
                                   double **pl, double *auc, hc_error *err)
{
    hc_backtest_config *cf = &res->configs[c];
    size_t n = res->n_pooled;
    if (!ranked)
        return hc_error_nomem(err);
    hc_validate_input in;
    hc_validate_input_init(&in);
    in.n = n;
    in.y = res->pooled_y;
    in.p = cf->p;
    in.score = cf->health;
    in.higher_is_healthier = 1;
    in.score_is_health = 1;
    if (cf->n_bands > 0) {
        in.band = cf->band;
        in.n_bands = cf->n_bands;
        in.band_names = (const char *const *)cf->band_names;
    }
    in.arr = have_arr ? res->pooled_arr : NULL;
    in.p_ranked = ranked;
    hc_error e;
    hc_error_clear(&e);
    hc_status st = hc_validate_run(&in, &cf->pooled, &e);
    pthread_t th;
    int threaded = next && pthread_create(&th, NULL, rank_run, next) == 0;
    if (st == HC_OK) {
        cf->has_pooled = 1;
    } else {
        hc_validate_result_release(&cf->pooled);
        if (!hc_bt_is_skip(st)) {
            *err = e;
        } else {
            snprintf(cf->pooled_note, sizeof cf->pooled_note, "%.500s", e.message);
            st = HC_OK;
        }
    }
    if (st == HC_OK && pl &&
        !(*pl = hc_metrics_delong_placements(res->pooled_y, ranked, n, auc)))
        st = hc_error_nomem(err);
    free(ranked);
    if (threaded)
        pthread_join(th, NULL);
    else if (next)
        rank_run(next);
    return st;
}

/* The threshold sweep on the pooled out-of-sample health of the primary
 * config (a sweep that finds nothing leaves a note). */
static hc_status sweep(hc_backtest_result *res, int have_arr, hc_error *err)
{
    res->primary = res->opt.tuned ? res->n_configs - 1 : 0;
    hc_backtest_config *pc = &res->configs[res->primary];
    hc_threshold_options to = res->opt.threshold;
    if (!res->opt.use_objective)
        hc_threshold_options_init(&to);
    to.n_bands = pc->n_bands >= 2 ? pc->n_bands : 2;
    if (!have_arr && (to.objective == HC_THRESHOLD_ARR_RECALL ||
                      to.objective == HC_THRESHOLD_VALUE))
        to.objective = HC_THRESHOLD_RECALL;
    hc_error e;
    hc_error_clear(&e);
    hc_status st = hc_thresholds_search(pc->health, res->pooled_y,
                                        have_arr ? res->pooled_arr : NULL,
                                        res->n_pooled, &to, &res->sweep, &e);
    if (st == HC_OK) {
        res->has_sweep = 1;
    } else if (hc_bt_is_skip(st) || st == HC_EUSAGE) {
        snprintf(res->sweep_note, sizeof res->sweep_note, "%.500s", e.message);
    } else {
        *err = e;
        return st;
    }
    return HC_OK;
}

/* Pooled validation, comparisons and the sweep, one after the other (but
 * for the next config's ranking, made beside the placements): each works
 * on several copies of the millions of pooled rows (a ranking, the lowess
 * working set, the sweep's sorted rows), and run side by side they made
 * the backtest's memory peak. The metrics use the second core inside. */
hc_status hc_bt_pooled_evaluate(const hc_history *h, hc_backtest_result *res,
                                hc_error *err)
{
    size_t n = res->n_pooled, nc = res->n_configs;
    int have_arr = h->snapshots.arr_col >= 0;
    double **pl = calloc(nc, sizeof *pl);
    double *auc = calloc(nc, sizeof *auc);
    res->n_comparisons = nc - 1;
    res->comparisons = calloc(nc, sizeof *res->comparisons);
    hc_status st = pl && auc && res->comparisons ? HC_OK : hc_error_nomem(err);
    hc_metrics_ranked *ranked = st == HC_OK ? hc_metrics_rank(res->configs[0].p, n) : NULL;
    for (size_t c = 0; st == HC_OK && c < nc; c++) {
        rank_job next = {c + 1 < nc ? res->configs[c + 1].p : NULL, n, NULL};
        st = pooled_validation(res, c, have_arr, ranked, c + 1 < nc ? &next : NULL,
                               nc > 1 ? &pl[c] : NULL, &auc[c], err);
        ranked = next.ranked;
    }
    free(ranked); /* after an error */
    hc_trace_mark("backtest: pooled validation");
    for (size_t c = 1; st == HC_OK && c < nc; c++) {
        hc_backtest_comparison *cmp = &res->comparisons[c - 1];
        cmp->index = c;
        hc_error e;
        hc_error_clear(&e);
        hc_status dst = hc_metrics_delong_paired_placements(
            res->pooled_y, res->configs[c].p, pl[c], auc[c], res->configs[0].p, pl[0],
            auc[0], n, 0.95, &cmp->diff, &e);
        if (dst == HC_OK) {
            cmp->ok = 1;
        } else if (hc_bt_is_skip(dst)) {
            snprintf(cmp->note, sizeof cmp->note, "%.500s", e.message);
        } else {
            *err = e;
            st = dst;
        }
        /* Config 0's placements serve every comparison; config c's only this one. */
        free(pl[c]);
        pl[c] = NULL;
    }
    for (size_t c = 0; pl && c < nc; c++)
        free(pl[c]);
    free(pl);
    free(auc);
    if (st == HC_OK)
        st = sweep(res, have_arr, err);
    hc_trace_mark("backtest: DeLong tests and threshold sweep");
    return st;
}
