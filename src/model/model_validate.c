/* model_validate.c - the rules of the healthcal-model/1 schema, checked on a whole model or on one part before a setter stores it. */
#include "hc_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

hc_status hc_model_check_weights(const hc_model *m, const double *w,
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

hc_status hc_model_check_churn(const hc_churn_model *c, const char *path,
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

hc_status hc_model_check_expansion(const hc_model *m,
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

hc_status hc_model_check_bands(size_t n, const hc_band *bands,
                               const char *file, hc_error *err)
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

hc_status hc_model_make_expansion(const hc_model *m, double intercept,
                                  const double *coef, const char *path,
                                  hc_expansion_model *out, hc_error *err)
{
    out->present = 1;
    out->intercept = intercept;
    out->coef = (double *)coef;
    hc_status st = hc_model_check_expansion(m, out, path, m->source, err);
    out->coef = NULL;
    if (st != HC_OK)
        return st;
    out->coef = dup_doubles(coef, m->n_components);
    if (!out->coef)
        return hc_error_nomem(err);
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
                                hc_model_role_columns[i]);
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
            if (mt->trend != HC_TREND_NONE &&
                (mt->trend_days < 1 || mt->trend_days > 3650))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "components[%zu].metrics[%zu].trend.days: must be "
                                    "1 to 3650 (got %d)", k, j, mt->trend_days);
            snprintf(path, sizeof path, "components[%zu].metrics[%zu].seasonal", k, j);
            if (mt->seasonal && mt->transform.type == HC_TF_CATEGORICAL)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s: a categorical metric has no seasonal "
                                    "adjustment (its levels are not numbers)", path);
            if (mt->seasonal &&
                (st = hc_seasonal_validate(mt->seasonal, path, file, err)) != HC_OK)
                return st;
            if (mt->trend != HC_TREND_NONE &&
                mt->transform.type == HC_TF_CATEGORICAL)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "components[%zu].metrics[%zu].trend: a categorical "
                                    "metric has no trend (its levels are not numbers)",
                                    k, j);
        }
    }
    double *w = malloc(m->n_components * sizeof *w);
    if (!w)
        return hc_error_nomem(err);
    for (size_t k = 0; k < m->n_components; k++)
        w[k] = m->components[k].weight;
    st = hc_model_check_weights(m, w, "components", file, err);
    free(w);
    if (st != HC_OK)
        return st;
    if ((st = hc_model_check_bands(m->n_bands, m->bands, file, err)) != HC_OK)
        return st;
    if ((st = hc_model_check_churn(&m->churn, "churn_model", file, err)) !=
        HC_OK)
        return st;
    if (m->recalibration && m->recalibration->method != HC_RECAL_NONE) {
        if (!m->churn.present)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "churn_model.recalibration: the config has no "
                                "churn model to recalibrate");
        if ((st = hc_recal_validate(m->recalibration, "churn_model.recalibration",
                                    file, err)) != HC_OK)
            return st;
    }
    if ((st = hc_model_check_expansion(m, &m->expansion, "expansion_model",
                                       file, err)) != HC_OK)
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
            if ((st = hc_model_check_weights(m, sg->weights, path, file,
                                             err)) != HC_OK)
                return st;
        }
        snprintf(path, sizeof path, "segments.%s.churn_model", sg->value);
        if ((st = hc_model_check_churn(&sg->churn, path, file, err)) != HC_OK)
            return st;
        snprintf(path, sizeof path, "segments.%s.expansion_model",
                 sg->value);
        if ((st = hc_model_check_expansion(m, &sg->expansion, path, file,
                                           err)) != HC_OK)
            return st;
    }
    return HC_OK;
}
