/* fit_segments.c - per-segment weights and calibration, shrunk toward the pooled model by credibility. */
#include "fit_internal.h"
#include "hc_validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    size_t n_seg = hc_strpool_count(pool), k = d->k;
    res->segments = calloc(n_seg ? n_seg : 1, sizeof *res->segments);
    size_t *sel = malloc((d->n ? d->n : 1) * sizeof *sel);
    double *ybuf = malloc((d->n ? d->n : 1) * sizeof *ybuf);
    double *hbuf = malloc((d->n ? d->n : 1) * sizeof *hbuf);
    int32_t *cbuf = malloc((d->n ? d->n : 1) * sizeof *cbuf);
    double *scratch = malloc((d->n ? d->n : 1) * k * sizeof *scratch);
    size_t *kept = malloc(k * sizeof *kept);
    int *dropped = malloc(k * sizeof *dropped);
    double *w = malloc(k * sizeof *w), *lo = malloc(k * sizeof *lo),
           *hi = malloc(k * sizeof *hi);
    hc_status st = HC_OK;
    if (!res->segments || !sel || !ybuf || !hbuf || !cbuf || !scratch || !kept ||
        !dropped || !w || !lo || !hi) {
        st = hc_error_nomem(err);
        goto done;
    }
    double e0 = 10.0 * (double)k;
    for (size_t g = 0; g < n_seg && st == HC_OK; g++) {
        hc_fit_segment *fs = &res->segments[res->n_segments++];
        fs->name = strdup(hc_strpool_get(pool, (int32_t)g));
        fs->weights = malloc(k * sizeof *fs->weights);
        if (!fs->name || !fs->weights) {
            st = hc_error_nomem(err);
            break;
        }
        size_t n = 0, events = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->segment[i] == (int32_t)g) {
                sel[n++] = i;
                events += d->churn[i] > 0;
            }
        fs->rows = n;
        fs->events = events;
        memcpy(fs->weights, res->new_weight, k * sizeof *w);
        /* Credibility-weighted weights: the segment's own constrained fit,
         * pulled toward the pooled weights by Z = E / (E + E0). */
        hc_logreg_result own;
        hc_error own_err;
        hc_error_clear(&own_err);
        size_t n_kept;
        hc_status fst = n ? hc_fit_constrained_churn(m, d, sel, n, opt, kept,
                                                     &n_kept, dropped, &own, ybuf,
                                                     cbuf, scratch, &own_err)
                          : HC_ENUMERIC;
        if (fst == HC_ENOMEM) {
            st = hc_error_nomem(err);
            break;
        }
        fs->credibility = (double)events / ((double)events + e0);
        if (fst == HC_OK) {
            hc_fit_weights_from_churn(&own, kept, n_kept, k, w, lo, hi);
            hc_logreg_result_release(&own);
            fs->own_fit = 1;
            for (size_t c = 0; c < k; c++)
                fs->weights[c] = fs->credibility * w[c] +
                                 (1 - fs->credibility) * res->new_weight[c];
        } else {
            snprintf(fs->note, sizeof fs->note, "pooled weights used: %s",
                     n ? own_err.message : "no rows");
        }
        /* Exact renormalisation so the weights sum to 1 in floating point. */
        double sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += fs->weights[c];
        for (size_t c = 0; c < k; c++)
            fs->weights[c] /= sum;
        hc_error cal_err;
        hc_error_clear(&cal_err);
        fst = n ? fit_calibration(d, sel, n, fs->weights, ybuf, hbuf,
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
            continue; /* the segment falls back to the top-level model */
        }
        /* The calibration is shrunk the same way: a segment with few
         * events keeps nearly the pooled intercept and slope, so a handful
         * of churners cannot give it a slope of the wrong sign. */
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
    free(w);
    free(lo);
    free(hi);
    return st;
}
