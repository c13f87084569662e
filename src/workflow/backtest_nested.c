/* backtest_nested.c - the threshold search walked forward over the pooled test rows: cut points chosen on the earlier folds, scored on the next. */
#include "backtest_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_bt_nested_release(hc_backtest_nested *n)
{
    free(n->folds);
    memset(n, 0, sizeof *n);
}

/* Whether the objective's target holds for a red band with these row
 * tallies (pools without accounts, the tests' pools). */
static int target_met(const hc_threshold_options *o, double recall, double arr_recall,
                      double precision, double value)
{
    switch (o->objective) {
    case HC_THRESHOLD_RECALL:
        return recall >= o->target;
    case HC_THRESHOLD_ARR_RECALL:
        return arr_recall >= o->target;
    case HC_THRESHOLD_PRECISION:
        return precision >= o->target;
    case HC_THRESHOLD_VALUE:
        return value > 0;
    case HC_THRESHOLD_CAPACITY:
        return 0; /* needs scoring dates: never searched without them */
    }
    return 0;
}

/* Rates of a tally: share flagged, precision, recall, ARR recall and the
 * value of flagging; NaN where the denominator is 0. */
static void rates(const hc_threshold_options *o, size_t rows, size_t churners,
                  size_t red_rows, size_t red_churners, double carr, double red_carr,
                  double *share, double *precision, double *recall, double *arr_recall,
                  double *value)
{
    *share = rows ? (double)red_rows / (double)rows : NAN;
    *precision = red_rows ? (double)red_churners / (double)red_rows : NAN;
    *recall = churners ? (double)red_churners / (double)churners : NAN;
    *arr_recall = carr > 0 ? red_carr / carr : NAN;
    *value = o->save_rate * red_carr - o->cost * (double)red_rows;
}

/* The red band of rows [b, e) of the pool under cuts[0]: its tallies. */
static void score_rows(const hc_backtest_result *res, const double *H, size_t b, size_t e,
                       double red_cut, hc_backtest_nested_fold *nf)
{
    const double *y = res->pooled_y, *arr = res->pooled_arr;
    for (size_t i = b; i < e; i++) {
        int churn = y[i] == 1.0, red = H[i] < red_cut;
        double a = arr ? arr[i] : 0.0;
        nf->rows++;
        nf->churners += churn;
        nf->churned_arr += churn ? a : 0.0;
        nf->red_rows += red;
        nf->red_churners += red && churn;
        nf->red_churned_arr += red && churn ? a : 0.0;
    }
}

/* The account figures of a tally: counts and the rates, NaN where the
 * denominator is 0. */
static void account_rates(const hc_threshold_options *o, const hc_bt_tally *t,
                          size_t *accounts, size_t *red_accounts, size_t *churned,
                          size_t *caught, double *churned_arr, double *caught_arr,
                          double *recall, double *precision, double *arr_recall,
                          double *value, size_t *dates, double *mean, size_t *max)
{
    *accounts = t->accounts;
    *red_accounts = t->red_accounts;
    *churned = t->churned;
    *caught = t->caught;
    *churned_arr = t->churned_arr;
    *caught_arr = t->caught_arr;
    *recall = t->churned ? (double)t->caught / (double)t->churned : NAN;
    *precision = t->red_accounts ? (double)t->caught / (double)t->red_accounts : NAN;
    *arr_recall = t->churned_arr > 0 ? t->caught_arr / t->churned_arr : NAN;
    *value = o->save_rate * t->caught_arr - o->cost * (double)t->red_rows;
    *dates = t->dates;
    *mean = t->dates ? (double)t->red_rows / (double)t->dates : NAN;
    *max = t->per_date_max;
}

/* This fold's test rows [b, e) under its red cut, in accounts. */
static void score_accounts(const hc_backtest_result *res, const hc_threshold_options *to,
                           const hc_bt_units *u, hc_bt_account_scratch *s, const double *H,
                           size_t b, size_t e, hc_backtest_nested_fold *nf)
{
    hc_bt_tally t;
    memset(&t, 0, sizeof t);
    hc_bt_tally_add(res, u, s, b, e, NULL, H, nf->cuts[0], to, &t);
    hc_bt_tally_end(u, s, &t);
    account_rates(to, &t, &nf->accounts, &nf->red_accounts, &nf->churned_accounts,
                  &nf->red_churned_accounts, &nf->churned_arr_accounts,
                  &nf->red_churned_arr_accounts, &nf->account_recall,
                  &nf->account_precision, &nf->account_arr_recall, &nf->account_value,
                  &nf->dates, &nf->red_per_date_mean, &nf->red_per_date_max);
    nf->red_per_date_share_max = t.dates ? t.per_date_share_max : NAN;
    nf->objective = hc_bt_tally_objective(to, &t);
    nf->met = hc_bt_tally_met(to, &t, nf->objective);
}

/* The scored folds together in accounts: each row red under its own
 * fold's cut, an account caught when any of its churner rows was. */
static void together_accounts(hc_backtest_result *res, const hc_threshold_options *to,
                              const hc_bt_units *u, hc_bt_account_scratch *s,
                              const double *H)
{
    hc_backtest_nested *nt = &res->nested;
    hc_bt_tally t;
    memset(&t, 0, sizeof t);
    size_t start = 0, k = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        if (!res->folds[f].used)
            continue;
        size_t n_f = res->folds[f].n_test;
        while (k < nt->n_folds && nt->folds[k].fold < f)
            k++;
        if (k < nt->n_folds && nt->folds[k].fold == f && nt->folds[k].ok)
            hc_bt_tally_add(res, u, s, start, start + n_f, NULL, H, nt->folds[k].cuts[0],
                            to, &t);
        start += n_f;
    }
    hc_bt_tally_end(u, s, &t);
    account_rates(to, &t, &nt->accounts, &nt->red_accounts, &nt->churned_accounts,
                  &nt->red_churned_accounts, &nt->churned_arr_accounts,
                  &nt->red_churned_arr_accounts, &nt->account_recall,
                  &nt->account_precision, &nt->account_arr_recall, &nt->account_value,
                  &nt->dates, &nt->red_per_date_mean, &nt->red_per_date_max);
}

hc_status hc_bt_nested_thresholds(hc_backtest_result *res, const hc_threshold_options *to,
                                  int have_arr, const hc_bt_units *u,
                                  hc_bt_account_scratch *s, hc_error *err)
{
    hc_backtest_nested *nt = &res->nested;
    memset(nt, 0, sizeof *nt);
    size_t used = res->folds_used;
    if (used < 2)
        return HC_OK; /* nothing earlier to choose on */
    if (!(nt->folds = calloc(used - 1, sizeof *nt->folds)))
        return hc_error_nomem(err);
    const double *H = res->configs[res->primary].health;
    const double *arr = have_arr ? res->pooled_arr : NULL;
    size_t start = 0, seen = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        if (!res->folds[f].used)
            continue;
        size_t n_f = res->folds[f].n_test;
        if (seen++ == 0) {
            start += n_f;
            continue;
        }
        hc_backtest_nested_fold *nf = &nt->folds[nt->n_folds++];
        nf->fold = f;
        nf->chosen_on = start;
        hc_threshold_result tr;
        hc_error e;
        hc_error_clear(&e);
        hc_threshold_accounts acc;
        if (u)
            hc_bt_units_search(u, res->pooled_row, &acc);
        hc_status st = hc_thresholds_search_accounts(H, res->pooled_y, arr, start, to,
                                                     u ? &acc : NULL, &tr, &e);
        if (st == HC_OK) {
            nf->ok = 1;
            nf->n_cuts = tr.n_bands - 1;
            memcpy(nf->cuts, tr.cuts, nf->n_cuts * sizeof *nf->cuts);
            hc_threshold_result_release(&tr);
            score_rows(res, H, start, start + n_f, nf->cuts[0], nf);
            rates(to, nf->rows, nf->churners, nf->red_rows, nf->red_churners,
                  nf->churned_arr, nf->red_churned_arr, &nf->share_flagged,
                  &nf->precision, &nf->recall, &nf->arr_recall, &nf->value);
            /* The target counted as the search counts it: in accounts. */
            if (u)
                score_accounts(res, to, u, s, H, start, start + n_f, nf);
            else
                nf->met = target_met(to, nf->recall, nf->arr_recall, nf->precision,
                                     nf->value);
            nt->scored++;
            nt->met += nf->met != 0;
            nt->rows += nf->rows;
            nt->churners += nf->churners;
            nt->red_rows += nf->red_rows;
            nt->red_churners += nf->red_churners;
            nt->churned_arr += nf->churned_arr;
            nt->red_churned_arr += nf->red_churned_arr;
        } else if (hc_bt_is_skip(st) || st == HC_EUSAGE) {
            snprintf(nf->note, sizeof nf->note, "no cut points on the %zu earlier rows: %.200s",
                     start, e.message);
            nf->share_flagged = nf->precision = nf->recall = nf->arr_recall = nf->value = NAN;
            nf->account_recall = nf->account_precision = nf->account_arr_recall = NAN;
            nf->account_value = nf->red_per_date_mean = nf->red_per_date_share_max = NAN;
            nf->objective = NAN;
        } else {
            *err = e;
            return st;
        }
        start += n_f;
    }
    rates(to, nt->rows, nt->churners, nt->red_rows, nt->red_churners, nt->churned_arr,
          nt->red_churned_arr, &nt->share_flagged, &nt->precision, &nt->recall,
          &nt->arr_recall, &nt->value);
    if (u)
        together_accounts(res, to, u, s, H);
    res->has_nested = nt->scored > 0;
    return HC_OK;
}
