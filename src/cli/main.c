/* main.c - the healthcal command: the table of subcommands and dispatch. */
#include "cli.h"
#include "hc_trace.h"
#include "hc_outfile.h"

#include <getopt.h>
#include <gsl/gsl_errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

/* One row per subcommand; `healthcal --help` is generated from this. */
static const command commands[] = {
    {"simulate", cmd_simulate, "write a synthetic history with known ground truth"},
    {"label", cmd_label, "write the labelled observation table (churn/expansion in the next H days)"},
    {"fit", cmd_fit, "fit component weights and calibration to churn/expansion outcomes"},
    {"validate", cmd_validate, "score predictions or a config against outcomes: discrimination, calibration, bands"},
    {"backtest", cmd_backtest, "walk-forward evaluation of configs and thresholds by date"},
    {"predict", cmd_predict, "score accounts: health, band, P(churn) and P(expansion) in H days, drivers, band changes"},
    {"drift", cmd_drift, "population stability of the score and its components between two periods"},
    {"report", cmd_report, "the quarterly run: validate, fit, backtest, predict, plots, HTML + Markdown report"},
    {"plot", cmd_plot, "redraw the plots from saved metric files"},
    {"export", cmd_export, "the config as SQL for the warehouse (postgres, sqlite, ansi) or a points scorecard"},
};

static void print_help(void)
{
    printf("usage: healthcal [--version] [--help] COMMAND [options]\n\n"
           "healthcal calibrates customer health scores against real churn and "
           "expansion outcomes.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\nRun 'healthcal COMMAND --help' for the options of a command.\n"
           "Exit codes: 0 success, 1 usage, 2 bad input data, 3 numerical "
           "failure, 4 I/O failure.\n");
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* GSL's default handler aborts */
#ifdef __GLIBC__
    /* Column-sized arrays (8 MiB and up) from mmap, so that each goes back
     * to the system when freed. glibc's default threshold rises to 32 MiB
     * after the first large free, and arrays below it then sit in the
     * heap, where a freed one between live ones is never returned: on a
     * backtest of 8M rows that was ~70 MiB of the peak. Not lower: at
     * 1 MiB the many per-fold buffers made the two fold threads queue on
     * the kernel's page-table lock (mmap/munmap and their page faults). */
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
#endif
    hc_outfile_install_signal_handlers();
    if (argc < 2) {
        print_help();
        return 1;
    }
    const char *name = argv[1];
    /* `healthcal help CMD` is `healthcal CMD --help`. */
    char help_flag[] = "--help";
    char *help_argv[4] = {argv[0], NULL, help_flag, NULL};
    if (strcmp(name, "help") == 0 && argc >= 3) {
        help_argv[1] = argv[2];
        argv = help_argv;
        argc = 3;
        name = argv[1];
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "help") == 0) {
        print_help();
        return cli_finish(0);
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("healthcal %s\n", HC_VERSION);
        return cli_finish(0);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            optind = 1;
            int rc = commands[i].fn(argc - 1, argv + 1);
            hc_trace_mark("done");
            return cli_finish(rc);
        }
    }
    fprintf(stderr, "healthcal: error: '%s' is not a healthcal command "
                    "(see 'healthcal --help')\n", name);
    return 1;
}
