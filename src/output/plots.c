/* plots.c - one gnuplot figure per plot data file of a report (DESIGN.md "Plots and report"). */
#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_date.h"
#include "hc_outfile.h"
#include "hc_plot.h"
#include "hc_table.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Safety rule for this file: text from a data file reaches the script only
 * through sb_quote (single-quoted literals, hc_gnuplot_quote), numbers only
 * through sb_num (finite values printed with %g), and the temporary data
 * files hold only numbers and dates that we formatted ourselves. */

#define MAX_SERIES 12  /* lines per plot; more would not be readable */
#define MAX_PANELS 4   /* score distribution panels (configs) */

/* ---- a growing script buffer ---- */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap)
        return;
    size_t c = b->cap ? b->cap : 4096;
    while (c < b->len + extra + 1)
        c *= 2;
    char *p = realloc(b->s, c);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->s = p;
    b->cap = c;
}

static void sb_add(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    sb_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static void sb_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Only for text we write ourselves and numbers; never with data strings. */
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->oom = 1; /* a programming error: templates are short */
        return;
    }
    sb_add(b, tmp);
}

/* Appends `text` (from data) as a quoted, sanitised, shortened gnuplot
 * string expression. */
static void sb_quote(sbuf *b, const char *text)
{
    size_t n = hc_gnuplot_quote(NULL, 0, text, HC_GP_SHORT);
    sb_reserve(b, n);
    if (b->oom)
        return;
    hc_gnuplot_quote(b->s + b->len, n + 1, text, HC_GP_SHORT);
    b->len += n;
}

/* Appends a title made of our own `prefix` and `suffix` (never cut) around
 * a name from the data (cut to HC_GP_LABEL_MAX), as a gnuplot string
 * concatenation, so a long config name cannot push the title's own words
 * off the end. */
static void sb_title(sbuf *b, const char *prefix, const char *name,
                     const char *suffix)
{
    size_t n = hc_gnuplot_quote(NULL, 0, prefix, 0);
    sb_reserve(b, n);
    if (b->oom)
        return;
    hc_gnuplot_quote(b->s + b->len, n + 1, prefix, 0);
    b->len += n;
    sb_add(b, " . ");
    sb_quote(b, name);
    sb_add(b, " . ");
    n = hc_gnuplot_quote(NULL, 0, suffix, 0);
    sb_reserve(b, n);
    if (b->oom)
        return;
    hc_gnuplot_quote(b->s + b->len, n + 1, suffix, 0);
    b->len += n;
}

/* Appends a number; gnuplot would read "nan" or "inf" as variable names,
 * so a non-finite value is written as gnuplot's own NaN. */
static void sb_num(sbuf *b, double v)
{
    if (isfinite(v))
        sb_printf(b, "%.10g", v);
    else
        sb_add(b, "NaN");
}

/* ---- the state of one plot being built ---- */

typedef struct {
    const char *data_dir;
    int skip;             /* set by a plot function: nothing to draw */
    char note[1024];      /* why skipped, or a note on what was drawn */
    sbuf sc;              /* the script body */
    char data[4096];      /* temporary numeric data file */
    FILE *df;
    int blocks;           /* data blocks written (gnuplot "index") */
    char dq[8192];        /* the data file name as a gnuplot literal */
    hc_table *t[2];       /* loaded data files, freed by the runner */
} plot_ctx;

static void skip(plot_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void skip(plot_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->note, sizeof c->note, fmt, ap);
    va_end(ap);
    c->skip = 1;
}

static void add_note(plot_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(plot_ctx *c, const char *fmt, ...)
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

/* ---- the numeric data file ---- */

static hc_status df_open(plot_ctx *c, hc_error *err)
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

/* A number in a data file; missing is '?' (set datafile missing '?'). */
static void df_num(plot_ctx *c, double v)
{
    if (isfinite(v))
        fprintf(c->df, "%.12g ", v);
    else
        fputs("? ", c->df);
}

static void df_endrow(plot_ctx *c)
{
    fputc('\n', c->df);
}

/* Ends a block; returns its index for "index N" in the script. Two blank
 * lines separate gnuplot data blocks. */
static int df_endblock(plot_ctx *c)
{
    fputs("\n\n", c->df);
    return c->blocks++;
}

static hc_status df_close(plot_ctx *c, hc_error *err)
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

/* "plot DATA index N using ..." */
static void sb_data(sbuf *b, const plot_ctx *c, int block)
{
    sb_add(b, c->dq);
    sb_printf(b, " index %d ", block);
}

/* ---- loading ---- */

/* Loads DATA_DIR/FILE into *t. *present is 0 (and HC_OK returned) when the
 * file does not exist. */
static hc_status load(plot_ctx *c, const char *file, const hc_colspec *cols,
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

/* A numeric or date cell as a double; NaN when missing or absent. */
static double cell(const hc_table *t, int col, size_t row)
{
    if (col < 0)
        return NAN;
    const hc_column *cl = &t->cols[col];
    if (cl->type == HC_COL_NUM)
        return cl->num[row];
    if (cl->type == HC_COL_DATE)
        return cl->code[row] == HC_DATE_MISSING ? NAN : (double)cl->code[row];
    return NAN;
}

static int32_t text_code(const hc_table *t, int col, size_t row)
{
    return col < 0 ? -2 : t->cols[col].code[row];
}

/* Display text of a text code. */
static const char *label(const hc_table *t, int col, int32_t code)
{
    if (col < 0 || code == -2)
        return "";
    const char *s = code >= 0 ? hc_strpool_get(t->cols[col].pool, code) : NULL;
    return s ? s : "(missing)";
}

/* The distinct values of text column `col` in order of first appearance,
 * at most `max` of them; *more is set when there were others. */
static size_t distinct(const hc_table *t, int col, int32_t *codes, size_t max,
                       int *more)
{
    size_t n = 0;
    *more = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        int32_t v = text_code(t, col, r);
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

typedef struct {
    double k1, k2;
    size_t row;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Rows whose text columns match (col1 == code1, and col2 == code2 when
 * col2 >= 0) and whose sort keys are not missing, sorted by (key1, key2)
 * with file order breaking ties. `sign2` flips the second key. */
static size_t select_rows(const hc_table *t, int col1, int32_t code1,
                          int col2, int32_t code2, int key1, int key2,
                          double sign2, keyed *out)
{
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (col1 >= 0 && text_code(t, col1, r) != code1)
            continue;
        if (col2 >= 0 && text_code(t, col2, r) != code2)
            continue;
        double k1 = cell(t, key1, r);
        double k2 = key2 >= 0 ? sign2 * cell(t, key2, r) : 0.0;
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

static keyed *alloc_keyed(const hc_table *t, hc_error *err)
{
    keyed *k = malloc((t->n_rows ? t->n_rows : 1) * sizeof *k);
    if (!k)
        hc_error_nomem(err);
    return k;
}

/* ---- looks ---- */

/* Colours that stay apart for common colour-vision deficiencies
 * (ColorBrewer Dark2 order); dash and point types differ too, so every
 * plot also reads in greyscale. */
static const char *const palette[8] = {"#1f5fa8", "#d95f02", "#1b9e77",
                                       "#7570b3", "#a6761d", "#e7298a",
                                       "#555555", "#66a61e"};
static const char *const dashes[8] = {"1", "2", "4", "5", "3", "(12,4,2,4)",
                                      "(2,5)", "(16,6)"};
static const int points[8] = {7, 5, 9, 13, 11, 6, 4, 8};

static void style_common(sbuf *b)
{
    sb_add(b, "set datafile missing '?'\n"
              "set border 3 lw 1\n"
              "set tics nomirror out\n"
              "set grid back lc rgb '#dddddd' lw 1 dt 1\n"
              "set key noautotitle opaque box lc rgb '#bbbbbb'\n"
              "set style fill solid 0.5 border\n");
    for (int i = 0; i < 8; i++)
        sb_printf(b, "set linetype %d lc rgb '%s' lw 2 dt %s pt %d ps 0.8\n",
                  i + 1, palette[i], dashes[i], points[i]);
    sb_add(b, "set linetype cycle 8\n");
}

/* Band names that say a colour get that colour; others take the palette. */
static const char *band_colour(const char *name, size_t i)
{
    static const struct {
        const char *name, *rgb;
    } known[] = {{"red", "#c0392b"},    {"orange", "#e67e22"},
                 {"amber", "#e6a100"},  {"yellow", "#d4ac0d"},
                 {"green", "#27ae60"},  {"blue", "#2471a3"},
                 {"at-risk", "#c0392b"}, {"champion", "#1e8449"}};
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (name && strcasecmp(name, known[k].name) == 0)
            return known[k].rgb;
    return palette[i % 8];
}

/* A "nice" upper limit for a probability axis: the plot zooms in on the
 * range the predictions occupy (30-day churn risks are often below 0.1,
 * where a [0,1] axis would squeeze every point into a corner). */
static double nice_upper(double m)
{
    static const double steps[] = {0.005, 0.01, 0.02, 0.05, 0.1};
    if (!(m > 0))
        return 1.0;
    m *= 1.05;
    if (m >= 0.5)
        return 1.0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (m / steps[i] <= 10.0)
            return ceil(m / steps[i]) * steps[i];
    return ceil(m / 0.1) * 0.1;
}

static void truncated_note(plot_ctx *c, int more, size_t kept,
                           const char *what)
{
    if (more)
        add_note(c, "only the first %zu %s are drawn", kept, what);
}

/* Finds `name` in a list of series names or adds it; returns its index
 * (which picks its line type) or -1 when the list is full. */
static int name_index(const char **names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    if (*n >= MAX_SERIES)
        return -1;
    names[*n] = name;
    return (int)(*n)++;
}

/* The line type (1-based) of a series named `name`, shared between the
 * panels of one figure so a config keeps its look; the i-th type when the
 * list of names is full. */
static int series_lt(const char **names, size_t *n, const char *name, size_t i)
{
    int k = name_index(names, n, name);
    return (k >= 0 ? k : (int)(i % 8)) + 1;
}

/* ---- reliability.csv: config,bin,p_mean,observed,n,ci_low,ci_high
 *      prediction_hist.csv: config,bin_low,bin_high,count ---- */

static hc_status plot_reliability(plot_ctx *c, hc_error *err)
{
    static const hc_colspec rcols[] = {
        {"config", HC_COL_TEXT, 1}, {"bin", HC_COL_NUM, 0},
        {"p_mean", HC_COL_NUM, 1},  {"observed", HC_COL_NUM, 1},
        {"n", HC_COL_NUM, 0},       {"ci_low", HC_COL_NUM, 0},
        {"ci_high", HC_COL_NUM, 0}};
    static const hc_colspec hcols[] = {
        {"config", HC_COL_TEXT, 1}, {"bin_low", HC_COL_NUM, 1},
        {"bin_high", HC_COL_NUM, 1}, {"count", HC_COL_NUM, 1}};
    int have_rel, have_hist;
    hc_status st = load(c, "reliability.csv", rcols, 7, &c->t[0], &have_rel,
                        err);
    if (st == HC_OK)
        st = load(c, "prediction_hist.csv", hcols, 4, &c->t[1], &have_hist,
                  err);
    if (st != HC_OK)
        return st;
    const hc_table *rel = have_rel && c->t[0]->n_rows ? c->t[0] : NULL;
    const hc_table *hist = have_hist && c->t[1]->n_rows ? c->t[1] : NULL;
    if (!rel && !hist) {
        skip(c, "no rows in reliability.csv or prediction_hist.csv");
        return HC_OK;
    }
    if ((st = df_open(c, err)) != HC_OK)
        return st;

    const char *names[MAX_SERIES];
    size_t n_names = 0;
    int rel_block[MAX_SERIES], rel_lt[MAX_SERIES];
    int hist_block[MAX_SERIES], hist_lt[MAX_SERIES];
    const char *rel_title[MAX_SERIES], *hist_title[MAX_SERIES];
    int32_t codes[MAX_SERIES];
    size_t n_rel = 0, n_hist = 0;
    double m = 0.0;
    int more = 0;

    if (rel) {
        int cc = hc_table_find(rel, "config"), pc = hc_table_find(rel, "p_mean");
        int oc = hc_table_find(rel, "observed"), nc = hc_table_find(rel, "n");
        int lc = hc_table_find(rel, "ci_low"), hc = hc_table_find(rel, "ci_high");
        keyed *k = alloc_keyed(rel, err);
        if (!k)
            return HC_ENOMEM;
        n_rel = distinct(rel, cc, codes, MAX_SERIES, &more);
        truncated_note(c, more, n_rel, "configs");
        for (size_t i = 0; i < n_rel; i++) {
            size_t n = select_rows(rel, cc, codes[i], -1, 0, pc, -1, 1, k);
            size_t written = 0;
            for (size_t j = 0; j < n; j++) {
                size_t r = k[j].row;
                double p = cell(rel, pc, r), o = cell(rel, oc, r);
                double cnt = cell(rel, nc, r);
                double lo = cell(rel, lc, r), hi = cell(rel, hc, r);
                if (!isfinite(o) || (isfinite(cnt) && cnt <= 0))
                    continue; /* an empty bin has no observed rate */
                if (!isfinite(lo) || !isfinite(hi))
                    lo = hi = o; /* no interval: a bare point */
                df_num(c, p);
                df_num(c, o);
                df_num(c, lo);
                df_num(c, hi);
                df_endrow(c);
                m = fmax(m, fmax(p, fmax(o, hi)));
                written++;
            }
            rel_block[i] = written ? df_endblock(c) : -1;
            rel_title[i] = label(rel, cc, codes[i]);
            rel_lt[i] = series_lt(names, &n_names, rel_title[i], i);
        }
        free(k);
    }
    if (hist) {
        int cc = hc_table_find(hist, "config");
        int lc = hc_table_find(hist, "bin_low"), hc = hc_table_find(hist, "bin_high");
        int nc = hc_table_find(hist, "count");
        keyed *k = alloc_keyed(hist, err);
        if (!k)
            return HC_ENOMEM;
        n_hist = distinct(hist, cc, codes, MAX_SERIES, &more);
        if (!rel)
            truncated_note(c, more, n_hist, "configs");
        for (size_t i = 0; i < n_hist; i++) {
            size_t n = select_rows(hist, cc, codes[i], -1, 0, lc, -1, 1, k);
            size_t written = 0;
            for (size_t j = 0; j < n; j++) {
                size_t r = k[j].row;
                double lo = cell(hist, lc, r), hi = cell(hist, hc, r);
                double cnt = cell(hist, nc, r);
                if (!isfinite(hi) || !(hi > lo) || !isfinite(cnt))
                    continue;
                /* configs side by side inside each bin */
                double w = (hi - lo) / (double)n_hist;
                df_num(c, lo + ((double)i + 0.5) * w);
                df_num(c, cnt);
                df_num(c, w);
                df_endrow(c);
                if (cnt > 0)
                    m = fmax(m, hi);
                written++;
            }
            hist_block[i] = written ? df_endblock(c) : -1;
            hist_title[i] = label(hist, cc, codes[i]);
            hist_lt[i] = series_lt(names, &n_names, hist_title[i], i);
        }
        free(k);
    }
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    int any_rel = 0, any_hist = 0;
    for (size_t i = 0; i < n_rel; i++)
        any_rel |= rel_block[i] >= 0;
    for (size_t i = 0; i < n_hist; i++)
        any_hist |= hist_block[i] >= 0;
    if (!any_rel && !any_hist) {
        skip(c, "no non-empty bins in reliability.csv or prediction_hist.csv");
        return HC_OK;
    }
    m = nice_upper(m);

    sbuf *b = &c->sc;
    style_common(b);
    const char *xlabel = "mean predicted churn probability (fraction)";
    if (any_rel && any_hist) {
        sb_add(b, "set multiplot title 'Reliability diagram with 95% Wilson "
                  "intervals, and the distribution of predictions'\n"
                  "set lmargin 11\nset rmargin 3\n"
                  "set origin 0,0.3\nset size 1,0.64\nset bmargin 1.5\n"
                  "set format x ''\n");
    }
    if (any_rel) {
        if (!any_hist)
            sb_printf(b, "set title 'Reliability diagram: observed churn rate "
                         "vs mean predicted probability (95%% Wilson "
                         "intervals)'\nset xlabel '%s'\n", xlabel);
        sb_add(b, "set xrange [0:");
        sb_num(b, m);
        sb_add(b, "]\nset yrange [0:");
        sb_num(b, m);
        sb_add(b, "]\nset ylabel 'observed churn rate (fraction)'\n"
                  "set key top left\n"
                  "plot x with lines lc rgb '#888888' dt 3 lw 1.5 "
                  "title 'perfect calibration'");
        for (size_t i = 0; i < n_rel; i++) {
            if (rel_block[i] < 0)
                continue;
            sb_add(b, ", \\\n  ");
            sb_data(b, c, rel_block[i]);
            sb_printf(b, "using 1:2:3:4 with yerrorlines lt %d title ",
                      rel_lt[i]);
            sb_quote(b, rel_title[i]);
        }
        sb_add(b, "\n");
    }
    if (any_hist) {
        if (any_rel)
            sb_add(b, "unset title\nset origin 0,0\nset size 1,0.3\n"
                      "set tmargin 0.5\nset bmargin 3.5\nset format x '%g'\n");
        else
            sb_add(b, "set title 'Distribution of predicted churn "
                      "probabilities'\n");
        sb_printf(b, "set xlabel '%s'\nset ylabel 'predictions (count)'\n"
                     "set xrange [0:", xlabel);
        sb_num(b, m);
        sb_add(b, "]\nset yrange [0:*]\nset key top right\nplot ");
        int first = 1;
        for (size_t i = 0; i < n_hist; i++) {
            if (hist_block[i] < 0)
                continue;
            if (!first)
                sb_add(b, ", \\\n  ");
            first = 0;
            sb_data(b, c, hist_block[i]);
            sb_printf(b, "using 1:2:3 with boxes lt %d fs %s title ",
                      hist_lt[i],
                      i % 2 ? "pattern 4 border" : "solid 0.6 border");
            sb_quote(b, hist_title[i]);
        }
        sb_add(b, "\n");
    }
    return HC_OK;
}

/* One series per config: writes the (x, y[, y2]) rows of each config,
 * sorted by x (ties by y, descending when y_desc), as data blocks. */
typedef struct {
    size_t n;
    int block[MAX_SERIES];
    const char *title[MAX_SERIES];
    double area[MAX_SERIES]; /* trapezoid area under y(x); NaN unless the
                                curve runs from (0,0) to (1,1) */
    int any_y, any_y2;       /* some finite y (y2) was written: gnuplot
                                cannot draw a plot without one point */
} series_set;

static hc_status write_curves(plot_ctx *c, const hc_table *t, const char *xn,
                              const char *yn, const char *y2n, int y_desc,
                              series_set *s, hc_error *err)
{
    int cc = hc_table_find(t, "config");
    int xc = hc_table_find(t, xn), yc = hc_table_find(t, yn);
    int y2c = y2n ? hc_table_find(t, y2n) : -1;
    int32_t codes[MAX_SERIES];
    int more;
    keyed *k = alloc_keyed(t, err);
    if (!k)
        return HC_ENOMEM;
    s->n = distinct(t, cc, codes, MAX_SERIES, &more);
    s->any_y = s->any_y2 = 0;
    truncated_note(c, more, s->n, "configs");
    for (size_t i = 0; i < s->n; i++) {
        size_t n = select_rows(t, cc, codes[i], -1, 0, xc, yc,
                               y_desc ? -1.0 : 1.0, k);
        size_t written = 0;
        double area = 0, x0 = NAN, y0 = NAN, px = NAN, py = NAN;
        for (size_t j = 0; j < n; j++) {
            double x = cell(t, xc, k[j].row), y = cell(t, yc, k[j].row);
            double y2 = cell(t, y2c, k[j].row);
            if (!isfinite(y) && !isfinite(y2))
                continue;
            df_num(c, x);
            df_num(c, y);
            if (y2c >= 0)
                df_num(c, y2);
            df_endrow(c);
            s->any_y |= isfinite(y) != 0;
            s->any_y2 |= isfinite(y2) != 0;
            if (isfinite(y)) {
                if (isfinite(px))
                    area += (x - px) * (y + py) / 2.0;
                else {
                    x0 = x;
                    y0 = y;
                }
                px = x;
                py = y;
            }
            written++;
        }
        s->block[i] = written ? df_endblock(c) : -1;
        s->title[i] = label(t, cc, codes[i]);
        s->area[i] = fabs(x0) < 1e-12 && fabs(y0) < 1e-12 &&
                             fabs(px - 1) < 1e-12 && fabs(py - 1) < 1e-12
                         ? area
                         : NAN;
    }
    free(k);
    return HC_OK;
}

static int any_block(const series_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->block[i] >= 0)
            return 1;
    return 0;
}

/* Loads a per-config curve file and writes its blocks; skips the plot when
 * the file is absent or empty. Returns HC_OK with c->skip set in that case. */
static hc_status curve_file(plot_ctx *c, const char *file,
                            const hc_colspec *cols, size_t n_cols,
                            const char *xn, const char *yn, const char *y2n,
                            int y_desc, series_set *s, hc_error *err)
{
    int present;
    hc_status st = load(c, file, cols, n_cols, &c->t[0], &present, err);
    if (st != HC_OK)
        return st;
    if (!present) {
        skip(c, "%s is not in the data directory", file);
        return HC_OK;
    }
    if (c->t[0]->n_rows == 0) {
        skip(c, "%s has no data rows", file);
        return HC_OK;
    }
    if ((st = df_open(c, err)) != HC_OK)
        return st;
    st = write_curves(c, c->t[0], xn, yn, y2n, y_desc, s, err);
    if (st == HC_OK)
        st = df_close(c, err);
    if (st == HC_OK && !any_block(s))
        skip(c, "%s has no finite values to draw", file);
    return st;
}

/* ---- roc.csv: config,fpr,tpr ---- */

static hc_status plot_roc(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {{"config", HC_COL_TEXT, 1},
                                      {"fpr", HC_COL_NUM, 1},
                                      {"tpr", HC_COL_NUM, 1}};
    series_set s;
    hc_status st = curve_file(c, "roc.csv", cols, 3, "fpr", "tpr", NULL, 0,
                              &s, err);
    if (st != HC_OK || c->skip)
        return st;
    sbuf *b = &c->sc;
    style_common(b);
    sb_add(b, "set title 'ROC curve: churners flagged vs retained accounts "
              "flagged, over all thresholds'\n"
              "set size ratio -1\nset xrange [0:1]\nset yrange [0:1]\n"
              "set xlabel 'false positive rate (fraction of retained accounts "
              "flagged)'\n"
              "set ylabel 'true positive rate (fraction of churners flagged)'\n"
              "set key bottom right\n"
              "plot x with lines lc rgb '#888888' dt 3 lw 1.5 "
              "title 'chance (AUC 0.5)'");
    for (size_t i = 0; i < s.n; i++) {
        if (s.block[i] < 0)
            continue;
        char title[512];
        /* the trapezoid area of a complete ROC curve is the AUC
         * (Hanley & McNeil 1982) */
        if (isfinite(s.area[i]))
            snprintf(title, sizeof title, "%s (AUC %.3f)", s.title[i],
                     s.area[i]);
        else
            snprintf(title, sizeof title, "%s", s.title[i]);
        sb_add(b, ", \\\n  ");
        sb_data(b, c, s.block[i]);
        sb_printf(b, "using 1:2 with lines lt %zu title ", i % 8 + 1);
        sb_quote(b, title);
    }
    sb_add(b, "\n");
    return HC_OK;
}

/* ---- pr.csv: config,recall,precision ---- */

static hc_status plot_pr(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {{"config", HC_COL_TEXT, 1},
                                      {"recall", HC_COL_NUM, 1},
                                      {"precision", HC_COL_NUM, 1}};
    series_set s;
    hc_status st = curve_file(c, "pr.csv", cols, 3, "recall", "precision",
                              NULL, 1, &s, err);
    if (st != HC_OK || c->skip)
        return st;
    sbuf *b = &c->sc;
    style_common(b);
    /* Steps, not straight lines: linear interpolation between PR points
     * overstates precision (Davis & Goadrich 2006); with recall ascending,
     * fsteps holds each point's precision over the recall gained to reach
     * it, as scikit-learn's PrecisionRecallDisplay draws it. */
    sb_add(b, "set title 'Precision-recall curve: precision of the flagged "
              "accounts vs share of churners caught'\n"
              "set xrange [0:1]\nset yrange [0:1.02]\n"
              "set xlabel 'recall (fraction of churners flagged)'\n"
              "set ylabel 'precision (fraction of flagged accounts that "
              "churned)'\n"
              "set key top right\nplot ");
    int first = 1;
    for (size_t i = 0; i < s.n; i++) {
        if (s.block[i] < 0)
            continue;
        if (!first)
            sb_add(b, ", \\\n  ");
        first = 0;
        sb_data(b, c, s.block[i]);
        sb_printf(b, "using 1:2 with fsteps lt %zu title ", i % 8 + 1);
        sb_quote(b, s.title[i]);
    }
    sb_add(b, "\n");
    return HC_OK;
}

/* ---- gains.csv: config,share_flagged,capture,lift ---- */

static hc_status plot_gains(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {{"config", HC_COL_TEXT, 1},
                                      {"share_flagged", HC_COL_NUM, 1},
                                      {"capture", HC_COL_NUM, 1},
                                      {"lift", HC_COL_NUM, 0}};
    series_set s;
    hc_status st = curve_file(c, "gains.csv", cols, 4, "share_flagged",
                              "capture", "lift", 0, &s, err);
    if (st != HC_OK || c->skip)
        return st;
    sbuf *b = &c->sc;
    style_common(b);
    if (s.any_y && s.any_y2)
        sb_add(b, "set multiplot layout 1,2 title 'Cumulative gains and lift "
                  "(accounts ranked from highest predicted risk)'\n");
    else if (s.any_y)
        sb_add(b, "set title 'Cumulative gains (accounts ranked from highest "
                  "predicted risk)'\n");
    else
        sb_add(b, "set title 'Lift (accounts ranked from highest predicted "
                  "risk)'\n");
    sb_add(b, "set xrange [0:1]\nset xlabel 'share of accounts flagged "
              "(fraction)'\n");
    for (int panel = 0; panel < 2; panel++) {
        if (!(panel ? s.any_y2 : s.any_y))
            continue;
        if (panel == 0)
            sb_add(b, "set yrange [0:1]\n"
                      "set ylabel 'share of churners captured (fraction)'\n"
                      "set key bottom right\n"
                      "plot x with lines lc rgb '#888888' dt 3 lw 1.5 "
                      "title 'random order'");
        else
            sb_add(b, "set yrange [0:*]\n"
                      "set ylabel 'lift (churn rate among flagged / base "
                      "rate)'\n"
                      "set key top right\n"
                      "plot 1 with lines lc rgb '#888888' dt 3 lw 1.5 "
                      "title 'random order (lift 1)'");
        for (size_t i = 0; i < s.n; i++) {
            if (s.block[i] < 0)
                continue;
            sb_add(b, ", \\\n  ");
            sb_data(b, c, s.block[i]);
            sb_printf(b, "using 1:%d with lines lt %zu title ", panel + 2,
                      i % 8 + 1);
            sb_quote(b, s.title[i]);
        }
        sb_add(b, "\n");
    }
    return HC_OK;
}

/* Loads the single data file of a plot into c->t[0] and opens the data
 * file; sets c->skip when it is absent or has no rows. */
static hc_status load_main(plot_ctx *c, const char *file,
                           const hc_colspec *cols, size_t n_cols,
                           hc_error *err)
{
    int present;
    hc_status st = load(c, file, cols, n_cols, &c->t[0], &present, err);
    if (st != HC_OK)
        return st;
    if (!present)
        skip(c, "%s is not in the data directory", file);
    else if (c->t[0]->n_rows == 0)
        skip(c, "%s has no data rows", file);
    else
        st = df_open(c, err);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A date x axis on day numbers, with tics at the dates that occur in
 * column `dc` (fold start dates are what the reader looks for), thinned to
 * at most `max_tics` so the labels never overlap; `labels` 0 leaves the
 * tics unlabelled (an upper panel sharing the axis). */
static hc_status date_axis(sbuf *b, const hc_table *t, int dc, size_t max_tics,
                           int labels, hc_error *err)
{
    double *d = malloc((t->n_rows ? t->n_rows : 1) * sizeof *d);
    if (!d)
        return hc_error_nomem(err);
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        double v = cell(t, dc, r);
        if (isfinite(v))
            d[n++] = v;
    }
    qsort(d, n, sizeof *d, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || d[i] != d[u - 1])
            d[u++] = d[i];
    if (u > 0) {
        double span = d[u - 1] - d[0];
        double pad = span > 0 ? span * 0.04 : 15.0;
        sb_add(b, "set xrange [");
        sb_num(b, d[0] - pad);
        sb_add(b, ":");
        sb_num(b, d[u - 1] + pad);
        sb_add(b, "]\nset xtics (");
        size_t step = (u + max_tics - 1) / max_tics;
        for (size_t i = 0; i < u; i += step) {
            char day[16];
            hc_date_format((int32_t)d[i], day);
            if (i)
                sb_add(b, ", ");
            sb_quote(b, labels ? day : "");
            sb_add(b, " ");
            sb_num(b, d[i]);
        }
        sb_add(b, ")\nset grid xtics\n");
    }
    free(d);
    return HC_OK;
}

/* Money on an axis: the unit that keeps tic labels short. */
static double money_scale(double max, const char **unit)
{
    if (max >= 1e9) {
        *unit = "billions";
        return 1e9;
    }
    if (max >= 1e6) {
        *unit = "millions";
        return 1e6;
    }
    if (max >= 1e4) {
        *unit = "thousands";
        return 1e3;
    }
    *unit = "currency units";
    return 1.0;
}

static double column_max(const hc_table *t, int col)
{
    double m = 0;
    for (size_t r = 0; col >= 0 && r < t->n_rows; r++) {
        double v = cell(t, col, r);
        if (isfinite(v))
            m = fmax(m, v);
    }
    return m;
}

/* ---- bands_over_time.csv: config,fold,test_start,band,accounts,churn_rate,arr ---- */

static hc_status plot_bands_over_time(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"config", HC_COL_TEXT, 1},    {"fold", HC_COL_NUM, 0},
        {"test_start", HC_COL_DATE, 1}, {"band", HC_COL_TEXT, 1},
        {"accounts", HC_COL_NUM, 0},   {"churn_rate", HC_COL_NUM, 1},
        {"arr", HC_COL_NUM, 0}};
    hc_status st = load_main(c, "bands_over_time.csv", cols, 7, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), bc = hc_table_find(t, "band");
    int dc = hc_table_find(t, "test_start"), rc = hc_table_find(t, "churn_rate");
    int ac = hc_table_find(t, "arr");
    int32_t cfg[MAX_SERIES], band[MAX_SERIES];
    int more_c, more_b;
    size_t n_cfg = distinct(t, cc, cfg, 4, &more_c);
    size_t n_band = distinct(t, bc, band, MAX_SERIES, &more_b);
    truncated_note(c, more_c, n_cfg, "configs");
    truncated_note(c, more_b, n_band, "bands");
    if (n_cfg * n_band > MAX_SERIES) {
        add_note(c, "only the first %zu configs are drawn",
                 (size_t)MAX_SERIES / n_band ? (size_t)MAX_SERIES / n_band : 1);
        n_cfg = MAX_SERIES / n_band ? MAX_SERIES / n_band : 1;
        if (n_band > MAX_SERIES)
            n_band = MAX_SERIES;
    }
    keyed *k = alloc_keyed(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[MAX_SERIES];
    int any = 0, have_rate = 0, have_arr = 0;
    for (size_t i = 0; i < n_cfg; i++)
        for (size_t j = 0; j < n_band; j++) {
            size_t n = select_rows(t, cc, cfg[i], bc, band[j], dc, -1, 1, k);
            size_t written = 0;
            for (size_t r = 0; r < n; r++) {
                double rate = cell(t, rc, k[r].row), arr = cell(t, ac, k[r].row);
                if (!isfinite(rate) && !isfinite(arr))
                    continue;
                df_num(c, k[r].k1);
                df_num(c, rate);
                df_num(c, arr);
                df_endrow(c);
                have_rate |= isfinite(rate) != 0;
                have_arr |= isfinite(arr) != 0;
                written++;
            }
            block[i * n_band + j] = written ? df_endblock(c) : -1;
            any |= written > 0;
        }
    free(k);
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    if (!any) {
        skip(c, "bands_over_time.csv has no finite values to draw");
        return HC_OK;
    }
    /* A panel per measure that has values: churn rate, then ARR. */
    const char *unit;
    double scale = money_scale(column_max(t, ac), &unit);
    sbuf *b = &c->sc;
    style_common(b);
    if ((st = date_axis(b, t, dc, 8, !(have_rate && have_arr), err)) != HC_OK)
        return st;
    /* Both panels share the margins, so their date axes line up; the key
     * sits to the right of the upper panel. */
    sb_add(b, "set lmargin at screen 0.11\nset rmargin at screen 0.74\n"
              "set key at screen 0.99, screen 0.9 right top\n");
    if (have_rate && have_arr)
        sb_add(b, "set multiplot title 'Churn rate and ARR per band over "
                  "backtest folds'\n"
                  "set origin 0,0.5\nset size 1,0.45\n"
                  "unset xlabel\nset bmargin 1\n");
    else
        sb_printf(b, "set title '%s per band over backtest folds'\n"
                     "set xlabel 'start of test period (date)'\n",
                  have_rate ? "Churn rate" : "ARR");
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0 && !have_rate)
            continue;
        if (pass == 1 && !have_arr)
            break;
        if (pass == 0)
            sb_add(b, "set yrange [0:*]\nset ylabel 'churn rate within the "
                      "horizon (fraction)'\nplot ");
        else {
            if (have_rate) {
                sb_add(b, "set origin 0,0\nset size 1,0.5\nset tmargin 0.5\n"
                          "set bmargin 3.5\nunset key\n"
                          "set xlabel 'start of test period (date)'\n");
                if ((st = date_axis(b, t, dc, 8, 1, err)) != HC_OK)
                    return st;
            }
            sb_printf(b, "set yrange [0:*]\nset ylabel 'ARR in band (%s)'\n"
                         "plot ", unit);
        }
        int first = 1;
        for (size_t i = 0; i < n_cfg; i++)
            for (size_t j = 0; j < n_band; j++) {
                int blk = block[i * n_band + j];
                if (blk < 0)
                    continue;
                const char *bn = label(t, bc, band[j]);
                char title[512];
                if (n_cfg > 1)
                    snprintf(title, sizeof title, "%s / %s",
                             label(t, cc, cfg[i]), bn);
                else
                    snprintf(title, sizeof title, "%s", bn);
                if (!first)
                    sb_add(b, ", \\\n  ");
                first = 0;
                sb_data(b, c, blk);
                if (pass == 0)
                    sb_add(b, "using 1:2");
                else {
                    sb_add(b, "using 1:($3/");
                    sb_num(b, scale);
                    sb_add(b, ")");
                }
                sb_printf(b, " with linespoints lw 2 lc rgb '%s' dt %s pt %d "
                             "ps 0.8 title ",
                          band_colour(bn, j), dashes[i % 8], points[j % 8]);
                sb_quote(b, title);
            }
        sb_add(b, "\n");
    }
    return HC_OK;
}

/* ---- band_arr.csv: band,accounts,arr,expected_churned_arr ---- */

static hc_status plot_band_arr(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"band", HC_COL_TEXT, 1}, {"accounts", HC_COL_NUM, 0},
        {"arr", HC_COL_NUM, 1}, {"expected_churned_arr", HC_COL_NUM, 0}};
    hc_status st = load_main(c, "band_arr.csv", cols, 4, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int bc = hc_table_find(t, "band"), nc = hc_table_find(t, "accounts");
    int ac = hc_table_find(t, "arr"), ec = hc_table_find(t, "expected_churned_arr");
    size_t n = t->n_rows < 24 ? t->n_rows : 24;
    if (t->n_rows > n)
        add_note(c, "only the first %zu of %zu bands are drawn", n, t->n_rows);
    int any[2] = {0, 0};
    for (size_t r = 0; r < n; r++) {
        double arr = cell(t, ac, r), exp_arr = cell(t, ec, r);
        df_num(c, (double)r);
        df_num(c, arr);
        df_num(c, exp_arr);
        df_endrow(c);
        any[0] |= isfinite(arr) != 0;
        any[1] |= isfinite(exp_arr) != 0;
    }
    int blk = df_endblock(c);
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    if (!any[0] && !any[1]) {
        skip(c, "band_arr.csv has no finite ARR to draw");
        return HC_OK;
    }
    sbuf *b = &c->sc;
    style_common(b);
    const char *unit;
    double scale = money_scale(fmax(column_max(t, ac), column_max(t, ec)),
                               &unit);
    sb_add(b, "set title 'ARR and expected churned ARR per band (number of "
              "accounts in brackets)'\nset bmargin 4\n");
    sb_printf(b, "set ylabel 'ARR (%s)'\n", unit);
    sb_add(b, "set yrange [0:*]\nset offsets 0,0,graph 0.15,0\n"
              "set xrange [-0.6:");
    sb_num(b, (double)n - 0.4);
    sb_add(b, "]\nset grid noxtics\nset key top left\nset xtics (");
    for (size_t r = 0; r < n; r++) {
        if (r)
            sb_add(b, ", ");
        sb_quote(b, label(t, bc, text_code(t, bc, r)));
        double acc = cell(t, nc, r);
        if (isfinite(acc)) /* a second tic line; "\n" is our constant */
            sb_printf(b, " . \"\\n(%.0f)\"", acc);
        sb_printf(b, " %zu", r);
    }
    sb_add(b, ")\nplot ");
    for (int k = 0; k < 2; k++) {
        const char *x = k ? "($1+0.19)" : "($1-0.19)";
        if (!any[k])
            continue;
        if (k && any[0])
            sb_add(b, ", \\\n  ");
        sb_data(b, c, blk);
        sb_printf(b, "using %s:($%d/", x, k + 2);
        sb_num(b, scale);
        sb_add(b, "):(0.36) with boxes dt 1 ");
        sb_add(b, k ? "lc rgb '#a93226' fs solid 0.85 border lc rgb '#5b1a14' "
                      "title 'expected churned ARR (sum of P(churn) x ARR)'"
                    : "lc rgb '#9fb8d0' fs solid 0.6 border lc rgb '#33557f' "
                      "title 'ARR'");
        /* the value above each bar, in the axis unit */
        sb_add(b, ", \\\n  ");
        sb_data(b, c, blk);
        sb_printf(b, "using %s:($%d/", x, k + 2);
        sb_num(b, scale);
        sb_printf(b, "):(sprintf('%%.3g', $%d/", k + 2);
        sb_num(b, scale);
        sb_add(b, ")) with labels offset 0,0.7 notitle");
    }
    sb_add(b, "\n");
    return HC_OK;
}

/* ---- score_distribution.csv: config,outcome,bin_low,bin_high,count,share ---- */

static hc_status plot_score_distribution(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"config", HC_COL_TEXT, 1},  {"outcome", HC_COL_TEXT, 1},
        {"bin_low", HC_COL_NUM, 1},  {"bin_high", HC_COL_NUM, 1},
        {"count", HC_COL_NUM, 0},    {"share", HC_COL_NUM, 1}};
    hc_status st = load_main(c, "score_distribution.csv", cols, 6, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), oc = hc_table_find(t, "outcome");
    int lc = hc_table_find(t, "bin_low"), hc = hc_table_find(t, "bin_high");
    int nc = hc_table_find(t, "count"), sc = hc_table_find(t, "share");
    int32_t cfg[MAX_PANELS], out[4];
    int more_c, more_o;
    size_t n_cfg = distinct(t, cc, cfg, MAX_PANELS, &more_c);
    size_t n_out = distinct(t, oc, out, 4, &more_o);
    truncated_note(c, more_c, n_cfg, "configs");
    truncated_note(c, more_o, n_out, "outcomes");
    keyed *k = alloc_keyed(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[MAX_PANELS][4];
    double total[MAX_PANELS][4];
    int any = 0;
    for (size_t i = 0; i < n_cfg; i++)
        for (size_t j = 0; j < n_out; j++) {
            size_t n = select_rows(t, cc, cfg[i], oc, out[j], lc, -1, 1, k);
            size_t written = 0;
            total[i][j] = 0;
            for (size_t r = 0; r < n; r++) {
                size_t row = k[r].row;
                double lo = cell(t, lc, row), hi = cell(t, hc, row);
                double share = cell(t, sc, row), cnt = cell(t, nc, row);
                if (!isfinite(hi) || !(hi > lo) || !isfinite(share))
                    continue;
                df_num(c, (lo + hi) / 2);
                df_num(c, share);
                df_num(c, hi - lo);
                df_endrow(c);
                if (isfinite(cnt))
                    total[i][j] += cnt;
                written++;
            }
            block[i][j] = written ? df_endblock(c) : -1;
            any |= written > 0;
        }
    free(k);
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    if (!any) {
        skip(c, "score_distribution.csv has no finite values to draw");
        return HC_OK;
    }
    /* Filled for the first outcome, outlined for the second, patterned for
     * others: the overlap stays visible without colour. */
    static const char *const fills[4] = {
        "fs transparent solid 0.35 border", "fs empty border",
        "fs transparent pattern 4 border", "fs transparent pattern 5 border"};
    static const char *const out_colour[4] = {"#1f5fa8", "#c0392b", "#1b9e77",
                                              "#7570b3"};
    sbuf *b = &c->sc;
    style_common(b);
    if (n_cfg > 1)
        sb_printf(b, "set multiplot layout %d,%d title 'Health score "
                     "distribution of churned and retained observations'\n",
                  n_cfg > 2 ? 2 : 1, n_cfg > 1 ? 2 : 1);
    sb_add(b, "set xrange [0:100]\nset yrange [0:*]\n"
              "set offsets 0,0,graph 0.2,0\n"
              "set xlabel 'health score (0-100, 100 healthiest)'\n"
              "set ylabel 'share of the group (fraction)'\n"
              "set key top left\n");
    for (size_t i = 0; i < n_cfg; i++) {
        if (n_cfg > 1) {
            sb_add(b, "set title ");
            sb_quote(b, label(t, cc, cfg[i]));
        } else {
            sb_add(b, "set title ");
            sb_title(b, "Health score distribution of churned and retained "
                        "observations: ", label(t, cc, cfg[i]), "");
        }
        sb_add(b, "\n");
        int first = 1;
        for (size_t j = 0; j < n_out; j++) {
            if (block[i][j] < 0)
                continue;
            const char *on = label(t, oc, out[j]);
            const char *col = strcasecmp(on, "churned") == 0   ? "#c0392b"
                              : strcasecmp(on, "retained") == 0 ? "#1f5fa8"
                                                                : out_colour[j];
            char title[512];
            if (total[i][j] > 0)
                snprintf(title, sizeof title, "%s (n=%.0f)", on, total[i][j]);
            else
                snprintf(title, sizeof title, "%s", on);
            sb_add(b, first ? "plot " : ", \\\n  ");
            first = 0;
            sb_data(b, c, block[i][j]);
            sb_printf(b, "using 1:2:3 with boxes dt 1 lc rgb '%s' lw %d %s title ",
                      col, j == 1 ? 2 : 1, fills[j]);
            sb_quote(b, title);
        }
        /* a config without values leaves its panel empty */
        sb_add(b, first ? "set multiplot next\n" : "\n");
    }
    return HC_OK;
}

/* ---- weights.csv: component,old_weight,new_weight,ci_low,ci_high ---- */

static hc_status plot_weights(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"component", HC_COL_TEXT, 1}, {"old_weight", HC_COL_NUM, 0},
        {"new_weight", HC_COL_NUM, 1}, {"ci_low", HC_COL_NUM, 0},
        {"ci_high", HC_COL_NUM, 0}};
    hc_status st = load_main(c, "weights.csv", cols, 5, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int nc = hc_table_find(t, "component"), oc = hc_table_find(t, "old_weight");
    int wc = hc_table_find(t, "new_weight"), lc = hc_table_find(t, "ci_low");
    int hc = hc_table_find(t, "ci_high");
    size_t n = t->n_rows < 30 ? t->n_rows : 30;
    if (t->n_rows > n)
        add_note(c, "only the first %zu of %zu components are drawn", n,
                 t->n_rows);
    double lowest = 0;
    int any_old = 0, any_new = 0, any_ci = 0;
    for (size_t r = 0; r < n; r++) {
        double old = cell(t, oc, r), w = cell(t, wc, r);
        double lo = cell(t, lc, r), hi = cell(t, hc, r);
        df_num(c, (double)r);
        df_num(c, old);
        df_num(c, w);
        df_num(c, lo);
        df_num(c, hi);
        df_endrow(c);
        any_old |= isfinite(old) != 0;
        any_new |= isfinite(w) != 0;
        any_ci |= isfinite(w) && isfinite(lo) && isfinite(hi);
        if (isfinite(lo))
            lowest = fmin(lowest, lo);
    }
    int blk = df_endblock(c);
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    if (!any_old && !any_new) {
        skip(c, "weights.csv has no finite weights to draw");
        return HC_OK;
    }
    sbuf *b = &c->sc;
    style_common(b);
    sb_add(b, "set title 'Component weights: current (old) vs tuned (new) "
              "with 95% intervals'\n"
              "set xlabel 'component'\n"
              "set ylabel 'weight (fraction of the health score; weights "
              "sum to 1)'\n"
              "set key top right\nset grid noxtics\n"
              "set offsets 0,0,graph 0.15,0\nset xrange [-0.6:");
    sb_num(b, (double)n - 0.4);
    sb_add(b, "]\nset yrange [");
    sb_num(b, lowest < 0 ? lowest * 1.1 : 0.0);
    sb_add(b, ":*]\n");
    if (n > 6)
        sb_add(b, "set xtics rotate by -30\n");
    sb_add(b, "set xtics (");
    for (size_t r = 0; r < n; r++) {
        if (r)
            sb_add(b, ", ");
        sb_quote(b, label(t, nc, text_code(t, nc, r)));
        sb_printf(b, " %zu", r);
    }
    sb_add(b, ")\nplot ");
    if (any_old) {
        sb_data(b, c, blk);
        sb_add(b, "using ($1-0.19):2:(0.36) with boxes dt 1 lc rgb '#bbbbbb' "
                  "fs solid 0.5 border lc rgb '#555555' "
                  "title 'old weight (current config)'");
    }
    if (any_new) {
        if (any_old)
            sb_add(b, ", \\\n  ");
        sb_data(b, c, blk);
        sb_add(b, "using ($1+0.19):3:(0.36) with boxes dt 1 lc rgb '#1f5fa8' "
                  "fs solid 0.8 border lc rgb '#123a66' "
                  "title 'new weight (tuned config)'");
    }
    if (any_ci) {
        sb_add(b, ", \\\n  ");
        sb_data(b, c, blk);
        sb_add(b, "using ($1+0.19):3:4:5 with yerrorbars dt 1 lc rgb 'black' "
                  "lw 1.5 pt 0 title '95% interval of the new weight'");
    }
    sb_add(b, "\n");
    return HC_OK;
}

/* ---- thresholds.csv: threshold,share_flagged,recall,precision,arr_recall
 *      cutpoints.csv: band,min ---- */

static hc_status plot_thresholds(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"threshold", HC_COL_NUM, 1}, {"share_flagged", HC_COL_NUM, 0},
        {"recall", HC_COL_NUM, 0},    {"precision", HC_COL_NUM, 0},
        {"arr_recall", HC_COL_NUM, 0}, {"config", HC_COL_TEXT, 0}};
    static const hc_colspec ccols[] = {{"band", HC_COL_TEXT, 1},
                                       {"min", HC_COL_NUM, 1}};
    static const char *const series[4][2] = {
        {"share_flagged", "share of accounts flagged"},
        {"recall", "recall (churners flagged)"},
        {"precision", "precision (flagged that churned)"},
        {"arr_recall", "ARR recall (churned ARR flagged)"}};
    hc_status st = load_main(c, "thresholds.csv", cols, 6, err);
    if (st != HC_OK || c->skip)
        return st;
    int have_cuts;
    if ((st = load(c, "cutpoints.csv", ccols, 2, &c->t[1], &have_cuts, err)) !=
        HC_OK)
        return st;
    const hc_table *t = c->t[0];
    int tc = hc_table_find(t, "threshold");
    int sc[4];
    int n_series = 0;
    for (int i = 0; i < 4; i++) {
        sc[i] = hc_table_find(t, series[i][0]);
        n_series += sc[i] >= 0;
    }
    if (n_series == 0)
        return hc_error_set(err, HC_EDATA, t->source, 1, 0,
                            "header: none of the columns share_flagged, "
                            "recall, precision, arr_recall is present");
    keyed *k = alloc_keyed(t, err);
    if (!k)
        return HC_ENOMEM;
    size_t n = select_rows(t, -1, 0, -1, 0, tc, -1, 1, k);
    double xmin = INFINITY, xmax = -INFINITY;
    int any[4] = {0, 0, 0, 0}, n_any = 0;
    for (size_t r = 0; r < n; r++) {
        df_num(c, k[r].k1);
        for (int i = 0; i < 4; i++) {
            double v = cell(t, sc[i], k[r].row);
            df_num(c, v);
            any[i] |= isfinite(v) != 0;
        }
        df_endrow(c);
        xmin = fmin(xmin, k[r].k1);
        xmax = fmax(xmax, k[r].k1);
    }
    free(k);
    int blk = df_endblock(c);
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    for (int i = 0; i < 4; i++)
        n_any += any[i];
    if (n == 0 || n_any == 0) {
        skip(c, "thresholds.csv has no finite values to draw");
        return HC_OK;
    }
    sbuf *b = &c->sc;
    style_common(b);
    /* the sweep belongs to one config (the backtest's primary one) */
    int cfc = hc_table_find(t, "config");
    sb_add(b, "set title ");
    sb_title(b, cfc >= 0 ? "Threshold sweep of " : "Threshold sweep",
             cfc >= 0 ? label(t, cfc, text_code(t, cfc, 0)) : "",
             ": accounts scoring below the threshold are flagged");
    sb_add(b, "\nset xlabel 'threshold on the health score (0-100)'\n"
              "set ylabel 'fraction'\nset yrange [0:1.05]\n"
              "set key below maxrows 2 width -2\nset bmargin 7\n");
    if (xmax > xmin) {
        sb_add(b, "set xrange [");
        sb_num(b, xmin);
        sb_add(b, ":");
        sb_num(b, xmax);
        sb_add(b, "]\n");
    }
    /* The chosen cut points: a dotted vertical line and the band name. */
    if (have_cuts && c->t[1]->n_rows > 0) {
        const hc_table *ct = c->t[1];
        int bc = hc_table_find(ct, "band"), mc = hc_table_find(ct, "min");
        size_t shown = 0;
        for (size_t r = 0; r < ct->n_rows && shown < MAX_SERIES; r++) {
            double x = cell(ct, mc, r);
            if (!isfinite(x) || x <= xmin || x > xmax)
                continue; /* the first band's 0 is not a cut */
            char text[512];
            snprintf(text, sizeof text, "%s from %g",
                     label(ct, bc, text_code(ct, bc, r)), x);
            sb_add(b, "set arrow from ");
            sb_num(b, x);
            sb_add(b, ", graph 0 to ");
            sb_num(b, x);
            sb_add(b, ", graph 1 nohead back lc rgb '#444444' dt 3 lw 1.5\n"
                      "set label ");
            sb_quote(b, text);
            sb_add(b, " at ");
            sb_num(b, x);
            sb_add(b, ", graph 0.98 right rotate by 90 offset -1.2,0 "
                      "front textcolor rgb '#444444'\n");
            shown++;
        }
        if (shown == 0)
            add_note(c, "no cut point of cutpoints.csv lies inside the "
                        "threshold range");
    }
    sb_add(b, "plot ");
    int first = 1;
    for (int i = 0; i < 4; i++) {
        if (!any[i])
            continue;
        if (!first)
            sb_add(b, ", \\\n  ");
        first = 0;
        sb_data(b, c, blk);
        sb_printf(b, "using 1:%d with lines lt %d title '%s'", i + 2, i + 1,
                  series[i][1]);
    }
    sb_add(b, "\n");
    return HC_OK;
}

/* ---- folds.csv: fold,config,test_start,test_end,n,positives,roc_auc,
 *      pr_auc,brier,log_loss,ece ---- */

static hc_status plot_folds(plot_ctx *c, hc_error *err)
{
    static const hc_colspec cols[] = {
        {"fold", HC_COL_NUM, 0},       {"config", HC_COL_TEXT, 1},
        {"test_start", HC_COL_DATE, 1}, {"test_end", HC_COL_DATE, 0},
        {"n", HC_COL_NUM, 0},          {"positives", HC_COL_NUM, 0},
        {"roc_auc", HC_COL_NUM, 0},    {"pr_auc", HC_COL_NUM, 0},
        {"brier", HC_COL_NUM, 0},      {"log_loss", HC_COL_NUM, 0},
        {"ece", HC_COL_NUM, 0},        {"roc_auc_ci_low", HC_COL_NUM, 0},
        {"roc_auc_ci_high", HC_COL_NUM, 0}};
    static const char *const metric[4][3] = {
        {"roc_auc", "ROC AUC (higher is better)", "area (0-1)"},
        {"pr_auc", "PR AUC (higher is better)", "area (0-1)"},
        {"brier", "Brier score (lower is better)", "mean squared error"},
        {"ece", "expected calibration error (lower is better)",
         "probability (fraction)"}};
    hc_status st = load_main(c, "folds.csv", cols, 13, err);
    if (st != HC_OK || c->skip)
        return st;
    const hc_table *t = c->t[0];
    int cc = hc_table_find(t, "config"), dc = hc_table_find(t, "test_start");
    int mc[4], any[4] = {0, 0, 0, 0}, n_panels = 0, any_ci = 0;
    for (int i = 0; i < 4; i++)
        mc[i] = hc_table_find(t, metric[i][0]);
    int lo_c = hc_table_find(t, "roc_auc_ci_low");
    int hi_c = hc_table_find(t, "roc_auc_ci_high");
    int32_t cfg[MAX_SERIES];
    int more;
    size_t n_cfg = distinct(t, cc, cfg, 8, &more);
    truncated_note(c, more, n_cfg, "configs");
    keyed *k = alloc_keyed(t, err);
    if (!k)
        return HC_ENOMEM;
    int block[MAX_SERIES];
    for (size_t i = 0; i < n_cfg; i++) {
        size_t n = select_rows(t, cc, cfg[i], -1, 0, dc, -1, 1, k);
        for (size_t r = 0; r < n; r++) {
            df_num(c, k[r].k1);
            for (int m = 0; m < 4; m++) {
                double v = cell(t, mc[m], k[r].row);
                df_num(c, v);
                any[m] |= isfinite(v) != 0;
            }
            /* the ROC AUC interval; a bare point when there is none */
            double auc = cell(t, mc[0], k[r].row);
            double lo = cell(t, lo_c, k[r].row), hi = cell(t, hi_c, k[r].row);
            if (isfinite(lo) && isfinite(hi) && isfinite(auc))
                any_ci = 1;
            else
                lo = hi = auc;
            df_num(c, lo);
            df_num(c, hi);
            df_endrow(c);
        }
        block[i] = n ? df_endblock(c) : -1;
    }
    free(k);
    if ((st = df_close(c, err)) != HC_OK)
        return st;
    /* a metric without a single value gets no panel (gnuplot cannot draw
     * a panel without a point) */
    for (int m = 0; m < 4; m++)
        n_panels += any[m];
    if (n_panels == 0) {
        skip(c, "folds.csv has no values of roc_auc, pr_auc, brier or ece");
        return HC_OK;
    }
    sbuf *b = &c->sc;
    style_common(b);
    if ((st = date_axis(b, t, dc, n_panels > 1 ? 4 : 8, 1, err)) != HC_OK)
        return st;
    /* constant metrics would otherwise sit on the frame */
    sb_add(b, "set offsets 0,0,graph 0.1,graph 0.1\n");
    sb_printf(b, "set multiplot layout %d,%d title 'Metrics per backtest "
                 "fold'\n",
              n_panels > 2 ? 2 : 1, n_panels > 1 ? 2 : 1);
    sb_add(b, "set xlabel 'start of test period (date)'\n");
    int panel = 0;
    for (int m = 0; m < 4; m++) {
        if (!any[m])
            continue;
        sb_printf(b, "set title '%s%s'\nset ylabel '%s'\n", metric[m][1],
                  m == 0 && any_ci ? ", 95% interval" : "", metric[m][2]);
        /* one key for all panels, in the free corner beside the title */
        if (panel == 0)
            sb_add(b, "set key at screen 0.99, screen 0.995 right top "
                      "horizontal noopaque nobox\n");
        else
            sb_add(b, "unset key\n");
        sb_add(b, "plot ");
        int first = 1;
        for (size_t i = 0; i < n_cfg; i++) {
            if (block[i] < 0)
                continue;
            if (!first)
                sb_add(b, ", \\\n  ");
            first = 0;
            sb_data(b, c, block[i]);
            if (m == 0 && any_ci)
                sb_printf(b, "using 1:2:6:7 with yerrorlines lt %zu title ",
                          i % 8 + 1);
            else
                sb_printf(b, "using 1:%d with linespoints lt %zu title ",
                          m + 2, i % 8 + 1);
            sb_quote(b, label(t, cc, cfg[i]));
        }
        sb_add(b, "\n");
        panel++;
    }
    return HC_OK;
}

/* ---- running the plots ---- */

typedef hc_status (*plot_fn)(plot_ctx *c, hc_error *err);

static const struct {
    const char *name;
    const char *file;
    plot_fn fn;
} plot_table[HC_PLOT_COUNT] = {
    {"reliability", "reliability.csv", plot_reliability},
    {"roc", "roc.csv", plot_roc},
    {"pr", "pr.csv", plot_pr},
    {"gains", "gains.csv", plot_gains},
    {"bands_over_time", "bands_over_time.csv", plot_bands_over_time},
    {"band_arr", "band_arr.csv", plot_band_arr},
    {"score_distribution", "score_distribution.csv", plot_score_distribution},
    {"weights", "weights.csv", plot_weights},
    {"thresholds", "thresholds.csv", plot_thresholds},
    {"folds", "folds.csv", plot_folds},
};

/* Builds and draws plot number `i`; *state says what happened, `note`
 * (1 KiB) why it was skipped or what was left out. */
static hc_status run_plot(size_t i, const char *data_dir, const char *out_dir,
                          unsigned formats, const hc_gnuplot_options *opt,
                          hc_plot_state *state, char *note, size_t note_size,
                          hc_error *err)
{
    plot_ctx c;
    memset(&c, 0, sizeof c);
    c.data_dir = data_dir;
    hc_status st = plot_table[i].fn(&c, err);
    if (st == HC_OK && !c.skip && c.sc.oom)
        st = hc_error_nomem(err);
    if (st == HC_OK && !c.skip)
        st = hc_gnuplot_render(c.sc.s, out_dir, plot_table[i].name, formats,
                               opt, err);
    if (c.df)
        fclose(c.df);
    hc_gnuplot_temp_remove(c.data);
    hc_table_free(c.t[0]);
    hc_table_free(c.t[1]);
    free(c.sc.s);
    *state = st != HC_OK ? HC_PLOT_FAILED
             : c.skip    ? HC_PLOT_SKIPPED
                         : HC_PLOT_DRAWN;
    snprintf(note, note_size, "%s", c.note);
    return st;
}

static int find_plot(const char *name)
{
    for (size_t i = 0; i < HC_PLOT_COUNT; i++)
        if (strcmp(plot_table[i].name, name) == 0)
            return (int)i;
    return -1;
}

hc_status hc_plot_one(const char *name, const char *data_dir,
                      const char *out_dir, unsigned formats,
                      const hc_gnuplot_options *opt, hc_plot_state *state,
                      hc_error *err)
{
    *state = HC_PLOT_FAILED;
    int i = find_plot(name ? name : "");
    if (i < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "unknown plot '%s'",
                            name ? name : "");
    char path[4096];
    hc_status st = hc_gnuplot_find(opt, path, sizeof path, err);
    if (st == HC_OK)
        st = hc_mkdir_p(out_dir, err);
    if (st != HC_OK)
        return st;
    char note[1024];
    st = run_plot((size_t)i, data_dir, out_dir, formats, opt, state, note,
                  sizeof note, err);
    if (st == HC_OK && *state == HC_PLOT_SKIPPED)
        hc_error_set(err, HC_OK, NULL, 0, 0, "%s", note);
    return st;
}

hc_status hc_plot_all(const char *data_dir, const char *out_dir,
                      unsigned formats, const hc_gnuplot_options *opt,
                      hc_plot_summary *summary, hc_error *err)
{
    memset(summary, 0, sizeof *summary);
    summary->n_plots = HC_PLOT_COUNT;
    summary->formats = formats;
    for (size_t i = 0; i < HC_PLOT_COUNT; i++) {
        summary->plots[i].name = plot_table[i].name;
        summary->plots[i].data_file = plot_table[i].file;
        summary->plots[i].state = HC_PLOT_SKIPPED;
        summary->plots[i].status = HC_OK;
    }
    if (!(formats & (HC_PLOT_SVG | HC_PLOT_PNG)))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "no plot format requested (svg, png)");
    struct stat sb;
    if (stat(data_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return hc_error_set(err, HC_EIO, data_dir, 0, 0,
                            "not a readable directory");
    char path[4096];
    hc_error why;
    hc_error_clear(&why);
    if (hc_gnuplot_find(opt, path, sizeof path, &why) != HC_OK) {
        for (size_t i = 0; i < HC_PLOT_COUNT; i++)
            snprintf(summary->plots[i].reason, sizeof summary->plots[i].reason,
                     "%s", why.message);
        summary->n_skipped = HC_PLOT_COUNT;
        if (err)
            *err = why;
        return why.status;
    }
    hc_status st = hc_mkdir_p(out_dir, err);
    if (st != HC_OK)
        return st;
    hc_status first = HC_OK;
    for (size_t i = 0; i < HC_PLOT_COUNT; i++) {
        hc_plot_result *res = &summary->plots[i];
        hc_error e;
        hc_error_clear(&e);
        st = run_plot(i, data_dir, out_dir, formats, opt, &res->state,
                      res->reason, sizeof res->reason, &e);
        if (st != HC_OK) {
            res->status = st;
            hc_error_format(&e, res->reason, sizeof res->reason);
            if (first == HC_OK) {
                first = st;
                if (err)
                    *err = e;
            }
        }
        summary->n_drawn += res->state == HC_PLOT_DRAWN;
        summary->n_skipped += res->state == HC_PLOT_SKIPPED;
        summary->n_failed += res->state == HC_PLOT_FAILED;
    }
    return first;
}
