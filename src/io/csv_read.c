/* csv_read.c - streaming RFC 4180 reader on libcsv: a parsing thread and an in-order record consumer, or a push stream.
 *
 * hc_csv_read: libcsv's parse runs in the calling thread, which copies each
 * record's fields into a batch; the record callback runs on a second thread
 * over full batches, in file order. Parsing (the floor of any CSV tool) and
 * converting fields to columns then overlap on two cores. Two batches
 * alternate, so memory stays bounded whatever the file size.
 *
 * hc_csv_stream: the same parser and checks, fed bytes by the caller, with
 * each field handed to the caller's handler straight from libcsv's buffer,
 * on the calling thread and without copies. The table loader runs one
 * stream per half of a large file (csv_load.c).
 *
 * Both hand the complete records of a plain block (no quote, NUL or byte
 * above 0x7f) to csv_plain.c's tokenizer instead of libcsv, when libcsv
 * stands between records: it finds the fields and records libcsv would,
 * several times faster, and on_plain_line passes them on as libcsv's
 * callbacks would (or, a whole record at once, to a stream handler's
 * `row`). The incomplete record at the end of such a block, and every
 * other block, go to libcsv. hc_csv_options.libcsv_only turns this off,
 * for the differential tests (tests/unit/test_csv_fastpath.c).
 */
#include "hc_csv.h"
#include "csv_plain.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 65536
#define BATCH_RECORDS 4096
#define N_BATCHES 2

typedef struct {
    char *bytes;          /* field bytes, each field NUL-terminated */
    size_t n_bytes, cap_bytes;
    size_t *off;          /* per field: offset into bytes */
    size_t *len;
    size_t n_fields, cap_off, cap_len;
    size_t *rec_first;    /* per record: index of its first field */
    size_t *rec_n;
    long *rec_line;
    size_t n_recs;
    int full;             /* handed to the consumer, not yet processed */
    int last;             /* no batch follows */
} batch;

struct hc_csv_stream {
    const char *name;
    hc_csv_options opt;
    hc_csv_record_fn fn;
    void *ctx;
    /* producer state */
    struct csv_parser p;
    int parser_ready;     /* csv_init succeeded: csv_free is due */
    int bom_check;        /* the next bytes are the first of the file */
    int plain;            /* every byte fed so far is ASCII, not NUL, not a
                             quote (block_is_plain) */
    int fast;             /* plain blocks may go to hc_csv_plain_parse */
    char *scratch;        /* a writable copy of a plain block's records
                             (the tokenizer ends fields with NULs) */
    size_t scratch_cap;
    char **line_text;     /* the tokenizer's fields of one line */
    size_t *line_len;
    size_t line_cap;
    int direct;           /* a stream: fields go straight to `handler` */
    hc_csv_field_handler handler;
    hc_error perr;        /* the parser's own error */
    hc_status pstatus;
    batch batches[N_BATCHES];
    int cur;              /* batch being filled */
    size_t rec_fields;    /* fields in the current record so far */
    long line;            /* current physical line (1-based) */
    long record_line;     /* line where the current record started */
    int last_was_cr;
    /* consumer state, shared under `mu` */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    hc_error *cerr;       /* where the consumer writes its error: the
                             caller's record, or own_cerr for a stream */
    hc_error own_cerr;
    hc_status cstatus;
    atomic_int stop;      /* the consumer failed: stop parsing */
    int threaded;
    pthread_t thread;
    char **fields;        /* the in-place consumer's field pointers */
    size_t fields_cap;
};

typedef struct hc_csv_stream reader;

static void fail(reader *r, hc_status st, long line, long col, const char *msg)
{
    if (r->pstatus == HC_OK)
        r->pstatus = hc_error_set(&r->perr, st, r->name, line, col, "%s", msg);
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

static inline int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static void batch_free(batch *b)
{
    free(b->bytes);
    free(b->off);
    free(b->len);
    free(b->rec_first);
    free(b->rec_n);
    free(b->rec_line);
}

static int batch_init(batch *b)
{
    memset(b, 0, sizeof *b);
    b->rec_first = malloc(BATCH_RECORDS * sizeof *b->rec_first);
    b->rec_n = malloc(BATCH_RECORDS * sizeof *b->rec_n);
    b->rec_line = malloc(BATCH_RECORDS * sizeof *b->rec_line);
    return b->rec_first && b->rec_n && b->rec_line ? 0 : -1;
}

/* Consumer: calls the record callback for every record of a batch. */
static hc_status consume(reader *r, const batch *b, char ***fields, size_t *cap)
{
    for (size_t k = 0; k < b->n_recs; k++) {
        size_t n = b->rec_n[k], first = b->rec_first[k];
        if (n > *cap) {
            char **f = realloc(*fields, n * sizeof *f);
            if (!f)
                return hc_error_nomem(r->cerr);
            *fields = f;
            *cap = n;
        }
        for (size_t i = 0; i < n; i++)
            (*fields)[i] = b->bytes + b->off[first + i];
        hc_csv_record rec = {*fields, b->len + first, n, b->rec_line[k]};
        hc_status st = r->fn(r->ctx, &rec, r->cerr);
        if (st != HC_OK)
            return st;
    }
    return HC_OK;
}

static void *consumer_main(void *arg)
{
    reader *r = arg;
    char **fields = NULL;
    size_t cap = 0;
    for (int i = 0;; i = (i + 1) % N_BATCHES) {
        batch *b = &r->batches[i];
        pthread_mutex_lock(&r->mu);
        while (!b->full)
            pthread_cond_wait(&r->cv, &r->mu);
        pthread_mutex_unlock(&r->mu);
        hc_status st = r->stop ? HC_OK : consume(r, b, &fields, &cap);
        int last = b->last;
        pthread_mutex_lock(&r->mu);
        if (st != HC_OK) {
            r->cstatus = st;
            r->stop = 1;
        }
        b->full = 0;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        if (last)
            break;
    }
    free(fields);
    return NULL;
}

/* Producer: hands the current batch to the consumer and waits for the next
 * one to be free. Without a thread, consumes in place. */
static void hand_over(reader *r, int last)
{
    batch *b = &r->batches[r->cur];
    b->last = last;
    if (!r->threaded) {
        if (!r->stop) {
            hc_status st = consume(r, b, &r->fields, &r->fields_cap);
            if (st != HC_OK) {
                r->cstatus = st;
                r->stop = 1;
            }
        }
    } else {
        pthread_mutex_lock(&r->mu);
        b->full = 1;
        pthread_cond_broadcast(&r->cv);
        r->cur = (r->cur + 1) % N_BATCHES;
        batch *next = &r->batches[r->cur];
        while (next->full)
            pthread_cond_wait(&r->cv, &r->mu);
        pthread_mutex_unlock(&r->mu);
    }
    b = &r->batches[r->cur];
    b->n_bytes = b->n_fields = b->n_recs = 0;
}

/* One pass over the bytes of a field: rejects NUL and invalid UTF-8 and
 * counts the newlines embedded in quoted fields so line numbers stay true.
 * Returns 0, or -1 after failing the reader. */
static int check_field(reader *r, const unsigned char *s, size_t len, long col)
{
    /* Eight bytes at a time while all are printable ASCII (0x20..0x7e):
     * a byte below 0x20 or above 0x7e sets its top bit in one of the two
     * terms (the "has less" / "has more" tests of Anderson's bit hacks). */
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t below = (x - UINT64_C(0x2020202020202020)) & ~x;
        uint64_t above = (x + UINT64_C(0x0101010101010101)) | x;
        if ((below | above) & UINT64_C(0x8080808080808080))
            break;
    }
    while (i < len) {
        unsigned char c = s[i];
        if ((unsigned char)(c - 0x20) < 0x5f) { /* printable ASCII: the common case */
            i++;
            continue;
        }
        if (c < 0x80) {
            if (c == 0) {
                fail(r, HC_EDATA, r->line, col, "NUL byte in field");
                return -1;
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
            return -1;
        }
        i += n;
    }
    return 0;
}

/* A field ended: checks it and hands it on. `check` is 0 when the field
 * is known to be plain (see block_is_plain). */
static inline void take_field(reader *r, void *data, size_t len, int check)
{
    if (r->pstatus != HC_OK || r->stop)
        return;
    long col = (long)r->rec_fields + 1;
    if (r->rec_fields >= r->opt.max_fields) {
        char msg[96];
        snprintf(msg, sizeof msg, "too many fields in one record (the limit is %zu)",
                 r->opt.max_fields);
        fail(r, HC_EDATA, r->record_line, col, msg);
        return;
    }
    if (len > r->opt.max_field) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "field of %zu bytes is longer than the limit of %zu bytes", len,
                 r->opt.max_field);
        fail(r, HC_EDATA, r->record_line, col, msg);
        return;
    }
    const unsigned char *s = data ? data : (const unsigned char *)"";
    if (check && check_field(r, s, len, col) != 0)
        return;
    if (r->direct) {
        hc_status st = r->handler.field(r->ctx, r->rec_fields, (const char *)s, len,
                                        r->record_line, r->cerr);
        if (st != HC_OK) {
            r->cstatus = st;
            r->stop = 1;
            return;
        }
        r->rec_fields++;
        return;
    }
    batch *b = &r->batches[r->cur];
    if (grow((void **)&b->bytes, &b->cap_bytes, b->n_bytes + len + 1, 1) ||
        grow((void **)&b->off, &b->cap_off, b->n_fields + 1, sizeof *b->off) ||
        grow((void **)&b->len, &b->cap_len, b->n_fields + 1, sizeof *b->len)) {
        fail(r, HC_ENOMEM, 0, 0, "out of memory");
        return;
    }
    if (len)
        memcpy(b->bytes + b->n_bytes, s, len);
    b->bytes[b->n_bytes + len] = '\0';
    b->off[b->n_fields] = b->n_bytes;
    b->len[b->n_fields] = len;
    b->n_fields++;
    b->n_bytes += len + 1;
    r->rec_fields++;
}

/* libcsv's field callback. Plain input (see block_is_plain) holds no
 * field that could fail the check or hold a newline. */
static void on_field(void *data, size_t len, void *ctx)
{
    reader *r = ctx;
    take_field(r, data, len, !r->plain);
}

/* A record ended on a line end (`term`, or -1 at the end of the input):
 * the next record starts on the next line. */
static inline void next_line(reader *r, int term)
{
    if (term != -1)
        r->line++;
    r->record_line = r->line;
}

static void on_record(int term, void *ctx)
{
    reader *r = ctx;
    if (r->pstatus != HC_OK || r->stop)
        return;
    /* CSV_REPALL_NL reports every terminator; the LF of a CRLF pair is an
     * empty record that must not count as a line. */
    int crlf_tail = term == '\n' && r->last_was_cr && r->rec_fields == 0;
    r->last_was_cr = term == '\r';
    if (crlf_tail)
        return;
    if (r->rec_fields > 0 && r->direct) {
        hc_status st = r->handler.record(r->ctx, r->rec_fields, r->record_line, r->cerr);
        r->rec_fields = 0;
        if (st != HC_OK) {
            r->cstatus = st;
            r->stop = 1;
            return;
        }
    } else if (r->rec_fields > 0) {
        batch *b = &r->batches[r->cur];
        b->rec_first[b->n_recs] = b->n_fields - r->rec_fields;
        b->rec_n[b->n_recs] = r->rec_fields;
        b->rec_line[b->n_recs] = r->record_line;
        b->n_recs++;
        r->rec_fields = 0;
        if (b->n_recs == BATCH_RECORDS)
            hand_over(r, 0);
    }
    next_line(r, term);
}

/* hc_csv_plain_parse's callback: a line's fields, all within one plain
 * block, so they need no byte check. A whole record that passes the
 * limits goes to the handler's `row` at once, with the effect of the
 * field and record calls below (for a record with fields, on_record
 * reduces to the handler's call and next_line). */
static void on_plain_line(char **text, size_t *len, size_t n, int term, void *ctx)
{
    reader *r = ctx;
    if (r->direct && r->handler.row && term && n > 0 && r->rec_fields == 0 &&
        n <= r->opt.max_fields && r->pstatus == HC_OK && !r->stop) {
        size_t i = 0;
        while (i < n && len[i] <= r->opt.max_field)
            i++;
        if (i == n) {
            r->last_was_cr = term == '\r';
            hc_csv_record rec = {text, len, n, r->record_line};
            hc_status st = r->handler.row(r->ctx, &rec, r->cerr);
            if (st != HC_OK) {
                r->cstatus = st;
                r->stop = 1;
                return;
            }
            next_line(r, term);
            return;
        }
    }
    for (size_t i = 0; i < n; i++)
        take_field(r, text[i], len[i], 0);
    if (term)
        on_record(term, r);
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

/* True when no byte is NUL, a quote or above 0x7f. Without quotes every
 * field is unquoted, so no field holds a CR or LF (they end unquoted
 * fields), and ASCII without NUL is valid: check_field could find nothing,
 * so the reader skips it while all input so far is plain. Eight bytes at a
 * time with the "has zero byte" test of Anderson's bit hacks, exact for a
 * whole word; the loop has no early exit so that it vectorizes. */
static int block_is_plain(const unsigned char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t highs = UINT64_C(0x8080808080808080);
    const uint64_t quotes = UINT64_C(0x2222222222222222);
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t q = x ^ quotes;
        acc |= x | ((x - ones) & ~x) | ((q - ones) & ~q);
    }
    int plain = (acc & highs) == 0;
    for (; i < len; i++)
        plain &= s[i] != 0 && s[i] != '"' && s[i] < 0x80;
    return plain;
}

/* Sets up the parser and the batches; `err` receives the consumer's
 * errors (NULL: the reader's own record). */
static hc_status reader_start(reader *r, hc_error *err)
{
    if (!r->opt.delimiter)
        r->opt.delimiter = ',';
    if (!r->opt.max_field)
        r->opt.max_field = (size_t)1 << 20;
    if (!r->opt.max_fields)
        r->opt.max_fields = 4096;
    r->line = r->record_line = 1;
    r->plain = 1;
    r->fast = !r->opt.libcsv_only &&
              hc_csv_plain_delim_ok((unsigned char)r->opt.delimiter);
    r->cerr = err ? err : &r->own_cerr;
    hc_error_clear(&r->perr);
    hc_error_clear(&r->own_cerr);
    int ok = 1;
    for (int i = 0; i < N_BATCHES && !r->direct; i++)
        ok &= batch_init(&r->batches[i]) == 0;
    /* Room for a line of as many fields as a record may have and one more,
     * the field that breaks the limit (at most 4097: a longer line comes
     * in parts, which on_plain_line takes field by field). */
    if (r->fast) {
        r->line_cap = (r->opt.max_fields < 4096 ? r->opt.max_fields : 4096) + 1;
        r->line_text = malloc(r->line_cap * sizeof *r->line_text);
        r->line_len = malloc(r->line_cap * sizeof *r->line_len);
        ok &= r->line_text && r->line_len;
    }
    /* A stream hands libcsv's own buffer to the handler: CSV_APPEND_NULL
     * makes it a C string. */
    unsigned char options = CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI;
    if (r->direct)
        options |= CSV_APPEND_NULL;
    if (!ok || csv_init(&r->p, options) != 0)
        return hc_error_nomem(err);
    r->parser_ready = 1;
    csv_set_delim(&r->p, (unsigned char)r->opt.delimiter);
    return HC_OK;
}

/* Hands `len` bytes to libcsv and reports its parse errors. */
static void parse_libcsv(reader *r, const char *data, size_t len)
{
    struct csv_parser *p = &r->p;
    if (len == 0 || r->pstatus != HC_OK || r->stop)
        return;
    if (csv_parse(p, data, len, on_field, on_record, r) != len &&
        r->pstatus == HC_OK && !r->stop) {
        if (csv_error(p) == CSV_EPARSE)
            fail(r, HC_EDATA, r->line + newlines(p->entry_buf, p->entry_pos),
                 (long)r->rec_fields + 1,
                 "malformed quoting (a quote inside an unquoted field, "
                 "or text after a closing quote)");
        else
            fail(r, HC_ENOMEM, 0, 0, "out of memory");
    }
}

/* True when libcsv stands between records: ROW_NOT_BEGUN is state 0 in
 * libcsv.c (not exported by csv.h), where no field has begun since the
 * last record ended, so not inside quotes either. */
static int libcsv_between_records(const reader *r)
{
    return r->p.pstate == 0 && r->p.entry_pos == 0 && r->rec_fields == 0;
}

/* Parses a plain block: the end of a record libcsv has begun goes to
 * libcsv, the complete records after it to the tokenizer, and the
 * incomplete record at the end to libcsv again, which holds it for the
 * next block. libcsv is then in the state it would be in had it parsed
 * the whole block. */
static void feed_plain(reader *r, const char *data, size_t len)
{
    size_t from = 0;
    if (!libcsv_between_records(r)) {
        while (from < len && data[from] != '\n' && data[from] != '\r')
            from++;
        from += from < len; /* the line end too */
        parse_libcsv(r, data, from);
        if (!libcsv_between_records(r)) { /* inside quotes, or no line end */
            parse_libcsv(r, data + from, len - from);
            return;
        }
    }
    size_t to = len; /* just past the last line end */
    while (to > from && data[to - 1] != '\n' && data[to - 1] != '\r')
        to--;
    if (to > from && r->pstatus == HC_OK && !r->stop) {
        if (grow((void **)&r->scratch, &r->scratch_cap, to - from, 1)) {
            fail(r, HC_ENOMEM, 0, 0, "out of memory");
            return;
        }
        memcpy(r->scratch, data + from, to - from);
        hc_csv_plain_parse(r->scratch, to - from, (unsigned char)r->opt.delimiter,
                           r->line_text, r->line_len, r->line_cap, on_plain_line, r);
    }
    parse_libcsv(r, data + to, len - to);
}

/* Parses `len` bytes. `block_end` is set when they end a 64 KiB block of
 * the input (counted from its first byte) or the input itself: the check
 * for a runaway field runs only there, so that a file read in any pieces
 * fails exactly as one read in blocks does. */
static void reader_feed(reader *r, const char *data, size_t len, int block_end)
{
    if (r->pstatus != HC_OK || r->stop || len == 0)
        return;
    if (r->bom_check) {
        r->bom_check = 0;
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
            data += 3; /* UTF-8 byte-order mark */
            len -= 3;
        }
    }
    int plain = (r->plain || r->fast) && block_is_plain((const unsigned char *)data, len);
    r->plain &= plain;
    if (r->fast && plain)
        feed_plain(r, data, len);
    else
        parse_libcsv(r, data, len);
    /* libcsv buffers a field whole before calling back: stop a runaway
     * field (a stray quote, a file without line ends) at the limit
     * instead of holding all of it in memory. */
    struct csv_parser *p = &r->p;
    if (block_end && r->pstatus == HC_OK && p->entry_pos > r->opt.max_field) {
        char msg[128];
        snprintf(msg, sizeof msg, "field longer than the limit of %zu bytes",
                 r->opt.max_field);
        fail(r, HC_EDATA, r->record_line, (long)r->rec_fields + 1, msg);
    }
}

/* Ends the input: reports a read error, flushes the last record, hands the
 * last batch over and joins the consumer. Returns the first error in file
 * order: a consumer error (its records precede any parse error, which
 * stops records from being handed over) or else the parser's. */
static hc_status reader_finish(reader *r, int io_error)
{
    if (r->pstatus == HC_OK && io_error)
        r->pstatus = hc_error_set(&r->perr, HC_EIO, r->name, 0, 0,
                                  "read failed: %s", strerror(io_error));
    if (r->pstatus == HC_OK && !r->stop &&
        csv_fini(&r->p, on_field, on_record, r) != 0)
        fail(r, HC_EDATA, r->record_line, (long)r->rec_fields + 1,
             "unterminated quoted field (the file ends inside quotes)");
    /* Records before a parse error are still consumed, so that an earlier
     * bad value is the one reported. */
    if (!r->direct)
        hand_over(r, 1);
    if (r->threaded) {
        pthread_join(r->thread, NULL);
        r->threaded = 0;
    }
    if (r->cstatus != HC_OK)
        return r->cstatus;
    if (r->pstatus != HC_OK)
        return r->pstatus;
    return HC_OK;
}

/* Frees what reader_start allocated (not the reader itself). */
static void reader_release(reader *r)
{
    if (r->parser_ready)
        csv_free(&r->p);
    r->parser_ready = 0;
    for (int i = 0; i < N_BATCHES; i++)
        batch_free(&r->batches[i]);
    memset(r->batches, 0, sizeof r->batches);
    free(r->fields);
    r->fields = NULL;
    r->fields_cap = 0;
    free(r->scratch);
    r->scratch = NULL;
    r->scratch_cap = 0;
    free(r->line_text);
    free(r->line_len);
    r->line_text = NULL;
    r->line_len = NULL;
    r->line_cap = 0;
}

/* Copies the error of a failed reader to `err`. */
static hc_status reader_error(reader *r, hc_status st, hc_error *err)
{
    if (st == HC_OK)
        return HC_OK;
    if (r->cstatus != HC_OK) {
        if (err && r->cerr != err)
            *err = *r->cerr;
        return r->cstatus;
    }
    if (r->pstatus == HC_ENOMEM)
        return hc_error_nomem(err);
    if (err)
        *err = r->perr;
    return r->pstatus;
}

typedef size_t (*chunk_fn)(void *src, char *buf, size_t size, int *io_error);

static hc_status run(reader *r, chunk_fn next, void *src, hc_error *err)
{
    char *buf = malloc(BLOCK_SIZE);
    if (!buf || reader_start(r, err) != HC_OK) {
        free(buf);
        reader_release(r);
        return hc_error_nomem(err);
    }
    r->bom_check = 1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->threaded = pthread_create(&r->thread, NULL, consumer_main, r) == 0;

    int io_error = 0;
    size_t got;
    while (r->pstatus == HC_OK && !r->stop &&
           (got = next(src, buf, BLOCK_SIZE, &io_error)) > 0)
        reader_feed(r, buf, got, 1);
    hc_status st = reader_finish(r, io_error);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(buf);
    reader_release(r);
    return reader_error(r, st, err);
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
    if (m->len == m->pos)
        return 0; /* also keeps a NULL buffer of length 0 away from memcpy */
    size_t n = m->len - m->pos < size ? m->len - m->pos : size;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return n;
}

static void reader_init(reader *r, const char *name, const hc_csv_options *opt,
                        hc_csv_record_fn fn, void *ctx)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    if (opt)
        r->opt = *opt;
    r->fn = fn;
    r->ctx = ctx;
}

hc_status hc_csv_read(const char *path, const hc_csv_options *opt,
                      hc_csv_record_fn fn, void *ctx, hc_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot open: %s",
                            strerror(errno));
    reader *r = malloc(sizeof *r);
    if (!r) {
        if (!is_stdin)
            fclose(f);
        return hc_error_nomem(err);
    }
    reader_init(r, is_stdin ? "<stdin>" : path, opt, fn, ctx);
    hc_status st = run(r, file_chunk, f, err);
    free(r);
    if (!is_stdin)
        fclose(f);
    return st;
}

hc_status hc_csv_read_buffer(const char *data, size_t len, const char *name,
                             const hc_csv_options *opt, hc_csv_record_fn fn,
                             void *ctx, hc_error *err)
{
    mem_src m = {data, len, 0};
    reader *r = malloc(sizeof *r);
    if (!r)
        return hc_error_nomem(err);
    reader_init(r, name, opt, fn, ctx);
    hc_status st = run(r, mem_chunk, &m, err);
    free(r);
    return st;
}

hc_csv_stream *hc_csv_stream_alloc(const char *name, const hc_csv_options *opt,
                                   int file_start,
                                   const hc_csv_field_handler *handler, void *ctx)
{
    reader *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    reader_init(r, name, opt, NULL, ctx);
    r->direct = 1;
    r->handler = *handler;
    if (reader_start(r, NULL) != HC_OK) {
        reader_release(r);
        free(r);
        return NULL;
    }
    r->bom_check = file_start != 0;
    return r;
}

int hc_csv_stream_feed(hc_csv_stream *s, const char *data, size_t len,
                       int block_end)
{
    reader_feed(s, data, len, block_end);
    return s->pstatus == HC_OK && !s->stop ? 0 : -1;
}

int hc_csv_stream_between_records(const hc_csv_stream *s)
{
    return s->pstatus == HC_OK && !s->stop && libcsv_between_records(s);
}

long hc_csv_stream_line(const hc_csv_stream *s)
{
    return s->line;
}

hc_status hc_csv_stream_finish(hc_csv_stream *s, int io_error, hc_error *err)
{
    return reader_error(s, reader_finish(s, io_error), err);
}

void hc_csv_stream_free(hc_csv_stream *s)
{
    if (!s)
        return;
    reader_release(s);
    free(s);
}
