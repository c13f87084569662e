/* hc_date.h - calendar dates as day numbers, and timestamps converted to dates in a time zone (layer: io). */
#ifndef HC_DATE_H
#define HC_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Day numbers count days since 1970-01-01 (day 0) in the proleptic
 * Gregorian calendar; differences are in days. */
#define HC_DATE_MISSING INT32_MIN

/* Parses exactly "YYYY-MM-DD" (year 1000-9999, month 1-12, day valid for the
 * month with leap years) from `len` bytes at `s` (no surrounding spaces).
 * Returns 0 and stores the day number, or -1 when invalid. This is the
 * fast path of every date cell; hc_date_parse_ext handles the rest. */
int hc_date_parse(const char *s, size_t len, int32_t *day);

/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void hc_date_format(int32_t day, char *buf);

/* Day number of a valid civil date (no validation). */
int32_t hc_date_from_civil(int year, int month, int day);

/* Civil date of a day number. */
void hc_date_to_civil(int32_t day, int *year, int *month, int *dom);

/* The time zone in which an instant (a timestamp with Z or an offset)
 * becomes a calendar date. */
typedef enum {
    HC_TZ_UTC = 0,   /* the default */
    HC_TZ_FIXED,     /* a fixed offset from UTC */
    HC_TZ_ZONE       /* a named zone of the system tz database */
} hc_tz_kind;

typedef struct {
    hc_tz_kind kind;
    int offset_min;  /* HC_TZ_FIXED: minutes east of UTC */
} hc_tz;

/* Parses a --tz value: "UTC" or "Z" (any case), a fixed offset "+05:30",
 * "-0500", "+5", "UTC+02:00", or a zone name of the system tz database
 * ("America/New_York", looked up under $TZDIR or /usr/share/zoneinfo).
 * A named zone sets the process's TZ to it (the C library's localtime_r
 * then converts), so one named zone is in force per process. Returns 0, or
 * -1 with a reason in why[0 .. n) when the value names no zone. */
int hc_date_tz_parse(const char *spec, hc_tz *tz, char *why, size_t n);

/* Checks a --date-format value: %Y, %m and %d once each, in any order,
 * with any other ASCII characters (not digits or '%') standing for
 * themselves, e.g. "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d". Returns 0 when valid,
 * else -1 with a reason in why. */
int hc_date_format_check(const char *fmt, char *why, size_t n);

/* Parses a date cell in the slower forms, after hc_date_parse failed:
 *   - an ISO 8601 date and time: YYYY-MM-DD, then 'T' or one space, then
 *     HH:MM, HH:MM:SS or HH:MM:SS.fff (any number of fractional digits),
 *     then optionally 'Z' or an offset +HH:MM, +HHMM or +HH (also after a
 *     space, as PostgreSQL writes "2024-01-01 00:00:00+00");
 *   - a date in `fmt` (a format passed by hc_date_format_check; NULL for
 *     none), optionally followed by the same time and offset part.
 * A timestamp with Z or an offset is an instant and becomes the calendar
 * date it has in `tz` (NULL: UTC); one without is a wall-clock time already
 * in that zone and keeps its date. Leading and trailing spaces are
 * ignored. Stores the day and, in *ms (when not NULL), the milliseconds
 * since the local midnight of that day, or -1 when the text had no time.
 * Returns 0, or -1 when the text is no valid date in either form (a day
 * the month lacks, 24:00, an offset beyond 18 hours are invalid). */
int hc_date_parse_ext(const char *s, size_t len, const char *fmt, const hc_tz *tz,
                      int32_t *day, int32_t *ms);

#endif
