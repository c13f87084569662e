/* report_html_glance.c - the first screen of index.html (the cards and the headline chart), this week's call list, how early the score warns, and the bands over time. */
#include "report_html.h"
#include "hc_date.h"
#include "hc_format.h"

#include <math.h>
#include <string.h>

/* The call list shows at most this many accounts; calls.csv has them all. */
#define CALLS_SHOWN 50

void hc_rh_section_glance(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_document *doc = pg->doc;
    hc_rh_section_open(pg, HC_REPORT_SECTION_GLANCE);
    fputs("<div class=\"glance\">\n<div class=\"cards\">\n", f);
    for (size_t i = 0; i < doc->n_cards; i++) {
        const hc_report_card *c = &doc->cards[i];
        fprintf(f, "<a class=\"card %s\" href=\"#%s\"><span class=\"q\">",
                c->tone > 0 ? "good" : c->tone < 0 ? "bad" : "neutral", c->anchor);
        hc_rh_esc(f, c->title);
        fputs("</span><span class=\"v\">", f);
        hc_rh_esc(f, c->value);
        fputs("</span><span class=\"t\">", f);
        hc_rh_esc(f, c->text);
        fputs("</span></a>\n", f);
    }
    fputs("</div>\n<div class=\"headline\" id=\"headline\">\n", f);
    hc_rh_figures(pg, HC_REPORT_SECTION_GLANCE);
    fputs("</div>\n</div>\n", f);
    if (doc->folds_note[0]) {
        fputs("<p class=\"note\"><strong>Backtest folds:</strong> ", f);
        hc_rh_esc(f, doc->folds_note);
        fputs("</p>\n", f);
    }
    fputs("</section>\n", f);
}

/* The users shown per account (the disengaged first); users.csv has all. */
#define USERS_SHOWN 8

/* With a roll-up: each listed account's users, the disengaged first. */
static void users_table(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_user_health *u = &res->users;
    if (!u->n)
        return;
    const hc_predict_result *p = &res->predict;
    const hc_snapshots *s = p->snapshots;
    const char *red = res->scoring->bands[0].name;
    fprintf(f, "<h3>Users of the accounts to call</h3>\n<p>%zu of the %zu users of the first "
               "%zu listed accounts are disengaged: their own health, scored as an account "
               "whose every user behaved like them, is in the '", u->disengaged, u->n,
            u->accounts);
    hc_rh_esc(f, red);
    fprintf(f, "' band. Per account, the users from the lowest health up (at most %d "
               "shown); every user is in <code>users.csv</code> with the component "
               "sub-scores.</p>\n<div class=\"wrap\"><table class=\"users\">\n",
            USERS_SHOWN);
    const char *cols[] = {"#", "account", "#users", "#disengaged", "users, lowest health first"};
    hc_rh_th_row(f, cols, sizeof cols / sizeof cols[0]);
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < u->n;) {
        size_t j = i, dis = 0;
        while (j < u->n && u->rows[j].call == u->rows[i].call)
            dis += u->rows[j++].band == 0;
        const hc_prediction *a = &p->rows[u->rows[i].pred_row];
        fprintf(f, "<tr><td class=\"n\">%zu</td>", u->rows[i].call + 1);
        hc_rh_td_text(f, hc_table_text(s->table, s->id_col, a->row));
        hc_rh_td_count(f, j - i);
        hc_rh_td_count(f, dis);
        fputs("<td>", f);
        for (size_t k = i; k < j && k < i + USERS_SHOWN; k++) {
            const hc_user_health_row *r = &u->rows[k];
            if (k > i)
                fputs(", ", f);
            if (r->band == 0)
                fputs("<strong>", f);
            hc_rh_esc(f, r->user);
            if (isfinite(r->health))
                fprintf(f, " (%.1f)", r->health);
            if (r->band == 0)
                fputs("</strong>", f);
        }
        if (j - i > USERS_SHOWN)
            fprintf(f, ", and %zu more", j - i - USERS_SHOWN);
        fputs("</td></tr>\n", f);
        i = j;
    }
    fputs("</tbody></table></div>\n", f);
}

void hc_rh_section_calls(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_predict_result *p = &res->predict;
    const hc_call_list *cl = &res->calls;
    const hc_snapshots *s = p->snapshots;
    hc_rh_section_open(pg, HC_REPORT_SECTION_CALLS);
    char arr[48], risk[48];
    hc_format_money(cl->arr, arr, sizeof arr);
    hc_format_money(cl->at_risk, risk, sizeof risk);
    fprintf(f, "<p>%zu accounts to call: the living accounts whose latest snapshot is in the "
               "'", cl->n);
    hc_rh_esc(f, res->scoring->bands[0].name);
    fprintf(f, "' band (%zu) or fell a band since their previous snapshot (%zu), scored with "
               "the %s; their ARR is %s and their expected churned ARR in the next %d days "
               "%s. Sorted by expected ARR at risk (P(churn) &#215; ARR). Drivers are the "
               "components that pull the account's score furthest below the healthy "
               "accounts of its segment, in points of health. Accounts that have churned, "
               "and accounts without a recent snapshot, are not on it.",
            cl->red, cl->fell, hc_report_scoring_label(res), arr, p->horizon_days, risk);
    if (cl->n > CALLS_SHOWN)
        fprintf(f, " The first %d are shown;", CALLS_SHOWN);
    fputs(" every one is in <code>calls.csv</code>.</p>\n", f);
    if (!cl->n) {
        fputs("<p>No account is on the list this week.</p>\n</section>\n", f);
        return;
    }
    fputs("<div class=\"wrap\"><table class=\"calls\">\n", f);
    char h[64];
    snprintf(h, sizeof h, "#P(churn %dd)", p->horizon_days);
    const char *cols[] = {"#", "account", "segment", "band", "why", "#health", "#change",
                          h, "#ARR", "#expected at risk", "drivers"};
    hc_rh_th_row(f, cols, sizeof cols / sizeof cols[0]);
    fputs("<tbody>\n", f);
    char buf[1024];
    for (size_t k = 0; k < cl->n && k < CALLS_SHOWN; k++) {
        size_t i = cl->rows[k];
        const hc_prediction *r = &p->rows[i];
        fprintf(f, "<tr><td class=\"n\">%zu</td>", k + 1);
        hc_rh_td_text(f, hc_table_text(s->table, s->id_col, r->row));
        hc_rh_td_text(f, s->segment_col >= 0 ? hc_table_text(s->table, s->segment_col, r->row)
                                             : "");
        hc_rh_td_text(f, res->scoring->bands[r->band].name);
        hc_call_list_reason(p, i, buf, sizeof buf);
        hc_rh_td_text(f, buf);
        hc_rh_td_num(f, "%.1f", r->health);
        hc_rh_td_num(f, "%+.1f", r->health_change);
        hc_rh_td_pct(f, r->p_churn);
        hc_rh_td_money(f, r->arr);
        hc_rh_td_money(f, r->at_risk);
        hc_call_list_drivers(p, i, buf, sizeof buf);
        hc_rh_td_text(f, buf);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    users_table(pg);
    fputs("</section>\n", f);
}

static void lead_row(FILE *f, const char *config, const char *flag,
                     const hc_lead_time_band *b)
{
    fputs("<tr>", f);
    hc_rh_td_text(f, config);
    hc_rh_td_text(f, flag);
    hc_rh_td_count(f, b->ever);
    hc_rh_td_num(f, "%.0f", b->median_days);
    for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
        char a[256];
        if (hc_format_percent(b->share[h], 0, a, sizeof a)) {
            char lo[64], hi[64];
            hc_format_percent(b->ci_low[h], 0, lo, sizeof lo);
            hc_format_percent(b->ci_high[h], 0, hi, sizeof hi);
            fprintf(f, "<td class=\"n\">%s (%s to %s)<br/><span class=\"sub\">%zu of %zu</span>"
                       "</td>", a, lo, hi, b->flagged[h], b->with_row[h]);
        } else {
            fputs("<td class=\"n\">&#8211;</td>", f);
        }
    }
    fputs("</tr>\n", f);
}

static const char *pass(int v)
{
    return v < 0 ? "<td>&#8211;</td>" : v ? "<td class=\"pass\">pass</td>"
                                         : "<td class=\"fail\">fail</td>";
}

void hc_rh_section_lead(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    hc_rh_section_open(pg, HC_REPORT_SECTION_LEAD);
    const hc_report_eval *e = res->eval;
    if (!e[0].ok || !e[0].has_lead) {
        fputs("<p>Lead times need churn events and at least two bands.</p>\n</section>\n", f);
        return;
    }
    fprintf(f, "<p>For every churned account (%zu with a labelled snapshot before their "
               "first churn), whether it was already red, or below green, 30, 60 and 90 days "
               "before churning (its latest labelled snapshot on or before that day), and the "
               "days from its first red or below-green snapshot to its churn. Shares are of "
               "the churned accounts with a snapshot that early, with Wilson 95%% intervals "
               "over accounts. The tuned config is in-sample: it was fitted on these "
               "accounts, so its figures flatter it.</p>\n",
            e[0].lead.churned_accounts);
    fputs("<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "config", "flagged as", "#churned accounts ever flagged", "#median lead (days)",
             "#90 days before", "#60 days before", "#30 days before");
    fputs("<tbody>\n", f);
    /* Columns in time order: 90, 60, 30 days before; the struct holds 30, 60, 90. */
    static const char *const names[2] = {"current", "tuned (in-sample)"};
    for (int k = 0; k < 2; k++) {
        if (!e[k].ok || !e[k].has_lead)
            continue;
        hc_lead_time_band r = e[k].lead.red, g = e[k].lead.below_green;
        for (int pass_i = 0; pass_i < 2; pass_i++) {
            hc_lead_time_band *b = pass_i ? &g : &r;
            for (int a = 0, z = HC_LEAD_TIME_HORIZONS - 1; a < z; a++, z--) {
                size_t t1 = b->with_row[a], t2 = b->flagged[a];
                double s1 = b->share[a], l1 = b->ci_low[a], h1 = b->ci_high[a];
                b->with_row[a] = b->with_row[z], b->flagged[a] = b->flagged[z];
                b->share[a] = b->share[z], b->ci_low[a] = b->ci_low[z];
                b->ci_high[a] = b->ci_high[z];
                b->with_row[z] = t1, b->flagged[z] = t2, b->share[z] = s1;
                b->ci_low[z] = l1, b->ci_high[z] = h1;
            }
        }
        lead_row(f, names[k], res->current->bands[0].name, &r);
        lead_row(f, names[k], "below green", &g);
    }
    fputs("</tbody></table></div>\n", f);
    fputs("<h3>Pass bars</h3>\n<p>Practitioners' rules of thumb for a health score that "
          "warns in time: the red band churns at least 3 times the base rate (snapshots); "
          "two thirds of the churned accounts are below green 60 and 90 days before "
          "churning; at most 80% of accounts are green (each by its latest labelled "
          "snapshot).</p>\n<div class=\"wrap\"><table>\n", f);
    HC_RH_TH(f, "config", "#red churn rate / base rate", "3x", "#below green 60 / 90 days",
             "two thirds", "#green share of accounts", "at most 80%");
    fputs("<tbody>\n", f);
    for (int k = 0; k < 2; k++) {
        if (!e[k].ok || !e[k].has_lead)
            continue;
        double s60 = e[k].lead.below_green.share[1], s90 = e[k].lead.below_green.share[2];
        fputs("<tr>", f);
        hc_rh_td_text(f, names[k]);
        hc_rh_td_num(f, "%.1f&#215;", e[k].red_over_base);
        fputs(pass(isfinite(e[k].red_over_base) ? e[k].red_over_base >= 3.0 : -1), f);
        char a[64] = "&#8211;", b[64] = "&#8211;";
        hc_format_percent(s60, 0, a, sizeof a);
        hc_format_percent(s90, 0, b, sizeof b);
        fprintf(f, "<td class=\"n\">%s / %s</td>", a, b);
        fputs(pass(isfinite(s60) && isfinite(s90) ? s60 >= 2.0 / 3 && s90 >= 2.0 / 3 : -1), f);
        hc_rh_td_pct(f, e[k].green_share);
        fputs(pass(isfinite(e[k].green_share) ? e[k].green_share <= 0.8 : -1), f);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    hc_rh_figures(pg, HC_REPORT_SECTION_LEAD);
    fputs("</section>\n", f);
}

void hc_rh_section_trend(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_report_result *res = pg->res;
    const hc_report_trend *t = &res->trend;
    const hc_model *m = res->current;
    hc_rh_section_open(pg, HC_REPORT_SECTION_TREND);
    if (!t->n_periods) {
        fputs("<p>No labelled snapshots to follow over time.</p>\n</section>\n", f);
        return;
    }
    fprintf(f, "<p>Each %s of the history with known outcomes: the accounts per band of the "
               "current config (each account once, by its latest labelled snapshot in the "
               "period), their share, and the share of them that churned within %d days. A "
               "score that keeps its worth keeps the riskiest band's churn rate well above "
               "the others' period after period.</p>\n",
            t->quarterly ? "quarter" : "month", res->history.labels.horizon);
    fputs("<div class=\"wrap\"><table>\n<thead><tr><th>period</th><th class=\"n\">accounts</th>",
          f);
    for (size_t b = 0; b < t->n_bands; b++) {
        fputs("<th class=\"n\">", f);
        hc_rh_esc(f, m->bands[b].name);
        fputs(": share, churn rate</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t p = 0; p < t->n_periods; p++) {
        size_t total = 0;
        for (size_t b = 0; b < t->n_bands; b++)
            total += t->accounts[p * t->n_bands + b];
        int y, mo, d;
        hc_date_to_civil(t->start[p], &y, &mo, &d);
        if (t->quarterly)
            fprintf(f, "<tr><td>%04d Q%d</td>", y, (mo - 1) / 3 + 1);
        else
            fprintf(f, "<tr><td>%04d-%02d</td>", y, mo);
        hc_rh_td_count(f, total);
        for (size_t b = 0; b < t->n_bands; b++) {
            size_t a = t->accounts[p * t->n_bands + b], c = t->churned[p * t->n_bands + b];
            char s1[64] = "&#8211;", s2[64] = "&#8211;";
            if (total)
                hc_format_percent((double)a / (double)total, 0, s1, sizeof s1);
            if (a)
                hc_format_percent((double)c / (double)a, 1, s2, sizeof s2);
            fprintf(f, "<td class=\"n\">%s, %s <span class=\"sub\">(%zu of %zu)</span></td>",
                    s1, s2, c, a);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    hc_rh_figures(pg, HC_REPORT_SECTION_TREND);
    fputs("</section>\n", f);
}
