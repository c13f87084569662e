/* fit_recalibrate.c - the fit's out-of-time recalibration step: split the observations by date with an embargo, fit on the early rows, fit the map on the holdout. */
#include "fit_internal.h"
#include "hc_date.h"
#include "hc_metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void date_text(int32_t day, char *buf)
{
    hc_date_format(day, buf);
}

/* The first date of the holdout: the latest ceil(f D) of the D distinct
 * dates of the candidate rows. HC_ENUMERIC with fewer than 2 dates. */
static hc_status holdout_start(const int32_t *date, const size_t *cand, size_t n,
                               double f, hc_fit_recal *rc, int32_t *cut,
                               hc_error *err)
{
    int32_t *d = malloc((n ? n : 1) * sizeof *d);
    if (!d)
        return hc_error_nomem(err);
    for (size_t i = 0; i < n; i++)
        d[i] = date[cand[i]];
    qsort(d, n, sizeof *d, cmp_i32);
    size_t D = 0;
    for (size_t i = 0; i < n; i++)
        if (D == 0 || d[i] != d[D - 1])
            d[D++] = d[i];
    rc->candidate_dates = D;
    if (D < 2) {
        free(d);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "recalibration needs observations on at least 2 "
                            "snapshot dates to hold the latest out (there %s %zu)",
                            D == 1 ? "is" : "are", D);
    }
    size_t hd = (size_t)ceil(f * (double)D - 1e-9);
    if (hd < 1)
        hd = 1;
    if (hd >= D)
        hd = D - 1;
    rc->holdout_dates = hd;
    *cut = d[D - hd];
    free(d);
    return HC_OK;
}

/* Scores the holdout rows with the tuned config and keeps those with a
 * probability: p[i], y[i] for i < *m. */
static hc_status score_holdout(const hc_model *tuned, const hc_history *h,
                               const size_t *hold, size_t nh, double *p, double *y,
                               size_t *m, hc_fit_recal *rc, hc_error *err)
{
    const hc_snapshots *s = &h->snapshots;
    hc_score_out out = {.p_churn = p};
    hc_status st = hc_model_score_rows(tuned, s->table, hold, 0, nh, 2, &out, err);
    if (st != HC_OK)
        return st;
    const int32_t *acct = s->table->cols[s->id_col].code;
    const int32_t *date = s->table->cols[s->date_col].code;
    uint8_t *seen = calloc(s->n_accounts ? s->n_accounts : 1, 1);
    if (!seen)
        return hc_error_nomem(err);
    size_t k = 0;
    rc->holdout_first_date = rc->holdout_last_date = HC_DATE_MISSING;
    for (size_t i = 0; i < nh; i++) {
        if (!isfinite(p[i])) {
            rc->holdout_unscored++;
            continue;
        }
        size_t r = hold[i];
        p[k] = p[i];
        y[k] = h->labels.churn[r] ? 1.0 : 0.0;
        rc->holdout_churners += h->labels.churn[r] != 0;
        int32_t a = acct[r];
        if (a >= 0 && (size_t)a < s->n_accounts && !seen[a]) {
            seen[a] = 1;
            rc->holdout_accounts++;
        }
        if (rc->holdout_first_date == HC_DATE_MISSING || date[r] < rc->holdout_first_date)
            rc->holdout_first_date = date[r];
        if (rc->holdout_last_date == HC_DATE_MISSING || date[r] > rc->holdout_last_date)
            rc->holdout_last_date = date[r];
        k++;
    }
    free(seen);
    *m = k;
    rc->holdout_rows = k;
    return HC_OK;
}

/* Calibration intercept and slope (hc_metrics_calibration, no smooth) and
 * Brier score of p against y. */
static hc_status calibration_of(const double *y, const double *p, size_t n,
                                double *intercept, double *slope, double *brier,
                                hc_error *err)
{
    hc_metrics_calibration_result cal;
    hc_status st = hc_metrics_calibration_ex(y, p, n, 0, &cal, err);
    if (st == HC_OK)
        st = hc_metrics_brier(y, p, n, brier, NULL, err);
    if (st == HC_OK) {
        *intercept = cal.intercept;
        *slope = cal.slope;
    }
    return st;
}

/* Fits the map on the holdout, sets it on the tuned config with its
 * provenance and measures calibration before and after. */
static hc_status fit_map(const hc_fit_options *opt, double *p, const double *y,
                         size_t m, hc_fit_result *res, hc_error *err)
{
    hc_fit_recal *rc = &res->recal;
    hc_status st = calibration_of(y, p, m, &rc->before_intercept, &rc->before_slope,
                                  &rc->before_brier, err);
    if (st != HC_OK)
        return st;
    hc_recalibration map;
    if (opt->recalibrate == HC_RECAL_PLATT)
        st = hc_recal_fit_platt(y, p, m, &map, err);
    else
        st = hc_recal_fit_isotonic(y, p, m, &map, NULL, err);
    if (st != HC_OK)
        return st;
    if (map.method == HC_RECAL_ISOTONIC && map.y[0] == map.y[map.n_points - 1]) {
        hc_recal_release(&map);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "isotonic recalibration: the map fitted on the %zu "
                            "holdout rows is constant (%g): the predictions do not "
                            "rank the holdout's churners above its retained rows",
                            m, map.y[0]);
    }
    map.source.present = 1;
    map.source.rows = m;
    map.source.accounts = rc->holdout_accounts;
    map.source.churners = rc->holdout_churners;
    map.source.first_date = rc->holdout_first_date;
    map.source.last_date = rc->holdout_last_date;
    map.source.embargo_days = rc->embargo_days;
    st = hc_model_set_recalibration(res->tuned, &map, err);
    if (st == HC_OK) {
        hc_recal_apply_array(&map, p, m, p);
        st = calibration_of(y, p, m, &rc->after_intercept, &rc->after_slope,
                            &rc->after_brier, err);
    }
    hc_recal_release(&map);
    return st;
}

hc_status hc_fit_recalibrated(const hc_model *base, const hc_history *h,
                              const size_t *rows, size_t n,
                              const hc_fit_options *opt, hc_fit_result *res,
                              hc_error *err)
{
    memset(res, 0, sizeof *res);
    double f = opt->recal_holdout > 0 ? opt->recal_holdout : HC_FIT_RECAL_HOLDOUT;
    if (!(f > 0 && f < 1))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "recalibration holdout: the share of dates held out "
                            "must be in (0, 1), not %g", f);
    if (opt->recalibrate != HC_RECAL_PLATT && opt->recalibrate != HC_RECAL_ISOTONIC)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "recalibration: unknown method");
    const hc_snapshots *s = &h->snapshots;
    const hc_labels *l = &h->labels;
    int E = opt->recal_embargo_days >= 0 ? opt->recal_embargo_days : l->horizon + l->lead;
    const int32_t *date = s->table->cols[s->date_col].code;
    size_t total = rows ? n : s->table->n_rows;

    /* The candidates: observation rows (of `rows`, or all). */
    size_t *cand = malloc((total ? total : 1) * sizeof *cand);
    if (!cand)
        return hc_error_nomem(err);
    size_t nc = 0;
    for (size_t i = 0; i < total; i++) {
        size_t r = rows ? rows[i] : i;
        if (r < s->table->n_rows && l->status[r] == HC_ROW_OBSERVATION)
            cand[nc++] = r;
    }
    hc_fit_recal rc;
    memset(&rc, 0, sizeof rc);
    rc.method = opt->recalibrate;
    rc.holdout_fraction = f;
    rc.embargo_days = E;
    rc.candidate_rows = nc;
    int32_t cut = 0;
    hc_status st = holdout_start(date, cand, nc, f, &rc, &cut, err);
    if (st != HC_OK) {
        free(cand);
        return st;
    }
    /* Fit rows first, holdout rows after them, in one array. */
    size_t *fit = malloc((nc ? nc : 1) * sizeof *fit);
    size_t *hold = malloc((nc ? nc : 1) * sizeof *hold);
    double *p = malloc((nc ? nc : 1) * sizeof *p);
    double *y = malloc((nc ? nc : 1) * sizeof *y);
    if (!fit || !hold || !p || !y) {
        st = hc_error_nomem(err);
        goto done;
    }
    size_t nf = 0, nh = 0;
    rc.fit_first_date = rc.fit_last_date = HC_DATE_MISSING;
    for (size_t i = 0; i < nc; i++) {
        int32_t t = date[cand[i]];
        if (t >= cut) {
            hold[nh++] = cand[i];
        } else if ((int64_t)t + E < (int64_t)cut) {
            fit[nf++] = cand[i];
            if (rc.fit_first_date == HC_DATE_MISSING || t < rc.fit_first_date)
                rc.fit_first_date = t;
            if (rc.fit_last_date == HC_DATE_MISSING || t > rc.fit_last_date)
                rc.fit_last_date = t;
        } else {
            rc.embargoed_rows++;
        }
    }
    rc.fit_rows = nf;
    if (nf == 0) {
        char c[16];
        date_text(cut, c);
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "recalibration: no observation is left to fit the weights "
                          "on: the holdout starts on %s and the embargo of %d days "
                          "before it covers every earlier row; hold out a smaller "
                          "share of the dates or give more history", c, E);
        goto done;
    }
    hc_fit_options o2 = *opt;
    o2.recalibrate = HC_RECAL_NONE;
    st = hc_fit_model(base, h, fit, nf, &o2, res, err);
    if (st != HC_OK)
        goto done;
    size_t m = 0;
    st = score_holdout(res->tuned, h, hold, nh, p, y, &m, &rc, err);
    if (st == HC_OK && m == 0)
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "recalibration: none of the %zu holdout rows has a churn "
                          "probability (every one has a missing health score)", nh);
    res->recal = rc;
    if (st == HC_OK)
        st = fit_map(opt, p, y, m, res, err);
    if (st == HC_OK)
        res->recalibrated = 1;
    else
        hc_fit_result_release(res);
done:
    free(cand);
    free(fit);
    free(hold);
    free(p);
    free(y);
    return st;
}
