/* hc_call_list.h - this week's call list: the living accounts in the riskiest band or that fell a band since their previous snapshot, by expected ARR at risk, with their drivers in words (layer: workflow).
 *
 * The list is read from a predict result (hc_predict_run, default mode:
 * one row per account, its latest snapshot on or before the as-of date;
 * with events the accounts that have churned are already left out). An
 * account is on the list when its row is "current" (not stale: its score
 * is recent) and either its band is the riskiest (band 0, e.g. "red") or
 * it fell a band since its previous snapshot (hc_prediction.fell). The
 * order is predict's: expected ARR at risk, highest first, then P(churn),
 * then health (lowest first), then account id. `healthcal predict --calls`
 * and the report's calls.csv write the same list with the same function.
 */
#ifndef HC_CALL_LIST_H
#define HC_CALL_LIST_H

#include <stddef.h>
#include <stdio.h>

#include "hc_error.h"
#include "hc_predict.h"

typedef struct {
    size_t n;           /* accounts on the list */
    size_t *rows;       /* indexes into the predict result's rows, in order */
    size_t red;         /* of them, in the riskiest band */
    size_t fell;        /* of them, fell a band (some are both) */
    double arr;         /* their ARR (missing as 0) */
    double at_risk;     /* their sum of P(churn) x ARR (missing as 0) */
} hc_call_list;

/* Builds the list from `p` (borrowed; must outlive the list). Only
 * HC_ENOMEM. Release with hc_call_list_release. */
hc_status hc_call_list_build(const hc_predict_result *p, hc_call_list *out, hc_error *err);

/* Frees the list and zeroes it; NULL is a no-op. */
void hc_call_list_release(hc_call_list *cl);

/* Why the account at predict row `i` is on the list, in words: "red",
 * "fell green->yellow", "red, fell yellow->red" (band names from the
 * config, raw). Writes into buf (NUL-terminated, cut to size). */
void hc_call_list_reason(const hc_predict_result *p, size_t i, char *buf, size_t size);

/* The drivers of predict row `i` in words, e.g. "usage 12.3, support 4.0
 * points below healthy accounts" (the points by which each component
 * pulls the score below the healthy accounts of its segment, hc_predict.h;
 * component names raw), or "no driver stands out" when none does. */
void hc_call_list_drivers(const hc_predict_result *p, size_t i, char *buf, size_t size);

/* Writes the list as CSV with the header
 *   rank,account_id,segment,band,reason,health,health_change,
 *   p_churn_<H>d,arr,expected_arr_at_risk,drivers,snapshot_date
 * every text cell through hc_csv_write_text (formulas neutralised).
 * Write errors are left in the stream. */
void hc_call_list_write_csv(FILE *f, const hc_predict_result *p, const hc_call_list *cl);

#endif
