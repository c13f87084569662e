/* cli_history.h - the options every history-reading subcommand shares. */
#ifndef HC_CLI_HISTORY_H
#define HC_CLI_HISTORY_H

#include "cli.h"
#include "hc_observations.h"

enum {
    OPT_SNAPSHOTS = 's',
    OPT_EVENTS = 'e',
    OPT_DELIMITER = 'd',
    OPT_ID_COL = 300,
    OPT_DATE_COL,
    OPT_SEGMENT_COL,
    OPT_ARR_COL,
    OPT_HORIZON,
    OPT_LEAD,
    OPT_AS_OF,
    OPT_IGNORE_UNKNOWN,
    OPT_TEXT_COLS,
    OPT_QUIET = 'q',
    OPT_FIRST_FREE = 400  /* subcommands number their own long options from here */
};

/* Rows for a subcommand's cli_option table. */
#define CLI_HISTORY_OPTIONS                                                              \
    {"snapshots", OPT_SNAPSHOTS, 1, "FILE", "snapshot history CSV (required; - for stdin)"}, \
    {"events", OPT_EVENTS, 1, "FILE", "churn/expansion/contraction events CSV"},           \
    {"delimiter", OPT_DELIMITER, 1, "CHAR", "field delimiter of both files (default ,; 'tab' for TAB)"}, \
    {"id-col", OPT_ID_COL, 1, "NAME", "account id column (default account_id)"},          \
    {"date-col", OPT_DATE_COL, 1, "NAME", "snapshot date column (default snapshot_date)"}, \
    {"segment-col", OPT_SEGMENT_COL, 1, "NAME", "segment column (default segment, optional)"}, \
    {"arr-col", OPT_ARR_COL, 1, "NAME", "ARR column (default arr, optional)"},             \
    {"horizon", OPT_HORIZON, 1, "DAYS", "outcome window length H in days (default 30)"},  \
    {"lead", OPT_LEAD, 1, "DAYS", "gap between snapshot and window in days (default 0)"},   \
    {"as-of", OPT_AS_OF, 1, "DATE", "windows ending after this are censored (default: latest date)"}, \
    {"ignore-unknown-events", OPT_IGNORE_UNKNOWN, 0, NULL, "skip events of unknown type instead of failing"}, \
    {"text-cols", OPT_TEXT_COLS, 1, "A,B", "columns holding text (grades, colours, flags) read as text; a config's categorical metrics are text already"}, \
    CLI_INGEST_OPTIONS, \
    {"quiet", OPT_QUIET, 0, NULL, "no summary on stderr"}

typedef struct {
    hc_history_options opt;  /* opt.ingest is cli_ingest() */
    int quiet;
    int horizon_set;
    int lead_set;
} cli_history;

void cli_history_init(cli_history *h);

/* Handles option `c` if it is one of CLI_HISTORY_OPTIONS: returns 0 when
 * handled, 1 after a usage error, -1 when `c` is not a history option. */
int cli_history_option(cli_history *h, int c, const char *arg);

/* Checks that --snapshots (and --events when `need_events`) were given;
 * prints a usage error and returns 1 otherwise. */
int cli_history_check(const cli_history *h, int need_events);


#endif
