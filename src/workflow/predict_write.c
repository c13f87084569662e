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

const char *hc_predict_status_name(int status)
{
    switch (status) {
    case HC_PREDICT_CURRENT: return "current";
    case HC_PREDICT_STALE: return "stale";
    case HC_PREDICT_CHURNED: return "churned";
    }
    return "";
}

/* A kept cell as the snapshot row holds it (hc_predict.h, "Kept
 * columns"); text through hc_csv_write_text. */
static void write_kept(FILE *f, const hc_table *t, int col, size_t row)
{
    const hc_column *c = &t->cols[col];
    if (c->type == HC_COL_NUM) {
        hc_csv_write_num(f, hc_table_num(t, col, row));
    } else if (c->type == HC_COL_DATE) {
        char d[11];
        if (c->code[row] != HC_DATE_MISSING) {
            hc_date_format(c->code[row], d);
            fputs(d, f);
        }
    } else {
        hc_csv_write_text(f, hc_table_text(t, col, row));
    }
}

void hc_predict_write_csv(FILE *f, const hc_predict_result *res)
{
    const hc_model *m = res->model;
    const hc_snapshots *s = res->snapshots;
    const hc_table *t = s->table;
    int H = res->horizon_days;
    fprintf(f, "account_id,snapshot_date,segment,arr,health,band,p_churn_%dd,"
               "p_expansion_%dd,expected_arr_at_risk,driver_1,driver_2,"
               "driver_3,health_change,band_change,status", H, H);
    for (size_t k = 0; k < res->n_keep; k++) {
        putc(',', f);
        hc_csv_write_text(f, t->cols[res->keep_cols[k]].name);
    }
    putc('\n', f);
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
        putc(',', f);
        fputs(hc_predict_status_name(p->status), f);
        for (size_t k = 0; k < res->n_keep; k++) {
            putc(',', f);
            write_kept(f, t, res->keep_cols[k], p->row);
        }
        putc('\n', f);
    }
}

/* An account id for a terminal: control bytes become '?'. */
static void put_id(FILE *f, const char *id)
{
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        putc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

/* Up to ten account ids of `rows` (table rows), then how many more. */
static void put_ids(FILE *f, const hc_snapshots *s, const uint32_t *rows, size_t n)
{
    const size_t show = 10;
    for (size_t i = 0; i < n && i < show; i++) {
        fputs(i ? ", " : ": ", f);
        put_id(f, hc_table_text(s->table, s->id_col, rows[i]));
    }
    if (n > show)
        fprintf(f, ", ... (%zu more)", n - show);
}

void hc_predict_write_summary(FILE *f, const hc_predict_result *res)
{
    const hc_model *m = res->model;
    const hc_snapshots *s = res->snapshots;
    char a[11], c[11];
    hc_date_format(res->as_of, a);
    hc_date_format(res->recent_cutoff, c);
    fprintf(f, "predict: as of %s, %zu accounts (each by its latest snapshot "
               "on or before that date), horizon %d days\n",
            a, res->accounts, res->horizon_days);
    if (res->accounts_later)
        fprintf(f, "accounts whose first snapshot is after %s (not scored): %zu\n",
                a, res->accounts_later);
    if (res->churned_excluded) {
        fprintf(f, "%zu accounts left out: churned on or before %s, ARR %.2f at their "
                   "last snapshot\n",
                res->churned_accounts, a, res->churned_arr);
        if (res->returned_accounts)
            fprintf(f, "%zu accounts kept although they churned on or before %s: they "
                       "have a snapshot after their churn (came back)\n",
                    res->returned_accounts, a);
    } else {
        fputs("churned accounts cannot be left out without events: any that have "
              "already churned are still in the rows and totals below\n", f);
    }
    if (res->all_snapshots)
        fprintf(f, "rows written: %zu (every snapshot on or before %s)\n",
                res->n, a);
    fprintf(f, "current accounts (latest snapshot on or after %s), by band: %zu, ARR %.2f\n",
            c, res->current_accounts, res->current_arr);
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
                res->current_accounts ? 100.0 * (double)n / (double)res->current_accounts
                                      : 0.0,
                arr, res->current_arr > 0 ? 100.0 * arr / res->current_arr : 0.0);
    }
    fprintf(f, "%-16s %9zu %7.1f%% %16.2f %7.1f%%\n", "total current",
            res->current_accounts, 100.0, res->current_arr, 100.0);
    if (res->arr_missing)
        fprintf(f, "accounts without ARR (counted as 0): %zu\n", res->arr_missing);
    if (res->churn_scored)
        fprintf(f, "expected churned ARR in the next %d days: %.2f "
                   "(sum of P(churn) x ARR over %zu current accounts; %.1f expected "
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
        fprintf(f, "expected churned ARR: not available (%s)\n",
                res->current_accounts ? "the config has no churn_model; run healthcal fit"
                                      : "no current account");
    fprintf(f, "accounts that fell a band since their previous snapshot: %zu\n",
            res->fell_accounts);
    fprintf(f, "stale (latest snapshot before %s, more than %d days before %s; listed "
               "after the current rows, not in the bands nor the expected churned ARR "
               "above): %zu accounts, ARR %.2f",
            c, res->stale_days, a, res->stale_accounts, res->stale_arr);
    if (res->stale_churn_scored)
        fprintf(f, ", P(churn) x ARR %.2f", res->stale_at_risk);
    put_ids(f, s, res->stale_rows, res->stale_accounts);
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
    put(root, "accounts", json_integer((json_int_t)res->book_accounts), &bad);
    put(root, "accounts_scored", json_integer((json_int_t)res->accounts), &bad);
    put(root, "total_arr", jnum(res->total_arr), &bad);
    put(root, "churned_excluded", json_boolean(res->churned_excluded), &bad);
    put(root, "churned_accounts", res->churned_excluded
                                      ? json_integer((json_int_t)res->churned_accounts)
                                      : json_null(), &bad);
    put(root, "churned_arr", res->churned_excluded ? jnum(res->churned_arr) : json_null(),
        &bad);
    put(root, "returned_accounts", res->churned_excluded
                                       ? json_integer((json_int_t)res->returned_accounts)
                                       : json_null(), &bad);
    put(root, "current_accounts", json_integer((json_int_t)res->current_accounts), &bad);
    put(root, "current_arr", jnum(res->current_arr), &bad);
    put(root, "bands_count", json_string("current accounts"), &bad);
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
    put(root, "stale_days", json_integer(res->stale_days), &bad);
    hc_date_format(res->recent_cutoff, d);
    put(root, "stale_cutoff", json_string(d), &bad);
    put(root, "stale_accounts", json_integer((json_int_t)res->stale_accounts), &bad);
    put(root, "stale_arr", jnum(res->stale_arr), &bad);
    put(root, "stale_expected_arr", res->stale_churn_scored ? jnum(res->stale_at_risk) : json_null(), &bad);
    json_t *r = json_object();
    const hc_predict_risk_range *q = &res->risk_range;
    put(r, "accounts", json_integer((json_int_t)res->churn_scored), &bad);
    put(r, "expected_churners", res->churn_scored ? jnum(res->expected_churners)
                                                  : json_null(), &bad);
    put(r, "expected", res->churn_scored ? jnum(res->expected_churned_arr) : json_null(),
        &bad);
    put(r, "range_80", q->computed ? pair(q->lo80, q->hi80, &bad) : json_null(), &bad);
    put(r, "range_95", q->computed ? pair(q->lo95, q->hi95, &bad) : json_null(), &bad);
    put(r, "method", json_string("sum of P(churn) x ARR over the current accounts; ranges: quantiles (type 7) of a "
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
