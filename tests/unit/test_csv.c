/* test_csv.c - CSV reading (libcsv) and safe CSV writing; loading is test_csv_load.c and test_csv_split.c. */
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

#include "test_csv_util.h"

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
        cmocka_unit_test(test_write_text),
        cmocka_unit_test(test_write_text_reads_back),
        cmocka_unit_test(test_write_num_round_trip),
        cmocka_unit_test(test_write_num_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
