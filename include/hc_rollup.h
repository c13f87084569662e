/* hc_rollup.h - user-level snapshot rows rolled up to one row per account and date (layer: data).
 *
 * Products that record health per user (seat) export several rows per
 * account and date, told apart by a user column. A roll-up states how each
 * metric becomes the account's: mean, median, min, max, sum over the users
 * with a value; share_above:T, the share of those users whose value is
 * above T (0..1); count_active, the number of users whose value is present
 * and above 0. Columns it does not name (segment, ARR, other metrics)
 * take the value of the group's first row in file order that has one.
 *
 * Rules: a row whose account id or user id is empty is an error naming
 * its line (a user row with no account); two rows of one user, account and
 * date are an error naming both lines; a group where no user has a value
 * of a metric (a roll-up over zero users) gives a missing value, except
 * count_active, which gives 0. Times of day are dropped (the date is the
 * unit; the same-day rule of hc_history.h applies to account rows).
 */
#ifndef HC_ROLLUP_H
#define HC_ROLLUP_H

#include <stddef.h>

#include "hc_error.h"
#include "hc_table.h"

typedef enum {
    HC_AGG_MEAN,
    HC_AGG_MEDIAN,
    HC_AGG_MIN,
    HC_AGG_MAX,
    HC_AGG_SUM,
    HC_AGG_SHARE_ABOVE,
    HC_AGG_COUNT_ACTIVE
} hc_agg;

typedef struct {
    char *column;         /* metric column (owned) */
    hc_agg agg;
    double threshold;     /* HC_AGG_SHARE_ABOVE */
} hc_rollup_metric;

typedef struct {
    char *user_column;    /* owned */
    size_t n_metrics;
    hc_rollup_metric *metrics;
} hc_rollup;

/* How a roll-up went (for label and fit's summaries). */
typedef struct {
    size_t user_rows;     /* rows read */
    size_t users;         /* distinct user ids */
    size_t account_rows;  /* rows after the roll-up */
} hc_rollup_counts;

/* Parses "mean", "median", "min", "max", "sum", "count_active" or
 * "share_above:T" (T a finite number). -1 when not one of them. */
int hc_rollup_parse_agg(const char *s, hc_agg *agg, double *threshold);

/* Writes the text form of an aggregation into buf (the inverse of
 * hc_rollup_parse_agg, T with the shortest round-tripping digits). */
void hc_rollup_agg_text(hc_agg agg, double threshold, char *buf, size_t size);

/* Deep copy (NULL when out of memory or src NULL) and free (NULL no-op). */
hc_rollup *hc_rollup_copy(const hc_rollup *src);
void hc_rollup_free(hc_rollup *r);

/* Rolls `t` up: *out becomes a new table with the columns of t but the
 * user column, one row per (account, date) in order of first appearance,
 * each row's source line that of its group's first row. id_col and
 * date_col are t's account and date columns. HC_EDATA by the rules above,
 * naming t->source, line and column; also for a roll-up metric that is
 * not a numeric column of t or a missing user column. */
hc_status hc_rollup_apply(const hc_table *t, const hc_rollup *r, int id_col, int date_col,
                          hc_table **out, hc_rollup_counts *counts, hc_error *err);

#endif
