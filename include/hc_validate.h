/* hc_validate.h - does a score predict churn: metrics, bands, curves and plain-words verdicts (layer: workflows).
 *
 * hc_validate_run evaluates one set of predictions against outcomes: every
 * scalar of hc_metrics_evaluate, the calibration intercept, slope and
 * calibration-in-the-large with their standard errors, the per-band table,
 * the ROC / precision-recall / cumulative-gains curves, a reliability
 * diagram and histograms for plotting, and two verdicts in words.
 *
 * Clusters. An account contributes one snapshot a week and its snapshots
 * are strongly correlated, so intervals that treat rows as independent
 * cover the truth far less often than they claim. With cluster codes
 * (hc_validate_input.cluster; hc_validate_model_opts clusters by the
 * account id) every interval is cluster-aware, and the verdicts use them:
 * ROC AUC by the clustered DeLong variance (Obuchowski 1997); the overall
 * and per-band churn rates and the red band's precision and recall by
 * Wilson intervals at the effective sample size of a linearised ratio
 * variance; Brier and log loss by the linearised variance of a mean; the
 * calibration intercept, slope and calibration-in-the-large by their
 * model SEs times the square root of the cluster sandwich design effect;
 * PR AUC, KS, ECE and top-decile lift and capture by a seeded cluster
 * bootstrap (hc_metrics.h states each formula). Hosmer-Lemeshow assumes
 * independent rows and is labelled so. One row per cluster reproduces the
 * rows-independent intervals exactly.
 *
 * Bands in accounts. A history holds a snapshot per account per week and
 * an analyst decides on accounts, so the band table has two units, always
 * named. In snapshots (hc_validate_result.bands): the snapshots in each
 * band, their share, the churner snapshots and the per-snapshot churn
 * rate within the horizon with its (clustered) interval. In accounts
 * (hc_validate_result.band_accounts, hc_metrics_bands_accounts): the
 * distinct accounts with a snapshot in the band (an account that moved
 * counts in every band it visited) and, as of each account's latest
 * evaluated snapshot, each account once (these sum to the accounts); the
 * churned accounts, each once in the band of its last evaluated snapshot
 * before its churn (its latest churner snapshot); ARR once per account
 * (its latest snapshot in the band; as of: its latest snapshot, summing
 * to the book's ARR); churned ARR, attributed like the churned accounts,
 * from the amount of the account's first churn event (the one its labels
 * come from) or, for an event without an amount or without events (the
 * --observations path), the ARR at its last churner snapshot, counted in
 * churned_from_arr.
 *
 * Verdicts (stated here so that every front end says the same thing):
 *
 * - Discrimination, from the ROC AUC and its DeLong 95% interval, with the
 *   rule of thumb of Hosmer, Lemeshow & Sturdivant (2013, "Applied Logistic
 *   Regression", 3rd ed., section 5.2.4): AUC >= 0.8 "discriminates well"
 *   (their "excellent"), 0.7 <= AUC < 0.8 "discriminates moderately"
 *   ("acceptable"), otherwise "discriminates poorly". When the interval
 *   contains 0.5 the score "does not discriminate better than chance";
 *   when it lies wholly below 0.5 the score ranks backwards.
 * - Calibration, from the logistic recalibration y ~ a + b logit(p) (Cox
 *   1958) and calibration-in-the-large y ~ a + offset(logit(p)) (Steyerberg
 *   2010): "calibrated" when the 95% Wald interval of the slope contains 1
 *   and that of calibration-in-the-large contains 0, "not calibrated"
 *   otherwise, with the direction in words. Hosmer-Lemeshow is reported but
 *   does not decide: with many thousands of rows it rejects trivial
 *   miscalibration (Paul, Pennell & Lemeshow 2013, Stat Med 32:67-80).
 *   Probabilities that come from a logistic map of a score fitted on the
 *   same rows are calibrated by construction (slope 1, intercept 0 exactly
 *   at the maximum-likelihood fit), so their calibration is reported as
 *   "in-sample" and not judged.
 */
#ifndef HC_VALIDATE_H
#define HC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "hc_calendar.h"
#include "hc_error.h"
#include "hc_lead_time.h"
#include "hc_metrics.h"
#include "hc_model.h"
#include "hc_observations.h"

/* AUC cut points of the discrimination verdict (Hosmer & Lemeshow 2013). */
#define HC_VALIDATE_AUC_WELL 0.8
#define HC_VALIDATE_AUC_MODERATE 0.7

/* Leakage warnings (hc_validate_result.warnings). Published user-churn
 * benchmarks (RelBench's user-churn tasks, Robinson et al. 2024) sit at
 * ROC AUC 0.52 to 0.70: a score or a single component above
 * HC_VALIDATE_LEAKAGE_AUC (0.90 by default) more likely knows the future
 * than predicts it, and so does a component whose lone AUC exceeds the
 * second best component's by more than HC_VALIDATE_LEAKAGE_GAP. */
#define HC_VALIDATE_LEAKAGE_AUC 0.90
#define HC_VALIDATE_LEAKAGE_GAP 0.15
#define HC_VALIDATE_MAX_WARNINGS 8

/* Bins of the reliability diagram (deciles of p) and of the histograms. */
#define HC_VALIDATE_RELIABILITY_BINS 10
#define HC_VALIDATE_HIST_BINS 20

typedef enum {
    HC_DISCRIM_WELL = 0,     /* AUC >= 0.8 */
    HC_DISCRIM_MODERATE,     /* 0.7 <= AUC < 0.8 */
    HC_DISCRIM_POORLY,       /* AUC < 0.7, interval above 0.5 */
    HC_DISCRIM_CHANCE,       /* the 95% interval contains 0.5 */
    HC_DISCRIM_REVERSED      /* the 95% interval lies below 0.5 */
} hc_validate_discrimination;

/* Effect-size tolerances of the calibration verdict. On 742,000 rows a
 * mean prediction of 1.10% against 1.00% observed lies outside its 95%
 * interval, yet no analyst would act on it: a miscalibration is material
 * only when the mean prediction is off the observed rate by more than
 * HC_VALIDATE_TOL_MEAN of it (an expected/observed ratio outside 0.8 to
 * 1.2, the band commonly read as acceptable in prediction-model
 * validation) or the calibration slope is off 1 by more than
 * HC_VALIDATE_TOL_SLOPE (a slope below 0.8 is the usual mark of an
 * overfitted model that needs shrinkage; Steyerberg 2019, ch. 15). */
#define HC_VALIDATE_TOL_MEAN 0.20
#define HC_VALIDATE_TOL_SLOPE 0.20

/* The calibration verdict crosses detection (the slope's 95% interval
 * contains 1 and calibration-in-the-large's contains 0, or not) with size
 * (both effect sizes within their tolerances, or not). */
typedef enum {
    HC_CALIB_OK = 0,         /* nothing detectable, effect sizes within tolerance */
    HC_CALIB_NOT,            /* detectable and material */
    HC_CALIB_IN_SAMPLE,      /* p is an in-sample logistic map: not judged */
    HC_CALIB_WITHIN_TOLERANCE, /* detectable, but within the tolerances */
    HC_CALIB_UNCERTAIN       /* nothing detectable, but an effect size is past
                                its tolerance: too few data to tell */
} hc_validate_calibration;

/* What to evaluate. Arrays hold n entries and are borrowed for the call. */
typedef struct {
    size_t n;
    const double *y;           /* outcomes, 0 or 1 */
    const double *p;           /* predicted probabilities in [0, 1], or NULL
                                  when only `score` is given */
    const double *score;       /* a raw score (e.g. health H), or NULL */
    int higher_is_healthier;   /* direction of `score` */
    int score_is_health;       /* `score` is a 0-100 health score: its
                                  histogram bins are 5 points wide */
    const int32_t *band;       /* band per row, 0 = riskiest; NULL: no bands */
    size_t n_bands;
    const char *const *band_names; /* n_bands names, or NULL ("band 1", ...) */
    const double *band_mins;   /* n_bands lower bounds on H, or NULL */
    const double *arr;         /* ARR per row (>= 0), or NULL */
    size_t max_curve_points;   /* points kept per curve; 0 means 201 */
    const hc_metrics_ranked *p_ranked; /* the ranking of p (hc_metrics_rank),
                                  or NULL: computed when needed */
    double leakage_auc;        /* warn above this AUC; 0 means
                                  HC_VALIDATE_LEAKAGE_AUC */
    /* Clustered rows (the snapshots of one account): with `cluster` every
     * interval is cluster-aware (see "Clusters" above). */
    const int32_t *cluster;    /* n cluster codes in [0, K) (the interned
                                  codes of an id column), or NULL: rows
                                  independent */
    const char *cluster_name;  /* what a cluster is named by ("account_id");
                                  NULL: "cluster" */
    size_t bootstrap;          /* cluster-bootstrap replicates for the
                                  metrics without a closed form; 0: none;
                                  HC_VALIDATE_BOOTSTRAP_AUTO: the default
                                  count up to HC_VALIDATE_BOOTSTRAP_MAX_ROWS
                                  rows, none above (said in the output) */
    unsigned long seed;        /* the bootstrap's seed */
    double tol_mean;           /* calibration tolerances; 0 means */
    double tol_slope;          /* HC_VALIDATE_TOL_MEAN / _SLOPE */
    /* Bands in accounts (hc_metrics_bands_accounts; see "Bands in
     * accounts" above). All optional; without `account` the band table
     * counts snapshots only. */
    const int32_t *account;    /* account code per row in [0, n_accounts) (may be
                                  `cluster` when it clusters by account), or NULL */
    size_t n_accounts;         /* entries of churned_amount; 0: the largest code + 1 */
    const int32_t *date;       /* day number per row, or NULL: the rows are in
                                  time order */
    const int32_t *churn_day;  /* n_accounts days of each account's first churn
                                  event (HC_LEAD_TIME_NONE: none), or NULL; with
                                  account, date and bands it gives lead times */
    const double *churned_amount; /* n_accounts churned ARRs from the churn events
                                  (hc_validate_churn_amounts), NaN where the event
                                  has no amount; NULL: no events, every churned
                                  account counts the ARR at its last churner
                                  snapshot */
} hc_validate_input;

/* Replicates and seed hc_validate_input_init sets. The bootstrap walks
 * every row once per replicate, which on ten million rows costs twice the
 * rest of the validation: by default (AUTO) it runs up to MAX_ROWS rows. */
#define HC_VALIDATE_BOOTSTRAP_DEFAULT 1000
#define HC_VALIDATE_BOOTSTRAP_AUTO ((size_t)-1)
#define HC_VALIDATE_BOOTSTRAP_MAX_ROWS 1000000
#define HC_VALIDATE_SEED_DEFAULT 20240101UL

/* Sets an input to "nothing given" (all zero / NULL), with the bootstrap
 * defaults (HC_VALIDATE_BOOTSTRAP_DEFAULT replicates,
 * HC_VALIDATE_SEED_DEFAULT), which apply only when clusters are given. */
void hc_validate_input_init(hc_validate_input *in);

/* Method names of the intervals, for the text and the JSON. */
#define HC_VALIDATE_METHOD_DELONG "DeLong (1988), rows independent"
#define HC_VALIDATE_METHOD_OBUCHOWSKI \
    "clustered DeLong (Obuchowski 1997, Biometrics 53:567-578)"
#define HC_VALIDATE_METHOD_WILSON "Wilson, rows independent"
#define HC_VALIDATE_METHOD_RATIO_WILSON \
    "Clopper-Pearson at the effective sample size, linearised ratio variance by " \
    "cluster (Korn & Graubard 1998)"
#define HC_VALIDATE_METHOD_RATIO \
    "linearised ratio variance by cluster (Cochran 1977, 6.11), interval on the " \
    "log scale"
#define HC_VALIDATE_METHOD_WALD "Wald, model-based (rows independent)"
#define HC_VALIDATE_METHOD_SANDWICH \
    "Wald with the cluster-robust sandwich design effect (Liang & Zeger 1986)"
#define HC_VALIDATE_METHOD_BOOTSTRAP "cluster bootstrap, percentile"
#define HC_VALIDATE_HL_ASSUMPTION \
    "assumes independent rows; not valid for repeated snapshots"

/* The cluster-aware intervals of a result (hc_validate_result.clusters). */
typedef struct {
    int active;                   /* clusters were given */
    char name[64];                /* what a cluster is named by */
    size_t n_clusters;            /* accounts with a row */
    size_t churned_clusters;      /* accounts with at least one churner row */
    size_t retained_clusters;     /* accounts with at least one retained row */
    /* ROC AUC: clustered DeLong; the summary's roc_auc_ci_* hold its
     * interval, the rows-independent one is auc.ci_*_naive. */
    int auc_estimable;
    char auc_not_estimable[200];
    hc_metrics_auc_ci_clustered auc;
    /* ratio estimators */
    hc_metrics_ratio churn_rate, brier, log_loss;
    int ratios_estimable;
    /* recalibration: the result's slope_ci_* etc. hold the clustered
     * intervals; these are the rows-independent ones */
    int calibration_estimable;
    hc_metrics_calibration_clustered calibration;
    double slope_ci_low_naive, slope_ci_high_naive;
    double intercept_ci_low_naive, intercept_ci_high_naive;
    double citl_ci_low_naive, citl_ci_high_naive;
    /* PR AUC, KS, ECE, top-decile lift and capture */
    int bootstrapped;
    char bootstrap_not_done[200]; /* why not, "" when done */
    hc_metrics_cluster_boot boot;
    /* the effective sample size in words */
    char effective_text[512];
} hc_validate_clusters;

/* Calibration of a config that recalibrates its P(churn) (the model's
 * `recalibration` map, fitted by `fit --recalibrate` on a holdout): the
 * same rows before the map (the churn model's p) and after it. Out of time
 * when the rows are dated after the holdout the map was fitted on: then
 * only those rows are compared; otherwise every evaluated row, labelled
 * in-sample for the map when some fall inside its holdout. */
typedef struct {
    int present;               /* the config has a map */
    const char *method;        /* "platt" or "isotonic" */
    int out_of_time;           /* compared on rows after the map's holdout */
    size_t rows;               /* rows compared */
    size_t rows_in_holdout;    /* evaluated rows inside the map's holdout */
    int ok;                    /* the metrics below were computed (else note) */
    double slope_before, slope_after;
    double intercept_before, intercept_after;        /* y ~ a + b logit p */
    double in_the_large_before, in_the_large_after;
    double brier_before, brier_after;
    char note[400];            /* the comparison in words */
} hc_validate_recal;

/* One reliability bin (a decile of p; ties kept together). */
typedef struct {
    size_t n;
    size_t positives;
    double p_mean;
    double observed;
    double ci_low;     /* Wilson 95% interval of `observed` */
    double ci_high;
} hc_validate_bin;

/* One histogram: counts of rows in equal-width bins [lo_k, hi_k), the last
 * closed, over [low, high]. */
typedef struct {
    double low, high;
    size_t count[HC_VALIDATE_HIST_BINS];          /* all rows */
    size_t count_pos[HC_VALIDATE_HIST_BINS];      /* churners */
    size_t count_neg[HC_VALIDATE_HIST_BINS];      /* retained */
} hc_validate_hist;

/* The discrimination of one component's sub-score alone (hc_validate_model):
 * ranked with low health = risk, as the model uses it, over the rows where
 * the component is present. */
typedef struct {
    char *name;                   /* owned */
    size_t n;                     /* rows with the component present */
    size_t churners;
    int estimable;                /* 0: one class absent; auc is then 0 */
    double auc;
    char not_estimable[160];      /* the reason, "" when estimable */
} hc_validate_component;

/* The discrimination of the score within one segment of the config. */
typedef struct {
    char *name;                   /* the segment value, "(other)" for rows
                                     of no configured segment (owned) */
    size_t n;
    size_t churners;
    int estimable;                /* 0: fewer than 2 churners or 2 retained */
    double auc, auc_ci_low, auc_ci_high; /* DeLong 95%; 0 when not estimable */
    char not_estimable[160];      /* e.g. "no churners in segment smb" */
} hc_validate_segment;

/* Everything hc_validate_run learns. Release with hc_validate_result_release. */
typedef struct {
    hc_metrics_summary summary;   /* rank metrics are those of the score
                                     when only a score was given */
    hc_metrics_calibration_result calibration; /* with standard errors */
    double slope_ci_low, slope_ci_high;        /* 95% Wald */
    double citl_ci_low, citl_ci_high;
    double intercept_ci_low, intercept_ci_high;
    /* where the probabilities came from */
    int in_sample_map;            /* p = logistic(a + b score) fitted here */
    double map_intercept, map_slope;
    /* verdicts */
    hc_validate_discrimination discrimination;
    hc_validate_calibration calibration_verdict;
    double mean_relative_error;   /* mean p / observed rate - 1 */
    double tol_mean, tol_slope;   /* the tolerances the verdict used */
    char discrimination_text[512];
    char calibration_text[2048];
    /* curves of the risk ranking (higher = riskier) */
    hc_metrics_curve roc, pr, gains;
    /* reliability diagram by deciles of p */
    size_t n_reliability;
    hc_validate_bin reliability[HC_VALIDATE_RELIABILITY_BINS];
    hc_validate_hist p_hist;      /* predictions on [0, upper] */
    int has_score_hist;
    hc_validate_hist score_hist;  /* the score by outcome */
    /* bands: `bands` counts snapshots (rows), `band_accounts` accounts */
    int has_bands;
    hc_metrics_bands_result bands;
    int has_lead_time;            /* bands, accounts, dates and churn days given */
    hc_lead_time_result lead_time;
    int has_months;               /* dates and clusters given: calibration by
                                     calendar month (hc_calendar.h) */
    hc_calendar_result months;
    int has_flags;                /* dates, clusters and bands given: false red
                                     flags by calendar month, in accounts */
    hc_calendar_flags flags;
    int has_band_accounts;        /* the rows had account codes */
    hc_metrics_bands_accounts_result band_accounts;
    char **band_names;            /* n_bands copies (owned) */
    double *band_mins;            /* n_bands or NULL (owned) */
    int bands_monotone;           /* churn rate falls from band 0 upward */
    /* pieces (hc_validate_model): components alone, segments */
    size_t n_components;
    hc_validate_component *components; /* owned */
    size_t n_segments;
    hc_validate_segment *segments;     /* owned */
    /* Pieces reported as not estimable instead of failing the run: empty
     * bands, segments without both classes, components without both
     * classes, Hosmer-Lemeshow with too few groups. */
    size_t n_not_estimable;
    /* Leakage warnings in words, naming the component. */
    double leakage_auc;           /* the level used */
    size_t n_warnings;
    char warnings[HC_VALIDATE_MAX_WARNINGS][400];
    /* cluster-aware intervals (in->cluster given) */
    hc_validate_clusters clusters;
    /* calibration before and after the config's recalibration map
     * (hc_validate_model* only; see hc_validate_recal) */
    hc_validate_recal recal;
} hc_validate_result;

/* Evaluates `in` into `res` (which the caller releases with
 * hc_validate_result_release, also after an error). With `p` given the
 * metrics are those of p; with only `score` given the rank metrics are
 * computed on the score itself (negated when higher_is_healthier) and the
 * calibration metrics on p = logistic(a + b score) fitted by maximum
 * likelihood on the same rows, flagged in_sample_map. Degenerate input
 * (fewer than 2 churners or 2 retained rows, constant predictions, NaN) is
 * HC_ENUMERIC in plain words; a successful result holds no NaN. A
 * degenerate piece (an empty band, Hosmer-Lemeshow with too few groups)
 * does not fail the run: it is counted in n_not_estimable. A ROC AUC above
 * in->leakage_auc adds a leakage warning. */
hc_status hc_validate_run(const hc_validate_input *in, hc_validate_result *res,
                          hc_error *err);

/* Frees what a result owns (curves, band table and names) and zeroes it;
 * NULL is a no-op, and a result filled by a failed call may be released. */
void hc_validate_result_release(hc_validate_result *res);

/* Counts of hc_validate_model's row selection. */
typedef struct {
    size_t observations;       /* labelled rows offered */
    size_t missing_health;     /* dropped: every component missing */
    size_t used;
    int churn_model_used;      /* p from the config's churn model */
} hc_validate_rows;

/* Scores the observation rows `rows` (n of them; NULL means every
 * observation of `h`) with model `m` through hc_model_score_rows and
 * evaluates them: p is the config's P(churn) when it has a churn model for
 * every scored row, else the health score with an in-sample logistic map.
 * Bands and ARR come from the config and the snapshot table. Rows whose
 * health is missing are dropped and counted in `counts` (may be NULL).
 * Also fills the AUC of each component alone and, for a config with
 * segments, the AUC within each segment (a segment without churners is
 * reported not estimable, not an error), and the leakage warnings at
 * HC_VALIDATE_LEAKAGE_AUC. */
hc_status hc_validate_model(const hc_model *m, const hc_history *h,
                            const size_t *rows, size_t n,
                            hc_validate_result *res, hc_validate_rows *counts,
                            hc_error *err);

/* hc_validate_model warning at `leakage_auc` (0 means
 * HC_VALIDATE_LEAKAGE_AUC) instead of the default level. */
hc_status hc_validate_model_ex(const hc_model *m, const hc_history *h,
                               const size_t *rows, size_t n, double leakage_auc,
                               hc_validate_result *res, hc_validate_rows *counts,
                               hc_error *err);

/* Options of hc_validate_model_opts. */
typedef struct {
    double leakage_auc;        /* 0 means HC_VALIDATE_LEAKAGE_AUC */
    int clustered;             /* cluster the intervals by `cluster_col` */
    const char *cluster_col;   /* a text column of the snapshot table; NULL:
                                  the account id column */
    size_t bootstrap;          /* as hc_validate_input */
    unsigned long seed;
    double tol_mean, tol_slope; /* as hc_validate_input */
} hc_validate_model_options;

/* Sets options to the defaults: clustered by the account id, the
 * bootstrap defaults of hc_validate_input_init. */
void hc_validate_model_options_init(hc_validate_model_options *o);

/* hc_validate_model_ex with options. A cluster column that the snapshot
 * table lacks, or that is not a text (id) column, is HC_EDATA naming the
 * file and the column. */
hc_status hc_validate_model_opts(const hc_model *m, const hc_history *h,
                                 const size_t *rows, size_t n,
                                 const hc_validate_model_options *opt,
                                 hc_validate_result *res, hc_validate_rows *counts,
                                 hc_error *err);

/* The churned ARR of each account of `h` from its churn events, for
 * hc_validate_input.churned_amount: *out gets h->snapshots.n_accounts
 * entries (the caller frees it), each the `amount` of the account's first
 * churn event (by date, then file line: the churn its labels come from),
 * NaN when the account has no churn event or the event has no amount.
 * Without events *out is NULL. HC_ENOMEM only. */
hc_status hc_validate_churn_amounts(const hc_history *h, double **out, hc_error *err);

/* The same accounts' first churn days: *out gets h->snapshots.n_accounts
 * day numbers (HC_LEAD_TIME_NONE without a churn event); NULL without
 * events. HC_ENOMEM only. */
hc_status hc_validate_churn_days(const hc_history *h, int32_t **out, hc_error *err);

/* Fills res->band_accounts (and has_band_accounts) from in->band, y,
 * account, date, arr and churned_amount; replaces an earlier tally.
 * hc_validate_run calls it when the rows have account codes; a caller
 * that makes the account codes only after the run (the backtest clustered
 * by another column, to keep them out of the run's memory) calls it then.
 * A no-op without bands or without account codes. Errors as
 * hc_metrics_bands_accounts. */
hc_status hc_validate_band_accounts(const hc_validate_input *in, hc_validate_result *res,
                                    hc_error *err);

/* The reason a band of a result is not estimable ("no rows in band
 * yellow") into buf, or "" when it is; returns buf. */
const char *hc_validate_band_not_estimable(const hc_validate_result *res, size_t k,
                                           char *buf, size_t size);

/* The reason Hosmer-Lemeshow is not estimable into buf, or "" when it is;
 * returns buf. */
const char *hc_validate_hl_not_estimable(const hc_validate_result *res, char *buf,
                                         size_t size);

/* The statistical conventions behind the numbers, one line each (for
 * --help, the JSON "conventions" object and the README). */
#define HC_VALIDATE_CONVENTION_ECE \
    "10 equal-width bins of [0, 1], bins (lo, hi] with [0, 0.1] first " \
    "(scikit-learn calibration_curve strategy='uniform')"
#define HC_VALIDATE_CONVENTION_LOG_LOSS \
    "p clipped to [1e-15, 1 - 1e-15] (scikit-learn 1.2 log_loss eps); the " \
    "calibration slope and intercept fits clip the same way and count the " \
    "clipped rows"
#define HC_VALIDATE_CONVENTION_HL \
    "10 groups cut at unique type-7 deciles of p, right-closed " \
    "(ResourceSelection::hoslem.test); df = non-empty groups - 2"
#define HC_VALIDATE_CONVENTION_LIFT \
    "top ceil(N/10) rows by risk, rows tied at the cut sharing equally " \
    "(gains-table convention); lift = churn rate of those rows / base rate"
#define HC_VALIDATE_CONVENTION_RELIABILITY \
    "deciles of p, tied predictions kept in one bin"

/* The verdict phrases: "discriminates well", ..., "calibrated", ... */
const char *hc_validate_discrimination_name(hc_validate_discrimination d);
const char *hc_validate_calibration_name(hc_validate_calibration c);

/* Fits p = logistic(a + b x) to outcomes y by maximum likelihood
 * (hc_logreg_fit) on the n rows and writes the fitted probabilities into
 * `p` (may be NULL); a and b into *a and *b. Used for scores without their
 * own calibration (validate --score, hand-set configs in the backtest).
 * HC_ENUMERIC when x is constant, separates y, or y has one class. */
hc_status hc_validate_logistic_map(const double *y, const double *x, size_t n,
                                   double *p, double *a, double *b,
                                   hc_error *err);

/* ---- JSON (src/workflow/validate_json.c) ---- */

struct json_t;

/* Describes where the rows came from, for the JSON "source" object. All
 * members may be NULL / 0. */
typedef struct {
    const char *kind;           /* "probability", "score" or "config" */
    const char *file;           /* observations or snapshots file */
    const char *column;         /* probability or score column */
    const char *config;         /* config file */
    size_t rows_read;
    size_t rows_dropped;        /* missing label, value or health */
    const char *cluster_column; /* the cluster (account) column, or NULL */
    int in_sample_known;        /* the config records its fit rows (hc_provenance.h) */
    int in_sample;              /* and they overlap the rows evaluated */
    const char *in_sample_text; /* the finding in words, or NULL */
} hc_validate_source;

/* Builds the JSON object of a result: the scalar keys n, positives,
 * base_rate, roc_auc, roc_auc_ci_low, roc_auc_ci_high, pr_auc, brier,
 * scaled_brier, log_loss, ece, emax, eavg, e90, calibration_intercept,
 * calibration_slope (+ _ci_low/_ci_high), calibration_in_the_large
 * (+ intervals), hl_chi2, hl_df, hl_p, ks, lift_top_decile,
 * capture_top_decile, hl_groups, calibration_clipped_rows, leakage_auc;
 * "verdict", "probabilities", "reliability", "curves", "conventions" (the
 * binning, clipping, grouping and lift rules), "warnings" (an array of
 * strings, maybe empty), "not_estimable" (an array of {piece, reason}),
 * "components" and "segments" when computed, and, when bands exist, "bands"
 * and the red band's precision and recall. Each band's keys name their
 * unit: "snapshots", "snapshot_share", "churner_snapshots" and the
 * per-snapshot "churn_rate" with its interval; with account codes
 * "accounts", "accounts_latest", "churned_accounts", "arr_accounts",
 * "arr_latest", "churned_arr_events" and how many churned accounts took
 * their churned ARR from the event's amount or from the last churner
 * snapshot's ARR ("Bands in accounts" above). "band_totals" sums both
 * units, "band_units" says each key's unit in words, and
 * "red_churned_accounts_recall" / "red_churned_arr_recall" give the red
 * band's share of the churned accounts and churned ARR. A piece that is not estimable
 * has null values and a "not_estimable" reason string.
 * A non-finite number (never expected) is written as null, so the output
 * is always valid JSON. `src` may be NULL. Returns a new reference, or NULL
 * when out of memory. */
struct json_t *hc_validate_to_json(const hc_validate_result *res,
                                   const hc_validate_source *src);

/* Writes hc_validate_to_json to `path` ("-" is stdout) atomically, with
 * 2-space indentation and a final newline. */
hc_status hc_validate_write_json(const hc_validate_result *res,
                                 const hc_validate_source *src,
                                 const char *path, hc_error *err);

#endif
