/* cmd_report.c - `healthcal report`: the quarterly run in one command (validate, fit, backtest, predict, plots, HTML and Markdown). */
#include "cli.h"
#include "cli_history.h"
#include "hc_backtest.h"
#include "hc_drift.h"
#include "hc_report.h"
#include "hc_report_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_CONFIG = 'c',
    OPT_OUTPUT = 'o',
    OPT_OBJECTIVE = OPT_FIRST_FREE,
    OPT_MIN_BAND,
    OPT_STEP,
    OPT_WINDOW,
    OPT_PREVIOUS,
    OPT_NO_SEGMENTS,
    OPT_SEG_MIN_CHURNED,
    OPT_RIDGE,
    OPT_GNUPLOT,
    OPT_SEED,
    OPT_FORCE,
    OPT_PDF
};

static void progress(void *ctx, const char *stage)
{
    (void)ctx;
    fprintf(stderr, "healthcal report: %s...\n", stage);
}

int cmd_report(int argc, char **argv)
{
    static const cli_option options[] = {
        CLI_HISTORY_OPTIONS,
        {"config", OPT_CONFIG, 1, "FILE", "the current (hand-set) config (required)"},
        {"output", OPT_OUTPUT, 1, "DIR", "the report directory, created when missing (required)"},
        {"objective", OPT_OBJECTIVE, 1, "SPEC",
         "how to choose band cut points: recall=0.7 (default), arr-recall=0.7, "
         "precision=0.3 or value:cost=C,save-rate=R"},
        {"min-band", OPT_MIN_BAND, 1, "SHARE", "minimum share of accounts per band (default 0.05)"},
        {"step", OPT_STEP, 1, "DAYS", "backtest test period and step between folds (default 28)"},
        {"window", OPT_WINDOW, 1, "DAYS", "backtest training window in days, or 'expanding' (default 365)"},
        {"previous", OPT_PREVIOUS, 1, "FROM:TO",
         "drift of the score since this period (YYYY-MM-DD:YYYY-MM-DD); the current "
         "period runs from the day after TO to the latest snapshot"},
        {"no-segments", OPT_NO_SEGMENTS, 0, NULL, "one set of weights for every segment"},
        {"segment-min-churned", OPT_SEG_MIN_CHURNED, 1, "N", "merge a segment with fewer churned accounts into the pooled model, in the fit and every backtest fold (default 1)"},
        {"ridge", OPT_RIDGE, 1, "LAMBDA", "L2 penalty of the fits (default 0)"},
        {"gnuplot", OPT_GNUPLOT, 1, "PROG", "gnuplot program (default: gnuplot on PATH)"},
        {"seed", OPT_SEED, 1, "S", "seed of the revenue-at-risk range's Monte Carlo (default 20240101)"},
        {"pdf", OPT_PDF, 0, NULL, "also print DIR/index.pdf with a headless browser (Debian's chromium; an error when none is installed)"},
        {"force", OPT_FORCE, 0, NULL, "write the recommended bands into tuned.json even when the objective did not hold out of time in most folds"},
        {0},
    };
    cli_parser p = {
        "report",
        "--snapshots FILE --events FILE --config current.json -o DIR [options]",
        "The quarterly run in one command. Validates the current config against what\n"
        "happened, fits the tuned config (weights, calibration, segments), backtests\n"
        "both on identical walk-forward folds, recommends band cut points by the\n"
        "objective, scores today's accounts, optionally measures drift since the\n"
        "previous period, and writes DIR/index.html (self-contained: plots inline,\n"
        "nothing fetched), DIR/summary.md, DIR/tuned.json, DIR/predictions.csv,\n"
        "DIR/plots/ and DIR/data/ (every number behind every plot). Without gnuplot\n"
        "the report still comes out and says the plots are missing.\n"
        "\n"
        "One recommendation: the report adopts the tuned config when the backtest's\n"
        "paired test shows it ranks churners better out of time, else it keeps the\n"
        "current one; the thresholds, revenue at risk and predictions.csv then use\n"
        "that config and say so. Recommended bands go into tuned.json only when the\n"
        "objective held out of time in more than half the folds (--force: always);\n"
        "otherwise tuned.json keeps the current bands, as 'healthcal fit' writes it.\n"
        "\n"
        "Intervals are clustered by account (an account's weekly snapshots are\n"
        "correlated): the validation of the current config, the backtest's pooled\n"
        "metrics and its paired AUC test (clustered DeLong, Obuchowski 1997); the\n"
        "report says how many churned accounts the intervals rest on. Revenue at\n"
        "risk comes with 80% and 95% ranges of the churned ARR (each account\n"
        "churning independently with its P(churn), seeded Monte Carlo, --seed).\n"
        "\n"
        "The page opens with the answers at a glance (cards linking to their\n"
        "sections and a headline chart), then this week's call list (also as\n"
        "DIR/calls.csv, the same list as 'healthcal predict --calls'), how early the\n"
        "score warns, and the bands over time. It prints cleanly from a browser;\n"
        "--pdf prints DIR/index.pdf with headless chromium and says so.",
        options, argc, argv};
    cli_history hist;
    cli_history_init(&hist);
    hc_report_options opt;
    hc_report_options_init(&opt);
    opt.version = HC_VERSION;
    hc_report_write_options wopt;
    hc_report_write_options_init(&wopt);
    int pdf = 0;
    char converter[4096] = "";
    hc_error err;
    hc_error_clear(&err);
    const char *arg;
    int c;
    long v;
    while ((c = cli_next(&p, &arg)) != -1) {
        int r = cli_history_option(&hist, c, arg);
        if (r == 0)
            continue;
        if (r > 0)
            return 1;
        switch (c) {
        case OPT_CONFIG: opt.config_path = arg; break;
        case OPT_FORCE: opt.force_bands = 1; break;
        case OPT_PDF: pdf = 1; break;
        case OPT_OUTPUT: opt.out_dir = arg; break;
        case OPT_OBJECTIVE:
            if (hc_backtest_parse_objective(arg, &opt.threshold, &err) != HC_OK)
                return cli_usage_error("option '--objective': %s", err.message);
            break;
        case OPT_MIN_BAND:
            if (cli_parse_double("min-band", arg, 0, 0.5, &opt.threshold.min_band_share))
                return 1;
            break;
        case OPT_STEP:
            if (cli_parse_long("step", arg, 1, 3650, &v))
                return 1;
            opt.step_days = (int)v;
            break;
        case OPT_WINDOW:
            if (strcmp(arg, "expanding") == 0)
                opt.window_days = 0;
            else if (cli_parse_long("window", arg, 1, 36500, &v))
                return 1;
            else
                opt.window_days = (int)v;
            break;
        case OPT_PREVIOUS:
            if (hc_drift_parse_period(arg, "--previous", &opt.previous, &err) != HC_OK)
                return cli_fail(&err);
            opt.has_previous = 1;
            break;
        case OPT_NO_SEGMENTS: opt.segments = 0; break;
        case OPT_SEG_MIN_CHURNED:
            if (cli_parse_long("segment-min-churned", arg, 1, 1000000, &v))
                return 1;
            opt.segment_min_churned = (size_t)v;
            break;
        case OPT_RIDGE:
            if (cli_parse_double("ridge", arg, 0, 1e12, &opt.ridge))
                return 1;
            break;
        case OPT_GNUPLOT: wopt.gnuplot.gnuplot = arg; break;
        case OPT_SEED:
            if (cli_parse_long("seed", arg, 0, 2147483647L, &v))
                return 1;
            opt.seed = (unsigned long)v;
            break;
        case 'h': return 0;
        default: return 1;
        }
    }
    if (cli_no_positionals(&p) || cli_history_check(&hist, 1) != 0)
        return 1;
    if (!opt.config_path)
        return cli_usage_error("option '--config' is required");
    if (cli_ingest_use_config(cli_ingest(), opt.config_path) != 0)
        return 2;
    if (!opt.out_dir)
        return cli_usage_error("option '-o DIR' is required");
    if (strcmp(opt.out_dir, "-") == 0)
        return cli_usage_error("-o: the report is a directory; standard output cannot hold it");
    /* Before the long run: --pdf without a converter fails at once. */
    if (pdf && hc_report_pdf_find(converter, sizeof converter, &err) != HC_OK)
        return cli_fail(&err);
    const hc_history_options *ho = &hist.opt;
    opt.snapshots_path = ho->snapshots_path;
    opt.events_path = ho->events_path;
    opt.delimiter = ho->delimiter;
    opt.columns = ho->columns;
    opt.ignore_unknown_events = ho->ignore_unknown_events;
    opt.horizon_days = hist.horizon_set ? ho->labels.horizon : 0;
    opt.lead_days = hist.lead_set ? ho->labels.lead : -1;
    opt.as_of = ho->labels.as_of;
    if (!hist.quiet && cli_stderr_is_tty())
        opt.progress = progress;

    /* The workflow computes the report and writes its data; the output
     * layer draws the plots and writes the pages from its document. */
    hc_report_result res;
    hc_report_plots plots;
    int rc = 0;
    if (hc_report_run(&opt, &res, &err) != HC_OK ||
        hc_report_write(&res, &wopt, &plots, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        if (!hist.quiet)
            hc_history_write_counts(&res.history, stderr);
        if (!plots.available)
            cli_warn("plots are missing from the report: %s; every number behind them "
                     "is in %s/data", plots.why, opt.out_dir);
        else if (plots.summary.n_failed)
            cli_warn("%zu plot%s could not be drawn: %s",
                     plots.summary.n_failed,
                     plots.summary.n_failed == 1 ? "" : "s",
                     plots.why);
        if (!res.has_backtest)
            cli_warn("no out-of-time backtest: %s", res.backtest_note);
        const char *sep = opt.out_dir[0] && opt.out_dir[strlen(opt.out_dir) - 1] == '/'
                              ? "" : "/";
        if (pdf) {
            char html[4096], out[4096];
            snprintf(html, sizeof html, "%s%sindex.html", opt.out_dir, sep);
            snprintf(out, sizeof out, "%s%sindex.pdf", opt.out_dir, sep);
            if (opt.progress)
                progress(NULL, "printing index.pdf");
            if (hc_report_write_pdf(converter, html, out, 0, &err) != HC_OK) {
                rc = cli_fail(&err);
            } else {
                if (!hist.quiet)
                    fprintf(stderr, "healthcal report: %s printed with %s (headless)\n", out,
                            converter);
                printf("%s\n", out);
            }
        }
        printf("%s%sindex.html\n", opt.out_dir, sep);
    }
    hc_report_result_release(&res);
    return rc;
}
