/* model_json_recal.c - the JSON form of churn_model.recalibration: read with the key of a bad value named, and written back. */
#include "hc_model.h"
#include "hc_date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_json.h"

/* obj[key] as an integer >= 0 (required). */
static hc_status read_count(hc_mj_ctx *c, const json_t *obj, const char *path,
                            const char *key, size_t *out)
{
    char p[600];
    hc_mj_join(p, sizeof p, path, key);
    json_t *v = json_object_get(obj, key);
    if (!v)
        return hc_mj_err(c, "%s: missing", p);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return hc_mj_err(c, "%s: must be an integer >= 0, not %s", p,
                         json_is_integer(v) ? "a negative number" : hc_mj_type(v));
    *out = (size_t)json_integer_value(v);
    return HC_OK;
}

/* obj[key] as a "YYYY-MM-DD" date (required). */
static hc_status read_date(hc_mj_ctx *c, const json_t *obj, const char *path,
                           const char *key, int32_t *out)
{
    char p[600];
    hc_mj_join(p, sizeof p, path, key);
    json_t *v = json_object_get(obj, key);
    if (!v)
        return hc_mj_err(c, "%s: missing", p);
    if (!json_is_string(v) ||
        hc_date_parse(json_string_value(v), json_string_length(v), out) != 0)
        return hc_mj_err(c, "%s: must be a date \"YYYY-MM-DD\"", p);
    return HC_OK;
}

static hc_status read_source(hc_mj_ctx *c, const json_t *v, const char *path,
                             hc_recal_source *src)
{
    static const char *const keys[] = {"rows", "accounts", "churners", "first_date",
                                       "last_date", "embargo_days", NULL};
    hc_status st;
    size_t emb = 0;
    if ((st = hc_mj_object(c, v, path)) != HC_OK ||
        (st = hc_mj_keys(c, v, path, keys)) != HC_OK ||
        (st = read_count(c, v, path, "rows", &src->rows)) != HC_OK ||
        (st = read_count(c, v, path, "accounts", &src->accounts)) != HC_OK ||
        (st = read_count(c, v, path, "churners", &src->churners)) != HC_OK ||
        (st = read_date(c, v, path, "first_date", &src->first_date)) != HC_OK ||
        (st = read_date(c, v, path, "last_date", &src->last_date)) != HC_OK ||
        (st = read_count(c, v, path, "embargo_days", &emb)) != HC_OK)
        return st;
    char p[600];
    if (src->last_date < src->first_date) {
        hc_mj_join(p, sizeof p, path, "last_date");
        return hc_mj_err(c, "%s: is before first_date", p);
    }
    if (src->churners > src->rows || src->accounts > src->rows) {
        hc_mj_join(p, sizeof p, path, src->churners > src->rows ? "churners" : "accounts");
        return hc_mj_err(c, "%s: exceeds rows (%zu)", p, src->rows);
    }
    if (emb > 100000) {
        hc_mj_join(p, sizeof p, path, "embargo_days");
        return hc_mj_err(c, "%s: out of range", p);
    }
    src->embargo_days = (int)emb;
    src->present = 1;
    return HC_OK;
}

/* obj[key] as an array of numbers into a new array *out of *n entries. */
static hc_status read_numbers(hc_mj_ctx *c, const json_t *obj, const char *path,
                              const char *key, double **out, size_t *n)
{
    char p[600];
    hc_mj_join(p, sizeof p, path, key);
    json_t *v = json_object_get(obj, key);
    if (!v)
        return hc_mj_err(c, "%s: missing", p);
    if (!json_is_array(v))
        return hc_mj_err(c, "%s: must be an array of numbers, not %s", p, hc_mj_type(v));
    size_t len = json_array_size(v);
    double *a = malloc((len ? len : 1) * sizeof *a);
    if (!a)
        return hc_mj_nomem(c);
    for (size_t i = 0; i < len; i++) {
        json_t *x = json_array_get(v, i);
        if (!json_is_number(x)) {
            free(a);
            return hc_mj_err(c, "%s[%zu]: must be a number, not %s", p, i, hc_mj_type(x));
        }
        a[i] = json_number_value(x);
    }
    *out = a;
    *n = len;
    return HC_OK;
}

static hc_status read_map(hc_mj_ctx *c, const json_t *v, const char *path,
                          hc_recalibration *r)
{
    static const char *const k_platt[] = {"method", "a", "b", "fitted_on", NULL};
    static const char *const k_iso[] = {"method", "x", "y", "fitted_on", NULL};
    char p[600];
    hc_status st;
    if ((st = hc_mj_object(c, v, path)) != HC_OK)
        return st;
    json_t *method = json_object_get(v, "method");
    hc_mj_join(p, sizeof p, path, "method");
    if (!method)
        return hc_mj_err(c, "%s: missing (\"platt\" or \"isotonic\")", p);
    if (!json_is_string(method))
        return hc_mj_err(c, "%s: must be a string, not %s", p, hc_mj_type(method));
    const char *name = json_string_value(method);
    if (strcmp(name, "platt") == 0) {
        r->method = HC_RECAL_PLATT;
        if ((st = hc_mj_keys(c, v, path, k_platt)) != HC_OK ||
            (st = hc_mj_number(c, v, path, "a", 1, &r->a)) != HC_OK ||
            (st = hc_mj_number(c, v, path, "b", 1, &r->b)) != HC_OK)
            return st;
    } else if (strcmp(name, "isotonic") == 0) {
        r->method = HC_RECAL_ISOTONIC;
        size_t nx = 0, ny = 0;
        if ((st = hc_mj_keys(c, v, path, k_iso)) != HC_OK ||
            (st = read_numbers(c, v, path, "x", &r->x, &nx)) != HC_OK ||
            (st = read_numbers(c, v, path, "y", &r->y, &ny)) != HC_OK)
            return st;
        r->n_points = nx;
        if (nx != ny) {
            hc_mj_join(p, sizeof p, path, "y");
            return hc_mj_err(c, "%s: has %zu values, x has %zu (one y per x)", p, ny, nx);
        }
    } else {
        return hc_mj_err(c, "%s: unknown method '%s' (expected platt or isotonic)", p,
                         name);
    }
    json_t *src = json_object_get(v, "fitted_on");
    if (src && !json_is_null(src)) {
        hc_mj_join(p, sizeof p, path, "fitted_on");
        if ((st = read_source(c, src, p, &r->source)) != HC_OK)
            return st;
    }
    return hc_recal_validate(r, path, c->file, c->err);
}

hc_status hc_mj_recalibration(hc_mj_ctx *c, const json_t *v, const char *path,
                              hc_recalibration **out)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return HC_OK;
    hc_recalibration *r = malloc(sizeof *r);
    if (!r)
        return hc_mj_nomem(c);
    hc_recal_init(r);
    hc_status st = read_map(c, v, path, r);
    if (st != HC_OK) {
        hc_recal_release(r);
        free(r);
        return st;
    }
    *out = r;
    return HC_OK;
}

static json_t *date_json(int32_t day)
{
    char buf[16];
    hc_date_format(day, buf);
    return json_string(buf);
}

json_t *hc_mj_recalibration_to_json(const hc_recalibration *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int ok = json_object_set_new(o, "method",
                                 json_string(hc_recal_method_name(r->method))) == 0;
    if (r->method == HC_RECAL_PLATT) {
        ok &= json_object_set_new(o, "a", json_real(r->a)) == 0;
        ok &= json_object_set_new(o, "b", json_real(r->b)) == 0;
    } else {
        json_t *x = json_array(), *y = json_array();
        ok &= x && y;
        for (size_t j = 0; ok && j < r->n_points; j++) {
            ok &= json_array_append_new(x, json_real(r->x[j])) == 0;
            ok &= json_array_append_new(y, json_real(r->y[j])) == 0;
        }
        /* json_object_set_new takes the reference even when it fails. */
        ok &= json_object_set_new(o, "x", x) == 0;
        ok &= json_object_set_new(o, "y", y) == 0;
    }
    if (r->source.present) {
        const hc_recal_source *s = &r->source;
        json_t *so = json_pack("{s:I, s:I, s:I, s:o, s:o, s:i}", "rows",
                               (json_int_t)s->rows, "accounts", (json_int_t)s->accounts,
                               "churners", (json_int_t)s->churners, "first_date",
                               date_json(s->first_date), "last_date",
                               date_json(s->last_date), "embargo_days", s->embargo_days);
        ok &= so && json_object_set_new(o, "fitted_on", so) == 0;
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
