/* cli_counts.c - a loaded history's counts as one JSON object, for label --format json|csv. */
#include "cli_counts.h"

#include "hc_date.h"
#include "hc_history.h"

static int put(json_t *o, const char *key, size_t v)
{
    return json_object_set_new(o, key, json_integer((json_int_t)v));
}

json_t *cli_history_counts_json(const hc_history *h)
{
    const hc_labels *l = &h->labels;
    json_t *o = json_object();
    if (!o)
        return NULL;
    char as_of[11];
    hc_date_format(l->as_of, as_of);
    int bad = put(o, "snapshot_rows", h->snapshots.table->n_rows) ||
              put(o, "same_day_superseded", h->snapshots.superseded) ||
              put(o, "accounts", h->snapshots.n_accounts) ||
              put(o, "observations", l->observations) ||
              json_object_set_new(o, "as_of", json_string(as_of)) ||
              put(o, "horizon_days", (size_t)l->horizon) ||
              put(o, "lead_days", (size_t)l->lead) ||
              put(o, "censored", l->censored) || put(o, "post_churn_excluded", l->post_churn) ||
              put(o, "churned_within_lead", l->lead_churn) ||
              put(o, "churn_labels", l->churn_positive) ||
              put(o, "expansion_labels", l->expansion_positive);
    if (!bad && h->snapshots.rollup.user_rows > 0)
        bad = put(o, "user_rows", h->snapshots.rollup.user_rows) ||
              put(o, "users", h->snapshots.rollup.users);
    if (!bad && h->has_events) {
        const hc_events *e = &h->events;
        bad = put(o, "event_rows", e->rows_read) ||
              put(o, "churn_events", e->by_type[HC_EVENT_CHURN]) ||
              put(o, "churn_events_matched", l->churn_events_matched) ||
              put(o, "expansion_events", e->by_type[HC_EVENT_EXPANSION]) ||
              put(o, "expansion_events_matched", l->expansion_events_matched) ||
              put(o, "repeat_churn_events", l->repeat_churn_events) ||
              put(o, "events_before_first_snapshot", l->events_before_first_snapshot) ||
              put(o, "events_of_unknown_accounts", e->unknown_account) ||
              put(o, "events_of_unknown_type", e->unknown_type) ||
              put(o, "events_ignored_by_map", e->ignored_type);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
