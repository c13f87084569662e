/* cli.h - the subcommand table and the helpers every subcommand uses (layer: cli).
 *
 * Adding a subcommand:
 *   1. write src/cli/cmd_NAME.c exporting `int cmd_NAME(int argc, char **argv)`;
 *      it parses its options with a cli_option table, calls one library
 *      workflow, prints, and returns an exit code (0, 1 usage, 2 data,
 *      3 numerical, 4 I/O);
 *   2. declare it below;
 *   3. add a row to `commands[]` in src/cli/main.c (name, function, summary);
 *   4. add an end-to-end test tests/e2e/NAME.sh;
 *   5. document it in README.md.
 * Only this layer prints or exits.
 */
#ifndef HC_CLI_H
#define HC_CLI_H

#include <stddef.h>

#include "hc_error.h"
#include "hc_ingest.h"
#include "hc_model.h"

#define HC_VERSION "0.1.0"

int cmd_simulate(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Option ids of the reading options, shared by every subcommand that
 * reads a CSV (numbered apart from the history options, 300..., and the
 * subcommands' own, 400...). */
enum {
    OPT_TZ = 370,
    OPT_DATE_FORMAT,
    OPT_DECIMAL_COMMA,
    OPT_EVENT_MAP,
    OPT_EVENT_DATE_COL,
    OPT_EVENT_TYPE_COL,
    OPT_AMOUNT_COL
};

/* How cells are read, for every subcommand that reads a CSV (hc_ingest.h). */
#define CLI_INGEST_OPTIONS                                                               \
    {"tz", OPT_TZ, 1, "ZONE", "zone where timestamps become dates: UTC (default), +05:30, Europe/Berlin"}, \
    {"date-format", OPT_DATE_FORMAT, 1, "FMT", "dates not in ISO 8601: %m/%d/%Y, %d.%m.%Y or %Y%m%d"}, \
    {"decimal-comma", OPT_DECIMAL_COMMA, 0, NULL, "',' is the decimal mark (default only with --delimiter ';')"}, \
    {"event-map", OPT_EVENT_MAP, 1, "T=K,...", "event types of the file: cancelled=churn,upsell=expansion (or ignore)"}, \
    {"event-date-col", OPT_EVENT_DATE_COL, 1, "NAME", "event date column (default event_date)"}, \
    {"event-type-col", OPT_EVENT_TYPE_COL, 1, "NAME", "event type column (default event_type)"}, \
    {"amount-col", OPT_AMOUNT_COL, 1, "NAME", "event amount column (default amount, optional)"}

/* The reading options of this run: one per process (a run is one
 * subcommand), static so that it lives as long as any load, and the
 * process default of every loader (hc_ingest_set_default) from the first
 * call on. */
hc_ingest_options *cli_ingest(void);

/* Handles the CLI_INGEST_OPTIONS only (for subcommands without the other
 * history options): 0 handled, 1 usage error, -1 not one of them. */
int cli_ingest_option(hc_ingest_options *in, int c, const char *arg);

/* Takes what the flags left unset from a config: the events' columns
 * (columns.event_date, event_type, amount) and its event_map, whose pairs
 * come before the --event-map ones (so the flags win). Returns 0, or an
 * exit code after printing the error. */
int cli_ingest_use_model(hc_ingest_options *in, const hc_model *m);

/* The same for the config at `path`, read only for these sections (for
 * subcommands whose workflow reads the config itself). */
int cli_ingest_use_config(hc_ingest_options *in, const char *path);

/* Usage error (1) when more than one of the `n` paths is "-": standard
 * input can be read once. 0 otherwise. `names` are the option names. */
int cli_one_stdin(const char *const *paths, const char *const *names, size_t n);

/* One option of a subcommand. `id` is what cli_next returns for it (a
 * short option letter or a value >= 256 for long-only options). */
typedef struct {
    const char *name;    /* long name without dashes */
    int id;
    int has_arg;         /* 0 = flag, 1 = required argument */
    const char *metavar; /* e.g. "FILE"; NULL for flags */
    const char *help;    /* one line; mention the default */
} cli_option;

/* A subcommand's parser: its name, usage line, description and options
 * (terminated by a zero row). -h/--help is added automatically. */
typedef struct {
    const char *command;
    const char *usage;       /* e.g. "--snapshots FILE --events FILE [options]" */
    const char *description; /* a paragraph for --help */
    const cli_option *options;
    /* private */
    int argc;
    char **argv;
} cli_parser;

/* Returns the next option id, with its argument in *arg (or NULL); -1 at the
 * end of options (positional arguments are then at argv[optind]...).
 * Returns 'h' after printing help to stdout (the caller returns 0), or '?'
 * after printing "healthcal: error: ..." naming the bad option (the caller
 * returns 1). */
int cli_next(cli_parser *p, const char **arg);

/* After the option loop: prints a usage error and returns 1 when
 * positional arguments are left over, else returns 0. */
int cli_no_positionals(const cli_parser *p);

/* Prints the full --help for a parser to stdout. */
void cli_print_help(const cli_parser *p);

/* Prints "healthcal: error: <formatted error>" to stderr and returns the
 * exit code for its status. */
int cli_fail(const hc_error *err);

/* Prints "healthcal: error: <msg>" and returns 1 (usage). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "healthcal: warning: <msg>" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Option value converters: print a usage error naming the option and
 * return nonzero when the value is not valid. */
int cli_parse_long(const char *option, const char *arg, long min, long max,
                   long *out);
int cli_parse_double(const char *option, const char *arg, double min,
                     double max, double *out);
int cli_parse_date(const char *option, const char *arg, int *day);
int cli_parse_char(const char *option, const char *arg, char *out);

/* Splits a comma-separated list into a NULL-terminated array of strings
 * (one allocation; free the array with free()). Returns NULL when out of
 * memory; *count receives the number of items. */
char **cli_split_list(const char *arg, size_t *count);

/* True when stderr is a terminal (progress lines are shown only then). */
int cli_stderr_is_tty(void);

/* Flushes stdout and checks it for errors (a full disk); returns `code`
 * when fine, 4 after printing an error otherwise. */
int cli_finish(int code);

#endif
