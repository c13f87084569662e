/* hc_predict.h - scoring today's accounts with a config: probabilities, drivers, band changes (layer: workflows).
 *
 * hc_predict_run takes a model and a loaded snapshot history and returns,
 * per account (its latest snapshot on or before the as-of date) or per
 * snapshot, the health score, band, P(churn within the horizon),
 * P(expansion), expected ARR at risk, the three components that pull the
 * score down most, and the change since the account's previous snapshot.
 * Every score comes from hc_model_score_rows, the one scoring function fit,
 * backtest and validate share, so a config scores the same rows the same way
 * everywhere.
 *
 * Drivers. For a scored row with component sub-scores s_k and w'_k the
 * weights of its (model) segment renormalised over the components present
 * in that row (the scorer's missing-value rule), the points by which
 * component k pulls the score down are
 *
 *     d_k = w'_k (r_k - s_k),
 *
 * where r_k is a reference sub-score of the account's segment (the value of
 * the snapshot's segment column): the mean of s_k over the segment's
 * "healthy" accounts, which are the accounts of the segment in the top band
 * (the band with the highest `min`) at the as-of date, each account counted
 * once by its latest snapshot on or before the as-of date (accounts left
 * out as churned are not among them; stale ones are). When no account
 * of the segment is in the top band, the healthy accounts are those whose
 * health is strictly above the segment's median health; when that set is
 * empty too (a one-account segment, or all healths equal), r_k = 100, the
 * best possible sub-score (d_k is then hc_model_contributions' shortfall).
 * A component missing in every healthy account also gets r_k = 100. So
 * sum_k d_k = sum_k w'_k r_k - H: the gap between the row's health and the
 * health a typical healthy account of its segment would have under the
 * row's weights, split exactly across the components. The drivers are the
 * (at most) three components with the largest d_k >= 0.05 (so each shows
 * at least 0.1 when written to one decimal), largest first, ties in
 * component order; a missing component is never a driver. Rows of an
 * account without a segment value use the reference of all such accounts.
 *
 * Band change. `prev_band` and `health_change` compare a row with the
 * account's snapshot immediately before it (in date order, whatever the
 * as-of date). A row "fell a band" when both bands are known and its band
 * index is lower (bands are ordered by `min`, so a lower index is a worse
 * band); the CSV writes that as "green->yellow" and leaves the cell empty
 * otherwise (no previous snapshot, same or better band, a missing score).
 *
 * Churned accounts (with events). An account "has churned" at the as-of
 * date when it has a churn event dated on or before as_of and no snapshot
 * dated after that event (on or before as_of): with c the date of its last
 * churn event on or before as_of and L the date of its latest snapshot on
 * or before as_of, it has churned iff L <= c (a snapshot on the churn date
 * itself is its last as a customer). Such accounts are left out: of the
 * output rows, of every total of the summary (bands, ARR, expected churned
 * ARR and its range, band falls, stale accounts) and of the drivers'
 * healthy reference accounts; they are counted (churned_accounts, with
 * their ARR at that latest snapshot). An account with a snapshot after its
 * last churn event (L > c) "came back": it is kept like any other and
 * counted in returned_accounts. (Labels treat every row after a first churn
 * as post-churn and never as an observation, since an export cannot tell a
 * win-back from a scorer that kept writing rows; predict only decides
 * whether an account is on today's list, and a fresh snapshot after the
 * churn is the export's own evidence that it is.) Events of accounts
 * without a snapshot, and churn events after as_of, change nothing.
 * Without events nothing is left out and churned_excluded is 0: accounts
 * that have churned are then scored and listed like living ones.
 *
 * Status. Each output row is "current", "stale" or (only with
 * all_snapshots and events) "churned":
 *   - "churned": the row's account has churned (above). With
 *     all_snapshots its rows are written, marked so: they are its history
 *     as a customer (by the rule above none is dated after its churn);
 *   - "stale": the row is dated before the stale cutoff
 *     as_of - stale_days (stale_days defaults to the config's horizon, so
 *     the row's P(churn) window has already closed by the as-of date). In
 *     the default mode the row is the account's latest, so the account has
 *     no recent snapshot;
 *   - "current": otherwise.
 * Rows are ordered current first, then stale, then churned; within each
 * group as described at `rows` below. The summary's band table counts the
 * current accounts only; stale accounts are counted apart with their ARR,
 * and they are NOT in the expected churned ARR nor its range (their window
 * is over: what their P(churn) forecast has already happened, or not);
 * stale_at_risk gives their sum of P(churn) x ARR on its own.
 *
 * Kept columns. Extra snapshot columns (keep) are copied to the output
 * after every computed column, as the scored snapshot row holds them:
 * text as read, numbers in the shortest form that reads back to the same
 * value (17 significant digits at most), dates as YYYY-MM-DD.
 */
#ifndef HC_PREDICT_H
#define HC_PREDICT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_error.h"
#include "hc_history.h"
#include "hc_model.h"

#define HC_PREDICT_DRIVERS 3

/* Driver points below this are not reported (they would print as 0.0). */
#define HC_PREDICT_DRIVER_MIN 0.05

/* Revenue at risk with a range. The churned ARR of the next horizon is
 * sum_i a_i B_i over the book's current accounts with a P(churn) (each
 * by its latest snapshot; stale and churned accounts are not in it), B_i ~ Bernoulli(p_i) independent, a_i its ARR (missing
 * as 0): a weighted Poisson-binomial variable. Its mean is the expected
 * churned ARR, exactly; its 80% and 95% central ranges (quantiles 0.10 and
 * 0.90, 0.025 and 0.975) come from a seeded Monte Carlo of the events
 * (src/workflow/predict_risk.c): the same seed gives the same range.
 * Independence is the model's own assumption (each account's p is its own
 * forecast); a common shock that moves every account at once would widen
 * the range. */
#define HC_PREDICT_RISK_DRAWS 10000
#define HC_PREDICT_SEED_DEFAULT 20240101UL

typedef struct {
    int computed;            /* the range below was computed */
    size_t accounts;         /* accounts in the sum */
    double mean;             /* sum p_i a_i, exact */
    double variance;         /* sum p_i (1 - p_i) a_i^2, exact */
    double lo80, hi80;       /* type-7 quantiles 0.10 and 0.90 of the draws */
    double lo95, hi95;       /* 0.025 and 0.975 */
    size_t draws;
    unsigned long seed;
} hc_predict_risk_range;

/* The range of sum_i arr[i] B_i, B_i ~ Bernoulli(p[i]) independent, over
 * n accounts, from `draws` (>= 2) Monte Carlo draws seeded with `seed`
 * (GSL's mt19937), O(n + draws x sum p). p[i] in [0, 1] and arr[i] finite
 * and >= 0, else HC_ENUMERIC; draws < 2 is HC_EUSAGE. n = 0 gives a range
 * of zeros. The arrays are borrowed. */
hc_status hc_predict_risk_range_compute(const double *p, const double *arr, size_t n,
                                        size_t draws, unsigned long seed,
                                        hc_predict_risk_range *out, hc_error *err);

/* Output row status (see "Status" above), in output order. */
typedef enum {
    HC_PREDICT_CURRENT = 0,
    HC_PREDICT_STALE = 1,
    HC_PREDICT_CHURNED = 2
} hc_predict_status;

/* The name of a status: "current", "stale", "churned". */
const char *hc_predict_status_name(int status);

/* Checks a list of extra columns to pass through (hc_predict_options.keep)
 * before any file is read: an empty name, a name given twice or a name of
 * an output column (account_id, snapshot_date, segment, arr, health, band,
 * p_churn_<H>d, p_expansion_<H>d with H = horizon_days,
 * expected_arr_at_risk, driver_1..3, health_change, band_change, status)
 * is HC_EUSAGE naming it. n = 0 is fine. */
hc_status hc_predict_check_keep(const char *const *keep, size_t n, int horizon_days,
                                hc_error *err);

typedef struct {
    const hc_model *model;         /* borrowed; validated (hc_model_load) */
    const hc_snapshots *snapshots; /* borrowed; loaded with the model's columns */
    int32_t as_of;                 /* day number; HC_DATE_MISSING = the latest
                                      snapshot date */
    int all_snapshots;             /* one row per snapshot on or before as_of,
                                      not only each account's latest */
    size_t risk_draws;             /* Monte Carlo draws of the revenue-at-risk
                                      range; 0: no range */
    unsigned long seed;            /* their seed */
    const hc_events *events;       /* borrowed, matched to `snapshots`
                                      (hc_events_load); NULL: churned
                                      accounts cannot be left out */
    int stale_days;                /* a row dated before as_of - stale_days
                                      is stale; < 0: the config's horizon */
    const char *const *keep;       /* extra snapshot columns to copy to the
                                      output, in this order (borrowed);
                                      checked with hc_predict_check_keep */
    size_t n_keep;
} hc_predict_options;

/* Sets the defaults: no model, snapshots or events, as_of
 * HC_DATE_MISSING, latest snapshot per account, HC_PREDICT_RISK_DRAWS
 * draws seeded with HC_PREDICT_SEED_DEFAULT, stale_days -1 (the
 * horizon), no kept columns. */
void hc_predict_options_init(hc_predict_options *opt);

/* One output row. */
typedef struct {
    uint32_t row;            /* row of the snapshot table */
    int32_t account;         /* account code (hc_snapshots) */
    int32_t date;            /* snapshot date, day number */
    double arr;              /* NaN when the file has no ARR or it is missing */
    double health;           /* 0-100; NaN when every component is missing */
    int32_t band;            /* band index, -1 when health is missing */
    double p_churn;          /* P(churn within horizon); NaN without a churn
                                model or a health score */
    double p_expansion;      /* NaN without an expansion model */
    double at_risk;          /* p_churn * arr; NaN when either is missing */
    int32_t segment;         /* model segment index, -1 = top-level values */
    int32_t driver[HC_PREDICT_DRIVERS];      /* component index, -1 = none */
    double driver_points[HC_PREDICT_DRIVERS];/* d_k in points of health */
    int has_previous;        /* the account has an earlier snapshot */
    int32_t previous_band;   /* its band, -1 when missing or no previous */
    double health_change;    /* health - previous health; NaN when unknown */
    int fell;                /* band index dropped since the previous one */
    int status;              /* hc_predict_status */
} hc_prediction;

typedef struct {
    /* Borrowed from the options: must outlive the result. */
    const hc_model *model;
    const hc_snapshots *snapshots;
    int32_t as_of;
    int all_snapshots;
    int horizon_days;

    /* Output rows, sorted: status (current, stale, churned); then
     * expected ARR at risk, highest first; then p_churn, highest first;
     * then health, lowest first (missing values of each key last); then
     * account id (byte order); then date. */
    size_t n;
    hc_prediction *rows;
    double *sub;             /* n x n_components sub-scores, row-major in the
                                order of `rows`; NaN = missing */
    size_t n_components;

    /* Reference sub-scores of the drivers: one set per value of the
     * snapshot segment column (code c at reference[(c + 1) * K ...]; the
     * first set is for rows without a segment value). */
    size_t n_groups;         /* distinct segment codes + 1 */
    double *reference;       /* n_groups x n_components */
    int *reference_rule;     /* per group: 0 top band, 1 above the median,
                                2 none (r_k = 100), -1 no account */

    /* Kept columns, in output order: table column indexes (owned). */
    size_t n_keep;
    int *keep_cols;

    /* Summary over the "book": each account's latest snapshot on or before
     * as_of, less the accounts that have churned (in the default mode
     * exactly the output rows). Missing ARR counts as 0 in every sum. */
    size_t accounts;         /* accounts with a snapshot on or before as_of,
                                including those left out as churned */
    size_t book_accounts;    /* accounts - churned_accounts: the book */
    size_t accounts_later;   /* accounts whose first snapshot is after as_of */
    int churned_excluded;    /* events were given: churned accounts are out */
    size_t churned_accounts; /* left out: churned on or before as_of */
    double churned_arr;      /* their ARR at their latest snapshot */
    size_t returned_accounts;/* in the book: a churn event on or before
                                as_of, and a snapshot after it */
    double total_arr;        /* ARR of the book (current and stale) */
    size_t arr_missing;      /* book accounts without an ARR value */
    size_t fell_accounts;    /* book accounts that fell a band since their
                                previous snapshot */
    /* The current book: accounts whose latest snapshot is not stale. */
    size_t current_accounts; /* sum of band_accounts + unscored_accounts */
    double current_arr;
    size_t n_bands;
    size_t *band_accounts;   /* n_bands; current accounts only */
    double *band_arr;        /* n_bands */
    size_t unscored_accounts;/* current, health missing */
    double unscored_arr;
    /* Revenue at risk: over the current accounts only. */
    size_t churn_scored;     /* current accounts with a p_churn */
    double expected_churners;/* sum of p_churn */
    double expected_churned_arr; /* sum of p_churn * arr */
    hc_predict_risk_range risk_range; /* its 80% and 95% ranges (computed
                                         when there is a p_churn and draws) */
    /* Stale: the account's latest snapshot on or before as_of is dated
     * before recent_cutoff; listed after the current rows, not in the
     * bands nor the revenue at risk. */
    int stale_days;          /* as used (the horizon by default) */
    int32_t recent_cutoff;   /* as_of - stale_days */
    size_t stale_accounts;
    double stale_arr;
    size_t stale_churn_scored; /* of them with a p_churn */
    double stale_at_risk;    /* their sum of p_churn * arr, apart */
    uint32_t *stale_rows;    /* table rows of those snapshots, by account id */
} hc_predict_result;

/* Loads the snapshot file at `path` ("-" is stdin) for scoring with `m`:
 * its role columns (the config's `columns`) and metric columns only. A
 * column the config names that the file lacks, or one of the wrong type, is
 * HC_EDATA naming the config key (e.g. "components[1].metrics[0].column:
 * column 'csat' is not in S.csv"); other checks are hc_snapshots_load's.
 * `delimiter` 0 means ','. Release `out` with hc_snapshots_release. */
hc_status hc_predict_load_snapshots(const hc_model *m, const char *path,
                                    char delimiter, hc_snapshots *out,
                                    hc_error *err);

/* The same, also loading the `n_keep` columns named in `keep` (borrowed)
 * to pass through to the output (hc_predict_options.keep): a kept column
 * the config does not name is loaded as text, so any values are accepted;
 * one the config names keeps its type. A kept column the file lacks is
 * HC_EDATA naming the column and the file. The list is not checked here:
 * call hc_predict_check_keep first. */
hc_status hc_predict_load_snapshots_keep(const hc_model *m, const char *path,
                                         char delimiter, const char *const *keep,
                                         size_t n_keep, hc_snapshots *out,
                                         hc_error *err);

/* Scores the accounts (or, with all_snapshots, the snapshots) on or before
 * the as-of date as described at the top of this header. An as-of date
 * before the first snapshot, events matched to another snapshot table or
 * a bad keep list (hc_predict_check_keep) is HC_EUSAGE; a kept column the
 * table lacks is HC_EDATA naming it and the file; scoring errors are
 * hc_model_score_rows'. On success the caller releases `res` with
 * hc_predict_result_release; on error `res` holds nothing. */
hc_status hc_predict_run(const hc_predict_options *opt, hc_predict_result *res,
                         hc_error *err);

/* Frees the arrays of a result (the struct is the caller's) and zeroes
 * it; the borrowed model and snapshots are not touched. NULL is a no-op. */
void hc_predict_result_release(hc_predict_result *res);

/* Writes the predictions as CSV (src/workflow/predict_write.c): the header
 *   account_id,snapshot_date,segment,arr,health,band,p_churn_<H>d,
 *   p_expansion_<H>d,expected_arr_at_risk,driver_1,driver_2,driver_3,
 *   health_change,band_change,status[,<kept column>...]
 * with <H> the config's horizon in days, then one line per row in the
 * result's order. arr as read (up to 17 significant digits), health and
 * health_change with 4 decimals, probabilities with 6 significant digits,
 * expected ARR at risk with 2 decimals; missing numbers are empty cells.
 * Drivers read "usage (-12.3)": the component and the points it pulls the
 * score down (one decimal). band_change is "<previous>-><current>" when the
 * band got worse, else empty. status is "current", "stale" or "churned"
 * (see "Status"). The kept columns follow under their own names, as the
 * scored row holds them (see "Kept columns"). status and the kept columns
 * come last so that scripts reading the first fourteen columns by position
 * read the same columns as before. Every text cell, the kept columns' names
 * and values included, goes through hc_csv_write_text, so cells that could
 * start a spreadsheet formula are neutralised. Write errors are left in the
 * stream for the caller to check (hc_outfile_commit does). */
void hc_predict_write_csv(FILE *f, const hc_predict_result *res);

/* Writes the summary as plain text lines to `f` (the CLI sends it to
 * stderr): the accounts left out as churned ("N accounts left out: churned
 * on or before AS_OF, ARR X at their last snapshot"), or that they could
 * not be left out without events; those that came back; the current
 * accounts and their ARR per band; expected churned ARR in the next
 * horizon over the current accounts with its 80% and 95% ranges; accounts
 * that fell a band; the stale accounts apart, with their ARR and P(churn)
 * x ARR and the first ten ids. */
void hc_predict_write_summary(FILE *f, const hc_predict_result *res);

struct json_t;

/* The summary as a JSON object (schema "healthcal-predict-summary/1"):
 * as_of, horizon_days, accounts (the book: the accounts listed),
 * accounts_scored (with those left out), total_arr (the book's),
 * churned_excluded (true/false), churned_accounts, churned_arr and
 * returned_accounts (null without events), current_accounts, current_arr,
 * bands_count ("current accounts"), bands [{band, accounts, arr}] over the
 * current accounts, unscored_accounts, fell_accounts, stale_days,
 * stale_cutoff, stale_accounts, stale_arr, stale_expected_arr (their
 * P(churn) x ARR, not in revenue_at_risk) and "revenue_at_risk"
 * {accounts, expected_churners, expected, range_80 [lo, hi], range_95
 * [lo, hi], method, draws, seed} over the current accounts (null ranges
 * without a churn model). Returns a new reference, or NULL when out of
 * memory. */
struct json_t *hc_predict_summary_json(const hc_predict_result *res);

/* Writes hc_predict_summary_json to `path` atomically, 2-space indented. */
hc_status hc_predict_write_summary_json(const hc_predict_result *res, const char *path,
                                        hc_error *err);

#endif
