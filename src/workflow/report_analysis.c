/* report_analysis.c - the report's own analysis: the recommended cut points, the segments table. */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- 5. thresholds ---- */

/* The final model's health and outcomes on every observation it scores. */
static hc_status in_sample_thresholds(hc_report_result *res, size_t n_bands,
                                      hc_error *err)
{
    const hc_history *h = &res->history;
    const hc_table *t = h->snapshots.table;
    const hc_model *m = res->fit.tuned;
    size_t n = h->labels.observations, cap = n ? n : 1;
    size_t *rows = malloc(cap * sizeof *rows);
    double *H = malloc(cap * sizeof *H), *y = malloc(cap * sizeof *y);
    double *arr = malloc(cap * sizeof *arr);
    hc_status st = HC_OK;
    if (!rows || !H || !y || !arr) {
        st = hc_error_nomem(err);
        goto done;
    }
    n = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION)
            rows[n++] = r;
    hc_score_out out = {.health = H};
    if ((st = hc_model_score_rows(m, t, rows, 0, n, 1, &out, err)) != HC_OK)
        goto done;
    size_t k = 0;
    int arr_col = h->snapshots.arr_col;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(H[i]))
            continue;
        double a = arr_col >= 0 ? hc_table_num(t, arr_col, rows[i]) : 0.0;
        H[k] = H[i];
        y[k] = h->labels.churn[rows[i]];
        arr[k] = isfinite(a) && a >= 0 ? a : 0.0;
        k++;
    }
    hc_threshold_options to = res->opt.threshold;
    to.n_bands = n_bands;
    st = hc_thresholds_search(H, y, arr, k, &to, &res->own_thresholds, err);
    if (st == HC_OK)
        res->has_own_thresholds = 1;
done:
    free(rows);
    free(H);
    free(y);
    free(arr);
    return st;
}

hc_status hc_rpt_recommend_thresholds(hc_report_result *res, hc_error *err)
{
    hc_model *m = res->fit.tuned;
    size_t nb = m->n_bands;
    res->cuts_source = HC_REPORT_CUTS_KEPT;
    res->thresholds = NULL;
    if (!res->adopt_tuned) {
        snprintf(res->thresholds_note, sizeof res->thresholds_note,
                 "the current config is kept, so are its bands");
        return HC_OK;
    }
    if (nb < 2 || nb > HC_THRESHOLDS_MAX_BANDS) {
        snprintf(res->thresholds_note, sizeof res->thresholds_note,
                 "the config has %zu band%s; cut points are searched for 2 to %d bands",
                 nb, nb == 1 ? "" : "s", HC_THRESHOLDS_MAX_BANDS);
        return HC_OK;
    }
    if (res->has_backtest && res->backtest.has_sweep && res->backtest.sweep.n_bands == nb) {
        res->thresholds = &res->backtest.sweep;
        res->cuts_source = HC_REPORT_CUTS_BACKTEST;
    } else {
        hc_error terr;
        hc_error_clear(&terr);
        hc_status st = in_sample_thresholds(res, nb, &terr);
        if (st == HC_ENOMEM)
            return hc_error_nomem(err);
        if (st != HC_OK) {
            snprintf(res->thresholds_note, sizeof res->thresholds_note, "%s", terr.message);
            return HC_OK;
        }
        res->thresholds = &res->own_thresholds;
        res->cuts_source = HC_REPORT_CUTS_IN_SAMPLE;
        snprintf(res->thresholds_note, sizeof res->thresholds_note, "%s",
                 res->has_backtest ? res->backtest.sweep_note : res->backtest_note);
    }
    hc_rpt_bands_evidence(res);
    if (!res->bands_written)
        return HC_OK;
    /* hc_model_set_bands copies its inputs, but the names are the model's
     * own: copy them first so that replacing the bands cannot free them. */
    char *names[HC_THRESHOLDS_MAX_BANDS];
    double mins[HC_THRESHOLDS_MAX_BANDS];
    size_t copied = 0;
    hc_status st = HC_OK;
    for (; copied < nb; copied++) {
        names[copied] = strdup(m->bands[copied].name);
        if (!names[copied]) {
            st = hc_error_nomem(err);
            break;
        }
        mins[copied] = copied == 0 ? 0.0 : res->thresholds->cuts[copied - 1];
    }
    if (st == HC_OK)
        st = hc_model_set_bands(m, nb, (const char *const *)names, mins, err);
    for (size_t i = 0; i < copied; i++)
        free(names[i]);
    return st;
}

/* ---- segments ---- */

/* Largest segments first (accounts in the book, then labelled snapshots),
 * then by name; among equals, rows without a segment come last. */
static int segment_cmp(const void *a, const void *b)
{
    const hc_report_segment *x = a, *y = b;
    if (x->accounts != y->accounts)
        return x->accounts > y->accounts ? -1 : 1;
    if (x->observations != y->observations)
        return x->observations > y->observations ? -1 : 1;
    if (!x->name || !y->name)
        return !x->name - !y->name;
    return strcmp(x->name, y->name);
}

hc_status hc_rpt_build_segments(hc_report_result *res, hc_error *err)
{
    const hc_history *h = &res->history;
    const hc_snapshots *s = &h->snapshots;
    if (s->segment_col < 0)
        return HC_OK;
    const hc_table *t = s->table;
    const hc_column *col = &t->cols[s->segment_col];
    size_t k = hc_strpool_count(col->pool), ng = k + 1; /* group 0: no segment */
    hc_report_segment *g = calloc(ng, sizeof *g);
    size_t *start = calloc(ng + 1, sizeof *start);
    size_t np = res->has_backtest ? res->backtest.n_pooled : 0;
    size_t *order = malloc((np ? np : 1) * sizeof *order);
    double *y = malloc((np ? np : 1) * sizeof *y), *p = malloc((np ? np : 1) * sizeof *p);
    int32_t *cl = malloc((np ? np : 1) * sizeof *cl); /* the rows' accounts */
    const int32_t *account = t->cols[s->id_col].code;
    hc_status st = HC_OK;
    if (!g || !start || !order || !y || !p || !cl) {
        st = hc_error_nomem(err);
        goto fail;
    }
#define GROUP(row) ((size_t)(col->code[(row)] + 1))
    /* Labelled rows account by account: an account counts once in each
     * segment it has a labelled (churn-labelled) row in; `start` holds the
     * last account counted per segment (+1, 0: none) meanwhile. */
    size_t *last_churned = calloc(ng, sizeof *last_churned);
    if (!last_churned) {
        st = hc_error_nomem(err);
        goto fail;
    }
    for (size_t a = 0; a < s->n_accounts; a++)
        for (uint32_t i = s->account_start[a]; i < s->account_start[a + 1]; i++) {
            size_t r = s->order[i];
            if (h->labels.status[r] != HC_ROW_OBSERVATION)
                continue;
            hc_report_segment *sg = &g[GROUP(r)];
            sg->observations++;
            sg->churners += h->labels.churn[r];
            if (start[GROUP(r)] != a + 1) {
                start[GROUP(r)] = a + 1;
                sg->history_accounts++;
            }
            if (h->labels.churn[r] && last_churned[GROUP(r)] != a + 1) {
                last_churned[GROUP(r)] = a + 1;
                sg->churned_accounts++;
            }
        }
    free(last_churned);
    memset(start, 0, (ng + 1) * sizeof *start);
    for (size_t i = 0; i < res->predict.n; i++) {
        const hc_prediction *pr = &res->predict.rows[i];
        if (!res->in_book[i])
            continue;
        hc_report_segment *sg = &g[GROUP(pr->row)];
        sg->accounts++;
        if (isfinite(pr->arr))
            sg->arr += pr->arr;
        if (isfinite(pr->at_risk))
            sg->expected_churned_arr += pr->at_risk;
    }
    /* The backtest's pooled rows, bucketed by segment (counting sort). */
    const hc_backtest_result *b = &res->backtest;
    for (size_t i = 0; i < np; i++)
        start[GROUP(b->pooled_row[i]) + 1]++;
    for (size_t j = 0; j < ng; j++)
        start[j + 1] += start[j];
    {
        size_t *fill = calloc(ng, sizeof *fill);
        if (!fill) {
            st = hc_error_nomem(err);
            goto fail;
        }
        for (size_t i = 0; i < np; i++) {
            size_t j = GROUP(b->pooled_row[i]);
            order[start[j] + fill[j]++] = i;
        }
        free(fill);
    }
    size_t kept = 0;
    for (size_t j = 0; j < ng; j++) {
        hc_report_segment *sg = &g[j];
        if (!sg->observations && !sg->accounts)
            continue;
        sg->fit_index = -1;
        if (j > 0) {
            sg->name = strdup(hc_strpool_get(col->pool, (int32_t)(j - 1)));
            if (!sg->name) {
                st = hc_error_nomem(err);
                goto fail;
            }
            for (size_t f = 0; f < res->fit.n_segments; f++)
                if (strcmp(res->fit.segments[f].name, sg->name) == 0)
                    sg->fit_index = (int)f;
        }
        sg->small = sg->churners < HC_REPORT_SMALL_SEGMENT_EVENTS;
        size_t n = start[j + 1] - start[j];
        sg->test_rows = n;
        for (size_t i = 0; i < n; i++) {
            y[i] = b->pooled_y[order[start[j] + i]];
            cl[i] = account[b->pooled_row[order[start[j] + i]]];
            sg->test_churners += y[i] == 1.0;
        }
        for (size_t c = 0; c < 2 && c < (res->has_backtest ? b->n_configs : 0); c++) {
            for (size_t i = 0; i < n; i++)
                p[i] = b->configs[c].p[order[start[j] + i]];
            hc_error aerr;
            hc_error_clear(&aerr);
            /* An AUC from a handful of churn snapshots (often one or two
             * accounts) says little: below the small-segment count there
             * is no AUC, not an error. Its interval is clustered by
             * account (Obuchowski 1997), and needs two accounts with a
             * churner snapshot and two without. */
            hc_metrics_auc_ci_clustered ca;
            if (sg->test_churners >= HC_REPORT_SMALL_SEGMENT_EVENTS &&
                n - sg->test_churners >= 2 &&
                hc_metrics_delong_clustered(y, p, cl, n, 0.95, &ca, &aerr) == HC_OK) {
                sg->auc[c] = ca.ci;
                sg->has_auc[c] = 1;
            }
        }
        if (kept != j) {
            g[kept] = *sg;
            memset(sg, 0, sizeof *sg);
        }
        kept++;
    }
#undef GROUP
    qsort(g, kept, sizeof *g, segment_cmp);
    res->segments = g;
    res->n_segments = kept;
    free(start);
    free(order);
    free(y);
    free(p);
    free(cl);
    return HC_OK;
fail:
    if (g)
        for (size_t j = 0; j < ng; j++)
            free(g[j].name);
    free(g);
    free(start);
    free(order);
    free(y);
    free(p);
    free(cl);
    return st;
}

