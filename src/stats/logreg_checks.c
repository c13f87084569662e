/* logreg_checks.c - detects data a logistic regression cannot use, before fitting. */
#include "hc_logreg.h"
#include "logreg_rows.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per block: block means and centred cross-products are computed
 * two-pass inside a block (which stays in cache) and merged with the
 * pairwise update of Chan, Golub & LeVeque (1979), so the moments are
 * accurate however far the data sit from zero. */
#define SCAN_BLOCK 1024

/* Designs of up to this many columns held as columns are swept a column
 * at a time (sweep_columns keeps its per-column ranges on the stack). */
#define SCAN_MAX_COLUMNS 64

/* Below this many rows the second half is scanned on the calling thread;
 * the split itself does not change, so neither do the results. */
#define SCAN_THREAD_MIN 65536

/* A column whose residual variance fraction 1 - R^2 on the columns already
 * chosen by the pivoted Cholesky falls below this is reported as collinear.
 * Its coefficient's variance would be inflated by more than 1e10 (standard
 * error by 1e5), which is no estimate at all. */
#define COLLINEAR_TOL 1e-10

/* A column whose standard deviation is below this fraction of its magnitude
 * varies only in its last few binary digits. */
#define NEAR_CONSTANT_TOL 1e-12

enum { BAD_NONE, BAD_Y_NONFINITE, BAD_Y_VALUE, BAD_X, BAD_OFFSET };

typedef struct {
    const hc_logreg_problem *prob;
    size_t begin, end;
    size_t n;          /* rows merged so far */
    size_t events;
    const double *shift; /* p: row 0 of X, subtracted before any sum */
    double *mean;      /* p, of x - shift */
    double *m2;        /* p*p, upper triangle used */
    double *lo0, *hi0; /* range of each column among rows with y = 0 */
    double *lo1, *hi1; /* ... and y = 1 */
    double *bmean;     /* p scratch */
    double *bm2;       /* p*p scratch */
    double *xrow;      /* p: a row gathered from column pointers */
    double *row0;      /* p: row 0 when gathered from column pointers */
    double *dblk;      /* p * SCAN_BLOCK, column-major: the block's rows,
                          shifted, then centred */
    int bad;
    size_t bad_row, bad_col;
    double bad_value;
} scan_chunk;

static void col_name(const hc_logreg_problem *prob, size_t j, char *buf,
                     size_t size)
{
    if (prob->names && prob->names[j])
        snprintf(buf, size, "'%s'", prob->names[j]);
    else /* "column #3": 1-based, as a spreadsheet user counts */
        snprintf(buf, size, "#%zu", j + 1);
}

static void chunk_free(scan_chunk *c)
{
    free(c->mean);
    free(c->m2);
    free(c->lo0);
    free(c->hi0);
    free(c->lo1);
    free(c->hi1);
    free(c->bmean);
    free(c->bm2);
    free(c->xrow);
    free(c->row0);
    free(c->dblk);
}

static int chunk_alloc(scan_chunk *c, const hc_logreg_problem *prob,
                       size_t begin, size_t end)
{
    size_t p = prob->p;
    size_t q = p ? p : 1;
    memset(c, 0, sizeof *c);
    c->prob = prob;
    c->begin = begin;
    c->end = end;
    c->mean = calloc(q, sizeof(double));
    c->m2 = calloc(q * q, sizeof(double));
    c->lo0 = malloc(q * sizeof(double));
    c->hi0 = malloc(q * sizeof(double));
    c->lo1 = malloc(q * sizeof(double));
    c->hi1 = malloc(q * sizeof(double));
    c->bmean = calloc(q, sizeof(double));
    c->bm2 = calloc(q * q, sizeof(double));
    c->xrow = calloc(q, sizeof(double));
    c->row0 = calloc(q, sizeof(double));
    c->dblk = malloc(q * SCAN_BLOCK * sizeof(double));
    if (!c->row0 || !c->dblk || !c->mean || !c->m2 || !c->lo0 || !c->hi0 || !c->lo1 || !c->hi1 ||
        !c->bmean || !c->bm2 || !c->xrow) {
        chunk_free(c);
        return -1;
    }
    for (size_t j = 0; j < p; j++) {
        c->lo0[j] = c->lo1[j] = HUGE_VAL;
        c->hi0[j] = c->hi1[j] = -HUGE_VAL;
    }
    c->bad = BAD_NONE;
    c->bad_row = SIZE_MAX;
    return 0;
}

/* Adds a block's (or another chunk's) moments to `c`: Chan et al.'s
 * pairwise update M2 = M2a + M2b + d d' na nb / (na + nb). */
static void merge_moments(scan_chunk *c, size_t p, size_t nb,
                          const double *bmean, const double *bm2)
{
    if (nb == 0)
        return;
    size_t na = c->n;
    double tot = (double)(na + nb);
    double f = (double)na * (double)nb / tot;
    for (size_t j = 0; j < p; j++) {
        double dj = bmean[j] - c->mean[j];
        for (size_t l = j; l < p; l++) {
            double dl = bmean[l] - c->mean[l];
            c->m2[j * p + l] += bm2[j * p + l] + dj * dl * f;
        }
    }
    for (size_t j = 0; j < p; j++)
        c->mean[j] += (bmean[j] - c->mean[j]) * ((double)nb / tot);
    c->n = na + nb;
}

/* bm2[j l] = sum over the block's rows, in order, of d_j d_l for the four
 * pairs (pj[q], pl[q]) of the column-major block d (nb rows). */
static void cross_products4(const double *d, size_t nb, const size_t *pj,
                            const size_t *pl, size_t p, double *bm2)
{
    const double *restrict a0 = d + pj[0] * SCAN_BLOCK, *restrict b0 = d + pl[0] * SCAN_BLOCK;
    const double *restrict a1 = d + pj[1] * SCAN_BLOCK, *restrict b1 = d + pl[1] * SCAN_BLOCK;
    const double *restrict a2 = d + pj[2] * SCAN_BLOCK, *restrict b2 = d + pl[2] * SCAN_BLOCK;
    const double *restrict a3 = d + pj[3] * SCAN_BLOCK, *restrict b3 = d + pl[3] * SCAN_BLOCK;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (size_t r = 0; r < nb; r++) {
        s0 += a0[r] * b0[r];
        s1 += a1[r] * b1[r];
        s2 += a2[r] * b2[r];
        s3 += a3[r] * b3[r];
    }
    bm2[pj[0] * p + pl[0]] = s0;
    bm2[pj[1] * p + pl[1]] = s1;
    bm2[pj[2] * p + pl[2]] = s2;
    bm2[pj[3] * p + pl[3]] = s3;
}

/* Validates and summarises rows [b, e) as one block; returns 0, or -1 after
 * recording the first bad value. The block's rows are kept shifted (then
 * centred) in c->dblk, so the second pass reads them from cache instead of
 * gathering and shifting them again; every sum adds the same terms in the
 * same order as a row-by-row formula would. */
/* The first sweep over rows [b, e), row by row: validates each row in
 * order, stopping at the first bad value (returns -1 after recording it),
 * and otherwise stores the shifted rows in c->dblk, sums them into
 * c->bmean, widens the ranges and returns 0 with *events counted. */
static int sweep_rows(scan_chunk *c, size_t b, size_t e, size_t *events)
{
    const hc_logreg_problem *prob = c->prob;
    size_t p = prob->p;
    const double *restrict shift = c->shift;
    double *restrict bmean = c->bmean;
    double *restrict d = c->dblk;
    for (size_t j = 0; j < p; j++)
        bmean[j] = 0.0;
    *events = 0;
    for (size_t i = b; i < e; i++) {
        double yi = prob->y[i];
        if (!isfinite(yi) || (yi != 0.0 && yi != 1.0)) {
            c->bad = isfinite(yi) ? BAD_Y_VALUE : BAD_Y_NONFINITE;
            c->bad_row = i;
            c->bad_value = yi;
            return -1;
        }
        if (prob->offset && !isfinite(prob->offset[i])) {
            c->bad = BAD_OFFSET;
            c->bad_row = i;
            c->bad_value = prob->offset[i];
            return -1;
        }
        const double *x = logreg_row(prob, i, c->xrow);
        int y1 = yi == 1.0;
        double *restrict lo = y1 ? c->lo1 : c->lo0;
        double *restrict hi = y1 ? c->hi1 : c->hi0;
        *events += (size_t)y1;
        double *restrict di = d + (i - b);
        for (size_t j = 0; j < p; j++) {
            double v = x[j];
            if (!isfinite(v)) {
                c->bad = BAD_X;
                c->bad_row = i;
                c->bad_col = j;
                c->bad_value = v;
                return -1;
            }
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
            double t = v - shift[j];
            di[j * SCAN_BLOCK] = t;
            bmean[j] += t;
        }
    }
    return 0;
}

/* The same sweep for a design held as columns, a column at a time (each
 * a simple loop over contiguous values), with the same results: every
 * column's sum adds the same terms in row order, and minima and maxima do
 * not depend on order. Returns -1, having changed nothing the caller
 * keeps, when some value is bad; sweep_rows then finds the first one in
 * row order. */
static int sweep_columns(scan_chunk *c, size_t b, size_t e, size_t *events)
{
    const hc_logreg_problem *prob = c->prob;
    const double *restrict y = prob->y + b;
    size_t nb = e - b, ev = 0;
    int ok = 1;
    for (size_t r = 0; r < nb; r++) {
        ok &= y[r] == 0.0 || y[r] == 1.0;
        ev += y[r] == 1.0;
    }
    if (prob->offset)
        for (size_t r = 0; r < nb; r++)
            ok &= isfinite(prob->offset[b + r]) != 0;
    if (!ok)
        return -1;
    double lo[2][SCAN_MAX_COLUMNS], hi[2][SCAN_MAX_COLUMNS];
    for (size_t j = 0; j < prob->p; j++) {
        const double *restrict x = prob->cols[j] + b;
        double *restrict dj = c->dblk + j * SCAN_BLOCK;
        double shift = c->shift[j], sum = 0.0;
        double l0 = HUGE_VAL, h0 = -HUGE_VAL, l1 = HUGE_VAL, h1 = -HUGE_VAL;
        for (size_t r = 0; r < nb; r++) {
            double v = x[r];
            ok &= isfinite(v) != 0;
            if (y[r] == 1.0) {
                l1 = v < l1 ? v : l1;
                h1 = v > h1 ? v : h1;
            } else {
                l0 = v < l0 ? v : l0;
                h0 = v > h0 ? v : h0;
            }
            double t = v - shift;
            dj[r] = t;
            sum += t;
        }
        if (!ok)
            return -1;
        c->bmean[j] = sum;
        lo[0][j] = l0;
        hi[0][j] = h0;
        lo[1][j] = l1;
        hi[1][j] = h1;
    }
    for (size_t j = 0; j < prob->p; j++) {
        c->lo0[j] = fmin(c->lo0[j], lo[0][j]);
        c->hi0[j] = fmax(c->hi0[j], hi[0][j]);
        c->lo1[j] = fmin(c->lo1[j], lo[1][j]);
        c->hi1[j] = fmax(c->hi1[j], hi[1][j]);
    }
    *events = ev;
    return 0;
}

/* Validates and summarises rows [b, e) as one block; returns 0, or -1 after
 * recording the first bad value. The block's rows are kept shifted (then
 * centred) in c->dblk, so the second pass reads them from cache instead of
 * gathering and shifting them again; every sum adds the same terms in the
 * same order as a row-by-row formula would. */
static int scan_block(scan_chunk *c, size_t b, size_t e)
{
    const hc_logreg_problem *prob = c->prob;
    size_t p = prob->p;
    double *restrict bmean = c->bmean;
    double *restrict d = c->dblk;
    size_t events = 0;
    int by_column = !prob->X && p <= SCAN_MAX_COLUMNS;
    if (!(by_column && sweep_columns(c, b, e, &events) == 0) &&
        sweep_rows(c, b, e, &events) != 0)
        return -1;
    c->events += events;
    size_t nb = e - b;
    for (size_t j = 0; j < p; j++)
        bmean[j] /= (double)nb;
    for (size_t j = 0; j < p; j++) {
        double *restrict dj = d + j * SCAN_BLOCK;
        for (size_t r = 0; r < nb; r++)
            dj[r] -= bmean[j];
    }
    /* The upper triangle of the block's cross-products, four sums at a
     * time held in registers (one memory update per row is what bounds a
     * row-by-row loop); each sum still runs over the rows in order. */
    double *restrict bm2 = c->bm2;
    size_t pj[4], pl[4], g = 0;
    for (size_t j = 0; j < p; j++)
        for (size_t l = j; l < p; l++) {
            pj[g] = j;
            pl[g] = l;
            if (++g == 4 || (j == p - 1 && l == p - 1)) {
                while (g < 4) { /* pad with a repeat of the last pair */
                    pj[g] = pj[g - 1];
                    pl[g] = pl[g - 1];
                    g++;
                }
                cross_products4(d, nb, pj, pl, p, bm2);
                g = 0;
            }
        }
    merge_moments(c, p, nb, bmean, bm2);
    return 0;
}

static void *scan_run(void *arg)
{
    scan_chunk *c = arg;
    for (size_t b = c->begin; b < c->end; b += SCAN_BLOCK) {
        size_t e = c->end - b > SCAN_BLOCK ? b + SCAN_BLOCK : c->end;
        if (scan_block(c, b, e) != 0)
            break;
    }
    return NULL;
}

/* Scans all rows as two fixed halves (the second on its own thread when
 * the data are large) and merges the second into the first. */
static hc_status scan_all(const hc_logreg_problem *prob, scan_chunk *c,
                          hc_error *err)
{
    size_t n = prob->n;
    size_t half = n / 2;
    scan_chunk c1;
    if (chunk_alloc(c, prob, 0, half) != 0)
        return hc_error_nomem(err);
    if (chunk_alloc(&c1, prob, half, n) != 0) {
        chunk_free(c);
        return hc_error_nomem(err);
    }
    /* Sums are of x - x_0 (row 0), which keeps them exact to the scale of
     * the variation rather than of the values: a column of epoch seconds
     * or of 1e9 + small integers gets its variance right. If row 0 holds a
     * non-finite value the scan reports it before the sums matter. */
    c->shift = c1.shift = n ? logreg_row(prob, 0, c->row0) : c->row0;
    pthread_t th;
    int threaded = n >= SCAN_THREAD_MIN &&
                   pthread_create(&th, NULL, scan_run, &c1) == 0;
    scan_run(c);
    if (threaded)
        pthread_join(th, NULL);
    else
        scan_run(&c1);

    size_t p = prob->p;
    if (c->bad == BAD_NONE && c1.bad != BAD_NONE) {
        c->bad = c1.bad;
        c->bad_row = c1.bad_row;
        c->bad_col = c1.bad_col;
        c->bad_value = c1.bad_value;
    }
    if (c->bad == BAD_NONE) {
        merge_moments(c, p, c1.n, c1.mean, c1.m2);
        c->events += c1.events;
        for (size_t j = 0; j < p; j++) {
            c->lo0[j] = fmin(c->lo0[j], c1.lo0[j]);
            c->hi0[j] = fmax(c->hi0[j], c1.hi0[j]);
            c->lo1[j] = fmin(c->lo1[j], c1.lo1[j]);
            c->hi1[j] = fmax(c->hi1[j], c1.hi1[j]);
        }
    }
    chunk_free(&c1);
    return HC_OK;
}

static hc_status report_bad(const hc_logreg_problem *prob,
                            const scan_chunk *c, hc_error *err)
{
    char name[300];
    switch (c->bad) {
    case BAD_Y_NONFINITE:
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "row %zu: the label is not a finite number (%g)",
                            c->bad_row + 1, c->bad_value);
    case BAD_Y_VALUE:
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "row %zu: the label is %g; labels must be 0 or 1",
                            c->bad_row + 1, c->bad_value);
    case BAD_OFFSET:
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "row %zu: the offset is not a finite number (%g)",
                            c->bad_row + 1, c->bad_value);
    case BAD_X:
        col_name(prob, c->bad_col, name, sizeof name);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "row %zu, column %s: the value is not a finite "
                            "number (%g)",
                            c->bad_row + 1, name, c->bad_value);
    default:
        return HC_OK;
    }
}

/* Pivoted Cholesky of the p x p correlation matrix (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2nd ed., section 10.3): at each step
 * the column with the largest residual variance fraction is taken; when
 * the largest left is below COLLINEAR_TOL the remaining columns are linear
 * combinations of those taken. On rank deficiency, names the first such
 * column and the taken columns it depends on. */
static hc_status check_collinear(const hc_logreg_problem *prob,
                                 const scan_chunk *c, hc_error *err)
{
    size_t p = prob->p;
    if (p < 2)
        return HC_OK;
    double *L = calloc(p * p, sizeof(double));
    double *d = malloc(p * sizeof(double));
    double *coef = malloc(p * sizeof(double));
    size_t *perm = malloc(p * sizeof(size_t));
    if (!L || !d || !coef || !perm) {
        free(L);
        free(d);
        free(coef);
        free(perm);
        return hc_error_nomem(err);
    }
    /* corr(j, l) from the upper triangle of the centred cross-products. */
#define CORR(j, l)                                                         \
    ((j) <= (l) ? c->m2[(j) * p + (l)] : c->m2[(l) * p + (j)]) /            \
        sqrt(c->m2[(j) * p + (j)] * c->m2[(l) * p + (l)])
    for (size_t j = 0; j < p; j++) {
        perm[j] = j;
        d[j] = 1.0;
    }
    size_t rank = 0;
    for (size_t k = 0; k < p; k++) {
        size_t q = k;
        for (size_t i = k + 1; i < p; i++)
            if (d[i] > d[q])
                q = i;
        if (!(d[q] >= COLLINEAR_TOL))
            break;
        if (q != k) {
            size_t tp = perm[k];
            perm[k] = perm[q];
            perm[q] = tp;
            double td = d[k];
            d[k] = d[q];
            d[q] = td;
            for (size_t m = 0; m < k; m++) {
                double tl = L[k * p + m];
                L[k * p + m] = L[q * p + m];
                L[q * p + m] = tl;
            }
        }
        double lkk = sqrt(d[k]);
        L[k * p + k] = lkk;
        for (size_t i = k + 1; i < p; i++) {
            double s = CORR(perm[i], perm[k]);
            for (size_t m = 0; m < k; m++)
                s -= L[i * p + m] * L[k * p + m];
            L[i * p + k] = s / lkk;
            d[i] -= L[i * p + k] * L[i * p + k];
        }
        rank = k + 1;
    }
    hc_status st = HC_OK;
    if (rank < p) {
        /* Regress the first dependent column on the columns taken: its
         * row of L holds the forward-substituted right-hand side, so one
         * back substitution with L' gives the coefficients. */
        size_t dep = perm[rank];
        for (size_t k = rank; k-- > 0;) {
            double s = L[rank * p + k];
            for (size_t m = k + 1; m < rank; m++)
                s -= L[m * p + k] * coef[m];
            coef[k] = s / L[k * p + k];
        }
        double big = 0.0;
        for (size_t k = 0; k < rank; k++)
            big = fmax(big, fabs(coef[k]));
        /* Mark involved columns in original order for the message. */
        unsigned char *inv = calloc(p, 1);
        if (!inv) {
            st = hc_error_nomem(err);
        } else {
            size_t count = 1;
            inv[dep] = 1;
            for (size_t k = 0; k < rank; k++)
                if (fabs(coef[k]) > 1e-6 * big) {
                    inv[perm[k]] = 1;
                    count++;
                }
            char list[900];
            size_t used = 0, seen = 0;
            list[0] = '\0';
            for (size_t j = 0; j < p && used < sizeof list; j++) {
                if (!inv[j])
                    continue;
                char name[300];
                col_name(prob, j, name, sizeof name);
                seen++;
                const char *sep = seen == 1       ? ""
                                  : seen == count ? " and "
                                                  : ", ";
                int w = snprintf(list + used, sizeof list - used, "%s%s",
                                 sep, name);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
            if (count == 1) {
                /* Only possible when the dependent column is (nearly)
                 * constant after all; say so rather than name no pair. */
                st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                  "column %s is collinear with the intercept "
                                  "(it is nearly constant); drop it",
                                  list);
            } else if (count == 2) {
                st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                  "columns %s are collinear (one is a linear "
                                  "function of the other); drop one of them",
                                  list);
            } else {
                st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                  "columns %s are collinear (one is a linear "
                                  "combination of the others); drop one of "
                                  "them",
                                  list);
            }
            free(inv);
        }
    }
#undef CORR
    free(L);
    free(d);
    free(coef);
    free(perm);
    return st;
}

/* A single column separates the outcome when the ranges of its values
 * among label-0 and label-1 rows do not overlap (complete separation) or
 * touch at one value (quasi-complete); either way the maximum-likelihood
 * coefficient is infinite (Albert & Anderson, Biometrika 1984). */
static hc_status check_separation(const hc_logreg_problem *prob,
                                  const scan_chunk *c, hc_error *err)
{
    const char *ev = prob->event_name ? prob->event_name : "events";
    char name[300];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < prob->p; j++) {
            /* `up`: label 1 sits at the high end of the column. */
            int up;
            double cut0, cut1;
            if (pass == 0 && c->hi0[j] < c->lo1[j]) {
                up = 1;
                cut0 = c->hi0[j];
                cut1 = c->lo1[j];
            } else if (pass == 0 && c->hi1[j] < c->lo0[j]) {
                up = 0;
                cut0 = c->lo0[j];
                cut1 = c->hi1[j];
            } else if (pass == 1 && c->hi0[j] == c->lo1[j]) {
                up = 1;
                cut0 = cut1 = c->hi0[j];
            } else if (pass == 1 && c->hi1[j] == c->lo0[j]) {
                up = 0;
                cut0 = cut1 = c->lo0[j];
            } else {
                continue;
            }
            col_name(prob, j, name, sizeof name);
            if (pass == 0)
                return hc_error_set(
                    err, HC_ENUMERIC, NULL, 0, 0,
                    "perfect separation: column %s alone predicts the "
                    "outcome (every row with %s %s %g has label 0 and every "
                    "row with %s %s %g has label 1), so the best-fitting "
                    "coefficient is infinite; drop the column or use --ridge",
                    name, name, up ? "<=" : ">=", cut0, name,
                    up ? ">=" : "<=", cut1);
            /* Quasi-complete: only rows at the cut value have both labels.
             * Say which side is pure; the other side may be empty. */
            int side0 = up ? c->lo0[j] < cut0 : c->hi0[j] > cut0;
            int side1 = up ? c->hi1[j] > cut1 : c->lo1[j] < cut1;
            char detail[700];
            if (side0 && side1)
                snprintf(detail, sizeof detail,
                         "every row with %s %s %g has label 0 and every row "
                         "with %s %s %g has label 1",
                         name, up ? "<" : ">", cut0, name, up ? ">" : "<",
                         cut1);
            else if (side0)
                snprintf(detail, sizeof detail,
                         "every row with %s %s %g has label 0, and all %s "
                         "have %s = %g",
                         name, up ? "<" : ">", cut0, ev, name, cut1);
            else
                snprintf(detail, sizeof detail,
                         "every row with %s %s %g has label 1, and all rows "
                         "with label 0 have %s = %g",
                         name, up ? ">" : "<", cut1, name, cut0);
            return hc_error_set(
                err, HC_ENUMERIC, NULL, 0, 0,
                "quasi-complete separation: column %s nearly predicts the "
                "outcome (%s), so the best-fitting coefficient is infinite; "
                "drop or merge the column, or use --ridge",
                name, detail);
        }
    }
    return HC_OK;
}

hc_status hc_logreg_check(const hc_logreg_problem *prob, double *mean,
                          double *sd, hc_error *err)
{
    if (!prob || !prob->y || (prob->p > 0 && !prob->X && !prob->cols))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "logistic regression: missing data arrays");
    if (!(prob->ridge >= 0.0) || !isfinite(prob->ridge))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the ridge penalty must be a finite number >= 0 "
                            "(got %g)",
                            prob->ridge);
    if (!(prob->tol >= 0.0) || !isfinite(prob->tol) || prob->max_iter < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the convergence tolerance must be >= 0 and the "
                            "iteration cap >= 0");
    size_t n = prob->n, p = prob->p;
    if (p > SIZE_MAX / 8 / (p + 1))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "too many columns (%zu)", p);
    const char *ev = prob->event_name ? prob->event_name : "events";
    if (n < p + 1)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "too few rows: %zu row%s for %zu parameters (the "
                            "intercept and %zu column%s); a logistic model "
                            "needs more rows than parameters",
                            n, n == 1 ? "" : "s", p + 1, p, p == 1 ? "" : "s");

    scan_chunk c;
    hc_status st = scan_all(prob, &c, err);
    if (st != HC_OK)
        return st;
    if (c.bad != BAD_NONE) {
        st = report_bad(prob, &c, err);
        chunk_free(&c);
        return st;
    }
    if (c.events == 0) {
        chunk_free(&c);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no %s: all %zu rows have label 0, so there is "
                            "nothing to fit",
                            ev, n);
    }
    if (c.events == n) {
        chunk_free(&c);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "only %s: all %zu rows have label 1, so there is "
                            "nothing to fit",
                            ev, n);
    }
    char name[300];
    for (size_t j = 0; j < p; j++) {
        double lo = fmin(c.lo0[j], c.lo1[j]), hi = fmax(c.hi0[j], c.hi1[j]);
        double s = sqrt(c.m2[j * p + j] / (double)n);
        col_name(prob, j, name, sizeof name);
        if (lo == hi) {
            chunk_free(&c);
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "column %s is constant (every row is %g), so "
                                "its effect cannot be told apart from the "
                                "intercept; drop it",
                                name, lo);
        }
        if (!(s > NEAR_CONSTANT_TOL * fmax(fabs(lo), fabs(hi)))) {
            chunk_free(&c);
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "column %s is nearly constant (it varies only "
                                "in its last digits, from %.17g to %.17g); "
                                "drop it",
                                name, lo, hi);
        }
    }
    if (prob->ridge == 0.0) {
        st = check_collinear(prob, &c, err);
        if (st == HC_OK)
            st = check_separation(prob, &c, err);
        if (st != HC_OK) {
            chunk_free(&c);
            return st;
        }
    }
    for (size_t j = 0; j < p; j++) {
        if (mean)
            mean[j] = c.shift[j] + c.mean[j];
        if (sd)
            sd[j] = sqrt(c.m2[j * p + j] / (double)n);
    }
    chunk_free(&c);
    return HC_OK;
}
