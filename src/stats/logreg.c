/* logreg.c - logistic regression by Newton/IRLS on GSL, with model-based and cluster-robust covariance. */
#include "hc_logreg.h"
#include "logreg_rows.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* Rows per block. Sums over a block are added to the running total once
 * per block, so rounding error grows with n / BLOCK + BLOCK rather than
 * with n. */
#define BLOCK 512

/* Rows handled together in the inner loop of a pass (see pass_chunk);
 * the code below is written out for exactly 4. */
#define ROWS 4
_Static_assert(ROWS == 4, "pass_chunk is written out for 4 rows");

/* Below this many rows the second half is processed on the calling
 * thread. The split point is n / 2 whatever happens, and the halves are
 * added in a fixed order, so results are bitwise identical either way. */
#define THREAD_MIN 32768

#define DEFAULT_MAX_ITER 100
#define DEFAULT_TOL 1e-10
#define MAX_HALVINGS 40

/* 95% two-sided normal quantile, qnorm(0.975) in R. */
#define Z975 1.959963984540054

/* Separation diagnosis: a row whose |linear predictor| exceeds this has a
 * fitted probability within 5e-5 of 0 or 1. */
#define EXTREME_ETA 10.0

enum { PASS_FULL, PASS_NULL };

/* Per-chunk accumulators of one pass over the rows. */
typedef struct {
    double *H;       /* k*k, upper triangle: sum w z z' */
    double *g;       /* k: sum (y - mu) z */
    double dev;      /* deviance */
    size_t extreme;  /* rows with |eta| > EXTREME_ETA */
    double sr, sw;   /* PASS_NULL: sum (y - mu), sum w */
    double *bH, *bg; /* block partial sums */
    double *z;       /* BLOCK + ROWS standardised rows of k */
    double *wv, *rv; /* BLOCK + ROWS: per row weight (eta first), residual */
    double *xrow;    /* one row gathered from column pointers */
} pass_acc;

/* Everything a pass reads. The data are standardised on the fly:
 * z_0 = 1, z_j = (x_j - mean_j) / sd_j, so the Hessian is well scaled
 * and the intercept is nearly orthogonal to the other columns. */
typedef struct {
    const hc_logreg_problem *prob;
    size_t k;            /* p + 1 */
    const double *mean;  /* p */
    const double *inv_sd;
    const double *b;     /* k standardised coefficients */
    double a;            /* PASS_NULL: the intercept-only coefficient */
    int kind;
} pass_ctx;

typedef struct {
    const pass_ctx *ctx;
    pass_acc *acc;
    size_t begin, end;
} pass_job;

/* Logistic pieces of one row from a single exp: the weight
 * w = mu (1 - mu), the residual r = y - mu, and t = exp(-|eta|), computed
 * without cancellation or overflow for any eta. The row's deviance
 * -2 log P(y) is 2 (log(1 + t) + lin) with the returned `lin` (|eta| when
 * the observed label is the less likely one, else 0); callers multiply
 * the (1 + t) of a block and take one log per block, since log1p per row
 * would cost as much as the rest of the pass. */
static inline double row_terms(double eta, double y, double *w, double *r,
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
static inline void full_pass(const pass_ctx *ctx, pass_acc *acc, size_t begin,
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
            lin += row_terms(eta, y[b + r], &wv[r], &rv[r], &t);
            prod *= 1.0 + t;
            extreme += fabs(eta) > EXTREME_ETA;
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

static void pass_chunk(const pass_ctx *ctx, pass_acc *acc, size_t begin,
                       size_t end)
{
    const double *off = ctx->prob->offset;
    const double *y = ctx->prob->y;
    acc->dev = 0.0;
    acc->extreme = 0;
    acc->sr = acc->sw = 0.0;
    if (ctx->kind == PASS_NULL) {
        for (size_t b = begin; b < end; b += BLOCK) {
            size_t e = end - b > BLOCK ? b + BLOCK : end;
            double prod = 1.0, lin = 0.0, br = 0.0, bw = 0.0;
            for (size_t i = b; i < e; i++) {
                double w, r, t;
                lin += row_terms(ctx->a + off[i], y[i], &w, &r, &t);
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

/* One pass over all rows: rows [0, n/2) and [n/2, n) are summed
 * separately (the second half on a second thread for large n) and the
 * second sum is added to the first. */
static void run_pass(const pass_ctx *ctx, pass_acc acc[2])
{
    size_t n = ctx->prob->n, half = n / 2, k = ctx->k;
    pass_job job = {ctx, &acc[1], half, n};
    pthread_t th;
    int threaded =
        n >= THREAD_MIN && pthread_create(&th, NULL, pass_thread, &job) == 0;
    pass_chunk(ctx, &acc[0], 0, half);
    if (threaded)
        pthread_join(th, NULL);
    else
        pass_chunk(ctx, &acc[1], half, n);
    acc[0].dev += acc[1].dev;
    acc[0].extreme += acc[1].extreme;
    acc[0].sr += acc[1].sr;
    acc[0].sw += acc[1].sw;
    if (ctx->kind == PASS_FULL) {
        for (size_t j = 0; j < k * k; j++)
            acc[0].H[j] += acc[1].H[j];
        for (size_t j = 0; j < k; j++)
            acc[0].g[j] += acc[1].g[j];
    }
}

static void acc_free(pass_acc *a)
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

static int acc_alloc(pass_acc *a, size_t k)
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
        acc_free(a);
        return -1;
    }
    return 0;
}

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

/* Working state of one fit. */
typedef struct {
    const hc_logreg_problem *prob;
    size_t n, p, k;
    double *mean, *sd, *inv_sd;
    double *pen;    /* k: diagonal penalty in standardised units */
    double *b;      /* k current standardised coefficients */
    double *bt;     /* k trial */
    double *sub_start; /* k: start from a subsample fit */
    pass_acc acc[2];
    gsl_matrix *A;  /* k x k: penalised information / its factor */
    gsl_vector *gv, *dv;
} fit_ws;

static void ws_free(fit_ws *ws)
{
    free(ws->mean);
    free(ws->sd);
    free(ws->inv_sd);
    free(ws->pen);
    free(ws->b);
    free(ws->bt);
    free(ws->sub_start);
    acc_free(&ws->acc[0]);
    acc_free(&ws->acc[1]);
    if (ws->A)
        gsl_matrix_free(ws->A);
    if (ws->gv)
        gsl_vector_free(ws->gv);
    if (ws->dv)
        gsl_vector_free(ws->dv);
}

static int ws_alloc(fit_ws *ws, const hc_logreg_problem *prob)
{
    memset(ws, 0, sizeof *ws);
    ws->prob = prob;
    ws->n = prob->n;
    ws->p = prob->p;
    ws->k = prob->p + 1;
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
    /* acc_alloc zeroes its struct, so both must run before any free. */
    bad |= acc_alloc(&ws->acc[0], k) != 0;
    bad |= acc_alloc(&ws->acc[1], k) != 0;
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
static double pen_dev(const fit_ws *ws, const double *b, double dev)
{
    double s = 0.0;
    for (size_t j = 1; j < ws->k; j++)
        s += ws->pen[j] * b[j] * b[j];
    return dev + s;
}

/* Loads the penalised information H + P from the last pass into A and
 * factors it; returns the GSL status. */
static int factor_info(fit_ws *ws)
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

static void evaluate(fit_ws *ws, const double *b)
{
    pass_ctx ctx = {ws->prob, ws->k, ws->mean, ws->inv_sd, b, 0.0,
                    PASS_FULL};
    run_pass(&ctx, ws->acc);
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

static int looks_separated(const fit_ws *ws, const double *d)
{
    if (ws->prob->ridge != 0.0 || ws->acc[0].extreme == 0)
        return 0;
    double s = 0.0;
    for (size_t j = 0; j < ws->k; j++)
        s = fmax(s, fabs(d[j]));
    return s > SEPARATION_STEP;
}

/* Names the column whose coefficient the step `d` (or NULL) moves most. */
static hc_status separation_error(const fit_ws *ws, const double *d,
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
static hc_status null_deviance_offset(fit_ws *ws, double tol, int max_iter,
                                      double *out, hc_error *err)
{
    pass_ctx ctx = {ws->prob, ws->k, ws->mean, ws->inv_sd, ws->b, 0.0,
                    PASS_NULL};
    run_pass(&ctx, ws->acc);
    double dev = ws->acc[0].dev;
    for (int it = 0; it < max_iter; it++) {
        if (!(ws->acc[0].sw > 0.0))
            break;
        double a_old = ctx.a, step = ws->acc[0].sr / ws->acc[0].sw;
        double dnew = HUGE_VAL;
        for (int h = 0; h < MAX_HALVINGS; h++, step *= 0.5) {
            ctx.a = a_old + step;
            run_pass(&ctx, ws->acc);
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

/* A map from cluster id to its slot, in order of first appearance, with
 * each slot's score sum (k doubles) and row count. Ids that span a range
 * of at most DENSE_RANGE_PER_ROW per row (account codes, which count up
 * from 0) index an array; others go through open addressing. The slots
 * are the same either way; the array saves a hash probe (a cache miss
 * with 100,000 accounts) on every row whose cluster differs from the last
 * one's, which is every row of a fold read in date order. */
typedef struct {
    int32_t *keys;
    size_t *slot;     /* cap entries; SIZE_MAX = empty */
    size_t cap;       /* power of two */
    uint32_t *dense;  /* id - dmin -> slot, UINT32_MAX = empty; or NULL */
    int32_t dmin;
    size_t count;
    double *U;        /* count * k */
    double *rows;     /* count */
    size_t ucap;
} cluster_map;

#define DENSE_RANGE_PER_ROW 4

/* Chooses the dense array when the ids of the n rows allow it (and it can
 * be allocated). */
static void cmap_init(cluster_map *m, const int32_t *id, size_t n)
{
    memset(m, 0, sizeof *m);
    if (n == 0 || n >= UINT32_MAX)
        return;
    int32_t lo = id[0], hi = id[0];
    for (size_t i = 1; i < n; i++) {
        lo = id[i] < lo ? id[i] : lo;
        hi = id[i] > hi ? id[i] : hi;
    }
    uint64_t range = (uint64_t)((int64_t)hi - (int64_t)lo) + 1;
    if (range > (uint64_t)n * DENSE_RANGE_PER_ROW + 1024)
        return;
    m->dense = malloc((size_t)range * sizeof *m->dense);
    if (!m->dense)
        return; /* the hash map still works */
    for (size_t i = 0; i < range; i++)
        m->dense[i] = UINT32_MAX;
    m->dmin = lo;
}

static uint32_t hash32(int32_t key)
{
    uint32_t h = (uint32_t)key;
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    h *= 0x846ca68bU;
    h ^= h >> 16;
    return h;
}

static int cmap_grow(cluster_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    int32_t *keys = malloc(cap * sizeof(int32_t));
    size_t *slot = malloc(cap * sizeof(size_t));
    if (!keys || !slot) {
        free(keys);
        free(slot);
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        slot[i] = SIZE_MAX;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slot[i] == SIZE_MAX)
            continue;
        size_t h = hash32(m->keys[i]) & (cap - 1);
        while (slot[h] != SIZE_MAX)
            h = (h + 1) & (cap - 1);
        keys[h] = m->keys[i];
        slot[h] = m->slot[i];
    }
    free(m->keys);
    free(m->slot);
    m->keys = keys;
    m->slot = slot;
    m->cap = cap;
    return 0;
}

/* Returns the slot of `key`, adding a zeroed one when new, or SIZE_MAX
 * when out of memory. */
static size_t cmap_get(cluster_map *m, int32_t key, size_t k)
{
    uint32_t *dslot = NULL;
    size_t h = 0;
    if (m->dense) {
        dslot = &m->dense[(size_t)((int64_t)key - m->dmin)];
        if (*dslot != UINT32_MAX)
            return *dslot;
    } else {
        if (2 * (m->count + 1) > m->cap && cmap_grow(m) != 0)
            return SIZE_MAX;
        h = hash32(key) & (m->cap - 1);
        while (m->slot[h] != SIZE_MAX) {
            if (m->keys[h] == key)
                return m->slot[h];
            h = (h + 1) & (m->cap - 1);
        }
    }
    if (m->count == m->ucap) {
        size_t ucap = m->ucap ? m->ucap * 2 : 1024;
        double *U = realloc(m->U, ucap * k * sizeof(double));
        if (!U)
            return SIZE_MAX;
        m->U = U;
        double *rows = realloc(m->rows, ucap * sizeof(double));
        if (!rows)
            return SIZE_MAX;
        m->rows = rows;
        m->ucap = ucap;
    }
    size_t s = m->count++;
    memset(m->U + s * k, 0, k * sizeof(double));
    m->rows[s] = 0.0;
    if (dslot) {
        *dslot = (uint32_t)s;
    } else {
        m->keys[h] = key;
        m->slot[h] = s;
    }
    return s;
}

static void cmap_free(cluster_map *m)
{
    free(m->dense);
    free(m->keys);
    free(m->slot);
    free(m->U);
    free(m->rows);
}

/* CR1 cluster-robust covariance in standardised units, as
 * sandwich::vcovCL(fit, cluster = ~id, type = "HC1") computes it
 * (Zeileis, Koll & Graham, J. Stat. Softw. 95(1), 2020):
 *   V = B^-1 [ G/(G-1) (n-1)/(n-k) sum_g U_g U_g' ] B^-1,
 * where U_g is the sum of the rows' scores (y - mu) z in cluster g and
 * B^-1 the model covariance. With a ridge the score of a row is that of
 * the penalised objective, (y - mu) z - P b / n, so the U_g sum to zero at
 * the optimum as they do without one. `covs` is the k x k model covariance;
 * the result goes to `out` (k x k). */
static hc_status robust_cov(fit_ws *ws, const double *covs, double *out,
                            size_t *n_clusters, hc_error *err)
{
    const hc_logreg_problem *prob = ws->prob;
    size_t n = ws->n, p = ws->p, k = ws->k;
    cluster_map m;
    cmap_init(&m, prob->cluster, n);
    double *z = ws->acc[0].z;
    z[0] = 1.0;
    size_t last = SIZE_MAX;
    int32_t last_key = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t key = prob->cluster[i];
        size_t s;
        if (last != SIZE_MAX && key == last_key) {
            s = last;
        } else {
            s = cmap_get(&m, key, k);
            if (s == SIZE_MAX) {
                cmap_free(&m);
                return hc_error_nomem(err);
            }
            last = s;
            last_key = key;
        }
        const double *x = logreg_row(prob, i, ws->acc[0].xrow);
        double eta = ws->b[0] + (prob->offset ? prob->offset[i] : 0.0);
        for (size_t j = 0; j < p; j++) {
            z[j + 1] = (x[j] - ws->mean[j]) * ws->inv_sd[j];
            eta += ws->b[j + 1] * z[j + 1];
        }
        double w, r, t;
        (void)row_terms(eta, prob->y[i], &w, &r, &t);
        double *U = m.U + s * k;
        for (size_t j = 0; j < k; j++)
            U[j] += r * z[j];
        m.rows[s] += 1.0;
    }
    size_t G = m.count;
    *n_clusters = G;
    if (G < 2) {
        cmap_free(&m);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "cluster-robust standard errors need at least 2 "
                            "clusters, but all %zu rows are in one",
                            n);
    }
    if (n <= k) {
        cmap_free(&m);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "cluster-robust standard errors need more rows "
                            "(%zu) than parameters (%zu)",
                            n, k);
    }
    double *meat = calloc(k * k, sizeof(double));
    double *tmp = calloc(k * k, sizeof(double));
    if (!meat || !tmp) {
        free(meat);
        free(tmp);
        cmap_free(&m);
        return hc_error_nomem(err);
    }
    for (size_t g = 0; g < G; g++) {
        double *U = m.U + g * k;
        double share = m.rows[g] / (double)n;
        for (size_t j = 1; j < k; j++)
            U[j] -= share * ws->pen[j] * ws->b[j];
        for (size_t j = 0; j < k; j++)
            for (size_t l = j; l < k; l++)
                meat[j * k + l] += U[j] * U[l];
    }
    double adj = (double)G / (double)(G - 1) * (double)(n - 1) /
                 (double)(n - k);
    for (size_t j = 0; j < k; j++)
        for (size_t l = j; l < k; l++) {
            meat[j * k + l] *= adj;
            meat[l * k + j] = meat[j * k + l];
        }
    /* out = covs * meat * covs */
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double s = 0.0;
            for (size_t l = 0; l < k; l++)
                s += covs[i * k + l] * meat[l * k + j];
            tmp[i * k + j] = s;
        }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double s = 0.0;
            for (size_t l = 0; l < k; l++)
                s += tmp[i * k + l] * covs[l * k + j];
            out[i * k + j] = s;
        }
    free(meat);
    free(tmp);
    cmap_free(&m);
    return HC_OK;
}

/* Maps a covariance in standardised units to the original ones:
 * beta_j = b_j / sd_j, beta_0 = b_0 - sum_j b_j mean_j / sd_j, so
 * V = T Vs T' with that linear map T. In place on k x k `v`; `tmp` is k*k
 * scratch. */
static void unstandardise_cov(const fit_ws *ws, double *v, double *tmp)
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
static hc_status newton(fit_ws *ws, double tol, int max_iter, int *iters,
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
    fit_ws ws;
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
        st = robust_cov(&ws, covs, res->robust_cov, &res->n_clusters, err);
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
    for (size_t j = 0; j < k; j++) {
        double c = res->coef[j];
        double se = sqrt(res->cov[j * k + j]);
        res->se[j] = se;
        res->z[j] = c / se;
        res->p_value[j] = 2.0 * gsl_cdf_ugaussian_Q(fabs(res->z[j]));
        res->ci_low[j] = c - Z975 * se;
        res->ci_high[j] = c + Z975 * se;
        res->odds_ratio[j] = exp(c);
        if (res->robust_se)
            res->robust_se[j] = sqrt(res->robust_cov[j * k + j]);
        if (!isfinite(c) || !(se > 0.0) || !isfinite(se) ||
            (res->robust_se && !isfinite(res->robust_se[j]))) {
            st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                              "coefficient %zu or its standard error is not "
                              "a finite number after fitting",
                              j);
            goto out;
        }
    }
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
