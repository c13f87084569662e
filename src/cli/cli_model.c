/* cli_model.c - loading configs and the history their columns need (validate, backtest). */
#include "cli_model.h"
#include "hc_csv.h"
#include "hc_outfile.h"
#include "hc_provenance.h"
#include "cli.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

int cli_model_load_configs(const char *const *paths, size_t n, hc_model **models)
{
    for (size_t i = 0; i < n; i++)
        models[i] = NULL;
    for (size_t i = 0; i < n; i++) {
        hc_error err;
        hc_error_clear(&err);
        hc_outfile_protect_input(paths[i]);
        if (hc_model_load(paths[i], &models[i], &err) != HC_OK) {
            for (size_t j = 0; j < i; j++) {
                hc_model_free(models[j]);
                models[j] = NULL;
            }
            return cli_fail(&err);
        }
    }
    return 0;
}

/* The header of the snapshot file, read by stopping after one record. */
typedef struct {
    char **names;
    size_t n;
    int got;
} header_ctx;

static hc_status on_header(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    header_ctx *h = ctx;
    if (h->got)
        return HC_EIO; /* already stopped: never read a second record */
    h->names = calloc(rec->n ? rec->n : 1, sizeof *h->names);
    if (!h->names)
        return hc_error_nomem(err);
    for (size_t i = 0; i < rec->n; i++) {
        h->names[i] = strdup(rec->fields[i]);
        if (!h->names[i])
            return hc_error_nomem(err);
        h->n = i + 1;
    }
    h->got = 1;
    return HC_EIO; /* stop reading: the header is all we need */
}

static void header_release(header_ctx *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
}

static int in_header(const header_ctx *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], name) == 0)
            return 1;
    return 0;
}

/* Checks every metric column of every model against the header. */
static hc_status check_header(const char *path, char delimiter,
                              hc_model *const *models, size_t n, hc_error *err)
{
    header_ctx h = {0};
    hc_csv_options co = {.delimiter = delimiter};
    hc_error rerr;
    hc_error_clear(&rerr);
    hc_status st = hc_csv_read(path, &co, on_header, &h, &rerr);
    if (!h.got) {
        header_release(&h);
        /* An unreadable or empty file: the loader reports it properly. */
        return st == HC_ENOMEM ? hc_error_nomem(err) : HC_OK;
    }
    st = HC_OK;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (size_t i = 0; i < n && st == HC_OK; i++) {
        const hc_model *m = models[i];
        for (size_t k = 0; k < m->n_components && st == HC_OK; k++)
            for (size_t j = 0; j < m->components[k].n_metrics; j++) {
                const char *col = m->components[k].metrics[j].column;
                if (in_header(&h, col))
                    continue;
                st = hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                  "components[%zu].metrics[%zu].column: column "
                                  "'%s' of config '%s' is not in %s",
                                  k, j, col, m->name ? m->name : m->source, base);
                break;
            }
    }
    header_release(&h);
    return st;
}

/* Counts the rows whose categorical level a config does not know (hand-set
 * levels; learned ones are reported by the fit) and says so on stderr:
 * scored as missing, or as the transform's `other` score. */
static hc_status warn_unseen(hc_model *const *models, size_t n, const hc_history *h,
                             hc_error *err)
{
    const hc_table *t = h->snapshots.table;
    for (size_t i = 0; i < n; i++) {
        hc_unseen_count *u;
        size_t nu;
        hc_status st = hc_model_count_unseen(models[i], t, NULL, t->n_rows, &u, &nu, err);
        if (st != HC_OK)
            return st;
        for (size_t q = 0; q < nu; q++)
            cli_warn("config '%s': column '%s': %zu snapshot row%s hold%s %zu level%s "
                     "the config does not list (e.g. '%s'): scored as %s "
                     "(components[%zu].metrics[%zu].transform.unseen)",
                     models[i]->name ? models[i]->name : models[i]->source, u[q].column,
                     u[q].rows, u[q].rows == 1 ? "" : "s", u[q].rows == 1 ? "s" : "",
                     u[q].levels, u[q].levels == 1 ? "" : "s", u[q].example,
                     u[q].as_other ? "the 'other' score" : "missing", u[q].component,
                     u[q].metric);
        free(u);
    }
    return HC_OK;
}

hc_status cli_model_load_history(cli_history *hist, hc_model *const *models,
                                 size_t n, hc_history *h, hc_error *err)
{
    memset(h, 0, sizeof *h);
    const hc_model *base = models[0];
    hc_history_options *ho = &hist->opt;
    /* The first config names the role columns unless flags override them
     * (as cmd_fit.c does). */
    if (!ho->columns.account_id)
        ho->columns.account_id = base->columns.account_id;
    if (!ho->columns.snapshot_date)
        ho->columns.snapshot_date = base->columns.snapshot_date;
    if (!ho->columns.segment)
        ho->columns.segment = base->columns.segment;
    if (!ho->columns.arr)
        ho->columns.arr = base->columns.arr;
    if (!hist->horizon_set)
        ho->labels.horizon = base->horizon_days;
    if (!hist->lead_set)
        ho->labels.lead = base->lead_days;
    /* The events' columns and vocabulary, likewise. */
    if (cli_ingest_use_model(cli_ingest(), base) != 0)
        return hc_error_set(err, HC_EDATA, base->source, 0, 0, "event_map: cannot be used");
    for (size_t i = 1; i < n; i++)
        if (models[i]->n_segments > 0 && strcmp(models[i]->columns.segment,
                                                ho->columns.segment) != 0)
            return hc_error_set(err, HC_EDATA, models[i]->source, 0, 0,
                                "columns.segment: '%s' differs from the segment "
                                "column '%s' of the first config; configs "
                                "evaluated together must share their role columns",
                                models[i]->columns.segment, ho->columns.segment);
    hc_status st = HC_OK;
    if (strcmp(ho->snapshots_path, "-") != 0 &&
        (st = check_header(ho->snapshots_path, ho->delimiter, models, n, err)) != HC_OK)
        return st;
    /* The union of the metric columns, in config order. */
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < models[i]->n_components; k++)
            cap += models[i]->components[k].n_metrics;
        if (models[i]->rollup)
            cap += 1 + models[i]->rollup->n_metrics;
    }
    /* User rows: every config evaluated together rolls them up the same
     * way (one table serves them all). */
    for (size_t i = 1; i < n; i++)
        if ((models[i]->rollup != NULL) != (base->rollup != NULL))
            return hc_error_set(err, HC_EDATA, models[i]->source, 0, 0,
                                "rollup: configs evaluated together must roll user "
                                "rows up the same way (the first config %s one)",
                                base->rollup ? "has" : "has no");
    const char **metrics = malloc((cap ? cap : 1) * sizeof *metrics);
    const char *const *user_text = ho->columns.text_metrics;
    size_t n_user_text = ho->columns.n_text_metrics;
    const char **text = malloc((cap + n_user_text + 1) * sizeof *text);
    if (!metrics || !text) {
        free(metrics);
        free(text);
        return hc_error_nomem(err);
    }
    size_t nm = 0, nt = 0;
    for (size_t i = 0; i < n_user_text; i++)
        text[nt++] = user_text[i];
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < models[i]->n_components; k++)
            for (size_t j = 0; j < models[i]->components[k].n_metrics; j++) {
                const char *col = models[i]->components[k].metrics[j].column;
                size_t q = 0;
                while (q < nm && strcmp(metrics[q], col) != 0)
                    q++;
                if (q == nm)
                    metrics[nm++] = col;
                /* A categorical metric's column is read as text. */
                if (models[i]->components[k].metrics[j].transform.type ==
                    HC_TF_CATEGORICAL)
                    text[nt++] = col;
            }
    /* The roll-up's user column (text) and metric columns. */
    if (base->rollup) {
        const hc_rollup *r = base->rollup;
        for (size_t q = 0; q <= r->n_metrics; q++) {
            const char *col = q == 0 ? r->user_column : r->metrics[q - 1].column;
            size_t i = 0;
            while (i < nm && strcmp(metrics[i], col) != 0)
                i++;
            if (i == nm)
                metrics[nm++] = col;
        }
        text[nt++] = r->user_column;
    }
    ho->metrics = metrics;
    ho->n_metrics = nm;
    ho->columns.text_metrics = text;
    ho->columns.n_text_metrics = nt;
    ho->columns.rollup = base->rollup;
    st = hc_history_load(ho, h, err);
    ho->columns.rollup = NULL;
    /* The loader copied what it needs; the names belong to the models. */
    ho->metrics = NULL;
    ho->n_metrics = 0;
    ho->columns.text_metrics = user_text;
    ho->columns.n_text_metrics = n_user_text;
    free(metrics);
    free(text);
    /* Trend metrics: their columns derived once for the run (scoring would
     * otherwise recompute them on every call; the values are the same). */
    if (st != HC_OK)
        return st; /* hc_history_load left nothing allocated */
    for (size_t i = 0; i < n && st == HC_OK; i++)
        st = hc_model_derive_trends(models[i], h->snapshots.table, err);
    if (st == HC_OK)
        st = warn_unseen(models, n, h, err);
    if (st == HC_OK && base->rollup && !hist->quiet) {
        const hc_rollup_counts *rc = &h->snapshots.rollup;
        fprintf(stderr, "user rows read:            %zu (%zu users), rolled up to %zu "
                        "account snapshots (column '%s')\n",
                rc->user_rows, rc->users, rc->account_rows, base->rollup->user_column);
    }
    if (st != HC_OK) {
        hc_history_release(h);
        memset(h, 0, sizeof *h);
    }
    return st;
}

int cli_model_check_in_sample(const hc_history *h, hc_model *const *models,
                              const char *const *paths, size_t n,
                              const hc_backtest_options *opt, int allow)
{
    hc_backtest_plan plan;
    int planned = 0, rc = 0;
    hc_error err;
    hc_error_clear(&err);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!models[i]->provenance || !json_object_get(models[i]->provenance, "fit_rows"))
            continue;
        if (!planned) {
            if (hc_backtest_plan_build(h, opt, &plan, &err) != HC_OK)
                return 0; /* the backtest itself reports a plan that cannot be made */
            planned = 1;
        }
        if (plan.n_folds == 0)
            break;
        hc_provenance_overlap ov;
        if (hc_provenance_check(models[i], h, plan.folds[0].test_start,
                                plan.folds[plan.n_folds - 1].test_end, "the test periods",
                                &ov, &err) != HC_OK) {
            rc = cli_fail(&err);
            break;
        }
        if (!ov.in_sample)
            continue;
        if (allow) {
            cli_warn("config '%s': %s (--allow-in-sample: backtested anyway, and its "
                     "results are in-sample)", paths[i], ov.text);
        } else {
            fprintf(stderr, "healthcal: config '%s': %s. A backtest of it would grade the "
                            "fit on its own training rows; pass --allow-in-sample to run it "
                            "anyway\n", paths[i], ov.text);
            rc = 1;
        }
    }
    if (planned)
        hc_backtest_plan_release(&plan);
    return rc;
}
