/* fuzz_number.c - libFuzzer target: hc_number_parse against strtod as the oracle. */
#include "hc_number.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Plain decimal text: only the bytes of [+-]digits[.digits][eE[+-]digits]. */
static int decimal_alphabet(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789+-.eE", s[i]) || s[i] == '\0')
            return 0;
    return n > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const char *s = (const char *)data;
    double v = 12345.0;
    hc_num_status st = hc_number_parse(s, size, &v);
    /* The oracle: strtod on the text without the spaces and tabs that
     * hc_number_parse trims. */
    size_t b = 0, e = size;
    while (b < e && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    char *copy = malloc(e - b + 1);
    if (!copy)
        return 0;
    memcpy(copy, s + b, e - b);
    copy[e - b] = '\0';
    char *end;
    errno = 0;
    double ref = strtod(copy, &end);
    int whole = decimal_alphabet(copy, e - b) && end == copy + (e - b);
    int overflow = errno == ERANGE && isinf(ref);
    switch (st) {
    case HC_NUM_OK:
        /* Accepted text is plain decimal that strtod reads whole, to the
         * same bits. */
        if (!whole || overflow || memcmp(&v, &ref, sizeof v) != 0 || !isfinite(v))
            abort();
        break;
    case HC_NUM_RANGE:
        if (!whole || !overflow)
            abort();
        break;
    case HC_NUM_MISSING:
        if (!hc_number_is_missing(s, size) || !isnan(v))
            abort();
        break;
    case HC_NUM_INVALID:
        if (whole)
            abort(); /* strtod reads it as a decimal number: we must too */
        break;
    default:
        abort();
    }
    free(copy);
    return 0;
}
