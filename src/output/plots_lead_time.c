/* plots_lead_time.c - how early the score warns: the share of churned accounts red, or below green, 30, 60 and 90 days before churning, current vs tuned, with the two-thirds pass bar. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* lead_time.csv: config,flag,days_before_churn,[churned_accounts],[flagged],share,
 *                [ci_low],[ci_high]
 *
 * One line per config and flag ("red" solid, "below_green" dashed), the
 * share in percent with its interval, against the days before churn (the
 * axis runs from 90 down to 30: time flows to the right, towards the
 * churn); a dotted line at two thirds, the practitioners' pass bar for
 * below green 60-90 days before. */
hc_status hc_pl_draw_lead_time(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"config", HC_COL_TEXT, 1},           {"flag", HC_COL_TEXT, 1},
        {"days_before_churn", HC_COL_NUM, 1}, {"churned_accounts", HC_COL_NUM, 0},
        {"flagged", HC_COL_NUM, 0},           {"share", HC_COL_NUM, 1},
        {"ci_low", HC_COL_NUM, 0},            {"ci_high", HC_COL_NUM, 0}};
    static const char *const colour[4] = {HC_PL_OI_BLUE, HC_PL_OI_ORANGE, HC_PL_OI_SKY_BLUE, HC_PL_OI_REDDISH_PURPLE};
    hc_status st = hc_pl_load_main(c, "lead_time.csv", cols, 8, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), fc = hc_table_find(t, "flag");
    int dc = hc_table_find(t, "days_before_churn"), sc = hc_table_find(t, "share");
    int lc = hc_table_find(t, "ci_low"), hc = hc_table_find(t, "ci_high");
    int32_t cfg[4], flag[2];
    int more_c, more_f;
    size_t n_cfg = hc_pl_distinct(t, cc, cfg, 4, &more_c);
    size_t n_flag = hc_pl_distinct(t, fc, flag, 2, &more_f);
    hc_pl_note_truncated(c, more_c, n_cfg, "configs");
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[8], any = 0;
    for (size_t i = 0; i < n_cfg; i++)
        for (size_t j = 0; j < n_flag; j++) {
            size_t n = hc_pl_select_rows(t, cc, cfg[i], fc, flag[j], dc, -1, 1, k);
            size_t written = 0;
            for (size_t r = 0; r < n; r++) {
                double v = hc_pl_cell(t, sc, k[r].row);
                if (!isfinite(v))
                    continue;
                hc_pl_df_num(c, k[r].k1);
                hc_pl_df_num(c, 100 * v);
                hc_pl_df_num(c, 100 * hc_pl_cell(t, lc, k[r].row));
                hc_pl_df_num(c, 100 * hc_pl_cell(t, hc, k[r].row));
                hc_pl_df_endrow(c);
                written++;
            }
            block[i * 2 + j] = written ? hc_pl_df_endblock(c) : -1;
            any |= written > 0;
        }
    free(k);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!any) {
        hc_pl_skip(c, "lead_time.csv has no shares to draw (no churned account with a "
                      "snapshot that early)");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    hc_pl_add(b, "set title 'Churned accounts flagged before they churned'\n"
                 "set xlabel 'days before churn'\nset ylabel 'churned accounts flagged (%)'\n"
                 "set xrange [100:20]\nset xtics (90, 60, 30)\nset yrange [0:105]\n"
                 "set key at graph 0.98, graph 0.52 right top\n"
                 "set arrow from 100,66.667 to 20,66.667 nohead dt 3 lw 1.5 lc rgb '#555555'\n"
                 "set label 'pass bar: two thirds below green' at 98,62 left "
                 "tc rgb '#555555'\nplot ");
    int first = 1;
    for (size_t i = 0; i < n_cfg; i++)
        for (size_t j = 0; j < n_flag; j++) {
            int blk = block[i * 2 + j];
            if (blk < 0)
                continue;
            const char *fl = hc_pl_label(t, fc, flag[j]);
            int red = strcmp(fl, "red") == 0;
            double off = ((double)i - 0.5 * (double)(n_cfg - 1)) * 1.5;
            if (!first)
                hc_pl_add(b, ", \\\n  ");
            first = 0;
            hc_pl_data(b, c, blk);
            hc_pl_add(b, "using ($1+");
            hc_pl_num(b, off);
            hc_pl_printf(b, "):2:3:4 with yerrorlines lw 2 lc rgb '%s' dt %s pt %d ps 1 "
                            "title ",
                         colour[i % 4], red ? "1" : "(8,4)", red ? 7 : 5);
            char title[256];
            snprintf(title, sizeof title, "%s, %s", hc_pl_label(t, cc, cfg[i]),
                     red ? "red" : "below green");
            hc_pl_quote(b, title);
        }
    hc_pl_add(b, "\n");
    return HC_OK;
}
