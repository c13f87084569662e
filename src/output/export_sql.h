/* export_sql.h - the SQL writer shared by export_sql.c and export_sql_expr.c (private to src/output). */
#ifndef HC_EXPORT_SQL_PRIVATE_H
#define HC_EXPORT_SQL_PRIVATE_H

#include <stdio.h>

#include "hc_export.h"
#include "hc_model.h"

typedef struct {
    FILE *f;
    hc_sql_dialect d;
} sqlw;

/* A double as a double literal of the dialect (17 significant digits). */
void hc_sqlw_lit(sqlw *w, double v);

/* A quoted identifier; "a.b" from two names as one identifier. */
void hc_sqlw_ident(sqlw *w, const char *s);
void hc_sqlw_ident2(sqlw *w, const char *a, const char *b);

/* A string literal. */
void hc_sqlw_str(sqlw *w, const char *s);

/* Text for a -- comment, control bytes replaced by '?'. */
void hc_sqlw_comment(FILE *f, const char *s);

/* A typed NULL (numeric or text). */
void hc_sqlw_null(sqlw *w, int numeric);

/* The sub-score of transform tf of the value in column x (a plain name). */
void hc_sqlw_transform(sqlw *w, const hc_transform *tf, const char *x);

/* The logistic of column e, as score.c's logistic(). */
void hc_sqlw_logistic(sqlw *w, const char *e);

/* hc_recal_apply of column hc_p0 (r NULL: hc_p0 itself; platt reads the
 * map's linear predictor from column hc_er). */
void hc_sqlw_recalibrated(sqlw *w, const hc_recalibration *r);

#endif
