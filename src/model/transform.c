/* transform.c - metric transforms to 0-100 sub-scores and learning quantile cuts. */
#include "hc_sort.h"
#include "hc_model.h"
#include "model_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *hc_transform_type_name(hc_transform_type type)
{
    switch (type) {
    case HC_TF_IDENTITY: return "identity";
    case HC_TF_LINEAR: return "linear";
    case HC_TF_LOG: return "log";
    case HC_TF_PIECEWISE: return "piecewise";
    case HC_TF_QUANTILE: return "quantile";
    case HC_TF_CATEGORICAL: return "categorical";
    }
    return "unknown";
}

void hc_transform_init(hc_transform *tf)
{
    memset(tf, 0, sizeof *tf);
    tf->type = HC_TF_IDENTITY;
    tf->higher_is_healthier = 1;
}

void hc_transform_release(hc_transform *tf)
{
    if (!tf)
        return;
    free(tf->px);
    free(tf->ps);
    free(tf->cuts);
    hc_categorical_free(tf->cat);
    hc_transform_init(tf);
}

hc_status hc_transform_copy(hc_transform *dst, const hc_transform *src,
                            hc_error *err)
{
    *dst = *src;
    dst->px = dup_doubles(src->px, src->n_points);
    dst->ps = dup_doubles(src->ps, src->n_points);
    dst->cuts = dup_doubles(src->cuts, HC_QUANTILE_CUTS);
    dst->cat = src->cat ? hc_categorical_dup(src->cat) : NULL;
    if ((src->px && !dst->px) || (src->ps && !dst->ps) ||
        (src->cuts && !dst->cuts) || (src->cat && !dst->cat)) {
        free(dst->px);
        free(dst->ps);
        free(dst->cuts);
        hc_categorical_free(dst->cat);
        hc_transform_init(dst);
        return hc_error_nomem(err);
    }
    return HC_OK;
}

hc_status hc_transform_validate(const hc_transform *tf, const char *path,
                                const char *file, hc_error *err)
{
    switch (tf->type) {
    case HC_TF_IDENTITY:
        return HC_OK;
    case HC_TF_LINEAR:
    case HC_TF_LOG:
        if (!isfinite(tf->low))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.low: must be a finite number", path);
        if (!isfinite(tf->high))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.high: must be a finite number", path);
        if (tf->type == HC_TF_LOG && tf->low < 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.low: must be >= 0 for a log transform "
                                "(got %.17g)", path, tf->low);
        if (!(tf->low < tf->high))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.low: must be less than high (low %.17g, "
                                "high %.17g)", path, tf->low, tf->high);
        if (!isfinite(tf->high - tf->low))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.high: high - low overflows", path);
        if (tf->higher_is_healthier != 0 && tf->higher_is_healthier != 1)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.higher_is_healthier: must be true or "
                                "false", path);
        return HC_OK;
    case HC_TF_PIECEWISE:
        if (tf->n_points < 2 || !tf->px || !tf->ps)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.points: needs at least 2 points", path);
        for (size_t i = 0; i < tf->n_points; i++) {
            if (!isfinite(tf->px[i]))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.points[%zu][0]: must be a finite "
                                    "number", path, i);
            if (!(tf->ps[i] >= 0 && tf->ps[i] <= 100))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.points[%zu][1]: score must be in "
                                    "[0, 100] (got %.17g)", path, i,
                                    tf->ps[i]);
            if (i > 0 && !(tf->px[i] > tf->px[i - 1]))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.points[%zu][0]: x must be strictly "
                                    "increasing (%.17g after %.17g)", path, i,
                                    tf->px[i], tf->px[i - 1]);
        }
        return HC_OK;
    case HC_TF_QUANTILE:
        if (tf->higher_is_healthier != 0 && tf->higher_is_healthier != 1)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.higher_is_healthier: must be true or "
                                "false", path);
        if (!tf->cuts)
            return HC_OK;
        for (size_t i = 0; i < HC_QUANTILE_CUTS; i++) {
            if (!isfinite(tf->cuts[i]))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.cuts[%zu]: must be a finite number",
                                    path, i);
            if (i > 0 && tf->cuts[i] < tf->cuts[i - 1])
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.cuts[%zu]: cuts must be "
                                    "non-decreasing (%.17g after %.17g)",
                                    path, i, tf->cuts[i], tf->cuts[i - 1]);
        }
        return HC_OK;
    case HC_TF_CATEGORICAL:
        return hc_categorical_validate(tf->cat, path, file, err);
    }
    return hc_error_set(err, HC_EDATA, file, 0, 0, "%s.type: unknown type",
                        path);
}

/* Clamped linear score; written so that NaN propagates (comparisons with
 * NaN are false, so NaN falls through both clamps). */
static inline double lin_score(double x, double low, double range,
                               int higher)
{
    /* Dividing before scaling makes x == high give exactly 100. */
    double s = 100.0 * ((x - low) / range);
    if (s < 0.0)
        s = 0.0;
    else if (s > 100.0)
        s = 100.0;
    return higher ? s : 100.0 - s;
}

static inline double clamp100(double x)
{
    if (x < 0.0)
        return 0.0;
    if (x > 100.0)
        return 100.0;
    return x;
}

static double piecewise_score(const hc_transform *tf, double x)
{
    const double *px = tf->px, *ps = tf->ps;
    size_t n = tf->n_points;
    if (isnan(x))
        return x;
    if (x <= px[0])
        return ps[0];
    if (x >= px[n - 1])
        return ps[n - 1];
    /* Binary search for the segment px[lo] < x < px[hi] (or equal ends). */
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (px[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    if (x == px[lo])
        return ps[lo];
    double t = (x - px[lo]) / (px[hi] - px[lo]);
    return ps[lo] + t * (ps[hi] - ps[lo]);
}

/* Mid-rank interpolated empirical CDF on the 99 cuts (see hc_model.h). */
static double quantile_score(const double *c, double x, int higher)
{
    if (isnan(x))
        return x;
    double s;
    if (x < c[0])
        s = 0.0;
    else if (x > c[HC_QUANTILE_CUTS - 1])
        s = 100.0;
    else {
        /* lo = first index with c[lo] >= x; up = first index with c[up] > x. */
        size_t a = 0, b = HC_QUANTILE_CUTS;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if (c[mid] < x)
                a = mid + 1;
            else
                b = mid;
        }
        size_t lo = a;
        b = HC_QUANTILE_CUTS;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if (c[mid] <= x)
                a = mid + 1;
            else
                b = mid;
        }
        size_t up = a;
        if (up > lo) {
            /* x equals the tied cuts lo..up-1 (ranks lo+1..up). */
            s = 0.5 * (double)(lo + up + 1);
        } else {
            /* c[lo-1] < x < c[lo]; lo >= 1 since x >= c[0]. */
            double x0 = c[lo - 1], x1 = c[lo];
            s = (double)lo + (x - x0) / (x1 - x0);
        }
    }
    return higher ? s : 100.0 - s;
}

double hc_transform_apply(const hc_transform *tf, double x)
{
    double out;
    hc_transform_apply_array(tf, &x, 1, &out);
    return out;
}

void hc_transform_apply_array(const hc_transform *tf, const double *x,
                              size_t n, double *out)
{
    switch (tf->type) {
    case HC_TF_IDENTITY:
        for (size_t i = 0; i < n; i++)
            out[i] = clamp100(x[i]);
        return;
    case HC_TF_LINEAR: {
        double low = tf->low, range = tf->high - tf->low;
        int higher = tf->higher_is_healthier;
        for (size_t i = 0; i < n; i++)
            out[i] = lin_score(x[i], low, range, higher);
        return;
    }
    case HC_TF_LOG: {
        double low = tf->low, llow = log1p(tf->low);
        double range = log1p(tf->high) - llow;
        int higher = tf->higher_is_healthier;
        for (size_t i = 0; i < n; i++) {
            double v = x[i];
            /* x below low (including x < 0, where log1p is undefined for
             * x <= -1) clamps to low, i.e. a score of 0 before reversal. */
            double lv = v < low ? llow : log1p(v);
            out[i] = lin_score(lv, llow, range, higher);
        }
        return;
    }
    case HC_TF_PIECEWISE:
        for (size_t i = 0; i < n; i++)
            out[i] = piecewise_score(tf, x[i]);
        return;
    case HC_TF_QUANTILE:
        if (!tf->cuts) {
            for (size_t i = 0; i < n; i++)
                out[i] = NAN;
            return;
        }
        for (size_t i = 0; i < n; i++)
            out[i] = quantile_score(tf->cuts, x[i], tf->higher_is_healthier);
        return;
    case HC_TF_CATEGORICAL:
        /* Levels are text: scoring maps the column's codes once per table
         * (hc_categorical_code_map); a number has no level. */
        break;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = NAN;
}

hc_status hc_transform_learn_quantiles(hc_transform *tf, const double *x,
                                       const size_t *rows, size_t n,
                                       hc_error *err)
{
    if (tf->type != HC_TF_QUANTILE)
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "cannot learn quantile cuts for a %s transform",
                            hc_transform_type_name(tf->type));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[rows ? rows[i] : i]))
            m++;
    if (m == 0)
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "cannot learn quantile cuts: no non-missing "
                            "value among %zu training rows", n);
    double *v = malloc(m * sizeof *v);
    double *cuts = malloc(HC_QUANTILE_CUTS * sizeof *cuts);
    if (!v || !cuts) {
        free(v);
        free(cuts);
        return hc_error_nomem(err);
    }
    m = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[rows ? rows[i] : i];
        if (!isnan(xi))
            v[m++] = xi;
    }
    hc_sort_by_double_key(v, m, sizeof *v);
    /* R's quantile(type = 7) exactly as stats:::quantile.default computes
     * it: index = 1 + (n - 1) p, lo = floor, hi = ceiling,
     * q = (1 - h) x[lo] + h x[hi] with h = index - lo, unless x[hi] == x[lo]. */
    for (size_t j = 0; j < HC_QUANTILE_CUTS; j++) {
        double p = (double)(j + 1) / 100.0;
        double index = 1.0 + (double)(m - 1) * p;
        double flo = floor(index), fhi = ceil(index);
        size_t lo = (size_t)flo - 1, hi = (size_t)fhi - 1;
        double q = v[lo];
        if (index > flo && v[hi] != q) {
            double h = index - flo;
            q = (1.0 - h) * q + h * v[hi];
        }
        /* Guard against a one-ulp inversion between neighbouring cuts. */
        if (j > 0 && q < cuts[j - 1])
            q = cuts[j - 1];
        cuts[j] = q;
    }
    free(v);
    free(tf->cuts);
    tf->cuts = cuts;
    return HC_OK;
}
