/* validate.c - evaluating predictions against outcomes: metrics, bands, curves, verdicts in words. */
#include "hc_sort.h"
#include "hc_validate.h"
#include "hc_logreg.h"
#include "hc_trace.h"
#include "validate_pieces.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.959963984540054 /* qnorm(0.975) */
#define DEFAULT_CURVE_POINTS 201

void hc_validate_input_init(hc_validate_input *in)
{
    memset(in, 0, sizeof *in);
    in->bootstrap = HC_VALIDATE_BOOTSTRAP_AUTO;
    in->seed = HC_VALIDATE_SEED_DEFAULT;
}

void hc_validate_model_options_init(hc_validate_model_options *o)
{
    memset(o, 0, sizeof *o);
    o->clustered = 1;
    o->bootstrap = HC_VALIDATE_BOOTSTRAP_AUTO;
    o->seed = HC_VALIDATE_SEED_DEFAULT;
}

const char *hc_validate_discrimination_name(hc_validate_discrimination d)
{
    switch (d) {
    case HC_DISCRIM_WELL: return "discriminates well";
    case HC_DISCRIM_MODERATE: return "discriminates moderately";
    case HC_DISCRIM_POORLY: return "discriminates poorly";
    case HC_DISCRIM_CHANCE: return "does not discriminate better than chance";
    case HC_DISCRIM_REVERSED: return "ranks backwards";
    }
    return "unknown";
}

const char *hc_validate_calibration_name(hc_validate_calibration c)
{
    switch (c) {
    case HC_CALIB_OK: return "calibrated";
    case HC_CALIB_NOT: return "not calibrated";
    case HC_CALIB_IN_SAMPLE: return "calibration not judged (in-sample map)";
    case HC_CALIB_WITHIN_TOLERANCE: return "calibrated within tolerance";
    case HC_CALIB_UNCERTAIN: return "calibration uncertain";
    }
    return "unknown";
}

void hc_validate_result_release(hc_validate_result *res)
{
    if (!res)
        return;
    hc_metrics_curve_release(&res->roc);
    hc_metrics_curve_release(&res->pr);
    hc_metrics_curve_release(&res->gains);
    if (res->band_names)
        for (size_t k = 0; k < res->bands.n_bands; k++)
            free(res->band_names[k]);
    free(res->band_names);
    free(res->band_mins);
    hc_metrics_bands_release(&res->bands);
    hc_metrics_bands_accounts_release(&res->band_accounts);
    for (size_t k = 0; res->components && k < res->n_components; k++)
        free(res->components[k].name);
    free(res->components);
    for (size_t k = 0; res->segments && k < res->n_segments; k++)
        free(res->segments[k].name);
    free(res->segments);
    memset(res, 0, sizeof *res);
}

hc_status hc_validate_logistic_map(const double *y, const double *x, size_t n,
                                   double *p, double *a, double *b,
                                   hc_error *err)
{
    static const char *const name[] = {"score"};
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = n;
    prob.p = 1;
    prob.X = x;
    prob.y = y;
    prob.names = name;
    prob.event_name = "churners";
    hc_logreg_result fit;
    hc_status st = hc_logreg_fit(&prob, &fit, err);
    if (st != HC_OK)
        return st;
    *a = fit.coef[0];
    *b = fit.coef[1];
    hc_logreg_result_release(&fit);
    if (p)
        for (size_t i = 0; i < n; i++)
            p[i] = hc_logistic(*a + *b * x[i]);
    return HC_OK;
}

/* Reliability diagram by deciles of p (scikit-learn's
 * calibration_curve(strategy = "quantile") idea): with a churn rate of a
 * few percent, the 10 uniform bins ECE uses hold nearly every row in the
 * first bin, which draws nothing. Ties of p are kept in one bin. */
static void reliability_deciles(const double *y, const hc_metrics_ranked *v, size_t n,
                                hc_validate_result *res)
{
    size_t start = 0;
    res->n_reliability = 0;
    for (int g = 1; g <= HC_VALIDATE_RELIABILITY_BINS && start < n; g++) {
        size_t end = (size_t)((double)n * g / HC_VALIDATE_RELIABILITY_BINS);
        if (g == HC_VALIDATE_RELIABILITY_BINS || end > n)
            end = n;
        if (end <= start)
            continue;
        while (end < n && v[end].s == v[end - 1].s)
            end++;
        hc_validate_bin *b = &res->reliability[res->n_reliability++];
        double sp = 0;
        size_t pos = 0;
        for (size_t j = start; j < end; j++) {
            sp += v[j].s;
            pos += y[v[j].i] == 1.0;
        }
        b->n = end - start;
        b->positives = pos;
        b->p_mean = sp / (double)b->n;
        b->observed = (double)pos / (double)b->n;
        hc_metrics_wilson(pos, b->n, 0.95, &b->ci_low, &b->ci_high);
        start = end;
    }
}

static void histogram(const double *x, const double *y, size_t n, double low,
                      double high, hc_validate_hist *h)
{
    memset(h, 0, sizeof *h);
    h->low = low;
    h->high = high;
    double w = (high - low) / HC_VALIDATE_HIST_BINS;
    for (size_t i = 0; i < n; i++) {
        double f = (x[i] - low) / w;
        long k = f < 0 ? 0 : (long)f;
        if (k >= HC_VALIDATE_HIST_BINS)
            k = HC_VALIDATE_HIST_BINS - 1;
        h->count[k]++;
        if (y[i] == 1.0)
            h->count_pos[k]++;
        else
            h->count_neg[k]++;
    }
}

/* The upper end of the prediction histogram: the smallest of a few round
 * numbers at or above the largest prediction, so that low churn rates do
 * not end up in one bin. */
static double p_hist_upper(const double *p, size_t n)
{
    static const double ends[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = p[i] > mx ? p[i] : mx;
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++)
        if (mx <= ends[k])
            return ends[k];
    return 1.0;
}

static void verdict_discrimination(hc_validate_result *res)
{
    const hc_metrics_summary *s = &res->summary;
    double auc = s->roc_auc, lo = s->roc_auc_ci_low, hi = s->roc_auc_ci_high;
    hc_validate_discrimination d;
    if (hi < 0.5)
        d = HC_DISCRIM_REVERSED;
    else if (lo <= 0.5)
        d = HC_DISCRIM_CHANCE;
    else if (auc >= HC_VALIDATE_AUC_WELL)
        d = HC_DISCRIM_WELL;
    else if (auc >= HC_VALIDATE_AUC_MODERATE)
        d = HC_DISCRIM_MODERATE;
    else
        d = HC_DISCRIM_POORLY;
    res->discrimination = d;
    const char *why;
    switch (d) {
    case HC_DISCRIM_WELL:
        why = "an AUC of at least 0.8 is 'excellent' by Hosmer & Lemeshow's "
              "rule of thumb";
        break;
    case HC_DISCRIM_MODERATE:
        why = "an AUC from 0.7 to 0.8 is 'acceptable' by Hosmer & Lemeshow's "
              "rule of thumb";
        break;
    case HC_DISCRIM_POORLY:
        why = "better than chance, but below the 0.7 that Hosmer & Lemeshow "
              "call acceptable";
        break;
    case HC_DISCRIM_CHANCE:
        why = "the 95% interval contains 0.5, the AUC of a coin flip";
        break;
    default:
        why = "churners score as healthier than retained accounts: check the "
              "direction of the score";
        break;
    }
    char how[160] = "";
    if (res->clusters.active && res->clusters.auc_estimable)
        snprintf(how, sizeof how, ", clustered by %s", res->clusters.name);
    else if (res->clusters.active)
        snprintf(how, sizeof how, ", rows independent: not estimable by %s",
                 res->clusters.name);
    snprintf(res->discrimination_text, sizeof res->discrimination_text,
             "%s: ROC AUC %.3f (95%% CI %.3f to %.3f%s); %s. A random churner "
             "is ranked riskier than a random retained account %.0f%% of the "
             "time.",
             hc_validate_discrimination_name(d), auc, lo, hi, how, why, 100 * auc);
}

static void verdict_calibration(hc_validate_result *res, double mean_p)
{
    const hc_metrics_calibration_result *c = &res->calibration;
    const hc_metrics_summary *s = &res->summary;
    char hl_words[160];
    if (s->hl_estimable)
        snprintf(hl_words, sizeof hl_words, "Hosmer-Lemeshow chi2 %.2f on %d df (%zu "
                                            "groups), p %.3g",
                 s->hl_chi2, s->hl_df, s->hl_groups, s->hl_p);
    else
        snprintf(hl_words, sizeof hl_words, "Hosmer-Lemeshow not estimable");
    if (res->in_sample_map) {
        res->calibration_verdict = HC_CALIB_IN_SAMPLE;
        snprintf(res->calibration_text, sizeof res->calibration_text,
                 "%s: the probabilities are a logistic map of the score "
                 "fitted on these same rows, so a calibration slope of 1 and "
                 "an intercept of 0 hold by construction; ECE %.4f and "
                 "%s only show how well a logistic curve fits the score.",
                 hc_validate_calibration_name(HC_CALIB_IN_SAMPLE), s->ece, hl_words);
        return;
    }
    int slope_ok = res->slope_ci_low <= 1.0 && 1.0 <= res->slope_ci_high;
    int citl_ok = res->citl_ci_low <= 0.0 && 0.0 <= res->citl_ci_high;
    /* Size as well as detection (HC_VALIDATE_TOL_MEAN): a difference the
     * rows can detect is "not calibrated" only past a stated tolerance. */
    double rel = s->base_rate > 0 ? mean_p / s->base_rate - 1.0 : 0.0;
    res->mean_relative_error = rel;
    int material = fabs(rel) > res->tol_mean || fabs(c->slope - 1.0) > res->tol_slope;
    int detected = !(slope_ok && citl_ok);
    res->calibration_verdict = detected ? (material ? HC_CALIB_NOT : HC_CALIB_WITHIN_TOLERANCE)
                                        : (material ? HC_CALIB_UNCERTAIN : HC_CALIB_OK);
    char slope_words[256], citl_words[320];
    if (slope_ok)
        snprintf(slope_words, sizeof slope_words,
                 "calibration slope %.3f (95%% CI %.3f to %.3f) contains 1",
                 c->slope, res->slope_ci_low, res->slope_ci_high);
    else
        snprintf(slope_words, sizeof slope_words,
                 "calibration slope %.3f (95%% CI %.3f to %.3f) %s 1: "
                 "predictions are %s",
                 c->slope, res->slope_ci_low, res->slope_ci_high,
                 res->slope_ci_high < 1.0 ? "is below" : "is above",
                 res->slope_ci_high < 1.0
                     ? "too extreme (typical of overfitting)"
                     : "too timid (too close to the average)");
    if (citl_ok)
        snprintf(citl_words, sizeof citl_words,
                 "calibration-in-the-large %.3f (95%% CI %.3f to %.3f) "
                 "contains 0",
                 c->in_the_large, res->citl_ci_low, res->citl_ci_high);
    else
        snprintf(citl_words, sizeof citl_words,
                 "calibration-in-the-large %.3f (95%% CI %.3f to %.3f) is %s "
                 "0: predicted churn is too %s on average (mean prediction "
                 "%.2f%%, observed rate %.2f%%)",
                 c->in_the_large, res->citl_ci_low, res->citl_ci_high,
                 res->citl_ci_low > 0 ? "above" : "below",
                 res->citl_ci_low > 0 ? "low" : "high", 100 * mean_p,
                 100 * s->base_rate);
    const char *how = !res->clusters.active ? ""
                      : res->clusters.calibration_estimable
                          ? " Intervals clustered by account."
                          : " Intervals assume independent rows (the clustered "
                            "variance was not estimable).";
    char size_words[400];
    snprintf(size_words, sizeof size_words,
             " Effect sizes: mean prediction %.3g%% against %.3g%% observed "
             "(%+.1f%%; material past %.0f%%), slope %.3f (material outside "
             "%.2f to %.2f)%s.",
             100 * mean_p, 100 * s->base_rate, 100 * rel, 100 * res->tol_mean, c->slope,
             1 - res->tol_slope, 1 + res->tol_slope,
             res->calibration_verdict == HC_CALIB_WITHIN_TOLERANCE
                 ? ": the miscalibration is detectable on these rows but too small to matter"
             : res->calibration_verdict == HC_CALIB_UNCERTAIN
                 ? ": nothing is detectable, but the estimates are past the tolerance; the "
                   "data are too few to tell"
                 : "");
    snprintf(res->calibration_text, sizeof res->calibration_text,
             "%s: %s; %s.%s%s (%s%s; ECE %.4f.)",
             hc_validate_calibration_name(res->calibration_verdict), slope_words,
             citl_words, size_words, how, hl_words,
             res->clusters.active ? ", which " HC_VALIDATE_HL_ASSUMPTION : "", s->ece);
}

/* Rank metrics of the score itself (higher = riskier), replacing those
 * hc_metrics_evaluate took from the mapped probabilities. */
static hc_status rank_metrics(const double *y, const double *risk,
                              const hc_metrics_ranked *ranked, size_t n,
                              hc_metrics_summary *s, hc_error *err)
{
    return hc_metrics_rank_summary(y, risk, ranked, n, s, err);
}

static hc_status band_table(const hc_validate_input *in, hc_validate_result *res,
                            hc_error *err)
{
    int *band = malloc(in->n * sizeof *band);
    res->band_names = calloc(in->n_bands, sizeof *res->band_names);
    if (in->band_mins)
        res->band_mins = malloc(in->n_bands * sizeof *res->band_mins);
    if (!band || !res->band_names || (in->band_mins && !res->band_mins)) {
        free(band);
        free(res->band_names);
        res->band_names = NULL;
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < in->n; i++)
        band[i] = in->band[i];
    hc_status st = hc_metrics_bands(band, in->y, in->arr, in->n, in->n_bands,
                                    &res->bands, err);
    if (st == HC_OK && in->cluster)
        st = hc_metrics_bands_clustered(band, in->y, in->cluster, in->n, 0.95, &res->bands,
                                        err);
    free(band);
    if (st != HC_OK)
        hc_metrics_bands_release(&res->bands);
    if (st != HC_OK) {
        free(res->band_names);
        res->band_names = NULL;
        return st;
    }
    for (size_t k = 0; k < in->n_bands; k++) {
        char def[32];
        snprintf(def, sizeof def, "band %zu", k + 1);
        const char *nm = in->band_names && in->band_names[k] ? in->band_names[k] : def;
        res->band_names[k] = strdup(nm);
        if (!res->band_names[k])
            return hc_error_nomem(err);
        if (res->band_mins)
            res->band_mins[k] = in->band_mins[k];
    }
    /* Monotone: the churn rate does not rise from a riskier band to a
     * healthier one (empty bands are skipped). */
    res->bands_monotone = 1;
    double prev = INFINITY;
    for (size_t k = 0; k < res->bands.n_bands; k++) {
        const hc_metrics_band *b = &res->bands.bands[k];
        if (!b->accounts)
            continue;
        if (b->churn_rate > prev)
            res->bands_monotone = 0;
        prev = b->churn_rate;
    }
    res->has_bands = 1;
    return hc_validate_band_accounts(in, res, err);
}

/* One curve of hc_validate_run, runnable on a thread. */
typedef struct {
    hc_metrics_curve_kind kind;
    const double *y, *score;
    const hc_metrics_ranked *ranked;
    size_t n, pts;
    hc_metrics_curve *out;
    hc_status st;
    hc_error err;
} curve_job;

static void *curve_run(void *arg)
{
    curve_job *j = arg;
    hc_error_clear(&j->err);
    j->st = hc_metrics_curve_compute_ranked(j->kind, j->y, j->score, j->ranked, j->n,
                                            j->pts, j->out, &j->err);
    return NULL;
}

/* ROC, PR and gains curves; on many rows (each a pass over a copy
 * of the sorted rows) ROC on a second thread while PR and gains run here.
 * The first error in that order wins. */
static hc_status curves(const double *y, const double *score,
                        const hc_metrics_ranked *ranked, size_t n, size_t pts,
                        hc_validate_result *res, hc_error *err)
{
    curve_job j[3] = {{HC_CURVE_ROC, y, score, ranked, n, pts, &res->roc, HC_OK, {0}},
                      {HC_CURVE_PR, y, score, ranked, n, pts, &res->pr, HC_OK, {0}},
                      {HC_CURVE_GAINS, y, score, ranked, n, pts, &res->gains, HC_OK, {0}}};
    pthread_t th;
    int threaded = n >= ((size_t)1 << 16) && pthread_create(&th, NULL, curve_run, &j[0]) == 0;
    if (!threaded)
        curve_run(&j[0]);
    curve_run(&j[1]);
    curve_run(&j[2]);
    if (threaded)
        pthread_join(th, NULL);
    for (int k = 0; k < 3; k++)
        if (j[k].st != HC_OK) {
            if (err)
                *err = j[k].err;
            return j[k].st;
        }
    return HC_OK;
}

hc_status hc_validate_run(const hc_validate_input *in, hc_validate_result *res,
                          hc_error *err)
{
    memset(res, 0, sizeof *res);
    size_t n = in->n;
    if (!in->y || (!in->p && !in->score))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "validate needs outcomes and a probability or a score");
    if (n == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no rows to validate");
    if (in->band && in->n_bands == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "band indexes given without bands");
    double *pmap = NULL, *risk = NULL;
    hc_metrics_ranked *own_ranked = NULL, *risk_ranked = NULL;
    hc_status st = HC_OK;
    const double *p = in->p;
    const double *rank = in->p;
    if (in->score) {
        /* The score is checked before it is used (a NaN would otherwise
         * reach the logistic fit with a less helpful message). */
        if ((st = hc_metrics_check(in->y, in->score, n, 0, 1, "score", err)))
            return st;
        /* The score ranks the rows itself only when p is a map of it
         * (below); with a p of its own it would be an unused copy. */
        if (!p) {
            risk = malloc(n * sizeof *risk);
            if (!risk)
                return hc_error_nomem(err);
            for (size_t i = 0; i < n; i++)
                risk[i] = in->higher_is_healthier ? -in->score[i] : in->score[i];
        }
    }
    if (!p) {
        pmap = malloc(n * sizeof *pmap);
        if (!pmap) {
            st = hc_error_nomem(err);
            goto done;
        }
        st = hc_validate_logistic_map(in->y, in->score, n, pmap, &res->map_intercept,
                                      &res->map_slope, err);
        if (st != HC_OK)
            goto done;
        res->in_sample_map = 1;
        p = pmap;
        rank = risk;
    }
    /* One ranking of the score (when it ranks the rows itself) and one of
     * p for every metric that orders the rows by either; p's is read off
     * the score's when p is a monotone map of it. */
    const hc_metrics_ranked *rr = NULL; /* the ranking of `rank` */
    if (rank != p) {
        if (!(risk_ranked = hc_metrics_rank(rank, n))) {
            st = hc_error_nomem(err);
            goto done;
        }
        rr = risk_ranked;
    }
    const hc_metrics_ranked *ranked = in->p ? in->p_ranked : NULL;
    if (!ranked) {
        own_ranked = rr ? hc_metrics_rank_through(p, rr, n) : hc_metrics_rank(p, n);
        if (!own_ranked) {
            st = hc_error_nomem(err);
            goto done;
        }
        ranked = own_ranked;
    }
    if (!rr)
        rr = ranked;
    if ((st = hc_metrics_evaluate_ex(in->y, p, ranked, n, 0, &res->summary,
                                     &res->calibration, err)) != HC_OK)
        goto done;
    if (rank != p && (st = rank_metrics(in->y, rank, rr, n, &res->summary, err)) != HC_OK)
        goto done;
    const hc_metrics_calibration_result *c = &res->calibration;
    res->slope_ci_low = c->slope - Z95 * c->slope_se;
    res->slope_ci_high = c->slope + Z95 * c->slope_se;
    res->intercept_ci_low = c->intercept - Z95 * c->intercept_se;
    res->intercept_ci_high = c->intercept + Z95 * c->intercept_se;
    res->citl_ci_low = c->in_the_large - Z95 * c->in_the_large_se;
    res->citl_ci_high = c->in_the_large + Z95 * c->in_the_large_se;
    double mean_p = 0;
    for (size_t i = 0; i < n; i++)
        mean_p += p[i];
    mean_p /= (double)n;

    size_t pts = in->max_curve_points ? in->max_curve_points : DEFAULT_CURVE_POINTS;
    if ((st = curves(in->y, rank, rr, n, pts, res, err)))
        goto done;
    reliability_deciles(in->y, ranked, n, res);
    histogram(p, in->y, n, 0.0, p_hist_upper(p, n), &res->p_hist);
    if (in->score) {
        double lo = 0, hi = 100;
        if (!in->score_is_health) {
            lo = hi = in->score[0];
            for (size_t i = 1; i < n; i++) {
                lo = in->score[i] < lo ? in->score[i] : lo;
                hi = in->score[i] > hi ? in->score[i] : hi;
            }
            if (hi <= lo) {
                lo -= 0.5;
                hi += 0.5;
            }
        }
        histogram(in->score, in->y, n, lo, hi, &res->score_hist);
        res->has_score_hist = 1;
    }
    if (in->band && (st = band_table(in, res, err)) != HC_OK)
        goto done;
    if (in->cluster && (st = hc_validate_clustered(in, p, rank, rr, res, err)) != HC_OK)
        goto done;
    /* Calibration by calendar month: dated rows, intervals by account. */
    if (in->date && in->cluster) {
        if ((st = hc_calendar_calibration(in->y, p, in->date, in->cluster, n, 0.95,
                                          &res->months, err)) != HC_OK)
            goto done;
        res->has_months = 1;
        /* False red flags by month (non-churning accounts in the red band). */
        if (in->band) {
            if ((st = hc_calendar_false_flags(in->y, in->band, in->date, in->cluster, n,
                                              0.95, &res->flags, err)) != HC_OK)
                goto done;
            res->has_flags = 1;
        }
    }
    verdict_discrimination(res);
    res->tol_mean = in->tol_mean > 0 ? in->tol_mean : HC_VALIDATE_TOL_MEAN;
    res->tol_slope = in->tol_slope > 0 ? in->tol_slope : HC_VALIDATE_TOL_SLOPE;
    verdict_calibration(res, mean_p);
    /* Degenerate pieces are reported, not fatal: an empty band, a
     * Hosmer-Lemeshow test that ties leave without groups. */
    for (size_t k = 0; res->has_bands && k < res->bands.n_bands; k++)
        res->n_not_estimable += res->bands.bands[k].accounts == 0;
    res->n_not_estimable += !res->summary.hl_estimable;
    res->leakage_auc = in->leakage_auc;
    hc_validate_leakage_warnings(res);
done:
    free(pmap);
    free(risk);
    free(own_ranked);
    free(risk_ranked);
    return st;
}

hc_status hc_validate_model(const hc_model *m, const hc_history *h,
                            const size_t *rows, size_t n,
                            hc_validate_result *res, hc_validate_rows *counts,
                            hc_error *err)
{
    return hc_validate_model_ex(m, h, rows, n, 0.0, res, counts, err);
}

hc_status hc_validate_model_ex(const hc_model *m, const hc_history *h,
                               const size_t *rows, size_t n, double leakage_auc,
                               hc_validate_result *res, hc_validate_rows *counts,
                               hc_error *err)
{
    hc_validate_model_options o;
    hc_validate_model_options_init(&o);
    o.leakage_auc = leakage_auc;
    o.clustered = 0;
    return hc_validate_model_opts(m, h, rows, n, &o, res, counts, err);
}

/* The column whose text codes cluster the rows (opt->cluster_col, or the
 * account id), or -1 with an error naming the file and the column. */
static int cluster_column(const hc_history *h, const hc_validate_model_options *opt,
                          hc_error *err)
{
    const hc_table *t = h->snapshots.table;
    int col = opt->cluster_col ? hc_table_find(t, opt->cluster_col) : h->snapshots.id_col;
    const char *name = opt->cluster_col ? opt->cluster_col : "the account id";
    if (col < 0) {
        hc_error_set(err, HC_EDATA, t->source, 0, 0,
                     "no cluster column '%s' in the snapshots (--cluster-col)", name);
        return -1;
    }
    if (t->cols[col].type != HC_COL_TEXT) {
        hc_error_set(err, HC_EDATA, t->source, 0, 0,
                     "cluster column '%s' is not a text (id) column: a cluster names the "
                     "account each row belongs to (--cluster-col)", t->cols[col].name);
        return -1;
    }
    return col;
}

hc_status hc_validate_model_opts(const hc_model *m, const hc_history *h,
                                 const size_t *rows, size_t n,
                                 const hc_validate_model_options *opt,
                                 hc_validate_result *res, hc_validate_rows *counts,
                                 hc_error *err)
{
    memset(res, 0, sizeof *res);
    const hc_table *t = h->snapshots.table;
    double leakage_auc = opt->leakage_auc;
    int ccol = -1;
    if (opt->clustered && (ccol = cluster_column(h, opt, err)) < 0)
        return HC_EDATA;
    size_t *all = NULL;
    if (!rows) {
        all = malloc((h->labels.observations ? h->labels.observations : 1) * sizeof *all);
        if (!all)
            return hc_error_nomem(err);
        n = 0;
        for (size_t r = 0; r < t->n_rows; r++)
            if (h->labels.status[r] == HC_ROW_OBSERVATION)
                all[n++] = r;
        rows = all;
    }
    size_t cap = n ? n : 1;
    double *health = malloc(cap * sizeof *health), *p = malloc(cap * sizeof *p);
    double *y = malloc(cap * sizeof *y), *arr = malloc(cap * sizeof *arr);
    /* With a recalibration map: P before it. Each row's date (the map's
     * holdout, the accounts' latest snapshots) and account. */
    double *p_raw = m->recalibration ? malloc(cap * sizeof *p_raw) : NULL;
    int32_t *day = malloc(cap * sizeof *day);
    int32_t *band = malloc(cap * sizeof *band), *seg = malloc(cap * sizeof *seg);
    int32_t *cl = ccol >= 0 ? malloc(cap * sizeof *cl) : NULL;
    int id_col = h->snapshots.id_col;
    int32_t *acct = ccol == id_col ? NULL : malloc(cap * sizeof *acct);
    double *churned = NULL;
    int32_t *churn_day = NULL;
    size_t nc = m->n_components;
    double *sub = malloc((nc ? nc : 1) * cap * sizeof *sub);
    const char **names = malloc((m->n_bands ? m->n_bands : 1) * sizeof *names);
    double *mins = malloc((m->n_bands ? m->n_bands : 1) * sizeof *mins);
    hc_status st = HC_OK;
    if (!health || !p || !y || !arr || !band || !seg || !sub || !names || !mins ||
        !day || (ccol >= 0 && !cl) || (ccol != id_col && !acct) ||
        (m->recalibration && !p_raw)) {
        st = hc_error_nomem(err);
        goto done;
    }
    if ((st = hc_validate_churn_amounts(h, &churned, err)) != HC_OK ||
        (st = hc_validate_churn_days(h, &churn_day, err)) != HC_OK)
        goto done;
    int arr_col;
    if ((st = hc_model_find_column(m, t, "columns.arr", m->columns.arr, HC_COL_NUM, 0,
                                   &arr_col, err)) != HC_OK)
        goto done;
    hc_score_out out = {.health = health,
                        .band = band,
                        .p_churn = p,
                        .segment = seg,
                        .sub = sub,
                        .sub_stride = cap};
    if ((st = hc_model_score_rows_ex(m, t, rows, 0, n, 1, &out, p_raw, err)) != HC_OK)
        goto done;
    hc_trace_mark("validate: rows scored");
    /* Compact to the rows with a health score. */
    size_t k = 0;
    int all_p = 1;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(health[i]))
            continue;
        size_t r = rows[i];
        health[k] = health[i];
        p[k] = p[i];
        if (p_raw)
            p_raw[k] = p_raw[i];
        day[k] = t->cols[h->snapshots.date_col].code[r];
        if (acct)
            acct[k] = t->cols[id_col].code[r]; /* never empty (hc_snapshots_load) */
        band[k] = band[i];
        seg[k] = seg[i];
        for (size_t c = 0; c < nc; c++)
            sub[c * cap + k] = sub[c * cap + i];
        all_p &= isfinite(p[i]) != 0;
        y[k] = h->labels.churn[r];
        if (cl) {
            /* A row without a cluster id cannot be placed in an account. */
            cl[k] = t->cols[ccol].code[r];
            if (cl[k] < 0) {
                st = hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r), 0,
                                  "cluster column '%s' is empty", t->cols[ccol].name);
                goto done;
            }
        }
        /* A missing ARR counts as 0 in the ARR sums. */
        double a = arr_col >= 0 ? hc_table_num(t, arr_col, r) : 0.0;
        arr[k] = isfinite(a) && a >= 0 ? a : 0.0;
        k++;
    }
    if (counts) {
        counts->observations = n;
        counts->missing_health = n - k;
        counts->used = k;
        counts->churn_model_used = all_p && k > 0;
    }
    for (size_t b = 0; b < m->n_bands; b++) {
        names[b] = m->bands[b].name;
        mins[b] = m->bands[b].min;
    }
    hc_validate_input in;
    hc_validate_input_init(&in);
    in.n = k;
    in.y = y;
    in.p = all_p ? p : NULL;
    in.score = health;
    in.higher_is_healthier = 1;
    in.score_is_health = 1;
    in.band = m->n_bands ? band : NULL;
    in.n_bands = m->n_bands;
    in.band_names = names;
    in.band_mins = mins;
    in.arr = arr_col >= 0 ? arr : NULL;
    in.leakage_auc = leakage_auc;
    in.cluster = cl;
    in.cluster_name = cl ? t->cols[ccol].name : NULL;
    in.bootstrap = opt->bootstrap;
    in.seed = opt->seed;
    in.tol_mean = opt->tol_mean;
    in.tol_slope = opt->tol_slope;
    in.account = acct ? acct : cl;
    in.n_accounts = h->snapshots.n_accounts;
    in.date = day;
    in.churned_amount = churned;
    in.churn_day = churn_day;
    hc_trace_mark("validate: rows gathered");
    if ((st = hc_validate_run(&in, res, err)) != HC_OK)
        goto done;
    hc_trace_mark("validate: metrics and intervals");
    /* The pieces: each component alone (leakage), each segment. The
     * health is the risk ranking negated (higher healthier). */
    for (size_t i = 0; i < k; i++)
        health[i] = -health[i];
    if ((st = hc_validate_components(m, sub, cap, y, k, res, err)) != HC_OK ||
        (st = hc_validate_segments(m, seg, y, health, cl, k, res, err)) != HC_OK)
        goto done;
    hc_validate_leakage_warnings(res);
    hc_trace_mark("validate: components and segments");
    if (all_p && (st = hc_validate_recalibration(m, y, p_raw, p, day, k, &res->recal, err)) !=
                     HC_OK)
        goto done;
done:
    free(all);
    free(p_raw);
    free(day);
    free(cl);
    free(acct);
    free(churned);
    free(churn_day);
    free(seg);
    free(sub);
    free(health);
    free(p);
    free(y);
    free(arr);
    free(band);
    free(names);
    free(mins);
    return st;
}
