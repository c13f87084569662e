/* cli_history.c - parsing the shared history options. */
#include "cli_history.h"
#include "hc_date.h"

#include <string.h>

void cli_history_init(cli_history *h)
{
    memset(h, 0, sizeof *h);
    h->opt.labels.horizon = 30;
    h->opt.labels.lead = 0;
    h->opt.labels.as_of = HC_DATE_MISSING;
}

int cli_history_option(cli_history *h, int c, const char *arg)
{
    long v;
    int day;
    switch (c) {
    case OPT_SNAPSHOTS: h->opt.snapshots_path = arg; return 0;
    case OPT_EVENTS: h->opt.events_path = arg; return 0;
    case OPT_DELIMITER: return cli_parse_char("delimiter", arg, &h->opt.delimiter);
    case OPT_ID_COL: h->opt.columns.account_id = arg; return 0;
    case OPT_DATE_COL: h->opt.columns.snapshot_date = arg; return 0;
    case OPT_SEGMENT_COL:
        h->opt.columns.segment = arg;
        h->opt.columns.segment_explicit = 1;
        return 0;
    case OPT_ARR_COL:
        h->opt.columns.arr = arg;
        h->opt.columns.arr_explicit = 1;
        return 0;
    case OPT_HORIZON:
        if (cli_parse_long("horizon", arg, 1, 3650, &v))
            return 1;
        h->opt.labels.horizon = (int)v;
        h->horizon_set = 1;
        return 0;
    case OPT_LEAD:
        if (cli_parse_long("lead", arg, 0, 3650, &v))
            return 1;
        h->opt.labels.lead = (int)v;
        h->lead_set = 1;
        return 0;
    case OPT_AS_OF:
        if (cli_parse_date("as-of", arg, &day))
            return 1;
        h->opt.labels.as_of = day;
        return 0;
    case OPT_IGNORE_UNKNOWN: h->opt.ignore_unknown_events = 1; return 0;
    case OPT_QUIET: h->quiet = 1; return 0;
    default: return -1;
    }
}

int cli_history_check(const cli_history *h, int need_events)
{
    if (!h->opt.snapshots_path)
        return cli_usage_error("option '--snapshots' is required");
    if (need_events && !h->opt.events_path)
        return cli_usage_error("option '--events' is required");
    /* Standard input can be read once: the second file would look empty. */
    if (h->opt.events_path && strcmp(h->opt.snapshots_path, "-") == 0 &&
        strcmp(h->opt.events_path, "-") == 0)
        return cli_usage_error("options '--snapshots' and '--events' cannot "
                               "both read standard input ('-')");
    return 0;
}
