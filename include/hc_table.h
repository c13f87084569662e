/* hc_table.h - the in-memory columnar table (layer: data).
 *
 * A table holds typed columns of equal length: numbers as doubles (NaN is
 * missing), text interned to int32 codes in the column's own string pool
 * (codes are dense 0..k-1 per column, -1 is missing), dates as day numbers (HC_DATE_MISSING is missing). Every row
 * remembers the 1-based line of the source file it came from, so later
 * checks (duplicates, label rules) can name it.
 */
#ifndef HC_TABLE_H
#define HC_TABLE_H

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

typedef struct {
    char *name;
    hc_coltype type;
    double *num;     /* HC_COL_NUM: n_rows values, NaN = missing */
    int32_t *code;   /* HC_COL_TEXT: codes in `pool`, -1 = missing;
                        HC_COL_DATE: day numbers, HC_DATE_MISSING = missing */
    hc_strpool *pool; /* HC_COL_TEXT only: this column's strings (owned) */
    size_t n_missing;
} hc_column;

typedef struct {
    char *source;      /* file name used in messages (owned) */
    size_t n_rows;
    size_t n_cols;
    size_t cap_rows;
    size_t cap_cols;
    hc_column *cols;
    uint32_t *line;    /* source line of each row (1-based) */
} hc_table;

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
 * n_rows), e.g. after rows were written past the end and moved down. A
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
 * missing counts add up. src's column storage is freed column by column as
 * it is copied, so that the peak stays near one table: afterwards src has
 * no rows but must still be freed with hc_table_free. Returns HC_OK,
 * HC_EUSAGE when the columns differ, or HC_ENOMEM (dst is then unchanged in
 * rows but its pools may hold extra strings). */
hc_status hc_table_append(hc_table *dst, hc_table *src, uint32_t line_offset);

/* Frees the values of numeric column `col` (its num becomes NULL; the
 * name, type and missing count stay): for a caller done with a column of
 * a large table (the fit, once the design holds its sub-scores). Reading
 * the column afterwards is the caller's bug. Other column types and
 * out-of-range indexes are left alone. */
void hc_table_release_values(hc_table *t, int col);

/* The same, handing the values over instead of freeing them: returns the
 * array of numeric column `col` (room for at least n_rows doubles; the
 * caller frees it and may reuse it for anything, which saves the fresh
 * pages a new array of that size would cost) and leaves the column without
 * values. NULL for other column types, out-of-range indexes or a column
 * already released. */
double *hc_table_take_values(hc_table *t, int col);

/* Frees the values of every column and the source lines (each becomes
 * NULL; names, types, string pools, missing counts and n_rows stay): for
 * the owner of a table whose every row has been read for the last time
 * (the backtest's consume option). Reading a cell afterwards is the
 * caller's bug; hc_table_free still frees the rest. NULL is a no-op. */
void hc_table_release_all(hc_table *t);

/* Index of the column named `name`, or -1. */
int hc_table_find(const hc_table *t, const char *name);

/* Text of a text cell (NULL when missing). */
const char *hc_table_text(const hc_table *t, int col, size_t row);

/* Sets a text cell, interning `s` in the column's pool (NULL = missing).
 * Returns HC_OK or HC_ENOMEM. */
hc_status hc_table_set_text(hc_table *t, int col, size_t row, const char *s);

#endif
