/* test_backtest_capacity.c - the backtest with a capacity objective: per fold the red band fits the team's capacity on every training date and is tight, and the test rows' red accounts per date are counted. */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <unistd.h>

#include "hc_backtest.h"
#include "hc_date.h"
#include "hc_simulate.h"

/* One simulated history (hc_simulate_run), loaded. */
typedef struct {
    char dir[64];
    hc_history h;
    hc_model *current;
} simdata;

static void simulate(simdata *d, long accounts, long weeks, unsigned long seed)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/hc-test-capacity.XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    hc_simulate_options so;
    hc_simulate_options_init(&so);
    so.accounts = accounts;
    so.weeks = weeks;
    so.seed = seed;
    so.out_dir = d->dir;
    hc_error err;
    assert_int_equal(hc_simulate_run(&so, NULL, &err), HC_OK);
    char snap[128], ev[128], cfg[128];
    snprintf(snap, sizeof snap, "%s/snapshots.csv", d->dir);
    snprintf(ev, sizeof ev, "%s/events.csv", d->dir);
    snprintf(cfg, sizeof cfg, "%s/current.json", d->dir);
    hc_history_options ho;
    memset(&ho, 0, sizeof ho);
    ho.snapshots_path = snap;
    ho.events_path = ev;
    ho.labels.horizon = 30;
    ho.labels.as_of = HC_DATE_MISSING;
    assert_int_equal(hc_history_load(&ho, &d->h, &err), HC_OK);
    assert_int_equal(hc_model_load(cfg, &d->current, &err), HC_OK);
}

static void simdata_release(simdata *d)
{
    static const char *const files[] = {"snapshots.csv", "events.csv", "truth.json",
                                        "current.json"};
    hc_history_release(&d->h);
    hc_model_free(d->current);
    char p[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", d->dir, files[i]);
        unlink(p);
    }
    rmdir(d->dir);
}

/* Red rows (H < cut) per scoring date among table rows rows[0..n) scored
 * with model m: the most on one date, and the dates over `cap` (a count,
 * or a share of the date's rows). */
static void per_date(const hc_history *h, const hc_model *m, const size_t *rows, size_t n,
                     double cut, double cap, int share, size_t *max, size_t *over,
                     size_t *red_total)
{
    double *H = malloc((n ? n : 1) * sizeof *H);
    hc_score_out out = {.health = H};
    hc_error err;
    assert_int_equal(hc_model_score_rows(m, h->snapshots.table, rows, 0, n, 1, &out, &err),
                     HC_OK);
    const int32_t *date = h->snapshots.table->cols[h->snapshots.date_col].code;
    *max = *over = *red_total = 0;
    /* Rows are in date order (the caller lists them so). */
    size_t i = 0;
    while (i < n) {
        size_t j = i, red = 0, all = 0;
        for (; j < n && date[rows[j]] == date[rows[i]]; j++) {
            if (!isfinite(H[j]))
                continue;
            all++;
            red += H[j] < cut;
        }
        *max = red > *max ? red : *max;
        *red_total += red;
        if (share ? (double)red > cap * (double)all + 1e-9 : (double)red > cap)
            (*over)++;
        i = j;
    }
    free(H);
}

/* The observation rows dated [lo, hi] of h, in date order. */
static size_t rows_between(const hc_history *h, int32_t lo, int32_t hi, size_t *rows)
{
    const hc_table *t = h->snapshots.table;
    const int32_t *date = t->cols[h->snapshots.date_col].code;
    size_t n = 0;
    for (int32_t d = lo; d <= hi; d++) /* one pass per day: a test-sized history */
        for (size_t r = 0; r < t->n_rows; r++)
            if (h->labels.status[r] == HC_ROW_OBSERVATION && date[r] == d)
                rows[n++] = r;
    return n;
}

/* Known by construction (a property of the rule, checked against a count
 * of our own): with capacity C, in every fold the chosen red band holds at
 * most C accounts on each training scoring date, and the candidate one
 * grid step higher holds more than C on some date (the choice is the
 * largest that fits, tight within ties). The test rows' red accounts per
 * date, the objective there and the vote on the bands are recounted. */
static void check_capacity(const char *spec, double cap, int share)
{
    simdata d;
    simulate(&d, 500, 80, 11);
    hc_backtest_options opt;
    hc_backtest_options_init(&opt);
    opt.window_days = 180;
    opt.step_days = 60;
    opt.tuned = 1;
    opt.keep_models = 1;
    opt.use_objective = 1;
    hc_error err;
    assert_int_equal(hc_backtest_parse_objective(spec, &opt.threshold, &err), HC_OK);
    opt.threshold.min_band_share = 0.02;
    const hc_model *cfgs[1] = {d.current};
    hc_backtest_result r;
    hc_status st = hc_backtest_run(&d.h, cfgs, NULL, 1, &opt, &r, &err);
    if (st)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    size_t *rows = malloc(d.h.snapshots.table->n_rows * sizeof *rows);
    size_t folds = 0, base = 0;
    for (size_t f = 0; f < r.plan.n_folds; f++) {
        const hc_backtest_fold *fold = &r.folds[f];
        if (!fold->used)
            continue;
        const hc_backtest_fold_plan *fp = fold->plan;
        for (size_t c = 0; c < r.n_configs; c++) {
            const hc_backtest_cell *cell = &fold->cells[c];
            const hc_model *m = r.configs[c].fold_models[f];
            assert_non_null(m);
            assert_true(cell->objective_met);
            size_t n = rows_between(&d.h, fp->train_start, fp->train_end, rows);
            assert_int_equal(n, fold->n_train);
            size_t max, over, red;
            per_date(&d.h, m, rows, n, cell->cuts[0], cap, share, &max, &over, &red);
            assert_int_equal(over, 0);
            assert_int_equal(max, cell->train_red_per_date_max);
            assert_true(isfinite(cell->train_next_cut));
            size_t nmax, nover;
            per_date(&d.h, m, rows, n, cell->train_next_cut, cap, share, &nmax, &nover, &red);
            assert_true(nover > 0);
            assert_int_equal(nmax, cell->train_next_per_date_max);
            /* The test rows: the pooled rows of this fold, in date order. */
            for (size_t i = 0; i < fold->n_test; i++)
                rows[i] = r.pooled_row[base + i];
            per_date(&d.h, m, rows, fold->n_test, cell->cuts[0], cap, share, &max, &over,
                     &red);
            assert_int_equal(max, cell->red_per_date_max);
            assert_int_equal(red, cell->band_accounts[0]);
            assert_int_equal(cell->objective_met_test, over == 0);
            if (!share)
                assert_close(cell->objective_test, (double)max, 0);
            if (c == 0)
                fprintf(stderr, "fold %zu: cut %.1f, training dates at most %zu red (next "
                                "cut %.1f: %zu), test at most %zu\n",
                        f + 1, cell->cuts[0], cell->train_red_per_date_max,
                        cell->train_next_cut, cell->train_next_per_date_max, max);
        }
        base += fold->n_test;
        folds++;
    }
    assert_true(folds >= 3);
    for (size_t c = 0; c < r.n_configs; c++) {
        const hc_backtest_config *cf = &r.configs[c];
        size_t met = 0, ev = 0;
        for (size_t f = 0; f < r.plan.n_folds; f++)
            if (r.folds[f].used) {
                ev++;
                met += r.folds[f].cells[c].objective_met_test != 0;
            }
        assert_int_equal(cf->folds_evaluated, ev);
        assert_int_equal(cf->folds_met_test, met);
        assert_int_equal(cf->bands_recommended, 2 * met > ev);
    }
    free(rows);
    hc_backtest_result_release(&r);
    simdata_release(&d);
}

static void test_capacity_accounts(void **state)
{
    (void)state;
    check_capacity("capacity=40", 40, 0);
}

static void test_capacity_percent(void **state)
{
    (void)state;
    check_capacity("capacity=8%", 0.08, 1);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_accounts),
        cmocka_unit_test(test_capacity_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
