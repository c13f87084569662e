/* test_validate_clustered.c - the validate workflow on clustered rows (snapshots of accounts): intervals, words, JSON, the bootstrap's seed. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "hc_validate.h"

/* The 30 rows of test_validate.c and tests/reference/validate.py. */
#define N30 30
static const double Y30[N30] = {1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
                                0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1};
static const double P30[N30] = {.42, .05, .10, .33, .02, .20, .12, .25, .04, .11,
                                .15, .30, .08, .03, .22, .14, .55, .07, .05, .09,
                                .18, .02, .13, .08, .36, .04, .19, .06, .12, .27};

/* Clustered rows. One row per cluster gives today's (rows-independent)
 * intervals exactly; clusters of 3 rows give Obuchowski's interval
 * (hc_metrics_delong_clustered, checked against an O(n^2) reference in
 * test_metrics_clustered.c), wider intervals, the HL label, the effective
 * sample in words, and a bootstrap that repeats with its seed. */
static void test_clustered(void **state)
{
    (void)state;
    int32_t band[N30], own[N30], three[N30];
    for (int i = 0; i < N30; i++) {
        band[i] = P30[i] >= 0.25 ? 0 : P30[i] >= 0.1 ? 1 : 2;
        own[i] = N30 - 1 - i;
        three[i] = i / 3; /* 10 accounts of 3 rows */
    }
    hc_validate_input in;
    hc_validate_input_init(&in);
    assert_int_equal(in.bootstrap, HC_VALIDATE_BOOTSTRAP_AUTO); /* 1000 replicates up to 1M rows */
    in.n = N30;
    in.y = Y30;
    in.p = P30;
    in.band = band;
    in.n_bands = 3;
    in.bootstrap = 200;
    hc_validate_result r0, r1, r3, r3b;
    hc_error err;
    assert_int_equal(hc_validate_run(&in, &r0, &err), HC_OK);
    assert_false(r0.clusters.active);
    in.cluster = own;
    in.cluster_name = "account_id";
    assert_int_equal(hc_validate_run(&in, &r1, &err), HC_OK);
    assert_true(r1.clusters.active);
    assert_int_equal(r1.clusters.n_clusters, N30);
    assert_close(r1.summary.roc_auc_ci_low, r0.summary.roc_auc_ci_low, 1e-12);
    assert_close(r1.summary.roc_auc_ci_high, r0.summary.roc_auc_ci_high, 1e-12);
    assert_close(r1.clusters.auc.design_effect, 1.0, 1e-12);
    assert_close(r1.slope_ci_low, r0.slope_ci_low, 1e-12);
    assert_close(r1.citl_ci_high, r0.citl_ci_high, 1e-12);
    for (int k = 0; k < 3; k++) {
        assert_close(r1.bands.bands[k].rate_ci_low, r0.bands.bands[k].rate_ci_low, 0);
        assert_close(r1.bands.bands[k].rate_ci_high, r0.bands.bands[k].rate_ci_high, 0);
    }
    assert_int_equal(r1.discrimination, r0.discrimination);

    in.cluster = three;
    assert_int_equal(hc_validate_run(&in, &r3, &err), HC_OK);
    assert_int_equal(hc_validate_run(&in, &r3b, &err), HC_OK);
    hc_metrics_auc_ci_clustered ref;
    assert_int_equal(hc_metrics_delong_clustered(Y30, P30, three, N30, 0.95, &ref, &err), HC_OK);
    assert_true(r3.clusters.auc_estimable);
    assert_close(r3.summary.roc_auc_ci_low, ref.ci.ci_low, 0);
    assert_close(r3.summary.roc_auc_ci_high, ref.ci.ci_high, 0);
    assert_close(r3.clusters.auc.ci_low_naive, r0.summary.roc_auc_ci_low, 1e-12);
    assert_int_equal(r3.clusters.n_clusters, 10);
    size_t churned = 0;
    for (int k = 0; k < 10; k++)
        churned += Y30[3 * k] + Y30[3 * k + 1] + Y30[3 * k + 2] > 0;
    assert_int_equal(r3.clusters.churned_clusters, churned);
    assert_non_null(strstr(r3.clusters.effective_text, "30 rows"));
    assert_non_null(strstr(r3.clusters.effective_text, "10 accounts"));
    assert_non_null(strstr(r3.discrimination_text, "clustered by account_id"));
    assert_non_null(strstr(r3.calibration_text, "not valid for repeated snapshots"));
    /* the slope's interval is the model one widened by sqrt(max(1, deff)) */
    double w0 = r0.slope_ci_high - r0.slope_ci_low, w3 = r3.slope_ci_high - r3.slope_ci_low;
    assert_close(w3, w0 * sqrt(fmax(1.0, r3.clusters.calibration.slope_deff)), 1e-9);
    assert_close(r3.clusters.slope_ci_low_naive, r0.slope_ci_low, 0);
    assert_true(r3.clusters.bootstrapped);
    assert_memory_equal(&r3.clusters.boot, &r3b.clusters.boot, sizeof r3.clusters.boot);
    assert_close(r3.clusters.boot.pr_auc.estimate, r0.summary.pr_auc, 1e-12);
    hc_validate_result_release(&r3b);
    in.seed = 99;
    assert_int_equal(hc_validate_run(&in, &r3b, &err), HC_OK);
    assert_true(r3.clusters.boot.pr_auc.se != r3b.clusters.boot.pr_auc.se);
    hc_validate_result_release(&r3b);

    /* JSON: the clusters object with methods; no NaN anywhere */
    json_t *o = hc_validate_to_json(&r3, NULL);
    assert_non_null(o);
    json_t *c = json_object_get(o, "clusters");
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "accounts")), 10);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c, "roc_auc"), "method")),
                        HC_VALIDATE_METHOD_OBUCHOWSKI);
    assert_string_equal(json_string_value(json_object_get(o, "hl_assumption")),
                        HC_VALIDATE_HL_ASSUMPTION);
    assert_string_equal(json_string_value(json_object_get(o, "roc_auc_ci_method")),
                        HC_VALIDATE_METHOD_OBUCHOWSKI);
    json_t *b0 = json_array_get(json_object_get(o, "bands"), 0);
    assert_string_equal(json_string_value(json_object_get(b0, "churn_rate_ci_method")),
                        HC_VALIDATE_METHOD_RATIO_WILSON);
    char *text = json_dumps(o, JSON_COMPACT);
    assert_null(strstr(text, "nan"));
    free(text);
    json_decref(o);

    /* every churner in one account: the clustered AUC is not estimable,
     * the rows-independent interval stays and says so */
    int32_t one[N30];
    for (int i = 0; i < N30; i++)
        one[i] = Y30[i] == 1.0 ? 0 : 1 + i % 4;
    in.cluster = one;
    in.bootstrap = 0;
    hc_validate_result r4;
    assert_int_equal(hc_validate_run(&in, &r4, &err), HC_OK);
    assert_false(r4.clusters.auc_estimable);
    assert_true(r4.n_not_estimable >= 1);
    assert_close(r4.summary.roc_auc_ci_low, r0.summary.roc_auc_ci_low, 0);
    assert_non_null(strstr(r4.discrimination_text, "not estimable"));
    assert_false(r4.clusters.bootstrapped);
    o = hc_validate_to_json(&r4, NULL);
    assert_non_null(o);
    assert_true(json_is_null(json_object_get(json_object_get(json_object_get(o, "clusters"),
                                                             "roc_auc"), "ci_low")));
    json_decref(o);
    /* a negative code is a usage error */
    one[3] = -1;
    hc_validate_result_release(&r4);
    assert_int_equal(hc_validate_run(&in, &r4, &err), HC_EUSAGE);
    hc_validate_result_release(&r4);
    hc_validate_result_release(&r0);
    hc_validate_result_release(&r1);
    hc_validate_result_release(&r3);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clustered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
