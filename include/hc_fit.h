/* hc_fit.h - fitting component weights to churn and expansion outcomes (layer: workflows).
 *
 * The churn model is logit P(churn) = b0 + sum_k b_k s_k over the component
 * sub-scores s_k (0-100). When every b_k <= 0, w_k = b_k / B with
 * B = sum_k b_k makes the health score H = sum_k w_k s_k an exact
 * sufficient statistic: logit P(churn) = b0 + B H, since
 * sum_k b_k s_k = B sum_k w_k s_k. A component whose coefficient has the
 * wrong (unhealthy) sign is named, dropped and the model refitted, so it
 * gets weight 0.
 *
 * Missing values: rows with a missing component sub-score are left out of
 * the fit (counted); scoring then renormalises the weights over the
 * components present (hc_model.h), so fitted probabilities of complete rows
 * are reproduced exactly by the tuned config.
 *
 * Inference: the churn and expansion fits are clustered by account, so
 * their z, p and 95% intervals use the CR1 cluster-robust SE (hc_logreg.h),
 * and so do the weights' delta-method intervals.
 *
 * Segments: each segment s gets weights w_s = Z_s w_own + (1 - Z_s) w_pooled
 * with Buhlmann-Straub credibility Z_s = C_s / (C_s + k), C_s the segment's
 * churned accounts (accounts with at least one churn row in the segment:
 * a churner contributes several weekly rows inside the horizon, and they
 * are not independent events), and the shrinkage strength k chosen from
 * the data by empirical Bayes (hc_fit_shrinkage, fit_segments.c):
 * k = sum_c sigma_c^2 / sum_c tau_c^2 over the components c, with tau_c^2
 * the between-segment variance of the segments' own weights by the method
 * of moments of DerSimonian & Laird (1986) and sigma_c^2 = mean_s C_s v_sc
 * the within-segment variance per churned account (v_sc the robust
 * delta-method variance of w_sc). Z_s then equals tau^2 / (tau^2 + v_s)
 * for v_s = sigma^2 / C_s. With fewer than 3 segments with their own fit
 * k falls back to 10 K (the events-per-variable rule of Peduzzi et al.
 * 1996, counting churned accounts). Then each segment's own calibration
 * logit P = a_s + B_s H_s fitted on its rows is shrunk the same way:
 * (a, B) = Z_s (a_s, B_s) + (1 - Z_s) (a, B) of the pooled model. A
 * segment whose own weight fit fails (no churner, separation) keeps the
 * pooled weights; one whose calibration fails uses the pooled model.
 *
 * Recalibration (opt->recalibrate, fit_recalibrate.c): the weights and
 * calibration are fitted on the earlier rows and a map of P(churn) on a
 * later, embargoed out-of-time holdout; the weights are not refitted on
 * all rows afterwards (hc_fit_recal below says why).
 */
#ifndef HC_FIT_H
#define HC_FIT_H

#include <stddef.h>

#include "hc_error.h"
#include "hc_logreg.h"
#include "hc_model.h"
#include "hc_observations.h"

/* The default share of the latest distinct observation dates held out
 * for the recalibration map. */
#define HC_FIT_RECAL_HOLDOUT 0.2

typedef struct {
    double ridge;        /* L2 penalty of both fits (0: none) */
    int segments;        /* per-segment weights and calibration */
    size_t segment_min_churned; /* a segment (cell) with fewer churned accounts
                            is merged into the pooled model (no override,
                            Z 0); 0 means 1: a cell without a churner */
    int expansion;       /* also fit the expansion model (default 1) */
    int max_iter;        /* 0: the logreg default */
    int skip_auc;        /* leave in_sample_auc 0 (a backtest fold does not
                            report it) */
    hc_recal_method recalibrate; /* HC_RECAL_NONE (default): no map; else
                            the out-of-time recalibration step below */
    double recal_holdout; /* share of the distinct observation dates held
                            out, the latest ones, in (0, 1); 0 means
                            HC_FIT_RECAL_HOLDOUT */
    int recal_embargo_days; /* gap between the fit rows' snapshot dates and
                            the holdout's first date; -1 (default) means the
                            label window, horizon + lead days */
} hc_fit_options;

/* Sets `opt` to the defaults: no ridge, no segments, the expansion model
 * fitted, the logreg's iteration limit, the in-sample AUC computed, no
 * recalibration (holdout 0 = HC_FIT_RECAL_HOLDOUT, embargo -1). */
void hc_fit_options_init(hc_fit_options *opt);

/* The out-of-time recalibration step of a fit (opt->recalibrate set).
 *
 * Of the candidate observation rows, with D distinct snapshot dates, the
 * holdout is the rows of the latest ceil(f D) dates (f = recal_holdout),
 * starting at date c. The fit rows are those with date t + E < c, E the
 * embargo (horizon + lead by default): their label windows
 * (t + lead, t + lead + horizon] end before the holdout's first snapshot,
 * so no outcome the weights were fitted on happens inside the holdout
 * period. Rows in the gap [c - E, c) are used by neither. The weights and
 * the churn model (H -> p) are fitted on the fit rows; the tuned config
 * then scores the holdout, and the map (Platt or isotonic, hc_model.h) is
 * fitted on those out-of-time probabilities and their outcomes.
 *
 * The weights are NOT refitted on all rows afterwards: the map corrects
 * the miscalibration of the very probabilities it was fitted on; a refit
 * on all rows (holdout included) would change those probabilities (its
 * calibration on the recent period would be partly learnt in-sample) and
 * the map would then correct an error the refit no longer has, by an
 * unknown amount. The price is that the weights do not see the latest
 * f share of the history (and the embargo); a fit without --recalibrate
 * uses every row. The "after" figures below are measured on the same
 * holdout the map was fitted on, so they are in-sample for the map (for
 * Platt, slope 1 and intercept 0 by construction); an honest out-of-time
 * check needs later data (validate on a later period). */
typedef struct {
    hc_recal_method method;
    double holdout_fraction;
    int embargo_days;
    size_t candidate_rows;     /* observation rows offered */
    size_t candidate_dates;    /* their distinct snapshot dates */
    size_t holdout_dates;      /* the latest ones, held out */
    size_t fit_rows;           /* rows offered to the weight fit */
    size_t embargoed_rows;     /* rows in the gap, used by neither */
    size_t holdout_rows;       /* holdout rows with a P(churn): the map's rows */
    size_t holdout_unscored;   /* holdout rows with a missing H (no P) */
    size_t holdout_accounts;   /* distinct accounts of holdout_rows */
    size_t holdout_churners;   /* of holdout_rows, churn = 1 */
    int32_t fit_first_date, fit_last_date;         /* day numbers */
    int32_t holdout_first_date, holdout_last_date;
    double before_intercept, before_slope, before_brier; /* of the fit's P */
    double after_intercept, after_slope, after_brier;    /* of the mapped P
                                                            (in-sample for
                                                            the map) */
} hc_fit_recal;

/* One segment's outcome of a --segments fit. */
typedef struct {
    char *name;          /* segment value (owned) */
    size_t rows;         /* fit rows of the segment */
    size_t events;       /* rows with churn = 1 */
    size_t churned_accounts; /* C_s: accounts with a churn row in the segment */
    size_t accounts;     /* distinct accounts with fit rows in the segment */
    int merged;          /* fewer than segment_min_churned churned accounts:
                            merged into the pooled model, no override */
    double credibility;  /* Z_s = C_s / (C_s + k) in [0, 1) */
    int own_fit;         /* the segment's own weight fit succeeded */
    int calibrated;      /* its own intercept/slope were fitted */
    double intercept, slope; /* the shrunk calibration written to the config */
    double *weights;     /* n_components (owned) */
    char note[1100];     /* why a fallback was taken, or "" */
} hc_fit_segment;

/* The shrinkage strength of a --segments fit (hc_fit.h header comment).
 * When `fixed` is 1, k = 10 K because no component had an own-fit estimate
 * (kept, with a positive variance) in 3 or more segments, as happens with
 * fewer than 3 segments; otherwise k = sigma2 / tau2 from the data, HUGE_VAL when tau2 is 0
 * (no variation beyond noise: every segment gets the pooled model). */
typedef struct {
    double k;            /* Z_s = C_s / (C_s + k) */
    double tau2;         /* sum over components of tau_c^2 (DerSimonian-Laird) */
    double sigma2;       /* sum over components of sigma_c^2 */
    size_t segments;     /* segments with an own fit that entered the estimate */
    size_t components;   /* components with at least 3 such segments */
    int fixed;           /* 1: the fallback k = 10 K */
} hc_fit_shrinkage;

/* A component dropped for the wrong sign, as it was in the fit it was
 * dropped from: for the first one dropped, the unconstrained fit over all
 * components; each later one from the refit without the earlier ones. */
typedef struct {
    double estimate;     /* b_k (> 0: the unhealthy sign) */
    double std_error;    /* model-based */
    double robust_se;    /* CR1 by account; 0 without clusters */
    double z, p_value;   /* on the inference SE (robust when clustered) */
    double ci_low, ci_high; /* 95% Wald on the same SE */
    int robust;          /* 1: z, p and the interval use robust_se */
    size_t step;         /* 1 = dropped from the fit over all components */
} hc_fit_dropped;

typedef struct {
    hc_model *tuned;            /* the tuned config (owned) */
    size_t n_components;
    /* churn fit over the kept components */
    hc_logreg_result churn;     /* coef[1 + j] belongs to component kept[j] */
    size_t n_kept;
    size_t *kept;
    int *dropped;               /* per component: 1 = wrong sign, weight 0 */
    hc_fit_dropped *dropped_fit; /* per component: where dropped, its estimate
                                    and interval before the drop (zero else) */
    double *beta;               /* per component, 0 when dropped */
    double *beta_se;            /* robust (cluster) SE when available, else model SE */
    double *old_weight;         /* the base config's weights */
    double *new_weight;
    double *weight_ci_low;      /* 95%, delta method on the (robust) covariance;
                                   0 for a dropped component (see dropped_fit) */
    double *weight_ci_high;
    /* expansion fit over all components */
    int has_expansion;
    hc_logreg_result expansion;
    char expansion_note[1100];
    /* counts */
    size_t n_candidates;        /* observation rows offered */
    size_t n_fit;               /* complete rows fitted */
    size_t n_incomplete;        /* rows with a missing sub-score */
    size_t n_events;
    size_t n_expansion_events;
    size_t n_segments;
    hc_fit_segment *segments;
    hc_fit_shrinkage shrinkage; /* of the segments (zero without them) */
    double in_sample_auc;       /* of the tuned config's P(churn) on the fit rows */
    int recalibrated;           /* 1: the tuned config has a map, `recal` says how */
    hc_fit_recal recal;
} hc_fit_result;

/* Fits a tuned model from the base config `base` (components, transforms,
 * bands) on the observation rows `rows` (n of them, indexes into the
 * history's snapshot table; rows NULL means every observation). Learned
 * transforms (quantiles) are learned on these rows only. The history is
 * only read (the sub-scores go into arrays of the fit's own), so `h` can
 * be fitted or scored again. On success `res` owns a new tuned model;
 * release with hc_fit_result_release. Degenerate statistics are
 * HC_ENUMERIC in plain words. A recalibration map of `base` is not
 * carried over (it belonged to the old probabilities); with
 * opt->recalibrate a new one is fitted out of time (hc_fit_recal above):
 * the rows are then split by date (non-observation rows among `rows` are
 * skipped) and everything else is learnt on the fit rows only. */
hc_status hc_fit_model(const hc_model *base, const hc_history *h,
                       const size_t *rows, size_t n,
                       const hc_fit_options *opt, hc_fit_result *res,
                       hc_error *err);

/* hc_fit_model on a design the caller already holds: `cols[k]` the n
 * sub-scores of component k (every one finite), `churn` the 0/1 outcomes
 * and `cluster` the account codes of the same rows. For callers that fit
 * many row ranges of one scored history (the backtest keeps the sub-scores
 * of its rows in date order, so a fold's training rows are a contiguous
 * slice). The base model must have no quantile transform without cuts;
 * opt->segments, opt->expansion and opt->recalibrate must be 0 (HC_EUSAGE
 * otherwise: the columns carry no dates); base's map is dropped. The
 * result is identical to hc_fit_model's on the same rows. */
hc_status hc_fit_model_columns(const hc_model *base, const double *const *cols,
                               const double *churn, const int32_t *cluster, size_t n,
                               const hc_fit_options *opt, hc_fit_result *res,
                               hc_error *err);

/* Frees what `res` owns (the tuned model, the fits, the per-component
 * arrays and the segments) and zeroes it; NULL is a no-op. */
void hc_fit_result_release(hc_fit_result *res);

/* Records provenance (tool version, input paths and row counts, date
 * range, horizon, events, and the fingerprint of the fit rows that
 * validate and backtest check for in-sample use: hc_provenance.h) and the
 * fit statistics (coefficient tables, counts, dropped components,
 * segments) in res->tuned's `provenance` and `fit` objects, and names the
 * tuned config by the one rule `fit` and `report` share:
 * 'tuned from "<current name>" by healthcal (data to <as-of>)', or
 * 'tuned by healthcal (data to <as-of>)' when the current name is absent
 * or longer than 200 bytes (cut inside a UTF-8 sequence it would make the
 * JSON invalid). */
hc_status hc_fit_annotate(hc_fit_result *res, const hc_history *h,
                          const char *snapshots_path, const char *events_path,
                          const char *version, hc_error *err);

#endif
