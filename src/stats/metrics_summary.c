/* metrics_summary.c - every scalar metric of one set of predictions at once, from one ranking of p: calls the rank and the calibration metrics, which know nothing of each other. */
#include "hc_metrics.h"
#include "metrics_calibration.h"
#include "rank_pairs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

hc_status hc_metrics_evaluate(const double *y, const double *p, size_t n,
                              hc_metrics_summary *out, hc_error *err)
{
    return hc_metrics_evaluate_ex(y, p, NULL, n, 0, out, NULL, err);
}

/* Below this many rows the metrics do not start threads of their own
 * (a thread costs tens of microseconds; the passes below cost about a
 * millisecond per 100,000 rows). */
#define PARALLEL_MIN_ROWS ((size_t)1 << 16)

/* The rank fields of a summary from the n ascending pairs v with npos
 * positives (both classes present, 2 of each). */
static void rank_fields(const hc_rank_pair *v, size_t n, size_t npos, hc_metrics_summary *s)
{
    hc_metrics_auc_ci ci;
    hc_rank_delong_ci(v, n, npos, 0.95, &ci);
    s->n = n;
    s->positives = npos;
    s->base_rate = (double)npos / (double)n;
    s->roc_auc = ci.auc;
    s->roc_auc_ci_low = ci.ci_low;
    s->roc_auc_ci_high = ci.ci_high;
    s->pr_auc = hc_rank_average_precision(v, n, npos);
    s->ks = hc_rank_ks(v, n, npos, NULL);
    /* The gains-table convention: the top ceil(n / 10) rows
     * (hc_metrics_top_count(n, 0.1) is the same count). */
    size_t top = (n + 9) / 10;
    s->capture_top_decile = hc_rank_top_positives(v, n, (double)top) / (double)npos;
    s->lift_top_decile = s->capture_top_decile * (double)n / (double)top;
}

hc_status hc_metrics_rank_summary(const double *y, const double *score,
                                  const hc_metrics_ranked *ranked, size_t n,
                                  hc_metrics_summary *out, hc_error *err)
{
    hc_status st = hc_metrics_check(y, score, n, 0, 1, NULL, err);
    if (st)
        return st;
    size_t npos;
    hc_rank_pair *v = hc_rank_pairs(y, score, ranked, n, &npos);
    st = v ? hc_rank_delong_need(npos, n - npos, err) : hc_error_nomem(err);
    if (st == HC_OK)
        rank_fields(v, n, npos, out);
    free(v);
    return st;
}

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
    hc_rank_pair *v = hc_rank_pairs(y, p, ranked, n, &npos);
    st = v ? hc_rank_delong_need(npos, n - npos, err) : hc_error_nomem(err);
    if (st == HC_OK)
        rank_fields(v, n, npos, &s);
    free(v);
    if (threaded)
        pthread_join(th, NULL);
    else if (st == HC_OK)
        calib_scores_run(&cs);
    /* Hosmer-Lemeshow alone is not estimable when ties leave fewer than 3
     * groups, or a group's predictions are all 0 (or all 1) so that its
     * expected count is 0: flagged, and the rest of the summary stands.
     * The input itself was checked above, so no other HC_ENUMERIC can
     * come from it. */
    int hl_ok = 1;
    if (st == HC_OK && cs.st == HC_ENUMERIC && strncmp(cs.err.message, "Hosmer-Lemeshow", 15) == 0) {
        cs.st = HC_OK;
        hl_ok = 0;
    }
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
    s.hl_groups = hl.n_groups;
    s.hl_estimable = hl_ok;
    s.calibration_clipped = cal.n_clipped;
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
