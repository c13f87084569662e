/* events.c - loading churn/expansion/contraction events and matching them to accounts. */
#define _GNU_SOURCE /* qsort_r */
#include "hc_history.h"
#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void hc_events_release(hc_events *e)
{
    if (!e)
        return;
    free(e->account);
    free(e->date);
    free(e->type);
    free(e->amount);
    free(e->line);
    free(e->account_start);
    memset(e, 0, sizeof *e);
}

/* The unknown-type error: every type of the file with its row count, so
 * that the user can write the map. */
static hc_status unknown_types_error(hc_error *err, const hc_table *t, size_t r,
                                     const char *column, const hc_column *ctype,
                                     const int *type_of, const size_t *count, size_t n_types)
{
    static const char *const names[] = {"churn", "expansion", "contraction"};
    char list[700];
    size_t o = 0;
    list[0] = '\0';
    for (int pass = 0; pass < 2; pass++) /* the unknown types first */
        for (size_t k = 0; k <= n_types; k++) {
            /* k == n_types: cells without a type */
            int ty = k < n_types ? type_of[k] : -1;
            size_t c = count[k];
            if (!c || (pass == 0) != (ty == -1) || o >= sizeof list - 1)
                continue;
            const char *name = k < n_types ? hc_strpool_get(ctype->pool, (int32_t)k) : "";
            int w = snprintf(list + o, sizeof list - o, "%s'%.40s' %zu%s%s", o ? ", " : "",
                             name, c,
                             ty == -1 ? " (unknown)"
                             : ty == HC_EVENT_MAP_IGNORE ? " (ignored)" : "",
                             ty >= 0 && strcasecmp(name, names[ty]) != 0 ? " -> " : "");
            o = w < 0 ? sizeof list - 1 : o + (size_t)w < sizeof list ? o + (size_t)w
                                                                      : sizeof list - 1;
            if (ty >= 0 && strcasecmp(name, names[ty]) != 0 && o < sizeof list - 1) {
                w = snprintf(list + o, sizeof list - o, "%s", names[ty]);
                o = w < 0 || o + (size_t)w >= sizeof list ? sizeof list - 1 : o + (size_t)w;
            }
        }
    const char *s = hc_strpool_get(ctype->pool, ctype->code[r]);
    return hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r), 0,
                        "column '%s': unknown event type '%.60s'. Types in the file (rows): "
                        "%s. Map them with --event-map TYPE=churn|expansion|contraction|"
                        "ignore (or the config's event_map), or skip them with "
                        "--ignore-unknown-events",
                        column, s ? s : "", list);
}

static hc_status alloc_events(hc_events *e, size_t n, size_t k)
{
    size_t m = n ? n : 1;
    e->account = malloc(m * sizeof *e->account);
    e->date = malloc(m * sizeof *e->date);
    e->type = malloc(m * sizeof *e->type);
    e->amount = malloc(m * sizeof *e->amount);
    e->line = malloc(m * sizeof *e->line);
    e->account_start = calloc(k + 1, sizeof *e->account_start);
    return e->account && e->date && e->type && e->amount && e->line &&
                   e->account_start
               ? HC_OK
               : HC_ENOMEM;
}

/* Sort key for the events of one account: date, then source line. */
static int by_date_line(const void *a, const void *b, void *ctx)
{
    const hc_events *e = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (e->date[i] != e->date[j])
        return e->date[i] < e->date[j] ? -1 : 1;
    return e->line[i] < e->line[j] ? -1 : e->line[i] > e->line[j];
}

hc_status hc_events_load(const char *path, const hc_event_load_options *opt,
                         const hc_snapshots *snapshots, hc_events *out,
                         hc_error *err)
{
    memset(out, 0, sizeof *out);
    const hc_ingest_options *in = opt->ingest ? opt->ingest : hc_ingest_default();
    const char *id = opt->account_id ? opt->account_id : "account_id";
    const char *date = opt->event_date   ? opt->event_date
                       : in->event_date ? in->event_date
                                        : "event_date";
    const char *type = opt->event_type   ? opt->event_type
                       : in->event_type ? in->event_type
                                        : "event_type";
    const char *amount = opt->amount ? opt->amount : in->amount ? in->amount : "amount";
    hc_colspec spec[] = {{id, HC_COL_TEXT, 1},
                         {date, HC_COL_DATE, 1},
                         {type, HC_COL_TEXT, 1},
                         {amount, HC_COL_NUM, 0}};
    hc_load_options lo = {.csv = {.delimiter = opt->delimiter},
                          .cols = spec,
                          .n_cols = 4,
                          .extra = HC_EXTRA_SKIP,
                          .negative_error_col = 3,
                          .ingest = in};
    hc_table *t;
    hc_status st = hc_table_load_csv(path, &lo, &t, err);
    if (st != HC_OK)
        return st;
    const hc_column *cid = &t->cols[0], *cdate = &t->cols[1], *ctype = &t->cols[2];
    int camount = hc_table_find(t, amount);
    const hc_column *snap_ids = &snapshots->table->cols[snapshots->id_col];
    size_t k = snapshots->n_accounts;

    if (alloc_events(out, t->n_rows, k) != HC_OK) {
        hc_table_free(t);
        hc_events_release(out);
        return hc_error_nomem(err);
    }
    out->rows_read = t->n_rows;
    out->n_accounts = k;
    out->first_date = INT32_MAX;
    out->last_date = INT32_MIN;
    /* Resolve each distinct event-file id once to a snapshot account. */
    size_t n_ids = hc_strpool_count(cid->pool);
    int32_t *to_account = malloc((n_ids ? n_ids : 1) * sizeof *to_account);
    if (!to_account) {
        hc_table_free(t);
        hc_events_release(out);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n_ids; i++) {
        const char *s = hc_strpool_get(cid->pool, (int32_t)i);
        to_account[i] = hc_strpool_lookup(snap_ids->pool, s, strlen(s));
    }
    /* Each distinct type of the file resolved once; its rows counted (the
     * last slot counts rows without a type) for the unknown-type error. */
    size_t n_types = hc_strpool_count(ctype->pool);
    int *type_of = malloc((n_types ? n_types : 1) * sizeof *type_of);
    size_t *type_rows = calloc(n_types + 1, sizeof *type_rows);
    if (!type_of || !type_rows) {
        free(type_of);
        free(type_rows);
        free(to_account);
        hc_table_free(t);
        hc_events_release(out);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n_types; i++)
        type_of[i] = hc_ingest_event_type(in, hc_strpool_get(ctype->pool, (int32_t)i));
    for (size_t r = 0; r < t->n_rows; r++)
        type_rows[ctype->code[r] < 0 ? n_types : (size_t)ctype->code[r]]++;
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows && st == HC_OK; r++) {
        if (cid->code[r] < 0) {
            st = hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r), 0,
                              "column '%s': account id is missing", id);
            break;
        }
        int ty = ctype->code[r] < 0 ? -1 : type_of[ctype->code[r]];
        if (ty == HC_EVENT_MAP_IGNORE) {
            out->ignored_type++;
            continue;
        }
        if (ty < 0) {
            if (opt->ignore_unknown_types) {
                out->unknown_type++;
                continue;
            }
            st = unknown_types_error(err, t, r, type, ctype, type_of, type_rows, n_types);
            break;
        }
        int32_t d = cdate->code[r];
        if (d < out->first_date)
            out->first_date = d;
        if (d > out->last_date)
            out->last_date = d;
        int32_t a = to_account[cid->code[r]];
        if (a < 0) {
            out->unknown_account++;
            continue;
        }
        out->by_type[ty]++;
        out->account[n] = a;
        out->date[n] = d;
        out->type[n] = (uint8_t)ty;
        out->amount[n] = camount >= 0 ? hc_table_num(t, camount, r) : NAN;
        out->line[n] = hc_table_line(t, r);
        n++;
    }
    free(to_account);
    free(type_of);
    free(type_rows);
    hc_table_free(t);
    if (st != HC_OK) {
        hc_events_release(out);
        return st;
    }
    out->n = n;
    /* Counting sort by account, then each account's events by date. */
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    uint32_t *fill = malloc((k ? k : 1) * sizeof *fill);
    hc_events sorted = {0};
    if (!idx || !fill || alloc_events(&sorted, n, k) != HC_OK) {
        free(idx);
        free(fill);
        hc_events_release(&sorted);
        hc_events_release(out);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        out->account_start[out->account[i] + 1]++;
    for (size_t a = 0; a < k; a++)
        out->account_start[a + 1] += out->account_start[a];
    memcpy(fill, out->account_start, k * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        idx[fill[out->account[i]]++] = (uint32_t)i;
    for (size_t a = 0; a < k; a++)
        qsort_r(idx + out->account_start[a],
                out->account_start[a + 1] - out->account_start[a], sizeof *idx,
                by_date_line, out);
    for (size_t i = 0; i < n; i++) {
        uint32_t j = idx[i];
        sorted.account[i] = out->account[j];
        sorted.date[i] = out->date[j];
        sorted.type[i] = out->type[j];
        sorted.amount[i] = out->amount[j];
        sorted.line[i] = out->line[j];
    }
    memcpy(sorted.account_start, out->account_start, (k + 1) * sizeof *fill);
    free(idx);
    free(fill);
    sorted.n = n;
    sorted.n_accounts = k;
    sorted.rows_read = out->rows_read;
    sorted.unknown_account = out->unknown_account;
    sorted.unknown_type = out->unknown_type;
    sorted.ignored_type = out->ignored_type;
    memcpy(sorted.by_type, out->by_type, sizeof sorted.by_type);
    sorted.first_date = out->first_date;
    sorted.last_date = out->last_date;
    hc_events_release(out);
    *out = sorted;
    return HC_OK;
}
