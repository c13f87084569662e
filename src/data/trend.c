/* trend.c - a metric's change over each account's own last N days (difference, ratio, slope), from earlier rows only. */
#define _GNU_SOURCE /* qsort_r */
#include "hc_trend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *hc_trend_kind_name(hc_trend_kind kind)
{
    switch (kind) {
    case HC_TREND_NONE: return "none";
    case HC_TREND_DIFFERENCE: return "difference";
    case HC_TREND_RATIO: return "ratio";
    case HC_TREND_SLOPE: return "slope";
    }
    return "unknown";
}

int hc_trend_kind_parse(const char *name, hc_trend_kind *kind)
{
    static const hc_trend_kind kinds[] = {HC_TREND_DIFFERENCE, HC_TREND_RATIO,
                                          HC_TREND_SLOPE};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(name, hc_trend_kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return 0;
        }
    return -1;
}

static int by_date_row(const void *a, const void *b, void *ctx)
{
    const int32_t *sort_date = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (sort_date[i] != sort_date[j])
        return sort_date[i] < sort_date[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* One account's rows run[0..m) in date order: the trend of each. */
static void account_trend(const uint32_t *run, size_t m, const int32_t *date,
                          const double *x, hc_trend_kind kind, int days, double *out)
{
    /* nb: how many rows of the run are dated on or before t - days; t
     * never decreases along the run, so nb only grows. */
    size_t nb = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t r = run[i];
        int32_t t = date[r];
        double xt = x[r];
        while (nb < i && (int64_t)date[run[nb]] <= (int64_t)t - days)
            nb++;
        int have_base = nb > 0;
        size_t base = have_base ? nb - 1 : 0;
        double v = NAN;
        if (have_base && !isnan(xt)) {
            double xb = x[run[base]];
            if (kind == HC_TREND_DIFFERENCE && !isnan(xb)) {
                v = xt - xb;
            } else if (kind == HC_TREND_RATIO && !isnan(xb) && xb != 0) {
                v = xt / xb - 1.0;
            } else if (kind == HC_TREND_SLOPE) {
                /* Centred least squares over rows base..i with a value. */
                double n = 0, md = 0, mx = 0;
                for (size_t j = base; j <= i; j++)
                    if (!isnan(x[run[j]])) {
                        n++;
                        md += (double)(date[run[j]] - t);
                        mx += x[run[j]];
                    }
                if (n >= 2) {
                    md /= n;
                    mx /= n;
                    double sxy = 0, sxx = 0;
                    for (size_t j = base; j <= i; j++)
                        if (!isnan(x[run[j]])) {
                            double dd = (double)(date[run[j]] - t) - md;
                            sxy += dd * (x[run[j]] - mx);
                            sxx += dd * dd;
                        }
                    if (sxx > 0)
                        v = (double)days * (sxy / sxx);
                }
            }
            if (!isfinite(v))
                v = NAN;
        }
        out[r] = v;
    }
}

hc_status hc_trend_compute(const hc_table *t, int id_col, int date_col, int x_col,
                           hc_trend_kind kind, int days, double *out, hc_error *err)
{
    if (id_col < 0 || (size_t)id_col >= t->n_cols || t->cols[id_col].type != HC_COL_TEXT ||
        date_col < 0 || (size_t)date_col >= t->n_cols ||
        t->cols[date_col].type != HC_COL_DATE || x_col < 0 || (size_t)x_col >= t->n_cols ||
        t->cols[x_col].type != HC_COL_NUM)
        return hc_error_set(err, HC_EUSAGE, t->source, 0, 0,
                            "trend: needs a text account column, a date column and a "
                            "numeric metric column");
    if (days < 1 || kind == HC_TREND_NONE)
        return hc_error_set(err, HC_EUSAGE, t->source, 0, 0,
                            "trend: the window must be at least 1 day");
    size_t n = t->n_rows;
    const hc_column *id = &t->cols[id_col];
    size_t k = id->pool ? hc_strpool_count(id->pool) : 0;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *start = calloc(k + 2, sizeof *start);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!order || !start || !x) {
        free(order);
        free(start);
        free(x);
        return hc_error_nomem(err);
    }
    hc_table_num_read(t, x_col, 0, n, x);
    /* Counting sort by account code (a missing id, -1, is its own group
     * at the end and gets no trend). */
    for (size_t r = 0; r < n; r++) {
        int32_t c = id->code[r];
        start[(c < 0 ? (int32_t)k : c) + 1]++;
    }
    for (size_t a = 0; a <= k; a++)
        start[a + 1] += start[a];
    uint32_t *fill = malloc((k + 1) * sizeof *fill);
    if (!fill) {
        free(order);
        free(start);
        free(x);
        return hc_error_nomem(err);
    }
    memcpy(fill, start, (k + 1) * sizeof *fill);
    for (size_t r = 0; r < n; r++) {
        int32_t c = id->code[r];
        order[fill[c < 0 ? (int32_t)k : c]++] = (uint32_t)r;
    }
    free(fill);
    const int32_t *date = t->cols[date_col].code;
    for (size_t a = 0; a <= k; a++) {
        uint32_t *run = order + start[a];
        size_t m = start[a + 1] - start[a];
        if (a == k) {
            for (size_t i = 0; i < m; i++)
                out[run[i]] = NAN;
            continue;
        }
        int sorted = 1;
        for (size_t i = 1; i < m && sorted; i++)
            sorted = date[run[i - 1]] <= date[run[i]];
        if (!sorted) {
            qsort_r(run, m, sizeof *run, by_date_row, (void *)date);
        }
        account_trend(run, m, date, x, kind, days, out);
    }
    free(order);
    free(start);
    free(x);
    return HC_OK;
}
