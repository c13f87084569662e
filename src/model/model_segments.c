/* model_segments.c - segment overrides: per-segment weights, churn and expansion models that replace the top-level ones; the derived segment key column of a history. */
#include "hc_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc_model_segkey.h"
#include "model_check.h"

int hc_model_find_segment(const hc_model *m, const char *value)
{
    for (size_t s = 0; s < m->n_segments; s++)
        if (strcmp(m->segments[s].value, value) == 0)
            return (int)s;
    return -1;
}

hc_status hc_model_add_segment(hc_model *m, const char *value, size_t *index,
                               hc_error *err)
{
    if (!value || !value[0])
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "segments: a segment value must be a non-empty "
                            "string");
    int found = hc_model_find_segment(m, value);
    if (found >= 0) {
        if (index)
            *index = (size_t)found;
        return HC_OK;
    }
    char *v = strdup(value);
    hc_segment *segs = v ? realloc(m->segments,
                                   (m->n_segments + 1) * sizeof *segs)
                         : NULL;
    if (!segs) {
        free(v);
        return hc_error_nomem(err);
    }
    m->segments = segs;
    memset(&segs[m->n_segments], 0, sizeof *segs);
    segs[m->n_segments].value = v;
    if (index)
        *index = m->n_segments;
    m->n_segments++;
    return HC_OK;
}

static hc_status bad_segment(const hc_model *m, size_t seg, hc_error *err)
{
    return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                        "segments: no segment with index %zu", seg);
}

hc_status hc_model_set_segment_weights(hc_model *m, size_t seg,
                                       const double *w, hc_error *err)
{
    if (seg >= m->n_segments)
        return bad_segment(m, seg, err);
    hc_segment *sg = &m->segments[seg];
    double *copy = NULL;
    if (w) {
        char path[256];
        snprintf(path, sizeof path, "segments.%s.weights", sg->value);
        hc_status st = hc_model_check_weights(m, w, path, m->source, err);
        if (st != HC_OK)
            return st;
        if (!(copy = dup_doubles(w, m->n_components)))
            return hc_error_nomem(err);
    }
    free(sg->weights);
    sg->weights = copy;
    return HC_OK;
}

hc_status hc_model_set_segment_churn(hc_model *m, size_t seg,
                                     const hc_churn_model *churn,
                                     hc_error *err)
{
    if (seg >= m->n_segments)
        return bad_segment(m, seg, err);
    hc_segment *sg = &m->segments[seg];
    char path[256];
    snprintf(path, sizeof path, "segments.%s.churn_model", sg->value);
    hc_status st = hc_model_check_churn(churn, path, m->source, err);
    if (st != HC_OK)
        return st;
    sg->churn = *churn;
    if (!sg->churn.present)
        sg->churn.intercept = sg->churn.slope = 0;
    return HC_OK;
}

hc_status hc_model_set_segment_expansion(hc_model *m, size_t seg,
                                         double intercept, const double *coef,
                                         hc_error *err)
{
    if (seg >= m->n_segments)
        return bad_segment(m, seg, err);
    hc_segment *sg = &m->segments[seg];
    hc_expansion_model e = {0, 0, NULL};
    if (coef) {
        char path[256];
        snprintf(path, sizeof path, "segments.%s.expansion_model", sg->value);
        hc_status st = hc_model_make_expansion(m, intercept, coef, path, &e,
                                               err);
        if (st != HC_OK)
            return st;
    }
    free(sg->expansion.coef);
    sg->expansion = e;
    return HC_OK;
}

hc_status hc_model_derive_segment_key(const hc_model *m, hc_snapshots *s,
                                      hc_segkey_counts *counts, hc_error *err)
{
    if (counts)
        memset(counts, 0, sizeof *counts);
    if (!hc_model_segkey_active(m))
        return HC_OK;
    int col;
    hc_status st = hc_segkey_derive(m->segkey, s->table, s->id_col, s->date_col, &col,
                                    counts, err);
    if (st == HC_OK)
        s->segment_col = col;
    return st;
}

hc_status hc_model_segment_key_codes(const hc_model *m, const hc_table *t,
                                     hc_strpool **pool, int32_t **codes, hc_error *err)
{
    *pool = NULL;
    *codes = NULL;
    int id, date;
    hc_status st = hc_model_find_column(m, t, "columns.account_id", m->columns.account_id,
                                        HC_COL_TEXT, 1, &id, err);
    if (st == HC_OK)
        st = hc_model_find_column(m, t, "columns.snapshot_date", m->columns.snapshot_date,
                                  HC_COL_DATE, 1, &date, err);
    if (st == HC_OK)
        st = hc_segkey_codes(m->segkey, t, id, date, pool, codes, NULL, err);
    return st;
}
