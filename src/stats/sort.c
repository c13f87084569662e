/* sort.c - stable LSD radix sort of records keyed by a leading double. */
#include "hc_sort.h"

#include <math.h>
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

/* The order key of the record at p (its leading double). */
static inline uint64_t record_key(const unsigned char *p)
{
    double d;
    memcpy(&d, p, sizeof d);
    return order_key(d);
}

void hc_sort_by_double_key(void *base, size_t n, size_t size)
{
    if (n < 2)
        return;
    unsigned char *a = base;
    if (n < 64) {
        uint64_t key[64];
        unsigned char *tmp = malloc(size);
        if (!tmp) {
            qsort(base, n, size, cmp_key);
            return;
        }
        for (size_t i = 0; i < n; i++)
            key[i] = record_key(a + i * size);
        insertion_sort(a, n, size, key, tmp);
        free(tmp);
        return;
    }
    /* The keys are recomputed from the records in every pass instead of
     * being kept beside them: a few integer operations per record cost
     * less than reading and writing two arrays of keys, and the scratch is
     * then just one copy of the records. */
    int bits = n >= LARGE_N ? 16 : 8, passes = 64 / bits;
    size_t digits = (size_t)1 << bits, mask = digits - 1;
    unsigned char *b = malloc(n * size);
    size_t *count = malloc((size_t)passes * digits * sizeof *count);
    if (!b || !count) {
        free(b);
        free(count);
        qsort(base, n, size, cmp_key);
        return;
    }
    /* Every pass's histogram in one pass over the records. */
    memset(count, 0, (size_t)passes * digits * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = record_key(a + i * size);
        for (int p = 0; p < passes; p++)
            count[(size_t)p * digits + ((k >> (p * bits)) & mask)]++;
    }
    unsigned char *src = a, *dst = b;
    for (int p = 0; p < passes; p++) {
        size_t *c = count + (size_t)p * digits;
        int shift = p * bits;
        /* A digit every key shares leaves the order as it is. */
        if (c[(record_key(src) >> shift) & mask] == n)
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
                size_t pos = c[(record_key(src + i * 8) >> shift) & mask]++;
                memcpy(dst + pos * 8, src + i * 8, 8);
            }
        } else if (size == 16) {
            for (size_t i = 0; i < n; i++) {
                size_t pos = c[(record_key(src + i * 16) >> shift) & mask]++;
                memcpy(dst + pos * 16, src + i * 16, 16);
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                size_t pos = c[(record_key(src + i * size) >> shift) & mask]++;
                memcpy(dst + pos * size, src + i * size, size);
            }
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * size);
    free(b);
    free(count);
}

/* ---- selection ---------------------------------------------------------- */

/* Buckets this small are finished by a comparison sort. */
#define SELECT_SMALL 2048

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Writes the keys at the sorted positions ranks[0..m) (ascending, each
 * < n) of the n keys at `key` into out[]: an MSD radix select, 16 bits per
 * level from the top, copying out only the buckets that hold a wanted
 * rank. Returns -1 when out of memory. */
static int select_keys(const uint64_t *key, size_t n, const size_t *ranks, size_t m,
                       int shift, uint64_t *out)
{
    if (n <= SELECT_SMALL || shift < 0) {
        uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
        if (!tmp)
            return -1;
        memcpy(tmp, key, n * sizeof *tmp);
        qsort(tmp, n, sizeof *tmp, cmp_u64);
        for (size_t j = 0; j < m; j++)
            out[j] = tmp[ranks[j]];
        free(tmp);
        return 0;
    }
    size_t *start = calloc(65537, sizeof *start);
    int32_t *slot = malloc(65536 * sizeof *slot);
    size_t *fill = malloc(m * sizeof *fill), *sub = malloc(m * sizeof *sub);
    size_t *bucket_of = malloc(m * sizeof *bucket_of);
    uint64_t *buf = NULL;
    int rc = -1;
    if (!start || !slot || !fill || !sub || !bucket_of)
        goto done;
    for (size_t i = 0; i < n; i++)
        start[((key[i] >> shift) & 0xffff) + 1]++;
    for (size_t d = 0; d < 65536; d++)
        start[d + 1] += start[d];
    /* The wanted buckets, in order, each with its place in buf. */
    for (size_t d = 0; d < 65536; d++)
        slot[d] = -1;
    size_t nw = 0, total = 0;
    for (size_t j = 0; j < m; j++) {
        size_t lo = 0, hi = 65536; /* the bucket d with start[d] <= rank < start[d + 1] */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (start[mid] <= ranks[j])
                lo = mid;
            else
                hi = mid;
        }
        bucket_of[j] = lo;
        if (slot[lo] < 0) {
            slot[lo] = (int32_t)nw;
            fill[nw++] = total;
            total += start[lo + 1] - start[lo];
        }
    }
    buf = malloc(total * sizeof *buf);
    if (!buf)
        goto done;
    for (size_t i = 0; i < n; i++) {
        int32_t w = slot[(key[i] >> shift) & 0xffff];
        if (w >= 0)
            buf[fill[w]++] = key[i];
    }
    rc = 0;
    size_t base = 0;
    for (size_t j = 0; j < m && rc == 0;) {
        size_t d = bucket_of[j], e = j, len = start[d + 1] - start[d];
        while (e < m && bucket_of[e] == d)
            e++;
        for (size_t q = j; q < e; q++)
            sub[q - j] = ranks[q] - start[d];
        rc = select_keys(buf + base, len, sub, e - j, shift - 16, out + j);
        base += len;
        j = e;
    }
done:
    free(start);
    free(slot);
    free(fill);
    free(sub);
    free(bucket_of);
    free(buf);
    return rc;
}

static double key_value(uint64_t k)
{
    /* The inverse of order_key for non-NaN keys. */
    uint64_t u = k >> 63 ? k & ~UINT64_C(0x8000000000000000) : ~k;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

int hc_select_ranks(const double *x, size_t n, const size_t *ranks, size_t m,
                    double *out)
{
    for (size_t j = 0; j < m; j++)
        if (ranks[j] >= n || (j > 0 && ranks[j] < ranks[j - 1]))
            return -1;
    if (m == 0)
        return 0;
    uint64_t *key = malloc((n ? n : 1) * sizeof *key), *kout = malloc(m * sizeof *kout);
    if (!key || !kout) {
        free(key);
        free(kout);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        key[i] = order_key(x[i]);
    int rc = select_keys(key, n, ranks, m, 48, kout);
    for (size_t j = 0; rc == 0 && j < m; j++)
        out[j] = kout[j] == UINT64_MAX ? NAN : key_value(kout[j]);
    free(key);
    free(kout);
    return rc;
}

int hc_select_ranks_in(double *x, size_t n, const size_t *ranks, size_t m, double *out)
{
    for (size_t j = 0; j < m; j++)
        if (ranks[j] >= n || (j > 0 && ranks[j] < ranks[j - 1]))
            return -1;
    if (m == 0)
        return 0;
    uint64_t *kout = malloc(m * sizeof *kout);
    if (!kout)
        return -1;
    /* x's storage holds the keys meanwhile (the same 8 bytes a value);
     * memcpy keeps the change of type well defined. */
    unsigned char *raw = (unsigned char *)x;
    for (size_t i = 0; i < n; i++) {
        double d;
        memcpy(&d, raw + i * sizeof d, sizeof d);
        uint64_t k = order_key(d);
        memcpy(raw + i * sizeof k, &k, sizeof k);
    }
    int rc = select_keys((const uint64_t *)(void *)raw, n, ranks, m, 48, kout);
    for (size_t i = 0; i < n; i++) {
        uint64_t k;
        memcpy(&k, raw + i * sizeof k, sizeof k);
        double d = k == UINT64_MAX ? NAN : key_value(k);
        memcpy(raw + i * sizeof d, &d, sizeof d);
    }
    for (size_t j = 0; rc == 0 && j < m; j++)
        out[j] = kout[j] == UINT64_MAX ? NAN : key_value(kout[j]);
    free(kout);
    return rc;
}
