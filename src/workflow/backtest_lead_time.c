/* backtest_lead_time.c - the backtest's lead times in summary.json: per config, how early its bands warned of the churns of the out-of-time test periods (hc_lead_time.h over the pooled test rows). */
#include "backtest_lead_time.h"

#include <math.h>
#include <stdio.h>

static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static void push(json_t *a, json_t *v, int *bad)
{
    if (!a || !v || json_array_append_new(a, v) != 0)
        *bad = 1;
}

/* A number, or null where undefined (never NaN in the output). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *count(size_t v)
{
    return json_integer((json_int_t)v);
}

/* One band's lead times, with the change of its shares from `base` (NULL:
 * none). The keys are validate's (validate.json "lead_time"). */
static json_t *band_json(const hc_lead_time_band *b, const hc_lead_time_band *base, int *bad)
{
    json_t *o = json_object();
    put(o, "churned_accounts_ever_in_band", count(b->ever), bad);
    put(o, "median_days", num(b->median_days), bad);
    put(o, "mean_days", num(b->mean_days), bad);
    json_t *a = json_array();
    for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++) {
        json_t *e = json_object();
        put(e, "days_before_churn", json_integer(hc_lead_time_days[h]), bad);
        put(e, "churned_accounts_with_snapshot", count(b->with_row[h]), bad);
        put(e, "in_band", count(b->flagged[h]), bad);
        put(e, "share", num(b->share[h]), bad);
        put(e, "ci_low", num(b->ci_low[h]), bad);
        put(e, "ci_high", num(b->ci_high[h]), bad);
        if (base)
            put(e, "share_change_from_baseline", num(b->share[h] - base->share[h]), bad);
        push(a, e, bad);
    }
    put(o, "before_churn", a, bad);
    return o;
}

json_t *hc_bt_lead_time_json(const hc_backtest_result *res)
{
    int bad = 0;
    json_t *o = json_object();
    put(o, "rows", json_string("the pooled out-of-time test rows, each in the band its "
                               "fold's cut points gave"), &bad);
    put(o, "unit", json_string("churned accounts (first churn event) with a test row "
                               "before it"), &bad);
    put(o, "ci_method", json_string("Wilson over accounts"), &bad);
    put(o, "note", json_string("a share d days before churn counts the churned accounts "
                               "with a test row dated at least d days before their churn "
                               "(churns early in the first test periods have none); its "
                               "band is that of the latest such row"), &bad);
    const hc_lead_time_result *base = NULL;
    if (res->n_configs && res->configs[0].has_pooled && res->configs[0].pooled.has_lead_time)
        base = &res->configs[0].pooled.lead_time;
    json_t *cs = json_array();
    for (size_t c = 0; c < res->n_configs; c++) {
        const hc_backtest_config *cf = &res->configs[c];
        if (!cf->has_pooled || !cf->pooled.has_lead_time)
            continue;
        const hc_lead_time_result *l = &cf->pooled.lead_time;
        const hc_lead_time_result *b = c > 0 ? base : NULL;
        json_t *e = json_object();
        put(e, "config", json_string(cf->name), &bad);
        put(e, "kind", json_string(cf->kind == HC_BT_TUNED ? "tuned" : "hand-set"), &bad);
        put(e, "churned_accounts", count(l->churned_accounts), &bad);
        put(e, "red_band", json_string(cf->n_bands ? cf->band_names[0] : "red"), &bad);
        put(e, "red", band_json(&l->red, b ? &b->red : NULL, &bad), &bad);
        put(e, "below_green", band_json(&l->below_green, b ? &b->below_green : NULL, &bad),
            &bad);
        push(cs, e, &bad);
    }
    put(o, "configs", cs, &bad);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
