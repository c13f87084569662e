/* report_write.c - completing the report directory: the coefficient table, the plots, summary.md and index.html. */
#include "hc_coef_table.h"
#include "hc_outfile.h"
#include "hc_report_render.h"

#include <stdlib.h>
#include <string.h>

void hc_report_write_options_init(hc_report_write_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->plot_formats = HC_PLOT_SVG | HC_PLOT_PNG;
}

static void stage(const hc_report_result *res, const char *what)
{
    if (res->opt.progress)
        res->opt.progress(res->opt.progress_ctx, what);
}

static hc_status join(char *buf, size_t size, const char *dir, const char *name,
                      hc_error *err)
{
    int w = snprintf(buf, size, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= size)
        return hc_error_set(err, HC_EIO, dir, 0, 0, "path is too long");
    return HC_OK;
}

/* data/coefficients.csv: the churn model's coefficient table, its terms
 * named after the kept components. */
static hc_status write_coefficients(const hc_report_result *res, hc_error *err)
{
    const hc_fit_result *r = &res->fit;
    const char **names = malloc((r->n_kept ? r->n_kept : 1) * sizeof *names);
    if (!names)
        return hc_error_nomem(err);
    for (size_t j = 0; j < r->n_kept; j++)
        names[j] = r->tuned->components[r->kept[j]].name;
    char path[4096];
    hc_outfile *of;
    hc_status st = join(path, sizeof path, res->doc.data_dir, "coefficients.csv", err);
    if (st == HC_OK && (st = hc_outfile_open(path, &of, err)) == HC_OK) {
        hc_coef_table_write_csv(hc_outfile_stream(of), &r->churn, names);
        st = hc_outfile_commit(of, err);
    }
    free(names);
    return st;
}

/* A plot that cannot be drawn, or no gnuplot at all, is not an error: the
 * pages say so and every number stays in data/. */
static hc_status draw_plots(const hc_report_result *res, const hc_report_write_options *opt,
                            hc_report_plots *plots, hc_error *err)
{
    char prog[4096];
    hc_error gerr;
    hc_error_clear(&gerr);
    plots->available = hc_gnuplot_find(&opt->gnuplot, prog, sizeof prog, &gerr) == HC_OK;
    if (!plots->available) {
        snprintf(plots->why, sizeof plots->why, "%s", gerr.message);
        return HC_OK;
    }
    hc_status st = hc_plot_all(res->doc.data_dir, res->doc.plots_dir,
                               opt->plot_formats ? opt->plot_formats
                                                 : HC_PLOT_SVG | HC_PLOT_PNG,
                               &opt->gnuplot, &plots->summary, &gerr);
    if (st == HC_ENOMEM)
        return hc_error_nomem(err);
    if (st != HC_OK)
        snprintf(plots->why, sizeof plots->why, "%s", gerr.message);
    return HC_OK;
}

hc_status hc_report_write(const hc_report_result *res, const hc_report_write_options *opt,
                          hc_report_plots *plots, hc_error *err)
{
    hc_report_write_options defaults;
    if (!opt) {
        hc_report_write_options_init(&defaults);
        opt = &defaults;
    }
    memset(plots, 0, sizeof *plots);
    const char *out = res->opt.out_dir;
    hc_status st;
    if ((st = write_coefficients(res, err)) != HC_OK)
        return st;
    stage(res, "drawing plots");
    if ((st = draw_plots(res, opt, plots, err)) != HC_OK)
        return st;
    stage(res, "writing the report");
    char path[4096];
    hc_outfile *of;
    if ((st = join(path, sizeof path, out, "summary.md", err)) != HC_OK ||
        (st = hc_outfile_open(path, &of, err)) != HC_OK)
        return st;
    hc_report_write_markdown(hc_outfile_stream(of), res, plots);
    if ((st = hc_outfile_commit(of, err)) != HC_OK)
        return st;
    /* index.html last: it claims a complete report. */
    if ((st = join(path, sizeof path, out, "index.html", err)) != HC_OK ||
        (st = hc_outfile_open(path, &of, err)) != HC_OK)
        return st;
    hc_report_write_html(hc_outfile_stream(of), res, plots, res->doc.plots_dir);
    return hc_outfile_commit(of, err);
}
