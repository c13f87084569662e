/* fuzz_date.c - libFuzzer target: hc_date_parse against timegm as the oracle. */
#include "hc_date.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int32_t day = 7;
    int ok = hc_date_parse(s, size, &day) == 0;
    /* Independent oracle: a well-shaped YYYY-MM-DD whose fields survive
     * timegm's normalisation unchanged is a valid date. */
    int shaped = size == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; shaped && i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            shaped = 0;
    int valid = 0;
    long ref_day = 0;
    if (shaped) {
        int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0'),
            d = (s[8] - '0') * 10 + (s[9] - '0');
        struct tm tm = {0};
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        time_t t = timegm(&tm);
        valid = y >= 1000 && m >= 1 && m <= 12 && d >= 1 &&
                tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d;
        ref_day = (long)(t / 86400);
    }
    if (ok != valid)
        abort();
    if (ok) {
        if (day != ref_day)
            abort();
        char buf[11];
        hc_date_format(day, buf);
        if (memcmp(buf, s, 10) != 0)
            abort(); /* formatting round-trips */
        int y, m, d;
        hc_date_to_civil(day, &y, &m, &d);
        if (hc_date_from_civil(y, m, d) != day)
            abort();
    }
    /* Formatting any day number must not misbehave either. */
    if (size >= 4) {
        int32_t any;
        memcpy(&any, data, sizeof any);
        char buf[11];
        hc_date_format(any, buf);
    }
    return 0;
}
