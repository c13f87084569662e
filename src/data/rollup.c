/* rollup.c - user-level snapshot rows rolled up to one row per account and date (mean, median, min, max, sum, share above, active users). */
#define _GNU_SOURCE /* qsort_r */
#include "hc_rollup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hc_rollup_parse_agg(const char *s, hc_agg *agg, double *threshold)
{
    static const struct {
        const char *name;
        hc_agg agg;
    } plain[] = {{"mean", HC_AGG_MEAN}, {"median", HC_AGG_MEDIAN}, {"min", HC_AGG_MIN},
                 {"max", HC_AGG_MAX},   {"sum", HC_AGG_SUM},       {"count_active", HC_AGG_COUNT_ACTIVE}};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (strcmp(s, plain[i].name) == 0) {
            *agg = plain[i].agg;
            *threshold = 0;
            return 0;
        }
    if (strncmp(s, "share_above:", 12) == 0 && s[12]) {
        char *end;
        double t = strtod(s + 12, &end);
        if (*end || !isfinite(t))
            return -1;
        *agg = HC_AGG_SHARE_ABOVE;
        *threshold = t;
        return 0;
    }
    return -1;
}

void hc_rollup_agg_text(hc_agg agg, double threshold, char *buf, size_t size)
{
    switch (agg) {
    case HC_AGG_MEAN: snprintf(buf, size, "mean"); return;
    case HC_AGG_MEDIAN: snprintf(buf, size, "median"); return;
    case HC_AGG_MIN: snprintf(buf, size, "min"); return;
    case HC_AGG_MAX: snprintf(buf, size, "max"); return;
    case HC_AGG_SUM: snprintf(buf, size, "sum"); return;
    case HC_AGG_COUNT_ACTIVE: snprintf(buf, size, "count_active"); return;
    case HC_AGG_SHARE_ABOVE:
        /* the fewest digits that read back to the same double */
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, size, "share_above:%.*g", p, threshold);
            if (strtod(buf + 12, NULL) == threshold)
                return;
        }
        return;
    }
}

void hc_rollup_free(hc_rollup *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_metrics; i++)
        free(r->metrics[i].column);
    free(r->metrics);
    free(r->user_column);
    free(r);
}

hc_rollup *hc_rollup_copy(const hc_rollup *src)
{
    if (!src)
        return NULL;
    hc_rollup *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->user_column = strdup(src->user_column);
    r->metrics = calloc(src->n_metrics ? src->n_metrics : 1, sizeof *r->metrics);
    if (!r->user_column || !r->metrics) {
        hc_rollup_free(r);
        return NULL;
    }
    for (size_t i = 0; i < src->n_metrics; i++) {
        r->metrics[i] = src->metrics[i];
        if (!(r->metrics[i].column = strdup(src->metrics[i].column))) {
            hc_rollup_free(r);
            return NULL;
        }
        r->n_metrics = i + 1;
    }
    return r;
}

/* Sort key: account code, date, user code, row. */
typedef struct {
    const int32_t *id, *date, *user;
} rkey;

static int by_group(const void *a, const void *b, void *ctx)
{
    const rkey *k = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (k->id[i] != k->id[j])
        return k->id[i] < k->id[j] ? -1 : 1;
    if (k->date[i] != k->date[j])
        return k->date[i] < k->date[j] ? -1 : 1;
    if (k->user[i] != k->user[j])
        return k->user[i] < k->user[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Groups in order of their first row. */
typedef struct {
    uint32_t first;   /* smallest row of the group */
    uint32_t begin;   /* offset into the sorted index */
    uint32_t n;
} group;

static int by_first(const void *a, const void *b)
{
    uint32_t x = ((const group *)a)->first, y = ((const group *)b)->first;
    return x < y ? -1 : x > y;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The aggregate of the n values v (NaN = missing; v is reordered). */
static double aggregate(hc_agg agg, double thr, double *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    if (agg == HC_AGG_COUNT_ACTIVE) {
        size_t a = 0;
        for (size_t i = 0; i < m; i++)
            a += v[i] > 0;
        return (double)a;
    }
    if (m == 0)
        return NAN; /* a roll-up over zero users */
    double s = 0, lo = v[0], hi = v[0];
    size_t above = 0;
    for (size_t i = 0; i < m; i++) {
        s += v[i];
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
        above += v[i] > thr;
    }
    switch (agg) {
    case HC_AGG_MEAN: return s / (double)m;
    case HC_AGG_SUM: return s;
    case HC_AGG_MIN: return lo;
    case HC_AGG_MAX: return hi;
    case HC_AGG_SHARE_ABOVE: return (double)above / (double)m;
    case HC_AGG_MEDIAN:
        qsort(v, m, sizeof *v, by_double);
        return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    case HC_AGG_COUNT_ACTIVE: break;
    }
    return NAN;
}

static hc_status fill(const hc_table *t, const hc_rollup *r, int user_col, const uint32_t *idx,
                      const group *g, size_t ng, hc_table *o, hc_error *err)
{
    size_t maxn = 1;
    for (size_t i = 0; i < ng; i++)
        maxn = g[i].n > maxn ? g[i].n : maxn;
    double *v = malloc(maxn * sizeof *v);
    if (!v)
        return hc_error_nomem(err);
    hc_status st = HC_OK;
    for (size_t c = 0, oc = 0; c < t->n_cols && st == HC_OK; c++) {
        if ((int)c == user_col)
            continue;
        const hc_column *col = &t->cols[c];
        const hc_rollup_metric *rm = NULL;
        for (size_t q = 0; q < r->n_metrics && !rm; q++)
            if (strcmp(r->metrics[q].column, col->name) == 0)
                rm = &r->metrics[q];
        for (size_t i = 0; i < ng && st == HC_OK; i++) {
            const uint32_t *rows = idx + g[i].begin;
            if (rm) {
                for (size_t q = 0; q < g[i].n; q++)
                    v[q] = hc_table_num(t, (int)c, rows[q]);
                st = hc_table_num_set(o, (int)oc, i, aggregate(rm->agg, rm->threshold, v,
                                                               g[i].n));
                continue;
            }
            /* Not rolled up: the first row in file order with a value. */
            uint32_t best = UINT32_MAX;
            for (size_t q = 0; q < g[i].n; q++) {
                uint32_t row = rows[q];
                int present = col->type == HC_COL_NUM ? !isnan(hc_table_num(t, (int)c, row))
                              : col->type == HC_COL_TEXT ? col->code[row] >= 0
                                                         : col->code[row] != INT32_MIN;
                if (present && row < best)
                    best = row;
            }
            if (best == UINT32_MAX)
                continue; /* missing in every row: stays missing */
            if (col->type == HC_COL_NUM)
                st = hc_table_num_set(o, (int)oc, i, hc_table_num(t, (int)c, best));
            else if (col->type == HC_COL_TEXT)
                st = hc_table_set_text(o, (int)oc, i, hc_strpool_get(col->pool, col->code[best]));
            else {
                o->cols[oc].code[i] = col->code[best];
                o->cols[oc].n_missing--;
            }
        }
        oc++;
    }
    free(v);
    return st == HC_OK ? HC_OK : hc_error_nomem(err);
}

hc_status hc_rollup_apply(const hc_table *t, const hc_rollup *r, int id_col, int date_col,
                          hc_table **out, hc_rollup_counts *counts, hc_error *err)
{
    *out = NULL;
    const char *src = t->source ? t->source : "<memory>";
    int uc = hc_table_find(t, r->user_column);
    if (uc < 0 || t->cols[uc].type != HC_COL_TEXT)
        return hc_error_set(err, HC_EDATA, src, 0, 0,
                            "rollup.user_column: column '%s' is %s", r->user_column,
                            uc < 0 ? "not in the file" : "not text");
    for (size_t q = 0; q < r->n_metrics; q++) {
        int c = hc_table_find(t, r->metrics[q].column);
        if (c < 0 || t->cols[c].type != HC_COL_NUM)
            return hc_error_set(err, HC_EDATA, src, 0, 0,
                                "rollup.metrics.%s: column '%s' is %s", r->metrics[q].column,
                                r->metrics[q].column, c < 0 ? "not in the file" : "not numeric");
    }
    size_t n = t->n_rows;
    const int32_t *id = t->cols[id_col].code, *date = t->cols[date_col].code,
                  *user = t->cols[uc].code;
    for (size_t i = 0; i < n; i++) {
        if (id[i] < 0)
            /* (no column number: the table's order is not the file's) */
            return hc_error_set(err, HC_EDATA, src, hc_table_line(t, i), 0,
                                "a user row with no account: column '%s' is empty (user "
                                "'%s')", t->cols[id_col].name,
                                user[i] >= 0 ? hc_strpool_get(t->cols[uc].pool, user[i]) : "");
        if (user[i] < 0)
            return hc_error_set(err, HC_EDATA, src, hc_table_line(t, i), 0,
                                "column '%s': the user id is empty (rollup.user_column)",
                                r->user_column);
    }
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    group *g = malloc((n ? n : 1) * sizeof *g);
    unsigned char *seen = calloc(hc_strpool_count(t->cols[uc].pool) + 1, 1);
    if (!idx || !g || !seen) {
        free(idx);
        free(g);
        free(seen);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    rkey key = {id, date, user};
    qsort_r(idx, n, sizeof *idx, by_group, &key);
    size_t ng = 0, users = 0;
    hc_status st = HC_OK;
    for (size_t i = 0; i < n && st == HC_OK;) {
        size_t j = i + 1;
        uint32_t first = idx[i];
        while (j < n && id[idx[j]] == id[idx[i]] && date[idx[j]] == date[idx[i]]) {
            if (user[idx[j]] == user[idx[j - 1]])
                st = hc_error_set(err, HC_EDATA, src, hc_table_line(t, idx[j]), 0,
                                  "user '%s' of account '%s' has two rows on one date "
                                  "(also on line %u)",
                                  hc_strpool_get(t->cols[uc].pool, user[idx[j]]),
                                  hc_strpool_get(t->cols[id_col].pool, id[idx[j]]),
                                  hc_table_line(t, idx[j - 1]));
            first = idx[j] < first ? idx[j] : first;
            j++;
        }
        g[ng++] = (group){first, (uint32_t)i, (uint32_t)(j - i)};
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        if (!seen[user[i]]) {
            seen[user[i]] = 1;
            users++;
        }
    free(seen);
    hc_table *o = NULL;
    if (st == HC_OK) {
        qsort(g, ng, sizeof *g, by_first);
        o = hc_table_alloc(t->source);
        if (!o)
            st = hc_error_nomem(err);
        for (size_t c = 0; c < t->n_cols && st == HC_OK; c++)
            if ((int)c != uc && hc_table_add_column(o, t->cols[c].name, t->cols[c].type) < 0)
                st = hc_error_nomem(err);
        if (st == HC_OK && hc_table_resize(o, ng) != HC_OK)
            st = hc_error_nomem(err);
        if (st == HC_OK)
            st = fill(t, r, uc, idx, g, ng, o, err);
        if (st == HC_OK) {
            for (size_t i = 0; i < ng; i++)
                o->line[i] = hc_table_line(t, g[i].first);
            hc_table_compact_lines(o);
        }
    }
    free(idx);
    free(g);
    if (st != HC_OK) {
        hc_table_free(o);
        return st;
    }
    if (counts) {
        counts->user_rows = n;
        counts->users = users;
        counts->account_rows = ng;
    }
    *out = o;
    return HC_OK;
}
