/* csv_read.c - streaming RFC 4180 reader on libcsv with line tracking and byte checks. */
#include "hc_csv.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 65536

typedef struct {
    const char *name;
    hc_csv_options opt;
    hc_csv_record_fn fn;
    void *ctx;
    hc_error *err;
    hc_status status;     /* first failure; later callbacks are ignored */
    /* the record being assembled */
    char **fields;
    size_t *lens;
    size_t *caps;
    size_t n, cap;
    long line;            /* current physical line (1-based) */
    long record_line;     /* line where the current record started */
    int last_was_cr;      /* previous terminator was CR (CRLF handling) */
} reader;

static void fail(reader *r, hc_status st, long line, long col, const char *msg)
{
    if (r->status == HC_OK)
        r->status = hc_error_set(r->err, st, r->name, line, col, "%s", msg);
}

/* Returns the length of the valid UTF-8 sequence at s, or 0. Overlongs,
 * surrogates and code points above U+10FFFF are invalid (RFC 3629). */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

static void on_field(void *data, size_t len, void *ctx)
{
    reader *r = ctx;
    if (r->status != HC_OK)
        return;
    long col = (long)r->n + 1;
    if (r->n >= r->opt.max_fields) {
        fail(r, HC_EDATA, r->record_line, col,
             "too many fields in one record (the limit is set by max_fields)");
        return;
    }
    if (len > r->opt.max_field) {
        char msg[128];
        snprintf(msg, sizeof msg, "field of %zu bytes is longer than the limit of %zu bytes",
                 len, r->opt.max_field);
        fail(r, HC_EDATA, r->record_line, col, msg);
        return;
    }
    /* One pass over the bytes: reject NUL and invalid UTF-8, count the
     * newlines embedded in quoted fields so line numbers stay true. */
    const unsigned char *s = data ? data : (const unsigned char *)"";
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == 0) {
                fail(r, HC_EDATA, r->line, col, "NUL byte in field");
                return;
            }
            if (c == '\n' || (c == '\r' && (i + 1 == len || s[i + 1] != '\n')))
                r->line++;
            i++;
            continue;
        }
        size_t n = utf8_sequence(s + i, len - i);
        if (!n) {
            char msg[96];
            snprintf(msg, sizeof msg, "invalid UTF-8 byte 0x%02x in field", c);
            fail(r, HC_EDATA, r->line, col, msg);
            return;
        }
        i += n;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        char **f = realloc(r->fields, cap * sizeof *f);
        size_t *l = f ? realloc(r->lens, cap * sizeof *l) : NULL;
        size_t *c = l ? realloc(r->caps, cap * sizeof *c) : NULL;
        if (f)
            r->fields = f;
        if (l)
            r->lens = l;
        if (!c) {
            r->status = hc_error_nomem(r->err);
            return;
        }
        r->caps = c;
        for (size_t i = r->cap; i < cap; i++) {
            r->fields[i] = NULL;
            r->caps[i] = 0;
        }
        r->cap = cap;
    }
    if (r->caps[r->n] < len + 1) {
        size_t cap = len + 1 < 64 ? 64 : len + 1;
        char *p = realloc(r->fields[r->n], cap);
        if (!p) {
            r->status = hc_error_nomem(r->err);
            return;
        }
        r->fields[r->n] = p;
        r->caps[r->n] = cap;
    }
    if (len)
        memcpy(r->fields[r->n], s, len);
    r->fields[r->n][len] = '\0';
    r->lens[r->n] = len;
    r->n++;
}

static void on_record(int term, void *ctx)
{
    reader *r = ctx;
    if (r->status != HC_OK)
        return;
    /* CSV_REPALL_NL reports every terminator; the LF of a CRLF pair is an
     * empty record that must not count as a line. */
    int crlf_tail = term == '\n' && r->last_was_cr && r->n == 0;
    r->last_was_cr = term == '\r';
    if (crlf_tail)
        return;
    if (r->n > 0) {
        hc_csv_record rec = {r->fields, r->lens, r->n, r->record_line};
        hc_status st = r->fn(r->ctx, &rec, r->err);
        if (st != HC_OK && r->status == HC_OK)
            r->status = st;
    }
    r->n = 0;
    if (term != -1)
        r->line++;
    r->record_line = r->line;
}

/* Line ends in the part of a quoted field that libcsv holds when it stops
 * on an error, so the message names the physical line of the fault. */
static long newlines(const unsigned char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; s && i < len; i++)
        n += s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'));
    return n;
}

static void reader_release(reader *r)
{
    for (size_t i = 0; i < r->cap; i++)
        free(r->fields[i]);
    free(r->fields);
    free(r->lens);
    free(r->caps);
}

typedef size_t (*chunk_fn)(void *src, char *buf, size_t size, int *io_error);

static hc_status run(reader *r, chunk_fn next, void *src)
{
    if (!r->opt.delimiter)
        r->opt.delimiter = ',';
    if (!r->opt.max_field)
        r->opt.max_field = (size_t)1 << 20;
    if (!r->opt.max_fields)
        r->opt.max_fields = 4096;
    r->line = r->record_line = 1;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0)
        return hc_error_nomem(r->err);
    csv_set_delim(&p, (unsigned char)r->opt.delimiter);
    char *buf = malloc(BLOCK_SIZE);
    if (!buf) {
        csv_free(&p);
        return hc_error_nomem(r->err);
    }
    int first = 1, io_error = 0;
    size_t got;
    while (r->status == HC_OK && (got = next(src, buf, BLOCK_SIZE, &io_error)) > 0) {
        char *start = buf;
        if (first && got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
            start += 3; /* UTF-8 byte-order mark */
            got -= 3;
        }
        first = 0;
        if (csv_parse(&p, start, got, on_field, on_record, r) != got &&
            r->status == HC_OK) {
            if (csv_error(&p) == CSV_EPARSE)
                fail(r, HC_EDATA, r->line + newlines(p.entry_buf, p.entry_pos),
                     (long)r->n + 1,
                     "malformed quoting (a quote inside an unquoted field, "
                     "or text after a closing quote)");
            else
                r->status = hc_error_nomem(r->err);
        }
        /* libcsv buffers a field whole before calling back: stop a runaway
         * field (a stray quote, a file without line ends) at the limit
         * instead of holding all of it in memory. */
        if (r->status == HC_OK && p.entry_pos > r->opt.max_field) {
            char msg[128];
            snprintf(msg, sizeof msg, "field longer than the limit of %zu bytes",
                     r->opt.max_field);
            fail(r, HC_EDATA, r->record_line, (long)r->n + 1, msg);
        }
    }
    if (r->status == HC_OK && io_error)
        r->status = hc_error_set(r->err, HC_EIO, r->name, 0, 0,
                                 "read failed: %s", strerror(io_error));
    if (r->status == HC_OK && csv_fini(&p, on_field, on_record, r) != 0 &&
        r->status == HC_OK)
        fail(r, HC_EDATA, r->record_line, (long)r->n + 1,
             "unterminated quoted field (the file ends inside quotes)");
    free(buf);
    csv_free(&p);
    reader_release(r);
    return r->status;
}

static size_t file_chunk(void *src, char *buf, size_t size, int *io_error)
{
    FILE *f = src;
    size_t got = fread(buf, 1, size, f);
    if (got == 0 && ferror(f))
        *io_error = errno ? errno : EIO;
    return got;
}

typedef struct {
    const char *data;
    size_t len, pos;
} mem_src;

static size_t mem_chunk(void *src, char *buf, size_t size, int *io_error)
{
    (void)io_error;
    mem_src *m = src;
    size_t n = m->len - m->pos < size ? m->len - m->pos : size;
    if (n == 0)
        return 0; /* also keeps a NULL buffer of length 0 away from memcpy */
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return n;
}

hc_status hc_csv_read(const char *path, const hc_csv_options *opt,
                      hc_csv_record_fn fn, void *ctx, hc_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot open: %s",
                            strerror(errno));
    reader r = {0};
    r.name = is_stdin ? "<stdin>" : path;
    if (opt)
        r.opt = *opt;
    r.fn = fn;
    r.ctx = ctx;
    r.err = err;
    hc_status st = run(&r, file_chunk, f);
    if (!is_stdin)
        fclose(f);
    return st;
}

hc_status hc_csv_read_buffer(const char *data, size_t len, const char *name,
                             const hc_csv_options *opt, hc_csv_record_fn fn,
                             void *ctx, hc_error *err)
{
    mem_src m = {data, len, 0};
    reader r = {0};
    r.name = name;
    if (opt)
        r.opt = *opt;
    r.fn = fn;
    r.ctx = ctx;
    r.err = err;
    return run(&r, mem_chunk, &m);
}
