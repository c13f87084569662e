/* cmd_drift.c - `healthcal drift`: PSI of the score and its components between two periods. */
#include "cli.h"
#include "cli_format.h"
#include "cli_unseen.h"
#include "hc_drift.h"
#include "hc_history.h"
#include "hc_labels.h"
#include "hc_model.h"
#include "hc_outfile.h"
#include "hc_predict.h"
#include "hc_date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_CONFIG = 'c',
    OPT_SNAPSHOTS = 's',
    OPT_EVENTS = 'e',
    OPT_DELIMITER = 'd',
    OPT_BASELINE = 400,
    OPT_CURRENT,
    OPT_JSON,
    OPT_IGNORE_UNKNOWN,
    OPT_FAIL_ON
};

/* The exit code of `--fail-on` when the worst PSI reaches its level. */
#define DRIFT_EXIT_FAIL_ON 6

static int write_json(const char *path, const hc_drift_result *r)
{
    hc_error err;
    hc_error_clear(&err);
    json_t *root = hc_drift_to_json(r);
    if (!root)
        return cli_usage_error("out of memory building the JSON report");
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                      JSON_REAL_PRECISION(15));
    json_decref(root);
    if (!text)
        return cli_usage_error("out of memory building the JSON report");
    hc_outfile *of;
    int rc = 0;
    if (hc_outfile_open(path, &of, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        FILE *f = hc_outfile_stream(of);
        fputs(text, f);
        putc('\n', f);
        if (hc_outfile_commit(of, &err) != HC_OK)
            rc = cli_fail(&err);
    }
    free(text);
    return rc;
}

int cmd_drift(int argc, char **argv)
{
    static const cli_option options[] = {
        {"config", OPT_CONFIG, 1, "FILE", "the config that scores the snapshots (required)"},
        {"snapshots", OPT_SNAPSHOTS, 1, "FILE", "snapshot history CSV (required; - for stdin)"},
        {"baseline", OPT_BASELINE, 1, "FROM:TO", "baseline period, both dates included (required)"},
        {"current", OPT_CURRENT, 1, "FROM:TO", "current period, both dates included (required)"},
        {"events", OPT_EVENTS, 1, "FILE", "events CSV: also compare the churn base rate"},
        {"json", OPT_JSON, 1, "FILE", "also write the report as JSON (- for stdout; the text then goes to stderr)"},
        {"delimiter", OPT_DELIMITER, 1, "CHAR", "field delimiter of both files (default ,; 'tab' for TAB)"},
        {"ignore-unknown-events", OPT_IGNORE_UNKNOWN, 0, NULL, "skip events of unknown type instead of failing"},
        {"fail-on", OPT_FAIL_ON, 1, "LEVEL", "exit 6 when the worst PSI reaches warn (0.1) or alert (0.25)"},
        CLI_INGEST_OPTIONS,
        CLI_FORMAT_OPTIONS,
        {0},
    };
    cli_parser p = {
        "drift", "--config FILE --snapshots FILE --baseline FROM:TO --current FROM:TO [--events FILE] [--json FILE]",
        "Compares the snapshots of two periods scored with the config: the population\n"
        "stability index (PSI) of the health score and of every component sub-score,\n"
        "10 bins cut at the baseline's deciles, flagged at 0.1 (watch) and 0.25\n"
        "(recalibrate); the share of scored snapshots per band; and, with --events,\n"
        "the churn base rate within the config's horizon. Exits 0 whatever the\n"
        "verdict (the last line of the report, and \"verdict\" in the JSON), unless\n"
        "--fail-on warn|alert: then it exits 6 when the worst PSI is at least 0.1\n"
        "(warn, the watch flag) or 0.25 (alert, the recalibrate flag), after writing\n"
        "the report, so that a scheduled job can alert on it.",
        options, argc, argv};
    const char *config = NULL, *snapshots = NULL, *events = NULL, *json = NULL;
    const char *baseline = NULL, *current = NULL;
    char delimiter = 0;
    int ignore_unknown = 0;
    hc_drift_flag fail_on = HC_DRIFT_UNKNOWN; /* none */
    cli_format format = {0};
    const char *arg;
    int c;
    while ((c = cli_next(&p, &arg)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = arg; break;
        case OPT_SNAPSHOTS: snapshots = arg; break;
        case OPT_EVENTS: events = arg; break;
        case OPT_JSON: json = arg; break;
        case OPT_BASELINE: baseline = arg; break;
        case OPT_CURRENT: current = arg; break;
        case OPT_IGNORE_UNKNOWN: ignore_unknown = 1; break;
        case OPT_FAIL_ON:
            if (strcmp(arg, "warn") == 0)
                fail_on = HC_DRIFT_FLAG_WATCH;
            else if (strcmp(arg, "alert") == 0)
                fail_on = HC_DRIFT_FLAG_RECALIBRATE;
            else
                return cli_usage_error("option '--fail-on': '%s' is not warn or alert", arg);
            break;
        case OPT_DELIMITER:
            if (cli_parse_char("delimiter", arg, &delimiter))
                return 1;
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
    if (cli_format_check(&format, json && strcmp(json, "-") == 0 ? "--json -" : NULL))
        return 1;
    if (!config)
        return cli_usage_error("option '--config' is required");
    if (!snapshots)
        return cli_usage_error("option '--snapshots' is required");
    if (!baseline || !current)
        return cli_usage_error("options '--baseline' and '--current' are required");
    if (events && strcmp(snapshots, "-") == 0 && strcmp(events, "-") == 0)
        return cli_usage_error("options '--snapshots' and '--events' cannot "
                               "both read standard input ('-')");
    hc_error err;
    hc_error_clear(&err);
    hc_drift_options o;
    hc_drift_options_init(&o);
    if (hc_drift_parse_period(baseline, "--baseline", &o.baseline, &err) != HC_OK ||
        hc_drift_parse_period(current, "--current", &o.current, &err) != HC_OK)
        return cli_fail(&err);
    hc_outfile_protect_input(config);
    hc_outfile_protect_input(snapshots);
    if (events)
        hc_outfile_protect_input(events);

    hc_model *m;
    if (hc_model_load(config, &m, &err) != HC_OK)
        return cli_fail(&err);
    if (cli_ingest_use_model(cli_ingest(), m) != 0) {
        hc_model_free(m);
        return 2;
    }
    hc_snapshots s;
    if (hc_predict_load_snapshots(m, snapshots, delimiter, &s, &err) != HC_OK) {
        hc_model_free(m);
        return cli_fail(&err);
    }
    if (cli_snapshots_notes(m, &s, 0, &err) != HC_OK) {
        hc_snapshots_release(&s);
        hc_model_free(m);
        return cli_fail(&err);
    }
    int rc = 0;
    hc_events ev;
    hc_labels labels;
    int have_events = 0, have_labels = 0;
    if (events) {
        hc_event_load_options eo = {.delimiter = delimiter,
                                    .ignore_unknown_types = ignore_unknown};
        if (hc_events_load(events, &eo, &s, &ev, &err) != HC_OK) {
            rc = cli_fail(&err);
        } else {
            have_events = 1;
            hc_label_options lo = {.horizon = m->horizon_days,
                                   .lead = m->lead_days,
                                   .as_of = HC_DATE_MISSING};
            if (hc_labels_build(&s, &ev, &lo, &labels, &err) != HC_OK)
                rc = cli_fail(&err);
            else
                have_labels = 1;
        }
    }
    if (rc == 0) {
        o.model = m;
        o.snapshots = &s;
        o.labels = have_labels ? &labels : NULL;
        hc_drift_result r;
        if (hc_drift_run(&o, &r, &err) != HC_OK) {
            rc = cli_fail(&err);
        } else {
            FILE *text = json && strcmp(json, "-") == 0 ? stderr : cli_format_text(&format);
            hc_drift_write_text(text, &r);
            if (json)
                rc = write_json(json, &r);
            /* --format json is the --json document on stdout (15 digits). */
            if (rc == 0 && format.kind == CLI_FORMAT_JSON)
                rc = write_json("-", &r);
            else if (rc == 0)
                rc = cli_format_emit(&format, hc_drift_to_json(&r), "scores");
            if (rc == 0 && fail_on != HC_DRIFT_UNKNOWN) {
                if (r.verdict == HC_DRIFT_UNKNOWN)
                    cli_warn("--fail-on: no PSI could be computed, so none reached '%s'",
                             fail_on == HC_DRIFT_FLAG_WATCH ? "warn" : "alert");
                else if (r.verdict >= fail_on) {
                    fprintf(stderr, "healthcal: drift: the worst PSI reached --fail-on %s "
                                    "(%s); exit status %d\n",
                            fail_on == HC_DRIFT_FLAG_WATCH ? "warn" : "alert",
                            fail_on == HC_DRIFT_FLAG_WATCH ? "PSI >= 0.1" : "PSI >= 0.25",
                            DRIFT_EXIT_FAIL_ON);
                    rc = DRIFT_EXIT_FAIL_ON;
                }
            }
            hc_drift_result_release(&r);
        }
    }
    if (have_labels)
        hc_labels_release(&labels);
    if (have_events)
        hc_events_release(&ev);
    hc_snapshots_release(&s);
    hc_model_free(m);
    return rc;
}
