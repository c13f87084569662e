/* test_date.c - strict YYYY-MM-DD parsing and day numbers against closed forms. */
#include "test_util.h"

#include <time.h>

#include "hc_date.h"

static int parse(const char *s, int32_t *day)
{
    return hc_date_parse(s, strlen(s), day);
}

/* Julian Day Number of a Gregorian date by the closed form of Fliegel and
 * Van Flandern, "A machine algorithm for processing calendar dates",
 * CACM 11(10), 1968 (integer division truncating, valid for years > -4800).
 * JDN 2440588 is 1970-01-01, so day numbers are JDN - 2440588. */
static long fliegel_day(long y, long m, long d)
{
    long a = (m - 14) / 12;
    long jdn = (1461 * (y + 4800 + a)) / 4 + (367 * (m - 2 - 12 * a)) / 12 -
               (3 * ((y + 4900 + a) / 100)) / 4 + d - 32075;
    return jdn - 2440588;
}

static void test_known_day_numbers(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(parse("1970-01-01", &d), 0);
    assert_int_equal(d, 0); /* the epoch */
    /* 30 years of 365 days plus 7 leap days (1972..1996) = 10957 to
     * 2000-01-01, then 31 + 29 days of January and leap February. */
    assert_int_equal(parse("2000-03-01", &d), 0);
    assert_int_equal(d, 11017);
    assert_int_equal(parse("1969-12-31", &d), 0);
    assert_int_equal(d, -1);
    /* POSIX time 1700000000 s is 2023-11-14 (date -u -d @1700000000). */
    assert_int_equal(parse("2023-11-14", &d), 0);
    assert_int_equal(d, 1700000000 / 86400);
}

static void test_leap_days(void **state)
{
    (void)state;
    int32_t d, before;
    /* Gregorian rule: divisible by 4, except centuries not divisible by 400. */
    assert_int_equal(parse("2024-02-29", &d), 0);
    assert_int_equal(parse("2024-02-28", &before), 0);
    assert_int_equal(d - before, 1);
    assert_int_equal(parse("2024-03-01", &before), 0);
    assert_int_equal(before - d, 1);
    assert_int_equal(parse("2000-02-29", &d), 0);
    assert_int_equal(parse("2400-02-29", &d), 0);
    int32_t keep = 12345;
    d = keep;
    assert_int_equal(parse("2023-02-29", &d), -1);
    assert_int_equal(parse("1900-02-29", &d), -1);
    assert_int_equal(parse("2100-02-29", &d), -1);
    assert_int_equal(d, keep); /* untouched on failure */
}

static void test_bad_dates(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2025-02-30", "2025-13-01", "25-01-01", "2025-1-01", "2025-01-1",
        "2025-00-10", "2025-01-00", "2025-04-31", "2025-06-31", "2025-09-31",
        "2025-11-31", "2025-01-32", "0999-12-31", "0000-01-01", " 2025-01-01",
        "2025-01-01 ", "2025/01/01", "2025.01.01", "+025-01-01", "-025-01-01",
        "2025-01-0a", "2025-0a-01", "20x5-01-01", "2025--1-01", "2025-01--1",
        "", "2025", "20250101", "2025-01-01T00:00", "01/02/2024", "2025-1-1",
        "9999-99-99", "2025-02-29",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d = 99;
        if (parse(bad[i], &d) != -1 || d != 99) {
            fprintf(stderr, "'%s' was accepted\n", bad[i]);
            fail();
        }
    }
    /* The length bounds the text: a valid prefix is not enough. */
    int32_t d;
    assert_int_equal(hc_date_parse("2025-01-01", 9, &d), -1);
    assert_int_equal(hc_date_parse("2025-01-01x", 10, &d), 0);
}

static void test_month_lengths(void **state)
{
    (void)state;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char buf[32];
    int32_t d;
    for (int m = 1; m <= 12; m++) {
        snprintf(buf, sizeof buf, "2025-%02d-%02d", m, len[m - 1]);
        assert_int_equal(parse(buf, &d), 0);
        snprintf(buf, sizeof buf, "2025-%02d-%02d", m, len[m - 1] + 1);
        assert_int_equal(parse(buf, &d), -1);
    }
}

/* Every day from 1000-01-01 to 9999-12-31: the day number equals the
 * Fliegel-Van Flandern closed form, formatting and parsing round-trip, and
 * consecutive dates are consecutive day numbers. */
static void test_round_trip_whole_range(void **state)
{
    (void)state;
    int32_t first, last;
    assert_int_equal(parse("1000-01-01", &first), 0);
    assert_int_equal(parse("9999-12-31", &last), 0);
    assert_int_equal(first, fliegel_day(1000, 1, 1));
    assert_int_equal(last, fliegel_day(9999, 12, 31));
    /* 9000 years hold 9000 * 365 days plus 2182 leap days (2250 multiples
     * of 4, less 68 centuries not divisible by 400). */
    assert_int_equal(last - first + 1, 9000L * 365 + 2182);
    char buf[11];
    for (int32_t day = first; day <= last; day++) {
        int y, m, dom;
        hc_date_to_civil(day, &y, &m, &dom);
        if (fliegel_day(y, m, dom) != day || hc_date_from_civil(y, m, dom) != day) {
            fprintf(stderr, "day %d -> %d-%d-%d disagrees\n", (int)day, y, m, dom);
            fail();
        }
        hc_date_format(day, buf);
        int32_t back;
        if (hc_date_parse(buf, 10, &back) != 0 || back != day) {
            fprintf(stderr, "day %d formats as '%s' which does not parse back\n",
                    (int)day, buf);
            fail();
        }
    }
}

/* A second outside authority: glibc's timegm on the same dates. */
static void test_against_timegm(void **state)
{
    (void)state;
    char buf[11];
    for (int32_t day = -200000; day <= 200000; day += 37) {
        hc_date_format(day, buf);
        struct tm tm = {0};
        tm.tm_year = atoi(buf) - 1900;
        tm.tm_mon = atoi(buf + 5) - 1;
        tm.tm_mday = atoi(buf + 8);
        time_t t = timegm(&tm);
        assert_int_equal((long long)t, (long long)day * 86400);
    }
}

/* Formatting any int32 (even outside 1000-9999, e.g. HC_DATE_MISSING)
 * writes ten characters and a NUL, never past the buffer. */
static void test_format_extremes(void **state)
{
    (void)state;
    int32_t days[] = {INT32_MIN, INT32_MIN + 1, -719468, -1, 0, INT32_MAX - 719468, INT32_MAX};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        char buf[12];
        memset(buf, 'z', sizeof buf);
        hc_date_format(days[i], buf);
        assert_int_equal(strlen(buf), 10);
        assert_int_equal(buf[11], 'z');
        assert_int_equal(buf[4], '-');
        assert_int_equal(buf[7], '-');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_day_numbers),
        cmocka_unit_test(test_leap_days),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_month_lengths),
        cmocka_unit_test(test_round_trip_whole_range),
        cmocka_unit_test(test_against_timegm),
        cmocka_unit_test(test_format_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
