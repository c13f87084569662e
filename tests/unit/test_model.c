/* test_model.c - unit tests of the model config: JSON round trip, validation, setters, binding, bands. */
#include "test_util.h"

#include <jansson.h>
#include <unistd.h>

#include "hc_model.h"
#include "hc_table.h"

#define FULL "tests/data/model/full.json"
#define HANDSET "datasets/handset.json"

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static void assert_transforms_equal(const hc_transform *a,
                                    const hc_transform *b)
{
    assert_int_equal(a->type, b->type);
    switch (a->type) {
    case HC_TF_IDENTITY:
        break;
    case HC_TF_LINEAR:
    case HC_TF_LOG:
        assert_true(a->low == b->low && a->high == b->high);
        assert_int_equal(a->higher_is_healthier, b->higher_is_healthier);
        break;
    case HC_TF_PIECEWISE:
        assert_int_equal(a->n_points, b->n_points);
        for (size_t i = 0; i < a->n_points; i++)
            assert_true(a->px[i] == b->px[i] && a->ps[i] == b->ps[i]);
        break;
    case HC_TF_QUANTILE:
        assert_int_equal(a->higher_is_healthier, b->higher_is_healthier);
        assert_int_equal(a->cuts == NULL, b->cuts == NULL);
        for (size_t i = 0; a->cuts && i < HC_QUANTILE_CUTS; i++)
            assert_true(a->cuts[i] == b->cuts[i]);
        break;
    case HC_TF_CATEGORICAL: /* levels: test_categorical.c's round trips */
        assert_int_equal(a->cat == NULL, b->cat == NULL);
        break;
    }
}

static void assert_expansion_equal(const hc_model *m,
                                   const hc_expansion_model *a,
                                   const hc_expansion_model *b)
{
    assert_int_equal(a->present, b->present);
    if (!a->present)
        return;
    assert_true(a->intercept == b->intercept);
    for (size_t k = 0; k < m->n_components; k++)
        assert_true(a->coef[k] == b->coef[k]);
}

/* Every value of two models is identical (doubles compared with ==). */
static void assert_models_equal(const hc_model *a, const hc_model *b)
{
    assert_int_equal(a->name == NULL, b->name == NULL);
    if (a->name)
        assert_string_equal(a->name, b->name);
    assert_string_equal(a->columns.account_id, b->columns.account_id);
    assert_string_equal(a->columns.snapshot_date, b->columns.snapshot_date);
    assert_string_equal(a->columns.segment, b->columns.segment);
    assert_string_equal(a->columns.arr, b->columns.arr);
    assert_int_equal(a->horizon_days, b->horizon_days);
    assert_int_equal(a->lead_days, b->lead_days);
    assert_int_equal(a->n_components, b->n_components);
    for (size_t k = 0; k < a->n_components; k++) {
        const hc_component *ca = &a->components[k], *cb = &b->components[k];
        assert_string_equal(ca->name, cb->name);
        assert_true(ca->weight == cb->weight);
        assert_int_equal(ca->n_metrics, cb->n_metrics);
        for (size_t j = 0; j < ca->n_metrics; j++) {
            assert_string_equal(ca->metrics[j].column, cb->metrics[j].column);
            assert_true(ca->metrics[j].weight == cb->metrics[j].weight);
            assert_transforms_equal(&ca->metrics[j].transform,
                                    &cb->metrics[j].transform);
        }
    }
    assert_int_equal(a->n_bands, b->n_bands);
    for (size_t i = 0; i < a->n_bands; i++) {
        assert_string_equal(a->bands[i].name, b->bands[i].name);
        assert_true(a->bands[i].min == b->bands[i].min);
    }
    assert_int_equal(a->churn.present, b->churn.present);
    assert_true(a->churn.intercept == b->churn.intercept);
    assert_true(a->churn.slope == b->churn.slope);
    assert_expansion_equal(a, &a->expansion, &b->expansion);
    assert_int_equal(a->n_segments, b->n_segments);
    for (size_t s = 0; s < a->n_segments; s++) {
        const hc_segment *sa = &a->segments[s], *sb = &b->segments[s];
        assert_string_equal(sa->value, sb->value);
        assert_int_equal(sa->weights == NULL, sb->weights == NULL);
        for (size_t k = 0; sa->weights && k < a->n_components; k++)
            assert_true(sa->weights[k] == sb->weights[k]);
        assert_int_equal(sa->churn.present, sb->churn.present);
        assert_true(sa->churn.intercept == sb->churn.intercept);
        assert_true(sa->churn.slope == sb->churn.slope);
        assert_expansion_equal(a, &sa->expansion, &sb->expansion);
    }
    assert_int_equal(a->fit == NULL, b->fit == NULL);
    assert_int_equal(a->provenance == NULL, b->provenance == NULL);
    if (a->fit)
        assert_true(json_equal(a->fit, b->fit));
    if (a->provenance)
        assert_true(json_equal(a->provenance, b->provenance));
}

/* Sets (value != NULL) or deletes the member at a path such as
 * "components[0].metrics[1].transform.low" in a JSON document. */
static void set_path(json_t *root, const char *path, json_t *value)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = root;
    char *p = buf;
    for (;;) {
        size_t len = strcspn(p, ".[");
        char key[128];
        memcpy(key, p, len);
        key[len] = '\0';
        p += len;
        json_t *parent = cur;
        long idx = -1;
        if (len)
            cur = json_object_get(parent, key);
        while (*p == '[') {
            idx = strtol(p + 1, &p, 10);
            p++; /* ']' */
            if (*p == '\0' || *p == '.') {
                if (*p == '\0') {
                    json_t *arr = cur;
                    if (value)
                        assert_int_equal(json_array_set_new(arr, (size_t)idx,
                                                            value), 0);
                    else
                        assert_int_equal(json_array_remove(arr, (size_t)idx),
                                         0);
                    return;
                }
            }
            cur = json_array_get(cur, (size_t)idx);
        }
        if (*p == '\0') {
            if (value)
                assert_int_equal(json_object_set_new(parent, key, value), 0);
            else
                assert_int_equal(json_object_del(parent, key), 0);
            return;
        }
        assert_non_null(cur);
        p++; /* '.' */
    }
}

/* Loads FULL, applies one change, and asserts that loading the result
 * fails with HC_EDATA and a message containing `expect`. */
static void expect_invalid(const char *path, const char *value_json,
                           const char *expect)
{
    json_error_t je;
    json_t *root = json_load_file(FULL, 0, &je);
    assert_non_null(root);
    json_t *value = NULL;
    if (value_json) {
        value = json_loads(value_json, JSON_DECODE_ANY, &je);
        assert_non_null(value);
    }
    set_path(root, path, value);
    char *text = json_dumps(root, 0);
    json_decref(root);
    hc_model *m = (hc_model *)1;
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_model_load_string(text, "bad.json", &m, &err);
    if (st != HC_EDATA || !strstr(err.message, expect))
        fprintf(stderr, "change %s = %s: status %d, message '%s', expected "
                "'%s'\n", path, value_json ? value_json : "(deleted)",
                (int)st, err.message, expect);
    assert_int_equal(st, HC_EDATA);
    assert_null(m);
    assert_non_null(strstr(err.message, expect));
    assert_string_equal(err.file, "bad.json");
    free(text);
}

static hc_status load_text(const char *text, hc_model **m, hc_error *err)
{
    hc_error_clear(err);
    return hc_model_load_string(text, "t.json", m, err);
}

/* ------------------------------------------------------------------ */
/* loading and round trip                                              */
/* ------------------------------------------------------------------ */

static void test_load_handset(void **state)
{
    (void)state;
    hc_model *m;
    hc_error err;
    assert_int_equal(hc_model_load(HANDSET, &m, &err), HC_OK);
    assert_string_equal(m->name, "hand-set 2026Q3");
    assert_int_equal(m->n_components, 5);
    const char *names[] = {"usage", "support", "engagement", "financial",
                           "relationship"};
    const double w[] = {0.30, 0.20, 0.15, 0.20, 0.15};
    for (int k = 0; k < 5; k++) {
        assert_string_equal(m->components[k].name, names[k]);
        assert_true(m->components[k].weight == w[k]);
    }
    assert_string_equal(m->components[1].metrics[0].column, "open_tickets");
    assert_int_equal(m->components[1].metrics[0].transform.type, HC_TF_LOG);
    assert_false(m->components[1].metrics[0].transform.higher_is_healthier);
    assert_true(m->components[4].metrics[0].weight == 2.0);
    assert_true(m->components[4].metrics[1].weight == 1.0); /* default */
    assert_int_equal(m->n_bands, 3);
    assert_false(m->churn.present);
    assert_false(m->expansion.present);
    assert_int_equal(m->horizon_days, 30);
    assert_int_equal(m->lead_days, 0);
    /* The committed file is in canonical form: saving reproduces it. */
    char *text = hc_model_to_string(m);
    FILE *f = fopen(HANDSET, "rb");
    assert_non_null(f);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(text, buf);
    free(text);
    hc_model_free(m);
}

static void test_round_trip(void **state)
{
    (void)state;
    hc_model *a, *b, *c;
    hc_error err;
    assert_int_equal(hc_model_load(FULL, &a, &err), HC_OK);
    assert_int_equal(a->n_segments, 3);
    assert_true(a->churn.intercept == -1.2345678901234567);
    char *s1 = hc_model_to_string(a);
    assert_non_null(s1);
    /* Reals are written in their shortest exact form. */
    assert_non_null(strstr(s1, "\"weight\": 0.4,"));
    assert_non_null(strstr(s1, "-1.2345678901234567"));
    assert_null(strstr(s1, "0.40000000000000002"));
    assert_int_equal(load_text(s1, &b, &err), HC_OK);
    assert_models_equal(a, b);
    char *s2 = hc_model_to_string(b);
    assert_string_equal(s1, s2);

    /* Through a file with hc_model_save. */
    char path[] = "/tmp/hc_test_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(hc_model_save(b, path, &err), HC_OK);
    assert_int_equal(hc_model_load(path, &c, &err), HC_OK);
    assert_models_equal(a, c);
    char *s3 = hc_model_to_string(c);
    assert_string_equal(s1, s3);
    unlink(path);
    /* The free-form objects come back unchanged. */
    json_error_t je;
    json_t *orig = json_load_file(FULL, 0, &je);
    assert_true(json_equal(json_object_get(orig, "fit"), c->fit));
    assert_true(json_equal(json_object_get(orig, "provenance"),
                           c->provenance));
    json_decref(orig);
    free(s1);
    free(s2);
    free(s3);
    hc_model_free(a);
    hc_model_free(b);
    hc_model_free(c);
}

/* Random doubles of every magnitude survive save -> load exactly. */
static void test_round_trip_random_reals(void **state)
{
    (void)state;
    hc_model *m;
    hc_error err;
    assert_int_equal(hc_model_load(FULL, &m, &err), HC_OK);
    uint64_t x = 88172645463325252ULL;
    for (int it = 0; it < 200; it++) {
        /* xorshift64 (Marsaglia 2003) bits -> a finite double. */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        uint64_t bits = x & ~(0x7ffULL << 52);
        bits |= (uint64_t)(1 + (x >> 53) % 2045) << 52;
        memcpy(&v, &bits, sizeof v);
        assert_true(isfinite(v));
        m->churn.intercept = v;
        m->expansion.coef[1] = -v / 3;
        char *s = hc_model_to_string(m);
        hc_model *r;
        assert_int_equal(load_text(s, &r, &err), HC_OK);
        assert_true(r->churn.intercept == v);
        assert_true(r->expansion.coef[1] == -v / 3);
        hc_model_free(r);
        free(s);
    }
    hc_model_free(m);
}

static void test_defaults_and_nulls(void **state)
{
    (void)state;
    const char *text =
        "{\"schema\": \"healthcal-model/1\", \"components\": [{\"name\": "
        "\"a\", \"weight\": 1, \"metrics\": [{\"column\": \"x\", "
        "\"transform\": {\"type\": \"quantile\", \"higher_is_healthier\": "
        "false}}]}], \"bands\": [{\"name\": \"all\", \"min\": 0}], "
        "\"churn_model\": null, \"expansion_model\": null, \"segments\": {},"
        " \"fit\": null}";
    hc_model *m;
    hc_error err;
    assert_int_equal(load_text(text, &m, &err), HC_OK);
    assert_null(m->name);
    assert_string_equal(m->columns.account_id, "account_id");
    assert_string_equal(m->columns.snapshot_date, "snapshot_date");
    assert_string_equal(m->columns.segment, "segment");
    assert_string_equal(m->columns.arr, "arr");
    assert_int_equal(m->horizon_days, 30);
    assert_int_equal(m->lead_days, 0);
    assert_null(m->components[0].metrics[0].transform.cuts);
    assert_int_equal(m->n_segments, 0);
    assert_null(m->fit);
    char *s = hc_model_to_string(m);
    assert_null(strstr(s, "cuts"));
    assert_non_null(strstr(s, "\"churn_model\": null"));
    hc_model *r;
    assert_int_equal(load_text(s, &r, &err), HC_OK);
    assert_models_equal(m, r);
    free(s);
    hc_model_free(r);
    hc_model_free(m);
}

/* ------------------------------------------------------------------ */
/* validation: one test per rule, each asserting the key path          */
/* ------------------------------------------------------------------ */

static void test_err_unknown_key_top(void **state)
{
    (void)state;
    expect_invalid("colour", "\"red\"", "colour: unknown key");
}

static void test_err_unknown_key_nested(void **state)
{
    (void)state;
    expect_invalid("components[0].metrics[0].transform.lowx", "1",
                   "components[0].metrics[0].transform.lowx: unknown key");
    expect_invalid("columns.acount", "\"a\"", "columns.acount: unknown key");
    expect_invalid("segments.smb.weight", "1",
                   "segments.smb.weight: unknown key");
}

static void test_err_wrong_type(void **state)
{
    (void)state;
    expect_invalid("components[1].weight", "\"0.35\"",
                   "components[1].weight: must be a number, not a string");
    expect_invalid("components[0].metrics[1].column", "7",
                   "components[0].metrics[1].column: must be a string");
    /* A piecewise transform has no direction. */
    expect_invalid("components[2].metrics[0].transform.higher_is_healthier",
                   "true", "components[2].metrics[0].transform."
                           "higher_is_healthier: unknown key");
    expect_invalid("components[0].metrics[0].transform.higher_is_healthier",
                   "1", "components[0].metrics[0].transform."
                        "higher_is_healthier: must be true or false");
    expect_invalid("bands", "{}", "bands: must be an array");
    expect_invalid("horizon_days", "30.5",
                   "horizon_days: must be an integer");
}

static void test_err_weights_sum(void **state)
{
    (void)state;
    expect_invalid("components[0].weight", "0.41",
                   "components: weights sum to");
    /* Within 1e-6 is accepted; 2e-6 off is not. */
    hc_model *m;
    hc_error err;
    json_error_t je;
    json_t *root = json_load_file(FULL, 0, &je);
    set_path(root, "components[0].weight", json_real(0.4 + 9e-7));
    char *text = json_dumps(root, 0);
    assert_int_equal(load_text(text, &m, &err), HC_OK);
    hc_model_free(m);
    free(text);
    json_decref(root);
    expect_invalid("components[0].weight", "0.400002",
                   "components: weights sum to");
}

static void test_err_negative_weight(void **state)
{
    (void)state;
    json_error_t je;
    json_t *root = json_load_file(FULL, 0, &je);
    /* -0.1 and 0.45: the sum stays 1, the sign is the fault. */
    set_path(root, "components[0].weight", json_real(-0.1));
    set_path(root, "components[1].weight", json_real(0.85));
    char *text = json_dumps(root, 0);
    hc_model *m;
    hc_error err;
    assert_int_equal(load_text(text, &m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "components[0].weight: must be a "
                                        "finite number >= 0"));
    free(text);
    json_decref(root);
    expect_invalid("segments.enterprise.weights.usage", "-0.2",
                   "segments.enterprise.weights: weight of component "
                   "'usage' must be a finite number >= 0");
    expect_invalid("components[0].metrics[1].weight", "0",
                   "components[0].metrics[1].weight: must be a finite "
                   "number > 0");
}

static void test_err_duplicate_component(void **state)
{
    (void)state;
    expect_invalid("components[2].name", "\"usage\"",
                   "components[2].name: duplicate component name 'usage'");
}

static void test_err_unknown_component_in_maps(void **state)
{
    (void)state;
    expect_invalid("expansion_model.coefficients.adoption", "0.1",
                   "expansion_model.coefficients.adoption: unknown "
                   "component 'adoption'");
    expect_invalid("segments.enterprise.weights.bogus", "0",
                   "segments.enterprise.weights.bogus: unknown component");
    expect_invalid("segments.enterprise.weights.support", NULL,
                   "segments.enterprise.weights.support: missing");
    expect_invalid("expansion_model.coefficients.financial", NULL,
                   "expansion_model.coefficients.financial: missing");
    expect_invalid("segments.mid.weights.usage", "0.2",
                   "segments.mid.weights: weights sum to");
}

static void test_err_duplicate_json_key(void **state)
{
    (void)state;
    const char *text =
        "{\"schema\": \"healthcal-model/1\",\n"
        " \"expansion_model\": {\"intercept\": 0, \"coefficients\":\n"
        "   {\"a\": 1, \"a\": 2}}}";
    hc_model *m;
    hc_error err;
    assert_int_equal(load_text(text, &m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "duplicate"));
    assert_int_equal(err.line, 3);
    assert_true(err.column > 0);
}

static void test_err_bands_order(void **state)
{
    (void)state;
    expect_invalid("bands[2].min", "20",
                   "bands[2].min: must be greater than bands[1].min");
    expect_invalid("bands[3].min", "50",
                   "bands[3].min: must be greater than bands[2].min");
}

static void test_err_bands_start(void **state)
{
    (void)state;
    expect_invalid("bands[0].min", "5",
                   "bands[0].min: the first band must start at 0");
    expect_invalid("bands[4].min", "100.5", "bands[4].min: must be <= 100");
    expect_invalid("bands[4].name", "\"watch\"",
                   "bands[4].name: duplicate band name 'watch'");
    expect_invalid("bands", "[]", "bands: needs at least one band");
    expect_invalid("bands", NULL, "bands: missing");
}

static void test_err_transform_linear(void **state)
{
    (void)state;
    expect_invalid("components[0].metrics[0].transform.low", "20",
                   "components[0].metrics[0].transform.low: must be less "
                   "than high");
    expect_invalid("components[0].metrics[0].transform.high", NULL,
                   "components[0].metrics[0].transform.high: missing");
}

static void test_err_transform_log(void **state)
{
    (void)state;
    expect_invalid("components[1].metrics[0].transform.low", "-1",
                   "components[1].metrics[0].transform.low: must be >= 0");
}

static void test_err_transform_piecewise(void **state)
{
    (void)state;
    expect_invalid("components[2].metrics[0].transform.points[1]", "[0, 50]",
                   "components[2].metrics[0].transform.points[1][0]: x must "
                   "be strictly increasing");
    expect_invalid("components[2].metrics[0].transform.points[0]",
                   "[0, 101]",
                   "components[2].metrics[0].transform.points[0][1]: score "
                   "must be in [0, 100]");
    expect_invalid("components[2].metrics[0].transform.points",
                   "[[0, 100]]",
                   "components[2].metrics[0].transform.points: needs at "
                   "least 2 points");
    expect_invalid("components[2].metrics[0].transform.points[2]", "[90]",
                   "components[2].metrics[0].transform.points[2]: must be an "
                   "[x, score] pair");
}

static void test_err_transform_quantile(void **state)
{
    (void)state;
    expect_invalid("components[0].metrics[1].transform.cuts", "[1, 2, 3]",
                   "components[0].metrics[1].transform.cuts: needs exactly "
                   "99 values");
    expect_invalid("components[0].metrics[1].transform.cuts[5]", "-1",
                   "components[0].metrics[1].transform.cuts[5]: cuts must be "
                   "non-decreasing");
    expect_invalid("components[0].metrics[1].transform.cuts[7]", "\"x\"",
                   "components[0].metrics[1].transform.cuts[7]: must be a "
                   "number");
}

static void test_err_transform_type(void **state)
{
    (void)state;
    expect_invalid("components[1].metrics[1].transform.type", "\"sqrt\"",
                   "components[1].metrics[1].transform.type: unknown "
                   "transform type 'sqrt'");
    expect_invalid("components[1].metrics[1].transform.low", "0",
                   "components[1].metrics[1].transform.low: unknown key");
    expect_invalid("components[1].metrics[0].transform", NULL,
                   "components[1].metrics[0].transform: missing");
}

static void test_err_invalid_json(void **state)
{
    (void)state;
    const char *text = "{\n  \"schema\": \"healthcal-model/1\",\n"
                       "  \"components\": [\n";
    hc_model *m;
    hc_error err;
    assert_int_equal(load_text(text, &m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "invalid JSON"));
    assert_string_equal(err.file, "t.json");
    assert_true(err.line >= 3);
    assert_true(err.column >= 0);
    /* A bad token in the middle: jansson names line 2. */
    assert_int_equal(load_text("{\n \"schema\": nope }", &m, &err), HC_EDATA);
    assert_int_equal(err.line, 2);
    assert_true(err.column > 0);
    /* Not an object at all. */
    assert_int_equal(load_text("[1, 2]", &m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "must be a JSON object"));
}

static void test_err_schema_and_scalars(void **state)
{
    (void)state;
    expect_invalid("schema", "\"healthcal-model/2\"",
                   "schema: unsupported schema \"healthcal-model/2\"");
    expect_invalid("schema", NULL, "schema: missing");
    expect_invalid("horizon_days", "0", "horizon_days: must be > 0");
    expect_invalid("lead_days", "-1", "lead_days: must be >= 0");
    expect_invalid("missing", "\"impute\"", "missing: unsupported policy");
    expect_invalid("name", "\"\"", "name: must not be empty");
    expect_invalid("columns.segment", "\"\"",
                   "columns.segment: must not be empty");
}

static void test_err_structure(void **state)
{
    (void)state;
    expect_invalid("components", "[]",
                   "components: needs at least one component");
    expect_invalid("components[1].metrics", "[]",
                   "components[1].metrics: needs at least one metric");
    expect_invalid("components[1].name", NULL, "components[1].name: missing");
    expect_invalid("churn_model.slope", NULL, "churn_model.slope: missing");
    expect_invalid("segments.smb.churn_model.intercept", "\"x\"",
                   "segments.smb.churn_model.intercept: must be a number");
    expect_invalid("fit", "[1]", "fit: must be an object");
    expect_invalid("provenance", "\"me\"", "provenance: must be an object");
    expect_invalid("segments", "[]", "segments: must be an object");
}

static void test_err_unreadable_file(void **state)
{
    (void)state;
    hc_model *m;
    hc_error err;
    assert_int_equal(hc_model_load("tests/data/model/no-such.json", &m, &err),
                     HC_EIO);
    assert_null(m);
    assert_string_equal(err.file, "tests/data/model/no-such.json");
}

/* ------------------------------------------------------------------ */
/* bands                                                               */
/* ------------------------------------------------------------------ */

static void test_bands_boundaries(void **state)
{
    (void)state;
    hc_model *m;
    hc_error err;
    assert_int_equal(hc_model_load(HANDSET, &m, &err), HC_OK);
    /* red [0, 40), yellow [40, 70), green [70, 100]: a band starts at its
     * min exactly. */
    assert_int_equal(hc_model_band_of(m, 0), 0);
    assert_int_equal(hc_model_band_of(m, nextafter(40, 0)), 0);
    assert_int_equal(hc_model_band_of(m, 40), 1);
    assert_int_equal(hc_model_band_of(m, nextafter(70, 0)), 1);
    assert_int_equal(hc_model_band_of(m, 70), 2);
    assert_int_equal(hc_model_band_of(m, 100), 2);
    assert_int_equal(hc_model_band_of(m, NAN), -1);
    /* Five named tiers. */
    const char *names[] = {"at-risk", "watch", "steady", "healthy",
                           "champion"};
    const double mins[] = {0, 25, 50, 75, 90};
    assert_int_equal(hc_model_set_bands(m, 5, names, mins, &err), HC_OK);
    const double h[] = {0, 24.999, 25, 49.99, 50, 74.9, 75, 89.9, 90, 100};
    const int want[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
    for (int i = 0; i < 10; i++)
        assert_int_equal(hc_model_band_of(m, h[i]), want[i]);
    assert_int_equal(hc_model_find_band(m, "steady"), 2);
    assert_int_equal(hc_model_find_band(m, "red"), -1);
    /* One band holds everything. */
    const char *one[] = {"all"};
    const double zero[] = {0};
    assert_int_equal(hc_model_set_bands(m, 1, one, zero, &err), HC_OK);
    assert_int_equal(hc_model_band_of(m, 55), 0);
    /* An invalid set leaves the bands unchanged. */
    const double bad[] = {0, 30, 30};
    assert_int_equal(hc_model_set_bands(m, 3, names, bad, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "bands[2].min"));
    assert_int_equal(m->n_bands, 1);
    hc_model_free(m);
}

/* ------------------------------------------------------------------ */
/* building programmatically, copy                                     */
/* ------------------------------------------------------------------ */

static void test_build_programmatically(void **state)
{
    (void)state;
    hc_error err;
    hc_model *m = hc_model_alloc(NULL);
    assert_non_null(m);
    assert_string_equal(m->source, "<memory>");
    /* Incomplete models do not validate. */
    assert_int_equal(hc_model_validate(m, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "components"));

    size_t a, b;
    assert_int_equal(hc_model_add_component(m, "usage", 0.5, &a, &err),
                     HC_OK);
    assert_int_equal(hc_model_add_component(m, "usage", 0.5, NULL, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message, "duplicate component name"));
    assert_int_equal(hc_model_add_component(m, "support", 0.5, &b, &err),
                     HC_OK);
    hc_transform lin;
    hc_transform_init(&lin);
    lin.type = HC_TF_LINEAR;
    lin.low = 0;
    lin.high = 10;
    assert_int_equal(hc_model_add_metric(m, a, "logins", 1, &lin, &err),
                     HC_OK);
    hc_transform q;
    hc_transform_init(&q);
    q.type = HC_TF_QUANTILE;
    q.higher_is_healthier = 0;
    assert_int_equal(hc_model_add_metric(m, b, "tickets", 2, &q, &err),
                     HC_OK);
    lin.high = -1;
    assert_int_equal(hc_model_add_metric(m, b, "csat", 1, &lin, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message,
                           "components[1].metrics[1].transform.low"));
    assert_int_equal(m->components[1].n_metrics, 1);

    const char *names[] = {"red", "green"};
    const double mins[] = {0, 60};
    assert_int_equal(hc_model_set_bands(m, 2, names, mins, &err), HC_OK);
    assert_int_equal(hc_model_validate(m, &err), HC_OK);

    /* Weights: negative, or not summing to 1, are refused. */
    const double w_bad[] = {1.2, -0.2};
    assert_int_equal(hc_model_set_weights(m, w_bad, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "components:"));
    const double w_sum[] = {0.5, 0.6};
    assert_int_equal(hc_model_set_weights(m, w_sum, &err), HC_EDATA);
    const double w[] = {0.25, 0.75};
    assert_int_equal(hc_model_set_weights(m, w, &err), HC_OK);
    assert_true(m->components[1].weight == 0.75);

    assert_int_equal(hc_model_set_churn(m, -1.5, -0.04, &err), HC_OK);
    assert_int_equal(hc_model_set_churn(m, NAN, -0.04, &err), HC_EDATA);
    assert_true(m->churn.intercept == -1.5);
    const double coef[] = {0.01, -0.02};
    assert_int_equal(hc_model_set_expansion(m, -3, coef, &err), HC_OK);

    size_t s;
    assert_int_equal(hc_model_add_segment(m, "enterprise", &s, &err), HC_OK);
    const double sw[] = {0.9, 0.1};
    assert_int_equal(hc_model_set_segment_weights(m, s, sw, &err), HC_OK);
    const double sw_bad[] = {0.9, 0.2};
    assert_int_equal(hc_model_set_segment_weights(m, s, sw_bad, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message, "segments.enterprise.weights"));
    hc_churn_model cm = {1, -2, -0.01};
    assert_int_equal(hc_model_set_segment_churn(m, s, &cm, &err), HC_OK);
    assert_int_equal(hc_model_set_segment_expansion(m, s, -2, coef, &err),
                     HC_OK);
    size_t seg2;
    assert_int_equal(hc_model_add_segment(m, "enterprise", &seg2, &err), HC_OK);
    assert_int_equal(seg2, s);

    /* Adding a component later extends the maps keyed by component with
     * a 0 entry (the sum of segment weights is still 1). */
    size_t c;
    assert_int_equal(hc_model_add_component(m, "financial", 0, &c, &err),
                     HC_OK);
    assert_int_equal(hc_model_add_metric(m, c, "dpd", 1, &lin, &err),
                     HC_EDATA);
    lin.high = 90;
    lin.higher_is_healthier = 0;
    assert_int_equal(hc_model_add_metric(m, c, "dpd", 1, &lin, &err), HC_OK);
    assert_true(m->segments[s].weights[2] == 0);
    assert_true(m->expansion.coef[2] == 0);
    assert_true(m->segments[s].expansion.coef[2] == 0);

    /* Quantile cuts must be 99 non-decreasing values. */
    double cuts[HC_QUANTILE_CUTS];
    for (int j = 0; j < HC_QUANTILE_CUTS; j++)
        cuts[j] = j / 10.0;
    assert_int_equal(hc_model_set_quantile_cuts(m, b, 0, cuts, &err), HC_OK);
    assert_int_equal(hc_model_set_quantile_cuts(m, a, 0, cuts, &err),
                     HC_EDATA);
    cuts[50] = -1;
    assert_int_equal(hc_model_set_quantile_cuts(m, b, 0, cuts, &err),
                     HC_EDATA);
    assert_non_null(strstr(err.message, "cuts[50]"));
    assert_true(m->components[1].metrics[0].transform.cuts[50] == 5.0);

    json_t *fit = json_pack("{s:i,s:f}", "n", 1000, "auc", 0.75);
    hc_model_set_fit(m, fit);
    assert_int_equal(hc_model_set_name(m, "tuned", &err), HC_OK);
    assert_int_equal(hc_model_set_columns(m, "acct", NULL, NULL, "revenue",
                                          &err), HC_OK);
    assert_int_equal(hc_model_set_columns(m, "", NULL, NULL, NULL, &err),
                     HC_EDATA);
    assert_string_equal(m->columns.account_id, "acct");
    assert_int_equal(hc_model_validate(m, &err), HC_OK);

    /* The built model round-trips through JSON, and copies are deep. */
    char *s1 = hc_model_to_string(m);
    hc_model *r;
    assert_int_equal(load_text(s1, &r, &err), HC_OK);
    assert_models_equal(m, r);
    hc_model *cp = hc_model_copy(m);
    assert_non_null(cp);
    assert_models_equal(m, cp);
    cp->components[1].metrics[0].transform.cuts[3] = 42;
    cp->segments[0].weights[0] = 0.5;
    json_object_set_new(cp->fit, "n", json_integer(7));
    char *s2 = hc_model_to_string(m);
    assert_string_equal(s1, s2);
    assert_false(json_equal(m->fit, cp->fit));

    hc_model_clear_churn(m);
    hc_model_clear_expansion(m);
    assert_int_equal(hc_model_set_segment_weights(m, s, NULL, &err), HC_OK);
    assert_int_equal(hc_model_validate(m, &err), HC_OK);
    free(s1);
    free(s2);
    hc_model_free(cp);
    hc_model_free(r);
    hc_model_free(m);
}

/* ------------------------------------------------------------------ */
/* binding                                                             */
/* ------------------------------------------------------------------ */

static hc_table *snapshot_table(const char *skip, hc_coltype csat_type)
{
    hc_table *t = hc_table_alloc("snapshots.csv");
    const char *num[] = {"arr", "logins_per_week", "feature_adoption",
                         "open_tickets", "email_open_rate",
                         "milestones_done", "days_past_due", "nps",
                         "exec_sponsor"};
    assert_true(hc_table_add_column(t, "account_id", HC_COL_TEXT) >= 0);
    assert_true(hc_table_add_column(t, "snapshot_date", HC_COL_DATE) >= 0);
    assert_true(hc_table_add_column(t, "segment", HC_COL_TEXT) >= 0);
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        if (!skip || strcmp(skip, num[i]) != 0)
            assert_true(hc_table_add_column(t, num[i], HC_COL_NUM) >= 0);
    if (!skip || strcmp(skip, "csat") != 0)
        assert_true(hc_table_add_column(t, "csat", csat_type) >= 0);
    assert_int_equal(hc_table_resize(t, 3), HC_OK);
    return t;
}

static void test_bind(void **state)
{
    (void)state;
    hc_model *m;
    hc_error err;
    assert_int_equal(hc_model_load(HANDSET, &m, &err), HC_OK);
    hc_table *t = snapshot_table(NULL, HC_COL_NUM);
    assert_int_equal(hc_model_bind(m, t, &err), HC_OK);
    assert_int_equal(m->col_account_id, 0);
    assert_int_equal(m->col_snapshot_date, 1);
    assert_int_equal(m->col_segment, 2);
    assert_int_equal(m->col_arr, 3);
    assert_int_equal(m->components[1].metrics[1].col,
                     hc_table_find(t, "csat"));
    hc_table_free(t);

    t = snapshot_table("csat", HC_COL_NUM);
    assert_int_equal(hc_model_bind(m, t, &err), HC_EDATA);
    assert_string_equal(err.message, "components[1].metrics[1].column: "
                                     "column 'csat' is not in snapshots.csv");
    assert_string_equal(err.file, HANDSET);
    hc_table_free(t);

    t = snapshot_table(NULL, HC_COL_TEXT);
    assert_int_equal(hc_model_bind(m, t, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "components[1].metrics[1].column: "
                                        "column 'csat' in snapshots.csv is "
                                        "text, not a number"));
    hc_table_free(t);

    /* arr is optional; without segments, so is segment. */
    t = snapshot_table("arr", HC_COL_NUM);
    assert_int_equal(hc_model_bind(m, t, &err), HC_OK);
    assert_int_equal(m->col_arr, -1);
    hc_table_free(t);

    /* A renamed role column is looked up by its configured name. */
    assert_int_equal(hc_model_set_columns(m, "customer", NULL, NULL, NULL,
                                          &err), HC_OK);
    t = snapshot_table(NULL, HC_COL_NUM);
    assert_int_equal(hc_model_bind(m, t, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "columns.account_id: column "
                                        "'customer' is not in"));
    hc_table_free(t);
    hc_model_free(m);
}

static void test_required_columns(void **state)
{
    (void)state;
    hc_model *m;
    hc_error err;
    assert_int_equal(hc_model_load(HANDSET, &m, &err), HC_OK);
    hc_colspec *specs;
    size_t n;
    assert_int_equal(hc_model_required_columns(m, &specs, &n, &err), HC_OK);
    const char *want[] = {"account_id", "snapshot_date", "segment", "arr",
                          "logins_per_week", "feature_adoption",
                          "open_tickets", "csat", "email_open_rate",
                          "milestones_done", "days_past_due", "nps",
                          "exec_sponsor"};
    assert_int_equal(n, 13);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(specs[i].name, want[i]);
    assert_int_equal(specs[1].type, HC_COL_DATE);
    assert_int_equal(specs[2].required, 0); /* no segments in handset */
    assert_int_equal(specs[3].required, 0);
    assert_int_equal(specs[7].type, HC_COL_NUM);
    assert_int_equal(specs[7].required, 1);
    free(specs);
    hc_model_free(m);

    /* Segments make the segment column required. */
    assert_int_equal(hc_model_load(FULL, &m, &err), HC_OK);
    assert_int_equal(hc_model_required_columns(m, &specs, &n, &err), HC_OK);
    assert_int_equal(n, 4 + 5);
    assert_string_equal(specs[2].name, "tier");
    assert_int_equal(specs[2].required, 1);
    free(specs);
    /* A column used by two metrics is listed once; a metric on the arr
     * role column makes arr required. */
    free(m->components[2].metrics[0].column);
    m->components[2].metrics[0].column = strdup("logins");
    free(m->components[1].metrics[1].column);
    m->components[1].metrics[1].column = strdup("revenue");
    assert_int_equal(hc_model_required_columns(m, &specs, &n, &err), HC_OK);
    assert_int_equal(n, 4 + 3);
    assert_string_equal(specs[3].name, "revenue");
    assert_int_equal(specs[3].required, 1);
    free(specs);
    hc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_handset),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_random_reals),
        cmocka_unit_test(test_defaults_and_nulls),
        cmocka_unit_test(test_err_unknown_key_top),
        cmocka_unit_test(test_err_unknown_key_nested),
        cmocka_unit_test(test_err_wrong_type),
        cmocka_unit_test(test_err_weights_sum),
        cmocka_unit_test(test_err_negative_weight),
        cmocka_unit_test(test_err_duplicate_component),
        cmocka_unit_test(test_err_unknown_component_in_maps),
        cmocka_unit_test(test_err_duplicate_json_key),
        cmocka_unit_test(test_err_bands_order),
        cmocka_unit_test(test_err_bands_start),
        cmocka_unit_test(test_err_transform_linear),
        cmocka_unit_test(test_err_transform_log),
        cmocka_unit_test(test_err_transform_piecewise),
        cmocka_unit_test(test_err_transform_quantile),
        cmocka_unit_test(test_err_transform_type),
        cmocka_unit_test(test_err_invalid_json),
        cmocka_unit_test(test_err_schema_and_scalars),
        cmocka_unit_test(test_err_structure),
        cmocka_unit_test(test_err_unreadable_file),
        cmocka_unit_test(test_bands_boundaries),
        cmocka_unit_test(test_build_programmatically),
        cmocka_unit_test(test_bind),
        cmocka_unit_test(test_required_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
