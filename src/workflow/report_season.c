/* report_season.c - the report's seasons section: what calibration and false red flags by calendar month say, in one sentence. */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const NAMES[12] = {"January", "February", "March",     "April",
                                      "May",     "June",     "July",      "August",
                                      "September", "October", "November", "December"};

void hc_rpt_seasons(const hc_report_result *res, hc_report_document *doc)
{
    const hc_validate_result *v = &res->validate;
    char *b = doc->seasons_note;
    size_t size = sizeof doc->seasons_note, len = 0;
    b[0] = '\0';
    if (!v->has_months)
        return;
    const hc_calendar_result *c = &v->months;
    if (c->months_differ == 0) {
        len += (size_t)snprintf(b + len, size - len,
                                "No calendar month's observed-over-expected interval "
                                "excludes 1 (current config, snapshots).");
    } else {
        len += (size_t)snprintf(b + len, size - len, "Calibration differs in ");
        size_t k = 0;
        for (int m = 0; m < 12 && len < size; m++)
            if (c->month[m].rows && c->month[m].estimable && c->month[m].differs)
                len += (size_t)snprintf(b + len, size - len, "%s%s (O/E %.2f)",
                                        k++ ? ", " : "", NAMES[m], c->month[m].oe);
        if (len < size)
            len += (size_t)snprintf(b + len, size - len,
                                    ": the O/E interval excludes 1 (current config, "
                                    "snapshots); with 12 months one such month in about "
                                    "two histories is chance.");
    }
    const hc_calendar_flags *f = &v->flags;
    if (v->has_flags && f->season.accounts && f->rest.accounts && len < size)
        snprintf(b + len, size - len,
                 " Non-churning accounts flagged red: %.1f%% of %zu account-months in "
                 "August and December (95%% CI %.1f%% to %.1f%%) against %.1f%% of %zu in "
                 "the other months (%.1f%% to %.1f%%)%s.",
                 100 * f->season.share, f->season.accounts, 100 * f->season.ci_low,
                 100 * f->season.ci_high, 100 * f->rest.share, f->rest.accounts,
                 100 * f->rest.ci_low, 100 * f->rest.ci_high,
                 f->season.ci_low > f->rest.ci_high
                     ? ": the seasonal dip raises false alarms; a seasonal adjustment of "
                       "the usage metrics (README \"Seasonal adjustment\") may help"
                     : "");
}
