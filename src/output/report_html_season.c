/* report_html_season.c - index.html's seasons section: observed over expected churn and false red flags by calendar month, with intervals. */
#include "report_html.h"

#include "hc_format.h"

static const char *const NAMES[12] = {"January", "February", "March",     "April",
                                      "May",     "June",     "July",      "August",
                                      "September", "October", "November", "December"};

static void share_row(FILE *f, const char *name, const hc_calendar_flag_share *s)
{
    fputs("<tr><td>", f);
    hc_rh_esc(f, name);
    fputs("</td>", f);
    hc_rh_td_count(f, s->accounts);
    hc_rh_td_count(f, s->flagged);
    hc_rh_td_ci(f, 100 * s->share, 100 * s->ci_low, 100 * s->ci_high, 1);
    fputs("</tr>\n", f);
}

void hc_rh_section_seasons(const hc_rh_page *pg)
{
    FILE *f = pg->f;
    const hc_validate_result *v = &pg->res->validate;
    const hc_calendar_result *c = &v->months;
    hc_rh_section_open(pg, HC_REPORT_SECTION_SEASONS);
    fputs("<p>Does the current config's calibration differ by calendar month? Each month of "
          "the year (every year's August together): the snapshots dated in it, the "
          "predicted and observed churn rate within the horizon, and observed over "
          "expected churners (O/E; 1 is calibrated, below 1 the month is over-predicted), "
          "with 95% intervals clustered by account.</p>\n", f);
    fputs("<div class=\"wrap\"><table>\n<thead>", f);
    HC_RH_TH(f, "month", "#snapshots", "#accounts", "#churner snapshots", "#predicted (%)",
             "#observed (%), 95% CI", "#O/E, 95% CI");
    fputs("</thead>\n<tbody>\n", f);
    for (int m = 0; m < 12; m++) {
        const hc_calendar_month *t = &c->month[m];
        if (!t->rows)
            continue;
        fputs("<tr><td>", f);
        hc_rh_esc(f, NAMES[m]);
        fputs("</td>", f);
        hc_rh_td_count(f, t->rows);
        hc_rh_td_count(f, t->accounts);
        hc_rh_td_count(f, t->churner_rows);
        hc_rh_td_num(f, "%.2f", 100 * t->predicted);
        if (t->estimable) {
            hc_rh_td_ci(f, 100 * t->observed, 100 * t->observed_ci_low,
                        100 * t->observed_ci_high, 2);
            hc_rh_td_ci(f, t->oe, t->oe_ci_low, t->oe_ci_high, 2);
        } else {
            hc_rh_td_num(f, "%.2f", 100 * t->observed);
            hc_rh_td_text(f, "not estimable");
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (v->has_flags) {
        const hc_calendar_flags *fl = &v->flags;
        fputs("<p>False red flags by calendar month, in accounts: the non-churning accounts "
              "of a month (a snapshot dated in it, none followed by churn within the "
              "horizon) and the share of them with a snapshot in the red band that month, "
              "with Wilson 95% intervals over accounts. August and December, where usage "
              "commonly dips, against the other months, pooled in account-months.</p>\n",
              f);
        fputs("<div class=\"wrap\"><table>\n<thead>", f);
        HC_RH_TH(f, "month", "#non-churning accounts", "#flagged red (accounts)",
                 "#share flagged (% of accounts), 95% CI");
        fputs("</thead>\n<tbody>\n", f);
        for (int m = 0; m < 12; m++)
            if (fl->month[m].accounts)
                share_row(f, NAMES[m], &fl->month[m]);
        share_row(f, "August and December (account-months)", &fl->season);
        share_row(f, "other months (account-months)", &fl->rest);
        fputs("</tbody></table></div>\n", f);
    }
    if (pg->doc->seasons_note[0]) {
        fputs("<p>", f);
        hc_rh_esc(f, pg->doc->seasons_note);
        fputs("</p>\n", f);
    }
    fputs("</section>\n", f);
}
