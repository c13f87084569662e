/* fit_annotate.c - provenance and fit statistics recorded in the tuned config. */
#include "hc_fit.h"
#include "hc_date.h"
#include "hc_provenance.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <time.h>

static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *date_string(int32_t day)
{
    char buf[11];
    hc_date_format(day, buf);
    return json_string(buf);
}

/* One row per term of a logistic fit, in the coefficient-table layout of
 * `healthcal fit --coef-out`. */
static json_t *coef_table(const hc_logreg_result *r, const char *const *names)
{
    json_t *rows = json_array();
    for (size_t j = 0; rows && j <= r->p; j++) {
        json_t *row = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                                "term", j == 0 ? "(intercept)" : names[j - 1],
                                "estimate", real_or_null(r->coef[j]),
                                "std_error", real_or_null(r->se[j]),
                                "z", real_or_null(r->z[j]),
                                "p_value", real_or_null(r->p_value[j]),
                                "ci_low", real_or_null(r->ci_low[j]),
                                "ci_high", real_or_null(r->ci_high[j]));
        if (row && r->robust_se)
            json_object_set_new(row, "robust_se", real_or_null(r->robust_se[j]));
        json_array_append_new(rows, row);
    }
    return rows;
}

static json_t *fit_summary(const hc_logreg_result *r)
{
    return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:i, s:I, s:s, s:b}",
                     "rows", (json_int_t)r->n, "events", (json_int_t)r->n_events,
                     "loglik", real_or_null(r->loglik),
                     "deviance", real_or_null(r->deviance),
                     "null_deviance", real_or_null(r->null_deviance),
                     "aic", real_or_null(r->aic), "iterations", r->iterations,
                     "clusters", (json_int_t)r->n_clusters,
                     "se_used", r->se_label,
                     "robust_inference", r->robust_inference);
}

/* A dropped component as it stood in the fit it was dropped from. */
static json_t *dropped_json(const hc_fit_dropped *d, const char *se_used)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:I}",
                     "estimate", real_or_null(d->estimate),
                     "std_error", real_or_null(d->std_error),
                     "robust_se", d->robust ? real_or_null(d->robust_se) : json_null(),
                     "z", real_or_null(d->z), "p_value", real_or_null(d->p_value),
                     "ci_low", real_or_null(d->ci_low),
                     "ci_high", real_or_null(d->ci_high), "se_used", se_used,
                     "refit_step", (json_int_t)d->step);
}

/* The segments' shrinkage strength; k is null when infinite (tau^2 = 0). */
static json_t *shrinkage_json(const hc_fit_shrinkage *k)
{
    const char *method = k->fixed ? "fixed k = 10 K: no component has an own-fit estimate in 3 or more segments"
                                  : "empirical Bayes: k = sigma^2 / tau^2, tau^2 by "
                                    "DerSimonian-Laird method of moments";
    return json_pack("{s:o, s:b, s:o, s:o, s:I, s:I, s:s}", "k",
                     isinf(k->k) ? json_null() : real_or_null(k->k), "k_infinite",
                     isinf(k->k), "tau2", real_or_null(k->tau2), "sigma2",
                     real_or_null(k->sigma2), "segments", (json_int_t)k->segments,
                     "components", (json_int_t)k->components, "method", method);
}

/* The recalibration step: the split and calibration on the holdout before
 * and after the map (the map itself is churn_model.recalibration). */
static json_t *recal_json(const hc_fit_recal *r)
{
    json_t *o = json_pack(
        "{s:s, s:o, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
        "method", hc_recal_method_name(r->method), "holdout_fraction",
        real_or_null(r->holdout_fraction), "embargo_days", r->embargo_days,
        "candidate_rows", (json_int_t)r->candidate_rows, "candidate_dates",
        (json_int_t)r->candidate_dates, "holdout_dates", (json_int_t)r->holdout_dates,
        "fit_rows", (json_int_t)r->fit_rows, "embargoed_rows",
        (json_int_t)r->embargoed_rows, "holdout_rows", (json_int_t)r->holdout_rows,
        "holdout_unscored", (json_int_t)r->holdout_unscored, "holdout_accounts",
        (json_int_t)r->holdout_accounts, "holdout_churners",
        (json_int_t)r->holdout_churners, "fit_first_date", date_string(r->fit_first_date),
        "fit_last_date", date_string(r->fit_last_date), "holdout_first_date",
        date_string(r->holdout_first_date), "holdout_last_date",
        date_string(r->holdout_last_date));
    json_t *before = json_pack("{s:o, s:o, s:o}", "calibration_intercept",
                               real_or_null(r->before_intercept), "calibration_slope",
                               real_or_null(r->before_slope), "brier",
                               real_or_null(r->before_brier));
    json_t *after = json_pack("{s:o, s:o, s:o, s:s}", "calibration_intercept",
                              real_or_null(r->after_intercept), "calibration_slope",
                              real_or_null(r->after_slope), "brier",
                              real_or_null(r->after_brier), "note",
                              "measured on the holdout the map was fitted on: "
                              "in-sample for the map");
    if (o) {
        json_object_set_new(o, "holdout_before", before ? before : json_null());
        json_object_set_new(o, "holdout_after", after ? after : json_null());
        json_object_set_new(o, "weights_refitted_on_all_rows", json_false());
    } else {
        json_decref(before);
        json_decref(after);
    }
    return o ? o : json_null();
}

hc_status hc_fit_annotate(hc_fit_result *res, const hc_history *h,
                          const char *snapshots_path, const char *events_path,
                          const char *version, hc_error *err)
{
    const hc_model *m = res->tuned;
    const hc_labels *l = &h->labels;
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);

    json_t *prov = json_pack(
        "{s:s, s:s, s:s, s:s?, s:I, s:I, s:o, s:o, s:o, s:i, s:i, "
        "s:I, s:I, s:I, s:I, s:I}",
        "tool", "healthcal", "version", version, "snapshots", snapshots_path,
        "events", events_path, "snapshot_rows", (json_int_t)h->snapshots.table->n_rows,
        "accounts", (json_int_t)h->snapshots.n_accounts,
        "first_date", date_string(h->snapshots.first_date),
        "last_date", date_string(h->snapshots.last_date), "as_of", date_string(l->as_of),
        "horizon_days", l->horizon, "lead_days", l->lead,
        "observations", (json_int_t)l->observations, "censored", (json_int_t)l->censored,
        "post_churn", (json_int_t)l->post_churn,
        "churn_events", (json_int_t)(h->has_events ? h->events.by_type[HC_EVENT_CHURN] : 0),
        "expansion_events",
        (json_int_t)(h->has_events ? h->events.by_type[HC_EVENT_EXPANSION] : 0));
    if (prov)
        json_object_set_new(prov, "created", json_string(created));
    /* The fingerprint validate and backtest compare their rows with. */
    json_t *fit_rows = hc_provenance_fit_rows(m, h);
    if (prov && fit_rows)
        json_object_set_new(prov, "fit_rows", fit_rows);
    else
        json_decref(fit_rows);

    const char *kept_names[256];
    for (size_t j = 0; j < res->n_kept; j++)
        kept_names[j] = m->components[res->kept[j]].name;
    const char *all_names[256];
    for (size_t c = 0; c < res->n_components; c++)
        all_names[c] = m->components[c].name;

    /* A dropped component's weight is 0 by construction and has no
     * interval (null); its estimate before the drop says how wrong the
     * sign was. */
    json_t *weights = json_array();
    for (size_t c = 0; weights && c < res->n_components; c++) {
        int dr = res->dropped[c];
        json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
                              "component", all_names[c],
                              "old_weight", real_or_null(res->old_weight[c]),
                              "new_weight", real_or_null(res->new_weight[c]),
                              "ci_low", dr ? json_null() : real_or_null(res->weight_ci_low[c]),
                              "ci_high", dr ? json_null() : real_or_null(res->weight_ci_high[c]),
                              "beta", real_or_null(res->beta[c]),
                              "beta_se", real_or_null(res->beta_se[c]),
                              "dropped_wrong_sign", dr);
        if (o && dr)
            json_object_set_new(o, "before_drop",
                                dropped_json(&res->dropped_fit[c], res->churn.se_label));
        json_array_append_new(weights, o);
    }
    json_t *fit = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
                            "candidate_rows", (json_int_t)res->n_candidates,
                            "fit_rows", (json_int_t)res->n_fit,
                            "incomplete_rows", (json_int_t)res->n_incomplete,
                            "churn_events", (json_int_t)res->n_events,
                            "in_sample_auc", real_or_null(res->in_sample_auc),
                            "weights", weights ? weights : json_null(),
                            "churn", coef_table(&res->churn, kept_names),
                            "churn_summary", fit_summary(&res->churn));
    if (fit && res->has_expansion) {
        json_object_set_new(fit, "expansion", coef_table(&res->expansion, all_names));
        json_object_set_new(fit, "expansion_summary", fit_summary(&res->expansion));
    } else if (fit && res->expansion_note[0]) {
        json_object_set_new(fit, "expansion_note", json_string(res->expansion_note));
    }
    if (fit && res->n_segments) {
        json_t *segs = json_array();
        for (size_t s = 0; segs && s < res->n_segments; s++) {
            const hc_fit_segment *fs = &res->segments[s];
            json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:o, s:b, s:b, s:s}",
                                  "segment", fs->name, "rows", (json_int_t)fs->rows,
                                  "events", (json_int_t)fs->events, "accounts",
                                  (json_int_t)fs->accounts, "churned_accounts",
                                  (json_int_t)fs->churned_accounts, "merged", fs->merged,
                                  "credibility", real_or_null(fs->credibility), "own_fit",
                                  fs->own_fit, "calibrated", fs->calibrated, "note",
                                  fs->note);
            json_array_append_new(segs, o);
        }
        json_object_set_new(fit, "segments", segs);
        json_object_set_new(fit, "segment_shrinkage", shrinkage_json(&res->shrinkage));
        json_object_set_new(fit, "segment_rule",
                            json_string("Buhlmann-Straub credibility Z = C/(C + k), "
                                        "C the segment's churned accounts, k = "
                                        "sigma^2/tau^2 by empirical Bayes "
                                        "(DerSimonian-Laird tau^2 of the segments' "
                                        "own weights; 10 K with fewer than 3 "
                                        "segments), toward the pooled weights, "
                                        "then a per-segment intercept and slope "
                                        "on H shrunk by the same Z"));
        if (prov)
            json_object_set_new(prov, "segment_shrinkage_k",
                                isinf(res->shrinkage.k) ? json_null()
                                                        : real_or_null(res->shrinkage.k));
    }
    if (fit && res->recalibrated)
        json_object_set_new(fit, "recalibration", recal_json(&res->recal));
    if (!prov || !fit) {
        json_decref(prov);
        json_decref(fit);
        return hc_error_nomem(err);
    }
    hc_model_set_provenance(res->tuned, prov);
    /* The name is copied out before hc_model_set_name frees the old one. */
    char name[600], day[11];
    hc_date_format(l->as_of, day);
    const char *cur = m->name;
    if (cur && strlen(cur) <= 200)
        snprintf(name, sizeof name, "tuned from \"%s\" by healthcal (data to %s)", cur, day);
    else
        snprintf(name, sizeof name, "tuned by healthcal (data to %s)", day);
    hc_model_set_fit(res->tuned, fit);
    return hc_model_set_name(res->tuned, name, err);
}
