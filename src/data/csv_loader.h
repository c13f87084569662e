/* csv_loader.h - the CSV table loader's state, shared by csv_load.c and csv_split.c (private to the io layer). */
#ifndef HC_CSV_LOADER_H
#define HC_CSV_LOADER_H

#include "hc_csv.h"
#include "hc_csv_load.h"

#include <stdint.h>
#include <sys/types.h>

/* The last string interned in a text column: consecutive rows often repeat
 * an id or a segment, and comparing with it is cheaper than hashing. */
typedef struct {
    const char *s;     /* the pool's copy (arena memory never moves) */
    size_t len;
    int32_t code;      /* -1: empty */
} text_cache;

typedef struct {
    const hc_load_options *opt;
    hc_table *t;
    int header_done;
    size_t n_header;
    int *map;          /* header field -> table column, or -1 (skipped) */
    int nonneg_col;    /* table column that must be >= 0, or -1 */
    const char *name;  /* file name for messages */
    text_cache *cache; /* per table column; one per thread */
    /* Field by field (hc_csv_stream): the header's fields are collected
     * here, and the first bad cell of a record waits in `pending` until the
     * record is complete, as a record with the wrong number of fields is
     * reported before any of its cells. */
    char **head;
    size_t *head_len;
    size_t head_n, head_cap;
    hc_status pending;
    hc_error pending_err;
    /* The rows `t` may take before the loader moves on to a table of its
     * own (`spill`): while the two halves of a file fill one table's arrays
     * in parallel, neither may grow them. SIZE_MAX: no limit. */
    size_t limit;
    hc_table *spill;
} loader;

/* Allocates the loader's per-column text caches for its table's columns
 * (after the header made them). Returns HC_OK or HC_ENOMEM. */
hc_status hc_loader_caches(loader *ld);

/* Frees what the loader owns besides its table and header map. */
void hc_loader_release(loader *ld);

/* A table with the columns of `t` and no rows; NULL when out of memory. */
hc_table *hc_loader_table_like(const hc_table *t);

/* The field-by-field handlers (hc_csv_stream) that fill ld->t. A function,
 * not an exported variable: a sanitizer build adds a symbol of its own
 * beside every exported variable. */
const hc_csv_field_handler *hc_loader_stream_handler(void);

/* The descriptor of `path` when it is a regular file large enough to load
 * as two halves (opt->split_min_bytes, HEALTHCAL_SPLIT_MIN_BYTES or 8 MiB),
 * with its size; -1 otherwise (standard input, small files, errors: the
 * sequential reader then reports them). csv_split.c. */
int hc_loader_open_for_split(const char *path, const hc_load_options *opt, off_t *size);

/* Loads the file open at fd (size bytes) into ld->t as two halves on two
 * threads, exactly as the sequential load would, filling *rep. csv_split.c. */
hc_status hc_loader_load_split(int fd, off_t size, loader *ld, hc_load_report *rep,
                               hc_error *err);

#endif
