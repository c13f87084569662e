/* hc_report.h - the quarterly report: validate, fit, backtest, thresholds, predict, drift, plots, HTML and Markdown (layer: output).
 *
 * hc_report_run is the job an analyst runs each quarter (DESIGN.md
 * "Plots and report"), one library call with an options struct in and a
 * result struct out:
 *
 *   1. loads the current (hand-set) config and, once, the history it needs
 *      (role columns from the config unless the options name them);
 *   2. validates the current config on every labelled observation
 *      (hc_validate_model: AUC with its DeLong interval, calibration);
 *   3. fits the tuned config on the same observations (hc_fit_model with
 *      segments when the data has a segment column, hc_fit_annotate);
 *   4. backtests current and tuned on identical walk-forward folds
 *      (hc_backtest_run with the threshold objective), which gives the
 *      out-of-time AUC difference with DeLong's paired interval;
 *   5. recommends band cut points by the objective and writes them into the
 *      tuned config's bands: those chosen on the tuned model's pooled
 *      out-of-time test rows of the backtest, so the recall (or precision,
 *      or value) they promise is what a refitted model achieved on data it
 *      had not seen; without a backtest, those chosen on the final model's
 *      in-sample health scores (and the report says so);
 *   6. scores today's accounts with the tuned config (hc_predict_run);
 *   7. optionally measures drift since a previous period (hc_drift_run);
 *   8. writes the report directory (below), each file atomically, and
 *      draws the plots into plots/ with hc_plot_all.
 *
 * Nothing is written until steps 1-7 have succeeded, so bad input leaves
 * the output directory as it was. Writing starts by removing an earlier
 * run's index.html and summary.md and the plot images, and index.html is
 * written last: a run that fails while writing leaves no index.html that
 * claims success, and a plot never outlives the data it was drawn from.
 *
 * The report directory:
 *   index.html      self-contained page (hc_report_write_html)
 *   summary.md      the same summary as Markdown (hc_report_write_markdown)
 *   tuned.json      the tuned config for the scorer
 *   predictions.csv today's accounts (hc_predict_write_csv)
 *   plots/          NAME.svg and NAME.png for every plot of hc_plot.h
 *   data/           every number behind every plot and table, as CSV/JSON:
 *                   the backtest's files (folds.csv, bands_over_time.csv,
 *                   thresholds.csv, cutpoints.csv, summary.json and the
 *                   pooled reliability/prediction_hist/roc/pr/gains/
 *                   score_distribution.csv), weights.csv, band_arr.csv,
 *                   coefficients.csv, segments.csv, reconciliation.csv,
 *                   validate.json and, with a previous period, drift.json
 *
 * When gnuplot cannot be run the report still comes out: plots are listed
 * as missing with the reason, and every number stays in data/.
 */
#ifndef HC_REPORT_H
#define HC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_backtest.h"
#include "hc_drift.h"
#include "hc_error.h"
#include "hc_fit.h"
#include "hc_metrics.h"
#include "hc_model.h"
#include "hc_observations.h"
#include "hc_plot.h"
#include "hc_predict.h"
#include "hc_thresholds.h"
#include "hc_validate.h"

/* A segment with fewer churn events than this among its observations is
 * called small in the report (the events-per-variable rule of Peduzzi et
 * al. 1996 asks for about 10 per estimated coefficient). */
#define HC_REPORT_SMALL_SEGMENT_EVENTS 10

/* The pages show at most this many segments, the largest first; every
 * segment is in data/segments.csv. */
#define HC_REPORT_SEGMENTS_SHOWN 50

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
    int step_days;                 /* backtest test period and step (90) */
    int window_days;               /* training window, 0 = expanding (365) */
    int segments;                  /* per-segment fit when the data has a
                                      segment column (default 1) */
    double ridge;                  /* L2 penalty of the fits (default 0) */
    int has_previous;              /* measure drift against `previous` */
    hc_drift_period previous;      /* the baseline period; the current one
                                      runs from the day after it to the
                                      latest snapshot date */
    /* output */
    const char *out_dir;           /* created when missing */
    unsigned plot_formats;         /* HC_PLOT_SVG | HC_PLOT_PNG (default) */
    hc_gnuplot_options gnuplot;    /* zeroed: gnuplot from PATH */
    const char *version;           /* tool version written in the outputs */
    hc_report_progress_fn progress; /* NULL for none */
    void *progress_ctx;
} hc_report_options;

/* Sets the defaults above: recall objective with target 0.7, step 90,
 * window 365, segments on, both plot formats, version "unknown". */
void hc_report_options_init(hc_report_options *opt);

/* One row of the per-segment table. */
typedef struct {
    char *name;                 /* segment value (owned); NULL: rows without one */
    size_t accounts;            /* in today's book */
    double arr;                 /* ARR of the book (missing ARR as 0) */
    double expected_churned_arr;/* sum of P(churn) x ARR in the book */
    size_t observations;        /* labelled rows */
    size_t churners;            /* of them, churn within the horizon */
    int has_auc[2];             /* out-of-time AUC of current [0], tuned [1];
                                   needs HC_REPORT_SMALL_SEGMENT_EVENTS churn
                                   snapshots among the segment's test rows */
    hc_metrics_auc_ci auc[2];   /* DeLong 95% on the backtest's pooled rows */
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

typedef struct {
    hc_report_options opt;      /* as run (pointers borrowed from the caller) */
    hc_model *current;          /* the current config (owned) */
    hc_history history;         /* owned */
    hc_validate_result validate;/* current config, all observations */
    hc_validate_rows validate_rows;
    hc_fit_result fit;          /* fit.tuned is the tuned config, with the
                                   recommended bands */
    int has_backtest;
    hc_backtest_result backtest;
    char backtest_note[1100];   /* why there is no backtest */
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
    /* plots */
    int plots_available;        /* gnuplot could be run */
    char plots_why[1024];       /* why not, or why some failed; "" */
    hc_plot_summary plots;      /* what was drawn (zeroed when unavailable) */
    char generated[32];         /* UTC date and time of the run */
} hc_report_result;

/* Runs the report (see the top of this file). On success `res` holds
 * everything the pages show and the directory is written; a plot that could
 * not be drawn is not an error (res->plots says which and why). Errors:
 * HC_EUSAGE for bad options (a previous period that does not end before
 * the latest snapshot, an output path that is an input), HC_EDATA for bad
 * input files, HC_ENUMERIC when the current config cannot be validated or
 * the tuned model cannot be fitted, HC_EIO when the directory cannot be
 * written. Release `res` with hc_report_result_release in every case. */
hc_status hc_report_run(const hc_report_options *opt, hc_report_result *res,
                        hc_error *err);

/* Frees everything `res` owns and zeroes it; NULL is a no-op. */
void hc_report_result_release(hc_report_result *res);

/* Writes index.html for `res` to `f` (src/output/report_html.c): one HTML page
 * with inline CSS and the SVG plots of plots_dir (may be NULL: no plots)
 * inlined through hc_html_inline_svg; no script, no link, no external
 * reference of any kind. Every string from data is escaped. A plot that is
 * missing or cannot be inlined is named with the reason. Write errors are
 * left in the stream for the caller to check. */
void hc_report_write_html(FILE *f, const hc_report_result *res,
                          const char *plots_dir);

/* Writes summary.md (src/output/report_md.c): the executive summary and the main
 * tables as Markdown, with data strings escaped for Markdown and for the
 * HTML a Markdown renderer passes through. */
void hc_report_write_markdown(FILE *f, const hc_report_result *res);

/* ---- shared by the two writers (src/workflow/report.c) ---- */

/* One paragraph of the executive summary or the caveats: a static title
 * and a malloc'd plain-text body (no markup; data strings in it are raw,
 * so each writer escapes the body for its format). */
typedef struct {
    const char *title;
    char *text;
} hc_report_paragraph;

/* Fills up to `max` paragraphs of the executive summary in plain words
 * (does the current score predict churn, what the tuned weights gain out
 * of time, the weights, the recommended thresholds, revenue at risk,
 * drift) and returns how many; free them with hc_report_paragraphs_free.
 * A paragraph that cannot be allocated is left out. */
size_t hc_report_summary(const hc_report_result *res, hc_report_paragraph *para,
                         size_t max);

/* The caveats (correlation is not causation, censoring, repeated
 * snapshots, small segments, ...), like hc_report_summary. */
size_t hc_report_caveats(const hc_report_result *res, hc_report_paragraph *para,
                         size_t max);

/* Frees the bodies of n paragraphs (the array is the caller's). */
void hc_report_paragraphs_free(hc_report_paragraph *para, size_t n);

/* Formats an amount with thousands separators and no decimals
 * ("1,234,567"; "-" for NaN) into buf. */
void hc_report_format_money(double v, char *buf, size_t size);

/* Formats the band i of `m` as a range of health, e.g. "below 45.5",
 * "45.5 to 70", "70 and above" (the whole scale for a single band). */
void hc_report_format_band_range(const hc_model *m, size_t i, char *buf,
                                 size_t size);

#endif
