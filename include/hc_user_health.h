/* hc_user_health.h - health at user level: which users of the accounts to call are disengaged (layer: workflow).
 *
 * For a config with a roll-up (hc_rollup.h), a user's health on a date is
 * the score its account would have if each of the account's n users on
 * that date had this user's values: every rolled-up metric becomes its
 * aggregate over n copies of the user's value x (mean, median, min, max:
 * x; sum: n x; share_above:T: 1 when x > T, else 0; count_active: n when
 * x > 0, else 0; a missing x stays missing), every other column (metrics
 * the roll-up does not name, trends, segment, ARR) keeps the account's
 * value, and the row is scored by the one scoring function of the model
 * (hc_model_score_rows). A user is disengaged when that health falls in
 * the riskiest band (band 0). So the measure is in the config's own
 * units: a user "is red" exactly when an account of users like it would
 * be red.
 */
#ifndef HC_USER_HEALTH_H
#define HC_USER_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_call_list.h"
#include "hc_error.h"
#include "hc_predict.h"

typedef struct {
    size_t call;          /* position on the call list (0 = first) */
    size_t pred_row;      /* index into the predict result's rows */
    const char *user;     /* user id (borrowed from the user rows) */
    double health;        /* 0-100; NaN when every component is missing */
    int32_t band;         /* band index, -1 when health is missing */
} hc_user_health_row;

typedef struct {
    size_t n;             /* user rows: the users of the listed accounts on
                             their accounts' latest snapshot date */
    hc_user_health_row *rows; /* by call-list position, then health
                             (lowest first, missing last), then user id */
    size_t n_components;
    double *sub;          /* n x n_components sub-scores, row-major in
                             the order of rows; NaN = missing */
    size_t accounts;      /* listed accounts that have user rows */
    size_t disengaged;    /* users in the riskiest band */
} hc_user_health;

/* The users of the first `max_accounts` accounts of call list `cl` (built
 * from `p`), from the user rows kept by the snapshot loader
 * (hc_snapshot_columns.keep_user_rows; p->snapshots->users). A model
 * without a roll-up, or snapshots without kept user rows, give an empty
 * result (HC_OK, n = 0). HC_EDATA as hc_model_score_rows; HC_ENOMEM.
 * Release with hc_user_health_release (the result borrows p's tables). */
hc_status hc_user_health_compute(const hc_predict_result *p, const hc_call_list *cl,
                                 size_t max_accounts, hc_user_health *out,
                                 hc_error *err);

void hc_user_health_release(hc_user_health *u);

/* Writes the rows as CSV with the header
 *   rank,account_id,user_id,account_band,user_health,user_band,disengaged,
 *   <component sub-scores...>
 * (rank: the account's call-list position, 1-based), every text cell
 * through hc_csv_write_text. Write errors are left in the stream. */
void hc_user_health_write_csv(FILE *f, const hc_predict_result *p,
                              const hc_user_health *u);

#endif
