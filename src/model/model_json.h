/* model_json.h - typed reads of a config's JSON values, shared by the config reader's files (private to src/model). */
#ifndef HC_MODEL_JSON_H
#define HC_MODEL_JSON_H

#include "hc_model.h"

#include <jansson.h>

/* The reads (model_json_get.c; "mj" for model JSON) name the key path of
 * the value they read in every message, e.g. "components[0].weight: must be
 * a number, not a string", so that a user can find the bad value in the
 * file. `path` is the key path of the object read from ("" at the top
 * level), `key` the key inside it. Each returns HC_OK, HC_EDATA (the
 * message in c->err, err->file c->file) or HC_ENOMEM. */

/* The reader's context: the file named in messages and the error record. */
typedef struct {
    const char *file;
    hc_error *err;
} hc_mj_ctx;

/* Sets an HC_EDATA error with the printf-style message and returns
 * HC_EDATA. */
hc_status hc_mj_err(hc_mj_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets the out-of-memory error and returns HC_ENOMEM. */
hc_status hc_mj_nomem(hc_mj_ctx *c);

/* Writes "path.key", or "key" at the top level, into buf (size bytes). */
void hc_mj_join(char *buf, size_t size, const char *path, const char *key);

/* The kind of a JSON value as a message says it ("an object", "null"). */
const char *hc_mj_type(const json_t *v);

/* Rejects a key of object `obj` that is not in the NULL-terminated list
 * `allowed`, naming it. */
hc_status hc_mj_keys(hc_mj_ctx *c, const json_t *obj, const char *path,
                     const char *const *allowed);

/* HC_EDATA unless `v` is an object; `path` is v's own key path. */
hc_status hc_mj_object(hc_mj_ctx *c, const json_t *v, const char *path);

/* Reads obj[key] as a number into *out. Absent: an error when `required`,
 * else *out is left alone. */
hc_status hc_mj_number(hc_mj_ctx *c, const json_t *obj, const char *path,
                       const char *key, int required, double *out);

/* Reads obj[key], when present, as an integer within int's range into
 * *out (absent leaves *out alone). */
hc_status hc_mj_int(hc_mj_ctx *c, const json_t *obj, const char *path,
                    const char *key, int *out);

/* Reads obj[key] as true or false (1 or 0) into *out; required. */
hc_status hc_mj_bool(hc_mj_ctx *c, const json_t *obj, const char *path,
                     const char *key, int *out);

/* Reads obj[key] as a non-empty string without NUL characters into a new
 * copy that replaces *out (the old one freed; the caller owns the new).
 * Absent: an error when `required`, else *out stays as it was. */
hc_status hc_mj_string(hc_mj_ctx *c, const json_t *obj, const char *path,
                       const char *key, int required, char **out);

/* churn_model.recalibration (model_json_recal.c): reads `v` (NULL or
 * null: *out = NULL) into a new validated map *out that the caller owns
 * (hc_recal_release and free); `path` is v's key path. */
hc_status hc_mj_recalibration(hc_mj_ctx *c, const json_t *v, const char *path,
                              hc_recalibration **out);

/* The JSON object of a map (a new reference), or NULL when out of
 * memory. */
json_t *hc_mj_recalibration_to_json(const hc_recalibration *r);

#endif
