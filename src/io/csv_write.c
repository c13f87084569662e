/* csv_write.c - writing CSV cells: quoting and spreadsheet-formula neutralising. */
#include "hc_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hc_csv_write_text(FILE *f, const char *s)
{
    if (!s)
        return;
    /* OWASP "CSV Injection": a cell starting with = + - @ TAB or CR may be
     * run as a formula by a spreadsheet; a leading single quote makes it
     * text. */
    int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
    int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(s, f);
        return;
    }
    putc_unlocked('"', f);
    if (formula)
        putc_unlocked('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            putc_unlocked('"', f);
        putc_unlocked(*p, f);
    }
    putc_unlocked('"', f);
}

void hc_csv_write_num_prec(FILE *f, double v, int digits)
{
    if (!isfinite(v))
        return;
    if (v == 0)
        v = 0; /* no "-0" */
    fprintf(f, "%.*g", digits, v);
}

/* Fast exact path for values with at most 6 decimals: v equals m / 10^k
 * for an integer m < 2^53, and both that quotient and strtod of the
 * printed decimal are the correctly rounded value of the same real number,
 * so the text reads back as exactly v. Returns 0 when v does not qualify. */
static int write_short_decimal(FILE *f, double v)
{
    static const double p10[7] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double a = fabs(v);
    if (a >= 1e9)
        return 0;
    for (int k = 0; k <= 6; k++) {
        double scaled = a * p10[k];
        double m = nearbyint(scaled);
        if (m / p10[k] != a)
            continue;
        char buf[32];
        char *end = buf + sizeof buf, *p = end;
        unsigned long long u = (unsigned long long)m;
        for (int i = 0; i < k; i++) {
            *--p = (char)('0' + u % 10);
            u /= 10;
        }
        if (k) {
            /* Drop trailing zeros of the fraction (k is minimal, so none). */
            *--p = '.';
        }
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            *--p = '-';
        while (p < end)
            putc_unlocked(*p++, f);
        return 1;
    }
    return 0;
}

void hc_csv_write_num(FILE *f, double v)
{
    if (!isfinite(v))
        return;
    if (v == 0) {
        putc_unlocked('0', f);
        return;
    }
    if (write_short_decimal(f, v))
        return;
    /* The shortest of 15, 16, 17 significant digits that reads back as
     * the same double: exact, and 0.1 stays "0.1". */
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v == 0 ? 0.0 : v);
        if (digits == 17 || strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

void hc_csv_write_decimal(FILE *f, long long m, int scale)
{
    /* m / 10^scale with its fraction's trailing zeros dropped is the
     * decimal write_short_decimal finds (it has at most 10 significant
     * digits, so no shorter decimal names the same double) when it has at
     * most 6 decimals and is below 1e9; other values take the double's
     * path. */
    unsigned long long u = m < 0 ? 0ULL - (unsigned long long)m : (unsigned long long)m;
    int k = scale;
    while (k > 0 && u % 10 == 0) {
        u /= 10;
        k--;
    }
    static const unsigned long long p10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000,
                                               10000000, 100000000, 1000000000};
    if (scale < 0 || scale > 9 || k > 6 || u / p10[k] >= 1000000000ULL) {
        static const double d10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
        hc_csv_write_num(f, scale >= 0 && scale <= 9 ? (double)m / d10[scale] : (double)m);
        return;
    }
    if (u == 0) {
        putc_unlocked('0', f);
        return;
    }
    char buf[32];
    char *end = buf + sizeof buf, *p = end;
    for (int i = 0; i < k; i++) {
        *--p = (char)('0' + u % 10);
        u /= 10;
    }
    if (k)
        *--p = '.';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (m < 0)
        *--p = '-';
    while (p < end)
        putc_unlocked(*p++, f);
}
