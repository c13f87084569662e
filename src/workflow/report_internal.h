/* report_internal.h - the parts of the report workflow shared by its files (private to src/workflow/report*.c). */
#ifndef HC_REPORT_INTERNAL_H
#define HC_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "hc_report.h"

/* Tells the caller's progress callback, if any, that a stage starts. */
void hc_rpt_stage(const hc_report_options *opt, const char *what);

/* ---- the report's own analysis (report_analysis.c) ---- */

/* Step 5: chooses the band cut points (on the backtest's pooled rows, or
 * in-sample without them) and writes them into res->fit.tuned's bands,
 * setting res->cuts_source, res->thresholds and res->thresholds_note. A
 * search that is not possible is not an error (the bands are kept and the
 * note says why); errors are HC_ENOMEM and those of hc_model_set_bands. */
hc_status hc_rpt_recommend_thresholds(hc_report_result *res, hc_error *err);

/* The one recommendation (report_decision.c): adopt the tuned config when
 * the backtest's paired test (clustered by account) shows it ranks
 * churners better out of time, else keep the current one (res->kept, with
 * a fitted P(churn) map when it has no churn model). Sets adopt_tuned,
 * decision_text and scoring, the config every later section uses. */
hc_status hc_rpt_decide(hc_report_result *res, hc_error *err);

/* Folds whose cut points, chosen on training rows, reached the target on
 * the following test period (primary config), folds with a value, and the
 * range of the values. */
void hc_rpt_fold_objective(const hc_report_result *res, size_t *met, size_t *used,
                           double *lo, double *hi);

/* Whether the recommended bands go into tuned.json: when the objective
 * held out of time in more than half the folds (the walked-forward folds
 * when the cut points come from the backtest, else the per-fold choices),
 * or opt.force_bands. Sets bands_met, bands_folds, bands_written and
 * bands_note. */
void hc_rpt_bands_evidence(hc_report_result *res);

/* Today's book: which predict rows are accounts not yet churned, and the
 * accounts, ARR and expected churned ARR per tuned band (res->in_book,
 * band_*, book_*, churned_*). Only HC_ENOMEM. */
hc_status hc_rpt_build_book(hc_report_result *res, hc_error *err);

/* The per-segment table (res->segments, largest first), with each
 * segment's out-of-time AUCs on the backtest's pooled rows. Nothing when
 * the data has no segment column. Only HC_ENOMEM. */
hc_status hc_rpt_build_segments(hc_report_result *res, hc_error *err);

/* ---- the document (report_document.c, report_summary.c, report_caveats.c) ---- */

/* Builds res->doc from the computed result (steps 1-7): sections,
 * figures, the book's table, the summary and the caveats. Only
 * HC_ENOMEM; a paragraph that cannot be allocated is left out. The folder
 * names data_dir and plots_dir are filled when the directory is written. */
hc_status hc_rpt_build_document(hc_report_result *res, hc_error *err);

/* Frees what `doc` owns and zeroes it. */
void hc_rpt_document_release(hc_report_document *doc);

/* A paragraph being written: a memory stream. */
typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} hc_rpt_para;

/* Opens the stream; NULL when it cannot be (the paragraph is left out). */
FILE *hc_rpt_para_open(hc_rpt_para *p);

/* Closes the stream and, when there is room (*n < max), appends the
 * paragraph to out[*n] (which then owns the text) and counts it; otherwise
 * frees it. */
void hc_rpt_para_close(hc_rpt_para *p, const char *title, hc_report_paragraph *out,
                       size_t max, size_t *n);

/* Fills up to `max` paragraphs of the executive summary (see
 * hc_report_document) and returns how many. Reads res->doc.book for the
 * band ranges, so the book's table is built first. */
size_t hc_rpt_summary(const hc_report_result *res, hc_report_paragraph *para, size_t max);

/* The caveats, like hc_rpt_summary. */
size_t hc_rpt_caveats(const hc_report_result *res, hc_report_paragraph *para, size_t max);

/* ---- at a glance (report_glance.c, report_glance_doc.c) ---- */

/* The current and tuned configs on every labelled snapshot (res->eval),
 * the bands over time (res->trend) and this week's call list (res->calls,
 * from res->predict). Needs the fit and predict done. HC_ENOMEM and the
 * scoring errors. */
hc_status hc_rpt_glance(hc_report_result *res, hc_error *err);

/* Frees what hc_rpt_glance made. */
void hc_rpt_glance_release(hc_report_result *res);

/* The tuned config of the backtest (and its index), NULL when none. */
const hc_backtest_config *hc_rpt_tuned_config(const hc_report_result *res, size_t *index);

/* Fills doc->cards and doc->folds_note (needs res->doc's book). */
void hc_rpt_cards(const hc_report_result *res, hc_report_document *doc);

/* Fills the takeaway sentence of every figure of doc (after the cards). */
void hc_rpt_takeaways(const hc_report_result *res, hc_report_document *doc);

/* The seasons section's sentence, doc->seasons_note (report_season.c): the
 * months whose O/E interval excludes 1, and the share of non-churning
 * accounts flagged red in August and December against the other months. */
void hc_rpt_seasons(const hc_report_result *res, hc_report_document *doc);

/* Writes calls.csv into the report directory and data/band_rates.csv,
 * data/lead_time.csv and data/trend.csv (report_glance_files.c). */
hc_status hc_rpt_write_glance_files(const hc_report_result *res, hc_error *err);

/* ---- the data files (report_files.c) ---- */

/* Step 9: prepares the report directory (removing an earlier run's pages,
 * data files and plot images; fills res->doc.data_dir and plots_dir) and
 * writes data/ (but coefficients.csv, the output layer's), tuned.json and
 * predictions.csv, each atomically. HC_EIO when it cannot. */
hc_status hc_rpt_write_files(hc_report_result *res, hc_error *err);

#endif
