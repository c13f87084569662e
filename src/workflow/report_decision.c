/* report_decision.c - the report's one recommendation: adopt the tuned config or keep the current one, from the out-of-time evidence; and whether its bands are written. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void hc_rpt_fold_objective(const hc_report_result *res, size_t *met, size_t *used,
                           double *lo, double *hi)
{
    const hc_backtest_result *b = &res->backtest;
    const hc_threshold_options *t = &res->opt.threshold;
    *met = *used = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    if (!res->has_backtest)
        return;
    for (size_t f = 0; f < b->plan.n_folds; f++) {
        if (!b->folds[f].used)
            continue;
        const hc_backtest_cell *c = &b->folds[f].cells[b->primary];
        double v = c->objective_test;
        if (!isfinite(v))
            continue;
        (*used)++;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
        if (t->objective == HC_THRESHOLD_VALUE ? v > 0 : v >= t->target)
            (*met)++;
    }
}

/* The current config as the report scores with it when it is kept: its
 * own churn model, or, when it has none, P(churn) from the logistic map of
 * its health fitted on every labelled snapshot (the validation's map). */
static hc_status kept_config(hc_report_result *res, hc_error *err)
{
    res->kept = hc_model_copy(res->current);
    if (!res->kept)
        return hc_error_nomem(err);
    if (!res->kept->churn.present && res->validate.in_sample_map) {
        res->kept->churn.present = 1;
        res->kept->churn.intercept = res->validate.map_intercept;
        res->kept->churn.slope = res->validate.map_slope;
        res->kept_mapped = 1;
    }
    res->kept->horizon_days = res->history.labels.horizon;
    res->kept->lead_days = res->history.labels.lead;
    return HC_OK;
}

hc_status hc_rpt_decide(hc_report_result *res, hc_error *err)
{
    const hc_backtest_result *b = &res->backtest;
    const hc_backtest_comparison *cmp =
        res->has_backtest && b->n_comparisons && b->comparisons[0].ok ? &b->comparisons[0] : NULL;
    if (cmp && cmp->diff.ci_low > 0) {
        res->adopt_tuned = 1;
        snprintf(res->decision_text, sizeof res->decision_text,
                 "Adopt the tuned config: out of time it ranks churners better than the "
                 "current one (ROC AUC %+.3f, 95%% CI %+.3f to %+.3f%s). The thresholds, "
                 "revenue at risk and call list below use it.",
                 cmp->diff.diff, cmp->diff.ci_low, cmp->diff.ci_high,
                 cmp->clustered ? ", clustered by account" : "");
        res->scoring = res->fit.tuned;
        return HC_OK;
    }
    res->adopt_tuned = 0;
    hc_status st = kept_config(res, err);
    if (st != HC_OK)
        return st;
    res->scoring = res->kept;
    const char *why;
    char buf[300];
    if (!cmp) {
        why = "there is no out-of-time comparison of the two, so there is no evidence "
              "that the tuned weights do better on new data";
    } else if (cmp->diff.ci_high < 0) {
        snprintf(buf, sizeof buf,
                 "out of time the tuned weights rank churners worse (ROC AUC %+.3f, 95%% "
                 "CI %+.3f to %+.3f)",
                 cmp->diff.diff, cmp->diff.ci_low, cmp->diff.ci_high);
        why = buf;
    } else {
        snprintf(buf, sizeof buf,
                 "out of time the tuned weights do not rank churners measurably better "
                 "(ROC AUC %+.3f, 95%% CI %+.3f to %+.3f)",
                 cmp->diff.diff, cmp->diff.ci_low, cmp->diff.ci_high);
        why = buf;
    }
    snprintf(res->decision_text, sizeof res->decision_text,
             "Keep the current config: %s. The thresholds, revenue at risk and call list "
             "below use the current weights and bands%s; tuned.json is written for "
             "reference, not for deployment.",
             why,
             res->kept_mapped ? ", with P(churn) from a logistic map of the current health "
                                "score fitted on every labelled snapshot"
                              : "");
    return HC_OK;
}

void hc_rpt_bands_evidence(hc_report_result *res)
{
    const hc_backtest_result *b = &res->backtest;
    size_t met = 0, used = 0;
    const char *how;
    if (res->cuts_source == HC_REPORT_CUTS_BACKTEST && b->has_nested && b->nested.scored) {
        met = b->nested.met;
        used = b->nested.scored;
        how = "chosen on the earlier folds and scored on the next";
    } else {
        double lo, hi;
        hc_rpt_fold_objective(res, &met, &used, &lo, &hi);
        how = "chosen on each fold's training rows and scored on its test period";
    }
    res->bands_met = met;
    res->bands_folds = used;
    int held = used > 0 && 2 * met > used;
    res->bands_written = held || res->opt.force_bands;
    if (held)
        snprintf(res->bands_note, sizeof res->bands_note,
                 "the objective held out of time in %zu of %zu folds (cut points %s), so "
                 "the recommended bands are written into tuned.json",
                 met, used, how);
    else if (res->opt.force_bands)
        snprintf(res->bands_note, sizeof res->bands_note,
                 "the objective held out of time in only %zu of %zu folds (cut points %s); "
                 "the recommended bands are written into tuned.json because --force was "
                 "given",
                 met, used, how);
    else
        snprintf(res->bands_note, sizeof res->bands_note,
                 "the objective held out of time in only %zu of %zu folds (cut points %s), "
                 "so the recommended bands are NOT written: tuned.json keeps the current "
                 "bands (--force writes them anyway)",
                 met, used, how);
}

const char *hc_report_scoring_label(const hc_report_result *res)
{
    if (res->adopt_tuned)
        return res->bands_written ? "tuned config and its recommended bands"
                                  : "tuned config and the current bands";
    return res->kept_mapped ? "current config (its weights and bands; P(churn) from a "
                              "logistic map of its health score)"
                            : "current config";
}
