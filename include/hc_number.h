/* hc_number.h - strict, exact and fast parsing of decimal numbers (layer: io). */
#ifndef HC_NUMBER_H
#define HC_NUMBER_H

#include <stddef.h>

typedef enum {
    HC_NUM_OK = 0,
    HC_NUM_MISSING,   /* empty, NA, null, NaN (any case), after trimming */
    HC_NUM_INVALID,   /* not a decimal number: 12abc, 0x10, 1,5, inf, ... */
    HC_NUM_RANGE      /* overflows a double: 1e400 */
} hc_num_status;

/* Parses `len` bytes at `s` as a decimal number, allowing leading and
 * trailing spaces/tabs, an optional sign, digits with an optional '.', and
 * an optional exponent. Infinity, hex, and thousands separators are
 * rejected. Correctly rounded (a fast exact path for up to 19 significant
 * digits and small exponents, strtod otherwise). */
hc_num_status hc_number_parse(const char *s, size_t len, double *out);

/* True when the trimmed text is one of the missing markers. */
int hc_number_is_missing(const char *s, size_t len);

#endif
