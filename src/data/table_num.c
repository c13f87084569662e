/* table_num.c - numeric columns in the narrowest exact storage: finding a value's decimal form, widening, block reads, joins.
 *
 * The exactness argument is at the top of hc_table.h: a value kept as the
 * integer m with the column's scale d reads back as (double)m / 10^d, one
 * correctly rounded division of two exact doubles, which is the double the
 * value was. Here: a value enters a column only in a form checked to decode
 * to its bits (a parsed decimal, whose double is that very division, or a
 * double whose division was compared with it), and widening multiplies m by
 * 10^k for a scale k larger, which names the same real number.
 */
#include "table_num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The integer limit of a store: |m| <= limit (the most negative value of
 * the width is the missing marker). */
static uint64_t store_limit(hc_num_store s)
{
    return s == HC_NUM_I8 ? INT8_MAX : s == HC_NUM_I16 ? INT16_MAX : INT32_MAX;
}

/* The narrowest integer store holding magnitudes up to `mag`, or
 * HC_NUM_F64 when none does. */
static hc_num_store narrowest(uint64_t mag)
{
    return mag <= INT8_MAX    ? HC_NUM_I8
           : mag <= INT16_MAX ? HC_NUM_I16
           : mag <= INT32_MAX ? HC_NUM_I32
                              : HC_NUM_F64;
}

/* The integer of cell i of an integer column, with *missing set for the
 * marker. */
static int64_t get_m(const hc_column *c, size_t i, int *missing)
{
    int64_t m;
    switch (c->store) {
    case HC_NUM_I8:
        m = ((const int8_t *)c->nums)[i];
        *missing = m == INT8_MIN;
        break;
    case HC_NUM_I16:
        m = ((const int16_t *)c->nums)[i];
        *missing = m == INT16_MIN;
        break;
    default:
        m = ((const int32_t *)c->nums)[i];
        *missing = m == INT32_MIN;
    }
    return m;
}

/* Writes the integer m (within the store's limit) to cell i. */
static void put_m(hc_column *c, size_t i, int64_t m)
{
    switch (c->store) {
    case HC_NUM_I8:
        ((int8_t *)c->nums)[i] = (int8_t)m;
        break;
    case HC_NUM_I16:
        ((int16_t *)c->nums)[i] = (int16_t)m;
        break;
    default:
        ((int32_t *)c->nums)[i] = (int32_t)m;
    }
}

/* The largest |m| among the first n cells of an integer column (0 when
 * all are missing). */
static uint64_t max_abs(const hc_column *c, size_t n)
{
    uint64_t mx = 0;
    for (size_t i = 0; i < n; i++) {
        int missing;
        int64_t m = get_m(c, i, &missing);
        uint64_t a = missing ? 0 : (uint64_t)(m < 0 ? -m : m);
        if (a > mx)
            mx = a;
    }
    return mx;
}

/* The form (neg ? -1 : 1) * mag / 10^d, with d as small as it goes, of a
 * parsed decimal; 0 when it has none a column can hold (d above
 * HC_NUM_MAX_SCALE, mag above INT32_MAX, or -0, which an integer cannot
 * keep apart from 0). */
static int decimal_form(const hc_decimal *dec, uint64_t *mag, int *d, int *neg)
{
    uint64_t m = dec->mant;
    int e = dec->exp10;
    *neg = dec->negative;
    if (m == 0) {
        *mag = 0;
        *d = 0;
        return !dec->negative;
    }
    for (; e > 0 && m <= INT32_MAX; e--)
        m *= 10;
    for (; e < 0 && m % 10 == 0; e++)
        m /= 10;
    if (e > 0 || -e > HC_NUM_MAX_SCALE || m > INT32_MAX)
        return 0;
    *mag = m;
    *d = -e;
    return 1;
}

/* The same for a double: the smallest d for which some integer m gives
 * (double)m / 10^d == v bit for bit (v is then exactly what that form
 * decodes to). 0 for -0, infinities and values without such a form. */
static int double_form(double v, uint64_t *mag, int *d, int *neg)
{
    if (!isfinite(v) || (v == 0 && signbit(v)))
        return 0;
    *neg = v < 0;
    double a = fabs(v);
    if (a == 0) {
        *mag = 0;
        *d = 0;
        return 1;
    }
    for (int k = 0; k <= HC_NUM_MAX_SCALE; k++) {
        double x = a * hc_numcol_pow10[k];
        if (x >= (double)INT32_MAX + 0.5)
            return 0;
        uint64_t m = (uint64_t)(x + 0.5);
        if (m != 0 && (double)m / hc_numcol_pow10[k] == a) {
            *mag = m;
            *d = k;
            return 1;
        }
    }
    return 0;
}

/* Re-encodes the first n cells of column c into store `to` (not narrower
 * than c's) and, for an integer store, scale `scale` (not smaller than
 * c's), growing its array to `cap` rows when the width grows. Backwards,
 * so that in a wider array no cell is overwritten before it is read. */
static hc_status widen(hc_column *c, size_t n, size_t cap, hc_num_store to, int scale)
{
    if (to == c->store && (to == HC_NUM_F64 || scale == c->scale))
        return HC_OK;
    size_t w0 = hc_numcol_width(c->store), w1 = hc_numcol_width(to);
    if (w1 > w0) {
        void *p = hc_table_realloc(c->nums, (cap ? cap : 1) * w1);
        if (!p)
            return HC_ENOMEM;
        c->nums = p;
    }
    hc_column old = *c;
    if (to == HC_NUM_F64) {
        double *out = c->nums;
        for (size_t i = n; i-- > 0;) {
            int missing;
            int64_t m = get_m(&old, i, &missing);
            out[i] = missing ? NAN : (double)m / old.div;
        }
        c->store = HC_NUM_F64;
        c->scale = 0;
        c->div = 1.0;
        return HC_OK;
    }
    int64_t k = (int64_t)hc_numcol_pow10_u64[scale - old.scale];
    c->store = to;
    c->scale = scale;
    c->div = hc_numcol_pow10[scale];
    static const int64_t marker[3] = {INT8_MIN, INT16_MIN, INT32_MIN};
    for (size_t i = n; i-- > 0;) {
        int missing;
        int64_t m = get_m(&old, i, &missing);
        put_m(c, i, missing ? marker[to] : m * k);
    }
    return HC_OK;
}

hc_status hc_numcol_store(hc_table *t, int col, size_t row, double v, const hc_decimal *dec)
{
    hc_column *c = &t->cols[col];
    uint64_t mag;
    int d, neg;
    if (c->store != HC_NUM_F64 &&
        (dec && dec->exact ? decimal_form(dec, &mag, &d, &neg) : double_form(v, &mag, &d, &neg))) {
        int scale = d > c->scale ? d : c->scale;
        /* mag <= 2^31 and scale - d <= 9: no overflow. */
        uint64_t m = mag * hc_numcol_pow10_u64[scale - d];
        hc_num_store to = c->store;
        if (scale != c->scale || m > store_limit(c->store)) {
            uint64_t old = max_abs(c, t->n_rows) * hc_numcol_pow10_u64[scale - c->scale];
            hc_num_store need = narrowest(old > m ? old : m);
            to = need > c->store ? need : c->store;
        }
        if (to != HC_NUM_F64) {
            if (widen(c, t->n_rows, t->cap_rows, to, scale) != HC_OK)
                return HC_ENOMEM;
            put_m(c, row, neg ? -(int64_t)m : (int64_t)m);
            return HC_OK;
        }
    }
    if (widen(c, t->n_rows, t->cap_rows, HC_NUM_F64, 0) != HC_OK)
        return HC_ENOMEM;
    ((double *)c->nums)[row] = v;
    return HC_OK;
}

void hc_numcol_fill_missing(hc_column *col, size_t from, size_t n)
{
    for (size_t r = from; r < from + n; r++)
        hc_numcol_store_missing(col, r);
}

/* The loops of hc_table_num_read and _gather for one integer type: the
 * marker reads as NaN, others as m / 10^d (no division at scale 0, where
 * it would change nothing). */
#define DECODE_LOOP(T, MARK, INDEX)                                                \
    do {                                                                           \
        const T *p = c->nums;                                                      \
        double div = c->div;                                                       \
        if (c->scale == 0)                                                         \
            for (size_t i = 0; i < n; i++) {                                       \
                T m = p[INDEX];                                                    \
                out[i] = m == MARK ? NAN : (double)m;                              \
            }                                                                      \
        else                                                                       \
            for (size_t i = 0; i < n; i++) {                                       \
                T m = p[INDEX];                                                    \
                out[i] = m == MARK ? NAN : (double)m / div;                        \
            }                                                                      \
    } while (0)

void hc_table_num_read(const hc_table *t, int col, size_t first, size_t n, double *out)
{
    const hc_column *c = &t->cols[col];
    switch (c->store) {
    case HC_NUM_I8:
        DECODE_LOOP(int8_t, INT8_MIN, first + i);
        break;
    case HC_NUM_I16:
        DECODE_LOOP(int16_t, INT16_MIN, first + i);
        break;
    case HC_NUM_I32:
        DECODE_LOOP(int32_t, INT32_MIN, first + i);
        break;
    default:
        if (n)
            memcpy(out, (const double *)c->nums + first, n * sizeof *out);
    }
}

void hc_table_num_gather(const hc_table *t, int col, const size_t *rows, size_t n,
                         double *out)
{
    const hc_column *c = &t->cols[col];
    switch (c->store) {
    case HC_NUM_I8:
        DECODE_LOOP(int8_t, INT8_MIN, rows[i]);
        break;
    case HC_NUM_I16:
        DECODE_LOOP(int16_t, INT16_MIN, rows[i]);
        break;
    case HC_NUM_I32:
        DECODE_LOOP(int32_t, INT32_MIN, rows[i]);
        break;
    default: {
        const double *p = c->nums;
        for (size_t i = 0; i < n; i++)
            out[i] = p[rows[i]];
    }
    }
}

hc_status hc_table_num_set(hc_table *t, int col, size_t row, double v)
{
    hc_column *c = &t->cols[col];
    int was_missing = isnan(hc_table_num(t, col, row)) != 0;
    if (isnan(v))
        hc_numcol_store_missing(c, row);
    else if (hc_numcol_store(t, col, row, v, NULL) != HC_OK)
        return HC_ENOMEM;
    c->n_missing += (size_t)(isnan(v) != 0) - (size_t)was_missing;
    return HC_OK;
}

hc_status hc_numcol_append(hc_column *d, size_t n1, size_t cap, const hc_column *s,
                           size_t n2)
{
    if (n2 == 0)
        return HC_OK;
    if (s->store == d->store && (s->store == HC_NUM_F64 || s->scale == d->scale)) {
        size_t w = hc_numcol_width(d->store);
        memcpy((char *)d->nums + n1 * w, s->nums, n2 * w);
        return HC_OK;
    }
    /* The common storage: doubles if either has them, else the larger
     * scale and the narrowest integer holding both at that scale. */
    hc_num_store to = HC_NUM_F64;
    int scale = 0;
    if (d->store != HC_NUM_F64 && s->store != HC_NUM_F64) {
        scale = d->scale > s->scale ? d->scale : s->scale;
        uint64_t a = max_abs(d, n1) * hc_numcol_pow10_u64[scale - d->scale];
        uint64_t b = max_abs(s, n2) * hc_numcol_pow10_u64[scale - s->scale];
        to = narrowest(a > b ? a : b);
        if (to < d->store)
            to = d->store;
        if (to < s->store)
            to = s->store;
    }
    if (widen(d, n1, cap, to, scale) != HC_OK)
        return HC_ENOMEM;
    if (to == HC_NUM_F64) {
        double *out = (double *)d->nums + n1;
        if (s->store == HC_NUM_F64)
            memcpy(out, s->nums, n2 * sizeof *out);
        else
            for (size_t i = 0; i < n2; i++) {
                int missing;
                int64_t m = get_m(s, i, &missing);
                out[i] = missing ? NAN : (double)m / s->div;
            }
        return HC_OK;
    }
    static const int64_t marker[3] = {INT8_MIN, INT16_MIN, INT32_MIN};
    int64_t k = (int64_t)hc_numcol_pow10_u64[scale - s->scale];
    for (size_t i = 0; i < n2; i++) {
        int missing;
        int64_t m = get_m(s, i, &missing);
        put_m(d, n1 + i, missing ? marker[to] : m * k);
    }
    return HC_OK;
}
