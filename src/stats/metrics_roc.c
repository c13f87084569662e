/* metrics_roc.c - ROC AUC (Mann-Whitney, by search over the smaller class), its DeLong interval and DeLong's paired test of two AUCs. */
#include "hc_metrics.h"
#include "rank_pairs.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

/* Buckets of the lookup table over the sorted smaller class: at least
 * AUC_BUCKETS, and about four per score of the class (a power of two up
 * to AUC_BUCKETS_MAX), so that most buckets hold one value or none and
 * need no search. */
#define AUC_BUCKETS 65536
#define AUC_BUCKETS_MAX ((size_t)1 << 20)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The sorted smaller class and its bucket table, shared read-only by the
 * threads that count. */
typedef struct {
    const double *y, *score;
    const double *a;      /* m sorted scores of the smaller class */
    const size_t *start;  /* nb + 1: first sorted score of bucket >= b */
    size_t m, nb;
    double small_y, lo, hi, scale;
    int small_is_pos;
} auc_table;

/* 2U contributed by the larger-class rows in [begin, end). A row whose
 * score repeats the previous counted row's (an account's weekly
 * snapshots of a discrete component) reuses its counts. */
static uint64_t auc_count(const auc_table *tb, size_t begin, size_t end)
{
    const double *a = tb->a;
    size_t m = tb->m;
    uint64_t twice_u = 0, last = 0;
    double last_s = NAN;
    for (size_t i = begin; i < end; i++) {
        if (tb->y[i] == tb->small_y)
            continue;
        double s = tb->score[i];
        if (s == last_s) {
            twice_u += last;
            continue;
        }
        size_t below, level;
        if (s < tb->lo) {
            below = level = 0;
        } else if (s > tb->hi) {
            below = m;
            level = 0;
        } else {
            double t = floor((s - tb->lo) * tb->scale);
            size_t b = t >= (double)tb->nb ? tb->nb - 1 : (size_t)t;
            size_t l = tb->start[b], r = tb->start[b + 1]; /* first >= s is in [l, r] */
            if (l == r || a[l] == a[r - 1]) {
                /* The bucket holds one value (or none), as it does for a
                 * discrete score: no search. */
                below = l < r && s > a[l] ? r : l;
                level = l < r && s == a[l] ? r - l : 0;
            } else {
                size_t top = r;
                while (l < r) {
                    size_t mid = l + (r - l) / 2;
                    if (a[mid] < s)
                        l = mid + 1;
                    else
                        r = mid;
                }
                below = l;
                /* The first > s is in [l, top] too (values equal to s
                 * share its bucket): a second search, as a tied score may
                 * be level with most of the bucket. */
                size_t e = l;
                while (e < top) {
                    size_t mid = e + (top - e) / 2;
                    if (a[mid] <= s)
                        e = mid + 1;
                    else
                        top = mid;
                }
                level = e - l;
            }
        }
        /* A larger-class row counts the smaller-class rows it beats. */
        size_t beaten = tb->small_is_pos ? m - below - level : below;
        last = 2 * (uint64_t)beaten + level;
        last_s = s;
        twice_u += last;
    }
    return twice_u;
}

/* Rows from which hc_metrics_roc_auc counts on two threads, and the most
 * threads a count is shared between. */
#define AUC_THREAD_MIN ((size_t)1 << 16)
#define AUC_MAX_THREADS 8

typedef struct {
    const auc_table *tb;
    size_t begin, end;
    uint64_t twice_u;
} auc_job;

static void *auc_count_run(void *arg)
{
    auc_job *j = arg;
    j->twice_u = auc_count(j->tb, j->begin, j->end);
    return NULL;
}

/* 2U by search: the m scores of the smaller class are sorted, and each row
 * of the larger class finds how many of them lie below and level with it.
 * A table over the value range narrows each search to one bucket: the
 * bucket of a value is monotone in the value, so every sorted score in a
 * lower bucket is below it and every one in a higher bucket above. Counts
 * are integers, so the result is exactly the sort-based Mann-Whitney U
 * however the rows are shared between the `threads` counting threads (1 or
 * less: the calling thread alone), with memory for the smaller class only
 * (churners are a few percent). */
static hc_status auc_by_search(const double *y, const double *score, size_t n,
                               size_t npos, int threads, double *auc, hc_error *err)
{
    int small_is_pos = npos <= n - npos;
    double small_y = small_is_pos ? 1.0 : 0.0;
    size_t m = small_is_pos ? npos : n - npos;
    double *a = malloc(m * sizeof *a);
    size_t nb = AUC_BUCKETS;
    while (nb < 4 * m && nb < AUC_BUCKETS_MAX)
        nb *= 2;
    size_t *start = malloc((nb + 1) * sizeof *start);
    if (!a || !start) {
        free(a);
        free(start);
        return hc_error_nomem(err);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] == small_y)
            a[k++] = score[i];
    qsort(a, m, sizeof *a, cmp_double);
    double lo = a[0], hi = a[m - 1];
    double scale = hi > lo ? (double)nb / (hi - lo) : 0.0;
    for (size_t b = 0, j = 0; b <= nb; b++) {
        while (j < m) {
            double t = floor((a[j] - lo) * scale);
            size_t bj = t >= (double)nb ? nb - 1 : (size_t)t;
            if (bj >= b)
                break;
            j++;
        }
        start[b] = j;
    }
    auc_table tb = {y, score, a, start, m, nb, small_y, lo, hi, scale, small_is_pos};
    size_t parts = threads < 1 ? 1 : threads > AUC_MAX_THREADS ? AUC_MAX_THREADS
                                                               : (size_t)threads;
    auc_job jobs[AUC_MAX_THREADS];
    pthread_t th[AUC_MAX_THREADS];
    int started[AUC_MAX_THREADS] = {0};
    for (size_t t = 0; t < parts; t++)
        jobs[t] = (auc_job){&tb, n / parts * t + n % parts * t / parts,
                            n / parts * (t + 1) + n % parts * (t + 1) / parts, 0};
    for (size_t t = 1; t < parts; t++)
        started[t] = pthread_create(&th[t], NULL, auc_count_run, &jobs[t]) == 0;
    auc_count_run(&jobs[0]);
    uint64_t twice_u = jobs[0].twice_u;
    for (size_t t = 1; t < parts; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            auc_count_run(&jobs[t]);
        twice_u += jobs[t].twice_u;
    }
    free(a);
    free(start);
    *auc = (double)twice_u / (2.0 * (double)npos * (double)(n - npos));
    return HC_OK;
}

hc_status hc_metrics_roc_auc(const double *y, const double *score, size_t n,
                             double *auc, hc_error *err)
{
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += y[i] == 1.0;
    return auc_by_search(y, score, n, npos, n >= AUC_THREAD_MIN ? 2 : 1, auc, err);
}

hc_status hc_metrics_delong_ci(const double *y, const double *score, size_t n,
                               double level, hc_metrics_auc_ci *out,
                               hc_error *err)
{
    hc_status st = hc_rank_check_level(level, err);
    if (st || (st = hc_metrics_check(y, score, n, 0, 1, NULL, err)))
        return st;
    size_t npos;
    hc_rank_pair *v = hc_rank_pairs(y, score, NULL, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    st = hc_rank_delong_need(npos, n - npos, err);
    if (!st)
        hc_rank_delong_ci(v, n, npos, level, out);
    free(v);
    return st;
}

/* Per-row DeLong placements of one score into pl[]: for a positive the share
 * of negatives below it, for a negative the share of positives above it,
 * ties counting 1/2. Returns the AUC. */
static double placements(const double *y, size_t n, size_t npos,
                         const hc_metrics_ranked *v, double *pl)
{
    double P = (double)npos, N = (double)(n - npos);
    size_t neg_below = 0, pos_below = 0;
    uint64_t twice_u = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && v[j].s == v[i].s)
            j++;
        size_t a = 0;
        for (size_t k = i; k < j; k++)
            a += y[v[k].i] == 1.0;
        size_t b = (j - i) - a;
        double v10 = ((double)neg_below + 0.5 * (double)b) / N;
        double v01 = ((double)(npos - pos_below - a) + 0.5 * (double)a) / P;
        for (size_t k = i; k < j; k++)
            pl[v[k].i] = y[v[k].i] == 1.0 ? v10 : v01;
        twice_u += 2 * (uint64_t)a * neg_below + (uint64_t)a * b;
        neg_below += b;
        pos_below += a;
        i = j;
    }
    return (double)twice_u / (2.0 * P * N);
}

hc_status hc_metrics_delong_paired(const double *y, const double *score1,
                                   const double *score2, size_t n,
                                   double level, hc_metrics_auc_diff *out,
                                   hc_error *err)
{
    return hc_metrics_delong_paired_ranked(y, score1, NULL, score2, NULL, n, level, out,
                                           err);
}

/* The checks every paired test makes before its placements. */
static hc_status paired_checks(const double *y, const double *score1,
                               const double *score2, size_t n, double level,
                               size_t *npos, hc_error *err)
{
    hc_status st = hc_rank_check_level(level, err);
    if (st || (st = hc_metrics_check(y, score1, n, 0, 1, "first score", err))
        || (st = hc_metrics_check(y, score2, n, 0, 1, "second score", err)))
        return st;
    *npos = 0;
    for (size_t i = 0; i < n; i++)
        *npos += y[i] == 1.0;
    return hc_rank_delong_need(*npos, n - *npos, err);
}

/* The paired test from the placements p1, p2 and AUCs t1, t2. */
static hc_status paired_from_placements(const double *y, size_t n, size_t npos,
                                        const double *p1, double t1, const double *p2,
                                        double t2, double level,
                                        hc_metrics_auc_diff *out, hc_error *err)
{
    /* S = SX / m + SY / n with the (m - 1), (n - 1) divisors of pROC's
     * delong.paired.calculations; only L S L' with L = (1, -1) is needed. */
    double x11 = 0, x12 = 0, x22 = 0, y11 = 0, y12 = 0, y22 = 0;
    for (size_t i = 0; i < n; i++) {
        double d1 = p1[i] - t1, d2 = p2[i] - t2;
        if (y[i] == 1.0) {
            x11 += d1 * d1;
            x12 += d1 * d2;
            x22 += d2 * d2;
        } else {
            y11 += d1 * d1;
            y12 += d1 * d2;
            y22 += d2 * d2;
        }
    }
    double m = (double)npos, nn = (double)(n - npos);
    double sx = (x11 - 2.0 * x12 + x22) / (m - 1.0);
    double sy = (y11 - 2.0 * y12 + y22) / (nn - 1.0);
    double var = sx / m + sy / nn;
    double se = sqrt(var > 0.0 ? var : 0.0);
    double d = t1 - t2;
    if (se == 0.0 && d != 0.0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the AUC difference %g has zero DeLong variance: "
                            "the test is undefined", d);
    double zc = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    out->auc1 = t1;
    out->auc2 = t2;
    out->diff = d;
    out->se = se;
    out->z = se > 0.0 ? d / se : 0.0;
    out->p_value = 2.0 * gsl_cdf_ugaussian_P(-fabs(out->z));
    out->ci_low = d - zc * se;
    out->ci_high = d + zc * se;
    out->level = level;
    return HC_OK;
}

hc_status hc_metrics_delong_paired_ranked(const double *y, const double *score1,
                                          const hc_metrics_ranked *ranked1,
                                          const double *score2,
                                          const hc_metrics_ranked *ranked2, size_t n,
                                          double level, hc_metrics_auc_diff *out,
                                          hc_error *err)
{
    size_t npos;
    hc_status st = paired_checks(y, score1, score2, n, level, &npos, err);
    if (st)
        return st;
    hc_metrics_ranked *own1 = ranked1 ? NULL : hc_metrics_rank(score1, n);
    hc_metrics_ranked *own2 = ranked2 ? NULL : hc_metrics_rank(score2, n);
    double *p1 = malloc(n * sizeof *p1), *p2 = malloc(n * sizeof *p2);
    if ((!ranked1 && !own1) || (!ranked2 && !own2) || !p1 || !p2) {
        free(own1);
        free(own2);
        free(p1);
        free(p2);
        return hc_error_nomem(err);
    }
    double t1 = placements(y, n, npos, ranked1 ? ranked1 : own1, p1);
    double t2 = placements(y, n, npos, ranked2 ? ranked2 : own2, p2);
    free(own1);
    free(own2);
    st = paired_from_placements(y, n, npos, p1, t1, p2, t2, level, out, err);
    free(p1);
    free(p2);
    return st;
}

double *hc_metrics_delong_placements(const double *y, const hc_metrics_ranked *ranked,
                                     size_t n, double *auc)
{
    double *pl = malloc((n ? n : 1) * sizeof *pl);
    if (!pl)
        return NULL;
    size_t npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += y[i] == 1.0;
    *auc = placements(y, n, npos, ranked, pl);
    return pl;
}

hc_status hc_metrics_delong_paired_placements(const double *y, const double *score1,
                                              const double *pl1, double auc1,
                                              const double *score2, const double *pl2,
                                              double auc2, size_t n, double level,
                                              hc_metrics_auc_diff *out, hc_error *err)
{
    size_t npos;
    hc_status st = paired_checks(y, score1, score2, n, level, &npos, err);
    if (st)
        return st;
    return paired_from_placements(y, n, npos, pl1, auc1, pl2, auc2, level, out, err);
}
