/* hc_thresholds.h - choosing band cut points on the health score by a stated objective (layer: stats).
 *
 * Pure functions on arrays; no I/O. The health score H is on 0-100, higher
 * healthier; a row is in band k when cut[k-1] <= H < cut[k] (the config's
 * rule "a row's band is the last band whose min <= H", with min_0 = 0), so
 * band 0, "red", is H < cut[0] and is the list of accounts flagged for an
 * intervention.
 *
 * How the search works:
 * 1. Candidate cut points: every multiple of `grid` score points strictly
 *    above the lowest H and at most the highest (default grid 0.5, so cuts
 *    are readable numbers in a config), or, with grid = 0, every distinct H
 *    value above the lowest. At most HC_THRESHOLDS_MAX_CUTS candidates.
 * 2. The sweep: for every candidate, the share flagged (H < cut), recall,
 *    precision, ARR recall and expected value of flagging the red band.
 * 3. Feasibility: a red cut is feasible when the rows above it can be split
 *    into the remaining n_bands - 1 bands at candidate cuts so that every
 *    band holds at least min_band_share of the rows and churn rates
 *    strictly decrease from red to the healthiest band (an exact dynamic
 *    programme over pairs of cuts, O(n_bands m^2) for m candidates).
 * 4. The red cut meets the objective among the feasible cuts:
 *    - HC_THRESHOLD_RECALL: recall >= target with the fewest rows flagged;
 *    - HC_THRESHOLD_ARR_RECALL: the same on churned ARR;
 *    - HC_THRESHOLD_PRECISION: the largest red band with precision >= target;
 *    - HC_THRESHOLD_VALUE: the largest expected value
 *      save_rate * (churned ARR in red) - cost * (interventions), i.e. the
 *      ARR an intervention is expected to save minus what the interventions
 *      cost (ties: fewer flagged);
 *    - HC_THRESHOLD_CAPACITY: the largest red band that a team can work: the
 *      largest feasible cut such that on every scoring date of the rows the
 *      red band holds at most `capacity` rows (accounts), or with
 *      capacity_share at most that share of the date's rows (needs dates).
 *    When no feasible cut meets the target, the closest feasible one is used
 *    (highest recall / ARR recall / precision; for capacity the lowest
 *    feasible cut, the smallest red band) and the result says by how much
 *    it falls short.
 *
 * Units. Without accounts (hc_threshold_accounts NULL) every row is a unit:
 * recall is churner rows flagged / churner rows, precision per row, the
 * value counts churned ARR summed over flagged churner rows and one
 * intervention per flagged row. A history has a row (snapshot) per account
 * per scoring date, so given the account of each row the objectives count
 * ACCOUNTS (the sweep keeps the row figures beside them):
 *    - a churned account is one with a churner row (y = 1: its snapshots in
 *      the horizon before its churn); it is caught by a cut when at least
 *      one of its churner rows is in red (H < cut);
 *    - recall = churned accounts caught / churned accounts; ARR recall =
 *      churned ARR of the caught accounts / churned ARR, each account once,
 *      from its churned amount (NaN or none: the ARR of its last churner
 *      row, the greatest date, ties the later row);
 *    - precision = churned accounts caught / accounts with a row in red;
 *    - value = save_rate * (churned ARR of the caught accounts, each once)
 *      - cost * (account-weeks in red). An intervention is one account on
 *      one scoring date in red, i.e. one flagged row: a team works its red
 *      list every scoring date, and an account that stays red is called
 *      again. The sweep reports both counts (flagged rows and distinct
 *      accounts flagged).
 *    This costs O(n + A + m) after the sort (each row's candidate bin comes
 *    from the sorted order; per account the lowest bin over its rows and
 *    over its churner rows, then cumulative sums over the m candidates),
 *    never O(n m).
 *    The feasibility rules of step 3 (minimum band share, falling churn
 *    rates) stay on rows: the per-snapshot churn rate within the horizon is
 *    the statistic a band's rate is, and a band's share of the rows is its
 *    share of the account-weeks.
 * Scoring dates. Given the date of each row, the sweep also gives for every
 * candidate the rows in red per scoring date (mean, min, max; a date's rows
 * are the living accounts scored that day), in O(n + D m) for D dates: rows
 * binned by candidate per date, then cumulative sums.
 * 5. The other cuts: among all splits of the non-red rows that satisfy the
 *    same constraints, the one closest to equal band sizes (least squares
 *    on band counts; HC_BANDS_EQUAL_SHARE, the default) or with the highest
 *    binomial log-likelihood of the band churn rates (HC_BANDS_LIKELIHOOD,
 *    the split that separates churners best, as in optimal binning).
 */
#ifndef HC_THRESHOLDS_H
#define HC_THRESHOLDS_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_metrics.h"

/* Limits that bound the O(n_bands m^2) search's time and memory. */
#define HC_THRESHOLDS_MAX_CUTS 1000
#define HC_THRESHOLDS_MAX_BANDS 12

typedef enum {
    HC_THRESHOLD_RECALL,
    HC_THRESHOLD_ARR_RECALL,
    HC_THRESHOLD_PRECISION,
    HC_THRESHOLD_VALUE,
    HC_THRESHOLD_CAPACITY
} hc_threshold_objective;

typedef enum {
    HC_BANDS_EQUAL_SHARE,
    HC_BANDS_LIKELIHOOD
} hc_band_rule;

typedef struct {
    hc_threshold_objective objective;
    double target;          /* recall, ARR recall or precision, in (0, 1] */
    double cost;            /* value: cost of one intervention, in ARR units */
    double save_rate;       /* value: share of a flagged churner's ARR saved, [0, 1] */
    double capacity;        /* capacity: red rows (accounts) allowed per scoring
                               date, >= 1, or with capacity_share the share of
                               each date's rows, in (0, 1] */
    int capacity_share;     /* capacity is a share of each date's rows */
    size_t n_bands;         /* >= 2, at most HC_THRESHOLDS_MAX_BANDS */
    double min_band_share;  /* every band >= this share of rows, [0, 1) */
    double grid;            /* candidate spacing in score points; 0 = distinct H */
    hc_band_rule rule;      /* how the non-red cuts are placed */
} hc_threshold_options;

/* Defaults: recall objective with target 0.5, cost 0, save rate 0.3,
 * capacity 0 (unset), 3 bands (red / yellow / green), min band share 0.05,
 * grid 0.5, equal shares. */
void hc_threshold_options_init(hc_threshold_options *opt);

/* The optional inputs that count accounts and scoring dates (see "Units"
 * and "Scoring dates" above); all arrays are borrowed. Search row i reads
 * entry k = row[i] of account and date (row NULL: k = i), so a caller can
 * pass the columns of a table and the rows it searches without copying. */
typedef struct {
    const int32_t *account;     /* account code in [0, n_accounts), or NULL:
                                   every row is its own unit */
    size_t n_accounts;          /* 0: the largest code + 1 */
    const double *churned_amount; /* n_accounts churned ARRs (NaN: the ARR of the
                                   account's last churner row), or NULL: all NaN */
    const int32_t *date;        /* scoring date (day number), or NULL; needed by
                                   the capacity objective */
    const uint32_t *row;        /* index of search row i into account and date,
                                   or NULL */
} hc_threshold_accounts;

/* One candidate red cut: flag the rows with H < cut. */
typedef struct {
    double cut;
    size_t flagged;
    size_t churners_flagged;
    double share_flagged;
    double recall;               /* churners flagged / all churners */
    double precision;            /* churners flagged / flagged */
    double arr_flagged;
    double churned_arr_flagged;
    double arr_recall;           /* churned ARR flagged / all churned ARR */
    double value;                /* save_rate churned_arr_flagged - cost flagged */
    int feasible;                /* the remaining bands can satisfy the constraints */
    /* In accounts (NaN / 0 without account codes): */
    size_t accounts_flagged;     /* distinct accounts with a row in red */
    size_t churned_accounts_flagged; /* churned accounts caught */
    double churned_arr_accounts_flagged; /* their churned ARR, once each */
    double account_recall;       /* caught / churned accounts */
    double account_precision;    /* caught / accounts flagged */
    double account_arr_recall;   /* caught churned ARR / churned ARR */
    double account_value;        /* save_rate churned_arr_accounts_flagged -
                                    cost flagged (one intervention per account
                                    per scoring date in red = per flagged row) */
    /* Per scoring date (NaN / 0 without dates): rows in red on a date */
    double per_date_mean;        /* flagged / dates */
    size_t per_date_min, per_date_max;
    double per_date_share_max;   /* the largest share of a date's rows in red */
    size_t dates_over;           /* capacity: dates over capacity (else 0) */
} hc_threshold_point;

typedef struct {
    size_t n;
    size_t churners;
    double base_rate;
    double arr;
    double churned_arr;
    size_t n_points;
    hc_threshold_point *sweep;   /* n_points candidates, ascending cut */
    size_t n_bands;
    double *cuts;                /* n_bands - 1 ascending cut points (band mins
                                    1..n_bands-1; band 0's min is 0) */
    hc_metrics_band *bands;      /* n_bands band tallies (Wilson 95%) */
    size_t red_point;            /* index into sweep of the chosen red cut */
    int met;                     /* the objective's target is reached; for
                                    the value objective: the best expected
                                    value is positive */
    double target;               /* as given (0 for the value objective) */
    double achieved;             /* recall / ARR recall / precision / value */
    double shortfall;            /* target - achieved when not met, else 0;
                                    capacity: achieved - capacity */
    /* Accounts (by_accounts: account codes were given, and recall,
     * precision, ARR recall and value above are the account figures) */
    int by_accounts;
    size_t accounts;             /* distinct accounts with a row */
    size_t churned_accounts;     /* accounts with a churner row */
    double churned_arr_accounts; /* their churned ARR, once each */
    size_t churned_from_arr;     /* of them: no amount, the ARR of the last
                                    churner row used */
    /* Scoring dates (has_dates: dates were given) */
    int has_dates;
    size_t n_dates;
    double next_cut;             /* the candidate one grid step above the chosen
                                    red cut (NaN when it is the highest) */
    size_t next_per_date_max;    /* its largest red count on a date (all of a
                                    date's rows above the highest cut): with
                                    capacity, above the capacity when the
                                    chosen cut is tight within ties */
    double capacity;             /* as given (capacity objective), else 0 */
    int capacity_share;
    char message[640];           /* the outcome in plain words */
} hc_threshold_result;

/* Searches band cut points for health scores H (n rows, finite), outcomes
 * y (0/1) and ARR (finite, >= 0; may be NULL for the recall and precision
 * objectives, ARR figures are then 0). `opt` NULL means the defaults. On
 * success fills `res`, which the caller releases with
 * hc_threshold_result_release; a target that cannot be met is still a
 * success, with met = 0 and the shortfall stated. Bad options are
 * HC_EUSAGE; no churners, too few candidates, or no banding at all that
 * satisfies the constraints is HC_ENUMERIC with the reason. */
hc_status hc_thresholds_search(const double *H, const double *y,
                               const double *arr, size_t n,
                               const hc_threshold_options *opt,
                               hc_threshold_result *res, hc_error *err);

/* The same search with accounts and scoring dates: `acc` NULL (or with
 * neither account nor date) is hc_thresholds_search exactly. With
 * acc->account the objectives count accounts ("Units"); with acc->date the
 * sweep has the per-date figures and the capacity objective can run (it
 * is HC_EUSAGE without dates). Account codes out of [0, n_accounts) are
 * HC_ENUMERIC naming the row. Scratch: 24 bytes per account and 4 bytes
 * per (date, candidate), nothing per row beyond hc_thresholds_search's.
 * hc_threshold_result_release releases the result. */
hc_status hc_thresholds_search_accounts(const double *H, const double *y,
                                        const double *arr, size_t n,
                                        const hc_threshold_options *opt,
                                        const hc_threshold_accounts *acc,
                                        hc_threshold_result *res, hc_error *err);

/* Frees the arrays of a result (the struct is the caller's); NULL is a no-op. */
void hc_threshold_result_release(hc_threshold_result *res);

#endif
