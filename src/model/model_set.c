/* model_set.c - the setters that build or change a model one part at a time, each validating its input and leaving the model unchanged on error. */
#include "hc_model.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

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
                                hc_model_role_columns[i]);
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
    mt.trend = HC_TREND_NONE;
    mt.trend_days = 0;
    mt.seasonal = NULL;
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
    hc_status st = hc_model_check_weights(m, w, "components", m->source, err);
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
    hc_status st = hc_model_check_bands(n, bands, m->source, err);
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
    hc_status st = hc_model_check_churn(&c, "churn_model", m->source, err);
    if (st == HC_OK)
        m->churn = c;
    return st;
}

void hc_model_clear_churn(hc_model *m)
{
    m->churn.present = 0;
    m->churn.intercept = 0;
    m->churn.slope = 0;
    /* The map belongs to the churn model's probabilities. */
    hc_recal_release(m->recalibration);
    free(m->recalibration);
    m->recalibration = NULL;
}

hc_status hc_model_set_recalibration(hc_model *m, const hc_recalibration *r,
                                     hc_error *err)
{
    if (!r || r->method == HC_RECAL_NONE) {
        hc_recal_release(m->recalibration);
        free(m->recalibration);
        m->recalibration = NULL;
        return HC_OK;
    }
    if (!m->churn.present)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "churn_model.recalibration: the config has no "
                            "churn model to recalibrate");
    hc_status st = hc_recal_validate(r, "churn_model.recalibration", m->source, err);
    if (st != HC_OK)
        return st;
    hc_recalibration *c = malloc(sizeof *c);
    if (!c)
        return hc_error_nomem(err);
    if ((st = hc_recal_copy(c, r, err)) != HC_OK) {
        free(c);
        return st;
    }
    hc_recal_release(m->recalibration);
    free(m->recalibration);
    m->recalibration = c;
    return HC_OK;
}

hc_status hc_model_set_expansion(hc_model *m, double intercept,
                                 const double *coef, hc_error *err)
{
    hc_expansion_model e;
    hc_status st = hc_model_make_expansion(m, intercept, coef,
                                           "expansion_model", &e, err);
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
