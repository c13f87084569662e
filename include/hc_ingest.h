/* hc_ingest.h - how cells of exported files are read: date forms, time zone, decimal comma, event vocabulary (layer: data).
 *
 * Every loader of snapshots, events and observation tables reads its
 * cells through one hc_ingest_options: the one the caller passes, or (NULL)
 * the process default, which the front end sets once from the shared
 * options (--tz, --date-format, --decimal-comma, --event-map) and the
 * config, so that every command reads both files the same way.
 */
#ifndef HC_INGEST_H
#define HC_INGEST_H

#include <stddef.h>

#include "hc_date.h"
#include "hc_error.h"

/* What an event type of the file means. */
#define HC_EVENT_MAP_IGNORE (-2) /* rows of this type are skipped, counted */

typedef struct {
    char *from;  /* the file's type, lower case, spaces trimmed (owned) */
    int to;      /* hc_event_type, or HC_EVENT_MAP_IGNORE */
} hc_event_alias;

typedef struct {
    /* dates */
    const char *date_format; /* NULL: ISO 8601 dates and timestamps only;
                                else also this format (hc_date_format_check) */
    hc_tz tz;                /* where instants become dates (UTC) */
    /* numbers */
    int decimal_comma;       /* 1: ',' is the decimal mark in every number;
                                0: only in a ';'-separated file's numbers
                                that have a comma */
    /* events */
    hc_event_alias *event_map; /* owned; later entries win */
    size_t n_event_map;
    const char *event_date;  /* column names; NULL: event_date, */
    const char *event_type;  /*   event_type, */
    const char *amount;      /*   amount */
} hc_ingest_options;

/* Zeroes `o`: ISO dates in UTC, decimal point, no event map. */
void hc_ingest_init(hc_ingest_options *o);

/* Frees the event map (the strings are borrowed otherwise). */
void hc_ingest_release(hc_ingest_options *o);

/* Appends the pairs of `spec` ("cancelled=churn, Closed Lost = churn,
 * renewal=ignore") to the event map. Types compare ignoring case and
 * surrounding spaces; targets are churn, expansion, contraction or
 * ignore. Returns HC_OK, HC_EUSAGE naming the bad pair, or HC_ENOMEM. */
hc_status hc_ingest_add_event_map(hc_ingest_options *o, const char *spec, hc_error *err);

/* Appends one pair (as above). */
hc_status hc_ingest_add_event_alias(hc_ingest_options *o, const char *from, const char *to,
                                    hc_error *err);

/* The meaning of event type `s`: the map's last matching entry, else
 * churn, expansion or contraction (any case, spaces trimmed); -1 when
 * unknown. */
int hc_ingest_event_type(const hc_ingest_options *o, const char *s);

/* The process default (never NULL; initially as hc_ingest_init). */
const hc_ingest_options *hc_ingest_default(void);

/* Makes `o` the process default (borrowed: it must outlive the loads;
 * NULL restores the initial one). Set it before loading, not during. */
void hc_ingest_set_default(const hc_ingest_options *o);

#endif
