/* test_validate_verdicts.c - the calibration verdict by detection and effect size, on simulated truth. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hc_validate.h"

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

/* n rows with outcomes drawn from logistic(a + b x), x ~ N(0, 1), and
 * the prediction p = logistic(a + shift + b x / stretch) offered for them:
 * shift moves the mean prediction, stretch the calibration slope (the true
 * slope of logit(p) on the outcome is `stretch`). */
typedef struct {
    double *y, *p;
    size_t n;
} sample;

static sample simulate(size_t n, double a, double b, double shift, double stretch,
                       unsigned long seed)
{
    sample s = {malloc(n * sizeof *s.y), malloc(n * sizeof *s.p), n};
    assert_non_null(s.y);
    assert_non_null(s.p);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        double x = gsl_ran_gaussian(rng, 1.0);
        s.y[i] = gsl_rng_uniform(rng) < 1 / (1 + exp(-(a + b * x)));
        s.p[i] = 1 / (1 + exp(-(a + shift + b * x / stretch)));
    }
    gsl_rng_free(rng);
    return s;
}

static hc_validate_calibration verdict(const sample *s, double tol_mean,
                                       hc_validate_result *r)
{
    hc_validate_input in;
    hc_validate_input_init(&in);
    in.n = s->n;
    in.y = s->y;
    in.p = s->p;
    in.tol_mean = tol_mean;
    hc_error err;
    assert_int_equal(hc_validate_run(&in, r, &err), HC_OK);
    /* The rule, restated from the result's own numbers. */
    int detected = !(r->slope_ci_low <= 1 && 1 <= r->slope_ci_high &&
                     r->citl_ci_low <= 0 && 0 <= r->citl_ci_high);
    int material = fabs(r->mean_relative_error) > r->tol_mean ||
                   fabs(r->calibration.slope - 1) > r->tol_slope;
    hc_validate_calibration want = detected ? (material ? HC_CALIB_NOT : HC_CALIB_WITHIN_TOLERANCE)
                                            : (material ? HC_CALIB_UNCERTAIN : HC_CALIB_OK);
    assert_int_equal(r->calibration_verdict, want);
    return r->calibration_verdict;
}

static void release(sample *s)
{
    free(s->y);
    free(s->p);
}

/* Known truth: logit + 0.1 on 400,000 rows at a 1.5% base rate. The mean
 * prediction is about 10% above the rate, far outside its interval on 6,000
 * churners, yet within the 20% tolerance: "calibrated within tolerance". */
static void test_detectable_but_small(void **state)
{
    (void)state;
    sample s = simulate(400000, -4.5, 1.0, 0.1, 1.0, 7);
    hc_validate_result r;
    assert_int_equal(verdict(&s, 0, &r), HC_CALIB_WITHIN_TOLERANCE);
    assert_true(r.citl_ci_high < 0);
    assert_close(r.mean_relative_error, 0.10, 0.03);
    assert_close(r.tol_mean, HC_VALIDATE_TOL_MEAN, 1e-15);
    assert_non_null(strstr(r.calibration_text, "calibrated within tolerance: "));
    assert_non_null(strstr(r.calibration_text, "too small to matter"));
    hc_validate_result_release(&r);
    /* The same rows with a 5% tolerance: the 10% error is material. */
    assert_int_equal(verdict(&s, 0.05, &r), HC_CALIB_NOT);
    assert_non_null(strstr(r.calibration_text, "not calibrated: "));
    hc_validate_result_release(&r);
    release(&s);
}

/* Known truth: the offered logits are too steep (true slope 0.7) and the
 * signal is weak: on 120 rows the slope's estimate (0.78) is past the
 * tolerance while its interval still contains 1: "calibration uncertain",
 * not "calibrated". */
static void test_too_few_to_tell(void **state)
{
    (void)state;
    sample s = simulate(120, -1.0, 0.5, 0.0, 0.7, 1);
    hc_validate_result r;
    assert_int_equal(verdict(&s, 0, &r), HC_CALIB_UNCERTAIN);
    assert_true(r.slope_ci_low <= 1 && 1 <= r.slope_ci_high);
    assert_true(fabs(r.calibration.slope - 1) > HC_VALIDATE_TOL_SLOPE);
    assert_non_null(strstr(r.calibration_text, "too few to tell"));
    hc_validate_result_release(&r);
    release(&s);
}

/* Known truth: the true probabilities on 50,000 rows: nothing detectable,
 * nothing material. */
static void test_truth_is_calibrated(void **state)
{
    (void)state;
    sample s = simulate(50000, -3.0, 1.0, 0.0, 1.0, 11);
    hc_validate_result r;
    assert_int_equal(verdict(&s, 0, &r), HC_CALIB_OK);
    assert_true(fabs(r.mean_relative_error) < 0.05);
    hc_validate_result_release(&r);
    release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detectable_but_small),
        cmocka_unit_test(test_too_few_to_tell),
        cmocka_unit_test(test_truth_is_calibrated),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
