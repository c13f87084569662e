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

/* False red flags by calendar month, in accounts. For each month of the
 * year (every year's August together), the non-churning accounts: those
 * with a snapshot dated in the month and no churn within the horizon after
 * any of those snapshots (y = 0 in all of them); and of them the flagged
 * ones, with at least one of those snapshots in the red band (band 0, the
 * riskiest; band -1, no score, is not red). share = flagged / accounts,
 * with the Wilson (1927) interval over accounts (independent units; R:
 * prop.test(flagged, accounts, correct = FALSE)$conf.int). The same
 * measure pooled over the season's months (`season`, August and December)
 * and over the ten other months (`rest`) answers "does the seasonal dip
 * raise false alarms?": pooled in account-months (an account non-churning
 * in both August and December counts twice), so that the two groups are
 * comparable whatever their number of months; the pooled interval is
 * Wilson's over account-months (an approximation: one account's months
 * are not independent). */
typedef struct {
    size_t accounts;          /* non-churning accounts */
    size_t flagged;           /* of them, flagged red */
    double share;             /* flagged / accounts; 0 when accounts = 0 */
    double ci_low, ci_high;   /* Wilson interval in accounts; [0, 1] when empty */
} hc_calendar_flag_share;

typedef struct {
    hc_calendar_flag_share month[12]; /* [0] is January */
    hc_calendar_flag_share season;    /* August and December, in account-months */
    hc_calendar_flag_share rest;      /* the ten other months, in account-months */
    double level;
} hc_calendar_flags;

/* The table of `n` rows: outcome y (0/1), band (0 = red, -1 = none), the
 * snapshot day `date` and account code `cluster` (>= 0). HC_EUSAGE for a
 * bad outcome or a negative code; HC_ENOMEM. */
hc_status hc_calendar_false_flags(const double *y, const int32_t *band, const int32_t *date,
                                  const int32_t *cluster, size_t n, double level,
                                  hc_calendar_flags *out, hc_error *err);

#endif
