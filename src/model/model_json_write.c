/* model_json_write.c - the config written as JSON: the document tree, then its text with the shortest round-tripping reals. */
#include "hc_model.h"
#include "hc_outfile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc_model_segkey.h"
#include "model_json.h"
#include "model_json_season.h"

/* Adds `value` under `key`, tracking failure in *ok (json_object_set_new
 * takes the reference even on failure). */
static void put(json_t *obj, const char *key, json_t *value, int *ok)
{
    if (!value || json_object_set_new(obj, key, value) != 0)
        *ok = 0;
}

static void append(json_t *arr, json_t *value, int *ok)
{
    if (!value || json_array_append_new(arr, value) != 0)
        *ok = 0;
}

static json_t *transform_to_json(const hc_transform *tf, int *ok)
{
    json_t *o = json_object();
    if (!o) {
        *ok = 0;
        return NULL;
    }
    put(o, "type", json_string(hc_transform_type_name(tf->type)), ok);
    switch (tf->type) {
    case HC_TF_IDENTITY:
        break;
    case HC_TF_LINEAR:
    case HC_TF_LOG:
        put(o, "low", json_real(tf->low), ok);
        put(o, "high", json_real(tf->high), ok);
        put(o, "higher_is_healthier", json_boolean(tf->higher_is_healthier),
            ok);
        break;
    case HC_TF_PIECEWISE: {
        json_t *pts = json_array();
        for (size_t i = 0; pts && i < tf->n_points; i++)
            append(pts, json_pack("[f,f]", tf->px[i], tf->ps[i]), ok);
        put(o, "points", pts, ok);
        break;
    }
    case HC_TF_QUANTILE:
        put(o, "higher_is_healthier", json_boolean(tf->higher_is_healthier),
            ok);
        if (tf->cuts) {
            json_t *cuts = json_array();
            for (size_t i = 0; cuts && i < HC_QUANTILE_CUTS; i++)
                append(cuts, json_real(tf->cuts[i]), ok);
            put(o, "cuts", cuts, ok);
        }
        break;
    case HC_TF_CATEGORICAL: {
        const hc_categorical *c = tf->cat;
        if (!c)
            break;
        json_t *lv = json_object();
        for (size_t i = 0; lv && i < c->n_levels; i++)
            put(lv, c->names[i], json_real(c->score[i]), ok);
        put(o, "levels", lv, ok);
        if (c->n_order) {
            json_t *ord = json_array();
            for (size_t i = 0; ord && i < c->n_order; i++)
                append(ord, json_string(c->order[i]), ok);
            put(o, "order", ord, ok);
        }
        put(o, "unseen", json_string(c->unseen_other ? "other" : "missing"), ok);
        if (c->unseen_other)
            put(o, "other", json_real(c->other), ok);
        put(o, "learn", json_boolean(c->learn), ok);
        put(o, "prior_weight", json_real(c->prior_weight), ok);
        put(o, "max_levels", json_integer((json_int_t)c->max_levels), ok);
        break;
    }
    }
    return o;
}

static json_t *component_map(const hc_model *m, const double *v, int *ok)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < m->n_components; k++)
        put(o, m->components[k].name, json_real(v[k]), ok);
    if (!o)
        *ok = 0;
    return o;
}

static json_t *churn_to_json(const hc_churn_model *cm, int *ok)
{
    if (!cm->present)
        return json_null();
    json_t *o = json_object();
    if (o) {
        put(o, "intercept", json_real(cm->intercept), ok);
        put(o, "slope", json_real(cm->slope), ok);
    }
    return o;
}

static json_t *expansion_to_json(const hc_model *m,
                                 const hc_expansion_model *e, int *ok)
{
    if (!e->present)
        return json_null();
    json_t *o = json_object();
    if (o) {
        put(o, "intercept", json_real(e->intercept), ok);
        put(o, "coefficients", component_map(m, e->coef, ok), ok);
    }
    return o;
}

json_t *hc_model_to_json(const hc_model *m)
{
    int ok = 1;
    json_t *root = json_object();
    if (!root)
        return NULL;
    put(root, "schema", json_string(HC_MODEL_SCHEMA), &ok);
    if (m->name)
        put(root, "name", json_string(m->name), &ok);
    json_t *cols = json_object();
    if (cols) {
        put(cols, "account_id", json_string(m->columns.account_id), &ok);
        put(cols, "snapshot_date", json_string(m->columns.snapshot_date),
            &ok);
        put(cols, "segment", json_string(m->columns.segment), &ok);
        put(cols, "arr", json_string(m->columns.arr), &ok);
        if (m->columns.event_date)
            put(cols, "event_date", json_string(m->columns.event_date), &ok);
        if (m->columns.event_type)
            put(cols, "event_type", json_string(m->columns.event_type), &ok);
        if (m->columns.amount)
            put(cols, "amount", json_string(m->columns.amount), &ok);
    }
    if (cols && hc_model_segkey_write(m, root, cols) != 0) /* derived key */
        ok = 0;
    put(root, "columns", cols, &ok);
    if (m->event_map)
        put(root, "event_map", json_deep_copy(m->event_map), &ok);
    if (m->rollup) {
        json_t *ro = json_object(), *rm = json_object();
        if (ro)
            put(ro, "user_column", json_string(m->rollup->user_column), &ok);
        for (size_t i = 0; rm && i < m->rollup->n_metrics; i++) {
            char agg[64];
            hc_rollup_agg_text(m->rollup->metrics[i].agg, m->rollup->metrics[i].threshold,
                               agg, sizeof agg);
            put(rm, m->rollup->metrics[i].column, json_string(agg), &ok);
        }
        if (ro)
            put(ro, "metrics", rm, &ok);
        else
            json_decref(rm);
        put(root, "rollup", ro, &ok);
    }
    put(root, "horizon_days", json_integer(m->horizon_days), &ok);
    put(root, "lead_days", json_integer(m->lead_days), &ok);
    put(root, "missing", json_string("renormalize"), &ok);

    json_t *comps = json_array();
    for (size_t k = 0; comps && k < m->n_components; k++) {
        const hc_component *cp = &m->components[k];
        json_t *co = json_object();
        json_t *ms = json_array();
        if (co) {
            put(co, "name", json_string(cp->name), &ok);
            put(co, "weight", json_real(cp->weight), &ok);
        }
        for (size_t j = 0; ms && j < cp->n_metrics; j++) {
            const hc_metric *mt = &cp->metrics[j];
            json_t *mo = json_object();
            if (mo) {
                put(mo, "column", json_string(mt->column), &ok);
                /* The default metric weight 1 is left implicit, as in a
                 * hand-written config. */
                if (mt->weight != 1.0)
                    put(mo, "weight", json_real(mt->weight), &ok);
                if (mt->trend != HC_TREND_NONE)
                    put(mo, "trend", json_pack("{s:s,s:i}", "kind",
                                               hc_trend_kind_name(mt->trend), "days",
                                               mt->trend_days),
                        &ok);
                if (mt->seasonal) /* model_json_season.c */
                    put(mo, "seasonal", hc_mj_seasonal_to_json(mt->seasonal), &ok);
                put(mo, "transform", transform_to_json(&mt->transform, &ok),
                    &ok);
            }
            append(ms, mo, &ok);
        }
        if (co)
            put(co, "metrics", ms, &ok);
        else
            json_decref(ms);
        append(comps, co, &ok);
    }
    put(root, "components", comps, &ok);

    json_t *bands = json_array();
    for (size_t b = 0; bands && b < m->n_bands; b++)
        append(bands, json_pack("{s:s,s:f}", "name", m->bands[b].name, "min",
                                m->bands[b].min), &ok);
    put(root, "bands", bands, &ok);
    json_t *churn = churn_to_json(&m->churn, &ok);
    if (churn && m->churn.present && m->recalibration &&
        m->recalibration->method != HC_RECAL_NONE)
        put(churn, "recalibration", hc_mj_recalibration_to_json(m->recalibration),
            &ok);
    put(root, "churn_model", churn, &ok);
    put(root, "expansion_model", expansion_to_json(m, &m->expansion, &ok),
        &ok);
    if (m->n_segments) {
        json_t *segs = json_object();
        for (size_t s = 0; segs && s < m->n_segments; s++) {
            const hc_segment *sg = &m->segments[s];
            json_t *so = json_object();
            if (so) {
                if (sg->weights)
                    put(so, "weights", component_map(m, sg->weights, &ok),
                        &ok);
                if (sg->churn.present)
                    put(so, "churn_model", churn_to_json(&sg->churn, &ok),
                        &ok);
                if (sg->expansion.present)
                    put(so, "expansion_model",
                        expansion_to_json(m, &sg->expansion, &ok), &ok);
            }
            put(segs, sg->value, so, &ok);
        }
        put(root, "segments", segs, &ok);
    }
    if (m->fit)
        put(root, "fit", json_incref(m->fit), &ok);
    if (m->provenance)
        put(root, "provenance", json_incref(m->provenance), &ok);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Writes the shortest "%.*g" form of v that reads back as v, keeping a
 * '.' or exponent so that it stays a JSON real. */
static size_t shortest_real(double v, char *buf, size_t size)
{
    int len = 0;
    for (int prec = 1; prec <= 17; prec++) {
        len = snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* %g switches to an exponent when it is >= the precision: 20 would be
     * "2e+01". Below 1e15 the shortest decimal is an exactly representable
     * integer times a power of ten >= 1, so fixed notation with exponent + 1
     * digits prints the same value. */
    const char *e = strchr(buf, 'e');
    if (e) {
        int ex = atoi(e + 1);
        if (ex >= 0 && ex < 15)
            len = snprintf(buf, size, "%.*g", ex + 1, v);
    }
    if (!strpbrk(buf, ".eEn") && (size_t)len + 2 < size) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    return (size_t)len;
}

/* jansson prints reals with 17 significant digits (0.3 becomes
 * 0.29999999999999999); rewrite every real token of its output in the
 * shortest form that reads back to the same double. Strings are copied
 * verbatim (escape sequences included). Returns a new string or NULL. */
static char *shorten_reals(const char *in)
{
    size_t n = strlen(in);
    char *out = malloc(2 * n + 64);
    if (!out)
        return NULL;
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; i < n;) {
        char ch = in[i];
        if (in_str) {
            out[o++] = ch;
            i++;
            if (ch == '\\' && i < n)
                out[o++] = in[i++];
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
            out[o++] = in[i++];
            continue;
        }
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t j = i;
            int real = 0;
            while (j < n && strchr("+-0123456789.eE", in[j])) {
                if (in[j] == '.' || in[j] == 'e' || in[j] == 'E')
                    real = 1;
                j++;
            }
            if (real && j - i < 64) {
                char tok[64];
                memcpy(tok, in + i, j - i);
                tok[j - i] = '\0';
                char buf[64];
                size_t len = shortest_real(strtod(tok, NULL), buf, sizeof buf);
                memcpy(out + o, buf, len);
                o += len;
            } else {
                memcpy(out + o, in + i, j - i);
                o += j - i;
            }
            i = j;
            continue;
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
    return out;
}

/* Puts every array that holds only numbers (or such arrays, as piecewise
 * points do) on one line, "[0.0, 100.0]", instead of jansson's one value
 * per line: 99 quantile cuts stay one line. Arrays holding strings or
 * objects keep jansson's layout. Returns a new string or NULL. */
static char *compact_arrays(const char *s)
{
    char *out = malloc(2 * strlen(s) + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; s[i];) {
        char ch = s[i];
        if (in_str) {
            out[o++] = s[i++];
            if (ch == '\\' && s[i])
                out[o++] = s[i++];
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
            out[o++] = s[i++];
            continue;
        }
        if (ch == '[') {
            /* Find the matching ']' and whether only numbers lie between. */
            size_t j = i + 1;
            int depth = 1, plain = 1;
            while (s[j] && depth > 0) {
                if (s[j] == '"' || s[j] == '{')
                    plain = 0;
                if (s[j] == '[')
                    depth++;
                else if (s[j] == ']')
                    depth--;
                if (!plain)
                    break;
                j++;
            }
            if (plain && depth == 0) {
                for (; i < j; i++) {
                    char c = s[i];
                    if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
                        continue;
                    out[o++] = c;
                    if (c == ',')
                        out[o++] = ' ';
                }
                continue;
            }
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

char *hc_model_to_string(const hc_model *m)
{
    json_t *root = hc_model_to_json(m);
    if (!root)
        return NULL;
    char *raw = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                     JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!raw)
        return NULL;
    char *r = shorten_reals(raw);
    free(raw);
    if (!r)
        return NULL;
    char *s = compact_arrays(r);
    free(r);
    if (!s)
        return NULL;
    size_t len = strlen(s);
    char *t = realloc(s, len + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[len] = '\n';
    t[len + 1] = '\0';
    return t;
}

hc_status hc_model_save(const hc_model *m, const char *path, hc_error *err)
{
    char *text = hc_model_to_string(m);
    if (!text)
        return hc_error_nomem(err);
    hc_outfile *of;
    hc_status st = hc_outfile_open(path, &of, err);
    if (st != HC_OK) {
        free(text);
        return st;
    }
    fputs(text, hc_outfile_stream(of));
    free(text);
    return hc_outfile_commit(of, err);
}
