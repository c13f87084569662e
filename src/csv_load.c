/* csv_load.c - loading a CSV file into a typed columnar table. */
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_number.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const hc_load_options *opt;
    hc_table *t;
    int header_done;
    size_t n_header;
    int *map;          /* header field -> table column, or -1 (skipped) */
    int nonneg_col;    /* table column that must be >= 0, or -1 */
    const char *name;  /* file name for messages */
} loader;

static hc_status load_header(loader *ld, const hc_csv_record *rec,
                             hc_error *err)
{
    const hc_load_options *opt = ld->opt;
    ld->n_header = rec->n;
    ld->map = malloc(rec->n * sizeof *ld->map);
    if (!ld->map)
        return hc_error_nomem(err);
    for (size_t i = 0; i < rec->n; i++) {
        if (rec->lens[i] == 0)
            return hc_error_set(err, HC_EDATA, ld->name, rec->line, (long)i + 1,
                                "header: column %zu has an empty name", i + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(rec->fields[i], rec->fields[j]) == 0)
                return hc_error_set(err, HC_EDATA, ld->name, rec->line,
                                    (long)i + 1,
                                    "header: duplicate column name '%s' "
                                    "(columns %zu and %zu)",
                                    rec->fields[i], j + 1, i + 1);
    }
    /* Named columns first, in the order the caller listed them. */
    for (size_t s = 0; s < opt->n_cols; s++) {
        size_t i;
        for (i = 0; i < rec->n; i++)
            if (strcmp(rec->fields[i], opt->cols[s].name) == 0)
                break;
        if (i == rec->n) {
            if (opt->cols[s].required)
                return hc_error_set(err, HC_EDATA, ld->name, rec->line, 0,
                                    "header: required column '%s' is missing",
                                    opt->cols[s].name);
            continue;
        }
        if (hc_table_find(ld->t, opt->cols[s].name) >= 0)
            continue; /* listed twice by the caller */
        int c = hc_table_add_column(ld->t, opt->cols[s].name, opt->cols[s].type);
        if (c < 0)
            return hc_error_nomem(err);
    }
    for (size_t i = 0; i < rec->n; i++) {
        int c = hc_table_find(ld->t, rec->fields[i]);
        if (c < 0 && opt->extra == HC_EXTRA_NUM) {
            c = hc_table_add_column(ld->t, rec->fields[i], HC_COL_NUM);
            if (c < 0)
                return hc_error_nomem(err);
        }
        ld->map[i] = c;
    }
    /* Looked up once here, not per row: a wide file would pay a scan of
     * every column name on every record. */
    ld->nonneg_col = -1;
    if (opt->negative_error_col >= 0)
        ld->nonneg_col = hc_table_find(ld->t, opt->cols[opt->negative_error_col].name);
    return HC_OK;
}

static hc_status load_cell(loader *ld, hc_column *col, size_t row,
                           const char *s, size_t len, long line, long column,
                           int nonnegative, hc_error *err)
{
    switch (col->type) {
    case HC_COL_NUM: {
        double v;
        hc_num_status ns = hc_number_parse(s, len, &v);
        if (ns == HC_NUM_OK) {
            if (nonnegative && v < 0)
                return hc_error_set(err, HC_EDATA, ld->name, line, column,
                                    "column '%s': negative value %s is not "
                                    "allowed", col->name, s);
            col->num[row] = v;
        } else if (ns == HC_NUM_MISSING) {
            col->num[row] = NAN;
            col->n_missing++;
        } else {
            return hc_error_set(err, HC_EDATA, ld->name, line, column,
                                "column '%s': '%.60s' is %s", col->name, s,
                                ns == HC_NUM_RANGE
                                    ? "out of the range of a double"
                                    : "not a number");
        }
        break;
    }
    case HC_COL_DATE: {
        int32_t day;
        if (hc_date_parse(s, len, &day) != 0)
            return hc_error_set(err, HC_EDATA, ld->name, line, column,
                                "column '%s': '%.60s' is not a valid "
                                "YYYY-MM-DD date",
                                col->name, s);
        col->code[row] = day;
        break;
    }
    case HC_COL_TEXT:
        if (hc_number_is_missing(s, len)) {
            col->code[row] = -1;
            col->n_missing++;
        } else {
            int32_t code = hc_strpool_intern(col->pool, s, len);
            if (code < 0)
                return hc_error_nomem(err);
            col->code[row] = code;
        }
        break;
    }
    return HC_OK;
}

static hc_status on_record(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    loader *ld = ctx;
    if (!ld->header_done) {
        ld->header_done = 1;
        return load_header(ld, rec, err);
    }
    if (rec->n != ld->n_header)
        return hc_error_set(err, HC_EDATA, ld->name, rec->line,
                            (long)(rec->n < ld->n_header ? rec->n : ld->n_header) + 1,
                            "expected %zu fields as in the header, found %zu",
                            ld->n_header, rec->n);
    hc_table *t = ld->t;
    size_t row = t->n_rows;
    if (row >= UINT32_MAX)
        return hc_error_set(err, HC_EDATA, ld->name, rec->line, 0,
                            "more than 4294967294 rows are not supported");
    if (hc_table_reserve(t, row + 1) != HC_OK)
        return hc_error_nomem(err);
    for (size_t i = 0; i < rec->n; i++) {
        int c = ld->map[i];
        if (c < 0)
            continue;
        hc_status st = load_cell(ld, &t->cols[c], row, rec->fields[i],
                                 rec->lens[i], rec->line, (long)i + 1,
                                 c == ld->nonneg_col, err);
        if (st != HC_OK)
            return st;
    }
    t->line[row] = (uint32_t)rec->line;
    t->n_rows = row + 1;
    return HC_OK;
}

hc_status hc_table_load_csv(const char *path, const hc_load_options *opt,
                            hc_table **out, hc_error *err)
{
    *out = NULL;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    loader ld = {0};
    ld.opt = opt;
    ld.name = name;
    ld.t = hc_table_alloc(name);
    if (!ld.t)
        return hc_error_nomem(err);
    hc_status st = hc_csv_read(path, &opt->csv, on_record, &ld, err);
    if (st == HC_OK && !ld.header_done)
        st = hc_error_set(err, HC_EDATA, name, 0, 0,
                          "the file is empty (a header row is required)");
    free(ld.map);
    if (st != HC_OK) {
        hc_table_free(ld.t);
        return st;
    }
    *out = ld.t;
    return HC_OK;
}
