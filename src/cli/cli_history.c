/* cli_history.c - parsing the shared history options and the reading options of exported files. */
#include "cli_history.h"
#include "hc_date.h"
#include "hc_model.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

hc_ingest_options *cli_ingest(void)
{
    static hc_ingest_options in;
    static int ready;
    if (!ready) {
        hc_ingest_init(&in);
        hc_ingest_set_default(&in);
        ready = 1;
    }
    return &in;
}

void cli_history_init(cli_history *h)
{
    memset(h, 0, sizeof *h);
    h->opt.labels.horizon = 30;
    h->opt.labels.lead = 0;
    h->opt.labels.as_of = HC_DATE_MISSING;
    h->opt.ingest = cli_ingest();
}

int cli_ingest_option(hc_ingest_options *in, int c, const char *arg)
{
    char why[512];
    hc_error err;
    switch (c) {
    case OPT_TZ:
        if (hc_date_tz_parse(arg, &in->tz, why, sizeof why) != 0)
            return cli_usage_error("option '--tz': %s", why);
        return 0;
    case OPT_DATE_FORMAT:
        if (hc_date_format_check(arg, why, sizeof why) != 0)
            return cli_usage_error("option '--date-format': '%s': %s", arg, why);
        in->date_format = arg;
        return 0;
    case OPT_DECIMAL_COMMA: in->decimal_comma = 1; return 0;
    case OPT_EVENT_MAP:
        hc_error_clear(&err);
        if (hc_ingest_add_event_map(in, arg, &err) != HC_OK)
            return err.status == HC_ENOMEM ? cli_fail(&err)
                                           : cli_usage_error("option '--event-map': %s",
                                                             err.message);
        return 0;
    case OPT_EVENT_DATE_COL: in->event_date = arg; return 0;
    case OPT_EVENT_TYPE_COL: in->event_type = arg; return 0;
    case OPT_AMOUNT_COL: in->amount = arg; return 0;
    default: return -1;
    }
}

/* --text-cols A,B: the names, kept for the run (the option's storage
 * lives until exit, like the other option strings). */
static int text_cols(cli_history *h, const char *arg)
{
    static char *copy;
    static const char **names;
    free(copy);
    free(names);
    copy = strdup(arg);
    size_t n = 1;
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    names = malloc(n * sizeof *names);
    if (!copy || !names)
        return cli_usage_error("option '--text-cols': out of memory");
    size_t k = 0;
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
        names[k++] = tok;
    if (k == 0)
        return cli_usage_error("option '--text-cols': no column named");
    h->opt.columns.text_metrics = names;
    h->opt.columns.n_text_metrics = k;
    return 0;
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
    case OPT_TEXT_COLS: return text_cols(h, arg);
    case OPT_QUIET: h->quiet = 1; return 0;
    default: return cli_ingest_option(cli_ingest(), c, arg);
    }
}

int cli_one_stdin(const char *const *paths, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (paths[i] && paths[j] && strcmp(paths[i], "-") == 0 &&
                strcmp(paths[j], "-") == 0)
                return cli_usage_error("options '--%s' and '--%s' cannot both read "
                                       "standard input ('-'): it can be read once",
                                       names[i], names[j]);
    return 0;
}

int cli_history_check(const cli_history *h, int need_events)
{
    if (!h->opt.snapshots_path)
        return cli_usage_error("option '--snapshots' is required");
    if (need_events && !h->opt.events_path)
        return cli_usage_error("option '--events' is required");
    const char *paths[] = {h->opt.snapshots_path, h->opt.events_path};
    const char *names[] = {"snapshots", "events"};
    return cli_one_stdin(paths, names, 2);
}

int cli_ingest_use_model(hc_ingest_options *in, const hc_model *m)
{
    /* Copies: the options outlive the model (they belong to the run). */
    if (!in->event_date && m->columns.event_date)
        in->event_date = strdup(m->columns.event_date);
    if (!in->event_type && m->columns.event_type)
        in->event_type = strdup(m->columns.event_type);
    if (!in->amount && m->columns.amount)
        in->amount = strdup(m->columns.amount);
    if (!m->event_map || json_object_size(m->event_map) == 0)
        return 0;
    /* The config's pairs first, then the flags' (the last match wins). */
    hc_ingest_options merged;
    hc_ingest_init(&merged);
    hc_error err;
    hc_error_clear(&err);
    const char *key;
    json_t *v;
    json_object_foreach(m->event_map, key, v) {
        if (hc_ingest_add_event_alias(&merged, key, json_string_value(v), &err) != HC_OK) {
            hc_ingest_release(&merged);
            return cli_fail(&err);
        }
    }
    for (size_t i = 0; i < in->n_event_map; i++) {
        hc_event_alias *a = realloc(merged.event_map,
                                    (merged.n_event_map + 1) * sizeof *a);
        if (!a) {
            hc_ingest_release(&merged);
            return cli_fail(&(hc_error){.status = HC_ENOMEM, .message = "out of memory"});
        }
        merged.event_map = a;
        a[merged.n_event_map++] = in->event_map[i];
    }
    free(in->event_map);
    in->event_map = merged.event_map;
    in->n_event_map = merged.n_event_map;
    return 0;
}

int cli_ingest_use_config(hc_ingest_options *in, const char *path)
{
    hc_model *m;
    hc_error err;
    hc_error_clear(&err);
    if (!path || hc_model_load(path, &m, &err) != HC_OK)
        return 0; /* the workflow reports a config it cannot read */
    int rc = cli_ingest_use_model(in, m);
    hc_model_free(m);
    return rc;
}
