/* number.c - strict decimal number parsing: an exact fast path and strtod. */
#include "hc_number.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

int hc_number_is_missing(const char *s, size_t len)
{
    trim(&s, &len);
    return len == 0 || (len == 2 && strncasecmp(s, "NA", 2) == 0) ||
           (len == 3 && strncasecmp(s, "NaN", 3) == 0) ||
           (len == 4 && strncasecmp(s, "null", 4) == 0);
}

/* Exact powers of ten representable in a double (10^0 .. 10^22). */
static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* hc_number_parse, with the decimal form of the value in *dec (when not
 * NULL) whenever the exact fast path took it. */
static hc_num_status parse(const char *s, size_t len, double *out, hc_decimal *dec)
{
    if (dec)
        dec->exact = 0;
    trim(&s, &len);
    /* Missing markers are empty or start with a letter; numbers never do,
     * so the marker check runs only where it can match. */
    if (len == 0 || ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) {
        if (hc_number_is_missing(s, len)) {
            *out = NAN;
            return HC_NUM_MISSING;
        }
        return HC_NUM_INVALID;
    }
    /* Validate the grammar [+-]digits[.digits][(e|E)[+-]digits] while
     * collecting up to 19 significant digits for the fast path. */
    size_t i = 0;
    int negative = 0;
    if (s[i] == '+' || s[i] == '-')
        negative = s[i++] == '-';
    uint64_t mant = 0;
    int sig = 0, dropped = 0;
    long frac_digits = 0, n_digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_digits++) {
        if (mant == 0 && s[i] == '0')
            continue;
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            sig++;
        } else {
            dropped++;
        }
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_digits++) {
            if (mant == 0 && s[i] == '0') {
                frac_digits++;
                continue;
            }
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                sig++;
                frac_digits++;
            } else {
                dropped++; /* a dropped fractional digit: not exact */
            }
        }
    }
    if (n_digits == 0)
        return HC_NUM_INVALID;
    long exp10 = 0;
    int exp_clamped = 0; /* |exponent| >= 10^5: only strtod may judge it */
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        size_t start = i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (s[i] - '0');
            else
                exp_clamped = 1;
        }
        if (i == start)
            return HC_NUM_INVALID;
        if (eneg)
            exp10 = -exp10;
    }
    if (i != len)
        return HC_NUM_INVALID;

    /* Clinger's fast path: an integer mantissa below 2^53 scaled by an
     * exact power of ten is correctly rounded by one IEEE operation. A
     * clamped exponent must not take it: with a long fraction it could
     * cancel to a small e and give a wrong finite value. */
    long e = exp10 - frac_digits;
    if (dropped == 0 && !exp_clamped && mant < (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
        double v = (double)mant;
        v = e < 0 ? v / pow10_exact[-e] : v * pow10_exact[e];
        *out = negative ? -v : v;
        if (dec)
            *dec = (hc_decimal){.mant = mant, .exp10 = (int)e, .negative = negative,
                                .exact = 1};
        return HC_NUM_OK;
    }
    /* Slow path: strtod on a NUL-terminated copy (the grammar is already
     * validated, so strtod sees only plain decimals). */
    char buf[512];
    char *heap = NULL, *p = buf;
    if (len >= sizeof buf) {
        heap = malloc(len + 1);
        if (!heap)
            return HC_NUM_INVALID;
        p = heap;
    }
    memcpy(p, s, len);
    p[len] = '\0';
    /* strtod reads the decimal point of the thread's locale: a program
     * that called setlocale(LC_ALL, "") under de_DE would read "1.5" as 1.
     * The C locale is made the thread's for the call (POSIX 2008). */
    static locale_t c_locale;
    locale_t c = __atomic_load_n(&c_locale, __ATOMIC_ACQUIRE);
    if (!c) {
        locale_t made = newlocale(LC_ALL_MASK, "C", (locale_t)0);
        locale_t expected = (locale_t)0;
        if (made && !__atomic_compare_exchange_n(&c_locale, &expected, made, 0,
                                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            freelocale(made); /* another thread made it first */
        c = __atomic_load_n(&c_locale, __ATOMIC_ACQUIRE);
    }
    locale_t saved = c ? uselocale(c) : (locale_t)0;
    errno = 0;
    double v = strtod(p, NULL);
    int range = errno == ERANGE && isinf(v);
    if (saved)
        uselocale(saved);
    free(heap);
    if (range || !isfinite(v))
        return HC_NUM_RANGE;
    *out = v;
    return HC_NUM_OK;
}

hc_num_status hc_number_parse(const char *s, size_t len, double *out)
{
    return parse(s, len, out, NULL);
}

hc_num_status hc_number_parse_decimal(const char *s, size_t len, double *out,
                                      hc_decimal *dec)
{
    return parse(s, len, out, dec);
}
