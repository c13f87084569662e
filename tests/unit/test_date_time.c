/* test_date_time.c - timestamps, other date orders and time zones, against glibc's timegm and gmtime_r. */
#include "test_util.h"

#include <time.h>
#include <unistd.h>

#include "hc_date.h"

/* The expected day number of a civil date, by glibc's timegm (an outside
 * authority: the C library's own calendar). */
static int32_t civil(int y, int m, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    return (int32_t)(t / 86400);
}

/* The UTC day of an instant given as its UTC civil time, by gmtime_r. */
static int32_t utc_day_of(time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    return civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int ext(const char *s, const char *fmt, const hc_tz *tz, int32_t *day, int32_t *ms)
{
    return hc_date_parse_ext(s, strlen(s), fmt, tz, day, ms);
}

static void expect_day(const char *s, const char *fmt, const hc_tz *tz, int32_t want)
{
    int32_t d = 0, ms = 0;
    if (ext(s, fmt, tz, &d, &ms) != 0) {
        fprintf(stderr, "'%s' (format %s) did not parse\n", s, fmt ? fmt : "none");
        fail();
    }
    if (d != want) {
        char got[11], exp[11];
        hc_date_format(d, got);
        hc_date_format(want, exp);
        fprintf(stderr, "'%s': got %s, expected %s\n", s, got, exp);
        fail();
    }
}

static void expect_invalid(const char *s, const char *fmt)
{
    int32_t d, ms;
    if (ext(s, fmt, NULL, &d, &ms) == 0) {
        fprintf(stderr, "'%s' (format %s) parsed but is invalid\n", s, fmt ? fmt : "none");
        fail();
    }
}

/* Every accepted form of one date, 2024-01-15 (the README's table). */
static void test_every_form(void **state)
{
    (void)state;
    int32_t want = civil(2024, 1, 15);
    const char *iso[] = {
        "2024-01-15",
        "2024-01-15T00:00:00Z",
        "2024-01-15T13:45:10Z",
        "2024-01-15t13:45:10z",
        "2024-01-15 13:45:10",
        "2024-01-15T13:45",
        "2024-01-15T13:45:10.123Z",
        "2024-01-15T13:45:10.123456789Z",
        "2024-01-15 13:45:10,5",
        "2024-01-15T13:45:10+01:00",
        "2024-01-15T13:45:10+0100",
        "2024-01-15T13:45:10+01",
        "2024-01-15 13:45:10+00",      /* PostgreSQL's \copy of timestamptz */
        "2024-01-15 13:45:10 UTC",     /* BigQuery's CSV export */
        "2024-01-15 13:45:10.250 +00:00",
        "  2024-01-15T08:00:00Z  ",
    };
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++)
        expect_day(iso[i], NULL, NULL, want);
    expect_day("01/15/2024", "%m/%d/%Y", NULL, want);
    expect_day("1/15/2024", "%m/%d/%Y", NULL, want);
    expect_day("01/15/2024 13:45", "%m/%d/%Y", NULL, want);
    expect_day("01/15/2024 13:45:10Z", "%m/%d/%Y", NULL, want);
    expect_day("15.01.2024", "%d.%m.%Y", NULL, want);
    expect_day("15.1.2024", "%d.%m.%Y", NULL, want);
    expect_day("20240115", "%Y%m%d", NULL, want);
}

/* A compact date takes exactly two digits per field, and times keep ':'. */
static void test_compact_and_formats(void **state)
{
    (void)state;
    expect_invalid("2024115", "%Y%m%d");
    expect_invalid("202401155", "%Y%m%d");
    expect_invalid("20240115T120000", "%Y%m%d");
    expect_invalid("01/15/2024", NULL);        /* another order needs the format */
    expect_invalid("15/01/2024", "%m/%d/%Y");  /* month 15 */
    expect_invalid("01-15-2024", "%m/%d/%Y");  /* the literal must match */
    /* ISO still parses when a format is given. */
    expect_day("2024-01-15", "%d.%m.%Y", NULL, civil(2024, 1, 15));
    char why[256];
    assert_int_equal(hc_date_format_check("%m/%d/%Y", why, sizeof why), 0);
    assert_int_equal(hc_date_format_check("%d.%m.%Y", why, sizeof why), 0);
    assert_int_equal(hc_date_format_check("%Y%m%d", why, sizeof why), 0);
    assert_int_equal(hc_date_format_check("%m/%d", why, sizeof why), -1);
    assert_int_equal(hc_date_format_check("%Y-%m-%d %H", why, sizeof why), -1);
    assert_non_null(strstr(why, "%H"));
    assert_int_equal(hc_date_format_check("%Y%Y%m%d", why, sizeof why), -1);
}

/* An instant becomes the UTC date of its UTC time: offsets across midnight
 * either way, checked against gmtime_r of the same instant. */
static void test_offsets_across_midnight(void **state)
{
    (void)state;
    /* 23:30 at UTC-5 is 04:30 the next day in UTC. */
    expect_day("2024-03-10T23:30:00-05:00", NULL, NULL, civil(2024, 3, 11));
    time_t t = (time_t)civil(2024, 3, 10) * 86400 + 23 * 3600 + 30 * 60 + 5 * 3600;
    expect_day("2024-03-10T23:30:00-05:00", NULL, NULL, utc_day_of(t));
    /* 01:00 at UTC+2 is 23:00 the day before. */
    expect_day("2024-01-01T01:00:00+02:00", NULL, NULL, civil(2023, 12, 31));
    /* Across a year end, and exactly at midnight. */
    expect_day("2024-12-31T23:30:00-05:00", NULL, NULL, civil(2025, 1, 1));
    expect_day("2025-01-01T00:00:00+00:01", NULL, NULL, civil(2024, 12, 31));
    expect_day("2024-12-31T19:00:00-05:00", NULL, NULL, civil(2025, 1, 1));
    expect_day("2024-12-31T18:59:59.999-05:00", NULL, NULL, civil(2024, 12, 31));
    /* Every hour of a day at offset -05:00, against gmtime_r. */
    for (int h = 0; h < 24; h++) {
        char s[64];
        snprintf(s, sizeof s, "2024-06-30T%02d:15:00-05:00", h);
        time_t u = (time_t)civil(2024, 6, 30) * 86400 + h * 3600 + 15 * 60 + 5 * 3600;
        expect_day(s, NULL, NULL, utc_day_of(u));
    }
    /* A timestamp without an offset is already a wall-clock time: its date. */
    expect_day("2024-03-10 23:30:00", NULL, NULL, civil(2024, 3, 10));
}

static void test_leap_days(void **state)
{
    (void)state;
    expect_day("2024-02-29T12:00:00Z", NULL, NULL, civil(2024, 2, 29));
    expect_day("2000-02-29 00:00:00", NULL, NULL, civil(2000, 2, 29));
    expect_day("29.02.2024", "%d.%m.%Y", NULL, civil(2024, 2, 29));
    expect_day("20240229", "%Y%m%d", NULL, civil(2024, 2, 29));
    /* Offsets that reach the leap day from either side. */
    expect_day("2024-02-28T23:00:00-02:00", NULL, NULL, civil(2024, 2, 29));
    expect_day("2024-03-01T00:30:00+01:00", NULL, NULL, civil(2024, 2, 29));
    expect_day("2023-03-01T00:30:00+01:00", NULL, NULL, civil(2023, 2, 28));
    expect_invalid("2023-02-29T00:00:00Z", NULL);
    expect_invalid("1900-02-29 00:00:00", NULL);
    expect_invalid("29.02.2023", "%d.%m.%Y");
    expect_invalid("02/29/2100", "%m/%d/%Y");
}

static void test_invalid(void **state)
{
    (void)state;
    expect_invalid("2024-02-30", NULL);
    expect_invalid("2024-02-30T00:00:00Z", NULL);
    expect_invalid("2024-02-30", "%d.%m.%Y");
    expect_invalid("30.02.2024", "%d.%m.%Y");
    expect_invalid("02/30/2024", "%m/%d/%Y");
    expect_invalid("20240230", "%Y%m%d");
    expect_invalid("2024-01-15T24:00:00Z", NULL);
    expect_invalid("2024-01-15T12:60:00Z", NULL);
    expect_invalid("2024-01-15T12:00:61Z", NULL);
    expect_invalid("2024-01-15T12:00:00+19:00", NULL);
    expect_invalid("2024-01-15T12:00:00+05:60", NULL);
    expect_invalid("2024-01-15T12:00:00ZZ", NULL);
    expect_invalid("2024-01-15T12", NULL);
    expect_invalid("2024-01-15T12:00:00.", NULL);
    expect_invalid("2024-01-15X12:00:00", NULL);
    expect_invalid("2024-01-15  12:00:00", NULL);
    expect_invalid("", NULL);
    expect_invalid("0999-01-01T00:00:00Z", NULL);
}

/* The milliseconds since local midnight order same-day snapshots. */
static void test_time_of_day(void **state)
{
    (void)state;
    int32_t d, ms;
    assert_int_equal(ext("2024-01-15", NULL, NULL, &d, &ms), 0);
    assert_int_equal(ms, -1);
    assert_int_equal(ext("2024-01-15T13:45:10.123Z", NULL, NULL, &d, &ms), 0);
    assert_int_equal(ms, ((13 * 60 + 45) * 60 + 10) * 1000 + 123);
    assert_int_equal(ext("2024-01-15T13:45:10.1Z", NULL, NULL, &d, &ms), 0);
    assert_int_equal(ms, ((13 * 60 + 45) * 60 + 10) * 1000 + 100);
    assert_int_equal(ext("2024-01-15T23:30:00-05:00", NULL, NULL, &d, &ms), 0);
    assert_int_equal(ms, (4 * 60 + 30) * 60 * 1000);
    assert_int_equal(ext("2024-06-30T23:59:60Z", NULL, NULL, &d, &ms), 0); /* leap second */
    assert_int_equal(d, civil(2024, 6, 30));
}

/* --tz: fixed offsets and names; instants move, wall-clock times do not. */
static void test_time_zones(void **state)
{
    (void)state;
    hc_tz tz;
    char why[256];
    assert_int_equal(hc_date_tz_parse("UTC", &tz, why, sizeof why), 0);
    assert_int_equal(tz.kind, HC_TZ_UTC);
    assert_int_equal(hc_date_tz_parse("+05:30", &tz, why, sizeof why), 0);
    assert_int_equal(tz.kind, HC_TZ_FIXED);
    assert_int_equal(tz.offset_min, 330);
    expect_day("2024-01-01T20:00:00Z", NULL, &tz, civil(2024, 1, 2));   /* 01:30 IST */
    expect_day("2024-01-01T18:29:59Z", NULL, &tz, civil(2024, 1, 1));
    expect_day("2024-01-01 20:00:00", NULL, &tz, civil(2024, 1, 1));    /* wall clock */
    assert_int_equal(hc_date_tz_parse("UTC-0500", &tz, why, sizeof why), 0);
    assert_int_equal(tz.offset_min, -300);
    expect_day("2024-01-02T03:00:00Z", NULL, &tz, civil(2024, 1, 1));
    assert_int_equal(hc_date_tz_parse("-5", &tz, why, sizeof why), 0);
    assert_int_equal(tz.offset_min, -300);
    assert_int_equal(hc_date_tz_parse("+25:00", &tz, why, sizeof why), -1);
    assert_int_equal(hc_date_tz_parse("Mars/Olympus_Mons", &tz, why, sizeof why), -1);
    assert_non_null(strstr(why, "Mars/Olympus_Mons"));
    assert_int_equal(hc_date_tz_parse("../../etc/passwd", &tz, why, sizeof why), -1);
}

/* A named zone follows daylight saving time (America/New_York: UTC-5 in
 * winter, UTC-4 in summer), checked against localtime_r. */
static void test_named_zone(void **state)
{
    (void)state;
    if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0 && !getenv("TZDIR")) {
        fprintf(stderr, "skipped: the tz database (tzdata) is not installed\n");
        skip();
    }
    hc_tz tz;
    char why[256];
    assert_int_equal(hc_date_tz_parse("America/New_York", &tz, why, sizeof why), 0);
    assert_int_equal(tz.kind, HC_TZ_ZONE);
    /* 03:30 UTC is 23:30 EDT the day before in July, 22:30 EST in January. */
    expect_day("2024-07-02T03:30:00Z", NULL, &tz, civil(2024, 7, 1));
    expect_day("2024-01-02T04:30:00Z", NULL, &tz, civil(2024, 1, 1));
    expect_day("2024-01-02T05:30:00Z", NULL, &tz, civil(2024, 1, 2));
    /* 04:30 UTC: EDT (-4) gives 00:30 the same day, EST (-5) 23:30 before. */
    expect_day("2024-07-02T04:30:00Z", NULL, &tz, civil(2024, 7, 2));
    for (int h = 0; h < 48; h++) {
        char s[64];
        time_t t = (time_t)civil(2024, 11, 2) * 86400 + h * 3600; /* DST ends Nov 3 */
        struct tm u, l;
        gmtime_r(&t, &u);
        localtime_r(&t, &l);
        snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:00:00Z", u.tm_year + 1900, u.tm_mon + 1,
                 u.tm_mday, u.tm_hour);
        expect_day(s, NULL, &tz, civil(l.tm_year + 1900, l.tm_mon + 1, l.tm_mday));
    }
    assert_int_equal(hc_date_tz_parse("UTC", &tz, why, sizeof why), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_form),
        cmocka_unit_test(test_compact_and_formats),
        cmocka_unit_test(test_offsets_across_midnight),
        cmocka_unit_test(test_leap_days),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_time_of_day),
        cmocka_unit_test(test_time_zones),
        cmocka_unit_test(test_named_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
