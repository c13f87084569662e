/* csv_load.c - loading a CSV file into a typed columnar table, a large file as two halves on two threads.
 *
 * Small files and standard input go through hc_csv_read (a parsing thread
 * and a converting thread). A regular file of at least split_min_bytes (8
 * MiB unless the option or HEALTHCAL_SPLIT_MIN_BYTES says otherwise) is cut
 * at a line end near the middle and each half is parsed and converted on
 * its own thread by an hc_csv_stream; see "Loading the two halves" below.
 */
#include "hc_csv.h"
#include "hc_date.h"
#include "hc_number.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Below this a file loads through hc_csv_read alone: splitting has a fixed
 * cost (a second thread and parser, row estimates, the join) that small
 * files do not repay. */
#define SPLIT_MIN_DEFAULT ((size_t)8 << 20)

/* The last string interned in a text column: consecutive rows often repeat
 * an id or a segment, and comparing with it is cheaper than hashing. */
typedef struct {
    const char *s;     /* the pool's copy (arena memory never moves) */
    size_t len;
    int32_t code;      /* -1: empty */
} text_cache;

typedef struct {
    const hc_load_options *opt;
    hc_table *t;
    int header_done;
    size_t n_header;
    int *map;          /* header field -> table column, or -1 (skipped) */
    int nonneg_col;    /* table column that must be >= 0, or -1 */
    const char *name;  /* file name for messages */
    text_cache *cache; /* per table column; one per thread */
    /* Field by field (hc_csv_stream): the header's fields are collected
     * here, and the first bad cell of a record waits in `pending` until the
     * record is complete, as a record with the wrong number of fields is
     * reported before any of its cells. */
    char **head;
    size_t *head_len;
    size_t head_n, head_cap;
    hc_status pending;
    hc_error pending_err;
    /* The rows `t` may take before the loader moves on to a table of its
     * own (`spill`): while the two halves of a file fill one table's arrays
     * in parallel, neither may grow them. SIZE_MAX: no limit. */
    size_t limit;
    hc_table *spill;
} loader;

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

static void loader_release(loader *ld)
{
    hc_table_free(ld->spill);
    ld->spill = NULL;
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
    if (loader_caches(ld) != HC_OK)
        return hc_error_nomem(err);
    return HC_OK;
}

/* Exact powers of ten for quick_number. */
static const double pow10_small[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* hc_number_parse for the common shape -?digits(.digits)? with at most 15
 * digits, inline. The value is the same: both divide the exact integer of
 * the digits by an exact power of ten in one correctly rounded IEEE
 * operation (Clinger 1990), and "-0" is -0.0 in both. Returns 0 for any
 * other text, which then goes to hc_number_parse. */
static inline int quick_number(const char *s, size_t len, double *out)
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
    double v = (double)m;
    if (frac)
        v /= pow10_small[frac];
    *out = s[0] == '-' ? -v : v;
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

static hc_status load_cell(loader *ld, int c, size_t row, const char *s,
                           size_t len, long line, long column, hc_error *err)
{
    hc_column *col = &ld->t->cols[c];
    switch (col->type) {
    case HC_COL_NUM: {
        double v;
        hc_num_status ns = len && quick_number(s, len, &v) ? HC_NUM_OK
                                                           : hc_number_parse(s, len, &v);
        if (ns == HC_NUM_OK) {
            if (c == ld->nonneg_col && v < 0)
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

/* Moves the loader on from a full table to a new one of its own, with its
 * own pools (the text caches name codes of the old ones). */
static hc_status loader_spill(loader *ld)
{
    hc_table *u = table_like(ld->t);
    if (!u || hc_table_reserve(u, 1) != HC_OK) {
        hc_table_free(u);
        return HC_ENOMEM;
    }
    ld->spill = ld->t = u;
    ld->limit = SIZE_MAX;
    for (size_t c = 0; c < u->n_cols; c++)
        ld->cache[c] = (text_cache){NULL, 0, -1};
    return HC_OK;
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
    if (index == 0 && (ld->t->n_rows >= ld->limit ? loader_spill(ld) != HC_OK
                       : hc_table_reserve(ld->t, ld->t->n_rows + 1) != HC_OK)) {
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

static const hc_csv_field_handler stream_handler = {on_stream_field, on_stream_record};

/* ------------------------------------------------------------------ */
/* Loading the two halves of a large file in parallel                   */

/* Why two halves can be parsed apart and give the sequential result:
 * libcsv's state between records is its initial state, so a parser
 * started at a line end that is a record boundary sees what the
 * sequential parser sees from there on. Whether the chosen line end is a
 * boundary (and not a newline inside a quoted field) is known only once the
 * first half has been parsed up to it; if it is not, the second half's work
 * is thrown away and the first parser reads on. Line numbers of the second
 * half are shifted by the line count of the first; string codes come out
 * in the sequential order because the second half's pools are merged after
 * the first's, in their own order of first appearance.
 *
 * Memory: the first half fills rows [0, B) of the result table and the
 * second writes into the same arrays from row B on (a "view" with pools of
 * its own), B being the first half's estimated row count plus a margin.
 * At the end the second half's rows move down to meet the first's, within
 * pages already written: no second table, no copy into fresh pages. A
 * half that outgrows its room goes on in a table of its own (a spill),
 * appended at the end. */

typedef struct {
    loader ld;            /* shares the first half's header mapping */
    hc_table *view;       /* rows [at, ...) of the result's arrays */
    size_t at;
    hc_csv_stream *s;
    int fd;
    off_t from;           /* first byte of the half */
    char *buf;
    atomic_int cancel;    /* set when the first half makes this one moot */
    pthread_t thread;
    int io_error;
    hc_status st;
    hc_error err;
} shard;

/* The split threshold: the option, else HEALTHCAL_SPLIT_MIN_BYTES (a
 * decimal byte count, for tests and measurements), else 8 MiB. */
static size_t split_min_bytes(const hc_load_options *opt)
{
    if (opt->split_min_bytes)
        return opt->split_min_bytes;
    const char *e = getenv("HEALTHCAL_SPLIT_MIN_BYTES");
    if (e && *e >= '0' && *e <= '9') {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(e, &end, 10);
        if (*end == '\0' && errno == 0)
            return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    }
    return SPLIT_MIN_DEFAULT;
}

/* Reads up to `len` bytes at `at`, retrying on EINTR; -1 with errno set on
 * failure. */
static ssize_t read_at(int fd, char *buf, size_t len, off_t at)
{
    ssize_t got;
    do
        got = pread(fd, buf, len, at);
    while (got < 0 && errno == EINTR);
    return got;
}

/* Feeds the bytes [from, to) of the file (to < 0: to its end) to `s` in
 * pieces that end where hc_csv_read's 64 KiB blocks end, so that every
 * check falls where it would in a sequential read. Stops early when the
 * stream fails, `cancel` is set, or a read fails (*io_error = errno). */
static void feed_range(hc_csv_stream *s, int fd, off_t from, off_t to, char *buf,
                       atomic_int *cancel, int *io_error)
{
    const off_t block = HC_CSV_BLOCK_SIZE;
    for (off_t pos = from; to < 0 || pos < to;) {
        if (cancel && atomic_load_explicit(cancel, memory_order_relaxed))
            return;
        off_t end = (pos / block + 1) * block;
        if (to >= 0 && to < end)
            end = to;
        size_t want = (size_t)(end - pos);
        ssize_t got = read_at(fd, buf, want, pos);
        if (got < 0) {
            *io_error = errno ? errno : EIO;
            return;
        }
        if (got == 0)
            return; /* end of file */
        pos += got;
        /* A short read of a regular file is its end. */
        int block_end = pos % block == 0 || (size_t)got < want;
        if (hc_csv_stream_feed(s, buf, (size_t)got, block_end) != 0)
            return;
    }
}

/* The byte after the first line feed at or after the middle of [from,
 * size), or -1 when there is none before the end. */
static off_t find_split(int fd, off_t from, off_t size, char *buf)
{
    for (off_t pos = from + (size - from) / 2; pos < size;) {
        ssize_t got = read_at(fd, buf, HC_CSV_BLOCK_SIZE, pos);
        if (got <= 0)
            return -1;
        const char *nl = memchr(buf, '\n', (size_t)got);
        if (nl)
            return pos + (nl - buf) + 1;
        pos += got;
    }
    return -1;
}

/* Rows expected in [from, to): the bytes over the mean line length of 16
 * windows of 4 KiB spread across the range (lines of a sorted file differ
 * from one end to the other), so that the room reserved for the first half
 * is rarely short or much too long. */
static size_t estimate_rows(int fd, off_t from, off_t to, char *buf)
{
    size_t bytes = 0, lines = 0;
    for (int w = 0; w < 16; w++) {
        off_t at = from + (to - from) / 16 * w;
        size_t want = to - at < 4096 ? (size_t)(to - at) : 4096;
        ssize_t got = want ? read_at(fd, buf, want, at) : 0;
        if (got <= 0)
            break;
        bytes += (size_t)got;
        for (const char *p = buf, *e = buf + got;
             (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
            lines++;
    }
    double mean = lines ? (double)bytes / (double)lines : (bytes ? (double)bytes : 64.0);
    return (size_t)((double)(to - from) / mean);
}

/* A table of t's columns whose arrays are rows [at, t->cap_rows) of t's,
 * with pools and missing counts of its own. Its rows are limited to that
 * room; release with view_free. */
static hc_table *view_of(hc_table *t, size_t at)
{
    hc_table *v = table_like(t);
    if (!v)
        return NULL;
    for (size_t c = 0; c < v->n_cols; c++) {
        hc_column *col = &v->cols[c];
        free(col->num);
        free(col->code);
        col->num = t->cols[c].num ? t->cols[c].num + at : NULL;
        col->code = t->cols[c].code ? t->cols[c].code + at : NULL;
    }
    free(v->line);
    v->line = t->line + at;
    v->cap_rows = t->cap_rows - at;
    return v;
}

static void view_free(hc_table *v)
{
    if (!v)
        return;
    for (size_t c = 0; c < v->n_cols; c++)
        v->cols[c].num = NULL, v->cols[c].code = NULL;
    v->line = NULL;
    hc_table_free(v);
}

/* Brings the view's rows (at row `at` of t's arrays) down or up to row
 * t->n_rows, carrying their codes into t's pools (after t's own strings,
 * in the view's order) and their lines forward by `shift`. */
static hc_status join_view(hc_table *t, hc_table *v, size_t at, uint32_t shift)
{
    size_t to = t->n_rows, n = v->n_rows;
    for (size_t c = 0; c < t->n_cols; c++) {
        hc_column *d = &t->cols[c];
        const hc_column *s = &v->cols[c];
        if (d->type == HC_COL_NUM) {
            memmove(d->num + to, d->num + at, n * sizeof *d->num);
        } else if (d->type == HC_COL_DATE) {
            memmove(d->code + to, d->code + at, n * sizeof *d->code);
        } else {
            size_t k = hc_strpool_count(s->pool);
            int32_t *map = malloc((k ? k : 1) * sizeof *map);
            if (!map || hc_strpool_merge(d->pool, s->pool, map) != HC_OK) {
                free(map);
                return HC_ENOMEM;
            }
            /* In place: forward when moving down, backward when up. */
            if (to <= at)
                for (size_t r = 0; r < n; r++) {
                    int32_t x = d->code[at + r];
                    d->code[to + r] = x < 0 ? -1 : map[x];
                }
            else
                for (size_t r = n; r-- > 0;) {
                    int32_t x = d->code[at + r];
                    d->code[to + r] = x < 0 ? -1 : map[x];
                }
            free(map);
        }
        d->n_missing += s->n_missing;
    }
    if (to <= at)
        for (size_t r = 0; r < n; r++)
            t->line[to + r] = t->line[at + r] + shift;
    else
        for (size_t r = n; r-- > 0;)
            t->line[to + r] = t->line[at + r] + shift;
    t->n_rows = to + n;
    return HC_OK;
}

static void *shard_main(void *arg)
{
    shard *sh = arg;
    feed_range(sh->s, sh->fd, sh->from, -1, sh->buf, &sh->cancel, &sh->io_error);
    if (!atomic_load(&sh->cancel))
        sh->st = hc_csv_stream_finish(sh->s, sh->io_error, &sh->err);
    return NULL;
}

static void shard_release(shard *sh)
{
    hc_csv_stream_free(sh->s);
    view_free(sh->view);
    loader_release(&sh->ld);
    free(sh->buf);
}

/* Starts the second half [split, end of file) on a thread, writing into
 * ld->t's arrays from row `at`. Returns 0, or -1 (nothing to release) when
 * it cannot start. */
static int shard_start(shard *sh, const loader *ld, int fd, off_t split, size_t at)
{
    memset(sh, 0, sizeof *sh);
    sh->ld = *ld;
    sh->ld.cache = NULL;
    sh->ld.head = NULL;
    sh->ld.head_len = NULL;
    sh->ld.head_n = sh->ld.head_cap = 0;
    sh->ld.spill = NULL;
    sh->view = sh->ld.t = view_of(ld->t, at);
    sh->at = at;
    if (sh->view) {
        sh->ld.limit = sh->view->cap_rows;
        if (loader_caches(&sh->ld) == HC_OK)
            sh->s = hc_csv_stream_alloc(ld->name, &ld->opt->csv, 0, &stream_handler,
                                        &sh->ld);
    }
    sh->buf = malloc(HC_CSV_BLOCK_SIZE);
    sh->fd = fd;
    sh->from = split;
    atomic_init(&sh->cancel, 0);
    if (sh->s && sh->buf) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, shard_main, sh) == 0) {
            sh->thread = thread;
            return 0;
        }
    }
    shard_release(sh);
    return -1;
}

/* Appends a loader's spill table, if any, to t and frees it. */
static hc_status append_spill(hc_table *t, loader *ld, uint32_t shift)
{
    if (!ld->spill)
        return HC_OK;
    hc_status st = hc_table_append(t, ld->spill, shift);
    hc_table_free(ld->spill);
    ld->spill = NULL;
    return st;
}

/* Puts the halves together in t: t's own rows [0, n1) stay, then the
 * first half's spill, the view's rows, the second half's spill. */
static hc_status join_halves(hc_table *t, loader *ld1, shard *sh, uint32_t shift)
{
    size_t n1 = t->n_rows, k1 = ld1->spill ? ld1->spill->n_rows : 0;
    size_t n2 = sh->view->n_rows;
    if (k1 > 0) {
        /* The first half filled its room (n1 == at): lift the view's rows
         * clear of the spill's, then append the spill below them. */
        if (hc_table_reserve(t, n1 + k1 + n2) != HC_OK)
            return HC_ENOMEM;
        for (size_t c = 0; c < t->n_cols; c++) {
            hc_column *col = &t->cols[c];
            if (col->type == HC_COL_NUM)
                memmove(col->num + n1 + k1, col->num + sh->at, n2 * sizeof *col->num);
            else
                memmove(col->code + n1 + k1, col->code + sh->at, n2 * sizeof *col->code);
        }
        memmove(t->line + n1 + k1, t->line + sh->at, n2 * sizeof *t->line);
        sh->at = n1 + k1;
        if (append_spill(t, ld1, 0) != HC_OK)
            return HC_ENOMEM;
    }
    if (join_view(t, sh->view, sh->at, shift) != HC_OK ||
        append_spill(t, &sh->ld, shift) != HC_OK)
        return HC_ENOMEM;
    /* The view's old rows above the joined table were written: give those
     * pages back. */
    hc_table_shrink(t);
    return HC_OK;
}

/* Loads the regular file open on `fd` (`size` bytes) in two halves. The
 * first half, header included, is read on this thread by a stream that
 * can go on to the end of the file; the second on another thread. */
static hc_status load_split(int fd, off_t size, loader *ld, hc_load_report *rep,
                            hc_error *err)
{
    char *buf = malloc(HC_CSV_BLOCK_SIZE);
    hc_csv_stream *s1 = buf ? hc_csv_stream_alloc(ld->name, &ld->opt->csv, 1,
                                                  &stream_handler, ld)
                            : NULL;
    if (!s1) {
        free(buf);
        return hc_error_nomem(err);
    }
    hc_table *t = ld->t;
    ld->limit = SIZE_MAX;
    int io1 = 0;
    /* The header first, line by line from the first block, so that the
     * body (and the split point) starts right after it. */
    ssize_t got0 = read_at(fd, buf, HC_CSV_BLOCK_SIZE, 0);
    size_t off = 0;
    if (got0 < 0)
        io1 = errno ? errno : EIO;
    while (got0 > 0 && !ld->header_done && off < (size_t)got0) {
        const char *nl = memchr(buf + off, '\n', (size_t)got0 - off);
        size_t end = nl ? (size_t)(nl - buf) + 1 : (size_t)got0;
        /* The first block ends at 64 KiB or at the end of the file. */
        int stop = hc_csv_stream_feed(s1, buf + off, end - off, end == (size_t)got0);
        off = end;
        if (stop)
            break;
    }
    off_t pos = (off_t)off, split = -1;
    shard sh;
    if (got0 > 0 && ld->header_done && hc_csv_stream_between_records(s1) &&
        pos < size) {
        split = find_split(fd, pos, size, buf);
        if (split <= pos || split >= size)
            split = -1;
    }
    if (split > 0) {
        /* Room for the first half's estimated rows and a margin of 1/128,
         * then for the second's with a margin of 1/8 (pages never written
         * cost nothing). */
        size_t n1 = estimate_rows(fd, pos, split, buf);
        size_t n2 = estimate_rows(fd, split, size, buf);
        size_t at = n1 + n1 / 128 + 1024;
        if (hc_table_reserve(t, at + n2 + n2 / 8 + 1024) != HC_OK ||
            shard_start(&sh, ld, fd, split, at) != 0)
            split = -1;
        else
            ld->limit = at;
    }
    hc_status st;
    if (split < 0) {
        feed_range(s1, fd, pos, -1, buf, NULL, &io1);
        st = hc_csv_stream_finish(s1, io1, err);
    } else {
        feed_range(s1, fd, pos, split, buf, NULL, &io1);
        if (io1 == 0 && hc_csv_stream_between_records(s1)) {
            long shift = hc_csv_stream_line(s1) - 1;
            st = hc_csv_stream_finish(s1, 0, err);
            if (st != HC_OK)
                atomic_store(&sh.cancel, 1);
            pthread_join(sh.thread, NULL);
            if (st == HC_OK) {
                rep->split_at = (long long)split;
                rep->spilled = (ld->spill != NULL) + (sh.ld.spill != NULL);
            }
            if (st == HC_OK && sh.st != HC_OK) {
                /* The first half is clean: the second's first error is
                 * the file's. Its lines count from the split. */
                if (sh.err.line > 0)
                    sh.err.line += shift;
                if (err)
                    *err = sh.err;
                st = sh.st;
            } else if (st == HC_OK) {
                ld->t = t;
                if (join_halves(t, ld, &sh, (uint32_t)shift) != HC_OK)
                    st = hc_error_nomem(err);
            }
        } else {
            /* A failure, or a quoted field spans the split: the second
             * half's work is void and this stream reads on, free to grow
             * the table again. */
            atomic_store(&sh.cancel, 1);
            pthread_join(sh.thread, NULL);
            ld->limit = SIZE_MAX;
            rep->fell_back = 1;
            if (io1 == 0)
                feed_range(s1, fd, split, -1, buf, NULL, &io1);
            st = hc_csv_stream_finish(s1, io1, err);
            rep->spilled = ld->spill != NULL;
        }
        shard_release(&sh);
    }
    ld->t = t;
    if (st == HC_OK && append_spill(t, ld, 0) != HC_OK)
        st = hc_error_nomem(err);
    hc_csv_stream_free(s1);
    free(buf);
    return st;
}

/* Opens `path` for a split load when it is a regular file of at least the
 * threshold size; returns the descriptor or -1 (load sequentially). Files
 * of 2^33 bytes or more stay sequential: only they can hold the 2^32 - 1
 * rows at which the loader stops, and that check counts rows from the top. */
static int open_for_split(const char *path, const hc_load_options *opt, off_t *size)
{
    if (strcmp(path, "-") == 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1; /* hc_csv_read reports it */
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size < split_min_bytes(opt) ||
        (uintmax_t)st.st_size >= (uintmax_t)2 * UINT32_MAX) {
        close(fd);
        return -1;
    }
    *size = st.st_size;
    return fd;
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
    off_t size = 0;
    int fd = open_for_split(path, opt, &size);
    hc_load_report rep = {0, 0, 0};
    hc_status st;
    if (fd >= 0) {
        st = load_split(fd, size, &ld, &rep, err);
        close(fd);
    } else {
        st = hc_csv_read(path, &opt->csv, on_record, &ld, err);
    }
    if (st == HC_OK && !ld.header_done)
        st = hc_error_set(err, HC_EDATA, name, 0, 0,
                          "the file is empty (a header row is required)");
    free(ld.map);
    loader_release(&ld);
    if (opt->report)
        *opt->report = rep;
    if (st != HC_OK) {
        hc_table_free(ld.t);
        return st;
    }
    *out = ld.t;
    return HC_OK;
}
