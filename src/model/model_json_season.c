/* model_json_season.c - reading and writing a metric's "seasonal" object of the config. */
#include "model_json_season.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

hc_status hc_mj_seasonal(hc_mj_ctx *c, const json_t *v, const char *path,
                         hc_seasonal **out)
{
    static const char *const keys[] = {"period", "method", "baseline", "overall",
                                       "learn", NULL};
    char p[512];
    hc_status st;
    *out = NULL;
    if (!v || json_is_null(v))
        return HC_OK;
    hc_mj_join(p, sizeof p, path, "seasonal");
    if ((st = hc_mj_object(c, v, p)) != HC_OK || (st = hc_mj_keys(c, v, p, keys)) != HC_OK)
        return st;
    char *period = NULL, *method = NULL;
    if ((st = hc_mj_string(c, v, p, "period", 0, &period)) != HC_OK)
        return st;
    int bad = period && strcmp(period, "month") != 0;
    free(period);
    if (bad)
        return hc_mj_err(c, "%s.period: must be \"month\" (the calendar month of "
                         "snapshot_date)", p);
    hc_seasonal *s = hc_seasonal_new();
    if (!s)
        return hc_mj_nomem(c);
    if ((st = hc_mj_string(c, v, p, "method", 0, &method)) != HC_OK)
        goto fail;
    bad = method && hc_seasonal_method_parse(method, &s->method) != 0;
    free(method);
    if (bad) {
        st = hc_mj_err(c, "%s.method: must be \"ratio\" or \"difference\"", p);
        goto fail;
    }
    json_t *b = json_object_get(v, "baseline");
    if (b && !json_is_null(b)) {
        if (!json_is_array(b) || json_array_size(b) != 12) {
            st = hc_mj_err(c, "%s.baseline: must be an array of 12 numbers or nulls "
                           "(January first), not %s of %zu", p, hc_mj_type(b),
                           json_is_array(b) ? json_array_size(b) : (size_t)1);
            goto fail;
        }
        double sum = 0;
        size_t np = 0;
        for (size_t i = 0; i < 12; i++) {
            json_t *x = json_array_get(b, i);
            if (json_is_null(x))
                continue; /* no baseline: factor 1 */
            if (!json_is_number(x)) {
                st = hc_mj_err(c, "%s.baseline[%zu]: must be a number or null, not %s",
                               p, i, hc_mj_type(x));
                goto fail;
            }
            s->baseline[i] = json_number_value(x);
            sum += s->baseline[i];
            np++;
        }
        if (np == 0) {
            st = hc_mj_err(c, "%s.baseline: every month is null", p);
            goto fail;
        }
        s->has_baseline = 1;
        s->learn = 0;
        s->overall = sum / (double)np;
    }
    if (json_object_get(v, "overall") && !s->has_baseline) {
        st = hc_mj_err(c, "%s.overall: needs a baseline", p);
        goto fail;
    }
    if ((st = hc_mj_number(c, v, p, "overall", 0, &s->overall)) != HC_OK)
        goto fail;
    if (json_object_get(v, "learn") && (st = hc_mj_bool(c, v, p, "learn", &s->learn)) != HC_OK)
        goto fail;
    if ((st = hc_seasonal_validate(s, p, c->file, c->err)) != HC_OK)
        goto fail;
    *out = s;
    return HC_OK;
fail:
    free(s);
    return st;
}

json_t *hc_mj_seasonal_to_json(const hc_seasonal *s)
{
    json_t *o = json_object();
    int ok = o != NULL;
    if (ok)
        ok = json_object_set_new(o, "period", json_string("month")) == 0 &&
             json_object_set_new(o, "method",
                                 json_string(hc_seasonal_method_name(s->method))) == 0 &&
             json_object_set_new(o, "learn", json_boolean(s->learn)) == 0;
    if (ok && s->has_baseline) {
        json_t *b = json_array();
        ok = b != NULL;
        for (int i = 0; ok && i < 12; i++)
            ok = json_array_append_new(b, isnan(s->baseline[i])
                                              ? json_null()
                                              : json_real(s->baseline[i])) == 0;
        ok = ok && json_object_set_new(o, "baseline", b) == 0;
        if (!ok && b && !json_object_get(o, "baseline"))
            json_decref(b);
        ok = ok && json_object_set_new(o, "overall", json_real(s->overall)) == 0;
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
