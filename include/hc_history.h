/* hc_history.h - snapshots and events: loading with column roles and checks (layer: data). */
#ifndef HC_HISTORY_H
#define HC_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_ingest.h"
#include "hc_rollup.h"
#include "hc_table.h"

/* Names of the role columns of a snapshot file. NULL members take the
 * defaults account_id, snapshot_date, segment, arr. */
typedef struct {
    const char *account_id;
    const char *snapshot_date;
    const char *segment;
    const char *arr;
    int segment_explicit;  /* the user named the segment column: absent is an error */
    int arr_explicit;      /* likewise for arr */
    /* Metric columns read as text (categorical transforms: grades, colours,
     * flags; label's --text-cols); the others load as numbers. With
     * metrics NULL (every column loaded) they are required, and the
     * columns keep the file's order (from standard input, which reads
     * once, they come right after the role columns). Borrowed; NULL:
     * none. */
    const char *const *text_metrics;
    size_t n_text_metrics;
    /* User-level rows: rolled up to one row per account and date before
     * the checks and the index (hc_rollup.h); NULL: account rows. The user
     * column and the roll-up's metric columns must be loaded (the user
     * column as text). Borrowed. */
    const hc_rollup *rollup;
    /* With a roll-up: keep the user rows as read (hc_snapshots.users),
     * for user-level health; 0 frees them once rolled up. */
    int keep_user_rows;
} hc_snapshot_columns;

/* A loaded snapshot history. `order` lists row indexes sorted by account
 * code, then date: each account's rows are contiguous in it. */
typedef struct {
    hc_table *table;      /* owned */
    int id_col;
    int date_col;
    int segment_col;      /* -1 when the file has no segment column */
    int arr_col;          /* -1 when the file has no ARR column */
    uint32_t *order;      /* n_rows entries */
    uint32_t *account_start; /* n_accounts + 1 offsets into order */
    size_t n_accounts;    /* account codes are 0 .. n_accounts - 1 */
    int32_t first_date, last_date;
    size_t superseded;    /* rows dropped by the same-day rule: an earlier
                             timestamp of an account on a date that has a
                             later one (hc_snapshots_from_table) */
    hc_rollup_counts rollup; /* with a roll-up: user rows read, users and
                             the account rows made of them; else zeros */
    hc_table *users;      /* the user rows as read (owned), when the
                             columns asked to keep them; else NULL */
} hc_snapshots;

typedef struct {
    char delimiter;                    /* 0 means ',' */
    hc_snapshot_columns columns;
    /* Metric columns to load as numbers; NULL loads every other column as a
     * number (a text cell there is then an error naming it). */
    const char *const *metrics;
    size_t n_metrics;
    const hc_ingest_options *ingest;   /* NULL: hc_ingest_default() */
} hc_snapshot_load_options;

/* Loads and checks a snapshot file: required columns, valid dates, ARR not
 * negative, account id not missing, no duplicate (account, date) pair (the
 * message names both lines). Dates may be timestamps (hc_ingest.h); when
 * several rows of an account fall on one date and their times differ,
 * the latest wins and the others are counted in `superseded`. On success `out` owns a table; release it with
 * hc_snapshots_release. On error nothing is allocated. */
hc_status hc_snapshots_load(const char *path, const hc_snapshot_load_options *opt,
                            hc_snapshots *out, hc_error *err);

/* Builds the account index of a table already in memory (tests, selects,
 * a scorer's own load): applies the same-day rule to a date column that
 * holds times (dropping the superseded rows from `table`) and checks ids,
 * dates and duplicates as hc_snapshots_load does. Takes ownership of
 * `table` on success only. */
hc_status hc_snapshots_from_table(hc_table *table, const hc_snapshot_columns *cols,
                                  hc_snapshots *out, hc_error *err);

void hc_snapshots_release(hc_snapshots *s);

typedef enum {
    HC_EVENT_CHURN = 0,
    HC_EVENT_EXPANSION = 1,
    HC_EVENT_CONTRACTION = 2
} hc_event_type;

/* Events matched to snapshot accounts, sorted by account then date. */
typedef struct {
    size_t n;
    int32_t *account;     /* snapshot account code */
    int32_t *date;        /* day number */
    uint8_t *type;        /* hc_event_type */
    double *amount;       /* NaN when absent */
    uint32_t *line;       /* source line */
    uint32_t *account_start; /* n_accounts + 1 offsets */
    size_t n_accounts;
    /* reconciliation counts */
    size_t rows_read;
    size_t unknown_account;  /* events whose account has no snapshot */
    size_t unknown_type;     /* skipped under ignore_unknown_types */
    size_t ignored_type;     /* skipped: mapped to ignore (hc_ingest.h) */
    size_t by_type[3];
    int32_t first_date, last_date; /* over all rows read */
} hc_events;

typedef struct {
    char delimiter;
    const char *account_id;   /* default account_id */
    const char *event_date;   /* default event_date */
    const char *event_type;   /* default event_type */
    const char *amount;       /* default amount (optional column) */
    int ignore_unknown_types; /* else an unknown event_type is an error */
    const hc_ingest_options *ingest; /* date forms, decimal comma, the event
                                 type map and (for NULL members above) the
                                 column names; NULL: hc_ingest_default() */
} hc_event_load_options;

/* Loads events and matches their account ids to the snapshot accounts.
 * Event types are churn, expansion, contraction (any case), or what the
 * ingest options' event map makes of the file's own words. An unknown type
 * is an error listing every type of the file with its row count (or, with
 * ignore_unknown_types, skipped and counted). Unknown accounts are
 * counted, not errors. Release with hc_events_release. */
hc_status hc_events_load(const char *path, const hc_event_load_options *opt,
                         const hc_snapshots *snapshots, hc_events *out,
                         hc_error *err);

void hc_events_release(hc_events *e);

#endif
