/* logreg_robust.c - the CR1 cluster-robust covariance of a logistic fit (sandwich::vcovCL type HC1), with its map from cluster id to cluster. */
#include "hc_logreg.h"
#include "logreg_fit.h"
#include "logreg_rows.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

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
 * the optimum as they do without one.
 *
 * The bread is taken at the final coefficients: the same pass over the
 * rows that sums the scores sums the information sum w z z', and `covs`
 * (k x k, the model covariance from the information of the last Newton
 * iterate, one quadratic step short of ws->b) is replaced by its inverse
 * (with the penalty). The two differ by ~1e-10 relative, which matters
 * once z, p and the interval rest on the robust SE and are checked
 * against R to that precision. The result goes to `out` (k x k). */
static hc_status refresh_bread(hc_lr_ws *ws, const double *H, double *covs,
                               hc_error *err)
{
    size_t k = ws->k;
    for (size_t j = 0; j < k; j++) {
        for (size_t l = j; l < k; l++) {
            gsl_matrix_set(ws->A, j, l, H[j * k + l]);
            gsl_matrix_set(ws->A, l, j, H[j * k + l]);
        }
        gsl_matrix_set(ws->A, j, j, H[j * k + j] + ws->pen[j]);
    }
    if (gsl_linalg_cholesky_decomp1(ws->A) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(ws->A) != GSL_SUCCESS)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the information matrix at the fitted values is "
                            "singular (columns nearly collinear?)");
    for (size_t j = 0; j < k; j++)
        for (size_t l = 0; l < k; l++)
            covs[j * k + l] = gsl_matrix_get(ws->A, j, l);
    return HC_OK;
}

hc_status hc_lr_robust_cov(hc_lr_ws *ws, double *covs, double *out,
                           size_t *n_clusters, hc_error *err)
{
    const hc_logreg_problem *prob = ws->prob;
    size_t n = ws->n, p = ws->p, k = ws->k;
    double *H = calloc(k * k, sizeof(double));
    if (!H)
        return hc_error_nomem(err);
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
                free(H);
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
        (void)hc_lr_row_terms(eta, prob->y[i], &w, &r, &t);
        double *U = m.U + s * k;
        for (size_t j = 0; j < k; j++) {
            U[j] += r * z[j];
            double wz = w * z[j];
            for (size_t l = j; l < k; l++)
                H[j * k + l] += wz * z[l];
        }
        m.rows[s] += 1.0;
    }
    size_t G = m.count;
    *n_clusters = G;
    hc_status st = refresh_bread(ws, H, covs, err);
    free(H);
    if (st != HC_OK) {
        cmap_free(&m);
        return st;
    }
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
