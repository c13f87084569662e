/* plots.c - the plot dispatcher: the table of figures, running one figure from its data file to its images, hc_plot_one and hc_plot_all. */
#include "hc_outfile.h"
#include "hc_plot.h"
#include "plots_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Each figure lives in the file of its family (plots_*.c); the shared
 * machinery is in plots_script.c (the script) and plots_data.c (the data).
 * This table gives the drawing order, which hc_plot_all's summary keeps. */
static const struct {
    const char *name;
    const char *file;
    hc_pl_draw_fn fn;
} plot_table[HC_PLOT_COUNT] = {
    {"reliability", "reliability.csv", hc_pl_draw_reliability},
    {"roc", "roc.csv", hc_pl_draw_roc},
    {"pr", "pr.csv", hc_pl_draw_pr},
    {"gains", "gains.csv", hc_pl_draw_gains},
    {"bands_over_time", "bands_over_time.csv", hc_pl_draw_bands_over_time},
    {"band_arr", "band_arr.csv", hc_pl_draw_band_arr},
    {"score_distribution", "score_distribution.csv",
     hc_pl_draw_score_distribution},
    {"weights", "weights.csv", hc_pl_draw_weights},
    {"thresholds", "thresholds.csv", hc_pl_draw_thresholds},
    {"folds", "folds.csv", hc_pl_draw_folds},
    /* The report's own figures (its data directory has their files). */
    {"headline", "band_rates.csv", hc_pl_draw_headline},
    {"lead_time", "lead_time.csv", hc_pl_draw_lead_time},
    {"trend", "trend.csv", hc_pl_draw_trend},
};

/* Builds and draws plot number `i`; *state says what happened, `note`
 * (1 KiB) why it was skipped or what was left out. */
static hc_status run_plot(size_t i, const char *data_dir, const char *out_dir,
                          unsigned formats, const hc_gnuplot_options *opt,
                          hc_plot_state *state, char *note, size_t note_size,
                          hc_error *err)
{
    hc_pl_ctx c;
    memset(&c, 0, sizeof c);
    c.data_dir = data_dir;
    hc_status st = plot_table[i].fn(&c, err);
    if (st == HC_OK && !c.skip && c.sc.oom)
        st = hc_error_nomem(err);
    if (st == HC_OK && !c.skip)
        st = hc_gnuplot_render(c.sc.s, out_dir, plot_table[i].name, formats,
                               opt, err);
    if (c.df)
        fclose(c.df);
    hc_gnuplot_temp_remove(c.data);
    hc_table_free(c.t[0]);
    hc_table_free(c.t[1]);
    free(c.sc.s);
    *state = st != HC_OK ? HC_PLOT_FAILED
             : c.skip    ? HC_PLOT_SKIPPED
                         : HC_PLOT_DRAWN;
    snprintf(note, note_size, "%s", c.note);
    return st;
}

static int find_plot(const char *name)
{
    for (size_t i = 0; i < HC_PLOT_COUNT; i++)
        if (strcmp(plot_table[i].name, name) == 0)
            return (int)i;
    return -1;
}

hc_status hc_plot_one(const char *name, const char *data_dir,
                      const char *out_dir, unsigned formats,
                      const hc_gnuplot_options *opt, hc_plot_state *state,
                      hc_error *err)
{
    *state = HC_PLOT_FAILED;
    int i = find_plot(name ? name : "");
    if (i < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "unknown plot '%s'",
                            name ? name : "");
    char path[4096];
    hc_status st = hc_gnuplot_find(opt, path, sizeof path, err);
    if (st == HC_OK)
        st = hc_mkdir_p(out_dir, err);
    if (st != HC_OK)
        return st;
    char note[1024];
    st = run_plot((size_t)i, data_dir, out_dir, formats, opt, state, note,
                  sizeof note, err);
    if (st == HC_OK && *state == HC_PLOT_SKIPPED)
        hc_error_set(err, HC_OK, NULL, 0, 0, "%s", note);
    return st;
}

hc_status hc_plot_all(const char *data_dir, const char *out_dir,
                      unsigned formats, const hc_gnuplot_options *opt,
                      hc_plot_summary *summary, hc_error *err)
{
    memset(summary, 0, sizeof *summary);
    summary->n_plots = HC_PLOT_COUNT;
    summary->formats = formats;
    for (size_t i = 0; i < HC_PLOT_COUNT; i++) {
        summary->plots[i].name = plot_table[i].name;
        summary->plots[i].data_file = plot_table[i].file;
        summary->plots[i].state = HC_PLOT_SKIPPED;
        summary->plots[i].status = HC_OK;
    }
    if (!(formats & (HC_PLOT_SVG | HC_PLOT_PNG)))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "no plot format requested (svg, png)");
    struct stat sb;
    if (stat(data_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return hc_error_set(err, HC_EIO, data_dir, 0, 0,
                            "not a readable directory");
    char path[4096];
    hc_error why;
    hc_error_clear(&why);
    if (hc_gnuplot_find(opt, path, sizeof path, &why) != HC_OK) {
        for (size_t i = 0; i < HC_PLOT_COUNT; i++)
            snprintf(summary->plots[i].reason, sizeof summary->plots[i].reason,
                     "%s", why.message);
        summary->n_skipped = HC_PLOT_COUNT;
        if (err)
            *err = why;
        return why.status;
    }
    hc_status st = hc_mkdir_p(out_dir, err);
    if (st != HC_OK)
        return st;
    hc_status first = HC_OK;
    for (size_t i = 0; i < HC_PLOT_COUNT; i++) {
        hc_plot_result *res = &summary->plots[i];
        hc_error e;
        hc_error_clear(&e);
        st = run_plot(i, data_dir, out_dir, formats, opt, &res->state,
                      res->reason, sizeof res->reason, &e);
        if (st != HC_OK) {
            res->status = st;
            hc_error_format(&e, res->reason, sizeof res->reason);
            if (first == HC_OK) {
                first = st;
                if (err)
                    *err = e;
            }
        }
        summary->n_drawn += res->state == HC_PLOT_DRAWN;
        summary->n_skipped += res->state == HC_PLOT_SKIPPED;
        summary->n_failed += res->state == HC_PLOT_FAILED;
    }
    return first;
}
