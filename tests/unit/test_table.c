/* test_table.c - the columnar table's numeric storage: exact read-back, widening, joins of differently stored columns, missing values. */
#include "test_csv_util.h"

#include "hc_csv_load.h"
#include "hc_number.h"
#include "hc_table.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Asserts that a double has exactly the bits of `want`. */
static void assert_same_bits(double got, double want, const char *what, size_t row)
{
    if (memcmp(&got, &want, sizeof got) != 0) {
        fprintf(stderr, "%s row %zu: got %.17g (%a), want %.17g (%a)\n", what, row, got,
                got, want, want);
        fail();
    }
}

/* Asserts that every read path (one cell, a block, a gather in reverse)
 * gives want[0 .. n_rows - 1] bit for bit (NaN where want is NaN). */
static void assert_column(const hc_table *t, int col, const double *want)
{
    size_t n = t->n_rows;
    double *block = malloc((n ? n : 1) * sizeof *block);
    double *gath = malloc((n ? n : 1) * sizeof *gath);
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    assert_non_null(block);
    assert_non_null(gath);
    assert_non_null(rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = n - 1 - i;
    hc_table_num_read(t, col, 0, n, block);
    hc_table_num_gather(t, col, rows, n, gath);
    size_t missing = 0;
    for (size_t r = 0; r < n; r++) {
        double w = isnan(want[r]) ? NAN : want[r];
        missing += isnan(w) != 0;
        assert_same_bits(hc_table_num(t, col, r), w, t->cols[col].name, r);
        assert_same_bits(block[r], w, "block read", r);
        assert_same_bits(gath[n - 1 - r], w, "gather", r);
    }
    assert_int_equal(t->cols[col].n_missing, missing);
    free(block);
    free(gath);
    free(rows);
}

/* A table with one numeric column "x" of n missing rows. */
static hc_table *one_column(size_t n)
{
    hc_table *t = hc_table_alloc("mem");
    assert_non_null(t);
    assert_int_equal(hc_table_add_column(t, "x", HC_COL_NUM), 0);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    return t;
}

/* Loads `csv` (every column numeric) in one piece, or as two halves when
 * `split`; asserts that the split really happened. */
static hc_table *load_numbers(const char *csv, size_t len, int split)
{
    const char *path = temp_file(csv, len);
    hc_load_report rep;
    hc_load_options lo = {.extra = HC_EXTRA_NUM,
                          .negative_error_col = -1,
                          .split_min_bytes = split ? 1 : SIZE_MAX,
                          .report = &rep};
    hc_table *t;
    hc_error err;
    assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
    unlink(path);
    assert_int_equal(rep.split_at > 0, split);
    return t;
}

/* ------------------------------------------------------------------ */
/* Loaded values read back as strtod parses them                        */

/* Appends a random decimal with up to `int_digits` integer digits and
 * `frac` decimals (fewer when `mixed`), sometimes negative. */
static void put_decimal(gbuf *b, uint64_t *s, unsigned int_digits, unsigned frac, int mixed,
                        int negative)
{
    uint64_t ip = hc_test_rnd(s) % (uint64_t)pow(10, int_digits);
    unsigned f = mixed ? (unsigned)(hc_test_rnd(s) % (frac + 1)) : frac;
    if (negative && hc_test_rnd(s) % 2)
        gb_str(b, "-");
    gb_printf(b, "%llu", (unsigned long long)ip);
    if (f) {
        gb_str(b, ".");
        for (unsigned k = 0; k < f; k++)
            gb_printf(b, "%u", (unsigned)(hc_test_rnd(s) % 10));
    }
}

/* Property: for random decimal strings of 0-6 decimals in columns of
 * every width (and a few missing cells), the loaded values, in one piece
 * or as two halves, are bit for bit what strtod gives for the text; the
 * columns take the narrowest storage their values allow. */
static void test_loaded_decimals_match_strtod(void **state)
{
    (void)state;
    enum { NCOL = 7, ROWS = 3000 };
    /* integer digits, decimals, mixed decimals, negatives */
    static const unsigned spec[NCOL][4] = {
        {2, 0, 0, 0}, /* 0..99: int8, scale 0 */
        {3, 1, 0, 1}, /* +-999.9: int16, scale 1 */
        {2, 2, 1, 0}, /* 0..99.99 with 0-2 decimals: int16, scale 2 */
        {4, 5, 0, 1}, /* +-9999.99999: int32, scale 5 */
        {1, 6, 1, 1}, /* +-9.999999 with 0-6 decimals: int32, scale 6 */
        {6, 6, 1, 0}, /* up to 999999.999999: too wide for int32: doubles */
        {9, 0, 0, 1}, /* +-999999999: int32, scale 0 */
    };
    static const hc_num_store want_store[NCOL] = {HC_NUM_I8,  HC_NUM_I16, HC_NUM_I16,
                                                  HC_NUM_I32, HC_NUM_I32, HC_NUM_F64,
                                                  HC_NUM_I32};
    static const int want_scale[NCOL] = {0, 1, 2, 5, 6, 0, 0};
    for (uint64_t seed = 1; seed <= 4; seed++) {
        uint64_t s = seed * 0x9E3779B97F4A7C15u;
        gbuf b = {0};
        gbuf cell[NCOL] = {{0}};
        gb_str(&b, "c0,c1,c2,c3,c4,c5,c6\n");
        double *want = malloc(NCOL * ROWS * sizeof *want);
        assert_non_null(want);
        for (size_t r = 0; r < ROWS; r++) {
            for (int c = 0; c < NCOL; c++) {
                cell[c].n = 0;
                if (hc_test_rnd(&s) % 50 == 0)
                    gb_str(&cell[c], (const char *[]){"", "NA", "null"}[hc_test_rnd(&s) % 3]);
                else
                    put_decimal(&cell[c], &s, spec[c][0], spec[c][1], (int)spec[c][2],
                                (int)spec[c][3]);
                if (cell[c].n == 0 || cell[c].p[0] == 'N' || cell[c].p[0] == 'n')
                    want[c * ROWS + r] = NAN;
                else
                    want[c * ROWS + r] = strtod(cell[c].p, NULL);
                /* -0 would need doubles: keep the int columns to ints. */
                if (want[c * ROWS + r] == 0 && signbit(want[c * ROWS + r])) {
                    cell[c].n = 0;
                    gb_str(&cell[c], "0");
                    want[c * ROWS + r] = 0.0;
                }
                gb_printf(&b, "%s%s", c ? "," : "", cell[c].n ? cell[c].p : "");
            }
            gb_str(&b, "\n");
        }
        /* The column maxima, so that the expected storage is reached. */
        gb_str(&b, "99,-999.9,99.99,-9999.99999,-9.999999,999999.999999,-999999999\n");
        static const double last[NCOL] = {99, -999.9, 99.99, -9999.99999, -9.999999,
                                          999999.999999, -999999999};
        for (int split = 0; split < 2; split++) {
            hc_table *t = load_numbers(b.p, b.n, split);
            assert_int_equal(t->n_rows, ROWS + 1);
            assert_int_equal(t->n_cols, NCOL);
            double *w = malloc((ROWS + 1) * sizeof *w);
            assert_non_null(w);
            for (int c = 0; c < NCOL; c++) {
                memcpy(w, want + c * ROWS, ROWS * sizeof *w);
                w[ROWS] = last[c];
                assert_column(t, c, w);
                assert_int_equal(t->cols[c].store, want_store[c]);
                if (want_store[c] != HC_NUM_F64)
                    assert_int_equal(t->cols[c].scale, want_scale[c]);
            }
            free(w);
            hc_table_free(t);
        }
        for (int c = 0; c < NCOL; c++)
            free(cell[c].p);
        free(want);
        free(b.p);
    }
}

/* Forms that are not plain decimals read back as strtod gives them too:
 * exponents, signs, spaces, leading zeros, trailing zeros (which do not
 * widen the scale), long digit strings (strtod's slow path, whose doubles
 * are searched for a decimal form), and values that need doubles. */
static void test_loaded_other_forms(void **state)
{
    (void)state;
    static const struct {
        const char *cells; /* one column, one value per line */
        hc_num_store store;
        int scale;
    } cases[] = {
        {"1\n2.50\n3.000\n", HC_NUM_I8, 1},
        {"1e2\n25e-2\n+7\n 8 \n007\n", HC_NUM_I16, 2},
        {"1.5E3\n-2.5e-1\n", HC_NUM_I32, 2},
        {"0.10000000000000000000000000001\n0.5\n", HC_NUM_I8, 1},
        {"123456789012345678901234567890\n1\n", HC_NUM_F64, 0},
        {"0.1234567891\n1\n", HC_NUM_F64, 0},
        {"-0\n1\n", HC_NUM_F64, 0},
        {"-0.0\n", HC_NUM_F64, 0},
        {"1e300\n2\n", HC_NUM_F64, 0},
        {"2147483647\n", HC_NUM_I32, 0},
        {"2147483648\n", HC_NUM_F64, 0},
        {"-2147483647\n", HC_NUM_I32, 0},
        {"-2147483648\n", HC_NUM_F64, 0},
        {"127\n-127\n", HC_NUM_I8, 0},
        {"-128\n", HC_NUM_I16, 0},
        {"0.000000001\n", HC_NUM_I8, 9},
        {"0.0000000001\n", HC_NUM_F64, 0},
        {"NA\nnull\nNaN\n", HC_NUM_I8, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gbuf b = {0};
        gb_str(&b, "x\n");
        gb_str(&b, cases[i].cells);
        hc_table *t = load_numbers(b.p, b.n, 0);
        double want[8];
        size_t n = 0;
        for (const char *p = cases[i].cells; *p; n++) {
            const char *nl = strchr(p, '\n');
            char one[64];
            snprintf(one, sizeof one, "%.*s", (int)(nl - p), p);
            double v;
            hc_num_status st = hc_number_parse(one, strlen(one), &v);
            assert_true(st == HC_NUM_OK || st == HC_NUM_MISSING);
            want[n] = st == HC_NUM_OK ? strtod(one, NULL) : NAN;
            p = nl + 1;
        }
        if (t->n_rows != n) {
            fprintf(stderr, "case %zu: %zu rows, want %zu\n", i, t->n_rows, n);
            fail();
        }
        assert_column(t, 0, want);
        if (t->cols[0].store != cases[i].store || (cases[i].store != HC_NUM_F64 &&
                                                   t->cols[0].scale != cases[i].scale)) {
            fprintf(stderr, "case %zu: store %d scale %d\n", i, (int)t->cols[0].store,
                    t->cols[0].scale);
            fail();
        }
        hc_table_free(t);
        free(b.p);
    }
}

/* ------------------------------------------------------------------ */
/* Widening                                                            */

/* Every way a column widens, by hc_table_num_set on a table in memory:
 * a wider integer at the same scale, a larger scale at the same width, a
 * larger scale that needs a wider integer, each integer width to
 * doubles; after each step every value set so far reads back exactly. */
static void test_widening_every_direction(void **state)
{
    (void)state;
    static const struct {
        double v;
        hc_num_store store;
        int scale;
    } steps[] = {
        {5, HC_NUM_I8, 0},          {-100, HC_NUM_I8, 0},
        {0.5, HC_NUM_I16, 1},       /* 100 -> 1000 at scale 1: wider */
        {1.25, HC_NUM_I16, 2},      /* scale only: -10000 fits int16 */
        {300, HC_NUM_I16, 2},       /* 30000 still fits */
        {-0.001, HC_NUM_I32, 3},    /* -10000 -> -100000: wider */
        {1e6, HC_NUM_I32, 3},       /* 1e9 fits int32 */
        {0.1, HC_NUM_I32, 3},       {3e6, HC_NUM_F64, 0}, /* 3e9 > 2^31 - 1 */
        {0.1 + 0.2, HC_NUM_F64, 0}, {NAN, HC_NUM_F64, 0},
    };
    size_t n = sizeof steps / sizeof steps[0];
    hc_table *t = one_column(n);
    double want[sizeof steps / sizeof steps[0]];
    for (size_t i = 0; i < n; i++)
        want[i] = NAN;
    assert_int_equal(t->cols[0].store, HC_NUM_I8);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hc_table_num_set(t, 0, i, steps[i].v), HC_OK);
        want[i] = steps[i].v;
        assert_column(t, 0, want);
        assert_int_equal(t->cols[0].store, steps[i].store);
        if (steps[i].store != HC_NUM_F64)
            assert_int_equal(t->cols[0].scale, steps[i].scale);
    }
    hc_table_free(t);

    /* Straight from each integer width to doubles, and a value
     * overwritten with one that needs more room. */
    static const double big[] = {100, 30000, 2e9};
    for (int w = 0; w < 3; w++) {
        t = one_column(3);
        double v[3] = {big[w], NAN, NAN};
        assert_int_equal(hc_table_num_set(t, 0, 0, big[w]), HC_OK);
        assert_int_equal(t->cols[0].store, (hc_num_store)w);
        v[1] = 1.0 / 3.0;
        assert_int_equal(hc_table_num_set(t, 0, 1, v[1]), HC_OK);
        assert_int_equal(t->cols[0].store, HC_NUM_F64);
        v[0] = -0.0;
        assert_int_equal(hc_table_num_set(t, 0, 0, v[0]), HC_OK);
        assert_column(t, 0, v);
        hc_table_free(t);
    }
    /* Widening while loading: a value late in the file that needs a
     * larger scale and width re-encodes the rows before it. */
    gbuf b = {0};
    gb_str(&b, "x,y\n");
    for (int i = 0; i < 2000; i++)
        gb_printf(&b, "%d,%d\n", i % 100, i % 7);
    gb_str(&b, "0.001,1.5\n");
    for (int split = 0; split < 2; split++) {
        t = load_numbers(b.p, b.n, split);
        double x[2001], y[2001];
        for (int i = 0; i < 2000; i++) {
            x[i] = i % 100;
            y[i] = i % 7;
        }
        x[2000] = 0.001;
        y[2000] = 1.5;
        assert_column(t, 0, x);
        assert_column(t, 1, y);
        assert_int_equal(t->cols[0].store, HC_NUM_I32); /* 99000 */
        assert_int_equal(t->cols[0].scale, 3);
        assert_int_equal(t->cols[1].store, HC_NUM_I8);
        assert_int_equal(t->cols[1].scale, 1);
        hc_table_free(t);
    }
    free(b.p);
}

/* Missing values: new rows are missing in every storage, a missing cell
 * set to a value and back keeps the count, and NaN of any payload reads
 * back as NAN. */
static void test_missing_values(void **state)
{
    (void)state;
    static const double first[] = {1, 1000, 1e8, 0.1 + 0.2};
    for (int w = 0; w < 4; w++) {
        hc_table *t = one_column(2);
        assert_int_equal(t->cols[0].n_missing, 2);
        assert_int_equal(hc_table_num_set(t, 0, 0, first[w]), HC_OK);
        assert_int_equal(t->cols[0].store, (hc_num_store)w);
        assert_int_equal(t->cols[0].n_missing, 1);
        assert_int_equal(hc_table_resize(t, 5), HC_OK);
        double want[5] = {first[w], NAN, NAN, NAN, NAN};
        assert_column(t, 0, want);
        assert_int_equal(hc_table_num_set(t, 0, 3, -first[w]), HC_OK);
        want[3] = -first[w];
        assert_column(t, 0, want);
        assert_int_equal(hc_table_num_set(t, 0, 3, -NAN), HC_OK);
        want[3] = NAN;
        assert_column(t, 0, want);
        assert_int_equal(hc_table_num_set(t, 0, 0, NAN), HC_OK);
        want[0] = NAN;
        assert_column(t, 0, want);
        assert_int_equal(t->cols[0].n_missing, 5);
        hc_table_free(t);
    }
}

/* ------------------------------------------------------------------ */
/* Joining tables                                                       */

/* Appending a column stored differently: the result takes the narrowest
 * storage holding both (the larger scale, the wider integer, or doubles
 * when the rescaled integers would not fit), every value unchanged. */
static void test_append_mixed_storage(void **state)
{
    (void)state;
    static const struct {
        double a[3], b[3];
        hc_num_store store;
        int scale;
    } cases[] = {
        {{1, 2, NAN}, {3, NAN, 4}, HC_NUM_I8, 0},              /* the same */
        {{1, 100, NAN}, {0.25, 0.5, NAN}, HC_NUM_I16, 2},      /* 100 -> 10000 */
        {{0.25, 0.5, NAN}, {1, 100, NAN}, HC_NUM_I16, 2},      /* other way round */
        {{1, 2, 3}, {40000, NAN, 1}, HC_NUM_I32, 0},           /* wider only */
        {{1.5, 2, 3}, {1e-9, 0, 1}, HC_NUM_F64, 0},            /* 3 at scale 9 > int32 */
        {{2e9, 1, NAN}, {0.5, NAN, NAN}, HC_NUM_F64, 0},       /* 2e10 > int32 */
        {{1, 2, 3}, {1.0 / 3, 2, NAN}, HC_NUM_F64, 0},         /* doubles in b */
        {{1.0 / 3, 2, NAN}, {0.125, 7, NAN}, HC_NUM_F64, 0},   /* doubles in a */
        {{NAN, NAN, NAN}, {0.125, 300, NAN}, HC_NUM_I32, 3},   /* a all missing */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hc_table *a = one_column(3), *b = one_column(3);
        double want[6];
        for (size_t r = 0; r < 3; r++) {
            assert_int_equal(hc_table_num_set(a, 0, r, cases[i].a[r]), HC_OK);
            assert_int_equal(hc_table_num_set(b, 0, r, cases[i].b[r]), HC_OK);
            want[r] = cases[i].a[r];
            want[3 + r] = cases[i].b[r];
        }
        assert_int_equal(hc_table_append(a, b, 0), HC_OK);
        assert_int_equal(a->n_rows, 6);
        assert_column(a, 0, want);
        hc_num_store st = cases[i].store;
        if (a->cols[0].store != st ||
            (st != HC_NUM_F64 && a->cols[0].scale != cases[i].scale)) {
            fprintf(stderr, "case %zu: store %d scale %d\n", i, (int)a->cols[0].store,
                    a->cols[0].scale);
            fail();
        }
        hc_table_free(a);
        hc_table_free(b);
    }
}

/* A split load whose halves store a column differently (integers in the
 * first half, decimals or doubles in the second, and the other way
 * round) gives the values of the sequential load, bit for bit. */
static void test_split_halves_stored_differently(void **state)
{
    (void)state;
    for (int variant = 0; variant < 4; variant++) {
        gbuf b = {0};
        gb_str(&b, "x,y\n");
        size_t rows = 4000;
        for (size_t i = 0; i < rows; i++) {
            int second = i >= rows / 2;
            if (second == (variant % 2))
                gb_printf(&b, "%zu,%zu\n", i % 120, i % 3);
            else if (variant < 2)
                gb_printf(&b, "%zu.%02zu,-%zu.5\n", i % 50, i % 100, i % 30000);
            else
                gb_printf(&b, "0.%010zu,%zu\n", i, i * 1000003);
        }
        hc_table *seq = load_numbers(b.p, b.n, 0), *split = load_numbers(b.p, b.n, 1);
        assert_int_equal(seq->n_rows, rows);
        assert_int_equal(split->n_rows, rows);
        double *w = malloc(rows * sizeof *w);
        assert_non_null(w);
        for (int c = 0; c < 2; c++) {
            hc_table_num_read(seq, c, 0, rows, w);
            assert_column(split, c, w);
            assert_int_equal(split->cols[c].store, seq->cols[c].store);
            assert_int_equal(split->cols[c].scale, seq->cols[c].scale);
        }
        free(w);
        hc_table_free(seq);
        hc_table_free(split);
        free(b.p);
    }
}

/* hc_table_append, the join of a split load's halves: codes of the appended table go
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
        assert_int_equal(hc_table_num_set(a, 1, r, (double)r), HC_OK);
    }
    a->cols[1].n_missing = 0;
    for (size_t r = 0; r < 3; r++) {
        assert_int_equal(hc_table_set_text(b, 0, r, tb[r]), HC_OK);
        assert_int_equal(hc_table_num_set(b, 1, r, 10.0 + (double)r), HC_OK);
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
    assert_true(hc_table_num(a, 1, 4) == 12.0);
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

/* Lines r + 2 are not stored: the array goes, hc_table_line answers the
 * same, and growing or appending brings the stored lines back. */
static void test_implicit_lines(void **state)
{
    (void)state;
    hc_table *t = hc_table_alloc("mem");
    assert_non_null(t);
    assert_true(hc_table_add_column(t, "x", HC_COL_NUM) >= 0);
    assert_int_equal(hc_table_resize(t, 3), HC_OK);
    hc_table_compact_lines(t);
    assert_null(t->line);
    for (size_t r = 0; r < 3; r++)
        assert_int_equal(hc_table_line(t, r), r + 2);
    assert_int_equal(hc_table_resize(t, 5000), HC_OK); /* beyond the capacity */
    assert_non_null(t->line);
    for (size_t r = 0; r < 5000; r++)
        assert_int_equal(hc_table_line(t, r), r + 2);
    t->line[1] = 9; /* a row on another line keeps the array */
    hc_table_compact_lines(t);
    assert_non_null(t->line);
    assert_int_equal(hc_table_line(t, 1), 9);
    /* An implicit second part appends with its offset. */
    hc_table *u = hc_table_alloc("mem");
    assert_true(hc_table_add_column(u, "x", HC_COL_NUM) >= 0);
    assert_int_equal(hc_table_resize(u, 2), HC_OK);
    hc_table_compact_lines(u);
    assert_null(u->line);
    assert_int_equal(hc_table_append(t, u, 5000), HC_OK);
    assert_int_equal(hc_table_line(t, 5000), 5002);
    assert_int_equal(hc_table_line(t, 5001), 5003);
    hc_table_free(u);
    hc_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loaded_decimals_match_strtod),
        cmocka_unit_test(test_loaded_other_forms),
        cmocka_unit_test(test_widening_every_direction),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_append_mixed_storage),
        cmocka_unit_test(test_split_halves_stored_differently),
        cmocka_unit_test(test_table_append),
        cmocka_unit_test(test_implicit_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
