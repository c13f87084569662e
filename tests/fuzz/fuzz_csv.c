/* fuzz_csv.c - libFuzzer target: CSV ingest into a table, the snapshot index and labels; the plain-block fast path against libcsv. */
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_history.h"
#include "hc_labels.h"
#include "hc_number.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Builds a table the way csv_load.c does, but keeps going past bad cells
 * (stored as missing) so that the fuzzer reaches the index and labels. The
 * first column is text, the second a date, the rest numbers. */
typedef struct {
    hc_table *t;
    size_t n_header;
    long last_line;
    long max_line;   /* 1 + the number of line terminators in the input */
} builder;

static hc_status on_record(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    builder *b = ctx;
    (void)err;
    /* Invariants of the reader: records start on increasing lines that
     * exist in the input, and fields hold no NUL byte. */
    if (rec->n == 0 || rec->line < 1 || rec->line <= b->last_line ||
        rec->line > b->max_line)
        abort();
    b->last_line = rec->line;
    for (size_t i = 0; i < rec->n; i++)
        if (strlen(rec->fields[i]) != rec->lens[i])
            abort();
    hc_table *t = b->t;
    if (t->n_cols == 0 && b->n_header == 0) {
        b->n_header = rec->n;
        for (size_t i = 0; i < rec->n && i < 16; i++) {
            char name[32];
            snprintf(name, sizeof name, "c%zu", i);
            hc_coltype ty = i == 0 ? HC_COL_TEXT : i == 1 ? HC_COL_DATE : HC_COL_NUM;
            if (hc_table_add_column(t, i == 0 ? "account_id" : i == 1 ? "snapshot_date" : name,
                                    ty) < 0)
                return HC_ENOMEM;
        }
        return HC_OK;
    }
    size_t row = t->n_rows;
    if (hc_table_resize(t, row + 1) != HC_OK)
        return HC_ENOMEM;
    t->line[row] = (uint32_t)rec->line;
    for (size_t i = 0; i < rec->n && i < t->n_cols; i++) {
        hc_column *c = &t->cols[i];
        const char *s = rec->fields[i];
        size_t len = rec->lens[i];
        if (c->type == HC_COL_NUM) {
            double v;
            /* hc_table_num_set keeps the missing count. */
            if (hc_number_parse(s, len, &v) == HC_NUM_OK &&
                hc_table_num_set(t, (int)i, row, v) != HC_OK)
                return HC_ENOMEM;
        } else if (c->type == HC_COL_DATE) {
            int32_t d;
            if (hc_date_parse(s, len, &d) == 0) {
                c->code[row] = d;
                c->n_missing--;
            }
        } else if (!hc_number_is_missing(s, len)) {
            int32_t code = hc_strpool_intern(c->pool, s, len);
            if (code < 0)
                return HC_ENOMEM;
            c->code[row] = code;
            c->n_missing--;
            if (hc_strpool_lookup(c->pool, s, len) != code ||
                memcmp(hc_strpool_get(c->pool, code), s, len) != 0)
                abort();
        }
    }
    return HC_OK;
}

/* FNV-1a over every record's line, field count, lengths and bytes. */
static hc_status hash_record(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    (void)err;
    uint64_t *h = ctx;
    uint64_t x = *h;
    const uint64_t prime = UINT64_C(1099511628211);
    x = (x ^ (uint64_t)rec->line) * prime;
    x = (x ^ rec->n) * prime;
    for (size_t i = 0; i < rec->n; i++) {
        x = (x ^ rec->lens[i]) * prime;
        for (size_t k = 0; k < rec->lens[i]; k++)
            x = (x ^ (unsigned char)rec->fields[i][k]) * prime;
    }
    *h = x;
    return HC_OK;
}

/* Reads the input with and without the plain-block fast path: records
 * and errors must be the same (libcsv is the authority). */
static void check_fast_path(const uint8_t *data, size_t size, const hc_csv_options *opt)
{
    uint64_t h[2] = {UINT64_C(14695981039346656037), UINT64_C(14695981039346656037)};
    hc_error e[2];
    hc_status st[2];
    for (int slow = 0; slow < 2; slow++) {
        hc_csv_options o = *opt;
        o.libcsv_only = slow;
        hc_error_clear(&e[slow]);
        st[slow] = hc_csv_read_buffer((const char *)data, size, "fuzz", &o, hash_record,
                                      &h[slow], &e[slow]);
    }
    if (st[0] != st[1] || h[0] != h[1] || e[0].line != e[1].line ||
        e[0].column != e[1].column || strcmp(e[0].message, e[1].message) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The first byte picks the delimiter and small limits, so that the
     * oversize and too-many-fields paths are reachable with short inputs,
     * and (bit 7) repeats the input to over 80 KiB: more than one 64 KiB
     * read block and, for short lines, more than one 4096-record batch of
     * the reader's two threads. */
    if (size < 1)
        return 0;
    static const char delims[4] = {',', ';', '\t', '|'};
    hc_csv_options opt = {.delimiter = delims[data[0] & 3],
                          .max_field = (data[0] & 4) ? 64 : 0,
                          .max_fields = (data[0] & 8) ? 8 : 0};
    int horizon = 1 + ((data[0] >> 4) & 7) * 10;
    int repeat = data[0] & 0x80, lead = data[0] & 3;
    data++;
    size--;
    uint8_t *copy = NULL;
    if (repeat && size > 0) {
        size_t times = 81920 / size + 1, n = 0;
        copy = malloc(times * size);
        if (!copy)
            return 0;
        for (size_t k = 0; k < times; k++, n += size)
            memcpy(copy + n, data, size);
        data = copy;
        size = n;
    }
    builder b = {.t = hc_table_alloc("fuzz"), .max_line = 1};
    if (!b.t) {
        free(copy);
        return 0;
    }
    for (size_t i = 0; i < size; i++)
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
            b.max_line++;
    check_fast_path(data, size, &opt);
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_csv_read_buffer((const char *)data, size, "fuzz", &opt,
                                      on_record, &b, &err);
    if (st != HC_OK && (err.status != st || err.message[0] == '\0'))
        abort(); /* every failure says why */
    char buf[2048];
    hc_error_format(&err, buf, sizeof buf);
    if (st == HC_OK && b.t->n_cols >= 2) {
        hc_snapshots s;
        if (hc_snapshots_from_table(b.t, NULL, &s, &err) == HC_OK) {
            b.t = NULL; /* owned by s now */
            /* Each account's rows are sorted by date without duplicates. */
            const int32_t *date = s.table->cols[s.date_col].code;
            for (size_t a = 0; a < s.n_accounts; a++)
                for (uint32_t k = s.account_start[a] + 1; k < s.account_start[a + 1]; k++)
                    if (date[s.order[k - 1]] >= date[s.order[k]])
                        abort();
            hc_label_options lo = {.horizon = horizon, .lead = lead,
                                   .as_of = HC_DATE_MISSING};
            hc_labels l;
            if (hc_labels_build(&s, NULL, &lo, &l, &err) == HC_OK) {
                if (l.observations + l.censored + l.post_churn + l.lead_churn !=
                    s.table->n_rows)
                    abort();
                hc_labels_release(&l);
            }
            hc_snapshots_release(&s);
        }
    }
    hc_table_free(b.t);
    free(copy);
    return 0;
}
