/* hc_segment_key.h - derived segments: lifecycle (tenure) stages and the product of several segment columns (layer: data). */
#ifndef HC_SEGMENT_KEY_H
#define HC_SEGMENT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_table.h"

/* The part of a segment key that stands for the lifecycle stage (when the
 * config has a "lifecycle" object; otherwise it is a column name). */
#define HC_SEGKEY_LIFECYCLE "lifecycle"

/* The separator between the parts of a derived key:
 * "enterprise x emea x onboarding". */
#define HC_SEGKEY_SEP " x "

/* One lifecycle stage: rows whose tenure in days is below `until_days`
 * (and not below the previous stage's) are in it; the last stage is open
 * (until_days -1). */
typedef struct {
    char *name;       /* owned, non-empty */
    int until_days;   /* > the previous stage's; -1 for the last stage */
} hc_lifecycle_stage;

/* Tenure of a snapshot at date t: t - start, with start the row's
 * `start_date` cell when the config names that column, else the date of
 * the account's first snapshot in the loaded history (which depends on
 * where the export starts). A tenure below 0 (a snapshot dated before the
 * start date) counts as 0. Only the row itself and the account's rows
 * dated on or before t are read: deleting later rows changes nothing. */
typedef struct {
    char *start_date;            /* column name (owned) or NULL */
    size_t n_stages;             /* >= 1 */
    hc_lifecycle_stage *stages;  /* owned */
} hc_lifecycle;

/* A derived segment key: the values of `parts` (column names, or
 * HC_SEGKEY_LIFECYCLE for the stage when `lifecycle` is set) joined by
 * HC_SEGKEY_SEP. Each value is escaped first so that two different
 * tuples never give one key: a backslash becomes two, and an 'x' at the
 * start of the value or right after a space gets a backslash before it
 * ("a x b" -> "a \x b", "xl" -> "\xl"); an escaped value then never
 * contains " x" nor starts with 'x', so " x " occurs in a key only as the
 * separator. A row with a missing part (an empty cell, or no start date)
 * has no key: it is scored and fitted with the top-level (pooled) model. */
typedef struct {
    size_t n_parts;         /* >= 1 */
    char **parts;           /* owned */
    hc_lifecycle *lifecycle; /* owned or NULL */
    char *column;           /* the derived column's name (owned): the parts
                               joined by HC_SEGKEY_SEP, "plan x region x
                               lifecycle"; the model's columns.segment */
} hc_segkey;

/* What a derivation saw, in snapshot rows. */
typedef struct {
    size_t rows;             /* rows given a key */
    size_t missing_part;     /* rows without a key: a part column's cell empty */
    size_t missing_start;    /* rows without a key: no start date */
    size_t before_start;     /* rows dated before their start date (tenure 0) */
    size_t keys;             /* distinct keys */
} hc_segkey_counts;

/* Builds a key from `n` part names (copied; "lifecycle" means the stage
 * when `lc` is not NULL, which is taken over: the key owns it, also on
 * failure). NULL when out of memory. */
hc_segkey *hc_segkey_make(const char *const *parts, size_t n, hc_lifecycle *lc);

hc_segkey *hc_segkey_copy(const hc_segkey *k);
void hc_segkey_free(hc_segkey *k);
void hc_lifecycle_free(hc_lifecycle *lc);

/* Whether part i is the lifecycle stage. */
int hc_segkey_part_is_stage(const hc_segkey *k, size_t i);

/* Index of the stage of a tenure of `days` (days < 0 counts as 0). */
size_t hc_lifecycle_stage_of(const hc_lifecycle *lc, int64_t days);

/* Appends the escaped form of `v` to buf (of `size` bytes, holding a
 * string of length *len); returns -1 when it does not fit. */
int hc_segkey_escape(const char *v, char *buf, size_t size, size_t *len);

/* The key of every row of `t` as codes (-1: none) into a new array
 * *codes (n_rows entries) and a new pool *pool, both the caller's (free,
 * hc_strpool_free). Errors as hc_segkey_derive's; nothing is allocated
 * then. */
hc_status hc_segkey_codes(const hc_segkey *k, const hc_table *t, int id_col, int date_col,
                          hc_strpool **pool, int32_t **codes, hc_segkey_counts *counts,
                          hc_error *err);

/* Adds the derived text column k->column to `t` (id_col: the account id,
 * text; date_col: the snapshot date), one key per row, and stores its
 * index in *col. When t already has the column, nothing is computed.
 * Errors name the file and line: a part column that is missing or not
 * text, a start date that is not YYYY-MM-DD. `counts` may be NULL. */
hc_status hc_segkey_derive(const hc_segkey *k, hc_table *t, int id_col, int date_col,
                           int *col, hc_segkey_counts *counts, hc_error *err);

#endif
