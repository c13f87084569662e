/* metrics_rank.c - rank metrics (ROC AUC, DeLong, average precision, KS, lift, curves) and the one-call summary. */
#include "hc_sort.h"
#include "hc_metrics.h"
#include "metrics_ranked.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* A score with its outcome; the rank metrics only ever need these two. */
typedef struct {
    double s;
    double y;
} sy_pair;

hc_metrics_ranked *hc_metrics_rank(const double *score, size_t n)
{
    hc_metrics_ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        r[i].s = score[i];
        r[i].i = i;
    }
    hc_sort_by_double_key(r, n, sizeof *r); /* stable: ties in index order */
    return r;
}

hc_status hc_metrics_check(const double *y, const double *score, size_t n,
                           int probability, int need_both, const char *what,
                           hc_error *err)
{
    if (!what)
        what = "score";
    if (n == 0 || !y || !score)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no rows to evaluate");
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0.0 && y[i] != 1.0)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "outcome of row %zu is %g, not 0 or 1", i,
                                y[i]);
        if (!isfinite(score[i]))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "%s of row %zu is missing or not finite",
                                what, i);
        if (probability && (score[i] < 0.0 || score[i] > 1.0))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "%s of row %zu is %g, outside [0, 1]", what,
                                i, score[i]);
        pos += y[i] == 1.0;
    }
    if (need_both && pos == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no positive outcomes (no churners) among %zu "
                            "rows: discrimination is undefined", n);
    if (need_both && pos == n)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "every one of %zu rows is a positive outcome: "
                            "discrimination is undefined", n);
    return HC_OK;
}

/* (score, y) pairs by ascending score, from the ranking when given, else
 * by a sort; counts the classes. Returns NULL when out of memory. */
static sy_pair *ranked_pairs(const double *y, const double *score,
                             const hc_metrics_ranked *ranked, size_t n, size_t *npos)
{
    sy_pair *v = malloc(n * sizeof *v);
    if (!v)
        return NULL;
    size_t pos = 0;
    if (ranked) {
        for (size_t k = 0; k < n; k++) {
            v[k].s = ranked[k].s;
            v[k].y = y[ranked[k].i];
            pos += v[k].y == 1.0;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            v[i].s = score[i];
            v[i].y = y[i];
            pos += y[i] == 1.0;
        }
        hc_sort_by_double_key(v, n, sizeof *v);
    }
    *npos = pos;
    return v;
}

static sy_pair *sorted_pairs(const double *y, const double *score, size_t n,
                             size_t *npos)
{
    return ranked_pairs(y, score, NULL, n, npos);
}

/* End (exclusive) of the tie group starting at i in an ascending array. */
static size_t group_end(const sy_pair *v, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && v[j].s == v[i].s)
        j++;
    return j;
}

static size_t group_positives(const sy_pair *v, size_t i, size_t j)
{
    size_t a = 0;
    for (size_t k = i; k < j; k++)
        a += v[k].y == 1.0;
    return a;
}

/* Mann-Whitney AUC from ascending pairs. 2U is an integer (ties count 1/2),
 * accumulated exactly in 64 bits. */
static double auc_sorted(const sy_pair *v, size_t n, size_t npos)
{
    size_t nneg = n - npos;
    uint64_t twice_u = 0, neg_below = 0;
    for (size_t i = 0; i < n;) {
        size_t j = group_end(v, n, i);
        uint64_t a = group_positives(v, i, j), b = (j - i) - a;
        twice_u += 2 * a * neg_below + a * b;
        neg_below += b;
        i = j;
    }
    return (double)twice_u / (2.0 * (double)npos * (double)nneg);
}

/* DeLong variance components from ascending pairs: the placement of a
 * positive is the share of negatives below it (ties 1/2), that of a negative
 * the share of positives above it; every member of a tie group of the same
 * class shares one placement, so sums run over groups. */
static void delong_sorted(const sy_pair *v, size_t n, size_t npos,
                          double auc, double *s10, double *s01)
{
    double P = (double)npos, N = (double)(n - npos);
    size_t neg_below = 0, pos_below = 0;
    double ss10 = 0.0, ss01 = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = group_end(v, n, i);
        size_t a = group_positives(v, i, j), b = (j - i) - a;
        if (a) {
            double v10 = ((double)neg_below + 0.5 * (double)b) / N;
            ss10 += (double)a * (v10 - auc) * (v10 - auc);
        }
        if (b) {
            double above = (double)(npos - pos_below - a);
            double v01 = (above + 0.5 * (double)a) / P;
            ss01 += (double)b * (v01 - auc) * (v01 - auc);
        }
        neg_below += b;
        pos_below += a;
        i = j;
    }
    *s10 = ss10 / (P - 1.0);
    *s01 = ss01 / (N - 1.0);
}

/* Average precision from ascending pairs, walking thresholds downwards. */
static double ap_sorted(const sy_pair *v, size_t n, size_t npos)
{
    double tp = 0.0, fp = 0.0, prev_recall = 0.0, ap = 0.0;
    for (size_t j = n; j > 0;) {
        size_t i = j - 1;
        while (i > 0 && v[i - 1].s == v[j - 1].s)
            i--;
        size_t a = group_positives(v, i, j);
        tp += (double)a;
        fp += (double)((j - i) - a);
        double recall = tp / (double)npos;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
        j = i;
    }
    return ap;
}

static double ks_sorted(const sy_pair *v, size_t n, size_t npos,
                        double *threshold)
{
    double P = (double)npos, N = (double)(n - npos);
    double cp = 0.0, cn = 0.0, best = 0.0, at = v[0].s;
    for (size_t i = 0; i < n;) {
        size_t j = group_end(v, n, i);
        size_t a = group_positives(v, i, j);
        cp += (double)a;
        cn += (double)((j - i) - a);
        double d = fabs(cp / P - cn / N);
        if (d > best) {
            best = d;
            at = v[i].s;
        }
        i = j;
    }
    if (threshold)
        *threshold = at;
    return best;
}

/* Positives among the top k (real) rows, boundary ties pro rata. */
static double top_positives(const sy_pair *v, size_t n, double k)
{
    double taken = 0.0, pos = 0.0;
    for (size_t j = n; j > 0 && taken < k;) {
        size_t i = j - 1;
        while (i > 0 && v[i - 1].s == v[j - 1].s)
            i--;
        double size = (double)(j - i), a = (double)group_positives(v, i, j);
        double use = k - taken < size ? k - taken : size;
        pos += a * (use / size);
        taken += use;
        j = i;
    }
    return pos;
}

/* Buckets of the lookup table over the sorted smaller class. */
#define AUC_BUCKETS 65536

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
    const size_t *start;  /* AUC_BUCKETS + 1: first sorted score of bucket >= b */
    size_t m;
    double small_y, lo, hi, scale;
    int small_is_pos;
} auc_table;

/* 2U contributed by the larger-class rows in [begin, end). */
static uint64_t auc_count(const auc_table *tb, size_t begin, size_t end)
{
    const double *a = tb->a;
    size_t m = tb->m;
    uint64_t twice_u = 0;
    for (size_t i = begin; i < end; i++) {
        if (tb->y[i] == tb->small_y)
            continue;
        double s = tb->score[i];
        size_t below, level;
        if (s < tb->lo) {
            below = level = 0;
        } else if (s > tb->hi) {
            below = m;
            level = 0;
        } else {
            double t = floor((s - tb->lo) * tb->scale);
            size_t b = t >= AUC_BUCKETS ? AUC_BUCKETS - 1 : (size_t)t;
            size_t l = tb->start[b], r = tb->start[b + 1]; /* first >= s is in [l, r] */
            while (l < r) {
                size_t mid = l + (r - l) / 2;
                if (a[mid] < s)
                    l = mid + 1;
                else
                    r = mid;
            }
            below = l;
            size_t e = l;
            while (e < m && a[e] == s)
                e++;
            level = e - l;
        }
        /* A larger-class row counts the smaller-class rows it beats. */
        size_t beaten = tb->small_is_pos ? m - below - level : below;
        twice_u += 2 * (uint64_t)beaten + level;
    }
    return twice_u;
}

/* Rows from which the count runs on two threads. */
#define AUC_THREAD_MIN ((size_t)1 << 20)

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
 * however the rows are shared between the two counting threads, with
 * memory for the smaller class only (churners are a few percent). */
static hc_status auc_by_search(const double *y, const double *score, size_t n,
                               size_t npos, double *auc, hc_error *err)
{
    int small_is_pos = npos <= n - npos;
    double small_y = small_is_pos ? 1.0 : 0.0;
    size_t m = small_is_pos ? npos : n - npos;
    double *a = malloc(m * sizeof *a);
    size_t *start = malloc((AUC_BUCKETS + 1) * sizeof *start);
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
    double scale = hi > lo ? (double)AUC_BUCKETS / (hi - lo) : 0.0;
    for (size_t b = 0, j = 0; b <= AUC_BUCKETS; b++) {
        while (j < m) {
            double t = floor((a[j] - lo) * scale);
            size_t bj = t >= AUC_BUCKETS ? AUC_BUCKETS - 1 : (size_t)t;
            if (bj >= b)
                break;
            j++;
        }
        start[b] = j;
    }
    auc_table tb = {y, score, a, start, m, small_y, lo, hi, scale, small_is_pos};
    auc_job second = {&tb, n / 2, n, 0};
    pthread_t th;
    int threaded = n >= AUC_THREAD_MIN &&
                   pthread_create(&th, NULL, auc_count_run, &second) == 0;
    uint64_t twice_u = auc_count(&tb, 0, threaded ? n / 2 : n);
    if (threaded) {
        pthread_join(th, NULL);
        twice_u += second.twice_u;
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
    return auc_by_search(y, score, n, npos, auc, err);
}

static hc_status check_level(double level, hc_error *err)
{
    if (!(level > 0.0 && level < 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "confidence level %g is not between 0 and 1",
                            level);
    return HC_OK;
}

static hc_status delong_need(size_t npos, size_t nneg, hc_error *err)
{
    if (npos < 2 || nneg < 2)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the DeLong interval needs at least 2 churners "
                            "and 2 non-churners (have %zu and %zu)",
                            npos, nneg);
    return HC_OK;
}

/* DeLong CI from ascending pairs (shared with hc_metrics_evaluate). */
static void delong_ci_sorted(const sy_pair *v, size_t n, size_t npos,
                             double level, hc_metrics_auc_ci *out)
{
    double auc = auc_sorted(v, n, npos), s10, s01;
    delong_sorted(v, n, npos, auc, &s10, &s01);
    double se = sqrt(s10 / (double)npos + s01 / (double)(n - npos));
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    out->auc = auc;
    out->se = se;
    out->ci_low = fmax(0.0, auc - z * se);
    out->ci_high = fmin(1.0, auc + z * se);
    out->level = level;
    out->n_pos = npos;
    out->n_neg = n - npos;
}

hc_status hc_metrics_delong_ci(const double *y, const double *score, size_t n,
                               double level, hc_metrics_auc_ci *out,
                               hc_error *err)
{
    hc_status st = check_level(level, err);
    if (st || (st = hc_metrics_check(y, score, n, 0, 1, NULL, err)))
        return st;
    size_t npos;
    sy_pair *v = sorted_pairs(y, score, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    st = delong_need(npos, n - npos, err);
    if (!st)
        delong_ci_sorted(v, n, npos, level, out);
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
    hc_status st = check_level(level, err);
    if (st || (st = hc_metrics_check(y, score1, n, 0, 1, "first score", err))
        || (st = hc_metrics_check(y, score2, n, 0, 1, "second score", err)))
        return st;
    *npos = 0;
    for (size_t i = 0; i < n; i++)
        *npos += y[i] == 1.0;
    return delong_need(*npos, n - *npos, err);
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

hc_status hc_metrics_average_precision(const double *y, const double *score,
                                       size_t n, double *ap, hc_error *err)
{
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    sy_pair *v = sorted_pairs(y, score, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    *ap = ap_sorted(v, n, npos);
    free(v);
    return HC_OK;
}

hc_status hc_metrics_ks(const double *y, const double *score, size_t n,
                        double *ks, double *threshold, hc_error *err)
{
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    sy_pair *v = sorted_pairs(y, score, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    *ks = ks_sorted(v, n, npos, threshold);
    free(v);
    return HC_OK;
}

hc_status hc_metrics_lift(const double *y, const double *score, size_t n,
                          double fraction, double *lift, double *capture,
                          hc_error *err)
{
    if (!(fraction > 0.0 && fraction <= 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "lift fraction %g is not in (0, 1]", fraction);
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    sy_pair *v = sorted_pairs(y, score, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    double cap = top_positives(v, n, fraction * (double)n) / (double)npos;
    free(v);
    if (capture)
        *capture = cap;
    if (lift)
        *lift = cap / fraction;
    return HC_OK;
}

hc_status hc_metrics_top_decile(const double *y, const double *score,
                                size_t n, double *lift, double *capture,
                                hc_error *err)
{
    return hc_metrics_lift(y, score, n, 0.1, lift, capture, err);
}

void hc_metrics_curve_release(hc_metrics_curve *curve)
{
    if (!curve)
        return;
    free(curve->x);
    free(curve->y);
    free(curve->threshold);
    curve->x = curve->y = curve->threshold = NULL;
    curve->n = 0;
}

hc_status hc_metrics_curve_compute(hc_metrics_curve_kind kind, const double *y,
                                   const double *score, size_t n,
                                   size_t max_points, hc_metrics_curve *out,
                                   hc_error *err)
{
    return hc_metrics_curve_compute_ranked(kind, y, score, NULL, n, max_points, out, err);
}

/* The index among the `total` points of a curve of kept point m. */
static size_t curve_point(size_t m, size_t total, size_t max_points, int thin)
{
    return thin ? (size_t)((double)m * (double)(total - 1) / (double)(max_points - 1) + 0.5)
                : m;
}

hc_status hc_metrics_curve_compute_ranked(hc_metrics_curve_kind kind, const double *y,
                                          const double *score,
                                          const hc_metrics_ranked *ranked, size_t n,
                                          size_t max_points, hc_metrics_curve *out,
                                          hc_error *err)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    if (kind != HC_CURVE_ROC && kind != HC_CURVE_PR && kind != HC_CURVE_GAINS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "unknown curve kind %d", (int)kind);
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    sy_pair *v = ranked_pairs(y, score, ranked, n, &npos);
    if (!v)
        return hc_error_nomem(err);
    size_t groups = 0;
    for (size_t i = 0; i < n; i = group_end(v, n, i))
        groups++;
    size_t total = groups + 1;
    /* Thinned to max_points evenly spaced by index, both ends kept
     * (indexes strictly increase because total > max_points): only the
     * points kept are stored, as they come. */
    int thin = max_points >= 2 && total > max_points;
    size_t keep = thin ? max_points : total;
    double *x = malloc(keep * sizeof *x), *yy = malloc(keep * sizeof *yy);
    double *th = malloc(keep * sizeof *th);
    if (!x || !yy || !th) {
        free(v);
        free(x);
        free(yy);
        free(th);
        return hc_error_nomem(err);
    }
    double P = (double)npos, N = (double)(n - npos), tp = 0, fp = 0;
    size_t m = 0, next = curve_point(0, total, max_points, thin);
    if (next == 0) {
        x[0] = 0.0;
        yy[0] = kind == HC_CURVE_PR ? 1.0 : 0.0;
        th[0] = INFINITY;
        m = 1;
        next = m < keep ? curve_point(m, total, max_points, thin) : SIZE_MAX;
    }
    size_t k = 1;
    for (size_t j = n; j > 0; k++) {
        size_t i = j - 1;
        while (i > 0 && v[i - 1].s == v[j - 1].s)
            i--;
        size_t a = group_positives(v, i, j);
        tp += (double)a;
        fp += (double)((j - i) - a);
        if (k == next) {
            th[m] = v[i].s;
            switch (kind) {
            case HC_CURVE_ROC:
                x[m] = fp / N;
                yy[m] = tp / P;
                break;
            case HC_CURVE_PR:
                x[m] = tp / P;
                yy[m] = tp / (tp + fp);
                break;
            case HC_CURVE_GAINS:
                x[m] = (tp + fp) / (double)n;
                yy[m] = tp / P;
                break;
            }
            m++;
            next = m < keep ? curve_point(m, total, max_points, thin) : SIZE_MAX;
        }
        j = i;
    }
    free(v);
    total = keep;
    out->n = total;
    out->x = x;
    out->y = yy;
    out->threshold = th;
    return HC_OK;
}

hc_status hc_metrics_evaluate(const double *y, const double *p, size_t n,
                              hc_metrics_summary *out, hc_error *err)
{
    return hc_metrics_evaluate_ex(y, p, NULL, n, 0, out, NULL, err);
}

/* Below this many rows the metrics do not start threads of their own. */
#define PARALLEL_MIN_ROWS ((size_t)1 << 20)

/* Brier, log loss, ECE and Hosmer-Lemeshow of hc_metrics_evaluate_ex, in
 * that order (the first error wins), runnable on a thread. */
typedef struct {
    const double *y, *p;
    const hc_metrics_ranked *ranked;
    size_t n;
    hc_metrics_summary *s; /* brier, scaled_brier, log_loss, ece */
    hc_metrics_hl hl;
    hc_status st;
    hc_error err;
} calib_scores;

static void *calib_scores_run(void *arg)
{
    calib_scores *c = arg;
    hc_error_clear(&c->err);
    (void)((c->st = hc_metrics_brier(c->y, c->p, c->n, &c->s->brier, &c->s->scaled_brier,
                                     &c->err)) ||
           (c->st = hc_metrics_log_loss(c->y, c->p, c->n, &c->s->log_loss, &c->err)) ||
           (c->st = hc_metrics_ece(c->y, c->p, c->n, 10, &c->s->ece, &c->err)) ||
           (c->st = hc_metrics_hl_ranked(c->y, c->p, c->ranked, c->n, 10, &c->hl,
                                         &c->err)));
    return NULL;
}

hc_status hc_metrics_evaluate_ex(const double *y, const double *p,
                                 const hc_metrics_ranked *ranked, size_t n,
                                 unsigned flags, hc_metrics_summary *out,
                                 hc_metrics_calibration_result *cal_out,
                                 hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_metrics_summary s;
    memset(&s, 0, sizeof s);
    hc_status st = hc_metrics_check(y, p, n, 1, 1, "predicted probability",
                                    err);
    if (st)
        return st;
    int constant = 1;
    for (size_t i = 1; i < n && constant; i++)
        constant = p[i] == p[0];
    if (constant)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "all %zu predictions equal %g: the predictions "
                            "do not rank or calibrate anything", n, p[0]);
    /* One ranking of p serves the rank metrics, Hosmer-Lemeshow's groups
     * and the lowess smooth. */
    hc_metrics_ranked *own = ranked ? NULL : hc_metrics_rank(p, n);
    if (!ranked && !own)
        return hc_error_nomem(err);
    if (!ranked)
        ranked = own;
    /* The per-row calibration scores (Brier, log loss, ECE,
     * Hosmer-Lemeshow) on a second thread while the rank metrics walk the
     * sorted pairs here: on millions of rows both are passes over memory. */
    calib_scores cs = {.y = y, .p = p, .ranked = ranked, .n = n, .s = &s, .st = HC_OK};
    pthread_t th;
    int threaded = n >= PARALLEL_MIN_ROWS &&
                   pthread_create(&th, NULL, calib_scores_run, &cs) == 0;
    size_t npos;
    sy_pair *v = ranked_pairs(y, p, ranked, n, &npos);
    st = v ? delong_need(npos, n - npos, err) : hc_error_nomem(err);
    if (st == HC_OK) {
        hc_metrics_auc_ci ci;
        delong_ci_sorted(v, n, npos, 0.95, &ci);
        s.n = n;
        s.positives = npos;
        s.base_rate = (double)npos / (double)n;
        s.roc_auc = ci.auc;
        s.roc_auc_ci_low = ci.ci_low;
        s.roc_auc_ci_high = ci.ci_high;
        s.pr_auc = ap_sorted(v, n, npos);
        s.ks = ks_sorted(v, n, npos, NULL);
        s.capture_top_decile = top_positives(v, n, 0.1 * (double)n) /
                               (double)npos;
        s.lift_top_decile = s.capture_top_decile / 0.1;
    }
    free(v);
    if (threaded)
        pthread_join(th, NULL);
    else if (st == HC_OK)
        calib_scores_run(&cs);
    if (st == HC_OK && cs.st != HC_OK) {
        st = cs.st;
        if (err)
            *err = cs.err;
    }
    hc_metrics_calibration_result cal;
    hc_metrics_hl hl = cs.hl;
    if (st || (st = hc_metrics_calibration_ranked(y, p, ranked, n,
                                                  !(flags & HC_METRICS_NO_SMOOTH), &cal,
                                                  err))) {
        free(own);
        return st;
    }
    free(own);
    s.hl_chi2 = hl.chi2;
    s.hl_df = hl.df;
    s.hl_p = hl.p_value;
    s.emax = cal.emax;
    s.eavg = cal.eavg;
    s.e90 = cal.e90;
    s.smoothed = !(flags & HC_METRICS_NO_SMOOTH);
    s.calibration_intercept = cal.intercept;
    s.calibration_slope = cal.slope;
    s.calibration_in_the_large = cal.in_the_large;
    *out = s;
    if (cal_out)
        *cal_out = cal;
    return HC_OK;
}
