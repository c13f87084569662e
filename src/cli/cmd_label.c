/* cmd_label.c - `healthcal label`: the labelled observation table. */
#include "cli.h"
#include "cli_counts.h"
#include "cli_format.h"
#include "cli_history.h"
#include "cli_model.h"
#include "hc_observations.h"
#include "hc_outfile.h"

#include <stdio.h>
#include <string.h>

int cmd_label(int argc, char **argv)
{
    static const cli_option options[] = {
        CLI_HISTORY_OPTIONS,
        {"config", 'c', 1, "FILE",
         "read the history as this config does: its columns, horizon, event words, "
         "categorical columns as text, user rows rolled up (then both counts are given)"},
        {"output", 'o', 1, "FILE", "write the table here (default: standard output)"},
        CLI_FORMAT_OPTIONS,
        {0},
    };
    cli_parser p = {"label", "--snapshots FILE --events FILE [options]",
                    "Writes the observation table: every snapshot column followed by\n"
                    "churn and expansion (1 when such an event falls in (t+lead, t+lead+H]),\n"
                    "one row per observation in the input's row order. Rows on or after\n"
                    "an account's churn and rows whose window ends after the as-of date\n"
                    "(censored) are left out and counted in the summary on stderr.\n"
                    "With --config, the history is read as that config reads it (user\n"
                    "rows rolled up to one row per account and date first).",
                    options, argc, argv};
    cli_history hist;
    cli_history_init(&hist);
    const char *output = "-", *config = NULL;
    cli_format format = {0};
    const char *arg;
    int c;
    while ((c = cli_next(&p, &arg)) != -1) {
        int r = cli_history_option(&hist, c, arg);
        if (r == 0)
            continue;
        if (r > 0)
            return 1;
        switch (c) {
        case 'o': output = arg; break;
        case 'c': config = arg; break;
        case 'h': return 0;
        default:
            if (cli_format_option(&format, c, arg) == 0)
                break;
            return 1;
        }
    }
    if (cli_no_positionals(&p) || cli_history_check(&hist, 1) != 0 ||
        cli_format_check(&format, strcmp(output, "-") == 0 ? "the observation table (-o -)"
                                                           : NULL))
        return 1;
    hc_error err;
    hc_error_clear(&err);
    hc_history h;
    hc_model *m = NULL;
    if (config) {
        int rc = cli_model_load_configs(&config, 1, &m);
        if (rc != 0)
            return rc;
        if (cli_model_load_history(&hist, &m, 1, &h, &err) != HC_OK) {
            hc_model_free(m);
            return cli_fail(&err);
        }
    } else if (hc_history_load(&hist.opt, &h, &err) != HC_OK) {
        return cli_fail(&err);
    }
    hc_outfile *of;
    if (hc_outfile_open(output, &of, &err) != HC_OK) {
        hc_history_release(&h);
        hc_model_free(m);
        return cli_fail(&err);
    }
    hc_observations_write(&h, hc_outfile_stream(of));
    hc_status st = hc_outfile_commit(of, &err);
    if (st == HC_OK && !hist.quiet && format.kind == CLI_FORMAT_TEXT)
        hc_history_write_counts(&h, stderr);
    int rc = st == HC_OK ? cli_format_emit(&format, cli_history_counts_json(&h), "summary")
                         : cli_fail(&err);
    hc_history_release(&h);
    hc_model_free(m);
    return rc;
}
