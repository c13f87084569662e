/* model.c - the score model: lifecycle, validation, setters, bands, binding to a table. */
#include "hc_model.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_columns[4] = {"account_id", "snapshot_date",
                                               "segment", "arr"};

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

static double *dup_doubles(const double *src, size_t n)
{
    if (!src)
        return NULL;
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, src, n * sizeof *d);
    return d;
}

hc_model *hc_model_alloc(const char *source)
{
    hc_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->source = strdup(source ? source : "<memory>");
    m->columns.account_id = strdup(default_columns[0]);
    m->columns.snapshot_date = strdup(default_columns[1]);
    m->columns.segment = strdup(default_columns[2]);
    m->columns.arr = strdup(default_columns[3]);
    m->horizon_days = 30;
    m->lead_days = 0;
    m->missing = HC_MISSING_RENORMALIZE;
    m->col_account_id = m->col_snapshot_date = m->col_segment = m->col_arr = -1;
    if (!m->source || !m->columns.account_id || !m->columns.snapshot_date ||
        !m->columns.segment || !m->columns.arr) {
        hc_model_free(m);
        return NULL;
    }
    return m;
}

static void free_component(hc_component *c)
{
    for (size_t j = 0; j < c->n_metrics; j++) {
        free(c->metrics[j].column);
        hc_transform_release(&c->metrics[j].transform);
    }
    free(c->metrics);
    free(c->name);
}

void hc_model_free(hc_model *m)
{
    if (!m)
        return;
    for (size_t k = 0; k < m->n_components; k++)
        free_component(&m->components[k]);
    free(m->components);
    for (size_t b = 0; b < m->n_bands; b++)
        free(m->bands[b].name);
    free(m->bands);
    free(m->expansion.coef);
    for (size_t s = 0; s < m->n_segments; s++) {
        free(m->segments[s].value);
        free(m->segments[s].weights);
        free(m->segments[s].expansion.coef);
    }
    free(m->segments);
    json_decref(m->fit);
    json_decref(m->provenance);
    free(m->source);
    free(m->name);
    free(m->columns.account_id);
    free(m->columns.snapshot_date);
    free(m->columns.segment);
    free(m->columns.arr);
    free(m);
}

hc_model *hc_model_copy(const hc_model *m)
{
    hc_model *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    int ok = 1;
    /* Scalars first, then every owned pointer replaced by a copy; a failed
     * copy leaves NULL, which hc_model_free handles. */
    *c = *m;
    c->source = dup_str(m->source);
    c->name = dup_str(m->name);
    ok &= !m->name || c->name != NULL;
    c->columns.account_id = dup_str(m->columns.account_id);
    c->columns.snapshot_date = dup_str(m->columns.snapshot_date);
    c->columns.segment = dup_str(m->columns.segment);
    c->columns.arr = dup_str(m->columns.arr);
    ok &= c->source && c->columns.account_id && c->columns.snapshot_date &&
          c->columns.segment && c->columns.arr;
    c->fit = m->fit ? json_deep_copy(m->fit) : NULL;
    c->provenance = m->provenance ? json_deep_copy(m->provenance) : NULL;
    ok &= (!m->fit || c->fit) && (!m->provenance || c->provenance);
    c->expansion.coef = dup_doubles(m->expansion.coef, m->n_components);
    ok &= !m->expansion.coef || c->expansion.coef;

    c->components = NULL;
    c->n_components = 0;
    c->bands = NULL;
    c->n_bands = 0;
    c->segments = NULL;
    c->n_segments = 0;
    if (!ok)
        goto fail;

    if (m->n_components) {
        c->components = calloc(m->n_components, sizeof *c->components);
        if (!c->components)
            goto fail;
        c->n_components = m->n_components;
        for (size_t k = 0; k < m->n_components; k++) {
            const hc_component *from = &m->components[k];
            hc_component *to = &c->components[k];
            to->weight = from->weight;
            to->name = dup_str(from->name);
            if (!to->name)
                goto fail;
            if (from->n_metrics) {
                to->metrics = calloc(from->n_metrics, sizeof *to->metrics);
                if (!to->metrics)
                    goto fail;
            }
            for (size_t j = 0; j < from->n_metrics; j++) {
                hc_metric *mt = &to->metrics[j];
                hc_transform_init(&mt->transform);
                to->n_metrics = j + 1;
                mt->weight = from->metrics[j].weight;
                mt->col = from->metrics[j].col;
                mt->column = dup_str(from->metrics[j].column);
                if (!mt->column ||
                    hc_transform_copy(&mt->transform,
                                      &from->metrics[j].transform,
                                      NULL) != HC_OK)
                    goto fail;
            }
        }
    }
    if (m->n_bands) {
        c->bands = calloc(m->n_bands, sizeof *c->bands);
        if (!c->bands)
            goto fail;
        c->n_bands = m->n_bands;
        for (size_t b = 0; b < m->n_bands; b++) {
            c->bands[b].min = m->bands[b].min;
            c->bands[b].name = dup_str(m->bands[b].name);
            if (!c->bands[b].name)
                goto fail;
        }
    }
    if (m->n_segments) {
        c->segments = calloc(m->n_segments, sizeof *c->segments);
        if (!c->segments)
            goto fail;
        c->n_segments = m->n_segments;
        for (size_t s = 0; s < m->n_segments; s++) {
            const hc_segment *from = &m->segments[s];
            hc_segment *to = &c->segments[s];
            to->churn = from->churn;
            to->expansion.present = from->expansion.present;
            to->expansion.intercept = from->expansion.intercept;
            to->value = dup_str(from->value);
            to->weights = dup_doubles(from->weights, m->n_components);
            to->expansion.coef = dup_doubles(from->expansion.coef,
                                             m->n_components);
            if (!to->value || (from->weights && !to->weights) ||
                (from->expansion.coef && !to->expansion.coef))
                goto fail;
        }
    }
    return c;
fail:
    hc_model_free(c);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* validation                                                          */
/* ------------------------------------------------------------------ */

static hc_status check_weights(const hc_model *m, const double *w,
                               const char *path, const char *file,
                               hc_error *err)
{
    double sum = 0;
    for (size_t k = 0; k < m->n_components; k++) {
        if (!isfinite(w[k]) || w[k] < 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s: weight of component '%s' must be a "
                                "finite number >= 0 (got %.17g)", path,
                                m->components[k].name, w[k]);
        sum += w[k];
    }
    if (!(fabs(sum - 1.0) <= HC_WEIGHT_SUM_TOL))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s: weights sum to %.17g, not 1 (tolerance "
                            "%g)", path, sum, HC_WEIGHT_SUM_TOL);
    return HC_OK;
}

static hc_status check_churn(const hc_churn_model *c, const char *path,
                             const char *file, hc_error *err)
{
    if (!c->present)
        return HC_OK;
    if (!isfinite(c->intercept))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.intercept: must be a finite number", path);
    if (!isfinite(c->slope))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.slope: must be a finite number", path);
    return HC_OK;
}

static hc_status check_expansion(const hc_model *m,
                                 const hc_expansion_model *e,
                                 const char *path, const char *file,
                                 hc_error *err)
{
    if (!e->present)
        return HC_OK;
    if (!isfinite(e->intercept))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.intercept: must be a finite number", path);
    if (!e->coef && m->n_components)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.coefficients: missing", path);
    for (size_t k = 0; k < m->n_components; k++)
        if (!isfinite(e->coef[k]))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.coefficients.%s: must be a finite "
                                "number", path, m->components[k].name);
    return HC_OK;
}

static hc_status check_bands(size_t n, const hc_band *bands, const char *file,
                             hc_error *err)
{
    if (n == 0)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "bands: needs at least one band");
    for (size_t b = 0; b < n; b++) {
        if (!bands[b].name || !bands[b].name[0])
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "bands[%zu].name: must be a non-empty string",
                                b);
        for (size_t a = 0; a < b; a++)
            if (strcmp(bands[a].name, bands[b].name) == 0)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "bands[%zu].name: duplicate band name "
                                    "'%s' (also bands[%zu])", b,
                                    bands[b].name, a);
        double mn = bands[b].min;
        if (!isfinite(mn))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "bands[%zu].min: must be a finite number", b);
        if (b == 0 && mn != 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "bands[0].min: the first band must start at "
                                "0 (got %.17g)", mn);
        if (b > 0 && !(mn > bands[b - 1].min))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "bands[%zu].min: must be greater than "
                                "bands[%zu].min (%.17g <= %.17g)", b, b - 1,
                                mn, bands[b - 1].min);
        if (mn > 100)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "bands[%zu].min: must be <= 100, the top of "
                                "the health scale (got %.17g)", b, mn);
    }
    return HC_OK;
}

hc_status hc_model_validate(const hc_model *m, hc_error *err)
{
    const char *file = m->source;
    char path[256];
    hc_status st;

    if (m->horizon_days <= 0)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "horizon_days: must be > 0 (got %d)",
                            m->horizon_days);
    if (m->lead_days < 0)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "lead_days: must be >= 0 (got %d)", m->lead_days);
    const char *cols[4] = {m->columns.account_id, m->columns.snapshot_date,
                           m->columns.segment, m->columns.arr};
    for (int i = 0; i < 4; i++)
        if (!cols[i] || !cols[i][0])
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "columns.%s: must be a non-empty string",
                                default_columns[i]);
    if (m->n_components == 0)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "components: needs at least one component");
    for (size_t k = 0; k < m->n_components; k++) {
        const hc_component *c = &m->components[k];
        if (!c->name || !c->name[0])
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "components[%zu].name: must be a non-empty "
                                "string", k);
        for (size_t a = 0; a < k; a++)
            if (strcmp(m->components[a].name, c->name) == 0)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "components[%zu].name: duplicate "
                                    "component name '%s' (also "
                                    "components[%zu])", k, c->name, a);
        if (!isfinite(c->weight) || c->weight < 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "components[%zu].weight: must be a finite "
                                "number >= 0 (got %.17g)", k, c->weight);
        if (c->n_metrics == 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "components[%zu].metrics: needs at least one "
                                "metric", k);
        for (size_t j = 0; j < c->n_metrics; j++) {
            const hc_metric *mt = &c->metrics[j];
            if (!mt->column || !mt->column[0])
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "components[%zu].metrics[%zu].column: "
                                    "must be a non-empty string", k, j);
            if (!isfinite(mt->weight) || !(mt->weight > 0))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "components[%zu].metrics[%zu].weight: "
                                    "must be a finite number > 0 (got "
                                    "%.17g)", k, j, mt->weight);
            snprintf(path, sizeof path, "components[%zu].metrics[%zu]."
                     "transform", k, j);
            if ((st = hc_transform_validate(&mt->transform, path, file,
                                            err)) != HC_OK)
                return st;
        }
    }
    double *w = malloc(m->n_components * sizeof *w);
    if (!w)
        return hc_error_nomem(err);
    for (size_t k = 0; k < m->n_components; k++)
        w[k] = m->components[k].weight;
    st = check_weights(m, w, "components", file, err);
    free(w);
    if (st != HC_OK)
        return st;
    if ((st = check_bands(m->n_bands, m->bands, file, err)) != HC_OK)
        return st;
    if ((st = check_churn(&m->churn, "churn_model", file, err)) != HC_OK)
        return st;
    if ((st = check_expansion(m, &m->expansion, "expansion_model", file,
                              err)) != HC_OK)
        return st;
    for (size_t s = 0; s < m->n_segments; s++) {
        const hc_segment *sg = &m->segments[s];
        if (!sg->value || !sg->value[0])
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "segments: a segment value must be a "
                                "non-empty string");
        for (size_t a = 0; a < s; a++)
            if (strcmp(m->segments[a].value, sg->value) == 0)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "segments.%s: duplicate segment",
                                    sg->value);
        if (sg->weights) {
            snprintf(path, sizeof path, "segments.%s.weights", sg->value);
            if ((st = check_weights(m, sg->weights, path, file, err)) !=
                HC_OK)
                return st;
        }
        snprintf(path, sizeof path, "segments.%s.churn_model", sg->value);
        if ((st = check_churn(&sg->churn, path, file, err)) != HC_OK)
            return st;
        snprintf(path, sizeof path, "segments.%s.expansion_model",
                 sg->value);
        if ((st = check_expansion(m, &sg->expansion, path, file, err)) !=
            HC_OK)
            return st;
    }
    return HC_OK;
}

/* ------------------------------------------------------------------ */
/* lookups                                                             */
/* ------------------------------------------------------------------ */

int hc_model_find_component(const hc_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_components; k++)
        if (strcmp(m->components[k].name, name) == 0)
            return (int)k;
    return -1;
}

int hc_model_find_band(const hc_model *m, const char *name)
{
    for (size_t b = 0; b < m->n_bands; b++)
        if (strcmp(m->bands[b].name, name) == 0)
            return (int)b;
    return -1;
}

int hc_model_find_segment(const hc_model *m, const char *value)
{
    for (size_t s = 0; s < m->n_segments; s++)
        if (strcmp(m->segments[s].value, value) == 0)
            return (int)s;
    return -1;
}

int hc_model_band_of(const hc_model *m, double h)
{
    if (isnan(h) || m->n_bands == 0)
        return -1;
    /* Few bands: a backward scan finds the last band whose min <= h. H is
     * never below 0 (= the first band's min), but such an h would fall in
     * the first band rather than nowhere. */
    size_t b = m->n_bands - 1;
    while (b > 0 && !(m->bands[b].min <= h))
        b--;
    return (int)b;
}

/* ------------------------------------------------------------------ */
/* setters                                                             */
/* ------------------------------------------------------------------ */

hc_status hc_model_set_name(hc_model *m, const char *name, hc_error *err)
{
    char *n = NULL;
    if (name && !(n = strdup(name)))
        return hc_error_nomem(err);
    free(m->name);
    m->name = n;
    return HC_OK;
}

hc_status hc_model_set_columns(hc_model *m, const char *account_id,
                               const char *snapshot_date, const char *segment,
                               const char *arr, hc_error *err)
{
    const char *in[4] = {account_id, snapshot_date, segment, arr};
    char **slot[4] = {&m->columns.account_id, &m->columns.snapshot_date,
                      &m->columns.segment, &m->columns.arr};
    char *copy[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 4; i++) {
        if (!in[i])
            continue;
        if (!in[i][0]) {
            for (int j = 0; j < i; j++)
                free(copy[j]);
            return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                "columns.%s: must be a non-empty string",
                                default_columns[i]);
        }
        if (!(copy[i] = strdup(in[i]))) {
            for (int j = 0; j < i; j++)
                free(copy[j]);
            return hc_error_nomem(err);
        }
    }
    for (int i = 0; i < 4; i++)
        if (copy[i]) {
            free(*slot[i]);
            *slot[i] = copy[i];
        }
    return HC_OK;
}

/* Returns a copy of the n-entry array `a` (NULL stays NULL) with a 0
 * appended, in *out; 0 on success, -1 when out of memory. */
static int grow_by_zero(const double *a, size_t n, double **out)
{
    *out = NULL;
    if (!a)
        return 0;
    double *d = malloc((n + 1) * sizeof *d);
    if (!d)
        return -1;
    if (n)
        memcpy(d, a, n * sizeof *d);
    d[n] = 0;
    *out = d;
    return 0;
}

hc_status hc_model_add_component(hc_model *m, const char *name, double weight,
                                 size_t *index, hc_error *err)
{
    if (!name || !name[0])
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].name: must be a non-empty "
                            "string", m->n_components);
    if (hc_model_find_component(m, name) >= 0)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].name: duplicate component name "
                            "'%s'", m->n_components, name);
    if (!isfinite(weight) || weight < 0)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].weight: must be a finite number "
                            ">= 0 (got %.17g)", m->n_components, weight);
    size_t n = m->n_components;
    /* Allocate everything first so that failure leaves the model as it was. */
    char *nm = strdup(name);
    hc_component *comps = malloc((n + 1) * sizeof *comps);
    double *exp_coef = NULL;
    double **seg_w = calloc(m->n_segments + 1, sizeof *seg_w);
    double **seg_e = calloc(m->n_segments + 1, sizeof *seg_e);
    int fail = !nm || !comps || !seg_w || !seg_e ||
               grow_by_zero(m->expansion.coef, n, &exp_coef) < 0;
    for (size_t s = 0; !fail && s < m->n_segments; s++)
        fail = grow_by_zero(m->segments[s].weights, n, &seg_w[s]) < 0 ||
               grow_by_zero(m->segments[s].expansion.coef, n, &seg_e[s]) < 0;
    if (fail) {
        free(nm);
        free(comps);
        free(exp_coef);
        for (size_t s = 0; seg_w && seg_e && s < m->n_segments; s++) {
            free(seg_w[s]);
            free(seg_e[s]);
        }
        free(seg_w);
        free(seg_e);
        return hc_error_nomem(err);
    }
    if (n)
        memcpy(comps, m->components, n * sizeof *comps);
    comps[n].name = nm;
    comps[n].weight = weight;
    comps[n].n_metrics = 0;
    comps[n].metrics = NULL;
    free(m->components);
    m->components = comps;
    m->n_components = n + 1;
    if (m->expansion.coef) {
        free(m->expansion.coef);
        m->expansion.coef = exp_coef;
    }
    for (size_t s = 0; s < m->n_segments; s++) {
        if (m->segments[s].weights) {
            free(m->segments[s].weights);
            m->segments[s].weights = seg_w[s];
        }
        if (m->segments[s].expansion.coef) {
            free(m->segments[s].expansion.coef);
            m->segments[s].expansion.coef = seg_e[s];
        }
    }
    free(seg_w);
    free(seg_e);
    if (index)
        *index = n;
    return HC_OK;
}

hc_status hc_model_add_metric(hc_model *m, size_t comp, const char *column,
                              double weight, const hc_transform *tf,
                              hc_error *err)
{
    if (comp >= m->n_components)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu]: no such component", comp);
    hc_component *c = &m->components[comp];
    size_t j = c->n_metrics;
    if (!column || !column[0])
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].metrics[%zu].column: must be a "
                            "non-empty string", comp, j);
    if (!isfinite(weight) || !(weight > 0))
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].metrics[%zu].weight: must be a "
                            "finite number > 0 (got %.17g)", comp, j, weight);
    char path[128];
    snprintf(path, sizeof path, "components[%zu].metrics[%zu].transform",
             comp, j);
    hc_status st = hc_transform_validate(tf, path, m->source, err);
    if (st != HC_OK)
        return st;
    hc_metric mt;
    mt.column = strdup(column);
    mt.weight = weight;
    mt.col = -1;
    if (!mt.column)
        return hc_error_nomem(err);
    if (hc_transform_copy(&mt.transform, tf, err) != HC_OK) {
        free(mt.column);
        return HC_ENOMEM;
    }
    hc_metric *ms = realloc(c->metrics, (j + 1) * sizeof *ms);
    if (!ms) {
        free(mt.column);
        hc_transform_release(&mt.transform);
        return hc_error_nomem(err);
    }
    ms[j] = mt;
    c->metrics = ms;
    c->n_metrics = j + 1;
    return HC_OK;
}

hc_status hc_model_set_weights(hc_model *m, const double *w, hc_error *err)
{
    hc_status st = check_weights(m, w, "components", m->source, err);
    if (st != HC_OK)
        return st;
    for (size_t k = 0; k < m->n_components; k++)
        m->components[k].weight = w[k];
    return HC_OK;
}

hc_status hc_model_set_bands(hc_model *m, size_t n, const char *const *names,
                             const double *mins, hc_error *err)
{
    hc_band *bands = calloc(n ? n : 1, sizeof *bands);
    if (!bands)
        return hc_error_nomem(err);
    for (size_t b = 0; b < n; b++) {
        bands[b].min = mins[b];
        bands[b].name = dup_str(names[b]);
        if (names[b] && !bands[b].name) {
            for (size_t a = 0; a < b; a++)
                free(bands[a].name);
            free(bands);
            return hc_error_nomem(err);
        }
    }
    hc_status st = check_bands(n, bands, m->source, err);
    if (st != HC_OK) {
        for (size_t b = 0; b < n; b++)
            free(bands[b].name);
        free(bands);
        return st;
    }
    for (size_t b = 0; b < m->n_bands; b++)
        free(m->bands[b].name);
    free(m->bands);
    m->bands = bands;
    m->n_bands = n;
    return HC_OK;
}

hc_status hc_model_set_churn(hc_model *m, double intercept, double slope,
                             hc_error *err)
{
    hc_churn_model c = {1, intercept, slope};
    hc_status st = check_churn(&c, "churn_model", m->source, err);
    if (st == HC_OK)
        m->churn = c;
    return st;
}

void hc_model_clear_churn(hc_model *m)
{
    m->churn.present = 0;
    m->churn.intercept = 0;
    m->churn.slope = 0;
}

/* Builds a validated expansion model from intercept and coefficients. */
static hc_status make_expansion(const hc_model *m, double intercept,
                                const double *coef, const char *path,
                                hc_expansion_model *out, hc_error *err)
{
    out->present = 1;
    out->intercept = intercept;
    out->coef = (double *)coef;
    hc_status st = check_expansion(m, out, path, m->source, err);
    out->coef = NULL;
    if (st != HC_OK)
        return st;
    out->coef = dup_doubles(coef, m->n_components);
    if (!out->coef)
        return hc_error_nomem(err);
    return HC_OK;
}

hc_status hc_model_set_expansion(hc_model *m, double intercept,
                                 const double *coef, hc_error *err)
{
    hc_expansion_model e;
    hc_status st = make_expansion(m, intercept, coef, "expansion_model", &e,
                                  err);
    if (st != HC_OK)
        return st;
    free(m->expansion.coef);
    m->expansion = e;
    return HC_OK;
}

void hc_model_clear_expansion(hc_model *m)
{
    free(m->expansion.coef);
    m->expansion.coef = NULL;
    m->expansion.present = 0;
    m->expansion.intercept = 0;
}

hc_status hc_model_add_segment(hc_model *m, const char *value, size_t *index,
                               hc_error *err)
{
    if (!value || !value[0])
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "segments: a segment value must be a non-empty "
                            "string");
    int found = hc_model_find_segment(m, value);
    if (found >= 0) {
        if (index)
            *index = (size_t)found;
        return HC_OK;
    }
    char *v = strdup(value);
    hc_segment *segs = v ? realloc(m->segments,
                                   (m->n_segments + 1) * sizeof *segs)
                         : NULL;
    if (!segs) {
        free(v);
        return hc_error_nomem(err);
    }
    m->segments = segs;
    memset(&segs[m->n_segments], 0, sizeof *segs);
    segs[m->n_segments].value = v;
    if (index)
        *index = m->n_segments;
    m->n_segments++;
    return HC_OK;
}

static hc_status bad_segment(const hc_model *m, size_t seg, hc_error *err)
{
    return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                        "segments: no segment with index %zu", seg);
}

hc_status hc_model_set_segment_weights(hc_model *m, size_t seg,
                                       const double *w, hc_error *err)
{
    if (seg >= m->n_segments)
        return bad_segment(m, seg, err);
    hc_segment *sg = &m->segments[seg];
    double *copy = NULL;
    if (w) {
        char path[256];
        snprintf(path, sizeof path, "segments.%s.weights", sg->value);
        hc_status st = check_weights(m, w, path, m->source, err);
        if (st != HC_OK)
            return st;
        if (!(copy = dup_doubles(w, m->n_components)))
            return hc_error_nomem(err);
    }
    free(sg->weights);
    sg->weights = copy;
    return HC_OK;
}

hc_status hc_model_set_segment_churn(hc_model *m, size_t seg,
                                     const hc_churn_model *churn,
                                     hc_error *err)
{
    if (seg >= m->n_segments)
        return bad_segment(m, seg, err);
    hc_segment *sg = &m->segments[seg];
    char path[256];
    snprintf(path, sizeof path, "segments.%s.churn_model", sg->value);
    hc_status st = check_churn(churn, path, m->source, err);
    if (st != HC_OK)
        return st;
    sg->churn = *churn;
    if (!sg->churn.present)
        sg->churn.intercept = sg->churn.slope = 0;
    return HC_OK;
}

hc_status hc_model_set_segment_expansion(hc_model *m, size_t seg,
                                         double intercept, const double *coef,
                                         hc_error *err)
{
    if (seg >= m->n_segments)
        return bad_segment(m, seg, err);
    hc_segment *sg = &m->segments[seg];
    hc_expansion_model e = {0, 0, NULL};
    if (coef) {
        char path[256];
        snprintf(path, sizeof path, "segments.%s.expansion_model", sg->value);
        hc_status st = make_expansion(m, intercept, coef, path, &e, err);
        if (st != HC_OK)
            return st;
    }
    free(sg->expansion.coef);
    sg->expansion = e;
    return HC_OK;
}

hc_status hc_model_set_quantile_cuts(hc_model *m, size_t comp, size_t metric,
                                     const double *cuts, hc_error *err)
{
    if (comp >= m->n_components || metric >= m->components[comp].n_metrics)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].metrics[%zu]: no such metric",
                            comp, metric);
    hc_transform *tf = &m->components[comp].metrics[metric].transform;
    if (tf->type != HC_TF_QUANTILE)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components[%zu].metrics[%zu].transform.type: "
                            "is %s, not quantile", comp, metric,
                            hc_transform_type_name(tf->type));
    hc_transform probe = *tf;
    probe.cuts = (double *)cuts;
    char path[128];
    snprintf(path, sizeof path, "components[%zu].metrics[%zu].transform",
             comp, metric);
    hc_status st = hc_transform_validate(&probe, path, m->source, err);
    if (st != HC_OK)
        return st;
    double *copy = dup_doubles(cuts, HC_QUANTILE_CUTS);
    if (!copy)
        return hc_error_nomem(err);
    free(tf->cuts);
    tf->cuts = copy;
    return HC_OK;
}

void hc_model_set_fit(hc_model *m, struct json_t *value)
{
    json_decref(m->fit);
    m->fit = value;
}

void hc_model_set_provenance(hc_model *m, struct json_t *value)
{
    json_decref(m->provenance);
    m->provenance = value;
}

/* ------------------------------------------------------------------ */
/* binding                                                             */
/* ------------------------------------------------------------------ */

static const char *type_word(hc_coltype t)
{
    switch (t) {
    case HC_COL_NUM: return "a number";
    case HC_COL_TEXT: return "text";
    case HC_COL_DATE: return "a date";
    }
    return "unknown";
}

hc_status hc_model_find_column(const hc_model *m, const hc_table *t,
                               const char *key, const char *name,
                               hc_coltype type, int required, int *index,
                               hc_error *err)
{
    int c = hc_table_find(t, name);
    *index = -1;
    if (c < 0) {
        if (!required)
            return HC_OK;
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "%s: column '%s' is not in %s", key, name,
                            t->source ? t->source : "<memory>");
    }
    if (t->cols[c].type != type)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "%s: column '%s' in %s is %s, not %s", key, name,
                            t->source ? t->source : "<memory>",
                            type_word(t->cols[c].type), type_word(type));
    *index = c;
    return HC_OK;
}

hc_status hc_model_required_columns(const hc_model *m, hc_colspec **specs,
                                    size_t *n, hc_error *err)
{
    size_t total = 4;
    for (size_t k = 0; k < m->n_components; k++)
        total += m->components[k].n_metrics;
    hc_colspec *s = malloc(total * sizeof *s);
    *specs = NULL;
    *n = 0;
    if (!s)
        return hc_error_nomem(err);
    size_t c = 0;
    s[c++] = (hc_colspec){m->columns.account_id, HC_COL_TEXT, 1};
    s[c++] = (hc_colspec){m->columns.snapshot_date, HC_COL_DATE, 1};
    s[c++] = (hc_colspec){m->columns.segment, HC_COL_TEXT,
                          m->n_segments > 0};
    s[c++] = (hc_colspec){m->columns.arr, HC_COL_NUM, 0};
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const char *col = m->components[k].metrics[j].column;
            size_t i = 0;
            while (i < c && strcmp(s[i].name, col) != 0)
                i++;
            if (i < c) {
                /* A metric on a role column (arr) makes that column
                 * required; its type stays the role's. */
                s[i].required = 1;
                continue;
            }
            s[c++] = (hc_colspec){col, HC_COL_NUM, 1};
        }
    *specs = s;
    *n = c;
    return HC_OK;
}

hc_status hc_model_bind(hc_model *m, const hc_table *t, hc_error *err)
{
    int acc, date, seg, arr;
    hc_status st;
    if ((st = hc_model_find_column(m, t, "columns.account_id",
                                   m->columns.account_id, HC_COL_TEXT, 1,
                                   &acc, err)) != HC_OK ||
        (st = hc_model_find_column(m, t, "columns.snapshot_date",
                                   m->columns.snapshot_date, HC_COL_DATE, 1,
                                   &date, err)) != HC_OK ||
        (st = hc_model_find_column(m, t, "columns.segment",
                                   m->columns.segment, HC_COL_TEXT,
                                   m->n_segments > 0, &seg, err)) != HC_OK ||
        (st = hc_model_find_column(m, t, "columns.arr", m->columns.arr,
                                   HC_COL_NUM, 0, &arr, err)) != HC_OK)
        return st;
    char key[128];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column",
                     k, j);
            if ((st = hc_model_find_column(
                     m, t, key, m->components[k].metrics[j].column,
                     HC_COL_NUM, 1, &c, err)) != HC_OK)
                return st;
        }
    /* Everything resolved: only now store, so a failure changes nothing. */
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++)
            m->components[k].metrics[j].col =
                hc_table_find(t, m->components[k].metrics[j].column);
    m->col_account_id = acc;
    m->col_snapshot_date = date;
    m->col_segment = seg;
    m->col_arr = arr;
    return HC_OK;
}

int hc_model_has_quantiles(const hc_model *m, int uncut)
{
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            const hc_transform *tf = &m->components[k].metrics[j].transform;
            if (tf->type == HC_TF_QUANTILE && (!uncut || !tf->cuts))
                return 1;
        }
    return 0;
}

hc_status hc_model_learn_quantiles(hc_model *m, const hc_table *t,
                                   const size_t *rows, size_t n,
                                   hc_error *err)
{
    char key[128];
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++) {
            hc_metric *mt = &m->components[k].metrics[j];
            if (mt->transform.type != HC_TF_QUANTILE)
                continue;
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column",
                     k, j);
            hc_status st = hc_model_find_column(m, t, key, mt->column,
                                                HC_COL_NUM, 1, &c, err);
            if (st != HC_OK)
                return st;
            hc_error e;
            hc_error_clear(&e);
            st = hc_transform_learn_quantiles(&mt->transform,
                                              t->cols[c].num, rows, n, &e);
            if (st != HC_OK)
                return hc_error_set(err, st, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].transform:"
                                    " column '%s': %s", k, j, mt->column,
                                    e.message);
        }
    return HC_OK;
}
