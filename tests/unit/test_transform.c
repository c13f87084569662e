/* test_transform.c - unit tests of the metric transforms (src/model/transform.c). */
#include "test_util.h"

#include "hc_model.h"

static hc_transform make_linear(hc_transform_type type, double low,
                                double high, int higher)
{
    hc_transform tf;
    hc_transform_init(&tf);
    tf.type = type;
    tf.low = low;
    tf.high = high;
    tf.higher_is_healthier = higher;
    return tf;
}

/* Closed form: 100 (x - a) / (b - a) clamped to [0, 100], reversed as
 * 100 minus that. */
static void test_linear_clamp_both_directions(void **state)
{
    (void)state;
    hc_transform up = make_linear(HC_TF_LINEAR, 2, 12, 1);
    hc_transform down = make_linear(HC_TF_LINEAR, 2, 12, 0);
    const double x[] = {-5, 2, 4.5, 7, 11.9, 12, 40};
    const double want[] = {0, 0, 25, 50, 99, 100, 100};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
        assert_close(hc_transform_apply(&up, x[i]), want[i], 1e-13);
        assert_close(hc_transform_apply(&down, x[i]), 100 - want[i], 1e-13);
    }
    /* The ends are exact, not merely close. */
    assert_true(hc_transform_apply(&up, 12) == 100.0);
    assert_true(hc_transform_apply(&up, 2) == 0.0);
    assert_true(hc_transform_apply(&down, 12) == 0.0);
    /* Negative bounds. */
    hc_transform neg = make_linear(HC_TF_LINEAR, -100, 100, 1);
    assert_close(hc_transform_apply(&neg, -50), 25, 1e-13);
    assert_close(hc_transform_apply(&neg, 0), 50, 1e-13);
}

/* Closed form: the linear score on log1p(x) between log1p(a), log1p(b). */
static void test_log(void **state)
{
    (void)state;
    hc_transform up = make_linear(HC_TF_LOG, 0, 99, 1);
    /* log1p(9) / log1p(99) = ln 10 / ln 100 = 1/2 exactly in real numbers. */
    assert_close(hc_transform_apply(&up, 9), 50, 1e-12);
    assert_close(hc_transform_apply(&up, 0), 0, 1e-15);
    assert_close(hc_transform_apply(&up, 99), 100, 1e-15);
    assert_close(hc_transform_apply(&up, 1e6), 100, 1e-15);
    /* x < 0 clamps to low (log1p would be undefined at x <= -1). */
    assert_close(hc_transform_apply(&up, -0.5), 0, 1e-15);
    assert_close(hc_transform_apply(&up, -3), 0, 1e-15);

    hc_transform down = make_linear(HC_TF_LOG, 1, 20, 0);
    double x = 5;
    double want = 100 - 100 * (log(6) - log(2)) / (log(21) - log(2));
    assert_close(hc_transform_apply(&down, x), want, 1e-12);
    assert_close(hc_transform_apply(&down, 0.5), 100, 1e-15); /* below low */
    assert_close(hc_transform_apply(&down, -7), 100, 1e-15);
    assert_close(hc_transform_apply(&down, 20), 0, 1e-15);
}

/* Closed form: linear interpolation between the points, flat outside. */
static void test_piecewise(void **state)
{
    (void)state;
    double px[] = {0, 30, 60, 90}, ps[] = {100, 60, 20, 0};
    hc_transform tf;
    hc_transform_init(&tf);
    tf.type = HC_TF_PIECEWISE;
    tf.n_points = 4;
    tf.px = px;
    tf.ps = ps;
    const double x[] = {-10, 0, 15, 30, 45, 59, 75, 90, 200};
    const double want[] = {100, 100, 80, 60, 40, 60 - 40.0 * 29 / 30, 10, 0,
                           0};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        assert_close(hc_transform_apply(&tf, x[i]), want[i], 1e-13);
    /* A non-monotone shape (a sweet spot in the middle). */
    double qx[] = {0, 5, 10}, qs[] = {20, 100, 20};
    tf.n_points = 3;
    tf.px = qx;
    tf.ps = qs;
    assert_close(hc_transform_apply(&tf, 2.5), 60, 1e-13);
    assert_close(hc_transform_apply(&tf, 7.5), 60, 1e-13);
    assert_close(hc_transform_apply(&tf, -1), 20, 1e-15);
    assert_close(hc_transform_apply(&tf, 11), 20, 1e-15);
}

static void test_identity_and_missing(void **state)
{
    (void)state;
    hc_transform id;
    hc_transform_init(&id);
    assert_close(hc_transform_apply(&id, -5), 0, 0);
    assert_close(hc_transform_apply(&id, 42.5), 42.5, 0);
    assert_close(hc_transform_apply(&id, 150), 100, 0);
    /* NaN (a missing cell) stays missing for every transform type. */
    double px[] = {0, 1}, ps[] = {0, 100}, cuts[HC_QUANTILE_CUTS];
    for (int j = 0; j < HC_QUANTILE_CUTS; j++)
        cuts[j] = j;
    hc_transform t[5];
    t[0] = id;
    t[1] = make_linear(HC_TF_LINEAR, 0, 1, 0);
    t[2] = make_linear(HC_TF_LOG, 0, 1, 1);
    hc_transform_init(&t[3]);
    t[3].type = HC_TF_PIECEWISE;
    t[3].n_points = 2;
    t[3].px = px;
    t[3].ps = ps;
    hc_transform_init(&t[4]);
    t[4].type = HC_TF_QUANTILE;
    t[4].cuts = cuts;
    for (int i = 0; i < 5; i++)
        assert_true(isnan(hc_transform_apply(&t[i], NAN)));
    /* Infinite input clamps like any out-of-range value. */
    assert_close(hc_transform_apply(&t[1], INFINITY), 0, 0);
    assert_close(hc_transform_apply(&t[2], INFINITY), 100, 0);
    /* The array form equals the scalar form, in place too. */
    double xs[4] = {0.25, NAN, -1, 3}, out[4];
    hc_transform_apply_array(&t[1], xs, 4, out);
    hc_transform_apply_array(&t[1], xs, 4, xs);
    for (int i = 0; i < 4; i++) {
        double one = hc_transform_apply(&t[1], i == 0 ? 0.25 : i == 1 ? NAN
                                                      : i == 2 ? -1 : 3);
        assert_true(isnan(one) ? isnan(out[i]) && isnan(xs[i])
                               : out[i] == one && xs[i] == one);
    }
}

/* R: quantile(x, (1:99)/100, type = 7, na.rm = TRUE) for the sample in
 * tests/reference/model.R (Rscript tests/reference/model.R, R 4.x). */
static const double r_cuts[HC_QUANTILE_CUTS] = {
    0.27000000000000007, 0.33999999999999997, 0.41000000000000003,
    0.47999999999999998, 0.55000000000000004, 0.62000000000000011,
    0.69000000000000017, 0.76000000000000012, 0.82999999999999996,
    0.90000000000000002, 0.96000000000000008, 1.02, 1.0800000000000001,
    1.1400000000000001, 1.2, 1.26, 1.3200000000000001, 1.3799999999999999,
    1.4399999999999999, 1.5, 1.5700000000000001, 1.6400000000000001,
    1.7100000000000002, 1.78, 1.8500000000000001, 1.9200000000000002,
    1.9900000000000002, 2.0600000000000005, 2.1299999999999999,
    2.2000000000000002, 2.2899999999999996, 2.3800000000000003,
    2.4700000000000006, 2.5600000000000005, 2.6500000000000004,
    2.7399999999999998, 2.8300000000000005, 2.9199999999999999,
    3.0100000000000007, 3.1000000000000001, 3.23, 3.3600000000000003,
    3.4900000000000002, 3.620000000000001, 3.75, 3.8800000000000008,
    4.0099999999999989, 4.1400000000000006, 4.2700000000000005,
    4.4000000000000004, 4.5099999999999998, 4.620000000000001,
    4.7300000000000004, 4.8400000000000007, 4.9500000000000002,
    5.0600000000000005, 5.169999999999999, 5.2799999999999994,
    5.3899999999999997, 5.5, 5.6099999999999994, 5.7199999999999998,
    5.8300000000000001, 5.9400000000000004, 6.0499999999999998,
    6.1600000000000001, 6.2699999999999996, 6.3800000000000008,
    6.4899999999999984, 6.5999999999999996, 6.7099999999999991,
    6.8199999999999994, 6.9299999999999997, 7.04, 7.1500000000000004,
    7.2599999999999998, 7.3699999999999992, 7.4800000000000004,
    7.5900000000000007, 7.7000000000000002, 7.8100000000000014,
    7.919999999999999, 8.0299999999999994, 8.1400000000000006, 8.25,
    8.3599999999999994, 8.4699999999999989, 8.5800000000000018,
    8.6900000000000013, 8.8000000000000007, 8.9100000000000001,
    9.0200000000000014, 9.1300000000000008, 9.2399999999999984,
    9.3500000000000014, 9.4600000000000009, 9.5700000000000003,
    9.6800000000000015, 9.7900000000000009};

static void test_quantile_learn_matches_r(void **state)
{
    (void)state;
    const double x[] = {3.1, 0.2, 7.7, 1.5, 9.9, NAN,
                        4.4, 2.2, 8.8, 5.5, 6.6, 0.9};
    hc_transform tf;
    hc_transform_init(&tf);
    tf.type = HC_TF_QUANTILE;
    hc_error err;
    assert_int_equal(hc_transform_learn_quantiles(&tf, x, NULL, 12, &err),
                     HC_OK);
    assert_non_null(tf.cuts);
    /* Same operations as R's code, so agreement is to the last bit. */
    for (int j = 0; j < HC_QUANTILE_CUTS; j++)
        assert_close(tf.cuts[j], r_cuts[j], 0);

    /* A row subset: rows 0..4 of the same data are {3.1,0.2,7.7,1.5,9.9};
     * R: quantile(c(3.1,0.2,7.7,1.5,9.9), c(.01,.5,.99)) =
     * 0.25200000000000006, 3.1000000000000001, 9.8119999999999994. */
    size_t rows[] = {4, 0, 2, 1, 3, 5}; /* row 5 is missing: ignored */
    assert_int_equal(hc_transform_learn_quantiles(&tf, x, rows, 6, &err),
                     HC_OK);
    assert_close(tf.cuts[0], 0.25200000000000006, 0);
    assert_close(tf.cuts[49], 3.1000000000000001, 0);
    assert_close(tf.cuts[98], 9.8119999999999994, 0);
    hc_transform_release(&tf);
}

/* Known data 1..101: the type-7 j-th percentile is exactly j + 1, so the
 * score of x in [2, 100] is x - 1 (closed form). */
static void test_quantile_known_data(void **state)
{
    (void)state;
    double x[101];
    for (int i = 0; i < 101; i++)
        x[i] = i + 1;
    hc_transform tf;
    hc_transform_init(&tf);
    tf.type = HC_TF_QUANTILE;
    tf.higher_is_healthier = 1;
    assert_int_equal(hc_transform_learn_quantiles(&tf, x, NULL, 101, NULL),
                     HC_OK);
    for (int j = 0; j < HC_QUANTILE_CUTS; j++)
        assert_close(tf.cuts[j], j + 2, 1e-15);
    assert_close(hc_transform_apply(&tf, 50.5), 49.5, 1e-13);
    assert_close(hc_transform_apply(&tf, 2), 1, 1e-13);
    assert_close(hc_transform_apply(&tf, 100), 99, 1e-13);
    assert_close(hc_transform_apply(&tf, 1.5), 0, 0);   /* below c_1 */
    assert_close(hc_transform_apply(&tf, 101), 100, 0); /* above c_99 */
    tf.higher_is_healthier = 0;
    assert_close(hc_transform_apply(&tf, 50.5), 50.5, 1e-13);
    assert_close(hc_transform_apply(&tf, 1.5), 100, 0);
    hc_transform_release(&tf);
}

/* Ties: scikit-learn QuantileTransformer scores of interior points
 * (/usr/bin/python3 tests/reference/model.py), and the documented mid-rank
 * rule at tied cuts that are at the ends. */
static void test_quantile_ties_match_sklearn(void **state)
{
    (void)state;
    const double y[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 3};
    hc_transform tf;
    hc_transform_init(&tf);
    tf.type = HC_TF_QUANTILE;
    tf.higher_is_healthier = 1;
    assert_int_equal(hc_transform_learn_quantiles(&tf, y, NULL, 12, NULL),
                     HC_OK);
    const double xs[] = {0.1, 0.5, 1.0, 2.0, 2.5, 2.95};
    const double sk[] = {46.36363636363636, 50, 63.5, 81.818181818181827,
                         86.36363636363636, 90.5};
    for (int i = 0; i < 6; i++)
        assert_close(hc_transform_apply(&tf, xs[i]), sk[i], 1e-12);
    /* x = 0 equals cuts 1..45: mid-rank 23; x = 3 equals cuts 91..99: 95. */
    assert_close(hc_transform_apply(&tf, 0), 23, 0);
    assert_close(hc_transform_apply(&tf, 3), 95, 0);
    assert_close(hc_transform_apply(&tf, -0.001), 0, 0);
    assert_close(hc_transform_apply(&tf, 3.001), 100, 0);
    /* Reversal is exactly 100 minus the forward score, ties included. */
    hc_transform rev = tf;
    rev.higher_is_healthier = 0;
    for (double x = -1; x <= 4; x += 0.05)
        assert_close(hc_transform_apply(&rev, x),
                     100 - hc_transform_apply(&tf, x), 1e-13);
    hc_transform_release(&tf);
}

static void test_quantile_errors(void **state)
{
    (void)state;
    hc_transform tf;
    hc_transform_init(&tf);
    hc_error err;
    const double x[] = {NAN, NAN};
    /* Not a quantile transform. */
    assert_int_equal(hc_transform_learn_quantiles(&tf, x, NULL, 2, &err),
                     HC_EDATA);
    tf.type = HC_TF_QUANTILE;
    /* Nothing to learn from. */
    assert_int_equal(hc_transform_learn_quantiles(&tf, x, NULL, 2, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message, "no non-missing value"));
    assert_null(tf.cuts);
    /* Without cuts the transform scores nothing. */
    assert_true(isnan(hc_transform_apply(&tf, 1.0)));
    /* A single value: every cut is that value. */
    const double one = 7;
    assert_int_equal(hc_transform_learn_quantiles(&tf, &one, NULL, 1, &err),
                     HC_OK);
    assert_close(tf.cuts[0], 7, 0);
    assert_close(tf.cuts[98], 7, 0);
    assert_close(hc_transform_apply(&tf, 7), 50, 0);
    hc_transform_release(&tf);
}

static void test_validate_and_copy(void **state)
{
    (void)state;
    hc_error err;
    hc_transform tf = make_linear(HC_TF_LINEAR, 5, 5, 1);
    assert_int_equal(hc_transform_validate(&tf, "x.transform", "f.json",
                                           &err), HC_EDATA);
    assert_non_null(strstr(err.message, "x.transform.low: must be less"));
    assert_string_equal(err.file, "f.json");
    tf = make_linear(HC_TF_LOG, -1, 5, 1);
    assert_int_equal(hc_transform_validate(&tf, "t", NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "t.low: must be >= 0"));
    tf = make_linear(HC_TF_LINEAR, -1e308, 1e308, 1);
    assert_int_equal(hc_transform_validate(&tf, "t", NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "t.high"));

    double px[] = {0, 1, 2}, ps[] = {0, 50, 100};
    hc_transform pw;
    hc_transform_init(&pw);
    pw.type = HC_TF_PIECEWISE;
    pw.n_points = 3;
    pw.px = px;
    pw.ps = ps;
    assert_int_equal(hc_transform_validate(&pw, "t", NULL, &err), HC_OK);
    hc_transform copy;
    assert_int_equal(hc_transform_copy(&copy, &pw, &err), HC_OK);
    assert_true(copy.px != px && copy.ps != ps);
    px[1] = 5; /* the copy is deep */
    assert_close(hc_transform_apply(&copy, 0.5), 25, 1e-15);
    hc_transform_release(&copy);
    assert_int_equal(copy.type, HC_TF_IDENTITY);
    assert_string_equal(hc_transform_type_name(HC_TF_QUANTILE), "quantile");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_clamp_both_directions),
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_piecewise),
        cmocka_unit_test(test_identity_and_missing),
        cmocka_unit_test(test_quantile_learn_matches_r),
        cmocka_unit_test(test_quantile_known_data),
        cmocka_unit_test(test_quantile_ties_match_sklearn),
        cmocka_unit_test(test_quantile_errors),
        cmocka_unit_test(test_validate_and_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
