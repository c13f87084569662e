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
 *      save_rate * (churned ARR in red) - cost * (accounts in red), i.e. the
 *      ARR an intervention is expected to save minus what the interventions
 *      cost (ties: fewer flagged).
 *    When no feasible cut meets the target, the closest feasible one is used
 *    (highest recall / ARR recall / precision) and the result says by how
 *    much it falls short.
 * 5. The other cuts: among all splits of the non-red rows that satisfy the
 *    same constraints, the one closest to equal band sizes (least squares
 *    on band counts; HC_BANDS_EQUAL_SHARE, the default) or with the highest
 *    binomial log-likelihood of the band churn rates (HC_BANDS_LIKELIHOOD,
 *    the split that separates churners best, as in optimal binning).
 */
#ifndef HC_THRESHOLDS_H
#define HC_THRESHOLDS_H

#include <stddef.h>

#include "hc_error.h"
#include "hc_metrics.h"

/* Limits that bound the O(n_bands m^2) search's time and memory. */
#define HC_THRESHOLDS_MAX_CUTS 1000
#define HC_THRESHOLDS_MAX_BANDS 12

typedef enum {
    HC_THRESHOLD_RECALL,
    HC_THRESHOLD_ARR_RECALL,
    HC_THRESHOLD_PRECISION,
    HC_THRESHOLD_VALUE
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
    size_t n_bands;         /* >= 2, at most HC_THRESHOLDS_MAX_BANDS */
    double min_band_share;  /* every band >= this share of rows, [0, 1) */
    double grid;            /* candidate spacing in score points; 0 = distinct H */
    hc_band_rule rule;      /* how the non-red cuts are placed */
} hc_threshold_options;

/* Defaults: recall objective with target 0.5, cost 0, save rate 0.3,
 * 3 bands (red / yellow / green), min band share 0.05, grid 0.5, equal
 * shares. */
void hc_threshold_options_init(hc_threshold_options *opt);

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
    double shortfall;            /* target - achieved when not met, else 0 */
    char message[512];           /* the outcome in plain words */
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

/* Frees the arrays of a result (the struct is the caller's); NULL is a no-op. */
void hc_threshold_result_release(hc_threshold_result *res);

#endif
