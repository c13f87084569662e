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
 * complement).
 */
#include "hc_metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#define ECE_BINS 10

/* The rows in risk order, walked from the riskiest (the end of the
 * ascending ranking) in segments: a tie group holding a churner row, or a
 * run of churn-free tie groups. Recall, precision and the top decile's
 * capture change only at churner groups; a churn-free run only adds false
 * positives and fills the top decile, and along it the KS statistic
 * |TPR - FPR| is monotone, so its value is needed only at the run's end
 * (before the run it was taken at the group before). Replicate weights
 * are draw counts, so every sum in the walk but ECE's is a sum of whole
 * numbers, exact in any order: a run is one sum, and the results are bit
 * for bit those of evaluating every tie group. */
typedef struct {
    uint32_t *c;          /* n: compacted cluster of each row, ascending risk */
    unsigned char *y;     /* n: the row churned */
    uint32_t *lo;         /* n_seg, walk order (riskiest first): segment q is
                             rows [lo[q], q ? lo[q - 1] : n) */
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

/* The metrics of one weighting of the rows (w[c] per compacted cluster). */
typedef struct {
    double ap, ks, lift, capture, ece;
} boot_metrics;

/* The sum of the weights of rows [i, j): whole numbers, exact in any
 * order, so four accumulators. */
static double run_weight(const uint32_t *cl, const double *w, size_t i, size_t j)
{
    double g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0;
    size_t r = i;
    for (; r + 4 <= j; r += 4) {
        g0 += w[cl[r]];
        g1 += w[cl[r + 1]];
        g2 += w[cl[r + 2]];
        g3 += w[cl[r + 3]];
    }
    for (; r < j; r++)
        g0 += w[cl[r]];
    return (g0 + g1) + (g2 + g3);
}

static int replicate(const boot_rows *v, const ece_cell *cells, size_t ncells,
                     const double *w, const double *pos, const double *neg, size_t m,
                     boot_metrics *out)
{
    double P = 0.0, N = 0.0;
    for (size_t c = 0; c < m; c++) {
        P += w[c] * pos[c];
        N += w[c] * neg[c];
    }
    if (!(P > 0.0 && N > 0.0))
        return 0;
    double T = P + N;
    double k = (double)hc_metrics_top_count((size_t)llround(T), 0.1);
    double tp = 0.0, fp = 0.0, prev_recall = 0.0, ap = 0.0, ks = 0.0;
    double taken = 0.0, top_pos = 0.0;
    const uint32_t *cl = v->c;
    for (size_t q = 0; q < v->n_seg; q++) {
        size_t i = v->lo[q], j = q ? v->lo[q - 1] : v->n;
        if (!v->pos[q]) {
            /* A churn-free run: a = 0 adds nothing to tp, ap or top_pos. */
            double g = run_weight(cl, w, i, j);
            taken = taken + g < k ? taken + g : (taken < k ? k : taken);
            fp += g;
            double d = fabs(tp / P - fp / N);
            ks = d > ks ? d : ks;
            continue;
        }
        double a = 0.0, g = 0.0;
        for (size_t r = i; r < j; r++) {
            double wr = w[cl[r]];
            g += wr;
            a += v->y[r] ? wr : 0.0;
        }
        if (g == 0.0)
            continue;
        if (taken < k) {
            double use = k - taken < g ? k - taken : g;
            top_pos += a * (use / g);
            taken += use;
        }
        tp += a;
        fp += g - a;
        double recall = tp / P;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
        double d = fabs(tp / P - fp / N);
        ks = d > ks ? d : ks;
    }
    double e = 0.0, bin[ECE_BINS];
    for (size_t b = 0; b < ECE_BINS; b++)
        bin[b] = 0.0;
    for (size_t q = 0; q < ncells; q++)
        bin[cells[q].b] += w[cells[q].c] * cells[q].d;
    for (size_t b = 0; b < ECE_BINS; b++)
        e += fabs(bin[b]);
    out->ap = ap;
    out->ks = ks;
    out->capture = top_pos / P;
    out->lift = out->capture * T / k;
    out->ece = e / T;
    return 1;
}

/* One replicate's work for a second thread. */
typedef struct {
    const boot_rows *v;
    const ece_cell *cells;
    size_t ncells;
    const double *w, *pos, *neg;
    size_t m;
    boot_metrics out;
    int ok;
} boot_job;

static void *boot_job_run(void *arg)
{
    boot_job *j = arg;
    j->ok = replicate(j->v, j->cells, j->ncells, j->w, j->pos, j->neg, j->m, &j->out);
    return NULL;
}

/* Draws replicate weights: m clusters with replacement, in the one
 * sequence of the seeded generator. */
static void draw(gsl_rng *rng, double *w, size_t m)
{
    memset(w, 0, m * sizeof *w);
    for (size_t d = 0; d < m; d++)
        w[gsl_rng_uniform_int(rng, m)] += 1.0;
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

/* The per-cluster tallies and ECE cells of the rows, in risk order. */
static hc_status build(const double *y, const hc_metrics_ranked *ranked, const double *p,
                       const int32_t *cluster, size_t n, long k, boot_rows *v,
                       double **pos_out, double **neg_out, size_t *m_out,
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
    double *pos = calloc(m, sizeof *pos), *neg = calloc(m, sizeof *neg);
    /* ECE cells: cluster-major, at most one per (cluster, bin). */
    uint16_t *mask = calloc(m, sizeof *mask);
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
        v->c[r] = c;
        v->y[r] = y[i] == 1.0;
        if (y[i] == 1.0)
            pos[c] += 1.0;
        else
            neg[c] += 1.0;
        mask[c] |= (uint16_t)(1u << bin_of(p[i]));
    }
    /* The segments, riskiest first: churner tie groups, and the runs of
     * churn-free tie groups between them. */
    size_t ns = 0;
    for (size_t j = n; j > 0;) {
        size_t i = j - 1;
        int churn = v->y[i];
        while (i > 0 && ranked[i - 1].s == ranked[j - 1].s)
            churn |= v->y[--i];
        if (!churn && ns > 0 && !v->pos[ns - 1]) {
            v->lo[ns - 1] = (uint32_t)i; /* the run goes on */
        } else {
            v->lo[ns] = (uint32_t)i;
            v->pos[ns++] = (unsigned char)churn;
        }
        j = i;
    }
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
        free(pos);
        free(neg);
        free(mask);
        free(start);
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
    boot_rows rows = {.c = malloc((n ? n : 1) * sizeof *rows.c), .y = malloc(n ? n : 1),
                      .lo = malloc((n ? n : 1) * sizeof *rows.lo), .pos = malloc(n ? n : 1)};
    boot_rows *v = &rows;
    double *w = NULL, *pos = NULL, *neg = NULL, *vals = NULL;
    ece_cell *cells = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t m = 0, ncells = 0;
    if ((!ranked && !own) || !rows.c || !rows.y || !rows.lo || !rows.pos || !rng) {
        st = hc_error_nomem(err);
        goto done;
    }
    if ((st = build(y, ranked ? ranked : own, p, cluster, n, k, v, &pos, &neg, &m, &cells,
                    &ncells, err)))
        goto done;
    w = malloc(2 * m * sizeof *w);
    vals = malloc(5 * replicates * sizeof *vals);
    if (!w || !vals) {
        st = hc_error_nomem(err);
        goto done;
    }
    boot_metrics est;
    for (size_t c = 0; c < m; c++)
        w[c] = 1.0;
    replicate(v, cells, ncells, w, pos, neg, m, &est);
    gsl_rng_set(rng, seed);
    /* Replicates in pairs: both weightings drawn in sequence, the second
     * walked on a second thread on large inputs; results are kept in
     * replicate order, so they do not depend on the threading. */
    int two = n >= ((size_t)1 << 16);
    size_t used = 0;
    for (size_t b = 0; b < replicates; b += 2) {
        size_t nb = b + 1 < replicates ? 2 : 1;
        boot_job job[2];
        for (size_t t = 0; t < nb; t++) {
            draw(rng, w + t * m, m);
            job[t] = (boot_job){.v = v, .cells = cells, .ncells = ncells, .w = w + t * m,
                                .pos = pos, .neg = neg, .m = m};
        }
        pthread_t th;
        int threaded = two && nb == 2 && pthread_create(&th, NULL, boot_job_run, &job[1]) == 0;
        boot_job_run(&job[0]);
        if (threaded)
            pthread_join(th, NULL);
        else if (nb == 2)
            boot_job_run(&job[1]);
        for (size_t t = 0; t < nb; t++) {
            if (!job[t].ok)
                continue;
            vals[0 * replicates + used] = job[t].out.ap;
            vals[1 * replicates + used] = job[t].out.ks;
            vals[2 * replicates + used] = job[t].out.ece;
            vals[3 * replicates + used] = job[t].out.lift;
            vals[4 * replicates + used] = job[t].out.capture;
            used++;
        }
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
    free(rows.y);
    free(rows.lo);
    free(rows.pos);
    free(w);
    free(pos);
    free(neg);
    free(vals);
    free(cells);
    return st;
}
