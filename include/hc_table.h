/* hc_table.h - the in-memory columnar table (layer: data).
 *
 * A table holds typed columns of equal length: numbers (read as doubles,
 * NaN is missing; stored in the narrowest exact form, see below), text
 * interned to int32 codes in the column's own string pool (codes are dense
 * 0..k-1 per column, -1 is missing), dates as day numbers
 * (HC_DATE_MISSING is missing). Every row remembers the 1-based line of
 * the source file it came from, so later checks (duplicates, label rules)
 * can name it.
 *
 * Numbers: a column holds every value as a decimal-scaled integer m of 8,
 * 16 or 32 bits with one scale d for the column (the value is
 * (double)m / 10^d, the most negative integer of the width is missing),
 * or as doubles when some value has no such form (more than 9 decimals,
 * too large for 32 bits, -0, an infinity). A column starts as 8-bit
 * integers of scale 0 and widens (a larger scale, a wider integer, or
 * doubles), re-encoding its values, when a value does not fit. Why this
 * reads back exactly what was stored: a value stored as m / 10^d with
 * |m| < 2^53 and d <= 22 has both operands exact in a double, so the one
 * correctly rounded IEEE division (double)m / 1e d gives the double
 * nearest to the real m / 10^d; that is what strtod gives for the text
 * (also correctly rounded) and what any double v was when m / 10^d was
 * found by checking that division against v bit for bit. Rescaling m by
 * 10^k to a larger common d (m * 10^k / 10^(d + k)) is the same real
 * number, so it decodes to the same bits. Readers never see the
 * encoding: hc_table_num, hc_table_num_read and hc_table_num_gather give
 * doubles.
 */
#ifndef HC_TABLE_H
#define HC_TABLE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

typedef enum { HC_COL_NUM, HC_COL_TEXT, HC_COL_DATE } hc_coltype;

/* An interning string pool: equal strings get equal codes 0, 1, 2, ... */
typedef struct hc_strpool hc_strpool;

hc_strpool *hc_strpool_alloc(void);
void hc_strpool_free(hc_strpool *pool);
/* Returns the code of the `len` bytes at `s`, adding a copy when new, or -1
 * when out of memory. */
int32_t hc_strpool_intern(hc_strpool *pool, const char *s, size_t len);
/* Returns the code of s or -1 when absent; never adds. */
int32_t hc_strpool_lookup(const hc_strpool *pool, const char *s, size_t len);
/* Returns the string of a code, owned by the pool; NULL for -1. */
const char *hc_strpool_get(const hc_strpool *pool, int32_t code);
size_t hc_strpool_count(const hc_strpool *pool);
/* Interns every string of `src` into `dst` in src's code order and returns
 * a new array (caller frees) whose entry k is the dst code of src code k.
 * Strings new to dst thus get codes after dst's own, in src's order of
 * first appearance: merging the pool of a later part of a file gives the
 * codes one pool over the whole file would. NULL when out of memory (dst
 * may then hold some of the strings). */
int32_t *hc_strpool_merge(hc_strpool *dst, const hc_strpool *src);

/* How a numeric column stores its values (see the top of this file). */
typedef enum {
    HC_NUM_I8,       /* int8_t m, INT8_MIN = missing */
    HC_NUM_I16,      /* int16_t m, INT16_MIN = missing */
    HC_NUM_I32,      /* int32_t m, INT32_MIN = missing */
    HC_NUM_F64       /* double, NaN = missing */
} hc_num_store;

/* The largest decimal scale a numeric column takes. */
#define HC_NUM_MAX_SCALE 9

typedef struct {
    char *name;
    hc_coltype type;
    void *nums;      /* HC_COL_NUM: n_rows values stored as `store`; read
                        them with hc_table_num* */
    hc_num_store store;
    int scale;       /* HC_COL_NUM, integer stores: d, value = m / 10^d */
    double div;      /* 10^scale */
    int32_t *code;   /* HC_COL_TEXT: codes in `pool`, -1 = missing;
                        HC_COL_DATE: day numbers, HC_DATE_MISSING = missing */
    hc_strpool *pool; /* HC_COL_TEXT only: this column's strings (owned) */
    int32_t *tod;    /* HC_COL_DATE, NULL unless some cell was a timestamp:
                        milliseconds since the local midnight of the cell's
                        day, -1 for a cell without a time (the snapshot
                        loader orders same-day rows by it, then frees it) */
    size_t n_missing;
} hc_column;

typedef struct {
    char *source;      /* file name used in messages (owned) */
    size_t n_rows;
    size_t n_cols;
    size_t cap_rows;
    size_t cap_cols;
    hc_column *cols;
    uint32_t *line;    /* source line of each row (1-based), or NULL when
                          every row r is on line r + 2 (one record a line
                          after the header, the usual file): read it with
                          hc_table_line */
} hc_table;

/* The 1-based source line of row r. */
static inline uint32_t hc_table_line(const hc_table *t, size_t r)
{
    return t->line ? t->line[r] : (uint32_t)(r + 2);
}

/* Frees the line array when every row r is on line r + 2 (line becomes
 * NULL, hc_table_line answers the same): 4 bytes a row of every loaded
 * table. The loader calls it; the table's functions keep working. */
void hc_table_compact_lines(hc_table *t);

/* Allocates an empty table; `source` is copied (NULL means "<memory>").
 * Returns NULL when out of memory. Free with hc_table_free. */
hc_table *hc_table_alloc(const char *source);
void hc_table_free(hc_table *t);

/* Adds a column of `type` named `name` (copied) holding n_rows missing
 * values; returns its index or -1 when out of memory. */
int hc_table_add_column(hc_table *t, const char *name, hc_coltype type);

/* Grows every column to hold at least `rows` rows (values beyond n_rows are
 * unspecified). Returns HC_OK or HC_ENOMEM. */
hc_status hc_table_reserve(hc_table *t, size_t rows);

/* Gives back the room of every column beyond n_rows (cap_rows becomes
 * n_rows), e.g. after a split load reserved room for more rows than the
 * file had. A
 * buffer that cannot be shrunk keeps its larger size, which is harmless. */
void hc_table_shrink(hc_table *t);

/* Sets n_rows to `rows` (reserving as needed); new cells are missing and new
 * lines are row index + 2 (as if read after a header). */
hc_status hc_table_resize(hc_table *t, size_t rows);

/* Appends the rows of `src` after those of `dst`. Both must have the same
 * columns (names, types, order), as two parts of one file loaded with one
 * header. Text codes are carried over through hc_strpool_merge, so the
 * result equals one table loaded from both parts in order; `line_offset`
 * is added to src's source lines (modulo 2^32, as the lines are stored);
 * missing counts add up. Numeric columns stored differently in the two
 * take the narrowest storage that holds both (values unchanged, bit for
 * bit). src's column storage is freed column by column as it is copied,
 * so that the peak stays near one table: afterwards src has
 * no rows but must still be freed with hc_table_free. Returns HC_OK,
 * HC_EUSAGE when the columns differ, or HC_ENOMEM (dst is then unchanged in
 * rows but its pools may hold extra strings). */
hc_status hc_table_append(hc_table *dst, hc_table *src, uint32_t line_offset);

/* The value of numeric cell (col, row) as a double (NaN when missing).
 * For scattered reads; loops over many rows use hc_table_num_read or
 * hc_table_num_gather. */
static inline double hc_table_num(const hc_table *t, int col, size_t row)
{
    const hc_column *c = &t->cols[col];
    switch (c->store) {
    case HC_NUM_I8: {
        int8_t m = ((const int8_t *)c->nums)[row];
        return m == INT8_MIN ? NAN : (double)m / c->div;
    }
    case HC_NUM_I16: {
        int16_t m = ((const int16_t *)c->nums)[row];
        return m == INT16_MIN ? NAN : (double)m / c->div;
    }
    case HC_NUM_I32: {
        int32_t m = ((const int32_t *)c->nums)[row];
        return m == INT32_MIN ? NAN : (double)m / c->div;
    }
    default:
        return ((const double *)c->nums)[row];
    }
}

/* Writes the values of rows first .. first + n - 1 of numeric column
 * `col` to out[0 .. n - 1] (NaN when missing). The rows must exist. */
void hc_table_num_read(const hc_table *t, int col, size_t first, size_t n, double *out);

/* Writes the values of rows rows[0 .. n - 1] of numeric column `col` to
 * out[0 .. n - 1] (NaN when missing). */
void hc_table_num_gather(const hc_table *t, int col, const size_t *rows, size_t n,
                         double *out);

/* Sets numeric cell (col, row), row < n_rows, to v (NaN = missing; the
 * column's missing count follows), widening the column's storage when v
 * has no exact form in it. The cell then reads back v bit for bit (any
 * NaN reads back as NAN). Returns HC_OK or HC_ENOMEM (the column is then
 * unchanged). For tables built in memory; the CSV loader fills columns
 * faster from the text. */
hc_status hc_table_num_set(hc_table *t, int col, size_t row, double v);

/* Keeps the rows r with keep[r] != 0, in order (their source lines and
 * values unchanged; missing counts follow). Returns HC_OK or HC_ENOMEM
 * (the table is then unchanged). */
hc_status hc_table_keep_rows(hc_table *t, const unsigned char *keep);

/* Gives a date column a time-of-day array (every cell -1) when it has
 * none. Returns HC_OK or HC_ENOMEM. */
hc_status hc_table_date_tod(hc_table *t, int col);

/* Index of the column named `name`, or -1. */
int hc_table_find(const hc_table *t, const char *name);

/* Text of a text cell (NULL when missing). */
const char *hc_table_text(const hc_table *t, int col, size_t row);

/* Sets a text cell, interning `s` in the column's pool (NULL = missing).
 * Returns HC_OK or HC_ENOMEM. */
hc_status hc_table_set_text(hc_table *t, int col, size_t row, const char *s);

#endif
