/* hc_report_render.h - the quarterly report's plots and pages: drawing plots/, writing index.html and summary.md from the report's document (layer: output).
 *
 * hc_report_run (hc_report.h, workflow layer) computes the report, builds
 * its document and writes the data files; hc_report_write completes the
 * report directory from them:
 *
 *   1. data/coefficients.csv, the churn model's coefficient table
 *      (hc_coef_table_write_csv);
 *   2. the plots, drawn from data/ into plots/ by hc_plot_all (a plot that
 *      cannot be drawn is not an error: the pages say which and why);
 *   3. summary.md, then index.html last, each atomically, so that a run
 *      that fails while writing leaves no index.html claiming success.
 *
 * The renderers only read the result and its document: every verdict,
 * caption, band range and formatted amount of the book comes from there,
 * and the numbers of the tables from the result's structs.
 */
#ifndef HC_REPORT_RENDER_H
#define HC_REPORT_RENDER_H

#include <stdio.h>

#include "hc_error.h"
#include "hc_plot.h"
#include "hc_report.h"

/* How hc_report_write draws the plots. */
typedef struct {
    unsigned plot_formats;      /* HC_PLOT_SVG | HC_PLOT_PNG (default); 0: both */
    hc_gnuplot_options gnuplot; /* zeroed: gnuplot from PATH */
} hc_report_write_options;

/* Sets both plot formats and gnuplot from PATH with its default limits. */
void hc_report_write_options_init(hc_report_write_options *opt);

/* What became of the plots. */
typedef struct {
    int available;          /* gnuplot could be run */
    char why[1024];         /* why not, or why some failed; "" */
    hc_plot_summary summary;/* what was drawn (zeroed when unavailable),
                               the report's own figures (headline,
                               lead_time, trend) included */
} hc_report_plots;

/* Completes the report directory of a successful hc_report_run (see the
 * top of this file): res->doc names the folders; `opt` NULL means the
 * defaults of hc_report_write_options_init. `plots` receives what
 * was drawn; it is filled as far as the run got, whatever the status. The
 * stages are told to res->opt.progress. Errors: HC_EIO when a file cannot
 * be written, HC_ENOMEM. */
hc_status hc_report_write(const hc_report_result *res, const hc_report_write_options *opt,
                          hc_report_plots *plots, hc_error *err);

/* Writes index.html for `res` to `f` (src/output/report_html*.c): one HTML
 * page with inline CSS and the SVG plots of plots_dir (may be NULL: no
 * plots) inlined through hc_html_inline_svg; no script, no link, no
 * external reference of any kind. Every string from data is escaped. A
 * plot that is missing or cannot be inlined is named with the reason, from
 * `plots`. Write errors are left in the stream for the caller to check. */
void hc_report_write_html(FILE *f, const hc_report_result *res, const hc_report_plots *plots,
                          const char *plots_dir);

/* Writes summary.md (src/output/report_md.c): the executive summary and
 * the main tables as Markdown, with data strings escaped for Markdown and
 * for the HTML a Markdown renderer passes through; says when the plots are
 * missing (from `plots`). Write errors are left in the stream. */
void hc_report_write_markdown(FILE *f, const hc_report_result *res,
                              const hc_report_plots *plots);

/* ---- index.pdf (src/output/report_pdf.c) ---- */

/* Finds a converter that prints HTML to PDF: Debian's chromium (or
 * chromium-browser, google-chrome) on PATH, written to `path`. HC_EIO with
 * a message saying how to install one when none is found. */
hc_status hc_report_pdf_find(char *path, size_t size, hc_error *err);

/* Prints `html` to `pdf` with `converter` (headless, no sandbox, a fresh
 * profile in /tmp removed afterwards, no header or footer), run without a
 * shell and killed after `timeout` seconds (<= 0: 120); the PDF is
 * written beside its target and renamed into place only when complete.
 * HC_EIO when the converter fails. The page's print stylesheet gives each
 * section its own page and keeps tables and figures whole. */
hc_status hc_report_write_pdf(const char *converter, const char *html, const char *pdf,
                              double timeout, hc_error *err);

#endif
