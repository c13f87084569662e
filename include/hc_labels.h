/* hc_labels.h - outcome labels for (account, snapshot date) observations (layer: data).
 *
 * churn = 1 iff the account has a churn event in (t + lead, t + lead + H];
 * expansion likewise (README "Labels"). A row is not an observation when
 * it is on or after the account's first churn (post-churn; win-backs are not
 * modelled, see README), when the account churns inside the lead gap
 * (t, t + lead], or when its window ends after the as-of date (censored).
 */
#ifndef HC_LABELS_H
#define HC_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_history.h"

typedef enum {
    HC_ROW_OBSERVATION = 0,
    HC_ROW_CENSORED = 1,
    HC_ROW_POST_CHURN = 2,
    HC_ROW_LEAD_CHURN = 3
} hc_row_status;

typedef struct {
    int horizon;      /* days, > 0 (default 30) */
    int lead;         /* days, >= 0 */
    int32_t as_of;    /* HC_DATE_MISSING: the latest date in either file */
} hc_label_options;

typedef struct {
    size_t n_rows;
    uint8_t *status;     /* hc_row_status per snapshot row */
    uint8_t *churn;      /* 0/1, meaningful for observations */
    uint8_t *expansion;
    /* reconciliation counts */
    size_t observations, censored, post_churn, lead_churn;
    size_t churn_positive, expansion_positive;
    size_t churn_events_matched;      /* churn events that label >= 1 row */
    size_t expansion_events_matched;
    size_t repeat_churn_events;       /* churns after an account's first */
    size_t events_before_first_snapshot; /* matched events dated before
                                            their account's first snapshot */
    int32_t as_of;
    int horizon, lead;
} hc_labels;

/* Labels every snapshot row in O(n) over the sorted account index. Errors
 * (HC_EDATA/HC_EUSAGE): horizon <= 0, lead < 0, as-of before all data, or
 * no observation left. Release with hc_labels_release. */
hc_status hc_labels_build(const hc_snapshots *s, const hc_events *e,
                          const hc_label_options *opt, hc_labels *out,
                          hc_error *err);

void hc_labels_release(hc_labels *l);

#endif
