/* test_score.c - unit tests of scoring a table with a model (src/model/score.c). */
#include "test_util.h"

#include "hc_model.h"
#include "hc_table.h"

/* Three components; A has two metrics (weights 1 and 3). Segment
 * "enterprise" overrides weights and churn; "smb" overrides expansion. */
static const char *MODEL =
    "{\"schema\": \"healthcal-model/1\","
    " \"components\": ["
    "  {\"name\": \"A\", \"weight\": 0.5, \"metrics\": ["
    "    {\"column\": \"a1\", \"transform\": {\"type\": \"linear\", \"low\": 0,"
    "      \"high\": 10, \"higher_is_healthier\": true}},"
    "    {\"column\": \"a2\", \"weight\": 3, \"transform\": {\"type\": "
    "      \"linear\", \"low\": 0, \"high\": 100, \"higher_is_healthier\": "
    "      true}}]},"
    "  {\"name\": \"B\", \"weight\": 0.3, \"metrics\": ["
    "    {\"column\": \"b1\", \"transform\": {\"type\": \"identity\"}}]},"
    "  {\"name\": \"C\", \"weight\": 0.2, \"metrics\": ["
    "    {\"column\": \"c1\", \"transform\": {\"type\": \"piecewise\","
    "      \"points\": [[0, 100], [30, 60], [90, 0]]}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": \"yellow\","
    "   \"min\": 40}, {\"name\": \"green\", \"min\": 70}],"
    " \"churn_model\": {\"intercept\": -1, \"slope\": -0.05},"
    " \"expansion_model\": {\"intercept\": -4, \"coefficients\": {\"A\": 0.02,"
    "   \"B\": 0.01, \"C\": -0.03}},"
    " \"segments\": {"
    "   \"enterprise\": {\"weights\": {\"A\": 0.2, \"B\": 0.2, \"C\": 0.6},"
    "     \"churn_model\": {\"intercept\": -2, \"slope\": -0.02}},"
    "   \"smb\": {\"expansion_model\": {\"intercept\": -3, \"coefficients\":"
    "     {\"A\": 0.01, \"B\": 0, \"C\": 0}}}}}";

static double logit_inv(double eta)
{
    return 1.0 / (1.0 + exp(-eta));
}

static hc_model *load(const char *text)
{
    hc_model *m = NULL;
    hc_error err;
    hc_status st = hc_model_load_string(text, "score-test.json", &m, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    return m;
}

/* A table with numeric columns a1 a2 b1 c1 and a text column segment. */
static hc_table *table_abc(size_t n)
{
    hc_table *t = hc_table_alloc("snapshots.csv");
    assert_int_equal(hc_table_add_column(t, "a1", HC_COL_NUM), 0);
    assert_int_equal(hc_table_add_column(t, "a2", HC_COL_NUM), 1);
    assert_int_equal(hc_table_add_column(t, "b1", HC_COL_NUM), 2);
    assert_int_equal(hc_table_add_column(t, "c1", HC_COL_NUM), 3);
    assert_int_equal(hc_table_add_column(t, "segment", HC_COL_TEXT), 4);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    return t;
}

static void set_row(hc_table *t, size_t r, double a1, double a2, double b1,
                    double c1, const char *seg)
{
    assert_int_equal(hc_table_num_set(t, 0, r, a1), HC_OK);
    assert_int_equal(hc_table_num_set(t, 1, r, a2), HC_OK);
    assert_int_equal(hc_table_num_set(t, 2, r, b1), HC_OK);
    assert_int_equal(hc_table_num_set(t, 3, r, c1), HC_OK);
    assert_int_equal(hc_table_set_text(t, 4, r, seg), HC_OK);
}

/* Hand-computed renormalisation (schema "renormalize" rule). */
static void test_renormalize_hand_computed(void **state)
{
    (void)state;
    hc_model *m = load(MODEL);
    hc_table *t = table_abc(7);
    set_row(t, 0, 5, 20, 80, 15, "mid");
    set_row(t, 1, NAN, 50, NAN, 60, "mid");
    set_row(t, 2, NAN, NAN, NAN, NAN, "mid");
    set_row(t, 3, NAN, NAN, NAN, 90, NULL);
    set_row(t, 4, 10, 100, 150, -5, "enterprise");
    set_row(t, 5, 5, 20, NAN, 45, "enterprise");
    set_row(t, 6, 5, 20, 80, 15, "smb");
    hc_scores *s = hc_scores_alloc(m, 7);
    hc_error err;
    assert_int_equal(hc_model_score(m, t, s, &err), HC_OK);
    const size_t n = 7;
#define SUB(k, i) s->sub[(k) * n + (i)]

    /* Row 0: A = (1*50 + 3*20)/4 = 27.5, B = 80, C = 100 - 40*15/30 = 80;
     * H = 0.5*27.5 + 0.3*80 + 0.2*80 = 53.75. */
    assert_close(SUB(0, 0), 27.5, 1e-14);
    assert_close(SUB(1, 0), 80, 1e-14);
    assert_close(SUB(2, 0), 80, 1e-14);
    assert_close(s->health[0], 53.75, 1e-14);
    assert_int_equal(s->band[0], 1);
    assert_int_equal(s->segment[0], -1); /* "mid" has no override */
    assert_close(s->p_churn[0], logit_inv(-1 - 0.05 * 53.75), 1e-15);
    assert_close(s->p_expansion[0],
                 logit_inv(-4 + 0.02 * 27.5 + 0.01 * 80 - 0.03 * 80), 1e-15);

    /* Row 1: a1 missing -> A = a2's score 50; B missing; C = 60 - 60*30/60
     * = 30. H = (0.5*50 + 0.2*30) / (0.5 + 0.2) = 31/0.7. P(expansion)
     * uses H for the missing B. */
    double h1 = 31.0 / 0.7;
    assert_close(SUB(0, 1), 50, 1e-14);
    assert_true(isnan(SUB(1, 1)));
    assert_close(SUB(2, 1), 30, 1e-14);
    assert_close(s->health[1], h1, 1e-14);
    assert_int_equal(s->band[1], 1);
    assert_close(s->p_expansion[1],
                 logit_inv(-4 + 0.02 * 50 + 0.01 * h1 - 0.03 * 30), 1e-15);

    /* Row 2: everything missing. */
    for (int k = 0; k < 3; k++)
        assert_true(isnan(SUB(k, 2)));
    assert_true(isnan(s->health[2]));
    assert_int_equal(s->band[2], -1);
    assert_true(isnan(s->p_churn[2]));
    assert_true(isnan(s->p_expansion[2]));

    /* Row 3: only C (= 0 at x = 90), missing segment -> top level. */
    assert_close(s->health[3], 0, 0);
    assert_int_equal(s->band[3], 0);
    assert_int_equal(s->segment[3], -1);
    assert_close(s->p_churn[3], logit_inv(-1), 1e-15);

    /* Row 4: enterprise, everything at the top (b1 = 150 clamps, c1 = -5 is
     * left of the first point): H = 100; enterprise churn model; no
     * expansion override, so the top-level one. */
    assert_close(s->health[4], 100, 1e-14);
    assert_int_equal(s->band[4], 2);
    assert_int_equal(s->segment[4], 0);
    assert_close(s->p_churn[4], logit_inv(-2 - 0.02 * 100), 1e-15);
    assert_close(s->p_expansion[4],
                 logit_inv(-4 + 0.02 * 100 + 0.01 * 100 - 0.03 * 100), 1e-15);

    /* Row 5: enterprise weights renormalised without B: A = 27.5,
     * C = 60 - 60*15/60 = 45, H = (0.2*27.5 + 0.6*45) / 0.8 = 40.625. */
    assert_close(SUB(2, 5), 45, 1e-14);
    assert_close(s->health[5], 40.625, 1e-14);
    assert_int_equal(s->band[5], 1);
    assert_close(s->p_churn[5], logit_inv(-2 - 0.02 * 40.625), 1e-15);

    /* Row 6: smb, top-level weights and churn, its own expansion model. */
    assert_close(s->health[6], 53.75, 1e-14);
    assert_int_equal(s->segment[6], 1);
    assert_close(s->p_churn[6], logit_inv(-1 - 0.05 * 53.75), 1e-15);
    assert_close(s->p_expansion[6], logit_inv(-3 + 0.01 * 27.5), 1e-15);
#undef SUB

    /* Contributions: sum to H; shortfalls sum to 100 - H; missing -> NaN. */
    double c[3], f[3];
    hc_model_contributions(m, s->segment[1], s->sub + 1, n, c, f);
    assert_close(c[0], 0.5 / 0.7 * 50, 1e-14);
    assert_true(isnan(c[1]) && isnan(f[1]));
    assert_close(c[0] + c[2], h1, 1e-14);
    assert_close(f[0] + f[2], 100 - h1, 1e-14);
    assert_close(f[2], 0.2 / 0.7 * 70, 1e-14);
    hc_model_contributions(m, s->segment[5], s->sub + 5, n, c, NULL);
    assert_close(c[0] + c[2], 40.625, 1e-14);
    hc_model_contributions(m, -1, s->sub + 2, n, c, f);
    assert_true(isnan(c[0]) && isnan(c[1]) && isnan(c[2]) && isnan(f[0]));

    double w[3];
    hc_model_weights_for(m, 0, w);
    assert_true(w[0] == 0.2 && w[1] == 0.2 && w[2] == 0.6);
    hc_model_weights_for(m, 1, w); /* smb: no weight override */
    assert_true(w[0] == 0.5 && w[1] == 0.3 && w[2] == 0.2);

    hc_scores_free(s);
    hc_table_free(t);
    hc_model_free(m);
}

/* A present component of weight 0 does not make H present. */
static void test_zero_weight_component(void **state)
{
    (void)state;
    hc_model *m = load(
        "{\"schema\": \"healthcal-model/1\", \"components\": ["
        " {\"name\": \"A\", \"weight\": 1, \"metrics\": [{\"column\": \"a1\","
        "   \"transform\": {\"type\": \"identity\"}}]},"
        " {\"name\": \"B\", \"weight\": 0, \"metrics\": [{\"column\": \"b1\","
        "   \"transform\": {\"type\": \"identity\"}}]}],"
        " \"bands\": [{\"name\": \"all\", \"min\": 0}]}");
    hc_table *t = table_abc(2);
    set_row(t, 0, NAN, NAN, 70, NAN, NULL);
    set_row(t, 1, 30, NAN, 70, NAN, NULL);
    hc_scores *s = hc_scores_alloc(m, 2);
    assert_int_equal(hc_model_score(m, t, s, NULL), HC_OK);
    assert_close(s->sub[2 + 0], 70, 0);
    assert_true(isnan(s->health[0]));
    assert_int_equal(s->band[0], -1);
    assert_close(s->health[1], 30, 0);
    /* No churn or expansion model: probabilities are missing. */
    assert_true(isnan(s->p_churn[1]));
    assert_true(isnan(s->p_expansion[1]));
    hc_scores_free(s);
    hc_table_free(t);
    hc_model_free(m);
}

/* Deterministic pseudo-random numbers in [0, 1) (xorshift64, Marsaglia
 * 2003), so the property tests are reproducible. */
static double rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (double)(*x >> 11) / 9007199254740992.0;
}

static hc_table *random_table(size_t n, uint64_t seed, double p_missing)
{
    hc_table *t = table_abc(n);
    uint64_t x = seed;
    const char *segs[] = {"enterprise", "smb", "mid", NULL};
    for (size_t r = 0; r < n; r++) {
        double v[4] = {12 * rnd(&x) - 1, 110 * rnd(&x) - 5,
                       120 * rnd(&x) - 10, 100 * rnd(&x) - 5};
        for (int c = 0; c < 4; c++)
            if (rnd(&x) < p_missing)
                v[c] = NAN;
        set_row(t, r, v[0], v[1], v[2], v[3],
                segs[(size_t)(rnd(&x) * 4) % 4]);
    }
    return t;
}

/* p_churn is logistic(intercept + slope * H) with the row's segment model. */
static void test_p_churn_logistic(void **state)
{
    (void)state;
    hc_model *m = load(MODEL);
    hc_table *t = random_table(2000, 12345, 0.1);
    hc_scores *s = hc_scores_alloc(m, t->n_rows);
    assert_int_equal(hc_model_score(m, t, s, NULL), HC_OK);
    size_t n_ent = 0, n_top = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        if (isnan(s->health[i])) {
            assert_true(isnan(s->p_churn[i]));
            continue;
        }
        const char *seg = hc_table_text(t, 4, i);
        int ent = seg && strcmp(seg, "enterprise") == 0;
        double a = ent ? -2 : -1, b = ent ? -0.02 : -0.05;
        assert_close(s->p_churn[i], logit_inv(a + b * s->health[i]), 1e-15);
        assert_int_equal(s->band[i], hc_model_band_of(m, s->health[i]));
        assert_true(s->health[i] >= 0 && s->health[i] <= 100);
        n_ent += ent;
        n_top += !ent;
    }
    assert_true(n_ent > 300 && n_top > 1000);
    hc_scores_free(s);
    hc_table_free(t);
    hc_model_free(m);
}

/* The score model (README): with w_k = beta_k / sum beta, H is a sufficient statistic of
 * logit P = beta0 + sum beta_k s_k: beta0 + B H = that linear predictor
 * (B = sum beta). Checked on random betas <= 0 and random complete rows. */
static void test_health_sufficient_statistic(void **state)
{
    (void)state;
    uint64_t x = 987654321;
    for (int trial = 0; trial < 20; trial++) {
        double beta[3], B = 0, beta0 = 2 * rnd(&x) - 1;
        for (int k = 0; k < 3; k++) {
            beta[k] = -0.1 * rnd(&x) - 1e-3;
            B += beta[k];
        }
        hc_model *m = load(MODEL);
        double w[3] = {beta[0] / B, beta[1] / B, 0};
        w[2] = 1 - w[0] - w[1];
        hc_error err;
        assert_int_equal(hc_model_set_weights(m, w, &err), HC_OK);
        assert_int_equal(hc_model_set_churn(m, beta0, B, &err), HC_OK);
        hc_table *t = random_table(300, x, 0.0);
        for (size_t r = 0; r < t->n_rows; r++)
            assert_int_equal(hc_table_set_text(t, 4, r, NULL), HC_OK);
        hc_scores *s = hc_scores_alloc(m, t->n_rows);
        assert_int_equal(hc_model_score(m, t, s, NULL), HC_OK);
        size_t n = t->n_rows;
        for (size_t i = 0; i < n; i++) {
            double lin = beta0;
            for (int k = 0; k < 3; k++)
                lin += beta[k] * s->sub[k * n + i];
            assert_close(beta0 + B * s->health[i], lin, 1e-12);
            assert_close(s->p_churn[i], logit_inv(lin), 1e-13);
        }
        hc_scores_free(s);
        hc_table_free(t);
        hc_model_free(m);
    }
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Scoring a row gives the same bits whether the whole table is scored, a
 * list of rows in any order, chunks, or without the sub-score array. */
static void test_deterministic_across_calls(void **state)
{
    (void)state;
    hc_model *m = load(MODEL);
    const size_t n = 3000; /* spans several internal blocks */
    hc_table *t = random_table(n, 42, 0.15);
    hc_scores *all = hc_scores_alloc(m, n);
    assert_int_equal(hc_model_score(m, t, all, NULL), HC_OK);

    size_t *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = n - 1 - i;
    hc_scores *rev = hc_scores_alloc(m, n);
    hc_score_out out = {rev->sub, n, rev->health, rev->band, rev->p_churn,
                        rev->p_expansion, rev->segment};
    assert_int_equal(hc_model_score_rows(m, t, rows, 0, n, 1, &out, NULL),
                     HC_OK);
    for (size_t i = 0; i < n; i++) {
        size_t r = n - 1 - i;
        assert_true(same(rev->health[i], all->health[r]));
        assert_true(same(rev->p_churn[i], all->p_churn[r]));
        assert_true(same(rev->p_expansion[i], all->p_expansion[r]));
        assert_int_equal(rev->band[i], all->band[r]);
        assert_int_equal(rev->segment[i], all->segment[r]);
        for (size_t k = 0; k < 3; k++)
            assert_true(same(rev->sub[k * n + i], all->sub[k * n + r]));
    }

    /* Chunks of 777 rows with only health and p_expansion wanted. */
    double h[777], pe[777];
    for (size_t first = 0; first < n; first += 777) {
        size_t len = n - first < 777 ? n - first : 777;
        hc_score_out o = {0};
        o.health = h;
        o.p_expansion = pe;
        assert_int_equal(hc_model_score_rows(m, t, NULL, first, len, 1, &o,
                                             NULL), HC_OK);
        for (size_t i = 0; i < len; i++) {
            assert_true(same(h[i], all->health[first + i]));
            assert_true(same(pe[i], all->p_expansion[first + i]));
        }
    }
    /* Out-of-range rows are refused. */
    hc_error err;
    hc_score_out o = {0};
    o.health = h;
    assert_int_equal(hc_model_score_rows(m, t, NULL, n - 5, 10, 1, &o, &err),
                     HC_EUSAGE);
    rows[0] = n;
    assert_int_equal(hc_model_score_rows(m, t, rows, 0, 1, 1, &o, &err),
                     HC_EUSAGE);
    free(rows);
    hc_scores_free(rev);
    hc_scores_free(all);
    hc_table_free(t);
    hc_model_free(m);
}

/* Property: scoring from kept sub-scores (hc_model_score_subs, what the
 * backtest does for its refits) gives the same bits as scoring the table,
 * for a model without segments; a model with segments is refused. */
static void test_score_from_subs(void **state)
{
    (void)state;
    char *text = strdup(MODEL);
    char *seg = strstr(text, ", \"segments\"");
    assert_non_null(seg);
    strcpy(seg, "}"); /* cut the segments: the text ends the object here */
    hc_model *m = load(text);
    const size_t n = 2500;
    hc_table *t = random_table(n, 7, 0.2);
    hc_scores *all = hc_scores_alloc(m, n);
    assert_int_equal(hc_model_score(m, t, all, NULL), HC_OK);
    double *h = malloc(n * sizeof *h), *pc = malloc(n * sizeof *pc),
           *pe = malloc(n * sizeof *pe);
    int32_t *band = malloc(n * sizeof *band);
    hc_score_out o = {0};
    o.health = h;
    o.p_churn = pc;
    o.p_expansion = pe;
    o.band = band;
    /* Rows 100.. of the sub-score matrix (stride n), as a fold's slice. */
    assert_int_equal(hc_model_score_subs(m, all->sub + 100, n, n - 100, &o, NULL), HC_OK);
    for (size_t i = 0; i + 100 < n; i++) {
        assert_true(same(h[i], all->health[100 + i]));
        assert_true(same(pc[i], all->p_churn[100 + i]));
        assert_true(same(pe[i], all->p_expansion[100 + i]));
        assert_int_equal(band[i], all->band[100 + i]);
    }
    /* Two threads, each scoring half of a list of rows: the same bits. */
    size_t *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = (i * 7919) % n; /* a permutation: 7919 is prime to 2500 */
    hc_scores *two = hc_scores_alloc(m, n);
    hc_score_out o2 = {two->sub, n, two->health, two->band, two->p_churn,
                       two->p_expansion, two->segment};
    assert_int_equal(hc_model_score_rows(m, t, rows, 0, n, 2, &o2, NULL), HC_OK);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        assert_true(same(two->health[i], all->health[r]));
        assert_true(same(two->p_expansion[i], all->p_expansion[r]));
        for (size_t k = 0; k < 3; k++)
            assert_true(same(two->sub[k * n + i], all->sub[k * n + r]));
    }
    hc_scores_free(two);
    free(rows);
    hc_error err;
    assert_int_equal(hc_model_score_subs(m, all->sub, 10, 20, &o, &err), HC_EUSAGE);
    hc_model *ms = load(MODEL);
    assert_int_equal(hc_model_score_subs(ms, all->sub, n, n, &o, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "segments"));
    free(h);
    free(pc);
    free(pe);
    free(band);
    free(text);
    hc_scores_free(all);
    hc_table_free(t);
    hc_model_free(m);
    hc_model_free(ms);
}

static void test_score_errors(void **state)
{
    (void)state;
    hc_error err;
    hc_model *m = load(MODEL);
    hc_table *t = hc_table_alloc("snapshots.csv");
    hc_table_add_column(t, "a1", HC_COL_NUM);
    hc_table_add_column(t, "a2", HC_COL_NUM);
    hc_table_add_column(t, "b1", HC_COL_NUM);
    hc_table_add_column(t, "segment", HC_COL_TEXT);
    hc_table_resize(t, 2);
    hc_scores *s = hc_scores_alloc(m, 2);
    assert_int_equal(hc_model_score(m, t, s, &err), HC_EDATA);
    assert_string_equal(err.message, "components[2].metrics[0].column: "
                                     "column 'c1' is not in snapshots.csv");
    assert_string_equal(err.file, "score-test.json");
    hc_table_add_column(t, "c1", HC_COL_TEXT);
    assert_int_equal(hc_model_score(m, t, s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "is text, not a number"));
    hc_table_free(t);

    /* Segments need the segment column. */
    t = hc_table_alloc("snapshots.csv");
    hc_table_add_column(t, "a1", HC_COL_NUM);
    hc_table_add_column(t, "a2", HC_COL_NUM);
    hc_table_add_column(t, "b1", HC_COL_NUM);
    hc_table_add_column(t, "c1", HC_COL_NUM);
    hc_table_resize(t, 2);
    assert_int_equal(hc_model_score(m, t, s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "columns.segment: column 'segment' "
                                        "is not in snapshots.csv"));
    /* Score arrays of the wrong size are refused. */
    hc_scores *s3 = hc_scores_alloc(m, 3);
    assert_int_equal(hc_model_score(m, t, s3, &err), HC_EUSAGE);
    hc_scores_free(s3);
    hc_scores_free(s);
    hc_table_free(t);
    hc_model_free(m);
}

/* A quantile transform must be learned before scoring; learning uses the
 * training rows only. */
static void test_quantile_learn_then_score(void **state)
{
    (void)state;
    hc_error err;
    hc_model *m = load(
        "{\"schema\": \"healthcal-model/1\", \"components\": ["
        " {\"name\": \"A\", \"weight\": 1, \"metrics\": [{\"column\": \"a1\","
        "   \"transform\": {\"type\": \"quantile\", \"higher_is_healthier\":"
        "   false}}]}], \"bands\": [{\"name\": \"all\", \"min\": 0}]}");
    hc_table *t = table_abc(202);
    for (size_t r = 0; r < 202; r++)
        set_row(t, r, r < 101 ? (double)(r + 1) : 1000.0 + r, NAN, NAN, NAN,
                NULL);
    hc_scores *s = hc_scores_alloc(m, 202);
    assert_int_equal(hc_model_score(m, t, s, &err), HC_EDATA);
    assert_non_null(strstr(err.message,
                           "components[0].metrics[0].transform.cuts"));
    /* Training rows 0..100 hold 1..101: cuts are 2..100 (type 7), so a row
     * with value v scores 100 - (v - 1) (reversed). */
    size_t train[101];
    for (size_t i = 0; i < 101; i++)
        train[i] = i;
    assert_int_equal(hc_model_learn_quantiles(m, t, train, 101, &err), HC_OK);
    assert_close(m->components[0].metrics[0].transform.cuts[0], 2, 0);
    assert_close(m->components[0].metrics[0].transform.cuts[98], 100, 0);
    assert_int_equal(hc_model_score(m, t, s, &err), HC_OK);
    assert_close(s->health[49], 100 - 49, 1e-13); /* v = 50 */
    assert_close(s->health[150], 0, 0);           /* beyond training */
    /* Learning on a missing column names it. */
    hc_model_free(m);
    m = load("{\"schema\": \"healthcal-model/1\", \"components\": ["
             " {\"name\": \"A\", \"weight\": 1, \"metrics\": [{\"column\": "
             "\"zz\", \"transform\": {\"type\": \"quantile\", "
             "\"higher_is_healthier\": true}}]}], \"bands\": [{\"name\": "
             "\"all\", \"min\": 0}]}");
    assert_int_equal(hc_model_learn_quantiles(m, t, NULL, 10, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message, "components[0].metrics[0].column: "
                                        "column 'zz'"));
    hc_scores_free(s);
    hc_table_free(t);
    hc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_renormalize_hand_computed),
        cmocka_unit_test(test_zero_weight_component),
        cmocka_unit_test(test_p_churn_logistic),
        cmocka_unit_test(test_health_sufficient_statistic),
        cmocka_unit_test(test_deterministic_across_calls),
        cmocka_unit_test(test_score_from_subs),
        cmocka_unit_test(test_score_errors),
        cmocka_unit_test(test_quantile_learn_then_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
