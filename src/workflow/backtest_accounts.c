/* backtest_accounts.c - the backtest's thresholds counted in accounts and per scoring date: test-row tallies per fold, the objective out of time, the vote on the recommended bands. */
#include "backtest_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the rows showed of an account (hc_bt_account_scratch.flag). */
enum { SEEN = 1, RED = 2, CHURNED = 4, CAUGHT = 8 };

void hc_bt_units_init(hc_bt_units *u, const hc_history *h, const double *churned)
{
    const hc_table *t = h->snapshots.table;
    u->account = t->cols[h->snapshots.id_col].code;
    u->date = t->cols[h->snapshots.date_col].code;
    u->n_accounts = h->snapshots.n_accounts;
    u->churned = churned;
}

void hc_bt_units_search(const hc_bt_units *u, const uint32_t *rows,
                        hc_threshold_accounts *acc)
{
    memset(acc, 0, sizeof *acc);
    acc->account = u->account;
    acc->n_accounts = u->n_accounts;
    acc->churned_amount = u->churned;
    acc->date = u->date;
    acc->row = rows;
}

hc_status hc_bt_account_scratch_alloc(hc_bt_account_scratch *s, size_t n_accounts,
                                      hc_error *err)
{
    size_t n = n_accounts ? n_accounts : 1;
    s->n = n_accounts;
    s->flag = calloc(n, 1);
    s->last_arr = calloc(n, sizeof *s->last_arr);
    if (!s->flag || !s->last_arr) {
        hc_bt_account_scratch_release(s);
        return hc_error_nomem(err);
    }
    return HC_OK;
}

void hc_bt_account_scratch_release(hc_bt_account_scratch *s)
{
    free(s->flag);
    free(s->last_arr);
    memset(s, 0, sizeof *s);
}

/* One scoring date's rows closed: its red count against the maxima and
 * the capacity (the search's rule, hc_thresholds_tally_build). */
static void close_date(hc_bt_tally *t, size_t rows, size_t red, const hc_threshold_options *o)
{
    if (rows == 0)
        return;
    t->dates++;
    t->per_date_max = red > t->per_date_max ? red : t->per_date_max;
    double share = (double)red / (double)rows;
    t->per_date_share_max = share > t->per_date_share_max ? share : t->per_date_share_max;
    if (o && o->objective == HC_THRESHOLD_CAPACITY &&
        (o->capacity_share ? (double)red > o->capacity * (double)rows + 1e-9
                           : (double)red > o->capacity))
        t->dates_over++;
}

void hc_bt_tally_add(const hc_backtest_result *res, const hc_bt_units *u,
                     hc_bt_account_scratch *s, size_t b, size_t e, const int32_t *band,
                     const double *H, double red_cut, const hc_threshold_options *o,
                     hc_bt_tally *t)
{
    const double *y = res->pooled_y, *arr = res->pooled_arr;
    size_t day_rows = 0, day_red = 0;
    int32_t day = 0;
    for (size_t i = b; i < e; i++) {
        uint32_t row = res->pooled_row[i];
        int32_t d = u->date[row], a = u->account[row];
        int red = band ? band[i] == 0 : H[i] < red_cut;
        int churn = y[i] == 1.0;
        /* The rows are in date order: a new date closes the last one. */
        if (i == b || d != day) {
            close_date(t, day_rows, day_red, o);
            day = d;
            day_rows = day_red = 0;
        }
        day_rows++;
        day_red += red;
        t->rows++;
        t->red_rows += red;
        unsigned char f = (unsigned char)(SEEN | (red ? RED : 0));
        if (churn) {
            f |= CHURNED | (red ? CAUGHT : 0);
            s->last_arr[a] = arr ? arr[i] : 0.0; /* later rows are later snapshots */
        }
        s->flag[a] |= f;
    }
    close_date(t, day_rows, day_red, o);
}

void hc_bt_tally_end(const hc_bt_units *u, hc_bt_account_scratch *s, hc_bt_tally *t)
{
    for (size_t a = 0; a < s->n; a++) {
        unsigned char f = s->flag[a];
        if (!f)
            continue;
        t->accounts++;
        t->red_accounts += (f & RED) != 0;
        if (f & CHURNED) {
            /* The amount of its churn event; else the ARR when it churned. */
            double v = u->churned ? u->churned[a] : NAN;
            if (!(isfinite(v) && v >= 0.0))
                v = s->last_arr[a];
            t->churned++;
            t->churned_arr += v;
            if (f & CAUGHT) {
                t->caught++;
                t->caught_arr += v;
            }
        }
        s->flag[a] = 0;
    }
}

double hc_bt_tally_objective(const hc_threshold_options *o, const hc_bt_tally *t)
{
    switch (o->objective) {
    case HC_THRESHOLD_RECALL:
        return t->churned ? (double)t->caught / (double)t->churned : NAN;
    case HC_THRESHOLD_ARR_RECALL:
        return t->churned_arr > 0 ? t->caught_arr / t->churned_arr : NAN;
    case HC_THRESHOLD_PRECISION:
        return t->red_accounts ? (double)t->caught / (double)t->red_accounts : NAN;
    case HC_THRESHOLD_VALUE:
        /* Interventions: account-weeks in red, one per red row. */
        return o->save_rate * t->caught_arr - o->cost * (double)t->red_rows;
    case HC_THRESHOLD_CAPACITY:
        if (!t->dates)
            return NAN;
        return o->capacity_share ? t->per_date_share_max : (double)t->per_date_max;
    }
    return NAN;
}

int hc_bt_tally_met(const hc_threshold_options *o, const hc_bt_tally *t, double v)
{
    if (!isfinite(v))
        return 0;
    switch (o->objective) {
    case HC_THRESHOLD_VALUE:
        return v > 0;
    case HC_THRESHOLD_CAPACITY:
        return t->dates_over == 0;
    default:
        return v >= o->target;
    }
}

void hc_bt_fold_accounts(hc_backtest_result *res, size_t c, const hc_bt_units *u,
                         hc_bt_account_scratch *s)
{
    hc_backtest_config *cf = &res->configs[c];
    const hc_threshold_options *o = res->opt.use_objective ? &res->opt.threshold : NULL;
    cf->folds_evaluated = cf->folds_met_test = 0;
    cf->bands_recommended = 0;
    if (!cf->band)
        return;
    size_t base = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        hc_backtest_fold *fold = &res->folds[f];
        if (!fold->used)
            continue;
        hc_backtest_cell *cell = &fold->cells[c];
        size_t nf = fold->n_test;
        hc_bt_tally t;
        memset(&t, 0, sizeof t);
        hc_bt_tally_add(res, u, s, base, base + nf, cf->band, NULL, 0, o, &t);
        hc_bt_tally_end(u, s, &t);
        base += nf;
        cell->test_dates = t.dates;
        cell->red_per_date_mean = t.dates ? (double)t.red_rows / (double)t.dates : NAN;
        cell->red_per_date_max = t.per_date_max;
        cell->red_accounts = t.red_accounts;
        cell->test_churned_accounts = t.churned;
        cell->red_churned_accounts = t.caught;
        if (!o)
            continue;
        cell->objective_test = hc_bt_tally_objective(o, &t);
        cell->objective_met_test = hc_bt_tally_met(o, &t, cell->objective_test);
        if (isfinite(cell->objective_test)) {
            cf->folds_evaluated++;
            cf->folds_met_test += cell->objective_met_test != 0;
        }
    }
    cf->bands_recommended = cf->folds_evaluated > 0 &&
                            2 * cf->folds_met_test > cf->folds_evaluated;
}
