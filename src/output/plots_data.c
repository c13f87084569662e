/* plots_data.c - the data side of a plot: skip reasons and notes, the temporary numeric data file, loading the plot data files, reading and selecting their rows. */
#include "hc_date.h"
#include "hc_plot.h"
#include "plots_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- skip reasons and notes ---- */

void hc_pl_skip(hc_pl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->note, sizeof c->note, fmt, ap);
    va_end(ap);
    c->skip = 1;
}

void hc_pl_note(hc_pl_ctx *c, const char *fmt, ...)
{
    size_t n = strlen(c->note);
    if (n > 0 && n + 2 < sizeof c->note) {
        c->note[n++] = ';';
        c->note[n++] = ' ';
        c->note[n] = '\0';
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->note + n, sizeof c->note - n, fmt, ap);
    va_end(ap);
}

void hc_pl_note_truncated(hc_pl_ctx *c, int more, size_t kept,
                          const char *what)
{
    if (more)
        hc_pl_note(c, "only the first %zu %s are drawn", kept, what);
}

/* ---- the numeric data file ---- */

hc_status hc_pl_df_open(hc_pl_ctx *c, hc_error *err)
{
    hc_status st = hc_gnuplot_temp_create("plotdata", c->data, sizeof c->data,
                                          &c->df, err);
    if (st != HC_OK)
        return st;
    if (hc_gnuplot_quote(c->dq, sizeof c->dq, c->data, HC_GP_PATH) >=
        sizeof c->dq)
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "the temporary directory name cannot be passed "
                            "to gnuplot (control character or too long)");
    return HC_OK;
}

void hc_pl_df_num(hc_pl_ctx *c, double v)
{
    if (isfinite(v))
        fprintf(c->df, "%.12g ", v);
    else
        fputs("? ", c->df);
}

void hc_pl_df_endrow(hc_pl_ctx *c)
{
    fputc('\n', c->df);
}

int hc_pl_df_endblock(hc_pl_ctx *c)
{
    fputs("\n\n", c->df);
    return c->blocks++;
}

hc_status hc_pl_df_close(hc_pl_ctx *c, hc_error *err)
{
    if (!c->df)
        return HC_OK;
    int bad = ferror(c->df);
    bad |= fclose(c->df) != 0;
    c->df = NULL;
    if (bad)
        return hc_error_set(err, HC_EIO, c->data, 0, 0,
                            "cannot write the plot data (disk full?)");
    return HC_OK;
}

void hc_pl_data(hc_pl_script *b, const hc_pl_ctx *c, int block)
{
    hc_pl_add(b, c->dq);
    hc_pl_printf(b, " index %d ", block);
}

/* ---- loading ---- */

hc_status hc_pl_load(hc_pl_ctx *c, const char *file, const hc_colspec *cols,
                     size_t n_cols, hc_table **t, int *present, hc_error *err)
{
    char path[4096];
    *t = NULL;
    *present = 0;
    int w = snprintf(path, sizeof path, "%s/%s", c->data_dir, file);
    if (w < 0 || (size_t)w >= sizeof path)
        return hc_error_set(err, HC_EIO, c->data_dir, 0, 0,
                            "directory name is too long");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return HC_OK;
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot read: %s",
                            strerror(errno));
    }
    *present = 1;
    hc_load_options lo;
    memset(&lo, 0, sizeof lo);
    lo.cols = cols;
    lo.n_cols = n_cols;
    lo.extra = HC_EXTRA_SKIP;
    lo.negative_error_col = -1;
    return hc_table_load_csv(path, &lo, t, err);
}

hc_status hc_pl_load_main(hc_pl_ctx *c, const char *file,
                          const hc_colspec *cols, size_t n_cols,
                          hc_error *err)
{
    int present;
    hc_status st = hc_pl_load(c, file, cols, n_cols, &c->t[0], &present, err);
    if (st != HC_OK)
        return st;
    if (!present)
        hc_pl_skip(c, "%s is not in the data directory", file);
    else if (c->t[0]->n_rows == 0)
        hc_pl_skip(c, "%s has no data rows", file);
    else
        st = hc_pl_df_open(c, err);
    return st;
}

/* ---- reading cells ---- */

/* The three functions below are the only ones of the plots that read a
 * table's storage (its column arrays and string pools); every figure reads
 * cells through them. */

double hc_pl_cell(const hc_table *t, int col, size_t row)
{
    if (col < 0)
        return NAN;
    const hc_column *cl = &t->cols[col];
    if (cl->type == HC_COL_NUM)
        return hc_table_num(t, col, row);
    if (cl->type == HC_COL_DATE)
        return cl->code[row] == HC_DATE_MISSING ? NAN : (double)cl->code[row];
    return NAN;
}

int32_t hc_pl_text_code(const hc_table *t, int col, size_t row)
{
    return col < 0 ? -2 : t->cols[col].code[row];
}

const char *hc_pl_label(const hc_table *t, int col, int32_t code)
{
    if (col < 0 || code == -2)
        return "";
    const char *s = code >= 0 ? hc_strpool_get(t->cols[col].pool, code) : NULL;
    return s ? s : "(missing)";
}

double hc_pl_column_max(const hc_table *t, int col)
{
    double m = 0;
    for (size_t r = 0; col >= 0 && r < t->n_rows; r++) {
        double v = hc_pl_cell(t, col, r);
        if (isfinite(v))
            m = fmax(m, v);
    }
    return m;
}

/* ---- selecting rows ---- */

size_t hc_pl_distinct(const hc_table *t, int col, int32_t *codes, size_t max,
                      int *more)
{
    size_t n = 0;
    *more = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        int32_t v = hc_pl_text_code(t, col, r);
        int seen = 0;
        for (size_t i = 0; i < n && !seen; i++)
            seen = codes[i] == v;
        if (seen)
            continue;
        if (n < max)
            codes[n++] = v;
        else
            *more = 1;
    }
    return n;
}

static int keyed_cmp(const void *a, const void *b)
{
    const hc_pl_keyed *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

size_t hc_pl_select_rows(const hc_table *t, int col1, int32_t code1,
                         int col2, int32_t code2, int key1, int key2,
                         double sign2, hc_pl_keyed *out)
{
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (col1 >= 0 && hc_pl_text_code(t, col1, r) != code1)
            continue;
        if (col2 >= 0 && hc_pl_text_code(t, col2, r) != code2)
            continue;
        double k1 = hc_pl_cell(t, key1, r);
        double k2 = key2 >= 0 ? sign2 * hc_pl_cell(t, key2, r) : 0.0;
        if (!isfinite(k1))
            continue;
        if (!isfinite(k2))
            k2 = 0.0;
        out[n].k1 = k1;
        out[n].k2 = k2;
        out[n].row = r;
        n++;
    }
    qsort(out, n, sizeof *out, keyed_cmp);
    return n;
}

hc_pl_keyed *hc_pl_keyed_alloc(const hc_table *t, hc_error *err)
{
    hc_pl_keyed *k = malloc((t->n_rows ? t->n_rows : 1) * sizeof *k);
    if (!k)
        hc_error_nomem(err);
    return k;
}
