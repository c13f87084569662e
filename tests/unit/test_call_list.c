/* test_call_list.c - this week's call list from a predict result: who is on it (red or fell a band, current, living), the order, the reasons and drivers in words, the CSV with formula cells neutralised (src/workflow/call_list.c). */
#include "test_util.h"

#include <unistd.h>

#include "hc_call_list.h"
#include "hc_predict.h"

/* H = (x1 + x2) / 2; bands red 0 / yellow 40 / green 70; P(churn) =
 * logistic(2 - 0.05 H). */
static const char *CONFIG =
    "{\"schema\": \"healthcal-model/1\", \"name\": \"calls\", \"horizon_days\": 30,"
    " \"components\": ["
    "  {\"name\": \"u\", \"weight\": 0.5, \"metrics\": [{\"column\": \"x1\","
    "   \"transform\": {\"type\": \"identity\"}}]},"
    "  {\"name\": \"v\", \"weight\": 0.5, \"metrics\": [{\"column\": \"x2\","
    "   \"transform\": {\"type\": \"identity\"}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": \"yellow\", \"min\": 40},"
    "  {\"name\": \"green\", \"min\": 70}],"
    " \"churn_model\": {\"intercept\": 2, \"slope\": -0.05}}";

/* As of 2024-03-11 (stale before 2024-02-10):
 *   A  red both times (H 20 = (10 + 30) / 2), ARR 1000: on the list
 *   B  fell green -> yellow (H 80 -> 50), ARR 5000: on the list
 *   C  green (H 80), ARR 9000: not; the segment's only top-band account, so
 *      the drivers' reference sub-scores are (80, 80)
 *   =1+2  fell yellow -> red (H 50 -> 30), ARR 100: on the list, both reasons
 *   S  red but stale (2024-01-15): not
 *   X  red but churned on its last snapshot's date: not
 *   Y  yellow both times: not */
static const char *SNAPSHOTS =
    "account_id,snapshot_date,segment,arr,x1,x2\n"
    "A,2024-03-04,s,1000,10,30\n"
    "A,2024-03-11,s,1000,10,30\n"
    "B,2024-03-04,s,5000,80,80\n"
    "B,2024-03-11,s,5000,50,50\n"
    "C,2024-03-11,s,9000,80,80\n"
    "=1+2,2024-03-04,s,100,50,50\n"
    "=1+2,2024-03-11,s,100,30,30\n"
    "S,2024-01-15,s,9000,10,10\n"
    "X,2024-03-04,s,7000,10,10\n"
    "X,2024-03-11,s,7000,10,10\n"
    "Y,2024-03-04,s,3000,50,50\n"
    "Y,2024-03-11,s,3000,50,50\n";

static const char *EVENTS = "account_id,event_date,event_type,amount\n"
                            "X,2024-03-11,churn,7000\n";

static void write_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static const char *id_of(const hc_predict_result *r, size_t i)
{
    return hc_table_text(r->snapshots->table, r->snapshots->id_col, r->rows[i].row);
}

static void test_call_list(void **state)
{
    (void)state;
    char snap[] = "/tmp/hc-test-calls-s-XXXXXX", ev[] = "/tmp/hc-test-calls-e-XXXXXX";
    write_file(snap, SNAPSHOTS);
    write_file(ev, EVENTS);
    hc_error err;
    hc_error_clear(&err);
    hc_model *m;
    assert_int_equal(hc_model_load_string(CONFIG, "calls.json", &m, &err), HC_OK);
    hc_snapshots s;
    assert_int_equal(hc_predict_load_snapshots(m, snap, 0, &s, &err), HC_OK);
    hc_events e;
    hc_event_load_options eo = {0};
    assert_int_equal(hc_events_load(ev, &eo, &s, &e, &err), HC_OK);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = m;
    po.snapshots = &s;
    po.events = &e;
    po.risk_draws = 0;
    hc_predict_result r;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);

    hc_call_list cl;
    assert_int_equal(hc_call_list_build(&r, &cl, &err), HC_OK);
    /* By P(churn) x ARR: B logistic(-0.5) x 5000 = 1887.70, A logistic(1)
     * x 1000 = 731.06, =1+2 logistic(0.5) x 100 = 62.25. */
    assert_int_equal(cl.n, 3);
    assert_string_equal(id_of(&r, cl.rows[0]), "B");
    assert_string_equal(id_of(&r, cl.rows[1]), "A");
    assert_string_equal(id_of(&r, cl.rows[2]), "=1+2");
    assert_int_equal(cl.red, 2);
    assert_int_equal(cl.fell, 2);
    assert_true(fabs(cl.arr - 6100) < 1e-9);
    double want = 5000 / (1 + exp(0.5)) + 1000 / (1 + exp(-1.0)) + 100 / (1 + exp(-0.5));
    assert_true(fabs(cl.at_risk - want) < 1e-9);

    char buf[256];
    hc_call_list_reason(&r, cl.rows[0], buf, sizeof buf);
    assert_string_equal(buf, "fell green->yellow");
    hc_call_list_reason(&r, cl.rows[1], buf, sizeof buf);
    assert_string_equal(buf, "red");
    hc_call_list_reason(&r, cl.rows[2], buf, sizeof buf);
    assert_string_equal(buf, "red, fell yellow->red");
    /* d_k = w_k (r_k - s_k) with r = (80, 80): A (10, 30) -> 35, 25. */
    hc_call_list_drivers(&r, cl.rows[1], buf, sizeof buf);
    assert_string_equal(buf, "u 35.0, v 25.0 points below healthy accounts");
    /* a short buffer is cut, never overrun */
    char small[8];
    hc_call_list_drivers(&r, cl.rows[1], small, sizeof small);
    assert_true(strlen(small) < sizeof small);

    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    hc_call_list_write_csv(f, &r, &cl);
    fclose(f);
    const char *want_csv =
        "rank,account_id,segment,band,reason,health,health_change,p_churn_30d,arr,"
        "expected_arr_at_risk,drivers,snapshot_date\n"
        "1,B,s,yellow,fell green->yellow,50.0,-30.0,0.3775,5000,1887.70,"
        "\"u 15.0, v 15.0 points below healthy accounts\",2024-03-11\n"
        "2,A,s,red,red,20.0,0.0,0.7311,1000,731.06,"
        "\"u 35.0, v 25.0 points below healthy accounts\",2024-03-11\n"
        "3,\"'=1+2\",s,red,\"red, fell yellow->red\",30.0,-20.0,0.6225,100,62.25,"
        "\"u 25.0, v 25.0 points below healthy accounts\",2024-03-11\n";
    assert_string_equal(csv, want_csv);
    free(csv);

    hc_call_list_release(&cl);
    hc_call_list_release(NULL);
    hc_predict_result_release(&r);
    hc_events_release(&e);
    hc_snapshots_release(&s);
    hc_model_free(m);
    unlink(snap);
    unlink(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_call_list)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
