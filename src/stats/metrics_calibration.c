/* metrics_calibration.c - calibration of probabilities: Brier score, log loss, and rms::val.prob's logistic recalibration with its lowess errors (Emax, Eavg, E90). */
#include "hc_logreg.h"
#include "hc_metrics.h"
#include "lowess.h"
#include "metrics_calibration.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
    const double eps = HC_METRICS_CLIP_EPS; /* sklearn 1.2 log_loss default */
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i] < eps ? eps : p[i] > 1.0 - eps ? 1.0 - eps : p[i];
        sum -= y[i] == 1.0 ? log(q) : log(1.0 - q);
    }
    *loss = sum / (double)n;
    return HC_OK;
}

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
    /* p = 0 or 1 has an infinite logit. val.prob drops such rows from the
     * logistic fits without a word; here they are clipped to
     * [eps, 1 - eps] with the log loss's epsilon (sklearn 1.2 log_loss,
     * eps = 1e-15) and counted, so that every row is fitted and the
     * caller can say how many were clipped. */
    const double eps = HC_METRICS_CLIP_EPS;
    double *lg = malloc(n * sizeof *lg);
    double *sm = NULL;
    hc_metrics_ranked *own = NULL;
    if (!lg)
        return hc_error_nomem(err);
    const double *yfit = y;
    size_t m = n, pos = 0, clipped = 0;
    int spread = 0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i];
        if (q < eps || q > 1.0 - eps) {
            q = q < eps ? eps : 1.0 - eps;
            clipped++;
        }
        lg[i] = log(q / (1.0 - q)); /* R's qlogis */
        pos += y[i] == 1.0;
        if (i > 0 && lg[i] != lg[0])
            spread = 1;
    }
    if (pos == 0 || pos == m || !spread) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "logistic calibration needs both outcomes and at "
                          "least two distinct predictions (have %zu rows, "
                          "%zu churners)", m, pos);
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
    out->n_clipped = clipped;
    /* The logits served the fits only: freed before the
     * lowess working set is allocated. */
    free(lg);
    lg = NULL;

    /* val.prob: Sm <- lowess(p, y, iter = 0); cal.smooth <- approx(Sm,
     * xout = p, ties = mean)$y; er <- abs(p - cal.smooth). Ties in p get
     * equal smoothed values, so approx() returns each point's own fit. */
    if (!smooth) {
        st = HC_OK;
        goto done;
    }
    /* The smooth in ascending p (each error is that of one row, so their
     * mean, maximum and quantile do not depend on the order); the mean as
     * R's mean() makes it, a long double sum refined by a second pass. */
    if (!ranked && !(ranked = own = hc_metrics_rank(p, n))) {
        st = hc_error_nomem(err);
        goto done;
    }
    if (!(sm = hc_lowess_sorted(y, ranked, n, 2.0 / 3.0, -1.0, HC_LOWESS_THREADS, err))) {
        st = HC_ENOMEM;
        goto done;
    }
    double mx = 0.0;
    long double sum = 0.0L;
    for (size_t k = 0; k < n; k++) {
        sm[k] = fabs(ranked[k].s - sm[k]);
        sum += sm[k];
        if (sm[k] > mx)
            mx = sm[k];
    }
    free(own);
    own = NULL;
    long double mean = sum / (long double)n, t = 0.0L;
    for (size_t k = 0; k < n; k++)
        t += sm[k] - mean;
    out->eavg = (double)(mean + t / (long double)n);
    out->emax = mx;
    double q90 = 0.9;
    if (hc_metrics_quantiles(sm, n, &q90, 1, &out->e90) != 0) {
        st = hc_error_nomem(err);
        goto done;
    }
    st = HC_OK;
done:
    free(lg);
    free(sm);
    free(own);
    if (st)
        memset(out, 0, sizeof *out);
    return st;
}
