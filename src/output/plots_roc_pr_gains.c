/* plots_roc_pr_gains.c - the discrimination curves: ROC, precision-recall, cumulative gains and lift, one line per config. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>

/* One series per config: writes the (x, y[, y2]) rows of each config,
 * sorted by x (ties by y, descending when y_desc), as data blocks. */
typedef struct {
    size_t n;
    int block[HC_PL_MAX_SERIES];
    const char *title[HC_PL_MAX_SERIES];
    double area[HC_PL_MAX_SERIES]; /* trapezoid area under y(x); NaN
                                      unless the curve runs from (0,0) to
                                      (1,1) */
    int any_y, any_y2;             /* some finite y (y2) was written:
                                      gnuplot cannot draw a plot without
                                      one point */
} series_set;

static hc_status write_curves(hc_pl_ctx *c, const hc_table *t, const char *xn,
                              const char *yn, const char *y2n, int y_desc,
                              series_set *s, hc_error *err)
{
    int cc = hc_table_find(t, "config");
    int xc = hc_table_find(t, xn), yc = hc_table_find(t, yn);
    int y2c = y2n ? hc_table_find(t, y2n) : -1;
    int32_t codes[HC_PL_MAX_SERIES];
    int more;
    hc_pl_keyed *k = hc_pl_keyed_alloc(t, err);
    if (!k)
        return HC_ENOMEM;
    s->n = hc_pl_distinct(t, cc, codes, HC_PL_MAX_SERIES, &more);
    s->any_y = s->any_y2 = 0;
    hc_pl_note_truncated(c, more, s->n, "configs");
    for (size_t i = 0; i < s->n; i++) {
        size_t n = hc_pl_select_rows(t, cc, codes[i], -1, 0, xc, yc,
                                     y_desc ? -1.0 : 1.0, k);
        size_t written = 0;
        double area = 0, x0 = NAN, y0 = NAN, px = NAN, py = NAN;
        for (size_t j = 0; j < n; j++) {
            double x = hc_pl_cell(t, xc, k[j].row);
            double y = hc_pl_cell(t, yc, k[j].row);
            double y2 = hc_pl_cell(t, y2c, k[j].row);
            if (!isfinite(y) && !isfinite(y2))
                continue;
            /* shares in percent (the axes read "%"); lift stays a ratio */
            hc_pl_df_num(c, 100 * x);
            hc_pl_df_num(c, 100 * y);
            if (y2c >= 0)
                hc_pl_df_num(c, y2);
            hc_pl_df_endrow(c);
            s->any_y |= isfinite(y) != 0;
            s->any_y2 |= isfinite(y2) != 0;
            if (isfinite(y)) {
                if (isfinite(px))
                    area += (x - px) * (y + py) / 2.0;
                else {
                    x0 = x;
                    y0 = y;
                }
                px = x;
                py = y;
            }
            written++;
        }
        s->block[i] = written ? hc_pl_df_endblock(c) : -1;
        s->title[i] = hc_pl_label(t, cc, codes[i]);
        s->area[i] = fabs(x0) < 1e-12 && fabs(y0) < 1e-12 &&
                             fabs(px - 1) < 1e-12 && fabs(py - 1) < 1e-12
                         ? area
                         : NAN;
    }
    free(k);
    return HC_OK;
}

static int any_block(const series_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->block[i] >= 0)
            return 1;
    return 0;
}

/* Loads a per-config curve file and writes its blocks; skips the plot when
 * the file is absent or empty. Returns HC_OK with c->skip set in that case. */
static hc_status curve_file(hc_pl_ctx *c, const char *file,
                            const hc_colspec *cols, size_t n_cols,
                            const char *xn, const char *yn, const char *y2n,
                            int y_desc, series_set *s, hc_error *err)
{
    int present;
    hc_status st = hc_pl_load(c, file, cols, n_cols, &c->t[0], &present, err);
    if (st != HC_OK)
        return st;
    if (!present) {
        hc_pl_skip(c, "%s is not in the data directory", file);
        return HC_OK;
    }
    if (c->t[0]->n_rows == 0) {
        hc_pl_skip(c, "%s has no data rows", file);
        return HC_OK;
    }
    if ((st = hc_pl_df_open(c, err)) != HC_OK)
        return st;
    st = write_curves(c, c->t[0], xn, yn, y2n, y_desc, s, err);
    if (st == HC_OK)
        st = hc_pl_df_close(c, err);
    if (st == HC_OK && !any_block(s))
        hc_pl_skip(c, "%s has no finite values to draw", file);
    return st;
}

/* roc.csv: config,fpr,tpr
 *
 * Draws the ROC curve of each config against the chance diagonal, with the
 * area under each complete curve in its key. */
hc_status hc_pl_draw_roc(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {{"config", HC_COL_TEXT, 1},
                                      {"fpr", HC_COL_NUM, 1},
                                      {"tpr", HC_COL_NUM, 1}};
    series_set s;
    hc_status st = curve_file(c, "roc.csv", cols, 3, "fpr", "tpr", NULL, 0,
                              &s, err);
    if (st != HC_OK || c->skip)
        return st;
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    hc_pl_add(b, "set title 'ROC curve: churner vs retained snapshots flagged, over "
                 "all thresholds'\n"
                 "set size ratio -1\nset xrange [0:100]\nset yrange [0:100]\n"
                 "set xlabel 'false positive rate (% of retained snapshots flagged)'\n"
                 "set ylabel 'true positive rate (% of churner snapshots flagged)'\n"
                 "set key bottom right\n"
                 "plot x with lines lc rgb '" HC_PL_GREY_REFERENCE "' dt 3 lw 1.5 "
                 "title 'chance (AUC 0.5)'");
    for (size_t i = 0; i < s.n; i++) {
        if (s.block[i] < 0)
            continue;
        char title[512];
        /* the trapezoid area of a complete ROC curve is the AUC
         * (Hanley & McNeil 1982) */
        if (isfinite(s.area[i]))
            snprintf(title, sizeof title, "%s (AUC %.3f)", s.title[i],
                     s.area[i]);
        else
            snprintf(title, sizeof title, "%s", s.title[i]);
        hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, s.block[i]);
        hc_pl_printf(b, "using 1:2 with lines lt %zu title ", i % 8 + 1);
        hc_pl_quote(b, title);
    }
    hc_pl_add(b, "\n");
    return HC_OK;
}

/* pr.csv: config,recall,precision
 *
 * Draws the precision-recall curve of each config as steps. */
hc_status hc_pl_draw_pr(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {{"config", HC_COL_TEXT, 1},
                                      {"recall", HC_COL_NUM, 1},
                                      {"precision", HC_COL_NUM, 1}};
    series_set s;
    hc_status st = curve_file(c, "pr.csv", cols, 3, "recall", "precision",
                              NULL, 1, &s, err);
    if (st != HC_OK || c->skip)
        return st;
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    /* Steps, not straight lines: linear interpolation between PR points
     * overstates precision (Davis & Goadrich 2006); with recall ascending,
     * fsteps holds each point's precision over the recall gained to reach
     * it, as scikit-learn's PrecisionRecallDisplay draws it. */
    hc_pl_add(b, "set title 'Precision-recall curve: precision of the flagged "
                 "snapshots vs share of churners caught'\n"
                 "set xrange [0:100]\nset yrange [0:102]\n"
                 "set xlabel 'recall (% of churner snapshots flagged)'\n"
                 "set ylabel 'precision (% of flagged snapshots that churned)'\n"
                 "set key top right\nplot ");
    int first = 1;
    for (size_t i = 0; i < s.n; i++) {
        if (s.block[i] < 0)
            continue;
        if (!first)
            hc_pl_add(b, ", \\\n  ");
        first = 0;
        hc_pl_data(b, c, s.block[i]);
        hc_pl_printf(b, "using 1:2 with fsteps lt %zu title ", i % 8 + 1);
        hc_pl_quote(b, s.title[i]);
    }
    hc_pl_add(b, "\n");
    return HC_OK;
}

/* gains.csv: config,share_flagged,capture,[lift]
 *
 * Draws cumulative gains (share of churners captured against share of
 * accounts flagged) and, when the lift column has values, the lift beside
 * it, both against random order. */
hc_status hc_pl_draw_gains(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {{"config", HC_COL_TEXT, 1},
                                      {"share_flagged", HC_COL_NUM, 1},
                                      {"capture", HC_COL_NUM, 1},
                                      {"lift", HC_COL_NUM, 0}};
    series_set s;
    hc_status st = curve_file(c, "gains.csv", cols, 4, "share_flagged",
                              "capture", "lift", 0, &s, err);
    if (st != HC_OK || c->skip)
        return st;
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    if (s.any_y && s.any_y2)
        hc_pl_add(b, "set multiplot layout 1,2 title 'Cumulative gains and lift "
                     "(snapshots ranked from highest predicted risk)'\n");
    else if (s.any_y)
        hc_pl_add(b, "set title 'Cumulative gains (snapshots ranked from highest "
                     "predicted risk)'\n");
    else
        hc_pl_add(b, "set title 'Lift (snapshots ranked from highest predicted "
                     "risk)'\n");
    hc_pl_add(b, "set xrange [0:100]\nset xlabel 'snapshots flagged, riskiest first "
                 "(% of all)'\n");
    for (int panel = 0; panel < 2; panel++) {
        if (!(panel ? s.any_y2 : s.any_y))
            continue;
        if (panel == 0)
            hc_pl_add(b, "set yrange [0:100]\n"
                         "set ylabel 'churner snapshots captured (% of all)'\n"
                         "set key bottom right\n"
                         "plot x with lines lc rgb '" HC_PL_GREY_REFERENCE "' dt 3 lw 1.5 "
                         "title 'random order'");
        else
            hc_pl_add(b, "set yrange [0:*]\n"
                         "set ylabel 'lift (churn rate among flagged / base "
                         "rate, times)'\n"
                         "set key top right\n"
                         "plot 1 with lines lc rgb '" HC_PL_GREY_REFERENCE "' dt 3 lw 1.5 "
                         "title 'random order (lift 1)'");
        for (size_t i = 0; i < s.n; i++) {
            if (s.block[i] < 0)
                continue;
            hc_pl_add(b, ", \\\n  ");
            hc_pl_data(b, c, s.block[i]);
            hc_pl_printf(b, "using 1:%d with lines lt %zu title ", panel + 2,
                         i % 8 + 1);
            hc_pl_quote(b, s.title[i]);
        }
        hc_pl_add(b, "\n");
    }
    return HC_OK;
}
