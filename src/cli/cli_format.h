/* cli_format.h - `--format text|json|csv` and `--csv-table NAME`: a command's
 * printed tables as text for people, or as JSON or CSV for programs.
 *
 * A command builds one JSON document of what it prints (the same document
 * its --json file holds, where it has one). `--format json` writes that
 * document to stdout; `--format csv` writes one table of it: a member that
 * is an array of objects (one row each), or `summary`, the document's own
 * scalars as one row. Nested objects in a row become dotted columns
 * ("ci.low"); arrays of text are joined with "; "; arrays of objects are
 * tables of their own, chosen with --csv-table; arrays of numbers (curves) are
 * in the JSON form only. The text report is
 * not printed in either machine form; diagnostics stay on stderr. */
#ifndef HEALTHCAL_CLI_FORMAT_H
#define HEALTHCAL_CLI_FORMAT_H

#include <jansson.h>
#include <stdio.h>

/* Option ids, numbered apart from the history (300...), reading (370...)
 * and subcommands' own (400...) options. */
enum { OPT_OUTPUT_FORMAT = 390, OPT_OUTPUT_TABLE };

#define CLI_FORMAT_OPTIONS                                                                 \
    {"format", OPT_OUTPUT_FORMAT, 1, "FORM", "print the tables as text (default), json or csv (on stdout)"}, \
    {"csv-table", OPT_OUTPUT_TABLE, 1, "NAME", "with --format csv: which table (an unknown name lists them)"}

typedef enum { CLI_FORMAT_TEXT = 0, CLI_FORMAT_JSON, CLI_FORMAT_CSV } cli_format_kind;

typedef struct {
    cli_format_kind kind;
    const char *table; /* --csv-table, or NULL for the command's default */
} cli_format;

/* Handles CLI_FORMAT_OPTIONS: 0 handled, 1 usage error (printed), -1 not
 * one of them. */
int cli_format_option(cli_format *f, int c, const char *arg);

/* After the option loop: a usage error (1) for --csv-table without --format
 * csv, or for a machine format when `stdout_taken` names another output
 * already written to stdout (e.g. "--output -"); else 0. */
int cli_format_check(const cli_format *f, const char *stdout_taken);

/* Where the text report goes: stdout for text, else a stream that discards
 * it. Never NULL. */
FILE *cli_format_text(const cli_format *f);

/* Writes `doc` in the machine form (nothing for text) to stdout and takes
 * the reference. `default_table` is the CSV table when --csv-table is not
 * given. Returns 0, 1 for an unknown table (the error lists the tables), 2
 * when out of memory, or 4 for a write error. `doc` NULL means out of
 * memory. */
int cli_format_emit(const cli_format *f, json_t *doc, const char *default_table);

/* The same for a command whose tables are files it wrote into `dir` (the
 * backtest): --format json copies `dir`/`json_name` to stdout, --format
 * csv copies `dir`/TABLE.csv (`default_table` when --csv-table is not given;
 * an unknown name lists the .csv files). The files were written escaped. */
int cli_format_emit_files(const cli_format *f, const char *dir, const char *json_name,
                          const char *default_table);

#endif
