/* csv_split.h - the two-halves strategy of the CSV table loader, and the little it needs of the loader (private to the data layer).
 *
 * The loader (csv_load.c) owns the strategy (csv_split.c) and hands it an
 * interface: what a half of a file is loaded with, never how. The
 * strategy includes this header and the public ones only; it knows
 * nothing of the loader's state, so the dependency goes one way.
 */
#ifndef HC_CSV_SPLIT_H
#define HC_CSV_SPLIT_H

#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_table.h"

#include <sys/types.h>

/* What the strategy needs of the loader. A "part" is the loader's state
 * for the records of one piece of the file, opaque here: a stream fed
 * with that piece calls `handler` with the part as its context, and the
 * part fills a table of its own. */
typedef struct {
    /* The field and record handlers of a part's stream. */
    const hc_csv_field_handler *handler;
    /* Whether the part has read the header (the first part reads it; the
     * body starts after it). */
    int (*header_done)(const void *part);
    /* The table the part fills: for the first part the loader's result,
     * for others one of the part's own with the first part's columns. */
    hc_table *(*table)(void *part);
    /* A part for records after the header, sharing the header of `first`
     * (which must have read it and must outlive it), with a new table
     * of no rows. NULL when out of memory. */
    void *(*part_alloc)(void *first);
    /* Frees a part made by part_alloc and its table. NULL is a no-op. */
    void (*part_free)(void *part);
} hc_csv_split_ops;

/* The descriptor of `path` when it is a regular file large enough to load
 * as two halves (opt->split_min_bytes, HEALTHCAL_SPLIT_MIN_BYTES or 8
 * MiB), with its size in *size; -1 otherwise (standard input, small
 * files, errors: the sequential reader then reports them). The caller
 * closes it. */
int hc_csv_split_open(const char *path, const hc_load_options *opt, off_t *size);

/* Loads the file open at fd (`size` bytes, named `name` in messages) into
 * the table of `first`, a part that has read nothing yet: the header on
 * this thread, then the body as two halves, the first on this thread and
 * the second on another in a part of its own, joined with hc_table_append.
 * The result, the error and its line included, is what one sequential
 * stream would give. Fills *rep. */
hc_status hc_csv_split_load(int fd, off_t size, const char *name, const hc_csv_options *csv,
                            const hc_csv_split_ops *ops, void *first, hc_load_report *rep,
                            hc_error *err);

#endif
