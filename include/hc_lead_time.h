/* hc_lead_time.h - how early the score warns: for each churned account, the days between its first red (or below-green) snapshot and its churn, and the share of churned accounts flagged 30, 60 and 90 days before churning (layer: stats).
 *
 * Definitions (the account is the unit):
 *   - a churned account is one with a churn day (its first churn event)
 *     and at least one row dated before it;
 *   - it was "red" (band 0) / "below green" (a band below the last) d days
 *     before its churn when its latest row dated on or before churn - d is
 *     in that band; an account without a row that early is not counted in
 *     that share's denominator (`with_row`);
 *   - its lead time is churn day - the day of its first row in the band,
 *     for the accounts ever in the band before churning (`ever`); the
 *     median and mean are over those accounts;
 *   - shares carry Wilson 95% intervals over accounts (independent units).
 * Rows after an account's churn day are ignored. O(n + n_accounts). */
#ifndef HC_LEAD_TIME_H
#define HC_LEAD_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

#define HC_LEAD_TIME_HORIZONS 3
#define HC_LEAD_TIME_NONE INT32_MIN /* churn_day of an account that did not churn */

/* The days before churn at which the shares are read. */
extern const int hc_lead_time_days[HC_LEAD_TIME_HORIZONS]; /* 30, 60, 90 */

typedef struct {
    size_t ever;            /* churned accounts with a row in the band before churning */
    double median_days;     /* of their lead times (NaN when ever = 0) */
    double mean_days;
    size_t with_row[HC_LEAD_TIME_HORIZONS]; /* churned accounts with a row d days before */
    size_t flagged[HC_LEAD_TIME_HORIZONS];  /* of them, in the band then */
    double share[HC_LEAD_TIME_HORIZONS];    /* flagged / with_row (NaN when 0) */
    double ci_low[HC_LEAD_TIME_HORIZONS], ci_high[HC_LEAD_TIME_HORIZONS];
} hc_lead_time_band;

typedef struct {
    size_t churned_accounts; /* with a row before their churn */
    hc_lead_time_band red;   /* band 0 */
    hc_lead_time_band below_green; /* any band below the last */
} hc_lead_time_result;

/* Computes lead times from n rows: band[i] in [0, n_bands), day[i] a day
 * number, account[i] in [0, n_accounts); churn_day holds n_accounts days
 * (HC_LEAD_TIME_NONE: no churn). n_bands >= 2. Out-of-range codes are
 * HC_EUSAGE naming the row; no churned account is not an error (counts 0,
 * NaN figures). */
hc_status hc_lead_time_compute(const int32_t *band, const int32_t *day,
                               const int32_t *account, size_t n, const int32_t *churn_day,
                               size_t n_accounts, size_t n_bands,
                               hc_lead_time_result *out, hc_error *err);

#endif
