/* report_summary.c - the executive summary of the report in plain words: prediction, out-of-time gain, weights, thresholds, revenue at risk, drift. */
#include "report_internal.h"
#include "hc_date.h"
#include "hc_format.h"

#include <math.h>

static const char *config_name(const hc_model *m)
{
    return m->name ? m->name : m->source;
}

static void objective_words(FILE *f, const hc_report_result *res)
{
    const hc_threshold_options *t = &res->opt.threshold;
    const char *red = res->fit.tuned->bands[0].name;
    int H = res->history.labels.horizon;
    switch (t->objective) {
    case HC_THRESHOLD_RECALL:
        fprintf(f, "the '%s' band should catch at least %.0f%% of the accounts that "
                   "churn within %d days", red, 100 * t->target, H);
        break;
    case HC_THRESHOLD_ARR_RECALL:
        fprintf(f, "the '%s' band should hold at least %.0f%% of the ARR that churns "
                   "within %d days", red, 100 * t->target, H);
        break;
    case HC_THRESHOLD_PRECISION:
        fprintf(f, "at least %.0f%% of the '%s' band's accounts should churn within "
                   "%d days (the largest such band)", 100 * t->target, red, H);
        break;
    case HC_THRESHOLD_VALUE:
        fprintf(f, "the largest expected value of intervening on the '%s' band, at a "
                   "cost of %g per account and saving %.0f%% of a churner's ARR",
                red, t->cost, 100 * t->save_rate);
        break;
    case HC_THRESHOLD_CAPACITY:
        fprintf(f, "the largest '%s' band that holds at most %g%s accounts on every "
                   "scoring date", red, t->capacity_share ? 100 * t->capacity : t->capacity,
                t->capacity_share ? "% of the" : "");
        break;
    }
}

static void summary_current(FILE *f, const hc_report_result *res)
{
    const hc_validate_result *v = &res->validate;
    const hc_labels *l = &res->history.labels;
    fprintf(f, "The current config '%s' %s", config_name(res->current),
            v->discrimination_text);
    fprintf(f, " (Over %zu labelled snapshots of %zu accounts, %zu of them followed by "
               "a churn within %d days.)",
            res->validate_rows.used, res->history.snapshots.n_accounts,
            v->summary.positives,
            l->horizon);
    /* Beside the verdict: how many independent units its interval rests on. */
    if (v->clusters.active && v->clusters.effective_text[0])
        fprintf(f, " %s", v->clusters.effective_text);
    if (res->validate_rows.churn_model_used) {
        fprintf(f, " Its own churn probabilities are %s", v->calibration_text);
    } else if (res->has_backtest && res->backtest.configs[0].has_pooled) {
        fprintf(f, " It has no churn model, so it ranks accounts but gives no "
                   "probabilities; turned into probabilities by a logistic fit on each "
                   "backtest training fold, out of time it is %s",
                res->backtest.configs[0].pooled.calibration_text);
    } else {
        fputs(" It has no churn model, so it ranks accounts but gives no probabilities, "
              "and its calibration cannot be judged.", f);
    }
}

static void summary_gain(FILE *f, const hc_report_result *res)
{
    const hc_backtest_result *b = &res->backtest;
    if (!res->has_backtest) {
        fprintf(f, "There is no out-of-time comparison: %s. The tuned model's in-sample "
                   "ROC AUC is %.3f, which overstates what it will do on new data.",
                res->backtest_note, res->fit.in_sample_auc);
        return;
    }
    char a[11], z[11];
    hc_date_format(b->plan.folds[0].test_start, a);
    hc_date_format(b->plan.folds[b->plan.n_folds - 1].test_end, z);
    size_t pos = 0;
    for (size_t i = 0; i < b->n_pooled; i++)
        pos += b->pooled_y[i] == 1.0;
    fprintf(f, "In a walk-forward backtest (%zu of %zu folds used, test periods %s to %s, "
               "%zu test snapshots, %zu of them followed by a churn; every fold trains only on snapshots "
               "whose outcome was known %d days before its test period), ",
            b->folds_used, b->plan.n_folds, a, z, b->n_pooled, pos,
            b->plan.horizon + b->plan.lead);
    if (b->n_comparisons == 0 || !b->comparisons[0].ok) {
        fprintf(f, "the two configs could not be compared: %s.",
                b->n_comparisons ? b->comparisons[0].note : "no tuned model");
        return;
    }
    const hc_backtest_comparison *cmp = &b->comparisons[0];
    const hc_metrics_auc_diff *d = &cmp->diff;
    /* d holds the clustered test when the backtest clustered by account:
     * the verdict below rests on it. */
    int sig = d->ci_low > 0 || d->ci_high < 0;
    if (cmp->clustered)
        fprintf(f, "the tuned weights reached a ROC AUC of %.3f against %.3f for the current "
                   "config: a difference of %+.3f (95%% CI %+.3f to %+.3f, DeLong's paired "
                   "test clustered by account, Obuchowski 1997, over %zu accounts, "
                   "p = %.2g; treating the snapshots as independent would give %+.3f to "
                   "%+.3f, design effect %.1f). ",
                d->auc1, d->auc2, d->diff, d->ci_low, d->ci_high, cmp->n_clusters,
                d->p_value, cmp->ci_low_naive, cmp->ci_high_naive, cmp->design_effect);
    else
        fprintf(f, "the tuned weights reached a ROC AUC of %.3f against %.3f for the current "
                   "config: a difference of %+.3f (95%% CI %+.3f to %+.3f, DeLong's paired "
                   "test, p = %.2g). ",
                d->auc1, d->auc2, d->diff, d->ci_low, d->ci_high, d->p_value);
    if (!sig)
        fputs("That is no significant difference: on data they were not fitted on, the "
              "tuned weights do not rank churners measurably better than the current ones.",
              f);
    else if (d->diff > 0)
        fputs("The tuned weights rank churners significantly better out of time.", f);
    else
        fputs("The tuned weights rank churners significantly worse out of time: look at "
              "the caveats.", f);
}

static void summary_weights(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    fputs("Tuned weights, from the churn model fitted on every labelled snapshot "
          "(current → tuned, 95% interval): ", f);
    for (size_t c = 0; c < r->n_components; c++) {
        fprintf(f, "%s%s %.2f → %.2f", c ? "; " : "", r->tuned->components[c].name,
                r->old_weight[c], r->new_weight[c]);
        if (r->dropped[c])
            fputs(" (dropped: its coefficient had the unhealthy sign)", f);
        else
            fprintf(f, " (%.2f to %.2f)", r->weight_ci_low[c], r->weight_ci_high[c]);
    }
    const hc_model *m = r->tuned;
    if (m->churn.present)
        fprintf(f, ". Calibrated as P(churn within %d days) = 1 / (1 + exp(-(%.4g %c %.4g × "
                   "H))) on the health score H.",
                m->horizon_days, m->churn.intercept, m->churn.slope < 0 ? '-' : '+',
                fabs(m->churn.slope));
    else
        fputc('.', f);
}

static void summary_thresholds(FILE *f, const hc_report_result *res)
{
    const hc_model *m = res->scoring;
    const hc_threshold_result *t = res->thresholds;
    if (res->cuts_source == HC_REPORT_CUTS_KEPT) {
        fprintf(f, "No cut points were recommended (%s); the bands stay the current "
                   "ones: ", res->thresholds_note);
    } else if (res->bands_written) {
        fputs("Recommended bands on the tuned health score (0-100): ", f);
    } else {
        fputs("Cut points were found for the tuned health score (", f);
        for (size_t b = 0; t && b + 1 < t->n_bands; b++)
            fprintf(f, "%s%.4g", b ? ", " : "", t->cuts[b]);
        fprintf(f, "), but %s. The bands stay the current ones: ", res->bands_note);
    }
    for (size_t b = 0; b < m->n_bands; b++) {
        fprintf(f, "%s'%s' %s", b ? "; " : "", m->bands[b].name, res->doc.book[b].range);
    }
    fputs(".", f);
    if (res->bands_written)
        fprintf(f, " They are written because %s.", res->bands_note);
    if (res->doc.n_book)
        fprintf(f, " Today the '%s' band holds %zu of the book's %zu accounts: the call "
                   "list this week.",
                m->bands[0].name, res->doc.book[0].accounts, res->book_accounts);
    if (!res->thresholds)
        return;
    fputs(" The objective: ", f);
    objective_words(f, res);
    fputs(". ", f);
    const hc_threshold_point *pt = &t->sweep[t->red_point];
    if (res->cuts_source == HC_REPORT_CUTS_BACKTEST)
        fputs("Chosen on the tuned model's out-of-time backtest snapshots and scored on the "
              "same snapshots (so these figures flatter the cut points)", f);
    else
        fprintf(f, "On the final model's in-sample health scores (there was no "
                   "out-of-time sweep: %s)", res->thresholds_note);
    if (t->by_accounts) {
        fprintf(f, ", the '%s' band holds %zu accounts and catches %zu of the %zu churned "
                   "accounts (recall %.1f%%, precision %.1f%% of the accounts it flags",
                m->bands[0].name, pt->accounts_flagged, pt->churned_accounts_flagged,
                t->churned_accounts, 100 * pt->account_recall, 100 * pt->account_precision);
        if (t->churned_arr > 0)
            fprintf(f, ", %.1f%% of churned ARR", 100 * pt->account_arr_recall);
        fputc(')', f);
    } else {
        fprintf(f, ", the '%s' band flags %.1f%% of snapshots and catches %.1f%% of churner "
                   "snapshots (precision %.1f%%",
                m->bands[0].name, 100 * pt->share_flagged, 100 * pt->recall,
                100 * pt->precision);
        if (t->churned_arr > 0)
            fprintf(f, ", %.1f%% of churned ARR", 100 * pt->arr_recall);
        fputc(')', f);
    }
    if (t->has_dates && t->n_dates)
        fprintf(f, "; a team working it calls %.1f accounts per scoring date on average, at "
                   "most %zu",
                pt->per_date_mean, pt->per_date_max);
    fputs(".", f);
    if (!t->met)
        fprintf(f, " The target was not reached: %s.", t->message);
    const hc_backtest_result *b = &res->backtest;
    if (res->cuts_source == HC_REPORT_CUTS_BACKTEST && b->has_nested) {
        const hc_backtest_nested *n = &b->nested;
        if (n->accounts)
            fprintf(f, " Out of time (each backtest fold's cut points chosen on the earlier "
                       "folds' snapshots and scored on its own), the '%s' band flagged %zu "
                       "accounts and caught %zu of %zu churned accounts (precision %.1f%%), "
                       "%.1f red accounts per scoring date on average (at most %zu); the "
                       "target, counted in accounts, held in %zu of %zu folds.",
                    m->bands[0].name, n->red_accounts, n->red_churned_accounts,
                    n->churned_accounts, 100 * n->account_precision, n->red_per_date_mean,
                    n->red_per_date_max, n->met, n->scored);
        else
            fprintf(f, " Out of time (each backtest fold's cut points chosen on the earlier "
                       "folds' snapshots and scored on its own), the '%s' band flagged %.1f%% "
                       "of snapshots and caught %.1f%% of churner snapshots (precision "
                       "%.1f%%); the target held in %zu of %zu folds.",
                    m->bands[0].name, 100 * n->share_flagged, 100 * n->recall,
                    100 * n->precision, n->met, n->scored);
    }
    size_t met, used;
    double lo, hi;
    hc_rpt_fold_objective(res, &met, &used, &lo, &hi);
    if (used)
        fprintf(f, " Chosen the same way on each backtest fold's training snapshots, the "
                   "cut points reached the target on the following test period in %zu of "
                   "%zu folds (achieved %.3g to %.3g).",
                met, used, lo, hi);
}

static void summary_risk(FILE *f, const hc_report_result *res)
{
    const hc_predict_result *p = &res->predict;
    const hc_model *m = res->scoring;
    char day[11], total[48], exp_arr[48];
    hc_date_format(p->as_of, day);
    hc_format_money(res->book_arr, total, sizeof total);
    hc_format_money(res->book_expected_arr, exp_arr, sizeof exp_arr);
    fprintf(f, "As of %s the book holds %zu accounts that have not churned, with a total "
               "ARR of %s. Scored with the %s config, the expected churned ARR in the "
               "next %d days is %s",
            day, res->book_accounts, total, res->adopt_tuned ? "tuned" : "current",
            p->horizon_days, exp_arr);
    if (res->book_arr > 0)
        fprintf(f, " (%.1f%% of the book's ARR)", 100 * res->book_expected_arr / res->book_arr);
    fprintf(f, ", about %.1f accounts.", res->book_expected_churners);
    if (res->book_risk.computed) {
        /* The range of the sum, not of each account: accounts churn one
         * by one, so the churned ARR is lumpy. */
        char lo80[48], hi80[48], lo95[48], hi95[48];
        const hc_predict_risk_range *q = &res->book_risk;
        hc_format_money(q->lo80, lo80, sizeof lo80);
        hc_format_money(q->hi80, hi80, sizeof hi80);
        hc_format_money(q->lo95, lo95, sizeof lo95);
        hc_format_money(q->hi95, hi95, sizeof hi95);
        fprintf(f, " If each account churns independently with its probability, the "
                   "churned ARR falls between %s and %s in 8 of 10 such periods and between "
                   "%s and %s in 95 of 100 (%zu seeded Monte Carlo draws).",
                lo80, hi80, lo95, hi95, q->draws);
    }
    fputs(" By band: ", f);
    for (size_t b = 0; b < m->n_bands; b++) {
        char arr[48], e[48];
        hc_format_money(res->band_arr[b], arr, sizeof arr);
        hc_format_money(res->band_expected_arr[b], e, sizeof e);
        fprintf(f, "%s'%s' %zu accounts, ARR %s, expected churned ARR %s", b ? "; " : "",
                m->bands[b].name, res->band_accounts[b], arr, e);
    }
    fputc('.', f);
    if (res->book_stale) {
        char s[48];
        hc_format_money(res->book_stale_arr, s, sizeof s);
        fprintf(f, " %zu of these accounts (ARR %s) have no snapshot in the last %d days, "
                   "so their scores may be out of date.",
                res->book_stale, s, p->horizon_days);
    }
    if (res->book_unscored)
        fprintf(f, " %zu accounts have no component data and no score.", res->book_unscored);
    if (res->churned_accounts) {
        char c[48];
        hc_format_money(res->churned_arr, c, sizeof c);
        fprintf(f, " Not counted: %zu accounts that churned on or before %s (last ARR %s).",
                res->churned_accounts, day, c);
    }
}

static void summary_drift(FILE *f, const hc_report_result *res)
{
    const hc_drift_result *d = &res->drift;
    char a[11], b[11], c[11], e[11];
    hc_date_format(d->baseline.period.from, a);
    hc_date_format(d->baseline.period.to, b);
    hc_date_format(d->current.period.from, c);
    hc_date_format(d->current.period.to, e);
    const hc_drift_score *h = &d->scores[0];
    fprintf(f, "From the previous period (%s to %s) to the current one (%s to %s) the "
               "%s score is %s: ", a, b, c, e, res->adopt_tuned ? "tuned" : "current", hc_drift_flag_name(d->verdict));
    if (isfinite(h->psi))
        fprintf(f, "the PSI of the health score is %.3f (%s)", h->psi,
                hc_drift_flag_name(h->flag));
    else
        fprintf(f, "the PSI of the health score cannot be computed (%s)", h->note);
    if (d->verdict_score > 0) {
        const hc_drift_score *s = &d->scores[d->verdict_score];
        fprintf(f, ", and component '%s' has the largest shift, PSI %.3f (%s)", s->name,
                s->psi, hc_drift_flag_name(s->flag));
    }
    fputc('.', f);
    if (d->has_labels && isfinite(d->baseline.churn_rate) && isfinite(d->current.churn_rate))
        fprintf(f, " The %d-day churn rate went from %.2f%% to %.2f%%.", d->horizon,
                100 * d->baseline.churn_rate, 100 * d->current.churn_rate);
    fputs(" (PSI below 0.1 is stable, 0.1 to 0.25 worth watching, 0.25 or more calls for "
          "recalibration: Siddiqi 2006.)", f);
}

size_t hc_rpt_summary(const hc_report_result *res, hc_report_paragraph *para, size_t max)
{
    size_t n = 0;
    hc_rpt_para p;
    if (hc_rpt_para_open(&p)) {
        summary_current(p.f, res);
        hc_rpt_para_close(&p, "Does the current score predict churn?", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        summary_gain(p.f, res);
        hc_rpt_para_close(&p, "What do the tuned weights gain out of time?", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        fputs(res->decision_text, p.f);
        hc_rpt_para_close(&p, "The recommendation", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        summary_weights(p.f, res);
        hc_rpt_para_close(&p, "The weights", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        summary_thresholds(p.f, res);
        hc_rpt_para_close(&p, "Recommended thresholds", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        summary_risk(p.f, res);
        hc_rpt_para_close(&p, "Revenue at risk", para, max, &n);
    }
    if (res->has_drift && hc_rpt_para_open(&p)) {
        summary_drift(p.f, res);
        hc_rpt_para_close(&p, "Drift since the previous period", para, max, &n);
    }
    return n;
}

