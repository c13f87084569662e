/* model_json_season.h - the JSON form of a metric's seasonal adjustment (private to src/model). */
#ifndef HC_MODEL_JSON_SEASON_H
#define HC_MODEL_JSON_SEASON_H

#include "model_json.h"

/* Reads a metric's "seasonal" object `v` (NULL or null: *out = NULL) into a
 * new adjustment *out (the caller frees it): {"period": "month", "method":
 * "ratio" | "difference", "baseline": [12 numbers or null], "overall": x,
 * "learn": bool}. period and method default to month and ratio; learn
 * defaults to true without a baseline and false with one; overall defaults
 * to the mean of the baseline's numbers. `path` is the metric's key path. */
hc_status hc_mj_seasonal(hc_mj_ctx *c, const json_t *v, const char *path,
                         hc_seasonal **out);

/* The JSON object of an adjustment (a new reference), NULL when out of memory. */
json_t *hc_mj_seasonal_to_json(const hc_seasonal *s);

#endif
