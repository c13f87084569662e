/* report.c - the quarterly report workflow: one history, validate, fit, backtest, thresholds, predict, drift, then the document and the data files. */
#include "report_internal.h"
#include "hc_date.h"
#include "hc_model_history.h"
#include "hc_outfile.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void hc_report_options_init(hc_report_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->lead_days = -1;
    opt->as_of = HC_DATE_MISSING;
    hc_threshold_options_init(&opt->threshold);
    opt->threshold.objective = HC_THRESHOLD_RECALL;
    opt->threshold.target = 0.7;
    /* The backtest's own defaults (hc_backtest.h): four-week test periods,
     * so that an 18-month history gives enough folds to conclude. */
    opt->step_days = HC_BACKTEST_DEFAULT_STEP_DAYS;
    opt->window_days = HC_BACKTEST_DEFAULT_WINDOW_DAYS;
    opt->segments = 1;
    opt->seed = HC_PREDICT_SEED_DEFAULT;
    opt->version = "unknown";
}

void hc_rpt_stage(const hc_report_options *opt, const char *what)
{
    if (opt->progress)
        opt->progress(opt->progress_ctx, what);
}

/* ---- 1. the config and the history ---- */

static hc_status load_inputs(const hc_report_options *opt, hc_report_result *res,
                             hc_error *err)
{
    if (!opt->snapshots_path || !opt->events_path || !opt->config_path || !opt->out_dir)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the report needs snapshots, events, a config and an "
                            "output directory");
    hc_outfile_protect_input(opt->config_path);
    hc_status st = hc_model_load(opt->config_path, &res->current, err);
    if (st != HC_OK)
        return st;
    hc_model *m = res->current;
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = opt->snapshots_path;
    ho.events_path = opt->events_path;
    ho.delimiter = opt->delimiter;
    ho.columns = opt->columns;
    ho.ignore_unknown_events = opt->ignore_unknown_events;
    /* The config names the role columns unless the options override them
     * (as cmd_fit.c does). */
    if (!ho.columns.account_id)
        ho.columns.account_id = m->columns.account_id;
    if (!ho.columns.snapshot_date)
        ho.columns.snapshot_date = m->columns.snapshot_date;
    if (!ho.columns.segment)
        ho.columns.segment = m->columns.segment;
    if (!ho.columns.arr)
        ho.columns.arr = m->columns.arr;
    ho.labels.horizon = opt->horizon_days > 0 ? opt->horizon_days : m->horizon_days;
    ho.labels.lead = opt->lead_days >= 0 ? opt->lead_days : m->lead_days;
    ho.labels.as_of = opt->as_of;
    /* User rows stay in memory for user-level health (hc_user_health.h). */
    ho.columns.keep_user_rows = m->rollup != NULL;
    if ((st = hc_model_history_load(&m, 1, &ho, &res->history, err)) != HC_OK)
        return st;
    /* The tuned config must name the columns the history was read with,
     * so that predict (and the production scorer) find them. */
    return hc_model_set_columns(m, ho.columns.account_id, ho.columns.snapshot_date,
                                ho.columns.segment, ho.columns.arr, err);
}

/* ---- the computation (steps 1-7) ---- */

static hc_status compute(const hc_report_options *opt, hc_report_result *res,
                         hc_error *err)
{
    hc_status st;
    hc_rpt_stage(opt, "loading the history");
    if ((st = load_inputs(opt, res, err)) != HC_OK)
        return st;
    const hc_history *h = &res->history;

    hc_rpt_stage(opt, "validating the current config");
    /* Clustered by the account id: an account's weekly snapshots are
     * correlated, and rows-independent intervals under-cover. */
    hc_validate_model_options vo;
    hc_validate_model_options_init(&vo);
    if ((st = hc_validate_model_opts(res->current, h, NULL, 0, &vo, &res->validate,
                                     &res->validate_rows, err)) != HC_OK)
        return st;

    hc_rpt_stage(opt, "fitting the tuned config");
    hc_fit_options fo;
    hc_fit_options_init(&fo);
    fo.ridge = opt->ridge;
    fo.segments = opt->segments && h->snapshots.segment_col >= 0;
    fo.segment_min_churned = opt->segment_min_churned;
    if ((st = hc_fit_model(res->current, h, NULL, 0, &fo, &res->fit, err)) != HC_OK)
        return st;
    res->fit.tuned->horizon_days = h->labels.horizon;
    res->fit.tuned->lead_days = h->labels.lead;
    if ((st = hc_fit_annotate(&res->fit, h, opt->snapshots_path, opt->events_path,
                              opt->version, err)) != HC_OK)
        return st;
    hc_rpt_stage(opt, "backtesting current and tuned");
    hc_backtest_options bo;
    hc_backtest_options_init(&bo);
    bo.step_days = opt->step_days;
    bo.window_days = opt->window_days;
    bo.tuned = 1;
    bo.fit.ridge = opt->ridge;
    bo.fit.segments = fo.segments;
    bo.fit.segment_min_churned = fo.segment_min_churned;
    bo.use_objective = 1;
    bo.threshold = opt->threshold;
    const hc_model *configs[1] = {res->current};
    const char *names[1] = {"current"};
    hc_error berr;
    hc_error_clear(&berr);
    st = hc_backtest_run(h, configs, names, 1, &bo, &res->backtest, &berr);
    if (st == HC_OK) {
        res->has_backtest = 1;
    } else {
        hc_backtest_result_release(&res->backtest);
        memset(&res->backtest, 0, sizeof res->backtest);
        if (st != HC_ENUMERIC) {
            *err = berr;
            return st;
        }
        /* Too short a history for one fold, or no usable fold: the rest
         * of the report still stands, and says so. */
        snprintf(res->backtest_note, sizeof res->backtest_note, "%s", berr.message);
    }

    if ((st = hc_rpt_decide(res, err)) != HC_OK)
        return st;

    hc_rpt_stage(opt, "choosing thresholds");
    if ((st = hc_rpt_recommend_thresholds(res, err)) != HC_OK)
        return st;

    hc_rpt_stage(opt, "scoring today's accounts");
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = res->scoring;
    po.snapshots = &h->snapshots;
    po.as_of = opt->as_of;
    po.seed = opt->seed;
    /* Accounts that have already churned are left out of predictions.csv
     * and of the book (hc_rpt_build_book), so both count the same rows. */
    po.events = h->has_events ? &h->events : NULL;
    /* The range the report shows is the book's (hc_rpt_build_book). */
    po.risk_draws = 0;
    if ((st = hc_predict_run(&po, &res->predict, err)) != HC_OK) {
        memset(&res->predict, 0, sizeof res->predict);
        return st;
    }
    if ((st = hc_rpt_build_book(res, err)) != HC_OK)
        return st;

    if (opt->has_previous) {
        hc_rpt_stage(opt, "measuring drift");
        hc_drift_options d;
        hc_drift_options_init(&d);
        d.model = res->scoring;
        d.snapshots = &h->snapshots;
        d.labels = &h->labels;
        d.baseline = opt->previous;
        if (opt->previous.to >= h->snapshots.last_date) {
            char a[11], b[11];
            hc_date_format(opt->previous.to, a);
            hc_date_format(h->snapshots.last_date, b);
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "--previous: the previous period ends %s, not before the "
                                "latest snapshot date %s, so there is no current period "
                                "to compare with it", a, b);
        }
        d.current.from = opt->previous.to + 1;
        d.current.to = h->snapshots.last_date;
        if ((st = hc_drift_run(&d, &res->drift, err)) != HC_OK) {
            memset(&res->drift, 0, sizeof res->drift);
            return st;
        }
        res->has_drift = 1;
    }
    if ((st = hc_rpt_build_segments(res, err)) != HC_OK)
        return st;
    hc_rpt_stage(opt, "lead times, trend and the call list");
    return hc_rpt_glance(res, err);
}

hc_status hc_report_run(const hc_report_options *opt, hc_report_result *res,
                        hc_error *err)
{
    memset(res, 0, sizeof *res);
    res->opt = *opt;
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(res->generated, sizeof res->generated, "%Y-%m-%d %H:%M UTC", &tm);
    hc_status st = compute(opt, res, err);
    if (st == HC_OK)
        st = hc_rpt_build_document(res, err);
    if (st != HC_OK)
        return st;
    return hc_rpt_write_files(res, err);
}

void hc_report_result_release(hc_report_result *res)
{
    if (!res)
        return;
    if (res->has_backtest)
        hc_backtest_result_release(&res->backtest);
    if (res->has_own_thresholds)
        hc_threshold_result_release(&res->own_thresholds);
    hc_predict_result_release(&res->predict);
    if (res->has_drift)
        hc_drift_result_release(&res->drift);
    if (res->fit.tuned)
        hc_fit_result_release(&res->fit);
    hc_validate_result_release(&res->validate);
    if (res->history.snapshots.table)
        hc_history_release(&res->history);
    hc_model_free(res->current);
    hc_model_free(res->kept);
    for (size_t i = 0; i < res->n_segments; i++)
        free(res->segments[i].name);
    free(res->segments);
    free(res->in_book);
    free(res->band_accounts);
    free(res->band_arr);
    free(res->band_expected_arr);
    hc_rpt_glance_release(res);
    hc_rpt_document_release(&res->doc);
    memset(res, 0, sizeof *res);
}

