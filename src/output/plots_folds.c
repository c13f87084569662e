/* plots_folds.c - the metrics per backtest fold: ROC AUC (with its interval), PR AUC, Brier score and ECE over the test periods. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>

/* folds.csv: [fold],config,test_start,[test_end],[n],[positives],[roc_auc],
 *            [pr_auc],[brier],[log_loss],[ece],[roc_auc_ci_low],
 *            [roc_auc_ci_high]
 *
 * Draws one panel per metric that has a value, one line per config (at
 * most eight) against the start of the test period. */
hc_status hc_pl_draw_folds(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"fold", HC_COL_NUM, 0},       {"config", HC_COL_TEXT, 1},
        {"test_start", HC_COL_DATE, 1}, {"test_end", HC_COL_DATE, 0},
        {"n", HC_COL_NUM, 0},          {"positives", HC_COL_NUM, 0},
        {"roc_auc", HC_COL_NUM, 0},    {"pr_auc", HC_COL_NUM, 0},
        {"brier", HC_COL_NUM, 0},      {"log_loss", HC_COL_NUM, 0},
        {"ece", HC_COL_NUM, 0},        {"roc_auc_ci_low", HC_COL_NUM, 0},
        {"roc_auc_ci_high", HC_COL_NUM, 0}};
    static const char *const metric[4][3] = {
        {"roc_auc", "ROC AUC (higher is better)", "area (0-1)"},
        {"pr_auc", "PR AUC (higher is better)", "area (0-1)"},
        {"brier", "Brier score (lower is better)", "mean squared error"},
        {"ece", "expected calibration error (lower is better)",
         "probability (fraction)"}};
    hc_status st = hc_pl_load_main(c, "folds.csv", cols, 13, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), dc = hc_table_find(t, "test_start");
    int mc[4], any[4] = {0, 0, 0, 0}, n_panels = 0, any_ci = 0;
    for (int i = 0; i < 4; i++)
        mc[i] = hc_table_find(t, metric[i][0]);
    int lo_c = hc_table_find(t, "roc_auc_ci_low");
    int hi_c = hc_table_find(t, "roc_auc_ci_high");
    int32_t cfg[HC_PL_MAX_SERIES];
    int more;
    size_t n_cfg = hc_pl_distinct(t, cc, cfg, 8, &more);
    hc_pl_note_truncated(c, more, n_cfg, "configs");
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[HC_PL_MAX_SERIES];
    for (size_t i = 0; i < n_cfg; i++) {
        size_t n = hc_pl_select_rows(t, cc, cfg[i], -1, 0, dc, -1, 1, k);
        for (size_t r = 0; r < n; r++) {
            hc_pl_df_num(c, k[r].k1);
            for (int m = 0; m < 4; m++) {
                double v = hc_pl_cell(t, mc[m], k[r].row);
                hc_pl_df_num(c, v);
                any[m] |= isfinite(v) != 0;
            }
            /* the ROC AUC interval; a bare point when there is none */
            double auc = hc_pl_cell(t, mc[0], k[r].row);
            double lo = hc_pl_cell(t, lo_c, k[r].row);
            double hi = hc_pl_cell(t, hi_c, k[r].row);
            if (isfinite(lo) && isfinite(hi) && isfinite(auc))
                any_ci = 1;
            else
                lo = hi = auc;
            hc_pl_df_num(c, lo);
            hc_pl_df_num(c, hi);
            hc_pl_df_endrow(c);
        }
        block[i] = n ? hc_pl_df_endblock(c) : -1;
    }
    free(k);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    /* a metric without a single value gets no panel (gnuplot cannot draw
     * a panel without a point) */
    for (int m = 0; m < 4; m++)
        n_panels += any[m];
    if (n_panels == 0) {
        hc_pl_skip(c, "folds.csv has no values of roc_auc, pr_auc, brier or ece");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    if ((st = hc_pl_date_axis(b, t, dc, n_panels > 1 ? 3 : 6, 1, err)) != HC_OK)
        return st;
    /* constant metrics would otherwise sit on the frame */
    hc_pl_add(b, "set offsets 0,0,graph 0.1,graph 0.1\n");
    hc_pl_printf(b, "set multiplot layout %d,%d title 'Metrics per backtest "
                    "fold'\n",
                 n_panels > 2 ? 2 : 1, n_panels > 1 ? 2 : 1);
    hc_pl_add(b, "set xlabel 'start of test period (date)'\n");
    int panel = 0;
    for (int m = 0; m < 4; m++) {
        if (!any[m])
            continue;
        hc_pl_printf(b, "set title '%s%s'\nset ylabel '%s'\n", metric[m][1],
                     m == 0 && any_ci ? ", 95% interval" : "", metric[m][2]);
        /* one key for all panels, in the free corner beside the title */
        if (panel == 0)
            hc_pl_add(b, "set key at screen 0.99, screen 0.995 right top "
                         "horizontal noopaque nobox\n");
        else
            hc_pl_add(b, "unset key\n");
        hc_pl_add(b, "plot ");
        int first = 1;
        for (size_t i = 0; i < n_cfg; i++) {
            if (block[i] < 0)
                continue;
            if (!first)
                hc_pl_add(b, ", \\\n  ");
            first = 0;
            hc_pl_data(b, c, block[i]);
            if (m == 0 && any_ci)
                hc_pl_printf(b, "using 1:2:6:7 with yerrorlines lt %zu title ",
                             i % 8 + 1);
            else
                hc_pl_printf(b, "using 1:%d with linespoints lt %zu title ",
                             m + 2, i % 8 + 1);
            hc_pl_quote(b, hc_pl_label(t, cc, cfg[i]));
        }
        hc_pl_add(b, "\n");
        panel++;
    }
    return HC_OK;
}
