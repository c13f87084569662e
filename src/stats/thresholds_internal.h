/* thresholds_internal.h - what the threshold search shares with its tallies in accounts and per scoring date (private to src/stats). */
#ifndef HC_THRESHOLDS_INTERNAL_H
#define HC_THRESHOLDS_INTERNAL_H

#include "hc_thresholds.h"

#include <stdint.h>

/* A row in score order: its H and its index into the caller's y and ARR
 * (16 bytes a row to sort, where copying y and ARR along made 24). */
typedef struct {
    double h;
    uint32_t i;
} hc_thr_row;

/* The tallies by boundary b = 0..m+1 of the search's grid (0 below every
 * row, 1..m the candidate cuts cut[b], m+1 above every row): a figure at b
 * counts the rows with H < cut[b], as the grid's cumulative sums do. */
typedef struct {
    size_t m;
    /* accounts (arrays NULL without account codes) */
    int by_accounts;
    uint64_t *acc;            /* accounts with a row below b */
    uint64_t *caught;         /* churned accounts with a churner row below b */
    double *caught_arr;       /* their churned ARR, once each */
    size_t accounts, churned;
    double churned_arr;
    size_t churned_from_arr;  /* churned accounts without an amount */
    /* scoring dates (arrays NULL without dates) */
    int has_dates;
    size_t n_dates;
    uint32_t *dmin, *dmax;    /* least and most rows below b on one date */
    double *dshare;           /* largest share of a date's rows below b */
    uint32_t *dover;          /* capacity objective: dates with more than the
                                 capacity below b (0 otherwise) */
} hc_thr_tally;

/* Fills `t` from the n rows `r` sorted by H, the candidate cuts cut[1..m]
 * (ascending, as the grid holds them), outcomes y and ARR arr (or NULL) by
 * row index, and the accounts and dates of `acc` (at least one given). One
 * walk over the sorted rows gives each row its boundary (the first b with
 * H < cut[b]); per account the lowest boundary over its rows and over its
 * churner rows, per (date, boundary) a count; then cumulative sums: O(n +
 * A + D m). Bad codes are HC_ENUMERIC naming the row, too many dates x
 * candidates HC_EUSAGE. On error `t` holds nothing to release; else
 * release it with hc_thresholds_tally_release. */
hc_status hc_thresholds_tally_build(const hc_thr_row *r, size_t n, const double *cut,
                                    size_t m, const double *y, const double *arr,
                                    const hc_threshold_accounts *acc,
                                    const hc_threshold_options *o, hc_thr_tally *t,
                                    hc_error *err);

/* Frees the arrays of a tally and zeroes it; NULL is a no-op. */
void hc_thresholds_tally_release(hc_thr_tally *t);

#endif
