/* date_time.c - timestamps, other date orders and time zones: the slower forms of a date cell. */
#include "hc_date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits at s[*i]; advances *i. -1 when not digits. */
static int fixed_digits(const char *s, size_t len, size_t *i, int n)
{
    if (*i + (size_t)n > len)
        return -1;
    int v = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (!is_digit(c))
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    return v;
}

/* One or two digits (greedy). */
static int short_digits(const char *s, size_t len, size_t *i)
{
    if (*i >= len || !is_digit(s[*i]))
        return -1;
    int v = s[(*i)++] - '0';
    if (*i < len && is_digit(s[*i]))
        v = v * 10 + (s[(*i)++] - '0');
    return v;
}

/* An offset [+-]HH, [+-]HHMM or [+-]HH:MM at s[*i] (with `loose_hour`
 * also [+-]H and [+-]H:MM, for --tz values). Stores minutes east of UTC;
 * returns 0, or -1 (nothing consumed is promised then). */
static int parse_offset(const char *s, size_t len, size_t *i, int loose_hour, int *minutes)
{
    if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
        return -1;
    int neg = s[(*i)++] == '-';
    int h = loose_hour ? short_digits(s, len, i) : fixed_digits(s, len, i, 2);
    if (h < 0)
        return -1;
    int m = 0;
    if (*i < len && s[*i] == ':') {
        (*i)++;
        if ((m = fixed_digits(s, len, i, 2)) < 0)
            return -1;
    } else if (*i + 2 <= len && is_digit(s[*i])) {
        if ((m = fixed_digits(s, len, i, 2)) < 0)
            return -1;
    }
    if (h > 18 || m > 59 || h * 60 + m > 18 * 60)
        return -1;
    *minutes = neg ? -(h * 60 + m) : h * 60 + m;
    return 0;
}

int hc_date_format_check(const char *fmt, char *why, size_t n)
{
    int seen[3] = {0, 0, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p == '%') {
            const char *conv = strchr("Ymd", p[1]);
            if (!p[1] || !conv) {
                snprintf(why, n, "'%%%c' is not supported (use %%Y, %%m and %%d)",
                         p[1] ? p[1] : ' ');
                return -1;
            }
            if (seen[conv - "Ymd"]++) {
                snprintf(why, n, "'%%%c' appears twice", p[1]);
                return -1;
            }
            p++;
        } else if (is_digit(*p) || (unsigned char)*p >= 0x80) {
            snprintf(why, n, "'%c' cannot stand for itself in a date format", *p);
            return -1;
        }
    }
    if (!seen[0] || !seen[1] || !seen[2]) {
        snprintf(why, n, "a date format needs %%Y, %%m and %%d");
        return -1;
    }
    return 0;
}

/* The date part in `fmt`. %Y takes 4 digits; %m and %d take 2 when next to
 * another conversion (as in %Y%m%d, where widths are all that separate
 * them), else 1 or 2 (1/5/2024). */
static int parse_format(const char *s, size_t len, const char *fmt, size_t *i, int *y,
                        int *m, int *d)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            if (*i >= len || s[*i] != *p)
                return -1;
            (*i)++;
            continue;
        }
        char c = *++p;
        int next_conv = p[1] == '%', prev_conv = p - fmt >= 3 && p[-3] == '%';
        int exact = next_conv || prev_conv;
        int v = c == 'Y' ? fixed_digits(s, len, i, 4)
                : exact  ? fixed_digits(s, len, i, 2)
                         : short_digits(s, len, i);
        if (v < 0)
            return -1;
        if (c == 'Y')
            *y = v;
        else if (c == 'm')
            *m = v;
        else
            *d = v;
    }
    return 0;
}

int hc_date_parse_ext(const char *s, size_t len, const char *fmt, const hc_tz *tz,
                      int32_t *day, int32_t *ms)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t i = 0;
    int y = -1, m = -1, d = -1;
    if (len >= 10 && s[4] == '-' && s[7] == '-' && (y = fixed_digits(s, len, &i, 4)) >= 0) {
        i = 5;
        m = fixed_digits(s, len, &i, 2);
        i = 8;
        d = fixed_digits(s, len, &i, 2);
    }
    if ((y < 0 || m < 0 || d < 0) && fmt) {
        i = 0;
        y = m = d = -1;
        if (parse_format(s, len, fmt, &i, &y, &m, &d) != 0)
            return -1;
    }
    if (y < 1000 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return -1;
    int32_t date = hc_date_from_civil(y, m, d);
    if (i == len) {
        *day = date;
        if (ms)
            *ms = -1;
        return 0;
    }
    /* The time of day. */
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
        return -1;
    i++;
    int hh = fixed_digits(s, len, &i, 2);
    if (hh < 0 || i >= len || s[i++] != ':')
        return -1;
    int mi = fixed_digits(s, len, &i, 2);
    int ss = 0, frac_ms = 0;
    if (mi < 0)
        return -1;
    if (i < len && s[i] == ':') {
        i++;
        if ((ss = fixed_digits(s, len, &i, 2)) < 0)
            return -1;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t start = i;
            for (; i < len && is_digit(s[i]); i++)
                if (i - start < 3)
                    frac_ms = frac_ms * 10 + (s[i] - '0');
            if (i == start)
                return -1;
            for (size_t k = i - start; k < 3; k++)
                frac_ms *= 10;
        }
    }
    /* 23:59:60 is a leap second: it belongs to the same day. */
    if (hh > 23 || mi > 59 || ss > 60)
        return -1;
    if (ss == 60)
        ss = 59, frac_ms = 999;
    long long tod = hh * 3600LL + mi * 60LL + ss;
    int has_offset = 0, off = 0;
    if (i < len && s[i] == ' ')
        i++; /* "00:00:00 UTC" (BigQuery), "00:00:00 +00:00" */
    if (i < len) {
        if (len - i == 1 && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (len - i == 3 && strncasecmp(s + i, "UTC", 3) == 0) {
            i += 3;
        } else if (parse_offset(s, len, &i, 0, &off) != 0) {
            return -1;
        }
        has_offset = 1;
    }
    if (i != len)
        return -1;
    if (!has_offset) {
        *day = date;
        if (ms)
            *ms = (int32_t)(tod * 1000 + frac_ms);
        return 0;
    }
    /* An instant: seconds since the epoch, then its wall clock in tz. */
    long long instant = date * 86400LL + tod - off * 60LL;
    long long local;
    if (!tz || tz->kind == HC_TZ_UTC) {
        local = instant;
    } else if (tz->kind == HC_TZ_FIXED) {
        local = instant + tz->offset_min * 60LL;
    } else {
        time_t t = (time_t)instant;
        struct tm tm;
        if (!localtime_r(&t, &tm))
            return -1;
        local = hc_date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400LL +
                tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec;
    }
    long long dd = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    *day = (int32_t)dd;
    if (ms)
        *ms = (int32_t)((local - dd * 86400) * 1000 + frac_ms);
    return 0;
}

/* A zone name as the tz database spells them: no "..", no leading '/'. */
static int zone_name_ok(const char *s)
{
    if (!*s || *s == '/' || strstr(s, ".."))
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || is_digit(*p) ||
              strchr("/_+-", *p)))
            return 0;
    return 1;
}

int hc_date_tz_parse(const char *spec, hc_tz *tz, char *why, size_t n)
{
    tz->kind = HC_TZ_UTC;
    tz->offset_min = 0;
    size_t len = strlen(spec), i = 0;
    if (strcasecmp(spec, "UTC") == 0 || strcasecmp(spec, "Z") == 0 ||
        strcasecmp(spec, "GMT") == 0 || strcmp(spec, "Etc/UTC") == 0)
        return 0;
    if (strncasecmp(spec, "UTC", 3) == 0 && (spec[3] == '+' || spec[3] == '-'))
        i = 3;
    if (spec[i] == '+' || spec[i] == '-') {
        int off;
        if (parse_offset(spec, len, &i, 1, &off) != 0 || i != len) {
            snprintf(why, n, "'%s' is not an offset such as +05:30 or -0500 (at most 18 hours)",
                     spec);
            return -1;
        }
        tz->kind = off ? HC_TZ_FIXED : HC_TZ_UTC;
        tz->offset_min = off;
        return 0;
    }
    if (!zone_name_ok(spec)) {
        snprintf(why, n, "'%s' is not UTC, an offset (+05:30) or a tz database zone name",
                 spec);
        return -1;
    }
    const char *dir = getenv("TZDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", spec);
    FILE *f = fopen(path, "rb");
    char magic[4] = {0};
    size_t got = f ? fread(magic, 1, 4, f) : 0;
    if (f)
        fclose(f);
    if (got != 4 || memcmp(magic, "TZif", 4) != 0) {
        snprintf(why, n, "time zone '%s' is not in the tz database (%s); give an offset "
                         "such as +01:00 instead",
                 spec, dir && *dir ? dir : "/usr/share/zoneinfo");
        return -1;
    }
    if (setenv("TZ", spec, 1) != 0) {
        snprintf(why, n, "cannot set the time zone '%s'", spec);
        return -1;
    }
    tzset();
    tz->kind = HC_TZ_ZONE;
    return 0;
}
