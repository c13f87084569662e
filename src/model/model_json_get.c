/* model_json_get.c - typed reads of a config's JSON values that name the key path of a bad value in the error. */
#include "hc_model.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_json.h"

hc_status hc_mj_err(hc_mj_ctx *c, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hc_error_set(c->err, HC_EDATA, c->file, 0, 0, "%s", msg);
}

hc_status hc_mj_nomem(hc_mj_ctx *c)
{
    return hc_error_nomem(c->err);
}

/* "path.key", or "key" at the top level. Key paths longer than the buffer
 * (absurdly long keys) are truncated, which only shortens a message. */
void hc_mj_join(char *buf, size_t size, const char *path, const char *key)
{
    int r = path[0] ? snprintf(buf, size, "%s.%s", path, key)
                    : snprintf(buf, size, "%s", key);
    if (r < 0)
        buf[0] = '\0';
}

const char *hc_mj_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

/* Rejects keys of `obj` that are not in the NULL-terminated `allowed`. */
hc_status hc_mj_keys(hc_mj_ctx *c, const json_t *obj, const char *path,
                     const char *const *allowed)
{
    const char *key;
    json_t *val;
    char p[512];
    json_object_foreach((json_t *)obj, key, val) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) {
                ok = 1;
                break;
            }
        if (!ok) {
            hc_mj_join(p, sizeof p, path, key);
            return hc_mj_err(c, "%s: unknown key", p);
        }
    }
    return HC_OK;
}

hc_status hc_mj_object(hc_mj_ctx *c, const json_t *v, const char *path)
{
    if (!json_is_object(v))
        return hc_mj_err(c, "%s: must be an object, not %s", path,
                         hc_mj_type(v));
    return HC_OK;
}

/* Reads obj[key] as a number into *out. Absent: error when `required`,
 * else *out is left alone. */
hc_status hc_mj_number(hc_mj_ctx *c, const json_t *obj, const char *path,
                       const char *key, int required, double *out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    hc_mj_join(p, sizeof p, path, key);
    if (!v) {
        if (required)
            return hc_mj_err(c, "%s: missing", p);
        return HC_OK;
    }
    if (!json_is_number(v))
        return hc_mj_err(c, "%s: must be a number, not %s", p, hc_mj_type(v));
    *out = json_number_value(v);
    return HC_OK;
}

hc_status hc_mj_int(hc_mj_ctx *c, const json_t *obj, const char *path,
                    const char *key, int *out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    hc_mj_join(p, sizeof p, path, key);
    if (!v)
        return HC_OK;
    if (!json_is_integer(v))
        return hc_mj_err(c, "%s: must be an integer, not %s", p,
                         json_is_real(v) ? "a fractional number"
                                         : hc_mj_type(v));
    json_int_t i = json_integer_value(v);
    if (i < INT_MIN || i > INT_MAX)
        return hc_mj_err(c, "%s: out of range", p);
    *out = (int)i;
    return HC_OK;
}

hc_status hc_mj_bool(hc_mj_ctx *c, const json_t *obj, const char *path,
                     const char *key, int *out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    hc_mj_join(p, sizeof p, path, key);
    if (!v)
        return hc_mj_err(c, "%s: missing", p);
    if (!json_is_boolean(v))
        return hc_mj_err(c, "%s: must be true or false, not %s", p,
                         hc_mj_type(v));
    *out = json_is_true(v);
    return HC_OK;
}

/* Reads obj[key] as a non-empty string into a new copy *out. Absent: error
 * when required, else *out stays as it was. */
hc_status hc_mj_string(hc_mj_ctx *c, const json_t *obj, const char *path,
                       const char *key, int required, char **out)
{
    char p[512];
    json_t *v = json_object_get(obj, key);
    hc_mj_join(p, sizeof p, path, key);
    if (!v) {
        if (required)
            return hc_mj_err(c, "%s: missing", p);
        return HC_OK;
    }
    if (!json_is_string(v))
        return hc_mj_err(c, "%s: must be a string, not %s", p, hc_mj_type(v));
    if (json_string_length(v) == 0)
        return hc_mj_err(c, "%s: must not be empty", p);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return hc_mj_err(c, "%s: must not contain NUL characters", p);
    char *s = strdup(json_string_value(v));
    if (!s)
        return hc_mj_nomem(c);
    free(*out);
    *out = s;
    return HC_OK;
}
