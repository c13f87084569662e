/* test_categorical.c - unit tests of the categorical transform: matching, scoring, unseen levels, learning with smoothing and order, schema rules, round trip. */
#include "test_util.h"

#include "hc_model.h"

#include <jansson.h>

/* A config with one categorical component (grade) and one numeric one. */
static const char *const MODEL =
    "{\"schema\": \"healthcal-model/1\", \"components\": ["
    " {\"name\": \"grade\", \"weight\": 0.5, \"metrics\": ["
    "  {\"column\": \"grade\", \"transform\": {\"type\": \"categorical\","
    "   \"levels\": {\"A\": 100, \"B\": 70, \"At Risk\": 10},"
    "   \"order\": [\"At Risk\", \"B\", \"A\"], \"unseen\": \"%s\"%s}}]},"
    " {\"name\": \"usage\", \"weight\": 0.5, \"metrics\": ["
    "  {\"column\": \"u\", \"transform\": {\"type\": \"identity\"}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": \"green\", \"min\": 50}],"
    " \"churn_model\": null, \"expansion_model\": null}";

static hc_model *load_model(const char *unseen, const char *other)
{
    char text[2048];
    snprintf(text, sizeof text, MODEL, unseen, other);
    hc_model *m = NULL;
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_model_load_string(text, "cat.json", &m, &err);
    if (st != HC_OK)
        fail_msg("load: %s", err.message);
    return m;
}

/* Expects the config text to be refused with a message containing `want`. */
static void refused(const char *transform, const char *want)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"schema\": \"healthcal-model/1\", \"components\": ["
             " {\"name\": \"g\", \"weight\": 1, \"metrics\": ["
             "  {\"column\": \"grade\", \"transform\": %s}]}],"
             " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
             " \"churn_model\": null, \"expansion_model\": null}",
             transform);
    hc_model *m = NULL;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_load_string(text, "bad.json", &m, &err), HC_EDATA);
    assert_null(m);
    if (!strstr(err.message, want))
        fail_msg("message '%s' lacks '%s'", err.message, want);
}

/* A table: text column grade, numeric column u. */
static hc_table *table_of(const char *const *grades, const double *u, size_t n)
{
    hc_table *t = hc_table_alloc("snapshots.csv");
    assert_int_equal(hc_table_add_column(t, "grade", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(t, "u", HC_COL_NUM), 1);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    for (size_t i = 0; i < n; i++) {
        if (grades[i])
            assert_int_equal(hc_table_set_text(t, 0, i, grades[i]), HC_OK);
        assert_int_equal(hc_table_num_set(t, 1, i, u ? u[i] : 50), HC_OK);
    }
    return t;
}

static void test_norm(void **state)
{
    (void)state;
    char b[64];
    const char *s = " \tAt RISK \r";
    assert_int_equal(hc_categorical_norm(s, strlen(s), b, sizeof b), 7);
    assert_string_equal(b, "at risk");
    assert_int_equal(hc_categorical_norm("   ", 3, b, sizeof b), 0);
    assert_string_equal(b, "");
}

/* Hand-computed: each cell's level score ignoring case and spaces; an
 * empty cell is missing (H renormalised to usage alone); an unseen level
 * is missing or `other`. Health = mean of the two sub-scores present. */
static void test_score_levels(void **state)
{
    (void)state;
    const char *g[] = {"A", " a ", "b", "AT RISK", NULL, "E", "at  risk"};
    const double u[] = {20, 20, 20, 20, 20, 20, 20};
    hc_table *t = table_of(g, u, 7);
    hc_model *m = load_model("missing", "");
    double sub[14], h[7];
    hc_score_out out = {.sub = sub, .sub_stride = 7, .health = h};
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 7, 1, &out, &err), HC_OK);
    const double want[] = {100, 100, 70, 10, NAN, NAN, NAN};
    for (size_t i = 0; i < 7; i++) {
        if (isnan(want[i])) {
            assert_true(isnan(sub[i]));
            assert_close(h[i], 20, 1e-12); /* usage alone */
        } else {
            assert_close(sub[i], want[i], 0);
            assert_close(h[i], (want[i] + 20) / 2, 1e-12);
        }
    }
    /* Unseen levels counted: "E" and "at  risk" (inner spaces count). */
    hc_unseen_count *uc;
    size_t nu;
    assert_int_equal(hc_model_count_unseen(m, t, NULL, 7, &uc, &nu, &err), HC_OK);
    assert_int_equal(nu, 1);
    assert_int_equal(uc[0].rows, 2);
    assert_int_equal(uc[0].levels, 2);
    assert_string_equal(uc[0].column, "grade");
    free(uc);
    hc_model_free(m);

    /* unseen: other scores 35. */
    m = load_model("other", ", \"other\": 35");
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 7, 1, &out, &err), HC_OK);
    assert_close(sub[5], 35, 0);
    assert_close(sub[6], 35, 0);
    assert_true(isnan(sub[4])); /* an empty cell stays missing */
    /* rows given as a list give the same */
    size_t rows[] = {6, 0};
    double sub2[4];
    hc_score_out o2 = {.sub = sub2, .sub_stride = 2};
    assert_int_equal(hc_model_score_rows(m, t, rows, 0, 2, 1, &o2, &err), HC_OK);
    assert_close(sub2[0], 35, 0);
    assert_close(sub2[1], 100, 0);
    hc_model_free(m);
    hc_table_free(t);
}

/* The column types: a categorical metric needs text; a numeric column
 * there is refused naming the key. */
static void test_bind_types(void **state)
{
    (void)state;
    hc_model *m = load_model("missing", "");
    hc_colspec *specs;
    size_t n;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_required_columns(m, &specs, &n, &err), HC_OK);
    assert_int_equal(n, 6);
    assert_string_equal(specs[4].name, "grade");
    assert_int_equal(specs[4].type, HC_COL_TEXT);
    assert_int_equal(specs[5].type, HC_COL_NUM);
    free(specs);
    hc_table *t = hc_table_alloc("snapshots.csv");
    hc_table_add_column(t, "grade", HC_COL_NUM);
    hc_table_add_column(t, "u", HC_COL_NUM);
    hc_table_resize(t, 1);
    double h;
    hc_score_out out = {.health = &h};
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 1, 1, &out, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "components[0].metrics[0].column"));
    assert_non_null(strstr(err.message, "not text"));
    hc_table_free(t);
    hc_model_free(m);
}

/* More distinct levels than max_levels: an error naming the column. */
static void test_too_many_levels(void **state)
{
    (void)state;
    const char *g[] = {"A", "b", "C", "a"};
    hc_table *t = table_of(g, NULL, 4);
    hc_model *m = load_model("missing", ", \"max_levels\": 3");
    double h[4];
    hc_score_out out = {.health = h};
    hc_error err;
    hc_error_clear(&err);
    /* A, b, C: three distinct levels, within the limit. */
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 4, 1, &out, &err), HC_OK);
    assert_int_equal(hc_table_set_text(t, 0, 3, "D"), HC_OK);
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 4, 1, &out, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "column 'grade'"));
    assert_non_null(strstr(err.message, "more than 3 distinct levels"));
    hc_model_free(m);
    hc_table_free(t);
}

/* Learning, by hand: levels x (4 rows, 0 churned), y (4, 2), z (2, 2):
 * N = 10, K = 4, p0 = 0.4, a = 2: r_x = 0.8/6, r_y = 2.8/6, r_z = 2.8/4.
 * Scores 100 (L_max - L) / (L_max - L_min) with L = logit r. */
static hc_transform learned(const char *order_json, uint8_t *churn_out)
{
    const char *g[] = {"x", "x", "X ", "x", "y", "y", "Y", "y", "z", "z", "w"};
    const uint8_t y[] = {0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0};
    hc_table *t = table_of(g, NULL, 11);
    hc_transform tf;
    hc_transform_init(&tf);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_transform_categorical_init(&tf, &err), HC_OK);
    tf.cat->learn = 1;
    tf.cat->prior_weight = 2;
    if (order_json) {
        json_t *o = json_loads(order_json, 0, NULL);
        tf.cat->n_order = json_array_size(o);
        tf.cat->order = calloc(tf.cat->n_order, sizeof *tf.cat->order);
        for (size_t i = 0; i < tf.cat->n_order; i++)
            tf.cat->order[i] = strdup(json_string_value(json_array_get(o, i)));
        json_decref(o);
    }
    /* Row 10 ("w") is not a training row: it must not become a level. */
    size_t rows[10];
    for (size_t i = 0; i < 10; i++)
        rows[i] = i;
    memcpy(churn_out, y, sizeof y);
    hc_status st = hc_categorical_learn(&tf, t, 0, y, rows, 10, &err);
    if (st != HC_OK)
        fail_msg("learn: %s", err.message);
    hc_table_free(t);
    return tf;
}

static double lg(double p)
{
    return log(p / (1 - p));
}

static double score_of(const hc_transform *tf, const char *level)
{
    int l = hc_categorical_find(tf->cat, level);
    assert_true(l >= 0);
    return tf->cat->score[l];
}

static void test_learn_smoothed(void **state)
{
    (void)state;
    uint8_t y[11];
    hc_transform tf = learned(NULL, y);
    assert_int_equal(tf.cat->n_levels, 3); /* not "w" */
    assert_string_equal(tf.cat->names[0], "x");
    double lx = lg(0.8 / 6), ly = lg(2.8 / 6), lz = lg(2.8 / 4);
    assert_close(score_of(&tf, "x"), 100, 1e-12);
    assert_close(score_of(&tf, "y"), 100 * (lz - ly) / (lz - lx), 1e-12);
    assert_close(score_of(&tf, "z"), 0, 1e-12);
    assert_close(tf.cat->other, 100 * (lz - lg(0.4)) / (lz - lx), 1e-12);
    assert_int_equal(hc_categorical_find(tf.cat, "w"), -1);
    hc_transform_release(&tf);
}

/* Declared orders (worst first): [z, y, x] agrees with the rates (same
 * scores); [y, z, x] pools y and z by PAV to (6 r_y + 4 r_z) / 10 = 0.56,
 * so y = z = 0 and x = 100; [x, y, z] reverses them all: one pool, every
 * level 50. */
static void test_learn_monotone(void **state)
{
    (void)state;
    uint8_t y[11];
    hc_transform tf = learned("[\"z\", \"y\", \"x\"]", y);
    double lx = lg(0.8 / 6), ly = lg(2.8 / 6), lz = lg(2.8 / 4);
    assert_close(score_of(&tf, "y"), 100 * (lz - ly) / (lz - lx), 1e-12);
    hc_transform_release(&tf);
    tf = learned("[\"y\", \"z\", \"x\"]", y);
    assert_close(score_of(&tf, "y"), 0, 1e-12);
    assert_close(score_of(&tf, "z"), 0, 1e-12);
    assert_close(score_of(&tf, "x"), 100, 1e-12);
    /* other: p0 = 0.4 between 0.56 and r_x */
    assert_close(tf.cat->other, 100 * (lg(0.56) - lg(0.4)) / (lg(0.56) - lx), 1e-12);
    hc_transform_release(&tf);
    tf = learned("[\"x\", \"y\", \"z\"]", y);
    assert_close(score_of(&tf, "x"), 50, 0);
    assert_close(score_of(&tf, "z"), 50, 0);
    hc_transform_release(&tf);
}

/* A level outside the declared order, or no level at all: errors. */
static void test_learn_errors(void **state)
{
    (void)state;
    const char *g[] = {"x", "q", NULL};
    const uint8_t y[] = {0, 1, 0};
    hc_table *t = table_of(g, NULL, 3);
    hc_transform tf;
    hc_transform_init(&tf);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_transform_categorical_init(&tf, &err), HC_OK);
    tf.cat->learn = 1;
    tf.cat->n_order = 1;
    tf.cat->order = calloc(1, sizeof *tf.cat->order);
    tf.cat->order[0] = strdup("X");
    assert_int_equal(hc_categorical_learn(&tf, t, 0, y, NULL, 3, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "level 'q'"));
    assert_non_null(strstr(err.message, "line 3"));
    size_t only_missing[] = {2};
    assert_int_equal(hc_categorical_learn(&tf, t, 0, y, only_missing, 1, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "no level"));
    hc_transform_release(&tf);
    hc_table_free(t);
}

static void test_schema_rules(void **state)
{
    (void)state;
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 100, \" a\": 50}}",
            "same level");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 101}}", "[0, 100]");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 10, \"B\": 90},"
            " \"order\": [\"B\", \"A\"]}",
            "which the order puts before it");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 10}, \"unseen\": \"other\"}",
            "other: missing");
    refused("{\"type\": \"categorical\", \"levels\": {}, \"learn\": false}",
            "needs at least one level");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 10}, \"unseen\": \"zero\"}",
            "\"missing\" or \"other\"");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 10}, \"order\": [\"B\"]}",
            "'B' is not one of the levels");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 10}, \"prior_weight\": 0}",
            "prior_weight");
    refused("{\"type\": \"categorical\", \"levels\": {\"A\": 1, \"B\": 2}, "
            "\"max_levels\": 1}", "more than max_levels");
}

/* Round trip: a config written and read back is the same model, written
 * identically (hand-set with order and other; learned, not yet learned). */
static void test_round_trip(void **state)
{
    (void)state;
    const char *texts[3] = {NULL, NULL, NULL};
    char a[2048];
    snprintf(a, sizeof a, MODEL, "other", ", \"other\": 12.5, \"max_levels\": 7");
    texts[0] = a;
    texts[1] = "{\"schema\": \"healthcal-model/1\", \"components\": ["
               " {\"name\": \"g\", \"weight\": 1, \"metrics\": ["
               "  {\"column\": \"grade\", \"transform\": {\"type\": \"categorical\","
               "   \"learn\": true, \"prior_weight\": 3.25}}]}],"
               " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
               " \"churn_model\": null, \"expansion_model\": null}";
    texts[2] = "{\"schema\": \"healthcal-model/1\", \"components\": ["
               " {\"name\": \"g\", \"weight\": 1, \"metrics\": ["
               "  {\"column\": \"grade\", \"transform\": {\"type\": \"categorical\","
               "   \"levels\": {\"red\": 0.1, \"green\": 99.9}, \"learn\": true}}]}],"
               " \"bands\": [{\"name\": \"red\", \"min\": 0}],"
               " \"churn_model\": null, \"expansion_model\": null}";
    for (size_t i = 0; i < 3; i++) {
        hc_model *m = NULL, *m2 = NULL;
        hc_error err;
        hc_error_clear(&err);
        assert_int_equal(hc_model_load_string(texts[i], "a.json", &m, &err), HC_OK);
        char *s1 = hc_model_to_string(m);
        assert_int_equal(hc_model_load_string(s1, "b.json", &m2, &err), HC_OK);
        char *s2 = hc_model_to_string(m2);
        assert_string_equal(s1, s2);
        const hc_categorical *c1 = m->components[0].metrics[0].transform.cat;
        const hc_categorical *c2 = m2->components[0].metrics[0].transform.cat;
        assert_int_equal(c1->n_levels, c2->n_levels);
        for (size_t l = 0; l < c1->n_levels; l++) {
            assert_string_equal(c1->names[l], c2->names[l]);
            assert_true(c1->score[l] == c2->score[l]);
        }
        assert_int_equal(c1->n_order, c2->n_order);
        assert_int_equal(c1->unseen_other, c2->unseen_other);
        assert_true(!c1->unseen_other || c1->other == c2->other);
        assert_int_equal(c1->learn, c2->learn);
        assert_true(c1->prior_weight == c2->prior_weight);
        assert_int_equal(c1->max_levels, c2->max_levels);
        /* a copy writes the same */
        hc_model *m3 = hc_model_copy(m);
        char *s3 = hc_model_to_string(m3);
        assert_string_equal(s1, s3);
        free(s1);
        free(s2);
        free(s3);
        hc_model_free(m);
        hc_model_free(m2);
        hc_model_free(m3);
    }
    /* A learn config without levels is "uncut": it cannot score yet. */
    hc_model *m = NULL;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_model_load_string(texts[1], "a.json", &m, &err), HC_OK);
    assert_true(hc_model_has_quantiles(m, 1));
    const char *g[] = {"red"};
    hc_table *t = table_of(g, NULL, 1);
    double h;
    hc_score_out out = {.health = &h};
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 1, 1, &out, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "no levels"));
    /* learned through the model: every row churned -> all levels 50 */
    const uint8_t y[] = {1};
    assert_int_equal(hc_model_learn_levels(m, t, y, NULL, 1, &err), HC_OK);
    assert_false(hc_model_has_quantiles(m, 1));
    assert_int_equal(hc_model_score_rows(m, t, NULL, 0, 1, 1, &out, &err), HC_OK);
    assert_close(h, 50, 0);
    hc_table_free(t);
    hc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm),
        cmocka_unit_test(test_score_levels),
        cmocka_unit_test(test_bind_types),
        cmocka_unit_test(test_too_many_levels),
        cmocka_unit_test(test_learn_smoothed),
        cmocka_unit_test(test_learn_monotone),
        cmocka_unit_test(test_learn_errors),
        cmocka_unit_test(test_schema_rules),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
