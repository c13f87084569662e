/* test_csv.c - CSV reading (libcsv), loading into tables, and safe CSV writing. */
#include "test_util.h"

#include <errno.h>
#include <unistd.h>

#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_date.h"
#include "hc_number.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

#define MAX_REC 64
#define MAX_FLD 16

/* Copies of the records a read delivered. */
typedef struct {
    size_t n;
    long line[MAX_REC];
    size_t nf[MAX_REC];
    char *f[MAX_REC][MAX_FLD];
    size_t len[MAX_REC][MAX_FLD];
    size_t stop_at; /* 1-based record at which the callback fails; 0 never */
} records;

static hc_status collect(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    records *r = ctx;
    if (r->stop_at && r->n + 1 == r->stop_at)
        return hc_error_set(err, HC_EDATA, "cb", rec->line, 1, "stopped by the callback");
    assert_true(r->n < MAX_REC);
    r->line[r->n] = rec->line;
    r->nf[r->n] = rec->n;
    for (size_t i = 0; i < rec->n && i < MAX_FLD; i++) {
        r->f[r->n][i] = malloc(rec->lens[i] + 1);
        assert_non_null(r->f[r->n][i]);
        memcpy(r->f[r->n][i], rec->fields[i], rec->lens[i] + 1);
        r->len[r->n][i] = rec->lens[i];
    }
    r->n++;
    return HC_OK;
}

static void records_free(records *r)
{
    for (size_t k = 0; k < r->n; k++)
        for (size_t i = 0; i < r->nf[k] && i < MAX_FLD; i++)
            free(r->f[k][i]);
    memset(r, 0, sizeof *r);
}

static hc_status read_mem(const char *data, size_t len, const hc_csv_options *opt,
                          records *r, hc_error *err)
{
    memset(r, 0, sizeof *r);
    hc_error_clear(err);
    return hc_csv_read_buffer(data, len, "mem.csv", opt, collect, r, err);
}

static hc_status read_str(const char *data, records *r, hc_error *err)
{
    return read_mem(data, strlen(data), NULL, r, err);
}

/* Asserts an error's status, line, column and a fragment of its message. */
static void assert_error(const hc_error *err, hc_status st, long line, long col,
                         const char *fragment)
{
    if (err->status != st || err->line != line || err->column != col ||
        !strstr(err->message, fragment)) {
        fprintf(stderr, "error %d at %ld:%ld '%s'; expected %d at %ld:%ld with '%s'\n",
                (int)err->status, err->line, err->column, err->message, (int)st, line,
                col, fragment);
        fail();
    }
}

/* Writes `len` bytes to a new temporary file; returns its path (static
 * storage, one at a time). */
static const char *temp_file(const void *data, size_t len)
{
    static char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/hc-test-csv.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static void test_bom_and_crlf(void **state)
{
    (void)state;
    records r;
    hc_error err;
    assert_int_equal(read_str("\xEF\xBB\xBF" "a,b\r\n1,2\r\n3,4\r\n", &r, &err), HC_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.f[0][0], "a"); /* the byte-order mark is gone */
    assert_int_equal(r.line[0], 1);
    assert_int_equal(r.line[1], 2); /* CRLF is one line end, not two */
    assert_int_equal(r.line[2], 3);
    assert_string_equal(r.f[2][1], "4");
    records_free(&r);
    /* A mark anywhere else is data (and valid UTF-8). */
    assert_int_equal(read_str("a\n\xEF\xBB\xBFx\n", &r, &err), HC_OK);
    assert_int_equal(r.len[1][0], 4);
    records_free(&r);
}

static void test_quoted_fields_and_line_numbers(void **state)
{
    (void)state;
    records r;
    hc_error err;
    const char *csv = "h1,h2\n"
                      "\"x,y\",\"say \"\"hi\"\"\"\n"
                      "\"two\nlines\",z\n"
                      "\"three\r\nCRLF\r\nlines\",w\n"
                      "last,1\n";
    assert_int_equal(read_str(csv, &r, &err), HC_OK);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.f[1][0], "x,y");
    assert_string_equal(r.f[1][1], "say \"hi\"");
    assert_string_equal(r.f[2][0], "two\nlines");
    assert_string_equal(r.f[3][0], "three\r\nCRLF\r\nlines");
    /* Records start on the physical line where they begin. */
    assert_int_equal(r.line[1], 2);
    assert_int_equal(r.line[2], 3);
    assert_int_equal(r.line[3], 5);
    assert_int_equal(r.line[4], 8);
    records_free(&r);
}

static void test_blank_lines_and_line_ends(void **state)
{
    (void)state;
    records r;
    hc_error err;
    /* Blank and space-only lines are skipped but still counted. */
    assert_int_equal(read_str("a\n\n\nb\n\r\n c \n   \nd", &r, &err), HC_OK);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.line[1], 4);
    assert_int_equal(r.line[2], 6);
    assert_string_equal(r.f[2][0], "c"); /* spaces around unquoted text trimmed */
    assert_int_equal(r.line[3], 8);     /* no final line end */
    records_free(&r);
    /* Old Mac line ends (lone CR). */
    assert_int_equal(read_str("a\rb\r\rc", &r, &err), HC_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.line[2], 4);
    records_free(&r);
    /* Empty quoted fields are fields. */
    assert_int_equal(read_str("a,\"\"\n\"\"\n", &r, &err), HC_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.nf[0], 2);
    assert_int_equal(r.nf[1], 1);
    assert_int_equal(r.len[1][0], 0);
    records_free(&r);
}

/* A CRLF split across libcsv blocks (64 KiB) and a quoted newline right at
 * the boundary must not disturb line numbers. */
static void test_block_boundaries(void **state)
{
    (void)state;
    const size_t block = 65536;
    size_t cap = 3 * block;
    char *buf = malloc(cap);
    assert_non_null(buf);
    /* Line 1: a field that ends one byte before the block end, then CR at
     * byte 65535 and LF at byte 65536. */
    memset(buf, 'a', block - 1);
    size_t n = block - 1;
    buf[n++] = '\r';
    buf[n++] = '\n';
    n += (size_t)snprintf(buf + n, cap - n, "b\r\n");
    /* A quoted field whose embedded CRLF straddles the second boundary. */
    buf[n++] = '"';
    while (n < 2 * block - 1)
        buf[n++] = 'q';
    buf[n++] = '\r';
    buf[n++] = '\n';
    n += (size_t)snprintf(buf + n, cap - n, "q\"\r\nlast\r\n");
    records r;
    hc_error err;
    assert_int_equal(read_mem(buf, n, NULL, &r, &err), HC_OK);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.len[0][0], block - 1);
    assert_int_equal(r.line[1], 2);
    assert_string_equal(r.f[1][0], "b");
    assert_int_equal(r.line[2], 3);
    assert_int_equal(r.line[3], 5);
    assert_string_equal(r.f[3][0], "last");
    records_free(&r);
    free(buf);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    records r;
    hc_error err;
    assert_int_equal(read_str("a,b\n1,2\n3,\"open\nstill open\n", &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 3, 2, "unterminated quoted field");
    assert_string_equal(err.file, "mem.csv");
    records_free(&r);
}

static void test_malformed_quotes(void **state)
{
    (void)state;
    records r;
    hc_error err;
    assert_int_equal(read_str("a,b\n1,x\"y\n", &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 2, "malformed quoting");
    records_free(&r);
    assert_int_equal(read_str("a,b\n\"x\"y,1\n", &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 1, "malformed quoting");
    records_free(&r);
    /* Regression: after a quoted newline the fault is on the next physical
     * line (3), which the message named as line 2. */
    assert_int_equal(read_str("a,b\n1,\"x\ny\"z\n", &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 3, 2, "malformed quoting");
    records_free(&r);
}

static void test_nul_byte(void **state)
{
    (void)state;
    records r;
    hc_error err;
    static const char a[] = "a,b\n1,x\0y\n";
    assert_int_equal(read_mem(a, sizeof a - 1, NULL, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 2, "NUL byte");
    records_free(&r);
    /* Inside a quoted field, on the field's second physical line. */
    static const char b[] = "a\n\"l1\nl\0\"\n";
    assert_int_equal(read_mem(b, sizeof b - 1, NULL, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 3, 1, "NUL byte");
    records_free(&r);
}

/* The eight-bytes-at-a-time fast path of the byte check: a NUL, an invalid
 * UTF-8 byte or an embedded newline is found at every position of a long
 * field (property: the same verdict as the byte-by-byte rule), and a
 * valid multi-byte character at every position is accepted. */
static void test_byte_check_every_position(void **state)
{
    (void)state;
    for (size_t pos = 0; pos < 21; pos++) {
        char field[32];
        memset(field, 'x', 21);
        char data[64];
        records r;
        hc_error err;
        field[pos] = '\0';
        int n = snprintf(data, sizeof data, "a,b\n1,");
        memcpy(data + n, field, 21);
        memcpy(data + n + 21, "\n", 1);
        assert_int_equal(read_mem(data, (size_t)n + 22, NULL, &r, &err), HC_EDATA);
        assert_error(&err, HC_EDATA, 2, 2, "NUL byte");
        records_free(&r);
        field[pos] = (char)0xff;
        memcpy(data + n, field, 21);
        assert_int_equal(read_mem(data, (size_t)n + 22, NULL, &r, &err), HC_EDATA);
        assert_error(&err, HC_EDATA, 2, 2, "invalid UTF-8 byte 0xff");
        records_free(&r);
        if (pos + 2 <= 21) {
            memset(field, 'x', 21);
            field[pos] = (char)0xc3; /* U+00E9, valid */
            field[pos + 1] = (char)0xa9;
            memcpy(data + n, field, 21);
            assert_int_equal(read_mem(data, (size_t)n + 22, NULL, &r, &err), HC_OK);
            records_free(&r);
        }
    }
}

/* UTF-8 validity per RFC 3629 (table 3-7 of the Unicode Standard, "well-
 * formed UTF-8 byte sequences"). */
static void test_utf8_validation(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        int valid;
    } cases[] = {
        {"caf\xc3\xa9", 1},          /* U+00E9 */
        {"\xe2\x82\xac", 1},         /* U+20AC */
        {"\xf0\x9f\x98\x80", 1},     /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", 1},     /* U+10FFFF, the last code point */
        {"\xed\x9f\xbf", 1},         /* U+D7FF, just below the surrogates */
        {"\xee\x80\x80", 1},         /* U+E000, just above */
        {"caf\xe9", 0},              /* Latin-1 */
        {"\xc0\xaf", 0},             /* overlong '/' */
        {"\xc1\xbf", 0},             /* overlong */
        {"\xe0\x80\xaf", 0},         /* overlong 3-byte */
        {"\xf0\x80\x80\xaf", 0},     /* overlong 4-byte */
        {"\xed\xa0\x80", 0},         /* U+D800, a surrogate */
        {"\xed\xbf\xbf", 0},         /* U+DFFF */
        {"\xf4\x90\x80\x80", 0},     /* U+110000, beyond Unicode */
        {"\xf5\x80\x80\x80", 0},
        {"\xff", 0},
        {"\x80", 0},                 /* a lone continuation byte */
        {"\xe2\x82", 0},             /* truncated at the field's end */
        {"\xe2\x82x", 0},            /* truncated before ASCII */
        {"\xff\xfe" "a", 0},         /* a UTF-16 byte-order mark */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[64];
        int n = snprintf(csv, sizeof csv, "h,g\nok,%s\n", cases[i].bytes);
        records r;
        hc_error err;
        hc_status st = read_mem(csv, (size_t)n, NULL, &r, &err);
        if (cases[i].valid) {
            assert_int_equal(st, HC_OK);
            assert_string_equal(r.f[1][1], cases[i].bytes);
        } else {
            assert_int_equal(st, HC_EDATA);
            assert_error(&err, HC_EDATA, 2, 2, "invalid UTF-8");
        }
        records_free(&r);
    }
}

static void test_oversize_field(void **state)
{
    (void)state;
    hc_csv_options opt = {.max_field = 8};
    records r;
    hc_error err;
    const char *ok = "a,b\n12345678,1\n";
    assert_int_equal(read_mem(ok, strlen(ok), &opt, &r, &err), HC_OK);
    records_free(&r);
    const char *big = "a,b\n1,123456789\n";
    assert_int_equal(read_mem(big, strlen(big), &opt, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 2, "longer than the limit of 8 bytes");
    records_free(&r);
    /* A runaway quoted field several blocks long stops at the limit (the
     * check between blocks), without waiting for the end of the input. */
    size_t n = 300000;
    char *buf = malloc(n);
    assert_non_null(buf);
    memcpy(buf, "a\n\"", 3);
    memset(buf + 3, 'x', n - 3);
    opt.max_field = 1000;
    assert_int_equal(read_mem(buf, n, &opt, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 1, "longer than the limit of 1000 bytes");
    records_free(&r);
    /* The default limit is 1 MiB. */
    n = ((size_t)1 << 20) + 8;
    buf = realloc(buf, n);
    assert_non_null(buf);
    memcpy(buf, "a\n", 2);
    memset(buf + 2, 'y', n - 3);
    buf[n - 1] = '\n';
    assert_int_equal(read_mem(buf, n, NULL, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 1, "longer than the limit of 1048576 bytes");
    records_free(&r);
    free(buf);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    hc_csv_options opt = {.max_fields = 3};
    records r;
    hc_error err;
    const char *csv = "a,b,c\n1,2,3,4\n";
    assert_int_equal(read_mem(csv, strlen(csv), &opt, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 4, "too many fields");
    records_free(&r);
    /* The default is 4096 fields: 10,000 columns are refused at the header. */
    size_t cols = 10000, n = 0;
    char *buf = malloc(cols * 2 + 1);
    assert_non_null(buf);
    for (size_t i = 0; i < cols; i++) {
        buf[n++] = 'c';
        buf[n++] = i + 1 < cols ? ',' : '\n';
    }
    assert_int_equal(read_mem(buf, n, NULL, &r, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 1, 4097, "too many fields");
    records_free(&r);
    free(buf);
}

static void test_callback_stops_reading(void **state)
{
    (void)state;
    records r;
    memset(&r, 0, sizeof r);
    r.stop_at = 2;
    hc_error err;
    hc_error_clear(&err);
    const char *csv = "a\nb\nc\n";
    assert_int_equal(hc_csv_read_buffer(csv, strlen(csv), "mem.csv", NULL, collect, &r, &err),
                     HC_EDATA);
    assert_int_equal(r.n, 1); /* no record after the failing one */
    assert_error(&err, HC_EDATA, 2, 1, "stopped by the callback");
    records_free(&r);
}

/* Checks a long stream: record k (0-based) is the text "k" on line k + 1,
 * in order; fails on record `fail_at` (1-based) when set. */
typedef struct {
    size_t n;
    size_t fail_at;
    int out_of_order;
} counter;

static hc_status count_in_order(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    counter *c = ctx;
    char want[32];
    snprintf(want, sizeof want, "%zu", c->n);
    if (rec->n != 1 || strcmp(rec->fields[0], want) != 0 || rec->line != (long)c->n + 1)
        c->out_of_order = 1;
    c->n++;
    if (c->fail_at && c->n == c->fail_at)
        return hc_error_set(err, HC_EDATA, "cb", rec->line, 1, "callback failed at %zu", c->n);
    return HC_OK;
}

/* "0\n1\n...(n-1)\n" with `tail` appended; caller frees. */
static char *numbered_lines(size_t n, const char *tail, size_t *len)
{
    size_t cap = n * 12 + strlen(tail) + 1, k = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%zu\n", i);
    k += (size_t)snprintf(buf + k, cap - k, "%s", tail);
    *len = k;
    return buf;
}

/* Many records cross the reader's 4096-record batches (handed from the
 * parsing thread to the callback thread) and its 64 KiB read blocks: all
 * arrive, in order, with their lines; a failing callback stops the stream;
 * and the first fault in file order is the one reported. */
static void test_many_records_in_order(void **state)
{
    (void)state;
    size_t len;
    char *buf = numbered_lines(50000, "", &len);
    counter c = {0};
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_csv_read_buffer(buf, len, "many", NULL, count_in_order, &c, &err), HC_OK);
    assert_int_equal(c.n, 50000);
    assert_false(c.out_of_order);
    /* The callback fails at record 9000: nothing after it is delivered. */
    c = (counter){.fail_at = 9000};
    assert_int_equal(hc_csv_read_buffer(buf, len, "many", NULL, count_in_order, &c, &err),
                     HC_EDATA);
    assert_int_equal(c.n, 9000);
    assert_int_equal(err.line, 9000);
    assert_non_null(strstr(err.message, "callback failed at 9000"));
    free(buf);
    /* A parse fault after 20000 good records: those records all arrive,
     * then the fault is reported on its line. */
    buf = numbered_lines(20000, "x\"y\n20001\n", &len);
    c = (counter){0};
    assert_int_equal(hc_csv_read_buffer(buf, len, "many", NULL, count_in_order, &c, &err),
                     HC_EDATA);
    assert_int_equal(c.n, 20000);
    assert_false(c.out_of_order);
    assert_string_equal(err.file, "many");
    assert_int_equal(err.line, 20001);
    assert_non_null(strstr(err.message, "malformed quoting"));
    /* A bad value before a later parse fault wins: it comes first. */
    c = (counter){.fail_at = 100};
    assert_int_equal(hc_csv_read_buffer(buf, len, "many", NULL, count_in_order, &c, &err),
                     HC_EDATA);
    assert_int_equal(err.line, 100);
    assert_non_null(strstr(err.message, "callback failed"));
    free(buf);
}

static void test_other_delimiters(void **state)
{
    (void)state;
    records r;
    hc_error err;
    hc_csv_options semi = {.delimiter = ';'};
    const char *csv = "a;b;c\n1,5;\"x;y\";\"p,q\"\n";
    assert_int_equal(read_mem(csv, strlen(csv), &semi, &r, &err), HC_OK);
    assert_int_equal(r.nf[1], 3);
    assert_string_equal(r.f[1][0], "1,5");
    assert_string_equal(r.f[1][1], "x;y");
    assert_string_equal(r.f[1][2], "p,q");
    records_free(&r);
    hc_csv_options tab = {.delimiter = '\t'};
    csv = "a\tb\n 1 \t x y \n";
    assert_int_equal(read_mem(csv, strlen(csv), &tab, &r, &err), HC_OK);
    assert_int_equal(r.nf[1], 2);
    assert_string_equal(r.f[1][0], "1");
    assert_string_equal(r.f[1][1], "x y");
    records_free(&r);
}

static void test_empty_input(void **state)
{
    (void)state;
    records r;
    hc_error err;
    assert_int_equal(read_mem(NULL, 0, NULL, &r, &err), HC_OK);
    assert_int_equal(r.n, 0);
    assert_int_equal(read_str("\xEF\xBB\xBF", &r, &err), HC_OK);
    assert_int_equal(r.n, 0);
    assert_int_equal(read_str("\n\r\n\n", &r, &err), HC_OK);
    assert_int_equal(r.n, 0);
}

static void test_files_and_stdin(void **state)
{
    (void)state;
    records r;
    memset(&r, 0, sizeof r);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_csv_read("/nonexistent/dir/x.csv", NULL, collect, &r, &err), HC_EIO);
    assert_string_equal(err.file, "/nonexistent/dir/x.csv");
    assert_non_null(strstr(err.message, "cannot open"));

    const char *csv = "a,b\n1,2\n";
    const char *path = temp_file(csv, strlen(csv));
    assert_int_equal(hc_csv_read(path, NULL, collect, &r, &err), HC_OK);
    assert_int_equal(r.n, 2);
    records_free(&r);
    /* "-" reads standard input and names it <stdin> in messages. */
    const char *bad = "a,b\n1\n";
    FILE *saved = fdopen(dup(STDIN_FILENO), "r");
    const char *bad_path = temp_file(bad, strlen(bad));
    assert_non_null(freopen(bad_path, "r", stdin));
    records_free(&r);
    hc_table *t = NULL;
    hc_colspec cols[] = {{"a", HC_COL_NUM, 1}, {"b", HC_COL_NUM, 1}};
    hc_load_options lo = {.cols = cols, .n_cols = 2, .negative_error_col = -1};
    assert_int_equal(hc_table_load_csv("-", &lo, &t, &err), HC_EDATA);
    assert_null(t);
    assert_string_equal(err.file, "<stdin>");
    assert_int_equal(err.line, 2);
    unlink(path);
    unlink(bad_path);
    if (saved) {
        dup2(fileno(saved), STDIN_FILENO);
        fclose(saved);
    }
}

/* ------------------------------------------------------------------ */
/* Loading into a table                                                */

static hc_status load_text(const char *csv, char delim, const hc_colspec *cols,
                           size_t n_cols, hc_extra_policy extra, int nonneg,
                           hc_table **t, hc_error *err)
{
    const char *path = temp_file(csv, strlen(csv));
    hc_load_options lo = {.csv = {.delimiter = delim},
                          .cols = cols,
                          .n_cols = n_cols,
                          .extra = extra,
                          .negative_error_col = nonneg};
    hc_error_clear(err);
    hc_status st = hc_table_load_csv(path, &lo, t, err);
    /* Messages name the file: check it, then forget the random name. */
    if (st != HC_OK)
        assert_string_equal(err->file, path);
    unlink(path);
    return st;
}

static const hc_colspec snap_cols[] = {{"id", HC_COL_TEXT, 1},
                                       {"d", HC_COL_DATE, 1},
                                       {"x", HC_COL_NUM, 1},
                                       {"t", HC_COL_TEXT, 0}};

static void test_load_missing_values_and_spaces(void **state)
{
    (void)state;
    hc_table *t;
    hc_error err;
    const char *csv = "id,d,x,t\n"
                      "a,2024-01-01,NA,NA\n"
                      "b,2024-01-02,,null\n"
                      "c,2024-01-03, 12 ,x\n"
                      "d,2024-01-04,\" 7.5 \",NaN\n"
                      "e,2024-01-05,null,\n"
                      "f,2024-01-06,nan,\"\"\n"
                      "g,2024-01-07,\t-3\t,Na\n";
    assert_int_equal(load_text(csv, 0, snap_cols, 4, HC_EXTRA_SKIP, -1, &t, &err), HC_OK);
    assert_int_equal(t->n_rows, 7);
    const hc_column *x = &t->cols[2], *tx = &t->cols[3];
    assert_true(isnan(x->num[0]) && isnan(x->num[1]) && isnan(x->num[4]) && isnan(x->num[5]));
    assert_true(x->num[2] == 12.0);
    assert_true(x->num[3] == 7.5);
    assert_true(x->num[6] == -3.0);
    assert_int_equal(x->n_missing, 4);
    assert_int_equal(tx->n_missing, 6);
    assert_string_equal(hc_table_text(t, 3, 2), "x");
    assert_null(hc_table_text(t, 3, 0));
    int32_t d;
    assert_int_equal(hc_date_parse("2024-01-07", 10, &d), 0);
    assert_int_equal(t->cols[1].code[6], d);
    hc_table_free(t);
}

/* Source lines survive blank lines, CRLF and quoted newlines. */
static void test_load_line_numbers(void **state)
{
    (void)state;
    hc_table *t;
    hc_error err;
    const char *csv = "id,d,x\r\n"
                      "a,2024-01-01,1\r\n"
                      "\r\n"
                      "\"b\r\nb\",2024-01-02,2\r\n"
                      "c,2024-01-03,3\r\n";
    assert_int_equal(load_text(csv, 0, snap_cols, 3, HC_EXTRA_SKIP, -1, &t, &err), HC_OK);
    assert_int_equal(t->n_rows, 3);
    assert_int_equal(t->line[0], 2);
    assert_int_equal(t->line[1], 4);
    assert_int_equal(t->line[2], 6);
    assert_string_equal(hc_table_text(t, 0, 1), "b\r\nb");
    hc_table_free(t);
    /* ... and the error after them names line 7, column 3. */
    const char *bad = "id,d,x\n\"q\nq\",2024-01-01,1\n\n\"r\n\nr\",2024-01-02,oops\n";
    assert_int_equal(load_text(bad, 0, snap_cols, 3, HC_EXTRA_SKIP, -1, &t, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 5, 3, "'oops' is not a number");
}

/* Malformed files: each names the line and column (0 when the fault is the
 * whole header or file) and says what is wrong. */
static void test_load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        char delim;
        long line, col;
        const char *fragment;
    } cases[] = {
        {"", 0, 0, 0, "the file is empty"},
        {"\n\n", 0, 0, 0, "the file is empty"},
        {"id,d,x\na,2024-01-01\n", 0, 2, 3, "expected 3 fields as in the header, found 2"},
        {"id,d,x\na,2024-01-01,1,2\n", 0, 2, 4, "expected 3 fields as in the header, found 4"},
        {"id,d,x,d\na,2024-01-01,1,2\n", 0, 1, 4, "duplicate column name 'd' (columns 2 and 4)"},
        {"id,x\na,1\n", 0, 1, 0, "required column 'd' is missing"},
        {"id,d,,x\na,2024-01-01,1,2\n", 0, 1, 3, "column 3 has an empty name"},
        {"id,d,x\na,2025-02-30,1\n", 0, 2, 2, "'2025-02-30' is not a valid YYYY-MM-DD date"},
        {"id,d,x\na,2025-13-01,1\n", 0, 2, 2, "not a valid YYYY-MM-DD date"},
        {"id,d,x\na,25-01-01,1\n", 0, 2, 2, "not a valid YYYY-MM-DD date"},
        {"id,d,x\na,,1\n", 0, 2, 2, "'' is not a valid YYYY-MM-DD date"},
        {"id,d,x\na,2024-01-01,1e400\n", 0, 2, 3, "out of the range of a double"},
        {"id,d,x\na,2024-01-01,-nan\n", 0, 2, 3, "'-nan' is not a number"},
        {"id,d,x\na,2024-01-01,inf\n", 0, 2, 3, "'inf' is not a number"},
        {"id;d;x\na;2024-01-01;1,5\n", ';', 2, 3, "'1,5' is not a number"},
        {"id,d,x\na,2024-01-01,0x10\n", 0, 2, 3, "'0x10' is not a number"},
        {"id,d,x\na,2024-01-01,12abc\n", 0, 2, 3, "'12abc' is not a number"},
        {"id,d,x\na,2024-01-01,-1\n", 0, 2, 3, "negative value -1 is not allowed"},
        {"id,d,x\na,2024-01-01,1\nb,2024-01-01,\"unterminated\n", 0, 3, 3, "unterminated"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hc_table *t = (hc_table *)1;
        hc_error err;
        assert_int_equal(load_text(cases[i].csv, cases[i].delim, snap_cols, 3,
                                   HC_EXTRA_SKIP, 2, &t, &err),
                         HC_EDATA);
        assert_null(t);
        assert_error(&err, HC_EDATA, cases[i].line, cases[i].col, cases[i].fragment);
    }
}

static void test_load_extra_columns(void **state)
{
    (void)state;
    hc_table *t;
    hc_error err;
    const char *csv = "id,z,d,x,y\na,9,2024-01-01,1,2\n";
    assert_int_equal(load_text(csv, 0, snap_cols, 3, HC_EXTRA_SKIP, -1, &t, &err), HC_OK);
    assert_int_equal(t->n_cols, 3); /* named columns only, in the caller's order */
    assert_string_equal(t->cols[1].name, "d");
    hc_table_free(t);
    assert_int_equal(load_text(csv, 0, snap_cols, 3, HC_EXTRA_NUM, -1, &t, &err), HC_OK);
    assert_int_equal(t->n_cols, 5);
    assert_string_equal(t->cols[3].name, "z"); /* then the others, in file order */
    assert_string_equal(t->cols[4].name, "y");
    assert_true(t->cols[3].num[0] == 9.0 && t->cols[4].num[0] == 2.0);
    hc_table_free(t);
    /* Text in an extra numeric column is an error naming it. */
    assert_int_equal(load_text("id,d,x,note\na,2024-01-01,1,hello\n", 0, snap_cols, 3,
                               HC_EXTRA_NUM, -1, &t, &err),
                     HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 4, "column 'note': 'hello' is not a number");
    /* Header-only files load as empty tables (callers decide). */
    assert_int_equal(load_text("id,d,x\n", 0, snap_cols, 3, HC_EXTRA_SKIP, -1, &t, &err),
                     HC_OK);
    assert_int_equal(t->n_rows, 0);
    hc_table_free(t);
}

/* ------------------------------------------------------------------ */
/* Loading a large file as two halves                                   */

/* The sequential load is the authority: a file split in two and parsed on
 * two threads must give the same table (rows, values bit for bit, codes in
 * order of first appearance, lines, missing counts) or the same error. The
 * split is forced on small files with split_min_bytes = 1; the report says
 * whether it really happened. */

/* Asserts that two tables are the same in every respect a caller can see. */
static void assert_same_table(const hc_table *a, const hc_table *b)
{
    assert_int_equal(a->n_rows, b->n_rows);
    assert_int_equal(a->n_cols, b->n_cols);
    assert_memory_equal(a->line, b->line, a->n_rows * sizeof *a->line);
    for (size_t c = 0; c < a->n_cols; c++) {
        const hc_column *x = &a->cols[c], *y = &b->cols[c];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->n_missing, y->n_missing);
        if (x->type == HC_COL_NUM) {
            /* Bit for bit: -0.0 and NaN included. */
            assert_memory_equal(x->num, y->num, a->n_rows * sizeof *x->num);
        } else {
            assert_memory_equal(x->code, y->code, a->n_rows * sizeof *x->code);
        }
        if (x->type == HC_COL_TEXT) {
            assert_int_equal(hc_strpool_count(x->pool), hc_strpool_count(y->pool));
            for (size_t k = 0; k < hc_strpool_count(x->pool); k++)
                assert_string_equal(hc_strpool_get(x->pool, (int32_t)k),
                                    hc_strpool_get(y->pool, (int32_t)k));
        }
    }
}

static const hc_colspec split_cols[] = {{"id", HC_COL_TEXT, 1},
                                        {"d", HC_COL_DATE, 1},
                                        {"x", HC_COL_NUM, 1},
                                        {"t", HC_COL_TEXT, 0}};

/* Loads `len` bytes from one file in one piece and split, asserts that
 * both give the same table or the same error, and returns the split
 * load's report (and its status in *status when not NULL). */
static hc_load_report load_both_ways(const char *data, size_t len, const hc_colspec *cols,
                                     size_t n_cols, hc_extra_policy extra,
                                     size_t max_field, hc_status *status, hc_error *err_out)
{
    const char *path = temp_file(data, len);
    hc_load_report seq_rep, split_rep;
    hc_load_options lo = {.csv = {.max_field = max_field},
                          .cols = cols,
                          .n_cols = n_cols,
                          .extra = extra,
                          .negative_error_col = -1,
                          .split_min_bytes = SIZE_MAX,
                          .report = &seq_rep};
    for (size_t i = 0; i < n_cols; i++)
        if (strcmp(cols[i].name, "x") == 0)
            lo.negative_error_col = (int)i; /* x >= 0 is enforced */
    hc_table *seq = NULL, *split = NULL;
    hc_error e1, e2;
    hc_error_clear(&e1);
    hc_error_clear(&e2);
    hc_status s1 = hc_table_load_csv(path, &lo, &seq, &e1);
    lo.split_min_bytes = 1;
    lo.report = &split_rep;
    hc_status s2 = hc_table_load_csv(path, &lo, &split, &e2);
    unlink(path);
    assert_int_equal(seq_rep.split_at, 0);
    if (s1 != s2 || (s1 != HC_OK && (e1.line != e2.line || e1.column != e2.column ||
                                     strcmp(e1.message, e2.message) != 0 ||
                                     strcmp(e1.file, e2.file) != 0)))
        fprintf(stderr, "sequential: %d %s:%ld:%ld %s\nsplit:      %d %s:%ld:%ld %s\n",
                (int)s1, e1.file, e1.line, e1.column, e1.message, (int)s2, e2.file,
                e2.line, e2.column, e2.message);
    assert_int_equal(s1, s2);
    if (s1 == HC_OK) {
        assert_same_table(seq, split);
    } else {
        assert_null(seq);
        assert_null(split);
        assert_int_equal(e1.status, e2.status);
        assert_string_equal(e1.file, e2.file);
        assert_int_equal(e1.line, e2.line);
        assert_int_equal(e1.column, e2.column);
        assert_string_equal(e1.message, e2.message);
    }
    hc_table_free(seq);
    hc_table_free(split);
    if (status)
        *status = s1;
    if (err_out)
        *err_out = e1;
    return split_rep;
}

/* What a generated file holds. */
typedef struct {
    uint64_t seed;
    size_t rows;
    int bom;
    int line_ends;     /* 0 LF, 1 CRLF, 2 LF, CRLF and lone CR mixed */
    int quoted;        /* quoted fields with commas, quotes and newlines */
    int blank_lines;
    size_t fault_row;  /* 1-based data row replaced by `fault`; 0 none */
    const char *fault;
    size_t fault_len;
    size_t fault_row2; /* a second replaced row; 0 none */
    const char *fault2;
} gen_spec;

static const char *const num_forms[] = {"0",     "-0",   "17",   "3.25",   "0.1",
                                        "12e2",  "NA",   "",     "null",   "  8 ",
                                        "1.",    ".5",   "007",  "4503599627370497",
                                        "123456789.123456789", "2.5E-3", "NaN"};
static const char *const text_forms[] = {"red", "NA", "na", "", "NULL", " nan ",
                                         "blue", "Null", "green", "n/a", "caf\xc3\xa9"};

/* Generates a CSV with columns id,d,x,t,e (e is loaded as an extra number
 * or skipped). Ids of the first half come from 0..299, those of the second
 * from 150..599, so strings first seen in the second half are interleaved
 * with repeats of the first's. */
static char *gen_csv(const gen_spec *g, size_t *len)
{
    gbuf b = {0};
    uint64_t s = g->seed * 2 + 1;
    if (g->bom)
        gb_str(&b, "\xEF\xBB\xBF");
    gb_str(&b, "id,d,x,t,e\n");
    for (size_t r = 1; r <= g->rows; r++) {
        const char *end = "\n";
        if (g->line_ends == 1)
            end = "\r\n";
        else if (g->line_ends == 2)
            end = (const char *[]){"\n", "\r\n", "\r"}[hc_test_rnd(&s) % 3];
        if (g->blank_lines && hc_test_rnd(&s) % 17 == 0)
            gb_str(&b, hc_test_rnd(&s) % 2 ? "\n" : "  \r\n");
        if (r == g->fault_row || r == g->fault_row2) {
            if (r == g->fault_row)
                gb_put(&b, g->fault, g->fault_len ? g->fault_len : strlen(g->fault));
            else
                gb_str(&b, g->fault2);
            gb_str(&b, end);
            continue;
        }
        unsigned id = (unsigned)(r <= g->rows / 2 ? hc_test_rnd(&s) % 300 : 150 + hc_test_rnd(&s) % 450);
        int style = g->quoted ? (int)(hc_test_rnd(&s) % 8) : 0;
        if (style == 1)
            gb_printf(&b, "\"a,%u\"", id);
        else if (style == 2)
            gb_printf(&b, "\"a\n%u\"", id);
        else if (style == 3)
            gb_printf(&b, "\"a\r\n%u\"", id);
        else if (style == 4)
            gb_printf(&b, "\"a\"\"%u\"\"\"", id);
        else if (style == 5)
            gb_printf(&b, "\"a\r%u\"", id);
        else
            gb_printf(&b, "a%u", id);
        gb_printf(&b, ",2024-%02u-%02u,", (unsigned)(1 + hc_test_rnd(&s) % 12),
                  (unsigned)(1 + hc_test_rnd(&s) % 28));
        const char *x = num_forms[hc_test_rnd(&s) % (sizeof num_forms / sizeof num_forms[0])];
        if (strchr(x, ' ') && g->quoted)
            gb_printf(&b, "\"%s\"", x);
        else
            gb_str(&b, x);
        const char *t = text_forms[hc_test_rnd(&s) % (sizeof text_forms / sizeof text_forms[0])];
        if (g->quoted && hc_test_rnd(&s) % 3 == 0)
            gb_printf(&b, ",\"%s\n%s\"", t, t);
        else if (g->quoted && strchr(t, ' '))
            gb_printf(&b, ",\"%s\"", t);
        else
            gb_printf(&b, ",%s", t);
        gb_printf(&b, ",%u", (unsigned)(hc_test_rnd(&s) % 1000));
        gb_str(&b, end);
    }
    *len = b.n;
    return b.p;
}

static hc_load_report gen_load_both(const gen_spec *g, hc_extra_policy extra,
                                    hc_status *status, hc_error *err)
{
    size_t len;
    char *csv = gen_csv(g, &len);
    hc_load_report rep = load_both_ways(csv, len, split_cols, 4, extra, 0, status, err);
    free(csv);
    return rep;
}

/* Plain, CRLF, mixed line ends with lone CRs, a byte-order mark, blank
 * lines, quoted fields with commas, quotes and newlines, NA markers, and
 * ids first seen in the second half: the split load equals the sequential
 * one. Without quoted newlines the split cannot fall inside quotes, so it
 * must have been used. */
static void test_split_same_as_sequential(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++)
        for (int le = 0; le < 3; le++)
            for (int quoted = 0; quoted < 2; quoted++) {
                gen_spec g = {.seed = seed,
                              .rows = 1500 + 700 * seed,
                              .bom = (int)(seed % 2),
                              .line_ends = le,
                              .quoted = quoted,
                              .blank_lines = (int)(seed % 3 == 0)};
                hc_status st;
                hc_load_report rep = gen_load_both(&g, seed % 2 ? HC_EXTRA_NUM : HC_EXTRA_SKIP,
                                                   &st, NULL);
                assert_int_equal(st, HC_OK);
                assert_true(rep.split_at > 0 || rep.fell_back);
                if (!quoted) {
                    assert_true(rep.split_at > 0);
                    assert_false(rep.fell_back);
                }
                assert_int_equal(rep.spilled, 0);
            }
}

/* The would-be split point (the first line feed past the middle of the
 * body) is a newline inside a quoted field: the first half finds itself
 * inside quotes there, the second half's work is thrown away, and the
 * result is still the sequential one. In the first file the second half
 * fails on its false start (a stray quote); in the second it reads valid
 * records, while the file itself ends inside the quotes. */
static void test_split_inside_quotes_falls_back(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        gbuf b = {0};
        gb_str(&b, "id,d,x,t\n");
        for (unsigned i = 0; i < 300; i++)
            gb_printf(&b, "b%04u,2024-01-01,1,x\n", i);
        gb_str(&b, "q,2024-01-01,1,\"");
        for (int i = 0; i < 4000; i++)
            gb_str(&b, "A");
        gb_str(&b, "\n");
        if (variant == 0) {
            gb_str(&b, "BBBBB\"\n");
            for (unsigned i = 0; i < 300; i++)
                gb_printf(&b, "c%04u,2024-01-02,2,y\n", i);
        } else {
            for (unsigned i = 0; i < 330; i++)
                gb_printf(&b, "z%04u,2024-01-02,7,b\n", i);
        }
        /* Precondition: the line feed after the middle of the body is the
         * one inside the quotes. */
        const char *body = strchr(b.p, '\n') + 1;
        size_t body_len = b.n - (size_t)(body - b.p);
        const char *nl = strchr(body + body_len / 2, '\n');
        assert_true(nl > strchr(b.p, '"') && nl < strchr(b.p, 'A') + 4001);
        hc_status st;
        hc_error err;
        hc_load_report rep =
            load_both_ways(b.p, b.n, split_cols, 4, HC_EXTRA_SKIP, 0, &st, &err);
        assert_true(rep.fell_back);
        assert_int_equal(rep.split_at, 0);
        if (variant == 0) {
            assert_int_equal(st, HC_OK);
        } else {
            assert_int_equal(st, HC_EDATA);
            assert_int_equal(err.line, 302);
            assert_non_null(strstr(err.message, "unterminated quoted field"));
        }
        free(b.p);
    }
}

/* A byte-order mark is skipped only at the start of the file: one that
 * opens the second half is data, as in a sequential read. */
static void test_split_bom_only_at_file_start(void **state)
{
    (void)state;
    gbuf b = {0};
    gb_str(&b, "\xEF\xBB\xBFid,d,x,t\n");
    size_t body = b.n;
    /* 400 rows of 21 bytes (row 201 has 3 more): the middle of the body
     * is in row 200, so the second half starts with row 201, which starts
     * with the mark. */
    for (unsigned i = 0; i < 400; i++) {
        if (i == 201)
            gb_str(&b, "\xEF\xBB\xBF");
        gb_printf(&b, "r%04u,2024-01-01,1,x\n", i);
    }
    hc_status st;
    hc_load_report rep = load_both_ways(b.p, b.n, split_cols, 4, HC_EXTRA_SKIP, 0, &st, NULL);
    assert_int_equal(st, HC_OK);
    assert_int_equal(rep.split_at, (long long)(body + 201 * 21));
    /* And the id keeps the mark. */
    const char *path = temp_file(b.p, b.n);
    hc_load_options lo = {.cols = split_cols, .n_cols = 4, .negative_error_col = -1,
                          .split_min_bytes = 1};
    hc_table *t;
    hc_error err;
    assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
    unlink(path);
    assert_string_equal(hc_table_text(t, 0, 201), "\xEF\xBB\xBFr0201");
    assert_string_equal(hc_table_text(t, 0, 0), "r0000");
    hc_table_free(t);
    free(b.p);
}

/* Files that cannot be split load in one piece: lone CR line ends (no
 * line feed to split at), a body of one line, a header only. */
static void test_split_not_possible(void **state)
{
    (void)state;
    static const char *const files[] = {
        "id,d,x,t\ra,2024-01-01,1,x\rb,2024-01-02,2,y\rc,2024-01-03,3,z\r",
        "id,d,x,t\na,2024-01-01,1,x\n",
        "id,d,x,t\n",
        "id,d,x,t",
        "\n\n\n",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        hc_load_report rep = load_both_ways(files[i], strlen(files[i]), split_cols, 4,
                                            HC_EXTRA_SKIP, 0, NULL, NULL);
        assert_int_equal(rep.split_at, 0);
    }
}

/* Errors: the split load reports the first error in file order, exactly
 * as the sequential load does (file, line, column, message), whichever
 * half it is in; line numbers of the second half count the quoted
 * newlines, CRLF pairs, lone CRs and blank lines of the first. */
static void test_split_errors_as_sequential(void **state)
{
    (void)state;
    static const struct {
        const char *record; /* replaces a data row */
        size_t len;         /* 0: strlen */
        const char *fragment;
    } faults[] = {
        {"a1,2024-01-01,12abc,x,1", 0, "'12abc' is not a number"},
        {"a1,2024-01-01,5,x", 0, "expected 5 fields as in the header, found 4"},
        {"a1,2024-01-01,5,x,1,2", 0, "expected 5 fields as in the header, found 6"},
        {"a1,2024-02-30,5,x,1", 0, "is not a valid YYYY-MM-DD date"},
        {"a1,2024-01-01,-3,x,1", 0, "negative value -3 is not allowed"},
        {"a1,2024-01-01,1e999,x,1", 0, "out of the range of a double"},
        {"a1,2024-01-01,5,x\0y,1", 21, "NUL byte in field"},
        {"a1,2024-01-01,5,\xe9t\xe9,1", 0, "invalid UTF-8 byte 0xe9"},
        {"a1,2024-01-01,5,x\"y,1", 0, "malformed quoting"},
        {"a1,2024-01-01,5,\"x\"y,1", 0, "malformed quoting"},
        /* A bad cell and a wrong count in one record: the count wins. */
        {"a1,2024-01-01,oops,x", 0, "expected 5 fields as in the header, found 4"},
        /* A bad cell before a parse fault in one record: the fault wins
         * (the record is never complete). */
        {"a1,2024-01-01,oops,x\"y,1", 0, "malformed quoting"},
    };
    for (size_t f = 0; f < sizeof faults / sizeof faults[0]; f++)
        for (int le = 0; le < 3; le++) {
            int quoted = le != 0; /* quoted newlines in the first half */
            size_t rows = 2000;
            hc_status st;
            hc_error err;
            /* In the second half, in the first, in both (the first wins). */
            gen_spec g = {.seed = 7 + f,
                          .rows = rows,
                          .line_ends = le,
                          .quoted = quoted,
                          .blank_lines = 1,
                          .fault_row = rows - 40,
                          .fault = faults[f].record,
                          .fault_len = faults[f].len};
            hc_load_report rep = gen_load_both(&g, HC_EXTRA_NUM, &st, &err);
            assert_int_equal(st, HC_EDATA);
            assert_non_null(strstr(err.message, faults[f].fragment));
            if (!quoted)
                assert_true(rep.split_at > 0);
            g.fault_row = 40;
            gen_load_both(&g, HC_EXTRA_NUM, &st, &err);
            assert_non_null(strstr(err.message, faults[f].fragment));
            g.fault_row2 = rows - 40;
            g.fault2 = "a1,2024-01-01,1,x"; /* a wrong count, later */
            gen_load_both(&g, HC_EXTRA_NUM, &st, &err);
            assert_non_null(strstr(err.message, faults[f].fragment));
            /* The file ends inside quotes in the second half. */
            g.fault_row = rows;
            g.fault = "a1,2024-01-01,5,\"open,1";
            g.fault_len = 0;
            g.fault_row2 = 0;
            gen_load_both(&g, HC_EXTRA_NUM, &st, &err);
            assert_non_null(strstr(err.message, "unterminated quoted field"));
        }
}

/* A field over the length limit in the second half: whether it is caught
 * when it ends or, still growing, at the end of a 64 KiB read block
 * depends on where the blocks end, counted from the start of the file; the
 * split reader keeps them there, so the message and place are the
 * sequential ones. */
static void test_split_long_field(void **state)
{
    (void)state;
    for (size_t big = 1500; big <= 200000; big *= 3) {
        gbuf b = {0};
        gb_str(&b, "id,d,x,t\n");
        for (unsigned i = 0; i < 3000; i++)
            gb_printf(&b, "r%u,2024-01-01,1,x\n", i);
        gb_str(&b, "r,2024-01-01,1,\"");
        for (size_t i = 0; i < big; i++)
            gb_str(&b, i % 1000 == 999 ? "\n" : "w");
        gb_str(&b, "\"\nend,2024-01-01,1,x\n");
        hc_status st;
        hc_error err;
        load_both_ways(b.p, b.n, split_cols, 4, HC_EXTRA_SKIP, 1000, &st, &err);
        assert_int_equal(st, HC_EDATA);
        assert_non_null(strstr(err.message, "longer than the limit of 1000 bytes"));
        free(b.p);
    }
    /* A long quoted field holding the split point, in a file of one read
     * block: the sequential reader sees it whole ("field of 3010 bytes"),
     * never still growing at a block end, and neither may the split one at
     * the split point. */
    gbuf b = {0};
    gb_str(&b, "id,d,x,t\n");
    for (unsigned i = 0; i < 100; i++)
        gb_printf(&b, "r%03u,2024-01-01,1,x\n", i);
    gb_str(&b, "q,2024-01-01,1,\"");
    for (int i = 0; i < 3010; i++)
        gb_str(&b, i % 100 == 99 ? "\n" : "w");
    gb_str(&b, "\"\n");
    for (unsigned i = 0; i < 100; i++)
        gb_printf(&b, "s%03u,2024-01-01,1,x\n", i);
    hc_status st;
    hc_error err;
    hc_load_report rep = load_both_ways(b.p, b.n, split_cols, 4, HC_EXTRA_SKIP, 1000, &st, &err);
    assert_true(rep.fell_back);
    assert_int_equal(st, HC_EDATA);
    assert_int_equal(err.line, 102);
    assert_non_null(strstr(err.message, "field of 3010 bytes is longer than the limit of 1000"));
    free(b.p);
}

/* Appends `n` lines of exactly `len` bytes ("<prefix><k / 4 % mod>,<k %
 * 10>", the id padded with z's) numbered from *k: ids repeat in runs of
 * four, as in a file sorted by account, so that a half moving to a new
 * table mid-run meets the previous row's id. */
static void put_lines(gbuf *b, size_t n, size_t len, char prefix, unsigned mod,
                      unsigned *k)
{
    for (size_t i = 0; i < n; i++, (*k)++) {
        char line[1100];
        int m = snprintf(line, sizeof line, "%c%u", prefix, *k / 4 % mod);
        assert_true(m > 0 && (size_t)m + 3 <= len && len < sizeof line);
        while ((size_t)m < len - 3)
            line[m++] = 'z';
        line[m++] = ',';
        line[m++] = (char)('0' + *k % 10);
        line[m++] = '\n';
        gb_put(b, line, len);
    }
}

/* Appends 16 segments of 8192 bytes. With `long_first`, each segment
 * starts with six lines of 823 bytes (4938 bytes) and goes on with short
 * lines: the loader samples 16 windows of 4 KiB spread over each half to
 * estimate its rows (csv_load.c, estimate_rows), and these windows, with
 * the half boundaries the test files below give, fall on the long lines,
 * so the estimate is far too low. Otherwise lines of 16 bytes throughout. */
static void put_half(gbuf *b, int long_first, char prefix, unsigned mod, unsigned *k)
{
    for (int seg = 0; seg < 16; seg++) {
        size_t used = 0;
        if (long_first) {
            put_lines(b, 6, 823, 'L', 1000000, k);
            used = 6 * 823;
            /* Short lines of 12 bytes, the last one longer to fill 8192. */
            size_t n = (8192 - used) / 12;
            put_lines(b, n - 1, 12, prefix, mod, k);
            put_lines(b, 1, 8192 - used - (n - 1) * 12, prefix, mod, k);
        } else {
            put_lines(b, 8192 / 16, 16, prefix, mod, k);
        }
    }
}

/* A half with many more rows than estimated goes on in a table of its
 * own that is appended at the end: the result is still the sequential
 * one, string codes included (ids of the second half are partly new). */
static void test_split_spills(void **state)
{
    (void)state;
    static const hc_colspec cols[] = {{"id", HC_COL_TEXT, 1}, {"x", HC_COL_NUM, 1}};
    static const struct {
        int first_long, second_long, quote_at_split, spilled;
    } cases[] = {{1, 0, 0, 1}, {0, 1, 0, 1}, {1, 1, 0, 2}, {0, 0, 0, 0}, {1, 0, 1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gbuf b = {0};
        unsigned k = 0;
        gb_str(&b, "id,x\n");
        put_half(&b, cases[i].first_long, 's', 500, &k);
        /* Put a quoted newline just past the middle of the body, where the
         * split falls: the first half, having spilled, reads on alone in
         * its own table. */
        if (cases[i].quote_at_split)
            gb_str(&b, "\"qyyyyyyyyyyyyyyyyyyyy\nq\",5\n");
        put_half(&b, cases[i].second_long, 's', 900, &k);
        hc_status st;
        hc_load_report rep = load_both_ways(b.p, b.n, cols, 2, HC_EXTRA_SKIP, 0, &st, NULL);
        assert_int_equal(st, HC_OK);
        assert_int_equal(rep.fell_back, cases[i].quote_at_split);
        assert_true(rep.split_at > 0 || cases[i].quote_at_split);
        assert_int_equal(rep.spilled, cases[i].spilled);
        free(b.p);
    }
}

/* The loader's inline number and missing-marker paths agree with
 * hc_number_parse and hc_number_is_missing on every form: numbers bit for
 * bit, markers in any case and with spaces. */
static void test_load_cells_match_number_module(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "0", "-0", "007", "-007.500", "1.5", "0.1", "0.30000000000000004",
        "123456789012345", "1234567890123456", "-999999999999999", "9007199254740993",
        "4.35", "2.675", "1e5", "1E-5", "1.", ".5", "-.5", "+1", " 7 ", "\t-2\t",
        "NA", "na", "nA", "NaN", "nan", "NAN", "NULL", "Null", "null", "",
        " ", "  NA  ", "\tnull", "N", "nul", "NAN ", "nulls", "n/a", "none",
        "12abc", "1.2.3", "0x10", "-", "1,5", "inf", "1e400", "nA n",
        /* Above 2^53 the digits are not exact in a double: dividing them
         * rounds twice and misses the correctly rounded value (strtod says
         * ...26, 84 and ...25), so these must not take a fast path. Found
         * by comparing (double)digits / 10^k with strtod over random
         * 16- and 17-digit decimals. */
        "154.68355631560725", "93567398.77059359", "930089294824940.3",
    };
    gbuf b = {0};
    gb_str(&b, "id,d,x,t\n");
    size_t n_num = 0;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        double v;
        hc_num_status ns = hc_number_parse(forms[i], strlen(forms[i]), &v);
        int numeric = ns == HC_NUM_OK || ns == HC_NUM_MISSING;
        gb_printf(&b, "a,2024-01-01,\"%s\",\"%s\"\n", numeric ? forms[i] : "1", forms[i]);
        n_num += numeric;
    }
    assert_true(n_num > 30);
    const char *path = temp_file(b.p, b.n);
    for (size_t split_min = 1; split_min <= 2; split_min++) {
        hc_load_options lo = {.cols = split_cols, .n_cols = 4, .negative_error_col = -1,
                              .split_min_bytes = split_min == 1 ? 1 : SIZE_MAX};
        hc_table *t;
        hc_error err;
        assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
        for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
            const char *s = forms[i];
            double want;
            hc_num_status ns = hc_number_parse(s, strlen(s), &want);
            if (ns == HC_NUM_OK || ns == HC_NUM_MISSING)
                assert_memory_equal(&t->cols[2].num[i], &want, sizeof want);
            assert_int_equal(t->cols[3].code[i] < 0, hc_number_is_missing(s, strlen(s)));
            if (t->cols[3].code[i] >= 0)
                assert_string_equal(hc_table_text(t, 3, i), s);
        }
        hc_table_free(t);
    }
    unlink(path);
    free(b.p);
}

/* The threshold: below split_min_bytes, or for standard input, one piece;
 * HEALTHCAL_SPLIT_MIN_BYTES sets it when the option is 0. */
static void test_split_threshold(void **state)
{
    (void)state;
    gen_spec g = {.seed = 3, .rows = 2000};
    size_t len;
    char *csv = gen_csv(&g, &len);
    const char *path = temp_file(csv, len);
    hc_load_report rep;
    hc_load_options lo = {.cols = split_cols, .n_cols = 4, .negative_error_col = -1,
                          .report = &rep};
    hc_table *t;
    hc_error err;
    lo.split_min_bytes = len + 1;
    assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
    assert_int_equal(rep.split_at, 0);
    hc_table_free(t);
    lo.split_min_bytes = len;
    assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
    assert_true(rep.split_at > 0);
    hc_table_free(t);
    lo.split_min_bytes = 0;
    char *saved = getenv("HEALTHCAL_SPLIT_MIN_BYTES");
    saved = saved ? strdup(saved) : NULL;
    setenv("HEALTHCAL_SPLIT_MIN_BYTES", "100", 1);
    assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
    assert_true(rep.split_at > 0);
    hc_table_free(t);
    setenv("HEALTHCAL_SPLIT_MIN_BYTES", "100000000", 1);
    assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
    assert_int_equal(rep.split_at, 0);
    hc_table_free(t);
    if (saved) {
        setenv("HEALTHCAL_SPLIT_MIN_BYTES", saved, 1);
        free(saved);
    } else {
        unsetenv("HEALTHCAL_SPLIT_MIN_BYTES");
    }
    /* Standard input is read in one piece whatever the threshold. */
    FILE *keep = fdopen(dup(STDIN_FILENO), "r");
    assert_non_null(freopen(path, "r", stdin));
    lo.split_min_bytes = 1;
    assert_int_equal(hc_table_load_csv("-", &lo, &t, &err), HC_OK);
    assert_int_equal(rep.split_at, 0);
    assert_int_equal(t->n_rows, 2000);
    hc_table_free(t);
    if (keep) {
        dup2(fileno(keep), STDIN_FILENO);
        fclose(keep);
    }
    unlink(path);
    free(csv);
}

/* hc_table_append, the join of a spill: codes of the appended table go
 * through the first table's pool (new strings after its own, in their
 * order), lines move by the offset modulo 2^32, missing counts add up, and
 * tables with other columns are refused. */
static void test_table_append(void **state)
{
    (void)state;
    hc_table *a = hc_table_alloc("a"), *b = hc_table_alloc("b");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(hc_table_add_column(a, "t", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(a, "x", HC_COL_NUM), 1);
    assert_int_equal(hc_table_add_column(b, "t", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(b, "x", HC_COL_NUM), 1);
    assert_int_equal(hc_table_resize(a, 2), HC_OK);
    assert_int_equal(hc_table_resize(b, 3), HC_OK);
    static const char *const ta[] = {"x", "y"}, *const tb[] = {"z", NULL, "y"};
    for (size_t r = 0; r < 2; r++) {
        assert_int_equal(hc_table_set_text(a, 0, r, ta[r]), HC_OK);
        a->cols[1].num[r] = (double)r;
    }
    a->cols[1].n_missing = 0;
    for (size_t r = 0; r < 3; r++) {
        assert_int_equal(hc_table_set_text(b, 0, r, tb[r]), HC_OK);
        b->cols[1].num[r] = 10.0 + (double)r;
        b->line[r] = UINT32_MAX - 1 + (uint32_t)r; /* 2^32 - 2, - 1, 0 */
    }
    b->cols[1].n_missing = 0;
    assert_int_equal(hc_table_append(a, b, 5), HC_OK);
    assert_int_equal(a->n_rows, 5);
    assert_int_equal(b->n_rows, 0);
    static const int32_t codes[] = {0, 1, 2, -1, 1};
    static const uint32_t lines[] = {2, 3, 3, 4, 5};
    for (size_t r = 0; r < 5; r++) {
        assert_int_equal(a->cols[0].code[r], codes[r]);
        assert_int_equal(a->line[r], lines[r]);
    }
    assert_string_equal(hc_table_text(a, 0, 2), "z");
    assert_true(a->cols[1].num[4] == 12.0);
    assert_int_equal(a->cols[0].n_missing, 1);
    assert_int_equal(hc_strpool_count(a->cols[0].pool), 3);
    hc_table_free(b);
    b = hc_table_alloc("b");
    assert_int_equal(hc_table_add_column(b, "t", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(b, "x", HC_COL_DATE), 1);
    assert_int_equal(hc_table_append(a, b, 0), HC_EUSAGE);
    hc_table_free(a);
    hc_table_free(b);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Runs `write` on a memory stream and returns the bytes (caller frees). */
static char *written_text(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_csv_write_text(f, s);
    fclose(f);
    return buf;
}

static char *written_num(double v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_csv_write_num(f, v);
    fclose(f);
    return buf;
}

static void assert_written(const char *in, const char *want)
{
    char *got = written_text(in);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "'%s' wrote '%s', expected '%s'\n", in ? in : "(null)", got, want);
        fail();
    }
    free(got);
}

/* OWASP "CSV Injection": cells starting with = + - @ TAB CR get a leading
 * single quote inside quotes; RFC 4180 quoting for , " CR LF. */
static void test_write_text(void **state)
{
    (void)state;
    assert_written(NULL, "");
    assert_written("", "");
    assert_written("plain", "plain");
    assert_written("a,b", "\"a,b\"");
    assert_written("say \"hi\"", "\"say \"\"hi\"\"\"");
    assert_written("two\nlines", "\"two\nlines\"");
    assert_written("cr\rhere", "\"cr\rhere\"");
    assert_written("=1+2", "\"'=1+2\"");
    assert_written("+1", "\"'+1\"");
    assert_written("-1", "\"'-1\"");
    assert_written("@SUM(A1)", "\"'@SUM(A1)\"");
    assert_written("\tx", "\"'\tx\"");
    assert_written("\rx", "\"'\rx\"");
    assert_written("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    assert_written("a=b", "a=b"); /* only a leading sign is a formula */
    assert_written("caf\xc3\xa9", "caf\xc3\xa9");
}

/* Reading back what the writer wrote gives the original text, prefixed
 * with the neutralising quote for formula-like cells. */
static void test_write_text_reads_back(void **state)
{
    (void)state;
    static const char *cells[] = {"a,b", "q\"q", "l1\r\nl2", "=cmd|' /C calc'!A0", "x"};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        char *w = written_text(cells[i]);
        records r;
        hc_error err;
        assert_int_equal(read_str(w, &r, &err), HC_OK);
        assert_int_equal(r.n, 1);
        const char *got = r.f[0][0];
        if (cells[i][0] == '=')
            assert_int_equal(*got++, '\'');
        assert_string_equal(got, cells[i]);
        records_free(&r);
        free(w);
    }
}

static void assert_num_round_trip(double v)
{
    char *s = written_num(v);
    double back = strtod(s, NULL), ours;
    if (memcmp(&back, &v, sizeof v) != 0 && !(v == 0 && back == 0)) {
        fprintf(stderr, "%.17g (%a) wrote '%s' which reads as %.17g\n", v, v, s, back);
        fail();
    }
    assert_int_equal(hc_number_parse(s, strlen(s), &ours), HC_NUM_OK);
    assert_true(ours == v);
    free(s);
}

/* Property: every finite double written reads back to the same bits (by
 * strtod, a correctly rounded reference, and by hc_number_parse). */
static void test_write_num_round_trip(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u; /* xorshift64 (Marsaglia 2003) */
    size_t done = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        switch (i % 4) {
        case 0: /* any bit pattern: subnormals, huge, tiny */
            memcpy(&v, &x, sizeof v);
            break;
        case 1: /* money-like values with 0-6 decimals */
            v = (double)(int64_t)(x % 2000000000000u - 1000000000000u) /
                pow(10, (double)((x >> 60) % 7));
            break;
        case 2: /* uniform in (0, 1) */
            v = (double)(x >> 11) * 0x1p-53;
            break;
        default: /* integers up to 2^53 */
            v = (double)(x >> 11);
            break;
        }
        if (!isfinite(v))
            continue;
        assert_num_round_trip(v);
        done++;
    }
    assert_true(done > 190000);
}

static void test_write_num_forms(void **state)
{
    (void)state;
    char *s = written_num(0.1);
    assert_string_equal(s, "0.1");
    free(s);
    s = written_num(1200);
    assert_string_equal(s, "1200");
    free(s);
    s = written_num(-0.0);
    assert_string_equal(s, "0"); /* no "-0" in output files */
    free(s);
    s = written_num(-2.5);
    assert_string_equal(s, "-2.5");
    free(s);
    s = written_num(123456789.123);
    assert_string_equal(s, "123456789.123");
    free(s);
    /* Non-finite values are empty (missing) cells, never "nan"/"inf". */
    s = written_num(NAN);
    assert_string_equal(s, "");
    free(s);
    s = written_num(INFINITY);
    assert_string_equal(s, "");
    free(s);
    s = written_num(-INFINITY);
    assert_string_equal(s, "");
    free(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_csv_write_num_prec(f, 3.14159, 3);
    putc(',', f);
    hc_csv_write_num_prec(f, -0.0, 3);
    putc(',', f);
    hc_csv_write_num_prec(f, NAN, 3);
    fclose(f);
    assert_string_equal(buf, "3.14,0,");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_quoted_fields_and_line_numbers),
        cmocka_unit_test(test_blank_lines_and_line_ends),
        cmocka_unit_test(test_block_boundaries),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_malformed_quotes),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_byte_check_every_position),
        cmocka_unit_test(test_utf8_validation),
        cmocka_unit_test(test_oversize_field),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_callback_stops_reading),
        cmocka_unit_test(test_many_records_in_order),
        cmocka_unit_test(test_other_delimiters),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_files_and_stdin),
        cmocka_unit_test(test_load_missing_values_and_spaces),
        cmocka_unit_test(test_load_line_numbers),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_extra_columns),
        cmocka_unit_test(test_split_same_as_sequential),
        cmocka_unit_test(test_split_inside_quotes_falls_back),
        cmocka_unit_test(test_split_bom_only_at_file_start),
        cmocka_unit_test(test_split_not_possible),
        cmocka_unit_test(test_split_errors_as_sequential),
        cmocka_unit_test(test_split_long_field),
        cmocka_unit_test(test_split_spills),
        cmocka_unit_test(test_load_cells_match_number_module),
        cmocka_unit_test(test_split_threshold),
        cmocka_unit_test(test_table_append),
        cmocka_unit_test(test_write_text),
        cmocka_unit_test(test_write_text_reads_back),
        cmocka_unit_test(test_write_num_round_trip),
        cmocka_unit_test(test_write_num_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
