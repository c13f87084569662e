/* lead_time.c - how early the score warns: first red and below-green snapshots before each churn, and the share of churned accounts flagged 30, 60 and 90 days ahead (definitions in hc_lead_time.h). */
#include "hc_lead_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hc_metrics.h"

const int hc_lead_time_days[HC_LEAD_TIME_HORIZONS] = {30, 60, 90};

/* Per churned account: the first day in red and below green, and for each
 * horizon the latest row on or before churn - d (its day and band). */
typedef struct {
    int32_t first_red, first_below;
    int32_t at_day[HC_LEAD_TIME_HORIZONS];
    int32_t at_band[HC_LEAD_TIME_HORIZONS];
    unsigned char seen;
} lead_acc;

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Median and mean of the lead times of `ever` accounts (scratch `v`). */
static void summarise(int32_t *v, size_t ever, hc_lead_time_band *b)
{
    b->ever = ever;
    if (ever == 0) {
        b->median_days = b->mean_days = NAN;
        return;
    }
    qsort(v, ever, sizeof *v, cmp_int32);
    double s = 0.0;
    for (size_t i = 0; i < ever; i++)
        s += v[i];
    b->mean_days = s / (double)ever;
    b->median_days = ever % 2 ? v[ever / 2] : 0.5 * ((double)v[ever / 2 - 1] + v[ever / 2]);
}

static void shares(hc_lead_time_band *b)
{
    for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
        if (b->with_row[h] == 0) {
            b->share[h] = b->ci_low[h] = b->ci_high[h] = NAN;
            continue;
        }
        b->share[h] = (double)b->flagged[h] / (double)b->with_row[h];
        hc_metrics_wilson(b->flagged[h], b->with_row[h], 0.95, &b->ci_low[h], &b->ci_high[h]);
    }
}

hc_status hc_lead_time_compute(const int32_t *band, const int32_t *day,
                               const int32_t *account, size_t n, const int32_t *churn_day,
                               size_t n_accounts, size_t n_bands,
                               hc_lead_time_result *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (n_bands < 2)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "lead times need at least 2 bands, not %zu", n_bands);
    lead_acc *a = malloc((n_accounts ? n_accounts : 1) * sizeof *a);
    int32_t *v = malloc((n_accounts ? n_accounts : 1) * sizeof *v);
    if (!a || !v) {
        free(a);
        free(v);
        return hc_error_nomem(err);
    }
    for (size_t k = 0; k < n_accounts; k++) {
        a[k].first_red = a[k].first_below = INT32_MAX;
        for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++)
            a[k].at_day[h] = INT32_MIN;
        a[k].seen = 0;
    }
    int32_t top = (int32_t)n_bands - 1;
    for (size_t i = 0; i < n; i++) {
        int32_t k = account[i], b = band[i];
        if (k < 0 || (size_t)k >= n_accounts || b < 0 || b > top) {
            free(a);
            free(v);
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "row %zu: account code %d or band %d out of range", i,
                                (int)k, (int)b);
        }
        int32_t c = churn_day[k];
        if (c == HC_LEAD_TIME_NONE || day[i] >= c)
            continue;
        lead_acc *x = &a[k];
        x->seen = 1;
        if (b == 0 && day[i] < x->first_red)
            x->first_red = day[i];
        if (b < top && day[i] < x->first_below)
            x->first_below = day[i];
        for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++)
            if (day[i] <= c - hc_lead_time_days[h] && day[i] > x->at_day[h]) {
                x->at_day[h] = day[i];
                x->at_band[h] = b;
            }
    }
    size_t ever_red = 0, ever_below = 0;
    for (size_t k = 0; k < n_accounts; k++) {
        const lead_acc *x = &a[k];
        if (!x->seen)
            continue;
        out->churned_accounts++;
        if (x->first_red != INT32_MAX)
            ever_red++;
        if (x->first_below != INT32_MAX)
            ever_below++;
        for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
            if (x->at_day[h] == INT32_MIN)
                continue;
            out->red.with_row[h]++;
            out->below_green.with_row[h]++;
            out->red.flagged[h] += x->at_band[h] == 0;
            out->below_green.flagged[h] += x->at_band[h] < top;
        }
    }
    size_t q = 0;
    for (size_t k = 0; k < n_accounts; k++)
        if (a[k].seen && a[k].first_red != INT32_MAX)
            v[q++] = churn_day[k] - a[k].first_red;
    summarise(v, ever_red, &out->red);
    q = 0;
    for (size_t k = 0; k < n_accounts; k++)
        if (a[k].seen && a[k].first_below != INT32_MAX)
            v[q++] = churn_day[k] - a[k].first_below;
    summarise(v, ever_below, &out->below_green);
    shares(&out->red);
    shares(&out->below_green);
    free(a);
    free(v);
    return HC_OK;
}
