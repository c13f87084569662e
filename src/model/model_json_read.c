/* model_json_read.c - the healthcal-model/1 schema read from JSON: transforms, components, bands, churn and expansion models, segments, the whole config. */
#include "hc_model.h"
#include "hc_ingest.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc_model_segkey.h"
#include "model_json_season.h"
#include "model_json.h"

/* The categorical transform (hc_model.h hc_categorical; README
 * "Categorical metrics"): levels {"name": score}, optional order (worst
 * first), unseen "missing" | "other" with other, learn, prior_weight,
 * max_levels. */
static hc_status parse_categorical(hc_mj_ctx *c, const json_t *v, const char *path,
                                   hc_transform *tf)
{
    static const char *const keys[] = {"type", "levels", "order", "unseen", "other",
                                       "learn", "prior_weight", "max_levels", NULL};
    char p[512];
    hc_status st;
    hc_error e;
    hc_error_clear(&e);
    if ((st = hc_mj_keys(c, v, path, keys)) != HC_OK)
        return st;
    if (hc_transform_categorical_init(tf, &e) != HC_OK)
        return hc_mj_nomem(c);
    hc_categorical *cat = tf->cat;
    json_t *levels = json_object_get(v, "levels");
    hc_mj_join(p, sizeof p, path, "levels");
    if (levels && !json_is_null(levels)) {
        if (!json_is_object(levels))
            return hc_mj_err(c, "%s: must be an object of \"level\": score, not %s", p,
                             hc_mj_type(levels));
        const char *name;
        json_t *sc;
        json_object_foreach(levels, name, sc) {
            if (!json_is_number(sc))
                return hc_mj_err(c, "%s.%s: must be a number, not %s", p, name,
                                 hc_mj_type(sc));
            st = hc_transform_categorical_add(tf, name, json_number_value(sc), &e);
            if (st == HC_ENOMEM)
                return hc_mj_nomem(c);
            if (st != HC_OK)
                return hc_mj_err(c, "%s: %s", p, e.message);
        }
    }
    cat->learn = cat->n_levels == 0;
    if (json_object_get(v, "learn") &&
        (st = hc_mj_bool(c, v, path, "learn", &cat->learn)) != HC_OK)
        return st;
    json_t *order = json_object_get(v, "order");
    hc_mj_join(p, sizeof p, path, "order");
    if (order && !json_is_null(order)) {
        if (!json_is_array(order) || json_array_size(order) == 0)
            return hc_mj_err(c, "%s: must be a non-empty array of levels, worst "
                             "first", p);
        size_t n = json_array_size(order);
        cat->order = calloc(n, sizeof *cat->order);
        if (!cat->order)
            return hc_mj_nomem(c);
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(order, i);
            if (!json_is_string(x) || json_string_length(x) == 0)
                return hc_mj_err(c, "%s[%zu]: must be a non-empty string, not %s", p,
                                 i, hc_mj_type(x));
            if (!(cat->order[i] = strdup(json_string_value(x))))
                return hc_mj_nomem(c);
            cat->n_order = i + 1;
        }
    }
    json_t *unseen = json_object_get(v, "unseen");
    hc_mj_join(p, sizeof p, path, "unseen");
    if (unseen) {
        const char *u = json_is_string(unseen) ? json_string_value(unseen) : "";
        if (strcmp(u, "missing") == 0)
            cat->unseen_other = 0;
        else if (strcmp(u, "other") == 0)
            cat->unseen_other = 1;
        else
            return hc_mj_err(c, "%s: must be \"missing\" or \"other\"", p);
    }
    hc_mj_join(p, sizeof p, path, "other");
    cat->other = NAN;
    if ((st = hc_mj_number(c, v, path, "other", 0, &cat->other)) != HC_OK)
        return st;
    if (cat->unseen_other && isnan(cat->other)) {
        if (!cat->learn)
            return hc_mj_err(c, "%s: missing (\"unseen\": \"other\" scores an "
                             "unseen level with it)", p);
        cat->other = 50; /* learned by fit */
    }
    if (!cat->unseen_other && isnan(cat->other))
        cat->other = 50;
    if ((st = hc_mj_number(c, v, path, "prior_weight", 0, &cat->prior_weight)) != HC_OK)
        return st;
    int maxl = (int)cat->max_levels;
    if ((st = hc_mj_int(c, v, path, "max_levels", &maxl)) != HC_OK)
        return st;
    hc_mj_join(p, sizeof p, path, "max_levels");
    if (maxl < 1)
        return hc_mj_err(c, "%s: must be at least 1 (got %d)", p, maxl);
    cat->max_levels = (size_t)maxl;
    return HC_OK;
}

static hc_status parse_transform(hc_mj_ctx *c, const json_t *v,
                                 const char *path, hc_transform *tf)
{
    static const char *const k_identity[] = {"type", NULL};
    static const char *const k_linear[] = {"type", "low", "high",
                                           "higher_is_healthier", NULL};
    static const char *const k_piecewise[] = {"type", "points", NULL};
    static const char *const k_quantile[] = {"type", "higher_is_healthier",
                                             "cuts", NULL};
    char p[512];
    hc_status st;
    if ((st = hc_mj_object(c, v, path)) != HC_OK)
        return st;
    json_t *type = json_object_get(v, "type");
    hc_mj_join(p, sizeof p, path, "type");
    if (!type)
        return hc_mj_err(c, "%s: missing", p);
    if (!json_is_string(type))
        return hc_mj_err(c, "%s: must be a string, not %s", p,
                         hc_mj_type(type));
    const char *t = json_string_value(type);
    if (strcmp(t, "identity") == 0) {
        tf->type = HC_TF_IDENTITY;
        return hc_mj_keys(c, v, path, k_identity);
    }
    if (strcmp(t, "linear") == 0 || strcmp(t, "log") == 0) {
        tf->type = t[1] == 'i' ? HC_TF_LINEAR : HC_TF_LOG;
        if ((st = hc_mj_keys(c, v, path, k_linear)) != HC_OK ||
            (st = hc_mj_number(c, v, path, "low", 1, &tf->low)) != HC_OK ||
            (st = hc_mj_number(c, v, path, "high", 1, &tf->high)) != HC_OK ||
            (st = hc_mj_bool(c, v, path, "higher_is_healthier",
                             &tf->higher_is_healthier)) != HC_OK)
            return st;
        return HC_OK;
    }
    if (strcmp(t, "piecewise") == 0) {
        tf->type = HC_TF_PIECEWISE;
        if ((st = hc_mj_keys(c, v, path, k_piecewise)) != HC_OK)
            return st;
        json_t *pts = json_object_get(v, "points");
        hc_mj_join(p, sizeof p, path, "points");
        if (!pts)
            return hc_mj_err(c, "%s: missing", p);
        if (!json_is_array(pts))
            return hc_mj_err(c, "%s: must be an array of [x, score] pairs, not "
                             "%s", p, hc_mj_type(pts));
        size_t n = json_array_size(pts);
        if (n < 2)
            return hc_mj_err(c, "%s: needs at least 2 points (got %zu)", p, n);
        tf->px = malloc(n * sizeof *tf->px);
        tf->ps = malloc(n * sizeof *tf->ps);
        if (!tf->px || !tf->ps)
            return hc_mj_nomem(c);
        tf->n_points = n;
        for (size_t i = 0; i < n; i++) {
            json_t *pt = json_array_get(pts, i);
            if (!json_is_array(pt) || json_array_size(pt) != 2 ||
                !json_is_number(json_array_get(pt, 0)) ||
                !json_is_number(json_array_get(pt, 1)))
                return hc_mj_err(c, "%s[%zu]: must be an [x, score] pair of "
                                 "numbers", p, i);
            tf->px[i] = json_number_value(json_array_get(pt, 0));
            tf->ps[i] = json_number_value(json_array_get(pt, 1));
        }
        return HC_OK;
    }
    if (strcmp(t, "quantile") == 0) {
        tf->type = HC_TF_QUANTILE;
        if ((st = hc_mj_keys(c, v, path, k_quantile)) != HC_OK ||
            (st = hc_mj_bool(c, v, path, "higher_is_healthier",
                             &tf->higher_is_healthier)) != HC_OK)
            return st;
        json_t *cuts = json_object_get(v, "cuts");
        hc_mj_join(p, sizeof p, path, "cuts");
        if (!cuts || json_is_null(cuts))
            return HC_OK; /* to be learned by fit */
        if (!json_is_array(cuts))
            return hc_mj_err(c, "%s: must be an array of %d numbers, not %s", p,
                             HC_QUANTILE_CUTS, hc_mj_type(cuts));
        if (json_array_size(cuts) != HC_QUANTILE_CUTS)
            return hc_mj_err(c, "%s: needs exactly %d values, the 1st..99th "
                             "percentiles (got %zu)", p, HC_QUANTILE_CUTS,
                             json_array_size(cuts));
        tf->cuts = malloc(HC_QUANTILE_CUTS * sizeof *tf->cuts);
        if (!tf->cuts)
            return hc_mj_nomem(c);
        for (size_t i = 0; i < HC_QUANTILE_CUTS; i++) {
            json_t *x = json_array_get(cuts, i);
            if (!json_is_number(x))
                return hc_mj_err(c, "%s[%zu]: must be a number, not %s", p, i,
                                 hc_mj_type(x));
            tf->cuts[i] = json_number_value(x);
        }
        return HC_OK;
    }
    if (strcmp(t, "categorical") == 0)
        return parse_categorical(c, v, path, tf);
    return hc_mj_err(c, "%s: unknown transform type '%s' (expected identity, "
                     "linear, log, piecewise, quantile or categorical)", p, t);
}

static hc_status parse_metric(hc_mj_ctx *c, const json_t *v, const char *path,
                              hc_metric *mt)
{
    static const char *const keys[] = {"column", "weight", "trend", "transform",
                                       "seasonal", NULL};
    char p[512];
    hc_status st;
    if ((st = hc_mj_object(c, v, path)) != HC_OK ||
        (st = hc_mj_keys(c, v, path, keys)) != HC_OK ||
        (st = hc_mj_string(c, v, path, "column", 1, &mt->column)) != HC_OK ||
        (st = hc_mj_number(c, v, path, "weight", 0, &mt->weight)) != HC_OK)
        return st;
    json_t *tr = json_object_get(v, "trend");
    if (tr && !json_is_null(tr)) {
        /* "trend": {"kind": "difference" | "ratio" | "slope", "days": N} */
        static const char *const tkeys[] = {"kind", "days", NULL};
        hc_mj_join(p, sizeof p, path, "trend");
        char *kind = NULL;
        int days = 0;
        if ((st = hc_mj_object(c, tr, p)) != HC_OK || (st = hc_mj_keys(c, tr, p, tkeys)) != HC_OK ||
            (st = hc_mj_string(c, tr, p, "kind", 1, &kind)) != HC_OK)
            return st;
        int bad = hc_trend_kind_parse(kind, &mt->trend);
        free(kind);
        if (bad)
            return hc_mj_err(c, "%s.kind: must be \"difference\", \"ratio\" or \"slope\"", p);
        if (!json_object_get(tr, "days"))
            return hc_mj_err(c, "%s.days: missing", p);
        if ((st = hc_mj_int(c, tr, p, "days", &days)) != HC_OK)
            return st;
        mt->trend_days = days;
    }
    /* "seasonal": {"period": "month", "method": "ratio", ...} (model_json_season.c) */
    if ((st = hc_mj_seasonal(c, json_object_get(v, "seasonal"), path, &mt->seasonal)) != HC_OK)
        return st;
    json_t *tf = json_object_get(v, "transform");
    hc_mj_join(p, sizeof p, path, "transform");
    if (!tf)
        return hc_mj_err(c, "%s: missing", p);
    return parse_transform(c, tf, p, &mt->transform);
}

static hc_status parse_component(hc_mj_ctx *c, const json_t *v,
                                 const char *path, hc_component *comp)
{
    static const char *const keys[] = {"name", "weight", "metrics", NULL};
    char p[512];
    hc_status st;
    if ((st = hc_mj_object(c, v, path)) != HC_OK ||
        (st = hc_mj_keys(c, v, path, keys)) != HC_OK ||
        (st = hc_mj_string(c, v, path, "name", 1, &comp->name)) != HC_OK ||
        (st = hc_mj_number(c, v, path, "weight", 1, &comp->weight)) != HC_OK)
        return st;
    json_t *ms = json_object_get(v, "metrics");
    hc_mj_join(p, sizeof p, path, "metrics");
    if (!ms)
        return hc_mj_err(c, "%s: missing", p);
    if (!json_is_array(ms))
        return hc_mj_err(c, "%s: must be an array, not %s", p,
                         hc_mj_type(ms));
    size_t n = json_array_size(ms);
    if (n == 0)
        return hc_mj_err(c, "%s: needs at least one metric", p);
    comp->metrics = calloc(n, sizeof *comp->metrics);
    if (!comp->metrics)
        return hc_mj_nomem(c);
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

/* A churn model; `recal` (NULL for a segment's override, which has none)
 * receives the top-level model's recalibration map. The intercept and
 * slope are read before the map, so a bad map is reported after them. */
static hc_status parse_churn(hc_mj_ctx *c, const json_t *v, const char *path,
                             hc_churn_model *cm, hc_recalibration **recal)
{
    static const char *const keys[] = {"intercept", "slope", NULL};
    static const char *const top_keys[] = {"intercept", "slope", "recalibration",
                                           NULL};
    hc_status st;
    cm->present = 0;
    if (!v || json_is_null(v))
        return HC_OK;
    if ((st = hc_mj_object(c, v, path)) != HC_OK)
        return st;
    if (!recal && json_object_get(v, "recalibration"))
        /* One map of every row's P(churn): the top-level one. */
        return hc_mj_err(c, "%s.recalibration: a segment's churn model has no "
                         "recalibration of its own (churn_model.recalibration "
                         "applies to every row)", path);
    if ((st = hc_mj_keys(c, v, path, recal ? top_keys : keys)) != HC_OK ||
        (st = hc_mj_number(c, v, path, "intercept", 1, &cm->intercept)) !=
            HC_OK ||
        (st = hc_mj_number(c, v, path, "slope", 1, &cm->slope)) != HC_OK)
        return st;
    cm->present = 1;
    if (recal) {
        char p[512];
        hc_mj_join(p, sizeof p, path, "recalibration");
        return hc_mj_recalibration(c, json_object_get(v, "recalibration"), p, recal);
    }
    return HC_OK;
}

/* Reads a map component name -> number covering every component exactly
 * once into a new array *out (component order). */
static hc_status parse_component_map(hc_mj_ctx *c, const hc_model *m,
                                     const json_t *v, const char *path,
                                     double **out)
{
    char p[512];
    hc_status st;
    if ((st = hc_mj_object(c, v, path)) != HC_OK)
        return st;
    double *a = calloc(m->n_components ? m->n_components : 1, sizeof *a);
    if (!a)
        return hc_mj_nomem(c);
    *out = a;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        hc_mj_join(p, sizeof p, path, key);
        if (hc_model_find_component(m, key) < 0)
            return hc_mj_err(c, "%s: unknown component '%s'", p, key);
    }
    for (size_t k = 0; k < m->n_components; k++) {
        const char *name = m->components[k].name;
        json_t *x = json_object_get(v, name);
        hc_mj_join(p, sizeof p, path, name);
        if (!x)
            return hc_mj_err(c, "%s: missing (every component needs a "
                             "value)", p);
        if (!json_is_number(x))
            return hc_mj_err(c, "%s: must be a number, not %s", p,
                             hc_mj_type(x));
        a[k] = json_number_value(x);
    }
    return HC_OK;
}

static hc_status parse_expansion(hc_mj_ctx *c, const hc_model *m,
                                 const json_t *v, const char *path,
                                 hc_expansion_model *e)
{
    static const char *const keys[] = {"intercept", "coefficients", NULL};
    char p[512];
    hc_status st;
    e->present = 0;
    if (!v || json_is_null(v))
        return HC_OK;
    if ((st = hc_mj_object(c, v, path)) != HC_OK ||
        (st = hc_mj_keys(c, v, path, keys)) != HC_OK ||
        (st = hc_mj_number(c, v, path, "intercept", 1, &e->intercept)) != HC_OK)
        return st;
    json_t *co = json_object_get(v, "coefficients");
    hc_mj_join(p, sizeof p, path, "coefficients");
    if (!co)
        return hc_mj_err(c, "%s: missing", p);
    if ((st = parse_component_map(c, m, co, p, &e->coef)) != HC_OK)
        return st;
    e->present = 1;
    return HC_OK;
}

static hc_status parse_segments(hc_mj_ctx *c, hc_model *m, const json_t *v)
{
    static const char *const keys[] = {"weights", "churn_model",
                                       "expansion_model", NULL};
    hc_status st;
    if (!v || json_is_null(v))
        return HC_OK;
    if ((st = hc_mj_object(c, v, "segments")) != HC_OK)
        return st;
    size_t n = json_object_size(v);
    if (n == 0)
        return HC_OK;
    m->segments = calloc(n, sizeof *m->segments);
    if (!m->segments)
        return hc_mj_nomem(c);
    const char *key;
    json_t *val;
    char p[512], q[600];
    json_object_foreach((json_t *)v, key, val) {
        hc_segment *sg = &m->segments[m->n_segments++];
        snprintf(p, sizeof p, "segments.%s", key);
        if (!key[0])
            return hc_mj_err(c, "segments: a segment value must be a non-empty "
                             "string");
        if (!(sg->value = strdup(key)))
            return hc_mj_nomem(c);
        if ((st = hc_mj_object(c, val, p)) != HC_OK ||
            (st = hc_mj_keys(c, val, p, keys)) != HC_OK)
            return st;
        json_t *w = json_object_get(val, "weights");
        if (w && !json_is_null(w)) {
            snprintf(q, sizeof q, "%s.weights", p);
            if ((st = parse_component_map(c, m, w, q, &sg->weights)) != HC_OK)
                return st;
        }
        snprintf(q, sizeof q, "%s.churn_model", p);
        if ((st = parse_churn(c, json_object_get(val, "churn_model"), q,
                              &sg->churn, NULL)) != HC_OK)
            return st;
        snprintf(q, sizeof q, "%s.expansion_model", p);
        if ((st = parse_expansion(c, m, json_object_get(val,
                                                        "expansion_model"),
                                  q, &sg->expansion)) != HC_OK)
            return st;
    }
    return HC_OK;
}

static hc_status parse_bands(hc_mj_ctx *c, hc_model *m, const json_t *v)
{
    static const char *const keys[] = {"name", "min", NULL};
    hc_status st;
    if (!v)
        return hc_mj_err(c, "bands: missing");
    if (!json_is_array(v))
        return hc_mj_err(c, "bands: must be an array, not %s", hc_mj_type(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return hc_mj_err(c, "bands: needs at least one band");
    m->bands = calloc(n, sizeof *m->bands);
    if (!m->bands)
        return hc_mj_nomem(c);
    m->n_bands = n;
    char p[64];
    for (size_t b = 0; b < n; b++) {
        json_t *bv = json_array_get(v, b);
        snprintf(p, sizeof p, "bands[%zu]", b);
        if ((st = hc_mj_object(c, bv, p)) != HC_OK ||
            (st = hc_mj_keys(c, bv, p, keys)) != HC_OK ||
            (st = hc_mj_string(c, bv, p, "name", 1, &m->bands[b].name)) !=
                HC_OK ||
            (st = hc_mj_number(c, bv, p, "min", 1, &m->bands[b].min)) != HC_OK)
            return st;
    }
    return HC_OK;
}

static hc_status parse_free_form(hc_mj_ctx *c, const json_t *root,
                                 const char *key, json_t **out)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v))
        return HC_OK;
    if (!json_is_object(v))
        return hc_mj_err(c, "%s: must be an object, not %s", key,
                         hc_mj_type(v));
    *out = json_incref(v);
    return HC_OK;
}

/* "event_map": {"cancelled": "churn", ...}: each target checked as the
 * --event-map option checks it (hc_ingest.h). */
static hc_status parse_event_map(hc_mj_ctx *c, const json_t *root, hc_model *m)
{
    json_t *map = json_object_get(root, "event_map");
    if (!map || json_is_null(map))
        return HC_OK;
    hc_status st = hc_mj_object(c, map, "event_map");
    if (st != HC_OK)
        return st;
    const char *key;
    json_t *v;
    json_object_foreach(map, key, v) {
        if (!json_is_string(v))
            return hc_mj_err(c, "event_map.%s: must be a string, not %s", key,
                             hc_mj_type(v));
        hc_ingest_options probe;
        hc_ingest_init(&probe);
        hc_error e;
        st = hc_ingest_add_event_alias(&probe, key, json_string_value(v), &e);
        hc_ingest_release(&probe);
        if (st == HC_ENOMEM)
            return hc_mj_nomem(c);
        if (st != HC_OK)
            return hc_mj_err(c, "event_map.%s: '%s' is not churn, expansion, "
                             "contraction or ignore", key, json_string_value(v));
    }
    m->event_map = json_deep_copy(map);
    return m->event_map ? HC_OK : hc_mj_nomem(c);
}

/* "rollup": {"user_column": "user_id", "metrics": {"logins": "sum", "nps":
 * "mean", "seats": "count_active", "usage": "share_above:0.5"}} */
static hc_status parse_rollup(hc_mj_ctx *c, const json_t *root, hc_model *m)
{
    static const char *const keys[] = {"user_column", "metrics", NULL};
    json_t *v = json_object_get(root, "rollup");
    if (!v || json_is_null(v))
        return HC_OK;
    hc_status st;
    if ((st = hc_mj_object(c, v, "rollup")) != HC_OK ||
        (st = hc_mj_keys(c, v, "rollup", keys)) != HC_OK)
        return st;
    hc_rollup *r = calloc(1, sizeof *r);
    if (!r)
        return hc_mj_nomem(c);
    m->rollup = r;
    if ((st = hc_mj_string(c, v, "rollup", "user_column", 1, &r->user_column)) != HC_OK)
        return st;
    json_t *ms = json_object_get(v, "metrics");
    if (!ms || !json_is_object(ms) || json_object_size(ms) == 0)
        return hc_mj_err(c, "rollup.metrics: must be a non-empty object of \"column\": "
                         "\"mean|median|min|max|sum|count_active|share_above:T\"");
    r->metrics = calloc(json_object_size(ms), sizeof *r->metrics);
    if (!r->metrics)
        return hc_mj_nomem(c);
    const char *col;
    json_t *agg;
    json_object_foreach(ms, col, agg) {
        hc_rollup_metric *rm = &r->metrics[r->n_metrics];
        if (!json_is_string(agg) ||
            hc_rollup_parse_agg(json_string_value(agg), &rm->agg, &rm->threshold) != 0)
            return hc_mj_err(c, "rollup.metrics.%s: must be \"mean\", \"median\", "
                             "\"min\", \"max\", \"sum\", \"count_active\" or "
                             "\"share_above:T\" (T a number)", col);
        if (col[0] == '\0' || strcmp(col, r->user_column) == 0)
            return hc_mj_err(c, "rollup.metrics: '%s' cannot be rolled up", col);
        if (!(rm->column = strdup(col)))
            return hc_mj_nomem(c);
        r->n_metrics++;
    }
    for (size_t i = 0; i < 4; i++) {
        const char *role = i == 0 ? m->columns.account_id : i == 1 ? m->columns.snapshot_date
                         : i == 2 ? m->columns.segment : m->columns.arr;
        if (role && strcmp(role, r->user_column) == 0)
            return hc_mj_err(c, "rollup.user_column: '%s' is a role column", role);
    }
    return HC_OK;
}

static hc_status parse_model(hc_mj_ctx *c, const json_t *root, hc_model *m)
{
    static const char *const keys[] = {
        "schema", "name", "columns", "horizon_days", "lead_days", "missing",
        "components", "bands", "churn_model", "expansion_model", "segments",
        "fit", "provenance", "event_map", "rollup", "lifecycle", NULL};
    static const char *const col_keys[] = {"account_id", "snapshot_date",
                                           "segment", "arr", "event_date",
                                           "event_type", "amount", NULL};
    hc_status st;
    if (!json_is_object(root))
        return hc_mj_err(c, "(top level): a model config must be a JSON "
                         "object, not %s", hc_mj_type(root));
    if ((st = hc_mj_keys(c, root, "", keys)) != HC_OK)
        return st;

    json_t *schema = json_object_get(root, "schema");
    if (!schema)
        return hc_mj_err(c, "schema: missing (expected \"%s\")",
                         HC_MODEL_SCHEMA);
    if (!json_is_string(schema) ||
        strcmp(json_string_value(schema), HC_MODEL_SCHEMA) != 0)
        return hc_mj_err(c, "schema: unsupported schema %s%s%s (expected "
                         "\"%s\")",
                         json_is_string(schema) ? "\"" : "",
                         json_is_string(schema) ? json_string_value(schema)
                                                : hc_mj_type(schema),
                         json_is_string(schema) ? "\"" : "", HC_MODEL_SCHEMA);

    json_t *name = json_object_get(root, "name");
    if (name && !json_is_null(name))
        if ((st = hc_mj_string(c, root, "", "name", 0, &m->name)) != HC_OK)
            return st;

    json_t *cols = json_object_get(root, "columns");
    if (cols && !json_is_null(cols)) {
        if ((st = hc_mj_object(c, cols, "columns")) != HC_OK ||
            (st = hc_mj_keys(c, cols, "columns", col_keys)) != HC_OK ||
            (st = hc_mj_string(c, cols, "columns", "account_id", 0,
                               &m->columns.account_id)) != HC_OK ||
            (st = hc_mj_string(c, cols, "columns", "snapshot_date", 0,
                               &m->columns.snapshot_date)) != HC_OK ||
            (!json_is_array(json_object_get(cols, "segment")) && /* derived: below */
             (st = hc_mj_string(c, cols, "columns", "segment", 0,
                                &m->columns.segment)) != HC_OK) ||
            (st = hc_mj_string(c, cols, "columns", "arr", 0,
                               &m->columns.arr)) != HC_OK ||
            (st = hc_mj_string(c, cols, "columns", "event_date", 0,
                               &m->columns.event_date)) != HC_OK ||
            (st = hc_mj_string(c, cols, "columns", "event_type", 0,
                               &m->columns.event_type)) != HC_OK ||
            (st = hc_mj_string(c, cols, "columns", "amount", 0,
                               &m->columns.amount)) != HC_OK)
            return st;
    }
    if ((st = parse_event_map(c, root, m)) != HC_OK ||
        (st = parse_rollup(c, root, m)) != HC_OK ||
        (st = hc_model_segkey_read(m, cols ? json_object_get(cols, "segment") : NULL,
                                   json_object_get(root, "lifecycle"), c->err)) != HC_OK)
        return st;
    if ((st = hc_mj_int(c, root, "", "horizon_days", &m->horizon_days)) !=
            HC_OK ||
        (st = hc_mj_int(c, root, "", "lead_days", &m->lead_days)) != HC_OK)
        return st;
    json_t *missing = json_object_get(root, "missing");
    if (missing) {
        if (!json_is_string(missing) ||
            strcmp(json_string_value(missing), "renormalize") != 0)
            return hc_mj_err(c, "missing: unsupported policy (the only "
                             "policy is \"renormalize\")");
    }

    json_t *comps = json_object_get(root, "components");
    if (!comps)
        return hc_mj_err(c, "components: missing");
    if (!json_is_array(comps))
        return hc_mj_err(c, "components: must be an array, not %s",
                         hc_mj_type(comps));
    size_t n = json_array_size(comps);
    if (n == 0)
        return hc_mj_err(c, "components: needs at least one component");
    m->components = calloc(n, sizeof *m->components);
    if (!m->components)
        return hc_mj_nomem(c);
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
                return hc_mj_err(c, "%s.name: duplicate component name '%s' "
                                 "(also components[%zu])", p,
                                 m->components[k].name, a);
    }
    if ((st = parse_bands(c, m, json_object_get(root, "bands"))) != HC_OK ||
        (st = parse_churn(c, json_object_get(root, "churn_model"),
                          "churn_model", &m->churn, &m->recalibration)) != HC_OK ||
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
    hc_mj_ctx c = {m->source, err};
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
