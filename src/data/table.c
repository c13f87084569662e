/* table.c - the columnar table: columns, growth, appending one table to another, lookup. */
#include "hc_table.h"
#include "hc_date.h"
#include "table_num.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Column arrays of this many bytes or more ask for transparent huge pages. */
#define HUGE_MIN_BYTES ((size_t)4 << 20)

void *hc_table_realloc(void *p, size_t bytes)
{
    p = realloc(p, bytes);
#ifdef MADV_HUGEPAGE
    /* A large table's arrays are written once, front to back, and every
     * 4 KiB page of fresh memory costs a fault (on a virtual machine,
     * about 3 ms per MiB: more than parsing the numbers). A 2 MiB page
     * costs one fault for 512 of them. Only whole huge pages inside the
     * block are advised; where the kernel does not do this the call
     * fails harmlessly. */
    if (p && bytes >= HUGE_MIN_BYTES) {
        const uintptr_t huge = (uintptr_t)2 << 20;
        uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
        uintptr_t to = ((uintptr_t)p + bytes) & ~(huge - 1);
        if (to > from)
            (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
#endif
    return p;
}

hc_table *hc_table_alloc(const char *source)
{
    hc_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->source = strdup(source ? source : "<memory>");
    if (!t->source) {
        hc_table_free(t);
        return NULL;
    }
    return t;
}

void hc_table_free(hc_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->n_cols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].nums);
        free(t->cols[c].code);
        free(t->cols[c].tod);
        hc_strpool_free(t->cols[c].pool);
    }
    free(t->cols);
    free(t->line);
    free(t->source);
    free(t);
}

static void fill_missing(hc_column *col, size_t from, size_t to)
{
    if (col->type == HC_COL_NUM) {
        hc_numcol_fill_missing(col, from, to - from);
        return;
    }
    for (size_t r = from; r < to; r++)
        col->code[r] = col->type == HC_COL_TEXT ? -1 : HC_DATE_MISSING;
    for (size_t r = from; col->tod && r < to; r++)
        col->tod[r] = -1;
}

static int column_storage(hc_column *col, size_t cap)
{
    if (col->type == HC_COL_NUM) {
        void *p = hc_table_realloc(col->nums, (cap ? cap : 1) * hc_numcol_width(col->store));
        if (!p)
            return -1;
        col->nums = p;
    } else {
        int32_t *p = hc_table_realloc(col->code, (cap ? cap : 1) * sizeof *p);
        if (!p)
            return -1;
        col->code = p;
        if (col->tod) {
            p = realloc(col->tod, (cap ? cap : 1) * sizeof *p);
            if (!p)
                return -1;
            col->tod = p;
        }
    }
    return 0;
}

hc_status hc_table_date_tod(hc_table *t, int col)
{
    hc_column *c = &t->cols[col];
    if (c->tod)
        return HC_OK;
    size_t cap = t->cap_rows ? t->cap_rows : 1;
    c->tod = malloc(cap * sizeof *c->tod);
    if (!c->tod)
        return HC_ENOMEM;
    for (size_t r = 0; r < cap; r++)
        c->tod[r] = -1;
    return HC_OK;
}

hc_status hc_table_keep_rows(hc_table *t, const unsigned char *keep)
{
    size_t n = t->n_rows, kept = 0;
    for (size_t r = 0; r < n; r++)
        kept += keep[r] != 0;
    if (kept == n)
        return HC_OK;
    uint32_t *line = malloc((kept ? kept : 1) * sizeof *line);
    if (!line)
        return HC_ENOMEM;
    for (size_t r = 0, k = 0; r < n; r++)
        if (keep[r])
            line[k++] = hc_table_line(t, r);
    for (size_t c = 0; c < t->n_cols; c++) {
        hc_column *col = &t->cols[c];
        size_t missing = 0;
        if (col->type == HC_COL_NUM) {
            size_t w = hc_numcol_width(col->store);
            unsigned char *p = col->nums;
            for (size_t r = 0, k = 0; r < n; r++)
                if (keep[r])
                    memmove(p + w * k++, p + w * r, w);
            for (size_t r = 0; r < kept; r++)
                missing += isnan(hc_table_num(t, (int)c, r));
        } else {
            for (size_t r = 0, k = 0; r < n; r++)
                if (keep[r]) {
                    col->code[k] = col->code[r];
                    if (col->tod)
                        col->tod[k] = col->tod[r];
                    k++;
                }
            int32_t none = col->type == HC_COL_TEXT ? -1 : HC_DATE_MISSING;
            for (size_t r = 0; r < kept; r++)
                missing += col->code[r] == none;
        }
        col->n_missing = missing;
    }
    free(t->line);
    t->line = line;
    t->n_rows = kept;
    /* cap_rows stays: the arrays keep their size, the line array is
     * exactly kept long, so make room consistent. */
    uint32_t *grown = realloc(t->line, (t->cap_rows ? t->cap_rows : 1) * sizeof *grown);
    if (grown)
        t->line = grown;
    else
        t->cap_rows = kept; /* never written past kept: arrays are larger */
    hc_table_compact_lines(t);
    return HC_OK;
}

int hc_table_add_column(hc_table *t, const char *name, hc_coltype type)
{
    if (t->n_cols == t->cap_cols) {
        size_t cap = t->cap_cols ? t->cap_cols * 2 : 8;
        hc_column *cols = realloc(t->cols, cap * sizeof *cols);
        if (!cols)
            return -1;
        t->cols = cols;
        t->cap_cols = cap;
    }
    hc_column *col = &t->cols[t->n_cols];
    memset(col, 0, sizeof *col);
    col->type = type;
    /* Numbers start in the narrowest storage; the first value that does
     * not fit widens it. */
    col->store = HC_NUM_I8;
    col->scale = 0;
    col->div = 1.0;
    col->name = strdup(name);
    if (type == HC_COL_TEXT)
        col->pool = hc_strpool_alloc();
    if (!col->name || (type == HC_COL_TEXT && !col->pool) ||
        column_storage(col, t->cap_rows) != 0) {
        free(col->name);
        free(col->nums);
        free(col->code);
        hc_strpool_free(col->pool);
        return -1;
    }
    fill_missing(col, 0, t->n_rows);
    col->n_missing = t->n_rows;
    return (int)t->n_cols++;
}

hc_status hc_table_reserve(hc_table *t, size_t rows)
{
    if (rows <= t->cap_rows)
        return HC_OK;
    size_t cap = t->cap_rows ? t->cap_rows : 1024;
    while (cap < rows)
        cap += cap / 2;
    for (size_t c = 0; c < t->n_cols; c++)
        if (column_storage(&t->cols[c], cap) != 0)
            return HC_ENOMEM;
    int implicit = !t->line; /* rows r on lines r + 2 (or no rows yet) */
    uint32_t *line = hc_table_realloc(t->line, cap * sizeof *line);
    if (!line)
        return HC_ENOMEM;
    if (implicit)
        for (size_t r = 0; r < t->n_rows; r++)
            line[r] = (uint32_t)(r + 2);
    t->line = line;
    t->cap_rows = cap;
    return HC_OK;
}

void hc_table_compact_lines(hc_table *t)
{
    if (!t->line)
        return;
    for (size_t r = 0; r < t->n_rows; r++)
        if (t->line[r] != (uint32_t)(r + 2))
            return;
    free(t->line);
    t->line = NULL;
}

void hc_table_shrink(hc_table *t)
{
    if (t->cap_rows <= t->n_rows)
        return;
    size_t cap = t->n_rows ? t->n_rows : 1;
    /* A failed realloc leaves the larger block in place. */
    for (size_t c = 0; c < t->n_cols; c++)
        (void)column_storage(&t->cols[c], cap);
    uint32_t *line = t->line ? realloc(t->line, cap * sizeof *line) : NULL;
    if (line)
        t->line = line;
    t->cap_rows = cap;
}

hc_status hc_table_resize(hc_table *t, size_t rows)
{
    if (hc_table_reserve(t, rows) != HC_OK)
        return HC_ENOMEM;
    for (size_t c = 0; c < t->n_cols && rows > t->n_rows; c++) {
        fill_missing(&t->cols[c], t->n_rows, rows);
        t->cols[c].n_missing += rows - t->n_rows;
    }
    for (size_t r = t->n_rows; r < rows; r++)
        t->line[r] = (uint32_t)(r + 2);
    t->n_rows = rows;
    return HC_OK;
}

hc_status hc_table_append(hc_table *dst, hc_table *src, uint32_t line_offset)
{
    if (dst->n_cols != src->n_cols)
        return HC_EUSAGE;
    for (size_t c = 0; c < dst->n_cols; c++)
        if (dst->cols[c].type != src->cols[c].type ||
            strcmp(dst->cols[c].name, src->cols[c].name) != 0)
            return HC_EUSAGE;
    size_t n1 = dst->n_rows, n2 = src->n_rows;
    if (hc_table_reserve(dst, n1 + n2) != HC_OK)
        return HC_ENOMEM;
    for (size_t c = 0; c < src->n_cols; c++) {
        hc_column *d = &dst->cols[c], *s = &src->cols[c];
        if (s->type == HC_COL_NUM) {
            if (hc_numcol_append(d, n1, dst->cap_rows, s, n2) != HC_OK)
                return HC_ENOMEM;
        } else if (s->type == HC_COL_DATE) {
            if (n2)
                memcpy(d->code + n1, s->code, n2 * sizeof *s->code);
            if (s->tod && !d->tod && hc_table_date_tod(dst, (int)c) != HC_OK)
                return HC_ENOMEM;
            for (size_t r = 0; d->tod && r < n2; r++)
                d->tod[n1 + r] = s->tod ? s->tod[r] : -1;
            free(s->tod);
            s->tod = NULL;
        } else {
            int32_t *map = hc_strpool_merge(d->pool, s->pool);
            if (!map)
                return HC_ENOMEM;
            const int32_t *from = s->code;
            int32_t *to = d->code + n1;
            for (size_t r = 0; r < n2; r++)
                to[r] = from[r] < 0 ? -1 : map[from[r]];
            free(map);
        }
        free(s->nums);
        free(s->code);
        s->nums = NULL;
        s->code = NULL;
    }
    for (size_t r = 0; r < n2; r++)
        dst->line[n1 + r] = hc_table_line(src, r) + line_offset;
    for (size_t c = 0; c < dst->n_cols; c++)
        dst->cols[c].n_missing += src->cols[c].n_missing;
    free(src->line);
    src->line = NULL;
    src->n_rows = src->cap_rows = 0;
    dst->n_rows = n1 + n2;
    return HC_OK;
}

int hc_table_find(const hc_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

const char *hc_table_text(const hc_table *t, int col, size_t row)
{
    return hc_strpool_get(t->cols[col].pool, t->cols[col].code[row]);
}

hc_status hc_table_set_text(hc_table *t, int col, size_t row, const char *s)
{
    hc_column *c = &t->cols[col];
    int32_t old = c->code[row];
    int32_t code = -1;
    if (s) {
        code = hc_strpool_intern(c->pool, s, strlen(s));
        if (code < 0)
            return HC_ENOMEM;
    }
    c->n_missing += (size_t)(code < 0) - (size_t)(old < 0);
    c->code[row] = code;
    return HC_OK;
}
