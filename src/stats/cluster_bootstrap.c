/* cluster_bootstrap.c - percentile intervals by resampling clusters (accounts): average precision, KS, top-decile lift and capture, and ECE, without re-sorting per replicate.
 *
 * The cluster (block) bootstrap draws K clusters with replacement from the
 * K observed ones and keeps all rows of each drawn cluster (Davison &
 * Hinkley 1997, "Bootstrap Methods and their Application", section 3.8,
 * strategy 1 with the within-cluster rows kept; Field & Welsh 2007, JRSS B
 * 69:369-390). A replicate is then the original rows with every row
 * weighted by its cluster's draw count, so the rank metrics are one walk
 * down the original ranking with weights (ties stay tied, so the walk is
 * the one a sort of the replicate would give) and ECE needs only each
 * cluster's per-bin sums of p - y. The interval is the percentile interval
 * (type-7 quantiles of the replicates at (1 - level) / 2 and its
 * complement). Replicates are walked LANES at a time (their draw counts
 * side by side per cluster) on up to two threads, with the draws in the
 * one sequence of the seeded generator: the values are those of walking
 * each replicate alone.
 */
#include "hc_metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#define ECE_BINS 10

/* Replicates walked together: their draw counts sit side by side per
 * cluster (LANES bytes), so one pass down the ranking serves LANES
 * replicates and the per-row work is a short vector add. */
#define LANES 16
/* Rows summed into 16-bit lane counters before they are widened: draw
 * counts are at most 255 (see draw_batch), so 257 rows stay below 2^16. */
#define CHUNK 257

/* The rows in risk order, walked from the riskiest in segments: a tie
 * group holding a churner row, or a run of churn-free tie groups. Recall,
 * precision and the top decile's capture change only at churner groups; a
 * churn-free run only adds false positives and fills the top decile, and
 * along it the KS statistic |TPR - FPR| is monotone, so its value is
 * needed only at the run's end (before the run it was taken at the group
 * before). Replicate weights are draw counts, so every sum in the walk
 * but ECE's is a sum of whole numbers, exact in any order: a segment is
 * summed in integers (its churner rows first, then the others), and the
 * results are bit for bit those of evaluating every tie group in doubles. */
typedef struct {
    uint32_t *c;          /* n: compacted cluster of each row, walk order
                             (riskiest segment first) */
    uint32_t *lo;         /* n_seg + 1: segment q is rows [lo[q], lo[q + 1]) */
    uint32_t *mid;        /* n_seg: its churner rows are [lo[q], mid[q]); a
                             churn-free run has mid[q] == lo[q] */
    unsigned char *pos;   /* n_seg: a churner tie group (else a churn-free run) */
    size_t n, n_seg;
} boot_rows;

/* One ECE cell: cluster c's rows in bin b, sum of p - y. */
typedef struct {
    uint32_t c;
    uint32_t b;
    double d;
} ece_cell;

/* The bin of p among ECE_BINS uniform bins, as hc_metrics_ece bins it
 * (sklearn's searchsorted on linspace(0, 1, 11) inner edges, k * 0.1). */
static size_t bin_of(double p)
{
    const size_t nb = ECE_BINS;
    double g = floor(p * (double)nb);
    size_t b = g < 0.0 ? 0 : g > (double)(nb - 1) ? nb - 1 : (size_t)g;
    while (b > 0 && !((double)b * (1.0 / (double)nb) < p))
        b--;
    while (b < nb - 1 && (double)(b + 1) * (1.0 / (double)nb) < p)
        b++;
    return b;
}

/* The metrics of one weighting of the rows. */
typedef struct {
    double ap, ks, lift, capture, ece;
    int ok;
} boot_metrics;

/* Adds the lane weights of rows [i, j) into acc: 16-bit lane sums over
 * chunks of CHUNK rows, widened into acc after each. */
static void lane_sum(const uint32_t *cl, const uint8_t *W, size_t i, size_t j, uint32_t *acc)
{
    while (i < j) {
        size_t e = j - i > CHUNK ? i + CHUNK : j;
        uint16_t s[LANES] = {0};
        for (; i < e; i++) {
            const uint8_t *wr = W + (size_t)cl[i] * LANES;
            for (size_t t = 0; t < LANES; t++)
                s[t] = (uint16_t)(s[t] + wr[t]);
        }
        for (size_t t = 0; t < LANES; t++)
            acc[t] += s[t];
    }
}

/* The walk of one batch of LANES weightings (W: m x LANES draw counts),
 * lanes [0, nl) used: each lane's arithmetic is that of a walk of its own
 * weighting with the weights as doubles. */
static void replicate_batch(const boot_rows *v, const ece_cell *cells, size_t ncells,
                            const uint8_t *W, const uint32_t *pos, const uint32_t *neg,
                            size_t m, size_t nl, boot_metrics *out)
{
    double P[LANES], N[LANES], T[LANES], k[LANES];
    double tp[LANES], fp[LANES], prev_recall[LANES], ap[LANES], ks[LANES];
    double taken[LANES], top_pos[LANES];
    uint64_t P64[LANES] = {0}, N64[LANES] = {0};
    for (size_t c = 0; c < m; c++) {
        const uint8_t *wr = W + c * LANES;
        for (size_t t = 0; t < LANES; t++) {
            P64[t] += (uint64_t)wr[t] * pos[c];
            N64[t] += (uint64_t)wr[t] * neg[c];
        }
    }
    for (size_t t = 0; t < LANES; t++) {
        P[t] = (double)P64[t];
        N[t] = (double)N64[t];
        T[t] = P[t] + N[t];
        k[t] = t < nl ? (double)hc_metrics_top_count((size_t)llround(T[t]), 0.1) : 0.0;
        tp[t] = fp[t] = prev_recall[t] = ap[t] = ks[t] = taken[t] = top_pos[t] = 0.0;
    }
    const uint32_t *cl = v->c;
    for (size_t q = 0; q < v->n_seg; q++) {
        uint32_t ga[LANES] = {0}, gn[LANES] = {0};
        lane_sum(cl, W, v->lo[q], v->mid[q], ga);
        lane_sum(cl, W, v->mid[q], v->lo[q + 1], gn);
        if (!v->pos[q]) {
            /* A churn-free run: a = 0 adds nothing to tp, ap or top_pos. */
            for (size_t t = 0; t < nl; t++) {
                double g = (double)gn[t];
                taken[t] = taken[t] + g < k[t] ? taken[t] + g
                                               : (taken[t] < k[t] ? k[t] : taken[t]);
                fp[t] += g;
                double d = fabs(tp[t] / P[t] - fp[t] / N[t]);
                ks[t] = d > ks[t] ? d : ks[t];
            }
            continue;
        }
        for (size_t t = 0; t < nl; t++) {
            double a = (double)ga[t], g = (double)((uint64_t)ga[t] + gn[t]);
            if (g == 0.0)
                continue;
            if (taken[t] < k[t]) {
                double use = k[t] - taken[t] < g ? k[t] - taken[t] : g;
                top_pos[t] += a * (use / g);
                taken[t] += use;
            }
            tp[t] += a;
            fp[t] += g - a;
            double recall = tp[t] / P[t];
            ap[t] += (recall - prev_recall[t]) * (tp[t] / (tp[t] + fp[t]));
            prev_recall[t] = recall;
            double d = fabs(tp[t] / P[t] - fp[t] / N[t]);
            ks[t] = d > ks[t] ? d : ks[t];
        }
    }
    double bin[LANES][ECE_BINS];
    for (size_t t = 0; t < LANES; t++)
        for (size_t b = 0; b < ECE_BINS; b++)
            bin[t][b] = 0.0;
    for (size_t q = 0; q < ncells; q++) {
        const uint8_t *wr = W + (size_t)cells[q].c * LANES;
        for (size_t t = 0; t < nl; t++)
            bin[t][cells[q].b] += (double)wr[t] * cells[q].d;
    }
    for (size_t t = 0; t < nl; t++) {
        double e = 0.0;
        for (size_t b = 0; b < ECE_BINS; b++)
            e += fabs(bin[t][b]);
        out[t].ok = P[t] > 0.0 && N[t] > 0.0;
        out[t].ap = ap[t];
        out[t].ks = ks[t];
        out[t].capture = top_pos[t] / P[t];
        out[t].lift = out[t].capture * T[t] / k[t];
        out[t].ece = e / T[t];
    }
}

/* The replicates shared between threads: lane 0 of batch 0 is the
 * estimate (every weight 1), lane j + 1 is replicate j. A thread takes
 * the next batch and draws its weights under the lock, so the draws come
 * in the one sequence of the seeded generator whatever the threading, and
 * walks it outside the lock; results land by lane, so they do not depend
 * on the threading either. */
typedef struct {
    const boot_rows *v;
    const ece_cell *cells;
    size_t ncells;
    const uint32_t *pos, *neg;
    size_t m, lanes;      /* lanes: replicates + 1 */
    gsl_rng *rng;
    pthread_mutex_t lock;
    size_t next;          /* the next batch to draw */
    int overflow;         /* a draw count passed 255 */
    boot_metrics *out;    /* lanes */
} boot_pool;

/* Draws the weights of batch b into W: each replicate's m clusters with
 * replacement, in sequence. Returns the lanes used (0: none left), -1 when
 * a draw count would pass 255 (m draws over m clusters: impossible for
 * m < 256, and for larger m less likely than 1e-400). */
static long draw_batch(boot_pool *pl, size_t b, uint8_t *W)
{
    size_t first = b * LANES;
    if (first >= pl->lanes)
        return 0;
    size_t nl = pl->lanes - first < LANES ? pl->lanes - first : LANES;
    size_t m = pl->m;
    memset(W, 0, m * LANES);
    for (size_t t = 0; t < nl; t++) {
        if (first + t == 0) {
            for (size_t c = 0; c < m; c++)
                W[c * LANES] = 1;
            continue;
        }
        for (size_t d = 0; d < m; d++) {
            uint8_t *x = &W[(size_t)gsl_rng_uniform_int(pl->rng, m) * LANES + t];
            if (*x == UINT8_MAX)
                return -1;
            (*x)++;
        }
    }
    return (long)nl;
}

static void *boot_worker(void *arg)
{
    boot_pool *pl = arg;
    uint8_t *W = malloc(pl->m * LANES);
    if (!W)
        return (void *)1;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        size_t b = pl->next++;
        long nl = pl->overflow ? 0 : draw_batch(pl, b, W);
        if (nl < 0)
            pl->overflow = 1;
        pthread_mutex_unlock(&pl->lock);
        if (nl <= 0)
            break;
        replicate_batch(pl->v, pl->cells, pl->ncells, W, pl->pos, pl->neg, pl->m,
                        (size_t)nl, pl->out + b * LANES);
    }
    free(W);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile interval and SD of `used` replicate values (sorted here). */
static void percentile(double *x, size_t used, double level, double estimate,
                       hc_metrics_boot_ci *out)
{
    out->estimate = estimate;
    if (used == 0) {
        out->ci_low = out->ci_high = estimate;
        out->se = 0.0;
        return;
    }
    double mean = 0.0, ss = 0.0;
    for (size_t r = 0; r < used; r++)
        mean += x[r];
    mean /= (double)used;
    for (size_t r = 0; r < used; r++)
        ss += (x[r] - mean) * (x[r] - mean);
    out->se = used > 1 ? sqrt(ss / (double)(used - 1)) : 0.0;
    qsort(x, used, sizeof *x, cmp_double);
    double alpha = (1.0 - level) / 2.0;
    out->ci_low = hc_metrics_quantile_sorted(x, used, alpha);
    out->ci_high = hc_metrics_quantile_sorted(x, used, 1.0 - alpha);
}

/* The per-cluster tallies and ECE cells of the rows, and the segments of
 * the risk order (riskiest first), each with its churner rows first. */
static hc_status build(const double *y, const hc_metrics_ranked *ranked, const double *p,
                       const int32_t *cluster, size_t n, long k, boot_rows *v,
                       uint32_t **pos_out, uint32_t **neg_out, size_t *m_out,
                       ece_cell **cells_out, size_t *ncells_out, hc_error *err)
{
    long *idx = malloc((k ? (size_t)k : 1) * sizeof *idx);
    if (!idx)
        return hc_error_nomem(err);
    for (long j = 0; j < k; j++)
        idx[j] = -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (idx[cluster[i]] < 0)
            idx[cluster[i]] = (long)m++;
    uint32_t *pos = calloc(m ? m : 1, sizeof *pos), *neg = calloc(m ? m : 1, sizeof *neg);
    /* ECE cells: cluster-major, at most one per (cluster, bin). */
    uint16_t *mask = calloc(m ? m : 1, sizeof *mask);
    size_t *start = calloc(m + 1, sizeof *start);
    if (!pos || !neg || !mask || !start) {
        free(idx);
        free(pos);
        free(neg);
        free(mask);
        free(start);
        return hc_error_nomem(err);
    }
    for (size_t r = 0; r < n; r++) {
        size_t i = ranked[r].i;
        uint32_t c = (uint32_t)idx[cluster[i]];
        if (y[i] == 1.0)
            pos[c]++;
        else
            neg[c]++;
        mask[c] |= (uint16_t)(1u << bin_of(p[i]));
    }
    /* The segments, riskiest first: churner tie groups, and the runs of
     * churn-free tie groups between them; rows of a segment written
     * churners first, from both ends of its slot. */
    size_t ns = 0, w = 0;
    for (size_t j = n; j > 0;) {
        size_t i = j - 1;
        int churn = y[ranked[i].i] == 1.0;
        while (i > 0 && ranked[i - 1].s == ranked[j - 1].s)
            churn |= y[ranked[--i].i] == 1.0;
        if (!churn && ns > 0 && !v->pos[ns - 1]) {
            /* the run goes on */
        } else {
            v->lo[ns] = (uint32_t)w;
            v->mid[ns] = (uint32_t)w;
            v->pos[ns++] = (unsigned char)churn;
        }
        size_t a = v->mid[ns - 1], b = w + (j - i);
        for (size_t r = i; r < j; r++) {
            size_t o = ranked[r].i;
            uint32_t c = (uint32_t)idx[cluster[o]];
            if (y[o] == 1.0)
                v->c[a++] = c;
            else
                v->c[--b] = c;
        }
        /* A run's rows are all churn-free; a churner group closes at once. */
        v->mid[ns - 1] = (uint32_t)a;
        w += j - i;
        j = i;
    }
    v->lo[ns] = (uint32_t)n;
    v->n = n;
    v->n_seg = ns;
    size_t ncells = 0;
    for (size_t c = 0; c < m; c++) {
        start[c] = ncells;
        for (size_t b = 0; b < ECE_BINS; b++)
            ncells += (mask[c] >> b) & 1u;
    }
    start[m] = ncells;
    ece_cell *cells = malloc((ncells ? ncells : 1) * sizeof *cells);
    if (!cells) {
        free(idx);
        free(mask);
        free(start);
        free(pos);
        free(neg);
        return hc_error_nomem(err);
    }
    /* Cell q of cluster c for bin b: start[c] + (bins of c below b). */
    for (size_t c = 0; c < m; c++) {
        size_t q = start[c];
        for (size_t b = 0; b < ECE_BINS; b++)
            if ((mask[c] >> b) & 1u)
                cells[q++] = (ece_cell){(uint32_t)c, (uint32_t)b, 0.0};
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)idx[cluster[i]], b = bin_of(p[i]);
        size_t below = 0;
        for (size_t t = 0; t < b; t++)
            below += (mask[c] >> t) & 1u;
        cells[start[c] + below].d += p[i] - y[i];
    }
    free(idx);
    free(mask);
    free(start);
    *pos_out = pos;
    *neg_out = neg;
    *m_out = m;
    *cells_out = cells;
    *ncells_out = ncells;
    return HC_OK;
}

hc_status hc_metrics_cluster_bootstrap(const double *y, const double *risk,
                                       const hc_metrics_ranked *ranked, const double *p,
                                       const int32_t *cluster, size_t n,
                                       size_t replicates, unsigned long seed,
                                       double level, hc_metrics_cluster_boot *out,
                                       hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (replicates < 2)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the bootstrap needs at least 2 replicates, not %zu",
                            replicates);
    if (!(level > 0.0 && level < 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "confidence level %g is not between 0 and 1", level);
    hc_status st;
    if ((st = hc_metrics_check(y, p, n, 1, 1, "predicted probability", err)) ||
        (risk && (st = hc_metrics_check(y, risk, n, 0, 1, "score", err))))
        return st;
    if (!risk && !ranked)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the bootstrap needs a score or its ranking");
    long k = hc_metrics_cluster_count(cluster, n, err);
    if (k < 0)
        return HC_EUSAGE;
    hc_metrics_ranked *own = ranked ? NULL : hc_metrics_rank(risk, n);
    boot_rows rows = {.c = malloc((n ? n : 1) * sizeof *rows.c),
                      .lo = malloc((n + 1) * sizeof *rows.lo),
                      .mid = malloc((n ? n : 1) * sizeof *rows.mid), .pos = malloc(n ? n : 1)};
    boot_rows *v = &rows;
    uint32_t *pos = NULL, *neg = NULL;
    double *vals = NULL;
    boot_metrics *res = NULL;
    ece_cell *cells = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t m = 0, ncells = 0;
    if ((!ranked && !own) || !rows.c || !rows.lo || !rows.mid || !rows.pos || !rng) {
        st = hc_error_nomem(err);
        goto done;
    }
    if ((st = build(y, ranked ? ranked : own, p, cluster, n, k, v, &pos, &neg, &m, &cells,
                    &ncells, err)))
        goto done;
    vals = malloc(5 * replicates * sizeof *vals);
    res = malloc((replicates + 1) * sizeof *res);
    if (!vals || !res) {
        st = hc_error_nomem(err);
        goto done;
    }
    gsl_rng_set(rng, seed);
    /* The estimate and the replicates in batches of LANES, on two threads
     * on large inputs (boot_pool): the results do not depend on it. */
    boot_pool pool = {.v = v, .cells = cells, .ncells = ncells, .pos = pos, .neg = neg,
                      .m = m, .lanes = replicates + 1, .rng = rng, .out = res};
    pthread_mutex_init(&pool.lock, NULL);
    size_t batches = (replicates + 1 + LANES - 1) / LANES;
    int two = n >= ((size_t)1 << 16) && batches > 1;
    pthread_t th;
    int threaded = two && pthread_create(&th, NULL, boot_worker, &pool) == 0;
    void *fail = boot_worker(&pool), *fail2 = NULL;
    if (threaded)
        pthread_join(th, &fail2);
    pthread_mutex_destroy(&pool.lock);
    if (fail && (!threaded || fail2)) {
        st = hc_error_nomem(err);
        goto done;
    }
    /* One walker out of memory: the other took every batch. */
    if (pool.overflow) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "a bootstrap replicate drew one of %zu clusters more than 255 "
                          "times", m);
        goto done;
    }
    boot_metrics est = res[0];
    size_t used = 0;
    for (size_t b = 0; b < replicates; b++) {
        const boot_metrics *r = &res[b + 1];
        if (!r->ok)
            continue;
        vals[0 * replicates + used] = r->ap;
        vals[1 * replicates + used] = r->ks;
        vals[2 * replicates + used] = r->ece;
        vals[3 * replicates + used] = r->lift;
        vals[4 * replicates + used] = r->capture;
        used++;
    }
    out->replicates = replicates;
    out->used = used;
    out->seed = seed;
    out->level = level;
    percentile(vals + 0 * replicates, used, level, est.ap, &out->pr_auc);
    percentile(vals + 1 * replicates, used, level, est.ks, &out->ks);
    percentile(vals + 2 * replicates, used, level, est.ece, &out->ece);
    percentile(vals + 3 * replicates, used, level, est.lift, &out->lift_top_decile);
    percentile(vals + 4 * replicates, used, level, est.capture, &out->capture_top_decile);
    if (used == 0)
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "no bootstrap replicate had both churners and retained "
                          "rows (%zu clusters)", m);
done:
    gsl_rng_free(rng);
    free(own);
    free(rows.c);
    free(rows.lo);
    free(rows.mid);
    free(rows.pos);
    free(res);
    free(pos);
    free(neg);
    free(vals);
    free(cells);
    return st;
}
