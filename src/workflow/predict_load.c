/* predict_load.c - loading a snapshot file for scoring: the config's columns and the kept ones, and checking the keep list. */
#include "hc_predict.h"
#include "hc_trace.h"
#include "hc_csv_load.h"
#include "hc_model_segkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hc_status hc_predict_check_keep(const char *const *keep, size_t n, int horizon_days,
                                hc_error *err)
{
    static const char *const fixed[] = {
        "account_id", "snapshot_date", "segment", "arr", "health", "band",
        "expected_arr_at_risk", "driver_1", "driver_2", "driver_3",
        "health_change", "band_change", "status"};
    char pc[48], pe[48];
    snprintf(pc, sizeof pc, "p_churn_%dd", horizon_days);
    snprintf(pe, sizeof pe, "p_expansion_%dd", horizon_days);
    for (size_t i = 0; i < n; i++) {
        const char *k = keep[i];
        if (!k || !*k)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "kept column %zu has an empty name", i + 1);
        int clash = strcmp(k, pc) == 0 || strcmp(k, pe) == 0;
        for (size_t j = 0; j < sizeof fixed / sizeof fixed[0] && !clash; j++)
            clash = strcmp(k, fixed[j]) == 0;
        if (clash)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "kept column '%.200s' is already a column of the "
                                "predictions", k);
        for (size_t j = 0; j < i; j++)
            if (strcmp(k, keep[j]) == 0)
                return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                    "kept column '%.200s' is named twice", k);
    }
    return HC_OK;
}

hc_status hc_predict_load_snapshots(const hc_model *m, const char *path,
                                    char delimiter, hc_snapshots *out,
                                    hc_error *err)
{
    return hc_predict_load_snapshots_keep(m, path, delimiter, NULL, 0, out, err);
}

hc_status hc_predict_load_snapshots_keep(const hc_model *m, const char *path,
                                         char delimiter, const char *const *keep,
                                         size_t n_keep, hc_snapshots *out,
                                         hc_error *err)
{
    memset(out, 0, sizeof *out);
    hc_colspec *specs;
    size_t n_specs;
    hc_status st = hc_model_required_columns(m, &specs, &n_specs, err);
    if (st != HC_OK)
        return st;
    /* Load every named column as optional, then resolve each one by its
     * config key: a missing column is then reported by the key that names
     * it (hc_model_find_column's message), not as a bare header problem.
     * Kept columns the config does not name are loaded as text (a text
     * column such as an owner's name must not be read as a number), also
     * optional, so that a missing one is named with the file below. */
    size_t n_model = n_specs;
    hc_colspec *all = malloc((n_specs + n_keep) * sizeof *all);
    int *required = malloc((n_specs ? n_specs : 1) * sizeof *required);
    if (!all || !required) {
        free(all);
        free(required);
        free(specs);
        return hc_error_nomem(err);
    }
    memcpy(all, specs, n_specs * sizeof *all);
    for (size_t i = 0; i < n_model; i++) {
        required[i] = all[i].required;
        all[i].required = 0;
    }
    for (size_t i = 0; i < n_keep; i++) {
        int named = 0;
        for (size_t j = 0; j < n_specs && !named; j++)
            named = strcmp(all[j].name, keep[i]) == 0;
        if (!named)
            all[n_specs++] = (hc_colspec){keep[i], HC_COL_TEXT, 0};
    }
    hc_load_options lo = {
        .csv = {.delimiter = delimiter},
        .cols = all,
        .n_cols = n_specs,
        .extra = HC_EXTRA_SKIP,
        .negative_error_col = 3, /* columns.arr: ARR is never negative */
    };
    hc_table *t = NULL;
    hc_trace_mark("start");
    st = hc_table_load_csv(path, &lo, &t, err);
    hc_trace_mark("snapshots loaded");
    if (st == HC_OK) {
        static const char *const role_keys[4] = {
            "columns.account_id", "columns.snapshot_date", "columns.segment",
            "columns.arr"};
        int idx;
        for (size_t i = 0; i < 4 && st == HC_OK; i++)
            st = hc_model_find_column(m, t, role_keys[i], all[i].name,
                                      all[i].type, required[i], &idx, err);
        char key[128];
        for (size_t k = 0; k < m->n_components && st == HC_OK; k++)
            for (size_t j = 0; j < m->components[k].n_metrics && st == HC_OK;
                 j++) {
                snprintf(key, sizeof key, "components[%zu].metrics[%zu].column",
                         k, j);
                st = hc_model_find_column(m, t, key,
                                          m->components[k].metrics[j].column,
                                          HC_COL_NUM, 1, &idx, err);
            }
        for (size_t i = 0; i < n_keep && st == HC_OK; i++)
            if (hc_table_find(t, keep[i]) < 0)
                st = hc_error_set(err, HC_EDATA, t->source, 1, 0,
                                  "kept column '%.200s' is not in the header",
                                  keep[i]);
    }
    if (st == HC_OK) {
        hc_snapshot_columns cols = {
            .account_id = m->columns.account_id,
            .snapshot_date = m->columns.snapshot_date,
            .segment = m->columns.segment,
            .arr = m->columns.arr,
            .rollup = m->rollup, /* user rows rolled up as in fit */
        };
        st = hc_snapshots_from_table(t, &cols, out, err);
        if (st == HC_OK) {
            t = NULL; /* owned by `out` now */
            /* Trend columns derived once (scoring would compute them on
             * each call: predict scores the latest rows and the previous). */
            st = hc_model_derive_trends(m, out->table, err);
            /* The derived segment key (plan x lifecycle) as the segment column. */
            if (st == HC_OK)
                st = hc_model_derive_segment_key(m, out, NULL, err);
            if (st != HC_OK)
                hc_snapshots_release(out);
        }
    }
    hc_table_free(t);
    free(required);
    free(all);
    free(specs);
    return st;
}
