/* segment_key.c - derived segment keys: lifecycle stages from tenure, several segment columns joined into one escaped key column. */
#include "hc_segment_key.h"

#include <stdlib.h>
#include <string.h>

#include "hc_date.h"

void hc_lifecycle_free(hc_lifecycle *lc)
{
    if (!lc)
        return;
    for (size_t i = 0; i < lc->n_stages; i++)
        free(lc->stages[i].name);
    free(lc->stages);
    free(lc->start_date);
    free(lc);
}

void hc_segkey_free(hc_segkey *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n_parts; i++)
        free(k->parts[i]);
    free(k->parts);
    free(k->column);
    hc_lifecycle_free(k->lifecycle);
    free(k);
}

hc_segkey *hc_segkey_make(const char *const *parts, size_t n, hc_lifecycle *lc)
{
    hc_segkey *k = calloc(1, sizeof *k);
    if (!k) {
        hc_lifecycle_free(lc);
        return NULL;
    }
    k->lifecycle = lc;
    size_t len = 1;
    k->parts = calloc(n ? n : 1, sizeof *k->parts);
    if (!k->parts) {
        hc_segkey_free(k);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(k->parts[i] = strdup(parts[i]))) {
            hc_segkey_free(k);
            return NULL;
        }
        k->n_parts = i + 1;
        len += strlen(parts[i]) + strlen(HC_SEGKEY_SEP);
    }
    if (!(k->column = malloc(len))) {
        hc_segkey_free(k);
        return NULL;
    }
    k->column[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(k->column, HC_SEGKEY_SEP);
        strcat(k->column, parts[i]);
    }
    return k;
}

static hc_lifecycle *lifecycle_copy(const hc_lifecycle *lc)
{
    hc_lifecycle *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->stages = calloc(lc->n_stages ? lc->n_stages : 1, sizeof *c->stages);
    int bad = !c->stages || (lc->start_date && !(c->start_date = strdup(lc->start_date)));
    for (size_t i = 0; !bad && i < lc->n_stages; i++) {
        c->stages[i].until_days = lc->stages[i].until_days;
        bad = !(c->stages[i].name = strdup(lc->stages[i].name));
        c->n_stages = i + 1;
    }
    if (bad) {
        hc_lifecycle_free(c);
        return NULL;
    }
    return c;
}

hc_segkey *hc_segkey_copy(const hc_segkey *k)
{
    if (!k)
        return NULL;
    hc_lifecycle *lc = NULL;
    if (k->lifecycle && !(lc = lifecycle_copy(k->lifecycle)))
        return NULL;
    return hc_segkey_make((const char *const *)k->parts, k->n_parts, lc);
}

int hc_segkey_part_is_stage(const hc_segkey *k, size_t i)
{
    return k->lifecycle && strcmp(k->parts[i], HC_SEGKEY_LIFECYCLE) == 0;
}

size_t hc_lifecycle_stage_of(const hc_lifecycle *lc, int64_t days)
{
    if (days < 0)
        days = 0;
    for (size_t i = 0; i + 1 < lc->n_stages; i++)
        if (days < lc->stages[i].until_days)
            return i;
    return lc->n_stages - 1;
}

int hc_segkey_escape(const char *v, char *buf, size_t size, size_t *len)
{
    size_t n = *len;
    for (size_t i = 0; v[i]; i++) {
        int esc = v[i] == '\\' || (v[i] == 'x' && (i == 0 || v[i - 1] == ' '));
        if (n + (size_t)esc + 2 > size)
            return -1;
        if (esc)
            buf[n++] = '\\';
        buf[n++] = v[i];
    }
    buf[n] = '\0';
    *len = n;
    return 0;
}

/* The start day of every row into start[] (HC_DATE_MISSING: none). */
static hc_status start_days(const hc_segkey *k, const hc_table *t, int id_col,
                            int date_col, int32_t *start, hc_error *err)
{
    const hc_lifecycle *lc = k->lifecycle;
    size_t n = t->n_rows;
    if (!lc->start_date) {
        /* The account's first snapshot in the loaded history: the minimum
         * over all its rows equals the minimum over its rows up to any of
         * its dates, so later rows never matter. */
        const hc_strpool *pool = t->cols[id_col].pool;
        size_t na = pool ? hc_strpool_count(pool) : 0;
        int32_t *first = malloc((na ? na : 1) * sizeof *first);
        if (!first)
            return hc_error_nomem(err);
        for (size_t a = 0; a < na; a++)
            first[a] = INT32_MAX;
        const int32_t *id = t->cols[id_col].code, *d = t->cols[date_col].code;
        for (size_t r = 0; r < n; r++)
            if (id[r] >= 0 && d[r] != HC_DATE_MISSING && d[r] < first[id[r]])
                first[id[r]] = d[r];
        for (size_t r = 0; r < n; r++)
            start[r] = id[r] >= 0 && first[id[r]] != INT32_MAX ? first[id[r]]
                                                               : HC_DATE_MISSING;
        free(first);
        return HC_OK;
    }
    int sc = hc_table_find(t, lc->start_date);
    if (sc < 0)
        return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                            "lifecycle.start_date: column '%s' is not in the file",
                            lc->start_date);
    const hc_column *c = &t->cols[sc];
    if (c->type == HC_COL_DATE) {
        memcpy(start, c->code, n * sizeof *start);
        return HC_OK;
    }
    if (c->type != HC_COL_TEXT)
        return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                            "lifecycle.start_date: column '%s' must be read as dates or "
                            "text", lc->start_date);
    /* Each distinct text parsed once; the first bad one is reported at its
     * first row. */
    size_t nc = c->pool ? hc_strpool_count(c->pool) : 0;
    int32_t *day = malloc((nc ? nc : 1) * sizeof *day);
    if (!day)
        return hc_error_nomem(err);
    for (size_t i = 0; i < nc; i++) {
        const char *s = hc_strpool_get(c->pool, (int32_t)i);
        size_t len = strlen(s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        if (len == 0)
            day[i] = HC_DATE_MISSING;
        else if (hc_date_parse(s, len, &day[i]) != 0)
            day[i] = INT32_MAX; /* invalid */
    }
    hc_status st = HC_OK;
    for (size_t r = 0; r < n && st == HC_OK; r++) {
        int32_t code = c->code[r];
        start[r] = code < 0 ? HC_DATE_MISSING : day[code];
        if (start[r] == INT32_MAX)
            st = hc_error_set(err, HC_EDATA, t->source, (long)hc_table_line(t, r), 0,
                              "column '%s' (lifecycle.start_date): '%.100s' is not a "
                              "date (YYYY-MM-DD)",
                              lc->start_date, hc_strpool_get(c->pool, code));
    }
    free(day);
    return st;
}

/* The columns of the parts (-1 for the stage). */
static hc_status part_columns(const hc_segkey *k, const hc_table *t, int *pc,
                              hc_error *err)
{
    for (size_t i = 0; i < k->n_parts; i++) {
        pc[i] = -1;
        if (hc_segkey_part_is_stage(k, i))
            continue;
        pc[i] = hc_table_find(t, k->parts[i]);
        if (pc[i] < 0)
            return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                                "columns.segment[%zu]: column '%s' is not in the file",
                                i, k->parts[i]);
        if (t->cols[pc[i]].type != HC_COL_TEXT)
            return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                                "columns.segment[%zu]: column '%s' must be read as "
                                "text", i, k->parts[i]);
    }
    return HC_OK;
}

/* Fills one row's key into buf; 0 when the row has none. */
static int row_key(const hc_segkey *k, const hc_table *t, const int *pc, size_t r,
                   const int32_t *start, const int32_t *date, hc_segkey_counts *cn,
                   char *buf, size_t size, int *overflow)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < k->n_parts; i++) {
        const char *v;
        if (pc[i] < 0) {
            if (start[r] == HC_DATE_MISSING || date[r] == HC_DATE_MISSING) {
                cn->missing_start++;
                return 0;
            }
            int64_t days = (int64_t)date[r] - start[r];
            cn->before_start += days < 0;
            v = k->lifecycle->stages[hc_lifecycle_stage_of(k->lifecycle, days)].name;
        } else if (!(v = hc_table_text(t, pc[i], r)) || !v[0]) {
            cn->missing_part++;
            return 0;
        }
        if (i) {
            if (len + strlen(HC_SEGKEY_SEP) + 1 > size) {
                *overflow = 1;
                return 0;
            }
            memcpy(buf + len, HC_SEGKEY_SEP, strlen(HC_SEGKEY_SEP) + 1);
            len += strlen(HC_SEGKEY_SEP);
        }
        if (hc_segkey_escape(v, buf, size, &len) != 0) {
            *overflow = 1;
            return 0;
        }
    }
    return 1;
}

hc_status hc_segkey_codes(const hc_segkey *k, const hc_table *t, int id_col, int date_col,
                          hc_strpool **pool, int32_t **codes, hc_segkey_counts *counts,
                          hc_error *err)
{
    hc_segkey_counts cn = {0};
    if (counts)
        *counts = cn;
    *pool = NULL;
    *codes = NULL;
    size_t n = t->n_rows;
    int *pc = malloc(k->n_parts * sizeof *pc);
    int32_t *start = k->lifecycle ? malloc((n ? n : 1) * sizeof *start) : NULL;
    int32_t *code = malloc((n ? n : 1) * sizeof *code);
    hc_strpool *pl = hc_strpool_alloc();
    char *buf = malloc(4096);
    hc_status st = HC_OK;
    if (!pc || !buf || !code || !pl || (k->lifecycle && !start))
        st = hc_error_nomem(err);
    if (st == HC_OK)
        st = part_columns(k, t, pc, err);
    if (st == HC_OK && k->lifecycle)
        st = start_days(k, t, id_col, date_col, start, err);
    const int32_t *date = t->cols[date_col].code;
    for (size_t r = 0; r < n && st == HC_OK; r++) {
        int overflow = 0;
        code[r] = -1;
        if (!row_key(k, t, pc, r, start, date, &cn, buf, 4096, &overflow)) {
            if (overflow)
                st = hc_error_set(err, HC_EDATA, t->source, (long)hc_table_line(t, r), 0,
                                  "columns.segment: the derived key is longer than 4095 "
                                  "bytes");
            continue;
        }
        cn.rows++;
        if ((code[r] = hc_strpool_intern(pl, buf, strlen(buf))) < 0)
            st = hc_error_nomem(err);
    }
    free(pc);
    free(start);
    free(buf);
    if (st != HC_OK) {
        free(code);
        hc_strpool_free(pl);
        return st;
    }
    cn.keys = hc_strpool_count(pl);
    if (counts)
        *counts = cn;
    *pool = pl;
    *codes = code;
    return HC_OK;
}

hc_status hc_segkey_derive(const hc_segkey *k, hc_table *t, int id_col, int date_col,
                           int *col, hc_segkey_counts *counts, hc_error *err)
{
    if (counts)
        memset(counts, 0, sizeof *counts);
    *col = hc_table_find(t, k->column);
    if (*col >= 0)
        return HC_OK;
    hc_strpool *pool;
    int32_t *code;
    hc_status st = hc_segkey_codes(k, t, id_col, date_col, &pool, &code, counts, err);
    if (st != HC_OK)
        return st;
    int c = hc_table_add_column(t, k->column, HC_COL_TEXT);
    if (c < 0)
        st = hc_error_nomem(err);
    for (size_t r = 0; r < t->n_rows && st == HC_OK; r++)
        if (code[r] >= 0)
            st = hc_table_set_text(t, c, r, hc_strpool_get(pool, code[r]));
    free(code);
    hc_strpool_free(pool);
    if (st == HC_OK) {
        *col = c;
        return HC_OK;
    }
    if (c >= 0) {
        /* No partial output: the half-filled column is dropped again. */
        hc_column *dc = &t->cols[c];
        free(dc->name);
        free(dc->code);
        free(dc->nums);
        free(dc->tod);
        hc_strpool_free(dc->pool);
        t->n_cols--;
    }
    if (counts)
        memset(counts, 0, sizeof *counts);
    return st;
}
