/* cmd_plot.c - `healthcal plot`: redraws the plots from saved plot data files. */
#include "cli.h"
#include "hc_plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Parses "svg,png" into HC_PLOT_* flags; 0 after a usage error. */
static unsigned parse_formats(const char *arg)
{
    size_t n;
    char **items = cli_split_list(arg, &n);
    if (!items) {
        cli_usage_error("out of memory");
        return 0;
    }
    unsigned f = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], "svg") == 0)
            f |= HC_PLOT_SVG;
        else if (strcmp(items[i], "png") == 0)
            f |= HC_PLOT_PNG;
        else {
            cli_usage_error("--format: '%s' is not a plot format (svg, png)",
                            items[i]);
            free(items);
            return 0;
        }
    }
    free(items);
    if (!f)
        cli_usage_error("--format: give svg, png or svg,png");
    return f;
}

static int is_file(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    return w > 0 && (size_t)w < sizeof path && stat(path, &sb) == 0 &&
           S_ISREG(sb.st_mode);
}

/* A report directory keeps its plot data in data/: accept either. */
static const char *data_dir_of(const char *from, char *buf, size_t size)
{
    static const char *const files[] = {
        "reliability.csv", "prediction_hist.csv", "roc.csv", "pr.csv",
        "gains.csv", "bands_over_time.csv", "band_arr.csv",
        "score_distribution.csv", "weights.csv", "thresholds.csv",
        "folds.csv", "band_rates.csv", "lead_time.csv", "trend.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (is_file(from, files[i]))
            return from;
    int w = snprintf(buf, size, "%s/data", from);
    if (w > 0 && (size_t)w < size)
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
            if (is_file(buf, files[i]))
                return buf;
    return NULL;
}

int cmd_plot(int argc, char **argv)
{
    enum { OPT_FROM = 256, OPT_FORMAT, OPT_GNUPLOT, OPT_TIMEOUT, OPT_SCRIPT };
    static const cli_option options[] = {
        {"from", OPT_FROM, 1, "DIR",
         "directory holding the plot data files (or a report directory "
         "with a data/ subdirectory)"},
        {"output", 'o', 1, "DIR", "write the images here (created if missing)"},
        {"format", OPT_FORMAT, 1, "LIST", "svg, png or svg,png (default svg,png)"},
        {"gnuplot", OPT_GNUPLOT, 1, "PROG",
         "gnuplot program to run (default: gnuplot found on PATH)"},
        {"timeout", OPT_TIMEOUT, 1, "SECONDS",
         "stop a gnuplot run after this long (default 60)"},
        {"script", OPT_SCRIPT, 0, NULL,
         "also write each figure's gnuplot commands as OUTDIR/NAME.gp (axes, colours)"},
        {0},
    };
    cli_parser p = {
        "plot", "--from DIR -o OUTDIR [--format svg,png]",
        "Redraws every plot whose data file is in DIR: reliability.csv and\n"
        "prediction_hist.csv (reliability diagram), roc.csv, pr.csv, gains.csv,\n"
        "bands_over_time.csv, band_arr.csv, score_distribution.csv, weights.csv,\n"
        "thresholds.csv with cutpoints.csv, folds.csv, and a report's\n"
        "band_rates.csv (headline), lead_time.csv and trend.csv. Each plot is written\n"
        "as OUTDIR/NAME.svg and/or OUTDIR/NAME.png. gnuplot (5.x) must be\n"
        "installed; it is run without a shell and every name from the data is\n"
        "quoted so that it cannot run commands.",
        options, argc, argv};
    const char *from = NULL, *out = NULL;
    unsigned formats = HC_PLOT_SVG | HC_PLOT_PNG;
    hc_gnuplot_options gopt;
    memset(&gopt, 0, sizeof gopt);
    const char *arg;
    int c;
    while ((c = cli_next(&p, &arg)) != -1) {
        switch (c) {
        case OPT_FROM: from = arg; break;
        case 'o': out = arg; break;
        case OPT_FORMAT:
            if (!(formats = parse_formats(arg)))
                return 1;
            break;
        case OPT_GNUPLOT: gopt.gnuplot = arg; break;
        case OPT_SCRIPT: gopt.keep_script = 1; break;
        case OPT_TIMEOUT:
            if (cli_parse_double("--timeout", arg, 0.1, 86400, &gopt.timeout))
                return 1;
            break;
        case 'h': return 0;
        default: return 1;
        }
    }
    if (cli_no_positionals(&p))
        return 1;
    if (!from)
        return cli_usage_error("'--from DIR' is required");
    if (!out)
        return cli_usage_error("'-o OUTDIR' is required");

    hc_error err;
    hc_error_clear(&err);
    struct stat sb;
    if (stat(from, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        hc_error_set(&err, HC_EIO, from, 0, 0, "not a readable directory");
        return cli_fail(&err);
    }
    char buf[4096];
    const char *data_dir = data_dir_of(from, buf, sizeof buf);
    if (!data_dir) {
        hc_error_set(&err, HC_EDATA, from, 0, 0,
                     "no plot data files here or in its data/ directory "
                     "(expected e.g. reliability.csv, roc.csv, folds.csv)");
        return cli_fail(&err);
    }
    hc_plot_summary sum;
    hc_status st = hc_plot_all(data_dir, out, formats, &gopt, &sum, &err);
    if (sum.n_drawn == 0 && sum.n_failed == 0 && st != HC_OK)
        return cli_fail(&err); /* gnuplot missing, or out dir unusable */
    for (size_t i = 0; i < sum.n_plots; i++) {
        const hc_plot_result *r = &sum.plots[i];
        if (r->state == HC_PLOT_DRAWN) {
            printf("drawn    %-19s", r->name);
            if (formats & HC_PLOT_SVG)
                printf(" %s/%s.svg", out, r->name);
            if (formats & HC_PLOT_PNG)
                printf(" %s/%s.png", out, r->name);
            printf("\n");
            if (r->reason[0])
                cli_warn("%s: %s", r->name, r->reason);
        } else if (r->state == HC_PLOT_SKIPPED) {
            printf("skipped  %-19s %s\n", r->name, r->reason);
        } else {
            printf("failed   %-19s see the error below\n", r->name);
            fprintf(stderr, "healthcal: error: %s plot: %s\n", r->name,
                    r->reason);
        }
    }
    if (st != HC_OK)
        return hc_status_exit_code(st);
    return 0;
}
