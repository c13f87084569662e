/* obs_table.c - loading a labelled table with numeric columns for fit and validate. */
#include "hc_obs_table.h"
#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_outfile.h"
#include "hc_trace.h"
#include "table_num.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

int hc_parse_binary_label(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    static const char *const ones[] = {"1", "true", "yes"};
    static const char *const zeros[] = {"0", "false", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (strlen(ones[i]) == len && strncasecmp(s, ones[i], len) == 0) {
            *v = 1;
            return 0;
        }
        if (strlen(zeros[i]) == len && strncasecmp(s, zeros[i], len) == 0) {
            *v = 0;
            return 0;
        }
    }
    return -1;
}

void hc_obs_table_release(hc_obs_table *t)
{
    if (!t)
        return;
    free(t->y);
    free(t->X);
    free(t->cluster);
    memset(t, 0, sizeof *t);
}

/* Rows converted per block of gather(). */
#define GATHER_BLOCK ((size_t)8192)

/* Gives back to the kernel the whole pages of bytes [from, to) of the
 * array at `base`, which are read no more: their contents become zeros,
 * and since only pages inside the array are touched, the allocator's own
 * data around it stays as it was. */
static void release_consumed(const void *base, size_t from, size_t to)
{
#ifdef MADV_DONTNEED
    const uintptr_t page = 4096;
    uintptr_t lo = ((uintptr_t)base + from + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)base + to) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
    (void)base;
    (void)from;
    (void)to;
#endif
}

/* The complete rows of t into out (y, X row-major, cluster; out->n and
 * rows_missing), a block of rows at a time: each block's cells are decoded
 * column by column, and the table's pages behind the block are given back,
 * so that the table and X are not both held whole (X alone is the numeric
 * payload). The label's spellings are read once per distinct string. */
static hc_status gather(hc_table *t, int label_col, const int *cols, size_t p, int cluster_col,
                        const char *label, hc_obs_table *out, hc_error *err)
{
    size_t n = t->n_rows;
    const hc_column *lc = &t->cols[label_col];
    size_t nl = hc_strpool_count(lc->pool);
    double *lv = malloc((nl ? nl : 1) * sizeof *lv);
    double *buf = malloc((p ? p : 1) * GATHER_BLOCK * sizeof *buf);
    if (!lv || !buf) {
        free(lv);
        free(buf);
        return hc_error_nomem(err);
    }
    for (size_t c = 0; c < nl; c++)
        if (hc_parse_binary_label(hc_strpool_get(lc->pool, (int32_t)c), &lv[c]) != 0)
            lv[c] = NAN; /* not a label: an error where a complete row has it */
    const int32_t *ccode = cluster_col >= 0 ? t->cols[cluster_col].code : NULL;
    hc_status st = HC_OK;
    size_t k = 0;
    for (size_t r0 = 0; r0 < n && st == HC_OK; r0 += GATHER_BLOCK) {
        size_t m = n - r0 < GATHER_BLOCK ? n - r0 : GATHER_BLOCK;
        for (size_t j = 0; j < p; j++)
            hc_table_num_read(t, cols[j], r0, m, buf + j * GATHER_BLOCK);
        for (size_t i = 0; i < m; i++) {
            size_t r = r0 + i;
            int32_t code = lc->code[r];
            int missing = code < 0;
            for (size_t j = 0; j < p; j++)
                missing |= isnan(buf[j * GATHER_BLOCK + i]);
            if (ccode)
                missing |= ccode[r] < 0;
            if (missing) {
                out->rows_missing++;
                continue;
            }
            double v = lv[code];
            if (isnan(v)) {
                st = hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r), 0,
                                  "label column '%s': '%.40s' is not 0/1, "
                                  "true/false or yes/no",
                                  label, hc_strpool_get(lc->pool, code));
                break;
            }
            out->y[k] = v;
            double *x = out->X + k * p;
            for (size_t j = 0; j < p; j++)
                x[j] = buf[j * GATHER_BLOCK + i];
            if (ccode)
                out->cluster[k] = ccode[r];
            k++;
        }
        /* Rows [0, r0 + m) are read: their pages go back. */
        for (size_t j = 0; j < p; j++) {
            const hc_column *c = &t->cols[cols[j]];
            size_t w = hc_numcol_width(c->store);
            release_consumed(c->nums, r0 * w, (r0 + m) * w);
        }
        release_consumed(lc->code, r0 * sizeof *lc->code, (r0 + m) * sizeof *lc->code);
        if (ccode)
            release_consumed(ccode, r0 * sizeof *ccode, (r0 + m) * sizeof *ccode);
    }
    out->n = k;
    free(lv);
    free(buf);
    return st;
}

hc_status hc_obs_table_load(const hc_obs_table_options *opt, hc_obs_table *out,
                            hc_error *err)
{
    memset(out, 0, sizeof *out);
    size_t p = opt->n_columns;
    hc_colspec *spec = malloc((p + 2) * sizeof *spec);
    if (!spec)
        return hc_error_nomem(err);
    size_t ns = 0;
    spec[ns++] = (hc_colspec){opt->label, HC_COL_TEXT, 1};
    for (size_t j = 0; j < p; j++) {
        if (strcmp(opt->columns[j], opt->label) == 0) {
            free(spec);
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "column '%s' is both the label and a feature",
                                opt->label);
        }
        spec[ns++] = (hc_colspec){opt->columns[j], HC_COL_NUM, 1};
    }
    if (opt->cluster)
        spec[ns++] = (hc_colspec){opt->cluster, HC_COL_TEXT, 1};
    hc_load_options lo = {.csv = {.delimiter = opt->delimiter},
                          .cols = spec,
                          .n_cols = ns,
                          .extra = HC_EXTRA_SKIP,
                          .negative_error_col = -1};
    hc_outfile_protect_input(opt->path);
    hc_trace_mark("start");
    hc_table *t;
    hc_status st = hc_table_load_csv(opt->path, &lo, &t, err);
    free(spec);
    if (st != HC_OK)
        return st;
    hc_trace_mark("observations: table loaded");
    /* Column indexes in the table (a feature listed twice maps to one). */
    int label_col = hc_table_find(t, opt->label);
    int cluster_col = opt->cluster ? hc_table_find(t, opt->cluster) : -1;
    int *cols = malloc((p ? p : 1) * sizeof *cols);
    size_t n = t->n_rows;
    out->p = p;
    out->rows_read = n;
    out->y = malloc((n ? n : 1) * sizeof *out->y);
    out->X = malloc((n ? n : 1) * (p ? p : 1) * sizeof *out->X);
    if (opt->cluster)
        out->cluster = malloc((n ? n : 1) * sizeof *out->cluster);
    if (!cols || !out->y || !out->X || (opt->cluster && !out->cluster)) {
        free(cols);
        hc_table_free(t);
        hc_obs_table_release(out);
        return hc_error_nomem(err);
    }
    for (size_t j = 0; j < p; j++)
        cols[j] = hc_table_find(t, opt->columns[j]);
    st = gather(t, label_col, cols, p, cluster_col, opt->label, out, err);
    if (cluster_col >= 0)
        out->n_clusters = hc_strpool_count(t->cols[cluster_col].pool);
    size_t k = out->n;
    free(cols);
    hc_table_free(t);
    hc_trace_mark("observations: rows gathered");
    if (st == HC_OK && k == 0)
        st = hc_error_set(err, HC_EDATA, opt->path, 0, 0,
                          "no complete rows: all %zu rows have a missing value",
                          n);
    if (st != HC_OK)
        hc_obs_table_release(out);
    return st;
}
