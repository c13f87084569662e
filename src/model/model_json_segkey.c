/* model_json_segkey.c - the config's derived segment key: columns.segment as a list of columns and "lifecycle", and the lifecycle object, read and written. */
#include "hc_model_segkey.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARTS 8

int hc_model_segkey_active(const hc_model *m)
{
    return m->segkey && m->columns.segment &&
           strcmp(m->columns.segment, m->segkey->column) == 0;
}

static hc_status bad(const hc_model *m, hc_error *err, const char *msg)
{
    return hc_error_set(err, HC_EDATA, m->source, 0, 0, "%s", msg);
}

/* The lifecycle object into a new *out. */
static hc_status read_lifecycle(const hc_model *m, const json_t *v, hc_lifecycle **out,
                                hc_error *err)
{
    char msg[512];
    *out = NULL;
    if (!json_is_object(v))
        return bad(m, err, "lifecycle: must be an object {\"start_date\": COLUMN, "
                           "\"stages\": [{\"name\": ..., \"until_days\": N}, ..., "
                           "{\"name\": ...}]}");
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        if (strcmp(key, "start_date") != 0 && strcmp(key, "stages") != 0) {
            snprintf(msg, sizeof msg, "lifecycle.%.200s: unknown key (allowed: start_date, "
                                      "stages)", key);
            return bad(m, err, msg);
        }
    }
    const json_t *sd = json_object_get(v, "start_date");
    if (sd && !json_is_null(sd) && (!json_is_string(sd) || !json_string_value(sd)[0]))
        return bad(m, err, "lifecycle.start_date: must be a column name (a non-empty "
                           "string) or null (tenure from the account's first snapshot)");
    const json_t *st = json_object_get(v, "stages");
    size_t n = json_is_array(st) ? json_array_size(st) : 0;
    if (n == 0)
        return bad(m, err, "lifecycle.stages: must be a non-empty array of stages");
    hc_lifecycle *lc = calloc(1, sizeof *lc);
    if (!lc || !(lc->stages = calloc(n, sizeof *lc->stages)) ||
        (sd && json_is_string(sd) && !(lc->start_date = strdup(json_string_value(sd))))) {
        hc_lifecycle_free(lc);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(st, i);
        const json_t *nm = json_object_get(s, "name"), *ud = json_object_get(s, "until_days");
        msg[0] = '\0';
        if (!json_is_object(s) || json_object_size(s) > (size_t)(1 + (ud != NULL)))
            snprintf(msg, sizeof msg, "lifecycle.stages[%zu]: must be an object with "
                                      "\"name\" and, but in the last stage, \"until_days\"", i);
        else if (!json_is_string(nm) || !json_string_value(nm)[0])
            snprintf(msg, sizeof msg, "lifecycle.stages[%zu].name: must be a non-empty string",
                     i);
        else if (i + 1 < n && (!json_is_integer(ud) || json_integer_value(ud) <= 0 ||
                               json_integer_value(ud) > 1000000))
            snprintf(msg, sizeof msg, "lifecycle.stages[%zu].until_days: must be a whole "
                                      "number of days in 1..1000000", i);
        else if (i + 1 == n && ud)
            snprintf(msg, sizeof msg, "lifecycle.stages[%zu].until_days: the last stage is "
                                      "open-ended and takes no until_days", i);
        else if (i > 0 && i + 1 < n &&
                 json_integer_value(ud) <= lc->stages[i - 1].until_days)
            snprintf(msg, sizeof msg, "lifecycle.stages[%zu].until_days: %lld is not above "
                                      "the previous stage's %d (stages must be increasing)",
                     i, (long long)json_integer_value(ud), lc->stages[i - 1].until_days);
        for (size_t j = 0; !msg[0] && j < i; j++)
            if (strcmp(lc->stages[j].name, json_string_value(nm)) == 0)
                snprintf(msg, sizeof msg, "lifecycle.stages[%zu].name: duplicate stage "
                                          "'%.200s' (also stages[%zu])", i,
                         json_string_value(nm), j);
        if (msg[0]) {
            hc_lifecycle_free(lc);
            return bad(m, err, msg);
        }
        lc->stages[i].until_days = i + 1 < n ? (int)json_integer_value(ud) : -1;
        if (!(lc->stages[i].name = strdup(json_string_value(nm)))) {
            hc_lifecycle_free(lc);
            return hc_error_nomem(err);
        }
        lc->n_stages = i + 1;
    }
    *out = lc;
    return HC_OK;
}

hc_status hc_model_segkey_read(hc_model *m, const json_t *segment, const json_t *lifecycle,
                               hc_error *err)
{
    char msg[512];
    hc_lifecycle *lc = NULL;
    if (lifecycle && !json_is_null(lifecycle)) {
        hc_status st = read_lifecycle(m, lifecycle, &lc, err);
        if (st != HC_OK)
            return st;
    }
    const char *parts[MAX_PARTS];
    size_t n = 0;
    int uses_stage = 0;
    if (json_is_array(segment)) {
        n = json_array_size(segment);
        if (n == 0 || n > MAX_PARTS) {
            hc_lifecycle_free(lc);
            snprintf(msg, sizeof msg, "columns.segment: a list of 1 to %d segment columns "
                                      "(or \"lifecycle\")", MAX_PARTS);
            return bad(m, err, msg);
        }
        for (size_t i = 0; i < n; i++) {
            const json_t *p = json_array_get(segment, i);
            msg[0] = '\0';
            if (!json_is_string(p) || !json_string_value(p)[0])
                snprintf(msg, sizeof msg, "columns.segment[%zu]: must be a column name or "
                                          "\"lifecycle\"", i);
            else
                parts[i] = json_string_value(p);
            for (size_t j = 0; !msg[0] && j < i; j++)
                if (strcmp(parts[j], parts[i]) == 0)
                    snprintf(msg, sizeof msg, "columns.segment[%zu]: '%.200s' is listed twice",
                             i, parts[i]);
            if (!msg[0] && strstr(parts[i], HC_SEGKEY_SEP))
                snprintf(msg, sizeof msg, "columns.segment[%zu]: a column name of a derived "
                                          "key cannot contain \" x \"", i);
            if (msg[0]) {
                hc_lifecycle_free(lc);
                return bad(m, err, msg);
            }
            uses_stage |= strcmp(parts[i], HC_SEGKEY_LIFECYCLE) == 0;
        }
        /* Without a lifecycle object "lifecycle" is a plain column. */
    } else if (lc && json_is_string(segment) &&
               strcmp(json_string_value(segment), HC_SEGKEY_LIFECYCLE) == 0) {
        parts[n++] = HC_SEGKEY_LIFECYCLE;
        uses_stage = 1;
    } else if (segment && !json_is_string(segment) && !json_is_null(segment)) {
        hc_lifecycle_free(lc);
        return bad(m, err, "columns.segment: must be a column name or a list of column "
                           "names and \"lifecycle\"");
    }
    if (lc && !uses_stage) {
        hc_lifecycle_free(lc);
        return bad(m, err, "lifecycle: defined, but columns.segment does not list "
                           "\"lifecycle\" (e.g. \"segment\": [\"plan\", \"lifecycle\"])");
    }
    if (n == 0)
        return HC_OK;
    if (lc && lc->start_date)
        for (size_t i = 0; i < n; i++)
            if (strcmp(parts[i], lc->start_date) == 0) {
                hc_lifecycle_free(lc);
                return bad(m, err, "lifecycle.start_date: the start date column cannot "
                                   "also be a segment part");
            }
    hc_segkey *k = hc_segkey_make(parts, n, lc);
    char *col = k ? strdup(k->column) : NULL;
    if (!col) {
        hc_segkey_free(k);
        return hc_error_nomem(err);
    }
    hc_segkey_free(m->segkey);
    m->segkey = k;
    free(m->columns.segment);
    m->columns.segment = col;
    return HC_OK;
}

int hc_model_segkey_write(const hc_model *m, json_t *root, json_t *cols)
{
    if (!hc_model_segkey_active(m))
        return 0;
    const hc_segkey *k = m->segkey;
    json_t *arr = json_array();
    int bad_put = !arr;
    for (size_t i = 0; !bad_put && i < k->n_parts; i++)
        bad_put = json_array_append_new(arr, json_string(k->parts[i]));
    if (bad_put || json_object_set_new(cols, "segment", arr)) {
        if (bad_put)
            json_decref(arr);
        return -1;
    }
    if (!k->lifecycle)
        return 0;
    const hc_lifecycle *lc = k->lifecycle;
    json_t *o = json_object(), *st = json_array();
    int bad_lc = !o || !st;
    for (size_t i = 0; !bad_lc && i < lc->n_stages; i++) {
        json_t *s = lc->stages[i].until_days >= 0
                        ? json_pack("{s:s, s:i}", "name", lc->stages[i].name, "until_days",
                                    lc->stages[i].until_days)
                        : json_pack("{s:s}", "name", lc->stages[i].name);
        bad_lc = !s || json_array_append_new(st, s);
    }
    if (!bad_lc)
        bad_lc = json_object_set_new(o, "start_date", lc->start_date
                                                          ? json_string(lc->start_date)
                                                          : json_null()) ||
                 json_object_set_new(o, "stages", st);
    else
        json_decref(st);
    if (bad_lc || json_object_set_new(root, "lifecycle", o)) {
        json_decref(o);
        return -1;
    }
    return 0;
}
