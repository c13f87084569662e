/* plots_thresholds.c - the threshold sweep: share flagged, recall, precision and ARR recall per threshold, with the chosen cut points. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>

/* thresholds.csv: threshold,[share_flagged],[recall],[precision],
 *                 [arr_recall],[config]
 * cutpoints.csv: band,min (when present)
 *
 * Draws each measure present against the threshold on the health score,
 * with a dotted vertical line and the band name at each cut point inside
 * the threshold range. A file with none of the measure columns is bad
 * data (HC_EDATA). */
hc_status hc_pl_draw_thresholds(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"threshold", HC_COL_NUM, 1}, {"share_flagged", HC_COL_NUM, 0},
        {"recall", HC_COL_NUM, 0},    {"precision", HC_COL_NUM, 0},
        {"arr_recall", HC_COL_NUM, 0}, {"config", HC_COL_TEXT, 0}};
    static const hc_colspec ccols[] = {{"band", HC_COL_TEXT, 1},
                                       {"min", HC_COL_NUM, 1}};
    static const char *const series[4][2] = {
        {"share_flagged", "share of snapshots flagged"},
        {"recall", "recall (churner snapshots flagged)"},
        {"precision", "precision (flagged snapshots that churned)"},
        {"arr_recall", "ARR recall (churned ARR of flagged snapshots)"}};
    hc_status st = hc_pl_load_main(c, "thresholds.csv", cols, 6, err);
    if (st != HC_OK || c->skip)
        return st;
    int have_cuts;
    st = hc_pl_load(c, "cutpoints.csv", ccols, 2, &c->t[1], &have_cuts, err);
    if (st != HC_OK)
        return st;
    const hc_table *t = c->t[0];
    int tc = hc_table_find(t, "threshold");
    int sc[4];
    int n_series = 0;
    for (int i = 0; i < 4; i++) {
        sc[i] = hc_table_find(t, series[i][0]);
        n_series += sc[i] >= 0;
    }
    if (n_series == 0)
        return hc_error_set(err, HC_EDATA, t->source, 1, 0,
                            "header: none of the columns share_flagged, "
                            "recall, precision, arr_recall is present");
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    size_t n = hc_pl_select_rows(t, -1, 0, -1, 0, tc, -1, 1, k);
    double xmin = INFINITY, xmax = -INFINITY;
    int any[4] = {0, 0, 0, 0}, n_any = 0;
    for (size_t r = 0; r < n; r++) {
        hc_pl_df_num(c, k[r].k1);
        for (int i = 0; i < 4; i++) {
            double v = hc_pl_cell(t, sc[i], k[r].row);
            hc_pl_df_num(c, 100 * v); /* shares in percent */
            any[i] |= isfinite(v) != 0;
        }
        hc_pl_df_endrow(c);
        xmin = fmin(xmin, k[r].k1);
        xmax = fmax(xmax, k[r].k1);
    }
    free(k);
    int blk = hc_pl_df_endblock(c);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    for (int i = 0; i < 4; i++)
        n_any += any[i];
    if (n == 0 || n_any == 0) {
        hc_pl_skip(c, "thresholds.csv has no finite values to draw");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    /* the sweep belongs to one config (the backtest's primary one) */
    int cfc = hc_table_find(t, "config");
    hc_pl_add(b, "set title ");
    hc_pl_title(b, cfc >= 0 ? "Threshold sweep of " : "Threshold sweep",
                cfc >= 0 ? hc_pl_label(t, cfc, hc_pl_text_code(t, cfc, 0)) : "",
                ": snapshots scoring below the threshold are flagged");
    hc_pl_add(b, "\nset xlabel 'threshold on the health score (0-100)'\n"
                 "set ylabel 'share (%)'\nset yrange [0:105]\n"
                 "set key below maxrows 2 width -2\nset bmargin 7\n");
    if (xmax > xmin) {
        hc_pl_add(b, "set xrange [");
        hc_pl_num(b, xmin);
        hc_pl_add(b, ":");
        hc_pl_num(b, xmax);
        hc_pl_add(b, "]\n");
    }
    /* The chosen cut points: a dotted vertical line and the band name. */
    if (have_cuts && c->t[1]->n_rows > 0) {
        const hc_table *ct = c->t[1];
        int bc = hc_table_find(ct, "band"), mc = hc_table_find(ct, "min");
        size_t shown = 0;
        for (size_t r = 0; r < ct->n_rows && shown < HC_PL_MAX_SERIES; r++) {
            double x = hc_pl_cell(ct, mc, r);
            if (!isfinite(x) || x <= xmin || x > xmax)
                continue; /* the first band's 0 is not a cut */
            char text[512];
            snprintf(text, sizeof text, "%s from %g",
                     hc_pl_label(ct, bc, hc_pl_text_code(ct, bc, r)), x);
            hc_pl_add(b, "set arrow from ");
            hc_pl_num(b, x);
            hc_pl_add(b, ", graph 0 to ");
            hc_pl_num(b, x);
            hc_pl_add(b, ", graph 1 nohead back lc rgb '" HC_PL_GREY_TEXT "' dt 3 lw 1.5\n"
                         "set label ");
            hc_pl_quote(b, text);
            hc_pl_add(b, " at ");
            hc_pl_num(b, x);
            hc_pl_add(b, ", graph 0.98 right rotate by 90 offset -1.2,0 "
                         "front textcolor rgb '" HC_PL_GREY_TEXT "'\n");
            shown++;
        }
        if (shown == 0)
            hc_pl_note(c, "no cut point of cutpoints.csv lies inside the "
                          "threshold range");
    }
    hc_pl_add(b, "plot ");
    int first = 1;
    for (int i = 0; i < 4; i++) {
        if (!any[i])
            continue;
        if (!first)
            hc_pl_add(b, ", \\\n  ");
        first = 0;
        hc_pl_data(b, c, blk);
        hc_pl_printf(b, "using 1:%d with lines lt %d title '%s'", i + 2, i + 1,
                     series[i][1]);
    }
    hc_pl_add(b, "\n");
    return HC_OK;
}
