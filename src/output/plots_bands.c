/* plots_bands.c - the band figures: churn rate and ARR per band over backtest folds, and ARR per band of today's book. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>

/* bands_over_time.csv: config,[fold],test_start,band,churn_rate,[arr_latest]
 *
 * Draws the churn rate per band (and config) at the start of each backtest
 * test period (a rate per snapshot), and in a second panel sharing the
 * date axis, when the arr_latest column has values, the ARR per band
 * counted once per account: each account in the band of its latest test
 * snapshot of the fold, so that the bands add up to the fold's book. A
 * file of an older healthcal has only `arr`, ARR summed over the snapshots
 * (an account once a week, about 13 times its ARR in a quarter): it is not
 * drawn, and a note says why. A band keeps its colour, a config its dash
 * type. */
hc_status hc_pl_draw_bands_over_time(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"config", HC_COL_TEXT, 1},    {"fold", HC_COL_NUM, 0},
        {"test_start", HC_COL_DATE, 1}, {"band", HC_COL_TEXT, 1},
        {"churn_rate", HC_COL_NUM, 1}, {"arr_latest", HC_COL_NUM, 0},
        {"arr", HC_COL_NUM, 0}};
    hc_status st = hc_pl_load_main(c, "bands_over_time.csv", cols, 7, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), bc = hc_table_find(t, "band");
    int dc = hc_table_find(t, "test_start"), rc = hc_table_find(t, "churn_rate");
    int ac = hc_table_find(t, "arr_latest");
    if (ac < 0 && hc_table_find(t, "arr") >= 0)
        hc_pl_note(c, "ARR per band not drawn: this bands_over_time.csv has only 'arr', ARR "
                      "summed over snapshots (each account once a week); a newer healthcal "
                      "writes 'arr_latest', once per account");
    int32_t cfg[HC_PL_MAX_SERIES], band[HC_PL_MAX_SERIES];
    int more_c, more_b;
    size_t n_cfg = hc_pl_distinct(t, cc, cfg, 4, &more_c);
    size_t n_band = hc_pl_distinct(t, bc, band, HC_PL_MAX_SERIES, &more_b);
    hc_pl_note_truncated(c, more_c, n_cfg, "configs");
    hc_pl_note_truncated(c, more_b, n_band, "bands");
    if (n_cfg * n_band > HC_PL_MAX_SERIES) {
        hc_pl_note(c, "only the first %zu configs are drawn",
                   (size_t)HC_PL_MAX_SERIES / n_band
                       ? (size_t)HC_PL_MAX_SERIES / n_band
                       : 1);
        n_cfg = HC_PL_MAX_SERIES / n_band ? HC_PL_MAX_SERIES / n_band : 1;
        if (n_band > HC_PL_MAX_SERIES)
            n_band = HC_PL_MAX_SERIES;
    }
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[HC_PL_MAX_SERIES];
    int any = 0, have_rate = 0, have_arr = 0;
    for (size_t i = 0; i < n_cfg; i++)
        for (size_t j = 0; j < n_band; j++) {
            size_t n =
                hc_pl_select_rows(t, cc, cfg[i], bc, band[j], dc, -1, 1, k);
            size_t written = 0;
            for (size_t r = 0; r < n; r++) {
                double rate = hc_pl_cell(t, rc, k[r].row);
                double arr = hc_pl_cell(t, ac, k[r].row);
                if (!isfinite(rate) && !isfinite(arr))
                    continue;
                hc_pl_df_num(c, k[r].k1);
                hc_pl_df_num(c, 100 * rate); /* in percent */
                hc_pl_df_num(c, arr);
                hc_pl_df_endrow(c);
                have_rate |= isfinite(rate) != 0;
                have_arr |= isfinite(arr) != 0;
                written++;
            }
            block[i * n_band + j] = written ? hc_pl_df_endblock(c) : -1;
            any |= written > 0;
        }
    free(k);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!any) {
        hc_pl_skip(c, "bands_over_time.csv has no finite values to draw");
        return HC_OK;
    }
    /* A panel per measure that has values: churn rate, then ARR. */
    const char *unit;
    double scale = hc_pl_money_scale(hc_pl_column_max(t, ac), &unit);
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    st = hc_pl_date_axis(b, t, dc, 6, !(have_rate && have_arr), err);
    if (st != HC_OK)
        return st;
    /* Both panels share the margins, so their date axes line up; the key
     * sits to the right of the upper panel. */
    hc_pl_add(b, "set lmargin at screen 0.11\nset rmargin at screen 0.74\n"
                 "set key at screen 0.99, screen 0.9 right top\n");
    if (have_rate && have_arr)
        hc_pl_add(b, "set multiplot title 'Churn rate per snapshot, and ARR per band "
                     "once per account (by its latest test snapshot), over backtest "
                     "folds'\n"
                     "set origin 0,0.5\nset size 1,0.45\n"
                     "unset xlabel\nset bmargin 1\n");
    else
        hc_pl_printf(b, "set title '%s per band over backtest folds'\n"
                        "set xlabel 'start of test period (date)'\n",
                     have_rate ? "Churn rate per snapshot"
                               : "ARR once per account (by its latest test snapshot)");
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0 && !have_rate)
            continue;
        if (pass == 1 && !have_arr)
            break;
        if (pass == 0)
            hc_pl_add(b, "set yrange [0:*]\nset ylabel 'churn rate within the "
                         "horizon (% of snapshots)'\nplot ");
        else {
            if (have_rate) {
                hc_pl_add(b, "set origin 0,0\nset size 1,0.5\nset tmargin 0.5\n"
                             "set bmargin 3.5\nunset key\n"
                             "set xlabel 'start of test period (date)'\n");
                if ((st = hc_pl_date_axis(b, t, dc, 6, 1, err)) != HC_OK)
                    return st;
            }
            hc_pl_printf(b, "set yrange [0:*]\nset ylabel 'ARR in band (%s)'\n"
                            "plot ", unit);
        }
        int first = 1;
        for (size_t i = 0; i < n_cfg; i++)
            for (size_t j = 0; j < n_band; j++) {
                int blk = block[i * n_band + j];
                if (blk < 0)
                    continue;
                const char *bn = hc_pl_label(t, bc, band[j]);
                char title[512];
                if (n_cfg > 1)
                    snprintf(title, sizeof title, "%s / %s",
                             hc_pl_label(t, cc, cfg[i]), bn);
                else
                    snprintf(title, sizeof title, "%s", bn);
                if (!first)
                    hc_pl_add(b, ", \\\n  ");
                first = 0;
                hc_pl_data(b, c, blk);
                if (pass == 0)
                    hc_pl_add(b, "using 1:2");
                else {
                    hc_pl_add(b, "using 1:($3/");
                    hc_pl_num(b, scale);
                    hc_pl_add(b, ")");
                }
                hc_pl_printf(b, " with linespoints lw 2 lc rgb '%s' dt %s pt %d "
                                "ps 0.8 title ",
                             hc_pl_band_colour(bn, j), hc_pl_dashes[i % 8],
                             hc_pl_points[j % 8]);
                hc_pl_quote(b, title);
            }
        hc_pl_add(b, "\n");
    }
    return HC_OK;
}

/* band_arr.csv: band,[accounts],arr,[expected_churned_arr]
 *
 * Draws ARR and expected churned ARR per band as paired bars with their
 * values above them, the number of accounts under each band's name. */
hc_status hc_pl_draw_band_arr(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"band", HC_COL_TEXT, 1}, {"accounts", HC_COL_NUM, 0},
        {"arr", HC_COL_NUM, 1}, {"expected_churned_arr", HC_COL_NUM, 0}};
    hc_status st = hc_pl_load_main(c, "band_arr.csv", cols, 4, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int bc = hc_table_find(t, "band"), nc = hc_table_find(t, "accounts");
    int ac = hc_table_find(t, "arr");
    int ec = hc_table_find(t, "expected_churned_arr");
    size_t n = t->n_rows < 24 ? t->n_rows : 24;
    if (t->n_rows > n)
        hc_pl_note(c, "only the first %zu of %zu bands are drawn", n, t->n_rows);
    int any[2] = {0, 0};
    for (size_t r = 0; r < n; r++) {
        double arr = hc_pl_cell(t, ac, r), exp_arr = hc_pl_cell(t, ec, r);
        hc_pl_df_num(c, (double)r);
        hc_pl_df_num(c, arr);
        hc_pl_df_num(c, exp_arr);
        hc_pl_df_endrow(c);
        any[0] |= isfinite(arr) != 0;
        any[1] |= isfinite(exp_arr) != 0;
    }
    int blk = hc_pl_df_endblock(c);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!any[0] && !any[1]) {
        hc_pl_skip(c, "band_arr.csv has no finite ARR to draw");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    const char *unit;
    double top = fmax(hc_pl_column_max(t, ac), hc_pl_column_max(t, ec));
    double scale = hc_pl_money_scale(top, &unit);
    hc_pl_add(b, "set title 'ARR and expected churned ARR per band (number of "
                 "accounts in brackets)'\nset bmargin 4\n");
    hc_pl_printf(b, "set ylabel 'ARR (%s)'\n", unit);
    hc_pl_add(b, "set yrange [0:*]\nset offsets 0,0,graph 0.15,0\n"
                 "set xrange [-0.6:");
    hc_pl_num(b, (double)n - 0.4);
    hc_pl_add(b, "]\nset grid noxtics\nset key top left\nset xtics (");
    for (size_t r = 0; r < n; r++) {
        if (r)
            hc_pl_add(b, ", ");
        hc_pl_quote(b, hc_pl_label(t, bc, hc_pl_text_code(t, bc, r)));
        double acc = hc_pl_cell(t, nc, r);
        if (isfinite(acc)) /* a second tic line; "\n" is our constant */
            hc_pl_printf(b, " . \"\\n(%.0f)\"", acc);
        hc_pl_printf(b, " %zu", r);
    }
    hc_pl_add(b, ")\nplot ");
    for (int k = 0; k < 2; k++) {
        const char *x = k ? "($1+0.19)" : "($1-0.19)";
        if (!any[k])
            continue;
        if (k && any[0])
            hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, blk);
        hc_pl_printf(b, "using %s:($%d/", x, k + 2);
        hc_pl_num(b, scale);
        hc_pl_add(b, "):(0.36) with boxes dt 1 ");
        hc_pl_add(b, k ? "lc rgb '" HC_PL_OI_VERMILLION "' fs solid 0.85 border lc rgb '"
                         HC_PL_OI_BLACK "' title 'expected churned ARR (sum of P(churn) x ARR)'"
                       : "lc rgb '" HC_PL_OI_SKY_BLUE "' fs solid 0.6 border lc rgb '"
                         HC_PL_OI_BLUE "' title 'ARR'");
        /* the value above each bar, in the axis unit */
        hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, blk);
        hc_pl_printf(b, "using %s:($%d/", x, k + 2);
        hc_pl_num(b, scale);
        hc_pl_printf(b, "):(sprintf('%%.3g', $%d/", k + 2);
        hc_pl_num(b, scale);
        hc_pl_add(b, ")) with labels offset 0,0.7 notitle");
    }
    hc_pl_add(b, "\n");
    return HC_OK;
}
