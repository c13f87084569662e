/* hc_sort.h - a stable O(n) radix sort of records keyed by a leading double (layer: stats). */
#ifndef HC_SORT_H
#define HC_SORT_H

#include <stddef.h>

/* Sorts `n` records of `size` bytes at `base`, whose FIRST member is a
 * double key, into ascending key order. Stable: records with equal keys
 * keep their input order, so a caller that breaks ties by input index gets
 * the same order a comparison sort with that tie-break would give. -0.0
 * sorts before +0.0 (they compare equal, so either order is a valid sort);
 * NaN keys sort last. LSD radix sort on the key's bits in 8- or 16-bit digits,
 * skipping digits that every key shares: O(n) time, n * size bytes of
 * scratch (the keys are recomputed from the records in each pass). When
 * the scratch cannot be allocated it falls back to qsort on the key alone
 * (then not stable). */
void hc_sort_by_double_key(void *base, size_t n, size_t size);

/* The values at sorted positions ranks[0..m) of x[0..n) (0-based,
 * ascending, each < n), exactly as hc_sort_by_double_key would place them
 * (NaN last), without sorting: an O(n) radix select. For quantiles of
 * millions of rows. Returns 0, or -1 for bad ranks or when out of memory
 * (out is then undefined). */
int hc_select_ranks(const double *x, size_t n, const size_t *ranks, size_t m,
                    double *out);

/* hc_select_ranks without its n-word scratch: x's own storage holds the
 * keys meanwhile and gets its values back before the call returns (bit
 * for bit, but a NaN comes back as the default NaN). For a caller whose
 * array is its own to borrow (a backtest fold's training scores). */
int hc_select_ranks_in(double *x, size_t n, const size_t *ranks, size_t m, double *out);

#endif
