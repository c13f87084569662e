/* report_html_model.c - the sections of index.html on the score itself: the current config, current vs tuned out of time, the weights, the recommended thresholds. */
#include "report_html.h"

#include <math.h>

/* The scalar metrics of one validation, as table rows. */
static void metric_rows(FILE *f, const hc_validate_result *v)
{
    const hc_metrics_summary *s = &v->summary;
    fputs(v->clusters.active && v->clusters.auc_estimable
              ? "<tr><td>ROC AUC (clustered DeLong 95% CI, by account)</td>"
              : "<tr><td>ROC AUC (DeLong 95% CI)</td>", f);
    hc_rh_td_ci(f, s->roc_auc, s->roc_auc_ci_low, s->roc_auc_ci_high, 3);
    fputs("</tr>\n<tr><td>PR AUC (average precision)</td>", f);
    hc_rh_td_num(f, "%.3f", s->pr_auc);
    fputs("</tr>\n<tr><td>Base rate (churn within the horizon)</td>", f);
    hc_rh_td_pct(f, s->base_rate);
    fputs("</tr>\n<tr><td>Brier score (scaled)</td>", f);
    fputs("<td class=\"n\">", f);
    fprintf(f, "%.5f (%.3f)", s->brier, s->scaled_brier);
    fputs("</td></tr>\n<tr><td>Log loss</td>", f);
    hc_rh_td_num(f, "%.4f", s->log_loss);
    fputs("</tr>\n<tr><td>Calibration slope (95% CI; 1 is ideal)</td>", f);
    hc_rh_td_ci(f, s->calibration_slope, v->slope_ci_low, v->slope_ci_high, 3);
    fputs("</tr>\n<tr><td>Calibration-in-the-large (95% CI; 0 is ideal)</td>", f);
    hc_rh_td_ci(f, s->calibration_in_the_large, v->citl_ci_low, v->citl_ci_high, 3);
    fputs("</tr>\n<tr><td>ECE / Emax</td><td class=\"n\">", f);
    fprintf(f, "%.4f / %.4f", s->ece, s->emax);
    fputs("</td></tr>\n<tr><td>Hosmer-Lemeshow</td><td class=\"n\">", f);
    fprintf(f, "&#967;&#178; %.2f on %d df, p %.3g", s->hl_chi2, s->hl_df, s->hl_p);
    fputs("</td></tr>\n<tr><td>KS</td>", f);
    hc_rh_td_num(f, "%.3f", s->ks);
    fputs("</tr>\n<tr><td>Top decile: lift / share of churners caught</td><td class=\"n\">", f);
    fprintf(f, "%.2f / %.1f%%", s->lift_top_decile, 100 * s->capture_top_decile);
    fputs("</td></tr>\n", f);
}

/* A band table in snapshots: counts and per-snapshot churn rates. Rows are
 * snapshots, so an ARR sum would count an account once a week: ARR is in
 * the table in accounts (band_accounts_table). */
static void band_table(FILE *f, const hc_metrics_bands_result *b, char *const *names,
                       const double *mins, size_t n_names)
{
    fputs("<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "band", "#from health", "#snapshots", "#share of snapshots",
             "#snapshots followed by a churn", "#churn rate per snapshot (95% CI)");
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < b->n_bands; i++) {
        const hc_metrics_band *r = &b->bands[i];
        fputs("<tr>", f);
        hc_rh_td_text(f, i < n_names && names ? names[i] : "");
        hc_rh_td_num(f, "%g", mins ? mins[i] : NAN);
        hc_rh_td_count(f, r->accounts);
        hc_rh_td_pct(f, r->share);
        hc_rh_td_count(f, r->churners);
        fputs("<td class=\"n\">", f);
        fprintf(f, "%.2f%% (%.2f to %.2f)", 100 * r->churn_rate, 100 * r->rate_ci_low,
                100 * r->rate_ci_high);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

/* The same bands in accounts (hc_metrics_bands_accounts): each account
 * once per band it visited and as of its latest snapshot, churned
 * accounts and churned ARR once each, ARR once per account. */
static void band_accounts_table(FILE *f, const hc_metrics_bands_accounts_result *a,
                                char *const *names, const double *mins, size_t n_names)
{
    fputs("<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "band", "#from health", "#accounts with a snapshot in the band",
             "#accounts by their latest snapshot", "#churned accounts",
             "#ARR of the accounts in the band (once each)", "#ARR by latest snapshot",
             "#churned ARR");
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < a->n_bands; i++) {
        const hc_metrics_band_accounts *r = &a->bands[i];
        fputs("<tr>", f);
        hc_rh_td_text(f, i < n_names && names ? names[i] : "");
        hc_rh_td_num(f, "%g", mins ? mins[i] : NAN);
        hc_rh_td_count(f, r->accounts);
        hc_rh_td_count(f, r->accounts_latest);
        hc_rh_td_count(f, r->churned_accounts);
        hc_rh_td_money(f, a->has_arr ? r->arr : NAN);
        hc_rh_td_money(f, a->has_arr ? r->arr_latest : NAN);
        hc_rh_td_money(f, r->churned_arr);
        fputs("</tr>\n", f);
    }
    fputs("<tr><td>all</td><td></td><td></td>", f);
    hc_rh_td_count(f, a->accounts);
    hc_rh_td_count(f, a->churned_accounts);
    fputs("<td></td>", f);
    hc_rh_td_money(f, a->has_arr ? a->arr_latest : NAN);
    hc_rh_td_money(f, a->churned_arr);
    fputs("</tr>\n</tbody></table></div>\n", f);
    fprintf(f, "<p class=\"note\">An account that moved between bands counts in each band "
               "it visited, with the ARR of its latest snapshot there; \"by latest "
               "snapshot\" counts each account once. A churned account counts once, in the "
               "band of its last snapshot before the churn; its churned ARR is ");
    if (a->has_amounts)
        fprintf(f, "the amount of its churn event (%zu accounts) or, for an event without an "
                   "amount, the ARR at that last snapshot (%zu).</p>\n",
                a->churned_with_amount, a->churned_from_arr);
    else
        fprintf(f, "the ARR at that last snapshot (no events; %zu accounts).</p>\n",
                a->churned_from_arr);
}

void hc_rh_section_current(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_validate_result *v = &res->validate;
    hc_rh_section_open(pg, HC_REPORT_SECTION_CURRENT);
    fputs("<p>Every labelled snapshot scored with the current config ", f);
    fputs("<strong>", f);
    hc_rh_esc(f, res->current->name ? res->current->name : res->current->source);
    fprintf(f, "</strong>: %zu snapshots", res->validate_rows.used);
    if (res->validate_rows.missing_health)
        fprintf(f, " (%zu more had no component data)", res->validate_rows.missing_health);
    fputs(". ", f);
    if (v->in_sample_map)
        fprintf(f, "The config has no churn model, so its probabilities here are a logistic "
                   "map of the health score fitted on these same snapshots (intercept "
                   "%.4g, slope %.4g per point): calibrated by construction, not judged.",
                v->map_intercept, v->map_slope);
    else
        fputs("Probabilities come from the config's own churn model.", f);
    fputs("</p>\n<p><strong>Discrimination:</strong> the current score ", f);
    hc_rh_esc(f, v->discrimination_text);
    fputs("</p>\n", f);
    if (v->clusters.active && v->clusters.effective_text[0]) {
        /* Next to the verdict: how many independent units its interval has. */
        fputs("<p class=\"effective-sample\"><strong>Effective sample:</strong> ", f);
        hc_rh_esc(f, v->clusters.effective_text);
        fputs("</p>\n", f);
    }
    fputs("<p><strong>Calibration:</strong> ", f);
    hc_rh_esc(f, v->calibration_text);
    fputs("</p>\n<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "metric", "#value");
    fputs("<tbody>\n", f);
    metric_rows(f, v);
    fputs("</tbody></table></div>\n", f);
    if (v->has_bands) {
        fputs("<h3>Churn by band under the current bands, in snapshots</h3>\n", f);
        band_table(f, &v->bands, v->band_names, v->band_mins, v->bands.n_bands);
        fprintf(f, "<p>%s</p>\n",
                v->bands_monotone ? "Churn rates fall from each band to the next healthier one."
                                  : "Churn rates do <strong>not</strong> fall steadily from "
                                    "band to band: the current cut points do not order risk.");
        if (v->has_band_accounts) {
            fputs("<h3>The same bands in accounts</h3>\n", f);
            band_accounts_table(f, &v->band_accounts, v->band_names, v->band_mins,
                                v->bands.n_bands);
        }
    }
    fputs("</section>\n", f);
}

void hc_rh_section_backtest(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_backtest_result *b = &res->backtest;
    hc_rh_section_open(pg, HC_REPORT_SECTION_BACKTEST);
    if (pg->doc->folds_note[0]) {
        fputs("<p class=\"note\"><strong>Too few or too small folds to conclude:</strong> ", f);
        hc_rh_esc(f, pg->doc->folds_note);
        fputs("</p>\n", f);
    }
    if (!res->has_backtest) {
        fputs("<p class=\"note\">No walk-forward backtest: ", f);
        hc_rh_esc(f, res->backtest_note);
        fputs(". The plots below show the current config on all labelled snapshots "
              "(in-sample).</p>\n", f);
    } else {
        fprintf(f, "<p>Walk-forward by date: each fold tests on %d days of snapshots and "
                   "trains on the %s before them, ending %d days (horizon plus lead) "
                   "before the test period so that no training label sees a test-period "
                   "event. The tuned model is refitted in every fold on its training rows "
                   "only (transforms, weights, calibration); the current config keeps its "
                   "weights, and its probabilities come from a logistic map fitted on the "
                   "same training rows. %zu of %zu folds were usable; %zu test snapshots "
                   "in all.</p>\n",
                b->opt.step_days, b->opt.window_days > 0 ? "preceding window" : "whole history",
                b->plan.horizon + b->plan.lead, b->folds_used, b->plan.n_folds, b->n_pooled);
        fputs("<div class=\"wrap\"><table>\n", f);
        HC_RH_TH(f, "config", "probabilities", "#ROC AUC (95% CI)", "#PR AUC", "#Brier",
                 "#ECE", "#calibration slope", "#calibration-in-the-large",
                 "#top-decile lift");
        fputs("<tbody>\n", f);
        for (size_t c = 0; c < b->n_configs; c++) {
            const hc_backtest_config *cf = &b->configs[c];
            fputs("<tr>", f);
            hc_rh_td_text(f, cf->name);
            hc_rh_td_text(f, cf->probabilities);
            if (!cf->has_pooled) {
                fputs("<td colspan=\"7\">", f);
                hc_rh_esc(f, cf->pooled_note);
                fputs("</td></tr>\n", f);
                continue;
            }
            const hc_metrics_summary *s = &cf->pooled.summary;
            hc_rh_td_ci(f, s->roc_auc, s->roc_auc_ci_low, s->roc_auc_ci_high, 3);
            hc_rh_td_num(f, "%.3f", s->pr_auc);
            hc_rh_td_num(f, "%.5f", s->brier);
            hc_rh_td_num(f, "%.4f", s->ece);
            hc_rh_td_ci(f, s->calibration_slope, cf->pooled.slope_ci_low,
                        cf->pooled.slope_ci_high, 2);
            hc_rh_td_ci(f, s->calibration_in_the_large, cf->pooled.citl_ci_low,
                        cf->pooled.citl_ci_high, 2);
            hc_rh_td_num(f, "%.2f", s->lift_top_decile);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
        for (size_t i = 0; i < b->n_comparisons; i++) {
            const hc_backtest_comparison *c = &b->comparisons[i];
            fputs("<p><strong>", f);
            hc_rh_esc(f, b->configs[c->index].name);
            fputs(" vs ", f);
            hc_rh_esc(f, b->configs[0].name);
            fputs(":</strong> ", f);
            if (!c->ok) {
                fputs("no AUC comparison (", f);
                hc_rh_esc(f, c->note);
                fputs(").</p>\n", f);
                continue;
            }
            /* The verdict rests on the clustered test when there is one. */
            int sig = c->diff.ci_low > 0 || c->diff.ci_high < 0;
            if (c->clustered) {
                fprintf(f, "AUC difference %+.4f (95%% CI %+.4f to %+.4f, %s by account, "
                           "%zu accounts, p %.3g): %s. Treating the snapshots as "
                           "independent would give %+.4f to %+.4f (design effect %.2f).</p>\n",
                        c->diff.diff, c->diff.ci_low, c->diff.ci_high,
                        HC_BACKTEST_METHOD_PAIRED_CLUSTERED, c->n_clusters, c->diff.p_value,
                        !sig ? "no significant difference"
                        : c->diff.diff > 0 ? "significantly better" : "significantly worse",
                        c->ci_low_naive, c->ci_high_naive, c->design_effect);
            } else {
                fprintf(f, "AUC difference %+.4f (95%% CI %+.4f to %+.4f, DeLong paired "
                           "test, rows independent, p %.3g): %s.</p>\n",
                        c->diff.diff, c->diff.ci_low, c->diff.ci_high, c->diff.p_value,
                        !sig ? "no significant difference"
                        : c->diff.diff > 0 ? "significantly better" : "significantly worse");
            }
        }
        fputs("<ul>\n", f);
        for (size_t c = 0; c < b->n_configs; c++) {
            const hc_backtest_config *cf = &b->configs[c];
            if (!cf->has_pooled)
                continue;
            fputs("<li><strong>", f);
            hc_rh_esc(f, cf->name);
            fputs("</strong> ", f);
            hc_rh_esc(f, cf->pooled.discrimination_text);
            fputs(" <em>Calibration:</em> ", f);
            hc_rh_esc(f, cf->pooled.calibration_text);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
        if (b->folds_used < b->plan.n_folds) {
            fputs("<h3>Skipped folds</h3>\n<ul>\n", f);
            for (size_t i = 0; i < b->plan.n_folds; i++) {
                if (b->folds[i].used)
                    continue;
                fprintf(f, "<li>fold %zu (test from ", i + 1);
                hc_rh_date(f, b->plan.folds[i].test_start);
                fputs("): ", f);
                hc_rh_esc(f, b->folds[i].note);
                fputs("</li>\n", f);
            }
            fputs("</ul>\n", f);
        }
    }
    hc_rh_figures(pg, HC_REPORT_SECTION_BACKTEST);
    fputs("</section>\n", f);
}

void hc_rh_section_weights(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_fit_result *r = &res->fit;
    const hc_model *m = r->tuned;
    hc_rh_section_open(pg, HC_REPORT_SECTION_WEIGHTS);
    fprintf(f, "<p>The churn model logit P(churn within %d days) = &#946;<sub>0</sub> + "
               "&#931; &#946;<sub>k</sub> s<sub>k</sub> on the component sub-scores "
               "(0-100), fitted on %zu complete labelled snapshots with %zu churns; the "
               "weights are w<sub>k</sub> = &#946;<sub>k</sub> / &#931; &#946;<sub>j</sub>, "
               "which makes the health score an exact summary of the model. Intervals: "
               "delta method on cluster-robust (by account) standard errors.</p>\n",
            m->horizon_days, r->n_fit, r->n_events);
    fputs("<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "component", "#current weight", "#tuned weight", "#95% interval",
             "#&#946; per point", "#s.e.", "note");
    fputs("<tbody>\n", f);
    for (size_t c = 0; c < r->n_components; c++) {
        fputs("<tr>", f);
        hc_rh_td_text(f, m->components[c].name);
        hc_rh_td_num(f, "%.3f", r->old_weight[c]);
        hc_rh_td_num(f, "%.3f", r->new_weight[c]);
        if (r->dropped[c])
            fputs("<td class=\"n\">&#8211;</td>", f);
        else
            fprintf(f, "<td class=\"n\">%.3f to %.3f</td>", r->weight_ci_low[c],
                    r->weight_ci_high[c]);
        hc_rh_td_num(f, "%.5f", r->beta[c]);
        hc_rh_td_num(f, "%.5f", r->dropped[c] ? NAN : r->beta_se[c]);
        hc_rh_td_text(f, r->dropped[c] ? "dropped: a higher score went with more churn" : "");
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (m->churn.present)
        fprintf(f, "<p>Calibration: P(churn within %d days) = 1 / (1 + exp(&#8722;(%.4g "
                   "%s %.4g &#215; H))). In-sample ROC AUC of the tuned model: %.3f.</p>\n",
                m->horizon_days, m->churn.intercept, m->churn.slope < 0 ? "&#8722;" : "+",
                fabs(m->churn.slope), r->in_sample_auc);
    if (r->expansion_note[0]) {
        fputs("<p>Expansion model: ", f);
        hc_rh_esc(f, r->expansion_note);
        fputs(".</p>\n", f);
    } else if (r->has_expansion) {
        fprintf(f, "<p>An expansion model (P(expansion within %d days) on the same "
                   "sub-scores, %zu expansions) is in <code>tuned.json</code> and scores "
                   "every account in <code>predictions.csv</code>.</p>\n",
                m->horizon_days, r->n_expansion_events);
    }
    hc_rh_figures(pg, HC_REPORT_SECTION_WEIGHTS);
    fputs("</section>\n", f);
}

void hc_rh_section_thresholds(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_model *m = res->fit.tuned;
    const hc_threshold_result *t = res->thresholds;
    hc_rh_section_open(pg, HC_REPORT_SECTION_THRESHOLDS);
    if (pg->doc->thresholds_verdict >= 0) {
        fputs("<p>", f);
        hc_rh_esc(f, pg->doc->summary[pg->doc->thresholds_verdict].text);
        fputs("</p>\n", f);
    }
    if (t) {
        fprintf(f, "<h3>The recommended bands on the rows they were chosen on (%s)</h3>\n",
                res->cuts_source == HC_REPORT_CUTS_BACKTEST
                    ? "pooled out-of-time test snapshots"
                    : "all labelled snapshots, in-sample");
        char *names[HC_THRESHOLDS_MAX_BANDS];
        double mins[HC_THRESHOLDS_MAX_BANDS];
        size_t nb = m->n_bands < HC_THRESHOLDS_MAX_BANDS ? m->n_bands : HC_THRESHOLDS_MAX_BANDS;
        for (size_t b = 0; b < nb; b++) {
            names[b] = m->bands[b].name;
            mins[b] = m->bands[b].min;
        }
        hc_metrics_bands_result br = {.n_bands = t->n_bands < nb ? t->n_bands : nb,
                                      .bands = t->bands};
        band_table(f, &br, names, mins, nb);
    }
    const hc_backtest_result *b = &res->backtest;
    if (res->has_backtest && b->folds_used) {
        fputs("<h3>Per fold: cut points chosen on training rows, tried on the next test "
              "period</h3>\n<div class=\"wrap\"><table>\n", f);
        HC_RH_TH(f, "#fold", "test period", "cut points", "#objective on training",
                 "#objective on test", "#red share (test)");
        fputs("<tbody>\n", f);
        for (size_t i = 0; i < b->plan.n_folds; i++) {
            if (!b->folds[i].used)
                continue;
            const hc_backtest_cell *cell = &b->folds[i].cells[b->primary];
            fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
            hc_rh_date(f, b->plan.folds[i].test_start);
            fputs(" to ", f);
            hc_rh_date(f, b->plan.folds[i].test_end);
            fputs("</td><td>", f);
            for (size_t k = 0; k < cell->n_cuts; k++)
                fprintf(f, "%s%g", k ? ", " : "", cell->cuts[k]);
            fputs("</td>", f);
            hc_rh_td_num(f, "%.3f", cell->objective_train);
            hc_rh_td_num(f, "%.3f", cell->objective_test);
            hc_rh_td_pct(f, cell->red_share);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    hc_rh_figures(pg, HC_REPORT_SECTION_THRESHOLDS);
    fputs("</section>\n", f);
}

