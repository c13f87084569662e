/* test_lead_time.c - how early the score warns (hc_lead_time_compute): a hand-made history with known dates, worked out by hand below; Wilson intervals from statsmodels' proportion_confint(method = "wilson"). */
#include "test_util.h"

#include <math.h>

#include "hc_lead_time.h"

/* Bands 0 = red, 1 = yellow, 2 = green; days are day numbers.
 *   account 0: churns on day 100; rows day 0 green, 30 yellow, 50 red,
 *              70 red, 90 yellow. First red 50 (lead 50), first below
 *              green 30 (lead 70). 30 days before (day <= 70): the day-70
 *              row, red. 60 before (<= 40): day 30, yellow. 90 before
 *              (<= 10): day 0, green.
 *   account 1: churns on day 60; rows day 0 green, 20 green, 50 red and
 *              70 red (after the churn: ignored). Leads 10 and 10. 30
 *              before (<= 30): day 20, green; 60 before (<= 0): day 0,
 *              green; 90 before: no row, not counted.
 *   account 2: no churn (its red row counts nowhere).
 *   account 3: churns on day 5 with its only row on day 10: no row
 *              before the churn, not a churned account here.
 *   account 4: churns on day 200; rows day 0 yellow, 150 green. Never red;
 *              below green first on day 0 (lead 200). 30 before (<= 170):
 *              day 150, green; 60 and 90 before: day 0, yellow.
 * Rows are out of order on purpose. */
static const int32_t ACC[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 4, 4};
static const int32_t DAY[] = {90, 0, 50, 30, 70, 70, 0, 50, 20, 10, 10, 150, 0};
static const int32_t BAND[] = {1, 2, 0, 1, 0, 0, 2, 0, 2, 0, 0, 2, 1};
static const int32_t CHURN[] = {100, 60, HC_LEAD_TIME_NONE, 5, 200};

static void test_hand_made(void **state)
{
    (void)state;
    hc_lead_time_result r;
    hc_error err;
    assert_int_equal(hc_lead_time_compute(BAND, DAY, ACC, 13, CHURN, 5, 3, &r, &err), HC_OK);
    assert_int_equal(r.churned_accounts, 3);
    /* red: leads 50 and 10 */
    assert_int_equal(r.red.ever, 2);
    assert_close(r.red.median_days, 30, 0);
    assert_close(r.red.mean_days, 30, 0);
    size_t red_with[] = {3, 3, 2}, red_flag[] = {1, 0, 0};
    size_t bg_flag[] = {1, 2, 1};
    for (int h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
        assert_int_equal(r.red.with_row[h], red_with[h]);
        assert_int_equal(r.red.flagged[h], red_flag[h]);
        assert_int_equal(r.below_green.with_row[h], red_with[h]);
        assert_int_equal(r.below_green.flagged[h], bg_flag[h]);
    }
    assert_close(r.red.share[0], 1.0 / 3, 1e-15);
    assert_close(r.red.ci_low[0], 0.061491944720396263, 1e-12);
    assert_close(r.red.ci_high[0], 0.79234039919795229, 1e-12);
    assert_close(r.red.ci_high[1], 0.56149703175504551, 1e-12);
    assert_close(r.red.ci_high[2], 0.65761977249334702, 1e-12);
    /* below green: leads 70, 10, 200 */
    assert_int_equal(r.below_green.ever, 3);
    assert_close(r.below_green.median_days, 70, 0);
    assert_close(r.below_green.mean_days, 280.0 / 3, 1e-12);
    assert_close(r.below_green.ci_low[1], 0.20765960080204771, 1e-12);
    assert_close(r.below_green.ci_high[1], 0.93850805527960368, 1e-12);
    assert_close(r.below_green.ci_low[2], 0.094531205734230683, 1e-12);
}

/* No churned account: zero counts, NaN figures; bad codes are named. */
static void test_degenerate(void **state)
{
    (void)state;
    hc_lead_time_result r;
    hc_error err;
    const int32_t none[] = {HC_LEAD_TIME_NONE, HC_LEAD_TIME_NONE, HC_LEAD_TIME_NONE,
                            HC_LEAD_TIME_NONE, HC_LEAD_TIME_NONE};
    assert_int_equal(hc_lead_time_compute(BAND, DAY, ACC, 13, none, 5, 3, &r, &err), HC_OK);
    assert_int_equal(r.churned_accounts, 0);
    assert_true(isnan(r.red.median_days) && isnan(r.below_green.share[0]));
    const int32_t bad_band[] = {3};
    assert_int_equal(hc_lead_time_compute(bad_band, DAY, ACC, 1, CHURN, 5, 3, &r, &err),
                     HC_EUSAGE);
    assert_non_null(strstr(err.message, "row 0"));
    assert_int_equal(hc_lead_time_compute(BAND, DAY, ACC, 13, CHURN, 4, 3, &r, &err),
                     HC_EUSAGE); /* account 4 >= n_accounts */
    assert_int_equal(hc_lead_time_compute(BAND, DAY, ACC, 13, CHURN, 5, 1, &r, &err),
                     HC_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
