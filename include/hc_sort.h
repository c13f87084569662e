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
 * skipping digits that every key shares: O(n) time, n * (size + 16) bytes
 * of scratch. When the scratch cannot be allocated it falls back to
 * qsort on the key alone (then not stable). */
void hc_sort_by_double_key(void *base, size_t n, size_t size);

#endif
