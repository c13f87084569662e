/* hc_trend.h - a metric's change over an account's own last N days, from the history up to each snapshot (layer: data).
 *
 * For row r of account a dated t with value x_t, over a window of N days:
 *   base row: the latest row of a dated on or before t - N (the value the
 *             account had N days ago);
 *   difference = x_t - x_base;
 *   ratio      = x_t / x_base - 1 (relative change: -0.4 is "fell 40%");
 *   slope      = N times the least-squares slope per day of x on the date
 *             over the rows of a dated in [d_base, t] (the fitted change
 *             over N days, in the metric's units, like difference).
 * Only rows of the same account dated on or before t are read, so the
 * value at t never depends on later rows (deleting them changes nothing).
 * The value is missing (NaN) - never infinite or NaN from arithmetic -
 * when x_t is missing, when the account has no row on or before t - N
 * (its history is shorter than the window), when x_base is missing, for
 * ratio when x_base is 0, and for slope when fewer than 2 rows with a
 * value lie in the window.
 */
#ifndef HC_TREND_H
#define HC_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_table.h"

typedef enum {
    HC_TREND_NONE = 0,
    HC_TREND_DIFFERENCE,
    HC_TREND_RATIO,
    HC_TREND_SLOPE
} hc_trend_kind;

/* The schema name of a kind ("difference", "ratio", "slope"; "none"), and
 * the kind of a name (-1 for an unknown name, else 0). */
const char *hc_trend_kind_name(hc_trend_kind kind);
int hc_trend_kind_parse(const char *name, hc_trend_kind *kind);

/* The trend of numeric column x_col of `t` for every row into out[0 ..
 * n_rows), accounts from text column id_col and dates from date column
 * date_col, over `days` (>= 1) days. Rows are grouped by account and
 * ordered by date internally (O(n) extra memory, O(n log n) at worst);
 * duplicate (account, date) rows, which a loaded history never has, use
 * the later row in table order as the base. HC_EUSAGE for a bad column or
 * window; HC_ENOMEM. */
hc_status hc_trend_compute(const hc_table *t, int id_col, int date_col, int x_col,
                           hc_trend_kind kind, int days, double *out, hc_error *err);

#endif
