/* report_caveats.c - the caveats of the report: causation, censoring, repeated snapshots, small segments, dropped components, thresholds, possible leakage, the past. */
#include "report_internal.h"
#include "hc_date.h"

#include <ctype.h>

size_t hc_rpt_caveats(const hc_report_result *res, hc_report_paragraph *para, size_t max)
{
    const hc_labels *l = &res->history.labels;
    const hc_fit_result *r = &res->fit;
    size_t n = 0;
    hc_rpt_para p;
    if (hc_rpt_para_open(&p)) {
        fputs("The weights say which components went together with churn in this "
              "history, not that raising a component would prevent churn. An "
              "intervention that moves a score (more logins, a closed ticket) need not "
              "move the risk; only an experiment can tell.", p.f);
        hc_rpt_para_close(&p, "Correlation is not causation", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        char day[11];
        hc_date_format(l->as_of, day);
        fprintf(p.f, "The %zu snapshots whose %d-day window ends after %s have no known "
                     "outcome yet and were left out of fitting and evaluation (so were %zu "
                     "snapshots on or after an account's churn",
                l->censored, l->horizon, day, l->post_churn);
        if (l->lead)
            fprintf(p.f, " and %zu of accounts that churned within the %d-day lead",
                    l->lead_churn, l->lead);
        fputs("). The newest behaviour is therefore the least tested, and accounts that "
              "joined recently are judged on few snapshots.", p.f);
        hc_rpt_para_close(&p, "Censoring", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        fputs("Each account contributes many snapshots, which are not independent. The "
              "weight intervals use cluster-robust (by account) standard errors, but the "
              "DeLong intervals of the AUCs treat snapshots as independent and are "
              "therefore too narrow.", p.f);
        hc_rpt_para_close(&p, "Repeated snapshots", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        size_t small = 0;
        for (size_t i = 0; i < res->n_segments; i++)
            small += res->segments[i].small;
        if (res->history.snapshots.segment_col < 0) {
            fputs("The data has no segment column, so every account is scored with the "
                  "same weights.", p.f);
        } else if (!small) {
            fprintf(p.f, "Every segment has at least %d snapshots followed by a churn.",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
        } else {
            fprintf(p.f, "%zu segment%s %s fewer than %d snapshots followed by a churn (", small,
                    small == 1 ? "" : "s", small == 1 ? "has" : "have",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
            size_t k = 0;
            for (size_t i = 0; i < res->n_segments && k < 10; i++)
                if (res->segments[i].small)
                    fprintf(p.f, "%s'%s'", k++ ? ", " : "",
                            res->segments[i].name ? res->segments[i].name : "(none)");
            if (small > k)
                fprintf(p.f, " and %zu more", small - k);
            fputs("): their weights are shrunk toward the pooled fit by credibility "
                  "(Buhlmann), and their AUCs are uncertain or missing.", p.f);
        }
        hc_rpt_para_close(&p, "Small segments", para, max, &n);
    }
    size_t dropped = 0;
    for (size_t c = 0; c < r->n_components; c++)
        dropped += r->dropped[c] != 0;
    if (dropped && hc_rpt_para_open(&p)) {
        fputs("A higher score went with more churn for ", p.f);
        size_t k = 0;
        for (size_t c = 0; c < r->n_components; c++)
            if (r->dropped[c])
                fprintf(p.f, "%s'%s'", k++ ? ", " : "", r->tuned->components[c].name);
        fputs(" once the other components were accounted for, so the tuned config gives "
              "it weight 0 rather than a negative weight. That can reflect collinearity "
              "or a transform with the wrong direction; check the component before "
              "deleting it.", p.f);
        hc_rpt_para_close(&p, "Dropped components", para, max, &n);
    }
    if (res->thresholds && hc_rpt_para_open(&p)) {
        if (res->cuts_source == HC_REPORT_CUTS_BACKTEST)
            fputs("The cut points were chosen on the same pooled out-of-time snapshots "
                  "their recall and precision are reported on, so those figures are "
                  "slightly optimistic; the per-fold figures are not.", p.f);
        else
            fputs("The cut points were chosen on the snapshots the tuned model was "
                  "fitted on, so their recall and precision are optimistic.", p.f);
        hc_rpt_para_close(&p, "Thresholds", para, max, &n);
    }
    if (res->validate.n_warnings && hc_rpt_para_open(&p)) {
        /* The validate result's leakage warnings (hc_validate_model), each
         * naming the component or the score. */
        fprintf(p.f, "Validation raised %zu warning%s. ", res->validate.n_warnings,
                res->validate.n_warnings == 1 ? "" : "s");
        for (size_t k = 0; k < res->validate.n_warnings; k++) {
            const char *w = res->validate.warnings[k];
            fprintf(p.f, "%s%c%s.", k ? " " : "", toupper((unsigned char)w[0]), w[0] ? w + 1 : "");
        }
        hc_rpt_para_close(&p, "Possible leakage", para, max, &n);
    }
    if (hc_rpt_para_open(&p)) {
        fputs("Out of time still means the past: a change of product, pricing or "
              "customer mix can break the relationship between the components and "
              "churn. Watch the drift of the score each quarter (healthcal drift).", p.f);
        if (res->validate_rows.missing_health)
            fprintf(p.f, " %zu labelled snapshots had no component data at all and were "
                         "left out.", res->validate_rows.missing_health);
        if (r->n_incomplete)
            fprintf(p.f, " %zu snapshots with a missing component were left out of the "
                         "fit (scoring renormalises the weights over the components "
                         "present).", r->n_incomplete);
        if (res->current->churn.present && res->current->horizon_days != l->horizon)
            fprintf(p.f, " The current config's churn model is for %d days, but the "
                         "labels use %d.", res->current->horizon_days, l->horizon);
        if (r->expansion_note[0])
            fprintf(p.f, " Expansion model: %s.", r->expansion_note);
        hc_rpt_para_close(&p, "The past is not the future", para, max, &n);
    }
    return n;
}
