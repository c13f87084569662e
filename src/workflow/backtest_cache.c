/* backtest_cache.c - what the backtest computes once for all its rows, in date order. */
#include "backtest_cache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hc_bt_cache_release(hc_bt_cache *c)
{
    if (!c)
        return;
    free(c->y);
    free(c->sub);
    free(c->learned);
    for (size_t m = 0; m < c->n_models; m++) {
        if (c->health)
            free(c->health[m]);
        if (c->p)
            free(c->p[m]);
    }
    free(c->health);
    free(c->p);
    memset(c, 0, sizeof *c);
}

double hc_bt_cache_arr(const hc_bt_cache *c, size_t i)
{
    if (c->arr_col < 0)
        return 0.0;
    double a = hc_table_num(c->table, c->arr_col, c->rows[i]);
    return isfinite(a) && a >= 0 ? a : 0.0;
}

int hc_bt_cache_scores(const hc_bt_cache *c, size_t m)
{
    return m < c->n_models && (c->health[m] || (m == 0 && c->sub && !c->learned));
}

/* The sub-scores of m for the plan rows, in plan order: each component is
 * scored over the whole table in its own order (sequential reads of the
 * metric columns) and then gathered, which is cheaper than gathering
 * every metric of every row. */
static hc_status plan_subscores(const hc_model *m, const hc_history *h,
                                const hc_backtest_plan *plan, hc_bt_cache *c,
                                hc_error *err)
{
    const hc_table *t = h->snapshots.table;
    size_t nt = t->n_rows, n = plan->n_rows;
    double *all = malloc((nt ? nt : 1) * sizeof *all);
    if (!all)
        return hc_error_nomem(err);
    hc_status st = HC_OK;
    for (size_t k = 0; k < c->k && st == HC_OK; k++) {
        if (c->learned && c->learned[k])
            continue;
        st = hc_model_score_component(m, k, t, NULL, 0, nt, 2, all, err);
        double *sk = c->sub + k * n;
        for (size_t i = 0; st == HC_OK && i < n; i++)
            sk[i] = all[plan->rows[i]];
    }
    free(all);
    return st;
}

/* H and P (when p is not NULL) of model m for the plan rows, from the
 * table, a million rows at a time (the scorer takes row indexes as size_t,
 * the plan keeps them in 32 bits). */
static hc_status score_model(const hc_model *m, const hc_table *t,
                             const hc_backtest_plan *plan, double *health, double *p,
                             hc_error *err)
{
    size_t n = plan->n_rows, chunk = (size_t)1 << 20;
    size_t *rows = malloc((n < chunk ? (n ? n : 1) : chunk) * sizeof *rows);
    if (!rows)
        return hc_error_nomem(err);
    hc_status st = HC_OK;
    for (size_t b0 = 0; b0 < n && st == HC_OK; b0 += chunk) {
        size_t nb = n - b0 < chunk ? n - b0 : chunk;
        for (size_t i = 0; i < nb; i++)
            rows[i] = plan->rows[b0 + i];
        hc_score_out out = {.sub = NULL, .sub_stride = nb, .health = health + b0,
                            .p_churn = p ? p + b0 : NULL};
        st = hc_model_score_rows(m, t, rows, 0, nb, 2, &out, err);
    }
    free(rows);
    return st;
}

hc_status hc_bt_cache_build(const hc_history *h, const hc_backtest_plan *plan,
                            const hc_model *const *models, size_t n_models,
                            int want_sub, hc_bt_cache *c, hc_error *err)
{
    memset(c, 0, sizeof *c);
    size_t n = plan->n_rows, n1 = n ? n : 1;
    const hc_snapshots *s = &h->snapshots;
    const hc_table *t = s->table;
    c->n = n;
    c->n_models = n_models;
    c->health = calloc(n_models, sizeof *c->health);
    c->p = calloc(n_models, sizeof *c->p);
    if (!c->health || !c->p) {
        hc_bt_cache_release(c);
        return hc_error_nomem(err);
    }
    /* The tuned config's refit relearns quantile cuts, categorical levels
     * and seasonal baselines per fold: the components holding them are
     * left to the folds. */
    int sub = n_models > 0 && want_sub && models[0]->n_segments == 0;
    if (sub) {
        c->k = models[0]->n_components;
        c->sub = malloc(n1 * c->k * sizeof *c->sub);
        if (c->sub && hc_model_has_quantiles(models[0], 0) &&
            (c->learned = calloc(c->k, 1)) != NULL)
            for (size_t k = 0; k < c->k; k++)
                c->learned[k] = (unsigned char)hc_model_component_learns(models[0], k);
        hc_status st = c->sub && (c->learned || !hc_model_has_quantiles(models[0], 0))
                           ? plan_subscores(models[0], h, plan, c, err)
                           : hc_error_nomem(err);
        if (st != HC_OK) {
            hc_bt_cache_release(c);
            return st;
        }
    }
    for (size_t m = sub && !c->learned ? 1 : 0; m < n_models; m++) {
        if (hc_model_has_quantiles(models[m], 1))
            continue;
        c->health[m] = malloc(n1 * sizeof *c->health[m]);
        /* Without a churn model the probabilities are a per-fold map of H. */
        if (models[m]->churn.present)
            c->p[m] = malloc(n1 * sizeof *c->p[m]);
        if (!c->health[m] || (models[m]->churn.present && !c->p[m])) {
            hc_bt_cache_release(c);
            return hc_error_nomem(err);
        }
        hc_status st = score_model(models[m], t, plan, c->health[m], c->p[m], err);
        if (st != HC_OK) {
            hc_bt_cache_release(c);
            return st;
        }
    }
    if (c->sub) {
        c->sub_complete = 1;
        for (size_t k = 0; k < c->k && c->sub_complete; k++)
            for (size_t i = 0; (!c->learned || !c->learned[k]) && i < n && c->sub_complete; i++)
                c->sub_complete = isfinite(c->sub[k * n + i]) != 0;
    }
    /* The per-row outcomes gathered into plan order. */
    c->table = t;
    c->arr_col = s->arr_col;
    c->rows = plan->rows;
    c->y = malloc(n1 * sizeof *c->y);
    if (!c->y) {
        hc_bt_cache_release(c);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        c->y[i] = h->labels.churn[plan->rows[i]];
    return HC_OK;
}
