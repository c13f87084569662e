/* test_calendar.c - unit tests of calibration by calendar month (hc_calendar): R's survey package, the rules for months without rows, churners or accounts, and false red flags by month. */
#include "test_util.h"

#include "hc_calendar.h"
#include "hc_date.h"

/* The history of tests/reference/calendar.R: 30 accounts, 12 weekly
 * snapshots from 2024-01-01, account a from week 2 (a mod 5). */
static size_t history(double *y, double *p, int32_t *date, int32_t *cl)
{
    size_t n = 0;
    for (int a = 0; a < 30; a++)
        for (int w = 0; w < 12; w++) {
            if (w < (a % 5) * 2)
                continue;
            date[n] = hc_date_from_civil(2024, 1, 1) + 7 * w;
            p[n] = 0.02 + 0.01 * ((a * 7 + w * 3) % 10);
            y[n] = ((a % 6) == 0 && (w % 3) == 0) || ((a * 13 + w * 5) % 41) == 0;
            cl[n] = a;
            n++;
        }
    return n;
}

static void test_against_survey(void **state)
{
    (void)state;
    double y[360], p[360];
    int32_t date[360], cl[360];
    size_t n = history(y, p, date, cl);
    hc_calendar_result r;
    hc_error err;
    assert_int_equal(hc_calendar_calibration(y, p, date, cl, n, 0.95, &r, &err), HC_OK);
    assert_int_equal(r.months_with_rows, 3);
    const hc_calendar_month *jan = &r.month[0], *feb = &r.month[1], *mar = &r.month[2];
    assert_int_equal(jan->month, 1);
    assert_int_equal(jan->rows, 54);
    assert_int_equal(jan->accounts, 18);
    assert_int_equal(jan->churner_rows, 4);
    assert_int_equal(feb->rows, 96);
    assert_int_equal(mar->accounts, 30);
    assert_close(jan->observed, 0.07407407407407407, 1e-15);
    /* survey::svyciprop(method = "beta") on subset(design, month == 1),
     * whose design effect is above 1 */
    assert_close(jan->observed_ci_low, 0.014885025113590206, 1e-13);
    assert_close(jan->observed_ci_high, 0.20497816964516546, 1e-13);
    /* svyratio(~y, ~p), log-scale interval on t_{K'-1} */
    assert_close(jan->oe, 1.1204481792717087, 1e-14);
    assert_close(jan->oe_ci_low, 0.35340843867049176, 1e-13);
    assert_close(jan->oe_ci_high, 3.5522754554363969, 1e-13);
    assert_close(feb->oe, 0.97087378640776689, 1e-14);
    assert_close(feb->oe_ci_low, 0.45222472521412904, 1e-13);
    assert_close(feb->oe_ci_high, 2.0843528816064483, 1e-13);
    assert_close(mar->oe, 1.0256410256410255, 1e-14);
    assert_close(mar->oe_ci_low, 0.47887358582904088, 1e-13);
    assert_close(mar->oe_ci_high, 2.1966956303443306, 1e-13);
    /* February and March have a design effect below 1: survey narrows the
     * rate's interval below the rows' count, healthcal does not, so
     * survey's interval lies inside healthcal's. */
    assert_true(feb->observed_ci_low <= 0.024045448025626855);
    assert_true(feb->observed_ci_high >= 0.12875534568866276);
    assert_true(mar->observed_ci_low <= 0.025821653034823165);
    assert_true(mar->observed_ci_high >= 0.1365720408673049);
    assert_close(mar->predicted, 0.065, 1e-15); /* R: tapply(p, month, mean) */
    for (int m = 0; m < 3; m++)
        assert_false(r.month[m].differs); /* every O/E interval holds 1 */
    for (int m = 3; m < 12; m++) {
        assert_int_equal(r.month[m].month, m + 1);
        assert_int_equal(r.month[m].rows, 0);
        assert_false(r.month[m].estimable);
    }
}

/* A month whose predictions are far above its outcomes differs; one with
 * no churner has O/E 0 and an upper limit from the rate's interval; one
 * with a single account is not estimable. */
static void test_rules(void **state)
{
    (void)state;
    enum { N = 400 };
    double y[N], p[N];
    int32_t date[N], cl[N];
    size_t n = 0;
    /* August 2024: 20 accounts x 10 rows, p 0.2, churners 1 in 100 */
    for (int a = 0; a < 20; a++)
        for (int k = 0; k < 10; k++, n++) {
            date[n] = hc_date_from_civil(2024, 8, 1 + 2 * k);
            p[n] = 0.2;
            y[n] = (a * 10 + k) % 100 == 0;
            cl[n] = a;
        }
    /* September: 10 accounts x 10 rows, no churner */
    for (int a = 0; a < 10; a++)
        for (int k = 0; k < 10; k++, n++) {
            date[n] = hc_date_from_civil(2024, 9, 1 + 2 * k);
            p[n] = 0.01;
            y[n] = 0;
            cl[n] = a;
        }
    /* October 2025: one account */
    for (int k = 0; k < 5; k++, n++) {
        date[n] = hc_date_from_civil(2025, 10, 1 + k);
        p[n] = 0.05;
        y[n] = k == 0;
        cl[n] = 3;
    }
    hc_calendar_result r;
    hc_error err;
    assert_int_equal(hc_calendar_calibration(y, p, date, cl, n, 0.95, &r, &err), HC_OK);
    const hc_calendar_month *aug = &r.month[7], *sep = &r.month[8], *oct = &r.month[9];
    assert_int_equal(aug->rows, 200);
    assert_int_equal(aug->churner_rows, 2);
    assert_close(aug->oe, 2.0 / 40.0, 1e-15); /* 2 churners, 200 x 0.2 expected */
    assert_true(aug->estimable && aug->differs);
    assert_true(aug->oe_ci_high < 1.0);
    assert_true(sep->estimable);
    assert_close(sep->oe, 0.0, 0);
    assert_close(sep->oe_ci_low, 0.0, 0);
    assert_close(sep->oe_ci_high, sep->observed_ci_high / 0.01, 1e-12);
    assert_true(sep->observed_ci_high > 0.0 && sep->observed_ci_high < 1.0);
    assert_int_equal(oct->rows, 5);
    assert_int_equal(oct->accounts, 1);
    assert_false(oct->estimable);
    assert_false(oct->differs);
    assert_close(oct->observed, 0.2, 1e-15);
    assert_int_equal(r.months_with_rows, 3);
    assert_int_equal(r.months_differ, aug->differs + sep->differs);

    /* a probability outside [0, 1] names its row */
    p[7] = 1.5;
    assert_int_equal(hc_calendar_calibration(y, p, date, cl, n, 0.95, &r, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "row 7"));
    /* no rows: every month empty */
    assert_int_equal(hc_calendar_calibration(y, p, date, cl, 0, 0.95, &r, &err), HC_OK);
    assert_int_equal(r.months_with_rows, 0);
}

/* False red flags by month on a hand-made history (counts by hand, the
 * intervals R's prop.test(k, n, correct = FALSE)$conf.int):
 *   account 0: Aug 2024 bands 0 and 2, no churn  -> Aug non-churning, red
 *   account 1: Aug 2024 band 1 no churn; Dec 2024 band 0 churn -> Aug
 *              non-churning not red; Dec churning (left out)
 *   account 2: Aug 2025 band 0; Dec 2024 band -1 (no score), no churn ->
 *              Aug red; Dec non-churning, not red (-1 is not red)
 *   account 3: Jan 2025 band 0; Aug 2024 band 2 no churn and Aug 2025
 *              band 1 churn -> Jan red; Aug churning (any year's August)
 * August: 3 non-churning accounts, 2 red (0.2076596008 to 0.9385080553);
 * December: 1, 0 (0 to 0.7934506856); January 1, 1; pooled Aug + Dec:
 * 4 account-months, 2 red (0.1500389892 to 0.8499610108); others: Jan. */
static void test_false_flags(void **state)
{
    (void)state;
    int32_t aug24 = hc_date_from_civil(2024, 8, 5), aug25 = hc_date_from_civil(2025, 8, 4);
    int32_t dec24 = hc_date_from_civil(2024, 12, 2), jan25 = hc_date_from_civil(2025, 1, 6);
    const double y[] = {0, 0, 0, 1, 0, 0, 0, 0, 1};
    const int32_t band[] = {0, 2, 1, 0, 0, -1, 0, 2, 1};
    const int32_t date[] = {aug24, aug24 + 7, aug24, dec24, aug25, dec24, jan25, aug24, aug25};
    const int32_t cl[] = {0, 0, 1, 1, 2, 2, 3, 3, 3};
    hc_calendar_flags f;
    hc_error err;
    assert_int_equal(hc_calendar_false_flags(y, band, date, cl, 9, 0.95, &f, &err), HC_OK);
    const hc_calendar_flag_share *aug = &f.month[7], *dec = &f.month[11], *jan = &f.month[0];
    assert_int_equal(aug->accounts, 3);
    assert_int_equal(aug->flagged, 2);
    assert_close(aug->share, 2.0 / 3.0, 1e-15);
    assert_close(aug->ci_low, 0.207659600802, 1e-10);
    assert_close(aug->ci_high, 0.938508055280, 1e-10);
    assert_int_equal(dec->accounts, 1);
    assert_int_equal(dec->flagged, 0);
    assert_close(dec->ci_low, 0.0, 1e-12);
    assert_close(dec->ci_high, 0.793450685623, 1e-10);
    assert_int_equal(jan->accounts, 1);
    assert_int_equal(jan->flagged, 1);
    assert_int_equal(f.month[5].accounts, 0);
    assert_close(f.month[5].share, 0.0, 0);
    assert_int_equal(f.season.accounts, 4);
    assert_int_equal(f.season.flagged, 2);
    assert_close(f.season.ci_low, 0.150038989152, 1e-10);
    assert_close(f.season.ci_high, 0.849961010848, 1e-10);
    assert_int_equal(f.rest.accounts, 1);
    assert_int_equal(f.rest.flagged, 1);
    /* bad outcome and negative account code name the row */
    const double yb[] = {0, 0.5};
    assert_int_equal(hc_calendar_false_flags(yb, band, date, cl, 2, 0.95, &f, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "row 1"));
    const int32_t cb[] = {0, -1};
    assert_int_equal(hc_calendar_false_flags(y, band, date, cb, 2, 0.95, &f, &err), HC_EUSAGE);
    /* no rows: empty table, intervals [0, 1] */
    assert_int_equal(hc_calendar_false_flags(y, band, date, cl, 0, 0.95, &f, &err), HC_OK);
    assert_int_equal(f.season.accounts, 0);
    assert_close(f.season.ci_high, 1.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_survey),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_false_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
