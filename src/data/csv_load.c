/* csv_load.c - loading a CSV file into a typed columnar table: the header, cells and records.
 *
 * Small files and standard input go through hc_csv_read (a parsing thread
 * and a converting thread). A regular file of at least split_min_bytes (8
 * MiB unless the option or HEALTHCAL_SPLIT_MIN_BYTES says otherwise) is cut
 * at a line end near the middle and each half is parsed and converted on
 * its own thread by the split strategy (csv_split.c), which reaches the
 * cell and record code below only through the parts this file hands it
 * (split_ops).
 */
#include "csv_split.h"
#include "hc_date.h"
#include "hc_number.h"
#include "table_num.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The last string interned in a text column: consecutive rows often repeat
 * an id or a segment, and comparing with it is cheaper than hashing. */
typedef struct {
    const char *s;     /* the pool's copy (arena memory never moves) */
    size_t len;
    int32_t code;      /* -1: empty */
} text_cache;

/* The loader's state for the records of one file, or of one part of it
 * (a split load's second half, which shares the first's header). */
typedef struct {
    const hc_load_options *opt;
    hc_table *t;
    int header_done;
    size_t n_header;
    int *map;          /* header field -> table column, or -1 (skipped) */
    int owns_map;      /* 0 in a part that shares another's header */
    int nonneg_col;    /* table column that must be >= 0, or -1 */
    const hc_ingest_options *in; /* how dates and numbers are written */
    unsigned num_flags; /* hc_number_parse_loose flags (money added for
                           nonneg_col) */
    int comma_strict;  /* --decimal-comma: '.' is never a decimal point,
                          so the plain-number fast path is off */
    const char *name;  /* file name for messages */
    text_cache *cache; /* per table column; one per part */
    /* Field by field (hc_csv_stream): the header's fields are collected
     * here, and the first bad cell of a record waits in `pending` until the
     * record is complete, as a record with the wrong number of fields is
     * reported before any of its cells. */
    char **head;
    size_t *head_len;
    size_t head_n, head_cap;
    hc_status pending;
    hc_error pending_err;
} loader;

/* Allocates the loader's per-column text caches for its table's columns
 * (after the header made them). Returns HC_OK or HC_ENOMEM. */
static hc_status loader_caches(loader *ld)
{
    free(ld->cache);
    ld->cache = malloc((ld->t->n_cols ? ld->t->n_cols : 1) * sizeof *ld->cache);
    if (!ld->cache)
        return HC_ENOMEM;
    for (size_t c = 0; c < ld->t->n_cols; c++)
        ld->cache[c] = (text_cache){NULL, 0, -1};
    return HC_OK;
}

/* Frees what the loader owns besides its table. */
static void loader_release(loader *ld)
{
    if (ld->owns_map)
        free(ld->map);
    ld->map = NULL;
    for (size_t i = 0; i < ld->head_n; i++)
        free(ld->head[i]);
    free(ld->head);
    free(ld->head_len);
    free(ld->cache);
    ld->head = NULL;
    ld->head_len = NULL;
    ld->head_n = ld->head_cap = 0;
    ld->cache = NULL;
}

static hc_status load_header(loader *ld, const hc_csv_record *rec,
                             hc_error *err)
{
    const hc_load_options *opt = ld->opt;
    ld->n_header = rec->n;
    ld->map = malloc(rec->n * sizeof *ld->map);
    ld->owns_map = 1;
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
    ld->in = opt->ingest ? opt->ingest : hc_ingest_default();
    ld->comma_strict = ld->in->decimal_comma != 0;
    ld->num_flags = ld->comma_strict             ? HC_NUMF_DECIMAL_COMMA
                    : opt->csv.delimiter == ';' ? HC_NUMF_COMMA_AUTO
                                                : 0;
    if (loader_caches(ld) != HC_OK)
        return hc_error_nomem(err);
    return HC_OK;
}

/* hc_number_parse for the common shape -?digits(.digits)? with at most 15
 * digits, inline, giving its decimal form: the value is (*neg ? -1 : 1) *
 * *m / 10^*frac, which is also the double hc_number_parse gives, as both
 * divide the exact integer of the digits by an exact power of ten in one
 * correctly rounded IEEE operation (Clinger 1990); "-0" is -0.0 in both.
 * Returns 0 for any other text, which then goes to
 * hc_number_parse_decimal. */
static inline int quick_decimal(const char *s, size_t len, uint64_t *m_out, unsigned *frac_out,
                                int *neg)
{
    size_t i = s[0] == '-';
    uint64_t m = 0;
    size_t first = i;
    while (i < len && (unsigned)(s[i] - '0') < 10)
        m = m * 10 + (uint64_t)(s[i++] - '0');
    size_t int_digits = i - first, frac = 0;
    if (i < len && s[i] == '.') {
        size_t point = ++i;
        while (i < len && (unsigned)(s[i] - '0') < 10)
            m = m * 10 + (uint64_t)(s[i++] - '0');
        frac = i - point;
        if (frac == 0)
            return 0;
    }
    if (i != len || int_digits == 0 || int_digits + frac > 15)
        return 0;
    *m_out = m;
    *frac_out = (unsigned)frac;
    *neg = s[0] == '-';
    return 1;
}

/* hc_number_is_missing inline (the text of every text cell is checked):
 * after trimming spaces and tabs, empty, NA, NaN or null in any case.
 * Comparing c | 0x20 with a lower-case letter accepts exactly that letter
 * in either case, as strncasecmp does for these ASCII letters. */
static inline int is_missing(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    switch (len) {
    case 0:
        return 1;
    case 2:
        return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'a';
    case 3:
        return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'a' && (s[2] | 0x20) == 'n';
    case 4:
        return (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' &&
               (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l';
    default:
        return 0;
    }
}

/* Stores one cell of any type, or fills `err`. */
static hc_status load_any_cell(loader *ld, int c, size_t row, const char *s,
                               size_t len, long line, long column, hc_error *err)
{
    hc_column *col = &ld->t->cols[c];
    switch (col->type) {
    case HC_COL_NUM: {
        double v;
        hc_decimal dec;
        /* Plain numbers first (unless a decimal comma makes '.' a
         * separator), then the forms people write. */
        hc_num_status ns = ld->comma_strict ? HC_NUM_INVALID
                                            : hc_number_parse_decimal(s, len, &v, &dec);
        if (ns == HC_NUM_INVALID)
            ns = hc_number_parse_loose(s, len,
                                       ld->num_flags | (c == ld->nonneg_col ? HC_NUMF_MONEY : 0),
                                       &v, &dec);
        if (ns == HC_NUM_OK) {
            if (c == ld->nonneg_col && v < 0)
                return hc_error_set(err, HC_EDATA, ld->name, line, column,
                                    "column '%s': negative value %s is not "
                                    "allowed", col->name, s);
            if (hc_numcol_store(ld->t, c, row, v, &dec) != HC_OK)
                return hc_error_nomem(err);
        } else if (ns == HC_NUM_MISSING) {
            hc_numcol_store_missing(col, row);
            col->n_missing++;
        } else {
            /* A cell without a digit is a word: a grade, a colour, a flag. */
            const char *w = s + (*s == '-' || *s == '+');
            int word = ns != HC_NUM_RANGE && strpbrk(s, "0123456789") == NULL &&
                       strncasecmp(w, "nan", 3) != 0 && strncasecmp(w, "inf", 3) != 0;
            return hc_error_set(err, HC_EDATA, ld->name, line, column,
                                "column '%s': '%.60s' is %s%s", col->name, s,
                                ns == HC_NUM_RANGE
                                    ? "out of the range of a double"
                                    : "not a number",
                                word ? "; a column of text levels (grades, colours, "
                                       "flags) is read as text by a categorical metric "
                                       "of the config, or by --text-cols COLUMN"
                                     : "");
        }
        break;
    }
    case HC_COL_DATE: {
        int32_t day, ms = -1;
        if (hc_date_parse(s, len, &day) != 0 &&
            hc_date_parse_ext(s, len, ld->in->date_format, &ld->in->tz, &day, &ms) != 0) {
            const char *f = ld->in->date_format;
            return hc_error_set(err, HC_EDATA, ld->name, line, column,
                                "column '%s': '%.60s' is not a valid YYYY-MM-DD date "
                                "or ISO 8601 timestamp%s%s%s",
                                col->name, s, f ? ", nor a date in --date-format '" : "",
                                f ? f : "", f ? "'" : " (other orders need --date-format)");
        }
        col->code[row] = day;
        if (ms >= 0) {
            if (!col->tod && hc_table_date_tod(ld->t, c) != HC_OK)
                return hc_error_nomem(err);
            col->tod[row] = ms;
        } else if (col->tod) {
            col->tod[row] = -1;
        }
        break;
    }
    case HC_COL_TEXT:
        if (is_missing(s, len)) {
            col->code[row] = -1;
            col->n_missing++;
        } else {
            text_cache *tc = &ld->cache[c];
            if (tc->code < 0 || tc->len != len || memcmp(tc->s, s, len) != 0) {
                int32_t code = hc_strpool_intern(col->pool, s, len);
                if (code < 0)
                    return hc_error_nomem(err);
                *tc = (text_cache){hc_strpool_get(col->pool, code), len, code};
            }
            col->code[row] = tc->code;
        }
        break;
    }
    return HC_OK;
}

/* load_any_cell, with the most common case first: a plain number in a
 * numeric column that fits the column's storage, stored exactly as
 * load_any_cell would store it. Small enough to be inlined into the
 * per-record loops, where the call and its eight arguments cost as much
 * as the number; anything else (a negative value where it is an error, a
 * value that widens the column) goes to load_any_cell. */
static inline hc_status load_cell(loader *ld, int c, size_t row, const char *s,
                                  size_t len, long line, long column, hc_error *err)
{
    hc_column *col = &ld->t->cols[c];
    uint64_t m;
    unsigned frac;
    int neg;
    /* The value is negative when it has a minus sign and is not zero. */
    if (col->type == HC_COL_NUM && len && !ld->comma_strict &&
        quick_decimal(s, len, &m, &frac, &neg) &&
        !(neg && m && c == ld->nonneg_col) && hc_numcol_store_fast(col, row, m, frac, neg))
        return HC_OK;
    return load_any_cell(ld, c, row, s, len, line, column, err);
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
        hc_status st = load_cell(ld, c, row, rec->fields[i], rec->lens[i],
                                 rec->line, (long)i + 1, err);
        if (st != HC_OK)
            return st;
    }
    t->line[row] = (uint32_t)rec->line;
    t->n_rows = row + 1;
    return HC_OK;
}

/* A table with the columns of `t` and no rows. */
static hc_table *table_like(const hc_table *t)
{
    hc_table *u = hc_table_alloc(t->source);
    for (size_t c = 0; u && c < t->n_cols; c++)
        if (hc_table_add_column(u, t->cols[c].name, t->cols[c].type) < 0) {
            hc_table_free(u);
            return NULL;
        }
    return u;
}

/* The stream's field handler: the same work as on_record, a cell at a
 * time into the next row. */
static hc_status on_stream_field(void *ctx, size_t index, const char *s, size_t len,
                                 long line, hc_error *err)
{
    loader *ld = ctx;
    if (!ld->header_done) {
        if (ld->head_n == ld->head_cap) {
            size_t cap = ld->head_cap ? ld->head_cap * 2 : 16;
            char **h = realloc(ld->head, cap * sizeof *h);
            if (h)
                ld->head = h;
            size_t *hl = realloc(ld->head_len, cap * sizeof *hl);
            if (hl)
                ld->head_len = hl;
            if (!h || !hl)
                return hc_error_nomem(err);
            ld->head_cap = cap;
        }
        char *copy = malloc(len + 1);
        if (!copy)
            return hc_error_nomem(err);
        memcpy(copy, s, len + 1);
        ld->head[ld->head_n] = copy;
        ld->head_len[ld->head_n++] = len;
        return HC_OK;
    }
    if (ld->pending != HC_OK || index >= ld->n_header)
        return HC_OK; /* the record fails at its end */
    if (index == 0 && hc_table_reserve(ld->t, ld->t->n_rows + 1) != HC_OK) {
        ld->pending = hc_error_nomem(&ld->pending_err);
        return HC_OK;
    }
    size_t row = ld->t->n_rows;
    int c = ld->map[index];
    if (c >= 0)
        ld->pending = load_cell(ld, c, row, s, len, line, (long)index + 1,
                                &ld->pending_err);
    return HC_OK;
}

static hc_status on_stream_record(void *ctx, size_t n, long line, hc_error *err)
{
    loader *ld = ctx;
    if (!ld->header_done) {
        hc_csv_record rec = {ld->head, ld->head_len, n, line};
        return on_record(ld, &rec, err);
    }
    if (n != ld->n_header)
        return hc_error_set(err, HC_EDATA, ld->name, line,
                            (long)(n < ld->n_header ? n : ld->n_header) + 1,
                            "expected %zu fields as in the header, found %zu",
                            ld->n_header, n);
    hc_table *t = ld->t;
    size_t row = t->n_rows;
    if (row >= UINT32_MAX)
        return hc_error_set(err, HC_EDATA, ld->name, line, 0,
                            "more than 4294967294 rows are not supported");
    if (ld->pending != HC_OK) {
        if (err)
            *err = ld->pending_err;
        return ld->pending;
    }
    t->line[row] = (uint32_t)line;
    t->n_rows = row + 1;
    return HC_OK;
}

static const hc_csv_field_handler stream_handler = {
    .field = on_stream_field, .record = on_stream_record, .row = on_record};

/* The split strategy's view of a loader (csv_split.h). */
static int part_header_done(const void *part)
{
    return ((const loader *)part)->header_done;
}

static hc_table *part_table(void *part)
{
    return ((loader *)part)->t;
}

static void part_free(void *part)
{
    loader *ld = part;
    if (!ld)
        return;
    hc_table_free(ld->t);
    loader_release(ld);
    free(ld);
}

/* A part sharing the header mapping of `first`, with a table and text
 * caches of its own. */
static void *part_alloc(void *first)
{
    const loader *f = first;
    loader *ld = calloc(1, sizeof *ld);
    if (!ld)
        return NULL;
    ld->opt = f->opt;
    ld->name = f->name;
    ld->header_done = 1;
    ld->n_header = f->n_header;
    ld->map = f->map;
    ld->nonneg_col = f->nonneg_col;
    ld->in = f->in;
    ld->num_flags = f->num_flags;
    ld->comma_strict = f->comma_strict;
    ld->t = table_like(f->t);
    if (!ld->t || loader_caches(ld) != HC_OK) {
        part_free(ld);
        return NULL;
    }
    return ld;
}

static const hc_csv_split_ops split_ops = {
    .handler = &stream_handler,
    .header_done = part_header_done,
    .table = part_table,
    .part_alloc = part_alloc,
    .part_free = part_free,
};

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
    off_t size = 0;
    int fd = hc_csv_split_open(path, opt, &size);
    hc_load_report rep = {0, 0, 0};
    hc_status st;
    if (fd >= 0) {
        st = hc_csv_split_load(fd, size, name, &opt->csv, &split_ops, &ld, &rep, err);
        close(fd);
    } else {
        st = hc_csv_read(path, &opt->csv, on_record, &ld, err);
    }
    if (st == HC_OK && !ld.header_done)
        st = hc_error_set(err, HC_EDATA, name, 0, 0,
                          "the file is empty (a header row is required)");
    loader_release(&ld);
    if (opt->report)
        *opt->report = rep;
    if (st != HC_OK) {
        hc_table_free(ld.t);
        return st;
    }
    hc_table_compact_lines(ld.t);
    *out = ld.t;
    return HC_OK;
}
