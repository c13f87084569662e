/* user_health.c - health at user level for the accounts on the call list: each user scored as an account of users like it. */
#include "hc_user_health.h"
#include "hc_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A listed account: its id in the rolled-up table, its latest date, its
 * position on the call list and how many user rows it has that date. */
typedef struct {
    const char *id;
    int32_t date;
    size_t call;
    size_t users;
} listed;

static int by_id(const void *a, const void *b)
{
    return strcmp(((const listed *)a)->id, ((const listed *)b)->id);
}

/* The value the roll-up gives over n copies of x (hc_user_health.h). */
static double as_if_all(const hc_rollup_metric *rm, double x, size_t n)
{
    if (isnan(x))
        return rm->agg == HC_AGG_COUNT_ACTIVE ? 0.0 : NAN;
    switch (rm->agg) {
    case HC_AGG_SUM: return (double)n * x;
    case HC_AGG_SHARE_ABOVE: return x > rm->threshold ? 1.0 : 0.0;
    case HC_AGG_COUNT_ACTIVE: return x > 0 ? (double)n : 0.0;
    default: return x; /* mean, median, min, max of n equal values */
    }
}

/* Copies cell (c, from) of `src` to (c, to) of `dst` (same columns). */
static hc_status copy_cell(hc_table *dst, const hc_table *src, size_t c, size_t to,
                           size_t from)
{
    switch (src->cols[c].type) {
    case HC_COL_NUM: return hc_table_num_set(dst, (int)c, to, hc_table_num(src, (int)c, from));
    case HC_COL_TEXT:
        return hc_table_set_text(dst, (int)c, to, hc_table_text(src, (int)c, from));
    case HC_COL_DATE: dst->cols[c].code[to] = src->cols[c].code[from]; return HC_OK;
    }
    return HC_OK;
}

/* One user row matched to a listed account. */
typedef struct {
    size_t user_row;   /* row of the user table */
    size_t listed;     /* index into the listed accounts (sorted by id) */
} match;

/* The table to score: one row per matched user, the account's row with
 * the rolled-up metrics replaced (hc_user_health.h). */
static hc_status build_table(const hc_predict_result *p, const hc_table *users,
                             const listed *acc, const match *mt, size_t n,
                             const size_t *acc_row, hc_table **out, hc_error *err)
{
    const hc_table *t = p->snapshots->table;
    const hc_rollup *r = p->model->rollup;
    hc_table *o = hc_table_alloc(t->source);
    if (!o)
        return hc_error_nomem(err);
    hc_status st = HC_OK;
    for (size_t c = 0; c < t->n_cols && st == HC_OK; c++)
        if (hc_table_add_column(o, t->cols[c].name, t->cols[c].type) < 0)
            st = hc_error_nomem(err);
    if (st == HC_OK && (st = hc_table_resize(o, n)) != HC_OK)
        st = hc_error_nomem(err);
    for (size_t i = 0; i < n && st == HC_OK; i++)
        for (size_t c = 0; c < t->n_cols && st == HC_OK; c++)
            st = copy_cell(o, t, c, i, acc_row[mt[i].listed]);
    for (size_t q = 0; q < r->n_metrics && st == HC_OK; q++) {
        int uc = hc_table_find(users, r->metrics[q].column);
        int oc = hc_table_find(o, r->metrics[q].column);
        if (uc < 0 || oc < 0 || users->cols[uc].type != HC_COL_NUM)
            continue; /* the loader checked the roll-up's columns */
        for (size_t i = 0; i < n && st == HC_OK; i++) {
            double x = hc_table_num(users, uc, mt[i].user_row);
            st = hc_table_num_set(o, oc, i, as_if_all(&r->metrics[q], x,
                                                      acc[mt[i].listed].users));
        }
    }
    if (st != HC_OK) {
        if (st == HC_ENOMEM)
            hc_error_nomem(err);
        hc_table_free(o);
        return st;
    }
    *out = o;
    return HC_OK;
}

/* A row with its position before sorting (to move its sub-scores). */
typedef struct {
    hc_user_health_row row;
    size_t from;
} tagged;

static int by_call_health(const void *a, const void *b)
{
    const hc_user_health_row *x = &((const tagged *)a)->row, *y = &((const tagged *)b)->row;
    if (x->call != y->call)
        return x->call < y->call ? -1 : 1;
    int xm = isnan(x->health), ym = isnan(y->health);
    if (xm != ym)
        return xm - ym;
    if (!xm && x->health != y->health)
        return x->health < y->health ? -1 : 1;
    int c = strcmp(x->user, y->user);
    if (c != 0)
        return c;
    return (((const tagged *)a)->from > ((const tagged *)b)->from) -
           (((const tagged *)a)->from < ((const tagged *)b)->from);
}

/* Puts the rows (and their sub-scores) in the order of hc_user_health.h. */
static hc_status sort_rows(hc_user_health *u, size_t n, size_t K, hc_error *err)
{
    tagged *tg = malloc(n * sizeof *tg);
    double *sub = malloc(n * K * sizeof *sub);
    if (!tg || !sub) {
        free(tg);
        free(sub);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        tg[i] = (tagged){u->rows[i], i};
    qsort(tg, n, sizeof *tg, by_call_health);
    for (size_t i = 0; i < n; i++) {
        u->rows[i] = tg[i].row;
        memcpy(sub + i * K, u->sub + tg[i].from * K, K * sizeof *sub);
    }
    free(u->sub);
    u->sub = sub;
    free(tg);
    return HC_OK;
}

/* Finds the user rows of the listed accounts on their dates. */
static hc_status find_users(const hc_predict_result *p, const hc_table *users, listed *acc,
                            size_t na, match **out, size_t *n_out, hc_error *err)
{
    const hc_model *m = p->model;
    int ic = hc_table_find(users, m->columns.account_id);
    int dc = hc_table_find(users, m->columns.snapshot_date);
    *out = NULL;
    *n_out = 0;
    if (ic < 0 || dc < 0 || users->cols[ic].type != HC_COL_TEXT)
        return HC_OK;
    /* Each account code of the user table maps to a listed account once. */
    const hc_strpool *pool = users->cols[ic].pool;
    size_t np = hc_strpool_count(pool);
    long *code_to = malloc((np ? np : 1) * sizeof *code_to);
    if (!code_to)
        return hc_error_nomem(err);
    for (size_t c = 0; c < np; c++) {
        listed key = {.id = hc_strpool_get(pool, (int32_t)c)};
        listed *hit = bsearch(&key, acc, na, sizeof *acc, by_id);
        code_to[c] = hit ? (long)(hit - acc) : -1;
    }
    size_t n = 0, cap = 0;
    match *mt = NULL;
    for (size_t row = 0; row < users->n_rows; row++) {
        int32_t code = users->cols[ic].code[row];
        if (code < 0 || code_to[code] < 0)
            continue;
        listed *a = &acc[code_to[code]];
        if (users->cols[dc].code[row] != a->date)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            match *g = realloc(mt, cap * sizeof *mt);
            if (!g) {
                free(mt);
                free(code_to);
                return hc_error_nomem(err);
            }
            mt = g;
        }
        mt[n++] = (match){row, (size_t)code_to[code]};
        a->users++;
    }
    free(code_to);
    *out = mt;
    *n_out = n;
    return HC_OK;
}

hc_status hc_user_health_compute(const hc_predict_result *p, const hc_call_list *cl,
                                 size_t max_accounts, hc_user_health *out,
                                 hc_error *err)
{
    memset(out, 0, sizeof *out);
    const hc_snapshots *s = p->snapshots;
    const hc_model *m = p->model;
    const hc_table *users = s->users;
    if (!m->rollup || !users)
        return HC_OK;
    int uc = hc_table_find(users, m->rollup->user_column);
    size_t na = cl->n < max_accounts ? cl->n : max_accounts;
    if (na == 0 || uc < 0 || users->cols[uc].type != HC_COL_TEXT)
        return HC_OK;
    listed *acc = malloc(na * sizeof *acc);
    size_t *acc_row = malloc(na * sizeof *acc_row);
    if (!acc || !acc_row) {
        free(acc);
        free(acc_row);
        return hc_error_nomem(err);
    }
    for (size_t k = 0; k < na; k++) {
        const hc_prediction *r = &p->rows[cl->rows[k]];
        acc[k] = (listed){hc_table_text(s->table, s->id_col, r->row), r->date, k, 0};
    }
    qsort(acc, na, sizeof *acc, by_id);
    for (size_t k = 0; k < na; k++)
        acc_row[k] = p->rows[cl->rows[acc[k].call]].row;
    match *mt = NULL;
    size_t n = 0;
    hc_table *t = NULL;
    size_t K = m->n_components;
    hc_status st = find_users(p, users, acc, na, &mt, &n, err);
    if (st == HC_OK && n > 0)
        st = build_table(p, users, acc, mt, n, acc_row, &t, err);
    double *health = NULL;
    int32_t *band = NULL;
    if (st == HC_OK && n > 0) {
        out->rows = malloc(n * sizeof *out->rows);
        out->sub = malloc(n * K * sizeof *out->sub);
        health = malloc(n * sizeof *health);
        band = malloc(n * sizeof *band);
        double *sub = malloc(n * K * sizeof *sub);
        if (!out->rows || !out->sub || !health || !band || !sub) {
            st = hc_error_nomem(err);
        } else {
            hc_score_out so = {.sub = sub, .sub_stride = n, .health = health, .band = band};
            st = hc_model_score_rows(m, t, NULL, 0, n, 1, &so, err);
        }
        if (st == HC_OK) {
            for (size_t i = 0; i < n; i++) {
                const listed *a = &acc[mt[i].listed];
                out->rows[i] = (hc_user_health_row){
                    .call = a->call,
                    .pred_row = cl->rows[a->call],
                    .user = hc_table_text(users, uc, mt[i].user_row),
                    .health = health[i],
                    .band = band[i],
                };
                if (!out->rows[i].user)
                    out->rows[i].user = "";
                for (size_t k = 0; k < K; k++)
                    out->sub[i * K + k] = sub[k * n + i];
            }
        }
        free(sub);
    }
    if (st == HC_OK && n > 0)
        st = sort_rows(out, n, K, err);
    if (st == HC_OK) {
        out->n = n;
        out->n_components = K;
        for (size_t k = 0; k < na; k++)
            out->accounts += acc[k].users > 0;
        for (size_t i = 0; i < n; i++)
            out->disengaged += out->rows[i].band == 0;
    } else {
        hc_user_health_release(out);
    }
    free(health);
    free(band);
    hc_table_free(t);
    free(mt);
    free(acc);
    free(acc_row);
    return st;
}

void hc_user_health_release(hc_user_health *u)
{
    if (!u)
        return;
    free(u->rows);
    free(u->sub);
    memset(u, 0, sizeof *u);
}

static void fixed1(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.1f", v);
}

void hc_user_health_write_csv(FILE *f, const hc_predict_result *p,
                              const hc_user_health *u)
{
    const hc_snapshots *s = p->snapshots;
    const hc_model *m = p->model;
    fputs("rank,account_id,user_id,account_band,user_health,user_band,disengaged", f);
    for (size_t k = 0; k < m->n_components; k++) {
        putc(',', f);
        hc_csv_write_text(f, m->components[k].name);
    }
    putc('\n', f);
    for (size_t i = 0; i < u->n; i++) {
        const hc_user_health_row *r = &u->rows[i];
        const hc_prediction *a = &p->rows[r->pred_row];
        fprintf(f, "%zu,", r->call + 1);
        hc_csv_write_text(f, hc_table_text(s->table, s->id_col, a->row));
        putc(',', f);
        hc_csv_write_text(f, r->user);
        putc(',', f);
        if (a->band >= 0)
            hc_csv_write_text(f, m->bands[a->band].name);
        putc(',', f);
        fixed1(f, r->health);
        putc(',', f);
        if (r->band >= 0)
            hc_csv_write_text(f, m->bands[r->band].name);
        fprintf(f, ",%d", r->band == 0);
        for (size_t k = 0; k < u->n_components; k++) {
            putc(',', f);
            fixed1(f, u->sub[i * u->n_components + k]);
        }
        putc('\n', f);
    }
}
