/* report.c - the quarterly report workflow: one history, validate, fit, backtest, thresholds, predict, drift, files and plots. */
#include "hc_report.h"
#include "hc_coef_table.h"
#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_date.h"
#include "hc_outfile.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void hc_report_options_init(hc_report_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->lead_days = -1;
    opt->as_of = HC_DATE_MISSING;
    hc_threshold_options_init(&opt->threshold);
    opt->threshold.objective = HC_THRESHOLD_RECALL;
    opt->threshold.target = 0.7;
    opt->step_days = 90;
    opt->window_days = 365;
    opt->segments = 1;
    opt->plot_formats = HC_PLOT_SVG | HC_PLOT_PNG;
    opt->version = "unknown";
}

static void stage(const hc_report_options *opt, const char *what)
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
    hc_colspec *specs;
    size_t n_specs;
    if ((st = hc_model_required_columns(m, &specs, &n_specs, err)) != HC_OK)
        return st;
    const char **metrics = malloc((n_specs ? n_specs : 1) * sizeof *metrics);
    if (!metrics) {
        free(specs);
        return hc_error_nomem(err);
    }
    /* The first four specs are the role columns (hc_model.h). */
    size_t nm = 0;
    for (size_t i = 4; i < n_specs; i++)
        metrics[nm++] = specs[i].name;
    ho.metrics = metrics;
    ho.n_metrics = nm;
    st = hc_history_load(&ho, &res->history, err);
    free(metrics);
    free(specs);
    if (st != HC_OK) {
        memset(&res->history, 0, sizeof res->history);
        return st;
    }
    /* The tuned config must name the columns the history was read with,
     * so that predict (and the production scorer) find them. */
    return hc_model_set_columns(m, ho.columns.account_id, ho.columns.snapshot_date,
                                ho.columns.segment, ho.columns.arr, err);
}

/* ---- 5. thresholds ---- */

/* The final model's health and outcomes on every observation it scores. */
static hc_status in_sample_thresholds(hc_report_result *res, size_t n_bands,
                                      hc_error *err)
{
    const hc_history *h = &res->history;
    const hc_table *t = h->snapshots.table;
    const hc_model *m = res->fit.tuned;
    size_t n = h->labels.observations, cap = n ? n : 1;
    size_t *rows = malloc(cap * sizeof *rows);
    double *H = malloc(cap * sizeof *H), *y = malloc(cap * sizeof *y);
    double *arr = malloc(cap * sizeof *arr);
    hc_status st = HC_OK;
    if (!rows || !H || !y || !arr) {
        st = hc_error_nomem(err);
        goto done;
    }
    n = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION)
            rows[n++] = r;
    hc_score_out out = {.health = H};
    if ((st = hc_model_score_rows(m, t, rows, 0, n, 1, &out, err)) != HC_OK)
        goto done;
    size_t k = 0;
    int arr_col = h->snapshots.arr_col;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(H[i]))
            continue;
        double a = arr_col >= 0 ? t->cols[arr_col].num[rows[i]] : 0.0;
        H[k] = H[i];
        y[k] = h->labels.churn[rows[i]];
        arr[k] = isfinite(a) && a >= 0 ? a : 0.0;
        k++;
    }
    hc_threshold_options to = res->opt.threshold;
    to.n_bands = n_bands;
    st = hc_thresholds_search(H, y, arr, k, &to, &res->own_thresholds, err);
    if (st == HC_OK)
        res->has_own_thresholds = 1;
done:
    free(rows);
    free(H);
    free(y);
    free(arr);
    return st;
}

static hc_status recommend_thresholds(hc_report_result *res, hc_error *err)
{
    hc_model *m = res->fit.tuned;
    size_t nb = m->n_bands;
    res->cuts_source = HC_REPORT_CUTS_KEPT;
    res->thresholds = NULL;
    if (nb < 2 || nb > HC_THRESHOLDS_MAX_BANDS) {
        snprintf(res->thresholds_note, sizeof res->thresholds_note,
                 "the config has %zu band%s; cut points are searched for 2 to %d bands",
                 nb, nb == 1 ? "" : "s", HC_THRESHOLDS_MAX_BANDS);
        return HC_OK;
    }
    if (res->has_backtest && res->backtest.has_sweep && res->backtest.sweep.n_bands == nb) {
        res->thresholds = &res->backtest.sweep;
        res->cuts_source = HC_REPORT_CUTS_BACKTEST;
    } else {
        hc_error terr;
        hc_error_clear(&terr);
        hc_status st = in_sample_thresholds(res, nb, &terr);
        if (st == HC_ENOMEM)
            return hc_error_nomem(err);
        if (st != HC_OK) {
            snprintf(res->thresholds_note, sizeof res->thresholds_note, "%s", terr.message);
            return HC_OK;
        }
        res->thresholds = &res->own_thresholds;
        res->cuts_source = HC_REPORT_CUTS_IN_SAMPLE;
        snprintf(res->thresholds_note, sizeof res->thresholds_note, "%s",
                 res->has_backtest ? res->backtest.sweep_note : res->backtest_note);
    }
    /* hc_model_set_bands copies its inputs, but the names are the model's
     * own: copy them first so that replacing the bands cannot free them. */
    char *names[HC_THRESHOLDS_MAX_BANDS];
    double mins[HC_THRESHOLDS_MAX_BANDS];
    size_t copied = 0;
    hc_status st = HC_OK;
    for (; copied < nb; copied++) {
        names[copied] = strdup(m->bands[copied].name);
        if (!names[copied]) {
            st = hc_error_nomem(err);
            break;
        }
        mins[copied] = copied == 0 ? 0.0 : res->thresholds->cuts[copied - 1];
    }
    if (st == HC_OK)
        st = hc_model_set_bands(m, nb, (const char *const *)names, mins, err);
    for (size_t i = 0; i < copied; i++)
        free(names[i]);
    return st;
}

/* ---- today's book ---- */

static hc_status build_book(hc_report_result *res, hc_error *err)
{
    const hc_predict_result *p = &res->predict;
    const hc_events *e = &res->history.events;
    size_t nb = res->fit.tuned->n_bands, cap = nb ? nb : 1;
    res->in_book = calloc(p->n ? p->n : 1, 1);
    res->band_accounts = calloc(cap, sizeof *res->band_accounts);
    res->band_arr = calloc(cap, sizeof *res->band_arr);
    res->band_expected_arr = calloc(cap, sizeof *res->band_expected_arr);
    if (!res->in_book || !res->band_accounts || !res->band_arr || !res->band_expected_arr)
        return hc_error_nomem(err);
    for (size_t i = 0; i < p->n; i++) {
        const hc_prediction *r = &p->rows[i];
        double arr = isfinite(r->arr) ? r->arr : 0.0;
        int churned = 0;
        if (res->history.has_events && r->account >= 0 &&
            (size_t)r->account < e->n_accounts)
            for (uint32_t k = e->account_start[r->account];
                 k < e->account_start[r->account + 1]; k++)
                if (e->type[k] == HC_EVENT_CHURN && e->date[k] <= p->as_of)
                    churned = 1;
        if (churned) {
            res->churned_accounts++;
            res->churned_arr += arr;
            continue;
        }
        res->in_book[i] = 1;
        res->book_accounts++;
        res->book_arr += arr;
        if (r->date < p->recent_cutoff) {
            res->book_stale++;
            res->book_stale_arr += arr;
        }
        if (r->band < 0 || (size_t)r->band >= nb) {
            res->book_unscored++;
            res->book_unscored_arr += arr;
            continue;
        }
        res->band_accounts[r->band]++;
        res->band_arr[r->band] += arr;
        if (isfinite(r->p_churn)) {
            res->book_expected_churners += r->p_churn;
            res->band_expected_arr[r->band] += r->p_churn * arr;
            res->book_expected_arr += r->p_churn * arr;
        }
    }
    return HC_OK;
}

/* ---- segments ---- */

/* Largest segments first (accounts in the book, then labelled snapshots),
 * then by name; among equals, rows without a segment come last. */
static int segment_cmp(const void *a, const void *b)
{
    const hc_report_segment *x = a, *y = b;
    if (x->accounts != y->accounts)
        return x->accounts > y->accounts ? -1 : 1;
    if (x->observations != y->observations)
        return x->observations > y->observations ? -1 : 1;
    if (!x->name || !y->name)
        return !x->name - !y->name;
    return strcmp(x->name, y->name);
}

static hc_status build_segments(hc_report_result *res, hc_error *err)
{
    const hc_history *h = &res->history;
    const hc_snapshots *s = &h->snapshots;
    if (s->segment_col < 0)
        return HC_OK;
    const hc_table *t = s->table;
    const hc_column *col = &t->cols[s->segment_col];
    size_t k = hc_strpool_count(col->pool), ng = k + 1; /* group 0: no segment */
    hc_report_segment *g = calloc(ng, sizeof *g);
    size_t *start = calloc(ng + 1, sizeof *start);
    size_t np = res->has_backtest ? res->backtest.n_pooled : 0;
    size_t *order = malloc((np ? np : 1) * sizeof *order);
    double *y = malloc((np ? np : 1) * sizeof *y), *p = malloc((np ? np : 1) * sizeof *p);
    hc_status st = HC_OK;
    if (!g || !start || !order || !y || !p) {
        st = hc_error_nomem(err);
        goto fail;
    }
#define GROUP(row) ((size_t)(col->code[(row)] + 1))
    for (size_t r = 0; r < t->n_rows; r++) {
        if (h->labels.status[r] != HC_ROW_OBSERVATION)
            continue;
        g[GROUP(r)].observations++;
        g[GROUP(r)].churners += h->labels.churn[r];
    }
    for (size_t i = 0; i < res->predict.n; i++) {
        const hc_prediction *pr = &res->predict.rows[i];
        if (!res->in_book[i])
            continue;
        hc_report_segment *sg = &g[GROUP(pr->row)];
        sg->accounts++;
        if (isfinite(pr->arr))
            sg->arr += pr->arr;
        if (isfinite(pr->at_risk))
            sg->expected_churned_arr += pr->at_risk;
    }
    /* The backtest's pooled rows, bucketed by segment (counting sort). */
    const hc_backtest_result *b = &res->backtest;
    for (size_t i = 0; i < np; i++)
        start[GROUP(b->pooled_row[i]) + 1]++;
    for (size_t j = 0; j < ng; j++)
        start[j + 1] += start[j];
    {
        size_t *fill = calloc(ng, sizeof *fill);
        if (!fill) {
            st = hc_error_nomem(err);
            goto fail;
        }
        for (size_t i = 0; i < np; i++) {
            size_t j = GROUP(b->pooled_row[i]);
            order[start[j] + fill[j]++] = i;
        }
        free(fill);
    }
    size_t kept = 0;
    for (size_t j = 0; j < ng; j++) {
        hc_report_segment *sg = &g[j];
        if (!sg->observations && !sg->accounts)
            continue;
        sg->fit_index = -1;
        if (j > 0) {
            sg->name = strdup(hc_strpool_get(col->pool, (int32_t)(j - 1)));
            if (!sg->name) {
                st = hc_error_nomem(err);
                goto fail;
            }
            for (size_t f = 0; f < res->fit.n_segments; f++)
                if (strcmp(res->fit.segments[f].name, sg->name) == 0)
                    sg->fit_index = (int)f;
        }
        sg->small = sg->churners < HC_REPORT_SMALL_SEGMENT_EVENTS;
        size_t n = start[j + 1] - start[j];
        sg->test_rows = n;
        for (size_t i = 0; i < n; i++) {
            y[i] = b->pooled_y[order[start[j] + i]];
            sg->test_churners += y[i] == 1.0;
        }
        for (size_t c = 0; c < 2 && c < (res->has_backtest ? b->n_configs : 0); c++) {
            for (size_t i = 0; i < n; i++)
                p[i] = b->configs[c].p[order[start[j] + i]];
            hc_error aerr;
            hc_error_clear(&aerr);
            /* An AUC from a handful of churn snapshots (often one or two
             * accounts) says little, and its DeLong interval, which treats
             * snapshots as independent, would look precise: below the
             * small-segment count there is no AUC, not an error. */
            if (sg->test_churners >= HC_REPORT_SMALL_SEGMENT_EVENTS &&
                n - sg->test_churners >= 2 &&
                hc_metrics_delong_ci(y, p, n, 0.95, &sg->auc[c], &aerr) == HC_OK)
                sg->has_auc[c] = 1;
        }
        if (kept != j) {
            g[kept] = *sg;
            memset(sg, 0, sizeof *sg);
        }
        kept++;
    }
#undef GROUP
    qsort(g, kept, sizeof *g, segment_cmp);
    res->segments = g;
    res->n_segments = kept;
    free(start);
    free(order);
    free(y);
    free(p);
    return HC_OK;
fail:
    if (g)
        for (size_t j = 0; j < ng; j++)
            free(g[j].name);
    free(g);
    free(start);
    free(order);
    free(y);
    free(p);
    return st;
}

/* ---- the computation (steps 1-7) ---- */

static hc_status compute(const hc_report_options *opt, hc_report_result *res,
                         hc_error *err)
{
    hc_status st;
    stage(opt, "loading the history");
    if ((st = load_inputs(opt, res, err)) != HC_OK)
        return st;
    const hc_history *h = &res->history;

    stage(opt, "validating the current config");
    if ((st = hc_validate_model(res->current, h, NULL, 0, &res->validate,
                                &res->validate_rows, err)) != HC_OK)
        return st;

    stage(opt, "fitting the tuned config");
    hc_fit_options fo;
    hc_fit_options_init(&fo);
    fo.ridge = opt->ridge;
    fo.segments = opt->segments && h->snapshots.segment_col >= 0;
    if ((st = hc_fit_model(res->current, h, NULL, 0, &fo, &res->fit, err)) != HC_OK)
        return st;
    res->fit.tuned->horizon_days = h->labels.horizon;
    res->fit.tuned->lead_days = h->labels.lead;
    if ((st = hc_fit_annotate(&res->fit, h, opt->snapshots_path, opt->events_path,
                              opt->version, err)) != HC_OK)
        return st;
    {
        char name[600], day[11];
        hc_date_format(h->labels.as_of, day);
        /* A very long name is left out rather than cut inside a UTF-8
         * sequence (which would make the JSON string invalid). */
        const char *cur = res->current->name;
        if (cur && strlen(cur) <= 200)
            snprintf(name, sizeof name, "tuned from \"%s\" by healthcal report (data to %s)",
                     cur, day);
        else
            snprintf(name, sizeof name, "tuned by healthcal report (data to %s)", day);
        if ((st = hc_model_set_name(res->fit.tuned, name, err)) != HC_OK)
            return st;
    }

    stage(opt, "backtesting current and tuned");
    hc_backtest_options bo;
    hc_backtest_options_init(&bo);
    bo.step_days = opt->step_days;
    bo.window_days = opt->window_days;
    bo.tuned = 1;
    bo.fit.ridge = opt->ridge;
    bo.fit.segments = fo.segments;
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

    stage(opt, "choosing thresholds");
    if ((st = recommend_thresholds(res, err)) != HC_OK)
        return st;

    stage(opt, "scoring today's accounts");
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = res->fit.tuned;
    po.snapshots = &h->snapshots;
    po.as_of = opt->as_of;
    if ((st = hc_predict_run(&po, &res->predict, err)) != HC_OK) {
        memset(&res->predict, 0, sizeof res->predict);
        return st;
    }
    if ((st = build_book(res, err)) != HC_OK)
        return st;

    if (opt->has_previous) {
        stage(opt, "measuring drift");
        hc_drift_options d;
        hc_drift_options_init(&d);
        d.model = res->fit.tuned;
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
    return build_segments(res, err);
}

/* ---- writing ---- */

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
 * (accounts not yet churned) under the tuned config's recommended bands. */
static void w_band_arr(FILE *f, const hc_report_result *res)
{
    const hc_model *m = res->fit.tuned;
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

/* coefficients.csv: the churn model's coefficient table (hc_coef_table.h). */
static hc_status write_coefficients(const char *dir, const hc_report_result *res,
                                    hc_error *err)
{
    const hc_fit_result *r = &res->fit;
    const char **names = malloc((r->n_kept ? r->n_kept : 1) * sizeof *names);
    if (!names)
        return hc_error_nomem(err);
    for (size_t j = 0; j < r->n_kept; j++)
        names[j] = r->tuned->components[r->kept[j]].name;
    char path[4096];
    hc_outfile *of;
    hc_status st = join(path, sizeof path, dir, "coefficients.csv", err);
    if (st == HC_OK && (st = hc_outfile_open(path, &of, err)) == HC_OK) {
        hc_coef_table_write_csv(hc_outfile_stream(of), &r->churn, names);
        st = hc_outfile_commit(of, err);
    }
    free(names);
    return st;
}

/* segments.csv: one row per segment value (empty name: rows without one). */
static void w_segments(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    fputs("segment,accounts,arr,expected_churned_arr,observations,churners,churn_rate,"
          "test_rows,test_churners,auc_current,auc_current_ci_low,auc_current_ci_high,"
          "auc_tuned,auc_tuned_ci_low,auc_tuned_ci_high,credibility,own_fit,calibrated,"
          "intercept,slope,small",
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
        fprintf(f, ",%zu", s->accounts);
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
        for (size_t c = 0; c < r->n_components; c++)
            num(f, fs && fs->weights ? fs->weights[c] : NAN);
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

static void w_markdown(FILE *f, const hc_report_result *res)
{
    hc_report_write_markdown(f, res);
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

/* Every file a report may write in data/ and every plot image: removed
 * before writing, so that nothing of an earlier run survives beside the
 * new one (a stale drift.json or a plot of old data). */
static const char *const data_files[] = {
    "folds.csv", "bands_over_time.csv", "thresholds.csv", "cutpoints.csv",
    "summary.json", "reliability.csv", "prediction_hist.csv", "roc.csv", "pr.csv",
    "gains.csv", "score_distribution.csv", "weights.csv", "band_arr.csv",
    "coefficients.csv", "segments.csv", "reconciliation.csv", "validate.json",
    "drift.json"};
static const char *const plot_names[] = {
    "reliability", "roc", "pr", "gains", "bands_over_time", "band_arr",
    "score_distribution", "weights", "thresholds", "folds"};

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
        (st = write_coefficients(data, res, err)) != HC_OK ||
        (st = write_file(data, "segments.csv", w_segments, res, err)) != HC_OK ||
        (st = write_file(data, "reconciliation.csv", w_reconciliation, res, err)) != HC_OK)
        return st;
    hc_validate_source src = {.kind = "config",
                              .file = res->opt.snapshots_path,
                              .config = res->opt.config_path,
                              .rows_read = res->validate_rows.observations,
                              .rows_dropped = res->validate_rows.missing_health};
    char path[4096];
    if ((st = join(path, sizeof path, data, "validate.json", err)) != HC_OK ||
        (st = hc_validate_write_json(&res->validate, &src, path, err)) != HC_OK)
        return st;
    if (res->has_drift &&
        (st = write_json(data, "drift.json", hc_drift_to_json(&res->drift), err)) != HC_OK)
        return st;
    return HC_OK;
}

static hc_status draw_plots(hc_report_result *res, const char *data, const char *plots,
                            hc_error *err)
{
    const hc_report_options *opt = &res->opt;
    char prog[4096];
    hc_error gerr;
    hc_error_clear(&gerr);
    res->plots_available = hc_gnuplot_find(&opt->gnuplot, prog, sizeof prog, &gerr) == HC_OK;
    if (!res->plots_available) {
        snprintf(res->plots_why, sizeof res->plots_why, "%s", gerr.message);
        return HC_OK;
    }
    hc_status st = hc_plot_all(data, plots, opt->plot_formats ? opt->plot_formats
                                                              : HC_PLOT_SVG | HC_PLOT_PNG,
                               &opt->gnuplot, &res->plots, &gerr);
    if (st == HC_ENOMEM)
        return hc_error_nomem(err);
    if (st != HC_OK)
        snprintf(res->plots_why, sizeof res->plots_why, "%s", gerr.message);
    return HC_OK;
}

static hc_status write_report(hc_report_result *res, hc_error *err)
{
    const char *out = res->opt.out_dir;
    char data[4096], plots[4096];
    hc_status st;
    if ((st = hc_mkdir_p(out, err)) != HC_OK)
        return st;
    /* Withdraw the earlier run's pages first: from here on a failure
     * leaves no index.html claiming a complete report. */
    if ((st = remove_file(out, "index.html", err)) != HC_OK ||
        (st = remove_file(out, "summary.md", err)) != HC_OK ||
        (st = join(data, sizeof data, out, "data", err)) != HC_OK ||
        (st = join(plots, sizeof plots, out, "plots", err)) != HC_OK ||
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
    stage(&res->opt, "writing data");
    if ((st = write_data(res, data, err)) != HC_OK)
        return st;
    char path[4096];
    if ((st = join(path, sizeof path, out, "tuned.json", err)) != HC_OK ||
        (st = hc_model_save(res->fit.tuned, path, err)) != HC_OK ||
        (st = write_file(out, "predictions.csv", w_predictions, res, err)) != HC_OK)
        return st;
    stage(&res->opt, "drawing plots");
    if ((st = draw_plots(res, data, plots, err)) != HC_OK)
        return st;
    stage(&res->opt, "writing the report");
    if ((st = write_file(out, "summary.md", w_markdown, res, err)) != HC_OK ||
        (st = join(path, sizeof path, out, "index.html", err)) != HC_OK)
        return st;
    hc_outfile *of;
    if ((st = hc_outfile_open(path, &of, err)) != HC_OK)
        return st;
    hc_report_write_html(hc_outfile_stream(of), res, plots);
    return hc_outfile_commit(of, err);
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
    if (st != HC_OK)
        return st;
    return write_report(res, err);
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
    for (size_t i = 0; i < res->n_segments; i++)
        free(res->segments[i].name);
    free(res->segments);
    free(res->in_book);
    free(res->band_accounts);
    free(res->band_arr);
    free(res->band_expected_arr);
    memset(res, 0, sizeof *res);
}

/* ---- the words shared by index.html and summary.md ---- */

void hc_report_format_money(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    if (strcmp(digits, "0") == 0)
        v = 0; /* no "-0" */
    size_t n = strlen(digits), o = 0;
    char tmp[96];
    if (v < 0)
        tmp[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(buf, size, "%s", tmp);
}

void hc_report_format_band_range(const hc_model *m, size_t i, char *buf, size_t size)
{
    if (m->n_bands <= 1)
        snprintf(buf, size, "0 to 100");
    else if (i == 0)
        snprintf(buf, size, "below %g", m->bands[1].min);
    else if (i + 1 == m->n_bands)
        snprintf(buf, size, "%g and above", m->bands[i].min);
    else
        snprintf(buf, size, "%g to %g", m->bands[i].min, m->bands[i + 1].min);
}

void hc_report_paragraphs_free(hc_report_paragraph *para, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(para[i].text);
        para[i].text = NULL;
    }
}

/* A paragraph being written: a memory stream. */
typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} para_buf;

static FILE *para_open(para_buf *p)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    return p->f;
}

/* Closes the stream and appends the paragraph when there is room. */
static void para_close(para_buf *p, const char *title, hc_report_paragraph *out,
                       size_t max, size_t *n)
{
    if (!p->f)
        return;
    int bad = fclose(p->f) != 0;
    if (bad || *n >= max) {
        free(p->buf);
        return;
    }
    out[*n].title = title;
    out[*n].text = p->buf;
    (*n)++;
}

static const char *config_name(const hc_model *m)
{
    return m->name ? m->name : m->source;
}

static void objective_words(FILE *f, const hc_report_result *res)
{
    const hc_threshold_options *t = &res->opt.threshold;
    const char *red = res->fit.tuned->bands[0].name;
    int H = res->history.labels.horizon;
    switch (t->objective) {
    case HC_THRESHOLD_RECALL:
        fprintf(f, "the '%s' band should catch at least %.0f%% of the accounts that "
                   "churn within %d days", red, 100 * t->target, H);
        break;
    case HC_THRESHOLD_ARR_RECALL:
        fprintf(f, "the '%s' band should hold at least %.0f%% of the ARR that churns "
                   "within %d days", red, 100 * t->target, H);
        break;
    case HC_THRESHOLD_PRECISION:
        fprintf(f, "at least %.0f%% of the '%s' band's accounts should churn within "
                   "%d days (the largest such band)", 100 * t->target, red, H);
        break;
    case HC_THRESHOLD_VALUE:
        fprintf(f, "the largest expected value of intervening on the '%s' band, at a "
                   "cost of %g per account and saving %.0f%% of a churner's ARR",
                red, t->cost, 100 * t->save_rate);
        break;
    }
}

/* Folds whose cut points, chosen on training rows, reached the target on
 * the following test period (primary config), and folds used. */
static void fold_objective(const hc_report_result *res, size_t *met, size_t *used,
                           double *lo, double *hi)
{
    const hc_backtest_result *b = &res->backtest;
    const hc_threshold_options *t = &res->opt.threshold;
    *met = *used = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    if (!res->has_backtest)
        return;
    for (size_t f = 0; f < b->plan.n_folds; f++) {
        if (!b->folds[f].used)
            continue;
        double v = b->folds[f].cells[b->primary].objective_test;
        if (!isfinite(v))
            continue;
        (*used)++;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
        if (t->objective == HC_THRESHOLD_VALUE ? v > 0 : v >= t->target)
            (*met)++;
    }
}

static void summary_current(FILE *f, const hc_report_result *res)
{
    const hc_validate_result *v = &res->validate;
    const hc_labels *l = &res->history.labels;
    fprintf(f, "The current config '%s' %s", config_name(res->current),
            v->discrimination_text);
    fprintf(f, " (Over %zu labelled snapshots of %zu accounts, %zu of them followed by "
               "a churn within %d days.)",
            res->validate_rows.used, res->history.snapshots.n_accounts,
            v->summary.positives,
            l->horizon);
    if (res->validate_rows.churn_model_used) {
        fprintf(f, " Its own churn probabilities are %s", v->calibration_text);
    } else if (res->has_backtest && res->backtest.configs[0].has_pooled) {
        fprintf(f, " It has no churn model, so it ranks accounts but gives no "
                   "probabilities; turned into probabilities by a logistic fit on each "
                   "backtest training fold, out of time it is %s",
                res->backtest.configs[0].pooled.calibration_text);
    } else {
        fputs(" It has no churn model, so it ranks accounts but gives no probabilities, "
              "and its calibration cannot be judged.", f);
    }
}

static void summary_gain(FILE *f, const hc_report_result *res)
{
    const hc_backtest_result *b = &res->backtest;
    if (!res->has_backtest) {
        fprintf(f, "There is no out-of-time comparison: %s. The tuned model's in-sample "
                   "ROC AUC is %.3f, which overstates what it will do on new data.",
                res->backtest_note, res->fit.in_sample_auc);
        return;
    }
    char a[11], z[11];
    hc_date_format(b->plan.folds[0].test_start, a);
    hc_date_format(b->plan.folds[b->plan.n_folds - 1].test_end, z);
    size_t pos = 0;
    for (size_t i = 0; i < b->n_pooled; i++)
        pos += b->pooled_y[i] == 1.0;
    fprintf(f, "In a walk-forward backtest (%zu of %zu folds used, test periods %s to %s, "
               "%zu test snapshots, %zu of them followed by a churn; every fold trains only on snapshots "
               "whose outcome was known %d days before its test period), ",
            b->folds_used, b->plan.n_folds, a, z, b->n_pooled, pos,
            b->plan.horizon + b->plan.lead);
    if (b->n_comparisons == 0 || !b->comparisons[0].ok) {
        fprintf(f, "the two configs could not be compared: %s.",
                b->n_comparisons ? b->comparisons[0].note : "no tuned model");
        return;
    }
    const hc_metrics_auc_diff *d = &b->comparisons[0].diff;
    int sig = d->ci_low > 0 || d->ci_high < 0;
    fprintf(f, "the tuned weights reached a ROC AUC of %.3f against %.3f for the current "
               "config: a difference of %+.3f (95%% CI %+.3f to %+.3f, DeLong's paired "
               "test, p = %.2g). ",
            d->auc1, d->auc2, d->diff, d->ci_low, d->ci_high, d->p_value);
    if (!sig)
        fputs("That is no significant difference: on data they were not fitted on, the "
              "tuned weights do not rank churners measurably better than the current ones.",
              f);
    else if (d->diff > 0)
        fputs("The tuned weights rank churners significantly better out of time.", f);
    else
        fputs("The tuned weights rank churners significantly worse out of time: keep the "
              "current weights and look at the caveats.", f);
}

static void summary_weights(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    fputs("Tuned weights, from the churn model fitted on every labelled snapshot "
          "(current → tuned, 95% interval): ", f);
    for (size_t c = 0; c < r->n_components; c++) {
        fprintf(f, "%s%s %.2f → %.2f", c ? "; " : "", r->tuned->components[c].name,
                r->old_weight[c], r->new_weight[c]);
        if (r->dropped[c])
            fputs(" (dropped: its coefficient had the unhealthy sign)", f);
        else
            fprintf(f, " (%.2f to %.2f)", r->weight_ci_low[c], r->weight_ci_high[c]);
    }
    const hc_model *m = r->tuned;
    if (m->churn.present)
        fprintf(f, ". Calibrated as P(churn within %d days) = 1 / (1 + exp(-(%.4g %c %.4g × "
                   "H))) on the health score H.",
                m->horizon_days, m->churn.intercept, m->churn.slope < 0 ? '-' : '+',
                fabs(m->churn.slope));
    else
        fputc('.', f);
}

static void summary_thresholds(FILE *f, const hc_report_result *res)
{
    const hc_model *m = res->fit.tuned;
    if (res->cuts_source == HC_REPORT_CUTS_KEPT) {
        fprintf(f, "No cut points were recommended (%s); the tuned config keeps the "
                   "current bands: ", res->thresholds_note);
    } else {
        fputs("Recommended bands on the tuned health score (0-100): ", f);
    }
    for (size_t b = 0; b < m->n_bands; b++) {
        char range[64];
        hc_report_format_band_range(m, b, range, sizeof range);
        fprintf(f, "%s'%s' %s", b ? "; " : "", m->bands[b].name, range);
    }
    fputs(".", f);
    if (!res->thresholds)
        return;
    fputs(" The objective: ", f);
    objective_words(f, res);
    fputs(". ", f);
    const hc_threshold_result *t = res->thresholds;
    const hc_threshold_point *pt = &t->sweep[t->red_point];
    if (res->cuts_source == HC_REPORT_CUTS_BACKTEST)
        fputs("On the tuned model's out-of-time backtest snapshots", f);
    else
        fprintf(f, "On the final model's in-sample health scores (there was no "
                   "out-of-time sweep: %s)", res->thresholds_note);
    fprintf(f, ", the '%s' band flags %.1f%% of snapshots and catches %.1f%% of churners "
               "(precision %.1f%%",
            m->bands[0].name, 100 * pt->share_flagged, 100 * pt->recall, 100 * pt->precision);
    if (t->churned_arr > 0)
        fprintf(f, ", %.1f%% of churned ARR", 100 * pt->arr_recall);
    fputs(").", f);
    if (!t->met)
        fprintf(f, " The target was not reached: %s.", t->message);
    size_t met, used;
    double lo, hi;
    fold_objective(res, &met, &used, &lo, &hi);
    if (used)
        fprintf(f, " Chosen the same way on each backtest fold's training snapshots, the "
                   "cut points reached the target on the following test period in %zu of "
                   "%zu folds (achieved %.3g to %.3g).",
                met, used, lo, hi);
}

static void summary_risk(FILE *f, const hc_report_result *res)
{
    const hc_predict_result *p = &res->predict;
    const hc_model *m = res->fit.tuned;
    char day[11], total[48], exp_arr[48];
    hc_date_format(p->as_of, day);
    hc_report_format_money(res->book_arr, total, sizeof total);
    hc_report_format_money(res->book_expected_arr, exp_arr, sizeof exp_arr);
    fprintf(f, "As of %s the book holds %zu accounts that have not churned, with a total "
               "ARR of %s. Scored with the tuned config, the expected churned ARR in the "
               "next %d days is %s",
            day, res->book_accounts, total, p->horizon_days, exp_arr);
    if (res->book_arr > 0)
        fprintf(f, " (%.1f%% of the book's ARR)", 100 * res->book_expected_arr / res->book_arr);
    fprintf(f, ", about %.1f accounts. By band: ", res->book_expected_churners);
    for (size_t b = 0; b < m->n_bands; b++) {
        char arr[48], e[48];
        hc_report_format_money(res->band_arr[b], arr, sizeof arr);
        hc_report_format_money(res->band_expected_arr[b], e, sizeof e);
        fprintf(f, "%s'%s' %zu accounts, ARR %s, expected churned ARR %s", b ? "; " : "",
                m->bands[b].name, res->band_accounts[b], arr, e);
    }
    fputc('.', f);
    if (res->book_stale) {
        char s[48];
        hc_report_format_money(res->book_stale_arr, s, sizeof s);
        fprintf(f, " %zu of these accounts (ARR %s) have no snapshot in the last %d days, "
                   "so their scores may be out of date.",
                res->book_stale, s, p->horizon_days);
    }
    if (res->book_unscored)
        fprintf(f, " %zu accounts have no component data and no score.", res->book_unscored);
    if (res->churned_accounts) {
        char c[48];
        hc_report_format_money(res->churned_arr, c, sizeof c);
        fprintf(f, " Not counted: %zu accounts that churned on or before %s (last ARR %s).",
                res->churned_accounts, day, c);
    }
}

static void summary_drift(FILE *f, const hc_report_result *res)
{
    const hc_drift_result *d = &res->drift;
    char a[11], b[11], c[11], e[11];
    hc_date_format(d->baseline.period.from, a);
    hc_date_format(d->baseline.period.to, b);
    hc_date_format(d->current.period.from, c);
    hc_date_format(d->current.period.to, e);
    const hc_drift_score *h = &d->scores[0];
    fprintf(f, "From the previous period (%s to %s) to the current one (%s to %s) the "
               "tuned score is %s: ", a, b, c, e, hc_drift_flag_name(d->verdict));
    if (isfinite(h->psi))
        fprintf(f, "the PSI of the health score is %.3f (%s)", h->psi,
                hc_drift_flag_name(h->flag));
    else
        fprintf(f, "the PSI of the health score cannot be computed (%s)", h->note);
    if (d->verdict_score > 0) {
        const hc_drift_score *s = &d->scores[d->verdict_score];
        fprintf(f, ", and component '%s' has the largest shift, PSI %.3f (%s)", s->name,
                s->psi, hc_drift_flag_name(s->flag));
    }
    fputc('.', f);
    if (d->has_labels && isfinite(d->baseline.churn_rate) && isfinite(d->current.churn_rate))
        fprintf(f, " The %d-day churn rate went from %.2f%% to %.2f%%.", d->horizon,
                100 * d->baseline.churn_rate, 100 * d->current.churn_rate);
    fputs(" (PSI below 0.1 is stable, 0.1 to 0.25 worth watching, 0.25 or more calls for "
          "recalibration: Siddiqi 2006.)", f);
}

size_t hc_report_summary(const hc_report_result *res, hc_report_paragraph *para,
                         size_t max)
{
    size_t n = 0;
    para_buf p;
    if (para_open(&p)) {
        summary_current(p.f, res);
        para_close(&p, "Does the current score predict churn?", para, max, &n);
    }
    if (para_open(&p)) {
        summary_gain(p.f, res);
        para_close(&p, "What do the tuned weights gain out of time?", para, max, &n);
    }
    if (para_open(&p)) {
        summary_weights(p.f, res);
        para_close(&p, "The weights", para, max, &n);
    }
    if (para_open(&p)) {
        summary_thresholds(p.f, res);
        para_close(&p, "Recommended thresholds", para, max, &n);
    }
    if (para_open(&p)) {
        summary_risk(p.f, res);
        para_close(&p, "Revenue at risk", para, max, &n);
    }
    if (res->has_drift && para_open(&p)) {
        summary_drift(p.f, res);
        para_close(&p, "Drift since the previous period", para, max, &n);
    }
    return n;
}

size_t hc_report_caveats(const hc_report_result *res, hc_report_paragraph *para,
                         size_t max)
{
    const hc_labels *l = &res->history.labels;
    const hc_fit_result *r = &res->fit;
    size_t n = 0;
    para_buf p;
    if (para_open(&p)) {
        fputs("The weights say which components went together with churn in this "
              "history, not that raising a component would prevent churn. An "
              "intervention that moves a score (more logins, a closed ticket) need not "
              "move the risk; only an experiment can tell.", p.f);
        para_close(&p, "Correlation is not causation", para, max, &n);
    }
    if (para_open(&p)) {
        char day[11];
        hc_date_format(l->as_of, day);
        fprintf(p.f, "The %zu snapshots whose %d-day window ends after %s have no known "
                     "outcome yet and were left out of fitting and evaluation (so were %zu "
                     "snapshots on or after an account's churn",
                l->censored, l->horizon, day, l->post_churn);
        if (l->lead)
            fprintf(p.f, " and %zu of accounts that churned within the %d-day lead",
                    l->lead_churn, l->lead);
        fputs("). The newest behaviour is therefore the least tested, and accounts that "
              "joined recently are judged on few snapshots.", p.f);
        para_close(&p, "Censoring", para, max, &n);
    }
    if (para_open(&p)) {
        fputs("Each account contributes many snapshots, which are not independent. The "
              "weight intervals use cluster-robust (by account) standard errors, but the "
              "DeLong intervals of the AUCs treat snapshots as independent and are "
              "therefore too narrow.", p.f);
        para_close(&p, "Repeated snapshots", para, max, &n);
    }
    if (para_open(&p)) {
        size_t small = 0;
        for (size_t i = 0; i < res->n_segments; i++)
            small += res->segments[i].small;
        if (res->history.snapshots.segment_col < 0) {
            fputs("The data has no segment column, so every account is scored with the "
                  "same weights.", p.f);
        } else if (!small) {
            fprintf(p.f, "Every segment has at least %d snapshots followed by a churn.",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
        } else {
            fprintf(p.f, "%zu segment%s %s fewer than %d snapshots followed by a churn (", small,
                    small == 1 ? "" : "s", small == 1 ? "has" : "have",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
            size_t k = 0;
            for (size_t i = 0; i < res->n_segments && k < 10; i++)
                if (res->segments[i].small)
                    fprintf(p.f, "%s'%s'", k++ ? ", " : "",
                            res->segments[i].name ? res->segments[i].name : "(none)");
            if (small > k)
                fprintf(p.f, " and %zu more", small - k);
            fputs("): their weights are shrunk toward the pooled fit by credibility "
                  "(Buhlmann), and their AUCs are uncertain or missing.", p.f);
        }
        para_close(&p, "Small segments", para, max, &n);
    }
    size_t dropped = 0;
    for (size_t c = 0; c < r->n_components; c++)
        dropped += r->dropped[c] != 0;
    if (dropped && para_open(&p)) {
        fputs("A higher score went with more churn for ", p.f);
        size_t k = 0;
        for (size_t c = 0; c < r->n_components; c++)
            if (r->dropped[c])
                fprintf(p.f, "%s'%s'", k++ ? ", " : "", r->tuned->components[c].name);
        fputs(" once the other components were accounted for, so the tuned config gives "
              "it weight 0 rather than a negative weight. That can reflect collinearity "
              "or a transform with the wrong direction; check the component before "
              "deleting it.", p.f);
        para_close(&p, "Dropped components", para, max, &n);
    }
    if (res->thresholds && para_open(&p)) {
        if (res->cuts_source == HC_REPORT_CUTS_BACKTEST)
            fputs("The cut points were chosen on the same pooled out-of-time snapshots "
                  "their recall and precision are reported on, so those figures are "
                  "slightly optimistic; the per-fold figures are not.", p.f);
        else
            fputs("The cut points were chosen on the snapshots the tuned model was "
                  "fitted on, so their recall and precision are optimistic.", p.f);
        para_close(&p, "Thresholds", para, max, &n);
    }
    if (para_open(&p)) {
        fputs("Out of time still means the past: a change of product, pricing or "
              "customer mix can break the relationship between the components and "
              "churn. Watch the drift of the score each quarter (healthcal drift).", p.f);
        if (res->validate_rows.missing_health)
            fprintf(p.f, " %zu labelled snapshots had no component data at all and were "
                         "left out.", res->validate_rows.missing_health);
        if (r->n_incomplete)
            fprintf(p.f, " %zu snapshots with a missing component were left out of the "
                         "fit (scoring renormalises the weights over the components "
                         "present).", r->n_incomplete);
        if (res->current->churn.present && res->current->horizon_days != l->horizon)
            fprintf(p.f, " The current config's churn model is for %d days, but the "
                         "labels use %d.", res->current->horizon_days, l->horizon);
        if (r->expansion_note[0])
            fprintf(p.f, " Expansion model: %s.", r->expansion_note);
        para_close(&p, "The past is not the future", para, max, &n);
    }
    return n;
}
