/* hc_obs_table.h - a labelled table for any tool: label, numeric columns, clusters (layer: data). */
#ifndef HC_OBS_TABLE_H
#define HC_OBS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

typedef struct {
    const char *path;
    char delimiter;
    const char *label;               /* 0/1, true/false, yes/no (any case) */
    const char *const *columns;      /* numeric columns to load */
    size_t n_columns;
    const char *cluster;             /* optional cluster id column (text) */
} hc_obs_table_options;

/* Complete rows only: rows with a missing label or value are dropped and
 * counted, as R's default na.action = na.omit does. */
typedef struct {
    size_t n;               /* rows kept */
    size_t rows_read;
    size_t rows_missing;    /* dropped for a missing value */
    size_t p;               /* columns */
    double *y;              /* n labels, 0 or 1 */
    double *X;              /* n * p, row-major */
    int32_t *cluster;       /* n cluster codes or NULL */
    size_t n_clusters;
} hc_obs_table;

/* Loads the table. A label that is not one of the accepted spellings, a
 * non-numeric value or a missing column is HC_EDATA naming file, line and
 * column. Release with hc_obs_table_release. */
hc_status hc_obs_table_load(const hc_obs_table_options *opt, hc_obs_table *out,
                            hc_error *err);

void hc_obs_table_release(hc_obs_table *t);

/* Parses a binary label: 0/1, true/false, yes/no in any case, with
 * surrounding spaces. Returns 0 and sets *v, or -1 when not a label. */
int hc_parse_binary_label(const char *s, double *v);

#endif
