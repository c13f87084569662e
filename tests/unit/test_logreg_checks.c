/* test_logreg_checks.c - unit tests of the logistic fit on data it cannot fit: no events, constant or collinear columns, separation, non-finite values, no convergence, bad usage. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hc_logreg.h"

/* ---- degenerate data ---------------------------------------------------- */

/* Fits n rows of p columns and expects `status` with `needle` in the
 * message and an empty result. */
static void expect_fail(size_t n, size_t p, const double *X, const double *y,
                        const char *const *names, double ridge,
                        hc_status status, const char *needle)
{
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = n;
    prob.p = p;
    prob.X = X;
    prob.y = y;
    prob.names = names;
    prob.ridge = ridge;
    prob.event_name = "churners";
    hc_logreg_result r;
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_logreg_fit(&prob, &r, &err);
    if (st != status || !strstr(err.message, needle))
        fprintf(stderr, "status %d, message: %s\n(expected %d, \"%s\")\n",
                (int)st, err.message, (int)status, needle);
    assert_int_equal(st, status);
    assert_non_null(strstr(err.message, needle));
    assert_null(r.coef);
    assert_null(r.se);
}

/* Twelve rows with an overlapping signal in two columns. */
static void base_data(double *X, double *y)
{
    static const double a[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static const double b[12] = {5, 3, 6, 2, 8, 1, 7, 4, 9, 3, 6, 2};
    static const double l[12] = {0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1};
    for (size_t i = 0; i < 12; i++) {
        X[i * 2] = a[i];
        X[i * 2 + 1] = b[i];
        y[i] = l[i];
    }
}

static const char *const ab[] = {"a", "b"};

static void test_no_events(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    memset(y, 0, sizeof y);
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "no churners: all 12 rows have label 0");
}

static void test_all_events(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    for (size_t i = 0; i < 12; i++)
        y[i] = 1.0;
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "all 12 rows have label 1");
}

static void test_constant_column(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    for (size_t i = 0; i < 12; i++)
        X[i * 2 + 1] = 0.1;
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "column 'b' is constant (every row is 0.1)");
    /* A ridge does not excuse it. */
    expect_fail(12, 2, X, y, ab, 1.0, HC_ENUMERIC, "column 'b' is constant");
}

static void test_collinear_pair(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    for (size_t i = 0; i < 12; i++)
        X[i * 2 + 1] = 3.0 - 0.1 * X[i * 2];
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "columns 'a' and 'b' are collinear");
}

static void test_collinear_three(void **state)
{
    (void)state;
    /* c = a + 2b; d is unrelated and must not be named. */
    double X[12 * 4], y[12], base[24];
    base_data(base, y);
    static const double dcol[12] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
    for (size_t i = 0; i < 12; i++) {
        X[i * 4] = dcol[i];
        X[i * 4 + 1] = base[i * 2];
        X[i * 4 + 2] = base[i * 2 + 1];
        X[i * 4 + 3] = base[i * 2] + 2.0 * base[i * 2 + 1];
    }
    static const char *const names[] = {"d", "a", "b", "c"};
    expect_fail(12, 4, X, y, names, 0.0, HC_ENUMERIC,
                "columns 'a', 'b' and 'c' are collinear");
}

/* The same over 5000 rows (five blocks of the check, and a partial one)
 * and six columns, whose 21 cross-products the check sums four at a time:
 * f = b - 3 e is found however the pairs fall into groups, and a near
 * twin that differs in one row is not. Closed form: f is exactly a
 * combination of b and e. */
static void test_collinear_many_blocks(void **state)
{
    (void)state;
    enum { N = 5000, P = 6 };
    double *X = malloc(N * P * sizeof *X), *y = malloc(N * sizeof *y);
    assert_non_null(X);
    assert_non_null(y);
    for (size_t i = 0; i < N; i++) {
        double *x = X + i * P;
        x[0] = (double)((i * 7) % 11);
        x[1] = (double)((i * 13) % 17) - 8.0;
        x[2] = (double)((i * 5) % 19);
        x[3] = (double)((i * 3) % 23) / 4.0;
        x[4] = (double)((i * 11) % 29);
        x[5] = x[1] - 3.0 * x[4];
        y[i] = (double)((i * 31) % 7 < 3 ? 1 : 0);
    }
    static const char *const names[] = {"a", "b", "c", "d", "e", "f"};
    expect_fail(N, P, X, y, names, 0.0, HC_ENUMERIC,
                "columns 'b', 'e' and 'f' are collinear");
    X[2500 * P + 5] += 1.0; /* no longer exact: the fit goes ahead */
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = N;
    prob.p = P;
    prob.X = X;
    prob.y = y;
    double mean[P], sd[P];
    hc_error err;
    assert_int_equal(hc_logreg_check(&prob, mean, sd, &err), HC_OK);
    free(X);
    free(y);
}

static void test_too_few_rows(void **state)
{
    (void)state;
    double X[4] = {1, 2, 3, 4}, y[2] = {0, 1};
    expect_fail(2, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "2 rows for 3 parameters");
}

static void test_separation_single(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    for (size_t i = 0; i < 12; i++)
        y[i] = X[i * 2 + 1] >= 5.5; /* b separates */
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "perfect separation: column 'b' alone predicts the outcome");
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC, "--ridge");
    /* With a ridge the penalised fit exists and is finite. */
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = 12;
    prob.p = 2;
    prob.X = X;
    prob.y = y;
    prob.ridge = 1.0;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    assert_true(r.coef[2] > 0.0 && isfinite(r.se[2]));
    hc_logreg_result_release(&r);
}

static void test_separation_quasi(void **state)
{
    (void)state;
    /* Binary b: every churner has b = 1, non-churners have both. */
    double X[24], y[12];
    base_data(X, y);
    for (size_t i = 0; i < 12; i++)
        X[i * 2 + 1] = y[i] == 1.0 || i % 3 == 0;
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "quasi-complete separation: column 'b'");
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "every row with 'b' < 1 has label 0, and all churners have "
                "'b' = 1");
}

static void test_separation_joint(void **state)
{
    (void)state;
    /* Neither column separates alone, but a - b does: y = 1 iff a > b. */
    double X[40 * 2], y[40];
    for (size_t i = 0; i < 40; i++) {
        double a = (double)(i % 10), b = (double)((i * 7) % 11) - 0.5;
        X[i * 2] = a;
        X[i * 2 + 1] = b;
        y[i] = a > b;
    }
    expect_fail(40, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "perfect or quasi-complete separation");
    expect_fail(40, 2, X, y, ab, 0.0, HC_ENUMERIC, "--ridge");
}

/* Quasi-complete separation by a combination of columns: y = 1 iff
 * a > b, with both labels among rows where a == b (one row in ten). No
 * single column separates, so only the fit itself can tell. */
static void test_separation_joint_quasi(void **state)
{
    (void)state;
    size_t n = 2000;
    double *X = malloc(n * 2 * sizeof(double)), *y = malloc(n * sizeof(double));
    assert_non_null(X);
    assert_non_null(y);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    for (size_t i = 0; i < n; i++) {
        double a = gsl_ran_gaussian(rng, 1.0), b = gsl_ran_gaussian(rng, 1.0);
        if (i % 10 == 0)
            b = a;
        X[i * 2] = a;
        X[i * 2 + 1] = b;
        y[i] = a > b ? 1.0 : a < b ? 0.0 : (double)(gsl_rng_uniform(rng) < 0.5);
    }
    gsl_rng_free(rng);
    expect_fail(n, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "perfect or quasi-complete separation");
    free(X);
    free(y);
}

/* Extreme fitted probabilities alone are not separation: a strong effect
 * with two far outliers (fitted probabilities within 1e-20 of 0 and 1)
 * has a finite maximum and must fit. */
static void test_extreme_not_separation(void **state)
{
    (void)state;
    size_t n = 2000;
    double *X = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    assert_non_null(X);
    assert_non_null(y);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    for (size_t i = 0; i < n; i++) {
        X[i] = gsl_ran_gaussian(rng, 1.0);
        y[i] = gsl_rng_uniform(rng) < hc_logistic(3.0 * X[i]);
    }
    gsl_rng_free(rng);
    X[0] = 20.0;
    y[0] = 1.0;
    X[1] = -25.0;
    y[1] = 0.0;
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = n;
    prob.p = 1;
    prob.X = X;
    prob.y = y;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    /* Truth 3; the estimate lies within 4 of its standard errors. */
    assert_true(fabs(r.coef[1] - 3.0) < 4.0 * r.se[1]);
    assert_true(hc_logreg_linear(&r, &X[1]) < -46.0);
    hc_logreg_result_release(&r);
    free(X);
    free(y);
}

static void test_nonfinite(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    X[4 * 2 + 1] = NAN;
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "row 5, column 'b': the value is not a finite number");
    base_data(X, y);
    X[11 * 2] = INFINITY;
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "row 12, column 'a': the value is not a finite number (inf)");
    base_data(X, y);
    y[2] = NAN;
    expect_fail(12, 2, X, y, ab, 0.0, HC_ENUMERIC,
                "row 3: the label is not a finite number");
    base_data(X, y);
    y[2] = 2.0;
    expect_fail(12, 2, X, y, ab, 0.0, HC_EDATA,
                "row 3: the label is 2; labels must be 0 or 1");

    /* A non-finite offset is named by row too. */
    double off[12] = {0};
    off[6] = -INFINITY;
    base_data(X, y);
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = 12;
    prob.p = 2;
    prob.X = X;
    prob.y = y;
    prob.offset = off;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "row 7: the offset is not a finite"));
}

/* A design held as columns is checked a column at a time; the error must
 * still name the first bad value in row order, whatever column or block
 * it is in. 3000 rows (three blocks of the check) of three columns, with
 * bad values planted at later rows in earlier columns. */
static void test_nonfinite_columns_first_in_row_order(void **state)
{
    (void)state;
    enum { N = 3000 };
    static double a[N], b[N], c[N], y[N];
    static const char *const names[] = {"a", "b", "c"};
    const double *cols[3] = {a, b, c};
    struct {
        size_t ra, rb, rc, ry; /* rows of the bad values (N: none) */
        double yv;
        const char *expect;
    } cases[] = {
        {1500, 1400, N, N, 0, "row 1401, column 'b': the value is not a finite number"},
        {2999, N, 2100, N, 0, "row 2101, column 'c'"},
        {N, 1700, N, 1600, 2.0, "row 1601: the label is 2; labels must be 0 or 1"},
        {10, N, 5, 7, NAN, "row 6, column 'c'"},
        {N, N, N, 2048, NAN, "row 2049: the label is not a finite number"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (size_t i = 0; i < N; i++) {
            a[i] = (double)(i % 17);
            b[i] = (double)((i * 7) % 23);
            c[i] = (double)((i * 5) % 11);
            y[i] = (double)((i * 13) % 10 < 3);
        }
        if (cases[k].ra < N)
            a[cases[k].ra] = INFINITY;
        if (cases[k].rb < N)
            b[cases[k].rb] = NAN;
        if (cases[k].rc < N)
            c[cases[k].rc] = -INFINITY;
        if (cases[k].ry < N)
            y[cases[k].ry] = cases[k].yv;
        hc_logreg_problem prob;
        hc_logreg_problem_init(&prob);
        prob.n = N;
        prob.p = 3;
        prob.cols = cols;
        prob.y = y;
        prob.names = names;
        hc_logreg_result r;
        hc_error err;
        hc_error_clear(&err);
        assert_int_not_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
        if (!strstr(err.message, cases[k].expect))
            fprintf(stderr, "case %zu: %s\n", k, err.message);
        assert_non_null(strstr(err.message, cases[k].expect));
    }
}

static void test_no_convergence(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = 12;
    prob.p = 2;
    prob.X = X;
    prob.y = y;
    prob.max_iter = 1;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "did not converge in 1 iteration"));
    assert_null(r.coef);
    /* The same data converge with the default cap. */
    prob.max_iter = 0;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    assert_true(r.converged);
    hc_logreg_result_release(&r);
}

static void test_one_cluster(void **state)
{
    (void)state;
    double X[24], y[12];
    int32_t cl[12] = {0};
    base_data(X, y);
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = 12;
    prob.p = 2;
    prob.X = X;
    prob.y = y;
    prob.cluster = cl;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "at least 2 clusters"));
}

static void test_bad_usage(void **state)
{
    (void)state;
    double X[24], y[12];
    base_data(X, y);
    expect_fail(12, 2, X, y, ab, -1.0, HC_EUSAGE, "ridge");
    expect_fail(12, 2, NULL, y, ab, 0.0, HC_EUSAGE, "missing");
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(NULL, &r, &err), HC_EUSAGE);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_events),
        cmocka_unit_test(test_all_events),
        cmocka_unit_test(test_constant_column),
        cmocka_unit_test(test_collinear_pair),
        cmocka_unit_test(test_collinear_three),
        cmocka_unit_test(test_collinear_many_blocks),
        cmocka_unit_test(test_too_few_rows),
        cmocka_unit_test(test_separation_single),
        cmocka_unit_test(test_separation_quasi),
        cmocka_unit_test(test_separation_joint),
        cmocka_unit_test(test_separation_joint_quasi),
        cmocka_unit_test(test_extreme_not_separation),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_nonfinite_columns_first_in_row_order),
        cmocka_unit_test(test_no_convergence),
        cmocka_unit_test(test_one_cluster),
        cmocka_unit_test(test_bad_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
