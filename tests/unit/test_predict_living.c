/* test_predict_living.c - predict's call list of living accounts: churned accounts left out, stale ones apart, kept columns (src/workflow/predict.c, predict_load.c, predict_write.c). */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <jansson.h>
#include <unistd.h>

#include "hc_predict.h"

/* Components u (identity on x1) and v (identity on x2), weights 1/2 each,
 * so H = (x1 + x2) / 2; bands red 0 / yellow 40 / green 70;
 * P(churn) = logistic(2 - 0.05 H). */
static const char *CONFIG =
    "{\"schema\": \"healthcal-model/1\", \"name\": \"living\", \"horizon_days\": 30,"
    " \"components\": ["
    "  {\"name\": \"u\", \"weight\": 0.5, \"metrics\": [{\"column\": \"x1\","
    "   \"transform\": {\"type\": \"identity\"}}]},"
    "  {\"name\": \"v\", \"weight\": 0.5, \"metrics\": [{\"column\": \"x2\","
    "   \"transform\": {\"type\": \"identity\"}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": \"yellow\", \"min\": 40},"
    "  {\"name\": \"green\", \"min\": 70}],"
    " \"churn_model\": {\"intercept\": 2, \"slope\": -0.05}}";

/* The history, as of its latest date 2024-03-11 (stale cutoff with the
 * 30-day horizon: 2024-02-10):
 *   X  churned 2024-01-10, long before as-of, last snapshot 2024-01-08
 *   Y  churns 2024-03-20, after as-of: still a customer today
 *   S  no event, latest snapshot 2024-01-15: stale
 *   C  no churn (an expansion), current; its owner is a formula
 *   M  current, ARR missing; its owner "007" must stay text
 *   R  churned 2024-02-01 but has a snapshot after it: came back
 *   D  churned 2024-03-04, the date of its last snapshot, at health 90:
 *      left out although it would be current and green
 * and an event of an account Q without a snapshot. */
static const char *SNAPSHOTS =
    "account_id,snapshot_date,segment,arr,x1,x2,owner\n"
    "X,2024-01-01,s,7000,30,30,\"=HYPERLINK(\"\"x\"\")\"\n"
    "X,2024-01-08,s,7000,20,20,ann\n"
    "Y,2024-03-04,s,4000,50,50,bob\n"
    "Y,2024-03-11,s,4000,40,40,bob\n"
    "S,2024-01-15,s,9000,10,10,cat\n"
    "C,2024-03-11,s,1000,80,80,=1+2\n"
    "M,2024-03-11,s,NA,20,20,007\n"
    "R,2024-01-25,s,2000,60,60,eve\n"
    "R,2024-03-11,s,2000,30,30,eve\n"
    "D,2024-03-04,s,3000,90,90,fay\n";

static const char *EVENTS =
    "account_id,event_date,event_type,amount\n"
    "X,2024-01-10,churn,7000\n"
    "Y,2024-03-20,churn,4000\n"
    "R,2024-02-01,churn,2000\n"
    "D,2024-03-04,churn,3000\n"
    "C,2024-02-01,expansion,500\n"
    "Q,2024-01-01,churn,100\n";

static double logistic(double eta)
{
    return 1.0 / (1.0 + exp(-eta));
}

typedef struct {
    char snap[64], events[64];
    hc_model *m;
    hc_snapshots s;
    hc_events e;
} fixture;

static void write_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static const char *const KEEP[] = {"owner", "x1"};

static void setup_fixture(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->snap, sizeof fx->snap, "/tmp/hc-test-living-s-XXXXXX");
    snprintf(fx->events, sizeof fx->events, "/tmp/hc-test-living-e-XXXXXX");
    write_file(fx->snap, SNAPSHOTS);
    write_file(fx->events, EVENTS);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_load_string(CONFIG, "living.json", &fx->m, &err), HC_OK);
    assert_int_equal(hc_predict_load_snapshots_keep(fx->m, fx->snap, 0, KEEP, 2, &fx->s, &err),
                     HC_OK);
    hc_event_load_options eo = {0};
    assert_int_equal(hc_events_load(fx->events, &eo, &fx->s, &fx->e, &err), HC_OK);
    assert_int_equal(fx->e.unknown_account, 1); /* Q */
}

static void teardown_fixture(fixture *fx)
{
    hc_events_release(&fx->e);
    hc_snapshots_release(&fx->s);
    hc_model_free(fx->m);
    unlink(fx->snap);
    unlink(fx->events);
}

static const char *row_id(const hc_predict_result *r, size_t i)
{
    return hc_table_text(r->snapshots->table, r->snapshots->id_col, r->rows[i].row);
}

static char *csv_of(const hc_predict_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hc_predict_write_csv(f, r);
    fclose(f);
    return buf;
}

static void run(fixture *fx, int with_events, int all, int stale_days, hc_predict_result *r)
{
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = fx->m;
    po.snapshots = &fx->s;
    po.events = with_events ? &fx->e : NULL;
    po.all_snapshots = all;
    po.stale_days = stale_days;
    po.keep = KEEP;
    po.n_keep = 2;
    po.risk_draws = 0;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_predict_run(&po, r, &err), HC_OK);
}

/* With events, by hand (H = (x1 + x2) / 2, p = logistic(2 - 0.05 H)):
 *   left out: X (latest 2024-01-08 <= churn 2024-01-10) and D (latest
 *   2024-03-04 <= churn 2024-03-04): 2 accounts, ARR 7000 + 3000;
 *   R came back (snapshot 2024-03-11 after its churn 2024-02-01).
 *   Book: Y, S, C, M, R. S is stale (2024-01-15 < 2024-02-10).
 *   Current: Y H 40 yellow p 0.5, risk 2000; R H 30 red p logistic(0.5)
 *   = 0.622459, risk 1244.92, fell yellow (H 60) -> red; C H 80 green p
 *   logistic(-2) = 0.119203, risk 119.20; M H 20 red p logistic(1) =
 *   0.731059, no ARR. Bands: red 2 (M, R; ARR 2000), yellow 1 (Y, 4000),
 *   green 1 (C, 1000). Expected churned ARR 2000 + 1244.918... + 119.203...
 *   S: H 10, p logistic(1.5), 9000 x 0.8175745 = 7358.17 apart.
 *   Drivers: the segment's top-band book account is C alone (D, green,
 *   is left out), so r = (80, 80): Y 0.5 (80 - 40) = 20 each, R 25 each,
 *   M 30 each, S 35 each, C none. (With D in the reference r would be 85
 *   and Y's drivers 22.5.)
 *   Order: current by risk Y, R, C, then M (no ARR), then stale S. */
static void test_living_accounts(void **state)
{
    (void)state;
    fixture fx;
    setup_fixture(&fx);
    hc_predict_result r;
    run(&fx, 1, 0, -1, &r);
    assert_true(r.churned_excluded);
    assert_int_equal(r.accounts, 7);
    assert_int_equal(r.churned_accounts, 2);
    assert_close(r.churned_arr, 10000, 0);
    assert_int_equal(r.returned_accounts, 1);
    assert_int_equal(r.book_accounts, 5);
    assert_int_equal(r.n, 5);
    const char *order[] = {"Y", "R", "C", "M", "S"};
    const int status[] = {HC_PREDICT_CURRENT, HC_PREDICT_CURRENT, HC_PREDICT_CURRENT,
                          HC_PREDICT_CURRENT, HC_PREDICT_STALE};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(row_id(&r, i), order[i]);
        assert_int_equal(r.rows[i].status, status[i]);
    }
    assert_int_equal(r.current_accounts, 4);
    assert_close(r.current_arr, 7000, 0);
    assert_int_equal(r.band_accounts[0], 2);
    assert_int_equal(r.band_accounts[1], 1);
    assert_int_equal(r.band_accounts[2], 1);
    assert_close(r.band_arr[0], 2000, 0);
    assert_close(r.band_arr[1], 4000, 0);
    assert_close(r.band_arr[2], 1000, 0);
    assert_int_equal(r.unscored_accounts, 0);
    assert_int_equal(r.arr_missing, 1);
    assert_close(r.total_arr, 16000, 0);
    assert_int_equal(r.churn_scored, 4);
    assert_close(r.expected_churned_arr,
                 4000 * 0.5 + 2000 * logistic(0.5) + 1000 * logistic(-2), 1e-12);
    assert_close(r.expected_churners,
                 0.5 + logistic(0.5) + logistic(-2) + logistic(1), 1e-12);
    assert_int_equal(r.stale_accounts, 1);
    assert_close(r.stale_arr, 9000, 0);
    assert_close(r.stale_at_risk, 9000 * logistic(1.5), 1e-12);
    assert_int_equal(r.fell_accounts, 1);
    assert_close(r.rows[0].driver_points[0], 20, 1e-12);

    char *csv = csv_of(&r);
    assert_non_null(strstr(csv, "band_change,status,owner,x1\n"));
    const char *want =
        "Y,2024-03-11,s,4000,40.0000,yellow,0.5,,2000.00,u (-20.0),v (-20.0),,-10.0000,,current,bob,40\n"
        "R,2024-03-11,s,2000,30.0000,red,0.622459,,1244.92,u (-25.0),v (-25.0),,-30.0000,yellow->red,current,eve,30\n"
        "C,2024-03-11,s,1000,80.0000,green,0.119203,,119.20,,,,,,current,\"'=1+2\",80\n"
        "M,2024-03-11,s,,20.0000,red,0.731059,,,u (-30.0),v (-30.0),,,,current,007,20\n"
        "S,2024-01-15,s,9000,10.0000,red,0.817574,,7358.17,u (-35.0),v (-35.0),,,,stale,cat,10\n";
    const char *body = strchr(csv, '\n');
    assert_non_null(body);
    assert_string_equal(body + 1, want);
    free(csv);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hc_predict_write_summary(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "2 accounts left out: churned on or before 2024-03-11, ARR "
                                "10000.00 at their last snapshot\n"));
    assert_non_null(strstr(buf, "1 accounts kept although they churned"));
    assert_non_null(strstr(buf, "current accounts (latest snapshot on or after 2024-02-10), "
                                "by band: 4, ARR 7000.00\n"));
    assert_non_null(strstr(buf, "red                      2    50.0%          2000.00"));
    assert_non_null(strstr(buf, "expected churned ARR in the next 30 days: 3364.12 (sum of "
                                "P(churn) x ARR over 4 current accounts"));
    assert_non_null(strstr(buf, "1 accounts, ARR 9000.00, P(churn) x ARR 7358.17: S\n"));
    free(buf);

    json_t *j = hc_predict_summary_json(&r);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "churned_excluded")));
    assert_int_equal(json_integer_value(json_object_get(j, "churned_accounts")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "accounts")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "accounts_scored")), 7);
    assert_int_equal(json_integer_value(json_object_get(j, "current_accounts")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "stale_accounts")), 1);
    json_decref(j);
    hc_predict_result_release(&r);
    teardown_fixture(&fx);
}

/* Without events nothing is left out and the summary says it cannot be:
 * 7 rows; X (2024-01-08) and S are stale; D (H 90, green, 2024-03-04) is
 * current and now in the reference, r = (C + D) / 2 = (85, 85), so Y's
 * drivers are 0.5 (85 - 40) = 22.5 each. */
static void test_without_events(void **state)
{
    (void)state;
    fixture fx;
    setup_fixture(&fx);
    hc_predict_result r;
    run(&fx, 0, 0, -1, &r);
    assert_false(r.churned_excluded);
    assert_int_equal(r.n, 7);
    assert_int_equal(r.book_accounts, 7);
    assert_int_equal(r.churned_accounts, 0);
    assert_int_equal(r.stale_accounts, 2);
    assert_int_equal(r.current_accounts, 5);
    assert_int_equal(r.band_accounts[2], 2); /* C, D */
    assert_string_equal(row_id(&r, 5), "S"); /* stale, risk 7358.17 */
    assert_string_equal(row_id(&r, 6), "X"); /* stale, 7000 x logistic(1) */
    assert_close(r.rows[0].driver_points[0], 22.5, 1e-12);
    assert_string_equal(row_id(&r, 0), "Y");
    json_t *j = hc_predict_summary_json(&r);
    assert_true(json_is_false(json_object_get(j, "churned_excluded")));
    assert_true(json_is_null(json_object_get(j, "churned_accounts")));
    json_decref(j);
    hc_predict_result_release(&r);
    teardown_fixture(&fx);
}

/* --stale-days 60: the cutoff is 2024-01-11, so S (2024-01-15) is current
 * and joins red with 9000 (red ARR 11000); nothing is stale. */
static void test_stale_days(void **state)
{
    (void)state;
    fixture fx;
    setup_fixture(&fx);
    hc_predict_result r;
    run(&fx, 1, 0, 60, &r);
    assert_int_equal(r.stale_days, 60);
    assert_int_equal(r.stale_accounts, 0);
    assert_int_equal(r.current_accounts, 5);
    assert_close(r.band_arr[0], 11000, 0);
    /* S now leads: 7358.17 is the largest risk. */
    assert_string_equal(row_id(&r, 0), "S");
    assert_int_equal(r.rows[0].status, HC_PREDICT_CURRENT);
    hc_predict_result_release(&r);
    teardown_fixture(&fx);
}

/* --all-snapshots with events: the ten rows on or before as-of; X's two
 * rows and D's row are marked churned and come last; R's 2024-01-25 row
 * and S are stale; the summary is the default mode's (book 5). */
static void test_all_snapshots(void **state)
{
    (void)state;
    fixture fx;
    setup_fixture(&fx);
    hc_predict_result r;
    run(&fx, 1, 1, -1, &r);
    assert_int_equal(r.n, 10);
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < r.n; i++) {
        count[r.rows[i].status]++;
        if (i)
            assert_true(r.rows[i - 1].status <= r.rows[i].status);
        int gone = strcmp(row_id(&r, i), "X") == 0 || strcmp(row_id(&r, i), "D") == 0;
        assert_int_equal(r.rows[i].status == HC_PREDICT_CHURNED, gone);
    }
    assert_int_equal(count[HC_PREDICT_CURRENT], 5);
    assert_int_equal(count[HC_PREDICT_STALE], 2);
    assert_int_equal(count[HC_PREDICT_CHURNED], 3);
    assert_int_equal(r.book_accounts, 5);
    assert_int_equal(r.current_accounts, 4);
    assert_int_equal(r.churned_accounts, 2);
    char *csv = csv_of(&r);
    /* X's first row: its formula-like owner neutralised. */
    assert_non_null(strstr(csv, ",churned,\"'=HYPERLINK(\"\"x\"\")\",30\n"));
    free(csv);
    hc_predict_result_release(&r);
    teardown_fixture(&fx);
}

/* A bad keep list: an output column's name, a name twice, an empty name
 * are usage errors; a column the file lacks is a data error naming the
 * file and the column. */
static void test_keep_errors(void **state)
{
    (void)state;
    hc_error err;
    const char *const clash[] = {"owner", "status"};
    hc_error_clear(&err);
    assert_int_equal(hc_predict_check_keep(clash, 2, 30, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "'status' is already a column of the predictions"));
    const char *const pc[] = {"p_churn_30d"};
    assert_int_equal(hc_predict_check_keep(pc, 1, 30, &err), HC_EUSAGE);
    const char *const pc90[] = {"p_churn_30d"};
    assert_int_equal(hc_predict_check_keep(pc90, 1, 90, &err), HC_OK); /* not at 90 days */
    const char *const twice[] = {"owner", "owner"};
    assert_int_equal(hc_predict_check_keep(twice, 2, 30, &err), HC_EUSAGE);
    const char *const empty[] = {""};
    assert_int_equal(hc_predict_check_keep(empty, 1, 30, &err), HC_EUSAGE);

    fixture fx;
    setup_fixture(&fx);
    const char *const missing[] = {"owner", "region"};
    hc_snapshots s2;
    hc_error_clear(&err);
    assert_int_equal(hc_predict_load_snapshots_keep(fx.m, fx.snap, 0, missing, 2, &s2, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message, "kept column 'region' is not in the header"));
    assert_string_equal(err.file, fx.snap);
    /* The run checks too, for callers that loaded the table themselves. */
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = fx.m;
    po.snapshots = &fx.s;
    po.keep = missing;
    po.n_keep = 2;
    hc_predict_result r;
    hc_error_clear(&err);
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_EDATA);
    po.keep = clash;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_EUSAGE);
    teardown_fixture(&fx);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_living_accounts),
        cmocka_unit_test(test_without_events),
        cmocka_unit_test(test_stale_days),
        cmocka_unit_test(test_all_snapshots),
        cmocka_unit_test(test_keep_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
