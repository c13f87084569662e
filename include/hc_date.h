/* hc_date.h - calendar dates as day numbers (layer: io). */
#ifndef HC_DATE_H
#define HC_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Day numbers count days since 1970-01-01 (day 0) in the proleptic
 * Gregorian calendar; differences are in days. */
#define HC_DATE_MISSING INT32_MIN

/* Parses exactly "YYYY-MM-DD" (year 1000-9999, month 1-12, day valid for the
 * month with leap years) from `len` bytes at `s` (no surrounding spaces).
 * Returns 0 and stores the day number, or -1 when invalid. */
int hc_date_parse(const char *s, size_t len, int32_t *day);

/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void hc_date_format(int32_t day, char *buf);

/* Day number of a valid civil date (no validation). */
int32_t hc_date_from_civil(int year, int month, int day);

/* Civil date of a day number. */
void hc_date_to_civil(int32_t day, int *year, int *month, int *dom);

#endif
