/* model_trend.c - trend metrics: the derived table columns, and each metric's input values for scoring and learning. */
#include "hc_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_model_trend_column(const hc_metric *mt, char *buf, size_t size)
{
    snprintf(buf, size, "%s~%s~%dd", mt->column, hc_trend_kind_name(mt->trend),
             mt->trend_days);
}

/* The account id and date columns of `t` named by the config. */
static hc_status role_cols(const hc_model *m, const hc_table *t, int *id, int *date,
                           hc_error *err)
{
    hc_status st = hc_model_find_column(m, t, "columns.account_id", m->columns.account_id,
                                        HC_COL_TEXT, 1, id, err);
    if (st == HC_OK)
        st = hc_model_find_column(m, t, "columns.snapshot_date", m->columns.snapshot_date,
                                  HC_COL_DATE, 1, date, err);
    return st;
}

/* The trend of metric (k, j) for every row of `t` into a new array. */
static hc_status compute(const hc_model *m, size_t k, size_t j, const hc_table *t,
                         double **out, hc_error *err)
{
    const hc_metric *mt = &m->components[k].metrics[j];
    char key[128];
    int id, date, x;
    *out = NULL;
    snprintf(key, sizeof key, "components[%zu].metrics[%zu].column", k, j);
    hc_status st = role_cols(m, t, &id, &date, err);
    if (st == HC_OK)
        st = hc_model_find_column(m, t, key, mt->column, HC_COL_NUM, 1, &x, err);
    if (st != HC_OK)
        return st;
    double *v = malloc((t->n_rows ? t->n_rows : 1) * sizeof *v);
    if (!v)
        return hc_error_nomem(err);
    st = hc_trend_compute(t, id, date, x, mt->trend, mt->trend_days, v, err);
    if (st != HC_OK) {
        free(v);
        return st;
    }
    *out = v;
    return HC_OK;
}

hc_status hc_model_derive_trends(const hc_model *m, hc_table *t, hc_error *err)
{
    char name[512];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const hc_metric *mt = &m->components[k].metrics[j];
            if (mt->trend == HC_TREND_NONE)
                continue;
            hc_model_trend_column(mt, name, sizeof name);
            if (hc_table_find(t, name) >= 0)
                continue;
            double *v;
            hc_status st = compute(m, k, j, t, &v, err);
            if (st != HC_OK)
                return st;
            int c = hc_table_add_column(t, name, HC_COL_NUM);
            if (c < 0) {
                free(v);
                return hc_error_nomem(err);
            }
            for (size_t r = 0; r < t->n_rows && st == HC_OK; r++)
                st = hc_table_num_set(t, c, r, v[r]);
            free(v);
            if (st != HC_OK)
                return hc_error_nomem(err);
        }
    return HC_OK;
}

hc_status hc_model_metric_inputs(const hc_model *m, size_t k, size_t j,
                                 const hc_table *t, const size_t *rows, size_t n,
                                 double *out, hc_error *err)
{
    const hc_metric *mt = &m->components[k].metrics[j];
    char key[128], name[512];
    int c = -1;
    if (mt->trend != HC_TREND_NONE) {
        hc_model_trend_column(mt, name, sizeof name);
        c = hc_table_find(t, name);
        if (c < 0) {
            double *v;
            hc_status st = compute(m, k, j, t, &v, err);
            if (st != HC_OK)
                return st;
            for (size_t i = 0; i < n; i++)
                out[i] = v[rows ? rows[i] : i];
            free(v);
            return HC_OK;
        }
    } else {
        snprintf(key, sizeof key, "components[%zu].metrics[%zu].column", k, j);
        hc_status st = hc_model_find_column(m, t, key, mt->column, HC_COL_NUM, 1, &c, err);
        if (st != HC_OK)
            return st;
    }
    if (rows)
        hc_table_num_gather(t, c, rows, n, out);
    else
        hc_table_num_read(t, c, 0, n, out);
    return HC_OK;
}
