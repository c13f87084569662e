/* hc_logreg.h - logistic regression by Newton/IRLS on GSL (layer: stats).
 *
 * Pure functions on arrays; no I/O. Agreement target: R's
 * glm(family = binomial) to 1e-6 relative on coefficients and standard
 * errors, and sandwich::vcovCL(type = "HC1") on the cluster-robust ones
 * (tests/unit/test_logreg.c, tests/reference/logreg.R).
 *
 * Layout: src/stats/logreg.c holds the fit (Newton's method, separation,
 * null deviance, covariance), logreg_pass.c the pass over the rows each
 * Newton step makes, logreg_robust.c the cluster-robust covariance and
 * logreg_checks.c the checks of the data.
 */
#ifndef HC_LOGREG_H
#define HC_LOGREG_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

/* The problem. X is row-major n x p and does NOT contain the intercept
 * column: the model is logit P(y=1) = b0 + offset_i + sum_j b_j X[i*p+j].
 * All arrays are borrowed for the duration of the call. */
typedef struct {
    size_t n;                 /* rows */
    size_t p;                 /* feature columns (intercept excluded) */
    const double *X;          /* n*p, row-major; may be NULL when p == 0 */
    const double *const *cols; /* instead of X (X NULL): p column pointers of
                                 n doubles each, so callers holding columns
                                 (or a subset of them) need no copy */
    const double *y;          /* n outcomes, each 0 or 1 */
    const double *offset;     /* n offsets or NULL */
    const int32_t *cluster;   /* n cluster ids (any int32 values) or NULL */
    const char *cluster_name; /* what the clusters are ("account_id"), for
                                 the result's se_label; may be NULL */
    const char *const *names; /* p feature names for messages, or NULL */
    double ridge;             /* L2 penalty lambda >= 0 on b_1..b_p only:
                                 maximises loglik - lambda/2 * sum b_j^2 */
    int max_iter;             /* 0 means the default, 100 */
    double tol;               /* relative deviance change; 0 means 1e-10 */
    const double *start;      /* p+1 starting values (warm start) or NULL */
    const char *event_name;   /* plural noun for rows with y = 1, used in
                                 messages ("churners"); NULL means "events" */
} hc_logreg_problem;

/* The fit. Arrays have p+1 entries, index 0 the intercept.
 *
 * Inference follows the variance the data call for: when a cluster is
 * given, z, p_value and the interval use the cluster-robust standard
 * error (as lmtest::coeftest(m, vcov = sandwich::vcovCL(m, cluster,
 * type = "HC1")) does), since rows of one cluster are not independent and
 * naive intervals under-cover; without one they use the model SE.
 * `robust_inference` says which, and `se_label` says it in words. */
typedef struct {
    size_t p;
    double *coef;
    double *se;         /* from the inverse (penalised) Fisher information */
    double *z;          /* coef / the SE inference uses (see above) */
    double *p_value;    /* two-sided, normal: 2 Phi(-|z|) */
    double *ci_low;     /* 95% Wald: coef -/+ qnorm(0.975) SE */
    double *ci_high;
    double *odds_ratio; /* exp(coef) */
    double *robust_se;  /* CR1 cluster-robust (sandwich::vcovCL type HC1);
                           NULL unless a cluster was given */
    double *cov;        /* (p+1)^2 row-major model covariance */
    double *robust_cov; /* (p+1)^2 or NULL */
    double loglik;
    double deviance;
    double null_deviance;
    double aic;
    int iterations;
    int converged;
    size_t n_clusters;
    int robust_inference; /* 1: z, p_value, ci_* use robust_se; 0: se */
    char se_label[160]; /* e.g. "cluster-robust CR1 (account_id, 300
                           clusters)" or "model-based (inverse Fisher
                           information)" */
    size_t n;           /* rows fitted */
    size_t n_events;    /* rows with y = 1 */
    double edf;         /* effective number of parameters used in the AIC:
                           p+1 without ridge, trace(I (I + P)^-1) with it */
} hc_logreg_result;

/* Sets a problem to defaults (all zero / NULL). */
void hc_logreg_problem_init(hc_logreg_problem *prob);

/* Checks the problem for data a logistic fit cannot use, in one pass over
 * the rows: non-finite values (naming row and column), labels other than
 * 0/1, fewer rows than parameters, no events or no non-events, constant
 * columns, and, when prob->ridge is 0, collinear columns (pivoted Cholesky
 * of the correlation matrix) and a single column that separates the
 * outcome. Returns HC_OK, HC_EUSAGE for an ill-formed problem, HC_EDATA for
 * a label other than 0 or 1, or HC_ENUMERIC with a plain-words message.
 * `mean` and `sd` (p entries each, caller-owned, either may be NULL) receive
 * the column means and population standard deviations on success.
 * hc_logreg_fit calls this itself. */
hc_status hc_logreg_check(const hc_logreg_problem *prob, double *mean,
                          double *sd, hc_error *err);

/* Fits the model. On success fills `res` (which the caller releases with
 * hc_logreg_result_release) and returns HC_OK. Degenerate data returns
 * HC_ENUMERIC with a plain-words message naming the column: no events, all
 * events, constant column, collinear columns, fewer rows than parameters,
 * perfect or quasi-complete separation (suggesting --ridge), or failure to
 * converge. Never leaves NaN in a successful result; on failure `res` is
 * left zeroed (releasing it is harmless).
 *
 * Method: Newton's method on columns standardised internally, each
 * iteration one pass over the rows (two fixed halves, the second on a
 * second thread for large n, so results do not depend on threading), with
 * no per-row allocation; X'WX is factored by Cholesky. loglik and deviance
 * are unpenalised; with a ridge, convergence is judged on the penalised
 * deviance. The null deviance is that of the intercept-only fit, with the
 * offset when there is one (as glm reports it). With a ridge the robust
 * covariance uses the scores of the penalised objective. */
hc_status hc_logreg_fit(const hc_logreg_problem *prob, hc_logreg_result *res,
                        hc_error *err);

/* Frees the arrays of a result; the struct itself is the caller's. */
void hc_logreg_result_release(hc_logreg_result *res);

/* Linear predictor b0 + sum b_j x_j for one row of p features. */
double hc_logreg_linear(const hc_logreg_result *res, const double *x);

/* Numerically stable logistic function 1 / (1 + exp(-eta)). */
double hc_logistic(double eta);

#endif
