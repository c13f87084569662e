/* plots_script.c - writing a gnuplot script body: the growing buffer, quoted text and numbers, the common looks, date and money axes. */
#include "hc_date.h"
#include "hc_plot.h"
#include "plots_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the growing script buffer ---- */

static void reserve(hc_pl_script *b, size_t extra)
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

void hc_pl_add(hc_pl_script *b, const char *s)
{
    size_t n = strlen(s);
    reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void hc_pl_printf(hc_pl_script *b, const char *fmt, ...)
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
    hc_pl_add(b, tmp);
}

/* Appends `text` as a gnuplot string expression quoted with `flags`. */
static void quote(hc_pl_script *b, const char *text, unsigned flags)
{
    size_t n = hc_gnuplot_quote(NULL, 0, text, flags);
    reserve(b, n);
    if (b->oom)
        return;
    hc_gnuplot_quote(b->s + b->len, n + 1, text, flags);
    b->len += n;
}

void hc_pl_quote(hc_pl_script *b, const char *text)
{
    quote(b, text, HC_GP_SHORT);
}

void hc_pl_title(hc_pl_script *b, const char *prefix, const char *name,
                 const char *suffix)
{
    quote(b, prefix, 0);
    if (b->oom)
        return;
    hc_pl_add(b, " . ");
    hc_pl_quote(b, name);
    hc_pl_add(b, " . ");
    quote(b, suffix, 0);
}

void hc_pl_num(hc_pl_script *b, double v)
{
    if (isfinite(v))
        hc_pl_printf(b, "%.10g", v);
    else
        hc_pl_add(b, "NaN");
}

/* ---- looks ---- */

/* The Okabe-Ito colours in series order (plots_internal.h); dash and
 * point types differ too, so every plot also reads in greyscale. */
const char *const hc_pl_palette[HC_PL_PALETTE_N] = {
    HC_PL_OI_BLUE,          HC_PL_OI_ORANGE,     HC_PL_OI_SKY_BLUE, HC_PL_OI_REDDISH_PURPLE,
    HC_PL_OI_BLUISH_GREEN, HC_PL_OI_VERMILLION, HC_PL_OI_BLACK,    HC_PL_OI_YELLOW};
#define palette hc_pl_palette
const char *const hc_pl_dashes[8] = {"1", "2", "4", "5", "3", "(12,4,2,4)",
                                     "(2,5)", "(16,6)"};
const int hc_pl_points[8] = {7, 5, 9, 13, 11, 6, 4, 8};

void hc_pl_style_common(hc_pl_script *b)
{
    hc_pl_add(b, "set datafile missing '?'\n"
                 "set border 3 lw 1\n"
                 "set tics nomirror out\n"
                 "set grid back lc rgb '#dddddd' lw 1 dt 1\n"
                 "set key noautotitle opaque box lc rgb '#bbbbbb'\n"
                 "set style fill solid 0.5 border\n");
    for (int i = 0; i < 8; i++)
        hc_pl_printf(b, "set linetype %d lc rgb '%s' lw 2 dt %s pt %d ps 0.8\n",
                     i + 1, palette[i], hc_pl_dashes[i], hc_pl_points[i]);
    hc_pl_add(b, "set linetype cycle 8\n");
}

const char *hc_pl_band_colour(const char *name, size_t i)
{
    static const struct {
        const char *name, *rgb;
    } known[] = {{"red", HC_PL_OI_VERMILLION},      {"orange", HC_PL_OI_ORANGE},
                 {"amber", HC_PL_OI_ORANGE},        {"yellow", HC_PL_OI_ORANGE},
                 {"green", HC_PL_OI_BLUISH_GREEN},  {"blue", HC_PL_OI_BLUE},
                 {"at-risk", HC_PL_OI_VERMILLION},  {"champion", HC_PL_OI_BLUISH_GREEN}};
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (name && strcasecmp(name, known[k].name) == 0)
            return known[k].rgb;
    return palette[i % 8];
}

const char *hc_pl_band_colour_rank(size_t band, size_t n_bands)
{
    static const char *const middle[] = {HC_PL_OI_ORANGE, HC_PL_OI_SKY_BLUE,
                                         HC_PL_OI_REDDISH_PURPLE, HC_PL_OI_YELLOW,
                                         HC_PL_OI_BLUE};
    if (band == 0)
        return HC_PL_OI_VERMILLION;
    if (band + 1 == n_bands)
        return HC_PL_OI_BLUISH_GREEN;
    return middle[(band - 1) % 5];
}

/* 30-day churn risks are often below 0.1, where a [0,1] axis would squeeze
 * every point into a corner: hence the zoom. */
double hc_pl_nice_upper(double m)
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

/* Finds `name` in a list of series names or adds it; returns its index
 * (which picks its line type) or -1 when the list is full. */
static int name_index(const char **names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    if (*n >= HC_PL_MAX_SERIES)
        return -1;
    names[*n] = name;
    return (int)(*n)++;
}

int hc_pl_series_lt(const char **names, size_t *n, const char *name, size_t i)
{
    int k = name_index(names, n, name);
    return (k >= 0 ? k : (int)(i % 8)) + 1;
}

/* ---- axes ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The tics sit at the dates that occur because fold start dates are what
 * the reader looks for; thinning keeps the labels from overlapping. */
hc_status hc_pl_date_axis(hc_pl_script *b, const hc_table *t, int dc,
                          size_t max_tics, int labels, hc_error *err)
{
    double *d = malloc((t->n_rows ? t->n_rows : 1) * sizeof *d);
    if (!d)
        return hc_error_nomem(err);
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        double v = hc_pl_cell(t, dc, r);
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
        hc_pl_add(b, "set xrange [");
        hc_pl_num(b, d[0] - pad);
        hc_pl_add(b, ":");
        hc_pl_num(b, d[u - 1] + pad);
        hc_pl_add(b, "]\nset xtics (");
        size_t step = (u + max_tics - 1) / max_tics;
        for (size_t i = 0; i < u; i += step) {
            char day[16];
            hc_date_format((int32_t)d[i], day);
            if (i)
                hc_pl_add(b, ", ");
            hc_pl_quote(b, labels ? day : "");
            hc_pl_add(b, " ");
            hc_pl_num(b, d[i]);
        }
        hc_pl_add(b, ")\nset grid xtics\n");
    }
    free(d);
    return HC_OK;
}

double hc_pl_money_scale(double max, const char **unit)
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
