/* hc_model.h - the score model: config, transforms, weights, bands, scoring (layer: model).
 *
 * A model is the in-memory form of a `healthcal-model/1` JSON config (the
 * schema is described for users in README.md; the rules are enforced by
 * hc_model_validate and the loader). Each component (usage, support, ...) is built
 * from metric columns of the snapshot table; each metric is mapped to a 0-100
 * sub-score by a transform whose parameters live in the model, so `fit`,
 * `backtest`, `validate` and `predict` all score through the one function
 * hc_model_score_* below and can never disagree.
 *
 * Missing values, policy "renormalize" (the only policy of schema 1):
 *   - a metric is missing when its cell is missing (NaN);
 *   - a component's sub-score is the weighted mean of its present metrics'
 *     sub-scores, s_k = sum_m v_m t_m(x_m) / sum_{m present} v_m (v_m the
 *     metric weights); it is missing (NaN) when all its metrics are missing;
 *   - health H = sum_k w_k s_k / sum_{k present} w_k, the component weights
 *     renormalised over the components present in that row (as the
 *     production scorer does); H is missing when every component is missing
 *     or every present component has weight 0;
 *   - a missing H has band -1 and missing (NaN) p_churn and p_expansion;
 *   - P(expansion) replaces a missing s_k by the row's H, which is the same
 *     renormalisation rule applied to the expansion model's linear predictor.
 * The weights are those of the row's segment when `segments` overrides them.
 * P(churn) then goes through churn_model.recalibration when the config has
 * one (hc_recalibration below), for every row, segment overrides included;
 * hc_model_score_rows_ex also gives the probability before it.
 *
 * Lifecycle: hc_model_load / hc_model_load_string / hc_model_alloc create a
 * model, hc_model_copy duplicates it, hc_model_free frees it. Fields may be
 * read directly; change a model through the setters, which validate and keep
 * the ownership rules. Scoring never modifies the model.
 */
#ifndef HC_MODEL_H
#define HC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_error.h"
#include "hc_table.h"
#include "hc_rollup.h"
#include "hc_segment_key.h"
#include "hc_trend.h"

/* jansson's value type, kept opaque here so that users of this header need
 * not include <jansson.h> unless they look inside `fit` or `provenance`. */
struct json_t;

#define HC_MODEL_SCHEMA "healthcal-model/1"

/* Number of quantile cuts (the 1st..99th percentiles). */
#define HC_QUANTILE_CUTS 99

/* Tolerance on the sum of weights (components and segment overrides). */
#define HC_WEIGHT_SUM_TOL 1e-6

/* ------------------------------------------------------------------ */
/* Transforms (src/model/transform.c)                                 */
/* ------------------------------------------------------------------ */

typedef enum {
    HC_TF_IDENTITY,  /* already 0-100: clamped to [0, 100] */
    HC_TF_LINEAR,    /* 100 (x - low) / (high - low), clamped */
    HC_TF_LOG,       /* the same on log1p(x); x < low clamps to low */
    HC_TF_PIECEWISE, /* linear interpolation of points, flat outside */
    HC_TF_QUANTILE,  /* 100 x interpolated empirical CDF from 99 cuts */
    HC_TF_CATEGORICAL /* a text level mapped to a set or learned score */
} hc_transform_type;

/* Default limits of a categorical transform (README "Categorical metrics"). */
#define HC_CAT_MAX_LEVELS 50
#define HC_CAT_PRIOR_WEIGHT 20.0

/* The parameters of a categorical transform (src/model/transform_categorical.c).
 * A metric on a text column (letter grades, traffic-light colours, yes/no
 * flags, 1-5 matrix scores, sentiment labels) maps each level to a 0-100
 * sub-score. Cells match levels ignoring ASCII case and surrounding white
 * space ("  Green " is level "green"); a missing cell is a missing metric.
 * A present cell whose level is not in `names` is "unseen": missing, or
 * the score `other` when unseen_other. A column with more than max_levels
 * distinct levels (after that normalisation) is an error naming it.
 *
 * Learning (learn = 1; healthcal fit, and every backtest refit, on the
 * training rows only): with n_l training rows of level l of which k_l
 * churned, and p0 = K / N the training churn rate, the smoothed rate is
 * r_l = (k_l + a p0) / (n_l + a) with a = prior_weight > 0 (additive,
 * i.e. beta-binomial empirical-Bayes smoothing with a prior of a rows at
 * the overall rate: a rare level is pulled toward p0). With a declared
 * `order` (worst level first) the r_l are made non-increasing along it by
 * weighted pool-adjacent-violators (weights n_l + a), so scores never
 * fall along the order. Scores are linear in the log-odds:
 * s_l = 100 (L_max - L_l) / (L_max - L_min), L_l = logit r_l, so the
 * least-churning level scores 100, the most-churning 0 (all 50 when every
 * L_l is equal, e.g. no churner in the training rows). `other` is learned
 * as the score of p0 on the same scale. Levels of the order never seen in
 * training get r_l = p0. */
typedef struct {
    size_t n_levels;
    char **names;          /* levels as the config spells them (owned) */
    double *score;         /* n_levels sub-scores in [0, 100] */
    size_t n_order;        /* 0: no declared order */
    char **order;          /* levels worst first (owned); each in names */
    int unseen_other;      /* 0: unseen level is missing; 1: scores other */
    double other;          /* in [0, 100] (used when unseen_other) */
    int learn;             /* fit learns the scores from training rows */
    double prior_weight;   /* a > 0, pseudo-rows at the overall rate */
    size_t max_levels;     /* >= 1 */
} hc_categorical;

/* A metric transform. All arrays are owned by the transform. */
typedef struct {
    hc_transform_type type;
    double low, high;          /* LINEAR, LOG: low < high (LOG: 0 <= low) */
    int higher_is_healthier;   /* LINEAR, LOG, QUANTILE: 1 or 0 */
    size_t n_points;           /* PIECEWISE: >= 2 */
    double *px;                /* PIECEWISE: n_points x, strictly increasing */
    double *ps;                /* PIECEWISE: n_points scores in [0, 100] */
    double *cuts;              /* QUANTILE: HC_QUANTILE_CUTS non-decreasing
                                  percentiles, or NULL = not learned yet */
    hc_categorical *cat;       /* CATEGORICAL: its parameters (owned);
                                  n_levels 0 = not learned yet */
} hc_transform;

/* The schema name of a transform type ("linear", ...). */
const char *hc_transform_type_name(hc_transform_type type);

/* Sets *tf to an identity transform with no arrays. */
void hc_transform_init(hc_transform *tf);

/* Frees the arrays of a transform (the struct is the caller's) and leaves
 * it as an identity transform. NULL is a no-op. */
void hc_transform_release(hc_transform *tf);

/* Deep-copies `src` into `dst` (whose previous contents are NOT freed).
 * Returns HC_OK or HC_ENOMEM (dst is then an identity transform). */
hc_status hc_transform_copy(hc_transform *dst, const hc_transform *src,
                            hc_error *err);

/* Checks the parameters of a transform; `path` is its key path (e.g.
 * "components[2].metrics[0].transform") used to name the offending key in
 * the HC_EDATA message; `file` (may be NULL) goes into err->file. A quantile
 * transform without cuts is valid here (it means "learn them"). */
hc_status hc_transform_validate(const hc_transform *tf, const char *path,
                                const char *file, hc_error *err);

/* The 0-100 sub-score of one value; NaN in gives NaN out. Quantile
 * transforms without cuts give NaN (hc_model_score_* refuses them first).
 *
 * Quantile scores: with cuts c_1 <= ... <= c_99 (the 1st..99th percentiles),
 * the score is the linear interpolation of the points (c_j, j); where x
 * equals a run of tied cuts c_a = ... = c_b it is the mid-rank (a + b) / 2;
 * below c_1 it is 0 and above c_99 it is 100 (the training minimum and
 * maximum are not stored, so the outer 1% tails are not interpolated).
 * Inside [c_1, c_99] this is scikit-learn's QuantileTransformer rule (the
 * mean of a forward and a backward np.interp, which treats ties
 * symmetrically), so higher_is_healthier = false gives exactly 100 minus
 * the score of higher_is_healthier = true. */
double hc_transform_apply(const hc_transform *tf, double x);

/* Applies a transform to n values: out[i] = hc_transform_apply(tf, x[i]),
 * in one tight loop per transform type. `out` may equal `x`. */
void hc_transform_apply_array(const hc_transform *tf, const double *x,
                              size_t n, double *out);

/* --- categorical transforms (src/model/transform_categorical.c) --- */

/* Makes *tf a categorical transform with no levels, unseen levels missing,
 * learn 0, the default prior weight and level limit. HC_ENOMEM. */
hc_status hc_transform_categorical_init(hc_transform *tf, hc_error *err);

/* Adds level `name` (copied) with `score` to a categorical transform.
 * HC_EDATA for an empty name or one equal to an existing level (ignoring
 * case and surrounding spaces); the score is checked by validate. */
hc_status hc_transform_categorical_add(hc_transform *tf, const char *name,
                                       double score, hc_error *err);

/* Writes the matching form of `s` (`len` bytes): ASCII lower case, no
 * leading or trailing white space, into buf (size bytes, truncated, NUL
 * terminated). Returns its length. */
size_t hc_categorical_norm(const char *s, size_t len, char *buf, size_t size);

/* Index of the level of `s` (matching form compared), or -1 when unseen. */
int hc_categorical_find(const hc_categorical *c, const char *s);

/* Maps every string of text column `col` of `t` to the sub-score of its
 * level: *map gets hc_strpool_count entries (unseen levels NaN, or `other`;
 * the caller frees), and *unseen (unseen may be NULL: not wanted) as many
 * flags, 1 for a code that is an unseen level (the caller frees). HC_EDATA naming `key` and the column when the
 * column has more than max_levels distinct levels or the transform has
 * no levels yet; HC_ENOMEM. Built once per table, so scoring reads one
 * array per row and compares no string. */
hc_status hc_categorical_code_map(const hc_transform *tf, const hc_table *t,
                                  int col, const char *key, const char *file,
                                  double **map, unsigned char **unseen,
                                  hc_error *err);

/* Learns the level scores of categorical transform `tf` from text column
 * `col` of `t` and the 0/1 outcomes churn[row] of the training rows
 * rows[0..n) (rows NULL: 0..n-1), by the rule in hc_categorical above.
 * HC_EDATA when no training row has a level, the column has more than
 * max_levels levels, or a level is missing from a declared order. */
hc_status hc_categorical_learn(hc_transform *tf, const hc_table *t, int col,
                               const uint8_t *churn, const size_t *rows,
                               size_t n, hc_error *err);

/* Computes the 1st..99th percentiles of the non-missing values x[rows[i]]
 * for i < n (or x[0..n) when rows is NULL) with R's default quantile type 7
 * (Hyndman & Fan 1996, definition 7), and stores them as the cuts of the
 * quantile transform `tf`, replacing any previous cuts. HC_EDATA when `tf`
 * is not a quantile transform or no value is present; HC_ENOMEM. Runs in
 * O(m log m) for m present values and allocates one m-double buffer. */
hc_status hc_transform_learn_quantiles(hc_transform *tf, const double *x,
                                       const size_t *rows, size_t n,
                                       hc_error *err);

/* ------------------------------------------------------------------ */
/* The model: lifecycle and lookups (src/model/model.c), the schema's */
/* rules (model_validate.c), setters (model_set.c, model_segments.c), */
/* binding to a table (model_bind.c), JSON (model_json_*.c)           */
/* ------------------------------------------------------------------ */

typedef enum { HC_MISSING_RENORMALIZE } hc_missing_policy;

/* Seasonal adjustment of a metric (src/model/model_seasonal.c; README
 * "Seasonal adjustment"): the metric's input (its value, or its trend when
 * it has one: the trend is computed first) is set against its baseline for
 * the calendar month of the row's snapshot_date, before the transform:
 *   ratio       x' = x * overall / baseline[month]   (baselines > 0)
 *   difference  x' = x - (baseline[month] - overall)
 * Learned (learn = 1; fit and every backtest refit, on the training rows
 * only, before any quantile cuts, which then see adjusted values): the
 * baseline of a month is the median of the metric's non-missing training
 * values dated in that month of any year, `overall` the median of all of
 * them. A month without a training value has no baseline (NaN; null in
 * the config) and factor 1 (offset 0). A missing x stays missing, a
 * missing date leaves x as it is; a learned ratio baseline <= 0 is an
 * error naming the month. */
typedef enum { HC_SEASON_RATIO, HC_SEASON_DIFFERENCE } hc_season_method;

typedef struct {
    hc_season_method method;
    int learn;             /* fit relearns the baselines from training rows */
    int has_baseline;      /* baseline and overall are set */
    double baseline[12];   /* [0] January; NaN = no baseline (factor 1) */
    double overall;
} hc_seasonal;

typedef struct {
    char *column;          /* snapshot column name (owned) */
    double weight;         /* > 0; 1 by default */
    hc_transform transform;
    int col;               /* table column index after hc_model_bind, else -1 */
    /* Optional trend (hc_trend.h): the transform then reads the column's
     * change over the account's last trend_days days, not its value. */
    hc_trend_kind trend;   /* HC_TREND_NONE: the value itself */
    int trend_days;        /* 1..3650 with a trend */
    hc_seasonal *seasonal; /* NULL: no seasonal adjustment (owned) */
} hc_metric;

typedef struct {
    char *name;            /* unique (owned) */
    double weight;         /* >= 0; the weights of all components sum to 1 */
    size_t n_metrics;      /* >= 1 in a valid model */
    hc_metric *metrics;
} hc_component;

typedef struct {
    char *name;            /* unique (owned) */
    double min;            /* lower bound on H; the first band's is 0 */
} hc_band;

/* logit P(churn within horizon) = intercept + slope * H. */
typedef struct {
    int present;
    double intercept;
    double slope;
} hc_churn_model;

/* ------------------------------------------------------------------ */
/* Recalibration of P(churn) (src/model/recalibration.c)              */
/* ------------------------------------------------------------------ */

/* An optional map p -> p' applied to every row's P(churn) after the churn
 * model (segment overrides included), fitted by `healthcal fit
 * --recalibrate` on an out-of-time holdout. It lives in the config as
 * churn_model.recalibration (README "Recalibration"):
 *
 *   platt     p' = logistic(a + b logit(clip(p))), b > 0, with
 *             clip(p) = min(max(p, eps), 1 - eps), eps = HC_METRICS_CLIP_EPS
 *             (1e-15, the metrics' log-loss epsilon, hc_metrics.h), so that
 *             p = 0 or 1 has a finite logit. Fitted as the logistic
 *             regression glm(y ~ qlogis(clip(p)), binomial) without
 *             Platt's (1999) smoothed targets: the "logistic calibration"
 *             of Cox (1958), whose a and b are the calibration intercept
 *             and slope of hc_metrics_calibration.
 *   isotonic  p' = the linear interpolation of the points (x_j, y_j) at p
 *             clipped to [x_1, x_n] (x strictly increasing, y
 *             non-decreasing, both in [0, 1], n >= 2): scikit-learn's
 *             IsotonicRegression(out_of_bounds = "clip").predict, i.e.
 *             scipy's interp1d(x, y, kind = "linear") at
 *             clip(p, x_1, x_n) (np.interp gives the same). Fitted by
 *             pool-adjacent-violators as sklearn 1.2 does (ties in p are
 *             first averaged into one weighted point, values closer than
 *             1e-15 counting as tied; of each run of equal fitted values
 *             only the first and last points are kept).
 *
 * A NaN p stays NaN. The map is monotone non-decreasing, so it never
 * changes the order of the rows (AUC and bands of H are unchanged). */
typedef enum {
    HC_RECAL_NONE = 0,
    HC_RECAL_PLATT,
    HC_RECAL_ISOTONIC
} hc_recal_method;

/* Where a map was fitted (provenance; `present` 0 for a hand-written map). */
typedef struct {
    int present;
    size_t rows;           /* holdout rows the map was fitted on */
    size_t accounts;       /* distinct accounts among them */
    size_t churners;       /* rows with churn = 1 */
    int32_t first_date;    /* first and last snapshot date of the holdout */
    int32_t last_date;     /*   (day numbers, hc_date.h) */
    int embargo_days;      /* gap kept between the fit rows and the holdout */
} hc_recal_source;

/* A recalibration map; x and y are owned (ISOTONIC only, else NULL). */
typedef struct {
    hc_recal_method method;
    double a, b;           /* PLATT */
    size_t n_points;       /* ISOTONIC */
    double *x, *y;
    hc_recal_source source;
} hc_recalibration;

/* The schema name of a method ("platt", "isotonic"; "none"), and the
 * method of a name (returns -1 for an unknown name, else 0). */
const char *hc_recal_method_name(hc_recal_method method);
int hc_recal_method_parse(const char *name, hc_recal_method *method);

/* Sets *r to an empty map (HC_RECAL_NONE, no arrays, no source). */
void hc_recal_init(hc_recalibration *r);

/* Frees the arrays of *r (the struct is the caller's) and re-inits it.
 * NULL is a no-op. */
void hc_recal_release(hc_recalibration *r);

/* Deep-copies `src` into `dst` (whose previous contents are NOT freed).
 * HC_OK or HC_ENOMEM (dst is then empty). */
hc_status hc_recal_copy(hc_recalibration *dst, const hc_recalibration *src,
                        hc_error *err);

/* Checks a map: a known method; platt a and b finite with b > 0;
 * isotonic n_points >= 2, every x and y finite and in [0, 1], x strictly
 * increasing, y non-decreasing. HC_EDATA naming the key under `path`
 * (e.g. "churn_model.recalibration.y[3]: ..."); `file` may be NULL. */
hc_status hc_recal_validate(const hc_recalibration *r, const char *path,
                            const char *file, hc_error *err);

/* p' of one probability; NaN in gives NaN out. */
double hc_recal_apply(const hc_recalibration *r, double p);

/* out[i] = hc_recal_apply(r, p[i]) for i < n; `out` may equal `p`. */
void hc_recal_apply_array(const hc_recalibration *r, const double *p,
                          size_t n, double *out);

/* Fits a Platt map on n outcomes y (0/1) and predictions p in [0, 1] (no
 * NaN): the logistic regression of y on logit(clip(p)) by hc_logreg_fit.
 * Needs both classes and two distinct clipped p; a fitted b <= 0 (the
 * predictions rank the rows the wrong way) is HC_ENUMERIC, as are
 * separation and non-convergence. On success *out holds the map (no
 * source; release it with hc_recal_release). */
hc_status hc_recal_fit_platt(const double *y, const double *p, size_t n,
                             hc_recalibration *out, hc_error *err);

/* Fits an isotonic map on the same input by pool-adjacent-violators
 * (the rule in the comment above). Needs both classes and two distinct p
 * (HC_ENUMERIC). When `fitted` is not NULL it receives the n fitted
 * values in the input order (sklearn's fit_transform). Allocates O(n). */
hc_status hc_recal_fit_isotonic(const double *y, const double *p, size_t n,
                                hc_recalibration *out, double *fitted,
                                hc_error *err);

/* logit P(expansion) = intercept + sum_k coef[k] * s_k; coef has
 * n_components entries in component order (owned) when present. */
typedef struct {
    int present;
    double intercept;
    double *coef;
} hc_expansion_model;

/* Overrides for rows whose segment column equals `value`. Absent parts
 * (weights NULL, present == 0) fall back to the top-level values. */
typedef struct {
    char *value;                  /* owned */
    double *weights;              /* n_components, summing to 1, or NULL */
    hc_churn_model churn;
    hc_expansion_model expansion;
} hc_segment;

/* The role columns of the snapshot table. */
typedef struct {
    char *account_id;      /* text, required */
    char *snapshot_date;   /* date, required */
    char *segment;         /* text, required when segments are defined */
    char *arr;             /* number, optional */
    /* Of the events file; NULL when the config does not name them (the
     * defaults event_date, event_type, amount then hold). */
    char *event_date;
    char *event_type;
    char *amount;
} hc_model_columns;

typedef struct {
    char *source;          /* file the model came from, for messages (owned);
                              "<memory>" when built in memory */
    char *name;            /* config name or NULL (owned) */
    hc_model_columns columns;
    int horizon_days;      /* > 0, default 30 */
    int lead_days;         /* >= 0, default 0 */
    hc_missing_policy missing;
    size_t n_components;
    hc_component *components;
    size_t n_bands;
    hc_band *bands;
    hc_churn_model churn;
    hc_expansion_model expansion;
    size_t n_segments;
    hc_segment *segments;
    struct json_t *fit;        /* free-form object or NULL (owned reference) */
    struct json_t *provenance; /* free-form object or NULL (owned reference) */
    struct json_t *event_map;  /* the events' own words: an object of
                                  "type": "churn|expansion|contraction|
                                  ignore" (checked), or NULL (owned) */
    hc_recalibration *recalibration; /* map of every row's P(churn), or
                                        NULL = none (owned); needs a
                                        top-level churn model */
    hc_rollup *rollup;         /* user rows rolled up to the account before
                                  any transform (hc_rollup.h), or NULL
                                  (owned): "rollup": {"user_column": "user_id",
                                  "metrics": {"logins": "sum", ...}} */
    hc_segkey *segkey;         /* derived segment key (lifecycle stage, several
                                  columns: hc_segment_key.h), or NULL (owned);
                                  active while columns.segment equals
                                  segkey->column (hc_model_segkey.h) */
    /* Filled by hc_model_bind (-1 = unbound or absent optional column). */
    int col_account_id, col_snapshot_date, col_segment, col_arr;
} hc_model;

/* Allocates an empty model: default columns (account_id, snapshot_date,
 * segment, arr), horizon 30 days, lead 0, policy renormalize, no components,
 * bands, churn/expansion models or segments. `source` (may be NULL, meaning
 * "<memory>") is copied. Returns NULL when out of memory. Build it with the
 * setters below and check it with hc_model_validate before scoring. */
hc_model *hc_model_alloc(const char *source);

/* Frees a model and everything it owns (including its references to `fit`
 * and `provenance`). NULL is a no-op. */
void hc_model_free(hc_model *m);

/* Returns a deep copy of `m` (fit and provenance deep-copied too), or NULL
 * when out of memory. */
hc_model *hc_model_copy(const hc_model *m);

/* Checks every rule of the schema (weights, bands, transforms, names,
 * segment overrides) and returns HC_EDATA naming the key path of the first
 * violation, with err->file set to m->source. hc_model_load runs this. */
hc_status hc_model_validate(const hc_model *m, hc_error *err);

/* Index of the component / band named `name`, or -1. */
int hc_model_find_component(const hc_model *m, const char *name);
int hc_model_find_band(const hc_model *m, const char *name);

/* Index of the segment override for `value`, or -1. */
int hc_model_find_segment(const hc_model *m, const char *value);

/* The band of a health score: the last band whose min <= h, or -1 when h
 * is NaN or the model has no bands. */
int hc_model_band_of(const hc_model *m, double h);

/* --- setters (each copies its inputs; on error the model is unchanged) --- */

/* Sets the config name (copied; NULL clears it). */
hc_status hc_model_set_name(hc_model *m, const char *name, hc_error *err);

/* Sets the role column names; a NULL argument keeps the current name. */
hc_status hc_model_set_columns(hc_model *m, const char *account_id,
                               const char *snapshot_date, const char *segment,
                               const char *arr, hc_error *err);

/* Adds a component named `name` with weight `weight` and no metrics and
 * stores its index in *index (may be NULL). Segment weight overrides and
 * expansion coefficients get a 0 entry for it. HC_EDATA for a duplicate or
 * empty name or a negative weight. The weight sum is checked only by
 * hc_model_validate / hc_model_set_weights, so components can be added one
 * by one. */
hc_status hc_model_add_component(hc_model *m, const char *name, double weight,
                                 size_t *index, hc_error *err);

/* Adds a metric on `column` with metric weight `weight` (> 0) and a deep
 * copy of transform `tf` to component `comp`. HC_EDATA when comp is out of
 * range, the weight is not > 0 or the transform is invalid. */
hc_status hc_model_add_metric(hc_model *m, size_t comp, const char *column,
                              double weight, const hc_transform *tf,
                              hc_error *err);

/* Sets all n_components top-level weights at once; HC_EDATA (naming
 * "components") when one is negative or not finite or they do not sum to 1
 * within HC_WEIGHT_SUM_TOL. */
hc_status hc_model_set_weights(hc_model *m, const double *w, hc_error *err);

/* Replaces the bands with n named bands whose lower bounds are mins[i]
 * (strictly increasing, mins[0] == 0, all <= 100; names unique, copied). */
hc_status hc_model_set_bands(hc_model *m, size_t n, const char *const *names,
                             const double *mins, hc_error *err);

/* Sets (or, with hc_model_clear_churn, removes) the top-level churn model;
 * HC_EDATA when a value is not finite. */
hc_status hc_model_set_churn(hc_model *m, double intercept, double slope,
                             hc_error *err);
void hc_model_clear_churn(hc_model *m);

/* Sets the recalibration of P(churn) to a deep copy of `r` (validated by
 * hc_recal_validate under "churn_model.recalibration"), or with r NULL or
 * r->method HC_RECAL_NONE removes it. HC_EDATA when the model has no
 * top-level churn model. hc_model_set_churn keeps the map (a fit that
 * changes the churn model clears it itself); hc_model_clear_churn drops
 * it. */
hc_status hc_model_set_recalibration(hc_model *m, const hc_recalibration *r,
                                     hc_error *err);

/* Sets the top-level expansion model: intercept and n_components
 * coefficients (copied), or removes it. */
hc_status hc_model_set_expansion(hc_model *m, double intercept,
                                 const double *coef, hc_error *err);
void hc_model_clear_expansion(hc_model *m);

/* Returns in *index the segment override for `value`, adding an empty one
 * (no overrides) when absent. */
hc_status hc_model_add_segment(hc_model *m, const char *value, size_t *index,
                               hc_error *err);

/* Sets a segment's weights (n_components, copied, validated like
 * hc_model_set_weights; NULL removes the override). */
hc_status hc_model_set_segment_weights(hc_model *m, size_t seg,
                                       const double *w, hc_error *err);

/* Sets a segment's churn model override (present = 0 removes it). */
hc_status hc_model_set_segment_churn(hc_model *m, size_t seg,
                                     const hc_churn_model *churn,
                                     hc_error *err);

/* Sets a segment's expansion override: intercept and n_components
 * coefficients (copied); coef NULL removes the override. */
hc_status hc_model_set_segment_expansion(hc_model *m, size_t seg,
                                         double intercept, const double *coef,
                                         hc_error *err);

/* Sets the cuts (HC_QUANTILE_CUTS values, non-decreasing, copied) of the
 * quantile transform of metric `metric` of component `comp`. */
hc_status hc_model_set_quantile_cuts(hc_model *m, size_t comp, size_t metric,
                                     const double *cuts, hc_error *err);

/* Replaces `fit` / `provenance` by `value` (an object, or NULL to remove),
 * taking over the caller's reference (like jansson's json_object_set_new). */
void hc_model_set_fit(hc_model *m, struct json_t *value);
void hc_model_set_provenance(hc_model *m, struct json_t *value);

/* --- binding to data --- */

/* The columns a model needs from the snapshot table, so loaders can load
 * only those: the role columns (account_id text and snapshot_date date,
 * required; segment text, required only when segments are defined; arr
 * number, optional) followed by each distinct metric column (number,
 * required), in config order. *specs receives a malloc'd array (the caller
 * frees the array only; names point into the model and live as long as it),
 * *n its length. Returns HC_OK or HC_ENOMEM. */
hc_status hc_model_required_columns(const hc_model *m, hc_colspec **specs,
                                    size_t *n, hc_error *err);

/* Resolves every column the model names to a column index of `t` and
 * stores it (metric.col, m->col_*); checks the types (metrics and arr
 * numbers, account_id and segment text, snapshot_date a date). A missing
 * required column or a wrong type is HC_EDATA naming the key, e.g.
 * "components[1].metrics[0].column: column 'csat' is not in snapshots.csv".
 * Absent optional columns get index -1. */
hc_status hc_model_bind(hc_model *m, const hc_table *t, hc_error *err);

/* Resolves one column named by config key `key` (e.g. "columns.arr" or
 * "components[0].metrics[1].column") whose name is `name`: *index gets its
 * table index, or -1 when absent and not `required`. A missing required
 * column or a column of another type is HC_EDATA with a message naming the
 * key, the column and t->source (err->file is m->source). hc_model_bind and
 * hc_model_score_rows resolve through this, so messages agree. */
hc_status hc_model_find_column(const hc_model *m, const hc_table *t,
                               const char *key, const char *name,
                               hc_coltype type, int required, int *index,
                               hc_error *err);

/* Whether `m` has a transform learned from training rows: a quantile
 * transform, or a categorical one with learn = 1; with `uncut` non-zero,
 * one not learned yet (no cuts, no levels: a config that cannot score
 * before a fit). A fit relearns every such transform from its training
 * rows. */
int hc_model_has_quantiles(const hc_model *m, int uncut);

/* Whether component k of `m` has such a transform (learned or not yet):
 * its sub-scores change when a fit relearns them; the other components'
 * do not. */
int hc_model_component_learns(const hc_model *m, size_t k);

/* Learns the cuts of every quantile transform of `m` from the training rows
 * `rows` (n of them; rows NULL means rows 0..n-1) of `t`, replacing existing
 * cuts (fit and each backtest fold call this on training rows only). */
hc_status hc_model_learn_quantiles(hc_model *m, const hc_table *t,
                                   const size_t *rows, size_t n,
                                   hc_error *err);

/* The column type metric `mt` reads: text for a categorical transform,
 * else a number. */
hc_coltype hc_metric_coltype(const hc_metric *mt);

/* Learns the level scores of every categorical transform with learn = 1
 * from the training rows `rows` (n; NULL means 0..n-1) of `t` and their
 * 0/1 churn outcomes churn[row] (fit and each backtest refit call this on
 * training rows only, next to hc_model_learn_quantiles). */
hc_status hc_model_learn_levels(hc_model *m, const hc_table *t,
                                const uint8_t *churn, const size_t *rows,
                                size_t n, hc_error *err);

/* Unseen levels of one categorical metric among scored rows. */
typedef struct {
    size_t component, metric;   /* indexes into m->components */
    const char *column;         /* the model's name (borrowed) */
    size_t rows;                /* scored rows holding an unseen level */
    size_t levels;              /* distinct unseen levels among them */
    char example[64];           /* one of them, truncated */
    int as_other;               /* scored as `other` (else missing) */
} hc_unseen_count;

/* Counts, for every categorical metric of `m` with levels, the rows among
 * rows[0..n) (NULL: 0..n-1) of `t` whose cell is a level the transform
 * does not know. *out gets a malloc'd array of the metrics with at least
 * one such row (*n_out of them; NULL when none). HC_EDATA as
 * hc_categorical_code_map; HC_ENOMEM. */
hc_status hc_model_count_unseen(const hc_model *m, const hc_table *t,
                                const size_t *rows, size_t n,
                                hc_unseen_count **out, size_t *n_out,
                                hc_error *err);

/* --- trends (src/model/model_trend.c) --- */

/* The name of the table column that holds the trend of metric `mt`
 * ("COLUMN~KIND~Nd", e.g. "logins~ratio~28d") into buf. */
void hc_model_trend_column(const hc_metric *mt, char *buf, size_t size);

/* Adds to `t` (a snapshot table with the config's account id and date
 * columns) a numeric column with the trend of every trend metric of `m`
 * that it lacks (hc_trend_compute on the whole table, so a row's value
 * reads only the account's earlier rows). Scoring finds these columns;
 * without them it computes the same values itself on each call, so a
 * table loaded once for many scorings (fit, backtest, validate) should
 * get them. HC_EDATA naming the metric's key for a missing column;
 * HC_ENOMEM. */
hc_status hc_model_derive_trends(const hc_model *m, hc_table *t, hc_error *err);

/* The input values of metric j of component k for rows rows[0..n) (NULL:
 * 0..n-1) of `t` into out: the column's values, or its trend (the derived
 * column, else computed), then seasonally adjusted when the metric has a
 * baseline. For learning transforms on training rows, and for scoring. */
hc_status hc_model_metric_values(const hc_model *m, size_t k, size_t j,
                                 const hc_table *t, const size_t *rows, size_t n,
                                 double *out, hc_error *err);

/* --- seasonal adjustment (src/model/model_seasonal.c) --- */

/* The schema name of a method ("ratio", "difference"), and the method of a
 * name (-1 for an unknown name, else 0). */
const char *hc_seasonal_method_name(hc_season_method method);
int hc_seasonal_method_parse(const char *name, hc_season_method *method);

/* A new adjustment: ratio, learn 1, no baseline. NULL when out of memory. */
hc_seasonal *hc_seasonal_new(void);

/* Checks an adjustment: with a baseline, `overall` finite and every month
 * NaN (none) or finite, all > 0 for ratio; without one, learn must be 1.
 * HC_EDATA naming the key under `path`; `file` may be NULL. */
hc_status hc_seasonal_validate(const hc_seasonal *s, const char *path,
                               const char *file, hc_error *err);

/* Adjusts x[0..n) in place by the rule above; date[i] the day number of
 * row i (HC_DATE_MISSING: unchanged). Without a baseline x is unchanged. */
void hc_seasonal_adjust(const hc_seasonal *s, const int32_t *date, size_t n, double *x);

/* Learns the baselines of `s` from values x[0..n) dated date[0..n) by the
 * rule above (medians). HC_EDATA when no value is present, or a ratio
 * baseline (or overall) is <= 0, naming the month. */
hc_status hc_seasonal_learn(hc_seasonal *s, const double *x, const int32_t *date,
                            size_t n, hc_error *err);

/* Learns the baselines of every metric with a learned seasonal adjustment
 * from the training rows `rows` (n; NULL: 0..n-1) of `t`.
 * hc_model_learn_quantiles calls this first. */
hc_status hc_model_learn_seasons(hc_model *m, const hc_table *t, const size_t *rows,
                                 size_t n, hc_error *err);

/* The input values of metric (k, j) before its seasonal adjustment: the
 * column's values or its trend (hc_model_metric_values is this, adjusted). */
hc_status hc_model_metric_inputs(const hc_model *m, size_t k, size_t j,
                                 const hc_table *t, const size_t *rows, size_t n,
                                 double *out, hc_error *err);

/* --- JSON (src/model/model_json_read.c, model_json_write.c) --- */

/* Loads and validates the config at `path`. Invalid JSON is HC_EDATA with
 * jansson's line and column; schema violations are HC_EDATA naming the key
 * path; an unreadable file is HC_EIO. On success *out is a new model (free
 * with hc_model_free), else NULL. */
hc_status hc_model_load(const char *path, hc_model **out, hc_error *err);

/* The same from a NUL-terminated string; `name` (may be NULL) is used as
 * the source in messages. */
hc_status hc_model_load_string(const char *text, const char *name,
                               hc_model **out, hc_error *err);

/* Builds the JSON form of `m` (a new reference the caller json_decref's),
 * or NULL when out of memory. Absent churn/expansion models are null;
 * segments, fit and provenance are omitted when absent. */
struct json_t *hc_model_to_json(const hc_model *m);

/* Returns the config as text: 2-space indentation, keys in schema order,
 * every real written with the fewest digits that read back to the same
 * double (so configs stay readable and round-trip exactly), and a final
 * newline. The caller frees the string. NULL when out of memory. */
char *hc_model_to_string(const hc_model *m);

/* Writes the config to `path` ("-" is stdout) atomically through
 * hc_outfile. HC_EIO / HC_EUSAGE as hc_outfile_open and commit. */
hc_status hc_model_save(const hc_model *m, const char *path, hc_error *err);

/* ------------------------------------------------------------------ */
/* Scoring (src/model/score.c)                                        */
/* ------------------------------------------------------------------ */

/* Where hc_model_score_rows writes. Any pointer may be NULL (not wanted).
 * Arrays are indexed by the position i of the scored row in the call
 * (0 .. n-1), not by the table row. */
typedef struct {
    double *sub;         /* component-major sub-scores: component k of scored
                            row i at sub[k * sub_stride + i]; NaN = missing */
    size_t sub_stride;   /* >= n; 0 means n */
    double *health;      /* H on 0-100; NaN = missing */
    int32_t *band;       /* band index, -1 when H is missing */
    double *p_churn;     /* NaN when H is missing or no churn model applies;
                            after the model's recalibration, if it has one */
    double *p_expansion; /* NaN when H is missing or no expansion model */
    int32_t *segment;    /* index into m->segments, -1 = top-level values */
} hc_score_out;

/* Scores rows of `t` with model `m`: the scored rows are rows[i] for
 * i < n, or first + i when rows is NULL. This is the one scoring function
 * fit, backtest, validate and predict share. It resolves the columns
 * itself (the model is not modified), then works in blocks of rows with one
 * tight loop per metric and component and no per-row allocation; results
 * are deterministic (a fixed order of floating-point operations) and do not
 * depend on how rows are split across calls. HC_EDATA names the key of a
 * missing column or a quantile transform without cuts; HC_EUSAGE for rows
 * beyond the table or a sub_stride < n; HC_ENOMEM. Work memory is about
 * (7 + n_components) x 1024 doubles per thread, whatever n is.
 *
 * `threads` is how many threads score: 1 (or less) the calling thread
 * alone; 2 or more, the rows in two halves on two threads, in about half
 * the time. Rows are scored independently, so the results are the same
 * whatever the thread count. */
hc_status hc_model_score_rows(const hc_model *m, const hc_table *t,
                              const size_t *rows, size_t first, size_t n,
                              int threads, const hc_score_out *out, hc_error *err);

/* hc_model_score_rows that also writes into p_raw (n entries, indexed as
 * out's arrays; NULL: not wanted) each row's P(churn) from the churn
 * model before m->recalibration, while out->p_churn gets it after (the
 * two are equal without a map): validate shows calibration before and
 * after from one scoring pass. The raw value of a row is exactly what
 * hc_model_score_rows gives for a shallow copy of m with recalibration
 * NULL, and out->p_churn[i] == hc_recal_apply(m->recalibration,
 * p_raw[i]) bit for bit. */
hc_status hc_model_score_rows_ex(const hc_model *m, const hc_table *t,
                                 const size_t *rows, size_t first, size_t n,
                                 int threads, const hc_score_out *out,
                                 double *p_raw, hc_error *err);

/* The n sub-scores of component k alone into sub[0..n) (rows and threads as
 * in hc_model_score_rows): the same values hc_model_score_rows gives, for
 * callers that build a design one component at a time. HC_EUSAGE for a k
 * beyond the components. */
hc_status hc_model_score_component(const hc_model *m, size_t k, const hc_table *t,
                                   const size_t *rows, size_t first, size_t n,
                                   int threads, double *sub, hc_error *err);

/* The outputs of `n` rows from their sub-scores, sub[k * stride + i], with
 * exactly the arithmetic of hc_model_score_rows (so the same sub-scores
 * give bit-identical health and probabilities); out->sub is not used. For
 * callers that keep the sub-scores of many rows and rescore them under new
 * weights (the backtest's refits). A model with segments needs each row's
 * segment: HC_EUSAGE; also for stride < n. */
hc_status hc_model_score_subs(const hc_model *m, const double *sub, size_t stride,
                              size_t n, const hc_score_out *out, hc_error *err);

/* Every output of scoring a whole table, allocated by hc_scores_alloc. */
typedef struct {
    size_t n_rows;
    size_t n_components;
    double *sub;          /* n_components * n_rows, component-major */
    double *health;       /* n_rows */
    int32_t *band;        /* n_rows */
    double *p_churn;      /* n_rows */
    double *p_expansion;  /* n_rows */
    int32_t *segment;     /* n_rows */
} hc_scores;

/* Allocates room for scoring n_rows rows with m; NULL when out of memory.
 * Free with hc_scores_free (NULL is a no-op). */
hc_scores *hc_scores_alloc(const hc_model *m, size_t n_rows);
void hc_scores_free(hc_scores *s);

/* Scores every row of `t` into `s` (allocated for t->n_rows rows and m's
 * components). Same rules as hc_model_score_rows. */
hc_status hc_model_score(const hc_model *m, const hc_table *t, hc_scores *s,
                         hc_error *err);

/* The component weights that apply to segment `seg` (-1 = top level):
 * m->segments[seg].weights when overridden, else the top-level weights.
 * Writes n_components values to w. */
void hc_model_weights_for(const hc_model *m, int seg, double *w);

/* Each component's contribution in points of health for one scored row:
 * with w' the weights of segment `seg` renormalised over the components
 * present in `sub` (sub[k * stride], k < n_components, NaN = missing),
 * contrib[k] = w'_k s_k (so the contributions sum to H) and, when
 * `shortfall` is not NULL, shortfall[k] = w'_k (100 - s_k), the points of
 * H lost to component k (summing to 100 - H): predict ranks drivers by it.
 * Missing components get NaN; when H is missing every entry is NaN. */
void hc_model_contributions(const hc_model *m, int seg, const double *sub,
                            size_t stride, double *contrib, double *shortfall);

#endif
