/* cli_model.c - loading configs and the history their columns need (validate, backtest). */
#include "cli_model.h"
#include "cli_unseen.h"
#include "hc_csv.h"
#include "hc_model_history.h"
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
    st = hc_model_history_load(models, n, ho, h, err);
    if (st != HC_OK)
        return st; /* nothing left allocated */
    st = cli_warn_unseen(models, n, h->snapshots.table, err);
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
