/* report_html.c - index.html of the quarterly report: one self-contained page, plots inline as SVG, every data string escaped; its frame, summary, caveats and file list. */
#include "report_html.h"

/* Inline CSS: readable on a laptop, printable (no navigation, no split
 * figures or tables when printed), colours that survive greyscale. No
 * url(), no @import: the page fetches nothing. */
static const char css[] =
    ":root{--ink:#1b1b1b;--muted:#555;--rule:#c8c8c8;--accent:#0060a8;"
    "--warn:#8a4b00;--pale:#f3f3f3;--good:#009E73;--bad:#D55E00;--neutral:#56B4E9}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;color:var(--ink);background:#fff;font:16px/1.5 system-ui,"
    "-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
    "overflow-wrap:break-word}\n"
    "header,nav,main,footer,.top{max-width:84rem;margin:0 auto;padding:0 1.25rem}\n"
    "header{padding-top:1rem;padding-bottom:.4rem;border-bottom:2px solid var(--ink)}\n"
    "h1{font-size:1.5rem;margin:.1rem 0 .2rem}\n"
    "h2{font-size:1.3rem;margin:2.4rem 0 .6rem;padding-bottom:.2rem;"
    "border-bottom:1px solid var(--rule)}\n"
    "#glance h2{margin-top:.8rem}\n"
    "h3{font-size:1.05rem;margin:1.4rem 0 .4rem}\n"
    ".meta,figcaption,footer{color:var(--muted);font-size:.9rem}\n"
    "details.meta summary{cursor:pointer}\n"
    "nav ol{columns:3;font-size:.95rem;margin:.8rem 0}\n"
    "a{color:var(--accent)}\n"
    ".glance{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem;"
    "align-items:start}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));"
    "gap:.7rem}\n"
    ".card{display:flex;flex-direction:column;border:1px solid var(--rule);"
    "border-top:5px solid var(--neutral);border-radius:4px;padding:.5rem .7rem;"
    "color:inherit;text-decoration:none;background:#fff}\n"
    ".card:hover{background:var(--pale)}\n"
    ".card.good{border-top-color:var(--good)}.card.bad{border-top-color:var(--bad)}\n"
    ".card .q{font-weight:600;font-size:.92rem}\n"
    ".card .v{font-size:1.7rem;font-weight:700;line-height:1.2;margin:.15rem 0}\n"
    ".card .t{font-size:.85rem;color:#333;line-height:1.35}\n"
    ".headline figure{margin:0}\n"
    ".takeaway{font-weight:600;margin:.3rem 0 .1rem}\n"
    "dl.summary dt{font-weight:600;margin-top:.9rem}\n"
    "dl.summary dd{margin:.15rem 0 0}\n"
    ".note{background:var(--pale);border-left:4px solid var(--warn);padding:.5rem .8rem;"
    "margin:.8rem 0}\n"
    ".missing{color:var(--warn);font-style:italic}\n"
    ".wrap{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem;"
    "font-variant-numeric:tabular-nums}\n"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid var(--rule);text-align:left;"
    "vertical-align:top}\n"
    "thead th{border-bottom:2px solid var(--ink)}\n"
    "td.n,th.n{text-align:right;white-space:nowrap}\n"
    "td.pass{color:#006b4f;font-weight:600}td.fail{color:#a33d00;font-weight:600}\n"
    ".sub{color:var(--muted);font-size:.8rem}\n"
    "table.calls td:last-child{min-width:18rem}table.calls td:nth-child(5){white-space:nowrap}\n"
    "tr.total td{font-weight:600;border-top:2px solid var(--ink)}\n"
    "figure{margin:1.2rem 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figure svg{display:block;width:100%;max-width:800px;height:auto}\n"
    "code{overflow-wrap:anywhere}\n"
    "footer{margin-top:3rem;padding-bottom:2rem;border-top:1px solid var(--rule)}\n"
    "@media (max-width:60rem){.glance{grid-template-columns:minmax(0,1fr)}"
    "nav ol{columns:1}}\n"
    "@media print{@page{margin:14mm}nav{display:none}body{font-size:10pt}"
    "header,nav,main,footer,.top{max-width:none;padding:0}"
    "section{break-before:page;page-break-before:always}"
    "#glance{break-before:auto;page-break-before:auto}"
    ".glance{grid-template-columns:minmax(0,1fr)}"
    ".cards{grid-template-columns:repeat(3,minmax(0,1fr))}"
    ".card{break-inside:avoid;page-break-inside:avoid}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    "tr,figure,.card{break-inside:avoid;page-break-inside:avoid}"
    "thead{display:table-header-group}"
    ".wrap{overflow:visible}table{font-size:8.5pt;width:100%}"
    "th,td{padding:.15rem .3rem}td.n,th.n{white-space:normal}"
    "table.calls td:last-child{min-width:0}"
    "figure svg{max-width:100%}"
    "a{color:inherit;text-decoration:none}}\n";

static void header(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_history *h = &res->history;
    const hc_model *cur = res->current;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<title>Health score report: ", f);
    hc_rh_esc(f, cur->name ? cur->name : cur->source);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
               "<h1>Customer health score: quarterly report</h1>\n<details class=\"meta\">"
               "<summary>As of ", css);
    hc_rh_date(f, res->predict.as_of);
    fputs(": the inputs and the method</summary><p class=\"meta\">", f);
    fputs("Current config <strong>", f);
    hc_rh_esc(f, cur->name ? cur->name : "(unnamed)");
    fputs("</strong> (<code>", f);
    hc_rh_esc(f, res->opt.config_path);
    fputs("</code>). Snapshots <code>", f);
    hc_rh_esc(f, res->opt.snapshots_path);
    fputs("</code> from ", f);
    hc_rh_date(f, h->snapshots.first_date);
    fputs(" to ", f);
    hc_rh_date(f, h->snapshots.last_date);
    fputs(", events <code>", f);
    hc_rh_esc(f, res->opt.events_path);
    fprintf(f, "</code>. An outcome is a churn within %d days of a snapshot", h->labels.horizon);
    if (h->labels.lead)
        fprintf(f, " after a %d-day lead", h->labels.lead);
    fputs("; outcomes are known up to ", f);
    hc_rh_date(f, h->labels.as_of);
    fputs(". Generated by healthcal ", f);
    hc_rh_esc(f, res->opt.version);
    fprintf(f, " on %s.</p></details>\n</header>\n", res->generated);
}

static void contents(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    fputs("<nav><ol>", f);
    for (int id = 0; id < HC_REPORT_SECTION_COUNT; id++) {
        const hc_report_section *s = &pg->doc->sections[id];
        if (s->shown)
            fprintf(f, "<li><a href=\"#%s\">%s</a></li>", s->anchor, s->contents);
    }
    fputs("</ol></nav>\n", f);
}

static void plots_notice(FILE *f, const hc_report_plots *plots)
{
    if (!plots->available) {
        fputs("<p class=\"note\"><strong>Plots are missing:</strong> ", f);
        hc_rh_esc(f, plots->why);
        fputs(". Everything else is complete, and every number behind every plot is in "
              "<code>data/</code>. Run the report again where gnuplot is installed to get "
              "them in this page, or draw them alone with <code>healthcal plot --from "
              "REPORT_DIR -o DIR</code>.</p>\n", f);
        return;
    }
    const hc_plot_summary *s = &plots->summary;
    size_t bad = s->n_failed + s->n_skipped;
    if (bad) {
        fprintf(f, "<p class=\"note\"><strong>%zu of %zu plots were not drawn:</strong> ",
                bad, s->n_plots);
        size_t k = 0;
        for (size_t i = 0; i < s->n_plots; i++) {
            const hc_plot_result *p = &s->plots[i];
            if (p->state == HC_PLOT_DRAWN)
                continue;
            fprintf(f, "%s%s (", k++ ? "; " : "", p->name);
            hc_rh_esc(f, p->reason);
            fputc(')', f);
        }
        fputs(". Their numbers are in <code>data/</code>.</p>\n", f);
    }
}

static void section_summary(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_document *doc = pg->doc;
    hc_rh_section_open(pg, HC_REPORT_SECTION_SUMMARY);
    plots_notice(f, pg->plots);
    fputs("<dl class=\"summary\">\n", f);
    for (size_t i = 0; i < doc->n_summary; i++) {
        fprintf(f, "<dt>%s</dt>\n<dd>", doc->summary[i].title);
        hc_rh_esc(f, doc->summary[i].text);
        fputs("</dd>\n", f);
    }
    fputs("</dl>\n</section>\n", f);
}

static void section_caveats(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_document *doc = pg->doc;
    hc_rh_section_open(pg, HC_REPORT_SECTION_CAVEATS);
    fputs("<ul>\n", f);
    for (size_t i = 0; i < doc->n_caveats; i++) {
        fprintf(f, "<li><strong>%s.</strong> ", doc->caveats[i].title);
        hc_rh_esc(f, doc->caveats[i].text);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</section>\n", f);
}

static void section_files(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    hc_rh_section_open(pg, HC_REPORT_SECTION_FILES);
    fputs("<ul>\n"
          "<li><code>tuned.json</code>: the tuned config for the scorer (weights, "
          "calibration, recommended bands, segments, fit statistics and provenance)</li>\n"
          "<li><code>predictions.csv</code>: every account's health, band, P(churn), "
          "P(expansion), expected ARR at risk and drivers</li>\n"
          "<li><code>summary.md</code>: this summary as Markdown</li>\n"
          "<li><code>plots/</code>: each plot as SVG and PNG</li>\n"
          "<li><code>data/</code>: the numbers behind every plot and table: ", f);
    if (res->has_backtest)
        fputs("folds.csv, bands_over_time.csv, summary.json (the backtest), ", f);
    if (res->has_backtest || res->cuts_source == HC_REPORT_CUTS_IN_SAMPLE)
        fputs("thresholds.csv, cutpoints.csv, ", f);
    fputs("reliability.csv, prediction_hist.csv, roc.csv, pr.csv, gains.csv, "
          "score_distribution.csv, weights.csv, band_arr.csv, coefficients.csv, "
          "segments.csv, reconciliation.csv, validate.json, revenue_at_risk.json", f);
    if (res->has_drift)
        fputs(", drift.json", f);
    if (res->validate.has_months || res->validate.has_flags)
        fputs(", seasons.csv (calibration and false red flags by calendar month)", f);
    fputs("</li>\n</ul>\n</section>\n", f);
}

void hc_report_write_html(FILE *f, const hc_report_result *res, const hc_report_plots *plots,
                          const char *plots_dir)
{
    hc_rh_page page = {f, res, &res->doc, plots, plots_dir};
    const hc_rh_page *pg = &page;
    header(pg);
    fputs("<div class=\"top\">\n", f);
    hc_rh_section_glance(pg);
    fputs("</div>\n", f);
    contents(pg);
    fputs("<main>\n", f);
    hc_rh_section_calls(pg);
    section_summary(pg);
    hc_rh_section_current(pg);
    hc_rh_section_lead(pg);
    hc_rh_section_trend(pg);
    if (page.doc->sections[HC_REPORT_SECTION_SEASONS].shown)
        hc_rh_section_seasons(pg); /* report_html_season.c */
    hc_rh_section_backtest(pg);
    hc_rh_section_weights(pg);
    hc_rh_section_thresholds(pg);
    hc_rh_section_risk(pg);
    hc_rh_section_segments(pg);
    if (page.doc->sections[HC_REPORT_SECTION_DRIFT].shown)
        hc_rh_section_drift(pg);
    hc_rh_section_data(pg);
    section_caveats(pg);
    section_files(pg);
    fputs("</main>\n<footer><p>healthcal ", f);
    hc_rh_esc(f, res->opt.version);
    fputs(": weights by logistic regression (IRLS), AUC intervals by DeLong et al. "
          "(1988) clustered by account (Obuchowski 1997), calibration as in Cox (1958) and Steyerberg (2010), walk-forward "
          "backtest by date with an embargo. This page is self-contained: it loads "
          "nothing.</p></footer>\n</body>\n</html>\n", f);
}
