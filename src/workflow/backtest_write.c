/* backtest_write.c - the backtest's output directory: folds.csv, summary.json, thresholds and plot data. */
#include "hc_backtest.h"
#include "backtest_csv.h"
#include "backtest_lead_time.h"
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_metrics.h"
#include "hc_outfile.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void date(FILE *f, int32_t d)
{
    char b[11];
    hc_date_format(d, b);
    fprintf(f, ",%s", b);
}

/* ---- folds.csv ---- */

static const char *objective_word(hc_threshold_objective o)
{
    switch (o) {
    case HC_THRESHOLD_RECALL: return "recall";
    case HC_THRESHOLD_ARR_RECALL: return "arr-recall";
    case HC_THRESHOLD_PRECISION: return "precision";
    case HC_THRESHOLD_VALUE: return "value";
    case HC_THRESHOLD_CAPACITY: return "capacity";
    }
    return "?";
}

/* folds.csv: one row per fold x config. Dates are inclusive: training rows
 * have train_start <= snapshot date <= train_end, test rows test_start <=
 * date <= test_end. n and positives count the test rows every config
 * scores; the metrics are those of that fold's test rows (empty when
 * undefined, with the reason in `note`). cutpoints lists the band cut
 * points in effect ("40;70"); objective_train / objective_test are the
 * objective's value of the red band on the training and test rows counted
 * in accounts (recall: churned accounts caught, precision: of the accounts
 * with a red snapshot, ARR recall: churned ARR once per account, value:
 * interventions are account-weeks in red, capacity: the most red accounts
 * on one scoring date, or the largest share of a date's accounts), and
 * objective_met / objective_met_test whether it held there (the test rows:
 * out of time). red_share, red_precision, red_recall and red_arr_recall
 * count test snapshots. Red accounts per scoring date (a date's snapshots
 * are the accounts scored that day): train_red_per_date_mean / _max under
 * the cut points chosen on the training rows, train_next_cut and
 * train_next_per_date_max the cut one grid step higher (with a capacity:
 * above it when the chosen cut is tight within ties), red_per_date_mean /
 * _max on the test rows over test_dates dates, and red_accounts,
 * test_churned_accounts, red_churned_accounts the test rows' distinct red
 * accounts, churned accounts and churned accounts caught. segments_fitted
 * and segments_merged (the tuned config with --segments): the fold refit's
 * segments and those merged into its pooled model for having fewer churned
 * accounts in the training rows than --segment-min-churned. */
static void write_folds(FILE *f, const hc_backtest_result *res)
{
    fputs("fold,config,kind,train_start,train_end,test_start,test_end,n_train,"
          "train_positives,n,positives,roc_auc,roc_auc_ci_low,roc_auc_ci_high,"
          "roc_auc_ci_clustered,roc_auc_ci_low_naive,roc_auc_ci_high_naive,"
          "roc_auc_design_effect,pr_auc,"
          "brier,scaled_brier,log_loss,ece,calibration_intercept,calibration_slope,"
          "calibration_in_the_large,hl_p,ks,lift_top_decile,capture_top_decile,psi,"
          "map_intercept,map_slope,cutpoints,objective_train,objective_test,"
          "objective_met,objective_met_test,red_share,red_precision,red_recall,"
          "red_arr_recall,train_red_per_date_mean,train_red_per_date_max,train_next_cut,"
          "train_next_per_date_max,red_per_date_mean,red_per_date_max,test_dates,"
          "red_accounts,test_churned_accounts,red_churned_accounts,segments_fitted,"
          "segments_merged,used,note\n",
          f);
    for (size_t fi = 0; fi < res->plan.n_folds; fi++) {
        const hc_backtest_fold *fold = &res->folds[fi];
        const hc_backtest_fold_plan *fp = fold->plan;
        for (size_t c = 0; c < res->n_configs; c++) {
            const hc_backtest_config *cf = &res->configs[c];
            const hc_backtest_cell *cell = &fold->cells[c];
            const hc_metrics_summary *m = &cell->metrics;
            int has = fold->used && cell->has_metrics;
            fprintf(f, "%zu", fi + 1);
            text(f, cf->name);
            text(f, cf->kind == HC_BT_TUNED ? "tuned" : "hand-set");
            date(f, fp->train_start);
            date(f, fp->train_end);
            date(f, fp->test_start);
            date(f, fp->test_end);
            cnt(f, fold->n_train);
            cnt(f, fold->train_positives);
            cnt(f, fold->n_test);
            cnt(f, fold->test_positives);
            num(f, has ? m->roc_auc : NAN);
            num(f, has ? m->roc_auc_ci_low : NAN);
            num(f, has ? m->roc_auc_ci_high : NAN);
            if (has)
                cnt(f, (size_t)cell->auc_clustered);
            else
                putc(',', f);
            num(f, has && cell->auc_clustered ? cell->roc_auc_ci_low_naive : NAN);
            num(f, has && cell->auc_clustered ? cell->roc_auc_ci_high_naive : NAN);
            num(f, has && cell->auc_clustered ? cell->roc_auc_design_effect : NAN);
            double v[] = {m->pr_auc, m->brier, m->scaled_brier, m->log_loss, m->ece,
                          m->calibration_intercept, m->calibration_slope,
                          m->calibration_in_the_large, m->hl_p, m->ks,
                          m->lift_top_decile, m->capture_top_decile};
            for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                num(f, has ? v[i] : NAN);
            num(f, fold->used ? cell->psi : NAN);
            num(f, fold->used ? cell->map_intercept : NAN);
            num(f, fold->used ? cell->map_slope : NAN);
            char cuts[256] = "";
            size_t len = 0;
            for (size_t b = 0; fold->used && b < cell->n_cuts && len < sizeof cuts; b++)
                len += (size_t)snprintf(cuts + len, sizeof cuts - len, "%s%.6g",
                                        b ? ";" : "", cell->cuts[b]);
            text(f, cuts);
            num(f, fold->used ? cell->objective_train : NAN);
            num(f, fold->used ? cell->objective_test : NAN);
            int obj = fold->used && res->opt.use_objective;
            if (obj) {
                cnt(f, (size_t)cell->objective_met);
                cnt(f, (size_t)cell->objective_met_test);
            } else {
                fputs(",,", f);
            }
            num(f, fold->used ? cell->red_share : NAN);
            num(f, fold->used ? cell->red_precision : NAN);
            num(f, fold->used ? cell->red_recall : NAN);
            num(f, fold->used ? cell->red_arr_recall : NAN);
            num(f, obj ? cell->train_red_per_date_mean : NAN);
            if (obj && isfinite(cell->train_red_per_date_mean))
                cnt(f, cell->train_red_per_date_max);
            else
                putc(',', f);
            num(f, obj ? cell->train_next_cut : NAN);
            if (obj && isfinite(cell->train_red_per_date_mean))
                cnt(f, cell->train_next_per_date_max);
            else
                putc(',', f);
            num(f, fold->used ? cell->red_per_date_mean : NAN);
            if (fold->used) {
                cnt(f, cell->red_per_date_max);
                cnt(f, cell->test_dates);
                cnt(f, cell->red_accounts);
                cnt(f, cell->test_churned_accounts);
                cnt(f, cell->red_churned_accounts);
            } else {
                fputs(",,,,,", f);
            }
            if (fold->used && cf->kind == HC_BT_TUNED && res->opt.fit.segments) {
                cnt(f, cell->segments_fitted);
                cnt(f, cell->segments_merged);
            } else {
                fputs(",,", f);
            }
            cnt(f, (size_t)fold->used);
            text(f, fold->used ? cell->note : fold->note);
            putc('\n', f);
        }
    }
}

/* bands_over_time.csv: config,fold,test_start,band,band_min,snapshots,
 * churner_snapshots,churn_rate,accounts,accounts_latest,churned_accounts,
 * arr_accounts,arr_latest,churned_arr_events - the test rows of each used
 * fold per band under that fold's cut points (band_min: the band's lower
 * cut), in both units: the snapshots and their churn rate (empty for an
 * empty band), then in accounts (hc_metrics_bands_accounts; empty when not
 * tallied): the accounts with a test snapshot in the band and their ARR
 * once each (at the latest such snapshot), each account once by its latest
 * test snapshot with its ARR there (these sum to the fold's accounts and
 * book), the fold's churned accounts once each (in the band of their last
 * churner snapshot) and their churned ARR from the churn events. */
static void write_bands_over_time(FILE *f, const hc_backtest_result *res)
{
    fputs("config,fold,test_start,band,band_min,snapshots,churner_snapshots,churn_rate,"
          "accounts,accounts_latest,churned_accounts,arr_accounts,arr_latest,"
          "churned_arr_events\n", f);
    for (size_t c = 0; c < res->n_configs; c++) {
        const hc_backtest_config *cf = &res->configs[c];
        for (size_t fi = 0; fi < res->plan.n_folds; fi++) {
            const hc_backtest_fold *fold = &res->folds[fi];
            if (!fold->used)
                continue;
            const hc_backtest_cell *cell = &fold->cells[c];
            for (size_t b = 0; b < cf->n_bands; b++) {
                hc_csv_write_text(f, cf->name);
                cnt(f, fi + 1);
                date(f, fold->plan->test_start);
                text(f, cf->band_names[b]);
                num(f, b == 0 ? 0.0 : cell->cuts[b - 1]);
                cnt(f, cell->band_accounts[b]);
                cnt(f, cell->band_churners[b]);
                num(f, cell->band_accounts[b]
                           ? (double)cell->band_churners[b] / (double)cell->band_accounts[b]
                           : NAN);
                if (cell->has_band_accounts) {
                    cnt(f, cell->band_n_accounts[b]);
                    cnt(f, cell->band_accounts_latest[b]);
                    cnt(f, cell->band_churned_accounts[b]);
                    num(f, cell->band_arr_accounts[b]);
                    num(f, cell->band_arr_latest[b]);
                    num(f, cell->band_churned_arr[b]);
                } else {
                    fputs(",,,,,,", f);
                }
                putc('\n', f);
            }
        }
    }
}

/* thresholds.csv: config,threshold,share_flagged,recall,precision,
 * arr_recall,value,feasible,snapshots_flagged,accounts_flagged,
 * churned_accounts_flagged,account_recall,account_precision,
 * account_arr_recall,account_value,red_per_date_mean,red_per_date_max - the
 * sweep of the primary config on the pooled test rows (flagged: H <
 * threshold): share_flagged to value count snapshots (value: one
 * intervention per flagged snapshot), feasible says whether the bands
 * above can be placed, then the same cut in accounts (the figures the
 * objective reads; hc_thresholds.h, "Units") and the red accounts per
 * scoring date. */
static void write_thresholds(FILE *f, const hc_backtest_result *res)
{
    fputs("config,threshold,share_flagged,recall,precision,arr_recall,value,feasible,"
          "snapshots_flagged,accounts_flagged,churned_accounts_flagged,account_recall,"
          "account_precision,account_arr_recall,account_value,red_per_date_mean,"
          "red_per_date_max\n", f);
    if (!res->has_sweep)
        return;
    const char *name = res->configs[res->primary].name;
    for (size_t i = 0; i < res->sweep.n_points; i++) {
        const hc_threshold_point *p = &res->sweep.sweep[i];
        hc_csv_write_text(f, name);
        num(f, p->cut);
        num(f, p->share_flagged);
        num(f, p->recall);
        num(f, p->precision);
        num(f, p->arr_recall);
        num(f, p->value);
        cnt(f, (size_t)p->feasible);
        cnt(f, p->flagged);
        if (res->sweep.by_accounts) {
            cnt(f, p->accounts_flagged);
            cnt(f, p->churned_accounts_flagged);
        } else {
            fputs(",,", f);
        }
        num(f, p->account_recall);
        num(f, p->account_precision);
        num(f, p->account_arr_recall);
        num(f, p->account_value);
        num(f, p->per_date_mean);
        if (res->sweep.has_dates)
            cnt(f, p->per_date_max);
        else
            putc(',', f);
        putc('\n', f);
    }
}

/* The cut points shown with the sweep: chosen by the objective on the
 * pooled test rows, or the primary config's own bands. */
static size_t primary_cuts(const hc_backtest_result *res, double *mins)
{
    const hc_backtest_config *pc = &res->configs[res->primary];
    const hc_model *m = pc->model;
    size_t nb = pc->n_bands;
    if (nb == 0)
        return 0;
    mins[0] = 0;
    if (res->opt.use_objective && res->has_sweep && res->sweep.n_bands == nb) {
        for (size_t b = 1; b < nb; b++)
            mins[b] = res->sweep.cuts[b - 1];
    } else {
        for (size_t b = 1; b < nb; b++)
            mins[b] = m->bands[b].min;
    }
    return nb;
}

/* cutpoints.csv: band,min */
static void write_cutpoints(FILE *f, const hc_backtest_result *res)
{
    fputs("band,min\n", f);
    double mins[HC_THRESHOLDS_MAX_BANDS];
    size_t nb = primary_cuts(res, mins);
    const hc_backtest_config *pc = &res->configs[res->primary];
    for (size_t b = 0; b < nb; b++) {
        hc_csv_write_text(f, pc->band_names[b]);
        num(f, mins[b]);
        putc('\n', f);
    }
}

/* ---- summary.json ---- */

static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static void push(json_t *a, json_t *v, int *bad)
{
    if (!a || !v || json_array_append_new(a, v) != 0)
        *bad = 1;
}

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jdate(int32_t d)
{
    char b[11];
    hc_date_format(d, b);
    return json_string(b);
}

static json_t *fold_stats(const hc_backtest_result *res, size_t c, int *bad)
{
    /* Mean and sample SD of the per-fold AUCs, over folds with metrics. */
    double s = 0, ss = 0;
    size_t k = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        const hc_backtest_cell *cell = &res->folds[f].cells[c];
        if (!res->folds[f].used || !cell->has_metrics)
            continue;
        s += cell->metrics.roc_auc;
        ss += cell->metrics.roc_auc * cell->metrics.roc_auc;
        k++;
    }
    json_t *o = json_object();
    put(o, "folds_with_metrics", json_integer((json_int_t)k), bad);
    put(o, "mean_roc_auc", k ? jnum(s / (double)k) : json_null(), bad);
    double var = k > 1 ? (ss - s * s / (double)k) / (double)(k - 1) : NAN;
    put(o, "sd_roc_auc", jnum(var > 0 ? sqrt(var) : (k > 1 ? 0.0 : NAN)), bad);
    return o;
}

/* Test rows of the nested walk-forward counted in accounts. */
static json_t *nested_accounts(size_t accounts, size_t red, size_t churned, size_t caught,
                               double churned_arr, double caught_arr, double recall,
                               double precision, double arr_recall, double value,
                               size_t dates, double mean, size_t max, int *bad)
{
    json_t *o = json_object();
    put(o, "accounts", json_integer((json_int_t)accounts), bad);
    put(o, "red_accounts", json_integer((json_int_t)red), bad);
    put(o, "churned_accounts", json_integer((json_int_t)churned), bad);
    put(o, "churned_accounts_caught", json_integer((json_int_t)caught), bad);
    put(o, "churned_arr", jnum(churned_arr), bad);
    put(o, "churned_arr_caught", jnum(caught_arr), bad);
    put(o, "recall", jnum(recall), bad);
    put(o, "precision", jnum(precision), bad);
    /* Counted in accounts the units are independent: Wilson over them
     * (an account whose snapshots sit in several test periods counts once
     * in each fold's tally, so the pooled counts can hold it twice). */
    double lo, hi;
    if (churned) {
        hc_metrics_wilson(caught, churned, 0.95, &lo, &hi);
        put(o, "recall_ci_low", jnum(lo), bad);
        put(o, "recall_ci_high", jnum(hi), bad);
    }
    if (red) {
        hc_metrics_wilson(caught, red, 0.95, &lo, &hi);
        put(o, "precision_ci_low", jnum(lo), bad);
        put(o, "precision_ci_high", jnum(hi), bad);
    }
    if (churned || red)
        put(o, "ci_method", json_string("Wilson over accounts"), bad);
    put(o, "arr_recall", jnum(arr_recall), bad);
    put(o, "value", jnum(value), bad);
    put(o, "scoring_dates", json_integer((json_int_t)dates), bad);
    put(o, "red_accounts_per_date_mean", jnum(mean), bad);
    put(o, "red_accounts_per_date_max", json_integer((json_int_t)max), bad);
    return o;
}

/* The out-of-time vote of config c: the decision data of "bands are
 * written only when the objective held out of time in most folds". */
static json_t *vote_json(const hc_backtest_config *cf, int *bad)
{
    json_t *o = json_object();
    put(o, "rule", json_string("the objective, counted in accounts, held on the test rows "
                               "(out of time) in more than half of the folds where it "
                               "could be evaluated"), bad);
    put(o, "folds_evaluated", json_integer((json_int_t)cf->folds_evaluated), bad);
    put(o, "folds_met_test", json_integer((json_int_t)cf->folds_met_test), bad);
    put(o, "bands_recommended", json_boolean(cf->bands_recommended), bad);
    return o;
}

/* The chosen red cut of the pooled sweep in accounts and per scoring date. */
static json_t *sweep_accounts(const hc_threshold_result *t, int *bad)
{
    const hc_threshold_point *p = &t->sweep[t->red_point];
    json_t *o = json_object();
    put(o, "snapshots_flagged", json_integer((json_int_t)p->flagged), bad);
    put(o, "share_of_snapshots_flagged", jnum(p->share_flagged), bad);
    if (t->by_accounts) {
        put(o, "accounts", json_integer((json_int_t)t->accounts), bad);
        put(o, "accounts_flagged", json_integer((json_int_t)p->accounts_flagged), bad);
        put(o, "churned_accounts", json_integer((json_int_t)t->churned_accounts), bad);
        put(o, "churned_accounts_caught",
            json_integer((json_int_t)p->churned_accounts_flagged), bad);
        put(o, "recall", jnum(p->account_recall), bad);
        put(o, "precision", jnum(p->account_precision), bad);
        put(o, "arr_recall", jnum(p->account_arr_recall), bad);
        put(o, "value", jnum(p->account_value), bad);
        put(o, "interventions", json_string("account-weeks in red: one per account per "
                                            "scoring date in red"), bad);
    }
    if (t->has_dates) {
        put(o, "scoring_dates", json_integer((json_int_t)t->n_dates), bad);
        put(o, "red_accounts_per_date_mean", jnum(p->per_date_mean), bad);
        put(o, "red_accounts_per_date_min", json_integer((json_int_t)p->per_date_min), bad);
        put(o, "red_accounts_per_date_max", json_integer((json_int_t)p->per_date_max), bad);
        put(o, "next_cut", jnum(t->next_cut), bad);
        put(o, "next_cut_red_accounts_per_date_max",
            json_integer((json_int_t)t->next_per_date_max), bad);
    }
    return o;
}

/* The thresholds' out-of-time figures: per fold, the cut points chosen on
 * the earlier folds' test rows and how they did on this fold's. */
static json_t *nested_json(const hc_backtest_result *res, int *bad)
{
    const hc_backtest_nested *n = &res->nested;
    json_t *o = json_object();
    put(o, "method", json_string("nested walk-forward: each fold's cut points chosen by "
                                 "the objective on the earlier folds' test rows, scored "
                                 "on this fold's test rows"), bad);
    put(o, "unit", json_string("snapshots"), bad);
    put(o, "folds_scored", json_integer((json_int_t)n->scored), bad);
    put(o, "folds_met", json_integer((json_int_t)n->met), bad);
    put(o, "rows", json_integer((json_int_t)n->rows), bad);
    put(o, "share_flagged", jnum(n->share_flagged), bad);
    put(o, "precision", jnum(n->precision), bad);
    put(o, "recall", jnum(n->recall), bad);
    put(o, "arr_recall", jnum(n->arr_recall), bad);
    put(o, "value", jnum(n->value), bad);
    put(o, "met_counted_in", json_string("accounts"), bad);
    put(o, "accounts", nested_accounts(n->accounts, n->red_accounts, n->churned_accounts,
                                       n->red_churned_accounts, n->churned_arr_accounts,
                                       n->red_churned_arr_accounts, n->account_recall,
                                       n->account_precision, n->account_arr_recall,
                                       n->account_value, n->dates, n->red_per_date_mean,
                                       n->red_per_date_max, bad), bad);
    json_t *folds = json_array();
    for (size_t i = 0; i < n->n_folds; i++) {
        const hc_backtest_nested_fold *nf = &n->folds[i];
        json_t *e = json_object();
        put(e, "fold", json_integer((json_int_t)nf->fold + 1), bad);
        put(e, "chosen_on_rows", json_integer((json_int_t)nf->chosen_on), bad);
        if (!nf->ok) {
            put(e, "note", json_string(nf->note), bad);
            push(folds, e, bad);
            continue;
        }
        json_t *cuts = json_array();
        for (size_t b = 0; b < nf->n_cuts; b++)
            push(cuts, jnum(nf->cuts[b]), bad);
        put(e, "cutpoints", cuts, bad);
        put(e, "rows", json_integer((json_int_t)nf->rows), bad);
        put(e, "share_flagged", jnum(nf->share_flagged), bad);
        put(e, "precision", jnum(nf->precision), bad);
        put(e, "recall", jnum(nf->recall), bad);
        put(e, "arr_recall", jnum(nf->arr_recall), bad);
        put(e, "value", jnum(nf->value), bad);
        put(e, "accounts", nested_accounts(nf->accounts, nf->red_accounts, nf->churned_accounts,
                                           nf->red_churned_accounts, nf->churned_arr_accounts,
                                           nf->red_churned_arr_accounts, nf->account_recall,
                                           nf->account_precision, nf->account_arr_recall,
                                           nf->account_value, nf->dates,
                                           nf->red_per_date_mean, nf->red_per_date_max, bad),
            bad);
        put(e, "objective", jnum(nf->objective), bad);
        put(e, "met", json_boolean(nf->met), bad);
        push(folds, e, bad);
    }
    put(o, "folds", folds, bad);
    return o;
}

static json_t *summary_json(const hc_backtest_result *res, const hc_history *h)
{
    int bad = 0;
    const hc_backtest_options *o = &res->opt;
    json_t *root = json_object();
    put(root, "schema", json_string("healthcal-backtest/1"), &bad);
    json_t *op = json_object();
    put(op, "step_days", json_integer(o->step_days), &bad);
    put(op, "window_days", o->window_days > 0 ? json_integer(o->window_days)
                                              : json_string("expanding"), &bad);
    put(op, "horizon_days", json_integer(res->plan.horizon), &bad);
    put(op, "lead_days", json_integer(res->plan.lead), &bad);
    put(op, "embargo", json_string("training snapshot dates t < T - horizon - lead, so "
                                   "every training label window ends before the test "
                                   "period starts at T"), &bad);
    put(op, "min_train_churners", json_integer((json_int_t)o->min_train_churners), &bad);
    put(op, "as_of", jdate(h->labels.as_of), &bad);
    {
        /* The clusters as run: the comparisons name the column they found. */
        json_t *cl = json_object();
        put(cl, "clustered", json_boolean(!o->unclustered), &bad);
        put(cl, "column", o->unclustered ? json_null()
                          : json_string(o->cluster_col ? o->cluster_col
                                                       : (h->snapshots.id_col >= 0
                                                              ? h->snapshots.table
                                                                    ->cols[h->snapshots.id_col]
                                                                    .name
                                                              : "account_id")),
            &bad);
        put(cl, "bootstrap", json_integer((json_int_t)(o->unclustered ? 0 : o->bootstrap)),
            &bad);
        put(cl, "seed", json_integer((json_int_t)(o->seed ? o->seed
                                                          : HC_VALIDATE_SEED_DEFAULT)),
            &bad);
        put(op, "clusters", cl, &bad);
    }
    if (o->use_objective) {
        json_t *ob = json_object();
        put(ob, "objective", json_string(objective_word(o->threshold.objective)), &bad);
        if (o->threshold.objective == HC_THRESHOLD_VALUE) {
            put(ob, "cost", jnum(o->threshold.cost), &bad);
            put(ob, "save_rate", jnum(o->threshold.save_rate), &bad);
            put(ob, "interventions", json_string("account-weeks in red"), &bad);
        } else if (o->threshold.objective == HC_THRESHOLD_CAPACITY) {
            if (o->threshold.capacity_share)
                put(ob, "capacity_share_per_date", jnum(o->threshold.capacity), &bad);
            else
                put(ob, "capacity_accounts_per_date", jnum(o->threshold.capacity), &bad);
        } else {
            put(ob, "target", jnum(o->threshold.target), &bad);
        }
        put(ob, "min_band_share", jnum(o->threshold.min_band_share), &bad);
        put(ob, "counted_in", json_string("accounts (the band rules: snapshots)"), &bad);
        put(op, "thresholds", ob, &bad);
    } else {
        put(op, "thresholds", json_string("each config's own bands"), &bad);
    }
    put(root, "options", op, &bad);

    json_t *fo = json_object();
    put(fo, "planned", json_integer((json_int_t)res->plan.n_folds), &bad);
    put(fo, "used", json_integer((json_int_t)res->folds_used), &bad);
    json_t *sk = json_array();
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        if (res->folds[f].used)
            continue;
        json_t *e = json_object();
        put(e, "fold", json_integer((json_int_t)f + 1), &bad);
        put(e, "test_start", jdate(res->plan.folds[f].test_start), &bad);
        put(e, "reason", json_string(res->folds[f].note), &bad);
        push(sk, e, &bad);
    }
    put(fo, "skipped", sk, &bad);
    put(fo, "first_test_start", jdate(res->plan.folds[0].test_start), &bad);
    put(fo, "last_test_end", jdate(res->plan.folds[res->plan.n_folds - 1].test_end), &bad);
    {
        /* whether the folds carry a conclusion (hc_backtest_fold_adequacy) */
        const char *why = hc_backtest_fold_adequacy(res);
        put(fo, "adequate", json_boolean(why == NULL), &bad);
        put(fo, "adequacy", why ? json_string(why) : json_null(), &bad);
        put(fo, "adequate_min_folds", json_integer(HC_BACKTEST_ADEQUATE_FOLDS), &bad);
        put(fo, "adequate_min_churned_accounts_per_fold",
            json_integer(HC_BACKTEST_ADEQUATE_CHURNED), &bad);
    }
    put(root, "folds", fo, &bad);

    json_t *rows = json_object();
    put(rows, "observations", json_integer((json_int_t)res->plan.n_rows), &bad);
    put(rows, "pooled_test_rows", json_integer((json_int_t)res->n_pooled), &bad);
    put(rows, "test_rows_excluded_missing_score", json_integer((json_int_t)res->test_excluded), &bad);
    put(root, "rows", rows, &bad);

    json_t *cs = json_array();
    for (size_t c = 0; c < res->n_configs; c++) {
        const hc_backtest_config *cf = &res->configs[c];
        json_t *e = json_object();
        put(e, "name", json_string(cf->name), &bad);
        put(e, "kind", json_string(cf->kind == HC_BT_TUNED ? "tuned" : "hand-set"), &bad);
        if (cf->model->source)
            put(e, "config", json_string(cf->model->source), &bad);
        put(e, "probabilities", json_string(cf->probabilities), &bad);
        put(e, "per_fold", fold_stats(res, c, &bad), &bad);
        if (o->use_objective)
            put(e, "objective_out_of_time", vote_json(cf, &bad), &bad);
        if (cf->has_pooled) {
            json_t *pv = hc_validate_to_json(&cf->pooled, NULL);
            put(e, "pooled", pv, &bad);
        } else {
            put(e, "pooled", json_null(), &bad);
            put(e, "pooled_note", json_string(cf->pooled_note), &bad);
        }
        push(cs, e, &bad);
    }
    put(root, "configs", cs, &bad);

    json_t *cmp = json_array();
    for (size_t i = 0; i < res->n_comparisons; i++) {
        const hc_backtest_comparison *c = &res->comparisons[i];
        json_t *e = json_object();
        put(e, "config", json_string(res->configs[c->index].name), &bad);
        put(e, "baseline", json_string(res->configs[0].name), &bad);
        if (c->clustered) {
            char how[256];
            snprintf(how, sizeof how, "%s, by account (%s)",
                     HC_BACKTEST_METHOD_PAIRED_CLUSTERED, c->cluster_name);
            put(e, "method", json_string(how), &bad);
            put(e, "cluster_column", json_string(c->cluster_name), &bad);
        } else {
            put(e, "method", json_string("DeLong paired test on the pooled test rows, "
                                         "rows independent (pROC roc.test, paired = "
                                         "TRUE)"), &bad);
            put(e, "cluster_column", json_null(), &bad);
        }
        if (c->ok) {
            put(e, "roc_auc", jnum(c->diff.auc1), &bad);
            put(e, "roc_auc_baseline", jnum(c->diff.auc2), &bad);
            put(e, "auc_difference", jnum(c->diff.diff), &bad);
            put(e, "ci_low", jnum(c->diff.ci_low), &bad);
            put(e, "ci_high", jnum(c->diff.ci_high), &bad);
            put(e, "se", jnum(c->diff.se), &bad);
            put(e, "z", jnum(c->diff.z), &bad);
            put(e, "p_value", jnum(c->diff.p_value), &bad);
            put(e, "significant", json_boolean(c->diff.ci_low > 0 || c->diff.ci_high < 0),
                &bad);
            if (c->clustered) {
                put(e, "clusters", json_integer((json_int_t)c->n_clusters), &bad);
                put(e, "design_effect", jnum(c->design_effect), &bad);
                json_t *nv = json_object();
                put(nv, "method", json_string("DeLong paired, rows independent"), &bad);
                put(nv, "se", jnum(c->se_naive), &bad);
                put(nv, "ci_low", jnum(c->ci_low_naive), &bad);
                put(nv, "ci_high", jnum(c->ci_high_naive), &bad);
                put(nv, "p_value", jnum(c->p_value_naive), &bad);
                put(e, "rows_independent", nv, &bad);
            }
        } else {
            put(e, "note", json_string(c->note), &bad);
        }
        push(cmp, e, &bad);
    }
    put(root, "comparisons", cmp, &bad);
    put(root, "lead_time", hc_bt_lead_time_json(res), &bad);

    json_t *th = json_object();
    put(th, "config", json_string(res->configs[res->primary].name), &bad);
    put(th, "rows", json_string("pooled out-of-sample test rows"), &bad);
    double mins[HC_THRESHOLDS_MAX_BANDS];
    size_t nb = primary_cuts(res, mins);
    json_t *cuts = json_array();
    for (size_t b = 0; b < nb; b++) {
        json_t *e = json_object();
        put(e, "band", json_string(res->configs[res->primary].band_names[b]), &bad);
        put(e, "min", jnum(mins[b]), &bad);
        push(cuts, e, &bad);
    }
    put(th, "cutpoints", cuts, &bad);
    put(th, "cutpoints_from", json_string(o->use_objective && res->has_sweep
                                              ? "the objective on the pooled test rows"
                                              : "the config's own bands"), &bad);
    if (res->has_sweep && o->use_objective) {
        put(th, "in_sample", json_true(), &bad);
        put(th, "met", json_boolean(res->sweep.met), &bad);
        put(th, "achieved", jnum(res->sweep.achieved), &bad);
        put(th, "shortfall", jnum(res->sweep.shortfall), &bad);
        put(th, "message", json_string(res->sweep.message), &bad);
    }
    if (res->has_sweep)
        put(th, "red_band", sweep_accounts(&res->sweep, &bad), &bad);
    if (o->use_objective)
        put(th, "objective_out_of_time", vote_json(&res->configs[res->primary], &bad), &bad);
    if (!res->has_sweep)
        put(th, "note", json_string(res->sweep_note), &bad);
    put(th, "out_of_time", nested_json(res, &bad), &bad);
    put(root, "thresholds", th, &bad);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

typedef void (*result_writer)(FILE *f, const hc_backtest_result *res);

static hc_status write_one(const char *dir, const char *name, result_writer fn,
                           const hc_backtest_result *res, hc_error *err)
{
    hc_outfile *of;
    hc_status st = open_in(dir, name, &of, err);
    if (st != HC_OK)
        return st;
    fn(hc_outfile_stream(of), res);
    return hc_outfile_commit(of, err);
}

hc_status hc_backtest_write(const hc_backtest_result *res, const hc_history *h,
                            const char *dir, hc_error *err)
{
    hc_status st = hc_mkdir_p(dir, err);
    if (st != HC_OK)
        return st;
    if ((st = write_one(dir, "folds.csv", write_folds, res, err)) != HC_OK ||
        (st = write_one(dir, "bands_over_time.csv", write_bands_over_time, res, err)) != HC_OK ||
        (st = write_one(dir, "thresholds.csv", write_thresholds, res, err)) != HC_OK ||
        (st = write_one(dir, "cutpoints.csv", write_cutpoints, res, err)) != HC_OK)
        return st;
    json_t *root = summary_json(res, h);
    if (!root)
        return hc_error_nomem(err);
    hc_outfile *of;
    if ((st = open_in(dir, "summary.json", &of, err)) != HC_OK) {
        json_decref(root);
        return st;
    }
    int rc = json_dumpf(root, hc_outfile_stream(of), JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (rc != 0) {
        hc_outfile_abort(of);
        return hc_error_set(err, HC_EIO, dir, 0, 0, "cannot write summary.json");
    }
    fputc('\n', hc_outfile_stream(of));
    if ((st = hc_outfile_commit(of, err)) != HC_OK)
        return st;
    /* Plot data of the pooled predictions of every config that has them. */
    const hc_validate_result *vr[64];
    const char *names[64];
    size_t k = 0;
    for (size_t c = 0; c < res->n_configs && k < 64; c++)
        if (res->configs[c].has_pooled) {
            vr[k] = &res->configs[c].pooled;
            names[k++] = res->configs[c].name;
        }
    return k ? hc_backtest_write_plot_data(dir, vr, names, k, err) : HC_OK;
}
