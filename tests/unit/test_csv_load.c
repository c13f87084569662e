/* test_csv_load.c - loading a CSV file into a typed table: missing markers, lines, errors, extra columns, cells as hc_number parses them. */
#include "test_csv_util.h"

#include "hc_csv_load.h"
#include "hc_date.h"
#include "hc_number.h"

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
    assert_true(isnan(hc_table_num(t, 2, 0)) && isnan(hc_table_num(t, 2, 1)) &&
                isnan(hc_table_num(t, 2, 4)) && isnan(hc_table_num(t, 2, 5)));
    assert_true(hc_table_num(t, 2, 2) == 12.0);
    assert_true(hc_table_num(t, 2, 3) == 7.5);
    assert_true(hc_table_num(t, 2, 6) == -3.0);
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
    assert_non_null(t->line); /* not every row r is on line r + 2 */
    assert_int_equal(hc_table_line(t, 0), 2);
    assert_int_equal(hc_table_line(t, 1), 4);
    assert_int_equal(hc_table_line(t, 2), 6);
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
        {"id;d;x\na;2024-01-01;1,5,3\n", ';', 2, 3, "'1,5,3' is not a number"},
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
    assert_true(hc_table_num(t, 3, 0) == 9.0 && hc_table_num(t, 4, 0) == 2.0);
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
        hc_load_options lo = {.cols = snap_cols, .n_cols = 4, .negative_error_col = -1,
                              .split_min_bytes = split_min == 1 ? 1 : SIZE_MAX};
        hc_table *t;
        hc_error err;
        assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
        for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
            const char *s = forms[i];
            double want;
            hc_num_status ns = hc_number_parse(s, strlen(s), &want);
            double got = hc_table_num(t, 2, i);
            if (ns == HC_NUM_OK || ns == HC_NUM_MISSING)
                assert_memory_equal(&got, &want, sizeof want);
            assert_int_equal(t->cols[3].code[i] < 0, hc_number_is_missing(s, strlen(s)));
            if (t->cols[3].code[i] >= 0)
                assert_string_equal(hc_table_text(t, 3, i), s);
        }
        hc_table_free(t);
    }
    unlink(path);
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_missing_values_and_spaces),
        cmocka_unit_test(test_load_line_numbers),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_extra_columns),
        cmocka_unit_test(test_load_cells_match_number_module),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
