/* backtest_plan.c - the backtest's folds: observations sorted by date, test periods stepped forward, training windows ending before the embargo. */
#include "hc_backtest.h"
#include "hc_date.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* First index i with date[i] >= d in the sorted dates. */
static size_t lower_bound(const int32_t *date, size_t n, int64_t d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)date[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void hc_backtest_plan_release(hc_backtest_plan *plan)
{
    if (!plan)
        return;
    free(plan->rows);
    free(plan->date);
    free(plan->folds);
    memset(plan, 0, sizeof *plan);
}

hc_status hc_backtest_plan_build(const hc_history *h, const hc_backtest_options *opt,
                                 hc_backtest_plan *plan, hc_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (opt->step_days <= 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the test step must be at least 1 day (got %d)",
                            opt->step_days);
    if (opt->window_days < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the training window cannot be negative (got %d)",
                            opt->window_days);
    const hc_snapshots *s = &h->snapshots;
    const int32_t *dates = s->table->cols[s->date_col].code;
    size_t n = h->labels.observations;
    plan->horizon = h->labels.horizon;
    plan->lead = h->labels.lead;
    /* The observations by date, ties in row order: a counting sort over
     * the days spanned (dates are days within years 1000 to 9999, so the
     * counts stay small), one pass to count and one to place. */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    size_t k = 0;
    for (size_t r = 0; r < s->table->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION) {
            lo = dates[r] < lo ? dates[r] : lo;
            hi = dates[r] > hi ? dates[r] : hi;
            k++;
        }
    n = k;
    if (n == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no labelled observations to backtest");
    if (s->table->n_rows > UINT32_MAX)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the backtest handles at most %lu snapshot rows",
                            (unsigned long)UINT32_MAX);
    size_t span = (size_t)((int64_t)hi - lo) + 1;
    size_t *start = calloc(span + 1, sizeof *start);
    plan->rows = malloc(n * sizeof *plan->rows);
    plan->date = malloc(n * sizeof *plan->date);
    if (!start || !plan->rows || !plan->date) {
        free(start);
        hc_backtest_plan_release(plan);
        return hc_error_nomem(err);
    }
    for (size_t r = 0; r < s->table->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION)
            start[(size_t)(dates[r] - lo) + 1]++;
    for (size_t d = 0; d < span; d++)
        start[d + 1] += start[d];
    for (size_t r = 0; r < s->table->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION) {
            size_t at = start[dates[r] - lo]++;
            plan->rows[at] = (uint32_t)r;
            plan->date[at] = dates[r];
        }
    free(start);
    plan->n_rows = n;
    plan->first_date = plan->date[0];
    plan->last_date = plan->date[n - 1];
    int64_t embargo = (int64_t)plan->horizon + plan->lead;
    int64_t step = opt->step_days, window = opt->window_days;
    /* The automatic first test: 26 weeks of training dates before the
     * embargo, or the whole window when it is shorter (hc_backtest.h). */
    int64_t warm = (int64_t)HC_BACKTEST_MIN_TRAIN_DAYS + embargo;
    int64_t t0 = opt->first_test != HC_DATE_MISSING
                     ? opt->first_test
                     : plan->first_date + (window > 0 && window < warm ? window : warm);
    size_t cap = t0 <= plan->last_date
                     ? (size_t)((plan->last_date - t0) / step + 1)
                     : 0;
    if (cap == 0) {
        char a[11], b[11], c[11];
        hc_date_format(plan->first_date, a);
        hc_date_format(plan->last_date, b);
        hc_date_format((int32_t)t0, c);
        hc_backtest_plan_release(plan);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the labelled history (observations %s to %s) is too "
                            "short for one fold: the first test period would start "
                            "on %s; use a shorter --window or --step", a, b, c);
    }
    plan->folds = calloc(cap, sizeof *plan->folds);
    if (!plan->folds) {
        hc_backtest_plan_release(plan);
        return hc_error_nomem(err);
    }
    for (size_t f = 0; f < cap; f++) {
        int64_t T = t0 + (int64_t)f * step;
        hc_backtest_fold_plan *fp = &plan->folds[f];
        int64_t tr_lo = window > 0 ? T - window : plan->first_date;
        int64_t tr_hi = T - embargo; /* exclusive: t < T - H - lead */
        fp->test_start = (int32_t)T;
        fp->test_end = (int32_t)(T + step - 1);
        fp->train_start = (int32_t)tr_lo;
        fp->train_end = (int32_t)(tr_hi - 1);
        fp->train_begin = lower_bound(plan->date, n, tr_lo);
        fp->train_stop = lower_bound(plan->date, n, tr_hi);
        if (fp->train_stop < fp->train_begin)
            fp->train_stop = fp->train_begin;
        fp->test_begin = lower_bound(plan->date, n, T);
        fp->test_stop = lower_bound(plan->date, n, T + step);
    }
    plan->n_folds = cap;
    return HC_OK;
}
