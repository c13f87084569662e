/* number_loose.c - numbers as people write them: currency, thousands separators, percent, decimal comma. */
#include "hc_number.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of a currency sign at s (UTF-8), or 0. */
static size_t currency_sign(const char *s, size_t len)
{
    static const char *const signs[] = {"$", "\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5",
                                        "\xe2\x82\xb9"};
    for (size_t k = 0; k < sizeof signs / sizeof signs[0]; k++) {
        size_t n = strlen(signs[k]);
        if (len >= n && memcmp(s, signs[k], n) == 0)
            return n;
    }
    return 0;
}

static int upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* Bytes of a thousands separator at s other than the ASCII one, or 0:
 * a space, an apostrophe, U+00A0 and U+202F (as French exports write). */
static size_t space_group(const char *s, size_t len)
{
    if (s[0] == ' ' || s[0] == '\'')
        return 1;
    if (len >= 2 && memcmp(s, "\xc2\xa0", 2) == 0)
        return 2;
    if (len >= 3 && memcmp(s, "\xe2\x80\xaf", 3) == 0)
        return 3;
    return 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Strips a leading and a trailing currency sign or 3-letter code. */
static void strip_currency(const char **s, size_t *len)
{
    size_t n = currency_sign(*s, *len);
    if (!n && *len > 3 && upper((*s)[0]) && upper((*s)[1]) && upper((*s)[2]) &&
        ((*s)[3] == ' ' || ((*s)[3] >= '0' && (*s)[3] <= '9') || (*s)[3] == '-'))
        n = 3;
    *s += n;
    *len -= n;
    trim(s, len);
    for (size_t k = 1; k <= 3 && k <= *len; k++)
        if (currency_sign(*s + *len - k, k) == k) {
            *len -= k;
            trim(s, len);
            return;
        }
    if (*len > 3 && upper((*s)[*len - 1]) && upper((*s)[*len - 2]) &&
        upper((*s)[*len - 3]) && (*s)[*len - 4] == ' ') {
        *len -= 3;
        trim(s, len);
    }
}

hc_num_status hc_number_parse_loose(const char *s, size_t len, unsigned flags, double *out,
                                    hc_decimal *dec)
{
    if (dec)
        dec->exact = 0;
    trim(&s, &len);
    if (hc_number_is_missing(s, len))
        return hc_number_parse_decimal(s, len, out, dec);
    int money = (flags & HC_NUMF_MONEY) != 0;
    int pct = len && s[len - 1] == '%';
    if (pct) {
        len--;
        trim(&s, &len);
    }
    int neg = 0, signs = 0;
    if (money && len >= 2 && s[0] == '(' && s[len - 1] == ')') {
        s++;
        len -= 2;
        trim(&s, &len);
        neg = 1;
        signs++;
    }
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg |= s[0] == '-';
        signs++;
        s++;
        len--;
    }
    if (money) {
        strip_currency(&s, &len);
        if (len && (s[0] == '-' || s[0] == '+')) { /* "$-1,200" */
            neg |= s[0] == '-';
            signs++;
            s++;
            len--;
        }
    }
    if (signs > 1 || len == 0)
        return HC_NUM_INVALID;
    char mark = '.';
    if ((flags & HC_NUMF_DECIMAL_COMMA) ||
        ((flags & HC_NUMF_COMMA_AUTO) && memchr(s, ',', len)))
        mark = ',';
    char ascii_group = mark == ',' ? '.' : ',';

    /* The plain decimal is never longer than the text plus "e-2". */
    char small[512];
    char *buf = len + 8 <= sizeof small ? small : malloc(len + 8);
    if (!buf)
        return HC_NUM_INVALID;
    size_t o = 0, i = 0;
    hc_num_status st = HC_NUM_INVALID;
    if (neg)
        buf[o++] = '-';
    /* The integer part, with its groups checked: 1-3 digits, then groups
     * of exactly 3 after one kind of separator. */
    size_t group = 0, groups = 0;
    int kind = 0; /* 0 none yet; else the separator's first byte */
    while (i < len) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            buf[o++] = c;
            group++;
            i++;
            continue;
        }
        size_t sep = 0;
        if (money && c == ascii_group)
            sep = 1;
        else if (money)
            sep = space_group(s + i, len - i);
        if (!sep)
            break;
        if ((kind && kind != c) || group == 0 || group > 3 || (groups && group != 3))
            goto done;
        kind = c;
        groups++;
        group = 0;
        i += sep;
    }
    if (groups && group != 3)
        goto done;
    if (i < len && s[i] == mark) {
        buf[o++] = '.';
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            buf[o++] = s[i];
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E') && !pct && !groups) {
        for (; i < len; i++)
            buf[o++] = s[i];
    }
    if (i != len)
        goto done;
    if (pct) {
        /* value / 100 as the decimal with the point moved: one correctly
         * rounded operation, the double of the decimal itself. */
        memcpy(buf + o, "e-2", 3);
        o += 3;
    }
    st = hc_number_parse_decimal(buf, o, out, dec);
done:
    if (buf != small)
        free(buf);
    return st;
}
