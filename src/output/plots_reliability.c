/* plots_reliability.c - the calibration figure: reliability diagram with Wilson intervals over the histogram of predictions. */
#include "plots_internal.h"

#include <math.h>
#include <stdlib.h>

/* reliability.csv: config,[bin],p_mean,observed,[n],[ci_low],[ci_high]
 * prediction_hist.csv: config,bin_low,bin_high,count
 *
 * Draws observed churn rate against mean predicted probability per bin,
 * one line per config with its 95% interval, above the histogram of the
 * predictions (configs side by side in each bin); either half alone when
 * only one file has rows. The axes fit the data:
 *   - both axes end a little above the largest mean predicted probability
 *     and observed rate of the bins (hc_pl_nice_upper), not at the largest
 *     interval bound or the longest histogram tail; without reliability
 *     rows, above the 99th percentile of the predictions. Predictions past
 *     the edge are counted in a label and the note;
 *   - when the bins' mean predictions span two decades or more (largest /
 *     smallest >= 100), both axes are logarithmic, from the decade below
 *     the smallest to the decade above the largest, and the histogram bars
 *     are drawn between their bin edges. */
hc_status hc_pl_draw_reliability(hc_pl_ctx *c, hc_error *err)
{
    static const hc_colspec rcols[] = {
        {"config", HC_COL_TEXT, 1}, {"bin", HC_COL_NUM, 0},
        {"p_mean", HC_COL_NUM, 1},  {"observed", HC_COL_NUM, 1},
        {"n", HC_COL_NUM, 0},       {"ci_low", HC_COL_NUM, 0},
        {"ci_high", HC_COL_NUM, 0}};
    static const hc_colspec hcols[] = {
        {"config", HC_COL_TEXT, 1}, {"bin_low", HC_COL_NUM, 1},
        {"bin_high", HC_COL_NUM, 1}, {"count", HC_COL_NUM, 1}};
    int have_rel, have_hist;
    hc_status st = hc_pl_load(c, "reliability.csv", rcols, 7, &c->t[0], &have_rel,
                              err);
    if (st == HC_OK)
        st = hc_pl_load(c, "prediction_hist.csv", hcols, 4, &c->t[1], &have_hist,
                        err);
    if (st != HC_OK)
        return st;
    const hc_table *rel = have_rel && c->t[0]->n_rows ? c->t[0] : NULL;
    const hc_table *hist = have_hist && c->t[1]->n_rows ? c->t[1] : NULL;
    if (!rel && !hist) {
        hc_pl_skip(c, "no rows in reliability.csv or prediction_hist.csv");
        return HC_OK;
    }
    if ((st = hc_pl_df_open(c, err)) != HC_OK)
        return st;

    const char *names[HC_PL_MAX_SERIES];
    size_t n_names = 0;
    int rel_block[HC_PL_MAX_SERIES], rel_lt[HC_PL_MAX_SERIES];
    int hist_block[HC_PL_MAX_SERIES], hist_lt[HC_PL_MAX_SERIES];
    const char *rel_title[HC_PL_MAX_SERIES], *hist_title[HC_PL_MAX_SERIES];
    int32_t codes[HC_PL_MAX_SERIES];
    size_t n_rel = 0, n_hist = 0;
    double m = 0.0;            /* largest bin mean prediction or observed rate */
    double pmin = INFINITY, pmax = 0.0; /* the bins' positive mean predictions */
    double q99 = 0.0;          /* 99th percentile of the predictions (histogram) */
    double hist_max = 0.0;     /* the largest bin count */
    int more = 0;

    if (rel) {
        int cc = hc_table_find(rel, "config"), pc = hc_table_find(rel, "p_mean");
        int oc = hc_table_find(rel, "observed"), nc = hc_table_find(rel, "n");
        int lc = hc_table_find(rel, "ci_low"), hc = hc_table_find(rel, "ci_high");
        hc_pl_keyed *k = hc_pl_keyed_alloc(rel, err);
        if (!k)
            return HC_ENOMEM;
        n_rel = hc_pl_distinct(rel, cc, codes, HC_PL_MAX_SERIES, &more);
        hc_pl_note_truncated(c, more, n_rel, "configs");
        for (size_t i = 0; i < n_rel; i++) {
            size_t n = hc_pl_select_rows(rel, cc, codes[i], -1, 0, pc, -1, 1, k);
            size_t written = 0;
            for (size_t j = 0; j < n; j++) {
                size_t r = k[j].row;
                double p = hc_pl_cell(rel, pc, r), o = hc_pl_cell(rel, oc, r);
                double cnt = hc_pl_cell(rel, nc, r);
                double lo = hc_pl_cell(rel, lc, r), hi = hc_pl_cell(rel, hc, r);
                if (!isfinite(o) || (isfinite(cnt) && cnt <= 0))
                    continue; /* an empty bin has no observed rate */
                if (!isfinite(lo) || !isfinite(hi))
                    lo = hi = o; /* no interval: a bare point */
                /* in percent: the axes read "%" */
                hc_pl_df_num(c, 100 * p);
                hc_pl_df_num(c, 100 * o);
                hc_pl_df_num(c, 100 * lo);
                hc_pl_df_num(c, 100 * hi);
                hc_pl_df_endrow(c);
                m = fmax(m, fmax(p, o));
                if (p > 0) {
                    pmin = fmin(pmin, p);
                    pmax = fmax(pmax, p);
                }
                written++;
            }
            rel_block[i] = written ? hc_pl_df_endblock(c) : -1;
            rel_title[i] = hc_pl_label(rel, cc, codes[i]);
            rel_lt[i] = hc_pl_series_lt(names, &n_names, rel_title[i], i);
        }
        free(k);
    }
    if (hist) {
        int cc = hc_table_find(hist, "config");
        int lc = hc_table_find(hist, "bin_low");
        int hc = hc_table_find(hist, "bin_high");
        int nc = hc_table_find(hist, "count");
        hc_pl_keyed *k = hc_pl_keyed_alloc(hist, err);
        if (!k)
            return HC_ENOMEM;
        n_hist = hc_pl_distinct(hist, cc, codes, HC_PL_MAX_SERIES, &more);
        if (!rel)
            hc_pl_note_truncated(c, more, n_hist, "configs");
        for (size_t i = 0; i < n_hist; i++) {
            size_t n = hc_pl_select_rows(hist, cc, codes[i], -1, 0, lc, -1, 1, k);
            size_t written = 0;
            double total = 0.0, cum = 0.0;
            for (size_t j = 0; j < n; j++) {
                double cnt = hc_pl_cell(hist, nc, k[j].row);
                if (isfinite(cnt) && cnt > 0)
                    total += cnt;
            }
            int q_found = 0;
            for (size_t j = 0; j < n; j++) {
                size_t r = k[j].row;
                double lo = hc_pl_cell(hist, lc, r), hi = hc_pl_cell(hist, hc, r);
                double cnt = hc_pl_cell(hist, nc, r);
                if (!isfinite(hi) || !(hi > lo) || !isfinite(cnt))
                    continue;
                /* configs side by side inside each bin: the centre, the
                 * count, the width, and the sub-bin's edges (log axes) */
                double w = (hi - lo) / (double)n_hist;
                hc_pl_df_num(c, 100 * (lo + ((double)i + 0.5) * w));
                hc_pl_df_num(c, cnt);
                hc_pl_df_num(c, 100 * w);
                hc_pl_df_num(c, 100 * (lo + (double)i * w));
                hc_pl_df_num(c, 100 * (lo + ((double)i + 1.0) * w));
                hc_pl_df_endrow(c);
                if (cnt > 0)
                    cum += cnt;
                hist_max = fmax(hist_max, cnt);
                if (!q_found && total > 0 && cum >= 0.99 * total) {
                    q99 = fmax(q99, hi);
                    q_found = 1;
                }
                written++;
            }
            hist_block[i] = written ? hc_pl_df_endblock(c) : -1;
            hist_title[i] = hc_pl_label(hist, cc, codes[i]);
            hist_lt[i] = hc_pl_series_lt(names, &n_names, hist_title[i], i);
        }
        free(k);
    }
    if ((st = hc_pl_df_close(c, err)) != HC_OK)
        return st;
    int any_rel = 0, any_hist = 0;
    for (size_t i = 0; i < n_rel; i++)
        any_rel |= rel_block[i] >= 0;
    for (size_t i = 0; i < n_hist; i++)
        any_hist |= hist_block[i] >= 0;
    if (!any_rel && !any_hist) {
        hc_pl_skip(c, "no non-empty bins in reliability.csv or "
                      "prediction_hist.csv");
        return HC_OK;
    }
    /* The zoom: the bins' rates, or without bins the bulk of the
     * predictions; log axes when the bins' predictions span decades. */
    if (!any_rel)
        m = q99;
    int logscale = any_rel && pmax > 0 && isfinite(pmin) && pmax / pmin >= 100.0;
    double lo_axis = 0.0;
    if (logscale) {
        lo_axis = pow(10.0, floor(log10(pmin)));
        m = fmin(1.0, pow(10.0, ceil(log10(m * 1.05))));
    } else {
        m = hc_pl_nice_upper(m);
    }
    /* predictions past the right edge, the largest share over configs */
    double beyond = 0.0, beyond_share = 0.0;
    if (hist) {
        int cc = hc_table_find(hist, "config"), lc = hc_table_find(hist, "bin_low");
        int nc = hc_table_find(hist, "count");
        for (size_t i = 0; i < n_hist; i++) {
            double all = 0.0, out = 0.0;
            for (size_t r = 0; r < hist->n_rows; r++) {
                if (hc_pl_text_code(hist, cc, r) != codes[i])
                    continue;
                double cnt = hc_pl_cell(hist, nc, r), lo = hc_pl_cell(hist, lc, r);
                if (!isfinite(cnt) || cnt <= 0)
                    continue;
                all += cnt;
                if (isfinite(lo) && lo >= m)
                    out += cnt;
            }
            if (all > 0 && out / all > beyond_share) {
                beyond_share = out / all;
                beyond = out;
            }
        }
        if (beyond > 0)
            hc_pl_note(c, "%.0f predictions (%.2g%%) above %g%% are off the right edge",
                       beyond, 100 * beyond_share, 100 * m);
    }
    if (logscale)
        hc_pl_note(c, "log axes: the bins' mean predictions span %.1f decades",
                   log10(pmax / pmin));

    hc_pl_script *b = &c->sc;
    hc_pl_style_common(b);
    const char *xlabel = logscale ? "mean predicted churn probability (% of snapshots, log scale)"
                                  : "mean predicted churn probability (% of snapshots)";
    /* The axes in percent from here on. "set xrange [LO:HI]" with the
     * zoom, the same in both panels. */
    double M = 100 * m, LO = 100 * lo_axis;
    char xr[128];
    snprintf(xr, sizeof xr, "set xrange [%.10g:%.10g]\n", logscale ? LO : 0.0, M);
    if (logscale)
        hc_pl_add(b, "set logscale x 10\nset format x '%g'\n");
    if (any_rel && any_hist) {
        hc_pl_add(b, "set multiplot title 'Reliability diagram with 95% Wilson "
                     "intervals, and the distribution of predictions'\n"
                     "set lmargin 11\nset rmargin 3\n"
                     "set origin 0,0.3\nset size 1,0.64\nset bmargin 1.5\n"
                     "set format x ''\n");
    }
    if (any_rel) {
        if (!any_hist)
            hc_pl_printf(b, "set title 'Reliability diagram: observed churn rate "
                            "vs mean predicted probability (95%% Wilson "
                            "intervals)'\nset xlabel '%s'\n", xlabel);
        hc_pl_add(b, xr);
        if (logscale)
            hc_pl_printf(b, "set logscale y 10\nset yrange [%.10g:%.10g]\n", LO, M);
        else
            hc_pl_printf(b, "set yrange [0:%.10g]\n", M);
        hc_pl_add(b, logscale ? "set ylabel 'observed churn rate (% of snapshots, log scale)'\n"
                              : "set ylabel 'observed churn rate (% of snapshots)'\n");
        hc_pl_add(b, "set key top left\n"
                     "plot x with lines lc rgb '" HC_PL_GREY_REFERENCE "' dt 3 lw 1.5 "
                     "title 'perfect calibration'");
        for (size_t i = 0; i < n_rel; i++) {
            if (rel_block[i] < 0)
                continue;
            hc_pl_add(b, ", \\\n  ");
            hc_pl_data(b, c, rel_block[i]);
            if (logscale) /* interval bounds of 0 cut at the axis */
                hc_pl_printf(b, "using 1:2:($3 > %.10g ? $3 : %.10g):4 with yerrorlines "
                                "lt %d title ",
                             LO, LO, rel_lt[i]);
            else
                hc_pl_printf(b, "using 1:2:3:4 with yerrorlines lt %d title ", rel_lt[i]);
            hc_pl_quote(b, rel_title[i]);
        }
        hc_pl_add(b, "\n");
    }
    if (any_hist) {
        if (any_rel)
            hc_pl_add(b, "unset title\nset origin 0,0\nset size 1,0.3\n"
                         "set tmargin 0.5\nset bmargin 3.5\nset format x '%g'\n");
        else
            hc_pl_add(b, "set title 'Distribution of predicted churn "
                         "probabilities'\n");
        /* the predictions past the edge are said under the axis */
        if (beyond > 0)
            hc_pl_printf(b, "unset logscale y\nset xlabel '%s; %.0f predictions (%.2g%%) "
                            "above %g%% not shown'\n",
                         xlabel, beyond, 100 * beyond_share, M);
        else
            hc_pl_printf(b, "unset logscale y\nset xlabel '%s'\n", xlabel);
        hc_pl_add(b, "set ylabel 'predictions (count)'\n");
        hc_pl_add(b, xr);
        /* at most four count tics: the panel is short */
        if (hist_max > 0) {
            double e = pow(10.0, floor(log10(hist_max / 3.0)));
            double f = hist_max / 3.0 / e, step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
            hc_pl_printf(b, "set ytics 0,%.10g\n", step);
        }
        hc_pl_add(b, "set yrange [0:*]\nset key top right\nplot ");
        int first = 1;
        for (size_t i = 0; i < n_hist; i++) {
            if (hist_block[i] < 0)
                continue;
            if (!first)
                hc_pl_add(b, ", \\\n  ");
            first = 0;
            hc_pl_data(b, c, hist_block[i]);
            if (logscale) /* the bars between their edges, the left one cut at the axis */
                hc_pl_printf(b, "using 1:2:($4 > %.10g ? $4 : %.10g):5:(0):2 with boxxyerror "
                                "lt %d fs %s title ",
                             LO, LO, hist_lt[i],
                             i % 2 ? "pattern 4 border" : "solid 0.6 border");
            else
                hc_pl_printf(b, "using 1:2:3 with boxes lt %d fs %s title ",
                             hist_lt[i],
                             i % 2 ? "pattern 4 border" : "solid 0.6 border");
            hc_pl_quote(b, hist_title[i]);
        }
        hc_pl_add(b, "\n");
    }
    return HC_OK;
}
