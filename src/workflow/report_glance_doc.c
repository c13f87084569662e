/* report_glance_doc.c - the report's cards at a glance, the note on too few backtest folds, and the one-sentence takeaway under every figure, all from the computed result. */
#include "report_internal.h"
#include "hc_format.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static hc_report_card *card(hc_report_document *doc, const char *title, const char *anchor,
                            const char *fmt, ...)
{
    if (doc->n_cards >= HC_REPORT_CARDS_MAX)
        return NULL;
    hc_report_card *c = &doc->cards[doc->n_cards++];
    memset(c, 0, sizeof *c);
    snprintf(c->title, sizeof c->title, "%s", title ? title : "");
    c->anchor = anchor;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->value, sizeof c->value, fmt, ap);
    va_end(ap);
    return c;
}

/* The words for a ROC AUC (Hosmer & Lemeshow 2013, 5.2.4: 0.7 acceptable,
 * 0.8 excellent, 0.9 outstanding). */
static const char *auc_words(double auc, int *tone)
{
    *tone = auc >= 0.7 && auc < 0.9 ? 1 : auc >= 0.6 ? 0 : -1;
    if (auc >= 0.9)
        return "Yes, very strongly (so strongly that leakage is worth ruling out)";
    if (auc >= 0.8)
        return "Yes, strongly";
    if (auc >= 0.7)
        return "Yes, fairly well";
    if (auc >= 0.6)
        return "Only weakly";
    return "Hardly";
}

const hc_backtest_config *hc_rpt_tuned_config(const hc_report_result *res, size_t *index)
{
    if (!res->has_backtest)
        return NULL;
    for (size_t i = 0; i < res->backtest.n_configs; i++)
        if (res->backtest.configs[i].kind == HC_BT_TUNED) {
            if (index)
                *index = i;
            return &res->backtest.configs[i];
        }
    return NULL;
}

static void card_predicts(const hc_report_result *res, hc_report_document *doc)
{
    const hc_validate_result *v = &res->validate;
    const hc_metrics_summary *s = &v->summary;
    int tone;
    const char *w = auc_words(s->roc_auc, &tone);
    hc_report_card *c = card(doc, "Does the score predict churn?", "current", "AUC %.2f",
                             s->roc_auc);
    if (!c)
        return;
    c->tone = tone;
    snprintf(c->text, sizeof c->text,
             "%s: the current score ranks an account that churns within %d days "
             "below one that stays %.0f%% of the time (95%% CI %.2f to %.2f%s, over %zu "
             "accounts); 0.50 is a coin toss.",
             w, res->history.labels.horizon,
             100 * s->roc_auc, s->roc_auc_ci_low,
             s->roc_auc_ci_high, v->clusters.active ? ", clustered by account" : "",
             res->eval[0].ok ? res->eval[0].accounts : res->history.snapshots.n_accounts);
}

static void card_red_green(const hc_report_result *res, hc_report_document *doc)
{
    const hc_report_eval *e = &res->eval[0];
    if (!e->ok)
        return;
    const hc_model *m = res->current;
    size_t g = e->n_bands - 1;
    hc_report_card *c = isfinite(e->rr)
                            ? card(doc, "How much riskier is red than green?", "headline",
                                   "%.1f\xc3\x97", e->rr)
                            : card(doc, "How much riskier is red than green?", "headline",
                                   "n/a");
    if (!c)
        return;
    c->tone = isfinite(e->rr_lo) && e->rr_lo > 1 ? 1 : -1;
    if (!isfinite(e->rr)) {
        snprintf(c->text, sizeof c->text,
                 "Not estimable: no account in '%s' or in '%s' churned within %d days.",
                 m->bands[0].name, m->bands[g].name, res->history.labels.horizon);
        return;
    }
    snprintf(c->text, sizeof c->text,
             "%.1f%% of the %zu accounts seen in '%s' churned within %d days of a '%s' "
             "snapshot, against %.1f%% of the %zu seen in '%s' (ratio 95%% CI %.1f to "
             "%.1f, over accounts).",
             100 * e->band_rate[0], e->band_accounts[0], m->bands[0].name,
             res->history.labels.horizon, m->bands[0].name, 100 * e->band_rate[g],
             e->band_accounts[g], m->bands[g].name, e->rr_lo, e->rr_hi);
}

static void card_lead(const hc_report_result *res, hc_report_document *doc)
{
    const hc_report_eval *e = &res->eval[0];
    if (!e->ok || !e->has_lead || !e->lead.churned_accounts)
        return;
    const hc_lead_time_band *r = &e->lead.red;
    const char *red = res->current->bands[0].name;
    hc_report_card *c;
    if (isfinite(r->share[1]))
        c = card(doc, "How early does it warn?", "lead", "%.0f%%", 100 * r->share[1]);
    else
        c = card(doc, "How early does it warn?", "lead", "n/a");
    if (!c)
        return;
    c->tone = isfinite(r->share[1]) && r->share[1] >= 0.5 ? 1 : -1;
    char s30[16] = "n/a", s90[16] = "n/a";
    if (isfinite(r->share[0]))
        snprintf(s30, sizeof s30, "%.0f%%", 100 * r->share[0]);
    if (isfinite(r->share[2]))
        snprintf(s90, sizeof s90, "%.0f%%", 100 * r->share[2]);
    snprintf(c->text, sizeof c->text,
             "of the %zu churned accounts with a snapshot then were already '%s' 60 days "
             "before churning (95%% CI %.0f%% to %.0f%%); %s at 30 days, %s at 90 days. "
             "%.0f%% were below green 60 days before.",
             r->with_row[1], red, 100 * r->ci_low[1], 100 * r->ci_high[1], s30, s90,
             100 * e->lead.below_green.share[1]);
}

static void card_gain(const hc_report_result *res, hc_report_document *doc)
{
    const hc_backtest_result *b = &res->backtest;
    const hc_backtest_comparison *cmp =
        res->has_backtest && b->n_comparisons && b->comparisons[0].ok ? &b->comparisons[0] : NULL;
    hc_report_card *c;
    if (!cmp) {
        if (!(c = card(doc, "What do the new weights gain out of time?", "backtest", "n/a")))
            return;
        c->tone = -1;
        snprintf(c->text, sizeof c->text, "Not measured: %.400s.",
                 res->has_backtest ? "the two configs could not be compared out of time"
                                   : res->backtest_note);
        return;
    }
    const hc_metrics_auc_diff *d = &cmp->diff;
    if (!(c = card(doc, "What do the new weights gain out of time?", "backtest", "%+.3f AUC",
                   d->diff)))
        return;
    c->tone = d->ci_low > 0 ? 1 : d->ci_high < 0 ? -1 : 0;
    const char *verdict = d->ci_low > 0   ? "Measurably better"
                          : d->ci_high < 0 ? "Measurably worse"
                                           : "No measurable gain";
    /* a bound that rounds to zero keeps its sign visible: -0.0004, not -0.000 */
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, fabs(d->ci_low) < 0.0005 ? "%+.4f" : "%+.3f", d->ci_low);
    snprintf(hi, sizeof hi, fabs(d->ci_high) < 0.0005 ? "%+.4f" : "%+.3f", d->ci_high);
    int w = snprintf(c->text, sizeof c->text,
                     "%s on data they were not fitted on: tuned %.3f against current %.3f "
                     "(95%% CI of the difference %s to %s%s, %zu folds).",
                     verdict, d->auc1, d->auc2, lo, hi,
                     cmp->clustered ? ", clustered by account" : "", b->folds_used);
    if (doc->folds_note[0] && w > 0 && (size_t)w < sizeof c->text)
        snprintf(c->text + w, sizeof c->text - (size_t)w,
                 " Too few or too small folds to conclude firmly.");
}

static void card_risk(const hc_report_result *res, hc_report_document *doc)
{
    char v[48];
    hc_format_money(res->book_expected_arr, v, sizeof v);
    hc_report_card *c = card(doc, NULL, "risk", "%s", v);
    if (!c)
        return;
    snprintf(c->title, sizeof c->title, "Revenue at risk, next %d days",
             res->predict.horizon_days);
    c->tone = 0;
    int w = snprintf(c->text, sizeof c->text, "Expected churned ARR of the %zu accounts in "
                                              "today's book",
                     res->book_accounts);
    if (w < 0 || (size_t)w >= sizeof c->text)
        return;
    if (res->book_arr > 0)
        w += snprintf(c->text + w, sizeof c->text - (size_t)w, " (%.1f%% of its ARR)",
                      100 * res->book_expected_arr / res->book_arr);
    if ((size_t)w >= sizeof c->text)
        return;
    if (res->book_risk.computed) {
        char lo[48], hi[48];
        hc_format_money(res->book_risk.lo80, lo, sizeof lo);
        hc_format_money(res->book_risk.hi80, hi, sizeof hi);
        snprintf(c->text + w, sizeof c->text - (size_t)w,
                 "; 8 periods in 10 it falls between %s and %s.", lo, hi);
    } else {
        snprintf(c->text + w, sizeof c->text - (size_t)w, ".");
    }
}

static void card_action(const hc_report_result *res, hc_report_document *doc)
{
    hc_report_card *c = card(doc, "Recommended action", "summary", "%s",
                             res->adopt_tuned ? "Adopt tuned config" : "Keep current config");
    if (!c)
        return;
    c->tone = res->adopt_tuned ? 1 : 0;
    const hc_backtest_result *b = &res->backtest;
    const hc_backtest_comparison *cmp =
        res->has_backtest && b->n_comparisons && b->comparisons[0].ok ? &b->comparisons[0] : NULL;
    /* The reason is hc_rpt_decide's rule, in fewer words. */
    const char *why = res->adopt_tuned ? "the tuned weights rank churners measurably better "
                                         "out of time"
                      : !cmp           ? "there is no out-of-time evidence that the tuned "
                                         "weights do better"
                      : cmp->diff.ci_high < 0
                          ? "the tuned weights rank churners worse out of time"
                          : "the tuned weights are not measurably better out of time";
    snprintf(c->text, sizeof c->text,
             "Because %s. This week: call the %zu account%s on the list (%zu in '%s', %zu "
             "fell a band).",
             why, res->calls.n, res->calls.n == 1 ? "" : "s", res->calls.red,
             res->scoring->bands[0].name, res->calls.fell);
}

void hc_rpt_cards(const hc_report_result *res, hc_report_document *doc)
{
    doc->n_cards = 0;
    doc->folds_note[0] = '\0';
    if (res->has_backtest) {
        const char *a = hc_backtest_fold_adequacy(&res->backtest);
        if (a && *a)
            snprintf(doc->folds_note, sizeof doc->folds_note, "%s", a);
    }
    card_predicts(res, doc);
    card_red_green(res, doc);
    card_lead(res, doc);
    card_gain(res, doc);
    card_risk(res, doc);
    card_action(res, doc);
}

/* ---- one sentence under every figure ---- */

static void take_roc(const hc_report_result *res, char *t, size_t n)
{
    const hc_backtest_result *b = &res->backtest;
    if (res->has_backtest && b->n_comparisons && b->comparisons[0].ok) {
        const hc_metrics_auc_diff *d = &b->comparisons[0].diff;
        snprintf(t, n, "Out of time the tuned curve (AUC %.3f) and the current one (AUC %.3f) "
                       "%s.", d->auc1, d->auc2,
                 d->ci_low > 0 || d->ci_high < 0 ? "differ measurably"
                                                 : "are within noise of each other");
    } else {
        snprintf(t, n, "The current score's AUC is %.3f: the higher the curve bows above the "
                       "diagonal, the better it ranks churners.", res->validate.summary.roc_auc);
    }
}

static void take_pooled(const hc_report_result *res, const char *what, char *t, size_t n)
{
    size_t k;
    const hc_backtest_config *tc = hc_rpt_tuned_config(res, &k);
    const hc_metrics_summary *cur = res->has_backtest && res->backtest.configs[0].has_pooled
                                        ? &res->backtest.configs[0].pooled.summary
                                        : &res->validate.summary;
    if (strcmp(what, "pr") == 0)
        snprintf(t, n, "Average precision of the current score is %.3f against a base rate of "
                       "%.3f: flagging by the score finds churners %.1f times as often as "
                       "picking at random.", cur->pr_auc, cur->base_rate,
                 cur->base_rate > 0 ? cur->pr_auc / cur->base_rate : NAN);
    else if (strcmp(what, "gains") == 0)
        snprintf(t, n, "Flagging the riskiest 10%% of snapshots catches %.0f%% of the churner "
                       "snapshots with the current score (%.1f times the 10%% of random "
                       "picking).", 100 * cur->capture_top_decile, cur->lift_top_decile);
    else if (strcmp(what, "reliability") == 0)
        snprintf(t, n, "Expected calibration error of the current probabilities is %.4f "
                       "(the average gap between predicted and observed churn rate)%s.",
                 cur->ece,
                 tc && tc->has_pooled ? "; the tuned model's is shown beside it" : "");
    else
        snprintf(t, n, "The two distributions separate by a Kolmogorov-Smirnov distance of "
                       "%.2f (0 is no separation, 1 complete).", cur->ks);
    (void)k;
}

static void take_folds(const hc_report_result *res, char *t, size_t n)
{
    const hc_backtest_result *b = &res->backtest;
    size_t k, better = 0, used = 0;
    if (!hc_rpt_tuned_config(res, &k)) {
        snprintf(t, n, "%zu folds were used.", b->folds_used);
        return;
    }
    for (size_t f = 0; f < b->plan.n_folds; f++) {
        const hc_backtest_fold *fo = &b->folds[f];
        if (!fo->used || !fo->cells[0].has_metrics || !fo->cells[k].has_metrics)
            continue;
        used++;
        better += fo->cells[k].metrics.roc_auc > fo->cells[0].metrics.roc_auc;
    }
    snprintf(t, n, "The tuned weights had the higher AUC in %zu of %zu folds%s", better, used,
             res->doc.folds_note[0] ? ": too few or too small folds to conclude." : ".");
}

static void take_bands_over_time(const hc_report_result *res, char *t, size_t n)
{
    const hc_backtest_result *b = &res->backtest;
    size_t above = 0, used = 0;
    for (size_t f = 0; f < b->plan.n_folds; f++) {
        const hc_backtest_fold *fo = &b->folds[f];
        const hc_backtest_cell *c = &fo->cells[b->primary];
        if (!fo->used || c->n_cuts < 1)
            continue;
        size_t g = c->n_cuts;
        if (!c->band_accounts[0] || !c->band_accounts[g])
            continue;
        used++;
        above += (double)c->band_churners[0] / (double)c->band_accounts[0] >
                 (double)c->band_churners[g] / (double)c->band_accounts[g];
    }
    snprintf(t, n, "The riskiest band churned more than the healthiest in %zu of %zu test "
                   "periods.", above, used);
}

static void take_weights(const hc_report_result *res, char *t, size_t n)
{
    const hc_fit_result *r = &res->fit;
    size_t best = 0;
    double gap = -1;
    for (size_t c = 0; c < r->n_components; c++) {
        double d = fabs(r->new_weight[c] - r->old_weight[c]);
        if (d > gap) {
            gap = d;
            best = c;
        }
    }
    if (!r->n_components) {
        snprintf(t, n, "No weights.");
        return;
    }
    snprintf(t, n, "The largest change is '%s', from %.2f to %.2f.",
             r->tuned->components[best].name, r->old_weight[best], r->new_weight[best]);
}

static void take_thresholds(const hc_report_result *res, char *t, size_t n)
{
    const hc_threshold_result *th = res->thresholds;
    if (!th || !th->n_points) {
        snprintf(t, n, "No cut points were searched: %.300s.", res->thresholds_note);
        return;
    }
    const hc_threshold_point *p = &th->sweep[th->red_point];
    snprintf(t, n, "The recommended '%s' cut point flags %.1f%% of snapshots and catches "
                   "%.1f%% of the churner snapshots.",
             res->fit.tuned->bands[0].name, 100 * p->share_flagged, 100 * p->recall);
}

static void take_band_arr(const hc_report_result *res, char *t, size_t n)
{
    if (!res->scoring->n_bands || res->book_arr <= 0 || res->book_expected_arr <= 0) {
        snprintf(t, n, "The book holds no ARR at risk to compare.");
        return;
    }
    snprintf(t, n, "The '%s' band holds %.0f%% of the book's ARR but %.0f%% of its expected "
                   "churned ARR.", res->scoring->bands[0].name,
             100 * res->band_arr[0] / res->book_arr,
             100 * res->band_expected_arr[0] / res->book_expected_arr);
}

static void take_headline(const hc_report_result *res, char *t, size_t n)
{
    const hc_report_eval *c = &res->eval[0], *u = &res->eval[1];
    if (!c->ok || !isfinite(c->rr)) {
        snprintf(t, n, "Too few churned accounts in the riskiest or the healthiest band to "
                       "compare their churn rates.");
        return;
    }
    const hc_model *m = res->current;
    const char *red = m->bands[0].name, *green = m->bands[m->n_bands - 1].name;
    if (u->ok && isfinite(u->rr))
        snprintf(t, n, "Accounts in '%s' churn %.1f times as often as those in '%s' under the "
                       "current bands, and %.1f times under the tuned ones (in-sample).",
                 red, c->rr, green, u->rr);
    else
        snprintf(t, n, "Accounts in '%s' churn %.1f times as often as those in '%s' under the "
                       "current bands.", red, c->rr, green);
}

static void take_lead(const hc_report_result *res, char *t, size_t n)
{
    const hc_report_eval *c = &res->eval[0], *u = &res->eval[1];
    if (!c->has_lead || !isfinite(c->lead.below_green.share[1])) {
        snprintf(t, n, "No churned account had a snapshot 60 days before its churn.");
        return;
    }
    double cs = c->lead.below_green.share[1];
    if (u->has_lead && isfinite(u->lead.below_green.share[1]))
        snprintf(t, n, "60 days before churning %.0f%% of churned accounts were below green "
                       "under the current config and %.0f%% under the tuned one; the pass "
                       "bar is two thirds.", 100 * cs, 100 * u->lead.below_green.share[1]);
    else
        snprintf(t, n, "60 days before churning %.0f%% of churned accounts were below green "
                       "under the current config; the pass bar is two thirds.", 100 * cs);
}

static void take_trend(const hc_report_result *res, char *t, size_t n)
{
    const hc_report_trend *tr = &res->trend;
    if (tr->n_periods < 2) {
        snprintf(t, n, "The history spans one period only.");
        return;
    }
    /* red's share of accounts in the first and the last period */
    size_t nb = tr->n_bands, a0 = 0, r0 = 0, a1 = 0, r1 = 0;
    for (size_t b = 0; b < nb; b++) {
        a0 += tr->accounts[b];
        a1 += tr->accounts[(tr->n_periods - 1) * nb + b];
    }
    r0 = tr->accounts[0];
    r1 = tr->accounts[(tr->n_periods - 1) * nb];
    snprintf(t, n, "The '%s' band held %.0f%% of accounts in the first %s and %.0f%% in the "
                   "last one with known outcomes.", res->current->bands[0].name,
             a0 ? 100.0 * (double)r0 / (double)a0 : 0.0, tr->quarterly ? "quarter" : "month",
             a1 ? 100.0 * (double)r1 / (double)a1 : 0.0);
}

void hc_rpt_takeaways(const hc_report_result *res, hc_report_document *doc)
{
    for (size_t i = 0; i < doc->n_figures; i++) {
        hc_report_figure *g = &doc->figures[i];
        char *t = g->takeaway;
        size_t n = sizeof g->takeaway;
        const char *name = g->name;
        if (strcmp(name, "roc") == 0)
            take_roc(res, t, n);
        else if (strcmp(name, "pr") == 0 || strcmp(name, "gains") == 0 ||
                 strcmp(name, "reliability") == 0 || strcmp(name, "score_distribution") == 0)
            take_pooled(res, name, t, n);
        else if (strcmp(name, "folds") == 0)
            take_folds(res, t, n);
        else if (strcmp(name, "bands_over_time") == 0)
            take_bands_over_time(res, t, n);
        else if (strcmp(name, "weights") == 0)
            take_weights(res, t, n);
        else if (strcmp(name, "thresholds") == 0)
            take_thresholds(res, t, n);
        else if (strcmp(name, "band_arr") == 0)
            take_band_arr(res, t, n);
        else if (strcmp(name, "headline") == 0)
            take_headline(res, t, n);
        else if (strcmp(name, "lead_time") == 0)
            take_lead(res, t, n);
        else if (strcmp(name, "trend") == 0)
            take_trend(res, t, n);
    }
}
