/* plots_report.c - the report's own figures (headline, lead time, trend): the table, the runner from data file to images, and the band colours. */
#include "hc_outfile.h"
#include "hc_report_render.h"
#include "plots_report.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *file;
    hc_pl_draw_fn fn;
} table[] = {
    {"headline", "band_rates.csv", hc_pl_draw_headline},
    {"lead_time", "lead_time.csv", hc_pl_draw_lead_time},
    {"trend", "trend.csv", hc_pl_draw_trend},
};
#define N_FIGURES (sizeof table / sizeof table[0])

const char *hc_pr_band_colour(size_t band, size_t n_bands)
{
    static const char *const middle[] = {HC_PR_ORANGE, HC_PR_SKY, HC_PR_PURPLE, HC_PR_YELLOW,
                                         HC_PR_BLUE};
    if (band == 0)
        return HC_PR_VERMILLION;
    if (band + 1 == n_bands)
        return HC_PR_GREEN;
    return middle[(band - 1) % 5];
}

hc_status hc_plot_report_figures(const char *data_dir, const char *out_dir, unsigned formats,
                                 const hc_gnuplot_options *opt, hc_plot_summary *summary,
                                 hc_error *err)
{
    memset(summary, 0, sizeof *summary);
    summary->n_plots = N_FIGURES;
    summary->formats = formats;
    char prog[4096];
    hc_error why;
    hc_error_clear(&why);
    int found = hc_gnuplot_find(opt, prog, sizeof prog, &why) == HC_OK;
    hc_status first = HC_OK;
    for (size_t i = 0; i < N_FIGURES; i++) {
        hc_plot_result *r = &summary->plots[i];
        r->name = table[i].name;
        r->data_file = table[i].file;
        r->state = HC_PLOT_SKIPPED;
        r->status = HC_OK;
        if (!found) {
            snprintf(r->reason, sizeof r->reason, "%s", why.message);
            summary->n_skipped++;
            continue;
        }
        hc_pl_ctx c;
        memset(&c, 0, sizeof c);
        c.data_dir = data_dir;
        hc_error e;
        hc_error_clear(&e);
        hc_status st = table[i].fn(&c, &e);
        if (st == HC_OK && !c.skip && c.sc.oom)
            st = hc_error_nomem(&e);
        if (st == HC_OK && !c.skip)
            st = hc_gnuplot_render(c.sc.s, out_dir, table[i].name, formats, opt, &e);
        if (c.df)
            fclose(c.df);
        hc_gnuplot_temp_remove(c.data);
        hc_table_free(c.t[0]);
        hc_table_free(c.t[1]);
        free(c.sc.s);
        r->state = st != HC_OK ? HC_PLOT_FAILED : c.skip ? HC_PLOT_SKIPPED : HC_PLOT_DRAWN;
        snprintf(r->reason, sizeof r->reason, "%s", c.note);
        if (st != HC_OK) {
            r->status = st;
            hc_error_format(&e, r->reason, sizeof r->reason);
            if (first == HC_OK) {
                first = st;
                if (err)
                    *err = e;
            }
        }
        summary->n_drawn += r->state == HC_PLOT_DRAWN;
        summary->n_skipped += r->state == HC_PLOT_SKIPPED;
        summary->n_failed += r->state == HC_PLOT_FAILED;
    }
    return found ? first : HC_OK;
}
