/* report_glance_files.c - the at-a-glance data files of the report: calls.csv, and data/band_rates.csv, lead_time.csv and trend.csv behind the headline, lead-time and trend plots. */
#include "report_internal.h"
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_outfile.h"

#include <math.h>
#include <stdio.h>

typedef void (*writer)(FILE *f, const hc_report_result *res);

static hc_status write_file(const char *dir, const char *name, writer fn,
                            const hc_report_result *res, hc_error *err)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return hc_error_set(err, HC_EIO, dir, 0, 0, "path is too long");
    hc_outfile *of;
    hc_status st = hc_outfile_open(path, &of, err);
    if (st != HC_OK)
        return st;
    fn(hc_outfile_stream(of), res);
    return hc_outfile_commit(of, err);
}

static const char *const config_names[2] = {"current", "tuned (in-sample)"};

static const hc_model *eval_model(const hc_report_result *res, int k)
{
    return k ? res->fit.tuned : res->current;
}

static void num(FILE *f, double v)
{
    putc(',', f);
    hc_csv_write_num_prec(f, v, 6);
}

/* band_rates.csv: config,band,accounts,churned_accounts,churn_rate,ci_low,ci_high */
static void w_band_rates(FILE *f, const hc_report_result *res)
{
    fputs("config,band,accounts,churned_accounts,churn_rate,ci_low,ci_high\n", f);
    for (int k = 0; k < 2; k++) {
        const hc_report_eval *e = &res->eval[k];
        if (!e->ok)
            continue;
        for (size_t b = 0; b < e->n_bands; b++) {
            hc_csv_write_text(f, config_names[k]);
            putc(',', f);
            hc_csv_write_text(f, eval_model(res, k)->bands[b].name);
            fprintf(f, ",%zu,%zu", e->band_accounts[b], e->band_churned[b]);
            num(f, e->band_rate[b]);
            num(f, e->band_lo[b]);
            num(f, e->band_hi[b]);
            putc('\n', f);
        }
    }
}

/* lead_time.csv: config,flag,days_before_churn,churned_accounts,flagged,share,ci_low,ci_high
 * (flag "red" or "below_green"). */
static void w_lead_time(FILE *f, const hc_report_result *res)
{
    fputs("config,flag,days_before_churn,churned_accounts,flagged,share,ci_low,ci_high\n", f);
    for (int k = 0; k < 2; k++) {
        const hc_report_eval *e = &res->eval[k];
        if (!e->ok || !e->has_lead)
            continue;
        for (int which = 0; which < 2; which++) {
            const hc_lead_time_band *b = which ? &e->lead.below_green : &e->lead.red;
            for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
                hc_csv_write_text(f, config_names[k]);
                fprintf(f, ",%s,%d,%zu,%zu", which ? "below_green" : "red",
                        hc_lead_time_days[h], b->with_row[h], b->flagged[h]);
                num(f, b->share[h]);
                num(f, b->ci_low[h]);
                num(f, b->ci_high[h]);
                putc('\n', f);
            }
        }
    }
}

/* trend.csv: period_start,band,accounts,share,churned_accounts,churn_rate */
static void w_trend(FILE *f, const hc_report_result *res)
{
    const hc_report_trend *t = &res->trend;
    fputs("period_start,band,accounts,share,churned_accounts,churn_rate\n", f);
    for (size_t p = 0; p < t->n_periods; p++) {
        size_t total = 0;
        for (size_t b = 0; b < t->n_bands; b++)
            total += t->accounts[p * t->n_bands + b];
        char d[11];
        hc_date_format(t->start[p], d);
        for (size_t b = 0; b < t->n_bands; b++) {
            size_t a = t->accounts[p * t->n_bands + b], c = t->churned[p * t->n_bands + b];
            fprintf(f, "%s,", d);
            hc_csv_write_text(f, res->current->bands[b].name);
            fprintf(f, ",%zu", a);
            num(f, total ? (double)a / (double)total : NAN);
            fprintf(f, ",%zu", c);
            num(f, a ? (double)c / (double)a : NAN);
            putc('\n', f);
        }
    }
}

static void w_calls(FILE *f, const hc_report_result *res)
{
    hc_call_list_write_csv(f, &res->predict, &res->calls);
}

static void w_users(FILE *f, const hc_report_result *res)
{
    hc_user_health_write_csv(f, &res->predict, &res->users);
}

hc_status hc_rpt_write_glance_files(const hc_report_result *res, hc_error *err)
{
    const char *data = res->doc.data_dir;
    hc_status st;
    if ((st = write_file(res->opt.out_dir, "calls.csv", w_calls, res, err)) != HC_OK ||
        (st = write_file(data, "band_rates.csv", w_band_rates, res, err)) != HC_OK ||
        (st = write_file(data, "lead_time.csv", w_lead_time, res, err)) != HC_OK)
        return st;
    if (res->users.n > 0 &&
        (st = write_file(res->opt.out_dir, "users.csv", w_users, res, err)) != HC_OK)
        return st;
    return write_file(data, "trend.csv", w_trend, res, err);
}
