/* model_seasonal.c - seasonal adjustment of a metric against its calendar-month baseline: the rule, learning it on training rows, applying it. */
#include "hc_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc_date.h"

static const char *const MONTHS[12] = {"January", "February", "March",     "April",
                                       "May",     "June",     "July",      "August",
                                       "September", "October", "November", "December"};

const char *hc_seasonal_method_name(hc_season_method method)
{
    return method == HC_SEASON_DIFFERENCE ? "difference" : "ratio";
}

int hc_seasonal_method_parse(const char *name, hc_season_method *method)
{
    if (strcmp(name, "ratio") == 0)
        *method = HC_SEASON_RATIO;
    else if (strcmp(name, "difference") == 0)
        *method = HC_SEASON_DIFFERENCE;
    else
        return -1;
    return 0;
}

hc_seasonal *hc_seasonal_new(void)
{
    hc_seasonal *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->method = HC_SEASON_RATIO;
    s->learn = 1;
    for (int i = 0; i < 12; i++)
        s->baseline[i] = NAN;
    s->overall = NAN;
    return s;
}

hc_status hc_seasonal_validate(const hc_seasonal *s, const char *path, const char *file,
                               hc_error *err)
{
    if (!s->has_baseline) {
        if (!s->learn)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.baseline: missing, and learn is false (set 12 "
                                "monthly baselines, or let fit learn them)", path);
        return HC_OK;
    }
    int ratio = s->method == HC_SEASON_RATIO;
    if (!isfinite(s->overall) || (ratio && !(s->overall > 0)))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.overall: must be a finite number%s (got %.17g)", path,
                            ratio ? " > 0 for the ratio method" : "", s->overall);
    for (int i = 0; i < 12; i++) {
        double b = s->baseline[i];
        if (isnan(b))
            continue; /* no baseline: factor 1 */
        if (!isfinite(b) || (ratio && !(b > 0)))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.baseline[%d] (%s): must be a finite number%s or "
                                "null (got %.17g)", path, i, MONTHS[i],
                                ratio ? " > 0 for the ratio method (use \"method\": "
                                        "\"difference\" for a metric that can be 0)"
                                      : "",
                                b);
    }
    return HC_OK;
}

/* The month index 0..11 of a day number, -1 for a missing date. */
static int month_of(int32_t day)
{
    if (day == HC_DATE_MISSING)
        return -1;
    int y, mo, d;
    hc_date_to_civil(day, &y, &mo, &d);
    return mo - 1;
}

void hc_seasonal_adjust(const hc_seasonal *s, const int32_t *date, size_t n, double *x)
{
    if (!s || !s->has_baseline)
        return;
    double f[12];
    for (int i = 0; i < 12; i++) {
        double b = s->baseline[i];
        if (isnan(b))
            f[i] = s->method == HC_SEASON_RATIO ? 1.0 : 0.0;
        else
            f[i] = s->method == HC_SEASON_RATIO ? s->overall / b : b - s->overall;
    }
    int32_t last = HC_DATE_MISSING;
    int mo = -1;
    for (size_t i = 0; i < n; i++) {
        if (date[i] != last) { /* snapshot dates repeat: one civil conversion per run */
            last = date[i];
            mo = month_of(last);
        }
        if (mo < 0 || isnan(x[i]))
            continue;
        x[i] = s->method == HC_SEASON_RATIO ? x[i] * f[mo] : x[i] - f[mo];
    }
}

/* The k-th smallest of v[0..n) (k < n), reordering v: quickselect with a
 * three-way partition (metrics repeat values a lot: rounded counts, rates
 * to 2 decimals) around the median of three. O(n) expected. */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th is in v[lo..hi) */
    while (hi - lo > 1) {
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        double p = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t lt = lo, i = lo, gt = hi; /* [lo,lt) < p, [lt,i) == p, [gt,hi) > p */
        while (i < gt) {
            double x = v[i];
            if (x < p) {
                v[i++] = v[lt];
                v[lt++] = x;
            } else if (x > p) {
                v[i] = v[--gt];
                v[gt] = x;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return p;
    }
    return v[lo];
}

/* The median of v[0..n) (n > 0), reordering v. For an even n, the mean of
 * the two middle values: after selecting the upper one, the lower is the
 * largest of the part before it. */
static double median(double *v, size_t n)
{
    size_t h = n / 2;
    double up = select_kth(v, n, h);
    if (n % 2)
        return up;
    double low = v[0];
    for (size_t i = 1; i < h; i++)
        low = v[i] > low ? v[i] : low;
    return 0.5 * (low + up);
}

hc_status hc_seasonal_learn(hc_seasonal *s, const double *x, const int32_t *date,
                            size_t n, hc_error *err)
{
    double *all = malloc((n ? n : 1) * sizeof *all);
    double *by = malloc((n ? n : 1) * sizeof *by);
    unsigned char *mo = malloc(n ? n : 1);
    if (!all || !by || !mo) {
        free(all);
        free(by);
        free(mo);
        return hc_error_nomem(err);
    }
    /* The values with a value and a date, and their months. */
    size_t m = 0, count[12] = {0};
    int32_t last = HC_DATE_MISSING;
    int k_last = -1;
    for (size_t i = 0; i < n; i++) {
        if (date[i] != last) { /* snapshot dates repeat in runs */
            last = date[i];
            k_last = month_of(last);
        }
        if (isnan(x[i]) || k_last < 0)
            continue;
        mo[m] = (unsigned char)k_last;
        all[m++] = x[i];
        count[k_last]++;
    }
    hc_status st = HC_OK;
    double base[12], overall = NAN;
    if (m == 0) {
        st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                          "seasonal baseline: no training row has a value");
        goto done;
    }
    /* Grouped by month into `by` (a counting sort), then each month's
     * median; `all` keeps every value for the overall one. */
    size_t start[12], at[12], o = 0;
    for (int k = 0; k < 12; k++) {
        start[k] = at[k] = o;
        o += count[k];
    }
    for (size_t i = 0; i < m; i++)
        by[at[mo[i]]++] = all[i];
    for (int k = 0; k < 12; k++) {
        size_t c = count[k];
        base[k] = c ? median(by + start[k], c) : NAN;
        if (c && s->method == HC_SEASON_RATIO && !(base[k] > 0)) {
            st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                              "seasonal baseline: the %s median of the training rows "
                              "is %g, and the ratio method needs a positive one (use "
                              "\"method\": \"difference\")", MONTHS[k], base[k]);
            goto done;
        }
    }
    overall = median(all, m);
    if (s->method == HC_SEASON_RATIO && !(overall > 0)) {
        st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                          "seasonal baseline: the median of the training rows is %g, "
                          "and the ratio method needs a positive one (use \"method\": "
                          "\"difference\")", overall);
        goto done;
    }
    memcpy(s->baseline, base, sizeof base);
    s->overall = overall;
    s->has_baseline = 1;
done:
    free(all);
    free(by);
    free(mo);
    return st;
}

/* The snapshot day of rows rows[0..n) (NULL: 0..n-1) of `t` into a new array. */
static hc_status row_dates(const hc_model *m, const hc_table *t, const size_t *rows,
                           size_t n, int32_t **out, hc_error *err)
{
    int c;
    *out = NULL;
    hc_status st = hc_model_find_column(m, t, "columns.snapshot_date", m->columns.snapshot_date,
                                        HC_COL_DATE, 1, &c, err);
    if (st != HC_OK)
        return st;
    int32_t *d = malloc((n ? n : 1) * sizeof *d);
    if (!d)
        return hc_error_nomem(err);
    for (size_t i = 0; i < n; i++)
        d[i] = t->cols[c].code[rows ? rows[i] : i];
    *out = d;
    return HC_OK;
}

hc_status hc_model_learn_seasons(hc_model *m, const hc_table *t, const size_t *rows,
                                 size_t n, hc_error *err)
{
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            hc_metric *mt = &m->components[k].metrics[j];
            if (!mt->seasonal || !mt->seasonal->learn)
                continue;
            double *x = malloc((n ? n : 1) * sizeof *x);
            int32_t *d = NULL;
            if (!x)
                return hc_error_nomem(err);
            hc_status st = hc_model_metric_inputs(m, k, j, t, rows, n, x, err);
            if (st == HC_OK)
                st = row_dates(m, t, rows, n, &d, err);
            hc_error e;
            hc_error_clear(&e);
            if (st == HC_OK && (st = hc_seasonal_learn(mt->seasonal, x, d, n, &e)) != HC_OK)
                hc_error_set(err, st, m->source, 0, 0,
                             "components[%zu].metrics[%zu].seasonal: column '%s': %s", k,
                             j, mt->column, e.message);
            free(x);
            free(d);
            if (st != HC_OK)
                return st;
        }
    return HC_OK;
}

hc_status hc_model_metric_values(const hc_model *m, size_t k, size_t j,
                                 const hc_table *t, const size_t *rows, size_t n,
                                 double *out, hc_error *err)
{
    hc_status st = hc_model_metric_inputs(m, k, j, t, rows, n, out, err);
    const hc_seasonal *s = m->components[k].metrics[j].seasonal;
    if (st != HC_OK || !s || !s->has_baseline)
        return st;
    int32_t *d;
    if ((st = row_dates(m, t, rows, n, &d, err)) != HC_OK)
        return st;
    hc_seasonal_adjust(s, d, n, out);
    free(d);
    return HC_OK;
}
