/* model_bind.c - binding a model to a snapshot table: the columns it needs, their resolution and type checks, and quantile cuts learned from rows. */
#include "hc_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A column type as a message names it. */
static const char *type_word(hc_coltype t)
{
    switch (t) {
    case HC_COL_NUM: return "a number";
    case HC_COL_TEXT: return "text";
    case HC_COL_DATE: return "a date";
    }
    return "unknown";
}

hc_status hc_model_find_column(const hc_model *m, const hc_table *t,
                               const char *key, const char *name,
                               hc_coltype type, int required, int *index,
                               hc_error *err)
{
    int c = hc_table_find(t, name);
    *index = -1;
    if (c < 0) {
        if (!required)
            return HC_OK;
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "%s: column '%s' is not in %s", key, name,
                            t->source ? t->source : "<memory>");
    }
    if (t->cols[c].type != type)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "%s: column '%s' in %s is %s, not %s", key, name,
                            t->source ? t->source : "<memory>",
                            type_word(t->cols[c].type), type_word(type));
    *index = c;
    return HC_OK;
}

hc_status hc_model_required_columns(const hc_model *m, hc_colspec **specs,
                                    size_t *n, hc_error *err)
{
    size_t total = 4;
    for (size_t k = 0; k < m->n_components; k++)
        total += m->components[k].n_metrics;
    hc_colspec *s = malloc(total * sizeof *s);
    *specs = NULL;
    *n = 0;
    if (!s)
        return hc_error_nomem(err);
    size_t c = 0;
    s[c++] = (hc_colspec){m->columns.account_id, HC_COL_TEXT, 1};
    s[c++] = (hc_colspec){m->columns.snapshot_date, HC_COL_DATE, 1};
    s[c++] = (hc_colspec){m->columns.segment, HC_COL_TEXT,
                          m->n_segments > 0};
    s[c++] = (hc_colspec){m->columns.arr, HC_COL_NUM, 0};
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const char *col = m->components[k].metrics[j].column;
            size_t i = 0;
            while (i < c && strcmp(s[i].name, col) != 0)
                i++;
            if (i < c) {
                /* A metric on a role column (arr) makes that column
                 * required; its type stays the role's. */
                s[i].required = 1;
                continue;
            }
            s[c++] = (hc_colspec){col, HC_COL_NUM, 1};
        }
    *specs = s;
    *n = c;
    return HC_OK;
}

hc_status hc_model_bind(hc_model *m, const hc_table *t, hc_error *err)
{
    int acc, date, seg, arr;
    hc_status st;
    if ((st = hc_model_find_column(m, t, "columns.account_id",
                                   m->columns.account_id, HC_COL_TEXT, 1,
                                   &acc, err)) != HC_OK ||
        (st = hc_model_find_column(m, t, "columns.snapshot_date",
                                   m->columns.snapshot_date, HC_COL_DATE, 1,
                                   &date, err)) != HC_OK ||
        (st = hc_model_find_column(m, t, "columns.segment",
                                   m->columns.segment, HC_COL_TEXT,
                                   m->n_segments > 0, &seg, err)) != HC_OK ||
        (st = hc_model_find_column(m, t, "columns.arr", m->columns.arr,
                                   HC_COL_NUM, 0, &arr, err)) != HC_OK)
        return st;
    char key[128];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column",
                     k, j);
            if ((st = hc_model_find_column(
                     m, t, key, m->components[k].metrics[j].column,
                     HC_COL_NUM, 1, &c, err)) != HC_OK)
                return st;
        }
    /* Everything resolved: only now store, so a failure changes nothing. */
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++)
            m->components[k].metrics[j].col =
                hc_table_find(t, m->components[k].metrics[j].column);
    m->col_account_id = acc;
    m->col_snapshot_date = date;
    m->col_segment = seg;
    m->col_arr = arr;
    return HC_OK;
}

int hc_model_has_quantiles(const hc_model *m, int uncut)
{
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const hc_transform *tf = &m->components[k].metrics[j].transform;
            if (tf->type == HC_TF_QUANTILE && (!uncut || !tf->cuts))
                return 1;
        }
    return 0;
}

hc_status hc_model_learn_quantiles(hc_model *m, const hc_table *t,
                                   const size_t *rows, size_t n,
                                   hc_error *err)
{
    char key[128];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            hc_metric *mt = &m->components[k].metrics[j];
            if (mt->transform.type != HC_TF_QUANTILE)
                continue;
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column",
                     k, j);
            hc_status st = hc_model_find_column(m, t, key, mt->column,
                                                HC_COL_NUM, 1, &c, err);
            if (st != HC_OK)
                return st;
            hc_error e;
            hc_error_clear(&e);
            /* The training rows' values as doubles (hc_table_num_gather:
             * the column's storage is the table's business). */
            double *x = malloc((n ? n : 1) * sizeof *x);
            if (!x)
                return hc_error_nomem(err);
            if (rows)
                hc_table_num_gather(t, c, rows, n, x);
            else
                hc_table_num_read(t, c, 0, n, x);
            st = hc_transform_learn_quantiles(&mt->transform, x, NULL, n, &e);
            free(x);
            if (st != HC_OK)
                return hc_error_set(err, st, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].transform:"
                                    " column '%s': %s", k, j, mt->column,
                                    e.message);
        }
    return HC_OK;
}
