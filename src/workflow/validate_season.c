/* validate_season.c - validate's false red flags by calendar month as JSON (accounts). */
#include "validate_season.h"

#include <math.h>

static const char *const NAMES[12] = {"January", "February", "March",     "April",
                                      "May",     "June",     "July",      "August",
                                      "September", "October", "November", "December"};

static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *share_json(const hc_calendar_flag_share *s, int *bad)
{
    json_t *o = json_object();
    put(o, "non_churning_accounts", json_integer((json_int_t)s->accounts), bad);
    put(o, "flagged_red_accounts", json_integer((json_int_t)s->flagged), bad);
    put(o, "share_flagged_red", s->accounts ? num(s->share) : json_null(), bad);
    put(o, "share_ci_low", s->accounts ? num(s->ci_low) : json_null(), bad);
    put(o, "share_ci_high", s->accounts ? num(s->ci_high) : json_null(), bad);
    return o;
}

json_t *hc_validate_flags_json(const hc_calendar_flags *f)
{
    int bad = 0;
    json_t *o = json_object(), *a = json_array();
    put(o, "unit", json_string("accounts"), &bad);
    for (int m = 0; m < 12; m++) {
        if (!f->month[m].accounts)
            continue;
        json_t *e = share_json(&f->month[m], &bad);
        put(e, "month", json_integer(m + 1), &bad);
        put(e, "name", json_string(NAMES[m]), &bad);
        if (!a || !e || json_array_append_new(a, e) != 0)
            bad = 1;
    }
    put(o, "months", a, &bad);
    /* Pooled in account-months: the sum of the months' counts. */
    put(o, "august_december", share_json(&f->season, &bad), &bad);
    put(o, "other_months", share_json(&f->rest, &bad), &bad);
    put(o, "pooled_unit", json_string("account-months"), &bad);
    put(o, "method",
        json_string("non-churning accounts: a snapshot dated in the month (any year) and "
                    "no churn within the horizon after any of them; flagged red: one of "
                    "those snapshots in the first (red) band; share with the Wilson 95% "
                    "interval over accounts"),
        &bad);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
