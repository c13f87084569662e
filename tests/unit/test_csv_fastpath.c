/* test_csv_fastpath.c - differential tests: the plain-block fast path (csv_plain.c) against libcsv alone.
 *
 * libcsv is the authority. Random inputs are read twice, once with the
 * fast path and once with hc_csv_options.libcsv_only set, and everything a
 * caller can observe must be the same: every field (index, text, length,
 * line), every record (field count, line), what each feed returns, the
 * stream's line and between-records state after each feed, and the error
 * (status, file, line, column, message). The inputs mix plain stretches
 * (where the fast path runs) with quotes, NUL bytes, valid and invalid
 * UTF-8, CR, LF, spaces and tabs, under several delimiters and small
 * limits, fed in random pieces.
 */
#include "test_util.h"

#include <unistd.h>

#include "hc_csv.h"
#include "hc_csv_load.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Logs `len` bytes readably: printable ASCII as is, the rest as \xNN. */
static void gb_text(gbuf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            gb_put(b, &s[i], 1);
        else
            gb_printf(b, "\\x%02x", c);
    }
}

/* Asserts two logs are equal, printing the first difference and the
 * input when they are not. */
static void assert_same_log(const gbuf *fast, const gbuf *slow, const char *what,
                            const gbuf *input)
{
    if (fast->n == slow->n && memcmp(fast->p, slow->p, fast->n) == 0)
        return;
    size_t i = 0;
    while (i < fast->n && i < slow->n && fast->p[i] == slow->p[i])
        i++;
    size_t from = i > 200 ? i - 200 : 0;
    gbuf in = {0};
    gb_text(&in, input->p, input->n < 2000 ? input->n : 2000);
    fprintf(stderr, "%s differs at log byte %zu\nfast: ...%.400s\nlibcsv: ...%.400s\ninput: %s\n",
            what, i, fast->p + from, slow->p + from, in.p);
    free(in.p);
    fail();
}

static void log_error(gbuf *log, hc_status st, const hc_error *err)
{
    gb_printf(log, "status %d", (int)st);
    if (st != HC_OK)
        gb_printf(log, " [%d] %s:%ld:%ld: %s", (int)err->status, err->file, err->line,
                  err->column, err->message);
    gb_printf(log, "\n");
}

/* ------------------------------------------------------------------ */
/* Random inputs                                                       */

/* What an input may hold besides plain text, and how the read is set up. */
typedef struct {
    hc_csv_options opt;
    int file_start;   /* the stream starts at the start of the file */
    long fail_at;     /* the handler fails at this call (1-based); 0 never */
} setup;

/* Appends one random byte or short sequence. `special` is the chance in
 * 1000 of a byte that makes a block not plain (a quote, a NUL, a byte
 * above 0x7f); the rest is mostly the delimiter, line ends, spaces, tabs,
 * digits and letters, with other delimiters as data. `spaces` 1 allows
 * spaces, 2 tabs, 3 both (0 neither, unless one is the delimiter). */
static void gen_piece(gbuf *b, uint64_t *s, char delim, unsigned special, int spaces)
{
    unsigned r = (unsigned)(hc_test_rnd(s) % 1000);
    if (r < special) {
        static const char *const odd[] = {"\"", "\"", "\"\"", "\"", "\0", "\xc3\xa9",
                                          "\xe2\x82\xac", "\xff", "\xc3", "\x80",
                                          "\xef\xbb\xbf", "\xf0\x9f\x98\x80"};
        static const size_t odd_len[] = {1, 1, 2, 1, 1, 2, 3, 1, 1, 1, 3, 4};
        size_t k = hc_test_rnd(s) % (sizeof odd / sizeof odd[0]);
        gb_put(b, odd[k], odd_len[k]);
        return;
    }
    r = (unsigned)(hc_test_rnd(s) % 100);
    const char *one;
    if (r < 18)
        one = &delim;
    else if (r < 24)
        one = "\n";
    else if (r < 27)
        one = "\r";
    else if (r < 29) {
        gb_put(b, "\r\n", 2);
        return;
    } else if (r < 35)
        one = spaces & 1 ? " " : &delim;
    else if (r < 39)
        one = spaces & 2 ? "\t" : "x";
    else if (r < 42)
        one = (const char *[]){",", ";", "|", "\t", " "}[hc_test_rnd(s) % (spaces == 3 ? 5 : 3)];
    else if (r < 70)
        one = &"0123456789"[hc_test_rnd(s) % 10];
    else if (r < 72)
        one = "-";
    else if (r < 74)
        one = ".";
    else
        one = &"abcxyzABNalnu"[hc_test_rnd(s) % 13];
    gb_put(b, one, 1);
}

/* A random input and the options to read it with. */
static void gen_input(uint64_t *s, gbuf *b, setup *su)
{
    static const char delims[] = {',', ',', ',', ';', '\t', ' ', '|', 'a'};
    memset(su, 0, sizeof *su);
    su->opt.delimiter = delims[hc_test_rnd(s) % sizeof delims];
    if (hc_test_rnd(s) % 3 == 0)
        su->opt.max_field = 1 + hc_test_rnd(s) % 12;
    if (hc_test_rnd(s) % 3 == 0)
        su->opt.max_fields = 1 + hc_test_rnd(s) % 6;
    su->file_start = hc_test_rnd(s) % 4 != 0;
    /* Half the inputs are plain throughout; the others hold special bytes,
     * rarely or often. */
    unsigned special = (unsigned)(hc_test_rnd(s) % 2 ? 0 : hc_test_rnd(s) % 2 ? 2 : 40);
    /* Mostly short; one in 64 is past two 64 KiB blocks, so that fields
     * and records cross block ends. */
    size_t len = hc_test_rnd(s) % 64 == 0 ? 2 * HC_CSV_BLOCK_SIZE + hc_test_rnd(s) % 40000
                                  : hc_test_rnd(s) % 400;
    b->n = 0;
    gb_put(b, "", 0);
    if (hc_test_rnd(s) % 8 == 0)
        gb_put(b, "\xef\xbb\xbf", 3);
    int spaces = hc_test_rnd(s) % 2 ? 3 : (int)(hc_test_rnd(s) % 3);
    while (b->n < len)
        gen_piece(b, s, su->opt.delimiter, special, spaces);
    if (len > 1000 && su->opt.max_field && hc_test_rnd(s) % 2)
        su->opt.max_field += 2000; /* long inputs: fewer early failures */
    su->fail_at = hc_test_rnd(s) % 4 == 0 ? (long)(1 + hc_test_rnd(s) % 200) : 0;
}

/* Random piece ends for a stream: every 64 KiB block end (where the API
 * requires block_end) and random cuts between. Returns the count. */
static size_t gen_cuts(uint64_t *s, size_t len, size_t *cuts, size_t cap)
{
    size_t n = 0, pos = 0;
    /* 0: whole blocks; 1: tiny pieces (short inputs only); else mixed */
    int style = (int)(hc_test_rnd(s) % 4);
    if (style == 1 && len > 4096)
        style = 2;
    while (pos < len && n < cap - 1) {
        size_t step = style == 0 ? HC_CSV_BLOCK_SIZE
                      : style == 1 ? 1 + hc_test_rnd(s) % 7
                                   : 1 + hc_test_rnd(s) % (hc_test_rnd(s) % 2 ? 100 : 20000);
        size_t next_block = (pos / HC_CSV_BLOCK_SIZE + 1) * HC_CSV_BLOCK_SIZE;
        pos += step;
        if (pos > next_block)
            pos = next_block;
        if (pos > len)
            pos = len;
        cuts[n++] = pos;
    }
    if (n == 0 || cuts[n - 1] != len)
        cuts[n++] = len;
    return n;
}

/* ------------------------------------------------------------------ */
/* Reading with a stream and with hc_csv_read_buffer                   */

typedef struct {
    gbuf *log;
    long calls, fail_at;
} sink;

static hc_status sink_call(sink *k, long line, long col, hc_error *err)
{
    if (++k->calls == k->fail_at)
        return hc_error_set(err, HC_EDATA, "handler", line, col, "handler stops at call %ld",
                            k->calls);
    return HC_OK;
}

static hc_status on_field(void *ctx, size_t index, const char *s, size_t len, long line,
                          hc_error *err)
{
    sink *k = ctx;
    /* The text is NUL-terminated and holds no NUL (those are errors). */
    assert_int_equal(s[len], '\0');
    assert_int_equal(strlen(s), len);
    gb_printf(k->log, "F%zu@%ld[%zu]", index, line, len);
    gb_text(k->log, s, len);
    gb_printf(k->log, "\n");
    return sink_call(k, line, (long)index + 1, err);
}

static hc_status on_record(void *ctx, size_t n, long line, hc_error *err)
{
    sink *k = ctx;
    gb_printf(k->log, "R%zu@%ld\n", n, line);
    return sink_call(k, line, 0, err);
}

/* A handler's `row` must do what `field` per field and then `record`
 * would: this one does just that, so its log must match theirs. */
static hc_status on_row(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    sink *k = ctx;
    gb_printf(k->log, "(row)\n");
    for (size_t i = 0; i < rec->n; i++) {
        hc_status st = on_field(ctx, i, rec->fields[i], rec->lens[i], rec->line, err);
        if (st != HC_OK)
            return st;
    }
    return on_record(ctx, rec->n, rec->line, err);
}

static const hc_csv_field_handler handler = {.field = on_field, .record = on_record};
static const hc_csv_field_handler row_handler = {.field = on_field, .record = on_record,
                                                 .row = on_row};

/* Streams `input` in the pieces `cuts` and logs every callback, feed and
 * the finish. */
static void read_stream(const gbuf *input, const setup *su, int libcsv_only,
                        const hc_csv_field_handler *h, const size_t *cuts, size_t n_cuts,
                        gbuf *log)
{
    hc_csv_options opt = su->opt;
    opt.libcsv_only = libcsv_only;
    sink k = {log, 0, su->fail_at};
    log->n = 0;
    gb_put(log, "", 0);
    hc_csv_stream *s = hc_csv_stream_alloc("diff.csv", &opt, su->file_start, h, &k);
    assert_non_null(s);
    size_t pos = 0;
    for (size_t i = 0; i < n_cuts; i++) {
        size_t end = cuts[i];
        int block_end = end % HC_CSV_BLOCK_SIZE == 0 || end == input->n;
        int rc = hc_csv_stream_feed(s, input->p + pos, end - pos, block_end);
        gb_printf(log, "feed %zu..%zu%s -> %d between %d line %ld\n", pos, end,
                  block_end ? " end" : "", rc, hc_csv_stream_between_records(s),
                  hc_csv_stream_line(s));
        pos = end;
    }
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_csv_stream_finish(s, 0, &err);
    log_error(log, st, &err);
    hc_csv_stream_free(s);
}

static hc_status on_full_record(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    sink *k = ctx;
    gb_printf(k->log, "R%zu@%ld", rec->n, rec->line);
    for (size_t i = 0; i < rec->n; i++) {
        assert_int_equal(rec->fields[i][rec->lens[i]], '\0');
        gb_printf(k->log, " [%zu]", rec->lens[i]);
        gb_text(k->log, rec->fields[i], rec->lens[i]);
    }
    gb_printf(k->log, "\n");
    return sink_call(k, rec->line, 1, err);
}

/* Reads `input` with hc_csv_read_buffer (64 KiB blocks, a parsing and a
 * consuming thread) and logs every record and the result. */
static void read_buffer(const gbuf *input, const setup *su, int libcsv_only, gbuf *log)
{
    hc_csv_options opt = su->opt;
    opt.libcsv_only = libcsv_only;
    sink k = {log, 0, su->fail_at};
    log->n = 0;
    gb_put(log, "", 0);
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_csv_read_buffer(input->p, input->n, "diff.csv", &opt, on_full_record,
                                      &k, &err);
    log_error(log, st, &err);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* Removes the "(row)" marks from a log, counting them in *rows. */
static void drop_row_marks(gbuf *log, size_t *rows)
{
    size_t o = 0;
    for (size_t i = 0; i < log->n;) {
        if (strncmp(log->p + i, "(row)\n", 6) == 0 && (i == 0 || log->p[i - 1] == '\n')) {
            i += 6;
            (*rows)++;
            continue;
        }
        log->p[o++] = log->p[i++];
    }
    log->n = o;
    log->p[o] = '\0';
}

/* Thousands of random inputs, each streamed in two random partitions (with
 * a handler with and without `row`) and read whole, with and without the
 * fast path: the logs must be equal. */
static void test_stream_same_as_libcsv(void **state)
{
    (void)state;
    uint64_t s = 0x9e3779b97f4a7c15u;
    gbuf input = {0}, fast = {0}, slow = {0};
    size_t cuts[8192];
    size_t fields_seen = 0, rows_seen = 0;
    for (int iter = 0; iter < 3000; iter++) {
        setup su;
        gen_input(&s, &input, &su);
        for (int part = 0; part < 2; part++) {
            size_t n_cuts = gen_cuts(&s, input.n, cuts, sizeof cuts / sizeof cuts[0]);
            read_stream(&input, &su, 1, &handler, cuts, n_cuts, &slow);
            read_stream(&input, &su, 0, &handler, cuts, n_cuts, &fast);
            assert_same_log(&fast, &slow, "stream", &input);
            for (const char *p = fast.p; (p = strchr(p, '\n')) != NULL; p++)
                fields_seen += p[1] == 'F';
            read_stream(&input, &su, 0, &row_handler, cuts, n_cuts, &fast);
            drop_row_marks(&fast, &rows_seen);
            assert_same_log(&fast, &slow, "stream with rows", &input);
        }
        read_buffer(&input, &su, 0, &fast);
        read_buffer(&input, &su, 1, &slow);
        assert_same_log(&fast, &slow, "hc_csv_read_buffer", &input);
    }
    /* The inputs did make fields (a generator bug could make them all
     * fail at the first byte). */
    fprintf(stderr, "fields %zu, records handed whole to row %zu\n", fields_seen, rows_seen);
    assert_true(fields_seen > 100000);
    assert_true(rows_seen > 10000);
    free(input.p);
    free(fast.p);
    free(slow.p);
}

/* Hand-picked cases where libcsv does something particular, each with
 * the result it gives (and so the fast path must give). */
static void test_libcsv_particulars(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        char delim;
        const char *want; /* the stream's field and record calls */
    } cases[] = {
        /* Spaces and tabs around unquoted fields are dropped. */
        {" a \t, b c ,\t\n", ',', "F0@1[1]a\nF1@1[3]b c\nF2@1[0]\nR3@1\n"},
        /* A line of spaces is blank; a lone delimiter makes two fields. */
        {"  \t\n,\n", ',', "F0@2[0]\nF1@2[0]\nR2@2\n"},
        /* CRLF is one line end; a lone CR is one too; CR, spaces, LF is
         * one (the LF ends an empty row right after the CR's). */
        {"a\r\nb\rc\r  \nd", ',', "F0@1[1]a\nR1@1\nF0@2[1]b\nR1@2\nF0@3[1]c\nR1@3\nF0@4[1]d\nR1@4\n"},
        /* A tab delimiter: tabs split, spaces are trimmed. */
        {" a\t\tb \n", '\t', "F0@1[1]a\nF1@1[0]\nF2@1[1]b\nR3@1\n"},
        /* A space delimiter: spaces split, tabs are trimmed. */
        {"\ta  b\t\n", ' ', "F0@1[1]a\nF1@1[0]\nF2@1[1]b\nR3@1\n"},
    };
    gbuf input = {0}, fast = {0}, slow = {0};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        input.n = 0;
        gb_put(&input, cases[c].in, strlen(cases[c].in));
        setup su = {.opt = {.delimiter = cases[c].delim}, .file_start = 1};
        size_t cut = input.n;
        read_stream(&input, &su, 0, &handler, &cut, 1, &fast);
        read_stream(&input, &su, 1, &handler, &cut, 1, &slow);
        assert_same_log(&fast, &slow, "stream", &input);
        /* The handler's calls, without the feed and finish lines. */
        gbuf calls = {0};
        gb_put(&calls, "", 0);
        for (const char *p = fast.p, *e; *p; p = e + 1) {
            e = strchr(p, '\n');
            if (*p == 'F' || *p == 'R')
                gb_put(&calls, p, (size_t)(e - p + 1));
        }
        if (strcmp(calls.p, cases[c].want) != 0) {
            fprintf(stderr, "case %zu: got\n%s\nwant\n%s\n", c, calls.p, cases[c].want);
            fail();
        }
        free(calls.p);
    }
    free(input.p);
    free(fast.p);
    free(slow.p);
}

/* Lines of about 4096 fields, around the most the fast path hands over
 * in one piece (4097) and around the limit, which may be set higher. */
static void test_wide_lines(void **state)
{
    (void)state;
    static const size_t widths[] = {4095, 4096, 4097, 4098, 5000};
    static const size_t limits[] = {0, 4096, 4097, 4098, 6000};
    gbuf input = {0}, fast = {0}, slow = {0};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
            input.n = 0;
            gb_put(&input, "a,b\n", 4);
            for (size_t k = 0; k < widths[w]; k++)
                gb_printf(&input, k + 1 < widths[w] ? "%zu," : "%zu\n", k % 7);
            gb_put(&input, "c\n", 2);
            setup su = {.opt = {.max_fields = limits[l]}, .file_start = 1};
            size_t cuts[8];
            size_t n_cuts = 0;
            for (size_t at = HC_CSV_BLOCK_SIZE; at < input.n; at += HC_CSV_BLOCK_SIZE)
                cuts[n_cuts++] = at;
            cuts[n_cuts++] = input.n;
            read_stream(&input, &su, 1, &handler, cuts, n_cuts, &slow);
            read_stream(&input, &su, 0, &handler, cuts, n_cuts, &fast);
            assert_same_log(&fast, &slow, "stream", &input);
            size_t rows = 0;
            read_stream(&input, &su, 0, &row_handler, cuts, n_cuts, &fast);
            drop_row_marks(&fast, &rows);
            assert_same_log(&fast, &slow, "stream with rows", &input);
            /* The short lines go whole, the wide one too when it can: when
             * it has too many fields, the stream stops there. */
            size_t limit = limits[l] ? limits[l] : 4096;
            size_t want = widths[w] > limit ? 1 : widths[w] <= 4097 ? 3 : 2;
            assert_int_equal(rows, want);
            read_buffer(&input, &su, 0, &fast);
            read_buffer(&input, &su, 1, &slow);
            assert_same_log(&fast, &slow, "hc_csv_read_buffer", &input);
        }
    free(input.p);
    free(fast.p);
    free(slow.p);
}

/* The loader on top of the stream: a file with text, date and number
 * columns loads to the same table or error with and without the fast
 * path, read whole and as two halves. */
static void test_load_same_as_libcsv(void **state)
{
    (void)state;
    static const hc_colspec cols[] = {{"id", HC_COL_TEXT, 1},
                                      {"d", HC_COL_DATE, 1},
                                      {"x", HC_COL_NUM, 1}};
    static const char *const cells[] = {"a1", "b2", "NA", "", " 7 ", "2024-02-29", "2023-02-29",
                                        "3.25", "-0", "1e3", "x", "12345678901234567",
                                        "0.5", "\t4\t", "null", "2024-01-01", "-1.5"};
    uint64_t s = 12345;
    gbuf input = {0};
    size_t n_ok = 0, n_negative = 0, n_other = 0;
    const char *dir = getenv("TMPDIR");
    for (int iter = 0; iter < 300; iter++) {
        input.n = 0;
        gb_put(&input, "id,d,x,y\n", 9);
        size_t rows = hc_test_rnd(&s) % 6 == 0 ? 6000 : 1 + hc_test_rnd(&s) % 50;
        int bad = hc_test_rnd(&s) % 2;
        for (size_t r = 0; r < rows; r++) {
            if (bad && hc_test_rnd(&s) % (rows * 2) == 0) {
                gb_printf(&input, "%s%s\n", cells[hc_test_rnd(&s) % 17], hc_test_rnd(&s) % 2 ? ",\"q" : "");
                continue;
            }
            gb_printf(&input, "a%u,2024-%02u-%02u,%s%u.%u,%s\n", (unsigned)(hc_test_rnd(&s) % 99),
                      (unsigned)(1 + hc_test_rnd(&s) % 12), (unsigned)(1 + hc_test_rnd(&s) % 28),
                      bad && hc_test_rnd(&s) % rows == 0 ? "-" : "",
                      (unsigned)(hc_test_rnd(&s) % 1000), (unsigned)(hc_test_rnd(&s) % 100),
                      bad && hc_test_rnd(&s) % 4 == 0 ? cells[hc_test_rnd(&s) % 17] : "1");
            if (bad && hc_test_rnd(&s) % 64 == 0)
                gb_printf(&input, "%s,%s,%s,1\r\n", cells[hc_test_rnd(&s) % 17], cells[hc_test_rnd(&s) % 17],
                          cells[hc_test_rnd(&s) % 17]);
        }
        char path[256];
        snprintf(path, sizeof path, "%s/hc-test-fastpath.XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, input.p, input.n), (ssize_t)input.n);
        close(fd);
        for (int split = 0; split < 2; split++) {
            hc_table *t[2] = {NULL, NULL};
            hc_error e[2];
            hc_status st[2];
            for (int slow = 0; slow < 2; slow++) {
                hc_load_options lo = {.csv = {.libcsv_only = slow},
                                      .cols = cols,
                                      .n_cols = 3,
                                      .extra = HC_EXTRA_NUM,
                                      .negative_error_col = 2,
                                      .split_min_bytes = split ? 1 : SIZE_MAX};
                hc_error_clear(&e[slow]);
                st[slow] = hc_table_load_csv(path, &lo, &t[slow], &e[slow]);
            }
            assert_int_equal(st[0], st[1]);
            if (st[0] == HC_OK)
                n_ok++;
            else if (strstr(e[0].message, "negative"))
                n_negative++;
            else
                n_other++;
            if (st[0] != HC_OK) {
                assert_string_equal(e[0].message, e[1].message);
                assert_int_equal(e[0].line, e[1].line);
                assert_int_equal(e[0].column, e[1].column);
            } else {
                assert_int_equal(t[0]->n_rows, t[1]->n_rows);
                assert_int_equal(t[0]->n_cols, t[1]->n_cols);
                for (size_t r = 0; r < t[0]->n_rows; r++)
                    assert_int_equal(hc_table_line(t[0], r), hc_table_line(t[1], r));
                for (size_t c = 0; c < t[0]->n_cols; c++) {
                    const hc_column *a = &t[0]->cols[c], *b = &t[1]->cols[c];
                    assert_int_equal(a->n_missing, b->n_missing);
                    if (a->type == HC_COL_NUM) {
                        /* Bit for bit, whatever the storage. */
                        for (size_t r = 0; r < t[0]->n_rows; r++) {
                            double x = hc_table_num(t[0], (int)c, r);
                            double y = hc_table_num(t[1], (int)c, r);
                            assert_memory_equal(&x, &y, sizeof x);
                        }
                    } else
                        assert_memory_equal(a->code, b->code, t[0]->n_rows * sizeof *a->code);
                    if (a->type == HC_COL_TEXT) {
                        assert_int_equal(hc_strpool_count(a->pool), hc_strpool_count(b->pool));
                        for (size_t k = 0; k < hc_strpool_count(a->pool); k++)
                            assert_string_equal(hc_strpool_get(a->pool, (int32_t)k),
                                                hc_strpool_get(b->pool, (int32_t)k));
                    }
                }
            }
            hc_table_free(t[0]);
            hc_table_free(t[1]);
        }
        unlink(path);
    }
    /* Both good files and each kind of error were seen. */
    fprintf(stderr, "loads: %zu ok, %zu negative values, %zu other errors\n", n_ok, n_negative,
            n_other);
    assert_true(n_ok > 20 && n_negative > 20 && n_other > 20);
    free(input.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libcsv_particulars),
        cmocka_unit_test(test_stream_same_as_libcsv),
        cmocka_unit_test(test_wide_lines),
        cmocka_unit_test(test_load_same_as_libcsv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
