/* test_backtest_clustered.c - the backtest's pooled intervals and paired AUC test clustered by account: equal to the rows-independent ones with one pooled row per account, wider on a simulated history. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc_backtest.h"
#include "hc_date.h"
#include "hc_simulate.h"

#define FIRST_TEST "2024-10-01"

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

static void path_in(char *buf, size_t size, const char *dir, const char *file)
{
    snprintf(buf, size, "%s/%s", dir, file);
}

static void simulate_into(const char *dir, long accounts, long weeks, unsigned long seed)
{
    hc_simulate_options so;
    hc_simulate_options_init(&so);
    so.accounts = accounts;
    so.weeks = weeks;
    so.seed = seed;
    so.out_dir = dir;
    hc_error err;
    assert_int_equal(hc_simulate_run(&so, NULL, &err), HC_OK);
}

static void load(const char *dir, hc_history *h, hc_model **m)
{
    char snap[160], ev[160], cfg[160];
    path_in(snap, sizeof snap, dir, "snapshots.csv");
    path_in(ev, sizeof ev, dir, "events.csv");
    path_in(cfg, sizeof cfg, dir, "current.json");
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = snap;
    ho.events_path = ev;
    ho.labels.horizon = 30;
    ho.labels.as_of = HC_DATE_MISSING;
    hc_error err;
    hc_status st = hc_history_load(&ho, h, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_int_equal(hc_model_load(cfg, m, &err), HC_OK);
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"snapshots.csv", "events.csv", "truth.json",
                                        "current.json", "truth_probs.csv"};
    char p[200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_in(p, sizeof p, dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void run(const hc_history *h, const hc_model *m, int unclustered,
                hc_backtest_result *r)
{
    hc_backtest_options opt;
    hc_backtest_options_init(&opt);
    opt.tuned = 1;
    opt.window_days = 0;
    opt.step_days = 91;
    int32_t d;
    assert_int_equal(hc_date_parse(FIRST_TEST, strlen(FIRST_TEST), &d), 0);
    opt.first_test = d;
    opt.unclustered = unclustered;
    hc_error err;
    const hc_model *cfgs[1] = {m};
    hc_status st = hc_backtest_run(h, cfgs, NULL, 1, &opt, r, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_int_equal(r->n_comparisons, 1);
    assert_true(r->comparisons[0].ok);
    assert_true(r->configs[0].has_pooled && r->configs[1].has_pooled);
}

/* A normal simulated history: every account has about 13 weekly snapshots
 * in each test period, so the clustered paired test is wider than the
 * rows-independent one (design effect > 1), keeps the same difference,
 * and its rows-independent companion is exactly the unclustered run's
 * test; the pooled AUC intervals widen too. */
static void test_wider_on_simulated_history(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/hc-test-btc.XXXXXX");
    assert_non_null(mkdtemp(dir));
    simulate_into(dir, 400, 80, 21);
    hc_history h;
    hc_model *m;
    load(dir, &h, &m);
    hc_backtest_result rc, rn;
    run(&h, m, 0, &rc);
    run(&h, m, 1, &rn);
    const hc_backtest_comparison *c = &rc.comparisons[0], *n = &rn.comparisons[0];
    assert_true(c->clustered);
    assert_false(n->clustered);
    assert_string_equal(c->cluster_name, "account_id");
    assert_true(c->n_clusters > 100 && c->n_clusters <= 400);
    assert_close(c->diff.diff, n->diff.diff, 1e-15);
    assert_close(c->se_naive, n->diff.se, 1e-15);
    assert_close(c->ci_low_naive, n->diff.ci_low, 1e-15);
    assert_close(c->p_value_naive, n->diff.p_value, 1e-15);
    assert_true(c->diff.se > n->diff.se);
    assert_true(c->design_effect > 1.5);
    assert_close(c->design_effect, (c->diff.se * c->diff.se) / (n->diff.se * n->diff.se),
                 1e-9);
    assert_true(c->diff.ci_low < n->diff.ci_low && c->diff.ci_high > n->diff.ci_high);
    assert_true(c->diff.p_value > n->diff.p_value);
    for (size_t k = 0; k < 2; k++) {
        const hc_validate_result *vc = &rc.configs[k].pooled, *vn = &rn.configs[k].pooled;
        assert_true(vc->clusters.active);
        assert_false(vn->clusters.active);
        assert_false(vc->clusters.bootstrapped); /* off by default in the backtest */
        assert_true(vc->summary.roc_auc_ci_high - vc->summary.roc_auc_ci_low >
                    vn->summary.roc_auc_ci_high - vn->summary.roc_auc_ci_low);
        assert_non_null(strstr(vc->clusters.effective_text, "churned accounts"));
    }
    hc_backtest_result_release(&rc);
    hc_backtest_result_release(&rn);
    hc_history_release(&h);
    hc_model_free(m);
    remove_dir(dir);
}

/* Rewrites a simulated history so that every snapshot dated on or after
 * FIRST_TEST belongs to an account of its own ("U<line>"), which carries
 * a copy of all its original account's events: each row's label and
 * post-churn status are the same as before, and each pooled test row is
 * its own cluster. */
static void one_row_per_account(const char *from, const char *to)
{
    char p[200];
    path_in(p, sizeof p, from, "events.csv");
    FILE *ef = fopen(p, "r");
    assert_non_null(ef);
    size_t ne = 0, cap = 1024;
    char (*ev)[160] = malloc(cap * sizeof *ev);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, ef)); /* header */
    while (fgets(line, sizeof line, ef)) {
        if (ne == cap)
            ev = realloc(ev, (cap *= 2) * sizeof *ev);
        size_t len = strlen(line);
        assert_true(len < sizeof ev[0]);
        memcpy(ev[ne++], line, len + 1);
    }
    fclose(ef);
    path_in(p, sizeof p, from, "snapshots.csv");
    FILE *sf = fopen(p, "r");
    path_in(p, sizeof p, to, "snapshots.csv");
    FILE *so = fopen(p, "w");
    path_in(p, sizeof p, to, "events.csv");
    FILE *eo = fopen(p, "w");
    assert_non_null(sf);
    assert_non_null(so);
    assert_non_null(eo);
    assert_non_null(fgets(line, sizeof line, sf));
    fputs(line, so);
    fputs("account_id,event_date,event_type,amount\n", eo);
    for (size_t i = 0; i < ne; i++)
        fputs(ev[i], eo);
    size_t lineno = 1, renamed = 0;
    while (fgets(line, sizeof line, sf)) {
        lineno++;
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        size_t idlen = (size_t)(comma - line);
        if (strncmp(comma + 1, FIRST_TEST, 10) < 0) {
            fputs(line, so);
            continue;
        }
        fprintf(so, "U%zu%s", lineno, comma);
        renamed++;
        for (size_t i = 0; i < ne; i++)
            if (strncmp(ev[i], line, idlen) == 0 && ev[i][idlen] == ',')
                fprintf(eo, "U%zu%s", lineno, ev[i] + idlen);
    }
    assert_true(renamed > 1000);
    fclose(sf);
    assert_int_equal(fclose(so), 0);
    assert_int_equal(fclose(eo), 0);
    free(ev);
    path_in(p, sizeof p, from, "current.json");
    char q[200];
    path_in(q, sizeof q, to, "current.json");
    FILE *a = fopen(p, "r"), *b = fopen(q, "w");
    size_t k;
    while ((k = fread(line, 1, sizeof line, a)) > 0)
        assert_int_equal(fwrite(line, 1, k, b), k);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

/* With one pooled row per account the clustered paired test is the
 * rows-independent one (Obuchowski's variance reduces to DeLong's), and
 * so are the pooled AUC intervals; the AUCs are those of the original
 * history (same rows, same labels, same training folds). */
static void test_one_row_per_account_equals_naive(void **state)
{
    (void)state;
    char src[64], dst[64];
    snprintf(src, sizeof src, "/tmp/hc-test-btc.XXXXXX");
    snprintf(dst, sizeof dst, "/tmp/hc-test-btc1.XXXXXX");
    assert_non_null(mkdtemp(src));
    assert_non_null(mkdtemp(dst));
    simulate_into(src, 300, 70, 5);
    one_row_per_account(src, dst);
    hc_history h0, h1;
    hc_model *m0, *m1;
    load(src, &h0, &m0);
    load(dst, &h1, &m1);
    hc_backtest_result r0, rc, rn;
    run(&h0, m0, 0, &r0);
    run(&h1, m1, 0, &rc);
    run(&h1, m1, 1, &rn);
    const hc_backtest_comparison *c = &rc.comparisons[0], *n = &rn.comparisons[0];
    assert_int_equal(rc.n_pooled, r0.n_pooled);
    assert_close(c->diff.diff, r0.comparisons[0].diff.diff, 1e-12);
    assert_true(c->clustered);
    assert_int_equal(c->n_clusters, rc.n_pooled);
    assert_close(c->diff.se, n->diff.se, 1e-12);
    assert_close(c->diff.ci_low, n->diff.ci_low, 1e-12);
    assert_close(c->diff.ci_high, n->diff.ci_high, 1e-12);
    assert_close(c->diff.p_value, n->diff.p_value, 1e-9);
    assert_close(c->design_effect, 1.0, 1e-9);
    /* the same history with its real accounts is clustered: wider */
    assert_true(r0.comparisons[0].diff.se > c->diff.se);
    for (size_t k = 0; k < 2; k++) {
        const hc_metrics_summary *a = &rc.configs[k].pooled.summary,
                                 *b = &rn.configs[k].pooled.summary;
        assert_close(a->roc_auc_ci_low, b->roc_auc_ci_low, 1e-12);
        assert_close(a->roc_auc_ci_high, b->roc_auc_ci_high, 1e-12);
    }
    hc_backtest_result_release(&r0);
    hc_backtest_result_release(&rc);
    hc_backtest_result_release(&rn);
    hc_history_release(&h0);
    hc_history_release(&h1);
    hc_model_free(m0);
    hc_model_free(m1);
    remove_dir(src);
    remove_dir(dst);
}

/* A cluster column that is not a text column is an error naming it. */
static void test_bad_cluster_column(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/hc-test-btc.XXXXXX");
    assert_non_null(mkdtemp(dir));
    simulate_into(dir, 200, 60, 3);
    hc_history h;
    hc_model *m;
    load(dir, &h, &m);
    hc_backtest_options opt;
    hc_backtest_options_init(&opt);
    opt.window_days = 0;
    opt.cluster_col = "arr";
    hc_error err;
    hc_backtest_result r;
    const hc_model *cfgs[1] = {m};
    assert_int_equal(hc_backtest_run(&h, cfgs, NULL, 1, &opt, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "'arr' is not a text"));
    hc_backtest_result_release(&r);
    opt.cluster_col = "no_such_column";
    assert_int_equal(hc_backtest_run(&h, cfgs, NULL, 1, &opt, &r, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "no_such_column"));
    hc_backtest_result_release(&r);
    hc_history_release(&h);
    hc_model_free(m);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wider_on_simulated_history),
        cmocka_unit_test(test_one_row_per_account_equals_naive),
        cmocka_unit_test(test_bad_cluster_column),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
