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
