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

#endif
