/* test_backtest_lead_time.c - the backtest's lead times on a hand-made history with known dates: shares red / below green 30, 60 and 90 days before churn over the out-of-time test rows, in closed form, in the result and summary.json. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc_backtest.h"
#include "hc_date.h"

/* Days are counted from 2024-01-01 (a Monday); every account has a weekly
 * snapshot on days 0, 7, 14, ... until its last one. The health column h
 * is the health score itself (one metric, linear 0..100, weight 1), and
 * the bands are red < 40 <= yellow < 70 <= green.
 *
 *   G01..G20  never churn, green (80) except some red (30) weeks; days 0..357
 *   E1..E8    churn on days 63, 70, ..., 112 (before any test row), h 30 or 55
 *   A  churns day 300, rows 0..294, green before day 238, red (20) from it
 *   B  churns day 250, rows 0..245, green before day 196, yellow (50) from it
 *   C  churns day 330, rows 0..329, red throughout
 *   D  churns day 200, rows 0..196, red throughout
 *
 * Labels: horizon 30, lead 0, as_of the last snapshot (day 357), so the
 * observations end on day 322. Folds: first test day 182 (2024-07-01),
 * step 28, expanding window: test rows on days 182..322 (six folds).
 *
 * Lead times over the test rows (hc_lead_time.h), by hand:
 *   A: first red 238 -> 62 days; d = 30: row 266 red; 60: row 238 red;
 *      90: row 210 green.
 *   B: first below green 196 -> 54 days, never red; 30: row 217 yellow;
 *      60: row 189 green; 90: no test row on or before day 160.
 *   C: first red 182 -> 148 days; rows 294, 266, 238 red at 30, 60, 90.
 *   D: first red 182 -> 18 days; no test row 30 days or more before churn.
 * So 4 churned accounts; red ever 3 (62, 148, 18: median 62, mean 76);
 * below green ever 4 (18, 54, 62, 148: median 58, mean 70.5);
 * with a row: 3, 3, 2; red: 2, 2, 1; below green: 3, 2, 1.
 * Wilson 95% intervals from R, prop.test(k, n, correct = FALSE)$conf.int:
 *   2/3: 0.207659600802048 0.938508055279604
 *   3/3: 0.438502968244955 1
 *   1/2: 0.0945312057342307 0.9054687942657692 */

#define LAST_DAY 357

static const char config_json[] =
    "{\"schema\": \"healthcal-model/1\", \"name\": \"hand\",\n"
    " \"columns\": {\"account_id\": \"account_id\", \"snapshot_date\": \"snapshot_date\",\n"
    "             \"arr\": \"arr\"},\n"
    " \"horizon_days\": 30, \"lead_days\": 0, \"missing\": \"renormalize\",\n"
    " \"components\": [{\"name\": \"h\", \"weight\": 1.0, \"metrics\": [{\"column\": \"h\",\n"
    "   \"transform\": {\"type\": \"linear\", \"low\": 0.0, \"high\": 100.0,\n"
    "                 \"higher_is_healthier\": true}}]}],\n"
    " \"bands\": [{\"name\": \"red\", \"min\": 0.0}, {\"name\": \"yellow\", \"min\": 40.0},\n"
    "           {\"name\": \"green\", \"min\": 70.0}]}\n";

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

static void date_of(int day, char *buf)
{
    hc_date_format(hc_date_from_civil(2024, 1, 1) + day, buf);
}

/* The health of account `name` (kind k, index i) on day d. */
static double health(char k, int i, int d)
{
    switch (k) {
    case 'G':
        return (d / 7 + i) % 9 == 0 ? 30.0 : 80.0;
    case 'E':
        return i % 2 ? 55.0 : 30.0;
    case 'A':
        return d < 238 ? 80.0 : 20.0;
    case 'B':
        return d < 196 ? 80.0 : 50.0;
    default: /* C, D */
        return 20.0;
    }
}

static void write_history(const char *dir)
{
    char p[256], ds[11];
    snprintf(p, sizeof p, "%s/snapshots.csv", dir);
    FILE *s = fopen(p, "w");
    snprintf(p, sizeof p, "%s/events.csv", dir);
    FILE *e = fopen(p, "w");
    assert_non_null(s);
    assert_non_null(e);
    fprintf(s, "account_id,snapshot_date,arr,h\n");
    fprintf(e, "account_id,event_date,event_type,amount\n");
    struct {
        char kind;
        int index, last_row, churn; /* churn < 0: none */
    } acc[32];
    size_t n = 0;
    for (int i = 0; i < 20; i++)
        acc[n++] = (__typeof__(acc[0])){'G', i, LAST_DAY, -1};
    for (int i = 0; i < 8; i++)
        acc[n++] = (__typeof__(acc[0])){'E', i, 63 + 7 * i - 1, 63 + 7 * i};
    acc[n++] = (__typeof__(acc[0])){'A', 0, 294, 300};
    acc[n++] = (__typeof__(acc[0])){'B', 0, 245, 250};
    acc[n++] = (__typeof__(acc[0])){'C', 0, 329, 330};
    acc[n++] = (__typeof__(acc[0])){'D', 0, 196, 200};
    for (size_t a = 0; a < n; a++) {
        char id[16];
        if (acc[a].kind == 'G' || acc[a].kind == 'E')
            snprintf(id, sizeof id, "%c%02d", acc[a].kind, acc[a].index + 1);
        else
            snprintf(id, sizeof id, "%c", acc[a].kind);
        for (int d = 0; d <= acc[a].last_row; d += 7) {
            date_of(d, ds);
            fprintf(s, "%s,%s,1000,%g\n", id, ds, health(acc[a].kind, acc[a].index, d));
        }
        if (acc[a].churn >= 0) {
            date_of(acc[a].churn, ds);
            fprintf(e, "%s,%s,churn,1000\n", id, ds);
        }
    }
    /* the last snapshot day is day 357 for every green account */
    fclose(s);
    fclose(e);
    snprintf(p, sizeof p, "%s/current.json", dir);
    FILE *c = fopen(p, "w");
    assert_non_null(c);
    fputs(config_json, c);
    fclose(c);
}

static void check_share(const hc_lead_time_band *b, size_t h, size_t flagged, size_t with,
                        double lo, double hi)
{
    assert_int_equal(b->with_row[h], with);
    assert_int_equal(b->flagged[h], flagged);
    assert_close(b->share[h], (double)flagged / (double)with, 1e-12);
    assert_close(b->ci_low[h], lo, 1e-9);
    assert_close(b->ci_high[h], hi, 1e-9);
}

/* The share entry for d days of band `band` of the first config in
 * summary.json's lead_time. */
static json_t *json_share(json_t *root, const char *band, size_t h)
{
    json_t *c = json_array_get(json_object_get(json_object_get(root, "lead_time"), "configs"), 0);
    return json_array_get(json_object_get(json_object_get(c, band), "before_churn"), h);
}

static void test_hand_made_history(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/hc-test-bt-lead.XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_history(dir);
    char snap[128], ev[128], cfg[128], out[128];
    snprintf(snap, sizeof snap, "%s/snapshots.csv", dir);
    snprintf(ev, sizeof ev, "%s/events.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/current.json", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = snap;
    ho.events_path = ev;
    ho.labels.horizon = 30;
    ho.labels.lead = 0;
    ho.labels.as_of = HC_DATE_MISSING;
    hc_history h;
    hc_error err;
    hc_status st = hc_history_load(&ho, &h, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    hc_model *m = NULL;
    st = hc_model_load(cfg, &m, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);

    hc_backtest_options opt;
    hc_backtest_options_init(&opt);
    opt.step_days = 28;
    opt.window_days = 0;
    opt.first_test = hc_date_from_civil(2024, 7, 1); /* day 182 */
    const hc_model *cfgs[1] = {m};
    hc_backtest_result r;
    st = hc_backtest_run(&h, cfgs, NULL, 1, &opt, &r, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_int_equal(r.plan.n_folds, 6);
    assert_int_equal(r.plan.last_date, hc_date_from_civil(2024, 1, 1) + 322);
    const hc_backtest_config *cf = &r.configs[0];
    assert_true(cf->has_pooled);
    assert_true(cf->pooled.has_lead_time);
    const hc_lead_time_result *l = &cf->pooled.lead_time;
    assert_int_equal(l->churned_accounts, 4);
    assert_int_equal(l->red.ever, 3);
    assert_close(l->red.median_days, 62.0, 0);
    assert_close(l->red.mean_days, 76.0, 1e-12);
    assert_int_equal(l->below_green.ever, 4);
    assert_close(l->below_green.median_days, 58.0, 0);
    assert_close(l->below_green.mean_days, 70.5, 1e-12);
    const double w23[2] = {0.207659600802048, 0.938508055279604};
    const double w33[2] = {0.438502968244955, 1.0};
    const double w12[2] = {0.0945312057342307, 0.9054687942657692};
    check_share(&l->red, 0, 2, 3, w23[0], w23[1]);
    check_share(&l->red, 1, 2, 3, w23[0], w23[1]);
    check_share(&l->red, 2, 1, 2, w12[0], w12[1]);
    check_share(&l->below_green, 0, 3, 3, w33[0], w33[1]);
    check_share(&l->below_green, 1, 2, 3, w23[0], w23[1]);
    check_share(&l->below_green, 2, 1, 2, w12[0], w12[1]);

    /* summary.json carries the same numbers */
    assert_int_equal(hc_backtest_write(&r, &h, out, &err), HC_OK);
    char sj[160];
    snprintf(sj, sizeof sj, "%s/summary.json", out);
    json_error_t je;
    json_t *root = json_load_file(sj, 0, &je);
    assert_non_null(root);
    json_t *lt = json_object_get(root, "lead_time");
    assert_non_null(lt);
    assert_string_equal(json_string_value(json_object_get(lt, "ci_method")),
                        "Wilson over accounts");
    json_t *c0 = json_array_get(json_object_get(lt, "configs"), 0);
    assert_int_equal(json_integer_value(json_object_get(c0, "churned_accounts")), 4);
    json_t *e = json_share(root, "red", 1);
    assert_int_equal(json_integer_value(json_object_get(e, "days_before_churn")), 60);
    assert_int_equal(json_integer_value(json_object_get(e, "in_band")), 2);
    assert_int_equal(json_integer_value(json_object_get(e, "churned_accounts_with_snapshot")), 3);
    assert_close(json_real_value(json_object_get(e, "ci_low")), w23[0], 1e-9);
    e = json_share(root, "below_green", 2);
    assert_int_equal(json_integer_value(json_object_get(e, "days_before_churn")), 90);
    assert_close(json_real_value(json_object_get(e, "share")), 0.5, 1e-12);
    assert_close(json_real_value(json_object_get(json_object_get(c0, "red"),
                                                        "median_days")), 62.0, 0);
    /* the pooled validation keeps validate's lead_time object too */
    json_t *pv = json_object_get(json_array_get(json_object_get(root, "configs"), 0), "pooled");
    assert_non_null(json_object_get(pv, "lead_time"));
    json_decref(root);

    hc_backtest_result_release(&r);
    hc_model_free(m);
    hc_history_release(&h);
    static const char *const files[] = {
        "out/folds.csv", "out/summary.json", "out/thresholds.csv", "out/cutpoints.csv",
        "out/bands_over_time.csv", "out/reliability.csv", "out/prediction_hist.csv",
        "out/roc.csv", "out/pr.csv", "out/gains.csv", "out/score_distribution.csv",
        "snapshots.csv", "events.csv", "current.json"};
    char p[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/out", dir);
    rmdir(p);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_history),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
