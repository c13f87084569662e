/* backtest_adequacy.c - whether the backtest's folds are enough to conclude: how many were used and how many churned accounts each test period holds (rules in hc_backtest.h). */
#include "hc_backtest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char no_fold[] =
    "no fold could be evaluated, so the backtest supports no conclusion";

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Appends printf output to buf at *len (truncating at cap). */
static void add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (k > 0)
        *len = *len + (size_t)k < cap ? *len + (size_t)k : cap - 1;
}

int hc_backtest_fold_adequacy_format(const hc_backtest_result *r, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    if (!r || !r->folds || r->folds_used == 0 || r->n_configs == 0) {
        if (cap)
            snprintf(buf, cap, "%s", no_fold);
        return 0;
    }
    size_t used = 0, small = 0, total = 0;
    int64_t test_days = 0;
    size_t *churned = malloc(r->plan.n_folds * sizeof *churned);
    for (size_t f = 0; f < r->plan.n_folds; f++) {
        const hc_backtest_fold *fold = &r->folds[f];
        if (!fold->used || !fold->cells)
            continue;
        size_t k = fold->cells[0].test_churned_accounts;
        if (churned)
            churned[used] = k;
        used++;
        total += k;
        small += k < HC_BACKTEST_ADEQUATE_CHURNED;
        const hc_backtest_fold_plan *fp = &r->plan.folds[f];
        int32_t end = fp->test_end < r->plan.last_date ? fp->test_end : r->plan.last_date;
        if (end >= fp->test_start)
            test_days += (int64_t)end - fp->test_start + 1;
    }
    int few = used < HC_BACKTEST_ADEQUATE_FOLDS;
    if (!few && small == 0) {
        free(churned);
        return 1;
    }
    size_t len = 0;
    add(buf, cap, &len, "the folds are too %s to conclude: ",
        few && small ? "few and too small" : few ? "few" : "small");
    if (few)
        add(buf, cap, &len,
            "only %zu fold%s %s used (of %zu planned), and at least %d are needed "
            "before a result that holds in every fold is more than chance (one-sided "
            "sign test: 0.5^%d = %.1f%%)",
            used, used == 1 ? "" : "s", used == 1 ? "was" : "were", r->plan.n_folds,
            HC_BACKTEST_ADEQUATE_FOLDS, HC_BACKTEST_ADEQUATE_FOLDS,
            100.0 * pow(0.5, HC_BACKTEST_ADEQUATE_FOLDS));
    if (small) {
        size_t fewest = 0, median2 = 0; /* twice the median */
        if (churned) {
            qsort(churned, used, sizeof *churned, cmp_size);
            fewest = churned[0];
            median2 = used % 2 ? 2 * churned[used / 2]
                               : churned[used / 2 - 1] + churned[used / 2];
        }
        add(buf, cap, &len,
            "%s%zu of %zu test periods hold fewer than %d churned accounts (fewest %zu, "
            "median %g), so a fold's AUC, recall and objective vote rest on a handful of "
            "accounts",
            few ? "; " : "", small, used, HC_BACKTEST_ADEQUATE_CHURNED, fewest,
            (double)median2 / 2.0);
    }
    free(churned);
    /* The step that would hold about 10 churned accounts per test period
     * at the churn rate seen, and the folds it leaves over the same span. */
    if (total > 0 && test_days > 0) {
        /* in whole days, rounded up to whole weeks (exact integers) */
        double per_day = (double)total / (double)test_days;
        int64_t need = ((int64_t)HC_BACKTEST_ADEQUATE_CHURNED * test_days + (int64_t)total - 1) /
                       (int64_t)total;
        need = (need + 6) / 7 * 7;
        int64_t span = (int64_t)r->plan.last_date - r->plan.folds[0].test_start + 1;
        int64_t folds = span / need;
        add(buf, cap, &len,
            ". At the test periods' %.2f churned accounts a day, a step of about %lld "
            "days (--step %lld) would hold %d per fold and leave %lld fold%s over the same "
            "test span",
            per_day, (long long)need, (long long)need, HC_BACKTEST_ADEQUATE_CHURNED,
            (long long)folds, folds == 1 ? "" : "s");
        if (folds < HC_BACKTEST_ADEQUATE_FOLDS)
            add(buf, cap, &len,
                ": the history holds too few churned accounts to conclude fold by fold; "
                "read the pooled intervals, which count every test period together");
    } else if (total == 0) {
        add(buf, cap, &len, "; no test period holds a churned account");
    }
    add(buf, cap, &len, ".");
    return 0;
}

const char *hc_backtest_fold_adequacy(const hc_backtest_result *r)
{
    if (!r || r->folds_used == 0)
        return no_fold;
    return r->adequacy[0] ? r->adequacy : NULL;
}
