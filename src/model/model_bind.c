/* model_bind.c - binding a model to a snapshot table: the columns it needs, their resolution and type checks, and quantile cuts learned from rows. */
#include "hc_model.h"
#include "hc_model_segkey.h"

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

hc_coltype hc_metric_coltype(const hc_metric *mt)
{
    return mt->transform.type == HC_TF_CATEGORICAL ? HC_COL_TEXT : HC_COL_NUM;
}

/* Whether config key `key` ("components[K].metrics[J].column") names a
 * metric of `m` with a categorical transform. */
static int categorical_key(const hc_model *m, const char *key)
{
    size_t k, j;
    int end = 0;
    if (sscanf(key, "components[%zu].metrics[%zu].column%n", &k, &j, &end) != 2 ||
        key[end] != '\0' || k >= m->n_components || j >= m->components[k].n_metrics)
        return 0;
    return m->components[k].metrics[j].transform.type == HC_TF_CATEGORICAL;
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
    /* A caller that asks every metric column for a number (e.g. a
     * loader's own checks) gets a categorical metric's text column. */
    if (t->cols[c].type != type && type == HC_COL_NUM &&
        t->cols[c].type == HC_COL_TEXT && categorical_key(m, key)) {
        *index = c;
        return HC_OK;
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
    if (m->rollup)
        total += 1 + m->rollup->n_metrics;
    int derived = hc_model_segkey_active(m);
    if (derived)
        total += m->segkey->n_parts + 1;
    hc_colspec *s = malloc(total * sizeof *s);
    *specs = NULL;
    *n = 0;
    if (!s)
        return hc_error_nomem(err);
    size_t c = 0;
    s[c++] = (hc_colspec){m->columns.account_id, HC_COL_TEXT, 1};
    s[c++] = (hc_colspec){m->columns.snapshot_date, HC_COL_DATE, 1};
    s[c++] = (hc_colspec){m->columns.segment, HC_COL_TEXT,
                          m->n_segments > 0 && !derived};
    s[c++] = (hc_colspec){m->columns.arr, HC_COL_NUM, 0};
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const hc_metric *mt = &m->components[k].metrics[j];
            const char *col = mt->column;
            size_t i = 0;
            while (i < c && strcmp(s[i].name, col) != 0)
                i++;
            if (i < c) {
                /* A metric on a role column (arr) makes that column
                 * required; its type stays the role's. */
                s[i].required = 1;
                continue;
            }
            s[c++] = (hc_colspec){col, hc_metric_coltype(mt), 1};
        }
    /* A derived segment key reads its part columns and the start date as
     * text (hc_segment_key.h); its own column is made after loading. */
    if (derived) {
        const hc_segkey *sk = m->segkey;
        for (size_t q = 0; q <= sk->n_parts; q++) {
            const char *col = q < sk->n_parts ? sk->parts[q]
                              : sk->lifecycle ? sk->lifecycle->start_date : NULL;
            if (!col || (q < sk->n_parts && hc_segkey_part_is_stage(sk, q)))
                continue;
            size_t i = 0;
            while (i < c && strcmp(s[i].name, col) != 0)
                i++;
            if (i == c)
                s[c++] = (hc_colspec){col, HC_COL_TEXT, 1};
        }
    }
    /* A roll-up reads the user column and its metrics (hc_rollup.h). */
    if (m->rollup) {
        s[c++] = (hc_colspec){m->rollup->user_column, HC_COL_TEXT, 1};
        for (size_t q = 0; q < m->rollup->n_metrics; q++) {
            const char *col = m->rollup->metrics[q].column;
            size_t i = 0;
            while (i < c && strcmp(s[i].name, col) != 0)
                i++;
            if (i == c)
                s[c++] = (hc_colspec){col, HC_COL_NUM, 1};
        }
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
                     hc_metric_coltype(&m->components[k].metrics[j]), 1, &c,
                     err)) != HC_OK)
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

/* Whether component k has a transform learned from training rows (with
 * `uncut`: one not learned yet). */
static int component_learns(const hc_model *m, size_t k, int uncut)
{
    for (size_t j = 0; j < m->components[k].n_metrics; j++) {
        const hc_transform *tf = &m->components[k].metrics[j].transform;
        if (tf->type == HC_TF_QUANTILE && (!uncut || !tf->cuts))
            return 1;
        if (tf->type == HC_TF_CATEGORICAL && tf->cat && tf->cat->learn &&
            (!uncut || tf->cat->n_levels == 0))
            return 1;
        const hc_seasonal *sn = m->components[k].metrics[j].seasonal;
        if (sn && sn->learn && (!uncut || !sn->has_baseline))
            return 1; /* a seasonal baseline learned on training rows */
    }
    return 0;
}

int hc_model_has_quantiles(const hc_model *m, int uncut)
{
    for (size_t k = 0; k < m->n_components; k++)
        if (component_learns(m, k, uncut))
            return 1;
    return 0;
}

int hc_model_component_learns(const hc_model *m, size_t k)
{
    return k < m->n_components && component_learns(m, k, 0);
}

hc_status hc_model_learn_quantiles(hc_model *m, const hc_table *t,
                                   const size_t *rows, size_t n,
                                   hc_error *err)
{
    /* Seasonal baselines first: quantile cuts see the adjusted values. */
    hc_status st0 = hc_model_learn_seasons(m, t, rows, n, err);
    if (st0 != HC_OK)
        return st0;
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            hc_metric *mt = &m->components[k].metrics[j];
            if (mt->transform.type != HC_TF_QUANTILE)
                continue;
            hc_error e;
            hc_error_clear(&e);
            /* The training rows' values (or trends) as doubles. */
            double *x = malloc((n ? n : 1) * sizeof *x);
            if (!x)
                return hc_error_nomem(err);
            hc_status st = hc_model_metric_values(m, k, j, t, rows, n, x, err);
            if (st != HC_OK) {
                free(x);
                return st;
            }
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

hc_status hc_model_learn_levels(hc_model *m, const hc_table *t,
                                const uint8_t *churn, const size_t *rows,
                                size_t n, hc_error *err)
{
    char key[128];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            hc_metric *mt = &m->components[k].metrics[j];
            if (mt->transform.type != HC_TF_CATEGORICAL || !mt->transform.cat ||
                !mt->transform.cat->learn)
                continue;
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column", k, j);
            hc_status st = hc_model_find_column(m, t, key, mt->column, HC_COL_TEXT, 1,
                                                &c, err);
            if (st != HC_OK)
                return st;
            hc_error e;
            hc_error_clear(&e);
            st = hc_categorical_learn(&mt->transform, t, c, churn, rows, n, &e);
            if (st != HC_OK)
                return hc_error_set(err, st, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].transform: %s", k,
                                    j, e.message);
        }
    return HC_OK;
}

hc_status hc_model_count_unseen(const hc_model *m, const hc_table *t,
                                const size_t *rows, size_t n,
                                hc_unseen_count **out, size_t *n_out,
                                hc_error *err)
{
    *out = NULL;
    *n_out = 0;
    char key[128];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const hc_metric *mt = &m->components[k].metrics[j];
            const hc_transform *tf = &mt->transform;
            if (tf->type != HC_TF_CATEGORICAL || !tf->cat || tf->cat->n_levels == 0)
                continue;
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column", k, j);
            hc_status st = hc_model_find_column(m, t, key, mt->column, HC_COL_TEXT, 1,
                                                &c, err);
            double *map;
            unsigned char *un;
            if (st == HC_OK)
                st = hc_categorical_code_map(tf, t, c, key, m->source, &map, &un, err);
            if (st != HC_OK) {
                free(*out);
                *out = NULL;
                *n_out = 0;
                return st;
            }
            size_t nc = t->cols[c].pool ? hc_strpool_count(t->cols[c].pool) : 0;
            unsigned char *hit = calloc(nc ? nc : 1, 1);
            size_t nrows = 0, nlev = 0;
            int32_t ex = -1;
            if (hit)
                for (size_t i = 0; i < n; i++) {
                    int32_t code = t->cols[c].code[rows ? rows[i] : i];
                    if (code < 0 || !un[code])
                        continue;
                    nrows++;
                    if (!hit[code]) {
                        hit[code] = 1;
                        nlev++;
                        if (ex < 0)
                            ex = code;
                    }
                }
            int nomem = !hit;
            free(map);
            free(un);
            free(hit);
            if (nomem) {
                free(*out);
                *out = NULL;
                *n_out = 0;
                return hc_error_nomem(err);
            }
            if (nrows == 0)
                continue;
            hc_unseen_count *o = realloc(*out, (*n_out + 1) * sizeof *o);
            if (!o) {
                free(*out);
                *out = NULL;
                *n_out = 0;
                return hc_error_nomem(err);
            }
            *out = o;
            hc_unseen_count *u = &o[(*n_out)++];
            u->component = k;
            u->metric = j;
            u->column = mt->column;
            u->rows = nrows;
            u->levels = nlev;
            u->as_other = tf->cat->unseen_other;
            snprintf(u->example, sizeof u->example, "%s",
                     hc_strpool_get(t->cols[c].pool, ex));
        }
    return HC_OK;
}
