/* predict_write.c - writing predictions: the CSV file, the plain-text summary and its JSON. */
#include "hc_predict.h"
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_outfile.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A number with a fixed count of decimals; empty when not finite; no
 * "-0.0000" for a tiny negative value that rounds to zero. */
static void write_fixed(FILE *f, double v, int decimals)
{
    if (!isfinite(v))
        return;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    const char *p = buf;
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
        p++;
    fputs(p, f);
}

/* A text cell built from two strings and a middle part, neutralised by
 * hc_csv_write_text. Falls back to the first string alone when out of
 * memory (never truncates silently into a different valid-looking cell). */
static void write_joined(FILE *f, const char *a, const char *mid, const char *b)
{
    size_t len = strlen(a) + strlen(mid) + strlen(b) + 1;
    char *s = malloc(len);
    if (!s) {
        hc_csv_write_text(f, a);
        return;
    }
    snprintf(s, len, "%s%s%s", a, mid, b);
    hc_csv_write_text(f, s);
    free(s);
}

static void write_driver(FILE *f, const hc_model *m, int32_t k, double points)
{
    if (k < 0)
        return;
    char pts[48];
    /* Points pulled down, shown as a negative change of health. */
    snprintf(pts, sizeof pts, " (-%.1f)", points);
    write_joined(f, m->components[k].name, pts, "");
}

void hc_predict_write_csv(FILE *f, const hc_predict_result *res)
{
    const hc_model *m = res->model;
    const hc_snapshots *s = res->snapshots;
    const hc_table *t = s->table;
    int H = res->horizon_days;
    fprintf(f, "account_id,snapshot_date,segment,arr,health,band,p_churn_%dd,"
               "p_expansion_%dd,expected_arr_at_risk,driver_1,driver_2,"
               "driver_3,health_change,band_change\n", H, H);
    for (size_t i = 0; i < res->n; i++) {
        const hc_prediction *p = &res->rows[i];
        char d[11];
        hc_csv_write_text(f, hc_table_text(t, s->id_col, p->row));
        hc_date_format(p->date, d);
        fprintf(f, ",%s,", d);
        if (s->segment_col >= 0)
            hc_csv_write_text(f, hc_table_text(t, s->segment_col, p->row));
        putc(',', f);
        hc_csv_write_num(f, p->arr);
        putc(',', f);
        write_fixed(f, p->health, 4);
        putc(',', f);
        if (p->band >= 0)
            hc_csv_write_text(f, m->bands[p->band].name);
        putc(',', f);
        hc_csv_write_num_prec(f, p->p_churn, 6);
        putc(',', f);
        hc_csv_write_num_prec(f, p->p_expansion, 6);
        putc(',', f);
        write_fixed(f, p->at_risk, 2);
        for (int j = 0; j < HC_PREDICT_DRIVERS; j++) {
            putc(',', f);
            write_driver(f, m, p->driver[j], p->driver_points[j]);
        }
        putc(',', f);
        write_fixed(f, p->health_change, 4);
        putc(',', f);
        if (p->fell)
            write_joined(f, m->bands[p->previous_band].name, "->",
                         m->bands[p->band].name);
        putc('\n', f);
    }
}

/* An account id for a terminal: control bytes become '?'. */
static void put_id(FILE *f, const char *id)
{
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        putc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

void hc_predict_write_summary(FILE *f, const hc_predict_result *res)
{
    const hc_model *m = res->model;
    const hc_snapshots *s = res->snapshots;
    char a[11], c[11];
    hc_date_format(res->as_of, a);
    fprintf(f, "predict: as of %s, %zu accounts (each by its latest snapshot "
               "on or before that date), horizon %d days\n",
            a, res->accounts, res->horizon_days);
    if (res->accounts_later)
        fprintf(f, "accounts whose first snapshot is after %s (not scored): %zu\n",
                a, res->accounts_later);
    if (res->all_snapshots)
        fprintf(f, "rows written: %zu (every snapshot on or before %s)\n",
                res->n, a);
    fprintf(f, "%-16s %9s %8s %16s %8s\n", "band", "accounts", "share", "ARR",
            "of ARR");
    for (size_t b = 0; b <= res->n_bands; b++) {
        int last = b == res->n_bands;
        size_t n = last ? res->unscored_accounts : res->band_accounts[b];
        double arr = last ? res->unscored_arr : res->band_arr[b];
        if (last && n == 0)
            break;
        fprintf(f, "%-16.16s %9zu %7.1f%% %16.2f %7.1f%%\n",
                last ? "(no score)" : m->bands[b].name, n,
                res->accounts ? 100.0 * (double)n / (double)res->accounts : 0.0,
                arr, res->total_arr > 0 ? 100.0 * arr / res->total_arr : 0.0);
    }
    fprintf(f, "%-16s %9zu %7.1f%% %16.2f %7.1f%%\n", "total", res->accounts,
            100.0, res->total_arr, 100.0);
    if (res->arr_missing)
        fprintf(f, "accounts without ARR (counted as 0): %zu\n", res->arr_missing);
    if (res->churn_scored)
        fprintf(f, "expected churned ARR in the next %d days: %.2f "
                   "(sum of P(churn) x ARR over %zu accounts; %.1f expected "
                   "churners)\n",
                res->horizon_days, res->expected_churned_arr, res->churn_scored,
                res->expected_churners);
    if (res->churn_scored && res->risk_range.computed)
        fprintf(f, "  range of churned ARR (each account churning independently with its "
                   "P(churn); %zu Monte Carlo draws, seed %lu): 80%% %.2f to %.2f, 95%% "
                   "%.2f to %.2f\n",
                res->risk_range.draws, res->risk_range.seed, res->risk_range.lo80,
                res->risk_range.hi80, res->risk_range.lo95, res->risk_range.hi95);
    if (!res->churn_scored)
        fprintf(f, "expected churned ARR: not available (the config has no "
                   "churn_model; run healthcal fit)\n");
    fprintf(f, "accounts that fell a band since their previous snapshot: %zu\n",
            res->fell_accounts);
    hc_date_format(res->recent_cutoff, c);
    fprintf(f, "no recent snapshot (latest before %s; still in the rows and "
               "totals above): %zu accounts, ARR %.2f",
            c, res->stale_accounts, res->stale_arr);
    if (res->stale_accounts && res->churn_scored)
        fprintf(f, ", expected ARR at risk %.2f", res->stale_at_risk);
    const size_t show = 10;
    for (size_t i = 0; i < res->stale_accounts && i < show; i++) {
        fputs(i ? ", " : ": ", f);
        put_id(f, hc_table_text(s->table, s->id_col, res->stale_rows[i]));
    }
    if (res->stale_accounts > show)
        fprintf(f, ", ... (%zu more)", res->stale_accounts - show);
    putc('\n', f);
}

/* A finite number, or null (never expected: keeps the JSON valid). */
static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static json_t *pair(double lo, double hi, int *bad)
{
    json_t *a = json_array();
    if (!a || json_array_append_new(a, jnum(lo)) || json_array_append_new(a, jnum(hi)))
        *bad = 1;
    return a;
}

json_t *hc_predict_summary_json(const hc_predict_result *res)
{
    int bad = 0;
    const hc_model *m = res->model;
    char d[11];
    json_t *root = json_object();
    put(root, "schema", json_string("healthcal-predict-summary/1"), &bad);
    hc_date_format(res->as_of, d);
    put(root, "as_of", json_string(d), &bad);
    put(root, "horizon_days", json_integer(res->horizon_days), &bad);
    put(root, "accounts", json_integer((json_int_t)res->accounts), &bad);
    put(root, "total_arr", jnum(res->total_arr), &bad);
    json_t *bands = json_array();
    for (size_t b = 0; b < res->n_bands; b++) {
        json_t *e = json_object();
        put(e, "band", json_string(m->bands[b].name), &bad);
        put(e, "accounts", json_integer((json_int_t)res->band_accounts[b]), &bad);
        put(e, "arr", jnum(res->band_arr[b]), &bad);
        if (!e || json_array_append_new(bands, e))
            bad = 1;
    }
    put(root, "bands", bands, &bad);
    put(root, "unscored_accounts", json_integer((json_int_t)res->unscored_accounts), &bad);
    put(root, "fell_accounts", json_integer((json_int_t)res->fell_accounts), &bad);
    put(root, "stale_accounts", json_integer((json_int_t)res->stale_accounts), &bad);
    json_t *r = json_object();
    const hc_predict_risk_range *q = &res->risk_range;
    put(r, "accounts", json_integer((json_int_t)res->churn_scored), &bad);
    put(r, "expected_churners", res->churn_scored ? jnum(res->expected_churners)
                                                  : json_null(), &bad);
    put(r, "expected", res->churn_scored ? jnum(res->expected_churned_arr) : json_null(),
        &bad);
    put(r, "range_80", q->computed ? pair(q->lo80, q->hi80, &bad) : json_null(), &bad);
    put(r, "range_95", q->computed ? pair(q->lo95, q->hi95, &bad) : json_null(), &bad);
    put(r, "method", json_string("sum of P(churn) x ARR; ranges: quantiles (type 7) of a "
                                 "seeded Monte Carlo of independent Bernoulli(P(churn)) "
                                 "churn events, each losing the account's ARR "
                                 "(Poisson-binomial)"), &bad);
    put(r, "draws", json_integer((json_int_t)q->draws), &bad);
    put(r, "seed", json_integer((json_int_t)q->seed), &bad);
    put(root, "revenue_at_risk", r, &bad);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

hc_status hc_predict_write_summary_json(const hc_predict_result *res, const char *path,
                                        hc_error *err)
{
    json_t *root = hc_predict_summary_json(res);
    if (!root)
        return hc_error_nomem(err);
    hc_outfile *of;
    hc_status st = hc_outfile_open(path, &of, err);
    if (st != HC_OK) {
        json_decref(root);
        return st;
    }
    FILE *f = hc_outfile_stream(of);
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (rc != 0) {
        hc_outfile_abort(of);
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot write JSON");
    }
    fputc('\n', f);
    return hc_outfile_commit(of, err);
}
