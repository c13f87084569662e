/* test_bands_accounts.c - the band table in accounts (hc_metrics_bands_accounts): hand-computed tallies, the pandas reference history through validate, and the backtest's pooled and per-fold tallies. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <unistd.h>

#include "hc_backtest.h"
#include "hc_date.h"
#include "hc_simulate.h"
#include "hc_validate.h"

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

/* Six rows of three accounts, out of date order (hand computation):
 *   account 0: band 0 day 10 ARR 100 y 0; band 1 day 20 ARR 110 y 1;
 *              band 0 day 30 ARR 120 y 1; churn amount 500
 *   account 1: band 2 day 5 ARR 50; band 2 day 15 ARR 55 (no churner row)
 *   account 2: band 1 day 12 ARR 70 y 1; churn amount unknown (NaN)
 * band 0: accounts {0}, latest row of 0 in band 0 is day 30 (ARR 120);
 *         account 0's latest row (day 30) and latest churner row (day 30)
 *         are here: accounts_latest 1 (ARR 120), churned 1 (amount 500).
 * band 1: accounts {0, 2}, ARR 110 + 70 = 180; account 2's latest row and
 *         churner row: accounts_latest 1 (ARR 70), churned 1 with the ARR
 *         of that row, 70 (from ARR).
 * band 2: account 1, ARR 55 (day 15), accounts_latest 1 (ARR 55).
 * Totals: 3 accounts, 2 churned, book 120 + 70 + 55 = 245, churned 570. */
static const int32_t BAND[] = {0, 2, 1, 2, 0, 1};
static const double Y[] = {1, 0, 1, 0, 0, 1};
static const int32_t ACCT[] = {0, 1, 2, 1, 0, 0};
static const int32_t DAY[] = {30, 15, 12, 5, 10, 20};
static const double ARR[] = {120, 55, 70, 50, 100, 110};

static void test_hand_computed(void **state)
{
    (void)state;
    double amount[3] = {500, NAN, NAN};
    hc_metrics_bands_accounts_result r;
    hc_error err;
    assert_int_equal(hc_metrics_bands_accounts(BAND, Y, ACCT, DAY, ARR, amount, 3, 6, 3, &r,
                                               &err), HC_OK);
    static const size_t acc[] = {1, 2, 1}, latest[] = {1, 1, 1}, churned[] = {1, 1, 0};
    static const double arr[] = {120, 180, 55}, arr_latest[] = {120, 70, 55},
                        carr[] = {500, 70, 0};
    static const size_t with_amount[] = {1, 0, 0}, from_arr[] = {0, 1, 0};
    for (size_t b = 0; b < 3; b++) {
        assert_int_equal(r.bands[b].accounts, acc[b]);
        assert_int_equal(r.bands[b].accounts_latest, latest[b]);
        assert_int_equal(r.bands[b].churned_accounts, churned[b]);
        assert_close(r.bands[b].arr, arr[b], 0);
        assert_close(r.bands[b].arr_latest, arr_latest[b], 0);
        assert_close(r.bands[b].churned_arr, carr[b], 0);
        assert_int_equal(r.bands[b].churned_with_amount, with_amount[b]);
        assert_int_equal(r.bands[b].churned_from_arr, from_arr[b]);
    }
    assert_int_equal(r.accounts, 3);
    assert_int_equal(r.churned_accounts, 2);
    assert_close(r.arr_latest, 245, 0);
    assert_close(r.churned_arr, 570, 0);
    assert_int_equal(r.churned_with_amount, 1);
    assert_int_equal(r.churned_from_arr, 1);
    assert_true(r.has_arr && r.has_amounts);
    hc_metrics_bands_accounts_release(&r);
    hc_metrics_bands_accounts_release(&r); /* twice is harmless */

    /* Without dates the row order is the time order: in this order
     * account 0's latest row is its day-20 row (band 1, ARR 110, a churner
     * row), so it moves to band 1 as of its latest and as churned. */
    assert_int_equal(hc_metrics_bands_accounts(BAND, Y, ACCT, NULL, ARR, amount, 3, 6, 3, &r,
                                               &err), HC_OK);
    assert_int_equal(r.bands[0].accounts_latest, 0);
    assert_int_equal(r.bands[1].accounts_latest, 2);
    assert_close(r.bands[1].arr_latest, 180, 0);
    assert_int_equal(r.bands[1].churned_accounts, 2);
    assert_close(r.bands[1].churned_arr, 570, 0);
    hc_metrics_bands_accounts_release(&r);

    /* Without amounts (no events) every churned account counts the ARR of
     * its latest churner row: 120 + 70; without ARR every ARR is 0. */
    assert_int_equal(hc_metrics_bands_accounts(BAND, Y, ACCT, DAY, ARR, NULL, 0, 6, 3, &r,
                                               &err), HC_OK);
    assert_close(r.churned_arr, 190, 0);
    assert_int_equal(r.churned_from_arr, 2);
    assert_int_equal(r.churned_with_amount, 0);
    assert_false(r.has_amounts);
    hc_metrics_bands_accounts_release(&r);
    assert_int_equal(hc_metrics_bands_accounts(BAND, Y, ACCT, DAY, NULL, amount, 3, 6, 3, &r,
                                               &err), HC_OK);
    assert_close(r.arr_latest, 0, 0);
    assert_close(r.churned_arr, 500, 0); /* the event amount; 0 for the other */
    assert_false(r.has_arr);
    hc_metrics_bands_accounts_release(&r);
}

/* Two rows of one account on the same day: the later row is the latest. */
static void test_ties_and_errors(void **state)
{
    (void)state;
    const int32_t band[] = {0, 1}, acct[] = {0, 0}, day[] = {7, 7};
    const double y[] = {0, 0}, arr[] = {10, 20};
    hc_metrics_bands_accounts_result r;
    hc_error err;
    assert_int_equal(hc_metrics_bands_accounts(band, y, acct, day, arr, NULL, 0, 2, 2, &r,
                                               &err), HC_OK);
    assert_int_equal(r.bands[1].accounts_latest, 1);
    assert_close(r.arr_latest, 20, 0);
    assert_int_equal(r.churned_accounts, 0); /* no churner row is not an error */
    hc_metrics_bands_accounts_release(&r);

    const int32_t bad_band[] = {0, 2}, bad_acct[] = {0, 3};
    const double bad_y[] = {0, 2}, bad_arr[] = {10, -1}, neg[] = {-5};
    assert_int_equal(hc_metrics_bands_accounts(bad_band, y, acct, day, arr, NULL, 0, 2, 2, &r,
                                               &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "row 1 has band 2"));
    assert_int_equal(hc_metrics_bands_accounts(band, bad_y, acct, day, arr, NULL, 0, 2, 2, &r,
                                               &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_bands_accounts(band, y, acct, day, bad_arr, NULL, 0, 2, 2, &r,
                                               &err), HC_ENUMERIC);
    double one[1] = {NAN};
    assert_int_equal(hc_metrics_bands_accounts(band, y, bad_acct, day, arr, one, 1, 2, 2, &r,
                                               &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "account code 3"));
    assert_int_equal(hc_metrics_bands_accounts(band, y, acct, day, arr, neg, 1, 2, 2, &r,
                                               &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_bands_accounts(band, y, acct, day, arr, NULL, 0, 2, 0, &r,
                                               &err), HC_EUSAGE);
    assert_int_equal(hc_metrics_bands_accounts(band, y, acct, day, arr, NULL, 0, 0, 2, &r,
                                               &err), HC_ENUMERIC);
    assert_null(r.bands);
}

/* tests/data/bands_accounts: 6 accounts x 6 weekly snapshots, H = the
 * column h, churns with amounts, one without (A2), a repeat churn (A5's
 * second, 9999, not used) and a churn (A6) that labels no evaluated row.
 * Every number below was printed by
 *   /usr/bin/python3 tests/reference/bands_accounts.py
 * (pandas, the label rules written out independently):
 *   band   snapshots churner accounts latest churned arr_acc arr_latest churned_arr ev arr
 *   red        8        4       3       2      2    20500   11500       7500      1   1
 *   yellow    17        3       6       3      1    55500   23500      12000      1   0
 *   green      9        4       4       1      0    42000   20000          0      0   0
 *   total arr_latest 55000, churned_arr_events 19500; 34 rows, 11 churner
 *   rows, 6 accounts, 3 churned accounts. */
#define REF "tests/data/bands_accounts/"

static void validate_reference(const char *cluster_col, int clustered)
{
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = REF "snapshots.csv";
    ho.events_path = REF "events.csv";
    ho.labels.horizon = 30;
    ho.labels.as_of = HC_DATE_MISSING;
    hc_history h;
    hc_error err;
    assert_int_equal(hc_history_load(&ho, &h, &err), HC_OK);
    hc_model *m;
    assert_int_equal(hc_model_load(REF "config.json", &m, &err), HC_OK);
    hc_validate_model_options o;
    hc_validate_model_options_init(&o);
    o.bootstrap = 0;
    o.clustered = clustered;
    o.cluster_col = cluster_col;
    hc_validate_result r;
    hc_validate_rows counts;
    hc_status st = hc_validate_model_opts(m, &h, NULL, 0, &o, &r, &counts, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_int_equal(counts.used, 34);
    assert_true(r.has_bands && r.has_band_accounts);
    static const size_t snaps[] = {8, 17, 9}, churner[] = {4, 3, 4};
    static const size_t acc[] = {3, 6, 4}, latest[] = {2, 3, 1}, churned[] = {2, 1, 0};
    static const double arr[] = {20500, 55500, 42000}, arr_latest[] = {11500, 23500, 20000},
                        carr[] = {7500, 12000, 0};
    static const size_t ev[] = {1, 1, 0}, from_arr[] = {1, 0, 0};
    const hc_metrics_bands_accounts_result *a = &r.band_accounts;
    for (size_t b = 0; b < 3; b++) {
        assert_int_equal(r.bands.bands[b].accounts, snaps[b]); /* snapshots */
        assert_int_equal(r.bands.bands[b].churners, churner[b]);
        assert_int_equal(a->bands[b].accounts, acc[b]);
        assert_int_equal(a->bands[b].accounts_latest, latest[b]);
        assert_int_equal(a->bands[b].churned_accounts, churned[b]);
        assert_close(a->bands[b].arr, arr[b], 0);
        assert_close(a->bands[b].arr_latest, arr_latest[b], 0);
        assert_close(a->bands[b].churned_arr, carr[b], 0);
        assert_int_equal(a->bands[b].churned_with_amount, ev[b]);
        assert_int_equal(a->bands[b].churned_from_arr, from_arr[b]);
    }
    assert_int_equal(r.bands.churners, 11);
    assert_int_equal(a->accounts, 6);
    assert_int_equal(a->churned_accounts, 3);
    assert_close(a->arr_latest, 55000, 0);
    assert_close(a->churned_arr, 19500, 0);
    hc_validate_result_release(&r);
    hc_model_free(m);
    hc_history_release(&h);
}

/* The account tallies are by account whatever clusters the intervals:
 * the account id, none, or another id column (segment). */
static void test_reference_history(void **state)
{
    (void)state;
    validate_reference(NULL, 1);
    validate_reference(NULL, 0);
    validate_reference("segment", 1);
}

/* hc_validate_churn_amounts: the first churn event's amount per account
 * (A1 12000, A2 unknown, A3 and A4 none, A5 3000 not the repeat's 9999,
 * A6 6000); no events: NULL. */
static void test_churn_amounts(void **state)
{
    (void)state;
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = REF "snapshots.csv";
    ho.events_path = REF "events.csv";
    ho.labels.horizon = 30;
    ho.labels.as_of = HC_DATE_MISSING;
    hc_history h;
    hc_error err;
    assert_int_equal(hc_history_load(&ho, &h, &err), HC_OK);
    double *a;
    assert_int_equal(hc_validate_churn_amounts(&h, &a, &err), HC_OK);
    assert_int_equal(h.snapshots.n_accounts, 6);
    const hc_column *id = &h.snapshots.table->cols[h.snapshots.id_col];
    static const char *const names[] = {"A1", "A2", "A3", "A4", "A5", "A6"};
    static const double want[] = {12000, NAN, NAN, NAN, 3000, 6000};
    for (size_t i = 0; i < 6; i++) {
        int32_t code = hc_strpool_lookup(id->pool, names[i], 2);
        assert_true(code >= 0);
        if (isnan(want[i]))
            assert_true(isnan(a[code]));
        else
            assert_close(a[code], want[i], 0);
    }
    free(a);
    h.has_events = 0;
    assert_int_equal(hc_validate_churn_amounts(&h, &a, &err), HC_OK);
    assert_null(a);
    h.has_events = 1;
    hc_history_release(&h);
}

/* The backtest's pooled rows are in date order (the tallies read no
 * dates), the pooled tally sums to the churn amounts of the accounts with
 * a churner test row, each fold's tallies agree with a direct count over
 * its slice of the pool, and clustering by none gives the same tallies
 * (the account codes are then made after the validation). */
static void test_backtest_tallies(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/hc-test-bacc.XXXXXX");
    assert_non_null(mkdtemp(dir));
    hc_simulate_options so;
    hc_simulate_options_init(&so);
    so.accounts = 300;
    so.weeks = 80;
    so.seed = 5;
    so.out_dir = dir;
    hc_error err;
    assert_int_equal(hc_simulate_run(&so, NULL, &err), HC_OK);
    char snap[160], evp[160], cfg[160];
    snprintf(snap, sizeof snap, "%s/snapshots.csv", dir);
    snprintf(evp, sizeof evp, "%s/events.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/current.json", dir);
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = snap;
    ho.events_path = evp;
    ho.labels.horizon = 30;
    ho.labels.as_of = HC_DATE_MISSING;
    hc_history h;
    assert_int_equal(hc_history_load(&ho, &h, &err), HC_OK);
    hc_model *m;
    assert_int_equal(hc_model_load(cfg, &m, &err), HC_OK);
    double *amount;
    assert_int_equal(hc_validate_churn_amounts(&h, &amount, &err), HC_OK);
    hc_backtest_result r[2];
    for (int u = 0; u < 2; u++) {
        hc_backtest_options opt;
        hc_backtest_options_init(&opt);
        opt.tuned = 1;
        opt.window_days = 0;
        opt.step_days = 91;
        int32_t d;
        assert_int_equal(hc_date_parse("2024-10-01", 10, &d), 0);
        opt.first_test = d;
        opt.unclustered = u;
        const hc_model *cfgs[1] = {m};
        hc_status st = hc_backtest_run(&h, cfgs, NULL, 1, &opt, &r[u], &err);
        if (st != HC_OK)
            fprintf(stderr, "%s\n", err.message);
        assert_int_equal(st, HC_OK);
    }
    const hc_backtest_result *b = &r[0];
    const hc_table *t = h.snapshots.table;
    const int32_t *date = t->cols[h.snapshots.date_col].code;
    const int32_t *id = t->cols[h.snapshots.id_col].code;
    for (size_t i = 1; i < b->n_pooled; i++)
        assert_true(date[b->pooled_row[i]] >= date[b->pooled_row[i - 1]]);
    /* Direct counts over the pool and over each fold's slice. */
    size_t k = h.snapshots.n_accounts;
    unsigned char *seen = malloc(k), *churned = malloc(k);
    double *last_arr = malloc(k * sizeof *last_arr);
    assert_non_null(seen && churned && last_arr);
    for (size_t c = 0; c < b->n_configs; c++) {
        const hc_validate_result *v = &b->configs[c].pooled;
        assert_true(b->configs[c].has_pooled && v->has_band_accounts);
        const hc_validate_result *vu = &r[1].configs[c].pooled;
        assert_true(vu->has_band_accounts);
        for (size_t q = 0; q < v->band_accounts.n_bands; q++) {
            assert_int_equal(v->band_accounts.bands[q].accounts,
                             vu->band_accounts.bands[q].accounts);
            assert_close(v->band_accounts.bands[q].churned_arr,
                         vu->band_accounts.bands[q].churned_arr, 0);
        }
        size_t base = 0, folds = 0;
        double pooled_churned = 0;
        memset(churned, 0, k);
        for (size_t i = 0; i < b->n_pooled; i++)
            if (b->pooled_y[i] == 1.0 && !churned[id[b->pooled_row[i]]]) {
                churned[id[b->pooled_row[i]]] = 1;
                pooled_churned += amount[id[b->pooled_row[i]]]; /* simulator: all given */
            }
        assert_close(v->band_accounts.churned_arr, pooled_churned, 1e-12);
        assert_true(v->band_accounts.churned_arr > 0);
        for (size_t f = 0; f < b->plan.n_folds; f++) {
            const hc_backtest_fold *fold = &b->folds[f];
            if (!fold->used)
                continue;
            const hc_backtest_cell *cell = &fold->cells[c];
            const hc_backtest_cell *cu = &r[1].folds[f].cells[c];
            assert_true(cell->has_band_accounts && cu->has_band_accounts);
            memset(seen, 0, k);
            memset(churned, 0, k);
            size_t n_acc = 0, n_churned = 0;
            double book = 0, camount = 0;
            for (size_t i = base; i < base + fold->n_test; i++) {
                size_t a = (size_t)id[b->pooled_row[i]];
                if (!seen[a]++)
                    n_acc++;
                last_arr[a] = b->pooled_arr[i];
                if (b->pooled_y[i] == 1.0 && !churned[a]) {
                    churned[a] = 1;
                    n_churned++;
                    camount += amount[a];
                }
            }
            for (size_t a = 0; a < k; a++)
                book += seen[a] ? last_arr[a] : 0.0;
            size_t s_latest = 0, s_churned = 0, s_rows = 0;
            double s_book = 0, s_camount = 0;
            for (size_t q = 0; q < b->configs[c].n_bands; q++) {
                s_latest += cell->band_accounts_latest[q];
                s_churned += cell->band_churned_accounts[q];
                s_book += cell->band_arr_latest[q];
                s_camount += cell->band_churned_arr[q];
                s_rows += cell->band_accounts[q];
                assert_true(cell->band_n_accounts[q] <= cell->band_accounts[q]);
                assert_true(cell->band_arr_accounts[q] >= cell->band_arr_latest[q]);
                assert_int_equal(cell->band_n_accounts[q], cu->band_n_accounts[q]);
                assert_close(cell->band_arr_latest[q], cu->band_arr_latest[q], 0);
            }
            assert_int_equal(s_rows, fold->n_test);
            assert_int_equal(s_latest, n_acc);
            assert_int_equal(s_churned, n_churned);
            assert_close(s_book, book, 1e-12);
            assert_close(s_camount, camount, 1e-12);
            base += fold->n_test;
            folds++;
        }
        assert_int_equal(base, b->n_pooled);
        assert_true(folds >= 2);
    }
    free(seen);
    free(churned);
    free(last_arr);
    free(amount);
    hc_backtest_result_release(&r[0]);
    hc_backtest_result_release(&r[1]);
    hc_model_free(m);
    hc_history_release(&h);
    static const char *const files[] = {"snapshots.csv", "events.csv", "truth.json",
                                        "current.json", "truth_probs.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[200];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_ties_and_errors),
        cmocka_unit_test(test_reference_history),
        cmocka_unit_test(test_churn_amounts),
        cmocka_unit_test(test_backtest_tallies),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
