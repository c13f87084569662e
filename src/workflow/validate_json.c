/* validate_json.c - the JSON form of a validation result (keys documented in hc_validate.h). */
#include "hc_outfile.h"
#include "hc_validate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "validate_season.h"

/* Adds `v` under `key`, remembering a failure (out of memory). */
static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static void push(json_t *a, json_t *v, int *bad)
{
    if (!a || !v || json_array_append_new(a, v) != 0)
        *bad = 1;
}

/* A number; null for NaN or infinity, which JSON cannot hold. */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *count(size_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *curve_json(const hc_metrics_curve *c, const char *xname,
                          const char *yname, int *bad)
{
    json_t *o = json_object(), *x = json_array(), *y = json_array();
    for (size_t i = 0; i < c->n; i++) {
        push(x, num(c->x[i]), bad);
        push(y, num(c->y[i]), bad);
    }
    put(o, xname, x, bad);
    put(o, yname, y, bad);
    return o;
}

/* A number of a piece that may be not estimable: null when it is not. */
static json_t *est(int estimable, double v)
{
    return estimable ? num(v) : json_null();
}

/* Appends {piece, reason} to the "not_estimable" array. */
static void not_estimable(json_t *a, const char *piece, const char *reason, int *bad)
{
    json_t *o = json_object();
    put(o, "piece", json_string(piece), bad);
    put(o, "reason", json_string(reason), bad);
    push(a, o, bad);
}

/* {estimate, se, ci_low, ci_high, se_naive, design_effect, method} of a
 * clustered ratio estimator. */
static json_t *ratio_json(const hc_metrics_ratio *r, const char *method, int *bad)
{
    json_t *o = json_object();
    put(o, "estimate", num(r->estimate), bad);
    put(o, "ci_low", num(r->ci_low), bad);
    put(o, "ci_high", num(r->ci_high), bad);
    put(o, "se", num(r->se), bad);
    put(o, "se_naive", num(r->se_naive), bad);
    put(o, "design_effect", num(r->design_effect), bad);
    put(o, "n_effective", num(r->n_effective), bad);
    put(o, "method", json_string(method), bad);
    return o;
}

/* A clustered Wald interval with its rows-independent one. */
static json_t *wald_json(double est, double lo, double hi, double se, double lo0, double hi0,
                         double deff, int clustered, int *bad)
{
    json_t *o = json_object();
    put(o, "estimate", num(est), bad);
    put(o, "ci_low", num(lo), bad);
    put(o, "ci_high", num(hi), bad);
    put(o, "se", num(se), bad);
    put(o, "ci_low_naive", num(lo0), bad);
    put(o, "ci_high_naive", num(hi0), bad);
    put(o, "design_effect", num(deff), bad);
    put(o, "method", json_string(clustered ? HC_VALIDATE_METHOD_SANDWICH : HC_VALIDATE_METHOD_WALD),
        bad);
    return o;
}

static json_t *boot_json(const hc_validate_clusters *c, const hc_metrics_boot_ci *b, int *bad)
{
    json_t *o = json_object();
    put(o, "estimate", num(b->estimate), bad);
    put(o, "ci_low", c->bootstrapped ? num(b->ci_low) : json_null(), bad);
    put(o, "ci_high", c->bootstrapped ? num(b->ci_high) : json_null(), bad);
    put(o, "se", c->bootstrapped ? num(b->se) : json_null(), bad);
    if (c->bootstrapped)
        put(o, "method", json_string(HC_VALIDATE_METHOD_BOOTSTRAP), bad);
    else
        put(o, "not_estimable", json_string(c->bootstrap_not_done), bad);
    return o;
}

/* The "clusters" object: accounts, design effects and every clustered
 * interval with its method. */
static json_t *clusters_json(const hc_validate_result *res, json_t *ne, int *bad)
{
    const hc_validate_clusters *c = &res->clusters;
    const hc_metrics_calibration_result *k = &res->calibration;
    json_t *o = json_object();
    put(o, "column", json_string(c->name), bad);
    put(o, "rows", count(res->summary.n), bad);
    put(o, "churner_rows", count(res->summary.positives), bad);
    put(o, "accounts", count(c->n_clusters), bad);
    put(o, "churned_accounts", count(c->churned_clusters), bad);
    put(o, "retained_accounts", count(c->retained_clusters), bad);
    put(o, "effective_sample", json_string(c->effective_text), bad);
    put(o, "design_effect_roc_auc", est(c->auc_estimable, c->auc.design_effect), bad);
    put(o, "design_effect_churn_rate",
        est(c->ratios_estimable, c->churn_rate.design_effect), bad);
    json_t *a = json_object();
    put(a, "estimate", num(res->summary.roc_auc), bad);
    put(a, "ci_low", est(c->auc_estimable, c->auc.ci.ci_low), bad);
    put(a, "ci_high", est(c->auc_estimable, c->auc.ci.ci_high), bad);
    put(a, "se", est(c->auc_estimable, c->auc.ci.se), bad);
    put(a, "ci_low_naive", est(c->auc_estimable, c->auc.ci_low_naive), bad);
    put(a, "ci_high_naive", est(c->auc_estimable, c->auc.ci_high_naive), bad);
    put(a, "se_naive", est(c->auc_estimable, c->auc.se_naive), bad);
    put(a, "design_effect", est(c->auc_estimable, c->auc.design_effect), bad);
    put(a, "churned_accounts", count(c->auc.n_pos_clusters), bad);
    put(a, "retained_accounts", count(c->auc.n_neg_clusters), bad);
    if (c->auc_estimable) {
        put(a, "method", json_string(HC_VALIDATE_METHOD_OBUCHOWSKI), bad);
    } else {
        put(a, "not_estimable", json_string(c->auc_not_estimable), bad);
        not_estimable(ne, "clustered ROC AUC interval", c->auc_not_estimable, bad);
    }
    put(o, "roc_auc", a, bad);
    if (c->ratios_estimable) {
        put(o, "churn_rate", ratio_json(&c->churn_rate, HC_VALIDATE_METHOD_RATIO_WILSON, bad), bad);
        put(o, "brier", ratio_json(&c->brier, HC_VALIDATE_METHOD_RATIO, bad), bad);
        put(o, "log_loss", ratio_json(&c->log_loss, HC_VALIDATE_METHOD_RATIO, bad), bad);
    }
    const hc_metrics_calibration_clustered *g = &c->calibration;
    int ok = c->calibration_estimable;
    put(o, "calibration_intercept",
        wald_json(k->intercept, res->intercept_ci_low, res->intercept_ci_high,
                  ok ? g->intercept_se : k->intercept_se, c->intercept_ci_low_naive,
                  c->intercept_ci_high_naive, ok ? g->intercept_deff : 1.0, ok, bad), bad);
    put(o, "calibration_slope",
        wald_json(k->slope, res->slope_ci_low, res->slope_ci_high,
                  ok ? g->slope_se : k->slope_se, c->slope_ci_low_naive,
                  c->slope_ci_high_naive, ok ? g->slope_deff : 1.0, ok, bad), bad);
    put(o, "calibration_in_the_large",
        wald_json(k->in_the_large, res->citl_ci_low, res->citl_ci_high,
                  ok ? g->in_the_large_se : k->in_the_large_se, c->citl_ci_low_naive,
                  c->citl_ci_high_naive, ok ? g->in_the_large_deff : 1.0, ok, bad), bad);
    json_t *b = json_object();
    put(b, "replicates", count(c->boot.replicates), bad);
    put(b, "used", count(c->boot.used), bad);
    put(b, "seed", json_integer((json_int_t)c->boot.seed), bad);
    put(b, "resamples", json_string("accounts, with replacement, all rows of each kept"), bad);
    if (!c->bootstrapped)
        put(b, "not_done", json_string(c->bootstrap_not_done), bad);
    put(o, "bootstrap", b, bad);
    put(o, "pr_auc", boot_json(c, &c->boot.pr_auc, bad), bad);
    put(o, "ks", boot_json(c, &c->boot.ks, bad), bad);
    put(o, "ece", boot_json(c, &c->boot.ece, bad), bad);
    put(o, "lift_top_decile", boot_json(c, &c->boot.lift_top_decile, bad), bad);
    put(o, "capture_top_decile", boot_json(c, &c->boot.capture_top_decile, bad), bad);
    put(o, "hosmer_lemeshow", json_string(HC_VALIDATE_HL_ASSUMPTION), bad);
    return o;
}

/* The units of the band table and where its churned ARR came from, for
 * the "band_units" object. */
static json_t *band_units_json(const hc_validate_result *res, int *bad)
{
    json_t *u = json_object();
    put(u, "snapshots", json_string("snapshots (rows) in the band: an account counts "
                                    "once per snapshot"), bad);
    put(u, "churn_rate", json_string("churner snapshots / snapshots: the chance that a "
                                     "snapshot in the band is followed by a churn within "
                                     "the horizon"), bad);
    if (!res->has_band_accounts) {
        put(u, "accounts", json_string("not computed: the rows have no account codes"), bad);
        return u;
    }
    const hc_metrics_bands_accounts_result *a = &res->band_accounts;
    put(u, "accounts", json_string("distinct accounts with an evaluated snapshot in the "
                                   "band: an account that moved counts in each band it "
                                   "visited"), bad);
    put(u, "accounts_latest", json_string("each account once, in the band of its latest "
                                          "evaluated snapshot (sums to the accounts)"), bad);
    put(u, "churned_accounts", json_string("each churned account once, in the band of its "
                                           "last evaluated snapshot before its churn"), bad);
    put(u, "arr_accounts", json_string("ARR counted once per account: its latest "
                                       "snapshot in the band"), bad);
    put(u, "arr_latest", json_string("ARR of each account at its latest evaluated "
                                     "snapshot (sums to the book's ARR)"), bad);
    put(u, "churned_arr_events",
        json_string(a->has_amounts
                        ? "the amount of each churned account's churn event, attributed "
                          "like churned_accounts; an event without an amount counts the "
                          "ARR at the account's last churner snapshot"
                        : "no events: the ARR at each churned account's last churner "
                          "snapshot, attributed like churned_accounts"), bad);
    put(u, "churned_arr_from_event_amount", count(a->churned_with_amount), bad);
    put(u, "churned_arr_from_last_snapshot_arr", count(a->churned_from_arr), bad);
    return u;
}

static json_t *bands_json(const hc_validate_result *res, json_t *ne, int *bad)
{
    json_t *a = json_array();
    const hc_metrics_bands_accounts_result *ba =
        res->has_band_accounts ? &res->band_accounts : NULL;
    for (size_t k = 0; k < res->bands.n_bands; k++) {
        const hc_metrics_band *b = &res->bands.bands[k];
        char why[200];
        hc_validate_band_not_estimable(res, k, why, sizeof why);
        int ok = why[0] == '\0';
        json_t *o = json_object();
        put(o, "name", json_string(res->band_names[k]), bad);
        if (res->band_mins)
            put(o, "min", num(res->band_mins[k]), bad);
        put(o, "snapshots", count(b->accounts), bad);
        put(o, "snapshot_share", num(b->share), bad);
        put(o, "churner_snapshots", count(b->churners), bad);
        put(o, "churn_rate", est(ok, b->churn_rate), bad);
        put(o, "churn_rate_ci_low", est(ok, b->rate_ci_low), bad);
        put(o, "churn_rate_ci_high", est(ok, b->rate_ci_high), bad);
        put(o, "churn_rate_ci_method",
            json_string(res->bands.clustered ? HC_VALIDATE_METHOD_RATIO_WILSON
                                             : HC_VALIDATE_METHOD_WILSON), bad);
        if (res->bands.clustered) {
            put(o, "churn_rate_ci_low_naive", est(ok, b->naive_ci_low), bad);
            put(o, "churn_rate_ci_high_naive", est(ok, b->naive_ci_high), bad);
            put(o, "design_effect", est(ok, b->design_effect), bad);
            /* the clusters of the interval (the account id unless
             * --cluster-col names another column) */
            put(o, "clusters", count(b->clusters), bad);
            put(o, "clusters_with_churner_snapshot", count(b->churned_clusters), bad);
        }
        if (!ok) {
            put(o, "not_estimable", json_string(why), bad);
            char piece[160];
            snprintf(piece, sizeof piece, "band %s", res->band_names[k]);
            not_estimable(ne, piece, why, bad);
        }
        if (ba) {
            const hc_metrics_band_accounts *x = &ba->bands[k];
            put(o, "accounts", count(x->accounts), bad);
            put(o, "accounts_latest", count(x->accounts_latest), bad);
            put(o, "churned_accounts", count(x->churned_accounts), bad);
            put(o, "arr_accounts", num(x->arr), bad);
            put(o, "arr_latest", num(x->arr_latest), bad);
            put(o, "churned_arr_events", num(x->churned_arr), bad);
            put(o, "churned_arr_from_event_amount", count(x->churned_with_amount), bad);
            put(o, "churned_arr_from_last_snapshot_arr", count(x->churned_from_arr), bad);
        }
        push(a, o, bad);
    }
    return a;
}

/* The band table's totals in both units. */
static json_t *band_totals_json(const hc_validate_result *res, int *bad)
{
    json_t *o = json_object();
    put(o, "snapshots", count(res->bands.n), bad);
    put(o, "churner_snapshots", count(res->bands.churners), bad);
    if (res->has_band_accounts) {
        const hc_metrics_bands_accounts_result *a = &res->band_accounts;
        put(o, "accounts", count(a->accounts), bad);
        put(o, "churned_accounts", count(a->churned_accounts), bad);
        put(o, "arr_latest", num(a->arr_latest), bad);
        put(o, "churned_arr_events", num(a->churned_arr), bad);
        put(o, "churned_arr_from_event_amount", count(a->churned_with_amount), bad);
        put(o, "churned_arr_from_last_snapshot_arr", count(a->churned_from_arr), bad);
    }
    return o;
}

static json_t *lead_band_json(const hc_lead_time_band *b, int *bad)
{
    json_t *o = json_object();
    put(o, "churned_accounts_ever_in_band", count(b->ever), bad);
    put(o, "median_days", num(b->median_days), bad);
    put(o, "mean_days", num(b->mean_days), bad);
    json_t *a = json_array();
    for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
        json_t *e = json_object();
        put(e, "days_before_churn", json_integer(hc_lead_time_days[h]), bad);
        put(e, "churned_accounts_with_snapshot", count(b->with_row[h]), bad);
        put(e, "in_band", count(b->flagged[h]), bad);
        put(e, "share", num(b->share[h]), bad);
        put(e, "ci_low", num(b->ci_low[h]), bad);
        put(e, "ci_high", num(b->ci_high[h]), bad);
        push(a, e, bad);
    }
    put(o, "before_churn", a, bad);
    return o;
}

/* How early the score warns, and the practitioners' pass bars: red
 * churns at least 3x the base rate; two thirds of the churned accounts
 * below green 60 and 90 days before churning; at most 80% of the
 * accounts green (each in the band of its latest snapshot). */
static json_t *lead_time_json(const hc_validate_result *res, int *bad)
{
    const hc_lead_time_result *l = &res->lead_time;
    json_t *o = json_object();
    put(o, "unit", json_string("churned accounts (first churn event), their labelled "
                               "snapshots before it"), bad);
    put(o, "churned_accounts", count(l->churned_accounts), bad);
    put(o, "ci_method", json_string("Wilson over accounts"), bad);
    put(o, "red", lead_band_json(&l->red, bad), bad);
    put(o, "below_green", lead_band_json(&l->below_green, bad), bad);
    json_t *pb = json_object();
    double base = res->summary.base_rate;
    double lift = res->bands.n_bands && base > 0 ? res->bands.bands[0].churn_rate / base : NAN;
    put(pb, "red_rate_over_base", num(lift), bad);
    put(pb, "red_at_least_3x_base", isfinite(lift) ? json_boolean(lift >= 3.0) : json_null(),
        bad);
    double s60 = l->below_green.share[1], s90 = l->below_green.share[2];
    put(pb, "below_green_60_90_days_two_thirds",
        isfinite(s60) && isfinite(s90) ? json_boolean(s60 >= 2.0 / 3 && s90 >= 2.0 / 3)
                                       : json_null(), bad);
    const hc_metrics_bands_accounts_result *a = &res->band_accounts;
    double green = a->accounts && a->n_bands
                       ? (double)a->bands[a->n_bands - 1].accounts_latest / (double)a->accounts
                       : NAN;
    put(pb, "green_share_of_accounts", num(green), bad);
    put(pb, "green_at_most_80_percent", isfinite(green) ? json_boolean(green <= 0.8) : json_null(),
        bad);
    put(o, "pass_bars", pb, bad);
    return o;
}

/* Calibration by calendar month: the months with snapshots. */
static json_t *months_json(const hc_calendar_result *c, int *bad)
{
    static const char *const names[12] = {"January", "February", "March", "April",
                                          "May", "June", "July", "August",
                                          "September", "October", "November", "December"};
    json_t *a = json_array();
    for (int m = 0; m < 12; m++) {
        const hc_calendar_month *t = &c->month[m];
        if (!t->rows)
            continue;
        json_t *e = json_object();
        put(e, "month", json_integer(t->month), bad);
        put(e, "name", json_string(names[m]), bad);
        put(e, "snapshots", count(t->rows), bad);
        put(e, "accounts", count(t->accounts), bad);
        put(e, "churner_snapshots", count(t->churner_rows), bad);
        put(e, "predicted", num(t->predicted), bad);
        put(e, "observed", num(t->observed), bad);
        put(e, "observed_ci_low", est(t->estimable, t->observed_ci_low), bad);
        put(e, "observed_ci_high", est(t->estimable, t->observed_ci_high), bad);
        put(e, "observed_over_expected", est(t->estimable, t->oe), bad);
        put(e, "oe_ci_low", est(t->estimable, t->oe_ci_low), bad);
        put(e, "oe_ci_high", est(t->estimable, t->oe_ci_high), bad);
        put(e, "differs", t->estimable ? json_boolean(t->differs) : json_null(), bad);
        if (json_array_append_new(a, e))
            *bad = 1;
    }
    return a;
}

json_t *hc_validate_to_json(const hc_validate_result *res,
                            const hc_validate_source *src)
{
    int bad = 0;
    const hc_metrics_summary *s = &res->summary;
    const hc_metrics_calibration_result *c = &res->calibration;
    json_t *o = json_object();
    put(o, "schema", json_string("healthcal-validate/1"), &bad);
    if (src) {
        json_t *so = json_object();
        if (src->kind)
            put(so, "kind", json_string(src->kind), &bad);
        if (src->file)
            put(so, "file", json_string(src->file), &bad);
        if (src->column)
            put(so, "column", json_string(src->column), &bad);
        if (src->config)
            put(so, "config", json_string(src->config), &bad);
        put(so, "rows_read", count(src->rows_read), &bad);
        put(so, "rows_dropped", count(src->rows_dropped), &bad);
        if (src->cluster_column)
            put(so, "cluster_column", json_string(src->cluster_column), &bad);
        if (src->in_sample_known) {
            put(so, "in_sample", json_boolean(src->in_sample), &bad);
            if (src->in_sample_text)
                put(so, "in_sample_text", json_string(src->in_sample_text), &bad);
        }
        put(o, "source", so, &bad);
    }
    put(o, "n", count(s->n), &bad);
    put(o, "positives", count(s->positives), &bad);
    put(o, "base_rate", num(s->base_rate), &bad);
    put(o, "roc_auc", num(s->roc_auc), &bad);
    put(o, "roc_auc_ci_low", num(s->roc_auc_ci_low), &bad);
    put(o, "roc_auc_ci_high", num(s->roc_auc_ci_high), &bad);
    put(o, "roc_auc_ci_method",
        json_string(res->clusters.active && res->clusters.auc_estimable
                        ? HC_VALIDATE_METHOD_OBUCHOWSKI
                        : HC_VALIDATE_METHOD_DELONG), &bad);
    put(o, "pr_auc", num(s->pr_auc), &bad);
    put(o, "brier", num(s->brier), &bad);
    put(o, "scaled_brier", num(s->scaled_brier), &bad);
    put(o, "log_loss", num(s->log_loss), &bad);
    put(o, "ece", num(s->ece), &bad);
    put(o, "emax", num(s->emax), &bad);
    put(o, "eavg", num(s->eavg), &bad);
    put(o, "e90", num(s->e90), &bad);
    put(o, "calibration_intercept", num(c->intercept), &bad);
    put(o, "calibration_intercept_ci_low", num(res->intercept_ci_low), &bad);
    put(o, "calibration_intercept_ci_high", num(res->intercept_ci_high), &bad);
    put(o, "calibration_slope", num(c->slope), &bad);
    put(o, "calibration_slope_ci_low", num(res->slope_ci_low), &bad);
    put(o, "calibration_slope_ci_high", num(res->slope_ci_high), &bad);
    put(o, "calibration_in_the_large", num(c->in_the_large), &bad);
    put(o, "calibration_in_the_large_ci_low", num(res->citl_ci_low), &bad);
    put(o, "calibration_in_the_large_ci_high", num(res->citl_ci_high), &bad);
    put(o, "calibration_ci_method",
        json_string(res->clusters.active && res->clusters.calibration_estimable
                        ? HC_VALIDATE_METHOD_SANDWICH
                        : HC_VALIDATE_METHOD_WALD), &bad);
    json_t *ne = json_array();
    char why[200];
    hc_validate_hl_not_estimable(res, why, sizeof why);
    put(o, "hl_chi2", est(s->hl_estimable, s->hl_chi2), &bad);
    put(o, "hl_df", s->hl_estimable ? json_integer(s->hl_df) : json_null(), &bad);
    put(o, "hl_p", est(s->hl_estimable, s->hl_p), &bad);
    put(o, "hl_groups", count(s->hl_groups), &bad);
    put(o, "hl_assumption", json_string(HC_VALIDATE_HL_ASSUMPTION), &bad);
    if (!s->hl_estimable) {
        put(o, "hl_not_estimable", json_string(why), &bad);
        not_estimable(ne, "Hosmer-Lemeshow", why, &bad);
    }
    put(o, "calibration_clipped_rows", count(c->n_clipped), &bad);
    put(o, "ks", num(s->ks), &bad);
    put(o, "lift_top_decile", num(s->lift_top_decile), &bad);
    put(o, "capture_top_decile", num(s->capture_top_decile), &bad);

    json_t *conv = json_object();
    put(conv, "ece", json_string(HC_VALIDATE_CONVENTION_ECE), &bad);
    put(conv, "ece_bins", json_integer(10), &bad);
    put(conv, "ece_binning", json_string("equal width"), &bad);
    put(conv, "log_loss", json_string(HC_VALIDATE_CONVENTION_LOG_LOSS), &bad);
    put(conv, "clip_eps", json_real(HC_METRICS_CLIP_EPS), &bad);
    put(conv, "hosmer_lemeshow", json_string(HC_VALIDATE_CONVENTION_HL), &bad);
    put(conv, "lift", json_string(HC_VALIDATE_CONVENTION_LIFT), &bad);
    put(conv, "lift_rows", count((s->n + 9) / 10), &bad);
    put(conv, "reliability", json_string(HC_VALIDATE_CONVENTION_RELIABILITY), &bad);
    put(o, "conventions", conv, &bad);

    put(o, "leakage_auc", num(res->leakage_auc), &bad);
    if (res->recal.present) {
        const hc_validate_recal *rc = &res->recal;
        json_t *j = json_object();
        put(j, "method", json_string(rc->method), &bad);
        put(j, "out_of_time", json_boolean(rc->out_of_time), &bad);
        put(j, "rows", json_integer((json_int_t)rc->rows), &bad);
        put(j, "rows_in_holdout", json_integer((json_int_t)rc->rows_in_holdout), &bad);
        put(j, "calibration_slope_before", rc->ok ? num(rc->slope_before) : json_null(), &bad);
        put(j, "calibration_slope_after", rc->ok ? num(rc->slope_after) : json_null(), &bad);
        put(j, "calibration_intercept_before", rc->ok ? num(rc->intercept_before) : json_null(),
            &bad);
        put(j, "calibration_intercept_after", rc->ok ? num(rc->intercept_after) : json_null(),
            &bad);
        put(j, "calibration_in_the_large_before",
            rc->ok ? num(rc->in_the_large_before) : json_null(), &bad);
        put(j, "calibration_in_the_large_after",
            rc->ok ? num(rc->in_the_large_after) : json_null(), &bad);
        put(j, "brier_before", rc->ok ? num(rc->brier_before) : json_null(), &bad);
        put(j, "brier_after", rc->ok ? num(rc->brier_after) : json_null(), &bad);
        put(j, "note", json_string(rc->note), &bad);
        put(o, "recalibration", j, &bad);
    }
    json_t *warn = json_array();
    for (size_t k = 0; k < res->n_warnings; k++)
        push(warn, json_string(res->warnings[k]), &bad);
    put(o, "warnings", warn, &bad);
    if (res->n_components) {
        json_t *a = json_array();
        for (size_t k = 0; k < res->n_components; k++) {
            const hc_validate_component *x = &res->components[k];
            json_t *e = json_object();
            put(e, "name", json_string(x->name), &bad);
            put(e, "n", count(x->n), &bad);
            put(e, "churners", count(x->churners), &bad);
            put(e, "roc_auc", est(x->estimable, x->auc), &bad);
            if (!x->estimable) {
                put(e, "not_estimable", json_string(x->not_estimable), &bad);
                char piece[200];
                snprintf(piece, sizeof piece, "component %s", x->name);
                not_estimable(ne, piece, x->not_estimable, &bad);
            }
            push(a, e, &bad);
        }
        put(o, "components", a, &bad);
    }
    if (res->n_segments) {
        json_t *a = json_array();
        for (size_t k = 0; k < res->n_segments; k++) {
            const hc_validate_segment *x = &res->segments[k];
            json_t *e = json_object();
            put(e, "name", json_string(x->name), &bad);
            put(e, "n", count(x->n), &bad);
            put(e, "churners", count(x->churners), &bad);
            put(e, "roc_auc", est(x->estimable, x->auc), &bad);
            put(e, "roc_auc_ci_low", est(x->estimable, x->auc_ci_low), &bad);
            put(e, "roc_auc_ci_high", est(x->estimable, x->auc_ci_high), &bad);
            if (!x->estimable) {
                put(e, "not_estimable", json_string(x->not_estimable), &bad);
                char piece[200];
                snprintf(piece, sizeof piece, "segment %s", x->name);
                not_estimable(ne, piece, x->not_estimable, &bad);
            }
            push(a, e, &bad);
        }
        put(o, "segments", a, &bad);
    }

    json_t *prob = json_object();
    put(prob, "source", json_string(res->in_sample_map
                                        ? "in-sample logistic map of the score"
                                        : "given"), &bad);
    put(prob, "calibration_in_sample", json_boolean(res->in_sample_map), &bad);
    if (res->in_sample_map) {
        put(prob, "map_intercept", num(res->map_intercept), &bad);
        put(prob, "map_slope", num(res->map_slope), &bad);
    }
    put(o, "probabilities", prob, &bad);

    json_t *v = json_object();
    put(v, "discrimination", json_string(hc_validate_discrimination_name(res->discrimination)), &bad);
    put(v, "calibration", json_string(hc_validate_calibration_name(res->calibration_verdict)), &bad);
    put(v, "discrimination_text", json_string(res->discrimination_text), &bad);
    put(v, "calibration_text", json_string(res->calibration_text), &bad);
    if (!res->in_sample_map)
        put(v, "calibration_effect_size",
            json_pack("{s:f,s:f,s:f,s:f,s:s}", "mean_relative_error",
                      res->mean_relative_error, "slope", res->calibration.slope,
                      "tolerance_mean", res->tol_mean, "tolerance_slope", res->tol_slope,
                      "rule", "material when |mean p / observed - 1| > tolerance_mean or "
                              "|slope - 1| > tolerance_slope"),
            &bad);
    put(v, "auc_thresholds", json_pack("{s:f,s:f,s:s}", "well", HC_VALIDATE_AUC_WELL,
                                       "moderately", HC_VALIDATE_AUC_MODERATE, "source",
                                       "Hosmer, Lemeshow & Sturdivant 2013, section 5.2.4"),
        &bad);
    put(o, "verdict", v, &bad);

    json_t *rel = json_array();
    for (size_t b = 0; b < res->n_reliability; b++) {
        const hc_validate_bin *r = &res->reliability[b];
        json_t *e = json_object();
        put(e, "n", count(r->n), &bad);
        put(e, "positives", count(r->positives), &bad);
        put(e, "p_mean", num(r->p_mean), &bad);
        put(e, "observed", num(r->observed), &bad);
        put(e, "ci_low", num(r->ci_low), &bad);
        put(e, "ci_high", num(r->ci_high), &bad);
        push(rel, e, &bad);
    }
    put(o, "reliability", rel, &bad);
    put(o, "reliability_bins", json_string("deciles of the prediction"), &bad);

    json_t *cv = json_object();
    put(cv, "roc", curve_json(&res->roc, "fpr", "tpr", &bad), &bad);
    put(cv, "pr", curve_json(&res->pr, "recall", "precision", &bad), &bad);
    put(cv, "gains", curve_json(&res->gains, "share_flagged", "capture", &bad), &bad);
    put(o, "curves", cv, &bad);

    if (res->has_bands) {
        put(o, "bands", bands_json(res, ne, &bad), &bad);
        put(o, "bands_monotone", json_boolean(res->bands_monotone), &bad);
        put(o, "red_precision", est(res->bands.n_bands && res->bands.bands[0].accounts,
                                    res->bands.red_precision), &bad);
        put(o, "red_recall", num(res->bands.red_recall), &bad);
        put(o, "band_units", band_units_json(res, &bad), &bad);
        put(o, "band_totals", band_totals_json(res, &bad), &bad);
        if (res->has_lead_time && res->has_band_accounts)
            put(o, "lead_time", lead_time_json(res, &bad), &bad);
        if (res->has_band_accounts && res->band_accounts.n_bands) {
            /* The red band's share of the churned accounts and of their
             * churned ARR, each account once. */
            const hc_metrics_bands_accounts_result *a = &res->band_accounts;
            put(o, "red_churned_accounts_recall",
                a->churned_accounts ? num((double)a->bands[0].churned_accounts /
                                          (double)a->churned_accounts)
                                    : json_null(), &bad);
            put(o, "red_churned_arr_recall",
                a->churned_arr > 0 ? num(a->bands[0].churned_arr / a->churned_arr)
                                   : json_null(), &bad);
        }
        if (res->bands.clustered) {
            int red = res->bands.n_bands && res->bands.bands[0].accounts;
            put(o, "red_precision_ci_low", est(red, res->bands.red_precision_ci_low), &bad);
            put(o, "red_precision_ci_high", est(red, res->bands.red_precision_ci_high), &bad);
            put(o, "red_recall_ci_low", num(res->bands.red_recall_ci_low), &bad);
            put(o, "red_recall_ci_high", num(res->bands.red_recall_ci_high), &bad);
            put(o, "red_ci_method", json_string(HC_VALIDATE_METHOD_RATIO_WILSON), &bad);
        }
    }
    if (res->clusters.active)
        put(o, "clusters", clusters_json(res, ne, &bad), &bad);
    if (res->has_months) {
        put(o, "calibration_by_month", months_json(&res->months, &bad), &bad);
        put(o, "calibration_by_month_method",
            json_string("snapshots dated in each calendar month of any year; observed churn "
                        "rate (Clopper-Pearson at the effective size) and observed over "
                        "expected churners, sum y / sum p (linearised ratio, log scale), "
                        "both clustered by account; differs: the O/E interval excludes 1"),
            &bad);
        put(o, "calibration_months_differ", count(res->months.months_differ), &bad);
    }
    if (res->has_flags) /* validate_season.c */
        put(o, "false_red_flags_by_month", hc_validate_flags_json(&res->flags), &bad);
    put(o, "not_estimable", ne, &bad);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

hc_status hc_validate_write_json(const hc_validate_result *res,
                                 const hc_validate_source *src,
                                 const char *path, hc_error *err)
{
    json_t *o = hc_validate_to_json(res, src);
    if (!o)
        return hc_error_nomem(err);
    hc_outfile *of;
    hc_status st = hc_outfile_open(path, &of, err);
    if (st != HC_OK) {
        json_decref(o);
        return st;
    }
    FILE *f = hc_outfile_stream(of);
    /* JSON_REAL_PRECISION(17) round-trips every double exactly. */
    if (json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) != 0) {
        json_decref(o);
        hc_outfile_abort(of);
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot write the JSON");
    }
    fputc('\n', f);
    json_decref(o);
    return hc_outfile_commit(of, err);
}
