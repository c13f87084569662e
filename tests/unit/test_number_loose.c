/* test_number_loose.c - numbers as people write them, bit for bit against strtod of the plain decimal in the C locale. */
#include "test_util.h"

#include <locale.h>

#include "hc_number.h"

/* The expected value: glibc's strtod (correctly rounded) of the plain
 * decimal, in the C locale this test starts in. */
static double c_strtod(const char *s)
{
    return strtod(s, NULL);
}

static void expect(const char *text, unsigned flags, const char *plain)
{
    double v = -12345.0;
    hc_decimal dec;
    hc_num_status st = hc_number_parse_loose(text, strlen(text), flags, &v, &dec);
    double want = c_strtod(plain);
    if (st != HC_NUM_OK || memcmp(&v, &want, sizeof v) != 0) {
        fprintf(stderr, "'%s' (flags %u): status %d value %.17g, expected %.17g ('%s')\n",
                text, flags, (int)st, v, want, plain);
        fail();
    }
    /* The decimal form, when given, decodes to the same double. */
    if (dec.exact) {
        double m = (double)dec.mant;
        double back = dec.exp10 < 0 ? m / pow(10, -dec.exp10) : m * pow(10, dec.exp10);
        if (dec.negative)
            back = -back;
        assert_true(back == want);
    }
}

static void expect_invalid(const char *text, unsigned flags)
{
    double v;
    hc_decimal dec;
    if (hc_number_parse_loose(text, strlen(text), flags, &v, &dec) == HC_NUM_OK) {
        fprintf(stderr, "'%s' (flags %u) parsed as %.17g but is invalid\n", text, flags, v);
        fail();
    }
}

static void test_money(void **state)
{
    (void)state;
    const unsigned M = HC_NUMF_MONEY;
    expect("$12,000.00", M, "12000.00");
    expect("  $12,000.00 ", M, "12000.00");
}

static void test_money_forms(void **state)
{
    (void)state;
    const unsigned M = HC_NUMF_MONEY;
    expect("$1,234,567.89", M, "1234567.89");
    expect("$ 16,240", M, "16240");
    expect("-$1,200.50", M, "-1200.50");
    expect("$-1,200.50", M, "-1200.50");
    expect("(1,200.50)", M, "-1200.50");
    expect("USD 1,200", M, "1200");
    expect("1,200 USD", M, "1200");
    expect("\xe2\x82\xac" "99.95", M, "99.95");       /* EUR sign */
    expect("\xc2\xa3" "1,000", M, "1000");            /* pound sign */
    expect("12 000", M, "12000");
    expect("12\xc2\xa0" "000", M, "12000");           /* no-break space */
    expect("1'234'567", M, "1234567");
    expect("0.1", M, "0.1");
    expect("$0.30", M, "0.30");
    expect_invalid("$12,00.00", M);     /* a group of two */
    expect_invalid("$1,2345", M);       /* a group of four */
    expect_invalid("$,123", M);
    expect_invalid("1,234 567", M);     /* two kinds of separator */
    expect_invalid("$$5", M);
    expect_invalid("--5", M);
    expect_invalid("-(5)", M);
    expect_invalid("$", M);
    expect_invalid("USD", M);
    expect_invalid("12abc", M);
    /* Outside money columns, no currency and no separators. */
    expect_invalid("$12", 0);
    expect_invalid("12,000", 0);
    expect_invalid("12 000", 0);
}

static void test_percent(void **state)
{
    (void)state;
    expect("45%", 0, "0.45");
    expect("12.5%", 0, "0.125");
    expect("0.1%", 0, "0.001");
    expect("100 %", 0, "1");
    expect("-3%", 0, "-0.03");
    expect("33.333333333333333333%", 0, "0.33333333333333333333");
    expect("12,5%", HC_NUMF_COMMA_AUTO, "0.125");
    expect("$1,000%", HC_NUMF_MONEY, "10");
    expect_invalid("%", 0);
    expect_invalid("45%%", 0);
    expect_invalid("1e2%", 0);
}

static void test_decimal_comma(void **state)
{
    (void)state;
    const unsigned A = HC_NUMF_COMMA_AUTO, D = HC_NUMF_DECIMAL_COMMA, M = HC_NUMF_MONEY;
    /* A ';' file: a comma is the decimal mark where there is one. */
    expect("1,5", A, "1.5");
    expect("-0,25", A, "-0.25");
    expect("12 000,50", A | M, "12000.50");
    expect("12\xe2\x80\xaf" "000,50", A | M, "12000.50"); /* narrow no-break space */
    expect("1.234,50", A | M, "1234.50");
    expect("1.234,50 \xe2\x82\xac", A | M, "1234.50");
    expect_invalid("1,2,3", A);
    expect_invalid("1.234,5", A);       /* grouping is for money columns */
    /* --decimal-comma: '.' is never a decimal point. */
    expect("3,75", D, "3.75");
    expect("1.234", D | M, "1234");
    expect("1.234.567,8", D | M, "1234567.8");
    expect_invalid("12.5", D);
    expect_invalid("12.5", D | M);
    expect_invalid("1,234.5", D | M);
    /* Without a comma flag a comma is no decimal mark. */
    expect_invalid("1,5", 0);
}

/* Long plain numbers (a fuzzer's find: 630 digits) read as strtod reads
 * them, whatever the flags. */
static void test_long_numbers(void **state)
{
    (void)state;
    char text[700];
    memset(text, '7', 630);
    text[300] = '.';
    text[630] = '\0';
    expect(text, HC_NUMF_MONEY | HC_NUMF_COMMA_AUTO, text);
    expect(text, 0, text);
}

/* Missing markers are still missing. */
static void test_missing(void **state)
{
    (void)state;
    double v;
    hc_decimal dec;
    assert_int_equal(hc_number_parse_loose("NA", 2, HC_NUMF_MONEY, &v, &dec), HC_NUM_MISSING);
    assert_int_equal(hc_number_parse_loose("", 0, HC_NUMF_DECIMAL_COMMA, &v, &dec),
                     HC_NUM_MISSING);
}

/* Under a German locale (where strtod's decimal point is ',') every parser
 * gives the C locale's results: the slow path of hc_number_parse too. */
static void test_locale_independent(void **state)
{
    (void)state;
    const char *texts[] = {"3.14159265358979323846264338", "1.5", "12.5%",
                           "$12,000.00", "0.30000000000000000000001"};
    unsigned flags[] = {0, 0, 0, HC_NUMF_MONEY, 0};
    double before[5], after[5];
    for (int i = 0; i < 5; i++)
        assert_int_equal(hc_number_parse_loose(texts[i], strlen(texts[i]), flags[i],
                                               &before[i], NULL),
                         HC_NUM_OK);
    if (!setlocale(LC_ALL, "de_DE.UTF-8") && !setlocale(LC_ALL, "de_DE.utf8")) {
        fprintf(stderr, "skipped: the de_DE.UTF-8 locale is not installed "
                        "(tests/e2e/export_formats.sh builds one with localedef)\n");
        skip();
    }
    /* The locale took effect: strtod now stops at the '.'. */
    assert_true(strtod("1.5", NULL) == 1.0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(hc_number_parse_loose(texts[i], strlen(texts[i]), flags[i],
                                               &after[i], NULL),
                         HC_NUM_OK);
        assert_memory_equal(&before[i], &after[i], sizeof before[i]);
    }
    double v;
    assert_int_equal(hc_number_parse(texts[0], strlen(texts[0]), &v), HC_NUM_OK);
    assert_memory_equal(&v, &before[0], sizeof v);
    setlocale(LC_ALL, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_money_forms),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_decimal_comma),
        cmocka_unit_test(test_long_numbers),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_locale_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
