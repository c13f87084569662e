/* cmd_predict.c - `healthcal predict`: score accounts with a config, write predictions and a summary. */
#include "cli.h"
#include "cli_format.h"
#include "cli_unseen.h"
#include "cli_alerts.h"
#include "hc_call_list.h"
#include "hc_model.h"
#include "hc_outfile.h"
#include "hc_predict.h"
#include "hc_date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_CONFIG = 'c',
    OPT_SNAPSHOTS = 's',
    OPT_OUTPUT = 'o',
    OPT_DELIMITER = 'd',
    OPT_QUIET = 'q',
    OPT_EVENTS = 'e',
    OPT_AS_OF = 400,
    OPT_ALL,
    OPT_SEED,
    OPT_DRAWS,
    OPT_SUMMARY_JSON,
    OPT_IGNORE_UNKNOWN,
    OPT_STALE_DAYS,
    OPT_KEEP,
    OPT_ALERTS,
    OPT_ALERT_P,
    OPT_PREVIOUS_ALERTS,
    OPT_CALLS
};

/* Splits the --keep list "a,b,c" into `names` (pointers into the copy
 * *buf, which the caller frees with the array). Returns 0, or 1 after a
 * usage error. */
static int parse_keep(const char *arg, char **buf, const char ***names, size_t *n)
{
    size_t cap = 1;
    for (const char *p = arg; *p; p++)
        cap += *p == ',';
    *buf = strdup(arg);
    *names = malloc(cap * sizeof **names);
    *n = 0;
    if (!*buf || !*names)
        return cli_usage_error("out of memory");
    for (char *p = *buf;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p)
            return cli_usage_error("option '--keep': an empty column name in '%s'", arg);
        (*names)[(*n)++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

/* Says which map p_churn went through, and where it was fitted. */
static void print_recalibration(FILE *f, const hc_recalibration *r)
{
    fprintf(f, "p_churn is recalibrated by the config's %s map",
            hc_recal_method_name(r->method));
    if (r->source.present) {
        char d0[16], d1[16];
        hc_date_format(r->source.first_date, d0);
        hc_date_format(r->source.last_date, d1);
        fprintf(f, " (fitted on %zu holdout rows dated %s..%s)", r->source.rows, d0, d1);
    }
    fputc('\n', f);
}

/* The command; the --keep list it parses is left in *keep_buf and *keep
 * for cmd_predict to free on every path. */
static int predict_main(int argc, char **argv, char **keep_buf, const char ***keep)
{
    static const cli_option options[] = {
        {"config", OPT_CONFIG, 1, "FILE", "the config to score with (required), e.g. the tuned one"},
        {"snapshots", OPT_SNAPSHOTS, 1, "FILE", "snapshot history CSV (required; - for stdin)"},
        {"events", OPT_EVENTS, 1, "FILE", "churn/expansion/contraction events CSV: leave out accounts that have churned"},
        {"ignore-unknown-events", OPT_IGNORE_UNKNOWN, 0, NULL, "skip events of unknown type instead of failing"},
        {"as-of", OPT_AS_OF, 1, "DATE", "score each account's latest snapshot on or before DATE (default: the latest date)"},
        {"all-snapshots", OPT_ALL, 0, NULL, "one row per snapshot on or before the as-of date"},
        {"stale-days", OPT_STALE_DAYS, 1, "N", "a latest snapshot more than N days before the as-of date is stale (default: the config's horizon)"},
        {"keep", OPT_KEEP, 1, "COL,...", "snapshot columns to copy to the output, after the status column"},
        {"output", OPT_OUTPUT, 1, "FILE", "write the predictions here (default: standard output)"},
        {"delimiter", OPT_DELIMITER, 1, "CHAR", "field delimiter of the snapshots and events (default ,; 'tab' for TAB)"},
        {"quiet", OPT_QUIET, 0, NULL, "no summary on stderr"},
        {"summary-json", OPT_SUMMARY_JSON, 1, "FILE", "also write the summary, with the revenue-at-risk range, as JSON"},
        {"seed", OPT_SEED, 1, "S", "seed of the revenue-at-risk Monte Carlo (default 20240101)"},
        {"draws", OPT_DRAWS, 1, "N", "Monte Carlo draws of the revenue-at-risk range (default 10000; 0: none)"},
        {"alerts", OPT_ALERTS, 1, "FILE", "also write JSON Lines alerts: band worse than at the previous snapshot (README: Alerts)"},
        {"alert-p", OPT_ALERT_P, 1, "P", "alerts also when P(churn) reaches P from below (or on a first snapshot)"},
        {"previous-alerts", OPT_PREVIOUS_ALERTS, 1, "FILE", "alerts already sent (JSON Lines): write only new ones"},
        {"calls", OPT_CALLS, 1, "FILE", "also write this week's call list as CSV: current accounts in the riskiest band or that fell a band, by expected ARR at risk, drivers in words"},
        CLI_INGEST_OPTIONS,
        CLI_FORMAT_OPTIONS,
        {0},
    };
    cli_parser p = {
        "predict", "--config FILE --snapshots FILE [--events FILE] [--as-of DATE] [--stale-days N] [--keep COL,...] [--all-snapshots] [-o FILE]",
        "Scores each account's latest snapshot on or before the as-of date with the\n"
        "config: health, band, P(churn) and P(expansion) within the config's horizon,\n"
        "expected ARR at risk (P(churn) x ARR), the three components that pull the\n"
        "score down most against the segment's healthy (top-band) accounts, in points\n"
        "of health, and the change since the account's previous snapshot\n"
        "(band_change \"green->yellow\" when the band got worse). A summary goes to\n"
        "stderr: current accounts and ARR per band, expected churned ARR, stale\n"
        "accounts, accounts left out.\n"
        "\n"
        "Living accounts: with --events, an account with a churn event on or before\n"
        "the as-of date and no snapshot after that event has churned: it is left out\n"
        "of the rows and of every total, and counted. A snapshot after the churn\n"
        "means it came back: it stays. Without --events churned accounts cannot be\n"
        "left out (the summary and the JSON say so). With --all-snapshots the rows of\n"
        "churned accounts are written with status \"churned\" (their history as\n"
        "customers), after all the others.\n"
        "\n"
        "Status: a row dated more than --stale-days days before the as-of date\n"
        "(default: the horizon, so its P(churn) window has closed) is \"stale\", else\n"
        "\"current\". Rows are sorted current first, then stale, each by expected ARR\n"
        "at risk, highest first. Stale accounts are not in the band counts nor in the\n"
        "revenue at risk; the summary gives their count and ARR apart.\n"
        "\n"
        "--keep owner,account_name copies those snapshot columns, as the scored row\n"
        "holds them, after the status column (text neutralised against spreadsheet\n"
        "formulas). A kept column the file lacks is an error; one named like an\n"
        "output column is a usage error.\n"
        "\n"
        "Revenue at risk: the expected churned ARR is sum P(churn) x ARR over the\n"
        "current accounts (each by its latest snapshot); its 80% and 95% ranges are the\n"
        "quantiles of the churned ARR when each account churns independently with\n"
        "its P(churn) (a weighted Poisson-binomial), from a seeded Monte Carlo of\n"
        "--draws draws: the same --seed gives the same range.\n"
        "\n"
        "Recalibration: when the config has a churn_model.recalibration (written by\n"
        "'healthcal fit --recalibrate'), p_churn and expected ARR at risk use the\n"
        "recalibrated probability: platt p' = logistic(a + b logit(p)) with p clipped\n"
        "to [1e-15, 1 - 1e-15], or isotonic (linear between the map's points, flat\n"
        "beyond its ends), applied to the churn model's p = logistic(intercept +\n"
        "slope H). It is the same probability validate, backtest and report score\n"
        "with; health, bands and drivers do not change (the map is monotone).",
        options, argc, argv};
    const char *config = NULL, *snapshots = NULL, *output = "-", *summary_json = NULL;
    const char *events = NULL, *alerts = NULL, *previous_alerts = NULL;
    const char *calls = NULL;
    double alert_p = NAN;
    int ignore_unknown = 0;
    long stale_days = -1;
    size_t n_keep = 0;
    long seed = (long)HC_PREDICT_SEED_DEFAULT, draws = HC_PREDICT_RISK_DRAWS;
    char delimiter = 0;
    int quiet = 0, all = 0, day;
    int32_t as_of = HC_DATE_MISSING;
    cli_format format = {0};
    const char *arg;
    int c;
    while ((c = cli_next(&p, &arg)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = arg; break;
        case OPT_SNAPSHOTS: snapshots = arg; break;
        case OPT_OUTPUT: output = arg; break;
        case OPT_ALL: all = 1; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_SUMMARY_JSON: summary_json = arg; break;
        case OPT_EVENTS: events = arg; break;
        case OPT_ALERTS: alerts = arg; break;
        case OPT_PREVIOUS_ALERTS: previous_alerts = arg; break;
        case OPT_CALLS: calls = arg; break;
        case OPT_ALERT_P:
            if (cli_parse_double("alert-p", arg, 0, 1, &alert_p))
                return 1;
            break;
        case OPT_IGNORE_UNKNOWN: ignore_unknown = 1; break;
        case OPT_STALE_DAYS:
            if (cli_parse_long("stale-days", arg, 0, 36500, &stale_days))
                return 1;
            break;
        case OPT_KEEP:
            free(*keep_buf);
            free(*keep);
            if (parse_keep(arg, keep_buf, keep, &n_keep))
                return 1;
            break;
        case OPT_SEED:
            if (cli_parse_long("seed", arg, 0, 2147483647L, &seed))
                return 1;
            break;
        case OPT_DRAWS:
            if (cli_parse_long("draws", arg, 0, 10000000L, &draws))
                return 1;
            if (draws == 1)
                return cli_usage_error("option '--draws': 0 or at least 2");
            break;
        case OPT_DELIMITER:
            if (cli_parse_char("delimiter", arg, &delimiter))
                return 1;
            break;
        case OPT_AS_OF:
            if (cli_parse_date("as-of", arg, &day))
                return 1;
            as_of = day;
            break;
        case 'h': return 0;
        default:
            if (cli_ingest_option(cli_ingest(), c, arg) == 0 ||
                cli_format_option(&format, c, arg) == 0)
                break;
            return 1;
        }
    }
    if (cli_no_positionals(&p))
        return 1;
    if (cli_format_check(&format, strcmp(output, "-") == 0 ? "the predictions (--output -)" : NULL))
        return 1;
    if (!config)
        return cli_usage_error("option '--config' is required");
    if (!snapshots)
        return cli_usage_error("option '--snapshots' is required");
    if (events && strcmp(snapshots, "-") == 0 && strcmp(events, "-") == 0)
        return cli_usage_error("options '--snapshots' and '--events' cannot "
                               "both read standard input ('-')");
    hc_outfile_protect_input(config);
    hc_outfile_protect_input(snapshots);
    if (events)
        hc_outfile_protect_input(events);
    if (summary_json && (strcmp(summary_json, "-") == 0 || strcmp(summary_json, output) == 0))
        return cli_usage_error("--summary-json needs a file of its own");
    if ((!isnan(alert_p) || previous_alerts) && !alerts)
        return cli_usage_error("--alert-p and --previous-alerts need --alerts FILE");
    if (alerts && (strcmp(alerts, "-") == 0 || strcmp(alerts, output) == 0))
        return cli_usage_error("--alerts needs a file of its own");
    if (previous_alerts)
        hc_outfile_protect_input(previous_alerts);
    if (calls && (strcmp(calls, "-") == 0 || strcmp(calls, output) == 0))
        return cli_usage_error("--calls needs a file of its own");
    if (calls && all)
        return cli_usage_error("--calls lists accounts by their latest snapshot: not with "
                               "--all-snapshots");

    hc_error err;
    hc_error_clear(&err);
    hc_model *m;
    if (hc_model_load(config, &m, &err) != HC_OK)
        return cli_fail(&err);
    if (cli_ingest_use_model(cli_ingest(), m) != 0) {
        hc_model_free(m);
        return 2;
    }
    /* A bad --keep list is a usage error before any file is read. */
    if (hc_predict_check_keep(*keep, n_keep, m->horizon_days, &err) != HC_OK) {
        hc_model_free(m);
        return cli_usage_error("option '--keep': %s", err.message);
    }
    hc_snapshots s;
    if (hc_predict_load_snapshots_keep(m, snapshots, delimiter, *keep, n_keep, &s, &err) !=
        HC_OK) {
        hc_model_free(m);
        return cli_fail(&err);
    }
    if (cli_snapshots_notes(m, &s, quiet, &err) != HC_OK) {
        hc_snapshots_release(&s);
        hc_model_free(m);
        return cli_fail(&err);
    }
    /* Events as every history command reads them: matched to the snapshot
     * accounts, unknown types an error unless --ignore-unknown-events. */
    hc_events ev;
    if (events) {
        hc_event_load_options eo = {.delimiter = delimiter,
                                    .ignore_unknown_types = ignore_unknown};
        if (hc_events_load(events, &eo, &s, &ev, &err) != HC_OK) {
            hc_snapshots_release(&s);
            hc_model_free(m);
            return cli_fail(&err);
        }
    }
    hc_predict_options po;
    hc_predict_options_init(&po);
    po.model = m;
    po.snapshots = &s;
    po.as_of = as_of;
    po.all_snapshots = all;
    po.seed = (unsigned long)seed;
    po.risk_draws = (size_t)draws;
    po.events = events ? &ev : NULL;
    po.stale_days = (int)stale_days;
    po.keep = *keep;
    po.n_keep = n_keep;
    hc_predict_result r;
    int rc = 0;
    if (hc_predict_run(&po, &r, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        hc_outfile *of;
        if (hc_outfile_open(output, &of, &err) != HC_OK) {
            rc = cli_fail(&err);
        } else {
            hc_predict_write_csv(hc_outfile_stream(of), &r);
            if (hc_outfile_commit(of, &err) != HC_OK)
                rc = cli_fail(&err);
        }
        if (rc == 0 && summary_json &&
            hc_predict_write_summary_json(&r, summary_json, &err) != HC_OK)
            rc = cli_fail(&err);
        if (rc == 0 && alerts)
            rc = cli_alerts_run(&r, alerts, alert_p, previous_alerts, quiet);
        if (rc == 0 && calls) {
            /* The same list as the report's calls.csv (hc_call_list.h). */
            hc_call_list cl;
            hc_outfile *cf;
            if (hc_call_list_build(&r, &cl, &err) != HC_OK ||
                hc_outfile_open(calls, &cf, &err) != HC_OK) {
                rc = cli_fail(&err);
            } else {
                hc_call_list_write_csv(hc_outfile_stream(cf), &r, &cl);
                if (hc_outfile_commit(cf, &err) != HC_OK)
                    rc = cli_fail(&err);
                else if (!quiet)
                    fprintf(stderr, "call list: %zu accounts (%zu in the riskiest band, %zu "
                                    "fell a band) written to %s\n",
                            cl.n, cl.red, cl.fell, calls);
            }
            hc_call_list_release(&cl);
        }
        if (rc == 0 && !quiet) {
            size_t scored = 0, with_p = 0;
            for (size_t i = 0; i < r.n; i++) {
                scored += r.rows[i].band >= 0;
                with_p += !isnan(r.rows[i].p_churn);
            }
            if (with_p == 0 && scored > 0)
                cli_warn("the config has no churn_model: p_churn and expected "
                         "ARR at risk are empty (fit one with 'healthcal fit')");
            if (events)
                fprintf(stderr, "events: %zu rows read, %zu churn events matched to "
                                "snapshot accounts, %zu events of accounts without a "
                                "snapshot (ignored), %zu of unknown type skipped\n",
                        ev.rows_read, ev.by_type[HC_EVENT_CHURN], ev.unknown_account,
                        ev.unknown_type);
            FILE *text = format.kind == CLI_FORMAT_TEXT ? stderr : cli_format_text(&format);
            hc_predict_write_summary(text, &r);
            if (m->recalibration && m->churn.present)
                print_recalibration(text, m->recalibration);
        }
        if (rc == 0)
            rc = cli_format_emit(&format, hc_predict_summary_json(&r), "bands");
        hc_predict_result_release(&r);
    }
    if (events)
        hc_events_release(&ev);
    hc_snapshots_release(&s);
    hc_model_free(m);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    char *keep_buf = NULL;
    const char **keep = NULL;
    int rc = predict_main(argc, argv, &keep_buf, &keep);
    free(keep);
    free(keep_buf);
    return rc;
}
