/* coef_table_json.c - coefficient and weight tables as JSON documents (for --format json|csv). */
#include "hc_coef_table.h"

#include <jansson.h>
#include <math.h>

/* A number, or null when it is not finite (JSON has no NaN). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int set(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v);
}

static json_t *coef_row(const char *term, double estimate, double se, int robust,
                        double robust_se, double z, double p, double lo, double hi,
                        const char *status)
{
    json_t *r = json_object();
    if (!r)
        return NULL;
    int bad = set(r, "term", json_string(term)) || set(r, "estimate", num(estimate)) ||
              set(r, "std_error", num(se)) ||
              (robust && set(r, "robust_se", num(robust_se))) || set(r, "z", num(z)) ||
              set(r, "p_value", num(p)) || set(r, "ci_low", num(lo)) ||
              set(r, "ci_high", num(hi)) || set(r, "odds_ratio", num(exp(estimate))) ||
              (status && set(r, "status", json_string(status)));
    if (bad) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* The fit's scalars and its coefficient rows (terms of the model). */
static json_t *fit_document(const hc_logreg_result *res, const char *const *names,
                            const char *status)
{
    json_t *doc = json_object(), *rows = json_array();
    if (!doc || !rows) {
        json_decref(doc);
        json_decref(rows);
        return NULL;
    }
    int bad = set(doc, "se_used", json_string(res->se_label)) ||
              set(doc, "n", json_integer((json_int_t)res->n)) ||
              set(doc, "events", json_integer((json_int_t)res->n_events)) ||
              set(doc, "deviance", num(res->deviance)) ||
              set(doc, "null_deviance", num(res->null_deviance)) ||
              set(doc, "aic", num(res->aic)) ||
              set(doc, "iterations", json_integer(res->iterations)) ||
              (res->robust_se && set(doc, "clusters", json_integer((json_int_t)res->n_clusters)));
    for (size_t j = 0; !bad && j <= res->p; j++)
        bad = json_array_append_new(
            rows, coef_row(j == 0 ? "(intercept)" : names[j - 1], res->coef[j], res->se[j],
                           res->robust_se != NULL, res->robust_se ? res->robust_se[j] : 0,
                           res->z[j], res->p_value[j], res->ci_low[j], res->ci_high[j],
                           status));
    if (bad || set(doc, "coefficients", rows)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *hc_coef_table_to_json(const hc_logreg_result *res, const char *const *names)
{
    return fit_document(res, names, NULL);
}

static json_t *weight_row(const hc_fit_result *r, size_t c)
{
    json_t *w = json_object();
    if (!w)
        return NULL;
    double beta = r->beta[c], se = r->beta_se[c], lo = NAN, hi = NAN;
    double wlo = r->weight_ci_low[c], whi = r->weight_ci_high[c];
    if (r->dropped[c]) {
        const hc_fit_dropped *d = &r->dropped_fit[c];
        beta = d->estimate;
        se = d->robust ? d->robust_se : d->std_error;
        lo = d->ci_low;
        hi = d->ci_high;
        wlo = whi = NAN;
    } else {
        for (size_t j = 0; j < r->n_kept; j++)
            if (r->kept[j] == c) {
                lo = r->churn.ci_low[j + 1];
                hi = r->churn.ci_high[j + 1];
            }
    }
    int bad = set(w, "component", json_string(r->tuned->components[c].name)) ||
              set(w, "old_weight", num(r->old_weight[c])) ||
              set(w, "new_weight", num(r->new_weight[c])) ||
              set(w, "weight_ci_low", num(wlo)) || set(w, "weight_ci_high", num(whi)) ||
              set(w, "beta", num(beta)) || set(w, "beta_se", num(se)) ||
              set(w, "beta_ci_low", num(lo)) || set(w, "beta_ci_high", num(hi)) ||
              set(w, "status", json_string(r->dropped[c] ? "dropped: wrong sign" : "kept"));
    if (bad) {
        json_decref(w);
        return NULL;
    }
    return w;
}

static json_t *segment_row(const hc_fit_segment *g)
{
    json_t *s = json_object();
    if (!s)
        return NULL;
    int bad = set(s, "segment", json_string(g->name)) ||
              set(s, "rows", json_integer((json_int_t)g->rows)) ||
              set(s, "events", json_integer((json_int_t)g->events)) ||
              set(s, "churned_accounts", json_integer((json_int_t)g->churned_accounts)) ||
              set(s, "accounts", json_integer((json_int_t)g->accounts)) ||
              set(s, "merged", json_boolean(g->merged)) ||
              set(s, "credibility", num(g->credibility)) ||
              set(s, "intercept", num(g->intercept)) || set(s, "slope", num(g->slope)) ||
              set(s, "note", json_string(g->note));
    if (bad) {
        json_decref(s);
        return NULL;
    }
    return s;
}

json_t *hc_coef_table_fit_to_json(const hc_fit_result *r)
{
    const char *names[256];
    for (size_t j = 0; j < r->n_kept && j < 256; j++)
        names[j] = r->tuned->components[r->kept[j]].name;
    json_t *doc = fit_document(&r->churn, names, "kept");
    json_t *weights = json_array(), *segments = json_array();
    int bad = !doc || !weights || !segments;
    for (size_t c = 0; !bad && c < r->n_components; c++)
        bad = json_array_append_new(weights, weight_row(r, c));
    for (size_t s = 0; !bad && s < r->n_segments; s++)
        bad = json_array_append_new(segments, segment_row(&r->segments[s]));
    if (bad || set(doc, "horizon_days", json_integer(r->tuned->horizon_days)) ||
        set(doc, "churn_intercept", num(r->tuned->churn.intercept)) ||
        set(doc, "churn_slope", num(r->tuned->churn.slope)) ||
        set(doc, "fit_rows", json_integer((json_int_t)r->n_fit)) ||
        set(doc, "observations", json_integer((json_int_t)r->n_candidates)) ||
        set(doc, "rows_missing_component", json_integer((json_int_t)r->n_incomplete)) ||
        set(doc, "in_sample_auc", num(r->in_sample_auc)) || set(doc, "weights", weights) ||
        set(doc, "segments", segments)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
