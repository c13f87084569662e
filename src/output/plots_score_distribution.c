/* plots_score_distribution.c - the health score distributions of churned and retained observations, one panel per config. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_PANELS 4 /* configs, in a 2x2 layout at most */

/* score_distribution.csv: config,outcome,bin_low,bin_high,[count],share
 *
 * Draws, per config, the share of each outcome group in each score bin as
 * overlapping histograms (at most four outcomes), with the group sizes in
 * the key. */
hc_status hc_pl_draw_score_distribution(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"config", HC_COL_TEXT, 1},  {"outcome", HC_COL_TEXT, 1},
        {"bin_low", HC_COL_NUM, 1},  {"bin_high", HC_COL_NUM, 1},
        {"count", HC_COL_NUM, 0},    {"share", HC_COL_NUM, 1}};
    hc_status st = hc_pl_load_main(c, "score_distribution.csv", cols, 6, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), oc = hc_table_find(t, "outcome");
    int lc = hc_table_find(t, "bin_low"), hc = hc_table_find(t, "bin_high");
    int nc = hc_table_find(t, "count"), sc = hc_table_find(t, "share");
    int32_t cfg[MAX_PANELS], out[4];
    int more_c, more_o;
    size_t n_cfg = hc_pl_distinct(t, cc, cfg, MAX_PANELS, &more_c);
    size_t n_out = hc_pl_distinct(t, oc, out, 4, &more_o);
    hc_pl_note_truncated(c, more_c, n_cfg, "configs");
    hc_pl_note_truncated(c, more_o, n_out, "outcomes");
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[MAX_PANELS][4];
    double total[MAX_PANELS][4];
    int any = 0;
    for (size_t i = 0; i < n_cfg; i++)
        for (size_t j = 0; j < n_out; j++) {
            size_t n = hc_pl_select_rows(t, cc, cfg[i], oc, out[j], lc, -1, 1, k);
            size_t written = 0;
            total[i][j] = 0;
            for (size_t r = 0; r < n; r++) {
                size_t row = k[r].row;
                double lo = hc_pl_cell(t, lc, row), hi = hc_pl_cell(t, hc, row);
                double share = hc_pl_cell(t, sc, row);
                double cnt = hc_pl_cell(t, nc, row);
                if (!isfinite(hi) || !(hi > lo) || !isfinite(share))
                    continue;
                hc_pl_df_num(c, (lo + hi) / 2);
                hc_pl_df_num(c, 100 * share); /* in percent */
                hc_pl_df_num(c, hi - lo);
                hc_pl_df_endrow(c);
                if (isfinite(cnt))
                    total[i][j] += cnt;
                written++;
            }
            block[i][j] = written ? hc_pl_df_endblock(c) : -1;
            any |= written > 0;
        }
    free(k);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!any) {
        hc_pl_skip(c, "score_distribution.csv has no finite values to draw");
        return HC_OK;
    }
    /* Filled for the first outcome, outlined for the second, patterned for
     * others: the overlap stays visible without colour. */
    static const char *const fills[4] = {
        "fs transparent solid 0.35 border", "fs empty border",
        "fs transparent pattern 4 border", "fs transparent pattern 5 border"};
    static const char *const out_colour[4] = {HC_PL_OI_BLUE, HC_PL_OI_VERMILLION,
                                              HC_PL_OI_BLUISH_GREEN, HC_PL_OI_REDDISH_PURPLE};
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    if (n_cfg > 1)
        hc_pl_printf(b, "set multiplot layout %d,%d title 'Health score "
                        "distribution of churned and retained observations'\n",
                     n_cfg > 2 ? 2 : 1, n_cfg > 1 ? 2 : 1);
    hc_pl_add(b, "set xrange [0:100]\nset yrange [0:*]\n"
                 "set offsets 0,0,graph 0.2,0\n"
                 "set xlabel 'health score (0-100, 100 healthiest)'\n"
                 "set ylabel 'share of the group (% of its snapshots)'\n"
                 "set key top left\n");
    /* side-by-side panels are half as wide: a smaller key keeps inside */
    if (n_cfg > 1)
        hc_pl_add(b, "set key font ',12' samplen 1.5\n");
    for (size_t i = 0; i < n_cfg; i++) {
        if (n_cfg > 1) {
            hc_pl_add(b, "set title ");
            hc_pl_quote(b, hc_pl_label(t, cc, cfg[i]));
        } else {
            hc_pl_add(b, "set title ");
            hc_pl_title(b, "Health score distribution of churned and retained "
                           "observations: ", hc_pl_label(t, cc, cfg[i]), "");
        }
        hc_pl_add(b, "\n");
        int first = 1;
        for (size_t j = 0; j < n_out; j++) {
            if (block[i][j] < 0)
                continue;
            const char *on = hc_pl_label(t, oc, out[j]);
            const char *col = strcasecmp(on, "churned") == 0   ? HC_PL_OI_VERMILLION
                              : strcasecmp(on, "retained") == 0 ? HC_PL_OI_BLUE
                                                                : out_colour[j];
            char title[512];
            if (total[i][j] > 0)
                snprintf(title, sizeof title, "%s (n=%.0f)", on, total[i][j]);
            else
                snprintf(title, sizeof title, "%s", on);
            hc_pl_add(b, first ? "plot " : ", \\\n  ");
            first = 0;
            hc_pl_data(b, c, block[i][j]);
            hc_pl_printf(b, "using 1:2:3 with boxes dt 1 lc rgb '%s' lw %d "
                            "%s title ",
                         col, j == 1 ? 2 : 1, fills[j]);
            hc_pl_quote(b, title);
        }
        /* a config without values leaves its panel empty */
        hc_pl_add(b, first ? "set multiplot next\n" : "\n");
    }
    return HC_OK;
}
