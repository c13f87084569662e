/* hc_csv_load.h - loading a CSV file into a typed columnar table, on one or two threads (layer: data). */
#ifndef HC_CSV_LOAD_H
#define HC_CSV_LOAD_H

#include <stddef.h>

#include "hc_csv.h"
#include "hc_error.h"
#include "hc_ingest.h"
#include "hc_table.h"

/* How to load a CSV into a table. */
typedef struct {
    const char *name;  /* header name */
    hc_coltype type;
    int required;      /* missing from the header is an error */
} hc_colspec;

typedef enum {
    HC_EXTRA_SKIP,     /* columns not in `cols` are ignored */
    HC_EXTRA_NUM       /* columns not in `cols` are loaded as numbers */
} hc_extra_policy;

/* How a load went, for tests and measurements. */
typedef struct {
    long long split_at; /* byte offset where the second half began, or 0
                           when the file was parsed in one piece (small,
                           not a regular file, no split point, or fell back) */
    int fell_back;      /* the file was split but the first half, reaching
                           the split point, failed or was inside a quoted
                           field: it read on alone */
    int spilled;        /* halves (0..2) that outgrew the rows estimated
                           for them (their table grew past the room
                           reserved) */
} hc_load_report;

typedef struct {
    hc_csv_options csv;
    const hc_colspec *cols;  /* named columns, loaded in this order first */
    size_t n_cols;
    hc_extra_policy extra;
    int negative_error_col;  /* index into cols of a column that must be
                                >= 0 (e.g. ARR), or -1 */
    size_t split_min_bytes;  /* a regular file of at least this many bytes
                                is read as two halves in parallel; 0 means
                                the environment variable
                                HEALTHCAL_SPLIT_MIN_BYTES if set, else
                                8 MiB; SIZE_MAX never splits */
    hc_load_report *report;  /* if not NULL, filled in (also on error) */
    const hc_ingest_options *ingest; /* date forms, time zone, decimal
                                comma; NULL: hc_ingest_default(). The
                                negative_error_col column is the money
                                column (currency, thousands separators) */
} hc_load_options;

/* Loads the CSV at `path` into a new table (caller frees). The header is
 * required; duplicate header names, missing required columns, a record
 * with the wrong number of fields, a bad date, a non-numeric cell or a
 * number out of range are errors naming file, line and column. Missing
 * cells (empty, NA, null, NaN) are stored as missing and counted. On error
 * *out is NULL.
 *
 * A regular file of at least `split_min_bytes` is parsed as two halves on
 * two threads, split at a line end near the middle of the body, and the
 * halves merged. The result is the same as a sequential load in every
 * respect: rows and their order, values, source lines, string codes (in
 * order of first appearance), missing counts, and the first error in file
 * order with its line and column. Where the split point falls inside a
 * quoted field the first thread reads on to the end instead. */
hc_status hc_table_load_csv(const char *path, const hc_load_options *opt,
                            hc_table **out, hc_error *err);

#endif
