/* report_html.c - index.html of the quarterly report: one self-contained page, plots inline as SVG, every data string escaped. */
#include "hc_date.h"
#include "hc_html.h"
#include "hc_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Inline CSS: readable on a laptop, printable (no navigation, no split
 * figures or tables when printed), colours that survive greyscale. No
 * url(), no @import: the page fetches nothing. */
static const char css[] =
    ":root{--ink:#1b1b1b;--muted:#555;--rule:#c8c8c8;--accent:#1f5fa8;"
    "--warn:#8a4b00;--pale:#f3f3f3}\n"
    "body{margin:0;color:var(--ink);background:#fff;font:16px/1.5 system-ui,"
    "-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "header,nav,main,footer{max-width:62rem;margin:0 auto;padding:0 1.25rem}\n"
    "header{padding-top:1.5rem;padding-bottom:.6rem;border-bottom:2px solid var(--ink)}\n"
    "h1{font-size:1.7rem;margin:.2rem 0 .4rem}\n"
    "h2{font-size:1.3rem;margin:2.4rem 0 .6rem;padding-bottom:.2rem;"
    "border-bottom:1px solid var(--rule)}\n"
    "h3{font-size:1.05rem;margin:1.4rem 0 .4rem}\n"
    ".meta,figcaption,footer{color:var(--muted);font-size:.9rem}\n"
    "nav ol{columns:2;font-size:.95rem;margin:.8rem 0}\n"
    "a{color:var(--accent)}\n"
    "dl.summary dt{font-weight:600;margin-top:.9rem}\n"
    "dl.summary dd{margin:.15rem 0 0}\n"
    ".note{background:var(--pale);border-left:4px solid var(--warn);padding:.5rem .8rem;"
    "margin:.8rem 0}\n"
    ".missing{color:var(--warn);font-style:italic}\n"
    ".wrap{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem;"
    "font-variant-numeric:tabular-nums}\n"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid var(--rule);text-align:left;"
    "vertical-align:top}\n"
    "thead th{border-bottom:2px solid var(--ink)}\n"
    "td.n,th.n{text-align:right;white-space:nowrap}\n"
    "tr.total td{font-weight:600;border-top:2px solid var(--ink)}\n"
    "figure{margin:1.2rem 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figure svg{display:block;width:100%;max-width:800px;height:auto}\n"
    "footer{margin-top:3rem;padding-bottom:2rem;border-top:1px solid var(--rule)}\n"
    "@media print{nav{display:none}body{font-size:10.5pt}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    "table,figure{break-inside:avoid;page-break-inside:avoid}"
    ".wrap{overflow:visible}a{color:inherit;text-decoration:none}}\n";

static void esc(FILE *f, const char *s)
{
    hc_html_escape(f, s);
}

/* A number cell: printf-formatted, or a dash when not finite. */
static void td_num(FILE *f, const char *fmt, double v)
{
    fputs("<td class=\"n\">", f);
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("&#8211;", f);
    fputs("</td>", f);
}

static void td_count(FILE *f, size_t v)
{
    fprintf(f, "<td class=\"n\">%zu</td>", v);
}

static void td_pct(FILE *f, double v)
{
    td_num(f, "%.1f%%", 100 * v);
}

static void td_money(FILE *f, double v)
{
    char b[64];
    hc_report_format_money(v, b, sizeof b);
    fprintf(f, "<td class=\"n\">%s</td>", b);
}

static void td_text(FILE *f, const char *s)
{
    fputs("<td>", f);
    esc(f, s);
    fputs("</td>", f);
}

/* "0.769 (0.695 to 0.842)" */
static void td_ci(FILE *f, double v, double lo, double hi, const char *fmt)
{
    fputs("<td class=\"n\">", f);
    if (isfinite(v)) {
        fprintf(f, fmt, v);
        if (isfinite(lo) && isfinite(hi)) {
            fputs(" (", f);
            fprintf(f, fmt, lo);
            fputs(" to ", f);
            fprintf(f, fmt, hi);
            fputc(')', f);
        }
    } else {
        fputs("&#8211;", f);
    }
    fputs("</td>", f);
}

static void th_row(FILE *f, const char *const *cols, size_t n)
{
    fputs("<thead><tr>", f);
    for (size_t i = 0; i < n; i++) {
        /* A leading '#' marks a numeric (right-aligned) column. */
        if (cols[i][0] == '#')
            fprintf(f, "<th class=\"n\">%s</th>", cols[i] + 1);
        else
            fprintf(f, "<th>%s</th>", cols[i]);
    }
    fputs("</tr></thead>\n", f);
}

#define TH(f, ...)                                                        \
    do {                                                                  \
        static const char *const cols_[] = {__VA_ARGS__};                 \
        th_row((f), cols_, sizeof cols_ / sizeof cols_[0]);               \
    } while (0)

static void date_text(FILE *f, int32_t d)
{
    char b[11];
    hc_date_format(d, b);
    fputs(b, f);
}

/* ---- plots ---- */

static const hc_plot_result *find_plot(const hc_report_result *res, const char *name)
{
    for (size_t i = 0; i < res->plots.n_plots && i < HC_PLOT_COUNT; i++)
        if (res->plots.plots[i].name && strcmp(res->plots.plots[i].name, name) == 0)
            return &res->plots.plots[i];
    return NULL;
}

/* Reads a whole file; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (n < cap) {
            if (ferror(in)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        char *bigger = cap < ((size_t)64 << 20) ? realloc(buf, cap * 2) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(in);
    *len = n;
    return buf;
}

static void figure(FILE *f, const hc_report_result *res, const char *plots_dir,
                   const char *name, const char *data_file, const char *caption)
{
    fprintf(f, "<figure id=\"fig-%s\">\n", name);
    const hc_plot_result *p = find_plot(res, name);
    int shown = 0;
    if (!res->plots_available) {
        fputs("<p class=\"missing\">Plot not drawn: ", f);
        esc(f, res->plots_why);
        fputs(".</p>\n", f);
    } else if (!p || p->state != HC_PLOT_DRAWN) {
        fputs("<p class=\"missing\">Plot not drawn: ", f);
        esc(f, p ? p->reason : "it was not attempted");
        fputs(".</p>\n", f);
    } else if (plots_dir) {
        char path[4096];
        size_t len = 0;
        char *svg = NULL;
        int w = snprintf(path, sizeof path, "%s/%s.svg", plots_dir, name);
        if (w > 0 && (size_t)w < sizeof path)
            svg = slurp(path, &len);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "p-%s-", name);
        hc_error err;
        hc_error_clear(&err);
        if (!svg) {
            fprintf(f, "<p class=\"missing\">Plot not shown: plots/%s.svg cannot be read</p>\n",
                    name);
        } else if (hc_html_inline_svg(f, svg, len, prefix, caption, &err) != HC_OK) {
            fprintf(f, "<p class=\"missing\">Plot plots/%s.svg not shown: ", name);
            esc(f, err.message);
            fputs("</p>\n", f);
        } else {
            shown = 1;
            fputc('\n', f);
        }
        free(svg);
    }
    fputs("<figcaption>", f);
    esc(f, caption);
    fprintf(f, " The numbers are in <code>data/%s</code>", data_file);
    if (shown)
        fprintf(f, "; the image also as <code>plots/%s.svg</code> and <code>.png</code>",
                name);
    fputs(".</figcaption>\n</figure>\n", f);
}

/* ---- sections ---- */

static void header(FILE *f, const hc_report_result *res)
{
    const hc_history *h = &res->history;
    const hc_model *cur = res->current;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<title>Health score report: ", f);
    esc(f, cur->name ? cur->name : cur->source);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
               "<h1>Customer health score: quarterly report</h1>\n<p class=\"meta\">",
            css);
    fputs("Current config <strong>", f);
    esc(f, cur->name ? cur->name : "(unnamed)");
    fputs("</strong> (<code>", f);
    esc(f, res->opt.config_path);
    fputs("</code>). Snapshots <code>", f);
    esc(f, res->opt.snapshots_path);
    fputs("</code> from ", f);
    date_text(f, h->snapshots.first_date);
    fputs(" to ", f);
    date_text(f, h->snapshots.last_date);
    fputs(", events <code>", f);
    esc(f, res->opt.events_path);
    fprintf(f, "</code>. An outcome is a churn within %d days of a snapshot", h->labels.horizon);
    if (h->labels.lead)
        fprintf(f, " after a %d-day lead", h->labels.lead);
    fputs("; outcomes are known up to ", f);
    date_text(f, h->labels.as_of);
    fputs(". Generated by healthcal ", f);
    esc(f, res->opt.version);
    fprintf(f, " on %s.</p>\n</header>\n", res->generated);
    fputs("<nav><ol>"
          "<li><a href=\"#summary\">Executive summary</a></li>"
          "<li><a href=\"#current\">The current score</a></li>"
          "<li><a href=\"#backtest\">Out of time: current vs tuned</a></li>"
          "<li><a href=\"#weights\">Weights</a></li>"
          "<li><a href=\"#thresholds\">Recommended thresholds</a></li>"
          "<li><a href=\"#risk\">Revenue at risk</a></li>"
          "<li><a href=\"#segments\">Segments</a></li>", f);
    if (res->has_drift)
        fputs("<li><a href=\"#drift\">Drift</a></li>", f);
    fputs("<li><a href=\"#data\">Data reconciliation</a></li>"
          "<li><a href=\"#caveats\">Caveats</a></li>"
          "<li><a href=\"#files\">Files</a></li></ol></nav>\n<main>\n", f);
}

static void plots_notice(FILE *f, const hc_report_result *res)
{
    if (!res->plots_available) {
        fputs("<p class=\"note\"><strong>Plots are missing:</strong> ", f);
        esc(f, res->plots_why);
        fputs(". Everything else is complete, and every number behind every plot is in "
              "<code>data/</code>. Run the report again where gnuplot is installed to get "
              "them in this page, or draw them alone with <code>healthcal plot --from "
              "REPORT_DIR -o DIR</code>.</p>\n", f);
        return;
    }
    if (res->plots.n_failed || res->plots.n_skipped) {
        fprintf(f, "<p class=\"note\"><strong>%zu of %zu plots were not drawn:</strong> ",
                res->plots.n_failed + res->plots.n_skipped, res->plots.n_plots);
        size_t k = 0;
        for (size_t i = 0; i < res->plots.n_plots; i++) {
            const hc_plot_result *p = &res->plots.plots[i];
            if (p->state == HC_PLOT_DRAWN)
                continue;
            fprintf(f, "%s%s (", k++ ? "; " : "", p->name);
            esc(f, p->reason);
            fputc(')', f);
        }
        fputs(". Their numbers are in <code>data/</code>.</p>\n", f);
    }
}

static void section_summary(FILE *f, const hc_report_result *res)
{
    fputs("<section id=\"summary\">\n<h2>Executive summary</h2>\n", f);
    plots_notice(f, res);
    hc_report_paragraph para[8];
    size_t n = hc_report_summary(res, para, 8);
    fputs("<dl class=\"summary\">\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<dt>%s</dt>\n<dd>", para[i].title);
        esc(f, para[i].text);
        fputs("</dd>\n", f);
    }
    fputs("</dl>\n</section>\n", f);
    hc_report_paragraphs_free(para, n);
}

/* The scalar metrics of one validation, as table rows. */
static void metric_rows(FILE *f, const hc_validate_result *v)
{
    const hc_metrics_summary *s = &v->summary;
    fputs("<tr><td>ROC AUC (DeLong 95% CI)</td>", f);
    td_ci(f, s->roc_auc, s->roc_auc_ci_low, s->roc_auc_ci_high, "%.3f");
    fputs("</tr>\n<tr><td>PR AUC (average precision)</td>", f);
    td_num(f, "%.3f", s->pr_auc);
    fputs("</tr>\n<tr><td>Base rate (churn within the horizon)</td>", f);
    td_pct(f, s->base_rate);
    fputs("</tr>\n<tr><td>Brier score (scaled)</td>", f);
    fputs("<td class=\"n\">", f);
    fprintf(f, "%.5f (%.3f)", s->brier, s->scaled_brier);
    fputs("</td></tr>\n<tr><td>Log loss</td>", f);
    td_num(f, "%.4f", s->log_loss);
    fputs("</tr>\n<tr><td>Calibration slope (95% CI; 1 is ideal)</td>", f);
    td_ci(f, s->calibration_slope, v->slope_ci_low, v->slope_ci_high, "%.3f");
    fputs("</tr>\n<tr><td>Calibration-in-the-large (95% CI; 0 is ideal)</td>", f);
    td_ci(f, s->calibration_in_the_large, v->citl_ci_low, v->citl_ci_high, "%.3f");
    fputs("</tr>\n<tr><td>ECE / Emax</td><td class=\"n\">", f);
    fprintf(f, "%.4f / %.4f", s->ece, s->emax);
    fputs("</td></tr>\n<tr><td>Hosmer-Lemeshow</td><td class=\"n\">", f);
    fprintf(f, "&#967;&#178; %.2f on %d df, p %.3g", s->hl_chi2, s->hl_df, s->hl_p);
    fputs("</td></tr>\n<tr><td>KS</td>", f);
    td_num(f, "%.3f", s->ks);
    fputs("</tr>\n<tr><td>Top decile: lift / share of churners caught</td><td class=\"n\">", f);
    fprintf(f, "%.2f / %.1f%%", s->lift_top_decile, 100 * s->capture_top_decile);
    fputs("</td></tr>\n", f);
}

static void band_table(FILE *f, const hc_metrics_bands_result *b, char *const *names,
                       const double *mins, size_t n_names)
{
    fputs("<div class=\"wrap\"><table>\n", f);
    /* Rows are snapshots, so ARR sums would count an account once a week:
     * only counts and rates are shown. */
    TH(f, "band", "#from health", "#snapshots", "#share", "#followed by a churn",
       "#churn rate (Wilson 95% CI)");
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < b->n_bands; i++) {
        const hc_metrics_band *r = &b->bands[i];
        fputs("<tr>", f);
        td_text(f, i < n_names && names ? names[i] : "");
        td_num(f, "%g", mins ? mins[i] : NAN);
        td_count(f, r->accounts);
        td_pct(f, r->share);
        td_count(f, r->churners);
        fputs("<td class=\"n\">", f);
        fprintf(f, "%.2f%% (%.2f to %.2f)", 100 * r->churn_rate, 100 * r->rate_ci_low,
                100 * r->rate_ci_high);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static void section_current(FILE *f, const hc_report_result *res)
{
    const hc_validate_result *v = &res->validate;
    fputs("<section id=\"current\">\n<h2>The current score</h2>\n<p>Every labelled "
          "snapshot scored with the current config ", f);
    fputs("<strong>", f);
    esc(f, res->current->name ? res->current->name : res->current->source);
    fprintf(f, "</strong>: %zu snapshots", res->validate_rows.used);
    if (res->validate_rows.missing_health)
        fprintf(f, " (%zu more had no component data)", res->validate_rows.missing_health);
    fputs(". ", f);
    if (v->in_sample_map)
        fprintf(f, "The config has no churn model, so its probabilities here are a logistic "
                   "map of the health score fitted on these same snapshots (intercept "
                   "%.4g, slope %.4g per point): calibrated by construction, not judged.",
                v->map_intercept, v->map_slope);
    else
        fputs("Probabilities come from the config's own churn model.", f);
    fputs("</p>\n<p><strong>Discrimination:</strong> the current score ", f);
    esc(f, v->discrimination_text);
    fputs("</p>\n<p><strong>Calibration:</strong> ", f);
    esc(f, v->calibration_text);
    fputs("</p>\n<div class=\"wrap\"><table>\n", f);
    TH(f, "metric", "#value");
    fputs("<tbody>\n", f);
    metric_rows(f, v);
    fputs("</tbody></table></div>\n", f);
    if (v->has_bands) {
        fputs("<h3>Churn by band under the current bands</h3>\n", f);
        band_table(f, &v->bands, v->band_names, v->band_mins, v->bands.n_bands);
        fprintf(f, "<p>%s</p>\n",
                v->bands_monotone ? "Churn rates fall from each band to the next healthier one."
                                  : "Churn rates do <strong>not</strong> fall steadily from "
                                    "band to band: the current cut points do not order risk.");
    }
    fputs("</section>\n", f);
}

static void section_backtest(FILE *f, const hc_report_result *res, const char *plots_dir)
{
    const hc_backtest_result *b = &res->backtest;
    fputs("<section id=\"backtest\">\n<h2>Out of time: current vs tuned</h2>\n", f);
    if (!res->has_backtest) {
        fputs("<p class=\"note\">No walk-forward backtest: ", f);
        esc(f, res->backtest_note);
        fputs(". The plots below show the current config on all labelled snapshots "
              "(in-sample).</p>\n", f);
    } else {
        fprintf(f, "<p>Walk-forward by date: each fold tests on %d days of snapshots and "
                   "trains on the %s before them, ending %d days (horizon plus lead) "
                   "before the test period so that no training label sees a test-period "
                   "event. The tuned model is refitted in every fold on its training rows "
                   "only (transforms, weights, calibration); the current config keeps its "
                   "weights, and its probabilities come from a logistic map fitted on the "
                   "same training rows. %zu of %zu folds were usable; %zu test snapshots "
                   "in all.</p>\n",
                b->opt.step_days, b->opt.window_days > 0 ? "preceding window" : "whole history",
                b->plan.horizon + b->plan.lead, b->folds_used, b->plan.n_folds, b->n_pooled);
        fputs("<div class=\"wrap\"><table>\n", f);
        TH(f, "config", "probabilities", "#ROC AUC (95% CI)", "#PR AUC", "#Brier", "#ECE",
           "#calibration slope", "#calibration-in-the-large", "#top-decile lift");
        fputs("<tbody>\n", f);
        for (size_t c = 0; c < b->n_configs; c++) {
            const hc_backtest_config *cf = &b->configs[c];
            fputs("<tr>", f);
            td_text(f, cf->name);
            td_text(f, cf->probabilities);
            if (!cf->has_pooled) {
                fputs("<td colspan=\"7\">", f);
                esc(f, cf->pooled_note);
                fputs("</td></tr>\n", f);
                continue;
            }
            const hc_metrics_summary *s = &cf->pooled.summary;
            td_ci(f, s->roc_auc, s->roc_auc_ci_low, s->roc_auc_ci_high, "%.3f");
            td_num(f, "%.3f", s->pr_auc);
            td_num(f, "%.5f", s->brier);
            td_num(f, "%.4f", s->ece);
            td_ci(f, s->calibration_slope, cf->pooled.slope_ci_low, cf->pooled.slope_ci_high,
                  "%.2f");
            td_ci(f, s->calibration_in_the_large, cf->pooled.citl_ci_low,
                  cf->pooled.citl_ci_high, "%.2f");
            td_num(f, "%.2f", s->lift_top_decile);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
        for (size_t i = 0; i < b->n_comparisons; i++) {
            const hc_backtest_comparison *c = &b->comparisons[i];
            fputs("<p><strong>", f);
            esc(f, b->configs[c->index].name);
            fputs(" vs ", f);
            esc(f, b->configs[0].name);
            fputs(":</strong> ", f);
            if (!c->ok) {
                fputs("no AUC comparison (", f);
                esc(f, c->note);
                fputs(").</p>\n", f);
                continue;
            }
            int sig = c->diff.ci_low > 0 || c->diff.ci_high < 0;
            fprintf(f, "AUC difference %+.4f (95%% CI %+.4f to %+.4f, DeLong paired test, "
                       "p %.3g): %s.</p>\n",
                    c->diff.diff, c->diff.ci_low, c->diff.ci_high, c->diff.p_value,
                    !sig ? "no significant difference"
                    : c->diff.diff > 0 ? "significantly better" : "significantly worse");
        }
        fputs("<ul>\n", f);
        for (size_t c = 0; c < b->n_configs; c++) {
            const hc_backtest_config *cf = &b->configs[c];
            if (!cf->has_pooled)
                continue;
            fputs("<li><strong>", f);
            esc(f, cf->name);
            fputs("</strong> ", f);
            esc(f, cf->pooled.discrimination_text);
            fputs(" <em>Calibration:</em> ", f);
            esc(f, cf->pooled.calibration_text);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
        if (b->folds_used < b->plan.n_folds) {
            fputs("<h3>Skipped folds</h3>\n<ul>\n", f);
            for (size_t i = 0; i < b->plan.n_folds; i++) {
                if (b->folds[i].used)
                    continue;
                fprintf(f, "<li>fold %zu (test from ", i + 1);
                date_text(f, b->plan.folds[i].test_start);
                fputs("): ", f);
                esc(f, b->folds[i].note);
                fputs("</li>\n", f);
            }
            fputs("</ul>\n", f);
        }
    }
    const char *scope = res->has_backtest ? "on the pooled out-of-time test snapshots"
                                          : "on all labelled snapshots (in-sample)";
    char cap[512];
    snprintf(cap, sizeof cap, "ROC curve %s: churners flagged against retained accounts "
                              "flagged, over every threshold; the diagonal is chance.", scope);
    figure(f, res, plots_dir, "roc", "roc.csv", cap);
    snprintf(cap, sizeof cap, "Precision against recall %s.", scope);
    figure(f, res, plots_dir, "pr", "pr.csv", cap);
    snprintf(cap, sizeof cap, "Cumulative gains %s: the share of churners caught when the "
                              "riskiest share of snapshots is flagged.", scope);
    figure(f, res, plots_dir, "gains", "gains.csv", cap);
    snprintf(cap, sizeof cap, "Reliability diagram %s: observed churn rate against "
                              "predicted probability by decile of prediction, with Wilson "
                              "95%% intervals, and the histogram of predictions.", scope);
    figure(f, res, plots_dir, "reliability", "reliability.csv and prediction_hist.csv", cap);
    snprintf(cap, sizeof cap, "Health score of snapshots followed by a churn and of the "
                              "others %s.", scope);
    figure(f, res, plots_dir, "score_distribution", "score_distribution.csv", cap);
    if (res->has_backtest) {
        figure(f, res, plots_dir, "folds", "folds.csv",
               "Metrics per backtest fold, by the start of its test period.");
        figure(f, res, plots_dir, "bands_over_time", "bands_over_time.csv",
               "Churn rate per band in each backtest test period, under the cut points "
               "chosen on that fold's training rows.");
    }
    fputs("</section>\n", f);
}

static void section_weights(FILE *f, const hc_report_result *res, const char *plots_dir)
{
    const hc_fit_result *r = &res->fit;
    const hc_model *m = r->tuned;
    fputs("<section id=\"weights\">\n<h2>Weights: current vs tuned</h2>\n", f);
    fprintf(f, "<p>The churn model logit P(churn within %d days) = &#946;<sub>0</sub> + "
               "&#931; &#946;<sub>k</sub> s<sub>k</sub> on the component sub-scores "
               "(0-100), fitted on %zu complete labelled snapshots with %zu churns; the "
               "weights are w<sub>k</sub> = &#946;<sub>k</sub> / &#931; &#946;<sub>j</sub>, "
               "which makes the health score an exact summary of the model. Intervals: "
               "delta method on cluster-robust (by account) standard errors.</p>\n",
            m->horizon_days, r->n_fit, r->n_events);
    fputs("<div class=\"wrap\"><table>\n", f);
    TH(f, "component", "#current weight", "#tuned weight", "#95% interval",
       "#&#946; per point", "#s.e.", "note");
    fputs("<tbody>\n", f);
    for (size_t c = 0; c < r->n_components; c++) {
        fputs("<tr>", f);
        td_text(f, m->components[c].name);
        td_num(f, "%.3f", r->old_weight[c]);
        td_num(f, "%.3f", r->new_weight[c]);
        if (r->dropped[c])
            fputs("<td class=\"n\">&#8211;</td>", f);
        else
            fprintf(f, "<td class=\"n\">%.3f to %.3f</td>", r->weight_ci_low[c],
                    r->weight_ci_high[c]);
        td_num(f, "%.5f", r->beta[c]);
        td_num(f, "%.5f", r->dropped[c] ? NAN : r->beta_se[c]);
        td_text(f, r->dropped[c] ? "dropped: a higher score went with more churn" : "");
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (m->churn.present)
        fprintf(f, "<p>Calibration: P(churn within %d days) = 1 / (1 + exp(&#8722;(%.4g "
                   "%s %.4g &#215; H))). In-sample ROC AUC of the tuned model: %.3f.</p>\n",
                m->horizon_days, m->churn.intercept, m->churn.slope < 0 ? "&#8722;" : "+",
                fabs(m->churn.slope), r->in_sample_auc);
    if (r->expansion_note[0]) {
        fputs("<p>Expansion model: ", f);
        esc(f, r->expansion_note);
        fputs(".</p>\n", f);
    } else if (r->has_expansion) {
        fprintf(f, "<p>An expansion model (P(expansion within %d days) on the same "
                   "sub-scores, %zu expansions) is in <code>tuned.json</code> and scores "
                   "every account in <code>predictions.csv</code>.</p>\n",
                m->horizon_days, r->n_expansion_events);
    }
    figure(f, res, plots_dir, "weights", "weights.csv",
           "Component weights of the current and the tuned config, with the tuned "
           "weights' 95% intervals.");
    fputs("</section>\n", f);
}

static void section_thresholds(FILE *f, const hc_report_result *res, const char *plots_dir)
{
    const hc_model *m = res->fit.tuned;
    const hc_threshold_result *t = res->thresholds;
    fputs("<section id=\"thresholds\">\n<h2>Recommended thresholds</h2>\n", f);
    hc_report_paragraph para[8];
    size_t n = hc_report_summary(res, para, 8);
    for (size_t i = 0; i < n; i++)
        if (strcmp(para[i].title, "Recommended thresholds") == 0) {
            fputs("<p>", f);
            esc(f, para[i].text);
            fputs("</p>\n", f);
        }
    hc_report_paragraphs_free(para, n);
    if (t) {
        fprintf(f, "<h3>The recommended bands on the rows they were chosen on (%s)</h3>\n",
                res->cuts_source == HC_REPORT_CUTS_BACKTEST
                    ? "pooled out-of-time test snapshots"
                    : "all labelled snapshots, in-sample");
        char *names[HC_THRESHOLDS_MAX_BANDS];
        double mins[HC_THRESHOLDS_MAX_BANDS];
        size_t nb = m->n_bands < HC_THRESHOLDS_MAX_BANDS ? m->n_bands : HC_THRESHOLDS_MAX_BANDS;
        for (size_t b = 0; b < nb; b++) {
            names[b] = m->bands[b].name;
            mins[b] = m->bands[b].min;
        }
        hc_metrics_bands_result br = {.n_bands = t->n_bands < nb ? t->n_bands : nb,
                                      .bands = t->bands};
        band_table(f, &br, names, mins, nb);
    }
    const hc_backtest_result *b = &res->backtest;
    if (res->has_backtest && b->folds_used) {
        fputs("<h3>Per fold: cut points chosen on training rows, tried on the next test "
              "period</h3>\n<div class=\"wrap\"><table>\n", f);
        TH(f, "#fold", "test period", "cut points", "#objective on training",
           "#objective on test", "#red share (test)");
        fputs("<tbody>\n", f);
        for (size_t i = 0; i < b->plan.n_folds; i++) {
            if (!b->folds[i].used)
                continue;
            const hc_backtest_cell *cell = &b->folds[i].cells[b->primary];
            fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
            date_text(f, b->plan.folds[i].test_start);
            fputs(" to ", f);
            date_text(f, b->plan.folds[i].test_end);
            fputs("</td><td>", f);
            for (size_t k = 0; k < cell->n_cuts; k++)
                fprintf(f, "%s%g", k ? ", " : "", cell->cuts[k]);
            fputs("</td>", f);
            td_num(f, "%.3f", cell->objective_train);
            td_num(f, "%.3f", cell->objective_test);
            td_pct(f, cell->red_share);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    figure(f, res, plots_dir, "thresholds", "thresholds.csv and cutpoints.csv",
           "Threshold sweep of the tuned model: share of snapshots flagged, recall and "
           "precision of flagging every snapshot below a cut point, with the recommended "
           "cut points marked.");
    fputs("</section>\n", f);
}

static void section_risk(FILE *f, const hc_report_result *res, const char *plots_dir)
{
    const hc_predict_result *p = &res->predict;
    const hc_model *m = res->fit.tuned;
    fputs("<section id=\"risk\">\n", f);
    fprintf(f, "<h2>Revenue at risk in the next %d days</h2>\n<p>The book: each account "
               "that has not churned, by its latest snapshot on or before ", p->horizon_days);
    date_text(f, p->as_of);
    fputs(", scored with the tuned config and its recommended bands; expected churned ARR "
          "is the sum of P(churn) &#215; ARR.</p>\n<div class=\"wrap\"><table>\n", f);
    TH(f, "band", "health", "#accounts", "#ARR", "#expected churned ARR",
       "#expected loss rate");
    fputs("<tbody>\n", f);
    for (size_t b = 0; b < m->n_bands; b++) {
        char range[64];
        hc_report_format_band_range(m, b, range, sizeof range);
        fputs("<tr>", f);
        td_text(f, m->bands[b].name);
        td_text(f, range);
        td_count(f, res->band_accounts[b]);
        td_money(f, res->band_arr[b]);
        td_money(f, res->band_expected_arr[b]);
        td_pct(f, res->band_arr[b] > 0 ? res->band_expected_arr[b] / res->band_arr[b] : NAN);
        fputs("</tr>\n", f);
    }
    if (res->book_unscored) {
        fputs("<tr><td>no score</td><td>no component data</td>", f);
        td_count(f, res->book_unscored);
        td_money(f, res->book_unscored_arr);
        fputs("<td class=\"n\">&#8211;</td><td class=\"n\">&#8211;</td></tr>\n", f);
    }
    fputs("<tr class=\"total\"><td>all</td><td></td>", f);
    td_count(f, res->book_accounts);
    td_money(f, res->book_arr);
    td_money(f, res->book_expected_arr);
    td_pct(f, res->book_arr > 0 ? res->book_expected_arr / res->book_arr : NAN);
    fputs("</tr>\n</tbody></table></div>\n<p>", f);
    fprintf(f, "Expected churners in the next %d days: %.1f accounts. ", p->horizon_days,
            res->book_expected_churners);
    if (res->churned_accounts) {
        char c[48];
        hc_report_format_money(res->churned_arr, c, sizeof c);
        fprintf(f, "Not in the book: %zu accounts that churned on or before the as-of date "
                   "(last ARR %s). ", res->churned_accounts, c);
    }
    if (res->book_stale) {
        fprintf(f, "%zu accounts in the book have no snapshot in the last %d days (their "
                   "latest is before ", res->book_stale, p->horizon_days);
        date_text(f, p->recent_cutoff);
        fputs("), so their scores may be out of date. ", f);
    }
    if (p->fell_accounts)
        fprintf(f, "%zu scored accounts fell a band since their previous snapshot. ",
                p->fell_accounts);
    if (p->arr_missing)
        fprintf(f, "%zu accounts have no ARR and count as 0.", p->arr_missing);
    fputs("</p>\n", f);
    size_t shown = 0;
    for (size_t i = 0; i < p->n && shown < 10; i++)
        shown += res->in_book[i];
    if (shown) {
        fprintf(f, "<h3>The %zu largest expected losses</h3>\n<div class=\"wrap\"><table>\n",
                shown);
        TH(f, "account", "segment", "#ARR", "#health", "band", "#P(churn)",
           "#expected ARR at risk", "pulled down most by (points)");
        fputs("<tbody>\n", f);
        const hc_snapshots *s = p->snapshots;
        shown = 0;
        for (size_t i = 0; i < p->n && shown < 10; i++) {
            if (!res->in_book[i])
                continue;
            shown++;
            const hc_prediction *r = &p->rows[i];
            fputs("<tr>", f);
            td_text(f, hc_table_text(s->table, s->id_col, r->row));
            td_text(f, s->segment_col >= 0 ? hc_table_text(s->table, s->segment_col, r->row)
                                           : "");
            td_money(f, r->arr);
            td_num(f, "%.1f", r->health);
            td_text(f, r->band >= 0 ? m->bands[r->band].name : "");
            td_pct(f, r->p_churn);
            td_money(f, r->at_risk);
            fputs("<td>", f);
            for (int d = 0; d < HC_PREDICT_DRIVERS; d++) {
                if (r->driver[d] < 0)
                    continue;
                if (d)
                    fputs(", ", f);
                esc(f, m->components[r->driver[d]].name);
                fprintf(f, " (&#8722;%.1f)", r->driver_points[d]);
            }
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>\n<p>Every account is in <code>predictions.csv</code>; "
              "a driver's points are how far that component pulls the health score below "
              "a typical healthy account of the same segment.</p>\n", f);
    }
    figure(f, res, plots_dir, "band_arr", "band_arr.csv",
           "ARR and expected churned ARR per band of today's book.");
    fputs("</section>\n", f);
}

static void section_segments(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    const hc_model *m = r->tuned;
    fputs("<section id=\"segments\">\n<h2>Segments</h2>\n", f);
    if (res->history.snapshots.segment_col < 0) {
        fputs("<p>The snapshots have no segment column: every account gets the same "
              "weights.</p>\n</section>\n", f);
        return;
    }
    fprintf(f, "<p>Out-of-time AUCs are on the backtest's pooled test snapshots of each "
               "segment (DeLong 95%% CI; none with fewer than %d test snapshots followed "
               "by a churn). ", HC_REPORT_SMALL_SEGMENT_EVENTS);
    fputs("Tuned segment "
          "weights are the segment's own fit shrunk toward the pooled one with credibility "
          "Z = E / (E + 10 per component) for E churn events (B&#252;hlmann; Peduzzi et al. "
          "1996).", f);
    if (!r->n_segments)
        fputs(" Segment fits were not requested.", f);
    fputs("</p>\n<div class=\"wrap\"><table>\n<thead><tr><th>segment</th>"
          "<th class=\"n\">accounts</th><th class=\"n\">ARR</th>"
          "<th class=\"n\">expected churned ARR</th><th class=\"n\">labelled snapshots</th>"
          "<th class=\"n\">followed by a churn</th><th class=\"n\">churn rate</th>"
          "<th class=\"n\">out-of-time snapshots / churns</th>"
          "<th class=\"n\">AUC current (out of time)</th>"
          "<th class=\"n\">AUC tuned (out of time)</th><th class=\"n\">credibility Z</th>",
          f);
    for (size_t c = 0; c < r->n_components; c++) {
        fputs("<th class=\"n\">w ", f);
        esc(f, m->components[c].name);
        fputs("</th>", f);
    }
    fputs("<th>note</th></tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < res->n_segments && i < HC_REPORT_SEGMENTS_SHOWN; i++) {
        const hc_report_segment *s = &res->segments[i];
        const hc_fit_segment *fs = s->fit_index >= 0 ? &r->segments[s->fit_index] : NULL;
        fputs("<tr>", f);
        td_text(f, s->name ? s->name : "(no segment)");
        td_count(f, s->accounts);
        td_money(f, s->arr);
        td_money(f, s->expected_churned_arr);
        td_count(f, s->observations);
        td_count(f, s->churners);
        td_pct(f, s->observations ? (double)s->churners / (double)s->observations : NAN);
        fprintf(f, "<td class=\"n\">%zu / %zu</td>", s->test_rows, s->test_churners);
        for (int c = 0; c < 2; c++) {
            if (s->has_auc[c])
                td_ci(f, s->auc[c].auc, s->auc[c].ci_low, s->auc[c].ci_high, "%.2f");
            else
                fputs("<td class=\"n\">&#8211;</td>", f);
        }
        td_num(f, "%.2f", fs ? fs->credibility : NAN);
        for (size_t c = 0; c < r->n_components; c++)
            td_num(f, "%.2f", fs && fs->weights ? fs->weights[c] : NAN);
        fputs("<td>", f);
        if (s->small)
            fprintf(f, "small: fewer than %d snapshots followed by a churn. ",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
        if (fs)
            esc(f, fs->note);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (res->n_segments > HC_REPORT_SEGMENTS_SHOWN)
        fprintf(f, "<p>The %d largest of %zu segments are shown; all are in "
                   "<code>data/segments.csv</code>.</p>\n",
                HC_REPORT_SEGMENTS_SHOWN, res->n_segments);
    fputs("</section>\n", f);
}

static void section_drift(FILE *f, const hc_report_result *res)
{
    const hc_drift_result *d = &res->drift;
    const hc_model *m = res->fit.tuned;
    fputs("<section id=\"drift\">\n<h2>Drift since the previous period</h2>\n<p>", f);
    hc_report_paragraph para[8];
    size_t n = hc_report_summary(res, para, 8);
    for (size_t i = 0; i < n; i++)
        if (strcmp(para[i].title, "Drift since the previous period") == 0)
            esc(f, para[i].text);
    hc_report_paragraphs_free(para, n);
    fputs("</p>\n<div class=\"wrap\"><table>\n", f);
    TH(f, "score", "#PSI", "flag", "#snapshots before", "#snapshots now", "note");
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < d->n_scores; i++) {
        const hc_drift_score *s = &d->scores[i];
        fputs("<tr>", f);
        td_text(f, s->name);
        td_num(f, "%.4f", s->psi);
        td_text(f, hc_drift_flag_name(s->flag));
        td_count(f, s->n_baseline);
        td_count(f, s->n_current);
        td_text(f, s->note);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n<div class=\"wrap\"><table>\n", f);
    TH(f, "band", "#share before", "#share now", "#shift (points)");
    fputs("<tbody>\n", f);
    for (size_t b = 0; b < d->n_bands && b < m->n_bands; b++) {
        fputs("<tr>", f);
        td_text(f, m->bands[b].name);
        td_pct(f, d->baseline.band_share[b]);
        td_pct(f, d->current.band_share[b]);
        td_num(f, "%+.1f", 100 * (d->current.band_share[b] - d->baseline.band_share[b]));
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n<p>The numbers are in <code>data/drift.json</code>.</p>\n"
          "</section>\n", f);
}

static void section_data(FILE *f, const hc_report_result *res)
{
    const hc_history *h = &res->history;
    const hc_labels *l = &h->labels;
    const hc_events *e = &h->events;
    const hc_predict_result *p = &res->predict;
    char day[11];
    hc_date_format(l->as_of, day);
    fputs("<section id=\"data\">\n<h2>Data reconciliation</h2>\n<p>Counts to reconcile "
          "with the source files (also in <code>data/reconciliation.csv</code>).</p>\n"
          "<div class=\"wrap\"><table>\n", f);
    TH(f, "what", "#count");
    fputs("<tbody>\n", f);
#define ROW(label, v)                                                      \
    do {                                                                   \
        fputs("<tr><td>", f);                                              \
        fputs(label, f);                                                   \
        fputs("</td>", f);                                                 \
        td_count(f, (v));                                                  \
        fputs("</tr>\n", f);                                               \
    } while (0)
    ROW("snapshot rows read", h->snapshots.table->n_rows);
    ROW("accounts", h->snapshots.n_accounts);
    ROW("labelled snapshots (observations)", l->observations);
    fprintf(f, "<tr><td>censored: outcome window ends after %s</td>", day);
    td_count(f, l->censored);
    fputs("</tr>\n", f);
    ROW("excluded: on or after the account's churn", l->post_churn);
    if (l->lead)
        ROW("excluded: churned within the lead", l->lead_churn);
    ROW("observations followed by a churn", l->churn_positive);
    ROW("observations followed by an expansion", l->expansion_positive);
    ROW("observations without any component data", res->validate_rows.missing_health);
    ROW("observations with a missing component (left out of the fit)", res->fit.n_incomplete);
    ROW("event rows read", e->rows_read);
    fprintf(f, "<tr><td>churn events matched to a labelled snapshot (of %zu)</td>",
            e->by_type[HC_EVENT_CHURN]);
    td_count(f, l->churn_events_matched);
    fputs("</tr>\n", f);
    fprintf(f, "<tr><td>expansion events matched (of %zu)</td>", e->by_type[HC_EVENT_EXPANSION]);
    td_count(f, l->expansion_events_matched);
    fputs("</tr>\n", f);
    ROW("contraction events", e->by_type[HC_EVENT_CONTRACTION]);
    ROW("repeat churn events (after an account's first)", l->repeat_churn_events);
    ROW("events dated before their account's first snapshot", l->events_before_first_snapshot);
    ROW("events of unknown accounts", e->unknown_account);
    if (e->unknown_type)
        ROW("events of unknown type skipped", e->unknown_type);
    if (res->has_backtest) {
        ROW("backtest test snapshots (pooled)", res->backtest.n_pooled);
        ROW("backtest test snapshots excluded (no score under a config)",
            res->backtest.test_excluded);
    }
    ROW("accounts scored (latest snapshot on or before the as-of date)", p->accounts);
    ROW("of them churned on or before the as-of date (not in the book)",
        res->churned_accounts);
    ROW("accounts in today's book", res->book_accounts);
    ROW("accounts whose first snapshot is after the as-of date", p->accounts_later);
#undef ROW
    fputs("</tbody></table></div>\n</section>\n", f);
}

static void section_caveats(FILE *f, const hc_report_result *res)
{
    hc_report_paragraph para[12];
    size_t n = hc_report_caveats(res, para, 12);
    fputs("<section id=\"caveats\">\n<h2>Caveats</h2>\n<ul>\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<li><strong>%s.</strong> ", para[i].title);
        esc(f, para[i].text);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</section>\n", f);
    hc_report_paragraphs_free(para, n);
}

static void section_files(FILE *f, const hc_report_result *res)
{
    fputs("<section id=\"files\">\n<h2>Files in this report</h2>\n<ul>\n"
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
          "segments.csv, reconciliation.csv, validate.json", f);
    if (res->has_drift)
        fputs(", drift.json", f);
    fputs("</li>\n</ul>\n</section>\n", f);
}

void hc_report_write_html(FILE *f, const hc_report_result *res, const char *plots_dir)
{
    header(f, res);
    section_summary(f, res);
    section_current(f, res);
    section_backtest(f, res, plots_dir);
    section_weights(f, res, plots_dir);
    section_thresholds(f, res, plots_dir);
    section_risk(f, res, plots_dir);
    section_segments(f, res);
    if (res->has_drift)
        section_drift(f, res);
    section_data(f, res);
    section_caveats(f, res);
    section_files(f, res);
    fputs("</main>\n<footer><p>healthcal ", f);
    esc(f, res->opt.version);
    fputs(": weights by logistic regression (IRLS), AUC intervals by DeLong et al. "
          "(1988), calibration as in Cox (1958) and Steyerberg (2010), walk-forward "
          "backtest by date with an embargo. This page is self-contained: it loads "
          "nothing.</p></footer>\n</body>\n</html>\n", f);
}
