/* hc_calendar.h - calibration by calendar month: observed against predicted churn in each month of the year (layer: stats).
 *
 * Usage dips every August and December in many products, and a score that
 * reads the dip as risk over-predicts churn in those months. The table
 * answers "does calibration differ by calendar month?": for each month of
 * the year (every year's August together), the snapshots dated in it, the
 * observed churn rate within the horizon, the mean predicted probability,
 * and their ratio O/E = sum y / sum p (observed over expected churners;
 * 1 is calibrated, below 1 the month is over-predicted).
 *
 * Intervals are clustered by account, as every interval of a history is
 * (one account gives many snapshots): the observed rate is a proportion,
 * Korn & Graubard's Clopper-Pearson interval at the effective size, and
 * O/E a ratio of two totals with the linearised variance of a ratio
 * (Cochran 1977, 6.11), on the log scale; both are domain estimates over
 * every account (R: survey::svyratio(~y, ~p, subset(design, month == m))
 * for svydesign(ids = ~account); tests/unit/test_calendar.c has R's
 * numbers). A month "differs" when its O/E interval excludes 1; with twelve
 * months, one in about two histories shows a month that differs by chance
 * at the 95% level, so the text names the months and says so. */
#ifndef HC_CALENDAR_H
#define HC_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

typedef struct {
    int month;                /* 1..12 */
    size_t rows;              /* snapshots dated in the month, any year */
    size_t accounts;          /* accounts (clusters) with such a snapshot */
    size_t churner_rows;      /* of them, followed by a churn */
    double predicted;         /* mean p */
    double observed;          /* churner_rows / rows */
    double observed_ci_low, observed_ci_high;
    int estimable;            /* rows > 0 and sum p > 0 and >= 2 accounts */
    double oe;                /* sum y / sum p */
    double oe_ci_low, oe_ci_high;
    int differs;              /* the O/E interval excludes 1 */
} hc_calendar_month;

typedef struct {
    hc_calendar_month month[12]; /* [0] is January */
    size_t months_with_rows;
    size_t months_differ;
    double level;
} hc_calendar_result;

/* The table of `n` rows: outcome y (0/1), probability p in [0, 1], the
 * snapshot day `date` (days since 1970-01-01) and the account code
 * `cluster` (>= 0). `level` is the interval's confidence (0.95). A month
 * without rows has rows = 0 and estimable = 0. */
hc_status hc_calendar_calibration(const double *y, const double *p, const int32_t *date,
                                  const int32_t *cluster, size_t n, double level,
                                  hc_calendar_result *out, hc_error *err);

#endif
