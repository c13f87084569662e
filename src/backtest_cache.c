/* backtest_cache.c - what the backtest computes once for all its rows, in date order. */
#include "backtest_cache.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int hc_bt_needs_quantiles(const hc_model *m)
{
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const hc_transform *tf = &m->components[k].metrics[j].transform;
            if (tf->type == HC_TF_QUANTILE && !tf->cuts)
                return 1;
        }
    return 0;
}

void hc_bt_cache_release(hc_bt_cache *c)
{
    if (!c)
        return;
    free(c->y);
    free(c->arr);
    free(c->cluster);
    free(c->sub);
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

/* One model's scores of the plan rows [first, first + n). */
typedef struct {
    const hc_model *m;
    const hc_table *t;
    const size_t *rows;
    size_t first, n, stride;
    double *sub, *health, *p;
    hc_status st;
    hc_error err;
} score_job;

static void *score_part(void *arg)
{
    score_job *j = arg;
    hc_score_out out = {.sub = j->sub ? j->sub + j->first : NULL,
                        .sub_stride = j->stride,
                        .health = j->health + j->first,
                        .p_churn = j->p + j->first};
    hc_error_clear(&j->err);
    j->st = hc_model_score_rows(j->m, j->t, j->rows + j->first, 0, j->n, &out, &j->err);
    return NULL;
}

/* Scores the plan rows with m in two halves, one on a second thread; the
 * rows are scored independently, so the result does not depend on the split. */
static hc_status score_plan(const hc_model *m, const hc_table *t, const size_t *rows,
                            size_t n, double *sub, double *health, double *p,
                            hc_error *err)
{
    size_t half = n / 2;
    score_job jobs[2] = {{m, t, rows, 0, half, n, sub, health, p, HC_OK, {0}},
                         {m, t, rows, half, n - half, n, sub, health, p, HC_OK, {0}}};
    pthread_t th;
    int threaded = pthread_create(&th, NULL, score_part, &jobs[1]) == 0;
    score_part(&jobs[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        score_part(&jobs[1]);
    for (int i = 0; i < 2; i++)
        if (jobs[i].st != HC_OK) {
            if (err)
                *err = jobs[i].err;
            return jobs[i].st;
        }
    return HC_OK;
}

hc_status hc_bt_cache_build(const hc_history *h, const hc_backtest_plan *plan,
                         const hc_model *const *models, size_t n_models, int want_sub,
                         hc_bt_cache *c, hc_error *err)
{
    memset(c, 0, sizeof *c);
    size_t n = plan->n_rows, n1 = n ? n : 1;
    const hc_snapshots *s = &h->snapshots;
    const hc_table *t = s->table;
    c->n = n;
    c->n_models = n_models;
    c->y = malloc(n1 * sizeof *c->y);
    c->arr = malloc(n1 * sizeof *c->arr);
    c->cluster = malloc(n1 * sizeof *c->cluster);
    c->health = calloc(n_models, sizeof *c->health);
    c->p = calloc(n_models, sizeof *c->p);
    if (!c->y || !c->arr || !c->cluster || !c->health || !c->p) {
        hc_bt_cache_release(c);
        return hc_error_nomem(err);
    }
    const int32_t *ids = t->cols[s->id_col].code;
    const double *arr = s->arr_col >= 0 ? t->cols[s->arr_col].num : NULL;
    for (size_t i = 0; i < n; i++) {
        size_t r = plan->rows[i];
        c->y[i] = h->labels.churn[r];
        double a = arr ? arr[r] : 0.0;
        c->arr[i] = isfinite(a) && a >= 0 ? a : 0.0; /* a missing ARR counts as 0 */
        c->cluster[i] = ids[r];
    }
    for (size_t m = 0; m < n_models; m++) {
        if (hc_bt_needs_quantiles(models[m]))
            continue;
        int sub = m == 0 && want_sub && models[0]->n_segments == 0;
        c->health[m] = malloc(n1 * sizeof *c->health[m]);
        c->p[m] = malloc(n1 * sizeof *c->p[m]);
        if (sub) {
            c->k = models[0]->n_components;
            c->sub = malloc(n1 * c->k * sizeof *c->sub);
        }
        if (!c->health[m] || !c->p[m] || (sub && !c->sub)) {
            hc_bt_cache_release(c);
            return hc_error_nomem(err);
        }
        hc_status st = score_plan(models[m], t, plan->rows, n, sub ? c->sub : NULL,
                                  c->health[m], c->p[m], err);
        if (st != HC_OK) {
            hc_bt_cache_release(c);
            return st;
        }
    }
    if (c->sub) {
        c->sub_complete = 1;
        for (size_t i = 0; i < n * c->k && c->sub_complete; i++)
            c->sub_complete = isfinite(c->sub[i]) != 0;
    }
    return HC_OK;
}
