/* hc_csv.h - RFC 4180 CSV streaming (libcsv) and safe CSV cell writing (layer: io). */
#ifndef HC_CSV_H
#define HC_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "hc_error.h"
#include "hc_table.h"

/* One parsed record. Fields are NUL-terminated copies valid only during the
 * callback; `line` is the 1-based line on which the record starts. */
typedef struct {
    char **fields;
    size_t *lens;
    size_t n;
    long line;
} hc_csv_record;

/* Called once per record (the header included). Return HC_OK to go on or
 * a status (with `err` filled) to stop reading. */
typedef hc_status (*hc_csv_record_fn)(void *ctx, const hc_csv_record *rec,
                                      hc_error *err);

typedef struct {
    char delimiter;        /* 0 means ',' */
    size_t max_field;      /* bytes; 0 means 1 MiB. Longer is an error. */
    size_t max_fields;     /* per record; 0 means 4096 */
} hc_csv_options;

/* Streams the file at `path` ("-" is stdin) through libcsv in 64 KiB
 * blocks, calling `fn` per record. Handles a UTF-8 byte-order mark, CRLF,
 * quoted fields with delimiters, quotes and newlines; rejects NUL bytes,
 * invalid UTF-8, unterminated quotes and oversize fields with file, line and
 * column. Blank lines are skipped. `opt` may be NULL. */
hc_status hc_csv_read(const char *path, const hc_csv_options *opt,
                      hc_csv_record_fn fn, void *ctx, hc_error *err);

/* The same over a memory buffer (for tests and fuzzing); `name` is used in
 * messages. */
hc_status hc_csv_read_buffer(const char *data, size_t len, const char *name,
                             const hc_csv_options *opt, hc_csv_record_fn fn,
                             void *ctx, hc_error *err);

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

typedef struct {
    hc_csv_options csv;
    const hc_colspec *cols;  /* named columns, loaded in this order first */
    size_t n_cols;
    hc_extra_policy extra;
    int negative_error_col;  /* index into cols of a column that must be
                                >= 0 (e.g. ARR), or -1 */
} hc_load_options;

/* Loads the CSV at `path` into a new table (caller frees). The header is
 * required; duplicate header names, missing required columns, a record
 * with the wrong number of fields, a bad date, a non-numeric cell or a
 * number out of range are errors naming file, line and column. Missing
 * cells (empty, NA, null, NaN) are stored as missing and counted. On error
 * *out is NULL. */
hc_status hc_table_load_csv(const char *path, const hc_load_options *opt,
                            hc_table **out, hc_error *err);

/* Writes one CSV text cell: quoted when it holds the delimiter ',', a
 * quote, CR or LF; prefixed with a single quote when it could start a
 * spreadsheet formula (=, +, -, @, tab, CR), per OWASP's CSV-injection
 * advice. NULL writes an empty cell. */
void hc_csv_write_text(FILE *f, const char *s);

/* Writes a number with up to 17 significant digits (round-trips exactly);
 * NaN or infinity writes an empty cell. */
void hc_csv_write_num(FILE *f, double v);

/* Writes a number with %.*g precision `digits`; non-finite writes empty. */
void hc_csv_write_num_prec(FILE *f, double v, int digits);

#endif
