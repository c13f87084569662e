/* report_document.c - the report's document: its sections and figures, today's book as a table, the summary and the caveats, for the renderers to read. */
#include "report_internal.h"
#include "hc_format.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

FILE *hc_rpt_para_open(hc_rpt_para *p)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    return p->f;
}

void hc_rpt_para_close(hc_rpt_para *p, const char *title, hc_report_paragraph *out,
                       size_t max, size_t *n)
{
    if (!p->f)
        return;
    int bad = fclose(p->f) != 0;
    if (bad || *n >= max) {
        free(p->buf);
        return;
    }
    out[*n].title = title;
    out[*n].text = p->buf;
    (*n)++;
}

/* ---- sections and figures ---- */

static void section(hc_report_document *doc, hc_report_section_id id, int shown,
                    const char *anchor, const char *contents, const char *heading)
{
    hc_report_section *s = &doc->sections[id];
    s->shown = shown;
    s->anchor = anchor;
    s->contents = contents;
    snprintf(s->heading, sizeof s->heading, "%s", heading);
    s->first_figure = doc->n_figures;
    s->n_figures = 0;
}

/* Appends a figure to section `id` (the section last begun), its caption
 * formatted from `fmt` as printf does. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void figure(hc_report_document *doc, hc_report_section_id id, const char *name,
                   const char *data_file, const char *fmt, ...)
{
    if (doc->n_figures >= HC_REPORT_FIGURES_MAX)
        return;
    hc_report_figure *g = &doc->figures[doc->n_figures++];
    g->name = name;
    g->data_file = data_file;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->caption, sizeof g->caption, fmt, ap);
    va_end(ap);
    doc->sections[id].n_figures++;
}

static void build_sections(const hc_report_result *res, hc_report_document *doc)
{
    /* The backtest's curves are out of time when there is a backtest,
     * in-sample (of the current config) otherwise. */
    const char *scope = res->has_backtest ? "on the pooled out-of-time test snapshots"
                                          : "on all labelled snapshots (in-sample)";
    char risk[96];
    snprintf(risk, sizeof risk, "Revenue at risk in the next %d days",
             res->predict.horizon_days);

    section(doc, HC_REPORT_SECTION_GLANCE, 1, "glance", "At a glance", "At a glance");
    figure(doc, HC_REPORT_SECTION_GLANCE, "headline", "band_rates.csv",
           "Churn rate within %d days per band, in accounts: of the accounts with a "
           "labelled snapshot in the band, the share that churned within the horizon of "
           "one, with Wilson 95%% intervals; the current config and the tuned one "
           "(in-sample: fitted on the same history).", res->history.labels.horizon);
    section(doc, HC_REPORT_SECTION_CALLS, 1, "calls", "This week's call list",
            "This week's call list");
    section(doc, HC_REPORT_SECTION_SUMMARY, 1, "summary", "Executive summary",
            "Executive summary");
    section(doc, HC_REPORT_SECTION_CURRENT, 1, "current", "The current score",
            "The current score");
    section(doc, HC_REPORT_SECTION_LEAD, 1, "lead", "How early the score warns",
            "How early the score warns");
    figure(doc, HC_REPORT_SECTION_LEAD, "lead_time", "lead_time.csv",
           "Share of churned accounts that were red, or below green, 30, 60 and 90 days "
           "before churning (each by its latest labelled snapshot on or before that day), "
           "with Wilson 95%% intervals over accounts; current and tuned (in-sample) "
           "config.");
    section(doc, HC_REPORT_SECTION_TREND, 1, "trend", "Bands over time", "Bands over time");
    figure(doc, HC_REPORT_SECTION_TREND, "trend", "trend.csv",
           "Share of accounts per band of the current config and each band's churn rate "
           "within %d days, by %s of snapshot (each account once per period, by its latest "
           "labelled snapshot).", res->history.labels.horizon,
           res->trend.quarterly ? "quarter" : "month");
    section(doc, HC_REPORT_SECTION_SEASONS, res->validate.has_months, "seasons", "Seasons",
            "Seasons: calibration and false red flags by calendar month");
    section(doc, HC_REPORT_SECTION_BACKTEST, 1, "backtest", "Out of time: current vs tuned",
            "Out of time: current vs tuned");
    figure(doc, HC_REPORT_SECTION_BACKTEST, "roc", "roc.csv",
           "ROC curve %s: churners flagged against retained accounts flagged, over "
           "every threshold; the diagonal is chance.", scope);
    figure(doc, HC_REPORT_SECTION_BACKTEST, "pr", "pr.csv",
           "Precision against recall %s.", scope);
    figure(doc, HC_REPORT_SECTION_BACKTEST, "gains", "gains.csv",
           "Cumulative gains %s: the share of churners caught when the riskiest share "
           "of snapshots is flagged.", scope);
    figure(doc, HC_REPORT_SECTION_BACKTEST, "reliability",
           "reliability.csv and prediction_hist.csv",
           "Reliability diagram %s: observed churn rate against predicted probability "
           "by decile of prediction, with Wilson 95%% intervals, and the histogram of "
           "predictions.", scope);
    figure(doc, HC_REPORT_SECTION_BACKTEST, "score_distribution", "score_distribution.csv",
           "Health score of snapshots followed by a churn and of the others %s.", scope);
    if (res->has_backtest) {
        figure(doc, HC_REPORT_SECTION_BACKTEST, "folds", "folds.csv",
               "Metrics per backtest fold, by the start of its test period.");
        figure(doc, HC_REPORT_SECTION_BACKTEST, "bands_over_time", "bands_over_time.csv",
               "Churn rate per band in each backtest test period, under the cut points "
               "chosen on that fold's training rows.");
    }
    section(doc, HC_REPORT_SECTION_WEIGHTS, 1, "weights", "Weights",
            "Weights: current vs tuned");
    figure(doc, HC_REPORT_SECTION_WEIGHTS, "weights", "weights.csv",
           "Component weights of the current and the tuned config, with the tuned "
           "weights' 95%% intervals.");
    section(doc, HC_REPORT_SECTION_THRESHOLDS, 1, "thresholds", "Recommended thresholds",
            "Recommended thresholds");
    figure(doc, HC_REPORT_SECTION_THRESHOLDS, "thresholds", "thresholds.csv and cutpoints.csv",
           "Threshold sweep of the tuned model: share of snapshots flagged, recall and "
           "precision of flagging every snapshot below a cut point, with the recommended "
           "cut points marked.");
    section(doc, HC_REPORT_SECTION_RISK, 1, "risk", "Revenue at risk", risk);
    figure(doc, HC_REPORT_SECTION_RISK, "band_arr", "band_arr.csv",
           "ARR and expected churned ARR per band of today's book.");
    section(doc, HC_REPORT_SECTION_SEGMENTS, 1, "segments", "Segments", "Segments");
    section(doc, HC_REPORT_SECTION_DRIFT, res->has_drift, "drift", "Drift",
            "Drift since the previous period");
    section(doc, HC_REPORT_SECTION_DATA, 1, "data", "Data reconciliation",
            "Data reconciliation");
    section(doc, HC_REPORT_SECTION_CAVEATS, 1, "caveats", "Caveats", "Caveats");
    section(doc, HC_REPORT_SECTION_FILES, 1, "files", "Files", "Files in this report");
}

/* ---- today's book as a table ---- */

static void book_row(hc_report_book_row *row, const char *band, size_t accounts,
                     double arr, double expected_arr)
{
    row->band = band;
    row->accounts = accounts;
    hc_format_money(arr, row->arr, sizeof row->arr);
    hc_format_money(expected_arr, row->expected_arr, sizeof row->expected_arr);
    row->loss_rate = arr > 0 ? expected_arr / arr : NAN;
}

static hc_status build_book_table(const hc_report_result *res, hc_report_document *doc,
                                  hc_error *err)
{
    const hc_model *m = res->scoring;
    size_t nb = m->n_bands;
    double *mins = malloc((nb ? nb : 1) * sizeof *mins);
    doc->book = calloc(nb ? nb : 1, sizeof *doc->book);
    if (!mins || !doc->book) {
        free(mins);
        return hc_error_nomem(err);
    }
    for (size_t b = 0; b < nb; b++)
        mins[b] = m->bands[b].min;
    for (size_t b = 0; b < nb; b++) {
        hc_report_book_row *row = &doc->book[b];
        book_row(row, m->bands[b].name, res->band_accounts[b], res->band_arr[b],
                 res->band_expected_arr[b]);
        hc_format_band_range(mins, nb, b, row->range, sizeof row->range);
    }
    doc->n_book = nb;
    free(mins);
    /* Accounts without a score have no expected loss: only their ARR. */
    book_row(&doc->book_unscored, "no score", res->book_unscored, res->book_unscored_arr,
             NAN);
    snprintf(doc->book_unscored.range, sizeof doc->book_unscored.range,
             "no component data");
    doc->book_unscored.expected_arr[0] = '\0';
    book_row(&doc->book_total, "all", res->book_accounts, res->book_arr,
             res->book_expected_arr);
    hc_format_money(res->churned_arr, doc->churned_arr, sizeof doc->churned_arr);
    return HC_OK;
}

/* ---- the document ---- */

static int find_paragraph(const hc_report_paragraph *para, size_t n, const char *title)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(para[i].title, title) == 0)
            return (int)i;
    return -1;
}

hc_status hc_rpt_build_document(hc_report_result *res, hc_error *err)
{
    hc_report_document *doc = &res->doc;
    build_sections(res, doc);
    hc_status st = build_book_table(res, doc, err);
    if (st != HC_OK)
        return st;
    doc->n_summary = hc_rpt_summary(res, doc->summary, HC_REPORT_SUMMARY_MAX);
    doc->thresholds_verdict =
        find_paragraph(doc->summary, doc->n_summary, "Recommended thresholds");
    doc->drift_verdict =
        find_paragraph(doc->summary, doc->n_summary, "Drift since the previous period");
    doc->n_caveats = hc_rpt_caveats(res, doc->caveats, HC_REPORT_CAVEATS_MAX);
    hc_rpt_cards(res, doc);
    hc_rpt_takeaways(res, doc);
    hc_rpt_seasons(res, doc); /* report_season.c */
    return HC_OK;
}

void hc_rpt_document_release(hc_report_document *doc)
{
    for (size_t i = 0; i < doc->n_summary; i++)
        free(doc->summary[i].text);
    for (size_t i = 0; i < doc->n_caveats; i++)
        free(doc->caveats[i].text);
    free(doc->book);
    memset(doc, 0, sizeof *doc);
}
