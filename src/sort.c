/* sort.c - stable LSD radix sort of records keyed by a leading double. */
#include "hc_sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 16-bit digits (4 passes) for large arrays; 8-bit digits (8 passes, a
 * small histogram) below, where clearing 2 MiB of counts would dominate. */
#define LARGE_N 65536

/* Maps a double's bits to an unsigned key with the same order: flip every
 * bit of negatives, only the sign bit of positives. NaN (any sign) maps to
 * the top so that it sorts last. */
static uint64_t order_key(double d)
{
    if (d != d)
        return UINT64_MAX;
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | UINT64_C(0x8000000000000000);
}

static int cmp_key(const void *a, const void *b)
{
    double x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    return (x > y) - (x < y);
}

static void insertion_sort(unsigned char *base, size_t n, size_t size,
                           uint64_t *key, unsigned char *tmp)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t k = key[i];
        size_t j = i;
        if (key[j - 1] <= k)
            continue;
        memcpy(tmp, base + i * size, size);
        while (j > 0 && key[j - 1] > k) {
            key[j] = key[j - 1];
            memcpy(base + j * size, base + (j - 1) * size, size);
            j--;
        }
        key[j] = k;
        memcpy(base + j * size, tmp, size);
    }
}

void hc_sort_by_double_key(void *base, size_t n, size_t size)
{
    if (n < 2)
        return;
    unsigned char *a = base;
    uint64_t *key = malloc(n * sizeof *key);
    uint64_t *key2 = n >= 64 ? malloc(n * sizeof *key2) : NULL;
    unsigned char *b = malloc(n >= 64 ? n * size : size);
    int bits = n >= LARGE_N ? 16 : 8, passes = 64 / bits;
    size_t digits = (size_t)1 << bits, mask = digits - 1;
    size_t *count = n >= 64 ? malloc((size_t)passes * digits * sizeof *count) : NULL;
    if (!key || !b || (n >= 64 && (!key2 || !count))) {
        free(key);
        free(key2);
        free(b);
        free(count);
        qsort(base, n, size, cmp_key);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double d;
        memcpy(&d, a + i * size, sizeof d);
        key[i] = order_key(d);
    }
    if (n < 64) {
        insertion_sort(a, n, size, key, b);
        free(key);
        free(b);
        return;
    }
    /* Every pass's histogram in one pass over the keys. */
    memset(count, 0, (size_t)passes * digits * sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < passes; p++)
            count[(size_t)p * digits + ((key[i] >> (p * bits)) & mask)]++;
    unsigned char *src = a, *dst = b;
    uint64_t *ksrc = key, *kdst = key2;
    for (int p = 0; p < passes; p++) {
        size_t *c = count + (size_t)p * digits;
        int shift = p * bits;
        /* A digit every key shares leaves the order as it is. */
        if (c[(ksrc[0] >> shift) & mask] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < digits; d++) {
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        /* Fixed-size copies for the common record sizes: a memcpy call
         * per 8- or 16-byte record would cost more than the sort. */
        if (size == 8) {
            for (size_t i = 0; i < n; i++) {
                size_t pos = c[(ksrc[i] >> shift) & mask]++;
                kdst[pos] = ksrc[i];
                memcpy(dst + pos * 8, src + i * 8, 8);
            }
        } else if (size == 16) {
            for (size_t i = 0; i < n; i++) {
                size_t pos = c[(ksrc[i] >> shift) & mask]++;
                kdst[pos] = ksrc[i];
                memcpy(dst + pos * 16, src + i * 16, 16);
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                size_t pos = c[(ksrc[i] >> shift) & mask]++;
                kdst[pos] = ksrc[i];
                memcpy(dst + pos * size, src + i * size, size);
            }
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
        uint64_t *kt = ksrc;
        ksrc = kdst;
        kdst = kt;
    }
    if (src != a)
        memcpy(a, src, n * size);
    free(key);
    free(key2);
    free(b);
    free(count);
}
