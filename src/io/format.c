/* format.c - numbers written for people: money, band ranges, percentages and intervals for the report's pages. */
#include "hc_format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void hc_format_money(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    if (strcmp(digits, "0") == 0)
        v = 0; /* no "-0" */
    /* 63 digits, 20 separators, a sign and the NUL fit in 96 bytes. */
    size_t n = strlen(digits), o = 0;
    char tmp[96];
    if (v < 0)
        tmp[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    snprintf(buf, size, "%s", tmp);
}

void hc_format_band_range(const double *mins, size_t n_bands, size_t i, char *buf,
                          size_t size)
{
    if (n_bands <= 1)
        snprintf(buf, size, "0 to 100");
    else if (i == 0)
        snprintf(buf, size, "below %g", mins[1]);
    else if (i + 1 == n_bands)
        snprintf(buf, size, "%g and above", mins[i]);
    else
        snprintf(buf, size, "%g to %g", mins[i], mins[i + 1]);
}

int hc_format_percent(double share, int decimals, char *buf, size_t size)
{
    double pct = 100 * share;
    if (!isfinite(pct)) {
        snprintf(buf, size, "-");
        return 0;
    }
    snprintf(buf, size, "%.*f%%", decimals, pct);
    return 1;
}

int hc_format_interval(double v, double lo, double hi, int decimals, char *buf,
                       size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return 0;
    }
    if (isfinite(lo) && isfinite(hi))
        snprintf(buf, size, "%.*f (%.*f to %.*f)", decimals, v, decimals, lo, decimals, hi);
    else
        snprintf(buf, size, "%.*f", decimals, v);
    return 1;
}
