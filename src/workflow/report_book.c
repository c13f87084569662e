/* report_book.c - the report's book: today's living accounts by band, with the revenue-at-risk range. */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The range of the book's churned ARR: the accounts hc_rpt_build_book sums
 * (in the book, in a band, with a P(churn)), each churning independently
 * (hc_predict_risk_range_compute, seeded with the report's seed). */
static hc_status book_risk(hc_report_result *res, size_t nb, hc_error *err)
{
    const hc_predict_result *p = &res->predict;
    double *pc = malloc((p->n ? p->n : 1) * sizeof *pc);
    double *arr = malloc((p->n ? p->n : 1) * sizeof *arr);
    if (!pc || !arr) {
        free(pc);
        free(arr);
        return hc_error_nomem(err);
    }
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        const hc_prediction *r = &p->rows[i];
        if (!res->in_book[i] || r->band < 0 || (size_t)r->band >= nb || !isfinite(r->p_churn))
            continue;
        pc[k] = r->p_churn;
        arr[k] = isfinite(r->arr) && r->arr > 0 ? r->arr : 0.0;
        k++;
    }
    hc_status st = HC_OK;
    if (k)
        st = hc_predict_risk_range_compute(pc, arr, k, HC_PREDICT_RISK_DRAWS, res->opt.seed,
                                           &res->book_risk, err);
    free(pc);
    free(arr);
    return st;
}

hc_status hc_rpt_build_book(hc_report_result *res, hc_error *err)
{
    const hc_predict_result *p = &res->predict;
    size_t nb = res->fit.tuned->n_bands, cap = nb ? nb : 1;
    res->in_book = calloc(p->n ? p->n : 1, 1);
    res->band_accounts = calloc(cap, sizeof *res->band_accounts);
    res->band_arr = calloc(cap, sizeof *res->band_arr);
    res->band_expected_arr = calloc(cap, sizeof *res->band_expected_arr);
    if (!res->in_book || !res->band_accounts || !res->band_arr || !res->band_expected_arr)
        return hc_error_nomem(err);
    /* predict ran with the history's events, so it has already left out
     * the accounts that churned on or before the as-of date (hc_predict.h,
     * "Churned accounts"): every row it wrote is in the book. Stale
     * accounts stay in the book's bands and its expected churned ARR, as
     * they always have here; the book counts them apart too. */
    res->churned_accounts = p->churned_accounts;
    res->churned_arr = p->churned_arr;
    for (size_t i = 0; i < p->n; i++) {
        const hc_prediction *r = &p->rows[i];
        double arr = isfinite(r->arr) ? r->arr : 0.0;
        res->in_book[i] = 1;
        res->book_accounts++;
        res->book_arr += arr;
        if (r->status == HC_PREDICT_STALE) {
            res->book_stale++;
            res->book_stale_arr += arr;
        }
        if (r->band < 0 || (size_t)r->band >= nb) {
            res->book_unscored++;
            res->book_unscored_arr += arr;
            continue;
        }
        res->band_accounts[r->band]++;
        res->band_arr[r->band] += arr;
        if (isfinite(r->p_churn)) {
            res->book_expected_churners += r->p_churn;
            res->band_expected_arr[r->band] += r->p_churn * arr;
            res->book_expected_arr += r->p_churn * arr;
        }
    }
    return book_risk(res, nb, err);
}
