/* metrics_calibration.c - calibration metrics: Brier, log loss, logistic recalibration, lowess errors, ECE, reliability bins, Hosmer-Lemeshow. */
#include "hc_sort.h"
#include "hc_metrics.h"
#include "metrics_ranked.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "hc_logreg.h"

void hc_metrics_wilson(size_t k, size_t n, double level, double *lo,
                       double *hi)
{
    if (n == 0 || k > n) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    if (!(level > 0.0 && level < 1.0))
        level = 0.95;
    /* prop.test(k, n, correct = FALSE)'s arithmetic, so the numbers match R
     * to the last bits: centre p + z^2/2n, half-width
     * z sqrt(p(1-p)/n + z^2/4n^2), both over 1 + z^2/n. */
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    double dn = (double)n, p = (double)k / dn;
    double z22n = z * z / (2.0 * dn);
    double root = z * sqrt(p * (1.0 - p) / dn + z22n / (2.0 * dn));
    *hi = p >= 1.0 ? 1.0 : (p + z22n + root) / (1.0 + 2.0 * z22n);
    *lo = p <= 0.0 ? 0.0 : (p + z22n - root) / (1.0 + 2.0 * z22n);
}

double hc_metrics_quantile_sorted(const double *sorted, size_t n, double prob)
{
    if (n == 0)
        return 0.0;
    if (prob < 0.0)
        prob = 0.0;
    if (prob > 1.0)
        prob = 1.0;
    /* R: index <- 1 + (n - 1) * probs; lo <- floor(index); hi <- ceiling;
     * qs <- x[lo]; if (index > lo && x[hi] != qs)
     * qs <- (1 - h) * qs + h * x[hi], h = index - lo. */
    double index = 1.0 + (double)(n - 1) * prob;
    double lo = floor(index), hi = ceil(index);
    double qs = sorted[(size_t)lo - 1];
    double xh = sorted[(size_t)hi - 1];
    if (index > lo && xh != qs) {
        double h = index - lo;
        qs = (1.0 - h) * qs + h * xh;
    }
    return qs;
}

/* R's type-7 position of prob in n sorted values: the 1-based index and its
 * floor and ceiling, clamped as hc_metrics_quantile_sorted does. */
static double quantile_index(size_t n, double prob, size_t *lo, size_t *hi)
{
    if (prob < 0.0)
        prob = 0.0;
    if (prob > 1.0)
        prob = 1.0;
    double index = 1.0 + (double)(n - 1) * prob;
    *lo = (size_t)floor(index);
    *hi = (size_t)ceil(index);
    return index;
}

/* hc_metrics_quantiles, selecting in x's own storage when `in` is set
 * (hc_select_ranks_in: x gets its values back). */
static int quantiles(const double *x, double *in, size_t n, const double *probs,
                     size_t m, double *out)
{
    if (m == 0)
        return 0;
    if (n == 0) {
        for (size_t j = 0; j < m; j++)
            out[j] = 0.0;
        return 0;
    }
    size_t *ranks = calloc(2 * m + 1, sizeof *ranks);
    double *val = malloc((2 * m + 1) * sizeof *val);
    if (!ranks || !val) {
        free(ranks);
        free(val);
        return -1;
    }
    /* The order statistics every quantile needs, ascending and unique. */
    size_t nr = 0;
    for (size_t j = 0; j < m; j++) {
        size_t lo, hi;
        quantile_index(n, probs[j], &lo, &hi);
        ranks[nr++] = lo - 1;
        ranks[nr++] = hi - 1;
    }
    for (size_t a = 1; a < nr; a++) /* insertion sort: at most a few dozen */
        for (size_t b = a; b > 0 && ranks[b - 1] > ranks[b]; b--) {
            size_t t = ranks[b];
            ranks[b] = ranks[b - 1];
            ranks[b - 1] = t;
        }
    size_t nu = 0;
    for (size_t a = 0; a < nr; a++)
        if (nu == 0 || ranks[a] != ranks[nu - 1])
            ranks[nu++] = ranks[a];
    int rc = in ? hc_select_ranks_in(in, n, ranks, nu, val)
                : hc_select_ranks(x, n, ranks, nu, val);
    for (size_t j = 0; rc == 0 && j < m; j++) {
        size_t lo, hi;
        double index = quantile_index(n, probs[j], &lo, &hi);
        double qs = NAN, xh = NAN;
        for (size_t a = 0; a < nu; a++) {
            if (ranks[a] == lo - 1)
                qs = val[a];
            if (ranks[a] == hi - 1)
                xh = val[a];
        }
        /* The same arithmetic as hc_metrics_quantile_sorted. */
        if (index > (double)lo && xh != qs) {
            double h = index - (double)lo;
            qs = (1.0 - h) * qs + h * xh;
        }
        out[j] = qs;
    }
    free(ranks);
    free(val);
    return rc;
}

int hc_metrics_quantiles(const double *x, size_t n, const double *probs, size_t m,
                         double *out)
{
    return quantiles(x, NULL, n, probs, m, out);
}

int hc_metrics_quantiles_in(double *x, size_t n, const double *probs, size_t m,
                            double *out)
{
    return quantiles(x, x, n, probs, m, out);
}

hc_status hc_metrics_brier(const double *y, const double *p, size_t n,
                           double *brier, double *scaled, hc_error *err)
{
    hc_status st = hc_metrics_check(y, p, n, 1, scaled != NULL,
                                    "predicted probability", err);
    if (st)
        return st;
    double sum = 0.0, pos = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = p[i] - y[i];
        sum += d * d;
        pos += y[i];
    }
    double b = sum / (double)n;
    *brier = b;
    if (scaled) {
        double ybar = pos / (double)n;
        *scaled = 1.0 - b / (ybar * (1.0 - ybar));
    }
    return HC_OK;
}

hc_status hc_metrics_log_loss(const double *y, const double *p, size_t n,
                              double *loss, hc_error *err)
{
    hc_status st = hc_metrics_check(y, p, n, 1, 0, "predicted probability",
                                    err);
    if (st)
        return st;
    const double eps = 1e-15; /* sklearn 1.2 log_loss default */
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i] < eps ? eps : p[i] > 1.0 - eps ? 1.0 - eps : p[i];
        sum -= y[i] == 1.0 ? log(q) : log(1.0 - q);
    }
    *loss = sum / (double)n;
    return HC_OK;
}

/* ---- lowess ------------------------------------------------------------ */


/* The local fit at xs over the neighbourhood [nleft, nright] (0-based) of
 * ascending x: tricube weights (times robustness weights rw when given),
 * then a weighted straight line unless the points are too bunched.
 * Cleveland (1979), with the tie and near-zero rules of R's lowess. R
 * normalises the weights and then makes four more passes over the window;
 * the same weighted line is computed here from sums in two passes (the
 * window spans 2n/3 points, so passes are what costs), which changes the
 * result only by rounding (~1e-16). */
/* The weights of a window, kept between the two passes of lowess_point:
 * w[j - nleft] for point j (the window starts at nleft and may run past
 * nright over ties, so the buffer grows when it must). */
typedef struct {
    double *w;
    size_t cap;
} lowess_weights;

static int lowess_point(const double *x, const double *y, size_t n, double xs,
                        size_t nleft, size_t nright, lowess_weights *lw,
                        const double *rw, double *ys, int *nomem)
{
    double range = x[n - 1] - x[0];
    double h = fmax(xs - x[nleft], x[nright] - xs);
    double h9 = 0.999 * h, h1 = 0.001 * h;
    double s0 = 0.0, s1 = 0.0, sy = 0.0;
    size_t j = nleft;
    while (j < n) {
        /* Weights; ties beyond nright are picked up. */
        double r = fabs(x[j] - xs), wj = 0.0;
        if (r <= h9) {
            if (r <= h1) {
                wj = 1.0;
            } else {
                double q = r / h;
                double t = 1.0 - q * q * q;
                wj = t * t * t;
            }
            if (rw)
                wj *= rw[j];
            s0 += wj;
            s1 += wj * x[j];
            sy += wj * y[j];
        } else if (x[j] > xs) {
            break;
        }
        if (j - nleft >= lw->cap) {
            size_t cap = 2 * lw->cap > n - nleft ? n - nleft : 2 * lw->cap;
            double *g = realloc(lw->w, cap * sizeof *g);
            if (!g) {
                *nomem = 1;
                return 0;
            }
            lw->w = g;
            lw->cap = cap;
        }
        lw->w[j - nleft] = wj;
        j++;
    }
    size_t nrt = j - 1;
    if (s0 <= 0.0)
        return 0;
    double fit = sy / s0;
    if (h > 0.0) {
        /* Weighted centre, spread and covariance with y. */
        const double *w = lw->w; /* w[k] is point nleft + k */
        double a = s1 / s0, c = 0.0, d = 0.0;
        for (j = nleft; j <= nrt; j++) {
            double dx = x[j] - a;
            c += w[j - nleft] * dx * dx;
            d += w[j - nleft] * dx * y[j];
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
    lowess_weights lw;
    int nomem;
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
        if (!lowess_point(p->x, p->y, p->n, p->x[i], nleft, nright, &p->lw, p->rw,
                          &p->fits[a], &p->nomem))
            p->fits[a] = p->y[i];
        if (p->nomem)
            break;
    }
    return NULL;
}

/* The points lowess fits exactly (anchors) and their fits, on two
 * threads, when there are few of them (delta spaces them out: the fits
 * are what costs, the rest is linear): the anchors are listed first and
 * the fits split in two halves. Returns 0 with *anchors and *fits (na
 * each, the caller frees), -1 when the sequential loop should run instead
 * (too many anchors), -2 when out of memory. */
static int lowess_anchor_fits(const double *x, const double *y, size_t n, size_t ns,
                              double delta, const double *rw, size_t **anchors_out,
                              double **fits_out, size_t *na_out)
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
    lowess_part parts[2] = {{x, y, rw, n, ns, anchors, na / 2, fits, {NULL, 0}, 0},
                            {x, y, rw, n, ns, anchors + na / 2, na - na / 2,
                             fits + na / 2, {NULL, 0}, 0}};
    int nomem = 0;
    for (int k = 0; k < 2; k++) {
        parts[k].lw.cap = ns + 64 < n ? ns + 64 : n; /* a window, and a few ties */
        nomem |= !(parts[k].lw.w = malloc(parts[k].lw.cap * sizeof *parts[k].lw.w));
    }
    if (!nomem) {
        pthread_t th;
        int threaded = pthread_create(&th, NULL, lowess_fit_part, &parts[1]) == 0;
        lowess_fit_part(&parts[0]);
        if (threaded)
            pthread_join(th, NULL);
        else
            lowess_fit_part(&parts[1]);
        nomem = parts[0].nomem || parts[1].nomem;
    }
    free(parts[0].lw.w);
    free(parts[1].lw.w);
    if (nomem) {
        free(anchors);
        free(fits);
        return -2;
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
 * anchors; the values of the sequential loop, which runs when this
 * returns -1 (-2: out of memory). */
static int lowess_pass_2t(const double *x, const double *y, size_t n, size_t ns,
                          double delta, const double *rw, double *ys)
{
    size_t *anchors, na;
    double *fits;
    int rc = lowess_anchor_fits(x, y, n, ns, delta, rw, &anchors, &fits, &na);
    if (rc != 0)
        return rc;
    lowess_fill(x, n, delta, anchors, fits, na, NULL, ys);
    free(anchors);
    free(fits);
    return 0;
}

/* Lowess on ascending x: fits at points at least delta apart and
 * interpolates linearly between them; `iter` robustness passes with
 * bisquare weights on 6 MAD. Workspaces w, rw, res, scratch hold n each;
 * with iter 0 only w is used (the others may be NULL). */
/* Returns 0, or -1 when out of memory. */
static int lowess_sorted(const double *x, const double *y, size_t n,
                         double f, int iter, double delta, double *ys,
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
    lowess_weights lw = {NULL, ns + 64 < n ? ns + 64 : n};
    int nomem = 0;
    for (int it = 1; it <= iter + 1; it++) {
        int two = lowess_pass_2t(x, y, n, ns, delta, it > 1 ? rw : NULL, ys);
        if (two == -2)
            nomem = 1;
        if (two == 0 || nomem)
            goto residuals;
        if (!lw.w && !(lw.w = malloc(lw.cap * sizeof *lw.w))) {
            nomem = 1;
            goto residuals;
        }
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
            if (!lowess_point(x, y, n, x[i], nleft, nright, &lw, it > 1 ? rw : NULL, &ys[i],
                              &nomem))
                ys[i] = y[i];
            if (nomem)
                goto residuals;
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
    free(lw.w);
    return nomem ? -1 : 0;
}

/* hc_metrics_lowess with the ranking of x when the caller has it. */
static hc_status lowess_ranked(const double *x, const double *y,
                               const hc_metrics_ranked *ranked, size_t n, double f,
                               int iter, double delta, double *fitted, hc_error *err);

hc_status hc_metrics_lowess(const double *x, const double *y, size_t n,
                            double f, int iter, double delta, double *fitted,
                            hc_error *err)
{
    return lowess_ranked(x, y, NULL, n, f, iter, delta, fitted, err);
}

static hc_status lowess_ranked(const double *x, const double *y,
                               const hc_metrics_ranked *ranked, size_t n, double f,
                               int iter, double delta, double *fitted, hc_error *err)
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
        int rc = lowess_anchor_fits(xs, ys, n, ns, delta, NULL, &anchors, &fits, &na);
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
    int rc = lowess_sorted(xs, ys, n, f, iter, delta, out, iter > 0 ? w + n : NULL,
                           iter > 0 ? w + 2 * n : NULL, iter > 0 ? w + 3 * n : NULL);
    if (rc == 0)
        for (size_t k = 0; k < n; k++)
            fitted[o[k].i] = out[k];
    free(w);
    free(own);
    free(work);
    return rc == 0 ? HC_OK : hc_error_nomem(err);
}

/* ---- logistic recalibration ------------------------------------------- */

hc_status hc_metrics_calibration(const double *y, const double *p, size_t n,
                                 hc_metrics_calibration_result *out,
                                 hc_error *err)
{
    return hc_metrics_calibration_ex(y, p, n, 1, out, err);
}

hc_status hc_metrics_calibration_ex(const double *y, const double *p, size_t n,
                                    int smooth, hc_metrics_calibration_result *out,
                                    hc_error *err)
{
    return hc_metrics_calibration_ranked(y, p, NULL, n, smooth, out, err);
}

/* One logistic fit of the calibration, runnable on a thread. */
typedef struct {
    hc_logreg_problem prob;
    hc_logreg_result fit;
    hc_status st;
    hc_error err;
} calib_fit;

static void *calib_fit_run(void *arg)
{
    calib_fit *c = arg;
    memset(&c->fit, 0, sizeof c->fit);
    hc_error_clear(&c->err);
    c->st = hc_logreg_fit(&c->prob, &c->fit, &c->err);
    return NULL;
}

hc_status hc_metrics_calibration_ranked(const double *y, const double *p,
                                        const hc_metrics_ranked *ranked, size_t n,
                                        int smooth, hc_metrics_calibration_result *out,
                                        hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_status st = hc_metrics_check(y, p, n, 1, 1, "predicted probability",
                                    err);
    if (st)
        return st;
    /* val.prob drops p = 0 or 1 from the logistic fits (infinite logit);
     * the outcomes are copied only when it does (on millions of rows the
     * copies are what the memory peak is made of). */
    size_t interior = 0;
    for (size_t i = 0; i < n; i++)
        interior += p[i] > 0.0 && p[i] < 1.0;
    double *lg = malloc(n * sizeof *lg);
    double *yy = interior < n ? malloc(n * sizeof *yy) : NULL;
    double *sm = smooth ? malloc(n * sizeof *sm) : NULL;
    if (!lg || (interior < n && !yy) || (smooth && !sm)) {
        free(lg);
        free(yy);
        free(sm);
        return hc_error_nomem(err);
    }
    const double *yfit = yy ? yy : y;
    size_t m = 0, pos = 0;
    int spread = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] <= 0.0 || p[i] >= 1.0)
            continue;
        lg[m] = log(p[i] / (1.0 - p[i])); /* R's qlogis */
        if (yy)
            yy[m] = y[i];
        pos += y[i] == 1.0;
        if (m > 0 && lg[m] != lg[0])
            spread = 1;
        m++;
    }
    if (m == 0 || pos == 0 || pos == m || !spread) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "logistic calibration needs both outcomes and at "
                          "least two distinct predictions strictly between "
                          "0 and 1 (have %zu such rows, %zu churners)",
                          m, pos);
        goto done;
    }

    /* The recalibration fit and calibration-in-the-large (the slope fixed
     * at 1 through the offset) are independent: the second runs on a
     * thread of its own (each is a pass over millions of rows per step). */
    calib_fit fits[2];
    hc_logreg_problem_init(&fits[0].prob);
    fits[0].prob.n = m;
    fits[0].prob.p = 1;
    fits[0].prob.X = lg;
    fits[0].prob.y = yfit;
    fits[0].prob.tol = 1e-14;
    hc_logreg_problem_init(&fits[1].prob);
    fits[1].prob.n = m;
    fits[1].prob.p = 0;
    fits[1].prob.y = yfit;
    fits[1].prob.offset = lg;
    fits[1].prob.tol = 1e-14;
    pthread_t th;
    int threaded = pthread_create(&th, NULL, calib_fit_run, &fits[1]) == 0;
    calib_fit_run(&fits[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        calib_fit_run(&fits[1]);
    for (int k = 0; k < 2 && st == HC_OK; k++)
        if ((st = fits[k].st) != HC_OK && err)
            *err = fits[k].err;
    if (st == HC_OK) {
        out->intercept = fits[0].fit.coef[0];
        out->slope = fits[0].fit.coef[1];
        out->intercept_se = fits[0].fit.se[0];
        out->slope_se = fits[0].fit.se[1];
        out->in_the_large = fits[1].fit.coef[0];
        out->in_the_large_se = fits[1].fit.se[0];
    }
    for (int k = 0; k < 2; k++)
        if (fits[k].st == HC_OK)
            hc_logreg_result_release(&fits[k].fit);
    if (st != HC_OK)
        goto done;
    out->n_fit = m;
    /* The logits and outcomes served the fits only: freed before the
     * lowess working set is allocated. */
    free(lg);
    lg = NULL;
    free(yy);
    yy = NULL;

    /* val.prob: Sm <- lowess(p, y, iter = 0); cal.smooth <- approx(Sm,
     * xout = p, ties = mean)$y; er <- abs(p - cal.smooth). Ties in p get
     * equal smoothed values, so approx() returns each point's own fit. */
    if (!smooth) {
        st = HC_OK;
        goto done;
    }
    if ((st = lowess_ranked(p, y, ranked, n, 2.0 / 3.0, 0, -1.0, sm, err)))
        goto done;
    double sum = 0.0, mx = 0.0;
    for (size_t i = 0; i < n; i++) {
        sm[i] = fabs(p[i] - sm[i]);
        sum += sm[i];
        if (sm[i] > mx)
            mx = sm[i];
    }
    out->eavg = sum / (double)n;
    out->emax = mx;
    double q90 = 0.9;
    if (hc_metrics_quantiles(sm, n, &q90, 1, &out->e90) != 0) {
        st = hc_error_nomem(err);
        goto done;
    }
    st = HC_OK;
done:
    free(lg);
    free(yy);
    free(sm);
    if (st)
        memset(out, 0, sizeof *out);
    return st;
}

/* ---- binned calibration ----------------------------------------------- */

/* Inner edge k (1 <= k < nb) of nb uniform bins, as numpy's
 * linspace(0, 1, nb + 1) computes it: k * (1 / nb). */
static double bin_edge(size_t k, size_t nb)
{
    return (double)k * (1.0 / (double)nb);
}

/* sklearn's np.searchsorted(inner_edges, p): the number of inner edges
 * strictly below p. */
static size_t bin_of(double p, size_t nb)
{
    double g = floor(p * (double)nb);
    size_t b = g < 0.0 ? 0 : g > (double)(nb - 1) ? nb - 1 : (size_t)g;
    while (b > 0 && !(bin_edge(b, nb) < p))
        b--;
    while (b < nb - 1 && bin_edge(b + 1, nb) < p)
        b++;
    return b;
}

hc_status hc_metrics_reliability(const double *y, const double *p, size_t n,
                                 size_t n_bins,
                                 hc_metrics_reliability_bin *bins,
                                 hc_error *err)
{
    if (n_bins == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "a reliability diagram needs at least one bin");
    hc_status st = hc_metrics_check(y, p, n, 1, 0, "predicted probability",
                                    err);
    if (st)
        return st;
    double *sum_p = calloc(n_bins, sizeof *sum_p);
    if (!sum_p)
        return hc_error_nomem(err);
    for (size_t b = 0; b < n_bins; b++) {
        bins[b].lo = b == 0 ? 0.0 : bin_edge(b, n_bins);
        bins[b].hi = b == n_bins - 1 ? 1.0 : bin_edge(b + 1, n_bins);
        bins[b].n = 0;
        bins[b].positives = 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t b = bin_of(p[i], n_bins);
        bins[b].n++;
        bins[b].positives += y[i] == 1.0;
        sum_p[b] += p[i];
    }
    for (size_t b = 0; b < n_bins; b++) {
        hc_metrics_reliability_bin *r = &bins[b];
        if (r->n) {
            r->mean_p = sum_p[b] / (double)r->n;
            r->rate = (double)r->positives / (double)r->n;
        } else {
            r->mean_p = 0.5 * (r->lo + r->hi);
            r->rate = 0.0;
        }
        hc_metrics_wilson(r->positives, r->n, 0.95, &r->ci_low, &r->ci_high);
    }
    free(sum_p);
    return HC_OK;
}

hc_status hc_metrics_ece(const double *y, const double *p, size_t n,
                         size_t n_bins, double *ece, hc_error *err)
{
    if (n_bins == 0)
        n_bins = 10;
    hc_metrics_reliability_bin *bins = malloc(n_bins * sizeof *bins);
    if (!bins)
        return hc_error_nomem(err);
    hc_status st = hc_metrics_reliability(y, p, n, n_bins, bins, err);
    if (!st) {
        double e = 0.0;
        for (size_t b = 0; b < n_bins; b++)
            if (bins[b].n)
                e += (double)bins[b].n / (double)n *
                     fabs(bins[b].mean_p - bins[b].rate);
        *ece = e;
    }
    free(bins);
    return st;
}

hc_status hc_metrics_hosmer_lemeshow(const double *y, const double *p,
                                     size_t n, size_t g, hc_metrics_hl *out,
                                     hc_error *err)
{
    return hc_metrics_hl_ranked(y, p, NULL, n, g, out, err);
}

hc_status hc_metrics_hl_ranked(const double *y, const double *p,
                               const hc_metrics_ranked *ranked, size_t n, size_t g,
                               hc_metrics_hl *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (g == 0)
        g = 10;
    if (g < 3 || g > 1000)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "Hosmer-Lemeshow needs 3 to 1000 groups, not %zu",
                            g);
    hc_status st = hc_metrics_check(y, p, n, 1, 0, "predicted probability",
                                    err);
    if (st)
        return st;
    double *s = malloc(n * sizeof *s);
    double *brk = malloc((g + 1) * sizeof *brk);
    double *acc = calloc(4 * g, sizeof *acc); /* O0, O1, E0, E1 per group */
    size_t *cnt = calloc(g, sizeof *cnt);
    if (!s || !brk || !acc || !cnt) {
        st = hc_error_nomem(err);
        goto done;
    }
    if (ranked) {
        for (size_t k = 0; k < n; k++)
            s[k] = ranked[k].s;
    } else {
        memcpy(s, p, n * sizeof *s);
        hc_sort_by_double_key(s, n, sizeof *s);
    }
    /* breaks = unique(quantile(p, seq(0, 1, 1/g))); R's seq() gives
     * k * (1/g). */
    size_t nb = 0;
    for (size_t k = 0; k <= g; k++) {
        double q = hc_metrics_quantile_sorted(s, n, (double)k * (1.0 / (double)g));
        if (nb == 0 || q != brk[nb - 1])
            brk[nb++] = q;
    }
    if (nb < 2) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "Hosmer-Lemeshow: all %zu predictions equal %g, "
                          "so there are no groups to compare", n, p[0]);
        goto done;
    }
    /* cut(p, breaks, include.lowest = TRUE): (b_k, b_k+1], with p = b_0 in
     * the first group. */
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = nb - 1; /* find the first break >= p */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (brk[mid] < p[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t k = lo == 0 ? 0 : lo - 1;
        cnt[k]++;
        acc[4 * k] += 1.0 - y[i];
        acc[4 * k + 1] += y[i];
        acc[4 * k + 2] += 1.0 - p[i];
        acc[4 * k + 3] += p[i];
    }
    double chi2 = 0.0;
    size_t groups = 0;
    for (size_t k = 0; k + 1 < nb; k++) {
        if (cnt[k] == 0) /* hoslem.test would give NaN; no rows, no term */
            continue;
        groups++;
        double *a = &acc[4 * k];
        if (!(a[2] > 0.0) || !(a[3] > 0.0)) {
            st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                              "Hosmer-Lemeshow: group %zu of predictions "
                              "has an expected count of 0 (predictions all "
                              "0 or all 1)", k + 1);
            goto done;
        }
        chi2 += (a[0] - a[2]) * (a[0] - a[2]) / a[2] +
                (a[1] - a[3]) * (a[1] - a[3]) / a[3];
    }
    out->chi2 = chi2;
    out->df = (int)g - 2;
    out->p_value = gsl_cdf_chisq_Q(chi2, (double)out->df);
    out->n_groups = groups;
done:
    free(s);
    free(brk);
    free(acc);
    free(cnt);
    return st;
}
