/* hc_report.h - the quarterly report: validate, fit, backtest, thresholds, predict, drift, its data files and its document (layer: workflow).
 *
 * hc_report_run is the job an analyst runs each quarter, one library call
 * with an options struct in and a result struct out:
 *
 *   1. loads the current (hand-set) config and, once, the history it needs
 *      (role columns from the config unless the options name them);
 *   2. validates the current config on every labelled observation
 *      (hc_validate_model_opts clustered by the account id: AUC with its
 *      clustered DeLong interval, calibration, the effective sample in
 *      words, which the summary quotes beside the verdict);
 *   3. fits the tuned config on the same observations (hc_fit_model with
 *      segments when the data has a segment column, hc_fit_annotate);
 *   4. backtests current and tuned on identical walk-forward folds
 *      (hc_backtest_run with the threshold objective), which gives the
 *      out-of-time AUC difference with DeLong's paired interval, clustered
 *      by account (Obuchowski 1997), on which the verdict rests;
 *   5. decides once, from the out-of-time evidence, whether to adopt the
 *      tuned config (the clustered paired test shows it ranks churners
 *      better) or keep the current one; every later step uses that config
 *      (res->scoring) and says so;
 *   6. when the tuned config is adopted, recommends band cut points by the
 *      objective: those chosen on the tuned model's pooled out-of-time
 *      test rows of the backtest (without a backtest sweep, on the final
 *      model's in-sample scores, said so), and writes them into the tuned
 *      config's bands only when the objective held out of time in more
 *      than half the folds (or opt.force_bands); otherwise tuned.json keeps
 *      the current bands, as `healthcal fit` writes it;
 *   7. scores today's accounts with that config (hc_predict_run) and
 *      gives the book's expected churned ARR its 80% and 95% ranges
 *      (hc_predict_risk_range_compute, seeded by opt->seed);
 *   8. optionally measures drift since a previous period (hc_drift_run);
 *   8b. computes the at-a-glance numbers (report_glance.c): both configs
 *      on every labelled snapshot in accounts (churn rate per band, red
 *      against green, lead times, pass bars), the bands by month, and this
 *      week's call list from the predictions;
 *   9. builds the report's document (res->doc: its cards, sections, figures
 *      each with a one-sentence takeaway,
 *      verdicts in plain words and the book's table, money and ranges
 *      already formatted), which the renderers of the output layer read;
 *  10. writes the report directory's data: every file below but the pages,
 *      the plot images and data/coefficients.csv, each file atomically.
 *
 * Then the output layer's hc_report_write (hc_report_render.h) draws the
 * plots, writes data/coefficients.csv and the pages summary.md and
 * index.html; the CLI calls it after hc_report_run.
 *
 * Nothing is written until steps 1-8 have succeeded, so bad input leaves
 * the output directory as it was. Writing starts by removing an earlier
 * run's index.html and summary.md, its data files and its plot images, and
 * index.html is written last: a run that fails while writing leaves no
 * index.html that claims success, and a plot never outlives the data it
 * was drawn from.
 *
 * The report directory:
 *   index.html      self-contained page (hc_report_write_html)
 *   summary.md      the same summary as Markdown (hc_report_write_markdown)
 *   tuned.json      the tuned config for the scorer
 *   predictions.csv today's accounts (hc_predict_write_csv)
 *   calls.csv       this week's call list (hc_call_list.h: current accounts
 *                   in the riskiest band or that fell a band, by expected
 *                   ARR at risk), the list `predict --calls` writes
 *   users.csv       with a roll-up config only: the users of the first
 *                   HC_REPORT_USER_ACCOUNTS listed accounts, each scored as
 *                   an account of users like it (hc_user_health.h)
 *   index.pdf       only with `healthcal report --pdf` (hc_report_write_pdf)
 *   plots/          NAME.svg and NAME.png for every plot of hc_plot.h
 *   data/           every number behind every plot and table, as CSV/JSON:
 *                   the backtest's files (folds.csv, bands_over_time.csv,
 *                   thresholds.csv, cutpoints.csv, summary.json and the
 *                   pooled reliability/prediction_hist/roc/pr/gains/
 *                   score_distribution.csv), weights.csv, band_arr.csv,
 *                   coefficients.csv, segments.csv, reconciliation.csv,
 *                   validate.json (clustered by account, with its
 *                   "clusters" object and "effective_sample"),
 *                   revenue_at_risk.json (the book's expected churned ARR,
 *                   range_80, range_95, method, draws, seed), band_rates.csv
 *                   (churn rate per band in accounts, current and tuned),
 *                   lead_time.csv (churned accounts flagged 30/60/90 days
 *                   before churning), trend.csv (bands by month or quarter)
 *                   and, with a previous period, drift.json
 *
 * When gnuplot cannot be run the report still comes out: plots are listed
 * as missing with the reason, and every number stays in data/.
 */
#ifndef HC_REPORT_H
#define HC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hc_backtest.h"
#include "hc_call_list.h"
#include "hc_drift.h"
#include "hc_error.h"
#include "hc_fit.h"
#include "hc_lead_time.h"
#include "hc_metrics.h"
#include "hc_model.h"
#include "hc_observations.h"
#include "hc_predict.h"
#include "hc_thresholds.h"
#include "hc_user_health.h"
#include "hc_validate.h"

/* A segment with fewer churn events than this among its observations is
 * called small in the report (the events-per-variable rule of Peduzzi et
 * al. 1996 asks for about 10 per estimated coefficient). */
#define HC_REPORT_SMALL_SEGMENT_EVENTS 10

/* The pages show at most this many segments, the largest first; every
 * segment is in data/segments.csv. */
#define HC_REPORT_SEGMENTS_SHOWN 50

/* With a roll-up, the report shows the users of this many accounts of the
 * call list (the first ones); users.csv has them all. */
#define HC_REPORT_USER_ACCOUNTS 50

/* Called when a stage starts ("loading history", "fitting", ...). */
typedef void (*hc_report_progress_fn)(void *ctx, const char *stage);

typedef struct {
    /* inputs (borrowed) */
    const char *snapshots_path;
    const char *events_path;
    const char *config_path;       /* the current, hand-set config */
    char delimiter;                /* of both CSV files; 0 means ',' */
    hc_snapshot_columns columns;   /* NULL members: the config's columns */
    int ignore_unknown_events;
    int horizon_days;              /* 0: the config's horizon_days */
    int lead_days;                 /* < 0: the config's lead_days */
    int32_t as_of;                 /* HC_DATE_MISSING: the latest date */
    /* analysis */
    hc_threshold_options threshold; /* objective; n_bands is the config's */
    int force_bands;               /* write the recommended bands into
                                      tuned.json even when the objective did
                                      not hold out of time in most folds */
    int step_days;                 /* backtest test period and step
                                      (HC_BACKTEST_DEFAULT_STEP_DAYS, 28) */
    int window_days;               /* training window, 0 = expanding (365) */
    int segments;                  /* per-segment fit when the data has a
                                      segment column (default 1) */
    size_t segment_min_churned;    /* a segment with fewer churned accounts
                                      is merged into the pooled model, in the
                                      fit and every backtest fold (0: the
                                      fit's default, 1) */
    double ridge;                  /* L2 penalty of the fits (default 0) */
    unsigned long seed;            /* of the revenue-at-risk Monte Carlo
                                      (default HC_PREDICT_SEED_DEFAULT) */
    int has_previous;              /* measure drift against `previous` */
    hc_drift_period previous;      /* the baseline period; the current one
                                      runs from the day after it to the
                                      latest snapshot date */
    /* output */
    const char *out_dir;           /* created when missing */
    const char *version;           /* tool version written in the outputs */
    hc_report_progress_fn progress; /* NULL for none */
    void *progress_ctx;
} hc_report_options;

/* Sets the defaults above: recall objective with target 0.7, the
 * backtest's default step (28 days) and window (365), segments on, version "unknown". (How the plots are drawn is
 * the output layer's: hc_report_write_options in hc_report_render.h.) */
void hc_report_options_init(hc_report_options *opt);

/* One row of the per-segment table. */
typedef struct {
    char *name;                 /* segment value (owned); NULL: rows without one */
    size_t accounts;            /* in today's book (a lifecycle stage an
                                   account has grown out of has none) */
    size_t history_accounts;    /* accounts with a labelled row in the
                                   segment, at any date */
    size_t churned_accounts;    /* of them, with a row in the segment
                                   followed by a churn: the C the fit's
                                   credibility counts */
    double arr;                 /* ARR of the book (missing ARR as 0) */
    double expected_churned_arr;/* sum of P(churn) x ARR in the book */
    size_t observations;        /* labelled rows */
    size_t churners;            /* of them, churn within the horizon */
    int has_auc[2];             /* out-of-time AUC of current [0], tuned [1];
                                   needs HC_REPORT_SMALL_SEGMENT_EVENTS churn
                                   snapshots among the segment's test rows */
    hc_metrics_auc_ci auc[2];   /* DeLong 95% on the backtest's pooled rows,
                                   clustered by account (Obuchowski 1997) */
    size_t test_rows, test_churners; /* pooled backtest rows of the segment */
    int fit_index;              /* index into fit.segments, -1 when none */
    int small;                  /* churners < HC_REPORT_SMALL_SEGMENT_EVENTS */
} hc_report_segment;

/* Where the recommended cut points came from. */
typedef enum {
    HC_REPORT_CUTS_BACKTEST = 0, /* pooled out-of-time rows of the tuned model */
    HC_REPORT_CUTS_IN_SAMPLE,    /* the final model's health on all observations */
    HC_REPORT_CUTS_KEPT          /* no search possible: the current bands kept */
} hc_report_cuts_source;

/* ---- the document: what the pages say, built once for every renderer ---- */

/* One paragraph: a static title and a malloc'd plain-text body (no markup;
 * data strings in it are raw, so each renderer escapes the body for its
 * format). */
typedef struct {
    const char *title;
    char *text;
} hc_report_paragraph;

/* The sections of the report, in the order of the page. */
typedef enum {
    HC_REPORT_SECTION_GLANCE = 0, /* the cards and the headline chart */
    HC_REPORT_SECTION_CALLS,      /* this week's call list */
    HC_REPORT_SECTION_SUMMARY,
    HC_REPORT_SECTION_CURRENT,
    HC_REPORT_SECTION_LEAD,       /* how early the score warns */
    HC_REPORT_SECTION_TREND,      /* bands by month over the history */
    HC_REPORT_SECTION_SEASONS,    /* calibration and false red flags by calendar
                                     month (report_season.c) */
    HC_REPORT_SECTION_BACKTEST,
    HC_REPORT_SECTION_WEIGHTS,
    HC_REPORT_SECTION_THRESHOLDS,
    HC_REPORT_SECTION_RISK,
    HC_REPORT_SECTION_SEGMENTS,
    HC_REPORT_SECTION_DRIFT,
    HC_REPORT_SECTION_DATA,
    HC_REPORT_SECTION_CAVEATS,
    HC_REPORT_SECTION_FILES,
    HC_REPORT_SECTION_COUNT
} hc_report_section_id;

/* A figure: a plot of plots/ with the data file behind it and a caption. */
typedef struct {
    const char *name;       /* plot base name, e.g. "roc" (static) */
    const char *data_file;  /* what data/ holds its numbers, e.g. "roc.csv"
                               or "reliability.csv and prediction_hist.csv"
                               (static) */
    char caption[512];      /* plain text, data strings raw */
    char takeaway[512];     /* one data-derived sentence: what to read off it */
} hc_report_figure;

/* The most figures a report shows: one per plot of hc_plot.h. */
#define HC_REPORT_FIGURES_MAX 14

/* A section of the pages: where it is, what it is called, its figures. */
typedef struct {
    int shown;              /* the section is in the report (drift only
                               with a previous period) */
    const char *anchor;     /* fragment id, e.g. "summary" (static) */
    const char *contents;   /* its name in the list of contents (static) */
    char heading[96];       /* its heading, e.g. "Revenue at risk in the
                               next 90 days" */
    size_t first_figure;    /* its figures are doc.figures[first_figure
                               .. first_figure + n_figures), at its end */
    size_t n_figures;
} hc_report_section;

/* One row of the table of today's book by band. */
typedef struct {
    const char *band;       /* the tuned band's name (borrowed from the
                               tuned config), or static text */
    char range[64];         /* its health range: "below 45.5", "45.5 to 70",
                               "70 and above" (hc_format_band_range) */
    size_t accounts;
    char arr[64];           /* ARR of the band (hc_format_money) */
    char expected_arr[64];  /* expected churned ARR, sum of P(churn) x ARR */
    double loss_rate;       /* expected_arr / arr as a fraction; NaN when
                               the band holds no ARR */
} hc_report_book_row;

/* One card of "at a glance": a number and a sentence, linking to the
 * section that backs it. Plain text, data strings raw. */
typedef struct {
    char title[96];         /* "Does the score predict churn?" */
    const char *anchor;     /* the section it links to (static) */
    char value[64];         /* the number, e.g. "0.74" or "3.1x" */
    char text[600];         /* one sentence */
    int tone;               /* 1 good news, 0 neutral, -1 a warning */
} hc_report_card;

#define HC_REPORT_CARDS_MAX 6

/* The sizes of the summary and the caveats (at most this many each). */
#define HC_REPORT_SUMMARY_MAX 8
#define HC_REPORT_CAVEATS_MAX 12

/* The report's document: what index.html and summary.md say, built once
 * by hc_report_run so that each renderer only chooses the markup. Text in
 * it is plain (data strings raw; each renderer escapes them). */
typedef struct {
    hc_report_section sections[HC_REPORT_SECTION_COUNT]; /* by id */
    hc_report_figure figures[HC_REPORT_FIGURES_MAX];
    size_t n_figures;
    /* The executive summary, in plain words: does the current score
     * predict churn, what the tuned weights gain out of time, the weights,
     * the recommended thresholds, revenue at risk, drift. A paragraph that
     * could not be allocated is left out. */
    hc_report_paragraph summary[HC_REPORT_SUMMARY_MAX];
    size_t n_summary;
    hc_report_card cards[HC_REPORT_CARDS_MAX]; /* "at a glance" */
    size_t n_cards;
    char folds_note[800];   /* why the backtest's folds are too few or too
                               small to conclude, or "" */
    int thresholds_verdict; /* index into summary of the thresholds
                               paragraph, -1 when left out */
    int drift_verdict;      /* of the drift paragraph, -1 when none */
    char seasons_note[900]; /* what the seasons section reads off its tables
                               (report_season.c), or "" */
    /* The caveats: correlation is not causation, censoring, repeated
     * snapshots, small segments, ... */
    hc_report_paragraph caveats[HC_REPORT_CAVEATS_MAX];
    size_t n_caveats;
    /* Today's book per tuned band (n_bands rows, owned), the accounts
     * without a score, and all of it. */
    hc_report_book_row *book;
    size_t n_book;
    hc_report_book_row book_unscored; /* band "no score", range "no
                                         component data", no expected loss */
    hc_report_book_row book_total;    /* band "all", range "" */
    char churned_arr[48];   /* last ARR of the accounts that churned */
    /* The report directory's folders (out_dir/data, out_dir/plots). */
    char data_dir[4096];
    char plots_dir[4096];
} hc_report_document;

/* One config on every labelled snapshot, in accounts (report_glance.c):
 * per band, the accounts with a labelled snapshot in it and how many of
 * them churned within the horizon of such a snapshot (Wilson 95% over
 * accounts); red against green; lead times; the pass bars. */
typedef struct {
    int ok;                     /* computed */
    size_t rows;                /* labelled snapshots with a health score */
    size_t accounts;            /* distinct accounts among them */
    size_t n_bands;
    size_t *band_accounts;      /* n_bands (owned) */
    size_t *band_churned;
    double *band_rate, *band_lo, *band_hi;
    double rr, rr_lo, rr_hi;    /* red rate / green (top band) rate, Katz log
                                   95% interval; NaN when not estimable */
    double base_rate;           /* churner snapshots / snapshots */
    double red_over_base;       /* red band's snapshot churn rate / base_rate */
    double green_share;         /* accounts whose latest labelled snapshot is
                                   in the top band / accounts */
    int has_lead;
    hc_lead_time_result lead;
} hc_report_eval;

/* Bands over time (report_glance.c), current config, labelled snapshots:
 * per period (month, or quarter when the history spans more than 24
 * months), each account counted once by its latest labelled snapshot in
 * the period; per band, those accounts and how many churned within the
 * horizon of that snapshot. */
typedef struct {
    size_t n_periods, n_bands;
    int quarterly;
    int32_t *start;             /* n_periods first days (owned) */
    size_t *accounts;           /* n_periods x n_bands, row-major (owned) */
    size_t *churned;
} hc_report_trend;

typedef struct {
    hc_report_options opt;      /* as run (pointers borrowed from the caller) */
    hc_model *current;          /* the current config (owned) */
    hc_history history;         /* owned */
    hc_validate_result validate;/* current config, all observations */
    hc_validate_rows validate_rows;
    hc_fit_result fit;          /* fit.tuned is the tuned config, with the
                                   recommended bands when bands_written */
    int has_backtest;
    hc_backtest_result backtest;
    char backtest_note[1100];   /* why there is no backtest */
    /* The one recommendation every later section follows: */
    int adopt_tuned;            /* the tuned config ranks better out of time */
    char decision_text[900];    /* the decision and its reason, in words */
    hc_model *kept;             /* the current config as scored when kept
                                   (owned; NULL when adopted) */
    int kept_mapped;            /* kept's P(churn) is a logistic map of the
                                   current health, fitted on every labelled
                                   snapshot (it had no churn model) */
    const hc_model *scoring;    /* fit.tuned or kept: thresholds, book,
                                   revenue at risk and predictions.csv */
    int bands_written;          /* the recommended cut points are tuned's bands */
    size_t bands_met, bands_folds; /* the out-of-time evidence for them */
    char bands_note[600];
    /* thresholds */
    hc_report_cuts_source cuts_source;
    const hc_threshold_result *thresholds; /* backtest.sweep or own_thresholds;
                                              NULL with HC_REPORT_CUTS_KEPT */
    hc_threshold_result own_thresholds;
    int has_own_thresholds;
    char thresholds_note[1100];
    /* today's accounts, scored with the tuned config */
    hc_predict_result predict;
    /* The book: the predict rows of accounts without a churn event on or
     * before the as-of date (an account that has churned is no longer at
     * risk, though its last snapshot is still scored). Per tuned band: */
    unsigned char *in_book;     /* per predict row: 1 = in the book */
    size_t *band_accounts;
    double *band_arr;           /* missing ARR counts as 0 */
    double *band_expected_arr;  /* sum of P(churn) x ARR */
    size_t book_accounts;
    double book_arr;
    double book_expected_arr;
    double book_expected_churners; /* sum of P(churn) */
    hc_predict_risk_range book_risk;  /* the range of the book's churned ARR
                                         (hc_predict_risk_range_compute over
                                         the scored accounts in the book) */
    size_t book_unscored;       /* no health score */
    double book_unscored_arr;
    size_t book_stale;          /* in the book, no snapshot within the horizon */
    double book_stale_arr;
    size_t churned_accounts;    /* left out: churned on or before as-of */
    double churned_arr;
    /* drift since the previous period (tuned config) */
    int has_drift;
    hc_drift_result drift;
    /* segments */
    size_t n_segments;
    hc_report_segment *segments;  /* largest first (accounts, then snapshots) */
    /* at a glance: current [0] and tuned [1] on every labelled snapshot
     * (the tuned one in-sample: it was fitted on them), the trend, and
     * this week's call list (from predict, the scoring config) */
    hc_report_eval eval[2];
    hc_report_trend trend;
    hc_call_list calls;
    hc_user_health users;       /* with a roll-up: the users of the first
                                   HC_REPORT_USER_ACCOUNTS listed accounts */
    char generated[32];         /* UTC date and time of the run */
    hc_report_document doc;     /* what the pages say (owned) */
} hc_report_result;

/* Runs the report (see the top of this file): steps 1-9, which leave
 * the report directory holding its data files, tuned.json and
 * predictions.csv but neither plots nor pages; hc_report_write (output
 * layer) completes it. On success `res` holds everything the pages show,
 * res->doc included. Errors: HC_EUSAGE for bad options (a previous period
 * that does not end before the latest snapshot, an output path that is an
 * input), HC_EDATA for bad input files, HC_ENUMERIC when the current
 * config cannot be validated or the tuned model cannot be fitted, HC_EIO
 * when the directory cannot be written. Release `res` with
 * hc_report_result_release in every case. */
hc_status hc_report_run(const hc_report_options *opt, hc_report_result *res,
                        hc_error *err);

/* Frees everything `res` owns (its document too) and zeroes it; NULL is a
 * no-op. */
void hc_report_result_release(hc_report_result *res);

/* The config that scores the thresholds, the book, revenue at risk and
 * predictions.csv (res->scoring), in words: "tuned config and its
 * recommended bands", "current config", ... */
const char *hc_report_scoring_label(const hc_report_result *res);

#endif
