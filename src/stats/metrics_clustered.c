/* metrics_clustered.c - ROC AUC intervals for clustered rows (the snapshots of one account): Obuchowski's clustered DeLong variance, alone and paired.
 *
 * Source: N. A. Obuchowski (1997), "Nonparametric analysis of clustered
 * ROC curve data", Biometrics 53:567-578, equations (2)-(5). Clusters
 * i = 1..I; cluster i holds m_i positive rows (churners) and n_i negative
 * rows; M = sum m_i, N = sum n_i. The placements are DeLong's (1988),
 * computed over all rows (hc_metrics_delong_placements):
 *   V10(x) = share of all N negatives below the positive x (ties 1/2),
 *   V01(y) = share of all M positives above the negative y (ties 1/2),
 * and theta = AUC = mean of V10 = mean of V01. Per cluster, the structural
 * components are summed:
 *   D10_i = sum_{x in i} V10(x) - m_i theta,
 *   D01_i = sum_{y in i} V01(y) - n_i theta,
 * and, with I10 (I01) the clusters holding a positive (negative) row,
 *   S10 = I10 / ((I10 - 1) M) sum_i D10_i^2,
 *   S01 = I01 / ((I01 - 1) N) sum_i D01_i^2,
 *   S11 = I / (I - 1) sum_i D10_i D01_i,
 *   var(theta) = S10 / M + S01 / N + 2 S11 / (M N).
 * A cluster without positives has D10_i = 0 exactly and adds nothing to
 * S10 (it counts only in I and I01), and likewise for negatives: these are
 * Obuchowski's sums over the I10 (I01) clusters. With one row per cluster
 * every cluster is positives-only or negatives-only, I10 = M, I01 = N and
 * D10_i D01_i = 0, so S10 = sum (V10 - theta)^2 / (M - 1), S01 likewise,
 * S11 = 0: DeLong's variance exactly (tested to 1e-12).
 *
 * Paired (two scores on the same rows, Obuchowski's section 3): the
 * variance of theta_1 - theta_2 is the same quadratic form of the
 * per-cluster differences D10_i^(1) - D10_i^(2) and D01_i^(1) - D01_i^(2),
 * i.e. var_1 + var_2 - 2 cov_12 with her covariance terms; one row per
 * cluster gives pROC's paired DeLong (roc.test(paired = TRUE)).
 *
 * The form is never negative: I / (I - 1) <= I10 / (I10 - 1) and
 * <= I01 / (I01 - 1), so each cluster's term is a positive semi-definite
 * quadratic form in (D10_i, D01_i). Everything is one pass over the rows
 * after the placements, so the cost stays the O(n log n) of the ranking.
 */
#include "hc_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

long hc_metrics_cluster_count(const int32_t *cluster, size_t n, hc_error *err)
{
    if (!cluster) {
        hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "no cluster codes given");
        return -1;
    }
    int32_t mx = -1;
    for (size_t i = 0; i < n; i++) {
        if (cluster[i] < 0) {
            hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                         "row %zu has no cluster (code %d): every row needs "
                         "its account", i, (int)cluster[i]);
            return -1;
        }
        if (cluster[i] > mx)
            mx = cluster[i];
    }
    return (long)mx + 1;
}

/* Per-cluster sums of one or two scores' placements. */
typedef struct {
    double d10, d01;     /* sum of (V10 - theta) over positives, (V01 - theta) over negatives */
    uint32_t m, nn;      /* positives, negatives */
} cl_sums;

/* The clustered variance and the counts, from the placements pl1 (and,
 * when pl2 is not NULL, the difference pl1 - pl2 with AUCs t1, t2). Also
 * the rows-independent DeLong variance of the same quantity. */
typedef struct {
    double var, var_naive;
    size_t npos, nneg, clusters, pos_clusters, neg_clusters;
} cl_var;

static hc_status clustered_variance(const double *y, const double *pl1, double t1,
                                    const double *pl2, double t2,
                                    const int32_t *cluster, size_t n, cl_var *out,
                                    hc_error *err)
{
    memset(out, 0, sizeof *out);
    long k = hc_metrics_cluster_count(cluster, n, err);
    if (k < 0)
        return HC_EUSAGE;
    cl_sums *c = calloc(k ? (size_t)k : 1, sizeof *c);
    if (!c)
        return hc_error_nomem(err);
    double ss10 = 0.0, ss01 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = pl1[i] - t1;
        if (pl2)
            d -= pl2[i] - t2;
        cl_sums *s = &c[cluster[i]];
        if (y[i] == 1.0) {
            s->d10 += d;
            s->m++;
            ss10 += d * d;
            out->npos++;
        } else {
            s->d01 += d;
            s->nn++;
            ss01 += d * d;
            out->nneg++;
        }
    }
    double q10 = 0.0, q01 = 0.0, q11 = 0.0;
    for (long j = 0; j < k; j++) {
        const cl_sums *s = &c[j];
        if (s->m == 0 && s->nn == 0)
            continue;
        out->clusters++;
        out->pos_clusters += s->m > 0;
        out->neg_clusters += s->nn > 0;
        q10 += s->d10 * s->d10;
        q01 += s->d01 * s->d01;
        q11 += s->d10 * s->d01;
    }
    free(c);
    if (out->pos_clusters < 2 || out->neg_clusters < 2)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the clustered DeLong interval needs at least 2 "
                            "clusters (accounts) with a churner row and 2 with a "
                            "retained row (have %zu and %zu)",
                            out->pos_clusters, out->neg_clusters);
    double M = (double)out->npos, N = (double)out->nneg;
    double i10 = (double)out->pos_clusters, i01 = (double)out->neg_clusters;
    double ii = (double)out->clusters;
    double s10 = i10 / ((i10 - 1.0) * M) * q10;
    double s01 = i01 / ((i01 - 1.0) * N) * q01;
    double s11 = ii / (ii - 1.0) * q11;
    double v = s10 / M + s01 / N + 2.0 * s11 / (M * N);
    out->var = v > 0.0 ? v : 0.0;
    double vn = ss10 / ((M - 1.0) * M) + ss01 / ((N - 1.0) * N);
    out->var_naive = vn > 0.0 ? vn : 0.0;
    return HC_OK;
}

static double design_effect(double var, double var_naive)
{
    return var_naive > 0.0 ? var / var_naive : 1.0;
}

static hc_status check_level(double level, hc_error *err)
{
    if (!(level > 0.0 && level < 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "confidence level %g is not between 0 and 1", level);
    return HC_OK;
}

hc_status hc_metrics_delong_clustered_placements(const double *y, const double *pl,
                                                 double auc, const int32_t *cluster,
                                                 size_t n, double level,
                                                 hc_metrics_auc_ci_clustered *out,
                                                 hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_status st = check_level(level, err);
    if (st || (st = hc_metrics_check(y, pl, n, 1, 1, "placement", err)))
        return st;
    cl_var v;
    if ((st = clustered_variance(y, pl, auc, NULL, 0.0, cluster, n, &v, err)))
        return st;
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    double se = sqrt(v.var), se0 = sqrt(v.var_naive);
    out->ci.auc = auc;
    out->ci.se = se;
    out->ci.ci_low = fmax(0.0, auc - z * se);
    out->ci.ci_high = fmin(1.0, auc + z * se);
    out->ci.level = level;
    out->ci.n_pos = v.npos;
    out->ci.n_neg = v.nneg;
    out->se_naive = se0;
    out->ci_low_naive = fmax(0.0, auc - z * se0);
    out->ci_high_naive = fmin(1.0, auc + z * se0);
    out->design_effect = design_effect(v.var, v.var_naive);
    out->n_clusters = v.clusters;
    out->n_pos_clusters = v.pos_clusters;
    out->n_neg_clusters = v.neg_clusters;
    return HC_OK;
}

hc_status hc_metrics_delong_clustered(const double *y, const double *score,
                                      const int32_t *cluster, size_t n, double level,
                                      hc_metrics_auc_ci_clustered *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_status st = check_level(level, err);
    if (st || (st = hc_metrics_check(y, score, n, 0, 1, NULL, err)))
        return st;
    hc_metrics_ranked *r = hc_metrics_rank(score, n);
    if (!r)
        return hc_error_nomem(err);
    double auc;
    double *pl = hc_metrics_delong_placements(y, r, n, &auc);
    free(r);
    if (!pl)
        return hc_error_nomem(err);
    st = hc_metrics_delong_clustered_placements(y, pl, auc, cluster, n, level, out, err);
    free(pl);
    return st;
}

hc_status hc_metrics_delong_paired_clustered_placements(
    const double *y, const double *pl1, double auc1, const double *pl2, double auc2,
    const int32_t *cluster, size_t n, double level, hc_metrics_auc_diff_clustered *out,
    hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_status st = check_level(level, err);
    if (st || (st = hc_metrics_check(y, pl1, n, 1, 1, "first placement", err)) ||
        (st = hc_metrics_check(y, pl2, n, 1, 1, "second placement", err)))
        return st;
    cl_var v;
    if ((st = clustered_variance(y, pl1, auc1, pl2, auc2, cluster, n, &v, err)))
        return st;
    double se = sqrt(v.var), d = auc1 - auc2;
    if (se == 0.0 && d != 0.0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the AUC difference %g has zero clustered DeLong "
                            "variance: the test is undefined", d);
    double zc = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    hc_metrics_auc_diff *r = &out->d;
    r->auc1 = auc1;
    r->auc2 = auc2;
    r->diff = d;
    r->se = se;
    r->z = se > 0.0 ? d / se : 0.0;
    r->p_value = 2.0 * gsl_cdf_ugaussian_P(-fabs(r->z));
    r->ci_low = d - zc * se;
    r->ci_high = d + zc * se;
    r->level = level;
    out->se_naive = sqrt(v.var_naive);
    out->design_effect = design_effect(v.var, v.var_naive);
    out->n_clusters = v.clusters;
    out->n_pos_clusters = v.pos_clusters;
    out->n_neg_clusters = v.neg_clusters;
    return HC_OK;
}

hc_status hc_metrics_delong_paired_clustered(const double *y, const double *score1,
                                             const double *score2,
                                             const int32_t *cluster, size_t n,
                                             double level,
                                             hc_metrics_auc_diff_clustered *out,
                                             hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_status st = check_level(level, err);
    if (st || (st = hc_metrics_check(y, score1, n, 0, 1, "first score", err)) ||
        (st = hc_metrics_check(y, score2, n, 0, 1, "second score", err)))
        return st;
    double t1, t2, *p1 = NULL, *p2 = NULL;
    hc_metrics_ranked *r = hc_metrics_rank(score1, n);
    if (r) {
        p1 = hc_metrics_delong_placements(y, r, n, &t1);
        free(r);
    }
    r = p1 ? hc_metrics_rank(score2, n) : NULL;
    if (r) {
        p2 = hc_metrics_delong_placements(y, r, n, &t2);
        free(r);
    }
    if (!p1 || !p2) {
        free(p1);
        free(p2);
        return hc_error_nomem(err);
    }
    st = hc_metrics_delong_paired_clustered_placements(y, p1, t1, p2, t2, cluster, n,
                                                       level, out, err);
    free(p1);
    free(p2);
    return st;
}
