/* model.c - the score model's lifecycle (alloc, free, deep copy) and its lookups by name and by score. */
#include "hc_model.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

const char *const hc_model_role_columns[4] = {"account_id", "snapshot_date",
                                              "segment", "arr"};

hc_model *hc_model_alloc(const char *source)
{
    hc_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->source = strdup(source ? source : "<memory>");
    m->columns.account_id = strdup(hc_model_role_columns[0]);
    m->columns.snapshot_date = strdup(hc_model_role_columns[1]);
    m->columns.segment = strdup(hc_model_role_columns[2]);
    m->columns.arr = strdup(hc_model_role_columns[3]);
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
        free(c->metrics[j].seasonal);
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
    hc_recal_release(m->recalibration);
    free(m->recalibration);
    free(m->source);
    free(m->name);
    free(m->columns.account_id);
    free(m->columns.snapshot_date);
    free(m->columns.segment);
    free(m->columns.arr);
    free(m->columns.event_date);
    free(m->columns.event_type);
    free(m->columns.amount);
    json_decref(m->event_map);
    hc_rollup_free(m->rollup);
    hc_segkey_free(m->segkey);
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
    c->columns.event_date = dup_str(m->columns.event_date);
    c->columns.event_type = dup_str(m->columns.event_type);
    c->columns.amount = dup_str(m->columns.amount);
    ok &= (!m->columns.event_date || c->columns.event_date) &&
          (!m->columns.event_type || c->columns.event_type) &&
          (!m->columns.amount || c->columns.amount);
    c->event_map = m->event_map ? json_deep_copy(m->event_map) : NULL;
    ok &= !m->event_map || c->event_map;
    c->rollup = hc_rollup_copy(m->rollup);
    ok &= !m->rollup || c->rollup;
    c->segkey = hc_segkey_copy(m->segkey);
    ok &= !m->segkey || c->segkey;
    c->fit = m->fit ? json_deep_copy(m->fit) : NULL;
    c->provenance = m->provenance ? json_deep_copy(m->provenance) : NULL;
    ok &= (!m->fit || c->fit) && (!m->provenance || c->provenance);
    c->expansion.coef = dup_doubles(m->expansion.coef, m->n_components);
    ok &= !m->expansion.coef || c->expansion.coef;
    c->recalibration = NULL;
    if (m->recalibration) {
        c->recalibration = malloc(sizeof *c->recalibration);
        if (c->recalibration &&
            hc_recal_copy(c->recalibration, m->recalibration, NULL) != HC_OK) {
            free(c->recalibration);
            c->recalibration = NULL;
        }
        ok &= c->recalibration != NULL;
    }

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
                mt->trend = from->metrics[j].trend;
                mt->trend_days = from->metrics[j].trend_days;
                mt->column = dup_str(from->metrics[j].column);
                if (from->metrics[j].seasonal) { /* seasonal adjustment */
                    mt->seasonal = malloc(sizeof *mt->seasonal);
                    if (!mt->seasonal)
                        goto fail;
                    *mt->seasonal = *from->metrics[j].seasonal;
                }
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
