/* hc_alerts.h - alerts for a CRM or a webhook from a predict run: bands that worsened, P(churn) that crossed a level (layer: workflow).
 *
 * An alert is raised for an output row of hc_predict_run (each account's
 * latest snapshot, or with all_snapshots every snapshot; accounts left out
 * as churned are not rows) when
 *   - "band_worsened": its band is worse (a lower band index) than the band
 *     of the account's snapshot immediately before it (hc_prediction.fell);
 *   - "p_churn_crossed": a level P was given and the row's P(churn) is at
 *     least P while the previous snapshot's was below P, missing, or there
 *     is no previous snapshot (an account seen for the first time above the
 *     level is news too).
 * Each alert is one JSON object on one line (JSON Lines), schema
 * "healthcal-alert/1", keys in this order: schema, account_id,
 * snapshot_date, previous_date, reasons (the list above, in that order),
 * band, previous_band, health, previous_health, p_churn, previous_p_churn,
 * alert_p, segment, arr, arr_at_risk (P(churn) x ARR, as predict's
 * expected_arr_at_risk), drivers [{component, points}] (predict's drivers:
 * the points each pulls health down against the segment's healthy
 * accounts), status ("current" or "stale"). Unknown values are null.
 * Lines follow the order of the predict rows (highest ARR at risk first).
 *
 * Idempotence. Given the alerts already sent (the previous runs' files),
 * an alert is the pair (account, snapshot date) with its reasons: a reason
 * already sent for that pair is not sent again, and a pair with no new
 * reason writes no line. So re-running on the same data sends nothing,
 * and a later snapshot of the same account alerts afresh. Keep every file
 * sent (or append them to one log) and pass it as the previous alerts.
 */
#ifndef HC_ALERTS_H
#define HC_ALERTS_H

#include <stddef.h>
#include <stdio.h>

#include "hc_error.h"
#include "hc_predict.h"

#define HC_ALERT_SCHEMA "healthcal-alert/1"

/* Reasons, as bits. */
enum { HC_ALERT_BAND_WORSENED = 1, HC_ALERT_P_CROSSED = 2 };

typedef struct {
    double p_level;           /* P(churn) level; NaN: no crossing alerts */
    const char *previous;     /* JSON Lines of alerts already sent, or NULL */
} hc_alert_options;

/* Sets the defaults: no level, no previous alerts. */
void hc_alert_options_init(hc_alert_options *opt);

/* One alert (an index into the predict result's rows). */
typedef struct {
    size_t row;               /* index in hc_predict_result.rows */
    int reasons;              /* new reasons (bits), never 0 */
    int has_previous;
    int32_t previous_date;    /* day number, when has_previous */
    double previous_health;   /* NaN when missing or no previous */
    int32_t previous_band;    /* -1 likewise */
    double previous_p_churn;  /* NaN likewise */
} hc_alert;

typedef struct {
    size_t n;
    hc_alert *alerts;         /* owned */
    size_t suppressed;        /* alerts left out: every reason already sent */
    size_t previous_read;     /* alerts read from the previous file */
} hc_alert_list;

/* Finds the alerts of a predict result `res` (which must have been run on
 * `res->model` and `res->snapshots`, still alive). Reads opt->previous
 * when given: a line that is not a JSON object with string account_id and
 * snapshot_date and an array of reasons is HC_EDATA naming the file and
 * line; an unreadable file is HC_EIO. On success release `out` with
 * hc_alert_list_release. */
hc_status hc_alerts_find(const hc_predict_result *res, const hc_alert_options *opt,
                         hc_alert_list *out, hc_error *err);

/* Frees the alerts (the struct is the caller's). NULL is a no-op. */
void hc_alert_list_release(hc_alert_list *l);

/* Writes the alerts as JSON Lines to `path` ("-" is stdout) atomically;
 * `opt` gives the level written as alert_p. */
hc_status hc_alerts_write(const hc_predict_result *res, const hc_alert_options *opt,
                          const hc_alert_list *l, const char *path, hc_error *err);

#endif
