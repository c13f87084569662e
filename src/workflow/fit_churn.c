/* fit_churn.c - the churn fit under the sign constraint b_k <= 0, and the weights w_k = b_k / B it gives with their intervals. */
#include "fit_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.959963984540054

/* Column pointers for the components `kept`, over all rows of the design
 * (sel NULL: no copy) or over the rows `sel`, gathered into `scratch`
 * (n_kept * n_sel doubles). */
static void select_columns(const hc_fit_design *d, const size_t *kept,
                           size_t n_kept, const size_t *sel, size_t n_sel,
                           double *scratch, const double **cols)
{
    for (size_t j = 0; j < n_kept; j++) {
        const double *from = d->col[kept[j]];
        if (!sel) {
            cols[j] = from;
            continue;
        }
        double *to = scratch + j * n_sel;
        for (size_t i = 0; i < n_sel; i++)
            to[i] = from[sel[i]];
        cols[j] = to;
    }
}

/* Gathers a per-row array of the selected rows into buf. */
static const double *gather(const double *v, const size_t *sel, size_t n, double *buf)
{
    if (!sel)
        return v;
    for (size_t i = 0; i < n; i++)
        buf[i] = v[sel[i]];
    return buf;
}

/* The same for the account codes. */
static const int32_t *gather_i32(const int32_t *v, const size_t *sel, size_t n,
                                 int32_t *buf)
{
    if (!sel)
        return v;
    for (size_t i = 0; i < n; i++)
        buf[i] = v[sel[i]];
    return buf;
}

/* What the analyst needs to judge a dropped component: its estimate in
 * the fit it was dropped from (for the first one dropped, the
 * unconstrained fit over all components) with that fit's inference, which
 * is cluster-robust when the fit has clusters. */
static void record_dropped(const hc_logreg_result *res, size_t j, size_t step,
                           hc_fit_dropped *out)
{
    out->estimate = res->coef[j];
    out->std_error = res->se[j];
    out->robust_se = res->robust_se ? res->robust_se[j] : 0;
    out->z = res->z[j];
    out->p_value = res->p_value[j];
    out->ci_low = res->ci_low[j];
    out->ci_high = res->ci_high[j];
    out->robust = res->robust_inference;
    out->step = step;
}

/* One component at a time, the one with the largest model-based z (the
 * strongest evidence of the unhealthy sign): dropping one can change the sign of
 * another. */
hc_status hc_fit_constrained_churn(const hc_model *m, const hc_fit_design *d,
                                   const size_t *sel, size_t n_sel,
                                   const hc_fit_options *opt,
                                   size_t *kept, size_t *n_kept, int *dropped,
                                   hc_fit_dropped *why,
                                   hc_logreg_result *res, double *ybuf,
                                   int32_t *cbuf, double *scratch, hc_error *err)
{
    size_t k = d->k;
    const char *names[256];
    const double *cols[256];
    *n_kept = 0;
    for (size_t c = 0; c < k; c++) {
        dropped[c] = 0;
        kept[(*n_kept)++] = c;
    }
    if (why)
        memset(why, 0, k * sizeof *why);
    size_t step = 0;
    const double *y = gather(d->churn, sel, n_sel, ybuf);
    const int32_t *cl = gather_i32(d->cluster, sel, n_sel, cbuf);
    double start[257];
    int warm = 0;
    for (;;) {
        for (size_t j = 0; j < *n_kept; j++)
            names[j] = m->components[kept[j]].name;
        select_columns(d, kept, *n_kept, sel, n_sel, scratch, cols);
        hc_logreg_problem prob;
        hc_logreg_problem_init(&prob);
        prob.n = n_sel;
        prob.p = *n_kept;
        prob.cols = cols;
        prob.y = y;
        prob.cluster = cl;
        prob.cluster_name = d->cluster_name;
        prob.names = names;
        prob.ridge = opt->ridge;
        prob.max_iter = opt->max_iter;
        prob.event_name = "churners";
        prob.start = warm ? start : NULL;
        hc_status st = hc_logreg_fit(&prob, res, err);
        if (st != HC_OK)
            return st;
        /* The order of dropping rests on the model-based z = b / se, as
         * it always has (and as the peer implementation in
         * scripts/peer/pipeline.py does), not on res->z, which is robust
         * with clusters: only the order among several wrong-signed
         * components depends on it. */
        size_t worst = SIZE_MAX;
        double worst_z = 0;
        for (size_t j = 0; j < *n_kept; j++) {
            double zj = res->coef[j + 1] / res->se[j + 1];
            if (res->coef[j + 1] > 0 && (worst == SIZE_MAX || zj > worst_z)) {
                worst = j;
                worst_z = zj;
            }
        }
        if (worst == SIZE_MAX)
            return HC_OK;
        if (*n_kept == 1) {
            hc_logreg_result_release(res);
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "no component is associated with lower churn: "
                                "every coefficient has the unhealthy sign, so "
                                "no non-negative weights can be fitted");
        }
        dropped[kept[worst]] = 1;
        if (why)
            record_dropped(res, worst + 1, ++step, &why[kept[worst]]);
        /* The refit starts from the previous coefficients without the
         * dropped one: a few Newton steps instead of a cold start. */
        start[0] = res->coef[0];
        for (size_t j = 0, o = 1; j < *n_kept; j++)
            if (j != worst)
                start[o++] = res->coef[j + 1];
        warm = 1;
        memmove(kept + worst, kept + worst + 1, (*n_kept - worst - 1) * sizeof *kept);
        (*n_kept)--;
        hc_logreg_result_release(res);
    }
}

/* The delta method: dw_k/db_j = (d_kj B - b_k) / B^2, on the robust
 * (cluster) covariance when the fit has one. */
void hc_fit_weights_from_churn(const hc_logreg_result *fit, const size_t *kept,
                               size_t n_kept, size_t k, double *w, double *lo,
                               double *hi, double *se_out)
{
    double B = 0;
    for (size_t j = 0; j < n_kept; j++)
        B += fit->coef[j + 1];
    const double *cov = fit->robust_cov ? fit->robust_cov : fit->cov;
    size_t p1 = fit->p + 1;
    for (size_t c = 0; c < k; c++) {
        w[c] = lo[c] = hi[c] = 0;
        if (se_out)
            se_out[c] = 0;
    }
    for (size_t a = 0; a < n_kept; a++) {
        double bk = fit->coef[a + 1];
        double var = 0;
        for (size_t i = 0; i < n_kept; i++) {
            double gi = ((i == a ? B : 0) - bk) / (B * B);
            for (size_t j = 0; j < n_kept; j++) {
                double gj = ((j == a ? B : 0) - bk) / (B * B);
                var += gi * gj * cov[(i + 1) * p1 + (j + 1)];
            }
        }
        size_t c = kept[a];
        w[c] = bk / B;
        double se = var > 0 ? sqrt(var) : 0;
        lo[c] = w[c] - Z95 * se;
        hi[c] = w[c] + Z95 * se;
        if (se_out)
            se_out[c] = se;
    }
}
