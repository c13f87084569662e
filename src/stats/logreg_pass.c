/* logreg_pass.c - one pass of the logistic fit over the rows: per-row logistic terms summed in blocks into the gradient, information and deviance, in two fixed halves. */
#include "hc_logreg.h"
#include "logreg_fit.h"
#include "logreg_rows.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Rows per block. Sums over a block are added to the running total once
 * per block, so rounding error grows with n / BLOCK + BLOCK rather than
 * with n. */
#define BLOCK 512

/* Rows handled together in the inner loop of a pass (see pass_chunk);
 * the code below is written out for exactly 4. */
#define ROWS 4
_Static_assert(ROWS == 4, "pass_chunk is written out for 4 rows");

/* One half of a pass, runnable on a thread. */
typedef struct {
    const hc_lr_pass *ctx;
    hc_lr_acc *acc;
    size_t begin, end;
} pass_job;

/* Deviance of a block from the product of its (1 + t) and the sum of its
 * `lin` terms. With BLOCK <= 512 factors each in (1, 2] the product cannot
 * overflow, and its rounding (BLOCK ulps at most) costs the deviance less
 * than 1e-13 per block. */
static inline double block_dev(double prod, double lin)
{
    return 2.0 * (log(prod) + lin);
}

/* The full pass over rows [begin, end) with k = p + 1 terms. Written once
 * and inlined with k constant for the common sizes (see pass_chunk), so
 * that the compiler unrolls the loops over terms and keeps the sums in
 * registers; the arithmetic and its order are the same for every k. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void full_pass(const hc_lr_pass *ctx, hc_lr_acc *acc, size_t begin,
                             size_t end, size_t k)
{
    const hc_logreg_problem *prob = ctx->prob;
    size_t p = k - 1;
    const double *off = prob->offset;
    const double *y = prob->y;
    /* restrict: the block sums, the row buffers and the data never alias,
     * which lets the compiler keep the inner loops in registers. */
    double *restrict bH = acc->bH;
    double *restrict bg = acc->bg;
    double *restrict Z = acc->z;   /* the block's standardised rows */
    double *restrict wv = acc->wv; /* per row: eta, then the weight */
    double *restrict rv = acc->rv; /* per row: the residual */
    const double *restrict bcoef = ctx->b;
    const double *restrict mean = ctx->mean;
    const double *restrict inv_sd = ctx->inv_sd;
    memset(acc->H, 0, k * k * sizeof(double));
    memset(acc->g, 0, k * sizeof(double));
    size_t extreme = 0;
    for (size_t b = begin; b < end; b += BLOCK) {
        size_t e = end - b > BLOCK ? b + BLOCK : end;
        size_t nb = e - b;
        double prod = 1.0, lin = 0.0;
        memset(bH, 0, k * k * sizeof(double));
        memset(bg, 0, k * sizeof(double));
        /* In three sweeps over the block, each a simple loop the processor
         * can overlap from row to row: standardised rows and linear
         * predictors, then the logistic terms (one exp per row), then the
         * sums. The arithmetic of every row is the same as in one sweep. */
        for (size_t r = 0; r < nb; r++) {
            size_t i = b + r;
            const double *x = logreg_row(prob, i, acc->xrow);
            double *restrict zr = Z + r * k;
            double eta = bcoef[0] + (off ? off[i] : 0.0);
            zr[0] = 1.0;
            for (size_t j = 0; j < p; j++) {
                double zj = (x[j] - mean[j]) * inv_sd[j];
                zr[j + 1] = zj;
                eta += bcoef[j + 1] * zj;
            }
            wv[r] = eta;
        }
        for (size_t r = 0; r < nb; r++) {
            double eta = wv[r], t;
            lin += hc_lr_row_terms(eta, y[b + r], &wv[r], &rv[r], &t);
            prod *= 1.0 + t;
            extreme += fabs(eta) > HC_LR_EXTREME_ETA;
        }
        /* Rows past the end of a short block add exact zeros. */
        for (size_t r = nb; r % ROWS; r++) {
            memset(Z + r * k, 0, k * sizeof(double));
            wv[r] = rv[r] = 0.0;
        }
        /* ROWS rows at a time: each update of the block sums then adds
         * ROWS products, so the sums are loaded and stored ROWS times less
         * often; the bookkeeping of the sums is what bounds this loop. */
        for (size_t i0 = 0; i0 < nb; i0 += ROWS) {
            const double *wq = wv + i0, *rq = rv + i0;
            const double *z0 = Z + i0 * k, *z1 = z0 + k, *z2 = z1 + k,
                         *z3 = z2 + k;
            for (size_t j = 0; j < k; j++) {
                double a0 = wq[0] * z0[j], a1 = wq[1] * z1[j];
                double a2 = wq[2] * z2[j], a3 = wq[3] * z3[j];
                double *restrict row = bH + j * k;
                for (size_t l = j; l < k; l++)
                    row[l] += (a0 * z0[l] + a1 * z1[l]) +
                              (a2 * z2[l] + a3 * z3[l]);
                bg[j] += (rq[0] * z0[j] + rq[1] * z1[j]) +
                         (rq[2] * z2[j] + rq[3] * z3[j]);
            }
        }
        acc->dev += block_dev(prod, lin);
        for (size_t j = 0; j < k * k; j++)
            acc->H[j] += bH[j];
        for (size_t j = 0; j < k; j++)
            acc->g[j] += bg[j];
    }
    acc->extreme = extreme;
}

static void pass_chunk(const hc_lr_pass *ctx, hc_lr_acc *acc, size_t begin,
                       size_t end)
{
    const double *off = ctx->prob->offset;
    const double *y = ctx->prob->y;
    acc->dev = 0.0;
    acc->extreme = 0;
    acc->sr = acc->sw = 0.0;
    if (ctx->kind == HC_LR_PASS_NULL) {
        for (size_t b = begin; b < end; b += BLOCK) {
            size_t e = end - b > BLOCK ? b + BLOCK : end;
            double prod = 1.0, lin = 0.0, br = 0.0, bw = 0.0;
            for (size_t i = b; i < e; i++) {
                double w, r, t;
                lin += hc_lr_row_terms(ctx->a + off[i], y[i], &w, &r, &t);
                prod *= 1.0 + t;
                br += r;
                bw += w;
            }
            acc->dev += block_dev(prod, lin);
            acc->sr += br;
            acc->sw += bw;
        }
        return;
    }
    switch (ctx->k) {
    case 2: full_pass(ctx, acc, begin, end, 2); break;
    case 3: full_pass(ctx, acc, begin, end, 3); break;
    case 4: full_pass(ctx, acc, begin, end, 4); break;
    case 5: full_pass(ctx, acc, begin, end, 5); break;
    case 6: full_pass(ctx, acc, begin, end, 6); break;
    case 7: full_pass(ctx, acc, begin, end, 7); break;
    case 8: full_pass(ctx, acc, begin, end, 8); break;
    default: full_pass(ctx, acc, begin, end, ctx->k); break;
    }
}

static void *pass_thread(void *arg)
{
    pass_job *job = arg;
    pass_chunk(job->ctx, job->acc, job->begin, job->end);
    return NULL;
}

void hc_lr_run_pass(const hc_lr_pass *ctx, hc_lr_acc acc[2], int threads)
{
    size_t n = ctx->prob->n, half = n / 2, k = ctx->k;
    pass_job job = {ctx, &acc[1], half, n};
    pthread_t th;
    int threaded =
        threads >= 2 && pthread_create(&th, NULL, pass_thread, &job) == 0;
    pass_chunk(ctx, &acc[0], 0, half);
    if (threaded)
        pthread_join(th, NULL);
    else
        pass_chunk(ctx, &acc[1], half, n);
    acc[0].dev += acc[1].dev;
    acc[0].extreme += acc[1].extreme;
    acc[0].sr += acc[1].sr;
    acc[0].sw += acc[1].sw;
    if (ctx->kind == HC_LR_PASS_FULL) {
        for (size_t j = 0; j < k * k; j++)
            acc[0].H[j] += acc[1].H[j];
        for (size_t j = 0; j < k; j++)
            acc[0].g[j] += acc[1].g[j];
    }
}

void hc_lr_acc_free(hc_lr_acc *a)
{
    free(a->H);
    free(a->g);
    free(a->bH);
    free(a->bg);
    free(a->z);
    free(a->wv);
    free(a->rv);
    free(a->xrow);
}

int hc_lr_acc_alloc(hc_lr_acc *a, size_t k)
{
    memset(a, 0, sizeof *a);
    a->H = calloc(k * k, sizeof(double));
    a->g = calloc(k, sizeof(double));
    a->bH = calloc(k * k, sizeof(double));
    a->bg = calloc(k, sizeof(double));
    a->z = calloc((BLOCK + ROWS) * k, sizeof(double));
    a->wv = calloc(BLOCK + ROWS, sizeof(double));
    a->rv = calloc(BLOCK + ROWS, sizeof(double));
    a->xrow = calloc(k, sizeof(double)); /* k = p + 1 >= p */
    if (!a->H || !a->g || !a->bH || !a->bg || !a->z || !a->wv || !a->rv || !a->xrow) {
        hc_lr_acc_free(a);
        return -1;
    }
    return 0;
}
