/* test_predict.c - unit tests of the predict workflow (src/workflow/predict.c, src/workflow/predict_write.c). */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <unistd.h>

#include "hc_date.h"
#include "hc_fit.h"
#include "hc_observations.h"
#include "hc_predict.h"
#include "hc_simulate.h"

static int32_t day(const char *s)
{
    int32_t d;
    assert_int_equal(hc_date_parse(s, strlen(s), &d), 0);
    return d;
}

static double logistic(double eta)
{
    return 1.0 / (1.0 + exp(-eta));
}

/* ---- predict reproduces fit ------------------------------------------- */

typedef struct {
    char dir[64];
    char path[6][128];
} simdir;

static void sim_path(simdir *d, int i, const char *name)
{
    char dir[sizeof d->dir]; /* a copy: source and destination share *d */
    memcpy(dir, d->dir, sizeof dir);
    snprintf(d->path[i], sizeof d->path[i], "%s/%s", dir, name);
}

static void sim_cleanup(simdir *d)
{
    for (int i = 0; i < 6; i++)
        if (d->path[i][0])
            unlink(d->path[i]);
    rmdir(d->dir);
}

/* The sub-scores of row r computed here from the raw metric columns with
 * the transforms (hc_transform_apply) and the metric-weighted mean, so the
 * comparison does not go through score.c. Returns 0 when a component is
 * missing. */
static int raw_subscores(const hc_model *m, const hc_table *t, size_t r, double *s)
{
    for (size_t k = 0; k < m->n_components; k++) {
        const hc_component *c = &m->components[k];
        double num = 0, den = 0;
        for (size_t j = 0; j < c->n_metrics; j++) {
            int col = hc_table_find(t, c->metrics[j].column);
            assert_true(col >= 0);
            double v = hc_transform_apply(&c->metrics[j].transform, hc_table_num(t, col, r));
            if (!isnan(v)) {
                num += c->metrics[j].weight * v;
                den += c->metrics[j].weight;
            }
        }
        if (den == 0)
            return 0;
        s[k] = num / den;
    }
    return 1;
}

/* Simulates a history (hc_simulate_run), fits it (hc_fit_model, as
 * `healthcal fit` does), saves and reloads the tuned config, and predicts
 * every snapshot of the training file. On every complete training
 * observation the predicted P(churn) must equal
 *   (a) the fitted logistic regression's probability
 *       1 / (1 + exp(-(b0 + sum_j b_j s_j))) -- the probability fit computed;
 *   (b) 1 / (1 + exp(-(a + B H))) with H = sum w_k s_k from the tuned
 *       config (pooled, or the segment's own weights and calibration);
 * to 1e-12 (closed form of the score model: w_k = b_k / B, so b0 + B H is the linear predictor). */
static void check_fit_reproduced(int segments)
{
    simdir d;
    memset(&d, 0, sizeof d);
    snprintf(d.dir, sizeof d.dir, "/tmp/hc-test-predict.XXXXXX");
    assert_non_null(mkdtemp(d.dir));
    sim_path(&d, 0, "snapshots.csv");
    sim_path(&d, 1, "events.csv");
    sim_path(&d, 2, "truth.json");
    sim_path(&d, 3, "current.json");
    sim_path(&d, 4, "tuned.json");
    hc_error err;
    hc_error_clear(&err);
    hc_simulate_options so;
    hc_simulate_options_init(&so);
    so.accounts = 600;
    so.weeks = 52;
    so.seed = 20240101;
    so.out_dir = d.dir;
    if (hc_simulate_run(&so, NULL, &err) != HC_OK) {
        fprintf(stderr, "simulate: %s\n", err.message);
        sim_cleanup(&d);
        fail();
    }
    hc_model *base;
    assert_int_equal(hc_model_load(d.path[3], &base, &err), HC_OK);
    hc_colspec *specs;
    size_t n_specs;
    assert_int_equal(hc_model_required_columns(base, &specs, &n_specs, &err), HC_OK);
    const char *metrics[64];
    size_t n_metrics = 0;
    for (size_t i = 4; i < n_specs; i++)
        metrics[n_metrics++] = specs[i].name;
    hc_history_options ho = {.snapshots_path = d.path[0],
                             .events_path = d.path[1],
                             .metrics = metrics,
                             .n_metrics = n_metrics,
                             .labels = {.horizon = base->horizon_days,
                                        .lead = base->lead_days,
                                        .as_of = HC_DATE_MISSING}};
    hc_history h;
    assert_int_equal(hc_history_load(&ho, &h, &err), HC_OK);
    hc_fit_options fo;
    hc_fit_options_init(&fo);
    fo.segments = segments;
    hc_fit_result fr;
    if (hc_fit_model(base, &h, NULL, 0, &fo, &fr, &err) != HC_OK) {
        fprintf(stderr, "fit: %s\n", err.message);
        fail();
    }
    /* Through the file, as predict reads it. */
    assert_int_equal(hc_model_save(fr.tuned, d.path[4], &err), HC_OK);
    hc_model *tuned;
    assert_int_equal(hc_model_load(d.path[4], &tuned, &err), HC_OK);
    hc_snapshots s;
    assert_int_equal(hc_predict_load_snapshots(tuned, d.path[0], 0, &s, &err), HC_OK);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = tuned;
    po.snapshots = &s;
    po.all_snapshots = 1;
    hc_predict_result r;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);
    assert_int_equal(r.n, s.table->n_rows);

    size_t K = tuned->n_components, compared = 0, seg_compared = 0;
    double worst_fit = 0, worst_formula = 0, sub[16];
    const hc_table *ht = h.snapshots.table;
    for (size_t i = 0; i < r.n; i++) {
        const hc_prediction *p = &r.rows[i];
        size_t row = p->row;
        /* Both tables hold the file's rows in file order. */
        assert_string_equal(hc_table_text(s.table, s.id_col, row),
                            hc_table_text(ht, h.snapshots.id_col, row));
        if (h.labels.status[row] != HC_ROW_OBSERVATION)
            continue;
        if (!raw_subscores(tuned, s.table, row, sub))
            continue; /* fit leaves incomplete rows out */
        /* The sub-scores the result carries are the scorer's. */
        for (size_t k = 0; k < K; k++)
            assert_close(r.sub[i * K + k], sub[k], 1e-12);
        const char *segv = s.segment_col >= 0 ? hc_table_text(s.table, s.segment_col, row) : NULL;
        int seg = segv ? hc_model_find_segment(tuned, segv) : -1;
        double w[16], a = tuned->churn.intercept, B = tuned->churn.slope;
        hc_model_weights_for(tuned, seg, w);
        if (seg >= 0 && tuned->segments[seg].churn.present) {
            a = tuned->segments[seg].churn.intercept;
            B = tuned->segments[seg].churn.slope;
        }
        double hs = 0, ws = 0;
        for (size_t k = 0; k < K; k++) {
            hs += w[k] * sub[k];
            ws += w[k];
        }
        double H = hs / ws;
        assert_close(p->health, H, 1e-10);
        double pf = logistic(a + B * H);
        double diff = fabs(p->p_churn - pf);
        if (diff > worst_formula)
            worst_formula = diff;
        assert_true(diff <= 1e-12);
        if (seg < 0) {
            /* (a): the fitted regression itself. */
            double eta = fr.churn.coef[0];
            for (size_t j = 0; j < fr.n_kept; j++)
                eta += fr.churn.coef[j + 1] * sub[fr.kept[j]];
            diff = fabs(p->p_churn - logistic(eta));
            if (diff > worst_fit)
                worst_fit = diff;
            assert_true(diff <= 1e-12);
            compared++;
        } else {
            /* (a) for a segment: its fitted calibration on its weights. */
            const hc_fit_segment *fs = NULL;
            for (size_t g = 0; g < fr.n_segments; g++)
                if (strcmp(fr.segments[g].name, segv) == 0)
                    fs = &fr.segments[g];
            assert_non_null(fs);
            assert_true(fs->calibrated);
            double hf = 0;
            for (size_t k = 0; k < K; k++)
                hf += fs->weights[k] * sub[k];
            diff = fabs(p->p_churn - logistic(fs->intercept + fs->slope * hf));
            if (diff > worst_fit)
                worst_fit = diff;
            assert_true(diff <= 1e-12);
            seg_compared++;
        }
    }
    fprintf(stderr, "%s fit: %zu pooled and %zu segment observations compared; "
                    "max |p - p_fit| = %.3g, max |p - logistic(a + B H)| = %.3g\n",
            segments ? "segmented" : "pooled", compared, seg_compared, worst_fit,
            worst_formula);
    assert_true(compared + seg_compared > 10000);
    if (segments)
        assert_true(seg_compared > 0);
    hc_predict_result_release(&r);
    hc_snapshots_release(&s);
    hc_model_free(tuned);
    hc_fit_result_release(&fr);
    hc_history_release(&h);
    free(specs);
    hc_model_free(base);
    sim_cleanup(&d);
}

static void test_fit_probabilities_reproduced(void **state)
{
    (void)state;
    check_fit_reproduced(0);
}

static void test_segment_fit_probabilities_reproduced(void **state)
{
    (void)state;
    check_fit_reproduced(1);
}

/* ---- a small in-memory history ---------------------------------------- */

typedef struct {
    const char *id, *date, *segment;
    double arr, x1, x2;
} snap;

/* Components u (identity on x1) and v (identity on x2), weights 1/2 each,
 * bands red 0 / yellow 40 / green 70, logit P(churn) = 2 - 0.05 H. */
static hc_model *small_model(void)
{
    hc_error err;
    hc_model *m = hc_model_alloc("small.json");
    hc_transform id_tf;
    hc_transform_init(&id_tf);
    size_t k;
    assert_int_equal(hc_model_add_component(m, "u", 0.5, &k, &err), HC_OK);
    assert_int_equal(hc_model_add_metric(m, k, "x1", 1, &id_tf, &err), HC_OK);
    assert_int_equal(hc_model_add_component(m, "v", 0.5, &k, &err), HC_OK);
    assert_int_equal(hc_model_add_metric(m, k, "x2", 1, &id_tf, &err), HC_OK);
    const char *names[] = {"red", "yellow", "green"};
    const double mins[] = {0, 40, 70};
    assert_int_equal(hc_model_set_bands(m, 3, names, mins, &err), HC_OK);
    assert_int_equal(hc_model_set_churn(m, 2.0, -0.05, &err), HC_OK);
    assert_int_equal(hc_model_validate(m, &err), HC_OK);
    return m;
}

static void small_history(const snap *rows, size_t n, hc_snapshots *out)
{
    hc_error err;
    hc_table *t = hc_table_alloc("small.csv");
    int id = hc_table_add_column(t, "account_id", HC_COL_TEXT);
    int dt = hc_table_add_column(t, "snapshot_date", HC_COL_DATE);
    int sg = hc_table_add_column(t, "segment", HC_COL_TEXT);
    int arr = hc_table_add_column(t, "arr", HC_COL_NUM);
    int x1 = hc_table_add_column(t, "x1", HC_COL_NUM);
    int x2 = hc_table_add_column(t, "x2", HC_COL_NUM);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hc_table_set_text(t, id, i, rows[i].id), HC_OK);
        assert_int_equal(hc_table_set_text(t, sg, i, rows[i].segment), HC_OK);
        t->cols[dt].code[i] = day(rows[i].date);
        assert_int_equal(hc_table_num_set(t, arr, i, rows[i].arr), HC_OK);
        assert_int_equal(hc_table_num_set(t, x1, i, rows[i].x1), HC_OK);
        assert_int_equal(hc_table_num_set(t, x2, i, rows[i].x2), HC_OK);
    }
    assert_int_equal(hc_snapshots_from_table(t, NULL, out, &err), HC_OK);
}

static const hc_prediction *find_row(const hc_predict_result *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(hc_table_text(r->snapshots->table, r->snapshots->id_col,
                                 r->rows[i].row), id) == 0)
            return &r->rows[i];
    fail_msg("no row for %s", id);
    return NULL;
}

static const snap SMALL[] = {
    {"A", "2024-03-11", "s1", 1000, 90, 80},  /* H 85 green: s1's reference */
    {"B", "2024-03-04", "s1", 5000, 80, 70},  /* H 75 green ... */
    {"B", "2024-03-11", "s1", 5000, 30, 60},  /* ... then 45 yellow: fell */
    {"F", "2024-03-11", "s1", 2000, 20, NAN}, /* v missing: H = u = 20 */
    {"C", "2024-03-11", "s2", 3000, 50, 50},  /* alone in s2: reference 100 */
    {"G", "2024-03-11", "s3", 4000, 60, 60},  /* s3 has no green: G above */
    {"H", "2024-03-11", "s3", NAN, 20, 20},   /* the median 40 is s3's reference */
    {"Z", "2024-01-01", "s1", 100, 95, 95},   /* green, but stale */
    {"L", "2024-04-01", "s1", 100, 10, 10},   /* first snapshot after as-of */
};

/* Drivers by hand (hc_predict.h): d_k = w'_k (r_k - s_k).
 *   s1 reference: mean of its top-band book rows A (90, 80) and Z (95, 95)
 *   = (92.5, 87.5); B (30, 60): u 0.5 (92.5 - 30) = 31.25,
 *   v 0.5 (87.5 - 60) = 13.75; F (20, -): w'_u = 1, 1 (92.5 - 20) = 72.5.
 *   s2 (one account, not green): r = 100: C u = v = 0.5 (100 - 50) = 25,
 *   ties in component order. s3: median of {60, 20} = 40, G above:
 *   r = (60, 60); H: 0.5 (60 - 20) = 20 each; G: none. */
static void test_drivers_and_band_change(void **state)
{
    (void)state;
    hc_model *m = small_model();
    hc_snapshots s;
    small_history(SMALL, sizeof SMALL / sizeof SMALL[0], &s);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = m;
    po.snapshots = &s;
    po.as_of = day("2024-03-11");
    hc_predict_result r;
    hc_error err;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);
    assert_int_equal(r.n, 7);
    assert_int_equal(r.accounts_later, 1);

    const hc_prediction *b = find_row(&r, "B");
    assert_close(b->health, 45, 1e-13);
    assert_int_equal(b->band, 1);
    assert_int_equal(b->driver[0], 0);
    assert_close(b->driver_points[0], 31.25, 1e-12);
    assert_int_equal(b->driver[1], 1);
    assert_close(b->driver_points[1], 13.75, 1e-12);
    assert_int_equal(b->driver[2], -1);
    assert_true(b->has_previous);
    assert_int_equal(b->previous_band, 2);
    assert_true(b->fell);
    assert_close(b->health_change, -30, 1e-13);
    assert_close(b->p_churn, logistic(2 - 0.05 * 45), 1e-15);
    assert_close(b->at_risk, 5000 * logistic(2 - 0.05 * 45), 1e-12);

    const hc_prediction *f = find_row(&r, "F");
    assert_close(f->health, 20, 1e-13);
    assert_int_equal(f->driver[0], 0);
    assert_close(f->driver_points[0], 72.5, 1e-12);
    assert_int_equal(f->driver[1], -1); /* a missing component is never a driver */
    assert_false(f->has_previous);
    assert_false(f->fell);
    assert_true(isnan(f->health_change));

    const hc_prediction *c = find_row(&r, "C");
    assert_int_equal(c->driver[0], 0);
    assert_int_equal(c->driver[1], 1);
    assert_close(c->driver_points[0], 25, 1e-12);
    assert_close(c->driver_points[1], 25, 1e-12);

    const hc_prediction *g = find_row(&r, "G");
    assert_int_equal(g->driver[0], -1);
    const hc_prediction *hh = find_row(&r, "H");
    assert_close(hh->driver_points[0], 20, 1e-12);
    assert_close(hh->driver_points[1], 20, 1e-12);
    assert_true(isnan(hh->at_risk));

    /* A, in the reference set itself, is still below its mean:
     * v 0.5 (87.5 - 80) = 3.75 first, then u 0.5 (92.5 - 90) = 1.25. */
    const hc_prediction *a = find_row(&r, "A");
    assert_int_equal(a->driver[0], 1);
    assert_close(a->driver_points[0], 3.75, 1e-12);
    assert_int_equal(a->driver[1], 0);
    assert_close(a->driver_points[1], 1.25, 1e-12);
    assert_int_equal(a->driver[2], -1);
    /* Z, above the reference on both, has no driver. */
    assert_int_equal(find_row(&r, "Z")->driver[0], -1);

    /* Reference rules per segment group (code + 1): s1 top band, s2 none,
     * s3 above the median. */
    int32_t code1 = hc_strpool_lookup(s.table->cols[s.segment_col].pool, "s1", 2);
    int32_t code2 = hc_strpool_lookup(s.table->cols[s.segment_col].pool, "s2", 2);
    int32_t code3 = hc_strpool_lookup(s.table->cols[s.segment_col].pool, "s3", 2);
    assert_int_equal(r.reference_rule[code1 + 1], 0);
    assert_int_equal(r.reference_rule[code2 + 1], 2);
    assert_int_equal(r.reference_rule[code3 + 1], 1);
    assert_close(r.reference[(code1 + 1) * 2 + 0], 92.5, 1e-13);

    /* Summary: Z's latest snapshot (2024-01-01) is before 2024-03-11 - 30:
     * stale, so out of the current book's bands and revenue at risk. */
    assert_int_equal(r.accounts, 7);
    assert_int_equal(r.book_accounts, 7);
    assert_false(r.churned_excluded);
    assert_int_equal(r.current_accounts, 6);
    assert_int_equal(r.stale_accounts, 1);
    assert_close(r.stale_arr, 100, 0);
    assert_int_equal(r.fell_accounts, 1);
    assert_int_equal(r.band_accounts[0], 2); /* F 20, H 20 */
    assert_int_equal(r.band_accounts[1], 3); /* B 45, C 50, G 60 */
    assert_int_equal(r.band_accounts[2], 1); /* A 85 (Z 95 is stale) */
    assert_close(r.band_arr[1], 5000 + 3000 + 4000, 0);
    assert_int_equal(r.arr_missing, 1);
    double want = 0;
    for (size_t i = 0; i < r.n; i++)
        if (!isnan(r.rows[i].at_risk) && r.rows[i].status == HC_PREDICT_CURRENT)
            want += r.rows[i].at_risk;
    assert_close(r.expected_churned_arr, want, 1e-12);
    /* Z: 100 x logistic(2 - 0.05 x 95), apart. */
    assert_close(r.stale_at_risk, 100 * logistic(2 - 0.05 * 95), 1e-12);

    /* Current rows sorted by expected ARR at risk, highest first, no ARR
     * last among them (H); then the stale row Z. */
    for (size_t i = 1; i + 1 < r.n; i++)
        if (!isnan(r.rows[i].at_risk))
            assert_true(r.rows[i - 1].at_risk >= r.rows[i].at_risk);
    assert_true(isnan(r.rows[r.n - 2].at_risk));
    assert_int_equal(r.rows[r.n - 2].status, HC_PREDICT_CURRENT);
    assert_ptr_equal(&r.rows[r.n - 1], find_row(&r, "Z"));
    assert_int_equal(r.rows[r.n - 1].status, HC_PREDICT_STALE);
    hc_predict_result_release(&r);

    /* Before the first snapshot: a usage error naming both dates. */
    po.as_of = day("2023-12-31");
    hc_error_clear(&err);
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "as-of date 2023-12-31 is before the first snapshot (2024-01-01)"));

    /* Every snapshot: B's first row has no previous one. */
    po.as_of = HC_DATE_MISSING;
    po.all_snapshots = 1;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);
    assert_int_equal(r.n, 9);
    assert_int_equal(r.accounts, 8);
    size_t with_prev = 0;
    for (size_t i = 0; i < r.n; i++)
        with_prev += r.rows[i].has_previous;
    assert_int_equal(with_prev, 1);
    hc_predict_result_release(&r);
    hc_snapshots_release(&s);
    hc_model_free(m);
}

/* Ties of expected ARR at risk are broken by account id in byte order. */
static void test_sort_ties(void **state)
{
    (void)state;
    static const snap rows[] = {
        {"b2", "2024-03-11", "s", 10, 50, 50},
        {"b10", "2024-03-11", "s", 10, 50, 50},
        {"B3", "2024-03-11", "s", 10, 50, 50},
        {"a", "2024-03-11", "s", 20, 50, 50},
    };
    hc_model *m = small_model();
    hc_snapshots s;
    small_history(rows, 4, &s);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = m;
    po.snapshots = &s;
    hc_predict_result r;
    hc_error err;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);
    const char *want[] = {"a", "B3", "b10", "b2"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(hc_table_text(s.table, s.id_col, r.rows[i].row), want[i]);
    hc_predict_result_release(&r);
    hc_snapshots_release(&s);
    hc_model_free(m);
}

/* OWASP CSV injection: ids and segments starting with = + - @ TAB CR are
 * written as quoted text with a leading single quote. */
static void test_csv_neutralises_formulas(void **state)
{
    (void)state;
    static const snap rows[] = {
        {"=1+1", "2024-03-11", "=cmd|' /C calc'!A0", 100, 10, 10},
        {"+SUM(A1)", "2024-03-11", "+seg", 90, 20, 20},
        {"-2", "2024-03-11", "-seg", 80, 30, 30},
        {"@x", "2024-03-11", "@seg", 70, 40, 40},
        {"\tTab", "2024-03-11", "\tseg", 60, 50, 50},
        {"\rCR", "2024-03-11", "\rseg", 50, 60, 60},
        {"plain", "2024-03-11", "ok", 40, 70, 70},
    };
    hc_model *m = small_model();
    hc_snapshots s;
    small_history(rows, 7, &s);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = m;
    po.snapshots = &s;
    hc_predict_result r;
    hc_error err;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hc_predict_write_csv(f, &r);
    fclose(f);
    /* Rows come out in input order here: ARR and risk both fall. */
    const char *want[] = {
        "\n\"'=1+1\",2024-03-11,\"'=cmd|' /C calc'!A0\",100,",
        "\n\"'+SUM(A1)\",2024-03-11,\"'+seg\",90,",
        "\n\"'-2\",2024-03-11,\"'-seg\",80,",
        "\n\"'@x\",2024-03-11,\"'@seg\",70,",
        "\n\"'\tTab\",2024-03-11,\"'\tseg\",60,",
        "\n\"'\rCR\",2024-03-11,\"'\rseg\",50,",
        "\nplain,2024-03-11,ok,40,",
    };
    for (size_t i = 0; i < 7; i++)
        assert_non_null(strstr(buf, want[i]));
    const char *header = "account_id,snapshot_date,segment,arr,health,band,"
                         "p_churn_30d,p_expansion_30d,expected_arr_at_risk,"
                         "driver_1,driver_2,driver_3,health_change,band_change,"
                         "status\n";
    assert_int_equal(strncmp(buf, header, strlen(header)), 0);
    /* No line starts with a formula character. */
    for (char *p = buf; (p = strchr(p, '\n')) != NULL; p++)
        assert_null(strchr("=+-@", p[1] ? p[1] : 'x'));
    free(buf);
    hc_predict_result_release(&r);
    hc_snapshots_release(&s);
    hc_model_free(m);
}

/* The CSV cells of one row by hand: health 45 -> "45.0000", p = logistic(-0.25)
 * = 0.437823499114202 -> "0.437823" (6 significant digits), at risk 5000 p
 * = 2189.117... -> "2189.12", drivers to one decimal, the band fall. */
static void test_csv_cells(void **state)
{
    (void)state;
    hc_model *m = small_model();
    hc_snapshots s;
    small_history(SMALL, sizeof SMALL / sizeof SMALL[0], &s);
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = m;
    po.snapshots = &s;
    po.as_of = day("2024-03-11");
    hc_predict_result r;
    hc_error err;
    assert_int_equal(hc_predict_run(&po, &r, &err), HC_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hc_predict_write_csv(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "\nB,2024-03-11,s1,5000,45.0000,yellow,0.437823,,"
                                "2189.12,u (-31.2),v (-13.8),,-30.0000,green->yellow,"
                                "current\n"));
    assert_non_null(strstr(buf, "\nH,2024-03-11,s3,,20.0000,red,0.731059,,,u (-20.0),"
                                "v (-20.0),,,,current\n"));
    assert_non_null(strstr(buf, ",stale\n"));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    hc_predict_write_summary(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "stale (latest snapshot before 2024-02-10, more than 30 "
                                "days before 2024-03-11"));
    assert_non_null(strstr(buf, "1 accounts, ARR 100.00"));
    assert_non_null(strstr(buf, "churned accounts cannot be left out without events"));
    assert_non_null(strstr(buf, "fell a band since their previous snapshot: 1\n"));
    free(buf);
    hc_predict_result_release(&r);
    hc_snapshots_release(&s);
    hc_model_free(m);
}

/* A column the config names but the file lacks is reported by its key. */
static void test_missing_column_names_key(void **state)
{
    (void)state;
    char path[] = "/tmp/hc-test-predict-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *csv = "account_id,snapshot_date,segment,arr,x1\na,2024-01-01,s,1,2\n";
    assert_int_equal(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
    close(fd);
    hc_model *m = small_model();
    hc_snapshots s;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_predict_load_snapshots(m, path, 0, &s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "components[1].metrics[0].column: column 'x2' is not in"));
    assert_string_equal(err.file, "small.json");

    /* With segment overrides the segment column is required too. */
    FILE *f = fopen(path, "w");
    fputs("account_id,snapshot_date,x1,x2\na,2024-01-01,2,3\n", f);
    fclose(f);
    size_t seg;
    assert_int_equal(hc_model_add_segment(m, "s", &seg, &err), HC_OK);
    hc_error_clear(&err);
    assert_int_equal(hc_predict_load_snapshots(m, path, 0, &s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "columns.segment: column 'segment' is not in"));
    unlink(path);
    hc_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_probabilities_reproduced),
        cmocka_unit_test(test_segment_fit_probabilities_reproduced),
        cmocka_unit_test(test_drivers_and_band_change),
        cmocka_unit_test(test_sort_ties),
        cmocka_unit_test(test_csv_neutralises_formulas),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_missing_column_names_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
