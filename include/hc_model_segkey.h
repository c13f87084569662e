/* hc_model_segkey.h - a config's derived segment key: reading and writing it, and deriving its column in a loaded history (layer: model). */
#ifndef HC_MODEL_SEGKEY_H
#define HC_MODEL_SEGKEY_H

#include "hc_error.h"
#include "hc_history.h"
#include "hc_model.h"
#include "hc_segment_key.h"

struct json_t;

/* Whether m's derived key is in force: m->segkey is set and
 * columns.segment still names its column (a --segment-col override
 * replaces it by a plain column). */
int hc_model_segkey_active(const hc_model *m);

/* Reads `"columns": {"segment": [...]}` (an array of column names and
 * "lifecycle"; `segment` may be NULL or a string, then only "lifecycle"
 * with a lifecycle object makes a key) and the top-level `lifecycle`
 * object (may be NULL) into m->segkey, and sets columns.segment to the
 * key's column. Errors name the key path (columns.segment[1],
 * lifecycle.stages[0].until_days) and the file. */
hc_status hc_model_segkey_read(hc_model *m, const struct json_t *segment,
                               const struct json_t *lifecycle, hc_error *err);

/* Writes m's active key into the config object `root`: columns.segment
 * as the array and the lifecycle object. Returns 0, or -1 when out of
 * memory. Nothing is written when the key is not active. */
int hc_model_segkey_write(const hc_model *m, struct json_t *root, struct json_t *cols);

/* Derives the key column of m (when active) in the history's table and
 * makes it the snapshots' segment column (s->segment_col). `counts` may be
 * NULL. Other models' columns already derived are kept. */
hc_status hc_model_derive_segment_key(const hc_model *m, hc_snapshots *s,
                                      hc_segkey_counts *counts, hc_error *err);

/* The key of every row of `t` as codes into a new pool, for a table that
 * lacks the key column (the scorer's fallback; hc_segkey_codes). */
hc_status hc_model_segment_key_codes(const hc_model *m, const hc_table *t,
                                     hc_strpool **pool, int32_t **codes, hc_error *err);

#endif
