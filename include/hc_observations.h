/* hc_observations.h - a labelled history in one call, and the observation table writer (layer: data). */
#ifndef HC_OBSERVATIONS_H
#define HC_OBSERVATIONS_H

#include <stdio.h>

#include "hc_error.h"
#include "hc_history.h"
#include "hc_labels.h"
#include "hc_segment_key.h"

typedef struct {
    const char *snapshots_path;
    const char *events_path;          /* NULL: no events (labels all 0) */
    char delimiter;
    hc_snapshot_columns columns;
    const char *const *metrics;       /* NULL loads every other column */
    size_t n_metrics;
    hc_label_options labels;
    int ignore_unknown_events;
    const hc_ingest_options *ingest;  /* dates, numbers, the event map and
                                         event columns; NULL: the process
                                         default (hc_ingest.h) */
} hc_history_options;

/* Snapshots, events and labels of one history. */
typedef struct {
    hc_snapshots snapshots;
    hc_events events;
    hc_labels labels;
    int has_events;
    int has_segment_key;        /* the segment column is a derived key */
    hc_segkey_counts segment_key; /* what its derivation saw (rows) */
} hc_history;

/* Loads the snapshots and events, matches them and builds the labels.
 * Both paths are registered as protected inputs (no output may overwrite
 * them). On error nothing stays allocated. Release with
 * hc_history_release. */
hc_status hc_history_load(const hc_history_options *opt, hc_history *out,
                          hc_error *err);

void hc_history_release(hc_history *h);

/* Writes the observation table as CSV to `f`: every snapshot column, then
 * `churn` and `expansion` (0/1), one row per observation, in the input's
 * row order. Text cells are neutralised against spreadsheet formulas. */
void hc_observations_write(const hc_history *h, FILE *f);

/* Writes the reconciliation counts (rows read, observations, censored,
 * post-churn, events matched and unknown...) as "name: value" lines. */
void hc_history_write_counts(const hc_history *h, FILE *f);

#endif
