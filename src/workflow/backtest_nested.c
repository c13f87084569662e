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

/* Whether the objective's target holds for a red band with these tallies. */
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

hc_status hc_bt_nested_thresholds(hc_backtest_result *res, const hc_threshold_options *to,
                                  int have_arr, hc_error *err)
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
        hc_status st = hc_thresholds_search(H, res->pooled_y, arr, start, to, &tr, &e);
        if (st == HC_OK) {
            nf->ok = 1;
            nf->n_cuts = tr.n_bands - 1;
            memcpy(nf->cuts, tr.cuts, nf->n_cuts * sizeof *nf->cuts);
            hc_threshold_result_release(&tr);
            score_rows(res, H, start, start + n_f, nf->cuts[0], nf);
            rates(to, nf->rows, nf->churners, nf->red_rows, nf->red_churners,
                  nf->churned_arr, nf->red_churned_arr, &nf->share_flagged,
                  &nf->precision, &nf->recall, &nf->arr_recall, &nf->value);
            nf->met = target_met(to, nf->recall, nf->arr_recall, nf->precision, nf->value);
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
        } else {
            *err = e;
            return st;
        }
        start += n_f;
    }
    rates(to, nt->rows, nt->churners, nt->red_rows, nt->red_churners, nt->churned_arr,
          nt->red_churned_arr, &nt->share_flagged, &nt->precision, &nt->recall,
          &nt->arr_recall, &nt->value);
    res->has_nested = nt->scored > 0;
    return HC_OK;
}
