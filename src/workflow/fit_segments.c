/* fit_segments.c - per-segment weights and calibration, shrunk toward the pooled model by empirical-Bayes credibility.
 *
 * The rule (also in hc_fit.h and `healthcal fit --help`): segment s gets
 * the credibility
 *     Z_s = C_s / (C_s + k),
 * C_s its churned accounts, the accounts with at least one churn row in
 * the segment. Rows are not the unit of evidence: inside a 30-day horizon
 * one churner has about four positive weekly rows, and they are one event,
 * so a count of rows makes a segment look about four times as credible as
 * it is. The strength k is Buhlmann-Straub's sigma^2 / tau^2, estimated
 * from the segments' own constrained fits (empirical Bayes, method of
 * moments). For each component c, over the S_c segments whose own fit
 * kept it, with y_s = w_sc the segment's own weight and v_s its robust
 * delta-method variance, DerSimonian & Laird (Control Clin Trials 7, 1986)
 * give the between-segment variance
 *     u_s = 1 / v_s,  ybar = sum u_s y_s / sum u_s,
 *     Q = sum u_s (y_s - ybar)^2,
 *     tau_c^2 = max(0, (Q - (S_c - 1)) / (sum u_s - sum u_s^2 / sum u_s)),
 * (the segments' spread around their precision-weighted mean, which the
 * pooled fit over all rows approximates; DerSimonian & Laird centre there
 * so that the estimate is unbiased with S_c - 1 degrees of freedom),
 * and the within variance per churned account is
 *     sigma_c^2 = mean_s C_s v_s
 * (a segment's variance falls as 1 / C_s). Pooled over the components,
 *     k = sum_c sigma_c^2 / sum_c tau_c^2,
 * so that Z_s = tau^2 / (tau^2 + v_s) with v_s = sigma^2 / C_s. tau^2 = 0
 * (no variation beyond noise) gives k infinite and Z_s = 0: the pooled
 * model everywhere. Only components with S_c >= 3 enter (with two
 * segments the moment estimate has one degree of freedom); when none has,
 * k falls back to 10 K, the events-per-variable rule of Peduzzi et al.
 * (J Clin Epidemiol 49, 1996) with churned accounts as the events.
 */
#include "fit_internal.h"
#include "hc_validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

size_t hc_fit_churned_accounts(const double *churn, const int32_t *cluster,
                               const size_t *sel, size_t n, int32_t *buf)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = sel ? sel[i] : i;
        if (churn[r] > 0)
            buf[m++] = cluster[r];
    }
    qsort(buf, m, sizeof *buf, cmp_i32);
    size_t distinct = 0;
    for (size_t i = 0; i < m; i++)
        distinct += i == 0 || buf[i] != buf[i - 1];
    return distinct;
}

void hc_fit_shrinkage_estimate(const double *w, const double *v,
                               const size_t *C, size_t S, size_t K,
                               hc_fit_shrinkage *out)
{
    memset(out, 0, sizeof *out);
    double tau2 = 0, sigma2 = 0;
    for (size_t s = 0; s < S; s++) {
        int any = 0;
        for (size_t c = 0; c < K; c++)
            any |= v[s * K + c] > 0 && isfinite(v[s * K + c]);
        out->segments += any;
    }
    for (size_t c = 0; c < K; c++) {
        double su = 0, suy = 0, su2 = 0, scv = 0;
        size_t n = 0;
        for (size_t s = 0; s < S; s++) {
            double vs = v[s * K + c];
            if (!(vs > 0) || !isfinite(vs))
                continue;
            su += 1 / vs;
            suy += w[s * K + c] / vs;
            su2 += 1 / (vs * vs);
            scv += (double)C[s] * vs;
            n++;
        }
        if (n < 3)
            continue;
        double ybar = suy / su, q = 0;
        for (size_t s = 0; s < S; s++) {
            double vs = v[s * K + c];
            if (vs > 0 && isfinite(vs))
                q += (w[s * K + c] - ybar) * (w[s * K + c] - ybar) / vs;
        }
        double t = (q - (double)(n - 1)) / (su - su2 / su);
        tau2 += t > 0 ? t : 0;
        sigma2 += scv / (double)n;
        out->components++;
    }
    out->tau2 = tau2;
    out->sigma2 = sigma2;
    if (out->components == 0) {
        out->fixed = 1;
        out->k = 10.0 * (double)K;
    } else {
        out->k = tau2 > 0 ? sigma2 / tau2 : HUGE_VAL;
    }
}

/* Distinct clusters (accounts) of the rows `sel`; buf holds n. */
static size_t distinct_accounts(const int32_t *cluster, const size_t *sel, size_t n,
                                int32_t *buf)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = cluster[sel[i]];
    qsort(buf, n, sizeof *buf, cmp_i32);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || buf[i] != buf[i - 1];
    return distinct;
}

/* Fits logit P = a + b H on the rows `sel` with H = sum_k w_k s_k. */
static hc_status fit_calibration(const hc_fit_design *d, const size_t *sel,
                                 size_t n, const double *w, double *ybuf,
                                 double *hbuf, double *a, double *b, hc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        double hsum = 0;
        for (size_t c = 0; c < d->k; c++)
            hsum += w[c] * d->col[c][sel[i]];
        hbuf[i] = hsum;
        ybuf[i] = d->churn[sel[i]];
    }
    return hc_validate_logistic_map(ybuf, hbuf, n, NULL, a, b, err);
}

/* The rows of segment g into sel; returns their count. */
static size_t select_segment(const hc_fit_design *d, int32_t g, size_t *sel)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->segment[i] == g)
            sel[n++] = i;
    return n;
}

/* Pass 1: each segment's counts and own constrained fit, its weights into
 * ow and their delta-method variances into ov (row g of n_seg x k; 0
 * where the fit dropped the component or failed). */
static hc_status own_fits(const hc_model *m, const hc_strpool *pool,
                          const hc_fit_design *d, const hc_fit_options *opt,
                          hc_fit_result *res, size_t n_seg, size_t *sel,
                          double *ybuf, int32_t *cbuf, double *scratch,
                          size_t *kept, int *dropped, double *lo, double *hi,
                          double *ow, double *ov, size_t *churned, hc_error *err)
{
    size_t k = d->k;
    size_t min_churned = opt->segment_min_churned ? opt->segment_min_churned : 1;
    for (size_t g = 0; g < n_seg; g++) {
        hc_fit_segment *fs = &res->segments[res->n_segments++];
        fs->name = strdup(hc_strpool_get(pool, (int32_t)g));
        fs->weights = malloc(k * sizeof *fs->weights);
        if (!fs->name || !fs->weights)
            return hc_error_nomem(err);
        size_t n = select_segment(d, (int32_t)g, sel);
        fs->rows = n;
        for (size_t i = 0; i < n; i++)
            fs->events += d->churn[sel[i]] > 0;
        fs->churned_accounts = churned[g] =
            hc_fit_churned_accounts(d->churn, d->cluster, sel, n, cbuf);
        fs->accounts = distinct_accounts(d->cluster, sel, n, cbuf);
        if (churned[g] < min_churned) {
            /* Too small a cell: merged into the pooled model, said so. */
            fs->merged = 1;
            if (churned[g] == 0)
                snprintf(fs->note, sizeof fs->note, "pooled weights used: merged into the "
                         "pooled model (no churned account)");
            else
                snprintf(fs->note, sizeof fs->note, "pooled weights used: merged into the "
                         "pooled model (%zu churned accounts, fewer than %zu)",
                         churned[g], min_churned);
            churned[g] = 0; /* out of the shrinkage estimate */
            memset(ow + g * k, 0, k * sizeof *ow);
            memset(ov + g * k, 0, k * sizeof *ov);
            continue;
        }
        double *w = ow + g * k, *v = ov + g * k;
        memset(w, 0, k * sizeof *w);
        memset(v, 0, k * sizeof *v);
        hc_logreg_result own;
        hc_error own_err;
        hc_error_clear(&own_err);
        size_t n_kept;
        hc_status fst = n ? hc_fit_constrained_churn(m, d, sel, n, opt, kept,
                                                     &n_kept, dropped, NULL, &own,
                                                     ybuf, cbuf, scratch, &own_err)
                          : HC_ENUMERIC;
        if (fst == HC_ENOMEM)
            return hc_error_nomem(err);
        if (fst != HC_OK) {
            snprintf(fs->note, sizeof fs->note, "pooled weights used: %s",
                     n ? own_err.message : "no rows");
            continue;
        }
        hc_fit_weights_from_churn(&own, kept, n_kept, k, w, lo, hi, v);
        hc_logreg_result_release(&own);
        for (size_t c = 0; c < k; c++)
            v[c] *= v[c]; /* se -> variance; 0 where dropped */
        fs->own_fit = 1;
    }
    return HC_OK;
}

/* Workspaces are allocated once for the largest segment (all rows), not
 * per segment. */
hc_status hc_fit_segments(const hc_model *m, const hc_history *h,
                          const hc_fit_design *d, const hc_fit_options *opt,
                          hc_fit_result *res, hc_error *err)
{
    const hc_snapshots *s = &h->snapshots;
    if (s->segment_col < 0)
        return hc_error_set(err, HC_EUSAGE, s->table->source, 0, 0,
                            "--segments needs a segment column, and the "
                            "snapshots have none");
    const hc_strpool *pool = s->table->cols[s->segment_col].pool;
    size_t n_seg = hc_strpool_count(pool), k = d->k, n1 = d->n ? d->n : 1,
           g1 = n_seg ? n_seg : 1;
    res->segments = calloc(g1, sizeof *res->segments);
    size_t *sel = malloc(n1 * sizeof *sel);
    double *ybuf = malloc(n1 * sizeof *ybuf);
    double *hbuf = malloc(n1 * sizeof *hbuf);
    int32_t *cbuf = malloc(n1 * sizeof *cbuf);
    double *scratch = malloc(n1 * k * sizeof *scratch);
    size_t *kept = malloc(k * sizeof *kept);
    int *dropped = malloc(k * sizeof *dropped);
    double *lo = malloc(k * sizeof *lo), *hi = malloc(k * sizeof *hi);
    double *ow = calloc(g1 * k, sizeof *ow), *ov = calloc(g1 * k, sizeof *ov);
    size_t *churned = calloc(g1, sizeof *churned);
    hc_status st = HC_OK;
    if (!res->segments || !sel || !ybuf || !hbuf || !cbuf || !scratch || !kept ||
        !dropped || !lo || !hi || !ow || !ov || !churned) {
        st = hc_error_nomem(err);
        goto done;
    }
    st = own_fits(m, pool, d, opt, res, n_seg, sel, ybuf, cbuf, scratch, kept,
                  dropped, lo, hi, ow, ov, churned, err);
    if (st != HC_OK)
        goto done;
    hc_fit_shrinkage_estimate(ow, ov, churned, n_seg, k, &res->shrinkage);
    double sk = res->shrinkage.k;
    for (size_t g = 0; g < n_seg && st == HC_OK; g++) {
        hc_fit_segment *fs = &res->segments[g];
        size_t n = select_segment(d, (int32_t)g, sel);
        double C = (double)fs->churned_accounts;
        fs->credibility = isinf(sk) || C == 0 || fs->merged ? 0.0 : C / (C + sk);
        memcpy(fs->weights, res->new_weight, k * sizeof *fs->weights);
        if (fs->merged) {
            /* The pooled model: the top-level intercept and slope, and no
             * override in the tuned config. */
            fs->intercept = res->tuned->churn.intercept;
            fs->slope = res->tuned->churn.slope;
            continue;
        }
        if (fs->own_fit)
            for (size_t c = 0; c < k; c++)
                fs->weights[c] = fs->credibility * ow[g * k + c] +
                                 (1 - fs->credibility) * res->new_weight[c];
        /* Exact renormalisation so the weights sum to 1 in floating point. */
        double sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += fs->weights[c];
        for (size_t c = 0; c < k; c++)
            fs->weights[c] /= sum;
        hc_error cal_err;
        hc_error_clear(&cal_err);
        hc_status fst = n ? fit_calibration(d, sel, n, fs->weights, ybuf, hbuf,
                                            &fs->intercept, &fs->slope, &cal_err)
                          : HC_ENUMERIC;
        if (fst == HC_ENOMEM) {
            st = hc_error_nomem(err);
            break;
        }
        fs->calibrated = fst == HC_OK;
        if (!fs->calibrated) {
            snprintf(fs->note, sizeof fs->note,
                     "pooled model used: %s", n ? cal_err.message : "no rows");
            /* The segment is scored with the top-level model: its
             * calibration is shown, not a 0 intercept and slope. */
            fs->intercept = res->tuned->churn.intercept;
            fs->slope = res->tuned->churn.slope;
            continue; /* the segment falls back to the top-level model */
        }
        /* The calibration is shrunk the same way: a segment with few
         * churned accounts keeps nearly the pooled intercept and slope, so
         * a handful of churners cannot give it a slope of the wrong sign. */
        const hc_churn_model *pooled = &res->tuned->churn;
        double z = fs->credibility;
        fs->intercept = z * fs->intercept + (1 - z) * pooled->intercept;
        fs->slope = z * fs->slope + (1 - z) * pooled->slope;
        size_t idx;
        hc_churn_model cm = {1, fs->intercept, fs->slope};
        st = hc_model_add_segment(res->tuned, fs->name, &idx, err);
        if (st == HC_OK)
            st = hc_model_set_segment_weights(res->tuned, idx, fs->weights, err);
        if (st == HC_OK)
            st = hc_model_set_segment_churn(res->tuned, idx, &cm, err);
    }
done:
    free(sel);
    free(ybuf);
    free(hbuf);
    free(cbuf);
    free(scratch);
    free(kept);
    free(dropped);
    free(lo);
    free(hi);
    free(ow);
    free(ov);
    free(churned);
    return st;
}
