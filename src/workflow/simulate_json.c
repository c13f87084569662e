/* simulate_json.c - the JSON files of `healthcal simulate`: truth.json (the true generative parameters) and current.json (the hand-set starting config). */
#include "hc_simulate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "hc_date.h"
#include "hc_outfile.h"

#include "simulate_model.h"

/* json_object_set_new that remembers a failure (out of memory). */
static void jset(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static void jpush(json_t *a, json_t *v, int *bad)
{
    if (!a || !v || json_array_append_new(a, v) != 0)
        *bad = 1;
}

static json_t *weights_object(const double *w, int *bad)
{
    json_t *o = json_object();
    for (int k = 0; k < N_COMP; k++)
        jset(o, hc_sim_comp_name[k], json_real(w[k]), bad);
    return o;
}

static json_t *transform_json(int m, int *bad)
{
    json_t *t = json_object();
    jset(t, "type", json_string("linear"), bad);
    jset(t, "low", json_real(hc_sim_metrics[m].low), bad);
    jset(t, "high", json_real(hc_sim_metrics[m].high), bad);
    jset(t, "higher_is_healthier", json_boolean(hc_sim_metrics[m].higher_is_healthier), bad);
    return t;
}

/* A healthcal-model/1 config with the given weights, the metric transforms
 * and red/yellow/green bands; with onb_days > 0 its segment is the
 * lifecycle stage from the start_date column (onboarding below onb_days
 * days of tenure, tenured after), the split whose weights differ in truth. */
static json_t *model_config(const char *name, const double *w, long onb_days,
                            int *bad)
{
    json_t *c = json_object();
    jset(c, "schema", json_string("healthcal-model/1"), bad);
    jset(c, "name", json_string(name), bad);
    json_t *cols = json_object();
    jset(cols, "account_id", json_string("account_id"), bad);
    jset(cols, "snapshot_date", json_string("snapshot_date"), bad);
    if (onb_days > 0) {
        json_t *key = json_array();
        jpush(key, json_string("lifecycle"), bad);
        jset(cols, "segment", key, bad);
    } else {
        jset(cols, "segment", json_string("segment"), bad);
    }
    jset(cols, "arr", json_string("arr"), bad);
    jset(c, "columns", cols, bad);
    if (onb_days > 0) {
        json_t *lc = json_object(), *stages = json_array();
        json_t *s0 = json_object(), *s1 = json_object();
        jset(s0, "name", json_string("onboarding"), bad);
        jset(s0, "until_days", json_integer(onb_days), bad);
        jset(s1, "name", json_string("tenured"), bad);
        jpush(stages, s0, bad);
        jpush(stages, s1, bad);
        jset(lc, "start_date", json_string("start_date"), bad);
        jset(lc, "stages", stages, bad);
        jset(c, "lifecycle", lc, bad);
    }
    jset(c, "horizon_days", json_integer(HORIZON_DAYS), bad);
    jset(c, "lead_days", json_integer(0), bad);
    jset(c, "missing", json_string("renormalize"), bad);
    json_t *comps = json_array();
    for (int k = 0; k < N_COMP; k++) {
        json_t *comp = json_object();
        jset(comp, "name", json_string(hc_sim_comp_name[k]), bad);
        jset(comp, "weight", json_real(w[k]), bad);
        json_t *ms = json_array();
        for (int m = 0; m < N_METRIC; m++) {
            if (hc_sim_metrics[m].comp != k)
                continue;
            json_t *mo = json_object();
            jset(mo, "column", json_string(hc_sim_metrics[m].column), bad);
            jset(mo, "transform", transform_json(m, bad), bad);
            jpush(ms, mo, bad);
        }
        jset(comp, "metrics", ms, bad);
        jpush(comps, comp, bad);
    }
    jset(c, "components", comps, bad);
    static const char *const band_name[] = {"red", "yellow", "green"};
    static const double band_min[] = {0, 40, 70};
    json_t *bands = json_array();
    for (int i = 0; i < 3; i++) {
        json_t *b = json_object();
        jset(b, "name", json_string(band_name[i]), bad);
        jset(b, "min", json_real(band_min[i]), bad);
        jpush(bands, b, bad);
    }
    jset(c, "bands", bands, bad);
    return c;
}

static json_t *options_json(const hc_simulate_options *opt, int32_t last_day,
                            int *bad)
{
    char d0[11], d1[11];
    hc_date_format(opt->start_day, d0);
    hc_date_format(last_day, d1);
    json_t *o = json_object();
    jset(o, "accounts", json_integer(opt->accounts), bad);
    jset(o, "weeks", json_integer(opt->weeks), bad);
    jset(o, "seed", json_integer((json_int_t)opt->seed), bad);
    jset(o, "start", json_string(d0), bad);
    jset(o, "last_snapshot", json_string(d1), bad);
    jset(o, "rng", json_string("gsl_rng_mt19937"), bad);
    if (opt->onboarding_days > 0)
        jset(o, "onboarding_days", json_integer(opt->onboarding_days), bad);
    return o;
}

/* truth.json "onboarding": the churn model of accounts below `days` days of
 * contract tenure (--onboarding-days). */
static json_t *onboarding_json(long days, int *bad)
{
    json_t *o = json_object();
    jset(o, "days", json_integer(days), bad);
    jset(o, "rule", json_string("onboarding while tenure = snapshot date - start_date < days "
                                "(start_date: the contract start, column start_date of "
                                "snapshots.csv); tenured after, with the churn_model above"),
         bad);
    jset(o, "formula", json_string("logit h = intercept[segment] + intercept_shift + slope*H_onb "
                                   "+ renewal; H_onb = sum_k weights_k * s_k"), bad);
    jset(o, "weights", weights_object(hc_sim_onb_weight, bad), bad);
    jset(o, "intercept_shift", json_real(ONB_ICPT_SHIFT), bad);
    json_t *ci = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(ci, hc_sim_segs[i].name, json_real(hc_sim_segs[i].churn_icpt + ONB_ICPT_SHIFT), bad);
    jset(o, "intercept", ci, bad);
    jset(o, "slope", json_real(CHURN_SLOPE), bad);
    double coef[N_COMP];
    for (int k = 0; k < N_COMP; k++)
        coef[k] = hc_sim_onb_weight[k] != 0 ? CHURN_SLOPE * hc_sim_onb_weight[k] : 0.0;
    jset(o, "coefficients", weights_object(coef, bad), bad);
    jset(o, "config", json_string("current.json segments by the lifecycle stage "
                                  "(onboarding below days, tenured after)"), bad);
    return o;
}

static json_t *current_json(const hc_simulate_options *opt, int32_t last_day,
                            int *bad)
{
    json_t *c = model_config("hand-set starting config", hc_sim_hand_weight,
                             opt->onboarding_days, bad);
    json_t *prov = json_object();
    jset(prov, "generator", json_string("healthcal simulate"), bad);
    jset(prov, "note", json_string("hand-set weights and transforms, not fitted; "
                                   "see truth.json for the true weights"), bad);
    jset(prov, "simulation", options_json(opt, last_day, bad), bad);
    jset(c, "provenance", prov, bad);
    return c;
}

static json_t *truth_json(const hc_sim_state *st, int *bad)
{
    const hc_simulate_options *opt = st->opt;
    json_t *t = json_object();
    jset(t, "schema", json_string("healthcal-truth/1"), bad);
    jset(t, "description",
         json_string("true generative parameters of healthcal simulate; "
                     "component scores s_k are the mean of the metric "
                     "sub-scores (transforms as in true_config) of the "
                     "complete values written to snapshots.csv, before "
                     "cells are blanked; hazards are per week (d, d+7] "
                     "after a snapshot date d"), bad);
    jset(t, "options", options_json(opt, st->res.last_day, bad), bad);

    json_t *sg = json_object();
    for (int i = 0; i < N_SEG; i++) {
        json_t *o = json_object();
        jset(o, "share", json_real(hc_sim_segs[i].share), bad);
        jset(o, "arr_min", json_real(hc_sim_segs[i].arr_lo), bad);
        jset(o, "arr_max", json_real(hc_sim_segs[i].arr_hi), bad);
        jset(o, "arr_distribution", json_string("log-uniform"), bad);
        jset(o, "churn_intercept", json_real(hc_sim_segs[i].churn_icpt), bad);
        jset(o, "expansion_intercept", json_real(hc_sim_segs[i].exp_icpt), bad);
        jset(o, "component_means", weights_object(hc_sim_segs[i].mean, bad), bad);
        jset(sg, hc_sim_segs[i].name, o, bad);
    }
    jset(t, "segments", sg, bad);

    json_t *acc = json_object();
    jset(acc, "id_format", json_string("A%06ld, 1-based"), bad);
    jset(acc, "new_logo_share", json_real(NEW_LOGO_SHARE), bad);
    jset(acc, "new_logo_first_week",
         json_string("1 + floor(U * floor(3*weeks/4)); other accounts start at week 0"), bad);
    jset(acc, "contract_start",
         json_string("new logos: first snapshot date; others: start - U{0..364} days"), bad);
    jset(acc, "renewal_cycle_days", json_integer(CONTRACT_DAYS), bad);
    jset(t, "accounts", acc, bad);

    json_t *lat = json_object();
    jset(lat, "account_mean",
         json_string("clamp(segment_mean + sd*(sqrt(rho)*g + sqrt(1-rho)*e_k), 2, 98), "
                     "g shared by the account's components, g, e_k ~ N(0,1)"), bad);
    jset(lat, "account_mean_sd", json_real(ACCOUNT_SD), bad);
    jset(lat, "shared_factor_rho", json_real(SHARED_CORR), bad);
    jset(lat, "ar1_phi", json_real(AR_PHI), bad);
    jset(lat, "ar1_stationary_sd", json_real(AR_SD), bad);
    jset(lat, "value", json_string("L_k = clamp(mean_k + x_k - season_k(date), 0, 100), "
                                   "x_k AR(1) started from its stationary law"), bad);
    json_t *sea = json_object();
    jset(sea, "component", json_string("usage"), bad);
    jset(sea, "summer", json_string("10 * cos^2(pi/2 * d/35) points, d = days from 1 August, |d| < 35"), bad);
    jset(sea, "december", json_string("12 * cos^2(pi/2 * d/14) points, d = days from 28 December, |d| < 14"), bad);
    jset(lat, "seasonality", sea, bad);
    jset(t, "latent", lat, bad);

    json_t *ms = json_array();
    for (int m = 0; m < N_METRIC; m++) {
        json_t *o = json_object();
        jset(o, "column", json_string(hc_sim_metrics[m].column), bad);
        jset(o, "component", json_string(hc_sim_comp_name[hc_sim_metrics[m].comp]), bad);
        jset(o, "link", json_string(hc_sim_metrics[m].link), bad);
        jset(o, "noise_sd", json_real(hc_sim_metrics[m].noise_sd), bad);
        jset(o, "decimals", json_integer(hc_sim_metrics[m].decimals), bad);
        jset(o, "missing_rate", json_real(hc_sim_metrics[m].missing_rate), bad);
        jset(o, "transform", transform_json(m, bad), bad);
        jpush(ms, o, bad);
    }
    jset(t, "metrics", ms, bad);

    double coef[N_COMP];
    for (int k = 0; k < N_COMP; k++)
        coef[k] = CHURN_SLOPE * hc_sim_true_weight[k];
    jset(t, "true_weights", weights_object(hc_sim_true_weight, bad), bad);
    jset(t, "hand_set_weights", weights_object(hc_sim_hand_weight, bad), bad);

    json_t *cm = json_object();
    jset(cm, "unit", json_string("weekly hazard of churn in (d, d+7] given active at d"), bad);
    jset(cm, "formula", json_string("logit h = intercept[segment] + slope*H + renewal; "
                                    "H = sum_k true_weights_k * s_k"), bad);
    json_t *ci = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(ci, hc_sim_segs[i].name, json_real(hc_sim_segs[i].churn_icpt), bad);
    jset(cm, "intercept", ci, bad);
    jset(cm, "slope", json_real(CHURN_SLOPE), bad);
    jset(cm, "coefficients", weights_object(coef, bad), bad);
    jset(cm, "renewal_log_odds", json_real(RENEWAL_LOG_ODDS), bad);
    jset(cm, "renewal_days_before", json_integer(RENEWAL_DAYS_BEFORE), bad);
    jset(cm, "renewal_rule", json_string("added when the next contract anniversary after d is at most 28 days away"), bad);
    jset(cm, "event_day", json_string("d + U{1..7}; the amount is the ARR at churn"), bad);
    json_t *a30 = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(a30, hc_sim_segs[i].name, json_real(hc_sim_segs[i].churn_icpt + log(30.0 / 7.0)), bad);
    jset(cm, "approx_30d_intercept", a30, bad);
    jset(cm, "approx_30d_note", json_string("for small hazards P(churn in 30 days) ~ (30/7)*h, "
                                            "i.e. the weekly intercept + log(30/7)"), bad);
    jset(t, "churn_model", cm, bad);

    json_t *em = json_object();
    jset(em, "unit", json_string("weekly probability of an expansion in (d, d+7] given active at d and no churn that week"), bad);
    jset(em, "formula", json_string("logit e = intercept[segment] + sum_k coefficients_k * s_k"), bad);
    json_t *ei = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(ei, hc_sim_segs[i].name, json_real(hc_sim_segs[i].exp_icpt), bad);
    jset(em, "intercept", ei, bad);
    jset(em, "coefficients", weights_object(hc_sim_exp_coef, bad), bad);
    jset(em, "amount", json_string("round(ARR * U(0.10, 0.40)), added to ARR"), bad);
    jset(t, "expansion_model", em, bad);

    json_t *xm = json_object();
    jset(xm, "unit", json_string("weekly probability of a contraction given active, no churn and no expansion that week"), bad);
    jset(xm, "formula", json_string("logit c = -6.0 - 0.03*(s_usage - 50)"), bad);
    jset(xm, "amount", json_string("round(ARR * U(0.05, 0.25)), subtracted from ARR"), bad);
    jset(t, "contraction_model", xm, bad);

    jset(t, "truth_probs",
         json_string("p_churn = 1 - prod_{j=0..3}(1-h_{t+j}) * (1 - h_{t+4}*2/7); p_expansion "
                     "likewise with churn competing; given the simulated hazard path, "
                     "including its 4 weeks after t"), bad);
    jset(t, "true_config", model_config("true weights", hc_sim_true_weight, 0, bad), bad);
    if (opt->onboarding_days > 0)
        jset(t, "onboarding", onboarding_json(opt->onboarding_days, bad), bad);
    if (st->opt->grades) {
        json_t *gr = json_object();
        jset(gr, "column", json_string("grade"), bad);
        jset(gr, "of", json_string("s_relationship, the true relationship sub-score (mean "
                                   "of the nps and exec_sponsor sub-scores as written)"),
             bad);
        jset(gr, "rule", json_string("A if s >= 80, B if s >= 60, C if s >= 40, D if s >= 20, "
                                     "else F"), bad);
        jset(gr, "truth", json_string("churn falls with s_relationship (weight 0.15 in H*), so "
                                      "the churn rate of the grades falls from F to A"), bad);
        jset(t, "grades", gr, bad);
    }

    json_t *sum = json_object();
    jset(sum, "accounts", json_integer((json_int_t)st->res.accounts), bad);
    jset(sum, "snapshots", json_integer((json_int_t)st->res.snapshots), bad);
    jset(sum, "churned_accounts", json_integer((json_int_t)st->res.churned_accounts), bad);
    jset(sum, "expansion_events", json_integer((json_int_t)st->res.expansion_events), bad);
    jset(sum, "contraction_events", json_integer((json_int_t)st->res.contraction_events), bad);
    jset(sum, "csat_missing", json_integer((json_int_t)st->res.csat_missing), bad);
    jset(sum, "nps_missing", json_integer((json_int_t)st->res.nps_missing), bad);
    jset(sum, "uncensored_snapshots", json_integer((json_int_t)st->res.uncensored), bad);
    jset(sum, "uncensored_churn_30d", json_integer((json_int_t)st->res.churn_30d), bad);
    /* With no uncensored snapshot the mean is NaN, which JSON cannot hold
     * (json_real refuses it): the key is then left out. */
    if (isfinite(st->res.mean_p_churn_30d))
        jset(sum, "mean_true_p_churn_30d", json_real(st->res.mean_p_churn_30d),
             bad);
    jset(t, "summary", sum, bad);
    return t;
}

/* Writes `root` (taken over) to `of` as indented JSON with a final newline;
 * `bad` says that building it ran out of memory. */
static hc_status write_json(hc_outfile *of, json_t *root, int bad,
                            const char *path, hc_error *err)
{
    if (bad || !root) {
        json_decref(root);
        return hc_error_nomem(err);
    }
    FILE *f = hc_outfile_stream(of);
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc != 0 || fputc('\n', f) == EOF)
        return hc_error_set(err, HC_EIO, path, 0, 0, "write failed");
    return HC_OK;
}

hc_status hc_sim_write_truth(hc_outfile *of, const hc_sim_state *st,
                             const char *path, hc_error *err)
{
    int bad = 0;
    json_t *root = truth_json(st, &bad);
    return write_json(of, root, bad, path, err);
}

hc_status hc_sim_write_current(hc_outfile *of, const hc_simulate_options *opt,
                               int32_t last_day, const char *path,
                               hc_error *err)
{
    int bad = 0;
    json_t *root = current_json(opt, last_day, &bad);
    return write_json(of, root, bad, path, err);
}
