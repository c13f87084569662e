/* recalibration.c - the maps that recalibrate P(churn): Platt (logistic on the logit) and isotonic (pool-adjacent-violators), their checks, fits and application. */
#include "hc_model.h"

#include "hc_logreg.h"
#include "hc_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The Platt map clips p as the log loss and the calibration metrics do
 * (HC_METRICS_CLIP_EPS), so that validate's calibration slope is measured
 * on the very logit the map uses. */
#define CLIP_EPS HC_METRICS_CLIP_EPS

/* sklearn's _make_unique merges x values closer than
 * np.finfo(float64).resolution. */
#define ISO_TIE_EPS 1e-15

const char *hc_recal_method_name(hc_recal_method method)
{
    switch (method) {
    case HC_RECAL_PLATT: return "platt";
    case HC_RECAL_ISOTONIC: return "isotonic";
    case HC_RECAL_NONE: break;
    }
    return "none";
}

int hc_recal_method_parse(const char *name, hc_recal_method *method)
{
    if (strcmp(name, "platt") == 0)
        *method = HC_RECAL_PLATT;
    else if (strcmp(name, "isotonic") == 0)
        *method = HC_RECAL_ISOTONIC;
    else if (strcmp(name, "none") == 0)
        *method = HC_RECAL_NONE;
    else
        return -1;
    return 0;
}

void hc_recal_init(hc_recalibration *r)
{
    memset(r, 0, sizeof *r);
    r->method = HC_RECAL_NONE;
}

void hc_recal_release(hc_recalibration *r)
{
    if (!r)
        return;
    free(r->x);
    free(r->y);
    hc_recal_init(r);
}

hc_status hc_recal_copy(hc_recalibration *dst, const hc_recalibration *src,
                        hc_error *err)
{
    *dst = *src;
    dst->x = dst->y = NULL;
    if (src->method != HC_RECAL_ISOTONIC || !src->x)
        return HC_OK;
    size_t n = src->n_points ? src->n_points : 1;
    dst->x = malloc(n * sizeof *dst->x);
    dst->y = malloc(n * sizeof *dst->y);
    if (!dst->x || !dst->y) {
        hc_recal_release(dst);
        return hc_error_nomem(err);
    }
    memcpy(dst->x, src->x, src->n_points * sizeof *dst->x);
    memcpy(dst->y, src->y, src->n_points * sizeof *dst->y);
    return HC_OK;
}

hc_status hc_recal_validate(const hc_recalibration *r, const char *path,
                            const char *file, hc_error *err)
{
    switch (r->method) {
    case HC_RECAL_PLATT:
        if (!isfinite(r->a))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.a: must be a finite number", path);
        if (!isfinite(r->b) || !(r->b > 0))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.b: must be a finite number > 0 (got %.17g): "
                                "a slope <= 0 would reverse or flatten the "
                                "ranking of the accounts", path, r->b);
        return HC_OK;
    case HC_RECAL_ISOTONIC:
        if (r->n_points < 2 || !r->x || !r->y)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.x: needs at least 2 points (got %zu)", path,
                                r->x && r->y ? r->n_points : 0);
        for (size_t j = 0; j < r->n_points; j++) {
            if (!isfinite(r->x[j]) || r->x[j] < 0 || r->x[j] > 1)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.x[%zu]: must be a probability in [0, 1] "
                                    "(got %.17g)", path, j, r->x[j]);
            if (!isfinite(r->y[j]) || r->y[j] < 0 || r->y[j] > 1)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.y[%zu]: must be a probability in [0, 1] "
                                    "(got %.17g)", path, j, r->y[j]);
            if (j > 0 && !(r->x[j] > r->x[j - 1]))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.x[%zu]: must be greater than x[%zu] "
                                    "(%.17g <= %.17g): x is strictly increasing",
                                    path, j, j - 1, r->x[j], r->x[j - 1]);
            if (j > 0 && r->y[j] < r->y[j - 1])
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.y[%zu]: must not be less than y[%zu] "
                                    "(%.17g < %.17g): an isotonic map is "
                                    "non-decreasing", path, j, j - 1, r->y[j],
                                    r->y[j - 1]);
        }
        return HC_OK;
    case HC_RECAL_NONE:
        break;
    }
    return hc_error_set(err, HC_EDATA, file, 0, 0,
                        "%s.method: must be \"platt\" or \"isotonic\"", path);
}

/* Numerically stable logistic function. */
static double logistic(double eta)
{
    if (eta >= 0)
        return 1.0 / (1.0 + exp(-eta));
    double e = exp(eta);
    return e / (1.0 + e);
}

static double clipped_logit(double p)
{
    const double eps = CLIP_EPS;
    double q = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
    return log(q / (1 - q));
}

/* np.interp(clip(p, x_1, x_n), x, y): the segment [x_j, x_j+1] holding p
 * by bisection, then fp[j] + slope (p - xp[j]) as numpy computes it. */
static double isotonic_apply(const hc_recalibration *r, double p)
{
    const double *x = r->x, *y = r->y;
    size_t n = r->n_points;
    if (p <= x[0])
        return y[0];
    if (p >= x[n - 1])
        return y[n - 1];
    size_t lo = 0, hi = n - 1; /* x[lo] < p < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= p)
            lo = mid;
        else
            hi = mid;
    }
    if (p == x[lo])
        return y[lo];
    double slope = (y[lo + 1] - y[lo]) / (x[lo + 1] - x[lo]);
    return slope * (p - x[lo]) + y[lo];
}

double hc_recal_apply(const hc_recalibration *r, double p)
{
    if (isnan(p))
        return p;
    switch (r->method) {
    case HC_RECAL_PLATT: return logistic(r->a + r->b * clipped_logit(p));
    case HC_RECAL_ISOTONIC: return isotonic_apply(r, p);
    case HC_RECAL_NONE: break;
    }
    return p;
}

void hc_recal_apply_array(const hc_recalibration *r, const double *p,
                          size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = hc_recal_apply(r, p[i]);
}

/* The input checks both fits share: y 0/1, p a probability, both classes. */
static hc_status check_input(const double *y, const double *p, size_t n,
                             const char *what, hc_error *err)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] == 0 || y[i] == 1))
            return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                                "%s recalibration: outcome %zu is %g, not 0 or 1",
                                what, i, y[i]);
        if (!(p[i] >= 0 && p[i] <= 1))
            return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                                "%s recalibration: prediction %zu is %g, not a "
                                "probability in [0, 1]", what, i, p[i]);
        pos += y[i] == 1;
    }
    if (pos == 0 || pos == n)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "%s recalibration needs churners and retained rows: "
                            "the %zu holdout rows have %zu churners", what, n, pos);
    return HC_OK;
}

hc_status hc_recal_fit_platt(const double *y, const double *p, size_t n,
                             hc_recalibration *out, hc_error *err)
{
    hc_recal_init(out);
    hc_status st = check_input(y, p, n, "platt", err);
    if (st != HC_OK)
        return st;
    double *x = malloc(n * sizeof *x);
    if (!x)
        return hc_error_nomem(err);
    int distinct = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = clipped_logit(p[i]);
        distinct |= x[i] != x[0];
    }
    if (!distinct) {
        free(x);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "platt recalibration needs at least two distinct "
                            "predictions: all %zu holdout rows have p = %g", n, p[0]);
    }
    static const char *const names[] = {"logit(p)"};
    const double *cols[1] = {x};
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = n;
    prob.p = 1;
    prob.cols = cols;
    prob.y = y;
    prob.names = names;
    prob.event_name = "churners";
    hc_logreg_result res;
    st = hc_logreg_fit(&prob, &res, err);
    free(x);
    if (st != HC_OK)
        return st;
    double a = res.coef[0], b = res.coef[1];
    hc_logreg_result_release(&res);
    if (!(b > 0) || !isfinite(a))
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "platt recalibration: the fitted slope on logit(p) is "
                            "%.4g <= 0, so the predictions do not rank the "
                            "holdout's churners above its retained accounts; no "
                            "monotone recalibration can help", b);
    out->method = HC_RECAL_PLATT;
    out->a = a;
    out->b = b;
    return HC_OK;
}

/* Sorts indexes by p, then y (np.lexsort((y, X))). */
typedef struct {
    double p, y;
    size_t i;
} iso_row;

static int iso_cmp(const void *pa, const void *pb)
{
    const iso_row *a = pa, *b = pb;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* sklearn's _inplace_contiguous_isotonic_regression (1.2), line for line:
 * y and w are overwritten by the fitted values and pooled weights; target
 * (n entries) is workspace. */
static void pav(double *y, double *w, size_t n, size_t *target)
{
    for (size_t i = 0; i < n; i++)
        target[i] = i;
    size_t i = 0;
    while (i < n) {
        size_t k = target[i] + 1;
        if (k == n)
            break;
        if (y[i] < y[k]) {
            i = k;
            continue;
        }
        double sum_wy = w[i] * y[i], sum_w = w[i];
        for (;;) {
            /* Within a decreasing run. */
            double prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = target[k] + 1;
            if (k == n || prev_y < y[k]) {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                target[i] = k - 1;
                target[k - 1] = i;
                if (i > 0)
                    i = target[i - 1]; /* backtrack: one pass, O(n) */
                break;
            }
        }
    }
    for (i = 0; i < n;) {
        size_t k = target[i] + 1;
        for (size_t j = i + 1; j < k; j++)
            y[j] = y[i];
        i = k;
    }
}

hc_status hc_recal_fit_isotonic(const double *y, const double *p, size_t n,
                                hc_recalibration *out, double *fitted,
                                hc_error *err)
{
    hc_recal_init(out);
    hc_status st = check_input(y, p, n, "isotonic", err);
    if (st != HC_OK)
        return st;
    iso_row *rows = malloc(n * sizeof *rows);
    double *ux = malloc(n * sizeof *ux);
    double *uy = malloc(n * sizeof *uy);
    double *uw = malloc(n * sizeof *uw);
    size_t *target = malloc(n * sizeof *target);
    size_t *group = malloc(n * sizeof *group);
    if (!rows || !ux || !uy || !uw || !target || !group) {
        st = hc_error_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        rows[i] = (iso_row){p[i], y[i], i};
    qsort(rows, n, sizeof *rows, iso_cmp);
    /* _make_unique: runs of x within ISO_TIE_EPS of the run's first x
     * become one point, at that first x, with the mean y and the count as
     * its weight. */
    size_t m = 0;
    double sum_y = 0, sum_w = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == 0 || rows[j].p - ux[m - 1] >= ISO_TIE_EPS) {
            if (j > 0) {
                uy[m - 1] = sum_y / sum_w;
                uw[m - 1] = sum_w;
            }
            ux[m++] = rows[j].p;
            sum_y = sum_w = 0;
        }
        sum_y += rows[j].y;
        sum_w += 1;
        group[rows[j].i] = m - 1;
    }
    uy[m - 1] = sum_y / sum_w;
    uw[m - 1] = sum_w;
    if (m < 2) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "isotonic recalibration needs at least two distinct "
                          "predictions: all %zu holdout rows have p = %g", n, p[0]);
        goto done;
    }
    pav(uy, uw, m, target);
    if (fitted)
        for (size_t i = 0; i < n; i++)
            fitted[i] = uy[group[i]];
    /* Only the first and last point of each run of equal fitted values
     * (sklearn's trim_duplicates): the interpolation is the same. */
    size_t k = 0;
    for (size_t j = 0; j < m; j++) {
        int keep = j == 0 || j == m - 1 || uy[j] != uy[j - 1] || uy[j] != uy[j + 1];
        if (keep) {
            ux[k] = ux[j];
            uy[k] = uy[j];
            k++;
        }
    }
    out->x = realloc(ux, k * sizeof *ux);
    out->y = realloc(uy, k * sizeof *uy);
    if (!out->x)
        out->x = ux;
    if (!out->y)
        out->y = uy;
    ux = uy = NULL;
    out->n_points = k;
    out->method = HC_RECAL_ISOTONIC;
    st = HC_OK;
done:
    free(rows);
    free(ux);
    free(uy);
    free(uw);
    free(target);
    free(group);
    return st;
}
