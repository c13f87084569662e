/* cmd_export.c - `healthcal export`: the config as SQL for the warehouse, or as a points scorecard. */
#include "cli.h"
#include "hc_export.h"
#include "hc_model.h"
#include "hc_outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPT_CONFIG = 'c',
    OPT_OUTPUT = 'o',
    OPT_SQL = 400,
    OPT_POINTS,
    OPT_TABLE,
    OPT_SCHEMA,
    OPT_VIEW,
    OPT_SELECT
};

/* The SHA-256 of the file at `path` in hex; 0, or -1 when unreadable. */
static int file_sha256(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? 0 : -1;
    while (rc == 0) {
        if (n == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b) {
                rc = -1;
                break;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = -1;
            break;
        }
    }
    fclose(f);
    if (rc == 0)
        hc_export_sha256_hex(buf, n, hex);
    free(buf);
    return rc;
}

/* Today (UTC) as YYYY-MM-DD, or the date of SOURCE_DATE_EPOCH when set
 * (reproducible builds' convention), so that an export can be repeated
 * byte for byte. */
static void export_date(char out[16])
{
    time_t now = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!errno && !*end && v >= 0)
            now = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
        snprintf(out, 16, "unknown");
}

int cmd_export(int argc, char **argv)
{
    static const cli_option options[] = {
        {"config", OPT_CONFIG, 1, "FILE", "the config to export (required), e.g. the tuned one"},
        {"sql", OPT_SQL, 1, "DIALECT", "write SQL for postgres, sqlite or ansi"},
        {"points", OPT_POINTS, 0, NULL, "write the points scorecard (CSV) instead"},
        {"table", OPT_TABLE, 1, "NAME", "the snapshot table the SQL reads (default snapshots)"},
        {"schema", OPT_SCHEMA, 1, "NAME", "its schema (default: none, the search path)"},
        {"view", OPT_VIEW, 1, "NAME", "the view the SQL creates (default healthcal_scores)"},
        {"select", OPT_SELECT, 0, NULL, "write a bare SELECT instead of a view"},
        {"output", OPT_OUTPUT, 1, "FILE", "write here (default: standard output)"},
        {0},
    };
    cli_parser p = {
        "export",
        "--config FILE (--sql postgres|sqlite|ansi [--table NAME] [--schema NAME] [--view NAME | --select] | --points) [-o FILE]",
        "Exports the config to where the scores are made.\n"
        "\n"
        "--sql writes one statement (CREATE VIEW, or with --select a bare SELECT)\n"
        "that computes, for every row of the snapshot table, what 'healthcal predict\n"
        "--all-snapshots' computes: each metric's sub-score (columns\n"
        "\"COMPONENT.COLUMN\"), each component's score (\"COMPONENT\"), health with\n"
        "the config's missing-value rule, band, P(churn) (through the config's\n"
        "recalibration map, if any) and P(expansion) within the horizon, with the\n"
        "segment overrides. The table needs the config's account id, snapshot date,\n"
        "metric columns and, with segment overrides, the segment column; missing\n"
        "values are NULL. Every name is quoted, so no config name can change the\n"
        "statement. A header comment names the config, its SHA-256 and the date\n"
        "(SOURCE_DATE_EPOCH, when set, fixes the date).\n"
        "\n"
        "--points writes the scorecard as CSV: component weights as whole points\n"
        "summing to 100, a grid of metric values and the points they earn, and the\n"
        "bands' lower bounds in points, with letter grades when the bands are named\n"
        "by letters (A-F, optionally with + or -).",
        options, argc, argv};
    const char *config = NULL, *output = "-", *table = "snapshots", *schema = NULL;
    const char *view = "healthcal_scores", *sql = NULL;
    int points = 0, select_only = 0;
    const char *arg;
    int c;
    while ((c = cli_next(&p, &arg)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = arg; break;
        case OPT_OUTPUT: output = arg; break;
        case OPT_SQL: sql = arg; break;
        case OPT_POINTS: points = 1; break;
        case OPT_TABLE: table = arg; break;
        case OPT_SCHEMA: schema = arg; break;
        case OPT_VIEW: view = arg; break;
        case OPT_SELECT: select_only = 1; break;
        case 'h': return 0;
        default: return 1;
        }
    }
    if (cli_no_positionals(&p))
        return 1;
    if (!config)
        return cli_usage_error("option '--config' is required");
    if (!sql == !points)
        return cli_usage_error("give one of '--sql DIALECT' and '--points'");
    hc_sql_dialect dialect = HC_SQL_POSTGRES;
    if (sql && hc_export_sql_dialect_parse(sql, &dialect) != 0)
        return cli_usage_error("option '--sql': unknown dialect '%s' (postgres, "
                               "sqlite or ansi)", sql);
    if (!*table || (schema && !*schema) || !*view)
        return cli_usage_error("options '--table', '--schema' and '--view' need a "
                               "non-empty name");
    hc_outfile_protect_input(config);

    hc_error err;
    hc_error_clear(&err);
    hc_model *m;
    if (hc_model_load(config, &m, &err) != HC_OK)
        return cli_fail(&err);
    char hash[65], date[16];
    int hashed = file_sha256(config, hash) == 0;
    export_date(date);
    hc_outfile *of;
    if (hc_outfile_open(output, &of, &err) != HC_OK) {
        hc_model_free(m);
        return cli_fail(&err);
    }
    hc_status st;
    if (points) {
        st = hc_export_points_write(hc_outfile_stream(of), m, &err);
    } else {
        hc_export_sql_options o;
        hc_export_sql_options_init(&o);
        o.dialect = dialect;
        o.table = table;
        o.schema = schema;
        o.view = select_only ? NULL : view;
        o.config_path = config;
        o.config_hash = hashed ? hash : NULL;
        o.date = date;
        o.tool = "healthcal " HC_VERSION;
        st = hc_export_sql_write(hc_outfile_stream(of), m, &o, &err);
    }
    if (st != HC_OK) {
        hc_outfile_abort(of);
        hc_model_free(m);
        return cli_fail(&err);
    }
    hc_model_free(m);
    if (hc_outfile_commit(of, &err) != HC_OK)
        return cli_fail(&err);
    return 0;
}
