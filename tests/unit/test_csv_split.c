/* test_csv_split.c - loading a large CSV file as two halves on two threads: the same table or error as a sequential load. */
#include "test_csv_util.h"

#include "hc_csv_load.h"

/* ------------------------------------------------------------------ */
/* Loading a large file as two halves                                   */

/* The sequential load is the authority: a file split in two and parsed on
 * two threads must give the same table (rows, values bit for bit, codes in
 * order of first appearance, lines, missing counts) or the same error. The
 * split is forced on small files with split_min_bytes = 1; the report says
 * whether it really happened. */

/* Asserts that numeric columns ca of a and cb of b read the same values,
 * bit for bit (-0.0 and NaN included), whatever their storage. */
static void assert_same_numbers(const hc_table *a, int ca, const hc_table *b, int cb)
{
    assert_int_equal(a->n_rows, b->n_rows);
    size_t n = a->n_rows ? a->n_rows : 1;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    hc_table_num_read(a, ca, 0, a->n_rows, x);
    hc_table_num_read(b, cb, 0, b->n_rows, y);
    assert_memory_equal(x, y, a->n_rows * sizeof *x);
    free(x);
    free(y);
}

/* Asserts that two tables are the same in every respect a caller can see. */
static void assert_same_table(const hc_table *a, const hc_table *b)
{
    assert_int_equal(a->n_rows, b->n_rows);
    assert_int_equal(a->n_cols, b->n_cols);
    for (size_t r = 0; r < a->n_rows; r++)
        assert_int_equal(hc_table_line(a, r), hc_table_line(b, r));
    for (size_t c = 0; c < a->n_cols; c++) {
        const hc_column *x = &a->cols[c], *y = &b->cols[c];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->n_missing, y->n_missing);
        if (x->type == HC_COL_NUM) {
            /* Bit for bit: -0.0 and NaN included. */
            assert_same_numbers(a, (int)c, b, (int)c);
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
 * estimate its rows (csv_split.c, estimate_rows), and these windows, with
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

/* A half with many more rows than estimated grows its table past the room
 * reserved for it (the report counts it): the result is still the
 * sequential one, string codes included (ids of the second half are
 * partly new). */
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
         * split falls: the first half, having outgrown its room, reads on
         * alone. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_same_as_sequential),
        cmocka_unit_test(test_split_inside_quotes_falls_back),
        cmocka_unit_test(test_split_bom_only_at_file_start),
        cmocka_unit_test(test_split_not_possible),
        cmocka_unit_test(test_split_errors_as_sequential),
        cmocka_unit_test(test_split_long_field),
        cmocka_unit_test(test_split_spills),
        cmocka_unit_test(test_split_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
