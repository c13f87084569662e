/* test_format.c - money, band ranges, percentages and intervals as the report writes them, against hand-worked strings and closed forms. */
#include "test_util.h"

#include "hc_format.h"

static void test_money_known(void **state)
{
    (void)state;
    char b[128];
    hc_format_money(0, b, sizeof b);
    assert_string_equal(b, "0");
    hc_format_money(999, b, sizeof b);
    assert_string_equal(b, "999");
    hc_format_money(1000, b, sizeof b);
    assert_string_equal(b, "1,000");
    hc_format_money(1234567, b, sizeof b);
    assert_string_equal(b, "1,234,567");
    hc_format_money(-1234.4, b, sizeof b);
    assert_string_equal(b, "-1,234");
    hc_format_money(999999.6, b, sizeof b); /* rounds up into a new group */
    assert_string_equal(b, "1,000,000");
    /* 2^53, the largest integer below which every integer is a double. */
    hc_format_money(9007199254740992.0, b, sizeof b);
    assert_string_equal(b, "9,007,199,254,740,992");
    /* 10^21 is exact in binary (5^21 < 2^53), so %.0f prints 1 and 21
     * zeros: 22 digits in groups of 1, 3, ..., 3. */
    hc_format_money(1e21, b, sizeof b);
    assert_string_equal(b, "1,000,000,000,000,000,000,000");
}

static void test_money_no_negative_zero(void **state)
{
    (void)state;
    char b[64];
    hc_format_money(-0.4, b, sizeof b);
    assert_string_equal(b, "0");
    hc_format_money(-0.0, b, sizeof b);
    assert_string_equal(b, "0");
    hc_format_money(0.4, b, sizeof b);
    assert_string_equal(b, "0");
    hc_format_money(-0.6, b, sizeof b);
    assert_string_equal(b, "-1");
}

static void test_money_not_finite(void **state)
{
    (void)state;
    char b[64];
    hc_format_money(NAN, b, sizeof b);
    assert_string_equal(b, "-");
    hc_format_money(INFINITY, b, sizeof b);
    assert_string_equal(b, "-");
    hc_format_money(-INFINITY, b, sizeof b);
    assert_string_equal(b, "-");
}

static void test_money_cut_to_the_buffer(void **state)
{
    (void)state;
    char b[16];
    hc_format_money(1234567, b, 5); /* 4 bytes and the NUL */
    assert_string_equal(b, "1,23");
    memcpy(b, "xyz", 4);
    hc_format_money(1234567, b, 0); /* nothing written */
    assert_string_equal(b, "xyz");
    /* An amount of more than 63 digits keeps its first 63: 21 groups of 3,
     * 63 + 20 commas = 83 characters. */
    char big[128];
    hc_format_money(1e70, big, sizeof big);
    assert_int_equal(strlen(big), 83);
    assert_int_equal(strncmp(big, "100,000,000,000,000,", 20), 0);
}

/* Every integer amount: without its commas it is the integer's decimal
 * form, and the commas split it into groups of three from the right. */
static void test_money_grouping_property(void **state)
{
    (void)state;
    uint64_t s = 42;
    for (int i = 0; i < 100000; i++) {
        /* up to 2^50, so that the double is the integer */
        long long v = (long long)(hc_test_rnd(&s) >> (14 + hc_test_rnd(&s) % 50));
        if (i % 2)
            v = -v;
        char b[64], plain[64], expect[64];
        hc_format_money((double)v, b, sizeof b);
        snprintf(expect, sizeof expect, "%lld", v);
        size_t n = 0, len = strlen(b), last = 0, digits = 0;
        int commas = 0;
        for (size_t k = 0; k < len; k++) {
            if (b[k] == ',') {
                commas++;
                assert_true(commas == 1 ? digits >= 1 && digits <= 3 : digits == 3);
                digits = 0;
                last = k;
                continue;
            }
            if (b[k] != '-')
                digits++;
            plain[n++] = b[k];
        }
        plain[n] = '\0';
        assert_string_equal(plain, expect);
        if (commas)
            assert_int_equal(len - last - 1, 3);
        else
            assert_true(digits <= 3);
    }
}

static void test_band_ranges(void **state)
{
    (void)state;
    char b[64];
    const double mins[] = {0, 45.5, 70};
    hc_format_band_range(mins, 3, 0, b, sizeof b);
    assert_string_equal(b, "below 45.5");
    hc_format_band_range(mins, 3, 1, b, sizeof b);
    assert_string_equal(b, "45.5 to 70");
    hc_format_band_range(mins, 3, 2, b, sizeof b);
    assert_string_equal(b, "70 and above");
    hc_format_band_range(mins, 2, 0, b, sizeof b);
    assert_string_equal(b, "below 45.5");
    hc_format_band_range(mins, 2, 1, b, sizeof b);
    assert_string_equal(b, "45.5 and above");
    /* one band, or none, covers the scale */
    hc_format_band_range(mins, 1, 0, b, sizeof b);
    assert_string_equal(b, "0 to 100");
    hc_format_band_range(NULL, 0, 0, b, sizeof b);
    assert_string_equal(b, "0 to 100");
    /* %g keeps 6 significant digits: 100 / 3 = 33.333... */
    const double thirds[] = {0, 100.0 / 3, 200.0 / 3};
    hc_format_band_range(thirds, 3, 1, b, sizeof b);
    assert_string_equal(b, "33.3333 to 66.6667");
}

static void test_percent(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(hc_format_percent(0.123, 1, b, sizeof b), 1);
    assert_string_equal(b, "12.3%");
    assert_int_equal(hc_format_percent(0.5, 0, b, sizeof b), 1);
    assert_string_equal(b, "50%");
    assert_int_equal(hc_format_percent(1, 2, b, sizeof b), 1);
    assert_string_equal(b, "100.00%");
    assert_int_equal(hc_format_percent(-0.05, 1, b, sizeof b), 1);
    assert_string_equal(b, "-5.0%");
    assert_int_equal(hc_format_percent(0.25, 1, b, sizeof b), 1);
    assert_string_equal(b, "25.0%");
    assert_int_equal(hc_format_percent(NAN, 1, b, sizeof b), 0);
    assert_string_equal(b, "-");
    /* 100 x 1e307 overflows to infinity: not finite either */
    assert_int_equal(hc_format_percent(1e307, 1, b, sizeof b), 0);
    assert_string_equal(b, "-");
}

static void test_interval(void **state)
{
    (void)state;
    char b[1024];
    assert_int_equal(hc_format_interval(0.769, 0.695, 0.842, 3, b, sizeof b), 1);
    assert_string_equal(b, "0.769 (0.695 to 0.842)");
    assert_int_equal(hc_format_interval(-0.0123, -0.05, 0.026, 2, b, sizeof b), 1);
    assert_string_equal(b, "-0.01 (-0.05 to 0.03)");
    /* an interval without both bounds is left out */
    assert_int_equal(hc_format_interval(0.769, NAN, 0.842, 3, b, sizeof b), 1);
    assert_string_equal(b, "0.769");
    assert_int_equal(hc_format_interval(0.769, 0.695, INFINITY, 3, b, sizeof b), 1);
    assert_string_equal(b, "0.769");
    assert_int_equal(hc_format_interval(NAN, 0.695, 0.842, 3, b, sizeof b), 0);
    assert_string_equal(b, "-");
    /* the largest doubles fit the 1024 bytes the header promises: %.3f of
     * DBL_MAX is its 309 integer digits, a point and 3 decimals (313
     * characters, 314 with a minus sign) */
    assert_int_equal(hc_format_interval(-1.7976931348623157e308, -1.7976931348623157e308,
                                        1.7976931348623157e308, 3, b, sizeof b), 1);
    assert_int_equal(strlen(b), 314 + strlen(" (") + 314 + strlen(" to ") + 313 + strlen(")"));
    assert_int_equal(b[strlen(b) - 1], ')');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_known),
        cmocka_unit_test(test_money_no_negative_zero),
        cmocka_unit_test(test_money_not_finite),
        cmocka_unit_test(test_money_cut_to_the_buffer),
        cmocka_unit_test(test_money_grouping_property),
        cmocka_unit_test(test_band_ranges),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
