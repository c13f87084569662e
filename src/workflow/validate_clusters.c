/* validate_clusters.c - the cluster-aware intervals of a validation (rows are snapshots of accounts): which method each metric uses, and the effective sample size in words. */
#include "hc_validate.h"
#include "validate_pieces.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.959963984540054 /* qnorm(0.975) */

/* Copies the text of src into dst (size bytes), cut short when longer. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t len = strnlen(src, size - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* n with thousands separators ("23,661"). */
static void thousands(size_t n, char *buf, size_t size)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%zu", n);
    size_t len = strlen(raw), o = 0;
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

/* Accounts, churned accounts and retained accounts. */
static hc_status count_clusters(const hc_validate_input *in, hc_validate_clusters *c,
                                hc_error *err)
{
    long k = hc_metrics_cluster_count(in->cluster, in->n, err);
    if (k < 0)
        return HC_EUSAGE;
    unsigned char *f = calloc(k ? (size_t)k : 1, 1);
    if (!f)
        return hc_error_nomem(err);
    for (size_t i = 0; i < in->n; i++)
        f[in->cluster[i]] |= (unsigned char)(in->y[i] == 1.0 ? 3 : 5);
    for (long j = 0; j < k; j++) {
        c->n_clusters += (f[j] & 1) != 0;
        c->churned_clusters += (f[j] & 2) != 0;
        c->retained_clusters += (f[j] & 4) != 0;
    }
    free(f);
    return HC_OK;
}

/* The ROC AUC's clustered interval into c->auc and the summary. */
static hc_status auc_interval(const hc_validate_input *in, const double *rank,
                              const hc_metrics_ranked *ranked, hc_validate_result *res,
                              hc_error *err)
{
    hc_validate_clusters *c = &res->clusters;
    hc_error e;
    hc_error_clear(&e);
    hc_status st;
    if (ranked) {
        double auc;
        double *pl = hc_metrics_delong_placements(in->y, ranked, in->n, &auc);
        if (!pl)
            return hc_error_nomem(err);
        st = hc_metrics_delong_clustered_placements(in->y, pl, auc, in->cluster, in->n, 0.95,
                                                    &c->auc, &e);
        free(pl);
    } else {
        st = hc_metrics_delong_clustered(in->y, rank, in->cluster, in->n, 0.95, &c->auc, &e);
    }
    if (st == HC_ENOMEM) {
        *err = e;
        return st;
    }
    if (st != HC_OK) {
        copy_text(c->auc_not_estimable, sizeof c->auc_not_estimable, e.message);
        res->n_not_estimable++;
        return HC_OK;
    }
    c->auc_estimable = 1;
    res->summary.roc_auc_ci_low = c->auc.ci.ci_low;
    res->summary.roc_auc_ci_high = c->auc.ci.ci_high;
    return HC_OK;
}

/* Churn rate, Brier and log loss as ratio estimators. */
static hc_status ratios(const hc_validate_input *in, const double *p, hc_validate_result *res,
                        hc_error *err)
{
    hc_validate_clusters *c = &res->clusters;
    size_t n = in->n;
    double *a = malloc(n * sizeof *a);
    if (!a)
        return hc_error_nomem(err);
    hc_status st = hc_metrics_ratio_clustered(in->y, NULL, in->cluster, n, 0.95,
                                              HC_METRICS_RATIO_PROPORTION,
                                              &c->churn_rate, err);
    for (size_t i = 0; st == HC_OK && i < n; i++)
        a[i] = (p[i] - in->y[i]) * (p[i] - in->y[i]);
    if (st == HC_OK)
        st = hc_metrics_ratio_clustered(a, NULL, in->cluster, n, 0.95, HC_METRICS_RATIO_POSITIVE,
                                        &c->brier, err);
    const double eps = HC_METRICS_CLIP_EPS;
    for (size_t i = 0; st == HC_OK && i < n; i++) {
        double q = p[i] < eps ? eps : p[i] > 1.0 - eps ? 1.0 - eps : p[i];
        a[i] = in->y[i] == 1.0 ? -log(q) : -log(1.0 - q);
    }
    if (st == HC_OK)
        st = hc_metrics_ratio_clustered(a, NULL, in->cluster, n, 0.95, HC_METRICS_RATIO_POSITIVE,
                                        &c->log_loss, err);
    free(a);
    c->ratios_estimable = st == HC_OK;
    return st;
}

/* The recalibration intervals, widened by their design effects. */
static void calibration(const hc_validate_input *in, const double *p, hc_validate_result *res)
{
    hc_validate_clusters *c = &res->clusters;
    c->slope_ci_low_naive = res->slope_ci_low;
    c->slope_ci_high_naive = res->slope_ci_high;
    c->intercept_ci_low_naive = res->intercept_ci_low;
    c->intercept_ci_high_naive = res->intercept_ci_high;
    c->citl_ci_low_naive = res->citl_ci_low;
    c->citl_ci_high_naive = res->citl_ci_high;
    hc_error e;
    if (hc_metrics_calibration_cluster(in->y, p, in->cluster, in->n, &res->calibration,
                                       &c->calibration, &e) != HC_OK)
        return; /* the rows-independent intervals stay, labelled so */
    c->calibration_estimable = 1;
    const hc_metrics_calibration_result *k = &res->calibration;
    res->slope_ci_low = k->slope - Z95 * c->calibration.slope_se;
    res->slope_ci_high = k->slope + Z95 * c->calibration.slope_se;
    res->intercept_ci_low = k->intercept - Z95 * c->calibration.intercept_se;
    res->intercept_ci_high = k->intercept + Z95 * c->calibration.intercept_se;
    res->citl_ci_low = k->in_the_large - Z95 * c->calibration.in_the_large_se;
    res->citl_ci_high = k->in_the_large + Z95 * c->calibration.in_the_large_se;
}

static void effective_text(hc_validate_result *res)
{
    hc_validate_clusters *c = &res->clusters;
    char rows[32], acc[32], churned[32], deff[160] = "";
    thousands(res->summary.n, rows, sizeof rows);
    thousands(c->n_clusters, acc, sizeof acc);
    thousands(c->churned_clusters, churned, sizeof churned);
    if (c->auc_estimable && c->ratios_estimable)
        snprintf(deff, sizeof deff, " (design effect %.1f for the ROC AUC, %.1f for the churn "
                                    "rate: clustered variance over rows-independent)",
                 c->auc.design_effect, c->churn_rate.design_effect);
    else if (c->ratios_estimable)
        snprintf(deff, sizeof deff, " (design effect %.1f for the churn rate)",
                 c->churn_rate.design_effect);
    snprintf(c->effective_text, sizeof c->effective_text,
             "%s rows (snapshots) from %s accounts (by %s), but only %s churned accounts: "
             "intervals are as wide as %s churners allow%s.",
             rows, acc, c->name, churned, churned, deff);
}

hc_status hc_validate_clustered(const hc_validate_input *in, const double *p,
                                const double *rank, const hc_metrics_ranked *ranked,
                                hc_validate_result *res, hc_error *err)
{
    hc_validate_clusters *c = &res->clusters;
    memset(c, 0, sizeof *c);
    c->active = 1;
    snprintf(c->name, sizeof c->name, "%s", in->cluster_name ? in->cluster_name : "cluster");
    hc_status st = count_clusters(in, c, err);
    if (st || (st = auc_interval(in, rank, ranked, res, err)) ||
        (st = ratios(in, p, res, err)))
        return st;
    calibration(in, p, res);
    size_t reps = in->bootstrap;
    int skipped = reps == HC_VALIDATE_BOOTSTRAP_AUTO && in->n > HC_VALIDATE_BOOTSTRAP_MAX_ROWS;
    if (reps == HC_VALIDATE_BOOTSTRAP_AUTO)
        reps = skipped ? 0 : HC_VALIDATE_BOOTSTRAP_DEFAULT;
    if (reps >= 2) {
        hc_error e;
        hc_error_clear(&e);
        st = hc_metrics_cluster_bootstrap(in->y, ranked ? NULL : rank, ranked, p,
                                          in->cluster, in->n, reps, in->seed, 0.95,
                                          &c->boot, &e);
        if (st == HC_ENOMEM) {
            *err = e;
            return st;
        }
        if (st == HC_OK)
            c->bootstrapped = 1;
        else
            copy_text(c->bootstrap_not_done, sizeof c->bootstrap_not_done, e.message);
    } else if (skipped) {
        snprintf(c->bootstrap_not_done, sizeof c->bootstrap_not_done,
                 "the cluster bootstrap runs by default up to %d rows, and there are %zu "
                 "(its time grows with rows times replicates); --bootstrap N runs it",
                 HC_VALIDATE_BOOTSTRAP_MAX_ROWS, in->n);
    } else {
        snprintf(c->bootstrap_not_done, sizeof c->bootstrap_not_done,
                 "no bootstrap asked (--bootstrap 0)");
    }
    effective_text(res);
    return HC_OK;
}
