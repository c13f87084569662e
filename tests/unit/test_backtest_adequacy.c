/* test_backtest_adequacy.c - whether the backtest's folds carry a conclusion: the fold count and churned accounts per test period rules, the suggested step, on hand-made results. */
#include "test_util.h"

#include "hc_backtest.h"
#include "hc_date.h"

#define MAXF 12

/* A hand-made result: n folds of `days` test days each, back to back from
 * day 20000, all used, fold f with churned[f] churned accounts. */
typedef struct {
    hc_backtest_result r;
    hc_backtest_fold_plan fp[MAXF];
    hc_backtest_fold fold[MAXF];
    hc_backtest_cell cell[MAXF];
} fake;

static void make(fake *x, size_t n, int days, const size_t *churned)
{
    memset(x, 0, sizeof *x);
    x->r.plan.n_folds = n;
    x->r.plan.folds = x->fp;
    x->r.folds = x->fold;
    x->r.n_configs = 1;
    x->r.plan.first_date = 19700;
    for (size_t f = 0; f < n; f++) {
        x->fp[f].test_start = 20000 + (int32_t)f * days;
        x->fp[f].test_end = x->fp[f].test_start + days - 1;
        x->fold[f].used = 1;
        x->fold[f].cells = &x->cell[f];
        x->cell[f].test_churned_accounts = churned[f];
    }
    x->r.folds_used = n;
    x->r.plan.last_date = x->fp[n - 1].test_end;
    hc_backtest_fold_adequacy_format(&x->r, x->r.adequacy, sizeof x->r.adequacy);
}

static void test_adequate_at_the_thresholds(void **state)
{
    (void)state;
    /* exactly 5 folds with exactly 10 churned accounts each: enough */
    size_t c[5] = {10, 10, 10, 10, 10};
    fake x;
    make(&x, 5, 28, c);
    char buf[768];
    assert_int_equal(hc_backtest_fold_adequacy_format(&x.r, buf, sizeof buf), 1);
    assert_string_equal(buf, "");
    assert_null(hc_backtest_fold_adequacy(&x.r));
    /* many large folds: enough */
    size_t d[11] = {30, 12, 40, 11, 10, 25, 13, 14, 15, 16, 17};
    make(&x, 11, 28, d);
    assert_null(hc_backtest_fold_adequacy(&x.r));
}

static void test_too_few_folds(void **state)
{
    (void)state;
    /* 4 folds of 28 days with 20 churned accounts each: one fold short.
     * 80 churned over 112 days = 0.714 a day; 10 / 0.714 = 14 days, a
     * multiple of 7: --step 14, and 112 / 14 = 8 folds. */
    size_t c[4] = {20, 20, 20, 20};
    fake x;
    make(&x, 4, 28, c);
    const char *why = hc_backtest_fold_adequacy(&x.r);
    assert_non_null(why);
    assert_non_null(strstr(why, "too few to conclude"));
    assert_non_null(strstr(why, "only 4 folds were used (of 4 planned)"));
    assert_non_null(strstr(why, "at least 5 are needed"));
    assert_non_null(strstr(why, "0.5^5 = 3.1%"));
    assert_null(strstr(why, "fewer than 10"));
    assert_non_null(strstr(why, "0.71 churned accounts a day"));
    assert_non_null(strstr(why, "--step 14"));
    assert_non_null(strstr(why, "leave 8 folds"));
    assert_null(strstr(why, "too few churned accounts to conclude fold by fold"));
    /* a skipped fold does not count: 5 planned, 4 used */
    size_t d[5] = {20, 20, 20, 20, 20};
    make(&x, 5, 28, d);
    x.fold[2].used = 0;
    x.r.folds_used = 4;
    hc_backtest_fold_adequacy_format(&x.r, x.r.adequacy, sizeof x.r.adequacy);
    assert_non_null(strstr(hc_backtest_fold_adequacy(&x.r), "only 4 folds were used (of 5 planned)"));
}

static void test_too_small_folds(void **state)
{
    (void)state;
    /* 6 folds of 28 days with 7 churned accounts each: 42 over 168 days
     * = 0.25 a day; 10 / 0.25 = 40 days, up to a multiple of 7 = 42;
     * 168 / 42 = 4 folds, fewer than 5: too few churned accounts. */
    size_t c[6] = {7, 7, 7, 7, 7, 7};
    fake x;
    make(&x, 6, 28, c);
    const char *why = hc_backtest_fold_adequacy(&x.r);
    assert_non_null(why);
    assert_non_null(strstr(why, "too small to conclude"));
    assert_non_null(strstr(why, "6 of 6 test periods hold fewer than 10 churned accounts "
                                "(fewest 7, median 7)"));
    assert_non_null(strstr(why, "0.25 churned accounts a day"));
    assert_non_null(strstr(why, "--step 42"));
    assert_non_null(strstr(why, "leave 4 folds"));
    assert_non_null(strstr(why, "too few churned accounts to conclude fold by fold"));
    /* one small fold among large ones; median of {3,12,12,14,20,30} = 13 */
    size_t d[6] = {12, 3, 30, 12, 20, 14};
    make(&x, 6, 28, d);
    why = hc_backtest_fold_adequacy(&x.r);
    assert_non_null(why);
    assert_non_null(strstr(why, "1 of 6 test periods hold fewer than 10 churned accounts "
                                "(fewest 3, median 13)"));
    /* the last test period running past the last observation counts only
     * its days with observations: 6 x 28 - 14 = 154 days, 91 churned =
     * 0.59 a day; 10 / 0.5909 = 16.9 days, up to 21; 154 / 21 = 7 folds */
    x.r.plan.last_date -= 14;
    hc_backtest_fold_adequacy_format(&x.r, x.r.adequacy, sizeof x.r.adequacy);
    why = hc_backtest_fold_adequacy(&x.r);
    assert_non_null(strstr(why, "0.59 churned accounts a day"));
    assert_non_null(strstr(why, "--step 21"));
    assert_non_null(strstr(why, "leave 7 folds"));
}

static void test_few_and_small(void **state)
{
    (void)state;
    /* 2 folds of 90 days, 5 and 7 churned (the old default on 78 weeks):
     * 12 over 180 days; 10 / 0.0667 = 150 days, exactly 7 x 21.43 -> 154;
     * 180 / 154 = 1 fold. */
    size_t c[2] = {5, 7};
    fake x;
    make(&x, 2, 90, c);
    const char *why = hc_backtest_fold_adequacy(&x.r);
    assert_non_null(why);
    assert_non_null(strstr(why, "too few and too small to conclude"));
    assert_non_null(strstr(why, "only 2 folds were used"));
    assert_non_null(strstr(why, "2 of 2 test periods hold fewer than 10 churned accounts "
                                "(fewest 5, median 6)"));
    assert_non_null(strstr(why, "--step 154"));
    assert_non_null(strstr(why, "leave 1 fold over"));
    /* no churned account at all */
    size_t z[3] = {0, 0, 0};
    make(&x, 3, 28, z);
    why = hc_backtest_fold_adequacy(&x.r);
    assert_non_null(strstr(why, "no test period holds a churned account"));
}

static void test_no_fold(void **state)
{
    (void)state;
    hc_backtest_result r;
    memset(&r, 0, sizeof r);
    const char *why = hc_backtest_fold_adequacy(&r);
    assert_non_null(why);
    assert_non_null(strstr(why, "no fold could be evaluated"));
    char buf[64];
    assert_int_equal(hc_backtest_fold_adequacy_format(&r, buf, sizeof buf), 0);
    assert_non_null(strstr(buf, "no fold"));
    assert_non_null(hc_backtest_fold_adequacy(NULL));
    /* a short buffer truncates, never overflows */
    size_t c[2] = {5, 7};
    fake x;
    make(&x, 2, 90, c);
    char tiny[16];
    assert_int_equal(hc_backtest_fold_adequacy_format(&x.r, tiny, sizeof tiny), 0);
    assert_int_equal(strlen(tiny), 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adequate_at_the_thresholds),
        cmocka_unit_test(test_too_few_folds),
        cmocka_unit_test(test_too_small_folds),
        cmocka_unit_test(test_few_and_small),
        cmocka_unit_test(test_no_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
