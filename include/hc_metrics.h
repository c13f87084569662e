/* hc_metrics.h - discrimination and calibration metrics for binary churn predictions (layer: stats).
 *
 * Pure functions on arrays; no I/O. Conventions shared by every function:
 *
 * - `y` holds n outcomes, each exactly 0.0 or 1.0 (1 = churned).
 * - Rank metrics (ROC AUC, DeLong, average precision, KS, lift, curves)
 *   take any finite `score` where higher means "more likely to churn". To
 *   rank by a health score H (higher healthier) pass -H or 100 - H.
 * - Calibration metrics take probabilities `p`, each finite and in [0, 1].
 * - Inputs are borrowed for the duration of the call and never modified.
 * - Degenerate input (n = 0, no positives, no negatives, a constant score
 *   where a metric needs spread, NaN, infinity, p outside [0, 1], y not
 *   0/1) returns HC_ENUMERIC (HC_EUSAGE for bad options) with a message in
 *   plain words; a successful call never leaves NaN in its outputs.
 * - Sorting is O(n log n); nothing is quadratic in n, so the functions run
 *   on millions of rows.
 *
 * Layout: one ranking of the scores (hc_metrics_rank, src/stats/ranking.c)
 * serves both families of metrics. The rank metrics (metrics_roc.c,
 * metrics_curves.c) and the calibration metrics (metrics_calibration.c,
 * lowess.c, metrics_reliability.c, metrics_hosmer_lemeshow.c) never call
 * each other; hc_metrics_evaluate (metrics_summary.c) calls both.
 * Rows clustered by account (the weekly snapshots of one account) have
 * their own intervals at the end of this header: the clustered DeLong
 * (metrics_clustered.c), ratio estimators and recalibration design effects
 * (metrics_ratio.c), clustered band intervals (metrics_bands.c) and the
 * cluster bootstrap (cluster_bootstrap.c); each reduces exactly to its
 * rows-independent counterpart with one row per cluster.
 *
 * Agreement targets (tests/unit/test_metrics.c, tests/reference/metrics.*):
 * 1e-9 with scikit-learn 1.2 (roc_auc_score, average_precision_score,
 * brier_score_loss, log_loss, calibration_curve), pROC 1.18 (ci.auc and
 * roc.test with method = "delong"), rms 6.5 (val.prob) and ResourceSelection's
 * hoslem.test (reproduced by hand in R); the clustered intervals
 * (tests/unit/test_metrics_clustered.c) against a direct O(n^2)
 * implementation of Obuchowski (1997) in tests/reference/metrics_clustered.py
 * (1e-15) and the linearised ratio variance and sandwich::vcovCL design
 * effects in tests/reference/metrics_clustered.R (1e-12, 1e-9).
 */
#ifndef HC_METRICS_H
#define HC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

/* ---- the ranking of scores, and quantiles (src/stats/ranking.c) -------- */

/* A row's score and index. An array of them in ascending score order with
 * ties in row order (R's order(), a stable sort) is a ranking: computed once
 * by hc_metrics_rank and shared by every metric of the same scores (each
 * would otherwise sort the rows again). */
typedef struct {
    double s;
    size_t i;
} hc_metrics_ranked;

/* The ranking of score[0..n): a new array the caller frees; NULL when out
 * of memory. NaN scores rank last. */
hc_metrics_ranked *hc_metrics_rank(const double *score, size_t n);

/* The ranking of p[0..n) when p is a nondecreasing function of the scores
 * ranked by `by` (a logistic map of them): read off `by` in O(n), ties of
 * p put back in row order, so the same array hc_metrics_rank(p, n) would
 * return; when p is not monotone along `by` it sorts instead. A new array
 * the caller frees; NULL when out of memory. p must hold no NaN. */
hc_metrics_ranked *hc_metrics_rank_through(const double *p, const hc_metrics_ranked *by,
                                           size_t n);

/* The R type-7 quantile (R's default, Hyndman & Fan 1996 definition 7) of
 * the n >= 1 values in `sorted` (ascending) at probability `prob` in
 * [0, 1], computed with R's exact arithmetic so that bin edges agree bit
 * for bit with R's quantile(). */
double hc_metrics_quantile_sorted(const double *sorted, size_t n, double prob);

/* The same quantiles (R's type 7) of unsorted x[0..n) at probs[0..m),
 * bit-identical to hc_metrics_quantile_sorted on the sorted values, by an
 * O(n) radix select instead of a sort (hc_select_ranks). x is not
 * modified. Returns 0, or -1 when out of memory. */
int hc_metrics_quantiles(const double *x, size_t n, const double *probs, size_t m,
                         double *out);

/* hc_metrics_quantiles selecting in x's own storage instead of an n-word
 * copy; x has its values back on return (a NaN as the default NaN). */
int hc_metrics_quantiles_in(double *x, size_t n, const double *probs, size_t m,
                            double *out);

/* ---- input checks and the Wilson interval (src/stats/metrics_common.c) --- */

/* Checks the common preconditions: n >= 1, every y[i] is 0 or 1, every
 * score finite and, when `probability` is non-zero, in [0, 1]; and, when
 * `need_both` is non-zero, at least one positive and one negative. `what`
 * names the score in messages (NULL means "score"). Returns HC_OK or
 * HC_ENUMERIC naming the first offending row (0-based). */
hc_status hc_metrics_check(const double *y, const double *score, size_t n,
                           int probability, int need_both, const char *what,
                           hc_error *err);

/* The Wilson (1927) score interval for k successes in n trials at
 * confidence `level` (e.g. 0.95), the interval R's
 * prop.test(k, n, correct = FALSE) reports. With n = 0 there is no
 * information and the interval is [0, 1]; a level outside (0, 1) is taken
 * as 0.95. */
void hc_metrics_wilson(size_t k, size_t n, double level, double *lo,
                       double *hi);

/* ---- ROC AUC and DeLong (src/stats/metrics_roc.c) ---------------------- */

/* ROC AUC: the probability that a random positive scores above a random
 * negative, ties counting one half (Mann-Whitney U / (n_pos n_neg)); equals
 * sklearn's roc_auc_score. Exact integer counting, so no rounding drift. */
hc_status hc_metrics_roc_auc(const double *y, const double *score, size_t n,
                             double *auc, hc_error *err);

/* An AUC with its DeLong et al. (1988) standard error and confidence
 * interval. */
typedef struct {
    double auc;
    double se;       /* sqrt(S10/n_pos + S01/n_neg), DeLong placements */
    double ci_low;   /* auc -/+ z_{(1+level)/2} se, clipped to [0, 1] */
    double ci_high;
    double level;
    size_t n_pos;
    size_t n_neg;
} hc_metrics_auc_ci;

/* Computes the AUC and its DeLong confidence interval on the AUC scale,
 * clipped to [0, 1], exactly as pROC's ci.auc(method = "delong") with
 * direction "<" (placements from midranks, Sun & Xu 2014, O(n log n)).
 * Needs at least 2 positives and 2 negatives (the variances divide by
 * n - 1). `level` in (0, 1), e.g. 0.95. */
hc_status hc_metrics_delong_ci(const double *y, const double *score, size_t n,
                               double level, hc_metrics_auc_ci *out,
                               hc_error *err);

/* DeLong's paired comparison of two correlated AUCs on the same rows. */
typedef struct {
    double auc1;
    double auc2;
    double diff;     /* auc1 - auc2 */
    double se;       /* sqrt(L S L'), L = (1, -1) */
    double z;        /* diff / se; 0 when both are 0 (as pROC) */
    double p_value;  /* two-sided normal */
    double ci_low;   /* diff -/+ z_{(1+level)/2} se (not clipped, as pROC) */
    double ci_high;
    double level;
} hc_metrics_auc_diff;

/* Tests AUC(score1) = AUC(score2) on the same rows and outcomes, as pROC's
 * roc.test(r1, r2, method = "delong", paired = TRUE) does, and gives the
 * interval for the difference. Zero variance with a non-zero difference is
 * HC_ENUMERIC. */
hc_status hc_metrics_delong_paired(const double *y, const double *score1,
                                   const double *score2, size_t n,
                                   double level, hc_metrics_auc_diff *out,
                                   hc_error *err);

/* hc_metrics_delong_paired with the rankings of both scores (either may be
 * NULL: computed). */
hc_status hc_metrics_delong_paired_ranked(const double *y, const double *score1,
                                          const hc_metrics_ranked *ranked1,
                                          const double *score2,
                                          const hc_metrics_ranked *ranked2, size_t n,
                                          double level, hc_metrics_auc_diff *out,
                                          hc_error *err);

/* The DeLong placements of a score with ranking `ranked` (hc_metrics_rank)
 * against outcomes y[0..n): a new array the caller frees (NULL when out of
 * memory), entry i being, for a positive row, the share of negatives ranked
 * below it and, for a negative, the share of positives above it (ties count
 * 1/2); *auc gets the AUC. For a caller that compares several scores in
 * turn and would rather keep n doubles per score than its ranking (2n).
 * The outcomes must pass hc_metrics_check with both classes present. */
double *hc_metrics_delong_placements(const double *y, const hc_metrics_ranked *ranked,
                                     size_t n, double *auc);

/* hc_metrics_delong_paired from the placements and AUCs of both scores
 * (hc_metrics_delong_placements): the same checks, the same result. */
hc_status hc_metrics_delong_paired_placements(const double *y, const double *score1,
                                              const double *pl1, double auc1,
                                              const double *score2, const double *pl2,
                                              double auc2, size_t n, double level,
                                              hc_metrics_auc_diff *out, hc_error *err);

/* ---- along the ranking: AP, KS, lift, curves (src/stats/metrics_curves.c) --- */

/* PR AUC as average precision, sklearn's average_precision_score:
 * AP = sum_k (R_k - R_{k-1}) P_k over the distinct score thresholds taken
 * from the highest down (step-wise, no interpolation). */
hc_status hc_metrics_average_precision(const double *y, const double *score,
                                       size_t n, double *ap, hc_error *err);

/* Kolmogorov-Smirnov statistic: the largest |F_pos(t) - F_neg(t)| over the
 * distinct scores t, i.e. max |TPR - FPR| along the ROC curve; equals
 * scipy.stats.ks_2samp(score[y==1], score[y==0]).statistic. `threshold`
 * (may be NULL) receives the score at which it is reached (rows with score
 * <= threshold are on the low side). */
hc_status hc_metrics_ks(const double *y, const double *score, size_t n,
                        double *ks, double *threshold, hc_error *err);

/* Lift and capture of the top `fraction` (0 < fraction <= 1) of rows by
 * score, by the gains-table convention (R's gains tables, SAS, credit
 * scoring tools): the top k = ceil(fraction * n) rows (hc_metrics_top_count)
 * from the highest score down; a tie group straddling the cut contributes
 * each of its rows with an equal fractional share, so that exactly k rows'
 * worth are counted (its positives pro rata, the expected count under
 * random tie-breaking) and the result does not depend on row order; with
 * distinct scores these are exactly the top k rows. capture = positives in
 * the top k / all positives; lift = (positives in the top k / k) / base
 * rate = capture * n / k (the flagged rows' churn rate over the base
 * rate). Either output may be NULL. */
hc_status hc_metrics_lift(const double *y, const double *score, size_t n,
                          double fraction, double *lift, double *capture,
                          hc_error *err);

/* The k = ceil(fraction * n) rows of hc_metrics_lift, with fraction * n
 * taken as whole when within 1e-9 of a whole number (0.1 * 30 is
 * 3.0000000000000004 in binary). */
size_t hc_metrics_top_count(size_t n, double fraction);

/* hc_metrics_lift at fraction 0.1, the top decile: the top ceil(n / 10)
 * rows. */
hc_status hc_metrics_top_decile(const double *y, const double *score,
                                size_t n, double *lift, double *capture,
                                hc_error *err);

typedef enum {
    HC_CURVE_ROC,    /* x = FPR, y = TPR */
    HC_CURVE_PR,     /* x = recall, y = precision */
    HC_CURVE_GAINS   /* x = share of rows flagged, y = share of positives caught */
} hc_metrics_curve_kind;

/* Points of a curve for plotting. Point k flags the rows with
 * score >= threshold[k]; the first point is the "flag nothing" end with
 * threshold +infinity ((0,0) for ROC and gains; (0,1) for PR, sklearn's
 * convention), and thresholds then fall through every distinct score. */
typedef struct {
    hc_metrics_curve_kind kind;
    size_t n;
    double *x;
    double *y;
    double *threshold;
} hc_metrics_curve;

/* Computes a curve. With max_points >= 2 and more points than that, keeps
 * max_points of them evenly spaced by index (both ends kept); 0 keeps all.
 * On success the caller releases `out` with hc_metrics_curve_release; on
 * error `out` holds nothing to release. */
hc_status hc_metrics_curve_compute(hc_metrics_curve_kind kind, const double *y,
                                   const double *score, size_t n,
                                   size_t max_points, hc_metrics_curve *out,
                                   hc_error *err);

/* Frees the arrays of a curve (the struct is the caller's); NULL is a no-op. */
void hc_metrics_curve_release(hc_metrics_curve *curve);

/* hc_metrics_curve_compute with the ranking of `score` (NULL: computed). */
hc_status hc_metrics_curve_compute_ranked(hc_metrics_curve_kind kind, const double *y,
                                          const double *score,
                                          const hc_metrics_ranked *ranked, size_t n,
                                          size_t max_points, hc_metrics_curve *out,
                                          hc_error *err);

/* ---- calibration (src/stats/metrics_calibration.c) --------------------- */

/* Brier score mean((p - y)^2) (sklearn's brier_score_loss) and the scaled
 * Brier score 1 - Brier / (ybar (1 - ybar)) (Steyerberg 2010), where the
 * denominator is the Brier score of always predicting the base rate.
 * `scaled` may be NULL; it needs both classes present. */
hc_status hc_metrics_brier(const double *y, const double *p, size_t n,
                           double *brier, double *scaled, hc_error *err);

/* The clipping epsilon of log loss and of the logistic calibration fits:
 * p is clipped to [eps, 1 - eps], scikit-learn 1.2's log_loss default
 * (eps = 1e-15). */
#define HC_METRICS_CLIP_EPS 1e-15

/* Log loss -mean(y log p + (1 - y) log(1 - p)) in nats, with p clipped to
 * [HC_METRICS_CLIP_EPS, 1 - HC_METRICS_CLIP_EPS] first, as sklearn 1.2's
 * log_loss (eps = 1e-15) does, so that p = 0 or 1 gives a large but finite
 * loss. */
hc_status hc_metrics_log_loss(const double *y, const double *p, size_t n,
                              double *loss, hc_error *err);

/* Logistic recalibration and smoothed calibration errors. */
typedef struct {
    double intercept;       /* y ~ a + b logit(p): a (val.prob "Intercept") */
    double slope;           /* b (val.prob "Slope"; Cox 1958) */
    double intercept_se;
    double slope_se;
    double in_the_large;    /* y ~ a + offset(logit(p)): a. NOT what
                               val.prob calls "Intercept" (that is the
                               2-parameter fit above); this is
                               calibration-in-the-large (Steyerberg 2010),
                               glm(y ~ 1, offset = qlogis(p), binomial) */
    double in_the_large_se;
    double emax;            /* val.prob "Emax": max |p - lowess(p, y)| */
    double eavg;            /* val.prob "Eavg": mean |p - lowess(p, y)| */
    double e90;             /* val.prob "E90": type-7 90th percentile */
    size_t n_fit;           /* rows used by the logistic fits: all of them */
    size_t n_clipped;       /* rows whose p was clipped to [eps, 1 - eps]
                               (HC_METRICS_CLIP_EPS) before the logit: p = 0
                               or 1 has an infinite logit. val.prob drops
                               such rows silently; they are kept and
                               counted here, clipped as the log loss is */
} hc_metrics_calibration_result;

/* Computes the calibration intercept and slope, calibration-in-the-large
 * and Emax/Eavg/E90 as rms::val.prob (rms 6.5) defines them: the smooth is
 * lowess(p, y, iter = 0) evaluated at each p. The logistic fits use
 * hc_logreg_fit on logit(clip(p, eps, 1 - eps)), eps = HC_METRICS_CLIP_EPS,
 * over every row (val.prob drops p = 0 or 1 instead); the clipped rows are
 * counted in n_clipped. Needs both classes and at least two distinct
 * clipped p. */
hc_status hc_metrics_calibration(const double *y, const double *p, size_t n,
                                 hc_metrics_calibration_result *out,
                                 hc_error *err);

/* The same; with `smooth` 0 the lowess smooth is skipped and emax, eavg
 * and e90 are left 0 (for callers that do not report them: the smooth
 * costs more than all the other calibration metrics together). */
hc_status hc_metrics_calibration_ex(const double *y, const double *p, size_t n,
                                    int smooth, hc_metrics_calibration_result *out,
                                    hc_error *err);

/* ---- lowess (src/stats/lowess.c) --------------------------------------- */

/* The locally weighted scatterplot smoother of Cleveland (1979) with R's
 * lowess() arithmetic: span f (R's default 2/3), `iter` robustness
 * iterations (R's default 3; rms::val.prob uses 0) and `delta` (negative
 * means R's default 0.01 * (max x - min x)). Points are taken in increasing
 * x, ties in input order (R's order()). `fitted` receives n smoothed values
 * in the input order (what R's approx(lowess(x, y), xout = x, ties = mean)
 * returns). Cost O(n log n + f n * number of local fits); with the default
 * delta the fits are spaced about delta apart, so there are roughly 100 to
 * 200 of them whatever n is (102 on 2 million rows), and they are shared
 * between two threads (the fitted values do not depend on the sharing). */
hc_status hc_metrics_lowess(const double *x, const double *y, size_t n,
                            double f, int iter, double delta, double *fitted,
                            hc_error *err);

/* ---- binned calibration (src/stats/metrics_reliability.c) -------------- */

/* One bin of a reliability diagram. */
typedef struct {
    double lo;        /* bin edges: lo < p <= hi, the first bin also p = 0 */
    double hi;
    size_t n;
    size_t positives;
    double mean_p;    /* mean prediction; the bin midpoint when n = 0 */
    double rate;      /* observed churn rate; 0 when n = 0 */
    double ci_low;    /* Wilson 95% interval of `rate`; [0, 1] when n = 0 */
    double ci_high;
} hc_metrics_reliability_bin;

/* Fills `bins` (n_bins entries, caller-owned; n_bins >= 1, 0 is not
 * allowed) with a reliability diagram over n_bins uniform bins of [0, 1].
 * Bin edges and membership are those of sklearn's
 * calibration_curve(strategy = "uniform"): edges i * (1 / n_bins) and
 * p falls in bin #{inner edges < p}, i.e. bins (lo, hi] and [0, hi] first. */
hc_status hc_metrics_reliability(const double *y, const double *p, size_t n,
                                 size_t n_bins,
                                 hc_metrics_reliability_bin *bins,
                                 hc_error *err);

/* Expected calibration error over n_bins uniform bins (0 means 10), binned
 * as hc_metrics_reliability: sum over bins of (n_b / n) |mean p_b - mean y_b|
 * (Naeini et al. 2015). */
hc_status hc_metrics_ece(const double *y, const double *p, size_t n,
                         size_t n_bins, double *ece, hc_error *err);

/* ---- Hosmer-Lemeshow (src/stats/metrics_hosmer_lemeshow.c) ------------- */

/* Hosmer-Lemeshow goodness-of-fit test. */
typedef struct {
    double chi2;      /* sum over groups and both classes (O - E)^2 / E */
    int df;           /* n_groups - 2: the groups actually formed, not g */
    double p_value;   /* upper tail of chi-square(df) (gsl_cdf_chisq_Q) */
    size_t n_groups;  /* non-empty groups formed (tied quantiles merge);
                         also set when the test fails for too few groups */
} hc_metrics_hl;

/* Hosmer-Lemeshow test with g groups (0 means 10, at least 3) cut at the
 * type-7 quantiles of p, following ResourceSelection::hoslem.test (0.3-x):
 * breaks = unique(quantile(p, seq(0, 1, 1/g))), groups
 * cut(p, breaks, include.lowest = TRUE) (right-closed), chi-square over
 * the observed and expected counts of both outcome classes. Unlike
 * hoslem.test (df = g - 2 always), df = (non-empty groups) - 2: tied
 * predictions merge groups, and keeping g - 2 would overstate the df.
 * Fewer than 3 groups is HC_ENUMERIC ("not estimable") with out->n_groups
 * set; so is a group with an expected count of 0 in either class. */
hc_status hc_metrics_hosmer_lemeshow(const double *y, const double *p,
                                     size_t n, size_t g, hc_metrics_hl *out,
                                     hc_error *err);

/* ---- bands and drift (src/stats/metrics_bands.c) ------------------------------ */

/* Outcomes of one band. */
typedef struct {
    size_t accounts;
    size_t churners;
    double share;        /* accounts / all rows */
    double churn_rate;   /* churners / accounts; 0 for an empty band */
    double rate_ci_low;  /* Wilson 95%; [0, 1] for an empty band */
    double rate_ci_high;
    double arr;          /* sum of ARR of the band's rows; 0 without ARR */
    double churned_arr;  /* sum of ARR of its churners */
    /* Filled by hc_metrics_bands_clustered (zero / 1 before): */
    size_t clusters;         /* clusters with a row in the band */
    size_t churned_clusters; /* clusters with a churner row in the band */
    double design_effect;    /* of the churn rate (hc_metrics_ratio) */
    double naive_ci_low;     /* the Wilson interval of rows independent */
    double naive_ci_high;
} hc_metrics_band;

typedef struct {
    size_t n_bands;
    hc_metrics_band *bands;  /* n_bands entries, owned */
    size_t n;
    size_t churners;
    double arr;
    double churned_arr;
    /* Band 0 is the riskiest ("red"); flagging it as the intervention list: */
    double red_precision;    /* churners in red / accounts in red (0 if empty) */
    double red_recall;       /* churners in red / all churners */
    double red_arr_recall;   /* churned ARR in red / all churned ARR (0 without ARR) */
    /* Filled by hc_metrics_bands_clustered (0 before): clustered 95%
     * intervals (Wilson at the effective size, hc_metrics_ratio_from_sums)
     * of the red band's precision (its churn rate) and recall, and of the
     * overall churn rate, with the design effects. */
    int clustered;
    size_t n_clusters;
    size_t churned_clusters;     /* clusters with at least one churner row */
    double rate_ci_low, rate_ci_high, rate_design_effect; /* churners / n */
    double red_precision_ci_low, red_precision_ci_high;
    double red_recall_ci_low, red_recall_ci_high, red_recall_design_effect;
} hc_metrics_bands_result;

/* Tallies accounts, churners, churn rate with its Wilson 95% interval, ARR
 * and churned ARR per band, given each row's band index band[i] in
 * [0, n_bands) (0 = red, the riskiest). `arr` may be NULL (ARR figures are
 * then 0); ARR values must be finite and >= 0. Needs at least one churner
 * (recall divides by it). On success the caller releases `out` with
 * hc_metrics_bands_release. */
hc_status hc_metrics_bands(const int *band, const double *y, const double *arr,
                           size_t n, size_t n_bands,
                           hc_metrics_bands_result *out, hc_error *err);

/* Frees the band array of a result; NULL is a no-op. */
void hc_metrics_bands_release(hc_metrics_bands_result *res);

/* ---- bands in accounts (src/stats/metrics_bands_accounts.c) ------------------- */

/* The rows of hc_metrics_bands are snapshots: an account with a snapshot a
 * week is counted, and its ARR summed, once a week. These tallies count
 * accounts. An account's rows are those with its code; its "latest" row is
 * the one with the greatest date (ties, and rows without dates: the later
 * row). A churned account is one with a churner row (y = 1); it is placed
 * in the band of its latest churner row (its last evaluated snapshot
 * before the churn), so that it is counted once. */
typedef struct {
    size_t accounts;         /* distinct accounts with a row in the band: an account
                                that moved counts in every band it visited */
    size_t accounts_latest;  /* accounts whose latest row is in the band (the "as
                                of" view: these sum to the accounts) */
    size_t churned_accounts; /* churned accounts whose latest churner row is in the
                                band (these sum to the churned accounts) */
    double arr;              /* over `accounts`: each one's ARR at its latest row in
                                this band, counted once */
    double arr_latest;       /* over `accounts_latest`: the ARR at the latest row
                                (these sum to the book's ARR) */
    double churned_arr;      /* over `churned_accounts`: the churned amount (these sum
                                to the churned ARR) */
    size_t churned_with_amount;  /* of churned_accounts: amount given */
    size_t churned_from_arr;     /* amount NaN or not given: the ARR at the latest
                                    churner row */
} hc_metrics_band_accounts;

typedef struct {
    size_t n_bands;
    hc_metrics_band_accounts *bands; /* n_bands entries, owned */
    size_t n;                    /* rows */
    size_t accounts;             /* distinct accounts with a row */
    size_t churned_accounts;     /* accounts with a churner row */
    double arr_latest;           /* sum of each account's ARR at its latest row */
    double churned_arr;          /* sum of the churned accounts' churned amounts */
    size_t churned_with_amount, churned_from_arr;
    int has_arr;                 /* ARR was given (else every ARR figure is 0) */
    int has_amounts;             /* churned amounts were given */
} hc_metrics_bands_accounts_result;

/* Tallies the n rows per band in accounts: row i has band band[i] in
 * [0, n_bands), outcome y[i] (0 or 1), account code account[i] in
 * [0, n_accounts), day number date[i] (NULL: the rows are in time order,
 * so a later row is a later snapshot) and ARR arr[i] (NULL: no ARR; values
 * finite and >= 0). churned_amount (NULL: none) holds n_accounts entries,
 * each account's churned ARR (the amount of its churn event), NaN when
 * unknown: a churned account whose amount is NaN, or every churned account
 * without churned_amount, counts the ARR of its latest churner row, and
 * the result says how many did (churned_from_arr). n_accounts may be 0
 * without churned_amount: the largest code + 1. O(n + n_accounts n_bands)
 * time, (n_accounts (n_bands + 2)) words of scratch; no row needs to be a
 * churner. Bad input is HC_ENUMERIC naming the row (HC_EUSAGE for
 * n_bands = 0). On success the caller releases `out` with
 * hc_metrics_bands_accounts_release. */
hc_status hc_metrics_bands_accounts(const int32_t *band, const double *y,
                                    const int32_t *account, const int32_t *date,
                                    const double *arr, const double *churned_amount,
                                    size_t n_accounts, size_t n, size_t n_bands,
                                    hc_metrics_bands_accounts_result *out, hc_error *err);

/* Frees the band array of an account tally; NULL is a no-op. */
void hc_metrics_bands_accounts_release(hc_metrics_bands_accounts_result *res);

#define HC_METRICS_PSI_MAX_BINS 100
/* Floor applied to every bin share before taking logs, so that an empty
 * bin gives a large but finite term (the 0.0001 commonly used in credit
 * scoring practice, e.g. Siddiqi 2006); shares are not renormalised. */
#define HC_METRICS_PSI_FLOOR 1e-4

typedef struct {
    double psi;          /* sum (c_i - b_i) ln(c_i / b_i) over floored shares */
    size_t n_bins;       /* bins actually formed (tied deciles merge) */
    double upper[HC_METRICS_PSI_MAX_BINS]; /* bin i is (upper[i-1], upper[i]],
                                              the first unbounded below, the
                                              last (+inf) unbounded above */
    double base_share[HC_METRICS_PSI_MAX_BINS];    /* before the floor */
    double current_share[HC_METRICS_PSI_MAX_BINS]; /* before the floor */
} hc_metrics_psi_result;

/* Population stability index of `current` (n1 values) against `baseline`
 * (n0 values): bins are cut at the baseline's type-7 quantiles
 * k / bins, k = 1..bins-1 (deciles for bins = 10; 0 means 10; at most
 * HC_METRICS_PSI_MAX_BINS), right-closed, open-ended at both extremes;
 * duplicate cut points are merged. Shares below HC_METRICS_PSI_FLOOR are
 * raised to it. Values must be finite (drop missing ones first). */
hc_status hc_metrics_psi(const double *baseline, size_t n0,
                         const double *current, size_t n1, size_t bins,
                         hc_metrics_psi_result *out, hc_error *err);

/* hc_metrics_psi without a copy of the baseline: its quantiles are
 * selected in the baseline's own storage, which has its values back when
 * the call returns (hc_select_ranks_in). For a caller that owns a baseline
 * of millions of values (a backtest fold's training scores). */
hc_status hc_metrics_psi_in(double *baseline, size_t n0, const double *current,
                            size_t n1, size_t bins, hc_metrics_psi_result *out,
                            hc_error *err);

/* ---- everything at once (src/stats/metrics_summary.c) ------------------ */

/* Every scalar metric of one set of predictions. */
typedef struct {
    size_t n;
    size_t positives;
    double base_rate;
    double roc_auc;
    double roc_auc_ci_low;      /* DeLong 95% */
    double roc_auc_ci_high;
    double pr_auc;              /* average precision */
    double brier;
    double scaled_brier;
    double log_loss;
    double ece;                 /* 10 uniform bins */
    double emax;                /* val.prob, lowess (0 when !smoothed) */
    double eavg;
    double e90;
    int smoothed;               /* emax, eavg, e90 were computed */
    double calibration_intercept;     /* val.prob "Intercept" */
    double calibration_slope;         /* val.prob "Slope" */
    double calibration_in_the_large;  /* offset-only fit */
    double hl_chi2;             /* Hosmer-Lemeshow, 10 groups asked */
    int hl_df;                  /* hl_groups - 2; 0 when not estimable */
    double hl_p;
    size_t hl_groups;           /* non-empty groups used */
    int hl_estimable;           /* 0: fewer than 3 groups (ties; hl_groups
                                   says how many) or a group with an
                                   expected count of 0; hl_chi2, hl_df,
                                   hl_p are then 0 */
    size_t calibration_clipped; /* rows clipped before the logit (n_clipped) */
    double ks;
    double lift_top_decile;     /* top ceil(n / 10) rows (hc_metrics_lift) */
    double capture_top_decile;
} hc_metrics_summary;

/* Fills `out` with every scalar metric of predicted probabilities `p`
 * against outcomes `y`, sorting the rows only once for the rank metrics.
 * Degenerate input (no positives, all positives, fewer than 2 of either
 * class, constant predictions, p outside [0, 1] or NaN) returns HC_ENUMERIC
 * with a message and leaves `out` zeroed; a successful summary holds no
 * NaN. Hosmer-Lemeshow alone may be not estimable (ties leave fewer than 3
 * groups, or a group has an expected count of 0): hl_estimable is then 0
 * and the rest is computed. */
hc_status hc_metrics_evaluate(const double *y, const double *p, size_t n,
                              hc_metrics_summary *out, hc_error *err);

/* Flags of hc_metrics_evaluate_ex. */
#define HC_METRICS_NO_SMOOTH 1 /* skip the lowess behind emax/eavg/e90 */

/* hc_metrics_evaluate with flags (hc_metrics_evaluate is flags 0) and
 * the ranking of p when the caller has it (`ranked`, NULL: computed here);
 * when `cal` is not NULL it also receives the calibration result behind
 * the summary's calibration fields (what hc_metrics_calibration_ex would
 * return for the same rows), so a caller needing both computes it once. */
hc_status hc_metrics_evaluate_ex(const double *y, const double *p,
                                 const hc_metrics_ranked *ranked, size_t n,
                                 unsigned flags, hc_metrics_summary *out,
                                 hc_metrics_calibration_result *cal,
                                 hc_error *err);

/* The rank fields of hc_metrics_summary (n, positives, base_rate,
 * roc_auc and its DeLong interval, pr_auc, ks, lift_top_decile,
 * capture_top_decile) of any finite `score` (higher = riskier) from one
 * walk over its ranking (`ranked`, NULL: sorted here): the values
 * hc_metrics_delong_ci, hc_metrics_average_precision, hc_metrics_ks and
 * hc_metrics_top_decile give, without their four sorts. The other fields
 * of *out are left as they are. Needs 2 of each class. */
hc_status hc_metrics_rank_summary(const double *y, const double *score,
                                  const hc_metrics_ranked *ranked, size_t n,
                                  hc_metrics_summary *out, hc_error *err);

/* ---- clustered rows: accounts with many snapshots (src/stats/metrics_clustered.c,
 *      src/stats/metrics_ratio.c, src/stats/cluster_bootstrap.c) --------------
 *
 * Rows of one cluster (the snapshots of one account) are not independent,
 * and intervals that treat them as independent under-cover. The functions
 * below take `cluster`: n codes, each in [0, K) for some K (the interned
 * codes of a text id column are such codes: hc_table, hc_obs_table); a
 * code need not occur, a negative code is HC_EUSAGE. Clusters are the
 * independent units; every variance below is a between-cluster variance,
 * and every one reduces exactly to its rows-independent counterpart when
 * every cluster holds one row. */

/* An AUC with its clustered DeLong (Obuchowski 1997) interval. */
typedef struct {
    hc_metrics_auc_ci ci;   /* auc; se and ci_* are the clustered ones */
    double se_naive;        /* DeLong et al. (1988): rows independent */
    double ci_low_naive;    /* auc -/+ z se_naive, clipped to [0, 1] */
    double ci_high_naive;
    double design_effect;   /* se^2 / se_naive^2 (1 when both are 0) */
    size_t n_clusters;      /* clusters with at least one row */
    size_t n_pos_clusters;  /* clusters with at least one positive row */
    size_t n_neg_clusters;  /* clusters with at least one negative row */
} hc_metrics_auc_ci_clustered;

/* The AUC of `score` with Obuchowski's (1997) nonparametric clustered
 * variance, from per-cluster sums of the DeLong placements (formula in
 * src/stats/metrics_clustered.c), O(n log n). Needs 2 clusters with a
 * positive row and 2 with a negative row (the variances divide by
 * I - 1), else HC_ENUMERIC. With one row per cluster se equals
 * hc_metrics_delong_ci's. */
hc_status hc_metrics_delong_clustered(const double *y, const double *score,
                                      const int32_t *cluster, size_t n, double level,
                                      hc_metrics_auc_ci_clustered *out, hc_error *err);

/* The same from the placements and AUC of hc_metrics_delong_placements
 * (no ranking). */
hc_status hc_metrics_delong_clustered_placements(const double *y, const double *pl,
                                                 double auc, const int32_t *cluster,
                                                 size_t n, double level,
                                                 hc_metrics_auc_ci_clustered *out,
                                                 hc_error *err);

/* The paired comparison of two AUCs on the same rows, clustered. */
typedef struct {
    hc_metrics_auc_diff d;  /* se, z, p_value, ci_* are the clustered ones */
    double se_naive;        /* hc_metrics_delong_paired's se */
    double design_effect;   /* se^2 / se_naive^2 (1 when both are 0) */
    size_t n_clusters;
    size_t n_pos_clusters;
    size_t n_neg_clusters;
} hc_metrics_auc_diff_clustered;

/* hc_metrics_delong_paired with the variance of the difference from
 * per-cluster sums of the differences of the two scores' placements
 * (Obuchowski 1997, section 3). Zero variance with a non-zero difference
 * is HC_ENUMERIC. */
hc_status hc_metrics_delong_paired_clustered(const double *y, const double *score1,
                                             const double *score2,
                                             const int32_t *cluster, size_t n,
                                             double level,
                                             hc_metrics_auc_diff_clustered *out,
                                             hc_error *err);

/* The same from both scores' placements and AUCs
 * (hc_metrics_delong_placements), without re-ranking. */
hc_status hc_metrics_delong_paired_clustered_placements(
    const double *y, const double *pl1, double auc1, const double *pl2, double auc2,
    const int32_t *cluster, size_t n, double level, hc_metrics_auc_diff_clustered *out,
    hc_error *err);

/* Per-cluster sums of a ratio estimator R = sum a / sum b: a, b and the
 * row-level sums of a^2, a b and b^2 (for the rows-independent variance). */
typedef struct {
    double a, b, aa, ab, bb;
    size_t n;               /* rows with b != 0 */
} hc_metrics_ratio_sums;

/* A ratio estimator with its cluster-robust interval. */
typedef struct {
    double estimate;        /* sum a / sum b; 0 when sum b = 0 */
    double se;              /* linearised, clustered */
    double se_naive;        /* the same with every row its own cluster */
    double design_effect;   /* se^2 / se_naive^2; 1 when se_naive = 0 */
    double ci_low;
    double ci_high;
    double level;
    double n_effective;     /* proportions: min(R (1 - R) / se^2, sum b) (t_{rows-1} / t_df)^2 when clustered, else sum b / max(1, design effect) */
    size_t n_clusters;      /* clusters with sum b > 0 */
    double df;              /* n_clusters - 1 when some cluster has several
                               rows (t quantile, df-adjusted n_effective),
                               else 0 (normal quantile) */
    int kind;               /* HC_METRICS_RATIO_*: PROPORTION is Wilson at
                               n_effective, POSITIVE log scale, MEAN normal */
} hc_metrics_ratio;

/* The ratio R = A / B, A = sum_k a_k, B = sum_k b_k over the K clusters,
 * with the Taylor-linearised (delta-method) variance of a ratio under
 * with-replacement sampling of clusters (Cochran 1977, section 6.11; what
 * R's survey::svyratio computes for a one-stage cluster design):
 *   var(R) = K / (K - 1) * sum_k (a_k - R b_k)^2 / B^2,
 * K counting every cluster given (clusters outside a domain have a_k =
 * b_k = 0, as in survey's domain estimation). se_naive is the same formula
 * with every row its own cluster: n / (n - 1) sum_i (a_i - R b_i)^2 / B^2,
 * n = the rows with b_i != 0 (a domain's rows). With `kind`
 * HC_METRICS_RATIO_PROPORTION (a, b indicators, a <= b) the interval is Wilson's at the effective sample size
 * B / max(1, deff), deff = se^2 / se_naive^2 (Korn & Graubard 1998, Survey
 * Methodology 24:193-201, never narrower than the rows-independent
 * interval), so one row per cluster gives hc_metrics_wilson exactly; an
 * estimate of 0 or 1 has no within-domain variance, and the effective size
 * is then the number of clusters in the domain. With `kind`
 * HC_METRICS_RATIO_POSITIVE (a positive, right-skewed mean such as the
 * Brier score or log loss, whose estimate is dominated by a few churned
 * accounts) the interval is taken on the log scale, R exp(-/+ z se / R)
 * (the delta method for log R); with HC_METRICS_RATIO_MEAN it is
 * R -/+ z se. B = 0 is HC_ENUMERIC; fewer than 2 clusters leave se = 0. */
#define HC_METRICS_RATIO_MEAN 0
#define HC_METRICS_RATIO_PROPORTION 1
#define HC_METRICS_RATIO_POSITIVE 2
hc_status hc_metrics_ratio_from_sums(const hc_metrics_ratio_sums *sums, size_t k,
                                     double level, int kind,
                                     hc_metrics_ratio *out, hc_error *err);

/* hc_metrics_ratio_from_sums on rows: a[i], b[i] of row i in cluster
 * cluster[i] (b may be NULL: every b_i = 1, a mean). */
hc_status hc_metrics_ratio_clustered(const double *a, const double *b,
                                     const int32_t *cluster, size_t n, double level,
                                     int kind, hc_metrics_ratio *out,
                                     hc_error *err);

/* The Wilson interval at a real-valued sample size: share p of n_eff
 * trials. hc_metrics_wilson(k, n) is this with p = k / n, n_eff = n. */
void hc_metrics_wilson_eff(double p, double n_eff, double level, double *lo,
                           double *hi);

/* The Clopper-Pearson interval at a real-valued sample size (Korn &
 * Graubard 1998): x = p n_eff successes of n_eff trials, limits
 * qbeta(alpha/2, x, n_eff - x + 1) and qbeta(1 - alpha/2, x + 1, n_eff - x),
 * 0 at p = 0 and 1 at p = 1. */
void hc_metrics_clopper_pearson_eff(double p, double n_eff, double level, double *lo,
                                    double *hi);

/* Cluster-robust standard errors of the logistic recalibration fits of
 * hc_metrics_calibration (the slope-and-intercept fit and the offset-only
 * calibration-in-the-large), from the coefficients in `cal`. */
typedef struct {
    double intercept_se, slope_se, in_the_large_se;  /* clustered */
    double intercept_deff, slope_deff, in_the_large_deff; /* design effects */
    size_t n_clusters;
} hc_metrics_calibration_clustered;

/* The sandwich variance (Liang & Zeger 1986) of the recalibration
 * coefficients with scores summed by cluster, CR1-scaled K / (K - 1), as
 * a design effect over the same sandwich with every row its own cluster
 * (n / (n - 1)); the clustered SE is the model SE of `cal` times
 * sqrt(max(1, deff)), so one row per cluster gives the model SEs exactly.
 * p are the probabilities `cal` was computed from, clipped the same way
 * (HC_METRICS_CLIP_EPS). */
hc_status hc_metrics_calibration_cluster(const double *y, const double *p,
                                         const int32_t *cluster, size_t n,
                                         const hc_metrics_calibration_result *cal,
                                         hc_metrics_calibration_clustered *out,
                                         hc_error *err);

/* Percentile intervals of the metrics a closed form does not cover, from
 * a bootstrap that resamples clusters with replacement (Davison & Hinkley
 * 1997, section 3.8; Field & Welsh 2007). */
typedef struct {
    double estimate;        /* on the original rows */
    double ci_low, ci_high; /* percentile interval, type-7 quantiles of the
                               replicates */
    double se;              /* standard deviation of the replicates */
} hc_metrics_boot_ci;

typedef struct {
    size_t replicates;      /* asked */
    size_t used;            /* replicates with both classes present */
    unsigned long seed;
    double level;
    hc_metrics_boot_ci pr_auc, ks, ece, lift_top_decile, capture_top_decile;
} hc_metrics_cluster_boot;

/* Bootstraps average precision, KS, top-decile lift and capture (on the
 * ranking `ranked` of `risk`, NULL: computed) and ECE (10 uniform bins of
 * p), resampling clusters: each replicate draws K clusters with
 * replacement (GSL's mt19937 seeded with `seed`: the same seed gives the
 * same intervals), weights every row by its cluster's draw count and walks
 * the ranking once, O(n + K) per replicate, never re-sorting; ECE comes
 * from per-cluster bin sums, O(10 K). A replicate without both classes is
 * skipped (`used` counts the others). `replicates` >= 2. */
hc_status hc_metrics_cluster_bootstrap(const double *y, const double *risk,
                                       const hc_metrics_ranked *ranked, const double *p,
                                       const int32_t *cluster, size_t n,
                                       size_t replicates, unsigned long seed,
                                       double level, hc_metrics_cluster_boot *out,
                                       hc_error *err);

/* Replaces the Wilson intervals of a band table `res` (hc_metrics_bands on
 * the same band, y and n) by clustered ones at `level`: each band's churn
 * rate and the red band's precision and recall, ratio estimators with the
 * linearised cluster variance (hc_metrics_ratio_from_sums, proportion);
 * the rows-independent Wilson intervals move to naive_ci_*. */
hc_status hc_metrics_bands_clustered(const int *band, const double *y,
                                     const int32_t *cluster, size_t n, double level,
                                     hc_metrics_bands_result *res, hc_error *err);

/* The number of clusters K (largest code + 1) of cluster[0..n), or -1 with
 * HC_EUSAGE in err for a negative code. */
long hc_metrics_cluster_count(const int32_t *cluster, size_t n, hc_error *err);

#endif
