/* report_files.c - the report directory's data files: weights, band ARR, segments, reconciliation, thresholds, seasons, validate and drift JSON, tuned.json, predictions.csv. */
#include "report_internal.h"
#include "hc_date.h"
#include "hc_csv.h"
#include "hc_outfile.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static hc_status join(char *buf, size_t size, const char *dir, const char *name,
                      hc_error *err)
{
    int w = snprintf(buf, size, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= size)
        return hc_error_set(err, HC_EIO, dir, 0, 0, "path is too long");
    return HC_OK;
}

typedef void (*file_writer)(FILE *f, const hc_report_result *res);

static hc_status write_file(const char *dir, const char *name, file_writer fn,
                            const hc_report_result *res, hc_error *err)
{
    char path[4096];
    hc_status st = join(path, sizeof path, dir, name, err);
    if (st != HC_OK)
        return st;
    hc_outfile *of;
    if ((st = hc_outfile_open(path, &of, err)) != HC_OK)
        return st;
    fn(hc_outfile_stream(of), res);
    return hc_outfile_commit(of, err);
}

static void num(FILE *f, double v)
{
    putc(',', f);
    hc_csv_write_num(f, v);
}

/* weights.csv: component,old_weight,new_weight,ci_low,ci_high,beta,beta_se,dropped */
static void w_weights(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    fputs("component,old_weight,new_weight,ci_low,ci_high,beta,beta_se,dropped\n", f);
    for (size_t c = 0; c < r->n_components; c++) {
        hc_csv_write_text(f, r->tuned->components[c].name);
        num(f, r->old_weight[c]);
        num(f, r->new_weight[c]);
        num(f, r->dropped[c] ? NAN : r->weight_ci_low[c]);
        num(f, r->dropped[c] ? NAN : r->weight_ci_high[c]);
        num(f, r->beta[c]);
        num(f, r->dropped[c] ? NAN : r->beta_se[c]);
        fprintf(f, ",%d\n", r->dropped[c] != 0);
    }
}

/* band_arr.csv: band,min,accounts,arr,expected_churned_arr - today's book
 * (accounts not yet churned) under the bands of the config the report
 * scores with (res->scoring: the tuned one when adopted). */
static void w_band_arr(FILE *f, const hc_report_result *res)
{
    const hc_model *m = res->scoring;
    fputs("band,min,accounts,arr,expected_churned_arr\n", f);
    for (size_t b = 0; b < m->n_bands; b++) {
        hc_csv_write_text(f, m->bands[b].name);
        num(f, m->bands[b].min);
        fprintf(f, ",%zu", res->band_accounts[b]);
        num(f, res->band_arr[b]);
        num(f, res->band_expected_arr[b]);
        putc('\n', f);
    }
}

/* segments.csv: one row per segment value (empty name: rows without one):
 * accounts_today in today's book, history_accounts and churned_accounts
 * over the labelled history (accounts; a lifecycle stage counts the
 * accounts that were ever in it), the snapshot counts, the backtest's
 * out-of-time AUCs, the fit's credibility and calibration, merged (1: fewer
 * churned accounts than --segment-min-churned, scored with the pooled
 * model) and the segment's weights (empty: the pooled weights apply). */
static void w_segments(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    fputs("segment,accounts_today,history_accounts,churned_accounts,arr,"
          "expected_churned_arr,observations,churners,churn_rate,"
          "test_rows,test_churners,auc_current,auc_current_ci_low,auc_current_ci_high,"
          "auc_tuned,auc_tuned_ci_low,auc_tuned_ci_high,credibility,own_fit,calibrated,"
          "intercept,slope,small,merged",
          f);
    for (size_t c = 0; c < r->n_components; c++) {
        char h[300];
        snprintf(h, sizeof h, "weight_%s", r->tuned->components[c].name);
        putc(',', f);
        hc_csv_write_text(f, h);
    }
    fputs(",note\n", f);
    for (size_t i = 0; i < res->n_segments; i++) {
        const hc_report_segment *s = &res->segments[i];
        const hc_fit_segment *fs = s->fit_index >= 0 ? &r->segments[s->fit_index] : NULL;
        hc_csv_write_text(f, s->name);
        fprintf(f, ",%zu,%zu,%zu", s->accounts, s->history_accounts, s->churned_accounts);
        num(f, s->arr);
        num(f, s->expected_churned_arr);
        fprintf(f, ",%zu,%zu", s->observations, s->churners);
        num(f, s->observations ? (double)s->churners / (double)s->observations : NAN);
        fprintf(f, ",%zu,%zu", s->test_rows, s->test_churners);
        for (int c = 0; c < 2; c++) {
            num(f, s->has_auc[c] ? s->auc[c].auc : NAN);
            num(f, s->has_auc[c] ? s->auc[c].ci_low : NAN);
            num(f, s->has_auc[c] ? s->auc[c].ci_high : NAN);
        }
        num(f, fs ? fs->credibility : NAN);
        if (fs)
            fprintf(f, ",%d,%d", fs->own_fit != 0, fs->calibrated != 0);
        else
            fputs(",,", f);
        num(f, fs && fs->calibrated ? fs->intercept : NAN);
        num(f, fs && fs->calibrated ? fs->slope : NAN);
        fprintf(f, ",%d", s->small);
        if (fs)
            fprintf(f, ",%d", fs->merged != 0);
        else
            putc(',', f);
        for (size_t c = 0; c < r->n_components; c++)
            num(f, fs && !fs->merged && fs->weights ? fs->weights[c] : NAN);
        putc(',', f);
        hc_csv_write_text(f, fs ? fs->note : "");
        putc('\n', f);
    }
}

/* reconciliation.csv: item,count - every count an analyst reconciles with
 * the source files. */
static void w_reconciliation(FILE *f, const hc_report_result *res)
{
    const hc_history *h = &res->history;
    const hc_labels *l = &h->labels;
    const hc_events *e = &h->events;
    const hc_predict_result *p = &res->predict;
    struct {
        const char *item;
        size_t v;
    } rows[] = {
        {"snapshot_rows_read", h->snapshots.table->n_rows},
        {"accounts", h->snapshots.n_accounts},
        {"observations", l->observations},
        {"censored", l->censored},
        {"post_churn_excluded", l->post_churn},
        {"lead_churn_excluded", l->lead_churn},
        {"churn_labels", l->churn_positive},
        {"expansion_labels", l->expansion_positive},
        {"event_rows_read", e->rows_read},
        {"churn_events", e->by_type[HC_EVENT_CHURN]},
        {"churn_events_matched", l->churn_events_matched},
        {"expansion_events", e->by_type[HC_EVENT_EXPANSION]},
        {"expansion_events_matched", l->expansion_events_matched},
        {"contraction_events", e->by_type[HC_EVENT_CONTRACTION]},
        {"repeat_churn_events", l->repeat_churn_events},
        {"events_before_first_snapshot", l->events_before_first_snapshot},
        {"events_unknown_account", e->unknown_account},
        {"events_unknown_type_skipped", e->unknown_type},
        {"observations_missing_health", res->validate_rows.missing_health},
        {"fit_rows", res->fit.n_fit},
        {"fit_rows_incomplete", res->fit.n_incomplete},
        {"backtest_pooled_test_rows", res->has_backtest ? res->backtest.n_pooled : 0},
        {"scored_accounts", p->accounts},
        {"accounts_churned_by_as_of", res->churned_accounts},
        {"book_accounts", res->book_accounts},
        {"book_unscored_accounts", res->book_unscored},
        {"book_stale_accounts", res->book_stale},
        {"accounts_first_snapshot_after_as_of", p->accounts_later},
    };
    fputs("item,count\n", f);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(f, "%s,%zu\n", rows[i].item, rows[i].v);
}

/* thresholds.csv and cutpoints.csv of an in-sample search (the backtest
 * writes them otherwise), in the backtest's formats. */
static void w_own_thresholds(FILE *f, const hc_report_result *res)
{
    const hc_threshold_result *t = &res->own_thresholds;
    fputs("config,threshold,share_flagged,recall,precision,arr_recall,value,feasible\n", f);
    for (size_t i = 0; i < t->n_points; i++) {
        const hc_threshold_point *p = &t->sweep[i];
        fputs("tuned (in-sample)", f);
        num(f, p->cut);
        num(f, p->share_flagged);
        num(f, p->recall);
        num(f, p->precision);
        num(f, p->arr_recall);
        num(f, p->value);
        fprintf(f, ",%d\n", p->feasible != 0);
    }
}

static void w_cutpoints(FILE *f, const hc_report_result *res)
{
    const hc_model *m = res->fit.tuned;
    fputs("band,min\n", f);
    for (size_t b = 0; b < m->n_bands; b++) {
        hc_csv_write_text(f, m->bands[b].name);
        num(f, m->bands[b].min);
        putc('\n', f);
    }
}

static void w_predictions(FILE *f, const hc_report_result *res)
{
    hc_predict_write_csv(f, &res->predict);
}

static hc_status write_json(const char *dir, const char *name, json_t *root,
                            hc_error *err)
{
    if (!root)
        return hc_error_nomem(err);
    char path[4096];
    hc_status st = join(path, sizeof path, dir, name, err);
    hc_outfile *of = NULL;
    if (st == HC_OK)
        st = hc_outfile_open(path, &of, err);
    if (st != HC_OK) {
        json_decref(root);
        return st;
    }
    int rc = json_dumpf(root, hc_outfile_stream(of), JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (rc != 0) {
        hc_outfile_abort(of);
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot write JSON");
    }
    fputc('\n', hc_outfile_stream(of));
    return hc_outfile_commit(of, err);
}

/* revenue_at_risk.json: the book's expected churned ARR in the next
 * horizon and its 80% and 95% ranges (hc_predict.h, "Revenue at risk"). */
static json_t *risk_json(const hc_report_result *res)
{
    const hc_predict_risk_range *q = &res->book_risk;
    char day[11];
    hc_date_format(res->predict.as_of, day);
    json_t *r80 = q->computed ? json_pack("[ff]", q->lo80, q->hi80) : json_null();
    json_t *r95 = q->computed ? json_pack("[ff]", q->lo95, q->hi95) : json_null();
    return json_pack("{s:s, s:s, s:i, s:I, s:f, s:I, s:f, s:f, s:o, s:o, s:s, s:I, s:I}",
                     "schema", "healthcal-revenue-at-risk/1", "as_of", day,
                     "horizon_days", res->predict.horizon_days,
                     "book_accounts", (json_int_t)res->book_accounts,
                     "book_arr", res->book_arr,
                     "accounts_with_probability", (json_int_t)q->accounts,
                     "expected_churners", res->book_expected_churners,
                     "expected_churned_arr", res->book_expected_arr,
                     "range_80", r80, "range_95", r95,
                     "method", "expected: sum of P(churn) x ARR over the book; ranges: "
                               "type-7 quantiles 0.10-0.90 and 0.025-0.975 of a seeded "
                               "Monte Carlo of independent Bernoulli(P(churn)) churn "
                               "events, each losing the account's ARR (Poisson-binomial)",
                     "draws", (json_int_t)q->draws, "seed", (json_int_t)q->seed);
}

/* seasons.csv: per calendar month (every year's August together), the
 * current config's calibration on the labelled snapshots (observed over
 * expected churn, clustered interval) and its false red flags in accounts
 * (non-churning accounts with a snapshot in the month, of them flagged
 * red, Wilson interval); then the August + December and other-months
 * rows in account-months. Written when validate measured them. */
static void w_seasons(FILE *f, const hc_report_result *res)
{
    static const char *const names[12] = {"January", "February", "March", "April",
                                          "May", "June", "July", "August", "September",
                                          "October", "November", "December"};
    const hc_validate_result *v = &res->validate;
    fputs("month,snapshots,accounts,churner_snapshots,predicted,observed,oe,oe_ci_low,"
          "oe_ci_high,oe_differs,non_churning_accounts,flagged_red,flagged_share,"
          "flagged_ci_low,flagged_ci_high\n", f);
    for (int m = 0; m < 14; m++) {
        const hc_calendar_month *c = m < 12 && v->has_months ? &v->months.month[m] : NULL;
        const hc_calendar_flag_share *s = !v->has_flags ? NULL
                                          : m < 12      ? &v->flags.month[m]
                                          : m == 12     ? &v->flags.season
                                                        : &v->flags.rest;
        fputs(m < 12 ? names[m] : m == 12 ? "August and December" : "other months", f);
        if (c && c->rows) {
            fprintf(f, ",%zu,%zu,%zu", c->rows, c->accounts, c->churner_rows);
            num(f, c->predicted);
            num(f, c->observed);
            num(f, c->estimable ? c->oe : NAN);
            num(f, c->estimable ? c->oe_ci_low : NAN);
            num(f, c->estimable ? c->oe_ci_high : NAN);
            fprintf(f, ",%d", c->estimable && c->differs);
        } else {
            fputs(",,,,,,,,,", f);
        }
        if (s && s->accounts) {
            fprintf(f, ",%zu,%zu", s->accounts, s->flagged);
            num(f, s->share);
            num(f, s->ci_low);
            num(f, s->ci_high);
        } else {
            fputs(",,,,,", f);
        }
        putc('\n', f);
    }
}

/* Every file a report may write in data/ and every plot image: removed
 * before writing, so that nothing of an earlier run survives beside the
 * new one (a stale drift.json or a plot of old data). */
static const char *const data_files[] = {
    "folds.csv", "bands_over_time.csv", "thresholds.csv", "cutpoints.csv",
    "summary.json", "reliability.csv", "prediction_hist.csv", "roc.csv", "pr.csv",
    "gains.csv", "score_distribution.csv", "weights.csv", "band_arr.csv",
    "coefficients.csv", "segments.csv", "reconciliation.csv", "validate.json",
    "drift.json", "revenue_at_risk.json", "band_rates.csv", "lead_time.csv", "trend.csv",
    "seasons.csv"};
static const char *const plot_names[] = {
    "reliability", "roc", "pr", "gains", "bands_over_time", "band_arr",
    "score_distribution", "weights", "thresholds", "folds", "headline", "lead_time",
    "trend"};

static hc_status remove_file(const char *dir, const char *name, hc_error *err)
{
    char path[4096];
    hc_status st = join(path, sizeof path, dir, name, err);
    if (st != HC_OK)
        return st;
    if (unlink(path) != 0 && errno != ENOENT)
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot remove the earlier run's file: %s",
                            strerror(errno));
    return HC_OK;
}

static hc_status write_data(hc_report_result *res, const char *data, hc_error *err)
{
    hc_status st;
    if (res->has_backtest) {
        if ((st = hc_backtest_write(&res->backtest, &res->history, data, err)) != HC_OK)
            return st;
    } else {
        /* No out-of-time rows: the curves of the current config on all
         * observations (in-sample), named so in the plots' legends. */
        const hc_validate_result *vr[1] = {&res->validate};
        const char *nm[1] = {"current (in-sample)"};
        if ((st = hc_backtest_write_plot_data(data, vr, nm, 1, err)) != HC_OK)
            return st;
    }
    if (res->cuts_source == HC_REPORT_CUTS_IN_SAMPLE) {
        if ((st = write_file(data, "thresholds.csv", w_own_thresholds, res, err)) != HC_OK ||
            (st = write_file(data, "cutpoints.csv", w_cutpoints, res, err)) != HC_OK)
            return st;
    }
    if ((st = write_file(data, "weights.csv", w_weights, res, err)) != HC_OK ||
        (st = write_file(data, "band_arr.csv", w_band_arr, res, err)) != HC_OK ||
        (st = write_file(data, "segments.csv", w_segments, res, err)) != HC_OK ||
        (st = write_file(data, "reconciliation.csv", w_reconciliation, res, err)) != HC_OK ||
        ((res->validate.has_months || res->validate.has_flags) &&
         (st = write_file(data, "seasons.csv", w_seasons, res, err)) != HC_OK))
        return st;
    hc_validate_source src = {.kind = "config",
                              .file = res->opt.snapshots_path,
                              .config = res->opt.config_path,
                              .rows_read = res->validate_rows.observations,
                              .rows_dropped = res->validate_rows.missing_health,
                              .cluster_column = res->validate.clusters.active
                                                    ? res->validate.clusters.name
                                                    : NULL};
    char path[4096];
    if ((st = join(path, sizeof path, data, "validate.json", err)) != HC_OK ||
        (st = hc_validate_write_json(&res->validate, &src, path, err)) != HC_OK)
        return st;
    if (res->has_drift &&
        (st = write_json(data, "drift.json", hc_drift_to_json(&res->drift), err)) != HC_OK)
        return st;
    return write_json(data, "revenue_at_risk.json", risk_json(res), err);
}


hc_status hc_rpt_write_files(hc_report_result *res, hc_error *err)
{
    const char *out = res->opt.out_dir;
    char *data = res->doc.data_dir, *plots = res->doc.plots_dir;
    hc_status st;
    if ((st = hc_mkdir_p(out, err)) != HC_OK)
        return st;
    /* Withdraw the earlier run's pages first: from here on a failure
     * leaves no index.html claiming a complete report. */
    if ((st = remove_file(out, "index.html", err)) != HC_OK ||
        (st = remove_file(out, "summary.md", err)) != HC_OK ||
        (st = remove_file(out, "index.pdf", err)) != HC_OK ||
        (st = join(data, sizeof res->doc.data_dir, out, "data", err)) != HC_OK ||
        (st = join(plots, sizeof res->doc.plots_dir, out, "plots", err)) != HC_OK ||
        (st = hc_mkdir_p(data, err)) != HC_OK || (st = hc_mkdir_p(plots, err)) != HC_OK)
        return st;
    for (size_t i = 0; i < sizeof data_files / sizeof data_files[0]; i++)
        if ((st = remove_file(data, data_files[i], err)) != HC_OK)
            return st;
    for (size_t i = 0; i < sizeof plot_names / sizeof plot_names[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.svg", plot_names[i]);
        if ((st = remove_file(plots, name, err)) != HC_OK)
            return st;
        snprintf(name, sizeof name, "%s.png", plot_names[i]);
        if ((st = remove_file(plots, name, err)) != HC_OK)
            return st;
    }
    hc_rpt_stage(&res->opt, "writing data");
    if ((st = write_data(res, data, err)) != HC_OK)
        return st;
    char path[4096];
    if ((st = join(path, sizeof path, out, "tuned.json", err)) != HC_OK ||
        (st = hc_model_save(res->fit.tuned, path, err)) != HC_OK ||
        (st = write_file(out, "predictions.csv", w_predictions, res, err)) != HC_OK)
        return st;
    return hc_rpt_write_glance_files(res, err);
}
