/* report_md_season.c - summary.md's seasons section: observed over expected churn and false red flags by calendar month, with intervals. */
#include "report_md_season.h"

#include "hc_format.h"

static const char *const NAMES[12] = {"January", "February", "March",     "April",
                                      "May",     "June",     "July",      "August",
                                      "September", "October", "November", "December"};

static void ci(FILE *f, double v, double lo, double hi, int decimals)
{
    char b[256];
    hc_format_interval(v, lo, hi, decimals, b, sizeof b);
    fprintf(f, " | %s", b);
}

static void share_row(FILE *f, const char *name, const hc_calendar_flag_share *s)
{
    fprintf(f, "| %s | %zu | %zu", name, s->accounts, s->flagged);
    ci(f, 100 * s->share, 100 * s->ci_low, 100 * s->ci_high, 1);
    fputs(" |\n", f);
}

void hc_report_md_seasons(FILE *f, const hc_report_result *res)
{
    const hc_report_section *sec = &res->doc.sections[HC_REPORT_SECTION_SEASONS];
    if (!sec->shown)
        return;
    const hc_validate_result *v = &res->validate;
    fprintf(f, "## %s\n\n", sec->heading);
    fputs("Current config, snapshots dated in each calendar month of any year; O/E = "
          "observed / expected churners, 95% CI clustered by account.\n\n| month | "
          "snapshots | accounts | churner snapshots | predicted (%) | observed (%) | O/E "
          "|\n|---|---:|---:|---:|---:|---:|---:|\n", f);
    for (int m = 0; m < 12; m++) {
        const hc_calendar_month *t = &v->months.month[m];
        if (!t->rows)
            continue;
        fprintf(f, "| %s | %zu | %zu | %zu | %.2f", NAMES[m], t->rows, t->accounts,
                t->churner_rows, 100 * t->predicted);
        if (t->estimable) {
            ci(f, 100 * t->observed, 100 * t->observed_ci_low, 100 * t->observed_ci_high, 2);
            ci(f, t->oe, t->oe_ci_low, t->oe_ci_high, 2);
        } else {
            fprintf(f, " | %.2f | not estimable", 100 * t->observed);
        }
        fputs(" |\n", f);
    }
    fputc('\n', f);
    if (v->has_flags) {
        fputs("False red flags by calendar month, in accounts: non-churning accounts of the "
              "month (a snapshot in it, none followed by churn) and the share flagged red "
              "(a red snapshot that month), Wilson 95% over accounts.\n\n| month | "
              "non-churning accounts | flagged red (accounts) | share flagged (%) |\n"
              "|---|---:|---:|---:|\n", f);
        for (int m = 0; m < 12; m++)
            if (v->flags.month[m].accounts)
                share_row(f, NAMES[m], &v->flags.month[m]);
        share_row(f, "August and December (account-months)", &v->flags.season);
        share_row(f, "other months (account-months)", &v->flags.rest);
        fputc('\n', f);
    }
    if (res->doc.seasons_note[0]) {
        hc_rmd_text(f, res->doc.seasons_note);
        fputs("\n\n", f);
    }
}
