/* test_number.c - hc_number_parse: exactness against strtod, strict rejection, missing markers. */
#include "test_util.h"

#include <errno.h>

#include "hc_number.h"

/* splitmix64 (Steele, Lea and Flood 2014): a small, seedable generator so
 * that the property tests see the same strings on every run. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng_next() % n);
}

static hc_num_status parse(const char *s, double *v)
{
    return hc_number_parse(s, strlen(s), v);
}

/* Asserts that `s` parses and has exactly the bits strtod gives (glibc's
 * strtod is correctly rounded, so it is the reference). */
static void assert_same_as_strtod(const char *s)
{
    double v = 0, ref = strtod(s, NULL);
    hc_num_status st = parse(s, &v);
    if (st != HC_NUM_OK || memcmp(&v, &ref, sizeof v) != 0) {
        fprintf(stderr, "'%s': status %d, got %.17g (%a), strtod %.17g (%a)\n",
                s, (int)st, v, v, ref, ref);
        fail();
    }
}

/* Property: on random decimal strings (1-25 digits, optional fraction and
 * exponent, both signs) the parse is bit-identical to strtod. The lengths
 * straddle the 19-digit and 2^53 limits of the fast path and the exponents
 * its +-22 limit, so both paths are exercised. */
static void test_random_decimals_match_strtod(void **state)
{
    (void)state;
    rng_state = 20260101;
    char buf[128];
    size_t fast_like = 0;
    for (int iter = 0; iter < 300000; iter++) {
        char *p = buf;
        unsigned kind = rng_below(4);
        if (rng_below(2))
            *p++ = rng_below(2) ? '-' : '+';
        unsigned int_digits = rng_below(kind == 0 ? 8 : 26);
        unsigned frac_digits = rng_below(kind == 1 ? 30 : 12);
        if (int_digits + frac_digits == 0)
            int_digits = 1;
        for (unsigned i = 0; i < int_digits; i++)
            *p++ = (char)('0' + rng_below(10));
        if (frac_digits || rng_below(4) == 0) {
            *p++ = '.';
            for (unsigned i = 0; i < frac_digits; i++)
                *p++ = (char)('0' + rng_below(10));
        }
        if (rng_below(2)) {
            *p++ = rng_below(2) ? 'e' : 'E';
            int ex = kind == 2 ? (int)rng_below(640) - 320 : (int)rng_below(60) - 30;
            p += snprintf(p, 16, rng_below(3) == 0 ? "%+d" : "%d", ex);
        }
        *p = '\0';
        errno = 0;
        double ref = strtod(buf, NULL);
        if (errno == ERANGE && isinf(ref))
            continue; /* overflow is tested separately */
        fast_like += int_digits + frac_digits <= 15;
        assert_same_as_strtod(buf);
    }
    assert_true(fast_like > 50000); /* both paths were really visited */
}

/* Property: every finite double printed with 1..17 significant digits reads
 * back as strtod reads the same text, including subnormals. */
static void test_random_doubles_match_strtod(void **state)
{
    (void)state;
    rng_state = 42;
    char buf[64];
    for (int iter = 0; iter < 100000; iter++) {
        uint64_t bits = rng_next();
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            continue;
        snprintf(buf, sizeof buf, "%.*g", 1 + (int)rng_below(17), d);
        if (isinf(strtod(buf, NULL))) {
            /* Rounding to few digits can overflow near DBL_MAX: a range
             * error, never infinity. */
            double v;
            assert_int_equal(parse(buf, &v), HC_NUM_RANGE);
            continue;
        }
        assert_same_as_strtod(buf);
    }
}

/* Hard cases for correct rounding, from Rick Regan's "Exploring Binary"
 * articles and Paxson's "A Program for Testing IEEE Decimal-Binary
 * Conversion" (1991); the expected bits are strtod's. */
static void test_hard_cases(void **state)
{
    (void)state;
    static const char *cases[] = {
        "0.1", "0.3", "1e23", "8.98846567431158e307",
        "1.7976931348623157e308", "2.2250738585072011e-308",
        "2.2250738585072012e-308", "4.9e-324", "2.4703282292062328e-324",
        "9007199254740993", "9007199254740992.5", "123456789012345678901234567890",
        "7.038531e-26", "9214843084008499", "0.500000000000000166533453693773481063544750213623046875",
        "3.518437208883201171875e13", "62.5364939768271845828", "8.10109172351e-10",
        "1448997445238699", "1.0000000000000002", "0.000000000000000000000000000000001",
        "1e22", "1e-22", "123456789012345678e-30", "5e-324", "1e-400",
        "00000000000000000000000000000000000001.5", "-0", "-0.0e10", ".5", "1.",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_same_as_strtod(cases[i]);
    double v;
    assert_int_equal(parse("-0", &v), HC_NUM_OK);
    assert_true(v == 0 && signbit(v)); /* IEEE negative zero, as strtod */
}

static void test_rejections(void **state)
{
    (void)state;
    double v = 7;
    /* Overflow is a range error, not infinity. */
    assert_int_equal(parse("1e400", &v), HC_NUM_RANGE);
    assert_int_equal(parse("-1e400", &v), HC_NUM_RANGE);
    assert_int_equal(parse("1.7976931348623159e308", &v), HC_NUM_RANGE);
    assert_int_equal(parse("1e99999999999999999999", &v), HC_NUM_RANGE);
    /* Not decimal numbers. */
    static const char *invalid[] = {"-nan", "+NaN", "inf", "-inf", "Infinity", "1,5",
                                    "0x10", "0X1p3", "12abc", "-", "+", ".", "1e",
                                    "1e+", "e5", "1.2.3", "1 2", "--1", "+-1", "1e5.5",
                                    "\n1", "1\n", "1_000", "١٢", "$5", "5%", "1d", "1f"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        v = 7;
        if (parse(invalid[i], &v) != HC_NUM_INVALID) {
            fprintf(stderr, "'%s' was not rejected\n", invalid[i]);
            fail();
        }
    }
    /* Missing markers are not numbers either, but a status of their own. */
    assert_int_equal(parse("", &v), HC_NUM_MISSING);
    assert_true(isnan(v));
}

static void test_missing_and_spaces(void **state)
{
    (void)state;
    double v;
    static const char *missing[] = {"", "   ", "\t", "NA", "na", " NA ", "null",
                                    "NULL", "Null", "NaN", "nan", "NAN", "\tnull\t"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        v = 0;
        assert_int_equal(parse(missing[i], &v), HC_NUM_MISSING);
        assert_true(isnan(v));
        assert_true(hc_number_is_missing(missing[i], strlen(missing[i])));
    }
    assert_false(hc_number_is_missing("N A", 3));
    assert_false(hc_number_is_missing("0", 1));
    assert_false(hc_number_is_missing("none", 4));
    /* Spaces and tabs around a number are allowed, inside it are not. */
    assert_int_equal(parse(" 12 ", &v), HC_NUM_OK);
    assert_true(v == 12.0);
    assert_int_equal(parse("\t-3.5\t ", &v), HC_NUM_OK);
    assert_true(v == -3.5);
    assert_int_equal(parse("+ 3", &v), HC_NUM_INVALID);
}

/* The length bounds the text: no NUL terminator is needed or read. */
static void test_length_bounds_text(void **state)
{
    (void)state;
    double v;
    assert_int_equal(hc_number_parse("12345", 3, &v), HC_NUM_OK);
    assert_true(v == 123.0);
    char no_nul[4] = {'2', '.', '5', 'x'};
    assert_int_equal(hc_number_parse(no_nul, 3, &v), HC_NUM_OK);
    assert_true(v == 2.5);
    assert_int_equal(hc_number_parse("1e400", 3, &v), HC_NUM_OK);
    assert_true(v == 1e4);
}

/* Long inputs go through the slow path's heap copy. */
static void test_long_inputs(void **state)
{
    (void)state;
    size_t n = 5000;
    char *s = malloc(n + 8);
    assert_non_null(s);
    s[0] = '0';
    s[1] = '.';
    memset(s + 2, '3', n);
    s[n + 2] = '\0';
    assert_same_as_strtod(s);
    memset(s, '9', n);
    s[n] = '\0';
    double v;
    assert_int_equal(parse(s, &v), HC_NUM_RANGE); /* 10^5000 */
    free(s);
}

/* Regression: the exponent's digits were clamped at 10^5 and a fraction
 * of ~10^5 digits then cancelled it, so "0.000...01e1234567" (true value
 * 1e1111111, an overflow) took the exact fast path and came out as 1. */
static void test_clamped_exponent_regression(void **state)
{
    (void)state;
    size_t zeros = 123455;
    char *s = malloc(zeros + 16);
    assert_non_null(s);
    char *p = s;
    *p++ = '0';
    *p++ = '.';
    memset(p, '0', zeros);
    p += zeros;
    memcpy(p, "1e1234567", 10);
    double v = 0;
    assert_int_equal(parse(s, &v), HC_NUM_RANGE);
    /* The mirror image: a tiny value must not come out as 1 either. */
    memcpy(s, "1", 1);
    p = s + 1;
    memset(p, '0', zeros + 1);
    p += zeros + 1;
    memcpy(p, "e-1234567", 10);
    assert_int_equal(parse(s, &v), HC_NUM_OK);
    assert_true(v == 0.0); /* 10^-1111111 underflows to zero, as strtod */
    free(s);
}

/* hc_number_parse_decimal: the same status and double as hc_number_parse,
 * and where the exact path parsed the text, its decimal form, whose
 * one-operation value is that double bit for bit. */
static void test_decimal_form(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int exact;
        uint64_t mant;
        int exp10;
        int negative;
    } cases[] = {
        {"0", 1, 0, 0, 0},           {"-0", 1, 0, 0, 1},         {"12.50", 1, 1250, -2, 0},
        {"-0.05", 1, 5, -2, 1},      {"1e5", 1, 1, 5, 0},        {"25E-2", 1, 25, -2, 0},
        {" +7 ", 1, 7, 0, 0},        {"007.10", 1, 710, -2, 0},  {"1.5e3", 1, 15, 2, 0},
        {"9007199254740993", 0, 0, 0, 0}, {"1e23", 0, 0, 0, 0},  {"1e-23", 0, 0, 0, 0},
        {"12345678901234567890", 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].s;
        double v, ref;
        hc_decimal dec;
        assert_int_equal(hc_number_parse_decimal(s, strlen(s), &v, &dec), HC_NUM_OK);
        assert_int_equal(hc_number_parse(s, strlen(s), &ref), HC_NUM_OK);
        assert_memory_equal(&v, &ref, sizeof v);
        assert_int_equal(dec.exact, cases[i].exact);
        if (!dec.exact)
            continue;
        assert_true(dec.mant == cases[i].mant);
        assert_int_equal(dec.exp10, cases[i].exp10);
        assert_int_equal(dec.negative, cases[i].negative);
    }
    /* Random decimals: the form gives back the double. */
    rng_state = 77;
    char buf[64];
    for (int iter = 0; iter < 100000; iter++) {
        int n = snprintf(buf, sizeof buf, "%s%u.%0*u", rng_below(2) ? "-" : "",
                         rng_below(100000), (int)(1 + rng_below(6)), rng_below(1000000));
        double v;
        hc_decimal dec;
        assert_int_equal(hc_number_parse_decimal(buf, (size_t)n, &v, &dec), HC_NUM_OK);
        assert_true(dec.exact);
        double p10 = 1;
        for (int k = 0; k < -dec.exp10; k++)
            p10 *= 10;
        double w = (double)dec.mant / p10;
        w = dec.negative ? -w : w;
        assert_memory_equal(&v, &w, sizeof v);
    }
    /* Missing and invalid text: the statuses of hc_number_parse. */
    double v;
    hc_decimal dec;
    assert_int_equal(hc_number_parse_decimal("NA", 2, &v, &dec), HC_NUM_MISSING);
    assert_int_equal(hc_number_parse_decimal("1x", 2, &v, &dec), HC_NUM_INVALID);
    assert_int_equal(hc_number_parse_decimal("1e400", 5, &v, &dec), HC_NUM_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_decimals_match_strtod),
        cmocka_unit_test(test_random_doubles_match_strtod),
        cmocka_unit_test(test_hard_cases),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_missing_and_spaces),
        cmocka_unit_test(test_length_bounds_text),
        cmocka_unit_test(test_long_inputs),
        cmocka_unit_test(test_clamped_exponent_regression),
        cmocka_unit_test(test_decimal_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
