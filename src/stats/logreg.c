/* logreg.c - the logistic fit: Newton's method on standardised columns, separation diagnosis, the null deviance, and the model-based covariance and Wald statistics. */
#include "hc_logreg.h"
#include "logreg_fit.h"
#include "logreg_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#define DEFAULT_MAX_ITER 100
#define DEFAULT_TOL 1e-10
#define MAX_HALVINGS 40

/* 95% two-sided normal quantile, qnorm(0.975) in R. */
#define Z975 1.959963984540054

double hc_logistic(double eta)
{
    if (eta >= 0.0)
        return 1.0 / (1.0 + exp(-eta));
    double t = exp(eta);
    return t / (1.0 + t);
}

double hc_logreg_linear(const hc_logreg_result *res, const double *x)
{
    double eta = res->coef[0];
    for (size_t j = 0; j < res->p; j++)
        eta += res->coef[j + 1] * x[j];
    return eta;
}

void hc_logreg_problem_init(hc_logreg_problem *prob)
{
    if (prob)
        memset(prob, 0, sizeof *prob);
}

void hc_logreg_result_release(hc_logreg_result *res)
{
    if (!res)
        return;
    free(res->coef);
    free(res->se);
    free(res->z);
    free(res->p_value);
    free(res->ci_low);
    free(res->ci_high);
    free(res->odds_ratio);
    free(res->robust_se);
    free(res->cov);
    free(res->robust_cov);
    memset(res, 0, sizeof *res);
}

static void ws_free(hc_lr_ws *ws)
{
    free(ws->mean);
    free(ws->sd);
    free(ws->inv_sd);
    free(ws->pen);
    free(ws->b);
    free(ws->bt);
    free(ws->sub_start);
    hc_lr_acc_free(&ws->acc[0]);
    hc_lr_acc_free(&ws->acc[1]);
    if (ws->A)
        gsl_matrix_free(ws->A);
    if (ws->gv)
        gsl_vector_free(ws->gv);
    if (ws->dv)
        gsl_vector_free(ws->dv);
}

static int ws_alloc(hc_lr_ws *ws, const hc_logreg_problem *prob)
{
    memset(ws, 0, sizeof *ws);
    ws->prob = prob;
    ws->n = prob->n;
    ws->p = prob->p;
    ws->k = prob->p + 1;
    ws->threads = prob->n >= HC_LR_THREAD_MIN ? 2 : 1;
    size_t k = ws->k, q = prob->p ? prob->p : 1;
    ws->mean = calloc(q, sizeof(double));
    ws->sd = calloc(q, sizeof(double));
    ws->inv_sd = calloc(q, sizeof(double));
    ws->pen = calloc(k, sizeof(double));
    ws->b = calloc(k, sizeof(double));
    ws->bt = calloc(k, sizeof(double));
    ws->sub_start = calloc(k, sizeof(double));
    int bad = !ws->mean || !ws->sd || !ws->inv_sd || !ws->pen || !ws->b ||
              !ws->bt || !ws->sub_start;
    /* hc_lr_acc_alloc zeroes its struct, so both must run before any free. */
    bad |= hc_lr_acc_alloc(&ws->acc[0], k) != 0;
    bad |= hc_lr_acc_alloc(&ws->acc[1], k) != 0;
    if (!bad) {
        ws->A = gsl_matrix_alloc(k, k);
        ws->gv = gsl_vector_alloc(k);
        ws->dv = gsl_vector_alloc(k);
        bad = !ws->A || !ws->gv || !ws->dv;
    }
    return bad ? -1 : 0;
}

/* Penalised deviance dev + lambda * sum beta_j^2 (j >= 1), the quantity
 * whose relative change decides convergence; it is the deviance when
 * there is no ridge. */
static double pen_dev(const hc_lr_ws *ws, const double *b, double dev)
{
    double s = 0.0;
    for (size_t j = 1; j < ws->k; j++)
        s += ws->pen[j] * b[j] * b[j];
    return dev + s;
}

/* Loads the penalised information H + P from the last pass into A and
 * factors it; returns the GSL status. */
static int factor_info(hc_lr_ws *ws)
{
    size_t k = ws->k;
    const double *H = ws->acc[0].H;
    for (size_t j = 0; j < k; j++) {
        for (size_t l = j; l < k; l++) {
            gsl_matrix_set(ws->A, j, l, H[j * k + l]);
            gsl_matrix_set(ws->A, l, j, H[j * k + l]);
        }
        gsl_matrix_set(ws->A, j, j, H[j * k + j] + ws->pen[j]);
    }
    return gsl_linalg_cholesky_decomp1(ws->A);
}

static void evaluate(hc_lr_ws *ws, const double *b)
{
    hc_lr_pass ctx = {ws->prob, ws->k, ws->mean, ws->inv_sd, b, 0.0,
                    HC_LR_PASS_FULL};
    hc_lr_run_pass(&ctx, ws->acc, ws->threads);
}

static void col_name(const hc_logreg_problem *prob, size_t j, char *buf,
                     size_t size)
{
    if (prob->names && prob->names[j])
        snprintf(buf, size, "'%s'", prob->names[j]);
    else /* "column #3": 1-based, as a spreadsheet user counts */
        snprintf(buf, size, "#%zu", j + 1);
}

/* Separation (Albert & Anderson, Biometrika 1984) shows in Newton's
 * method as steps that stop shrinking: the likelihood keeps rising along a
 * direction in which the coefficients grow without bound, while fitted
 * probabilities approach 0 or 1. Near a finite maximum Newton converges
 * quadratically, so the step after the one that met the deviance rule is
 * minute (about the square of the last one); under separation it is still
 * of order 1/(margin) in standardised units, at least about 0.01. The
 * step `d` (standardised, k entries) is that next step, which costs no
 * pass because the last pass already computed the gradient and
 * information. */
#define SEPARATION_STEP 1e-4

static int looks_separated(const hc_lr_ws *ws, const double *d)
{
    if (ws->prob->ridge != 0.0 || ws->acc[0].extreme == 0)
        return 0;
    double s = 0.0;
    for (size_t j = 0; j < ws->k; j++)
        s = fmax(s, fabs(d[j]));
    return s > SEPARATION_STEP;
}

/* Names the column whose coefficient the step `d` (or NULL) moves most. */
static hc_status separation_error(const hc_lr_ws *ws, const double *d,
                                  hc_error *err)
{
    size_t jmax = 0;
    double s = -1.0;
    for (size_t j = 1; d && j < ws->k; j++)
        if (fabs(d[j]) > s) {
            s = fabs(d[j]);
            jmax = j;
        }
    char what[400] = "";
    if (jmax > 0) {
        char name[300];
        col_name(ws->prob, jmax - 1, name, sizeof name);
        snprintf(what, sizeof what, " (fastest for column %s)", name);
    }
    return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                        "perfect or quasi-complete separation: some fitted "
                        "probabilities reach 0 or 1 and the coefficients grow "
                        "without bound%s, so the best fit does not exist; "
                        "drop or merge columns, or use --ridge",
                        what);
}

/* Fits the intercept-only model with the offset, as glm does for the null
 * deviance when an offset is present (R's glm.fit refits on the intercept
 * column). One-dimensional Newton; each iteration reads y and the offset
 * only. */
static hc_status null_deviance_offset(hc_lr_ws *ws, double tol, int max_iter,
                                      double *out, hc_error *err)
{
    hc_lr_pass ctx = {ws->prob, ws->k, ws->mean, ws->inv_sd, ws->b, 0.0,
                    HC_LR_PASS_NULL};
    hc_lr_run_pass(&ctx, ws->acc, ws->threads);
    double dev = ws->acc[0].dev;
    for (int it = 0; it < max_iter; it++) {
        if (!(ws->acc[0].sw > 0.0))
            break;
        double a_old = ctx.a, step = ws->acc[0].sr / ws->acc[0].sw;
        double dnew = HUGE_VAL;
        for (int h = 0; h < MAX_HALVINGS; h++, step *= 0.5) {
            ctx.a = a_old + step;
            hc_lr_run_pass(&ctx, ws->acc, ws->threads);
            dnew = ws->acc[0].dev;
            if (isfinite(dnew) && dnew <= dev + 1e-12 * (fabs(dev) + 0.1))
                break;
        }
        double crit = fabs(dnew - dev) / (fabs(dnew) + 0.1);
        dev = dnew;
        if (crit < tol) {
            *out = dev;
            return HC_OK;
        }
    }
    return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                        "the intercept-only fit with the offset (for the null "
                        "deviance) did not converge in %d iterations",
                        max_iter);
}

/* Maps a covariance in standardised units to the original ones:
 * beta_j = b_j / sd_j, beta_0 = b_0 - sum_j b_j mean_j / sd_j, so
 * V = T Vs T' with that linear map T. In place on k x k `v`; `tmp` is k*k
 * scratch. */
static void unstandardise_cov(const hc_lr_ws *ws, double *v, double *tmp)
{
    size_t k = ws->k;
    /* T row 0: (1, -m_1/s_1, ..., -m_p/s_p); row j: e_j / s_j. */
    for (size_t j = 0; j < k; j++) {
        double s = v[0 * k + j];
        for (size_t l = 1; l < k; l++)
            s -= ws->mean[l - 1] * ws->inv_sd[l - 1] * v[l * k + j];
        tmp[0 * k + j] = s;
        for (size_t i = 1; i < k; i++)
            tmp[i * k + j] = v[i * k + j] * ws->inv_sd[i - 1];
    }
    for (size_t i = 0; i < k; i++) {
        double s = tmp[i * k + 0];
        for (size_t l = 1; l < k; l++)
            s -= tmp[i * k + l] * ws->mean[l - 1] * ws->inv_sd[l - 1];
        v[i * k + 0] = s;
        for (size_t j = 1; j < k; j++)
            v[i * k + j] = tmp[i * k + j] * ws->inv_sd[j - 1];
    }
}

static int alloc_result(hc_logreg_result *res, size_t k, int robust)
{
    res->coef = calloc(k, sizeof(double));
    res->se = calloc(k, sizeof(double));
    res->z = calloc(k, sizeof(double));
    res->p_value = calloc(k, sizeof(double));
    res->ci_low = calloc(k, sizeof(double));
    res->ci_high = calloc(k, sizeof(double));
    res->odds_ratio = calloc(k, sizeof(double));
    res->cov = calloc(k * k, sizeof(double));
    if (robust) {
        res->robust_se = calloc(k, sizeof(double));
        res->robust_cov = calloc(k * k, sizeof(double));
    }
    return !res->coef || !res->se || !res->z || !res->p_value ||
                   !res->ci_low || !res->ci_high || !res->odds_ratio ||
                   !res->cov || (robust && (!res->robust_se || !res->robust_cov))
               ? -1
               : 0;
}

/* Runs Newton's method from ws->b until the relative change of the
 * penalised deviance falls below tol (glm.control's rule,
 * |dev - dev_old| / (|dev| + 0.1) < epsilon). On return the last pass
 * (ws->acc[0]) was evaluated at ws->b. */
static hc_status newton(hc_lr_ws *ws, double tol, int max_iter, int *iters,
                        int *converged, hc_error *err)
{
    size_t k = ws->k;
    evaluate(ws, ws->b);
    double pdev = pen_dev(ws, ws->b, ws->acc[0].dev);
    *iters = 0;
    *converged = 0;
    if (!isfinite(pdev))
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the starting values give a deviance that is "
                            "not finite");
    while (*iters < max_iter) {
        if (factor_info(ws) != GSL_SUCCESS) {
            if (ws->prob->ridge == 0.0 && ws->acc[0].extreme > 0)
                return separation_error(ws, NULL, err);
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "the information matrix is singular at "
                                "iteration %d (columns nearly collinear?)",
                                *iters + 1);
        }
        for (size_t j = 0; j < k; j++)
            gsl_vector_set(ws->gv, j,
                           ws->acc[0].g[j] - ws->pen[j] * ws->b[j]);
        if (gsl_linalg_cholesky_solve(ws->A, ws->gv, ws->dv) != GSL_SUCCESS)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "the Newton step could not be solved at "
                                "iteration %d",
                                *iters + 1);
        /* Step halving guards the rare Newton step that lowers the
         * likelihood (glm only halves on a non-finite deviance). */
        double scale = 1.0, ptrial = HUGE_VAL;
        int ok = 0;
        for (int h = 0; h < MAX_HALVINGS; h++, scale *= 0.5) {
            for (size_t j = 0; j < k; j++)
                ws->bt[j] = ws->b[j] + scale * gsl_vector_get(ws->dv, j);
            evaluate(ws, ws->bt);
            ptrial = pen_dev(ws, ws->bt, ws->acc[0].dev);
            if (isfinite(ptrial) &&
                ptrial <= pdev + 1e-12 * (fabs(pdev) + 0.1)) {
                ok = 1;
                break;
            }
        }
        if (!ok) {
            /* No step improves the objective: back to where we were. */
            evaluate(ws, ws->b);
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "the fit stalled at iteration %d: no step "
                                "along the Newton direction improves the "
                                "likelihood",
                                *iters + 1);
        }
        (*iters)++;
        memcpy(ws->b, ws->bt, k * sizeof(double));
        double crit = fabs(ptrial - pdev) / (fabs(ptrial) + 0.1);
        pdev = ptrial;
        if (crit < tol) {
            *converged = 1;
            break;
        }
    }
    return HC_OK;
}

/* Above this many rows a fit without a start begins from the fit of an
 * evenly spaced subsample of SUBSAMPLE_ROWS rows. Newton's method then
 * needs two or three passes over all rows instead of six or seven; the
 * estimate it converges to is the full-data maximum, whatever the start. */
#define SUBSAMPLE_MIN 262144
#define SUBSAMPLE_ROWS 65536

/* Fits the subsample and stores its p + 1 coefficients (original units)
 * in `start`. Returns 0, or -1 when the subsample cannot be fitted (the
 * caller then starts cold). */
static int subsample_start(const hc_logreg_problem *prob, double *start)
{
    size_t n = prob->n, p = prob->p, m = SUBSAMPLE_ROWS;
    double *X = malloc(m * (p ? p : 1) * sizeof *X);
    double *y = malloc(m * sizeof *y);
    double *off = prob->offset ? malloc(m * sizeof *off) : NULL;
    int rc = -1;
    if (!X || !y || (prob->offset && !off))
        goto done;
    for (size_t t = 0; t < m; t++) {
        size_t i = (size_t)(((double)t + 0.5) * (double)n / (double)m);
        const double *row = logreg_row(prob, i, X + t * p);
        if (row != X + t * p)
            memcpy(X + t * p, row, p * sizeof *X);
        y[t] = prob->y[i];
        if (off)
            off[t] = prob->offset[i];
    }
    hc_logreg_problem sub = *prob;
    sub.n = m;
    sub.X = p ? X : NULL;
    sub.cols = NULL;
    sub.y = y;
    sub.offset = off;
    sub.cluster = NULL;
    sub.tol = 1e-8;
    sub.start = NULL;
    hc_logreg_result r;
    hc_error e;
    if (hc_logreg_fit(&sub, &r, &e) == HC_OK) {
        memcpy(start, r.coef, (p + 1) * sizeof *start);
        hc_logreg_result_release(&r);
        rc = 0;
    }
done:
    free(X);
    free(y);
    free(off);
    return rc;
}

hc_status hc_logreg_fit(const hc_logreg_problem *prob, hc_logreg_result *res,
                        hc_error *err)
{
    if (!res)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "logistic regression: no result to fill");
    memset(res, 0, sizeof *res);
    hc_lr_ws ws;
    if (!prob)
        return hc_logreg_check(prob, NULL, NULL, err);
    if (ws_alloc(&ws, prob) != 0) {
        ws_free(&ws);
        return hc_error_nomem(err);
    }
    hc_status st = hc_logreg_check(prob, ws.mean, ws.sd, err);
    if (st != HC_OK)
        goto out;
    size_t n = ws.n, p = ws.p, k = ws.k;
    for (size_t j = 0; j < p; j++) {
        ws.inv_sd[j] = 1.0 / ws.sd[j];
        /* lambda/2 beta_j^2 with beta_j = b_j / sd_j; pen holds the
         * Hessian's diagonal addition lambda / sd_j^2. */
        ws.pen[j + 1] = prob->ridge * ws.inv_sd[j] * ws.inv_sd[j];
    }
    size_t events = 0;
    for (size_t i = 0; i < n; i++)
        events += prob->y[i] != 0.0;
    double ybar = (double)events / (double)n;

    const double *start = prob->start;
    if (!start && n >= SUBSAMPLE_MIN && ws.sub_start &&
        subsample_start(prob, ws.sub_start) == 0)
        start = ws.sub_start;
    if (start) {
        ws.b[0] = start[0];
        for (size_t j = 0; j < p; j++) {
            ws.b[j + 1] = start[j + 1] * ws.sd[j];
            ws.b[0] += start[j + 1] * ws.mean[j];
        }
        for (size_t j = 0; j < k; j++)
            if (!isfinite(ws.b[j])) {
                st = hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                  "the starting value of coefficient %zu is "
                                  "not finite",
                                  j);
                goto out;
            }
    } else {
        /* With centred columns, logit(ybar) is the intercept-only fit. */
        ws.b[0] = prob->offset ? 0.0 : log(ybar / (1.0 - ybar));
    }
    int max_iter = prob->max_iter > 0 ? prob->max_iter : DEFAULT_MAX_ITER;
    double tol = prob->tol > 0.0 ? prob->tol : DEFAULT_TOL;
    int iters = 0, converged = 0;
    st = newton(&ws, tol, max_iter, &iters, &converged, err);
    if (st != HC_OK)
        goto out;
    double dev = ws.acc[0].dev;
    if (factor_info(&ws) != GSL_SUCCESS) {
        if (prob->ridge == 0.0 && ws.acc[0].extreme > 0)
            st = separation_error(&ws, NULL, err);
        else
            st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                              "the information matrix at the fitted values "
                              "is singular (columns nearly collinear?)");
        goto out;
    }
    /* The next Newton step, from the gradient and information the last
     * pass already computed: it tells separation from a finite maximum
     * (looks_separated) and, applied, squares the remaining error of the
     * coefficients at no cost in passes. The deviance and the information
     * stay those of the last pass; over a step this small they change by
     * far less than the convergence tolerance. */
    for (size_t j = 0; j < k; j++)
        gsl_vector_set(ws.gv, j, ws.acc[0].g[j] - ws.pen[j] * ws.b[j]);
    if (gsl_linalg_cholesky_solve(ws.A, ws.gv, ws.dv) != GSL_SUCCESS) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "the final Newton step could not be solved");
        goto out;
    }
    /* gsl_vector_alloc gives stride 1, so dv->data is the step itself. */
    int separated = looks_separated(&ws, ws.dv->data);
    if (separated && converged) {
        st = separation_error(&ws, ws.dv->data, err);
        goto out;
    }
    if (!converged) {
        /* Short of convergence a long step is expected; separation is
         * then only the likely cause, and the message says so. */
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "the fit did not converge in %d iterations%s; "
                          "raise the iteration cap or use --ridge",
                          max_iter,
                          separated ? " and some fitted probabilities reach "
                                      "0 or 1, which suggests perfect or "
                                      "quasi-complete separation"
                                    : "");
        goto out;
    }
    for (size_t j = 0; j < k; j++)
        ws.b[j] += gsl_vector_get(ws.dv, j);
    if (gsl_linalg_cholesky_invert(ws.A) != GSL_SUCCESS) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "the information matrix at the fitted values is "
                          "singular (columns nearly collinear?)");
        goto out;
    }
    if (alloc_result(res, k, prob->cluster != NULL) != 0) {
        st = hc_error_nomem(err);
        goto out;
    }
    double *covs = ws.A->data; /* tda == k for a freshly allocated matrix */
    double edf = (double)k;
    for (size_t j = 1; j < k; j++)
        edf -= ws.pen[j] * covs[j * ws.A->tda + j];
    double *tmp = malloc(k * k * sizeof(double));
    if (!tmp) {
        st = hc_error_nomem(err);
        goto out;
    }
    if (prob->cluster) {
        st = hc_lr_robust_cov(&ws, covs, res->robust_cov, &res->n_clusters, err);
        if (st != HC_OK) {
            free(tmp);
            goto out;
        }
        unstandardise_cov(&ws, res->robust_cov, tmp);
    }
    memcpy(res->cov, covs, k * k * sizeof(double));
    unstandardise_cov(&ws, res->cov, tmp);
    free(tmp);

    double nulldev = 0.0;
    if (prob->offset && p == 0) {
        /* Intercept and offset only: the model is its own null model. */
        nulldev = dev;
    } else if (prob->offset) {
        st = null_deviance_offset(&ws, tol, max_iter, &nulldev, err);
        if (st != HC_OK)
            goto out;
    } else {
        nulldev = -2.0 * ((double)events * log(ybar) +
                          (double)(n - events) * log1p(-ybar));
    }

    res->p = p;
    res->coef[0] = ws.b[0];
    for (size_t j = 0; j < p; j++) {
        res->coef[j + 1] = ws.b[j + 1] * ws.inv_sd[j];
        res->coef[0] -= res->coef[j + 1] * ws.mean[j];
    }
    /* Wald inference on the SE that fits the sampling: with clusters the
     * rows of a cluster are dependent, and the model SE understates the
     * spread (Zeileis, Koll & Graham 2020), so z, p and the interval use
     * the CR1 one, as lmtest::coeftest(m, vcov = vcovCL(m, type = "HC1"))
     * does. */
    res->robust_inference = res->robust_se != NULL;
    for (size_t j = 0; j < k; j++) {
        double c = res->coef[j];
        double se = sqrt(res->cov[j * k + j]);
        res->se[j] = se;
        if (res->robust_se)
            res->robust_se[j] = sqrt(res->robust_cov[j * k + j]);
        double su = res->robust_se ? res->robust_se[j] : se;
        if (!isfinite(c) || !(se > 0.0) || !isfinite(se) || !(su > 0.0) ||
            !isfinite(su)) {
            st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                              "coefficient %zu or its %sstandard error is not "
                              "a positive finite number after fitting",
                              j, res->robust_se ? "cluster-robust " : "");
            goto out;
        }
        res->z[j] = c / su;
        res->p_value[j] = 2.0 * gsl_cdf_ugaussian_Q(fabs(res->z[j]));
        res->ci_low[j] = c - Z975 * su;
        res->ci_high[j] = c + Z975 * su;
        res->odds_ratio[j] = exp(c);
    }
    if (res->robust_inference && prob->cluster_name)
        snprintf(res->se_label, sizeof res->se_label,
                 "cluster-robust CR1 (%.100s, %zu clusters)",
                 prob->cluster_name, res->n_clusters);
    else if (res->robust_inference)
        snprintf(res->se_label, sizeof res->se_label,
                 "cluster-robust CR1 (%zu clusters)", res->n_clusters);
    else
        snprintf(res->se_label, sizeof res->se_label,
                 "model-based (inverse %sFisher information)",
                 prob->ridge > 0.0 ? "penalised " : "");
    res->deviance = dev;
    res->loglik = -0.5 * dev;
    res->null_deviance = nulldev;
    res->edf = edf;
    res->aic = dev + 2.0 * edf;
    res->iterations = iters;
    res->converged = converged;
    res->n = n;
    res->n_events = events;

out:
    if (st != HC_OK)
        hc_logreg_result_release(res);
    ws_free(&ws);
    return st;
}
