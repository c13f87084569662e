/* test_sort.c - the radix sort against a comparison sort with an index tie-break. */
#include "test_util.h"

#include "hc_sort.h"

typedef struct {
    double k;
    size_t i;
} rec;

static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->k != y->k)
        return (x->k > y->k) - (x->k < y->k);
    return (x->i > y->i) - (x->i < y->i);
}

/* Property: for keys with many ties, negatives, signed zeros and a wide
 * exponent range, the stable radix sort gives exactly the order of qsort
 * with ties broken by input index (the reference). */
static void check(size_t n, unsigned seed, int ties)
{
    rec *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        double v;
        if (ties)
            v = (double)(rand() % 7 - 3) * 0.5;
        else
            v = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 40 - 20);
        if (rand() % 50 == 0)
            v = (rand() & 1) ? 0.0 : -0.0;
        a[i] = b[i] = (rec){v, i};
    }
    hc_sort_by_double_key(a, n, sizeof *a);
    qsort(b, n, sizeof *b, cmp_rec);
    for (size_t i = 0; i < n; i++) {
        assert_true(a[i].k == b[i].k);
        if (a[i].k != 0) /* -0 and +0 are equal keys in either order */
            assert_int_equal(a[i].i, b[i].i);
    }
    for (size_t i = 1; i < n; i++)
        assert_true(a[i - 1].k <= a[i].k);
    free(a);
    free(b);
}

static void test_matches_reference(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 2, 5, 63, 64, 65, 1000, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        check(sizes[s], (unsigned)s + 1, 0);
        check(sizes[s], (unsigned)s + 100, 1);
    }
}

/* NaN keys go last; plain doubles (size 8) sort too. */
static void test_nan_last_and_plain_doubles(void **state)
{
    (void)state;
    double v[200];
    for (int i = 0; i < 200; i++)
        v[i] = i % 17 == 0 ? NAN : (double)((i * 37) % 101) - 50;
    hc_sort_by_double_key(v, 200, sizeof v[0]);
    int seen_nan = 0;
    for (int i = 0; i < 200; i++) {
        if (isnan(v[i]))
            seen_nan = 1;
        else
            assert_false(seen_nan);
        if (i && !isnan(v[i]))
            assert_true(v[i - 1] <= v[i]);
    }
    assert_true(seen_nan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_nan_last_and_plain_doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
