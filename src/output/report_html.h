/* report_html.h - the parts of index.html shared by its files: the page being written, table cells, figures (private to src/output/report_html*.c). */
#ifndef HC_REPORT_HTML_H
#define HC_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_report_render.h"

/* The page being written: the stream, what it shows, and where the plot
 * images are (plots_dir NULL: none are inlined). */
typedef struct {
    FILE *f;
    const hc_report_result *res;
    const hc_report_document *doc;
    const hc_report_plots *plots;
    const char *plots_dir;
} hc_rh_page;

/* ---- cells and headings (report_html_cells.c) ---- */

/* Writes a data string escaped for HTML text and attributes. */
void hc_rh_esc(FILE *f, const char *s);

/* A number cell: printf-formatted, or a dash when not finite. */
void hc_rh_td_num(FILE *f, const char *fmt, double v);
void hc_rh_td_count(FILE *f, size_t v);
/* A share (fraction) as a percentage with one decimal, or a dash. */
void hc_rh_td_pct(FILE *f, double v);
/* An amount with thousands separators (hc_format_money). */
void hc_rh_td_money(FILE *f, double v);
/* A number cell holding text already formatted (no escaping). */
void hc_rh_td_n(FILE *f, const char *text);
/* A text cell, escaped. */
void hc_rh_td_text(FILE *f, const char *s);
/* An estimate with its interval at `decimals` decimals, "0.769 (0.695 to
 * 0.842)", or a dash when the estimate is not finite. */
void hc_rh_td_ci(FILE *f, double v, double lo, double hi, int decimals);
/* A header row; a leading '#' marks a numeric (right-aligned) column.
 * The names are markup (static), not data. */
void hc_rh_th_row(FILE *f, const char *const *cols, size_t n);
/* A date as YYYY-MM-DD. */
void hc_rh_date(FILE *f, int32_t day);
/* Opens <section> with the document's anchor and heading of `id`. */
void hc_rh_section_open(const hc_rh_page *pg, hc_report_section_id id);
/* Writes the figures of section `id`: each plot inlined as SVG with its
 * caption, or named as missing with the reason. */
void hc_rh_figures(const hc_rh_page *pg, hc_report_section_id id);

#define HC_RH_TH(f, ...)                                                  \
    do {                                                                  \
        static const char *const cols_[] = {__VA_ARGS__};                 \
        hc_rh_th_row((f), cols_, sizeof cols_ / sizeof cols_[0]);         \
    } while (0)

/* ---- sections ---- */

/* report_html_model.c: how good the score is, current and tuned. */
void hc_rh_section_current(const hc_rh_page *pg);
void hc_rh_section_backtest(const hc_rh_page *pg);
void hc_rh_section_weights(const hc_rh_page *pg);
void hc_rh_section_thresholds(const hc_rh_page *pg);

/* report_html_glance.c: the cards and headline chart, the call list, lead
 * times and pass bars, the bands over time. */
void hc_rh_section_glance(const hc_rh_page *pg);
void hc_rh_section_calls(const hc_rh_page *pg);
void hc_rh_section_lead(const hc_rh_page *pg);
void hc_rh_section_trend(const hc_rh_page *pg);

/* report_html_season.c: calibration and false red flags by calendar month. */
void hc_rh_section_seasons(const hc_rh_page *pg);

/* report_html_book.c: today's book, segments, drift, the counts. */
void hc_rh_section_risk(const hc_rh_page *pg);
void hc_rh_section_segments(const hc_rh_page *pg);
void hc_rh_section_drift(const hc_rh_page *pg);
void hc_rh_section_data(const hc_rh_page *pg);

#endif
