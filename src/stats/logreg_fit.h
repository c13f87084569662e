/* logreg_fit.h - the working state of a logistic fit, shared by the Newton iteration, its row passes and its robust variance (private to src/stats). */
#ifndef HC_LOGREG_FIT_H
#define HC_LOGREG_FIT_H

#include <math.h>
#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "hc_logreg.h"

/* Separation diagnosis: a row whose |linear predictor| exceeds this has a
 * fitted probability within 5e-5 of 0 or 1. */
#define HC_LR_EXTREME_ETA 10.0

/* Below this many rows a fit's passes run on the calling thread alone. The
 * split point of a pass is n / 2 whatever happens, and the halves are
 * added in a fixed order, so results are bitwise identical either way. */
#define HC_LR_THREAD_MIN 32768

/* What a pass computes: the gradient, information and deviance of the
 * full model at coefficients b, or the deviance, residual sum and weight
 * sum of the intercept-only model at intercept a with the offset. */
enum { HC_LR_PASS_FULL, HC_LR_PASS_NULL };

/* Per-chunk accumulators of one pass over the rows. */
typedef struct {
    double *H;       /* k*k, upper triangle: sum w z z' */
    double *g;       /* k: sum (y - mu) z */
    double dev;      /* deviance */
    size_t extreme;  /* rows with |eta| > 10 (HC_LR_EXTREME_ETA) */
    double sr, sw;   /* HC_LR_PASS_NULL: sum (y - mu), sum w */
    double *bH, *bg; /* block partial sums */
    double *z;       /* a block (and 4) of standardised rows of k */
    double *wv, *rv; /* per row of the block: weight (eta first), residual */
    double *xrow;    /* one row gathered from column pointers */
} hc_lr_acc;

/* Everything a pass reads. The data are standardised on the fly:
 * z_0 = 1, z_j = (x_j - mean_j) / sd_j, so the Hessian is well scaled
 * and the intercept is nearly orthogonal to the other columns. */
typedef struct {
    const hc_logreg_problem *prob;
    size_t k;            /* p + 1 */
    const double *mean;  /* p */
    const double *inv_sd;
    const double *b;     /* k standardised coefficients */
    double a;            /* HC_LR_PASS_NULL: the intercept-only coefficient */
    int kind;
} hc_lr_pass;

/* Logistic pieces of one row from a single exp: the weight
 * w = mu (1 - mu), the residual r = y - mu, and t = exp(-|eta|), computed
 * without cancellation or overflow for any eta. The row's deviance
 * -2 log P(y) is 2 (log(1 + t) + lin) with the returned `lin` (|eta| when
 * the observed label is the less likely one, else 0); callers multiply
 * the (1 + t) of a block and take one log per block, since log1p per row
 * would cost as much as the rest of the pass. */
static inline double hc_lr_row_terms(double eta, double y, double *w, double *r,
                                     double *t)
{
    double a = fabs(eta);
    double e = exp(-a);
    double inv = 1.0 / (1.0 + e);
    double small = e * inv; /* the probability of the less likely label */
    *w = small * inv;
    *t = e;
    int y1 = y != 0.0;
    if (eta >= 0.0) {
        *r = y1 ? small : -inv;
        return y1 ? 0.0 : a;
    }
    *r = y1 ? inv : -small;
    return y1 ? a : 0.0;
}

/* Working state of one fit. */
typedef struct {
    const hc_logreg_problem *prob;
    size_t n, p, k;
    double *mean, *sd, *inv_sd;
    double *pen;    /* k: diagonal penalty in standardised units */
    double *b;      /* k current standardised coefficients */
    double *bt;     /* k trial */
    double *sub_start; /* k: start from a subsample fit */
    hc_lr_acc acc[2];
    gsl_matrix *A;  /* k x k: penalised information / its factor */
    gsl_vector *gv, *dv;
    int threads;    /* of every pass: 2 from HC_LR_THREAD_MIN rows, else 1 */
} hc_lr_ws;


/* Allocates the accumulators of a pass with k = p + 1 terms (zeroed
 * first, so hc_lr_acc_free is safe after a failure). Returns 0, or -1
 * when out of memory. */
int hc_lr_acc_alloc(hc_lr_acc *a, size_t k);

/* Frees what hc_lr_acc_alloc allocated; the struct is the caller's. */
void hc_lr_acc_free(hc_lr_acc *a);

/* One pass over all rows into acc[0]: rows [0, n/2) and [n/2, n) are summed
 * separately, into acc[0] and acc[1], and the second sum is then added to
 * the first. With `threads` 2 or more the second half runs on a second
 * thread; the sums, and so the results, are the same whatever the count. */
void hc_lr_run_pass(const hc_lr_pass *ctx, hc_lr_acc acc[2], int threads);

/* The CR1 cluster-robust covariance in standardised units at ws->b into
 * `out` (k x k, caller-owned) (logreg_robust.c); *n_clusters gets the
 * number of clusters. `covs` (k x k) holds the model covariance on entry
 * and, on return, the model covariance recomputed from the information at
 * ws->b itself, which the sandwich uses as its bread. Uses the row buffers
 * of ws->acc[0] and the matrix ws->A. HC_ENUMERIC with fewer than 2
 * clusters, no more rows than parameters or a singular information;
 * HC_ENOMEM. */
hc_status hc_lr_robust_cov(hc_lr_ws *ws, double *covs, double *out,
                           size_t *n_clusters, hc_error *err);

#endif
