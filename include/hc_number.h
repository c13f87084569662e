/* hc_number.h - strict, exact and fast parsing of decimal numbers (layer: io). */
#ifndef HC_NUMBER_H
#define HC_NUMBER_H

#include <stddef.h>
#include <stdint.h>

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

/* The decimal form of a parsed number: the value is (negative ? -1 : 1) *
 * mant * 10^exp10, exactly, with mant < 2^53 and -22 <= exp10 <= 22, so
 * that the double is the one correctly rounded IEEE operation
 * (double)mant / 10^-exp10 or (double)mant * 10^exp10 (Clinger 1990). */
typedef struct {
    uint64_t mant;
    int exp10;
    int negative;   /* the text had a minus sign (also for zero: "-0") */
    int exact;      /* 0: the value took strtod; the other fields are unset */
} hc_decimal;

/* hc_number_parse that also gives the decimal form of an HC_NUM_OK value
 * in *dec when the exact fast path parsed it (dec->exact = 1); otherwise
 * dec->exact = 0. For storing numbers as scaled integers at no extra
 * parsing cost (hc_table). */
hc_num_status hc_number_parse_decimal(const char *s, size_t len, double *out,
                                      hc_decimal *dec);

/* How hc_number_parse_loose reads numbers as people write them. */
enum {
    HC_NUMF_MONEY = 1,         /* a currency symbol ($ EUR GBP JPY INR signs)
                                  or a 3-letter code (USD) before or after,
                                  thousands separators, and (1,234)
                                  accounting negatives */
    HC_NUMF_DECIMAL_COMMA = 2, /* ',' is the decimal mark and '.' never is
                                  (it may only group thousands in money) */
    HC_NUMF_COMMA_AUTO = 4     /* ',' is the decimal mark in a number that
                                  has one (a ';'-separated file); a number
                                  without one reads as usual */
};

/* The slower forms, for a cell that hc_number_parse rejected: a trailing
 * '%' (the value / 100, exactly as the decimal with the point moved two
 * places: "45%" is the double of "0.45"), and what `flags` allow. Thousands
 * separators (money only) are ',' (or '.' under a decimal comma), a space,
 * a no-break or narrow no-break space or an apostrophe, in groups of three
 * digits, one kind per number. The text is rewritten to a plain decimal and
 * parsed by hc_number_parse_decimal, so "$12,000.00" gives the bits (and
 * decimal form) of "12000.00". Never depends on the C locale. */
hc_num_status hc_number_parse_loose(const char *s, size_t len, unsigned flags, double *out,
                                    hc_decimal *dec);

/* True when the trimmed text is one of the missing markers. */
int hc_number_is_missing(const char *s, size_t len);

#endif
