/* metrics_calibration.c - calibration metrics: Brier, log loss, logistic recalibration, lowess errors, ECE, reliability bins, Hosmer-Lemeshow. */
#include "hc_sort.h"
#include "hc_metrics.h"
#include "metrics_ranked.h"

#include <math.h>
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

int hc_metrics_quantiles(const double *x, size_t n, const double *probs, size_t m,
                         double *out)
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
    int rc = hc_select_ranks(x, n, ranks, nu, val);
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
static int lowess_point(const double *x, const double *y, size_t n, double xs,
                        size_t nleft, size_t nright, double *w,
                        const double *rw, double *ys)
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
        w[j] = wj;
        j++;
    }
    size_t nrt = j - 1;
    if (s0 <= 0.0)
        return 0;
    double fit = sy / s0;
    if (h > 0.0) {
        /* Weighted centre, spread and covariance with y. */
        double a = s1 / s0, c = 0.0, d = 0.0;
        for (j = nleft; j <= nrt; j++) {
            double dx = x[j] - a;
            c += w[j] * dx * dx;
            d += w[j] * dx * y[j];
        }
        c /= s0;
        d /= s0;
        if (sqrt(c) > 0.001 * range)
            fit += (xs - a) / c * d;
    }
    *ys = fit;
    return 1;
}

/* Lowess on ascending x: fits at points at least delta apart and
 * interpolates linearly between them; `iter` robustness passes with
 * bisquare weights on 6 MAD. Workspaces w, rw, res, scratch hold n each;
 * with iter 0 only w is used (the others may be NULL). */
static void lowess_sorted(const double *x, const double *y, size_t n,
                          double f, int iter, double delta, double *ys,
                          double *w, double *rw, double *res, double *scratch)
{
    if (n < 2) {
        ys[0] = y[0];
        return;
    }
    double fn = f * (double)n + 1e-7;
    size_t ns = fn >= (double)n ? n : (size_t)fn;
    if (ns < 2)
        ns = 2;
    for (int it = 1; it <= iter + 1; it++) {
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
            if (!lowess_point(x, y, n, x[i], nleft, nright, w,
                              it > 1 ? rw : NULL, &ys[i]))
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
        if (it > iter)
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
    double *work = malloc(3 * n * sizeof *work);
    if ((!ranked && !own) || !work) {
        free(own);
        free(work);
        return hc_error_nomem(err);
    }
    const hc_metrics_ranked *o = ranked ? ranked : own;
    double *xs = work, *ys = work + n, *out = work + 2 * n;
    for (size_t k = 0; k < n; k++) {
        xs[k] = o[k].s;
        ys[k] = y[o[k].i];
    }
    if (delta < 0.0)
        delta = 0.01 * (xs[n - 1] - xs[0]);
    /* Results go to a buffer of our own first, so that x or y may also be
     * passed as `fitted`. */
    double *w = malloc((iter > 0 ? 4 : 1) * n * sizeof *w);
    if (!w) {
        free(own);
        free(work);
        return hc_error_nomem(err);
    }
    lowess_sorted(xs, ys, n, f, iter, delta, out, w, iter > 0 ? w + n : NULL,
                  iter > 0 ? w + 2 * n : NULL, iter > 0 ? w + 3 * n : NULL);
    for (size_t k = 0; k < n; k++)
        fitted[o[k].i] = out[k];
    free(w);
    free(own);
    free(work);
    return HC_OK;
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

    hc_logreg_problem prob;
    hc_logreg_result fit;
    hc_logreg_problem_init(&prob);
    prob.n = m;
    prob.p = 1;
    prob.X = lg;
    prob.y = yfit;
    prob.tol = 1e-14;
    memset(&fit, 0, sizeof fit);
    if ((st = hc_logreg_fit(&prob, &fit, err)))
        goto done;
    out->intercept = fit.coef[0];
    out->slope = fit.coef[1];
    out->intercept_se = fit.se[0];
    out->slope_se = fit.se[1];
    hc_logreg_result_release(&fit);

    /* Calibration-in-the-large: the slope fixed at 1 through the offset. */
    hc_logreg_problem_init(&prob);
    prob.n = m;
    prob.p = 0;
    prob.y = yfit;
    prob.offset = lg;
    prob.tol = 1e-14;
    memset(&fit, 0, sizeof fit);
    if ((st = hc_logreg_fit(&prob, &fit, err)))
        goto done;
    out->in_the_large = fit.coef[0];
    out->in_the_large_se = fit.se[0];
    hc_logreg_result_release(&fit);
    out->n_fit = m;

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
