/* model_json.c - reading and writing the healthcal-model/1 JSON config with jansson. */
#include "hc_model.h"
#include "hc_outfile.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parsing context: the file named in messages and the error record. */
typedef struct {
    const char *file;
    hc_error *err;
} pctx;

static hc_status perr(pctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static hc_status perr(pctx *c, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hc_error_set(c->err, HC_EDATA, c->file, 0, 0, "%s", msg);
}

static hc_status nomem(pctx *c)
{
    return hc_error_nomem(c->err);
}

/* "path.key", or "key" at the top level. Key paths longer than the buffer
 * (absurdly long keys) are truncated, which only shortens a message. */
static void join(char *buf, size_t size, const char *path, const char *key)
{
    int r = path[0] ? snprintf(buf, size, "%s.%s", path, key)
                    : snprintf(buf, size, "%s", key);
    if (r < 0)
        buf[0] = '\0';
}

static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

/* Rejects keys of `obj` that are not in the NULL-terminated `allowed`. */
static hc_status check_keys(pctx *c, const json_t *obj, const char *path,
                            const char *const *allowed)
{
    const char *key;
    json_t *val;
    char p[512];
    json_object_foreach((json_t *)obj, key, val) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) {
                ok = 1;
                break;
            }
        if (!ok) {
            join(p, sizeof p, path, key);
            return perr(c, "%s: unknown key", p);
        }
    }
    return HC_OK;
}

static hc_status want_object(pctx *c, const json_t *v, const char *path)
{
    if (!json_is_object(v))
        return perr(c, "%s: must be an object, not %s", path,
                    json_type_word(v));
    return HC_OK;
}

/* Reads obj[key] as a number into *out. Absent: error when `required`,
 * else *out is left alone. */
static hc_status get_number(pctx *c, const json_t *obj, const char *path,
                            const char *key, int required, double *out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    join(p, sizeof p, path, key);
    if (!v) {
        if (required)
            return perr(c, "%s: missing", p);
        return HC_OK;
    }
    if (!json_is_number(v))
        return perr(c, "%s: must be a number, not %s", p, json_type_word(v));
    *out = json_number_value(v);
    return HC_OK;
}

static hc_status get_int(pctx *c, const json_t *obj, const char *path,
                         const char *key, int *out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    join(p, sizeof p, path, key);
    if (!v)
        return HC_OK;
    if (!json_is_integer(v))
        return perr(c, "%s: must be an integer, not %s", p,
                    json_is_real(v) ? "a fractional number"
                                    : json_type_word(v));
    json_int_t i = json_integer_value(v);
    if (i < INT_MIN || i > INT_MAX)
        return perr(c, "%s: out of range", p);
    *out = (int)i;
    return HC_OK;
}

static hc_status get_bool(pctx *c, const json_t *obj, const char *path,
                          const char *key, int *out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    join(p, sizeof p, path, key);
    if (!v)
        return perr(c, "%s: missing", p);
    if (!json_is_boolean(v))
        return perr(c, "%s: must be true or false, not %s", p,
                    json_type_word(v));
    *out = json_is_true(v);
    return HC_OK;
}

/* Reads obj[key] as a non-empty string into a new copy *out. Absent: error
 * when required, else *out stays as it was. */
static hc_status get_string(pctx *c, const json_t *obj, const char *path,
                            const char *key, int required, char **out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    join(p, sizeof p, path, key);
    if (!v) {
        if (required)
            return perr(c, "%s: missing", p);
        return HC_OK;
    }
    if (!json_is_string(v))
        return perr(c, "%s: must be a string, not %s", p, json_type_word(v));
    if (json_string_length(v) == 0)
        return perr(c, "%s: must not be empty", p);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return perr(c, "%s: must not contain NUL characters", p);
    char *s = strdup(json_string_value(v));
    if (!s)
        return nomem(c);
    free(*out);
    *out = s;
    return HC_OK;
}

static hc_status parse_transform(pctx *c, const json_t *v, const char *path,
                                 hc_transform *tf)
{
    static const char *const k_identity[] = {"type", NULL};
    static const char *const k_linear[] = {"type", "low", "high",
                                           "higher_is_healthier", NULL};
    static const char *const k_piecewise[] = {"type", "points", NULL};
    static const char *const k_quantile[] = {"type", "higher_is_healthier",
                                             "cuts", NULL};
    char p[512];
    hc_status st;
    if ((st = want_object(c, v, path)) != HC_OK)
        return st;
    json_t *type = json_object_get(v, "type");
    join(p, sizeof p, path, "type");
    if (!type)
        return perr(c, "%s: missing", p);
    if (!json_is_string(type))
        return perr(c, "%s: must be a string, not %s", p,
                    json_type_word(type));
    const char *t = json_string_value(type);
    if (strcmp(t, "identity") == 0) {
        tf->type = HC_TF_IDENTITY;
        return check_keys(c, v, path, k_identity);
    }
    if (strcmp(t, "linear") == 0 || strcmp(t, "log") == 0) {
        tf->type = t[1] == 'i' ? HC_TF_LINEAR : HC_TF_LOG;
        if ((st = check_keys(c, v, path, k_linear)) != HC_OK ||
            (st = get_number(c, v, path, "low", 1, &tf->low)) != HC_OK ||
            (st = get_number(c, v, path, "high", 1, &tf->high)) != HC_OK ||
            (st = get_bool(c, v, path, "higher_is_healthier",
                           &tf->higher_is_healthier)) != HC_OK)
            return st;
        return HC_OK;
    }
    if (strcmp(t, "piecewise") == 0) {
        tf->type = HC_TF_PIECEWISE;
        if ((st = check_keys(c, v, path, k_piecewise)) != HC_OK)
            return st;
        json_t *pts = json_object_get(v, "points");
        join(p, sizeof p, path, "points");
        if (!pts)
            return perr(c, "%s: missing", p);
        if (!json_is_array(pts))
            return perr(c, "%s: must be an array of [x, score] pairs, not "
                        "%s", p, json_type_word(pts));
        size_t n = json_array_size(pts);
        if (n < 2)
            return perr(c, "%s: needs at least 2 points (got %zu)", p, n);
        tf->px = malloc(n * sizeof *tf->px);
        tf->ps = malloc(n * sizeof *tf->ps);
        if (!tf->px || !tf->ps)
            return nomem(c);
        tf->n_points = n;
        for (size_t i = 0; i < n; i++) {
            json_t *pt = json_array_get(pts, i);
            if (!json_is_array(pt) || json_array_size(pt) != 2 ||
                !json_is_number(json_array_get(pt, 0)) ||
                !json_is_number(json_array_get(pt, 1)))
                return perr(c, "%s[%zu]: must be an [x, score] pair of "
                            "numbers", p, i);
            tf->px[i] = json_number_value(json_array_get(pt, 0));
            tf->ps[i] = json_number_value(json_array_get(pt, 1));
        }
        return HC_OK;
    }
    if (strcmp(t, "quantile") == 0) {
        tf->type = HC_TF_QUANTILE;
        if ((st = check_keys(c, v, path, k_quantile)) != HC_OK ||
            (st = get_bool(c, v, path, "higher_is_healthier",
                           &tf->higher_is_healthier)) != HC_OK)
            return st;
        json_t *cuts = json_object_get(v, "cuts");
        join(p, sizeof p, path, "cuts");
        if (!cuts || json_is_null(cuts))
            return HC_OK; /* to be learned by fit */
        if (!json_is_array(cuts))
            return perr(c, "%s: must be an array of %d numbers, not %s", p,
                        HC_QUANTILE_CUTS, json_type_word(cuts));
        if (json_array_size(cuts) != HC_QUANTILE_CUTS)
            return perr(c, "%s: needs exactly %d values, the 1st..99th "
                        "percentiles (got %zu)", p, HC_QUANTILE_CUTS,
                        json_array_size(cuts));
        tf->cuts = malloc(HC_QUANTILE_CUTS * sizeof *tf->cuts);
        if (!tf->cuts)
            return nomem(c);
        for (size_t i = 0; i < HC_QUANTILE_CUTS; i++) {
            json_t *x = json_array_get(cuts, i);
            if (!json_is_number(x))
                return perr(c, "%s[%zu]: must be a number, not %s", p, i,
                            json_type_word(x));
            tf->cuts[i] = json_number_value(x);
        }
        return HC_OK;
    }
    return perr(c, "%s: unknown transform type '%s' (expected identity, "
                "linear, log, piecewise or quantile)", p, t);
}

static hc_status parse_metric(pctx *c, const json_t *v, const char *path,
                              hc_metric *mt)
{
    static const char *const keys[] = {"column", "weight", "transform",
                                       NULL};
    char p[512];
    hc_status st;
    if ((st = want_object(c, v, path)) != HC_OK ||
        (st = check_keys(c, v, path, keys)) != HC_OK ||
        (st = get_string(c, v, path, "column", 1, &mt->column)) != HC_OK ||
        (st = get_number(c, v, path, "weight", 0, &mt->weight)) != HC_OK)
        return st;
    json_t *tf = json_object_get(v, "transform");
    join(p, sizeof p, path, "transform");
    if (!tf)
        return perr(c, "%s: missing", p);
    return parse_transform(c, tf, p, &mt->transform);
}

static hc_status parse_component(pctx *c, const json_t *v, const char *path,
                                 hc_component *comp)
{
    static const char *const keys[] = {"name", "weight", "metrics", NULL};
    char p[512];
    hc_status st;
    if ((st = want_object(c, v, path)) != HC_OK ||
        (st = check_keys(c, v, path, keys)) != HC_OK ||
        (st = get_string(c, v, path, "name", 1, &comp->name)) != HC_OK ||
        (st = get_number(c, v, path, "weight", 1, &comp->weight)) != HC_OK)
        return st;
    json_t *ms = json_object_get(v, "metrics");
    join(p, sizeof p, path, "metrics");
    if (!ms)
        return perr(c, "%s: missing", p);
    if (!json_is_array(ms))
        return perr(c, "%s: must be an array, not %s", p,
                    json_type_word(ms));
    size_t n = json_array_size(ms);
    if (n == 0)
        return perr(c, "%s: needs at least one metric", p);
    comp->metrics = calloc(n, sizeof *comp->metrics);
    if (!comp->metrics)
        return nomem(c);
    for (size_t j = 0; j < n; j++) {
        hc_metric *mt = &comp->metrics[j];
        mt->weight = 1.0;
        mt->col = -1;
        hc_transform_init(&mt->transform);
        comp->n_metrics = j + 1;
        char mp[512];
        if (snprintf(mp, sizeof mp, "%s[%zu]", p, j) < 0)
            mp[0] = '\0';
        if ((st = parse_metric(c, json_array_get(ms, j), mp, mt)) != HC_OK)
            return st;
    }
    return HC_OK;
}

static hc_status parse_churn(pctx *c, const json_t *v, const char *path,
                             hc_churn_model *cm)
{
    static const char *const keys[] = {"intercept", "slope", NULL};
    hc_status st;
    cm->present = 0;
    if (!v || json_is_null(v))
        return HC_OK;
    if ((st = want_object(c, v, path)) != HC_OK ||
        (st = check_keys(c, v, path, keys)) != HC_OK ||
        (st = get_number(c, v, path, "intercept", 1, &cm->intercept)) !=
            HC_OK ||
        (st = get_number(c, v, path, "slope", 1, &cm->slope)) != HC_OK)
        return st;
    cm->present = 1;
    return HC_OK;
}

/* Reads a map component name -> number covering every component exactly
 * once into a new array *out (component order). */
static hc_status parse_component_map(pctx *c, const hc_model *m,
                                     const json_t *v, const char *path,
                                     double **out)
{
    char p[512];
    hc_status st;
    if ((st = want_object(c, v, path)) != HC_OK)
        return st;
    double *a = calloc(m->n_components ? m->n_components : 1, sizeof *a);
    if (!a)
        return nomem(c);
    *out = a;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        join(p, sizeof p, path, key);
        if (hc_model_find_component(m, key) < 0)
            return perr(c, "%s: unknown component '%s'", p, key);
    }
    for (size_t k = 0; k < m->n_components; k++) {
        const char *name = m->components[k].name;
        json_t *x = json_object_get(v, name);
        join(p, sizeof p, path, name);
        if (!x)
            return perr(c, "%s: missing (every component needs a value)", p);
        if (!json_is_number(x))
            return perr(c, "%s: must be a number, not %s", p,
                        json_type_word(x));
        a[k] = json_number_value(x);
    }
    return HC_OK;
}

static hc_status parse_expansion(pctx *c, const hc_model *m, const json_t *v,
                                 const char *path, hc_expansion_model *e)
{
    static const char *const keys[] = {"intercept", "coefficients", NULL};
    char p[512];
    hc_status st;
    e->present = 0;
    if (!v || json_is_null(v))
        return HC_OK;
    if ((st = want_object(c, v, path)) != HC_OK ||
        (st = check_keys(c, v, path, keys)) != HC_OK ||
        (st = get_number(c, v, path, "intercept", 1, &e->intercept)) != HC_OK)
        return st;
    json_t *co = json_object_get(v, "coefficients");
    join(p, sizeof p, path, "coefficients");
    if (!co)
        return perr(c, "%s: missing", p);
    if ((st = parse_component_map(c, m, co, p, &e->coef)) != HC_OK)
        return st;
    e->present = 1;
    return HC_OK;
}

static hc_status parse_segments(pctx *c, hc_model *m, const json_t *v)
{
    static const char *const keys[] = {"weights", "churn_model",
                                       "expansion_model", NULL};
    hc_status st;
    if (!v || json_is_null(v))
        return HC_OK;
    if ((st = want_object(c, v, "segments")) != HC_OK)
        return st;
    size_t n = json_object_size(v);
    if (n == 0)
        return HC_OK;
    m->segments = calloc(n, sizeof *m->segments);
    if (!m->segments)
        return nomem(c);
    const char *key;
    json_t *val;
    char p[512], q[600];
    json_object_foreach((json_t *)v, key, val) {
        hc_segment *sg = &m->segments[m->n_segments++];
        snprintf(p, sizeof p, "segments.%s", key);
        if (!key[0])
            return perr(c, "segments: a segment value must be a non-empty "
                        "string");
        if (!(sg->value = strdup(key)))
            return nomem(c);
        if ((st = want_object(c, val, p)) != HC_OK ||
            (st = check_keys(c, val, p, keys)) != HC_OK)
            return st;
        json_t *w = json_object_get(val, "weights");
        if (w && !json_is_null(w)) {
            snprintf(q, sizeof q, "%s.weights", p);
            if ((st = parse_component_map(c, m, w, q, &sg->weights)) != HC_OK)
                return st;
        }
        snprintf(q, sizeof q, "%s.churn_model", p);
        if ((st = parse_churn(c, json_object_get(val, "churn_model"), q,
                              &sg->churn)) != HC_OK)
            return st;
        snprintf(q, sizeof q, "%s.expansion_model", p);
        if ((st = parse_expansion(c, m, json_object_get(val,
                                                        "expansion_model"),
                                  q, &sg->expansion)) != HC_OK)
            return st;
    }
    return HC_OK;
}

static hc_status parse_bands(pctx *c, hc_model *m, const json_t *v)
{
    static const char *const keys[] = {"name", "min", NULL};
    hc_status st;
    if (!v)
        return perr(c, "bands: missing");
    if (!json_is_array(v))
        return perr(c, "bands: must be an array, not %s", json_type_word(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return perr(c, "bands: needs at least one band");
    m->bands = calloc(n, sizeof *m->bands);
    if (!m->bands)
        return nomem(c);
    m->n_bands = n;
    char p[64];
    for (size_t b = 0; b < n; b++) {
        json_t *bv = json_array_get(v, b);
        snprintf(p, sizeof p, "bands[%zu]", b);
        if ((st = want_object(c, bv, p)) != HC_OK ||
            (st = check_keys(c, bv, p, keys)) != HC_OK ||
            (st = get_string(c, bv, p, "name", 1, &m->bands[b].name)) !=
                HC_OK ||
            (st = get_number(c, bv, p, "min", 1, &m->bands[b].min)) != HC_OK)
            return st;
    }
    return HC_OK;
}

static hc_status parse_free_form(pctx *c, const json_t *root, const char *key,
                                 json_t **out)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v))
        return HC_OK;
    if (!json_is_object(v))
        return perr(c, "%s: must be an object, not %s", key,
                    json_type_word(v));
    *out = json_incref(v);
    return HC_OK;
}

static hc_status parse_model(pctx *c, const json_t *root, hc_model *m)
{
    static const char *const keys[] = {
        "schema", "name", "columns", "horizon_days", "lead_days", "missing",
        "components", "bands", "churn_model", "expansion_model", "segments",
        "fit", "provenance", NULL};
    static const char *const col_keys[] = {"account_id", "snapshot_date",
                                           "segment", "arr", NULL};
    hc_status st;
    if (!json_is_object(root))
        return perr(c, "(top level): a model config must be a JSON object, "
                    "not %s", json_type_word(root));
    if ((st = check_keys(c, root, "", keys)) != HC_OK)
        return st;

    json_t *schema = json_object_get(root, "schema");
    if (!schema)
        return perr(c, "schema: missing (expected \"%s\")", HC_MODEL_SCHEMA);
    if (!json_is_string(schema) ||
        strcmp(json_string_value(schema), HC_MODEL_SCHEMA) != 0)
        return perr(c, "schema: unsupported schema %s%s%s (expected \"%s\")",
                    json_is_string(schema) ? "\"" : "",
                    json_is_string(schema) ? json_string_value(schema)
                                           : json_type_word(schema),
                    json_is_string(schema) ? "\"" : "", HC_MODEL_SCHEMA);

    json_t *name = json_object_get(root, "name");
    if (name && !json_is_null(name))
        if ((st = get_string(c, root, "", "name", 0, &m->name)) != HC_OK)
            return st;

    json_t *cols = json_object_get(root, "columns");
    if (cols && !json_is_null(cols)) {
        if ((st = want_object(c, cols, "columns")) != HC_OK ||
            (st = check_keys(c, cols, "columns", col_keys)) != HC_OK ||
            (st = get_string(c, cols, "columns", "account_id", 0,
                             &m->columns.account_id)) != HC_OK ||
            (st = get_string(c, cols, "columns", "snapshot_date", 0,
                             &m->columns.snapshot_date)) != HC_OK ||
            (st = get_string(c, cols, "columns", "segment", 0,
                             &m->columns.segment)) != HC_OK ||
            (st = get_string(c, cols, "columns", "arr", 0,
                             &m->columns.arr)) != HC_OK)
            return st;
    }
    if ((st = get_int(c, root, "", "horizon_days", &m->horizon_days)) !=
            HC_OK ||
        (st = get_int(c, root, "", "lead_days", &m->lead_days)) != HC_OK)
        return st;
    json_t *missing = json_object_get(root, "missing");
    if (missing) {
        if (!json_is_string(missing) ||
            strcmp(json_string_value(missing), "renormalize") != 0)
            return perr(c, "missing: unsupported policy (the only policy is "
                        "\"renormalize\")");
    }

    json_t *comps = json_object_get(root, "components");
    if (!comps)
        return perr(c, "components: missing");
    if (!json_is_array(comps))
        return perr(c, "components: must be an array, not %s",
                    json_type_word(comps));
    size_t n = json_array_size(comps);
    if (n == 0)
        return perr(c, "components: needs at least one component");
    m->components = calloc(n, sizeof *m->components);
    if (!m->components)
        return nomem(c);
    for (size_t k = 0; k < n; k++) {
        char p[64];
        snprintf(p, sizeof p, "components[%zu]", k);
        m->n_components = k + 1;
        if ((st = parse_component(c, json_array_get(comps, k), p,
                                  &m->components[k])) != HC_OK)
            return st;
        /* Duplicate names are caught here, before maps keyed by name
         * (expansion coefficients, segment weights) are read. */
        for (size_t a = 0; a < k; a++)
            if (strcmp(m->components[a].name, m->components[k].name) == 0)
                return perr(c, "%s.name: duplicate component name '%s' "
                            "(also components[%zu])", p,
                            m->components[k].name, a);
    }
    if ((st = parse_bands(c, m, json_object_get(root, "bands"))) != HC_OK ||
        (st = parse_churn(c, json_object_get(root, "churn_model"),
                          "churn_model", &m->churn)) != HC_OK ||
        (st = parse_expansion(c, m, json_object_get(root, "expansion_model"),
                              "expansion_model", &m->expansion)) != HC_OK ||
        (st = parse_segments(c, m, json_object_get(root, "segments"))) !=
            HC_OK ||
        (st = parse_free_form(c, root, "fit", &m->fit)) != HC_OK ||
        (st = parse_free_form(c, root, "provenance", &m->provenance)) !=
            HC_OK)
        return st;
    return hc_model_validate(m, c->err);
}

/* Converts a parsed document into a model (does not take `root`). */
static hc_status model_from_json(const json_t *root, const char *source,
                                 hc_model **out, hc_error *err)
{
    *out = NULL;
    hc_model *m = hc_model_alloc(source);
    if (!m)
        return hc_error_nomem(err);
    pctx c = {m->source, err};
    hc_status st = parse_model(&c, root, m);
    if (st != HC_OK) {
        hc_model_free(m);
        return st;
    }
    *out = m;
    return HC_OK;
}

static hc_status json_fail(const json_error_t *je, const char *source,
                           hc_error *err)
{
    if (json_error_code(je) == json_error_cannot_open_file)
        return hc_error_set(err, HC_EIO, source, 0, 0,
                            "cannot read model config: %s", je->text);
    if (json_error_code(je) == json_error_out_of_memory)
        return hc_error_nomem(err);
    return hc_error_set(err, HC_EDATA, source, je->line > 0 ? je->line : 0,
                        je->column > 0 ? je->column : 0,
                        "invalid JSON: %s", je->text);
}

hc_status hc_model_load(const char *path, hc_model **out, hc_error *err)
{
    json_error_t je;
    json_t *root;
    *out = NULL;
    if (strcmp(path, "-") == 0)
        root = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
    else
        root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    const char *source = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (!root)
        return json_fail(&je, source, err);
    hc_status st = model_from_json(root, source, out, err);
    json_decref(root);
    return st;
}

hc_status hc_model_load_string(const char *text, const char *name,
                               hc_model **out, hc_error *err)
{
    json_error_t je;
    *out = NULL;
    if (!name)
        name = "<memory>";
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return json_fail(&je, name, err);
    hc_status st = model_from_json(root, name, out, err);
    json_decref(root);
    return st;
}

/* ------------------------------------------------------------------ */
/* writing                                                             */
/* ------------------------------------------------------------------ */

/* Adds `value` under `key`, tracking failure in *ok (json_object_set_new
 * takes the reference even on failure). */
static void put(json_t *obj, const char *key, json_t *value, int *ok)
{
    if (!value || json_object_set_new(obj, key, value) != 0)
        *ok = 0;
}

static void append(json_t *arr, json_t *value, int *ok)
{
    if (!value || json_array_append_new(arr, value) != 0)
        *ok = 0;
}

static json_t *transform_to_json(const hc_transform *tf, int *ok)
{
    json_t *o = json_object();
    if (!o) {
        *ok = 0;
        return NULL;
    }
    put(o, "type", json_string(hc_transform_type_name(tf->type)), ok);
    switch (tf->type) {
    case HC_TF_IDENTITY:
        break;
    case HC_TF_LINEAR:
    case HC_TF_LOG:
        put(o, "low", json_real(tf->low), ok);
        put(o, "high", json_real(tf->high), ok);
        put(o, "higher_is_healthier", json_boolean(tf->higher_is_healthier),
            ok);
        break;
    case HC_TF_PIECEWISE: {
        json_t *pts = json_array();
        for (size_t i = 0; pts && i < tf->n_points; i++)
            append(pts, json_pack("[f,f]", tf->px[i], tf->ps[i]), ok);
        put(o, "points", pts, ok);
        break;
    }
    case HC_TF_QUANTILE:
        put(o, "higher_is_healthier", json_boolean(tf->higher_is_healthier),
            ok);
        if (tf->cuts) {
            json_t *cuts = json_array();
            for (size_t i = 0; cuts && i < HC_QUANTILE_CUTS; i++)
                append(cuts, json_real(tf->cuts[i]), ok);
            put(o, "cuts", cuts, ok);
        }
        break;
    }
    return o;
}

static json_t *component_map(const hc_model *m, const double *v, int *ok)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < m->n_components; k++)
        put(o, m->components[k].name, json_real(v[k]), ok);
    if (!o)
        *ok = 0;
    return o;
}

static json_t *churn_to_json(const hc_churn_model *cm, int *ok)
{
    if (!cm->present)
        return json_null();
    json_t *o = json_object();
    if (o) {
        put(o, "intercept", json_real(cm->intercept), ok);
        put(o, "slope", json_real(cm->slope), ok);
    }
    return o;
}

static json_t *expansion_to_json(const hc_model *m,
                                 const hc_expansion_model *e, int *ok)
{
    if (!e->present)
        return json_null();
    json_t *o = json_object();
    if (o) {
        put(o, "intercept", json_real(e->intercept), ok);
        put(o, "coefficients", component_map(m, e->coef, ok), ok);
    }
    return o;
}

json_t *hc_model_to_json(const hc_model *m)
{
    int ok = 1;
    json_t *root = json_object();
    if (!root)
        return NULL;
    put(root, "schema", json_string(HC_MODEL_SCHEMA), &ok);
    if (m->name)
        put(root, "name", json_string(m->name), &ok);
    json_t *cols = json_object();
    if (cols) {
        put(cols, "account_id", json_string(m->columns.account_id), &ok);
        put(cols, "snapshot_date", json_string(m->columns.snapshot_date),
            &ok);
        put(cols, "segment", json_string(m->columns.segment), &ok);
        put(cols, "arr", json_string(m->columns.arr), &ok);
    }
    put(root, "columns", cols, &ok);
    put(root, "horizon_days", json_integer(m->horizon_days), &ok);
    put(root, "lead_days", json_integer(m->lead_days), &ok);
    put(root, "missing", json_string("renormalize"), &ok);

    json_t *comps = json_array();
    for (size_t k = 0; comps && k < m->n_components; k++) {
        const hc_component *cp = &m->components[k];
        json_t *co = json_object();
        json_t *ms = json_array();
        if (co) {
            put(co, "name", json_string(cp->name), &ok);
            put(co, "weight", json_real(cp->weight), &ok);
        }
        for (size_t j = 0; ms && j < cp->n_metrics; j++) {
            const hc_metric *mt = &cp->metrics[j];
            json_t *mo = json_object();
            if (mo) {
                put(mo, "column", json_string(mt->column), &ok);
                /* The default metric weight 1 is left implicit, as in a
                 * hand-written config. */
                if (mt->weight != 1.0)
                    put(mo, "weight", json_real(mt->weight), &ok);
                put(mo, "transform", transform_to_json(&mt->transform, &ok),
                    &ok);
            }
            append(ms, mo, &ok);
        }
        if (co)
            put(co, "metrics", ms, &ok);
        else
            json_decref(ms);
        append(comps, co, &ok);
    }
    put(root, "components", comps, &ok);

    json_t *bands = json_array();
    for (size_t b = 0; bands && b < m->n_bands; b++)
        append(bands, json_pack("{s:s,s:f}", "name", m->bands[b].name, "min",
                                m->bands[b].min), &ok);
    put(root, "bands", bands, &ok);
    put(root, "churn_model", churn_to_json(&m->churn, &ok), &ok);
    put(root, "expansion_model", expansion_to_json(m, &m->expansion, &ok),
        &ok);
    if (m->n_segments) {
        json_t *segs = json_object();
        for (size_t s = 0; segs && s < m->n_segments; s++) {
            const hc_segment *sg = &m->segments[s];
            json_t *so = json_object();
            if (so) {
                if (sg->weights)
                    put(so, "weights", component_map(m, sg->weights, &ok),
                        &ok);
                if (sg->churn.present)
                    put(so, "churn_model", churn_to_json(&sg->churn, &ok),
                        &ok);
                if (sg->expansion.present)
                    put(so, "expansion_model",
                        expansion_to_json(m, &sg->expansion, &ok), &ok);
            }
            put(segs, sg->value, so, &ok);
        }
        put(root, "segments", segs, &ok);
    }
    if (m->fit)
        put(root, "fit", json_incref(m->fit), &ok);
    if (m->provenance)
        put(root, "provenance", json_incref(m->provenance), &ok);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Writes the shortest "%.*g" form of v that reads back as v, keeping a
 * '.' or exponent so that it stays a JSON real. */
static size_t shortest_real(double v, char *buf, size_t size)
{
    int len = 0;
    for (int prec = 1; prec <= 17; prec++) {
        len = snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* %g switches to an exponent when it is >= the precision: 20 would be
     * "2e+01". Below 1e15 the shortest decimal is an exactly representable
     * integer times a power of ten >= 1, so fixed notation with exponent + 1
     * digits prints the same value. */
    const char *e = strchr(buf, 'e');
    if (e) {
        int ex = atoi(e + 1);
        if (ex >= 0 && ex < 15)
            len = snprintf(buf, size, "%.*g", ex + 1, v);
    }
    if (!strpbrk(buf, ".eEn") && (size_t)len + 2 < size) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    return (size_t)len;
}

/* jansson prints reals with 17 significant digits (0.3 becomes
 * 0.29999999999999999); rewrite every real token of its output in the
 * shortest form that reads back to the same double. Strings are copied
 * verbatim (escape sequences included). Returns a new string or NULL. */
static char *shorten_reals(const char *in)
{
    size_t n = strlen(in);
    char *out = malloc(2 * n + 64);
    if (!out)
        return NULL;
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; i < n;) {
        char ch = in[i];
        if (in_str) {
            out[o++] = ch;
            i++;
            if (ch == '\\' && i < n)
                out[o++] = in[i++];
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
            out[o++] = in[i++];
            continue;
        }
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t j = i;
            int real = 0;
            while (j < n && strchr("+-0123456789.eE", in[j])) {
                if (in[j] == '.' || in[j] == 'e' || in[j] == 'E')
                    real = 1;
                j++;
            }
            if (real && j - i < 64) {
                char tok[64];
                memcpy(tok, in + i, j - i);
                tok[j - i] = '\0';
                char buf[64];
                size_t len = shortest_real(strtod(tok, NULL), buf, sizeof buf);
                memcpy(out + o, buf, len);
                o += len;
            } else {
                memcpy(out + o, in + i, j - i);
                o += j - i;
            }
            i = j;
            continue;
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
    return out;
}

/* Puts every array that holds only numbers (or such arrays, as piecewise
 * points do) on one line, "[0.0, 100.0]", instead of jansson's one value
 * per line: 99 quantile cuts stay one line. Arrays holding strings or
 * objects keep jansson's layout. Returns a new string or NULL. */
static char *compact_arrays(const char *s)
{
    char *out = malloc(2 * strlen(s) + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; s[i];) {
        char ch = s[i];
        if (in_str) {
            out[o++] = s[i++];
            if (ch == '\\' && s[i])
                out[o++] = s[i++];
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
            out[o++] = s[i++];
            continue;
        }
        if (ch == '[') {
            /* Find the matching ']' and whether only numbers lie between. */
            size_t j = i + 1;
            int depth = 1, plain = 1;
            while (s[j] && depth > 0) {
                if (s[j] == '"' || s[j] == '{')
                    plain = 0;
                if (s[j] == '[')
                    depth++;
                else if (s[j] == ']')
                    depth--;
                if (!plain)
                    break;
                j++;
            }
            if (plain && depth == 0) {
                for (; i < j; i++) {
                    char c = s[i];
                    if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
                        continue;
                    out[o++] = c;
                    if (c == ',')
                        out[o++] = ' ';
                }
                continue;
            }
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

char *hc_model_to_string(const hc_model *m)
{
    json_t *root = hc_model_to_json(m);
    if (!root)
        return NULL;
    char *raw = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                     JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!raw)
        return NULL;
    char *r = shorten_reals(raw);
    free(raw);
    if (!r)
        return NULL;
    char *s = compact_arrays(r);
    free(r);
    if (!s)
        return NULL;
    size_t len = strlen(s);
    char *t = realloc(s, len + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[len] = '\n';
    t[len + 1] = '\0';
    return t;
}

hc_status hc_model_save(const hc_model *m, const char *path, hc_error *err)
{
    char *text = hc_model_to_string(m);
    if (!text)
        return hc_error_nomem(err);
    hc_outfile *of;
    hc_status st = hc_outfile_open(path, &of, err);
    if (st != HC_OK) {
        free(text);
        return st;
    }
    fputs(text, hc_outfile_stream(of));
    free(text);
    return hc_outfile_commit(of, err);
}
