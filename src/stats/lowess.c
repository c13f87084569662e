/* lowess.c - Cleveland's (1979) lowess smoother with R's lowess() arithmetic, its local fits shared between threads. */
#include "hc_sort.h"
#include "hc_metrics.h"
#include "lowess.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The most threads the local fits of one pass are shared between. */
#define LOWESS_MAX_THREADS 8

/* The tricube weight of point x at distance from xs, times its
 * robustness weight rw (1 when rw is NULL), with R's lowest rules: weight 1
 * within 0.001 h, 0 beyond 0.999 h. The same operations in every pass of
 * lowess_point, so each pass sees the same weight bit for bit. */
static inline double lowess_weight(double x, double xs, double h, double h1, double h9,
                                   double rw)
{
    double r = fabs(x - xs);
    if (r > h9)
        return 0.0;
    double w = 1.0;
    if (r > h1) {
        double q = r / h;
        double t = 1.0 - q * q * q;
        w = t * t * t;
    }
    return w * rw;
}

/* Points whose tricube weights are computed together (lowess_block). */
#define LW_BLOCK 32

/* The tricube weights (lowess_weight with rw 1) of x[0..LW_BLOCK) into w:
 * the same operations as lowess_weight on every point, two points to an
 * instruction where the compiler has vector types (each lane rounds as
 * the scalar operation does: the same values bit for bit; the choice of
 * 1 within h1 and 0 beyond h9 by masks). For h = 0 the quotient is not
 * finite but never chosen (r is 0 within the window, so the weight is 1;
 * beyond it, 0). */
#if defined(__GNUC__)
typedef double lw_v2d __attribute__((vector_size(16)));
typedef long long lw_v2l __attribute__((vector_size(16)));

static void lowess_block(const double *x, double xs, double h, double h1, double h9,
                         double *w)
{
    const lw_v2d vxs = {xs, xs}, vh = {h, h}, vh1 = {h1, h1}, vh9 = {h9, h9};
    const lw_v2d one = {1.0, 1.0};
    const lw_v2l mag = {INT64_MAX, INT64_MAX};
    for (size_t k = 0; k < LW_BLOCK; k += 2) {
        lw_v2d xv;
        memcpy(&xv, x + k, sizeof xv);
        lw_v2d r = (lw_v2d)((lw_v2l)(xv - vxs) & mag);
        lw_v2d q = r / vh;
        lw_v2d t = one - q * q * q;
        lw_v2d v = t * t * t;
        lw_v2l in1 = (lw_v2l)(r > vh1), out9 = (lw_v2l)(r > vh9);
        lw_v2l bits = (((lw_v2l)v & in1) | ((lw_v2l)one & ~in1)) & ~out9;
        memcpy(w + k, &bits, sizeof bits);
    }
}
#else
static void lowess_block(const double *x, double xs, double h, double h1, double h9,
                         double *w)
{
    for (size_t k = 0; k < LW_BLOCK; k++)
        w[k] = lowess_weight(x[k], xs, h, h1, h9, 1.0);
}
#endif

/* The tricube weights of x[j..j+m) into w (m <= LW_BLOCK). A block of
 * tied points (sorted x: its ends are equal), as discrete scores give,
 * takes one weight: the weight is a function of x alone. */
static void lowess_weights(const double *x, size_t j, size_t m, double xs, double h,
                           double h1, double h9, double *w)
{
    if (m > 0 && x[j] == x[j + m - 1]) {
        double v = lowess_weight(x[j], xs, h, h1, h9, 1.0);
        for (size_t k = 0; k < m; k++)
            w[k] = v;
        return;
    }
    if (m == LW_BLOCK) {
        lowess_block(x + j, xs, h, h1, h9, w);
        return;
    }
    for (size_t k = 0; k < m; k++)
        w[k] = lowess_weight(x[j + k], xs, h, h1, h9, 1.0);
}

/* The end of the window of xs from nleft: the first j >= nleft with x[j]
 * beyond xs by more than h9 (ties beyond nright are picked up), n if
 * none. The test is false up to xs and then monotone in x (a rounded
 * difference from xs grows with x), so it is found by bisection. */
static size_t lowess_end(const double *x, size_t n, double xs, double h9, size_t nleft)
{
    size_t lo = nleft, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fabs(x[mid] - xs) > h9 && x[mid] > xs)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The local fit at xs over the neighbourhood [nleft, nright] (0-based) of
 * ascending x: tricube weights (times robustness weights rw when given),
 * then a weighted straight line unless the points are too bunched.
 * Cleveland (1979), with the tie and near-zero rules of R's lowess. R
 * normalises the weights and then makes four more passes over the window;
 * the same weighted line is computed here from sums in two passes (the
 * window spans 2n/3 points, so passes are what costs), which changes the
 * result only by rounding (~1e-16). The second pass computes the weights
 * again rather than keeping them (2n/3 doubles per thread, which were the
 * largest part of a smooth of millions of rows): the same arithmetic, so
 * the same values. Returns 1 with the fit in *ys, 0 when every weight is 0
 * (the caller keeps y). */
static int lowess_point(const double *x, const double *y, size_t n, double xs,
                        size_t nleft, size_t nright, const double *rw, double *ys)
{
    double range = x[n - 1] - x[0];
    double h = fmax(xs - x[nleft], x[nright] - xs);
    double h9 = 0.999 * h, h1 = 0.001 * h;
    double s0 = 0.0, s1 = 0.0, sy = 0.0;
    double wb[LW_BLOCK];
    /* The weights in blocks; the sums in the one order of the points. */
    size_t end = lowess_end(x, n, xs, h9, nleft);
    for (size_t j = nleft; j < end;) {
        size_t m = end - j < LW_BLOCK ? end - j : LW_BLOCK;
        lowess_weights(x, j, m, xs, h, h1, h9, wb);
        for (size_t k = 0; k < m; k++, j++) {
            double wj = rw ? wb[k] * rw[j] : wb[k];
            s0 += wj;
            s1 += wj * x[j];
            sy += wj * y[j];
        }
    }
    if (s0 <= 0.0)
        return 0;
    double fit = sy / s0;
    if (h > 0.0) {
        /* Weighted centre, spread and covariance with y. */
        double a = s1 / s0, c = 0.0, d = 0.0;
        for (size_t j = nleft; j < end;) {
            size_t m = end - j < LW_BLOCK ? end - j : LW_BLOCK;
            lowess_weights(x, j, m, xs, h, h1, h9, wb);
            for (size_t k = 0; k < m; k++, j++) {
                double wj = rw ? wb[k] * rw[j] : wb[k];
                double dx = x[j] - a;
                c += wj * dx * dx;
                d += wj * dx * y[j];
            }
        }
        c /= s0;
        d /= s0;
        if (sqrt(c) > 0.001 * range)
            fit += (xs - a) / c * d;
    }
    *ys = fit;
    return 1;
}

/* The next point lowess fits after `last` (which may move on over ties of
 * x[last]), as R's lowest loop does; *last gets the last tie. Depends on
 * x and delta only. */
static size_t lowess_next(const double *x, size_t n, double delta, size_t *last)
{
    double cut = x[*last] + delta;
    size_t i;
    for (i = *last + 1; i < n; i++) {
        if (x[i] > cut)
            break;
        if (x[i] == x[*last])
            *last = i;
    }
    return *last + 1 > i - 1 ? *last + 1 : i - 1;
}

/* The fits at anchors[0..na) (points lowess fits exactly) into fits, each
 * with the window sliding from the left as in the sequential loop: the
 * window of a point does not depend on where the sliding starts, as long
 * as it starts at or left of it (the test is monotone in the window). */
typedef struct {
    const double *x, *y, *rw;
    size_t n, ns;
    const size_t *anchors;
    size_t na;
    double *fits;      /* na: the fit of anchors[a] */
} lowess_part;

static void *lowess_fit_part(void *arg)
{
    lowess_part *p = arg;
    size_t nleft = 0, nright = p->ns - 1;
    for (size_t a = 0; a < p->na; a++) {
        size_t i = p->anchors[a];
        while (nright < p->n - 1 &&
               p->x[i] - p->x[nleft] > p->x[nright + 1] - p->x[i]) {
            nleft++;
            nright++;
        }
        if (!lowess_point(p->x, p->y, p->n, p->x[i], nleft, nright, p->rw, &p->fits[a]))
            p->fits[a] = p->y[i];
    }
    return NULL;
}

/* The points lowess fits exactly (anchors) and their fits, on `threads`
 * threads (1 or less: the calling thread alone), when there are few of
 * them (delta spaces them out: the fits are what costs, the rest is
 * linear): the anchors are listed first and the fits split into as many
 * runs of consecutive anchors as there are threads. Each run slides its
 * window from the left (lowess_fit_part), so the fits are the same
 * whatever the thread count. Returns 0 with *anchors and *fits (na each, the caller
 * frees), -1 when the sequential loop should run instead (too many
 * anchors), -2 when out of memory. */
static int lowess_anchor_fits(const double *x, const double *y, size_t n, size_t ns,
                              double delta, const double *rw, int threads,
                              size_t **anchors_out, double **fits_out, size_t *na_out)
{
    size_t na = 0, last = 0, i = 0;
    for (;;) {
        na++;
        last = i;
        i = lowess_next(x, n, delta, &last);
        if (last >= n - 1 || na > n / 64)
            break;
    }
    if (na > n / 64 || na < 2)
        return -1;
    size_t *anchors = malloc(na * sizeof *anchors);
    double *fits = malloc(na * sizeof *fits);
    if (!anchors || !fits) {
        free(anchors);
        free(fits);
        return -2;
    }
    na = 0;
    last = 0;
    i = 0;
    for (;;) {
        anchors[na++] = i;
        last = i;
        i = lowess_next(x, n, delta, &last);
        if (last >= n - 1)
            break;
    }
    size_t np = threads < 1 ? 1 : threads > LOWESS_MAX_THREADS ? LOWESS_MAX_THREADS
                                                                : (size_t)threads;
    if (np > na)
        np = na;
    lowess_part parts[LOWESS_MAX_THREADS];
    for (size_t k = 0; k < np; k++) {
        size_t a0 = na / np * k + na % np * k / np; /* floor(na k / np) */
        size_t a1 = na / np * (k + 1) + na % np * (k + 1) / np;
        parts[k] = (lowess_part){x, y, rw, n, ns, anchors + a0, a1 - a0, fits + a0};
    }
    pthread_t th[LOWESS_MAX_THREADS];
    int started[LOWESS_MAX_THREADS] = {0};
    for (size_t k = 1; k < np; k++)
        started[k] = pthread_create(&th[k], NULL, lowess_fit_part, &parts[k]) == 0;
    lowess_fit_part(&parts[0]);
    for (size_t k = 1; k < np; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            lowess_fit_part(&parts[k]);
    }
    *anchors_out = anchors;
    *fits_out = fits;
    *na_out = na;
    return 0;
}

/* Every point's lowess value from the anchors' fits, as the sequential
 * loop makes it (interpolation between fitted points, ties of a fitted
 * point), into dst[k] for sorted point k, or into dst[o[k].i] (row order)
 * when o is given: the values stream out, no sorted copy is kept. */
static void lowess_fill(const double *x, size_t n, double delta, const size_t *anchors,
                        const double *fits, size_t na, const hc_metrics_ranked *o,
                        double *dst)
{
    long prev = -1;
    double prev_fit = 0.0;
    for (size_t a = 0; a < na; a++) {
        size_t i = anchors[a];
        double fi = fits[a];
        if (prev < (long)i - 1) {
            double denom = x[i] - x[prev];
            for (size_t j = (size_t)(prev + 1); j < i; j++) {
                double alpha = (x[j] - x[prev]) / denom;
                dst[o ? o[j].i : j] = alpha * fi + (1.0 - alpha) * prev_fit;
            }
        }
        dst[o ? o[i].i : i] = fi;
        size_t last = i;
        double cut = x[last] + delta;
        for (size_t k = last + 1; k < n && x[k] <= cut; k++)
            if (x[k] == x[last]) {
                dst[o ? o[k].i : k] = fi;
                last = k;
            }
        prev = (long)last;
        prev_fit = fi;
    }
}

/* One pass of lowess over every point into ys (sorted order) by the
 * anchors, their fits on `threads` threads; the values of the sequential
 * loop, which runs when this returns -1 (-2: out of memory). */
static int lowess_pass(const double *x, const double *y, size_t n, size_t ns,
                       double delta, const double *rw, int threads, double *ys)
{
    size_t *anchors, na;
    double *fits;
    int rc = lowess_anchor_fits(x, y, n, ns, delta, rw, threads, &anchors, &fits, &na);
    if (rc != 0)
        return rc;
    lowess_fill(x, n, delta, anchors, fits, na, NULL, ys);
    free(anchors);
    free(fits);
    return 0;
}

/* Lowess on ascending x into ys: fits at points at least delta apart
 * (on `threads` threads when they are few, lowess_pass) and interpolates
 * linearly between them; `iter` robustness passes with bisquare weights
 * on 6 MAD. Workspaces rw, res, scratch hold n each; with iter 0 they are
 * unused (and may be NULL). Returns 0, or -1 when out of memory. */
static int lowess_sorted(const double *x, const double *y, size_t n,
                         double f, int iter, double delta, int threads, double *ys,
                         double *rw, double *res, double *scratch)
{
    if (n < 2) {
        ys[0] = y[0];
        return 0;
    }
    double fn = f * (double)n + 1e-7;
    size_t ns = fn >= (double)n ? n : (size_t)fn;
    if (ns < 2)
        ns = 2;
    int nomem = 0;
    for (int it = 1; it <= iter + 1; it++) {
        int spaced = lowess_pass(x, y, n, ns, delta, it > 1 ? rw : NULL, threads, ys);
        if (spaced == -2)
            nomem = 1;
        if (spaced == 0 || nomem)
            goto residuals;
        size_t nleft = 0, nright = ns - 1, i = 0;
        long last = -1; /* index of the previous fitted point */
        for (;;) {
            if (nright < n - 1) {
                /* Slide the window right while that narrows it. */
                double d1 = x[i] - x[nleft], d2 = x[nright + 1] - x[i];
                if (d1 > d2) {
                    nleft++;
                    nright++;
                    continue;
                }
            }
            if (!lowess_point(x, y, n, x[i], nleft, nright, it > 1 ? rw : NULL, &ys[i]))
                ys[i] = y[i];
            if (last < (long)i - 1) {
                double denom = x[i] - x[last];
                for (size_t j = (size_t)(last + 1); j < i; j++) {
                    double alpha = (x[j] - x[last]) / denom;
                    ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[last];
                }
            }
            last = (long)i;
            double cut = x[last] + delta;
            for (i = (size_t)last + 1; i < n; i++) {
                if (x[i] > cut)
                    break;
                if (x[i] == x[last]) {
                    ys[i] = ys[last];
                    last = (long)i;
                }
            }
            i = (size_t)last + 1 > i - 1 ? (size_t)last + 1 : i - 1;
            if ((size_t)last >= n - 1)
                break;
        }
    residuals:
        if (nomem || it > iter)
            break; /* the residuals only feed the robustness weights */
        double sc = 0.0;
        for (size_t k = 0; k < n; k++) {
            res[k] = y[k] - ys[k];
            sc += fabs(res[k]);
        }
        sc /= (double)n;
        for (size_t k = 0; k < n; k++)
            scratch[k] = fabs(res[k]);
        hc_sort_by_double_key(scratch, n, sizeof *scratch);
        size_t m1 = n / 2;
        double cmad = n % 2 == 0 ? 3.0 * (scratch[m1] + scratch[n - m1 - 1])
                                 : 6.0 * scratch[m1];
        if (cmad < 1e-7 * sc)
            break;
        double c9 = 0.999 * cmad, c1 = 0.001 * cmad;
        for (size_t k = 0; k < n; k++) {
            double r = fabs(res[k]);
            if (r <= c1) {
                rw[k] = 1.0;
            } else if (r <= c9) {
                double q = r / cmad;
                rw[k] = (1.0 - q * q) * (1.0 - q * q);
            } else {
                rw[k] = 0.0;
            }
        }
    }
    return nomem ? -1 : 0;
}

double *hc_lowess_sorted(const double *y, const hc_metrics_ranked *ranked, size_t n,
                         double f, double delta, int threads, hc_error *err)
{
    if (n == 0 || !(f > 0.0)) {
        hc_error_set(err, n ? HC_EUSAGE : HC_ENUMERIC, NULL, 0, 0, "%s",
                     n ? "lowess needs a span f > 0" : "no points to smooth");
        return NULL;
    }
    double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        hc_error_nomem(err);
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        xs[k] = ranked[k].s;
        ys[k] = y[ranked[k].i];
    }
    if (delta < 0.0)
        delta = 0.01 * (xs[n - 1] - xs[0]);
    double fn = f * (double)n + 1e-7;
    size_t ns = fn >= (double)n ? n : (size_t)fn;
    if (ns < 2)
        ns = 2;
    size_t *anchors, na;
    double *fits;
    int rc = n >= 2 ? lowess_anchor_fits(xs, ys, n, ns, delta, NULL, threads, &anchors,
                                         &fits, &na)
                    : -1;
    if (rc == 0) {
        /* The fill reads x and the anchors' fits only: y's copy takes it. */
        lowess_fill(xs, n, delta, anchors, fits, na, NULL, ys);
        free(anchors);
        free(fits);
        free(xs);
        return ys;
    }
    double *out = rc == -1 ? malloc(n * sizeof *out) : NULL;
    if (out && lowess_sorted(xs, ys, n, f, 0, delta, threads, out, NULL, NULL, NULL) != 0) {
        free(out);
        out = NULL;
    }
    if (!out)
        hc_error_nomem(err);
    free(xs);
    free(ys);
    return out;
}

hc_status hc_metrics_lowess(const double *x, const double *y, size_t n,
                            double f, int iter, double delta, double *fitted,
                            hc_error *err)
{
    return hc_lowess_ranked(x, y, NULL, n, f, iter, delta, HC_LOWESS_THREADS, fitted, err);
}

hc_status hc_lowess_ranked(const double *x, const double *y, const hc_metrics_ranked *ranked,
                           size_t n, double f, int iter, double delta, int threads,
                           double *fitted, hc_error *err)
{
    if (n == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no points to smooth");
    if (!(f > 0.0) || iter < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "lowess needs a span f > 0 and iter >= 0");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "lowess: point %zu is missing or not finite",
                                i);
    hc_metrics_ranked *own = ranked ? NULL : hc_metrics_rank(x, n);
    double *work = malloc(2 * n * sizeof *work);
    if ((!ranked && !own) || !work) {
        free(own);
        free(work);
        return hc_error_nomem(err);
    }
    const hc_metrics_ranked *o = ranked ? ranked : own;
    double *xs = work, *ys = work + n;
    for (size_t k = 0; k < n; k++) {
        xs[k] = o[k].s;
        ys[k] = y[o[k].i];
    }
    if (delta < 0.0)
        delta = 0.01 * (xs[n - 1] - xs[0]);
    double fn = f * (double)n + 1e-7;
    size_t ns = fn >= (double)n ? n : (size_t)fn;
    if (ns < 2)
        ns = 2;
    /* One pass with spaced fits (val.prob's smooth of millions of rows):
     * the fits at the anchors, then every value computed straight into
     * `fitted` in row order (which may be x or y: they are read through
     * their sorted copies only). No sorted copy of the result is kept. */
    if (iter == 0 && n >= 2) {
        size_t *anchors, na;
        double *fits;
        int rc = lowess_anchor_fits(xs, ys, n, ns, delta, NULL, threads, &anchors, &fits,
                                    &na);
        if (rc == 0) {
            lowess_fill(xs, n, delta, anchors, fits, na, o, fitted);
            free(anchors);
            free(fits);
            free(own);
            free(work);
            return HC_OK;
        }
        if (rc == -2) {
            free(own);
            free(work);
            return hc_error_nomem(err);
        }
    }
    /* Otherwise in sorted order into a buffer of our own first, so that x
     * or y may also be passed as `fitted`; robustness weights, residuals
     * and their sort for iter > 0. */
    double *w = malloc((iter > 0 ? 4 : 1) * n * sizeof *w);
    if (!w) {
        free(own);
        free(work);
        return hc_error_nomem(err);
    }
    double *out = w;
    int rc = lowess_sorted(xs, ys, n, f, iter, delta, threads, out,
                           iter > 0 ? w + n : NULL, iter > 0 ? w + 2 * n : NULL,
                           iter > 0 ? w + 3 * n : NULL);
    if (rc == 0)
        for (size_t k = 0; k < n; k++)
            fitted[o[k].i] = out[k];
    free(w);
    free(own);
    free(work);
    return rc == 0 ? HC_OK : hc_error_nomem(err);
}
