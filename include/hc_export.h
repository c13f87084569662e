/* hc_export.h - the tuned config where the scores are made: SQL for the warehouse, a points scorecard (layer: output).
 *
 * hc_export_sql_write writes one SQL statement (a view, or a bare SELECT)
 * that computes, per row of a snapshot table, what hc_model_score_rows
 * computes (src/model/score.c): each metric's 0-100 sub-score through its
 * transform (identity, linear, log, piecewise, quantile with its learned
 * cuts), each component's score as the weighted mean of its present
 * metrics, health with the weights renormalised over the components
 * present (the "renormalize" rule), the band, P(churn) through the churn
 * model and the config's recalibration map, and P(expansion) with a
 * missing component replaced by health, all with the segment overrides.
 * Every operation is written in the order score.c performs it, on IEEE
 * doubles (every constant is a double literal of 17 significant digits),
 * so the database reproduces healthcal's numbers to rounding: the
 * exceptions are log1p(x), written LN(1 + x) (SQL has no log1p; an
 * absolute error below 1e-14 points), and probabilities below about
 * 1e-323, written 0.
 *
 * The columns of the result, in order: the account id and snapshot date
 * (named as in the config's `columns`), the segment column when the config
 * has segment overrides, one column per metric sub-score named
 * "COMPONENT.COLUMN", one per component score named "COMPONENT", then
 * "health", "band", "p_churn_<H>d" and "p_expansion_<H>d" (H the config's
 * horizon). A missing value is NULL, in the input (PostgreSQL also reads
 * a NaN as missing; SQLite reads a cell that holds no number, such as ''
 * or 'NA', as missing, so its metric columns must store numbers: declare
 * them REAL, and text that looks like a number is not read) and in the
 * output.
 *
 * Quoting. Every name that comes from the config or the options (columns,
 * components, segment values, band names, the table and view) is written
 * as a quoted identifier ("" doubles a quote) or a string literal ('' doubles
 * a quote; PostgreSQL strings holding a backslash are written E'...' so that
 * standard_conforming_strings does not matter), so no name can end the
 * statement. Text in the header comment has its control bytes replaced by
 * '?', so no name can end the comment. Output names that would coincide
 * (a component named "health") and, for PostgreSQL, identifiers longer than
 * its 63-byte limit (which it would truncate silently) are HC_EDATA.
 */
#ifndef HC_EXPORT_H
#define HC_EXPORT_H

#include <stdio.h>

#include "hc_error.h"
#include "hc_model.h"

typedef enum {
    HC_SQL_POSTGRES, /* PostgreSQL 12 and later */
    HC_SQL_SQLITE,   /* SQLite 3.35 and later, built with the math functions
                        (ln, exp; Debian's is) */
    HC_SQL_ANSI      /* SQL:2003 (CAST ... AS DOUBLE PRECISION, LN, EXP) */
} hc_sql_dialect;

/* The dialect of a name ("postgres", "postgresql", "sqlite", "ansi"):
 * 0, or -1 for an unknown name. */
int hc_export_sql_dialect_parse(const char *name, hc_sql_dialect *out);

typedef struct {
    hc_sql_dialect dialect;
    const char *table;       /* the snapshot table (required) */
    const char *schema;      /* its schema, or NULL */
    const char *view;        /* CREATE VIEW of this name; NULL: a bare SELECT */
    /* For the header comment (each may be NULL): */
    const char *config_path; /* where the config was read */
    const char *config_hash; /* e.g. the SHA-256 of its bytes, in hex */
    const char *date;        /* the export's date, YYYY-MM-DD */
    const char *tool;        /* e.g. "healthcal 0.1.0" */
} hc_export_sql_options;

/* Sets the defaults: PostgreSQL, table "snapshots", no schema, view
 * "healthcal_scores", no header details. */
void hc_export_sql_options_init(hc_export_sql_options *opt);

/* Writes the statement for the validated model `m` to `f` (the caller
 * checks the stream for write errors). HC_EDATA when the model cannot be
 * exported: a quantile transform without cuts, colliding output names, an
 * identifier too long for the dialect; HC_EUSAGE for a missing table name.
 * Nothing is written when an error is returned. */
hc_status hc_export_sql_write(FILE *f, const hc_model *m,
                              const hc_export_sql_options *opt, hc_error *err);

/* The SHA-256 (FIPS 180-4) of n bytes, as 64 lower-case hex digits and a
 * NUL in hex[65]. */
void hc_export_sha256_hex(const void *data, size_t n, char hex[65]);

/* Writes the points scorecard of `m` as CSV to `f`: the form a hand-entered
 * scorecard (ChurnZero-, Gainsight-style) takes. The header is
 *   table,segment,component,metric,value,sub_score,points,band,grade
 * and the rows, by `table`:
 *   - "weights": per component, its weight (value) and whole points
 *     summing to 100 over the components (Hamilton's largest remainders,
 *     ties to the earlier component; a weight within 1e-9 below a whole
 *     point counts as that point): the top level (segment empty), then
 *     each segment that overrides the weights;
 *   - "grid": per metric, metric values, the sub-score each gets
 *     (hc_transform_apply) and the points it earns, component points x the
 *     metric's share of its component's metric weights x sub-score / 100
 *     (top-level points; a row's points are the sum over its metrics when
 *     every metric is present). The values: a piecewise transform's knots;
 *     a quantile transform's 1st percentile, deciles and 99th percentile
 *     (distinct values); five evenly spaced values from low to high for
 *     linear; for log the five values whose log1p is evenly spaced (sub-
 *     scores 0, 25, 50, 75, 100); 0, 25, ..., 100 for identity;
 *   - "band": each band's lower bound (value, and points: health is on
 *     0-100 like the points), with "grade" repeating the band's name when
 *     every band is named by a grade letter (A-F, either case, optionally
 *     with + or -), else empty.
 * Missing cells are empty; text goes through hc_csv_write_text. Write
 * errors are left in the stream. HC_EDATA for a model without
 * components; HC_ENOMEM. */
hc_status hc_export_points_write(FILE *f, const hc_model *m, hc_error *err);

#endif
