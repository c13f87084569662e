/* backtest_write_plot.c - the plot data files of evaluated series (reliability, predictions, ROC, PR, gains, score distribution), written for the pooled backtest and by validate. */
#include "hc_backtest.h"
#include "backtest_csv.h"
#include "hc_csv.h"
#include "hc_outfile.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- plot data (formats: hc_plot.h and plots.c) ---- */

/* reliability.csv: config,bin,p_mean,observed,n,ci_low,ci_high */
static void write_reliability(FILE *f, const hc_validate_result *const *res,
                              const char *const *names, size_t n)
{
    fputs("config,bin,p_mean,observed,n,ci_low,ci_high\n", f);
    for (size_t c = 0; c < n; c++)
        for (size_t b = 0; b < res[c]->n_reliability; b++) {
            const hc_validate_bin *r = &res[c]->reliability[b];
            hc_csv_write_text(f, names[c]);
            cnt(f, b + 1);
            num(f, r->p_mean);
            num(f, r->observed);
            cnt(f, r->n);
            num(f, r->ci_low);
            num(f, r->ci_high);
            putc('\n', f);
        }
}

/* prediction_hist.csv: config,bin_low,bin_high,count */
static void write_prediction_hist(FILE *f, const hc_validate_result *const *res,
                                  const char *const *names, size_t n)
{
    fputs("config,bin_low,bin_high,count\n", f);
    for (size_t c = 0; c < n; c++) {
        const hc_validate_hist *h = &res[c]->p_hist;
        double w = (h->high - h->low) / HC_VALIDATE_HIST_BINS;
        for (size_t b = 0; b < HC_VALIDATE_HIST_BINS; b++) {
            hc_csv_write_text(f, names[c]);
            num(f, h->low + (double)b * w);
            num(f, h->low + (double)(b + 1) * w);
            cnt(f, h->count[b]);
            putc('\n', f);
        }
    }
}

/* roc.csv: config,fpr,tpr; pr.csv: config,recall,precision;
 * gains.csv: config,share_flagged,capture,lift */
static void write_curve(FILE *f, const char *header, const hc_validate_result *const *res,
                        const char *const *names, size_t n, int which)
{
    fputs(header, f);
    for (size_t c = 0; c < n; c++) {
        const hc_metrics_curve *cv = which == 0   ? &res[c]->roc
                                     : which == 1 ? &res[c]->pr
                                                  : &res[c]->gains;
        for (size_t i = 0; i < cv->n; i++) {
            hc_csv_write_text(f, names[c]);
            num(f, cv->x[i]);
            num(f, cv->y[i]);
            if (which == 2) /* lift = capture / share flagged; none at 0 */
                num(f, cv->x[i] > 0 ? cv->y[i] / cv->x[i] : NAN);
            putc('\n', f);
        }
    }
}

/* score_distribution.csv: config,outcome,bin_low,bin_high,count,share,
 * the score of churned and retained rows (share within the outcome). */
static void write_score_distribution(FILE *f, const hc_validate_result *const *res,
                                     const char *const *names, size_t n)
{
    fputs("config,outcome,bin_low,bin_high,count,share\n", f);
    for (size_t c = 0; c < n; c++) {
        if (!res[c]->has_score_hist)
            continue;
        const hc_validate_hist *h = &res[c]->score_hist;
        double w = (h->high - h->low) / HC_VALIDATE_HIST_BINS;
        for (int o = 0; o < 2; o++) {
            const size_t *k = o == 0 ? h->count_pos : h->count_neg;
            size_t total = 0;
            for (size_t b = 0; b < HC_VALIDATE_HIST_BINS; b++)
                total += k[b];
            for (size_t b = 0; b < HC_VALIDATE_HIST_BINS; b++) {
                hc_csv_write_text(f, names[c]);
                text(f, o == 0 ? "churned" : "retained");
                num(f, h->low + (double)b * w);
                num(f, h->low + (double)(b + 1) * w);
                cnt(f, k[b]);
                num(f, total ? (double)k[b] / (double)total : 0.0);
                putc('\n', f);
            }
        }
    }
}

typedef void (*plot_writer)(FILE *f, const hc_validate_result *const *res,
                            const char *const *names, size_t n);

static void w_roc(FILE *f, const hc_validate_result *const *r, const char *const *nm, size_t n)
{
    write_curve(f, "config,fpr,tpr\n", r, nm, n, 0);
}

static void w_pr(FILE *f, const hc_validate_result *const *r, const char *const *nm, size_t n)
{
    write_curve(f, "config,recall,precision\n", r, nm, n, 1);
}

static void w_gains(FILE *f, const hc_validate_result *const *r, const char *const *nm, size_t n)
{
    write_curve(f, "config,share_flagged,capture,lift\n", r, nm, n, 2);
}

hc_status hc_backtest_write_plot_data(const char *dir,
                                      const hc_validate_result *const *res,
                                      const char *const *names, size_t n,
                                      hc_error *err)
{
    static const struct {
        const char *file;
        plot_writer fn;
    } files[] = {{"reliability.csv", write_reliability},
                 {"prediction_hist.csv", write_prediction_hist},
                 {"roc.csv", w_roc},
                 {"pr.csv", w_pr},
                 {"gains.csv", w_gains},
                 {"score_distribution.csv", write_score_distribution}};
    hc_status st = hc_mkdir_p(dir, err);
    if (st != HC_OK)
        return st;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (files[i].fn == write_score_distribution) {
            int any = 0;
            for (size_t c = 0; c < n; c++)
                any |= res[c]->has_score_hist;
            if (!any)
                continue;
        }
        hc_outfile *of;
        if ((st = open_in(dir, files[i].file, &of, err)) != HC_OK)
            return st;
        files[i].fn(hc_outfile_stream(of), res, names, n);
        if ((st = hc_outfile_commit(of, err)) != HC_OK)
            return st;
    }
    return HC_OK;
}
