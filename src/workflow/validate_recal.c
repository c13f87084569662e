/* validate_recal.c - calibration before and after a config's recalibration map, out of time when the evaluated rows follow the map's holdout. */
#include "hc_date.h"
#include "hc_metrics.h"
#include "hc_validate.h"
#include "validate_pieces.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calibration slope, intercept, calibration-in-the-large and Brier of p
 * on the rows with keep[i] (all when keep is NULL), compacted into buf. */
static hc_status calibration_of(const double *y, const double *p, const unsigned char *keep,
                                size_t n, double *ybuf, double *pbuf, double *slope,
                                double *intercept, double *large, double *brier,
                                hc_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!keep || keep[i]) {
            ybuf[k] = y[i];
            pbuf[k] = p[i];
            k++;
        }
    hc_metrics_calibration_result c;
    hc_status st = hc_metrics_calibration_ex(ybuf, pbuf, k, 0, &c, err);
    if (st == HC_OK)
        st = hc_metrics_brier(ybuf, pbuf, k, brier, NULL, err);
    if (st == HC_OK) {
        *slope = c.slope;
        *intercept = c.intercept;
        *large = c.in_the_large;
    }
    return st;
}

hc_status hc_validate_recalibration(const hc_model *m, const double *y, const double *p_raw,
                                    const double *p, const int32_t *date, size_t n,
                                    hc_validate_recal *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    const hc_recalibration *r = m->recalibration;
    if (!r || n == 0)
        return HC_OK;
    out->present = 1;
    out->method = hc_recal_method_name(r->method);
    unsigned char *keep = NULL;
    size_t after = 0;
    if (r->source.present) {
        for (size_t i = 0; i < n; i++) {
            out->rows_in_holdout += date[i] >= r->source.first_date &&
                                    date[i] <= r->source.last_date;
            after += date[i] > r->source.last_date;
        }
    }
    double *ybuf = malloc(n * sizeof *ybuf), *pbuf = malloc(n * sizeof *pbuf);
    if (after > 0)
        keep = malloc(n);
    if (!ybuf || !pbuf || (after > 0 && !keep)) {
        free(ybuf);
        free(pbuf);
        free(keep);
        return hc_error_nomem(err);
    }
    if (keep)
        for (size_t i = 0; i < n; i++)
            keep[i] = date[i] > r->source.last_date;
    out->out_of_time = after > 0;
    out->rows = after > 0 ? after : n;
    hc_error e;
    hc_error_clear(&e);
    hc_status st = calibration_of(y, p_raw, keep, n, ybuf, pbuf, &out->slope_before,
                                  &out->intercept_before, &out->in_the_large_before,
                                  &out->brier_before, &e);
    if (st == HC_OK)
        st = calibration_of(y, p, keep, n, ybuf, pbuf, &out->slope_after,
                            &out->intercept_after, &out->in_the_large_after,
                            &out->brier_after, &e);
    free(ybuf);
    free(pbuf);
    free(keep);
    char last[16] = "";
    if (r->source.present)
        hc_date_format(r->source.last_date, last);
    if (st == HC_ENUMERIC) {
        snprintf(out->note, sizeof out->note,
                 "%s recalibration: calibration before and after not estimable (%.200s)",
                 out->method, e.message);
        return HC_OK;
    }
    if (st != HC_OK) {
        *err = e;
        return st;
    }
    out->ok = 1;
    if (out->out_of_time)
        snprintf(out->note, sizeof out->note,
                 "%s recalibration, out of time (%zu rows dated after its holdout, which "
                 "ended %s): calibration slope %.3f before, %.3f after; Brier %.5f before, "
                 "%.5f after", out->method, out->rows, last, out->slope_before,
                 out->slope_after, out->brier_before, out->brier_after);
    else
        snprintf(out->note, sizeof out->note,
                 "%s recalibration, %s: calibration slope %.3f before, %.3f after; Brier "
                 "%.5f before, %.5f after (no evaluated row is dated after the map's "
                 "holdout, so this is not an out-of-time check)", out->method,
                 out->rows_in_holdout ? "in-sample for the map (some rows are its holdout)"
                                      : "map provenance unknown",
                 out->slope_before, out->slope_after, out->brier_before, out->brier_after);
    return HC_OK;
}
