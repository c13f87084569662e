/* hc_format.h - numbers written for people: money with thousands separators, band ranges, percentages, intervals (layer: io). */
#ifndef HC_FORMAT_H
#define HC_FORMAT_H

#include <stddef.h>

/* Every function writes a NUL-terminated string of at most size - 1 bytes
 * into buf (cut when it does not fit, as snprintf cuts); size 0 writes
 * nothing. Non-finite values become "-", so that a table cell is never
 * empty and never reads "nan". */

/* Formats an amount rounded to a whole unit (printf's "%.0f", so halves
 * round to even) with a comma every three digits: 1234567.4 gives
 * "1,234,567", -1234.4 gives "-1,234", and an amount that rounds to 0 gives
 * "0", never "-0". Amounts of more than 63 digits keep their first 63. */
void hc_format_money(double v, char *buf, size_t size);

/* Formats band i of n_bands as the range of health it covers, where
 * mins[j] is the lowest health of band j (ascending; mins[0] is unused):
 * "below M1" for the first band, "Mi to Mi+1" for a middle one, "Mi and
 * above" for the last, each bound as printf's "%g"; a single band (or
 * none) covers the whole scale, "0 to 100". i must be below n_bands when
 * n_bands > 1. */
void hc_format_band_range(const double *mins, size_t n_bands, size_t i, char *buf,
                          size_t size);

/* Formats a share (a fraction, 0.123) as a percentage with `decimals`
 * decimals and a '%' sign ("12.3%"). Returns 1, or 0 when 100 x share is
 * not finite (then buf holds "-"), so that a caller can show its own dash. */
int hc_format_percent(double share, int decimals, char *buf, size_t size);

/* Formats an estimate and its interval with `decimals` decimals each:
 * "0.769 (0.695 to 0.842)", or "0.769" alone when either bound is not
 * finite. Returns 1, or 0 when the estimate is not finite (buf holds "-").
 * A buffer of 1024 bytes holds any three doubles at up to 3 decimals. */
int hc_format_interval(double v, double lo, double hi, int decimals, char *buf,
                       size_t size);

#endif
