/* export_sql_expr.c - the SQL pieces of the export: literals, quoting, transforms, the logistic and recalibration maps, each as score.c computes it. */
#include "hc_export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_sql.h"

/* Below this exp() is 0 in double precision and PostgreSQL's exp() raises
 * an underflow error instead of returning 0; above 40, 1 + exp(-eta) is 1
 * exactly, so the logistic is 1 (score.c computes the same values). */
#define EXP_MIN_ARG (-745.0)
#define LOGISTIC_ONE 40.0

/* ---- lexical pieces ------------------------------------------------------ */

/* A double as a double literal: 17 significant digits read back to the
 * same double. SQLite reads a literal with a '.' or an exponent as REAL;
 * PostgreSQL and ANSI read it as an exact numeric, so it is cast (the
 * numeric is converted by correctly rounded text-to-double). Negative
 * literals are parenthesised so that "x - -1" can never become a comment. */
void hc_sqlw_lit(sqlw *w, double v)
{
    char buf[40];
    if (v == 0)
        v = 0; /* no "-0" */
    snprintf(buf, sizeof buf, "%.17g", v);
    int real = strpbrk(buf, ".e") != NULL;
    const char *neg = v < 0 ? "(" : "", *end = v < 0 ? ")" : "";
    switch (w->d) {
    case HC_SQL_SQLITE:
        fprintf(w->f, "%s%s%s%s", neg, buf, real ? "" : ".0", end);
        break;
    case HC_SQL_POSTGRES:
        fprintf(w->f, "%s%s::float8%s", neg, buf, end);
        break;
    case HC_SQL_ANSI:
        fprintf(w->f, "CAST(%s AS DOUBLE PRECISION)", buf);
        break;
    }
}

/* The characters of an identifier, quotes doubled. */
static void ident_chars(sqlw *w, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            putc('"', w->f);
        putc(*s, w->f);
    }
}

/* A quoted identifier. */
void hc_sqlw_ident(sqlw *w, const char *s)
{
    putc('"', w->f);
    ident_chars(w, s);
    putc('"', w->f);
}

/* "a.b" as one quoted identifier. */
void hc_sqlw_ident2(sqlw *w, const char *a, const char *b)
{
    putc('"', w->f);
    ident_chars(w, a);
    putc('.', w->f);
    ident_chars(w, b);
    putc('"', w->f);
}

/* A string literal. */
void hc_sqlw_str(sqlw *w, const char *s)
{
    int esc = w->d == HC_SQL_POSTGRES && strchr(s, '\\');
    fputs(esc ? "E'" : "'", w->f);
    for (; *s; s++) {
        if (*s == '\'' || (esc && *s == '\\'))
            putc(*s, w->f);
        putc(*s, w->f);
    }
    putc('\'', w->f);
}

/* Text for a -- comment: control bytes (a newline would end it) become '?'. */
void hc_sqlw_comment(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        putc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

void hc_sqlw_null(sqlw *w, int numeric)
{
    if (w->d == HC_SQL_SQLITE)
        fputs("NULL", w->f);
    else
        fputs(numeric ? "CAST(NULL AS DOUBLE PRECISION)" : "CAST(NULL AS VARCHAR(1))",
              w->f);
}

/* ---- transforms (transform.c) ------------------------------------------ */

/* CASE WHEN s < 0 THEN 0 WHEN s > 100 THEN 100 ELSE s END with s printed
 * by `expr` (a NULL s falls through to the ELSE, as NaN does in C). */
typedef void (*expr_fn)(sqlw *w, const void *ctx);

static void clamp100(sqlw *w, expr_fn e, const void *ctx)
{
    fputs("CASE WHEN ", w->f);
    e(w, ctx);
    fputs(" < ", w->f);
    hc_sqlw_lit(w, 0);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 0);
    fputs(" WHEN ", w->f);
    e(w, ctx);
    fputs(" > ", w->f);
    hc_sqlw_lit(w, 100);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 100);
    fputs(" ELSE ", w->f);
    e(w, ctx);
    fputs(" END", w->f);
}

static void col_expr(sqlw *w, const void *ctx)
{
    fputs(ctx, w->f);
}

/* The value a linear score is taken of: x, or for a log transform
 * CASE WHEN x < low THEN log1p(low) ELSE LN(1 + x) END. */
typedef struct {
    const char *x;
    const hc_transform *tf;
    double low, range; /* on the scale of the value */
} lin_ctx;

static void lin_value(sqlw *w, const lin_ctx *c)
{
    if (c->tf->type != HC_TF_LOG) {
        fputs(c->x, w->f);
        return;
    }
    fprintf(w->f, "(CASE WHEN %s < ", c->x);
    hc_sqlw_lit(w, c->tf->low);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, c->low);
    fputs(" ELSE LN(", w->f);
    hc_sqlw_lit(w, 1);
    fprintf(w->f, " + %s) END)", c->x);
}

/* 100 * ((v - low) / range), as lin_score computes it. */
static void lin_raw(sqlw *w, const void *ctx)
{
    const lin_ctx *c = ctx;
    fputs("(", w->f);
    hc_sqlw_lit(w, 100);
    fputs(" * ((", w->f);
    lin_value(w, c);
    fputs(" - ", w->f);
    hc_sqlw_lit(w, c->low);
    fputs(") / ", w->f);
    hc_sqlw_lit(w, c->range);
    fputs("))", w->f);
}

static void tf_linear(sqlw *w, const hc_transform *tf, const char *x)
{
    lin_ctx c = {x, tf, tf->low, tf->high - tf->low};
    if (tf->type == HC_TF_LOG) {
        c.low = log1p(tf->low);
        c.range = log1p(tf->high) - c.low;
    }
    if (!tf->higher_is_healthier) {
        fputs("(", w->f);
        hc_sqlw_lit(w, 100);
        fputs(" - ", w->f);
    }
    fputs("(", w->f);
    clamp100(w, lin_raw, &c);
    fputs(")", w->f);
    if (!tf->higher_is_healthier)
        fputs(")", w->f);
}

/* piecewise_score: flat outside, linear inside, ps[lo] at a knot. */
static void tf_piecewise(sqlw *w, const hc_transform *tf, const char *x)
{
    size_t n = tf->n_points;
    fprintf(w->f, "(CASE WHEN %s IS NULL THEN NULL WHEN %s <= ", x, x);
    hc_sqlw_lit(w, tf->px[0]);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, tf->ps[0]);
    fprintf(w->f, " WHEN %s >= ", x);
    hc_sqlw_lit(w, tf->px[n - 1]);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, tf->ps[n - 1]);
    for (size_t j = 0; j + 1 < n; j++) {
        fprintf(w->f, "\n        WHEN %s < ", x);
        hc_sqlw_lit(w, tf->px[j + 1]);
        fputs(" THEN ", w->f);
        if (j > 0) {
            fprintf(w->f, "CASE WHEN %s = ", x);
            hc_sqlw_lit(w, tf->px[j]);
            fputs(" THEN ", w->f);
            hc_sqlw_lit(w, tf->ps[j]);
            fputs(" ELSE ", w->f);
        }
        hc_sqlw_lit(w, tf->ps[j]);
        fprintf(w->f, " + ((%s - ", x);
        hc_sqlw_lit(w, tf->px[j]);
        fputs(") / ", w->f);
        hc_sqlw_lit(w, tf->px[j + 1] - tf->px[j]);
        fputs(") * ", w->f);
        hc_sqlw_lit(w, tf->ps[j + 1] - tf->ps[j]);
        if (j > 0)
            fputs(" END", w->f);
    }
    fputs(" END)", w->f);
}

/* quantile_score over the distinct cut values d_1 < ... < d_m: the run of
 * cuts equal to d_i spans indexes lo_i .. up_i - 1 (0-based), so x = d_i
 * scores the mid-rank (lo_i + up_i + 1) / 2 and d_i < x < d_{i+1} scores
 * up_i + (x - d_i) / (d_{i+1} - d_i). */
static void tf_quantile(sqlw *w, const hc_transform *tf, const char *x)
{
    const double *c = tf->cuts;
    const size_t n = HC_QUANTILE_CUTS;
    if (!tf->higher_is_healthier) {
        fputs("(", w->f);
        hc_sqlw_lit(w, 100);
        fputs(" - ", w->f);
    }
    fprintf(w->f, "(CASE WHEN %s IS NULL THEN NULL WHEN %s < ", x, x);
    hc_sqlw_lit(w, c[0]);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 0);
    fprintf(w->f, " WHEN %s > ", x);
    hc_sqlw_lit(w, c[n - 1]);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 100);
    for (size_t lo = 0; lo < n;) {
        size_t up = lo;
        while (up < n && c[up] == c[lo])
            up++;
        fprintf(w->f, "\n        WHEN %s = ", x);
        hc_sqlw_lit(w, c[lo]);
        fputs(" THEN ", w->f);
        hc_sqlw_lit(w, 0.5 * (double)(lo + up + 1));
        if (up < n) {
            fprintf(w->f, " WHEN %s < ", x);
            hc_sqlw_lit(w, c[up]);
            fputs(" THEN ", w->f);
            hc_sqlw_lit(w, (double)up);
            fprintf(w->f, " + (%s - ", x);
            hc_sqlw_lit(w, c[lo]);
            fputs(") / ", w->f);
            hc_sqlw_lit(w, c[up] - c[lo]);
        }
        lo = up;
    }
    fputs(" END)", w->f);
    if (!tf->higher_is_healthier)
        fputs(")", w->f);
}

/* A categorical transform on x, which holds LOWER(TRIM(column)): each
 * level's matching form to its score; an empty cell is missing, any other
 * value unseen (NULL, or the `other` score). */
static void tf_categorical(sqlw *w, const hc_transform *tf, const char *x)
{
    const hc_categorical *c = tf->cat;
    fprintf(w->f, "(CASE WHEN %s IS NULL OR %s = '' THEN ", x, x);
    hc_sqlw_null(w, 1);
    for (size_t i = 0; c && i < c->n_levels; i++) {
        char nb[256];
        hc_categorical_norm(c->names[i], strlen(c->names[i]), nb, sizeof nb);
        fprintf(w->f, " WHEN %s = ", x);
        hc_sqlw_str(w, nb);
        fputs(" THEN ", w->f);
        hc_sqlw_lit(w, c->score[i]);
    }
    fputs(" ELSE ", w->f);
    if (c && c->unseen_other)
        hc_sqlw_lit(w, c->other);
    else
        hc_sqlw_null(w, 1);
    fputs(" END)", w->f);
}

void hc_sqlw_transform(sqlw *w, const hc_transform *tf, const char *x)
{
    switch (tf->type) {
    case HC_TF_IDENTITY:
        fputs("(", w->f);
        clamp100(w, col_expr, x);
        fputs(")", w->f);
        return;
    case HC_TF_LINEAR:
    case HC_TF_LOG:
        tf_linear(w, tf, x);
        return;
    case HC_TF_PIECEWISE:
        tf_piecewise(w, tf, x);
        return;
    case HC_TF_QUANTILE:
        tf_quantile(w, tf, x);
        return;
    case HC_TF_CATEGORICAL:
        tf_categorical(w, tf, x);
        return;
    }
}

/* ---- combining --------------------------------------------------------- */

/* The logistic of column `e` as score.c's hc_sqlw_logistic() computes it. */
void hc_sqlw_logistic(sqlw *w, const char *e)
{
    fprintf(w->f, "CASE WHEN %s IS NULL THEN NULL WHEN %s >= ", e, e);
    hc_sqlw_lit(w, LOGISTIC_ONE);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 1);
    fprintf(w->f, " WHEN %s >= ", e);
    hc_sqlw_lit(w, 0);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 1);
    fputs(" / (", w->f);
    hc_sqlw_lit(w, 1);
    fprintf(w->f, " + EXP(-%s)) WHEN %s < ", e, e);
    hc_sqlw_lit(w, EXP_MIN_ARG);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, 0);
    fprintf(w->f, " ELSE EXP(%s) / (", e);
    hc_sqlw_lit(w, 1);
    fprintf(w->f, " + EXP(%s)) END", e);
}

/* hc_recal_apply on column hc_p0 (the platt map reads hc_er, its linear
 * predictor, computed in an earlier step). */
void hc_sqlw_recalibrated(sqlw *w, const hc_recalibration *r)
{
    if (!r || r->method == HC_RECAL_NONE) {
        fputs("hc_p0", w->f);
        return;
    }
    if (r->method == HC_RECAL_PLATT) {
        hc_sqlw_logistic(w, "hc_er");
        return;
    }
    size_t n = r->n_points;
    fputs("CASE WHEN hc_p0 IS NULL THEN NULL WHEN hc_p0 <= ", w->f);
    hc_sqlw_lit(w, r->x[0]);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, r->y[0]);
    fputs(" WHEN hc_p0 >= ", w->f);
    hc_sqlw_lit(w, r->x[n - 1]);
    fputs(" THEN ", w->f);
    hc_sqlw_lit(w, r->y[n - 1]);
    for (size_t j = 0; j + 1 < n; j++) {
        fputs("\n        WHEN hc_p0 < ", w->f);
        hc_sqlw_lit(w, r->x[j + 1]);
        fputs(" THEN ", w->f);
        if (j > 0) {
            fputs("CASE WHEN hc_p0 = ", w->f);
            hc_sqlw_lit(w, r->x[j]);
            fputs(" THEN ", w->f);
            hc_sqlw_lit(w, r->y[j]);
            fputs(" ELSE ", w->f);
        }
        hc_sqlw_lit(w, (r->y[j + 1] - r->y[j]) / (r->x[j + 1] - r->x[j]));
        fputs(" * (hc_p0 - ", w->f);
        hc_sqlw_lit(w, r->x[j]);
        fputs(") + ", w->f);
        hc_sqlw_lit(w, r->y[j]);
        if (j > 0)
            fputs(" END", w->f);
    }
    fputs(" END", w->f);
}

