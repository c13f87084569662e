/* plots_weights.c - the component weights: current (old) vs tuned (new) with the new weights' 95% intervals. */
#include "plots_internal.h"

#include <math.h>

/* weights.csv: component,[old_weight],new_weight,[ci_low],[ci_high]
 *
 * Draws the old and new weight of each component (at most 30) as paired
 * bars, with the interval of the new weight as error bars. */
hc_status hc_pl_draw_weights(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"component", HC_COL_TEXT, 1}, {"old_weight", HC_COL_NUM, 0},
        {"new_weight", HC_COL_NUM, 1}, {"ci_low", HC_COL_NUM, 0},
        {"ci_high", HC_COL_NUM, 0}};
    hc_status st = hc_pl_load_main(c, "weights.csv", cols, 5, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int nc = hc_table_find(t, "component"), oc = hc_table_find(t, "old_weight");
    int wc = hc_table_find(t, "new_weight"), lc = hc_table_find(t, "ci_low");
    int hc = hc_table_find(t, "ci_high");
    size_t n = t->n_rows < 30 ? t->n_rows : 30;
    if (t->n_rows > n)
        hc_pl_note(c, "only the first %zu of %zu components are drawn", n,
                   t->n_rows);
    double lowest = 0;
    int any_old = 0, any_new = 0, any_ci = 0;
    for (size_t r = 0; r < n; r++) {
        double old = hc_pl_cell(t, oc, r), w = hc_pl_cell(t, wc, r);
        double lo = hc_pl_cell(t, lc, r), hi = hc_pl_cell(t, hc, r);
        hc_pl_df_num(c, (double)r);
        hc_pl_df_num(c, old);
        hc_pl_df_num(c, w);
        hc_pl_df_num(c, lo);
        hc_pl_df_num(c, hi);
        hc_pl_df_endrow(c);
        any_old |= isfinite(old) != 0;
        any_new |= isfinite(w) != 0;
        any_ci |= isfinite(w) && isfinite(lo) && isfinite(hi);
        if (isfinite(lo))
            lowest = fmin(lowest, lo);
    }
    int blk = hc_pl_df_endblock(c);
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    if (!any_old && !any_new) {
        hc_pl_skip(c, "weights.csv has no finite weights to draw");
        return HC_OK;
    }
    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    hc_pl_add(b, "set title 'Component weights: current (old) vs tuned (new) "
                 "with 95% intervals'\n"
                 "set xlabel 'component'\n"
                 "set ylabel 'weight (fraction of the health score; weights "
                 "sum to 1)'\n"
                 "set key top right\nset grid noxtics\n"
                 "set offsets 0,0,graph 0.15,0\nset xrange [-0.6:");
    hc_pl_num(b, (double)n - 0.4);
    hc_pl_add(b, "]\nset yrange [");
    hc_pl_num(b, lowest < 0 ? lowest * 1.1 : 0.0);
    hc_pl_add(b, ":*]\n");
    if (n > 6)
        hc_pl_add(b, "set xtics rotate by -30\n");
    hc_pl_add(b, "set xtics (");
    for (size_t r = 0; r < n; r++) {
        if (r)
            hc_pl_add(b, ", ");
        hc_pl_quote(b, hc_pl_label(t, nc, hc_pl_text_code(t, nc, r)));
        hc_pl_printf(b, " %zu", r);
    }
    hc_pl_add(b, ")\nplot ");
    if (any_old) {
        hc_pl_data(b, c, blk);
        hc_pl_add(b, "using ($1-0.19):2:(0.36) with boxes dt 1 lc rgb '" HC_PL_GREY_LIGHT "' "
                     "fs solid 0.5 border lc rgb '" HC_PL_GREY_TEXT "' "
                     "title 'old weight (current config)'");
    }
    if (any_new) {
        if (any_old)
            hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, blk);
        hc_pl_add(b, "using ($1+0.19):3:(0.36) with boxes dt 1 lc rgb '" HC_PL_OI_BLUE "' "
                     "fs solid 0.8 border lc rgb '" HC_PL_OI_BLACK "' "
                     "title 'new weight (tuned config)'");
    }
    if (any_ci) {
        hc_pl_add(b, ", \\\n  ");
        hc_pl_data(b, c, blk);
        hc_pl_add(b, "using ($1+0.19):3:4:5 with yerrorbars dt 1 lc rgb 'black' "
                     "lw 1.5 pt 0 title '95% interval of the new weight'");
    }
    hc_pl_add(b, "\n");
    return HC_OK;
}
