/* hc_backtest.h - walk-forward evaluation of configs by date, with an embargo, refits and thresholds (layer: workflows).
 *
 * Folds. Test periods are [T, T + step) for
 * T = T0, T0 + step, ... while T is not after the last observation date.
 * The training rows of a fold are the observations whose snapshot date t
 * satisfies
 *
 *     T - window <= t < T - horizon - lead      (window = 0: from the start)
 *
 * so that every training label window (t + lead, t + lead + horizon] ends
 * on or before T - 1: no training label can see an event of the test
 * period. The upper end is open: a row dated exactly T - H - lead would
 * have a window ending on T itself, the first test day. T0 defaults to the
 * first observation date plus HC_BACKTEST_MIN_TRAIN_DAYS + horizon + lead
 * (or plus the window when that is shorter), so the first fold trains on
 * at least 26 weeks of snapshot dates; the training windows of the first
 * folds grow until they reach `window` and then roll (expanding: they keep
 * growing).
 *
 * Configs are evaluated on identical folds and identical test rows (rows
 * whose health score every config can compute):
 * - a hand-set config keeps its weights and transforms (quantile
 *   transforms without cuts learn them on each fold's training rows); its
 *   probabilities come from its churn_model, or, when it has none, from a
 *   logistic map logit p = a + b H fitted on the fold's TRAINING rows only
 *   (so test rows never inform their own calibration);
 * - the tuned model (opt->tuned) is refitted in every fold from the first
 *   config with hc_fit_model on the fold's training rows: quantile
 *   transforms, weights and calibration are all learned there;
 * - band cut points: with a threshold objective, chosen in every fold by
 *   hc_thresholds_search_accounts on the training rows' health scores (each
 *   config keeps its number and names of bands); without one, each config's
 *   own bands (the tuned model inherits the first config's).
 *
 * Thresholds in accounts. The rows are snapshots (an account a scoring
 * date), so every search is given the account and the scoring date of
 * each row (read from the snapshot table through the row indices, never
 * copied) and each account's churned amount (hc_validate_churn_amounts):
 * the objectives count accounts (hc_thresholds.h, "Units"; interventions
 * of the value objective are account-weeks in red), the capacity
 * objective counts red accounts per scoring date, and the band rules stay
 * on snapshots. The same counts on each fold's test rows give
 * objective_test and the red accounts per scoring date there; a config's
 * bands are recommended (bands_recommended) when the objective held on the
 * test rows, out of time, in more than half of the folds where it could
 * be evaluated. The backtest writes no config: the report reads the flag
 * to decide whether to write the bands into tuned.json.
 *
 * Pooled metrics per config are those of all used folds' test rows
 * together (hc_validate_run); each config is compared with the first by
 * DeLong's paired test on the pooled rows. The pooled rows are weekly
 * snapshots of accounts, so by default both are clustered by account
 * (opt->cluster_col, default the id column): the validation's intervals as
 * hc_validate.h's "Clusters", and the paired test by the clustered
 * DeLong variance of the difference (Obuchowski 1997,
 * hc_metrics_delong_paired_clustered_placements); the rows-independent
 * test is kept beside it (se_naive, ci_*_naive) with the design effect.
 */
#ifndef HC_BACKTEST_H
#define HC_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_fit.h"
#include "hc_metrics.h"
#include "hc_model.h"
#include "hc_observations.h"
#include "hc_thresholds.h"
#include "hc_validate.h"

/* Called after each fold with the number of folds done and planned. */
typedef void (*hc_backtest_progress_fn)(void *ctx, size_t done, size_t total);

/* The defaults of step_days and window_days. Four weeks per test period:
 * a weekly snapshot history gives every test period the same four scoring
 * dates, and an 18-month history (78 weekly snapshots) gives
 * 11 folds (test periods from week 31 on, HC_BACKTEST_MIN_TRAIN_DAYS) instead
 * of 2 with quarterly steps after a full year. Windows of a year keep a
 * full seasonal cycle in the training rows once the history has one. */
#define HC_BACKTEST_DEFAULT_STEP_DAYS 28
#define HC_BACKTEST_DEFAULT_WINDOW_DAYS 365
/* The shortest training span of the automatic first fold: 26 weeks of
 * snapshot dates before the embargo (26 weekly snapshots of every account,
 * two quarters), so that an 18-month history is tested over its last
 * 11 months rather than its last 5. */
#define HC_BACKTEST_MIN_TRAIN_DAYS 182

typedef struct {
    int step_days;              /* length of a test period and the step, > 0
                                   (default HC_BACKTEST_DEFAULT_STEP_DAYS) */
    int window_days;            /* training window in days, 0 = expanding
                                   (default HC_BACKTEST_DEFAULT_WINDOW_DAYS) */
    int32_t first_test;         /* T0; HC_DATE_MISSING = automatic */
    int tuned;                  /* add the model refitted in each fold */
    hc_fit_options fit;         /* options of that refit (expansion off by
                                   default: the backtest scores churn) */
    int use_objective;          /* choose cut points by `threshold` */
    hc_threshold_options threshold; /* objective and min band share; its
                                       n_bands is taken from each config */
    size_t min_train_churners;  /* a fold with fewer training churners is
                                   skipped (default 10: the events-per-
                                   variable rule, Peduzzi et al. 1996) */
    int keep_models;            /* keep each fold's fitted model (tests) */
    /* Clusters of the pooled validation and the paired AUC tests: the
     * pooled rows are weekly snapshots, each account a cluster of
     * correlated rows, so by default every pooled interval and the paired
     * test are clustered by the account id (hc_validate.h, "Clusters";
     * hc_metrics_delong_paired_clustered_placements). Zero-initialised
     * fields keep that default (hc_backtest_options_init memsets). */
    int unclustered;            /* 1: rows independent (the naive intervals
                                   of earlier versions; --cluster-col none) */
    const char *cluster_col;    /* a text column of the snapshot table;
                                   NULL: the account id column (borrowed) */
    size_t bootstrap;           /* cluster-bootstrap replicates of PR AUC,
                                   KS, ECE and lift in the pooled validation;
                                   default 0: the pooled rows are millions
                                   and those four keep their point values */
    unsigned long seed;         /* the bootstrap's seed; 0 means
                                   HC_VALIDATE_SEED_DEFAULT */
    hc_backtest_progress_fn progress; /* NULL for none */
    void *progress_ctx;
} hc_backtest_options;

/* Sets the defaults above. */
void hc_backtest_options_init(hc_backtest_options *opt);

/* Parses an objective as the CLI writes it: "recall=0.7",
 * "arr-recall=0.7", "precision=0.3", "value:cost=C,save-rate=R" (C >= 0
 * in ARR units per intervention, R in [0, 1]), "capacity=N" (at most N >= 1
 * accounts in red on each scoring date) or "capacity=P%" (at most P% of
 * the accounts scored on each date, 0 < P <= 100; stored as the share
 * P / 100 with capacity_share set) into `t` (other fields kept).
 * HC_EUSAGE naming the bad part. */
hc_status hc_backtest_parse_objective(const char *text, hc_threshold_options *t,
                                      hc_error *err);

/* ---- the plan: which rows each fold trains and tests on ---- */

typedef struct {
    int32_t test_start;    /* T */
    int32_t test_end;      /* T + step - 1, the last day of the test period */
    int32_t train_start;   /* T - window, or the first observation date */
    int32_t train_end;     /* T - horizon - lead - 1, the last training date */
    size_t train_begin;    /* training rows: plan.rows[train_begin .. train_stop) */
    size_t train_stop;
    size_t test_begin;     /* test rows: plan.rows[test_begin .. test_stop) */
    size_t test_stop;
} hc_backtest_fold_plan;

typedef struct {
    size_t n_rows;
    uint32_t *rows;        /* observation rows sorted by date, then row (owned;
                              32 bits, as the table's lines and account index) */
    int32_t *date;         /* their snapshot dates (owned) */
    size_t n_folds;
    hc_backtest_fold_plan *folds; /* owned */
    int horizon, lead;     /* of the history's labels */
    int32_t first_date, last_date; /* of the observations */
} hc_backtest_plan;

/* Builds the folds of `h` under `opt` (only step, window and first_test
 * are read). hc_backtest_run keeps neither rows nor date in its result's
 * plan: it frees the dates once the folds are placed and hands the rows
 * over to pooled_row. Because training and test rows are date ranges, each is a
 * contiguous slice of one date-sorted array. HC_EUSAGE for bad options,
 * HC_ENUMERIC when the history is too short for a single fold (the message
 * gives the dates). Release with hc_backtest_plan_release. */
hc_status hc_backtest_plan_build(const hc_history *h, const hc_backtest_options *opt,
                                 hc_backtest_plan *plan, hc_error *err);

/* Frees the arrays of a plan and zeroes it; NULL is a no-op. */
void hc_backtest_plan_release(hc_backtest_plan *plan);

/* ---- results ---- */

/* One fold x config. */
typedef struct {
    int has_metrics;            /* the test rows allowed hc_metrics_evaluate */
    hc_metrics_summary metrics; /* with clusters, roc_auc_ci_* are the fold's
                                   clustered DeLong (Obuchowski) interval */
    int auc_clustered;          /* they are; the rows-independent interval: */
    double roc_auc_ci_low_naive, roc_auc_ci_high_naive;
    double roc_auc_design_effect; /* clustered over rows-independent variance */
    char note[512];             /* why metrics are missing, or a fallback */
    double psi;                 /* of H, training vs test rows (NaN if none) */
    size_t n_cuts;              /* band cut points in effect (n_bands - 1) */
    double cuts[HC_THRESHOLDS_MAX_BANDS];
    int objective_met;          /* on the training rows (objective only) */
    double objective_train;     /* achieved on the training rows, counted in
                                   accounts (capacity: the most red accounts
                                   on a scoring date, or the largest share) */
    double objective_test;      /* the same cut points on the test rows, in
                                   accounts (NaN when undefined there) */
    int objective_met_test;     /* the objective held on the test rows: out
                                   of time (capacity: on every test date) */
    /* Red accounts per scoring date (a date's rows are the accounts scored
     * that day; one row each): on the training rows under the cut points
     * chosen there (NaN / 0 without an objective), the cut one candidate
     * higher (the capacity objective's tightness), and on the test rows. */
    double train_red_per_date_mean;
    size_t train_red_per_date_max;
    double train_next_cut;      /* NaN when none */
    size_t train_next_per_date_max;
    double red_per_date_mean;   /* test rows */
    size_t red_per_date_max;
    size_t test_dates;          /* scoring dates among the test rows */
    size_t red_accounts;        /* distinct accounts with a red test row */
    size_t test_churned_accounts; /* accounts with a churner test row */
    size_t red_churned_accounts;  /* of them, with a red churner test row */
    size_t band_accounts[HC_THRESHOLDS_MAX_BANDS]; /* test rows per band */
    size_t band_churners[HC_THRESHOLDS_MAX_BANDS];
    double band_arr[HC_THRESHOLDS_MAX_BANDS];  /* summed over test rows (snapshots) */
    /* The same test rows in accounts (hc_metrics_bands_accounts, made by
     * the pooled evaluation): accounts with a test row in the band and
     * their ARR once each, each account once by its latest test row, the
     * fold's churned accounts once each (band of their last churner row)
     * and their churned ARR from the churn events. */
    int has_band_accounts;
    size_t band_n_accounts[HC_THRESHOLDS_MAX_BANDS];
    size_t band_accounts_latest[HC_THRESHOLDS_MAX_BANDS];
    size_t band_churned_accounts[HC_THRESHOLDS_MAX_BANDS];
    double band_arr_accounts[HC_THRESHOLDS_MAX_BANDS];
    double band_arr_latest[HC_THRESHOLDS_MAX_BANDS];
    double band_churned_arr[HC_THRESHOLDS_MAX_BANDS];
    double red_share, red_precision, red_recall, red_arr_recall; /* test */
    double map_intercept, map_slope; /* churn calibration used this fold */
    int map_used;               /* p was the logistic map of H (the config's
                                   churn model did not cover the rows) */
    size_t segments_fitted;     /* --tuned --segments: segments (cells) of the
                                   fold's refit, and of them those merged into
                                   the pooled model (fewer churned accounts
                                   in the training rows than
                                   fit.segment_min_churned); 0 otherwise */
    size_t segments_merged;
} hc_backtest_cell;

typedef struct {
    size_t index;               /* 0-based position in the plan */
    const hc_backtest_fold_plan *plan; /* borrowed from result->plan */
    int used;                   /* 0: skipped for every config (see note) */
    size_t n_train, train_positives;
    size_t n_test, test_positives; /* test rows every config scores */
    size_t test_excluded;       /* test rows dropped: some config has no H */
    char note[512];
    hc_backtest_cell *cells;    /* n_configs */
} hc_backtest_fold;

typedef enum { HC_BT_HAND_SET = 0, HC_BT_TUNED = 1 } hc_backtest_kind;

typedef struct {
    char *name;                 /* display name (owned) */
    hc_backtest_kind kind;
    const hc_model *model;      /* the config (borrowed); the base of a tuned model */
    const char *probabilities;  /* how its P(churn) is made, in words (static) */
    size_t n_bands;
    char **band_names;          /* owned copies */
    hc_validate_result pooled;  /* over every used fold's test rows */
    int has_pooled;
    char pooled_note[512];
    double *p;                  /* n_pooled predictions (owned) */
    double *health;             /* n_pooled health scores and bands under */
    int32_t *band;              /* the fold's cut points: read by the pooled
                                   validation and the sweep, and NULL once
                                   hc_backtest_run returns */
    hc_model **fold_models;     /* n_folds fitted models or NULL (keep_models) */
    /* The decision data of "bands are written only when the objective held
     * out of time in most folds" (with an objective): the used folds where
     * the objective could be evaluated on the test rows, those where it was
     * met there (objective_met_test), and whether that is more than half. */
    size_t folds_evaluated;
    size_t folds_met_test;
    int bands_recommended;      /* 2 folds_met_test > folds_evaluated */
} hc_backtest_config;

/* A comparison of config `index` with config 0 on the pooled rows. */
typedef struct {
    size_t index;
    int ok;                     /* 0: the test could not be computed (note) */
    hc_metrics_auc_diff diff;   /* AUC(config index) - AUC(config 0); se, z,
                                   p_value and ci_* are the clustered ones
                                   when `clustered` (Obuchowski 1997), and
                                   the verdicts read these */
    int clustered;              /* the test is clustered by cluster_name */
    char cluster_name[64];      /* the cluster column, "" when unclustered */
    size_t n_clusters;          /* clusters with a pooled row */
    double se_naive;            /* rows-independent DeLong se of the difference */
    double ci_low_naive, ci_high_naive, p_value_naive; /* and its interval, p */
    double design_effect;       /* se^2 / se_naive^2 (1 unclustered) */
    char note[512];
} hc_backtest_comparison;

/* The method of the paired tests, for the text and summary.json. */
#define HC_BACKTEST_METHOD_PAIRED_CLUSTERED "clustered DeLong paired (Obuchowski 1997)"
#define HC_BACKTEST_METHOD_PAIRED_NAIVE \
    "DeLong paired test, rows independent (pROC roc.test, paired = TRUE)"

/* The threshold search walked forward over the pooled test rows (nested
 * walk-forward): for each used fold after the first, cut points chosen by
 * the objective on the pooled test rows of the earlier folds, then scored
 * on this fold's test rows, which the choice never saw. */
typedef struct {
    size_t fold;                /* index into folds */
    int ok;                     /* cut points were found on the earlier rows */
    char note[256];             /* why not, when !ok */
    size_t n_cuts;
    double cuts[HC_THRESHOLDS_MAX_BANDS];
    size_t chosen_on;           /* the earlier rows they were chosen on */
    size_t rows, churners, red_rows, red_churners; /* this fold's test rows */
    double churned_arr, red_churned_arr;
    double share_flagged, precision, recall, arr_recall, value; /* NaN if undefined;
                                   snapshots */
    /* The same rows in accounts (hc_thresholds.h, "Units") and per scoring
     * date; NaN where undefined. */
    size_t accounts, red_accounts, churned_accounts, red_churned_accounts;
    double churned_arr_accounts, red_churned_arr_accounts;
    double account_recall, account_precision, account_arr_recall, account_value;
    size_t dates;
    double red_per_date_mean;
    size_t red_per_date_max;
    double red_per_date_share_max;
    double objective;           /* the objective counted in accounts */
    int met;                    /* the objective's target held on this fold,
                                   counted in accounts */
} hc_backtest_nested_fold;

typedef struct {
    size_t n_folds;             /* entries, one per used fold after the first */
    hc_backtest_nested_fold *folds;
    size_t scored, met;         /* folds with cut points; of them, target met */
    /* the scored folds' test rows together */
    size_t rows, churners, red_rows, red_churners;
    double churned_arr, red_churned_arr;
    double share_flagged, precision, recall, arr_recall, value;
    /* and in accounts: an account is caught when one of its churner rows is
     * red under its fold's cut points; per date over every scored date */
    size_t accounts, red_accounts, churned_accounts, red_churned_accounts;
    double churned_arr_accounts, red_churned_arr_accounts;
    double account_recall, account_precision, account_arr_recall, account_value;
    size_t dates;
    double red_per_date_mean;
    size_t red_per_date_max;
} hc_backtest_nested;

typedef struct {
    hc_backtest_plan plan;
    size_t n_configs;
    hc_backtest_config *configs;
    hc_backtest_fold *folds;    /* plan.n_folds */
    size_t folds_used;
    /* the pooled test rows, in fold order (a fold's rows are the next
     * folds[f].n_test of them, for every used fold f) */
    size_t n_pooled;
    uint32_t *pooled_row;       /* snapshot table row */
    double *pooled_y;
    double *pooled_arr;
    size_t test_excluded;       /* over all used folds */
    size_t n_comparisons;       /* n_configs - 1 */
    hc_backtest_comparison *comparisons;
    /* the threshold sweep of the primary config (the tuned one when
     * present, else the first) on the pooled test rows: the cut points to
     * deploy, but chosen and scored on the same rows (in-sample figures) */
    size_t primary;
    int has_sweep;
    hc_threshold_result sweep;
    char sweep_note[512];
    /* the same search walked forward: the out-of-time figures */
    int has_nested;
    hc_backtest_nested nested;
    hc_backtest_options opt;    /* as run (callbacks cleared) */
    char adequacy[768];         /* why the folds cannot carry a conclusion, ""
                                   when they can (hc_backtest_fold_adequacy) */
} hc_backtest_result;

/* Runs the backtest of the n configs `configs` (n >= 1; each validated
 * and able to score h's snapshot table) on history `h`, which is only
 * read: its table and labels are as whole afterwards as before. `names` (may be
 * NULL, or hold NULLs) gives display names; default: the config's name or
 * "config N". With opt->tuned a final config "tuned" is refitted in each
 * fold from configs[0]. On success `res` (released with
 * hc_backtest_result_release, also after an error) holds everything; folds
 * that cannot be evaluated (too few training churners, no test rows, a
 * refit that is numerically impossible) are skipped for every config with
 * a note, and HC_ENUMERIC is returned only when no fold is usable. */
hc_status hc_backtest_run(const hc_history *h, const hc_model *const *configs,
                          const char *const *names, size_t n,
                          const hc_backtest_options *opt,
                          hc_backtest_result *res, hc_error *err);

/* ---- whether the folds carry weight (src/workflow/backtest_adequacy.c) ----
 *
 * The folds can carry a conclusion when
 *   - at least HC_BACKTEST_ADEQUATE_FOLDS (5) folds were used: with k folds
 *     all favouring one config, a one-sided sign test gives p = 0.5^k, and
 *     k = 5 is the fewest below 5% (0.031; 4 folds give 0.0625), so fewer
 *     folds cannot show that a result holds over time rather than by chance;
 *   - every used fold's test period holds at least
 *     HC_BACKTEST_ADEQUATE_CHURNED (10) churned accounts (accounts with a
 *     churner test row): the events-per-variable floor (Peduzzi et al.
 *     1996, as min_train_churners); below it a fold's AUC, recall and
 *     objective vote rest on a handful of accounts (a Wilson 95% interval
 *     of a recall over 9 accounts is wider than +-0.25).
 * Otherwise the sentence says which rule fails and, from the test periods'
 * churned accounts per day, the step that would hold about 10 churned
 * accounts per fold and how many folds that leaves. */
#define HC_BACKTEST_ADEQUATE_FOLDS 5
#define HC_BACKTEST_ADEQUATE_CHURNED 10

/* NULL when r's folds are enough to conclude, else a sentence (owned by r,
 * valid until it is released; a static sentence when r holds no used fold)
 * saying why not. Filled by hc_backtest_run; written into summary.json
 * ("folds": "adequate", "adequacy") and the text summary. */
const char *hc_backtest_fold_adequacy(const hc_backtest_result *r);

/* The sentence of hc_backtest_fold_adequacy made from r's folds (used,
 * cells[0].test_churned_accounts, plan.folds dates) into buf (cap bytes,
 * "" when adequate); returns 1 when adequate, 0 when not. */
int hc_backtest_fold_adequacy_format(const hc_backtest_result *r, char *buf, size_t cap);

/* Frees everything a result owns (names, pooled arrays, per-config
 * validation results, kept fold models, the plan and the sweep) and zeroes
 * it; NULL is a no-op. The configs it borrowed are untouched. */
void hc_backtest_result_release(hc_backtest_result *res);

/* ---- output files (src/workflow/backtest_write.c) ---- */

/* Writes into directory `dir` (created when missing), each file atomically:
 *   folds.csv       one row per fold x config (header documented in
 *                   backtest_write.c), skipped folds with their note;
 *   summary.json    options (with "clusters": column, bootstrap, seed),
 *                   pooled metrics per config, AUC differences with their
 *                   clustered DeLong intervals ("method", "design_effect",
 *                   "clusters", "significant" and the "rows_independent"
 *                   test), the threshold outcome, whether the folds
 *                   carry a conclusion ("folds": "adequate", "adequacy")
 *                   and each config's lead times ("lead_time",
 *                   src/workflow/backtest_lead_time.h);
 *   thresholds.csv + cutpoints.csv  the sweep of the primary config;
 *   bands_over_time.csv  test-period churn rate and ARR per band and fold;
 *   and the pooled plot data of hc_backtest_write_plot_data. */
hc_status hc_backtest_write(const hc_backtest_result *res, const hc_history *h,
                            const char *dir, hc_error *err);

/* (src/workflow/backtest_write_plot.c) Writes the plot data files
 * `healthcal plot` reads (hc_plot.h) for n
 * evaluated series named names[i]: reliability.csv, prediction_hist.csv,
 * roc.csv, pr.csv, gains.csv, score_distribution.csv (when the results
 * carry a score). Used for the pooled backtest and by validate. */
hc_status hc_backtest_write_plot_data(const char *dir,
                                      const hc_validate_result *const *res,
                                      const char *const *names, size_t n,
                                      hc_error *err);

#endif
