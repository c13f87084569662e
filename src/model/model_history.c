/* model_history.c - loading a history with the union of the configs' columns: text for categorical metrics, the roll-up, derived trends. */
#include "hc_model_history.h"
#include "hc_model_segkey.h"

#include <stdlib.h>
#include <string.h>

/* Appends `col` to names[0..*n) unless it is there already. */
static void add_unique(const char **names, size_t *n, const char *col)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], col) == 0)
            return;
    names[(*n)++] = col;
}

hc_status hc_model_history_load(hc_model *const *models, size_t n,
                                hc_history_options *ho, hc_history *h,
                                hc_error *err)
{
    memset(h, 0, sizeof *h);
    const hc_model *base = models[0];
    /* User rows: every config evaluated together rolls them up the same
     * way (one table serves them all). */
    for (size_t i = 1; i < n; i++)
        if ((models[i]->rollup != NULL) != (base->rollup != NULL))
            return hc_error_set(err, HC_EDATA, models[i]->source, 0, 0,
                                "rollup: configs evaluated together must roll user "
                                "rows up the same way (the first config %s one)",
                                base->rollup ? "has" : "has no");
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < models[i]->n_components; k++)
            cap += models[i]->components[k].n_metrics;
        if (models[i]->rollup)
            cap += 1 + models[i]->rollup->n_metrics;
        if (models[i]->segkey)
            cap += models[i]->segkey->n_parts + 1;
    }
    const char *const *user_text = ho->columns.text_metrics;
    size_t n_user_text = ho->columns.n_text_metrics;
    const char **metrics = malloc((cap ? cap : 1) * sizeof *metrics);
    const char **text = malloc((cap + n_user_text + 1) * sizeof *text);
    if (!metrics || !text) {
        free(metrics);
        free(text);
        return hc_error_nomem(err);
    }
    size_t nm = 0, nt = 0;
    for (size_t i = 0; i < n_user_text; i++)
        text[nt++] = user_text[i];
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < models[i]->n_components; k++)
            for (size_t j = 0; j < models[i]->components[k].n_metrics; j++) {
                const hc_metric *mt = &models[i]->components[k].metrics[j];
                add_unique(metrics, &nm, mt->column);
                if (mt->transform.type == HC_TF_CATEGORICAL)
                    add_unique(text, &nt, mt->column);
            }
    /* The roll-up's user column (text) and metric columns. */
    if (base->rollup) {
        const hc_rollup *r = base->rollup;
        add_unique(metrics, &nm, r->user_column);
        for (size_t q = 0; q < r->n_metrics; q++)
            add_unique(metrics, &nm, r->metrics[q].column);
        add_unique(text, &nt, r->user_column);
    }
    /* A derived segment key's part columns and start date, as text. */
    for (size_t i = 0; i < n; i++) {
        const hc_segkey *sk = hc_model_segkey_active(models[i]) ? models[i]->segkey : NULL;
        for (size_t q = 0; sk && q <= sk->n_parts; q++) {
            const char *col = q < sk->n_parts ? sk->parts[q]
                              : sk->lifecycle ? sk->lifecycle->start_date : NULL;
            if (col && !(q < sk->n_parts && hc_segkey_part_is_stage(sk, q))) {
                add_unique(metrics, &nm, col);
                add_unique(text, &nt, col);
            }
        }
    }
    hc_history_options o = *ho;
    o.metrics = metrics;
    o.n_metrics = nm;
    o.columns.text_metrics = text;
    o.columns.n_text_metrics = nt;
    o.columns.rollup = base->rollup;
    hc_status st = hc_history_load(&o, h, err);
    free(metrics);
    free(text);
    if (st != HC_OK) {
        memset(h, 0, sizeof *h);
        return st;
    }
    /* Trend metrics: their columns derived once for the run (scoring would
     * otherwise recompute them on every call; the values are the same). */
    for (size_t i = 0; i < n && st == HC_OK; i++)
        st = hc_model_derive_trends(models[i], h->snapshots.table, err);
    /* Derived segment keys (hc_model_segkey.h): the first config's is the
     * snapshots' segment column. */
    int seg_col = h->snapshots.segment_col;
    for (size_t i = 1; i < n && st == HC_OK; i++)
        st = hc_model_derive_segment_key(models[i], &h->snapshots, NULL, err);
    h->snapshots.segment_col = seg_col;
    if (st == HC_OK)
        st = hc_model_derive_segment_key(models[0], &h->snapshots, &h->segment_key, err);
    h->has_segment_key = hc_model_segkey_active(models[0]);
    if (st != HC_OK) {
        hc_history_release(h);
        memset(h, 0, sizeof *h);
    }
    return st;
}
