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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Property: the radix select returns exactly the values a full sort puts
 * at the wanted positions, for spread and tied keys, values concentrated
 * in one octave (the select must recurse through every 16-bit level), NaN
 * and sizes on both sides of the small-bucket cut-off. */
static void test_select_ranks(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 7, 2048, 2049, 100000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int kind = 0; kind < 4; kind++) {
            size_t n = sizes[si];
            double *x = malloc(n * sizeof *x), *s = malloc(n * sizeof *s);
            srand((unsigned)(n * 4 + (size_t)kind));
            for (size_t i = 0; i < n; i++) {
                double u = (double)rand() / RAND_MAX;
                x[i] = kind == 0   ? (u - 0.5) * pow(10, rand() % 20 - 10)
                       : kind == 1 ? (double)(rand() % 5)
                       : kind == 2 ? 0.01 + 1e-9 * u /* one octave, 1e-9 wide */
                                   : (rand() % 97 == 0 ? NAN : u);
                s[i] = x[i];
            }
            hc_sort_by_double_key(s, n, sizeof *s);
            size_t ranks[6] = {0, n / 10, n / 2, n / 2, (9 * n) / 10, n - 1};
            double out[6];
            assert_int_equal(hc_select_ranks(x, n, ranks, 6, out), 0);
            for (int j = 0; j < 6; j++) {
                if (isnan(s[ranks[j]]))
                    assert_true(isnan(out[j]));
                else
                    assert_true(memcmp(&out[j], &s[ranks[j]], sizeof out[j]) == 0);
            }
            /* In place: the same values, and x has its own back. */
            double *xc = malloc(n * sizeof *xc), in[6];
            memcpy(xc, x, n * sizeof *xc);
            assert_int_equal(hc_select_ranks_in(xc, n, ranks, 6, in), 0);
            for (int j = 0; j < 6; j++)
                assert_true(isnan(out[j]) ? isnan(in[j])
                                          : memcmp(&in[j], &out[j], sizeof in[j]) == 0);
            for (size_t i = 0; i < n; i++)
                assert_true(isnan(x[i]) ? isnan(xc[i])
                                        : memcmp(&xc[i], &x[i], sizeof x[i]) == 0);
            free(xc);
            /* qsort agrees on the values too (a check of the check). */
            if (kind != 3) {
                qsort(x, n, sizeof *x, cmp_double);
                assert_true(x[ranks[2]] == out[2]);
            }
            free(x);
            free(s);
        }
    double v[3] = {3, 1, 2}, o[2];
    size_t bad[2] = {2, 1}, beyond[1] = {3};
    assert_int_equal(hc_select_ranks(v, 3, bad, 2, o), -1);
    assert_int_equal(hc_select_ranks(v, 3, beyond, 1, o), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_nan_last_and_plain_doubles),
        cmocka_unit_test(test_select_ranks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
