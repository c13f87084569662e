/* cli_season.c - printing validate's false red flags by calendar month (accounts). */
#include "cli_season.h"

static void row(FILE *f, const char *name, const hc_calendar_flag_share *s)
{
    fprintf(f, "  %-18s %9zu %9zu %9.1f%%   %5.1f%%-%5.1f%%\n", name, s->accounts,
            s->flagged, 100 * s->share, 100 * s->ci_low, 100 * s->ci_high);
}

void cli_season_print_flags(FILE *f, const hc_calendar_flags *c)
{
    static const char *const names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    fprintf(f, "\nfalse red flags by calendar month, in accounts (non-churning accounts: a "
               "snapshot in the month, any year, none followed by churn; flagged: one of "
               "them red; Wilson 95%% CI over accounts)\n");
    fprintf(f, "  month               non-churn   flagged     share of      95%% CI\n");
    fprintf(f, "                       accounts  accounts     accounts\n");
    for (int m = 0; m < 12; m++)
        if (c->month[m].accounts)
            row(f, names[m], &c->month[m]);
    fprintf(f, "  pooled, in account-months (an account counts once per month):\n");
    row(f, "Aug+Dec", &c->season);
    row(f, "other months", &c->rest);
    if (c->season.accounts && c->rest.accounts)
        fprintf(f, "  share of non-churning accounts flagged red: %.2f%% in August and "
                   "December, %.2f%% in the other months (account-months)\n",
                100 * c->season.share, 100 * c->rest.share);
}
