/* observations.c - loading a labelled history and writing the observation table. */
#include "hc_observations.h"
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_outfile.h"
#include "hc_trace.h"

#include <stdint.h>
#include <string.h>

void hc_history_release(hc_history *h)
{
    if (!h)
        return;
    hc_labels_release(&h->labels);
    hc_events_release(&h->events);
    hc_snapshots_release(&h->snapshots);
}

hc_status hc_history_load(const hc_history_options *opt, hc_history *out,
                          hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_outfile_protect_input(opt->snapshots_path);
    if (opt->events_path)
        hc_outfile_protect_input(opt->events_path);
    hc_snapshot_load_options so = {.delimiter = opt->delimiter,
                                   .columns = opt->columns,
                                   .metrics = opt->metrics,
                                   .n_metrics = opt->n_metrics,
                                   .ingest = opt->ingest};
    hc_trace_mark("start");
    hc_status st = hc_snapshots_load(opt->snapshots_path, &so, &out->snapshots, err);
    hc_trace_mark("snapshots loaded");
    if (st != HC_OK)
        return st;
    if (opt->events_path) {
        hc_event_load_options eo = {.delimiter = opt->delimiter,
                                    .account_id = opt->columns.account_id,
                                    .ignore_unknown_types = opt->ignore_unknown_events,
                                    .ingest = opt->ingest};
        st = hc_events_load(opt->events_path, &eo, &out->snapshots, &out->events, err);
        if (st != HC_OK) {
            hc_history_release(out);
            return st;
        }
        out->has_events = 1;
        hc_trace_mark("events loaded");
    }
    st = hc_labels_build(&out->snapshots, out->has_events ? &out->events : NULL,
                         &opt->labels, &out->labels, err);
    hc_trace_mark("labels built");
    if (st != HC_OK)
        hc_history_release(out);
    return st;
}

/* A numeric cell as hc_csv_write_num writes its value: scaled integers
 * straight from their digits. */
static void write_num_cell(FILE *f, const hc_table *t, const hc_column *col, int c, size_t r)
{
    long long m;
    switch (col->store) {
    case HC_NUM_I8:
        m = ((const int8_t *)col->nums)[r];
        if (m == INT8_MIN)
            return;
        break;
    case HC_NUM_I16:
        m = ((const int16_t *)col->nums)[r];
        if (m == INT16_MIN)
            return;
        break;
    case HC_NUM_I32:
        m = ((const int32_t *)col->nums)[r];
        if (m == INT32_MIN)
            return;
        break;
    default:
        hc_csv_write_num(f, hc_table_num(t, c, r));
        return;
    }
    hc_csv_write_decimal(f, m, col->scale);
}

void hc_observations_write(const hc_history *h, FILE *f)
{
    const hc_table *t = h->snapshots.table;
    for (size_t c = 0; c < t->n_cols; c++) {
        hc_csv_write_text(f, t->cols[c].name);
        putc_unlocked(',', f);
    }
    fputs("churn,expansion\n", f);
    for (size_t r = 0; r < t->n_rows; r++) {
        if (h->labels.status[r] != HC_ROW_OBSERVATION)
            continue;
        for (size_t c = 0; c < t->n_cols; c++) {
            const hc_column *col = &t->cols[c];
            if (col->type == HC_COL_NUM) {
                write_num_cell(f, t, col, (int)c, r);
            } else if (col->type == HC_COL_DATE) {
                char d[11];
                hc_date_format(col->code[r], d);
                fwrite(d, 1, 10, f);
            } else {
                hc_csv_write_text(f, hc_strpool_get(col->pool, col->code[r]));
            }
            putc_unlocked(',', f);
        }
        putc_unlocked('0' + h->labels.churn[r], f);
        putc_unlocked(',', f);
        putc_unlocked('0' + h->labels.expansion[r], f);
        putc_unlocked('\n', f);
    }
}

/* The rows without a segment (the pooled model scores and fits them), in
 * snapshot rows and accounts, and why when the segment is a derived key.
 * Nothing when every row has one. */
static void write_segment_counts(const hc_history *h, FILE *f)
{
    const hc_snapshots *s = &h->snapshots;
    if (s->segment_col < 0)
        return;
    const int32_t *code = s->table->cols[s->segment_col].code;
    size_t rows = 0, accounts = 0;
    for (size_t a = 0; a < s->n_accounts; a++) {
        size_t before = rows;
        for (uint32_t i = s->account_start[a]; i < s->account_start[a + 1]; i++)
            rows += code[s->order[i]] < 0;
        accounts += rows > before;
    }
    if (rows)
        fprintf(f, "rows without a segment:    %zu snapshot rows of %zu accounts (scored "
                   "and fitted with the pooled model)\n", rows, accounts);
    const hc_segkey_counts *k = &h->segment_key;
    if (h->has_segment_key && (k->missing_part || k->missing_start))
        fprintf(f, "  of them %zu with an empty cell in a key column, %zu without a "
                   "start date\n", k->missing_part, k->missing_start);
    if (h->has_segment_key && k->before_start)
        fprintf(f, "rows dated before their start date (tenure 0): %zu\n", k->before_start);
}

void hc_history_write_counts(const hc_history *h, FILE *f)
{
    const hc_labels *l = &h->labels;
    char as_of[11];
    hc_date_format(l->as_of, as_of);
    fprintf(f, "snapshot rows read:        %zu\n", h->snapshots.table->n_rows);
    if (h->snapshots.superseded)
        fprintf(f, "same-day snapshots superseded by a later timestamp: %zu\n",
                h->snapshots.superseded);
    fprintf(f, "accounts:                  %zu\n", h->snapshots.n_accounts);
    write_segment_counts(h, f);
    fprintf(f, "observations:              %zu\n", l->observations);
    fprintf(f, "censored (window after %s): %zu\n", as_of, l->censored);
    fprintf(f, "post-churn rows excluded:  %zu\n", l->post_churn);
    if (l->lead)
        fprintf(f, "churned within the lead:   %zu\n", l->lead_churn);
    fprintf(f, "churn labels (1):          %zu\n", l->churn_positive);
    fprintf(f, "expansion labels (1):      %zu\n", l->expansion_positive);
    if (h->has_events) {
        const hc_events *e = &h->events;
        fprintf(f, "event rows read:           %zu\n", e->rows_read);
        fprintf(f, "churn events matched:      %zu of %zu\n",
                l->churn_events_matched, e->by_type[HC_EVENT_CHURN]);
        fprintf(f, "expansion events matched:  %zu of %zu\n",
                l->expansion_events_matched, e->by_type[HC_EVENT_EXPANSION]);
        fprintf(f, "repeat churn events:       %zu\n", l->repeat_churn_events);
        fprintf(f, "events before the account's first snapshot: %zu\n",
                l->events_before_first_snapshot);
        fprintf(f, "events of unknown accounts: %zu\n", e->unknown_account);
        if (e->unknown_type)
            fprintf(f, "events of unknown type skipped: %zu\n", e->unknown_type);
        if (e->ignored_type)
            fprintf(f, "events of types mapped to ignore: %zu\n", e->ignored_type);
    }
}
