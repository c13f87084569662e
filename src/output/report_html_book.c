/* report_html_book.c - the sections of index.html on today's accounts and the data: revenue at risk, segments, drift, the reconciliation counts. */
#include "report_html.h"
#include "hc_date.h"

#include <math.h>

/* A row of the book's table: band, health range, accounts, ARR,
 * expected churned ARR and the expected loss rate. */
static void book_row(FILE *f, const hc_report_book_row *row)
{
    hc_rh_td_text(f, row->band);
    hc_rh_td_text(f, row->range);
    hc_rh_td_count(f, row->accounts);
    hc_rh_td_n(f, row->arr);
    hc_rh_td_n(f, row->expected_arr);
    hc_rh_td_pct(f, row->loss_rate);
}

void hc_rh_section_risk(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_report_document *doc = pg->doc;
    const hc_predict_result *p = &res->predict;
    const hc_model *m = res->scoring;
    hc_rh_section_open(pg, HC_REPORT_SECTION_RISK);
    fputs("<p>The book: each account that has not churned, by its latest snapshot on or "
          "before ", f);
    hc_rh_date(f, p->as_of);
    fprintf(f, ", scored with the %s; expected churned ARR is the sum of P(churn) &#215; "
               "ARR.</p>\n<div class=\"wrap\"><table>\n",
            hc_report_scoring_label(res));
    HC_RH_TH(f, "band", "health", "#accounts", "#ARR", "#expected churned ARR",
             "#expected loss rate");
    fputs("<tbody>\n", f);
    for (size_t b = 0; b < doc->n_book; b++) {
        fputs("<tr>", f);
        book_row(f, &doc->book[b]);
        fputs("</tr>\n", f);
    }
    if (doc->book_unscored.accounts) {
        /* no expected loss without a score */
        fputs("<tr>", f);
        hc_rh_td_text(f, doc->book_unscored.band);
        hc_rh_td_text(f, doc->book_unscored.range);
        hc_rh_td_count(f, doc->book_unscored.accounts);
        hc_rh_td_n(f, doc->book_unscored.arr);
        fputs("<td class=\"n\">&#8211;</td><td class=\"n\">&#8211;</td></tr>\n", f);
    }
    fputs("<tr class=\"total\">", f);
    book_row(f, &doc->book_total);
    fputs("</tr>\n</tbody></table></div>\n<p>", f);
    fprintf(f, "Expected churners in the next %d days: %.1f accounts. ", p->horizon_days,
            res->book_expected_churners);
    if (res->churned_accounts)
        fprintf(f, "Not in the book: %zu accounts that churned on or before the as-of date "
                   "(last ARR %s). ", res->churned_accounts, doc->churned_arr);
    if (res->book_stale) {
        fprintf(f, "%zu accounts in the book have no snapshot in the last %d days (their "
                   "latest is before ", res->book_stale, p->horizon_days);
        hc_rh_date(f, p->recent_cutoff);
        fputs("), so their scores may be out of date. ", f);
    }
    if (p->fell_accounts)
        fprintf(f, "%zu scored accounts fell a band since their previous snapshot. ",
                p->fell_accounts);
    if (p->arr_missing)
        fprintf(f, "%zu accounts have no ARR and count as 0.", p->arr_missing);
    fputs("</p>\n", f);
    /* predictions.csv lists the current accounts first (stale ones after
     * them, hc_predict.h "Status"): the table shows the first of those. */
    size_t shown = 0;
    for (size_t i = 0; i < p->n && shown < 10; i++)
        shown += res->in_book[i] && p->rows[i].status == HC_PREDICT_CURRENT;
    if (shown) {
        fprintf(f, "<h3>The %zu largest expected losses among current accounts</h3>\n"
                   "<div class=\"wrap\"><table>\n",
                shown);
        HC_RH_TH(f, "account", "segment", "#ARR", "#health", "band", "#P(churn)",
                 "#expected ARR at risk", "pulled down most by (points)");
        fputs("<tbody>\n", f);
        const hc_snapshots *s = p->snapshots;
        shown = 0;
        for (size_t i = 0; i < p->n && shown < 10; i++) {
            if (!res->in_book[i] || p->rows[i].status != HC_PREDICT_CURRENT)
                continue;
            shown++;
            const hc_prediction *r = &p->rows[i];
            fputs("<tr>", f);
            hc_rh_td_text(f, hc_table_text(s->table, s->id_col, r->row));
            hc_rh_td_text(f, s->segment_col >= 0 ? hc_table_text(s->table, s->segment_col, r->row)
                                           : "");
            hc_rh_td_money(f, r->arr);
            hc_rh_td_num(f, "%.1f", r->health);
            hc_rh_td_text(f, r->band >= 0 ? m->bands[r->band].name : "");
            hc_rh_td_pct(f, r->p_churn);
            hc_rh_td_money(f, r->at_risk);
            fputs("<td>", f);
            for (int d = 0; d < HC_PREDICT_DRIVERS; d++) {
                if (r->driver[d] < 0)
                    continue;
                if (d)
                    fputs(", ", f);
                hc_rh_esc(f, m->components[r->driver[d]].name);
                fprintf(f, " (&#8722;%.1f)", r->driver_points[d]);
            }
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>\n<p>Every account of the book is in "
              "<code>predictions.csv</code> (accounts that have churned are not), the "
              "stale ones after the current ones (column <code>status</code>); "
              "a driver's points are how far that component pulls the health score below "
              "a typical healthy account of the same segment.</p>\n", f);
    }
    hc_rh_figures(pg, HC_REPORT_SECTION_RISK);
    fputs("</section>\n", f);
}

void hc_rh_section_segments(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_fit_result *r = &res->fit;
    const hc_model *m = r->tuned;
    hc_rh_section_open(pg, HC_REPORT_SECTION_SEGMENTS);
    if (res->history.snapshots.segment_col < 0) {
        fputs("<p>The snapshots have no segment column: every account gets the same "
              "weights.</p>\n</section>\n", f);
        return;
    }
    fprintf(f, "<p>Out-of-time AUCs are on the backtest's pooled test snapshots of each "
               "segment (95%% CI by the clustered DeLong estimator, Obuchowski 1997, by "
               "account; none with fewer than %d test snapshots followed "
               "by a churn). ", HC_REPORT_SMALL_SEGMENT_EVENTS);
    fputs("Tuned segment weights are the segment's own fit shrunk toward the pooled one "
          "with credibility Z = C / (C + k), C the segment's churned accounts and k chosen "
          "from the data (B&#252;hlmann-Straub, empirical Bayes); a segment with too few "
          "churned accounts is merged into the pooled model. Accounts today are in the "
          "current book; accounts with history are those with a labelled snapshot in the "
          "segment at any date (an onboarding stage keeps the accounts that have grown "
          "out of it).", f);
    if (!r->n_segments)
        fputs(" Segment fits were not requested.", f);
    fputs("</p>\n<div class=\"wrap\"><table>\n<thead><tr><th>segment</th>"
          "<th class=\"n\">accounts today</th><th class=\"n\">accounts with history</th>"
          "<th class=\"n\">churned accounts</th><th class=\"n\">ARR</th>"
          "<th class=\"n\">expected churned ARR</th><th class=\"n\">labelled snapshots</th>"
          "<th class=\"n\">followed by a churn</th><th class=\"n\">churn rate</th>"
          "<th class=\"n\">out-of-time snapshots / churns</th>"
          "<th class=\"n\">AUC current (out of time)</th>"
          "<th class=\"n\">AUC tuned (out of time)</th><th class=\"n\">credibility Z</th>",
          f);
    for (size_t c = 0; c < r->n_components; c++) {
        fputs("<th class=\"n\">w ", f);
        hc_rh_esc(f, m->components[c].name);
        fputs("</th>", f);
    }
    fputs("<th>note</th></tr></thead>\n<tbody>\n", f);
    if (r->n_segments) { /* the pooled weights, which merged segments get */
        fputs("<tr><td>(pooled model)</td>", f);
        for (int c = 0; c < 12; c++) /* accounts today .. credibility Z */
            fputs("<td class=\"n\"></td>", f);
        for (size_t c = 0; c < r->n_components; c++)
            hc_rh_td_num(f, "%.2f", m->components[c].weight);
        fputs("<td>the weights of every segment without its own</td></tr>\n", f);
    }
    for (size_t i = 0; i < res->n_segments && i < HC_REPORT_SEGMENTS_SHOWN; i++) {
        const hc_report_segment *s = &res->segments[i];
        const hc_fit_segment *fs = s->fit_index >= 0 ? &r->segments[s->fit_index] : NULL;
        fputs("<tr>", f);
        hc_rh_td_text(f, s->name ? s->name : "(no segment)");
        hc_rh_td_count(f, s->accounts);
        hc_rh_td_count(f, s->history_accounts);
        hc_rh_td_count(f, s->churned_accounts);
        hc_rh_td_money(f, s->arr);
        hc_rh_td_money(f, s->expected_churned_arr);
        hc_rh_td_count(f, s->observations);
        hc_rh_td_count(f, s->churners);
        hc_rh_td_pct(f, s->observations ? (double)s->churners / (double)s->observations : NAN);
        fprintf(f, "<td class=\"n\">%zu / %zu</td>", s->test_rows, s->test_churners);
        for (int c = 0; c < 2; c++) {
            if (s->has_auc[c])
                hc_rh_td_ci(f, s->auc[c].auc, s->auc[c].ci_low, s->auc[c].ci_high, 2);
            else
                fputs("<td class=\"n\">&#8211;</td>", f);
        }
        hc_rh_td_num(f, "%.2f", fs ? fs->credibility : NAN);
        for (size_t c = 0; c < r->n_components; c++)
            hc_rh_td_num(f, "%.2f", fs && !fs->merged && fs->weights ? fs->weights[c] : NAN);
        fputs("<td>", f);
        if (s->small)
            fprintf(f, "small: fewer than %d snapshots followed by a churn. ",
                    HC_REPORT_SMALL_SEGMENT_EVENTS);
        if (fs)
            hc_rh_esc(f, fs->note);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (res->n_segments > HC_REPORT_SEGMENTS_SHOWN)
        fprintf(f, "<p>The %d largest of %zu segments are shown; all are in "
                   "<code>data/segments.csv</code>.</p>\n",
                HC_REPORT_SEGMENTS_SHOWN, res->n_segments);
    fputs("</section>\n", f);
}

void hc_rh_section_drift(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_drift_result *d = &res->drift;
    const hc_model *m = res->scoring;
    hc_rh_section_open(pg, HC_REPORT_SECTION_DRIFT);
    fputs("<p>", f);
    if (pg->doc->drift_verdict >= 0)
        hc_rh_esc(f, pg->doc->summary[pg->doc->drift_verdict].text);
    fputs("</p>\n<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "score", "#PSI", "flag", "#snapshots before", "#snapshots now", "note");
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < d->n_scores; i++) {
        const hc_drift_score *s = &d->scores[i];
        fputs("<tr>", f);
        hc_rh_td_text(f, s->name);
        hc_rh_td_num(f, "%.4f", s->psi);
        hc_rh_td_text(f, hc_drift_flag_name(s->flag));
        hc_rh_td_count(f, s->n_baseline);
        hc_rh_td_count(f, s->n_current);
        hc_rh_td_text(f, s->note);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "band", "#share before", "#share now", "#shift (points)");
    fputs("<tbody>\n", f);
    for (size_t b = 0; b < d->n_bands && b < m->n_bands; b++) {
        fputs("<tr>", f);
        hc_rh_td_text(f, m->bands[b].name);
        hc_rh_td_pct(f, d->baseline.band_share[b]);
        hc_rh_td_pct(f, d->current.band_share[b]);
        hc_rh_td_num(f, "%+.1f", 100 * (d->current.band_share[b] - d->baseline.band_share[b]));
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n<p>The numbers are in <code>data/drift.json</code>.</p>\n"
          "</section>\n", f);
}

void hc_rh_section_data(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_history *h = &res->history;
    const hc_labels *l = &h->labels;
    const hc_events *e = &h->events;
    const hc_predict_result *p = &res->predict;
    char day[11];
    hc_date_format(l->as_of, day);
    hc_rh_section_open(pg, HC_REPORT_SECTION_DATA);
    fputs("<p>Counts to reconcile with the source files (also in "
          "<code>data/reconciliation.csv</code>).</p>\n<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "what", "#count");
    fputs("<tbody>\n", f);
#define ROW(label, v)                                                      \
    do {                                                                   \
        fputs("<tr><td>", f);                                              \
        fputs(label, f);                                                   \
        fputs("</td>", f);                                                 \
        hc_rh_td_count(f, (v));                                                  \
        fputs("</tr>\n", f);                                               \
    } while (0)
    ROW("snapshot rows read", h->snapshots.table->n_rows);
    ROW("accounts", h->snapshots.n_accounts);
    ROW("labelled snapshots (observations)", l->observations);
    fprintf(f, "<tr><td>censored: outcome window ends after %s</td>", day);
    hc_rh_td_count(f, l->censored);
    fputs("</tr>\n", f);
    ROW("excluded: on or after the account's churn", l->post_churn);
    if (l->lead)
        ROW("excluded: churned within the lead", l->lead_churn);
    ROW("observations followed by a churn", l->churn_positive);
    ROW("observations followed by an expansion", l->expansion_positive);
    ROW("observations without any component data", res->validate_rows.missing_health);
    ROW("observations with a missing component (left out of the fit)", res->fit.n_incomplete);
    ROW("event rows read", e->rows_read);
    fprintf(f, "<tr><td>churn events matched to a labelled snapshot (of %zu)</td>",
            e->by_type[HC_EVENT_CHURN]);
    hc_rh_td_count(f, l->churn_events_matched);
    fputs("</tr>\n", f);
    fprintf(f, "<tr><td>expansion events matched (of %zu)</td>", e->by_type[HC_EVENT_EXPANSION]);
    hc_rh_td_count(f, l->expansion_events_matched);
    fputs("</tr>\n", f);
    ROW("contraction events", e->by_type[HC_EVENT_CONTRACTION]);
    ROW("repeat churn events (after an account's first)", l->repeat_churn_events);
    ROW("events dated before their account's first snapshot", l->events_before_first_snapshot);
    ROW("events of unknown accounts", e->unknown_account);
    if (e->unknown_type)
        ROW("events of unknown type skipped", e->unknown_type);
    if (res->has_backtest) {
        ROW("backtest test snapshots (pooled)", res->backtest.n_pooled);
        ROW("backtest test snapshots excluded (no score under a config)",
            res->backtest.test_excluded);
    }
    ROW("accounts scored (latest snapshot on or before the as-of date)", p->accounts);
    ROW("of them churned on or before the as-of date (not in the book)",
        res->churned_accounts);
    ROW("accounts in today's book", res->book_accounts);
    ROW("accounts whose first snapshot is after the as-of date", p->accounts_later);
#undef ROW
    fputs("</tbody></table></div>\n</section>\n", f);
}

