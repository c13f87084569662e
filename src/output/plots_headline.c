/* plots_headline.c - the report's headline figure (churn rate per band in accounts, current vs tuned) and the bands over the history by month. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>

static const char *const config_colour[4] = {HC_PL_OI_BLUE, HC_PL_OI_ORANGE, HC_PL_OI_SKY_BLUE, HC_PL_OI_REDDISH_PURPLE};

/* band_rates.csv: config,band,[accounts],[churned_accounts],churn_rate,[ci_low],[ci_high]
 *
 * Paired bars per band (one colour per config, the Okabe-Ito palette),
 * the churn rate in percent of accounts with its interval and its value
 * above each bar; the bands in file order of the first config. */
hc_status hc_pl_draw_headline(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"config", HC_COL_TEXT, 1},      {"band", HC_COL_TEXT, 1},
        {"accounts", HC_COL_NUM, 0},     {"churned_accounts", HC_COL_NUM, 0},
        {"churn_rate", HC_COL_NUM, 1},   {"ci_low", HC_COL_NUM, 0},
        {"ci_high", HC_COL_NUM, 0}};
    hc_status st = hc_pl_load_main(c, "band_rates.csv", cols, 7, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), bc = hc_table_find(t, "band");
    int rc = hc_table_find(t, "churn_rate"), lc = hc_table_find(t, "ci_low");
    int hc = hc_table_find(t, "ci_high");
    int32_t cfg[4];
    int more;
    size_t n_cfg = hc_pl_distinct(t, cc, cfg, 4, &more);
    hc_pl_note_truncated(c, more, n_cfg, "configs");
    int block[4];
    size_t n_bands = 0;
    double top = 0;
    for (size_t i = 0; i < n_cfg; i++) {
        size_t x = 0;
        for (size_t r = 0; r < t->n_rows && x < 24; r++) {
            if (hc_pl_text_code(t, cc, r) != cfg[i])
                continue;
            double v = hc_pl_cell(t, rc, r), hi = hc_pl_cell(t, hc, r);
            hc_pl_df_num(c, (double)x);
            hc_pl_df_num(c, 100 * v);
            hc_pl_df_num(c, 100 * hc_pl_cell(t, lc, r));
            hc_pl_df_num(c, 100 * hi);
            hc_pl_df_endrow(c);
            top = fmax(top, isfinite(hi) ? hi : isfinite(v) ? v : 0);
            x++;
        }
        block[i] = hc_pl_df_endblock(c);
        if (i == 0)
            n_bands = x;
    }
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!n_bands) {
        hc_pl_skip(c, "band_rates.csv has no bands to draw");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    hc_pl_add(b, "set title 'Churn rate per band, in accounts'\n"
                 "set ylabel 'accounts that churned (%)'\n"
                 "set grid noxtics\nset key top right\nset bmargin 3\n"
                 "set yrange [0:");
    hc_pl_num(b, 100 * top * 1.18 + 0.5);
    hc_pl_add(b, "]\nset xrange [-0.6:");
    hc_pl_num(b, (double)n_bands - 0.4);
    hc_pl_add(b, "]\nset xtics (");
    size_t x = 0;
    for (size_t r = 0; r < t->n_rows && x < n_bands; r++) {
        if (hc_pl_text_code(t, cc, r) != cfg[0])
            continue;
        if (x)
            hc_pl_add(b, ", ");
        hc_pl_quote(b, hc_pl_label(t, bc, hc_pl_text_code(t, bc, r)));
        hc_pl_printf(b, " %zu", x++);
    }
    hc_pl_add(b, ")\n");
    double w = 0.8 / (double)n_cfg;
    hc_pl_add(b, "plot ");
    for (size_t i = 0; i < n_cfg; i++) {
        double off = -0.4 + w * ((double)i + 0.5);
        if (i)
            hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, block[i]);
        hc_pl_add(b, "using ($1+");
        hc_pl_num(b, off);
        hc_pl_add(b, "):2:(");
        hc_pl_num(b, w * 0.92);
        hc_pl_printf(b, ") with boxes lc rgb '%s' fs solid 0.9 noborder title ",
                     config_colour[i % 4]);
        hc_pl_quote(b, hc_pl_label(t, cc, cfg[i]));
        hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, block[i]);
        hc_pl_add(b, "using ($1+");
        hc_pl_num(b, off);
        hc_pl_add(b, "):2:3:4 with yerrorbars lc rgb '#333333' dt 1 pt 0 lw 1 notitle, \\\n  ");
        hc_pl_data(b, c, block[i]);
        hc_pl_add(b, "using ($1+");
        hc_pl_num(b, off);
        hc_pl_add(b, "):4:(sprintf('%.0f%%', $2)) with labels offset 0,0.7 notitle");
    }
    hc_pl_add(b, "\n");
    return HC_OK;
}

/* trend.csv: period_start,band,[accounts],share,[churned_accounts],churn_rate
 *
 * Two panels on one date axis: each band's share of accounts (percent),
 * and each band's churn rate (percent of accounts), by period. */
hc_status hc_pl_draw_trend(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"period_start", HC_COL_DATE, 1}, {"band", HC_COL_TEXT, 1},
        {"accounts", HC_COL_NUM, 0},      {"share", HC_COL_NUM, 1},
        {"churned_accounts", HC_COL_NUM, 0}, {"churn_rate", HC_COL_NUM, 1}};
    hc_status st = hc_pl_load_main(c, "trend.csv", cols, 6, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int dc = hc_table_find(t, "period_start"), bc = hc_table_find(t, "band");
    int sc = hc_table_find(t, "share"), rc = hc_table_find(t, "churn_rate");
    int32_t band[8];
    int more;
    size_t nb = hc_pl_distinct(t, bc, band, 8, &more);
    hc_pl_note_truncated(c, more, nb, "bands");
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[8], any = 0;
    for (size_t j = 0; j < nb; j++) {
        size_t n = hc_pl_select_rows(t, bc, band[j], -1, 0, dc, -1, 1, k);
        for (size_t r = 0; r < n; r++) {
            hc_pl_df_num(c, k[r].k1);
            hc_pl_df_num(c, 100 * hc_pl_cell(t, sc, k[r].row));
            hc_pl_df_num(c, 100 * hc_pl_cell(t, rc, k[r].row));
            hc_pl_df_endrow(c);
        }
        block[j] = n ? hc_pl_df_endblock(c) : -1;
        any |= n > 0;
    }
    free(k);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!any) {
        hc_pl_skip(c, "trend.csv has no rows to draw");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    hc_pl_add(b, "set lmargin at screen 0.11\nset rmargin at screen 0.78\n"
                 "set key at screen 0.99, screen 0.9 right top\n"
                 "set multiplot title 'Bands of the current config over the history'\n"
                 "set origin 0,0.5\nset size 1,0.45\nunset xlabel\nset bmargin 1\n");
    if ((st = hc_pl_date_axis(b, t, dc, 8, 0, err)) != HC_OK)
        return st;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            hc_pl_add(b, "set yrange [0:*]\nset ylabel 'share of accounts (%)'\nplot ");
        else {
            hc_pl_add(b, "set origin 0,0\nset size 1,0.5\nset tmargin 0.5\nset bmargin 3.5\n"
                         "unset key\nset xlabel 'period (month or quarter of snapshot)'\n");
            if ((st = hc_pl_date_axis(b, t, dc, 8, 1, err)) != HC_OK)
                return st;
            hc_pl_add(b, "set yrange [0:*]\nset ylabel 'churn rate (% of accounts)'\nplot ");
        }
        int first = 1;
        for (size_t j = 0; j < nb; j++) {
            if (block[j] < 0)
                continue;
            if (!first)
                hc_pl_add(b, ", \\\n  ");
            first = 0;
            hc_pl_data(b, c, block[j]);
            hc_pl_printf(b, "using 1:%d with linespoints lw 2 lc rgb '%s' dt %s pt %d "
                            "ps 0.7 title ",
                         pass + 2, hc_pl_band_colour_rank(j, nb), hc_pl_dashes[j % 8],
                         hc_pl_points[j % 8]);
            hc_pl_quote(b, hc_pl_label(t, bc, band[j]));
        }
        hc_pl_add(b, "\n");
    }
    hc_pl_add(b, "unset multiplot\n");
    return HC_OK;
}
