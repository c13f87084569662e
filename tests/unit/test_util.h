/* test_util.h - shared helpers for the cmocka unit tests. */
#ifndef HC_TEST_UTIL_H
#define HC_TEST_UTIL_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Asserts |a - b| <= tol * max(1, |b|): relative for large values, absolute
 * near zero. */
#define assert_close(a, b, tol) \
    hc_test_assert_close((a), (b), (tol), #a, __FILE__, __LINE__)

static inline void hc_test_assert_close(double a, double b, double tol,
                                        const char *what, const char *file,
                                        int line)
{
    double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
    if (!(fabs(a - b) <= tol * scale)) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (tol %g)\n", file,
                line, what, a, b, tol);
        fail();
    }
}

/* The directory of the shared public datasets, or NULL (test skips). */
static inline const char *hc_test_datasets(void)
{
    const char *d = getenv("HC_SHARED_DATASETS");
    if (!d)
        d = "../shared/datasets";
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/README.md", d);
    FILE *f = fopen(probe, "r");
    if (!f)
        return NULL;
    fclose(f);
    return d;
}

#define HC_SKIP_WITHOUT_DATASETS(dir)                                        \
    do {                                                                     \
        (dir) = hc_test_datasets();                                          \
        if (!(dir)) {                                                        \
            fprintf(stderr, "skipped: ../shared/datasets is absent "         \
                            "(set HC_SHARED_DATASETS)\n");                   \
            skip();                                                          \
        }                                                                    \
    } while (0)

/* A growing NUL-terminated byte buffer, for tests that build inputs or
 * logs of what a call did. Start from {0}; free(b.p) at the end. */
typedef struct {
    char *p;
    size_t n, cap;
} gbuf;

static inline void gb_put(gbuf *b, const void *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (len)
        memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static inline void gb_str(gbuf *b, const char *s)
{
    gb_put(b, s, strlen(s));
}

static inline void gb_printf(gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void gb_printf(gbuf *b, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof tmp);
    gb_put(b, tmp, (size_t)n);
}

/* xorshift64* (Vigna 2016): reproducible test inputs from a seed. */
static inline uint64_t hc_test_rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

#endif
