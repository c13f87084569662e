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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (n > 0), sorting v. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
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
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int k = month_of(date[i]);
        if (isnan(x[i]) || k < 0)
            continue;
        mo[m] = (unsigned char)k;
        by[m] = x[i];
        all[m++] = x[i];
    }
    hc_status st = HC_OK;
    double base[12], overall = NAN;
    if (m == 0) {
        st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                          "seasonal baseline: no training row has a value");
        goto done;
    }
    for (int k = 0; k < 12; k++) {
        size_t c = 0;
        for (size_t i = 0; i < m; i++)
            if (mo[i] == k)
                all[c++] = by[i];
        base[k] = c ? median(all, c) : NAN;
        if (c && s->method == HC_SEASON_RATIO && !(base[k] > 0)) {
            st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                              "seasonal baseline: the %s median of the training rows "
                              "is %g, and the ratio method needs a positive one (use "
                              "\"method\": \"difference\")", MONTHS[k], base[k]);
            goto done;
        }
    }
    memcpy(all, by, m * sizeof *all);
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
