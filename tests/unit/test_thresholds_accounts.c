/* test_thresholds_accounts.c - the threshold search counted in accounts and per scoring date (hc_thresholds_search_accounts), and the capacity objective. */
#include "test_util.h"

#include "hc_thresholds.h"

/* ---- a hand-made history: 4 accounts x 3 scoring dates ----------------
 *
 * Accounts A, B, C, D (codes 0..3) scored on days 100, 107 and 114; C
 * churns after day 107, so it has no row on 114 (11 rows). Churner rows
 * (y = 1) are the snapshots in the horizon before a churn: A's rows on 107
 * and 114 (A churns after 114), C's rows on 100 and 107.
 *
 *   row  account day   H   y  ARR
 *    0     A     114  30   1  300   (listed before A's day-107 row: the
 *    1     A     107  20   1  200    "last churner row" is found by date)
 *    2     A     100  10   0  100
 *    3     B     100  15   0   50
 *    4     B     107  50   0   50
 *    5     B     114  60   0   50
 *    6     C     100  40   1 1000
 *    7     C     107  35   1 1000
 *    8     D     100  70   0   10
 *    9     D     107  80   0   10
 *   10     D     114  25   0   10
 *
 * Churned amounts: A has none (NaN), so it counts the ARR of its last
 * churner row, day 114: 300; C's event says 1000. Churned ARR 1300.
 * Candidates with grid 0: every distinct H above the lowest, 15, 20, 25,
 * 30, 35, 40, 50, 60, 70, 80 (sweep index 0..9 ... cut 15 is index 0). */
static const double HH[11] = {30, 20, 10, 15, 50, 60, 40, 35, 70, 80, 25};
static const double YY[11] = {1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0};
static const double AR[11] = {300, 200, 100, 50, 50, 50, 1000, 1000, 10, 10, 10};
static const int32_t AC[11] = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3};
static const int32_t DY[11] = {114, 107, 100, 100, 107, 114, 100, 107, 100, 107, 114};

static void hand_accounts(hc_threshold_accounts *acc, const double *amount)
{
    memset(acc, 0, sizeof *acc);
    acc->account = AC;
    acc->n_accounts = 4;
    acc->churned_amount = amount;
    acc->date = DY;
}

static void hand_options(hc_threshold_options *o, hc_threshold_objective obj, double target)
{
    hc_threshold_options_init(o);
    o->objective = obj;
    o->target = target;
    o->n_bands = 2;
    o->min_band_share = 0.05; /* one row */
    o->grid = 0;
    o->save_rate = 0.5;
    o->cost = 10;
}

/* Index of cut c in the sweep (cuts 15, 20, 25, 30, 35, 40, 50, 60, 70, 80). */
static size_t at(const hc_threshold_result *r, double c)
{
    for (size_t i = 0; i < r->n_points; i++)
        if (r->sweep[i].cut == c)
            return i;
    fail_msg("no candidate cut %g", c);
    return 0;
}

/* The sweep by hand, cut by cut (red: H < cut):
 *   cut 20: rows 2, 3 (A, B): 2 accounts, no churner row red (A's are at
 *           20 and 30): recall 0/2, precision 0/2;
 *   cut 25: + row 1 (A, 20, churner): A caught; recall 1/2, precision 1/2,
 *           ARR recall 300/1300, value 0.5 x 300 - 10 x 3 = 120;
 *   cut 30: + row 10 (D): 3 accounts, recall 1/2, precision 1/3;
 *   cut 40: + rows 0 and 7 (A 30, C 35): 4 accounts, A and C caught:
 *           recall 1, precision 2/4, ARR recall 1, value 650 - 60 = 590;
 *           in snapshots only 3 of the 4 churner rows are red (C's row at
 *           40 is not): recall 0.75;
 *   cut 50: + row 6: value 650 - 70 = 580 (in snapshots the value counts
 *           every churner row's ARR: 0.5 x 2500 - 70 = 1180).
 * Per date, cut 20: day 100 holds A, B; 107 none; 114 none (min 0, max
 * 2, mean 2/3); cut 30: 2, 1 (A), 1 (D): mean 4/3; cut 40: 2, 2, 2; cut
 * 50: day 100 holds A, B, C: max 3. */
static void test_sweep_by_hand(void **state)
{
    (void)state;
    const double amount[4] = {NAN, NAN, 1000, NAN};
    hc_threshold_accounts acc;
    hand_accounts(&acc, amount);
    hc_threshold_options o;
    hand_options(&o, HC_THRESHOLD_RECALL, 0.5);
    hc_threshold_result r;
    hc_error err;
    hc_status st = hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err);
    if (st)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_true(r.by_accounts);
    assert_true(r.has_dates);
    assert_int_equal(r.n_points, 10);
    assert_int_equal(r.accounts, 4);
    assert_int_equal(r.churned_accounts, 2);
    assert_close(r.churned_arr_accounts, 1300, 0);
    assert_int_equal(r.churned_from_arr, 1); /* A */
    assert_int_equal(r.n_dates, 3);

    const hc_threshold_point *p = &r.sweep[at(&r, 20)];
    assert_int_equal(p->accounts_flagged, 2);
    assert_int_equal(p->churned_accounts_flagged, 0);
    assert_close(p->account_recall, 0, 0);
    assert_close(p->account_precision, 0, 0);
    assert_int_equal(p->per_date_min, 0);
    assert_int_equal(p->per_date_max, 2);
    assert_close(p->per_date_mean, 2.0 / 3.0, 1e-15);

    p = &r.sweep[at(&r, 25)];
    assert_int_equal(p->accounts_flagged, 2);
    assert_int_equal(p->churned_accounts_flagged, 1);
    assert_close(p->account_recall, 0.5, 0);
    assert_close(p->account_precision, 0.5, 0);
    assert_close(p->churned_arr_accounts_flagged, 300, 0);
    assert_close(p->account_arr_recall, 300.0 / 1300.0, 1e-15);
    assert_close(p->account_value, 120, 1e-12);

    p = &r.sweep[at(&r, 30)];
    assert_int_equal(p->accounts_flagged, 3);
    assert_close(p->account_precision, 1.0 / 3.0, 1e-15);
    assert_close(p->per_date_mean, 4.0 / 3.0, 1e-15);
    assert_int_equal(p->per_date_min, 1);

    p = &r.sweep[at(&r, 40)];
    assert_int_equal(p->flagged, 6);
    assert_int_equal(p->accounts_flagged, 4);
    assert_int_equal(p->churned_accounts_flagged, 2);
    assert_close(p->account_recall, 1, 0);
    assert_close(p->account_precision, 0.5, 0);
    assert_close(p->account_arr_recall, 1, 0);
    assert_close(p->account_value, 590, 1e-12);
    assert_close(p->recall, 0.75, 0); /* snapshots */
    assert_int_equal(p->per_date_min, 2);
    assert_int_equal(p->per_date_max, 2);

    p = &r.sweep[at(&r, 50)];
    assert_close(p->account_value, 580, 1e-12);
    assert_close(p->value, 1180, 1e-12);
    assert_int_equal(p->per_date_max, 3);
    hc_threshold_result_release(&r);
}

/* Which cuts can be red with 2 bands (red's churn rate above the rest):
 * cut 35: 2/5 against 2/6; cut 30 and below are not (e.g. 25: 1/3
 * against 3/8). So the objectives choose among 35, 40, 50, ... 80:
 *   recall 1.0 in accounts: cut 40 (A and C caught); in snapshots all 4
 *     churner rows are red only from cut 50;
 *   value (save 0.5, cost 10 a red account-week): 590 at cut 40 is the
 *     maximum in accounts (35: 150 - 50 = 100; 50: 580); in snapshots 50
 *     (1180; 40: 0.5 x 1500 - 60 = 690; 60: 1250 - 80 = 1170);
 *   ARR recall 0.5 in accounts: C must be caught (A alone is 300/1300):
 *     cut 40. */
static void test_objectives_in_accounts(void **state)
{
    (void)state;
    const double amount[4] = {NAN, NAN, 1000, NAN};
    hc_threshold_accounts acc;
    hand_accounts(&acc, amount);
    hc_threshold_options o;
    hc_threshold_result r;
    hc_error err;

    hand_options(&o, HC_THRESHOLD_RECALL, 1.0);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_false(r.sweep[at(&r, 30)].feasible);
    assert_true(r.sweep[at(&r, 35)].feasible);
    assert_true(r.met);
    assert_close(r.cuts[0], 40, 0);
    assert_close(r.achieved, 1, 0);
    assert_non_null(strstr(r.message, "of snapshots (4 of 4 accounts"));
    hc_threshold_result_release(&r);
    assert_int_equal(hc_thresholds_search(HH, YY, AR, 11, &o, &r, &err), HC_OK);
    assert_close(r.cuts[0], 50, 0);
    assert_false(r.by_accounts);
    hc_threshold_result_release(&r);

    hand_options(&o, HC_THRESHOLD_VALUE, 0);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_close(r.cuts[0], 40, 0);
    assert_close(r.achieved, 590, 1e-12);
    hc_threshold_result_release(&r);
    assert_int_equal(hc_thresholds_search(HH, YY, AR, 11, &o, &r, &err), HC_OK);
    assert_close(r.cuts[0], 50, 0);
    assert_close(r.achieved, 1180, 1e-12);
    hc_threshold_result_release(&r);

    hand_options(&o, HC_THRESHOLD_ARR_RECALL, 0.5);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_close(r.cuts[0], 40, 0);
    assert_close(r.achieved, 1, 0);
    hc_threshold_result_release(&r);

    /* Without amounts every churned account counts the ARR of its last
     * churner row: C's row on day 107, 1000, so the same total. */
    hand_accounts(&acc, NULL);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_int_equal(r.churned_from_arr, 2);
    assert_close(r.churned_arr_accounts, 1300, 0);
    hc_threshold_result_release(&r);
}

/* Capacity by hand (the per-date counts above; feasible from cut 35):
 *   capacity=2: cut 35 holds 2, 1, 2 per date; 40 holds 2, 2, 2; 50 puts
 *     A, B and C in red on day 100: the largest is 40, met, and the next
 *     cut's most per date is 3;
 *   capacity=1: every feasible cut has 2 red on day 100: not met, the
 *     smallest feasible red band (35) is used, 2 > 1 on 2 of 3 dates;
 *   capacity=67%: day 100 and 107 have 4 rows (2.68 allowed), day 114
 *     has 3 (2.01): cut 40 (2, 2, 2) fits, 50 does not (3 on day 100);
 *   capacity=50%: day 114 allows 1.5, and cuts 35 and 40 both put A and
 *     D in red there: not met, cut 35. */
static void test_capacity_by_hand(void **state)
{
    (void)state;
    hc_threshold_accounts acc;
    hand_accounts(&acc, NULL);
    hc_threshold_options o;
    hc_threshold_result r;
    hc_error err;
    hand_options(&o, HC_THRESHOLD_CAPACITY, 0);

    o.capacity = 2;
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_true(r.met);
    assert_close(r.cuts[0], 40, 0);
    assert_close(r.achieved, 2, 0);
    assert_close(r.next_cut, 50, 0);
    assert_int_equal(r.next_per_date_max, 3);
    assert_int_equal(r.sweep[r.red_point].dates_over, 0);
    assert_non_null(strstr(r.message, "holds at most 2 accounts on a scoring date"));
    fprintf(stderr, "%s\n", r.message);
    hc_threshold_result_release(&r);

    o.capacity = 1;
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_false(r.met);
    assert_close(r.cuts[0], 35, 0);
    assert_close(r.achieved, 2, 0);
    assert_close(r.shortfall, 1, 0);
    assert_int_equal(r.sweep[r.red_point].dates_over, 2);
    assert_non_null(strstr(r.message, "capacity not met"));
    fprintf(stderr, "%s\n", r.message);
    hc_threshold_result_release(&r);

    o.capacity_share = 1;
    o.capacity = 0.67;
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_true(r.met);
    assert_close(r.cuts[0], 40, 0);
    assert_close(r.achieved, 2.0 / 3.0, 1e-15); /* day 114: 2 of 3 */
    hc_threshold_result_release(&r);

    o.capacity = 0.5;
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &r, &err), HC_OK);
    assert_false(r.met);
    assert_close(r.cuts[0], 35, 0);
    hc_threshold_result_release(&r);
}

/* NULL accounts (or neither codes nor dates) is hc_thresholds_search
 * exactly; capacity needs dates; codes are checked. */
static void test_null_and_errors(void **state)
{
    (void)state;
    hc_threshold_options o;
    hand_options(&o, HC_THRESHOLD_PRECISION, 0.4);
    hc_threshold_result a, b;
    hc_error err;
    hc_threshold_accounts none;
    memset(&none, 0, sizeof none);
    assert_int_equal(hc_thresholds_search(HH, YY, AR, 11, &o, &a, &err), HC_OK);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &none, &b, &err), HC_OK);
    assert_int_equal(a.n_points, b.n_points);
    assert_true(a.cuts[0] == b.cuts[0]);
    assert_true(a.achieved == b.achieved);
    assert_string_equal(a.message, b.message);
    for (size_t i = 0; i < a.n_points; i++)
        assert_memory_equal(&a.sweep[i], &b.sweep[i], offsetof(hc_threshold_point, feasible));
    assert_false(b.by_accounts);
    assert_false(b.has_dates);
    hc_threshold_result_release(&a);
    hc_threshold_result_release(&b);

    hand_options(&o, HC_THRESHOLD_CAPACITY, 0);
    o.capacity = 3;
    assert_int_equal(hc_thresholds_search(HH, YY, AR, 11, &o, &a, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "scoring date"));
    o.capacity = 0.5; /* a count below one account */
    hc_threshold_accounts acc;
    hand_accounts(&acc, NULL);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &a, &err),
                     HC_EUSAGE);
    o.capacity_share = 1;
    o.capacity = 1.5;
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &a, &err),
                     HC_EUSAGE);

    int32_t bad[11];
    memcpy(bad, AC, sizeof bad);
    bad[7] = 4;
    acc.account = bad;
    hand_options(&o, HC_THRESHOLD_RECALL, 0.5);
    assert_int_equal(hc_thresholds_search_accounts(HH, YY, AR, 11, &o, &acc, &a, &err),
                     HC_ENUMERIC);
    assert_non_null(strstr(err.message, "row 7"));
}

/* Property: on random histories the sweep's account and per-date figures
 * equal a direct count at every cut (O(n m), for this test only), with
 * rows reached through an index as a caller reads a table's columns. */
static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static void test_brute_force(void **state)
{
    (void)state;
    enum { NA = 40, ND = 12, NMAX = NA * ND };
    static double H[NMAX], y[NMAX], arr[NMAX], amount[NA];
    static int32_t acct[NMAX + 5], day[NMAX + 5];
    static uint32_t row[NMAX];
    size_t checked = 0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        uint64_t s = seed;
        size_t n = 0;
        for (int a = 0; a < NA; a++) {
            amount[a] = lcg(&s) % 3 == 0 ? NAN : (double)(lcg(&s) % 500);
            int last = 1 + (int)(lcg(&s) % ND); /* alive until this date */
            int churns = lcg(&s) % 4 == 0;
            for (int d = 0; d < last; d++) {
                H[n] = (double)(lcg(&s) % 400) / 4.0;
                y[n] = churns && d >= last - 3 ? 1.0 : 0.0;
                arr[n] = (double)(lcg(&s) % 1000);
                /* The table holds codes and dates 5 rows further on. */
                acct[n + 5] = a;
                day[n + 5] = 7 * d;
                row[n] = (uint32_t)(n + 5);
                n++;
            }
        }
        /* Shuffle the rows so that no order is assumed. */
        for (size_t i = n; i > 1; i--) {
            size_t j = lcg(&s) % i;
            double t = H[i - 1]; H[i - 1] = H[j]; H[j] = t;
            t = y[i - 1]; y[i - 1] = y[j]; y[j] = t;
            t = arr[i - 1]; arr[i - 1] = arr[j]; arr[j] = t;
            uint32_t u = row[i - 1]; row[i - 1] = row[j]; row[j] = u;
        }
        hc_threshold_accounts acc = {acct, NA, amount, day, row};
        hc_threshold_options o;
        hc_threshold_options_init(&o);
        o.n_bands = 2;
        o.min_band_share = 0.01;
        o.grid = 5;
        o.save_rate = 0.4;
        o.cost = 3;
        hc_threshold_result r;
        hc_error err;
        hc_status st = hc_thresholds_search_accounts(H, y, arr, n, &o, &acc, &r, &err);
        if (st == HC_ENUMERIC) /* no churner, or no monotone banding */
            continue;
        assert_int_equal(st, HC_OK);
        checked++;
        for (size_t k = 0; k < r.n_points; k++) {
            const hc_threshold_point *p = &r.sweep[k];
            int seen[NA] = {0}, red[NA] = {0}, churned[NA] = {0}, caught[NA] = {0};
            int last_day[NA];
            double last_arr[NA];
            size_t per_day[ND] = {0}, rows_day[ND] = {0}, flagged = 0;
            for (int a = 0; a < NA; a++)
                last_day[a] = -1;
            for (size_t i = 0; i < n; i++) {
                int a = acct[row[i]], d = day[row[i]] / 7;
                int r_ = H[i] < p->cut;
                seen[a] = 1;
                red[a] |= r_;
                rows_day[d]++;
                per_day[d] += r_;
                flagged += r_;
                if (y[i] == 1.0) {
                    churned[a] = 1;
                    caught[a] |= r_;
                    if (d > last_day[a]) {
                        last_day[a] = d;
                        last_arr[a] = arr[i];
                    }
                }
            }
            size_t acc_n = 0, red_n = 0, ch_n = 0, ca_n = 0;
            double ch_arr = 0, ca_arr = 0;
            for (int a = 0; a < NA; a++) {
                acc_n += seen[a];
                red_n += red[a];
                if (!churned[a])
                    continue;
                double v = isfinite(amount[a]) ? amount[a] : last_arr[a];
                ch_n++;
                ch_arr += v;
                ca_n += caught[a];
                ca_arr += caught[a] ? v : 0;
            }
            size_t dmin = SIZE_MAX, dmax = 0, dates = 0;
            for (int d = 0; d < ND; d++) {
                if (!rows_day[d])
                    continue;
                dates++;
                dmin = per_day[d] < dmin ? per_day[d] : dmin;
                dmax = per_day[d] > dmax ? per_day[d] : dmax;
            }
            assert_int_equal(r.accounts, acc_n);
            assert_int_equal(r.churned_accounts, ch_n);
            assert_close(r.churned_arr_accounts, ch_arr, 1e-12);
            assert_int_equal(p->flagged, flagged);
            assert_int_equal(p->accounts_flagged, red_n);
            assert_int_equal(p->churned_accounts_flagged, ca_n);
            assert_close(p->churned_arr_accounts_flagged, ca_arr, 1e-12);
            assert_close(p->account_recall, (double)ca_n / (double)ch_n, 1e-15);
            assert_close(p->account_precision, red_n ? (double)ca_n / (double)red_n : 0, 1e-15);
            assert_close(p->account_value, 0.4 * ca_arr - 3.0 * (double)flagged, 1e-9);
            assert_int_equal(r.n_dates, dates);
            assert_int_equal(p->per_date_min, dmin);
            assert_int_equal(p->per_date_max, dmax);
            assert_close(p->per_date_mean, (double)flagged / (double)dates, 1e-15);
        }
        hc_threshold_result_release(&r);
    }
    assert_true(checked >= 20); /* most histories have a banding to compare */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_by_hand),
        cmocka_unit_test(test_objectives_in_accounts),
        cmocka_unit_test(test_capacity_by_hand),
        cmocka_unit_test(test_null_and_errors),
        cmocka_unit_test(test_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
