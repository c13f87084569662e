/* metrics_curves.c - rank metrics read from the top score down: average precision, KS, lift and capture, and the points of ROC, PR and gains curves. */
#include "hc_metrics.h"
#include "rank_pairs.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

hc_status hc_metrics_average_precision(const double *y, const double *score,
                                       size_t n, double *ap, hc_error *err)
{
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    hc_rank_pair *v = hc_rank_pairs(y, score, NULL, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    *ap = hc_rank_average_precision(v, n, npos);
    free(v);
    return HC_OK;
}

hc_status hc_metrics_ks(const double *y, const double *score, size_t n,
                        double *ks, double *threshold, hc_error *err)
{
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    hc_rank_pair *v = hc_rank_pairs(y, score, NULL, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    *ks = hc_rank_ks(v, n, npos, threshold);
    free(v);
    return HC_OK;
}

hc_status hc_metrics_lift(const double *y, const double *score, size_t n,
                          double fraction, double *lift, double *capture,
                          hc_error *err)
{
    if (!(fraction > 0.0 && fraction <= 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "lift fraction %g is not in (0, 1]", fraction);
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    hc_rank_pair *v = hc_rank_pairs(y, score, NULL, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    size_t k = hc_metrics_top_count(n, fraction);
    double cap = hc_rank_top_positives(v, n, (double)k) / (double)npos;
    free(v);
    if (capture)
        *capture = cap;
    if (lift)
        *lift = cap * (double)n / (double)k;
    return HC_OK;
}

size_t hc_metrics_top_count(size_t n, double fraction)
{
    if (!(fraction > 0.0))
        return n ? 1 : 0;
    if (fraction >= 1.0)
        return n;
    double kf = fraction * (double)n, whole = nearbyint(kf);
    if (fabs(kf - whole) <= 1e-9 * fmax(1.0, kf))
        kf = whole;
    size_t k = (size_t)ceil(kf);
    return k < 1 ? (n ? 1 : 0) : k > n ? n : k;
}

hc_status hc_metrics_top_decile(const double *y, const double *score,
                                size_t n, double *lift, double *capture,
                                hc_error *err)
{
    return hc_metrics_lift(y, score, n, 0.1, lift, capture, err);
}

void hc_metrics_curve_release(hc_metrics_curve *curve)
{
    if (!curve)
        return;
    free(curve->x);
    free(curve->y);
    free(curve->threshold);
    curve->x = curve->y = curve->threshold = NULL;
    curve->n = 0;
}

hc_status hc_metrics_curve_compute(hc_metrics_curve_kind kind, const double *y,
                                   const double *score, size_t n,
                                   size_t max_points, hc_metrics_curve *out,
                                   hc_error *err)
{
    return hc_metrics_curve_compute_ranked(kind, y, score, NULL, n, max_points, out, err);
}

/* The index among the `total` points of a curve of kept point m. */
static size_t curve_point(size_t m, size_t total, size_t max_points, int thin)
{
    return thin ? (size_t)((double)m * (double)(total - 1) / (double)(max_points - 1) + 0.5)
                : m;
}

/* The scores in ascending order with their outcomes: read through the
 * caller's ranking when there is one (no copy: a curve of millions of
 * rows would otherwise hold 16 bytes a row while another is made beside
 * it), else pairs sorted here. */
typedef struct {
    const hc_rank_pair *pairs;        /* or NULL */
    const hc_metrics_ranked *ranked;  /* when pairs is NULL */
    const double *y;
} curve_view;

static inline double view_s(const curve_view *cv, size_t k)
{
    return cv->pairs ? cv->pairs[k].s : cv->ranked[k].s;
}

static inline int view_positive(const curve_view *cv, size_t k)
{
    return (cv->pairs ? cv->pairs[k].y : cv->y[cv->ranked[k].i]) == 1.0;
}

hc_status hc_metrics_curve_compute_ranked(hc_metrics_curve_kind kind, const double *y,
                                          const double *score,
                                          const hc_metrics_ranked *ranked, size_t n,
                                          size_t max_points, hc_metrics_curve *out,
                                          hc_error *err)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    if (kind != HC_CURVE_ROC && kind != HC_CURVE_PR && kind != HC_CURVE_GAINS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "unknown curve kind %d", (int)kind);
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos = 0;
    hc_rank_pair *v = NULL;
    if (ranked) {
        for (size_t i = 0; i < n; i++)
            npos += y[i] == 1.0;
    } else if (!(v = hc_rank_pairs(y, score, NULL, n, &npos))) {
        return hc_error_nomem(err);
    }
    curve_view cv = {v, ranked, y};
    size_t groups = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && view_s(&cv, j) == view_s(&cv, i))
            j++;
        groups++;
        i = j;
    }
    size_t total = groups + 1;
    /* Thinned to max_points evenly spaced by index, both ends kept
     * (indexes strictly increase because total > max_points): only the
     * points kept are stored, as they come. */
    int thin = max_points >= 2 && total > max_points;
    size_t keep = thin ? max_points : total;
    double *x = malloc(keep * sizeof *x), *yy = malloc(keep * sizeof *yy);
    double *th = malloc(keep * sizeof *th);
    if (!x || !yy || !th) {
        free(v);
        free(x);
        free(yy);
        free(th);
        return hc_error_nomem(err);
    }
    double P = (double)npos, N = (double)(n - npos), tp = 0, fp = 0;
    size_t m = 0, next = curve_point(0, total, max_points, thin);
    if (next == 0) {
        x[0] = 0.0;
        yy[0] = kind == HC_CURVE_PR ? 1.0 : 0.0;
        th[0] = INFINITY;
        m = 1;
        next = m < keep ? curve_point(m, total, max_points, thin) : SIZE_MAX;
    }
    size_t k = 1;
    for (size_t j = n; j > 0; k++) {
        size_t i = j - 1;
        while (i > 0 && view_s(&cv, i - 1) == view_s(&cv, j - 1))
            i--;
        size_t a = 0;
        for (size_t q = i; q < j; q++)
            a += (size_t)view_positive(&cv, q);
        tp += (double)a;
        fp += (double)((j - i) - a);
        if (k == next) {
            th[m] = view_s(&cv, i);
            switch (kind) {
            case HC_CURVE_ROC:
                x[m] = fp / N;
                yy[m] = tp / P;
                break;
            case HC_CURVE_PR:
                x[m] = tp / P;
                yy[m] = tp / (tp + fp);
                break;
            case HC_CURVE_GAINS:
                x[m] = (tp + fp) / (double)n;
                yy[m] = tp / P;
                break;
            }
            m++;
            next = m < keep ? curve_point(m, total, max_points, thin) : SIZE_MAX;
        }
        j = i;
    }
    free(v);
    total = keep;
    out->n = total;
    out->x = x;
    out->y = yy;
    out->threshold = th;
    return HC_OK;
}
