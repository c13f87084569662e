/* test_logreg_inference.c - Wald inference of the logistic fit on the cluster-robust SE (hc_logreg), against R glm + sandwich::vcovCL. */
#include "test_util.h"

#include <gsl/gsl_errno.h>

#include "hc_logreg.h"

/* |a - b| <= tol |b|: relative, however small b is. */
#define assert_rel(a, b, tol) \
    hc_test_assert_rel((a), (b), (tol), #a, __FILE__, __LINE__)

static void hc_test_assert_rel(double a, double b, double tol,
                               const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= tol * fabs(b))) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (rel tol %g)\n",
                file, line, what, a, b, tol);
        fail();
    }
}

/* A small clustered data set: 60 rows, 15 clusters of 4, three sub-scores
 * on 0-100 and a 0/1 outcome, drawn once from a random-intercept logistic
 * model (seed 20261207; s2 has the wrong sign by construction). The same
 * rows are in tests/reference/logreg_cluster.R and tests/unit/test_fit.c. */
#define CL_N 60
static const double cl_s1[CL_N] = {
    33, 37, 24, 16, 83, 75, 72, 78, 32, 60, 47, 29, 36, 45, 61, 68, 74, 77, 82, 72,
    58, 58, 29, 63, 40, 28, 29, 37, 58, 18, 42, 32, 63, 44, 56, 78, 38, 14, 19, 9,
    76, 38, 40, 79, 49, 52, 47, 59, 50, 70, 61, 74, 68, 100, 67, 75, 60, 72, 57, 65};
static const double cl_s2[CL_N] = {
    42, 46, 25, 10, 38, 9, 19, 7, 21, 51, 35, 40, 32, 60, 40, 58, 59, 60, 53, 40,
    78, 65, 37, 61, 15, 11, 39, 46, 32, 34, 11, 21, 52, 42, 39, 44, 55, 54, 60, 62,
    60, 89, 83, 56, 80, 24, 63, 40, 79, 80, 91, 100, 46, 27, 65, 45, 34, 18, 36, 34};
static const double cl_s3[CL_N] = {
    53, 49, 74, 42, 80, 66, 68, 71, 58, 62, 76, 71, 50, 58, 72, 69, 63, 46, 51, 55,
    72, 76, 59, 77, 24, 37, 37, 57, 80, 38, 51, 53, 73, 66, 39, 54, 39, 22, 39, 33,
    21, 16, 37, 46, 68, 75, 70, 68, 15, 20, 7, 18, 49, 54, 63, 72, 20, 25, 36, 28};
static const double cl_y[CL_N] = {
    1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1,
    0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};

/* The issue: with a cluster, the table printed the robust SE but took z,
 * p and the interval from the naive one. Reference: R glm(y ~ s1 + s2 +
 * s3, binomial, control = glm.control(epsilon = 1e-20)) with
 * V = sandwich::vcovCL(m, cluster = ~cl, type = "HC1"), z = b / sqrt(diag
 * V), p = 2 pnorm(-|z|), CI = b -/+ qnorm(0.975) se, as
 * lmtest::coeftest(m, vcov = V) computes them ("== full" of
 * tests/reference/logreg_cluster.R, whose glm is refitted from its own
 * converged coefficients so that its SEs are those of the optimum, not of
 * the iteration before). Tolerance 1e-10 relative. */
static void test_cluster_inference(void **state)
{
    (void)state;
    double X[CL_N * 3];
    int32_t cl[CL_N];
    for (size_t i = 0; i < CL_N; i++) {
        X[i * 3] = cl_s1[i];
        X[i * 3 + 1] = cl_s2[i];
        X[i * 3 + 2] = cl_s3[i];
        cl[i] = (int32_t)(i / 4) + 1;
    }
    static const char *const names[] = {"s1", "s2", "s3"};
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = CL_N;
    prob.p = 3;
    prob.X = X;
    prob.y = cl_y;
    prob.names = names;
    prob.cluster = cl;
    prob.cluster_name = "cl";
    static const double coef[] = {1.2756221476819067, -0.04386784896292617,
                                  0.047219406953329636, -0.030129743350973272};
    static const double naive[] = {1.323248044633889, 0.01832099131243943,
                                   0.017803242513134362, 0.017623831987532135};
    static const double robust[] = {1.6434182696214787, 0.025746152759915833,
                                    0.019443189676613175, 0.021111808912029368};
    static const double z[] = {0.77620053960804214, -1.7038603542826791,
                               2.428583362025547, -1.42715119658958};
    static const double p[] = {0.43763058753755812, 0.088407179227384405,
                               0.015157940022390633, 0.15353631816508045};
    static const double lo[] = {-1.9454184723113268, -0.094329381112827709,
                                0.0091114554425868396, -0.071508128467042575};
    static const double hi[] = {4.4966627676751401, 0.0065936831869753618,
                                0.085327358464072439, 0.011248641765096025};
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    assert_int_equal(r.n_clusters, 15);
    assert_int_equal(r.robust_inference, 1);
    assert_string_equal(r.se_label, "cluster-robust CR1 (cl, 15 clusters)");
    double md[7] = {0};
    for (size_t j = 0; j < 4; j++) {
        const double got[7] = {r.coef[j], r.se[j], r.robust_se[j], r.z[j],
                               r.p_value[j], r.ci_low[j], r.ci_high[j]};
        const double want[7] = {coef[j], naive[j], robust[j], z[j], p[j], lo[j], hi[j]};
        for (size_t q = 0; q < 7; q++)
            md[q] = fmax(md[q], fabs(got[q] / want[q] - 1.0));
    }
    fprintf(stderr, "cluster inference: max relative difference from R: coef %.2g, "
                    "se %.2g, robust se %.2g, z %.2g, p %.2g, ci %.2g %.2g\n",
            md[0], md[1], md[2], md[3], md[4], md[5], md[6]);
    for (size_t j = 0; j < 4; j++) {
        assert_rel(r.coef[j], coef[j], 1e-10);
        assert_rel(r.se[j], naive[j], 1e-10);
        assert_rel(r.robust_se[j], robust[j], 1e-10);
        assert_rel(r.z[j], z[j], 1e-10);
        assert_rel(r.p_value[j], p[j], 1e-10);
        assert_rel(r.ci_low[j], lo[j], 1e-10);
        assert_rel(r.ci_high[j], hi[j], 1e-10);
    }
    hc_logreg_result_release(&r);
    /* Without the cluster the same fit tests with the model SE, as
     * summary.glm does: z = b / naive se. (Without clusters the model SE
     * is that of the information one Newton step before the final
     * coefficients, ~1e-10 relative off; hence 1e-9 here.) */
    prob.cluster = NULL;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    assert_int_equal(r.robust_inference, 0);
    assert_null(r.robust_se);
    assert_string_equal(r.se_label, "model-based (inverse Fisher information)");
    for (size_t j = 0; j < 4; j++) {
        assert_rel(r.z[j], coef[j] / naive[j], 1e-9);
        assert_close(r.ci_low[j], coef[j] - 1.959963984540054 * naive[j], 1e-10);
    }
    hc_logreg_result_release(&r);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_inference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
