/* table_num.h - storing numbers in a table's numeric columns: the inline store of a decimal, the widening store, joins (private to the data layer). */
#ifndef HC_TABLE_NUM_H
#define HC_TABLE_NUM_H

#include "hc_number.h"
#include "hc_table.h"

#include <stdint.h>

/* 10^k as integers and as exact doubles, k = 0 .. HC_NUM_MAX_SCALE. */
static const uint64_t hc_numcol_pow10_u64[HC_NUM_MAX_SCALE + 1] = {
    1,      10,      100,      1000,      10000,
    100000, 1000000, 10000000, 100000000, 1000000000};
static const double hc_numcol_pow10[HC_NUM_MAX_SCALE + 1] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                                             1e5, 1e6, 1e7, 1e8, 1e9};

/* Bytes per value of a store. */
static inline size_t hc_numcol_width(hc_num_store s)
{
    return s == HC_NUM_I8 ? 1 : s == HC_NUM_I16 ? 2 : s == HC_NUM_I32 ? 4 : 8;
}

/* Stores the value (neg ? -1 : 1) * m / 10^f at `row` of numeric column
 * `col` when it fits the column's storage as it is (also a double
 * column: the value is then computed as hc_number_parse would, one
 * correctly rounded division of exact operands, which needs m < 2^53 and
 * f <= 15). Returns 1 when stored, 0 when the value needs the widening
 * store hc_numcol_store (a larger scale or integer, or -0). Inline: the
 * CSV loader calls it for nearly every numeric cell. */
static inline int hc_numcol_store_fast(hc_column *col, size_t row, uint64_t m, unsigned f,
                                       int neg)
{
    static const double pow10_f[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (col->store == HC_NUM_F64) {
        double v = (double)m;
        if (f)
            v /= pow10_f[f];
        ((double *)col->nums)[row] = neg ? -v : v;
        return 1;
    }
    unsigned scale = (unsigned)col->scale;
    if (f > scale || m > INT32_MAX || (neg && m == 0))
        return 0;
    /* m <= 2^31 and scale - f <= 9: the product fits. */
    m *= hc_numcol_pow10_u64[scale - f];
    switch (col->store) {
    case HC_NUM_I8:
        if (m > INT8_MAX)
            return 0;
        ((int8_t *)col->nums)[row] = (int8_t)(neg ? -(int)m : (int)m);
        return 1;
    case HC_NUM_I16:
        if (m > INT16_MAX)
            return 0;
        ((int16_t *)col->nums)[row] = (int16_t)(neg ? -(int)m : (int)m);
        return 1;
    default:
        if (m > INT32_MAX)
            return 0;
        ((int32_t *)col->nums)[row] = (int32_t)(neg ? -(int64_t)m : (int64_t)m);
        return 1;
    }
}

/* Marks cell `row` of numeric column `col` missing (the missing count is
 * the caller's). */
static inline void hc_numcol_store_missing(hc_column *col, size_t row)
{
    switch (col->store) {
    case HC_NUM_I8:
        ((int8_t *)col->nums)[row] = INT8_MIN;
        break;
    case HC_NUM_I16:
        ((int16_t *)col->nums)[row] = INT16_MIN;
        break;
    case HC_NUM_I32:
        ((int32_t *)col->nums)[row] = INT32_MIN;
        break;
    default:
        ((double *)col->nums)[row] = NAN;
    }
}

/* realloc for a table's row arrays: large ones are advised to use huge
 * pages (fewer page faults as they fill). table.c. */
void *hc_table_realloc(void *p, size_t bytes);

/* Stores the number v (not NaN) at `row` of numeric column `col`,
 * widening the column when v has no exact form in its storage: the
 * values of rows 0 .. t->n_rows - 1 are then re-encoded (the column's
 * room stays t->cap_rows rows). `dec`, when not NULL and exact, is v's
 * decimal form from hc_number_parse_decimal and saves finding it. The
 * missing count is the caller's. Returns HC_OK or HC_ENOMEM (the column
 * is then unchanged). */
hc_status hc_numcol_store(hc_table *t, int col, size_t row, double v, const hc_decimal *dec);

/* Writes n missing values at rows from .. from + n - 1 of numeric column
 * `col` (room for them is the caller's). */
void hc_numcol_fill_missing(hc_column *col, size_t from, size_t n);

/* Copies the n2 values of numeric column s after the n1 of d, which has
 * room for `cap` rows (cap >= n1 + n2): d first widens to the narrowest
 * storage holding both columns' values. Returns HC_OK or HC_ENOMEM (d is
 * then unchanged in its first n1 rows). */
hc_status hc_numcol_append(hc_column *d, size_t n1, size_t cap, const hc_column *s,
                           size_t n2);

#endif
