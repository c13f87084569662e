/* report_md.c - summary.md of the quarterly report: the executive summary and main tables as Markdown, for a wiki or a ticket. */
#include "hc_date.h"
#include "hc_format.h"
#include "hc_report_render.h"
#include "report_md_season.h"

#include <math.h>

/* Writes a data string so that Markdown shows it as text: the characters
 * that start emphasis, code, links, tables or strikethrough are escaped
 * with a backslash (CommonMark 0.30, "Backslash escapes"), and < > & are
 * written as entities because Markdown renderers pass raw HTML through
 * (so a segment named <script> stays text). Line breaks and other control
 * characters become spaces, keeping a table row on one line. */
void hc_rmd_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&':
            /* Only an '&' that could start an entity reference needs it. */
            fputs((s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z') || s[1] == '#'
                      ? "&amp;" : "&", f);
            break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|':
        case '~': case '#': case '!':
            putc('\\', f);
            putc(c, f);
            break;
        default:
            putc(c < 0x20 || c == 0x7F ? ' ' : c, f);
        }
    }
}

static void cell_num(FILE *f, const char *fmt, double v)
{
    fputs(" | ", f);
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("-", f);
}

/* An estimate with its interval, "0.769 (0.695 to 0.842)", or "-". */
static void cell_ci(FILE *f, double v, double lo, double hi, int decimals)
{
    char b[1024];
    hc_format_interval(v, lo, hi, decimals, b, sizeof b);
    fprintf(f, " | %s", b);
}

/* The document's section heading. */
static void heading(FILE *f, const hc_report_result *res, hc_report_section_id id)
{
    fprintf(f, "## %s\n\n", res->doc.sections[id].heading);
}

static void paragraphs(FILE *f, const hc_report_paragraph *p, size_t n, int list)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s**%s%s** ", list ? "- " : "", p[i].title, list ? "." : "");
        hc_rmd_text(f, p[i].text);
        fputs(list ? "\n" : "\n\n", f);
    }
    if (list)
        fputc('\n', f);
}

static void weights(FILE *f, const hc_report_result *res)
{
    const hc_fit_result *r = &res->fit;
    heading(f, res, HC_REPORT_SECTION_WEIGHTS);
    fputs("| component | current | tuned | 95% interval | note |\n"
          "|---|--:|--:|--:|---|\n", f);
    for (size_t c = 0; c < r->n_components; c++) {
        fputs("|", f);
        hc_rmd_text(f, r->tuned->components[c].name);
        cell_num(f, "%.3f", r->old_weight[c]);
        cell_num(f, "%.3f", r->new_weight[c]);
        if (r->dropped[c])
            fputs(" | - | dropped: a higher score went with more churn |\n", f);
        else
            fprintf(f, " | %.3f to %.3f |  |\n", r->weight_ci_low[c], r->weight_ci_high[c]);
    }
    fputc('\n', f);
}

/* The current config's bands on every labelled snapshot, in accounts
 * (hc_metrics_bands_accounts): each account once per band it visited,
 * churned accounts and churned ARR once each, ARR once per account. */
static void current_bands_in_accounts(FILE *f, const hc_report_result *res)
{
    const hc_validate_result *v = &res->validate;
    if (!v->has_bands || !v->has_band_accounts)
        return;
    const hc_metrics_bands_accounts_result *a = &v->band_accounts;
    fputs("The current bands on every labelled snapshot, in accounts (an account that moved "
          "counts in each band it visited, with the ARR of its latest snapshot there; a "
          "churned account counts once, in the band of its last snapshot before the "
          "churn):\n\n"
          "| band | accounts | churned accounts | ARR (once per account) | churned ARR |\n"
          "|---|--:|--:|--:|--:|\n", f);
    char m1[64], m2[64];
    for (size_t b = 0; b < a->n_bands; b++) {
        const hc_metrics_band_accounts *r = &a->bands[b];
        fputs("|", f);
        hc_rmd_text(f, v->band_names[b]);
        hc_format_money(a->has_arr ? r->arr : NAN, m1, sizeof m1);
        hc_format_money(r->churned_arr, m2, sizeof m2);
        fprintf(f, " | %zu | %zu | %s | %s |\n", r->accounts, r->churned_accounts, m1, m2);
    }
    hc_format_money(a->churned_arr, m2, sizeof m2);
    fprintf(f, "| **all** | %zu | %zu |  | %s |\n\n", a->accounts, a->churned_accounts, m2);
    if (a->has_amounts)
        fprintf(f, "Churned ARR is the amount of each churn event (%zu accounts) or, for an "
                   "event without an amount, the ARR at the last snapshot before the churn "
                   "(%zu).\n\n", a->churned_with_amount, a->churned_from_arr);
    else
        fprintf(f, "Churned ARR is the ARR at the last snapshot before the churn (no events; "
                   "%zu accounts).\n\n", a->churned_from_arr);
}

static void thresholds(FILE *f, const hc_report_result *res)
{
    const hc_model *m = res->fit.tuned;
    const hc_threshold_result *t = res->thresholds;
    heading(f, res, HC_REPORT_SECTION_THRESHOLDS);
    current_bands_in_accounts(f, res);
    /* The snapshot table: the recommended bands on the rows they were
     * chosen on, or, with none recommended, the current bands on every
     * labelled snapshot (validate's table). */
    const hc_validate_result *v = &res->validate;
    const hc_metrics_bands_result *br = NULL;
    hc_metrics_bands_result chosen; /* lives as long as br may point at it */
    double mins[HC_THRESHOLDS_MAX_BANDS] = {0};
    size_t nb = 0;
    if (t) {
        nb = t->n_bands < HC_THRESHOLDS_MAX_BANDS ? t->n_bands : HC_THRESHOLDS_MAX_BANDS;
        for (size_t b = 1; b < nb; b++)
            mins[b] = t->cuts[b - 1];
        fprintf(f, "Churn by band on the rows the cut points were chosen on (%s), in "
                   "snapshots:\n\n",
                res->cuts_source == HC_REPORT_CUTS_BACKTEST
                    ? "pooled out-of-time test snapshots"
                    : "all labelled snapshots, in-sample");
        chosen = (hc_metrics_bands_result){.n_bands = t->n_bands, .bands = t->bands};
        br = &chosen;
    } else if (v->has_bands) {
        fputs("The current bands on every labelled snapshot, in snapshots:\n\n", f);
        br = &v->bands;
        nb = br->n_bands < HC_THRESHOLDS_MAX_BANDS ? br->n_bands : HC_THRESHOLDS_MAX_BANDS;
        for (size_t b = 0; b < nb; b++)
            mins[b] = v->band_mins ? v->band_mins[b] : 0;
    }
    if (!br)
        return;
    fputs("| band | health | snapshots | followed by a churn | churn rate (95% CI) |\n"
          "|---|---|--:|--:|--:|\n", f);
    char range[64];
    for (size_t b = 0; b < nb && b < m->n_bands; b++) {
        const hc_metrics_band *r = &br->bands[b];
        fputs("|", f);
        hc_rmd_text(f, m->bands[b].name);
        hc_format_band_range(mins, nb, b, range, sizeof range);
        fprintf(f, " | %s | %zu | %zu | %.2f%% (%.2f to %.2f) |\n", range, r->accounts,
                r->churners, 100 * r->churn_rate, 100 * r->rate_ci_low,
                100 * r->rate_ci_high);
    }
    fputc('\n', f);
}

static void risk(FILE *f, const hc_report_result *res)
{
    const hc_report_document *doc = &res->doc;
    char day[11];
    hc_date_format(res->predict.as_of, day);
    heading(f, res, HC_REPORT_SECTION_RISK);
    fprintf(f, "The book: every account that has not churned, by its latest snapshot on "
               "or before %s, scored with the %s.\n\n"
               "| band | health | accounts | ARR | expected churned ARR |\n"
               "|---|---|--:|--:|--:|\n",
            day, hc_report_scoring_label(res));
    for (size_t b = 0; b < doc->n_book; b++) {
        const hc_report_book_row *row = &doc->book[b];
        fputs("|", f);
        hc_rmd_text(f, row->band);
        fprintf(f, " | %s | %zu | %s | %s |\n", row->range, row->accounts, row->arr,
                row->expected_arr);
    }
    fprintf(f, "| **all** |  | %zu | %s | %s |\n\n", doc->book_total.accounts,
            doc->book_total.arr, doc->book_total.expected_arr);
}

static void backtest(FILE *f, const hc_report_result *res)
{
    const hc_backtest_result *b = &res->backtest;
    heading(f, res, HC_REPORT_SECTION_BACKTEST);
    if (!res->has_backtest) {
        fputs("No walk-forward backtest: ", f);
        hc_rmd_text(f, res->backtest_note);
        fputs(".\n\n", f);
        return;
    }
    fputs("| config | ROC AUC (95% CI) | PR AUC | Brier | ECE | calibration slope |\n"
          "|---|--:|--:|--:|--:|--:|\n", f);
    for (size_t c = 0; c < b->n_configs; c++) {
        const hc_backtest_config *cf = &b->configs[c];
        fputs("|", f);
        hc_rmd_text(f, cf->name);
        if (!cf->has_pooled) {
            fputs(" | ", f);
            hc_rmd_text(f, cf->pooled_note);
            fputs(" | | | | |\n", f);
            continue;
        }
        const hc_metrics_summary *s = &cf->pooled.summary;
        cell_ci(f, s->roc_auc, s->roc_auc_ci_low, s->roc_auc_ci_high, 3);
        cell_num(f, "%.3f", s->pr_auc);
        cell_num(f, "%.5f", s->brier);
        cell_num(f, "%.4f", s->ece);
        cell_num(f, "%.3f", s->calibration_slope);
        fputs(" |\n", f);
    }
    fputc('\n', f);
    for (size_t i = 0; i < b->n_comparisons; i++) {
        const hc_backtest_comparison *c = &b->comparisons[i];
        fputs("**", f);
        hc_rmd_text(f, b->configs[c->index].name);
        fputs(" vs ", f);
        hc_rmd_text(f, b->configs[0].name);
        fputs(":** ", f);
        if (!c->ok) {
            fputs("no AUC comparison (", f);
            hc_rmd_text(f, c->note);
            fputs(").\n\n", f);
            continue;
        }
        /* The verdict rests on the clustered test when there is one. */
        int sig = c->diff.ci_low > 0 || c->diff.ci_high < 0;
        const char *verdict = !sig ? "no significant difference"
                              : c->diff.diff > 0 ? "significantly better"
                                                 : "significantly worse";
        if (c->clustered)
            fprintf(f, "AUC difference %+.4f (95%% CI %+.4f to %+.4f, %s by account, %zu "
                       "accounts, p %.3g): %s; rows independent it would be %+.4f to "
                       "%+.4f (design effect %.2f).\n\n",
                    c->diff.diff, c->diff.ci_low, c->diff.ci_high,
                    HC_BACKTEST_METHOD_PAIRED_CLUSTERED, c->n_clusters, c->diff.p_value,
                    verdict, c->ci_low_naive, c->ci_high_naive, c->design_effect);
        else
            fprintf(f, "AUC difference %+.4f (95%% CI %+.4f to %+.4f, DeLong paired, rows "
                       "independent, p %.3g): %s.\n\n",
                    c->diff.diff, c->diff.ci_low, c->diff.ci_high, c->diff.p_value, verdict);
    }
}

/* A segment's weights as "usage 0.31, support 0.05, ...": its own, or
 * "pooled" when it has none (merged, or no segment fit). */
static void segment_weights(FILE *f, const hc_report_result *res, const hc_fit_segment *fs)
{
    const hc_model *m = res->fit.tuned;
    if (!fs || fs->merged || !fs->weights) {
        fputs("pooled", f);
        return;
    }
    for (size_t c = 0; c < m->n_components; c++) {
        if (c)
            fputs(", ", f);
        hc_rmd_text(f, m->components[c].name);
        fprintf(f, " %.2f", isfinite(fs->weights[c]) ? fs->weights[c] : 0.0);
    }
}

static void segments(FILE *f, const hc_report_result *res)
{
    heading(f, res, HC_REPORT_SECTION_SEGMENTS);
    if (res->history.snapshots.segment_col < 0) {
        fputs("The snapshots have no segment column.\n\n", f);
        return;
    }
    fputs("Out-of-time AUCs with 95% intervals clustered by account (Obuchowski 1997).\n\n", f);
    fputs("Accounts today are in the current book; accounts with history have a labelled "
          "snapshot in the segment at any date. Weights: the segment's tuned weights, or "
          "the pooled ones for a segment merged into the pooled model.\n\n", f);
    fputs("| segment | accounts today | accounts with history | churned accounts | "
          "snapshots followed by a churn | churn rate | "
          "out-of-time snapshots / churns | AUC current (out of time) | "
          "AUC tuned (out of time) | credibility | weights | note |\n"
          "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n", f);
    for (size_t i = 0; i < res->n_segments && i < HC_REPORT_SEGMENTS_SHOWN; i++) {
        const hc_report_segment *s = &res->segments[i];
        const hc_fit_segment *fs = s->fit_index >= 0 ? &res->fit.segments[s->fit_index] : NULL;
        fputs("|", f);
        hc_rmd_text(f, s->name ? s->name : "(no segment)");
        fprintf(f, " | %zu | %zu | %zu | %zu", s->accounts, s->history_accounts,
                s->churned_accounts, s->churners);
        cell_num(f, "%.2f%%", s->observations
                                  ? 100.0 * (double)s->churners / (double)s->observations
                                  : NAN);
        fprintf(f, " | %zu / %zu", s->test_rows, s->test_churners);
        for (int c = 0; c < 2; c++) {
            if (s->has_auc[c])
                cell_ci(f, s->auc[c].auc, s->auc[c].ci_low, s->auc[c].ci_high, 2);
            else
                fputs(" | -", f);
        }
        cell_num(f, "%.2f", fs ? fs->credibility : NAN);
        fputs(" | ", f);
        segment_weights(f, res, fs);
        fputs(" | ", f);
        if (s->small)
            fprintf(f, "small: fewer than %d snapshots followed by a churn. ",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
        if (fs)
            hc_rmd_text(f, fs->note);
        fputs(" |\n", f);
    }
    fputc('\n', f);
    if (res->n_segments > HC_REPORT_SEGMENTS_SHOWN)
        fprintf(f, "The %d largest of %zu segments are shown; all are in "
                   "data/segments.csv.\n\n", HC_REPORT_SEGMENTS_SHOWN, res->n_segments);
}

static void drift(FILE *f, const hc_report_result *res)
{
    const hc_drift_result *d = &res->drift;
    heading(f, res, HC_REPORT_SECTION_DRIFT);
    fputs("| score | PSI | flag |\n|---|--:|---|\n", f);
    for (size_t i = 0; i < d->n_scores; i++) {
        fputs("|", f);
        hc_rmd_text(f, d->scores[i].name);
        cell_num(f, "%.4f", d->scores[i].psi);
        fprintf(f, " | %s |\n", hc_drift_flag_name(d->scores[i].flag));
    }
    fputc('\n', f);
}

static void reconciliation(FILE *f, const hc_report_result *res)
{
    const hc_history *h = &res->history;
    const hc_labels *l = &h->labels;
    const hc_events *e = &h->events;
    heading(f, res, HC_REPORT_SECTION_DATA);
    fputs("| what | count |\n|---|--:|\n", f);
    fprintf(f, "| snapshot rows read | %zu |\n", h->snapshots.table->n_rows);
    fprintf(f, "| accounts | %zu |\n", h->snapshots.n_accounts);
    fprintf(f, "| labelled snapshots (observations) | %zu |\n", l->observations);
    fprintf(f, "| censored (outcome window not over) | %zu |\n", l->censored);
    fprintf(f, "| excluded: on or after the account's churn | %zu |\n", l->post_churn);
    if (l->lead)
        fprintf(f, "| excluded: churned within the lead | %zu |\n", l->lead_churn);
    fprintf(f, "| observations followed by a churn | %zu |\n", l->churn_positive);
    fprintf(f, "| observations without any component data | %zu |\n",
            res->validate_rows.missing_health);
    fprintf(f, "| event rows read | %zu |\n", e->rows_read);
    fprintf(f, "| churn events matched (of %zu) | %zu |\n", e->by_type[HC_EVENT_CHURN],
            l->churn_events_matched);
    fprintf(f, "| expansion events matched (of %zu) | %zu |\n",
            e->by_type[HC_EVENT_EXPANSION], l->expansion_events_matched);
    fprintf(f, "| events of unknown accounts | %zu |\n", e->unknown_account);
    if (e->unknown_type)
        fprintf(f, "| events of unknown type skipped | %zu |\n", e->unknown_type);
    fputc('\n', f);
}

/* The cards of "at a glance", one list item each: title, number, sentence. */
static void glance(FILE *f, const hc_report_result *res)
{
    const hc_report_document *doc = &res->doc;
    heading(f, res, HC_REPORT_SECTION_GLANCE);
    for (size_t i = 0; i < doc->n_cards; i++) {
        const hc_report_card *c = &doc->cards[i];
        fputs("- **", f);
        hc_rmd_text(f, c->title);
        fputs(" ", f);
        hc_rmd_text(f, c->value);
        fputs("**: ", f);
        hc_rmd_text(f, c->text);
        fputc('\n', f);
    }
    if (doc->folds_note[0]) {
        fputs("\n> **Backtest folds:** ", f);
        hc_rmd_text(f, doc->folds_note);
        fputc('\n', f);
    }
    fputc('\n', f);
}

#define MD_CALLS_SHOWN 50

/* With a roll-up: each listed account's disengaged users (users.csv has
 * every user with the component sub-scores). */
static void users(FILE *f, const hc_report_result *res)
{
    const hc_user_health *u = &res->users;
    if (!u->n)
        return;
    const hc_predict_result *p = &res->predict;
    const hc_snapshots *s = p->snapshots;
    fprintf(f, "Users: %zu of the %zu users of the first %zu listed accounts are disengaged "
               "(their own health, as an account of users like them, is in the riskiest "
               "band); all in users.csv.\n\n| # | account | users | disengaged, lowest "
               "health first |\n|---:|---|---:|---|\n",
            u->disengaged, u->n, u->accounts);
    for (size_t i = 0; i < u->n;) {
        size_t j = i;
        while (j < u->n && u->rows[j].call == u->rows[i].call)
            j++;
        fprintf(f, "| %zu | ", u->rows[i].call + 1);
        hc_rmd_text(f, hc_table_text(s->table, s->id_col, p->rows[u->rows[i].pred_row].row));
        fprintf(f, " | %zu | ", j - i);
        int any = 0;
        for (size_t k = i; k < j; k++) {
            if (u->rows[k].band != 0)
                continue;
            if (any++)
                fputs(", ", f);
            hc_rmd_text(f, u->rows[k].user);
            fprintf(f, " (%.1f)", u->rows[k].health);
        }
        fputs(any ? " |\n" : "none |\n", f);
        i = j;
    }
    fputc('\n', f);
}

/* This week's call list: the same rows as calls.csv (the first 50). */
static void calls(FILE *f, const hc_report_result *res)
{
    const hc_predict_result *p = &res->predict;
    const hc_call_list *cl = &res->calls;
    const hc_snapshots *s = p->snapshots;
    heading(f, res, HC_REPORT_SECTION_CALLS);
    fprintf(f, "%zu accounts (%zu in the riskiest band, %zu fell a band since their previous "
               "snapshot), sorted by expected ARR at risk; %s in calls.csv.\n\n",
            cl->n, cl->red, cl->fell, cl->n > MD_CALLS_SHOWN ? "the first 50 shown, all" : "all");
    if (!cl->n)
        return;
    fprintf(f, "| # | account | segment | band | why | health | P(churn %dd) | ARR | expected "
               "at risk | drivers |\n|---:|---|---|---|---|---:|---:|---:|---:|---|\n",
            p->horizon_days);
    char buf[1024], money[64];
    for (size_t k = 0; k < cl->n && k < MD_CALLS_SHOWN; k++) {
        size_t i = cl->rows[k];
        const hc_prediction *r = &p->rows[i];
        fprintf(f, "| %zu | ", k + 1);
        hc_rmd_text(f, hc_table_text(s->table, s->id_col, r->row));
        fputs(" | ", f);
        if (s->segment_col >= 0)
            hc_rmd_text(f, hc_table_text(s->table, s->segment_col, r->row));
        fputs(" | ", f);
        hc_rmd_text(f, res->scoring->bands[r->band].name);
        fputs(" | ", f);
        hc_call_list_reason(p, i, buf, sizeof buf);
        hc_rmd_text(f, buf);
        cell_num(f, "%.1f", r->health);
        cell_num(f, "%.4f", r->p_churn);
        hc_format_money(r->arr, money, sizeof money);
        fprintf(f, " | %s", money);
        hc_format_money(r->at_risk, money, sizeof money);
        fprintf(f, " | %s | ", money);
        hc_call_list_drivers(p, i, buf, sizeof buf);
        hc_rmd_text(f, buf);
        fputs(" |\n", f);
    }
    fputc('\n', f);
    users(f, res);
}

/* Lead times: the share of churned accounts red / below green 30, 60, 90
 * days before churning, current and tuned (in-sample). */
static void lead(FILE *f, const hc_report_result *res)
{
    heading(f, res, HC_REPORT_SECTION_LEAD);
    fputs("Share of churned accounts flagged d days before churning (Wilson 95% over "
          "accounts); the tuned config in-sample.\n\n| config | flagged as | 90 days | 60 "
          "days | 30 days |\n|---|---|---:|---:|---:|\n", f);
    static const char *const names[2] = {"current", "tuned (in-sample)"};
    for (int k = 0; k < 2; k++) {
        const hc_report_eval *e = &res->eval[k];
        if (!e->ok || !e->has_lead)
            continue;
        for (int w = 0; w < 2; w++) {
            const hc_lead_time_band *b = w ? &e->lead.below_green : &e->lead.red;
            fprintf(f, "| %s | %s", names[k], w ? "below green" : "red");
            for (int h = HC_LEAD_TIME_HORIZONS - 1; h >= 0; h--) {
                if (isfinite(b->share[h]))
                    fprintf(f, " | %.0f%% (%.0f%% to %.0f%%), %zu of %zu", 100 * b->share[h],
                            100 * b->ci_low[h], 100 * b->ci_high[h], b->flagged[h],
                            b->with_row[h]);
                else
                    fputs(" | -", f);
            }
            fputs(" |\n", f);
        }
    }
    fputc('\n', f);
}

void hc_report_write_markdown(FILE *f, const hc_report_result *res,
                              const hc_report_plots *plots)
{
    const hc_model *cur = res->current;
    const hc_history *h = &res->history;
    char a[11], z[11];
    hc_date_format(h->snapshots.first_date, a);
    hc_date_format(h->snapshots.last_date, z);
    fputs("# Customer health score: quarterly report\n\nCurrent config **", f);
    hc_rmd_text(f, cur->name ? cur->name : "(unnamed)");
    fputs("** (", f);
    hc_rmd_text(f, res->opt.config_path);
    fputs("); snapshots ", f);
    hc_rmd_text(f, res->opt.snapshots_path);
    fprintf(f, " from %s to %s; events ", a, z);
    hc_rmd_text(f, res->opt.events_path);
    fprintf(f, "; outcome: a churn within %d days of a snapshot. Generated by healthcal ",
            h->labels.horizon);
    hc_rmd_text(f, res->opt.version);
    fprintf(f, " on %s. The full report with plots is index.html beside this file.\n\n",
            res->generated);
    if (!plots->available) {
        fputs("> **Plots are missing:** ", f);
        hc_rmd_text(f, plots->why);
        fputs(". Every number behind them is in data/.\n\n", f);
    }
    const hc_report_document *doc = &res->doc;
    glance(f, res);
    calls(f, res);
    heading(f, res, HC_REPORT_SECTION_SUMMARY);
    paragraphs(f, doc->summary, doc->n_summary, 0);
    lead(f, res);
    hc_report_md_seasons(f, res); /* report_md_season.c */
    weights(f, res);
    thresholds(f, res);
    risk(f, res);
    backtest(f, res);
    segments(f, res);
    if (res->has_drift)
        drift(f, res);
    reconciliation(f, res);
    heading(f, res, HC_REPORT_SECTION_CAVEATS);
    paragraphs(f, doc->caveats, doc->n_caveats, 1);
}
