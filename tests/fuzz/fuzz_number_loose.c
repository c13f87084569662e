/* fuzz_number_loose.c - libFuzzer target: hc_number_parse_loose against hc_number_parse and strtod. */
#include "hc_number.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1024)
        return 0;
    unsigned flags = data[0] & 7;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    double v = 1.0, w = 2.0;
    hc_decimal dec;
    hc_num_status st = hc_number_parse_loose(s, n, flags, &v, &dec);
    if (st == HC_NUM_OK && !isfinite(v))
        abort();
    /* What the plain parser accepts, the loose one reads the same, unless
     * a decimal comma makes '.' a separator. */
    if (!(flags & HC_NUMF_DECIMAL_COMMA) && hc_number_parse(s, n, &w) == HC_NUM_OK &&
        (st != HC_NUM_OK || memcmp(&v, &w, sizeof v) != 0))
        abort();
    /* The decimal form, when exact, is the value. */
    if (st == HC_NUM_OK && dec.exact) {
        static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        double m = (double)dec.mant;
        double back = dec.exp10 < 0 ? m / p10[-dec.exp10] : m * p10[dec.exp10];
        if (dec.negative)
            back = -back;
        if (memcmp(&back, &v, sizeof v) != 0 && !(back == 0 && v == 0))
            abort();
    }
    return 0;
}
