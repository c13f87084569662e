/* test_thresholds.c - tests of the band cut-point search (hc_thresholds). */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hc_thresholds.h"

/* ---- a constructed example whose answers are known by hand ---------------
 *
 * 20 accounts with health 1..20, churners at H = 1, 2, 3, 5, 8, 13 (6 of
 * 20). Bands: 3, each at least 10% (2 accounts); candidate cuts every
 * distinct H (grid 0), so a cut c flags H < c. */
static double H20[20], Y20[20];

static void setup20(void)
{
    static const int churn[] = {1, 2, 3, 5, 8, 13};
    for (int i = 0; i < 20; i++) {
        H20[i] = i + 1;
        Y20[i] = 0;
    }
    for (int k = 0; k < 6; k++)
        Y20[churn[k] - 1] = 1;
}

static void opts20(hc_threshold_options *o, hc_threshold_objective obj,
                   double target)
{
    hc_threshold_options_init(o);
    o->objective = obj;
    o->target = target;
    o->n_bands = 3;
    o->min_band_share = 0.1;
    o->grid = 0;
}

/* Recall 0.5 = 3 churners: the fewest flagged is H < 4 (rows 1, 2, 3, all
 * churners). The other 17 rows split as evenly as allowed: 8 / 9 and 9 / 8
 * tie at squared error 0.25 + 0.25; the lower cut, 12, is kept. Yellow
 * H 4..11 has 2 churners of 8 (0.25) and green H 12..20 1 of 9: monotone. */
static void test_recall_by_hand(void **state)
{
    (void)state;
    setup20();
    hc_threshold_options o;
    opts20(&o, HC_THRESHOLD_RECALL, 0.5);
    hc_threshold_result r;
    hc_error err;
    hc_status st = hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err);
    if (st)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_true(r.met);
    assert_int_equal(r.n_bands, 3);
    assert_close(r.cuts[0], 4, 0);
    assert_close(r.cuts[1], 12, 0);
    assert_int_equal(r.bands[0].accounts, 3);
    assert_int_equal(r.bands[0].churners, 3);
    assert_int_equal(r.bands[1].accounts, 8);
    assert_int_equal(r.bands[1].churners, 2);
    assert_int_equal(r.bands[2].accounts, 9);
    assert_int_equal(r.bands[2].churners, 1);
    assert_close(r.achieved, 0.5, 0);
    assert_close(r.shortfall, 0, 0);
    assert_int_equal(r.n_points, 19); /* cuts 2..20 */
    assert_close(r.sweep[r.red_point].cut, 4, 0);
    /* Cut 2 flags one account: below the 2-account minimum. */
    assert_false(r.sweep[0].feasible);
    fprintf(stderr, "%s\n", r.message);
    hc_threshold_result_release(&r);
}

/* Recall 0.9 needs all 6 churners: H < 14, which leaves H 14..20 without a
 * churner, so yellow and green would both have rate 0 (not strictly
 * decreasing): infeasible. The best feasible recall is 5 of 6 churners,
 * first reached with the fewest flagged at H < 9 (churners 1, 2, 3, 5, 8;
 * cuts 10..13 catch no more; yellow from 9 holds the churner at 13):
 * recall 0.8333, short of 0.9 by 0.0667. */
static void test_recall_shortfall_by_hand(void **state)
{
    (void)state;
    setup20();
    hc_threshold_options o;
    opts20(&o, HC_THRESHOLD_RECALL, 0.9);
    hc_threshold_result r;
    hc_error err;
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_OK);
    assert_false(r.met);
    assert_close(r.cuts[0], 9, 0);
    assert_close(r.achieved, 5.0 / 6.0, 1e-15);
    assert_close(r.shortfall, 0.9 - 5.0 / 6.0, 1e-15);
    assert_false(r.sweep[14 - 2].feasible); /* cut 14 */
    assert_true(r.sweep[13 - 2].feasible);
    assert_non_null(strstr(r.message, "short of 0.9 by 0.0667"));
    fprintf(stderr, "%s\n", r.message);
    hc_threshold_result_release(&r);
}

/* Precision >= 0.6: precision of H < c for c = 4..10 is 3/3, 3/4, 4/5, 4/6,
 * 4/7, 5/8, 5/9; the largest red band reaching 0.6 is H < 9 (5/8). */
static void test_precision_by_hand(void **state)
{
    (void)state;
    setup20();
    hc_threshold_options o;
    opts20(&o, HC_THRESHOLD_PRECISION, 0.6);
    hc_threshold_result r;
    hc_error err;
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_OK);
    assert_true(r.met);
    assert_close(r.cuts[0], 9, 0);
    assert_close(r.achieved, 0.625, 0);
    hc_threshold_result_release(&r);
}

/* Value: ARR 100 each, save rate 0.5, cost 30 per intervention:
 * EV(c) = 50 churners_flagged - 30 flagged: c=3: 40, 4: 60, 5: 30, 6: 50,
 * 7: 20, 9: 10, ...; the maximum is H < 4 with 60. */
static void test_value_by_hand(void **state)
{
    (void)state;
    setup20();
    double arr[20];
    for (int i = 0; i < 20; i++)
        arr[i] = 100;
    hc_threshold_options o;
    opts20(&o, HC_THRESHOLD_VALUE, 0);
    o.save_rate = 0.5;
    o.cost = 30;
    hc_threshold_result r;
    hc_error err;
    assert_int_equal(hc_thresholds_search(H20, Y20, arr, 20, &o, &r, &err),
                     HC_OK);
    assert_true(r.met);
    assert_close(r.cuts[0], 4, 0);
    assert_close(r.achieved, 60, 1e-12);
    assert_close(r.sweep[6 - 2].value, 50, 1e-12);
    assert_close(r.bands[0].arr, 300, 0);
    hc_threshold_result_release(&r);
}

/* ARR recall differs from recall: churned ARR is 10 for the churners at
 * H = 1, 2, 3, 5, 8 and 150 at H = 13 (total 200), so catching half the
 * churned ARR needs H < 14, which is infeasible (see above); the best is
 * 50 / 200 = 0.25, first reached at H < 9, short of 0.5 by 0.25. */
static void test_arr_recall_by_hand(void **state)
{
    (void)state;
    setup20();
    double arr[20];
    for (int i = 0; i < 20; i++)
        arr[i] = 10;
    arr[13 - 1] = 150;
    hc_threshold_options o;
    opts20(&o, HC_THRESHOLD_ARR_RECALL, 0.5);
    hc_threshold_result r;
    hc_error err;
    assert_int_equal(hc_thresholds_search(H20, Y20, arr, 20, &o, &r, &err),
                     HC_OK);
    assert_false(r.met);
    assert_close(r.cuts[0], 9, 0);
    assert_close(r.achieved, 0.25, 1e-15);
    assert_close(r.shortfall, 0.25, 1e-15);
    hc_threshold_result_release(&r);
    /* Without ARR the objective is a usage error. */
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_EUSAGE);
}

/* No feasible banding at all, bad options, no churners. */
static void test_infeasible_and_errors(void **state)
{
    (void)state;
    setup20();
    double y[20] = {0};
    y[19] = 1; /* the only churner is the healthiest account */
    hc_threshold_options o;
    opts20(&o, HC_THRESHOLD_RECALL, 0.5);
    hc_threshold_result r;
    hc_error err;
    assert_int_equal(hc_thresholds_search(H20, y, NULL, 20, &o, &r, &err),
                     HC_ENUMERIC);
    assert_non_null(strstr(err.message, "no way to cut"));
    assert_null(r.sweep);
    double none[20] = {0};
    assert_int_equal(hc_thresholds_search(H20, none, NULL, 20, &o, &r, &err),
                     HC_ENUMERIC);
    o.min_band_share = 0.4; /* 3 x 0.4 > 1 */
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_EUSAGE);
    opts20(&o, HC_THRESHOLD_RECALL, 1.5);
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_EUSAGE);
    opts20(&o, HC_THRESHOLD_RECALL, 0.5);
    o.n_bands = 1;
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_EUSAGE);
    double h[20];
    memcpy(h, H20, sizeof h);
    h[3] = NAN;
    opts20(&o, HC_THRESHOLD_RECALL, 0.5);
    assert_int_equal(hc_thresholds_search(h, Y20, NULL, 20, &o, &r, &err),
                     HC_ENUMERIC);
    /* A grid of 0.01 over 1..20 gives 1900 candidates, over the limit. */
    o.grid = 0.01;
    assert_int_equal(hc_thresholds_search(H20, Y20, NULL, 20, &o, &r, &err),
                     HC_EUSAGE);
    assert_non_null(strstr(err.message, "coarser grid"));
}

/* ---- brute force on small simulated data ---------------------------------
 *
 * Known truth by exhaustion: for K = 3 and 4 bands over integer scores, every
 * combination of cuts is enumerated; the feasible red cuts and the
 * least-squares equal-share placement must match the dynamic programme. */

static double sq(double v)
{
    return v * v;
}

typedef struct {
    size_t n, y;
} tally;

static tally count_band(const double *H, const double *y, size_t n, double lo,
                        double hi)
{
    tally t = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (H[i] >= lo && H[i] < hi) {
            t.n++;
            t.y += y[i] == 1.0;
        }
    return t;
}

static int gt(tally a, tally b)
{
    return (double)a.y * (double)b.n > (double)b.y * (double)a.n;
}

/* Outcomes seen, so that the test can show it exercised each branch. */
static int seen_infeasible, seen_met, seen_short;

static void brute_check(const double *H, const double *y, size_t n, size_t K,
                        double share, double goal)
{
    hc_threshold_options o;
    hc_threshold_options_init(&o);
    o.n_bands = K;
    o.min_band_share = share;
    o.grid = 1.0;
    o.objective = HC_THRESHOLD_RECALL;
    o.target = goal;
    hc_threshold_result r;
    hc_error err;
    hc_status st = hc_thresholds_search(H, y, NULL, n, &o, &r, &err);
    /* Candidate cuts: integers in (min H, max H]. */
    double lo = H[0], hi = H[0];
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, H[i]);
        hi = fmax(hi, H[i]);
    }
    double cuts[128];
    size_t m = 0;
    for (double c = floor(lo) + 1; c <= hi; c++)
        cuts[m++] = c;
    double min_rows = ceil(share * (double)n - 1e-9);
    if (min_rows < 1)
        min_rows = 1;
    int feas[128] = {0};
    double best_cost[128];
    for (size_t a = 0; a < m; a++) {
        best_cost[a] = INFINITY;
        tally red = count_band(H, y, n, -INFINITY, cuts[a]);
        if ((double)red.n < min_rows)
            continue;
        double target = (double)(n - red.n) / (double)(K - 1);
        for (size_t b = a + 1; b < m; b++) {
            tally t1 = count_band(H, y, n, cuts[a], cuts[b]);
            if ((double)t1.n < min_rows || !gt(red, t1))
                continue;
            if (K == 3) {
                tally t2 = count_band(H, y, n, cuts[b], INFINITY);
                if ((double)t2.n < min_rows || !gt(t1, t2))
                    continue;
                feas[a] = 1;
                double c = sq((double)t1.n - target) + sq((double)t2.n - target);
                if (c < best_cost[a])
                    best_cost[a] = c;
                continue;
            }
            for (size_t c3 = b + 1; c3 < m; c3++) {
                tally t2 = count_band(H, y, n, cuts[b], cuts[c3]);
                tally t3 = count_band(H, y, n, cuts[c3], INFINITY);
                if ((double)t2.n < min_rows || (double)t3.n < min_rows ||
                    !gt(t1, t2) || !gt(t2, t3))
                    continue;
                feas[a] = 1;
                double c = sq((double)t1.n - target) +
                           sq((double)t2.n - target) +
                           sq((double)t3.n - target);
                if (c < best_cost[a])
                    best_cost[a] = c;
            }
        }
    }
    int any = 0;
    for (size_t a = 0; a < m; a++)
        any |= feas[a];
    if (!any) {
        assert_int_equal(st, HC_ENUMERIC);
        seen_infeasible++;
        return;
    }
    assert_int_equal(st, HC_OK);
    assert_int_equal(r.n_points, m);
    for (size_t a = 0; a < m; a++) {
        assert_close(r.sweep[a].cut, cuts[a], 0);
        assert_int_equal(r.sweep[a].feasible, feas[a]);
    }
    size_t ri = r.red_point;
    assert_true(feas[ri]);
    if (r.met)
        seen_met++;
    else
        seen_short++;
    /* The red cut: the fewest flagged with recall >= goal, else the best. */
    for (size_t a = 0; a < ri; a++)
        if (feas[a])
            assert_true(r.sweep[a].recall < goal);
    if (!r.met)
        for (size_t a = 0; a < m; a++)
            if (feas[a])
                assert_true(r.sweep[a].recall <= r.sweep[ri].recall);
    /* The other cuts: the brute-force least-squares placement's cost. */
    tally red = count_band(H, y, n, -INFINITY, r.cuts[0]);
    double target = (double)(n - red.n) / (double)(K - 1), cost = 0;
    for (size_t k = 1; k < K; k++) {
        double top = k + 1 < K ? r.cuts[k] : INFINITY;
        tally t = count_band(H, y, n, r.cuts[k - 1], top);
        cost += sq((double)t.n - target);
    }
    assert_close(cost, best_cost[ri], 1e-9);
    /* Constraints hold in the reported bands. */
    size_t total = 0;
    for (size_t k = 0; k < K; k++) {
        assert_true((double)r.bands[k].accounts >= min_rows);
        total += r.bands[k].accounts;
        if (k > 0)
            assert_true(r.bands[k].churn_rate < r.bands[k - 1].churn_rate);
        if (k > 0)
            assert_true(r.cuts[k - 1] > (k > 1 ? r.cuts[k - 2] : -INFINITY));
    }
    assert_int_equal(total, n);
    hc_threshold_result_release(&r);
}

static void test_brute_force_small(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20240611);
    double H[200], y[200];
    for (int rep = 0; rep < 40; rep++) {
        size_t n = 60 + gsl_rng_uniform_int(rng, 140);
        for (size_t i = 0; i < n; i++) {
            /* Integer health 0..25, churn probability falling with H;
             * every third data set has almost no signal, so that monotone
             * banding is sometimes impossible. */
            H[i] = (double)gsl_rng_uniform_int(rng, 26);
            double p = rep % 3 == 2 ? 0.2 + 0.01 * exp(-H[i])
                                    : 0.6 * exp(-H[i] / 8.0) + 0.05;
            y[i] = gsl_rng_uniform(rng) < p;
        }
        brute_check(H, y, n, 3, rep % 2 ? 0.05 : 0.15, rep % 4 ? 0.6 : 0.95);
        if (rep < 15)
            brute_check(H, y, n, 4, 0.1, rep % 4 ? 0.5 : 0.9);
    }
    gsl_rng_free(rng);
    fprintf(stderr, "brute force: %d met, %d short of target, %d infeasible\n",
            seen_met, seen_short, seen_infeasible);
    assert_true(seen_met > 0 && seen_short > 0 && seen_infeasible > 0);
}

/* Properties on a larger simulated set with a continuous score: for every
 * objective and band count the bands have falling churn rates, respect the
 * minimum share, cover every row, and the target is met or the shortfall is
 * the gap to the best feasible sweep point. */
static void test_properties_simulated(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    size_t n = 20000;
    double *H = malloc(n * sizeof *H), *y = malloc(n * sizeof *y);
    double *arr = malloc(n * sizeof *arr);
    assert_non_null(H);
    assert_non_null(y);
    assert_non_null(arr);
    for (size_t i = 0; i < n; i++) {
        H[i] = 100.0 * gsl_ran_beta(rng, 4, 2);
        double eta = 1.5 - 0.06 * H[i];
        y[i] = gsl_rng_uniform(rng) < 1.0 / (1.0 + exp(-eta));
        arr[i] = gsl_ran_lognormal(rng, 9, 1);
    }
    const hc_threshold_objective objs[] = {
        HC_THRESHOLD_RECALL, HC_THRESHOLD_ARR_RECALL, HC_THRESHOLD_PRECISION,
        HC_THRESHOLD_VALUE};
    const double targets[] = {0.7, 0.7, 0.5, 0};
    for (size_t oi = 0; oi < 4; oi++) {
        for (size_t K = 2; K <= 5; K++) {
            for (int rule = 0; rule < 2; rule++) {
                hc_threshold_options o;
                hc_threshold_options_init(&o);
                o.objective = objs[oi];
                o.target = targets[oi];
                o.n_bands = K;
                o.min_band_share = 0.05;
                o.cost = 2000;
                o.save_rate = 0.3;
                o.rule = rule ? HC_BANDS_LIKELIHOOD : HC_BANDS_EQUAL_SHARE;
                hc_threshold_result r;
                hc_error err;
                hc_status st = hc_thresholds_search(H, y, arr, n, &o, &r, &err);
                if (st)
                    fprintf(stderr, "%s\n", err.message);
                assert_int_equal(st, HC_OK);
                size_t total = 0;
                for (size_t k = 0; k < K; k++) {
                    assert_true(r.bands[k].share >= 0.05 - 1e-12);
                    total += r.bands[k].accounts;
                    if (k > 0) {
                        assert_true(r.bands[k].churn_rate <
                                    r.bands[k - 1].churn_rate);
                        assert_true(r.cuts[k - 1] > 0);
                    }
                    if (k > 1)
                        assert_true(r.cuts[k - 1] > r.cuts[k - 2]);
                }
                assert_int_equal(total, n);
                /* Grid 0.5: every cut is a multiple of 0.5. */
                for (size_t k = 0; k + 1 < K; k++)
                    assert_close(r.cuts[k] * 2, floor(r.cuts[k] * 2), 0);
                const hc_threshold_point *p = &r.sweep[r.red_point];
                assert_true(p->feasible);
                assert_int_equal(p->flagged, r.bands[0].accounts);
                double best = -INFINITY;
                for (size_t i = 0; i < r.n_points; i++) {
                    if (!r.sweep[i].feasible)
                        continue;
                    double v = oi == 0 ? r.sweep[i].recall
                             : oi == 1 ? r.sweep[i].arr_recall
                             : oi == 2 ? r.sweep[i].precision
                                       : r.sweep[i].value;
                    best = fmax(best, v);
                    if (oi == 3)
                        assert_true(v <= r.achieved);
                }
                if (oi < 3 && !r.met) {
                    assert_close(r.achieved, best, 0);
                    assert_close(r.shortfall, o.target - best, 1e-15);
                }
                if (oi < 3 && r.met)
                    assert_true(r.achieved >= o.target);
                hc_threshold_result_release(&r);
            }
        }
    }
    /* Sweep monotonicity: recall and ARR recall never fall as the cut rises. */
    hc_threshold_result r;
    hc_error err;
    assert_int_equal(hc_thresholds_search(H, y, arr, n, NULL, &r, &err), HC_OK);
    for (size_t i = 1; i < r.n_points; i++) {
        assert_true(r.sweep[i].recall >= r.sweep[i - 1].recall);
        assert_true(r.sweep[i].arr_recall >= r.sweep[i - 1].arr_recall);
        assert_true(r.sweep[i].cut > r.sweep[i - 1].cut);
    }
    hc_threshold_result_release(&r);
    hc_threshold_result_release(NULL);
    free(H);
    free(y);
    free(arr);
    gsl_rng_free(rng);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recall_by_hand),
        cmocka_unit_test(test_recall_shortfall_by_hand),
        cmocka_unit_test(test_precision_by_hand),
        cmocka_unit_test(test_value_by_hand),
        cmocka_unit_test(test_arr_recall_by_hand),
        cmocka_unit_test(test_infeasible_and_errors),
        cmocka_unit_test(test_brute_force_small),
        cmocka_unit_test(test_properties_simulated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
