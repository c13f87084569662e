/* score.c - scoring a snapshot table with a model: sub-scores, health, band, probabilities. */
#include "hc_model.h"
#include "hc_model_segkey.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per block: the work buffers (about (8 + n_components) doubles per
 * row) stay in L1/L2 cache while each metric is a tight loop over a block. */
#define SCORE_BLOCK 1024

/* Numerically stable logistic function: never forms exp of a large
 * positive number. */
static double logistic(double eta)
{
    if (eta >= 0)
        return 1.0 / (1.0 + exp(-eta));
    double e = exp(eta);
    return e / (1.0 + e);
}

/* Parameters resolved per segment: index 0 is the top level, s + 1 the
 * model's segment s. */
typedef struct {
    size_t n_seg;          /* n_segments + 1 */
    size_t k;              /* components */
    double *w;             /* n_seg * k weights */
    int *churn_present;    /* n_seg */
    double *churn_a, *churn_b;
    int *exp_present;
    double *exp_a;
    double *exp_coef;      /* n_seg * k */
} seg_params;

static void seg_params_release(seg_params *p)
{
    free(p->w);
    free(p->churn_present);
    free(p->churn_a);
    free(p->churn_b);
    free(p->exp_present);
    free(p->exp_a);
    free(p->exp_coef);
}

static int seg_params_init(seg_params *p, const hc_model *m)
{
    size_t ns = m->n_segments + 1, k = m->n_components;
    memset(p, 0, sizeof *p);
    p->n_seg = ns;
    p->k = k;
    p->w = malloc(ns * k * sizeof *p->w);
    p->churn_present = malloc(ns * sizeof *p->churn_present);
    p->churn_a = malloc(ns * sizeof *p->churn_a);
    p->churn_b = malloc(ns * sizeof *p->churn_b);
    p->exp_present = malloc(ns * sizeof *p->exp_present);
    p->exp_a = malloc(ns * sizeof *p->exp_a);
    p->exp_coef = calloc(ns * k, sizeof *p->exp_coef);
    if (!p->w || !p->churn_present || !p->churn_a || !p->churn_b ||
        !p->exp_present || !p->exp_a || !p->exp_coef) {
        seg_params_release(p);
        return -1;
    }
    for (size_t s = 0; s < ns; s++) {
        const hc_segment *sg = s ? &m->segments[s - 1] : NULL;
        hc_model_weights_for(m, (int)s - 1, p->w + s * k);
        const hc_churn_model *c =
            sg && sg->churn.present ? &sg->churn : &m->churn;
        p->churn_present[s] = c->present;
        p->churn_a[s] = c->intercept;
        p->churn_b[s] = c->slope;
        const hc_expansion_model *e =
            sg && sg->expansion.present ? &sg->expansion : &m->expansion;
        p->exp_present[s] = e->present && e->coef;
        p->exp_a[s] = e->intercept;
        if (p->exp_present[s])
            memcpy(p->exp_coef + s * k, e->coef, k * sizeof *e->coef);
    }
    return 0;
}

void hc_model_weights_for(const hc_model *m, int seg, double *w)
{
    const double *sw = seg >= 0 && (size_t)seg < m->n_segments
                           ? m->segments[seg].weights
                           : NULL;
    for (size_t k = 0; k < m->n_components; k++)
        w[k] = sw ? sw[k] : m->components[k].weight;
}

void hc_model_contributions(const hc_model *m, int seg, const double *sub,
                            size_t stride, double *contrib, double *shortfall)
{
    const double *sw = seg >= 0 && (size_t)seg < m->n_segments
                           ? m->segments[seg].weights
                           : NULL;
    size_t K = m->n_components;
    double wsum = 0;
    for (size_t k = 0; k < K; k++)
        if (!isnan(sub[k * stride]))
            wsum += sw ? sw[k] : m->components[k].weight;
    for (size_t k = 0; k < K; k++) {
        double s = sub[k * stride];
        double c = NAN, f = NAN;
        if (wsum > 0 && !isnan(s)) {
            double w = (sw ? sw[k] : m->components[k].weight) / wsum;
            c = w * s;
            f = w * (100.0 - s);
        }
        contrib[k] = c;
        if (shortfall)
            shortfall[k] = f;
    }
}

/* The outputs of nb rows from their sub-scores (sub[k * stride + i]):
 * health renormalised over the present components, band, segment and
 * probabilities, written at out->...[b0 + i]. hn and hd hold nb doubles. */
static void block_outputs(const hc_model *m, const seg_params *sp, const double *sub,
                          size_t stride, const int32_t *segidx, size_t b0, size_t nb,
                          double *hn, double *hd, const hc_score_out *out, double *p_raw)
{
    size_t K = m->n_components;
    if (!out->health && !out->band && !out->segment && !out->p_churn &&
        !out->p_expansion && !p_raw)
        return; /* sub-scores only (one component at a time, for a design) */
    const hc_recalibration *recal = m->recalibration &&
                                            m->recalibration->method != HC_RECAL_NONE
                                        ? m->recalibration
                                        : NULL;
    for (size_t i = 0; i < nb; i++)
        hn[i] = hd[i] = 0.0;
    for (size_t k = 0; k < K; k++) {
        const double *sk = sub + k * stride;
        for (size_t i = 0; i < nb; i++) {
            double s = sk[i];
            if (!isnan(s)) {
                double w = sp->w[(size_t)(segidx ? segidx[i] + 1 : 0) * K + k];
                hn[i] += w * s;
                hd[i] += w;
            }
        }
    }
    for (size_t i = 0; i < nb; i++) {
        double h = hd[i] > 0 ? hn[i] / hd[i] : NAN;
        int32_t seg = segidx ? segidx[i] : -1;
        size_t s = (size_t)(seg + 1);
        if (out->health)
            out->health[b0 + i] = h;
        if (out->band)
            out->band[b0 + i] = hc_model_band_of(m, h);
        if (out->segment)
            out->segment[b0 + i] = seg;
        if (out->p_churn || p_raw) {
            double p = sp->churn_present[s] && !isnan(h)
                           ? logistic(sp->churn_a[s] + sp->churn_b[s] * h)
                           : NAN;
            if (p_raw)
                p_raw[b0 + i] = p;
            /* The config's recalibration map of P(churn), applied to every
             * row's probability (segment overrides included). */
            if (out->p_churn)
                out->p_churn[b0 + i] = recal ? hc_recal_apply(recal, p) : p;
        }
        if (out->p_expansion) {
            double p = NAN;
            if (sp->exp_present[s] && !isnan(h)) {
                const double *coef = sp->exp_coef + s * K;
                double eta = sp->exp_a[s];
                for (size_t k = 0; k < K; k++) {
                    double sv = sub[k * stride + i];
                    /* A missing s_k is replaced by H (schema rule). */
                    eta += coef[k] * (isnan(sv) ? h : sv);
                }
                p = logistic(eta);
            }
            out->p_expansion[b0 + i] = p;
        }
    }
}

hc_status hc_model_score_subs(const hc_model *m, const double *sub, size_t stride,
                              size_t n, const hc_score_out *out, hc_error *err)
{
    if (m->n_segments > 0)
        return hc_error_set(err, HC_EUSAGE, m->source, 0, 0,
                            "scoring from sub-scores: the model has segments");
    if (stride < n)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "scoring: sub-score stride %zu is less than the "
                            "%zu rows scored", stride, n);
    seg_params sp;
    double *work = malloc(2 * SCORE_BLOCK * sizeof *work);
    if (!work || seg_params_init(&sp, m) < 0) {
        free(work);
        return hc_error_nomem(err);
    }
    for (size_t b0 = 0; b0 < n; b0 += SCORE_BLOCK) {
        size_t nb = n - b0 < SCORE_BLOCK ? n - b0 : SCORE_BLOCK;
        block_outputs(m, &sp, sub + b0, stride, NULL, b0, nb, work, work + SCORE_BLOCK,
                      out, NULL);
    }
    free(work);
    seg_params_release(&sp);
    return HC_OK;
}

static void free_maps(double **maps, size_t n)
{
    for (size_t i = 0; maps && i < n; i++)
        free(maps[i]);
    free(maps);
}

/* hc_model_score_rows on the calling thread. */
static hc_status score_rows(const hc_model *m, const hc_table *t,
                            const size_t *rows, size_t first, size_t n,
                            const hc_score_out *out, double *p_raw, hc_error *err)
{
    size_t K = m->n_components;
    size_t stride = out->sub_stride ? out->sub_stride : n;
    if (out->sub && stride < n)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "scoring: sub-score stride %zu is less than the "
                            "%zu rows scored", stride, n);
    if (K == 0)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components: needs at least one component");
    if (rows) {
        for (size_t i = 0; i < n; i++)
            if (rows[i] >= t->n_rows)
                return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                    "scoring: row %zu is beyond the %zu rows "
                                    "of %s", rows[i], t->n_rows, t->source);
    } else if (first > t->n_rows || n > t->n_rows - first) {
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "scoring: rows %zu..%zu are beyond the %zu rows "
                            "of %s", first, first + n, t->n_rows, t->source);
    }

    /* Resolve the columns (the model is const: no binding is stored). */
    size_t n_metrics = 0;
    for (size_t k = 0; k < K; k++)
        n_metrics += m->components[k].n_metrics;
    int *mcol = malloc((n_metrics ? n_metrics : 1) * sizeof *mcol);
    /* Categorical metrics: the sub-score of each of the column's codes,
     * mapped once per call (no string is compared per row). */
    double **cmap = calloc(n_metrics ? n_metrics : 1, sizeof *cmap);
    /* Trend metrics whose derived column the table lacks: their trend over
     * the whole table, computed here (hc_model_derive_trends adds the
     * column, with the same values, once for many calls). A seasonal
     * metric's adjustment is elementwise: applied to each block as it is
     * read, from the block's snapshot dates (date_col). */
    double **tval = calloc(n_metrics ? n_metrics : 1, sizeof *tval);
    if (!mcol || !cmap || !tval) {
        free(mcol);
        free(cmap);
        free(tval);
        return hc_error_nomem(err);
    }
    hc_status st = HC_OK;
    char key[128];
    int date_col = -1;
    for (size_t k = 0, q = 0; k < K && st == HC_OK; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++, q++) {
            const hc_metric *mt = &m->components[k].metrics[j];
            int c;
            snprintf(key, sizeof key, "components[%zu].metrics[%zu].column",
                     k, j);
            st = hc_model_find_column(m, t, key, mt->column,
                                      hc_metric_coltype(mt), 1, &c, err);
            if (st != HC_OK)
                break;
            if (mt->seasonal && !mt->seasonal->has_baseline) {
                st = hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                  "components[%zu].metrics[%zu].seasonal: the seasonal "
                                  "adjustment of column '%s' has no baseline; learn it "
                                  "on training rows first (healthcal fit)", k, j,
                                  mt->column);
                break;
            }
            if (mt->seasonal && date_col < 0 &&
                (st = hc_model_find_column(m, t, "columns.snapshot_date",
                                           m->columns.snapshot_date, HC_COL_DATE, 1,
                                           &date_col, err)) != HC_OK)
                break;
            if (mt->trend != HC_TREND_NONE) {
                char tname[512];
                hc_model_trend_column(mt, tname, sizeof tname);
                int tc = hc_table_find(t, tname);
                if (tc >= 0 && t->cols[tc].type == HC_COL_NUM) {
                    c = tc;
                } else {
                    tval[q] = malloc((t->n_rows ? t->n_rows : 1) * sizeof *tval[q]);
                    st = tval[q] ? hc_model_metric_inputs(m, k, j, t, NULL, t->n_rows,
                                                          tval[q], err)
                                 : hc_error_nomem(err);
                    if (st != HC_OK)
                        break;
                }
            }
            if (mt->transform.type == HC_TF_CATEGORICAL) {
                snprintf(key, sizeof key, "components[%zu].metrics[%zu].transform",
                         k, j);
                st = hc_categorical_code_map(&mt->transform, t, c, key, m->source,
                                             &cmap[q], NULL, err);
                if (st != HC_OK)
                    break;
            }
            if (mt->transform.type == HC_TF_QUANTILE && !mt->transform.cuts) {
                st = hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                  "components[%zu].metrics[%zu].transform."
                                  "cuts: the quantile transform of column "
                                  "'%s' has no cuts; learn them on training "
                                  "rows first (healthcal fit)", k, j,
                                  mt->column);
                break;
            }
            mcol[q] = c;
        }
    int seg_col = -1;
    /* A derived segment key the table lacks (a loader that did not derive
     * it): computed here for every row (hc_model_segkey.h). */
    hc_strpool *own_pool = NULL;
    int32_t *own_codes = NULL;
    if (st == HC_OK && m->n_segments > 0 && hc_model_segkey_active(m) &&
        hc_table_find(t, m->columns.segment) < 0)
        st = hc_model_segment_key_codes(m, t, &own_pool, &own_codes, err);
    else if (st == HC_OK && m->n_segments > 0)
        st = hc_model_find_column(m, t, "columns.segment", m->columns.segment,
                                  HC_COL_TEXT, 1, &seg_col, err);
    if (st != HC_OK) {
        free_maps(cmap, n_metrics);
        free_maps(tval, n_metrics);
        free(mcol);
        return st;
    }

    /* Map the table's segment codes to model segments once per call. */
    int32_t *segmap = NULL;
    size_t n_codes = 0;
    const int32_t *segcodes = NULL;
    if (seg_col >= 0 || own_codes) {
        const hc_column *sc = seg_col >= 0 ? &t->cols[seg_col] : NULL;
        const hc_strpool *spool = sc ? sc->pool : own_pool;
        segcodes = sc ? sc->code : own_codes;
        n_codes = spool ? hc_strpool_count(spool) : 0;
        segmap = malloc((n_codes ? n_codes : 1) * sizeof *segmap);
        if (!segmap) {
            free(own_codes);
            hc_strpool_free(own_pool);
            free_maps(cmap, n_metrics);
            free_maps(tval, n_metrics);
            free(mcol);
            return hc_error_nomem(err);
        }
        for (size_t i = 0; i < n_codes; i++)
            segmap[i] = -1;
        for (size_t s = 0; s < m->n_segments && spool; s++) {
            const char *v = m->segments[s].value;
            int32_t code = hc_strpool_lookup(spool, v, strlen(v));
            if (code >= 0 && (size_t)code < n_codes)
                segmap[code] = (int32_t)s;
        }
    }

    seg_params sp;
    const size_t B = SCORE_BLOCK;
    double *work = malloc((6 + (out->sub ? 0 : K)) * B * sizeof *work);
    int32_t *segidx = malloc(2 * B * sizeof *segidx), *dbuf = segidx ? segidx + B : NULL;
    if (seg_params_init(&sp, m) < 0) {
        free(work);
        free(segidx);
        free(segmap);
        free(own_codes);
        hc_strpool_free(own_pool);
        free_maps(cmap, n_metrics);
        free_maps(tval, n_metrics);
        free(mcol);
        return hc_error_nomem(err);
    }
    if (!work || !segidx) {
        free(work);
        free(segidx);
        free(segmap);
        free(own_codes);
        hc_strpool_free(own_pool);
        free_maps(cmap, n_metrics);
        free_maps(tval, n_metrics);
        free(mcol);
        seg_params_release(&sp);
        return hc_error_nomem(err);
    }
    double *xbuf = work, *tbuf = work + B, *num = work + 2 * B,
           *den = work + 3 * B, *hn = work + 4 * B, *hd = work + 5 * B;
    double *subbuf = out->sub ? NULL : work + 6 * B;

    for (size_t b0 = 0; b0 < n; b0 += B) {
        size_t nb = n - b0 < B ? n - b0 : B;
        const size_t *rb = rows ? rows + b0 : NULL;
        size_t fb = first + b0;

        /* Segment of each row (-1 = top level). */
        for (size_t i = 0; i < nb; i++) {
            int32_t s = -1;
            if (segcodes) {
                int32_t code = segcodes[rb ? rb[i] : fb + i];
                if (code >= 0 && (size_t)code < n_codes)
                    s = segmap[code];
            }
            segidx[i] = s;
        }

        for (size_t k = 0, q0 = 0; k < K; q0 += m->components[k].n_metrics,
                    k++) {
            const hc_component *cp = &m->components[k];
            double *sk = out->sub ? out->sub + k * stride + b0
                                  : subbuf + k * B;
            if (cp->n_metrics > 1)
                for (size_t i = 0; i < nb; i++)
                    num[i] = den[i] = 0.0;
            for (size_t j = 0; j < cp->n_metrics; j++) {
                /* The block's values as doubles, whatever the column's
                 * storage (hc_table.h). */
                const double *x = xbuf;
                const double *cm = cmap[q0 + j];
                if (cm) {
                    /* Categorical: the score of each row's level code. */
                    const int32_t *code = t->cols[mcol[q0 + j]].code;
                    double *dst = cp->n_metrics == 1 ? sk : tbuf;
                    for (size_t i = 0; i < nb; i++) {
                        int32_t cd = code[rb ? rb[i] : fb + i];
                        dst[i] = cd < 0 ? NAN : cm[cd];
                    }
                    if (cp->n_metrics == 1)
                        break;
                } else if (tval[q0 + j]) {
                    const double *tv = tval[q0 + j];
                    for (size_t i = 0; i < nb; i++)
                        xbuf[i] = tv[rb ? rb[i] : fb + i];
                } else if (rb)
                    hc_table_num_gather(t, mcol[q0 + j], rb, nb, xbuf);
                else
                    hc_table_num_read(t, mcol[q0 + j], fb, nb, xbuf);
                if (!cm && cp->metrics[j].seasonal) {
                    const int32_t *dc = t->cols[date_col].code;
                    for (size_t i = 0; i < nb; i++)
                        dbuf[i] = dc[rb ? rb[i] : fb + i];
                    hc_seasonal_adjust(cp->metrics[j].seasonal, dbuf, nb, xbuf);
                }
                if (cm) {
                    /* tbuf holds the sub-scores already. */
                } else if (cp->n_metrics == 1) {
                    /* One metric: the weighted mean is the score itself. */
                    hc_transform_apply_array(&cp->metrics[j].transform, x, nb,
                                             sk);
                    break;
                }
                if (!cm)
                    hc_transform_apply_array(&cp->metrics[j].transform, x, nb,
                                             tbuf);
                double v = cp->metrics[j].weight;
                for (size_t i = 0; i < nb; i++) {
                    double sv = tbuf[i];
                    if (!isnan(sv)) {
                        num[i] += v * sv;
                        den[i] += v;
                    }
                }
            }
            if (cp->n_metrics > 1)
                for (size_t i = 0; i < nb; i++)
                    sk[i] = den[i] > 0 ? num[i] / den[i] : NAN;
        }
        if (out->sub)
            block_outputs(m, &sp, out->sub + b0, stride, segidx, b0, nb, hn, hd, out,
                          p_raw);
        else
            block_outputs(m, &sp, subbuf, B, segidx, b0, nb, hn, hd, out, p_raw);
    }
    free(work);
    free(segidx);
    free(segmap);
    free(own_codes);
    hc_strpool_free(own_pool);
    free_maps(cmap, n_metrics);
    free_maps(tval, n_metrics);
    free(mcol);
    seg_params_release(&sp);
    return HC_OK;
}

/* One half of a two-thread hc_model_score_rows. */
typedef struct {
    const hc_model *m;
    const hc_table *t;
    const size_t *rows;
    size_t first, n, offset, stride;
    const hc_score_out *out;
    double *p_raw;
    hc_status st;
    hc_error err;
} score_half;

/* out's arrays advanced by `off` rows (the sub-scores keep their stride). */
static hc_score_out shifted(const hc_score_out *o, size_t off, size_t stride)
{
    hc_score_out s = {0};
    s.sub = o->sub ? o->sub + off : NULL;
    s.sub_stride = stride;
    s.health = o->health ? o->health + off : NULL;
    s.band = o->band ? o->band + off : NULL;
    s.p_churn = o->p_churn ? o->p_churn + off : NULL;
    s.p_expansion = o->p_expansion ? o->p_expansion + off : NULL;
    s.segment = o->segment ? o->segment + off : NULL;
    return s;
}

static void *score_half_run(void *arg)
{
    score_half *j = arg;
    hc_score_out o = shifted(j->out, j->offset, j->stride);
    hc_error_clear(&j->err);
    j->st = score_rows(j->m, j->t, j->rows ? j->rows + j->offset : NULL,
                       j->first + j->offset, j->n, &o,
                       j->p_raw ? j->p_raw + j->offset : NULL, &j->err);
    return NULL;
}

hc_status hc_model_score_rows_ex(const hc_model *m, const hc_table *t,
                                 const size_t *rows, size_t first, size_t n,
                                 int threads, const hc_score_out *out,
                                 double *p_raw, hc_error *err)
{
    if (threads < 2)
        return score_rows(m, t, rows, first, n, out, p_raw, err);
    size_t stride = out->sub_stride ? out->sub_stride : n;
    size_t half = n / 2;
    score_half jobs[2] = {{m, t, rows, first, half, 0, stride, out, p_raw, HC_OK, {0}},
                          {m, t, rows, first, n - half, half, stride, out, p_raw, HC_OK,
                           {0}}};
    pthread_t th;
    int threaded = half > 0 && pthread_create(&th, NULL, score_half_run, &jobs[1]) == 0;
    score_half_run(&jobs[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        score_half_run(&jobs[1]);
    for (int i = 0; i < 2; i++)
        if (jobs[i].st != HC_OK) {
            if (err)
                *err = jobs[i].err;
            return jobs[i].st;
        }
    return HC_OK;
}

hc_status hc_model_score_rows(const hc_model *m, const hc_table *t,
                              const size_t *rows, size_t first, size_t n,
                              int threads, const hc_score_out *out, hc_error *err)
{
    return hc_model_score_rows_ex(m, t, rows, first, n, threads, out, NULL, err);
}

hc_status hc_model_score_component(const hc_model *m, size_t k, const hc_table *t,
                                   const size_t *rows, size_t first, size_t n,
                                   int threads, double *sub, hc_error *err)
{
    if (k >= m->n_components)
        return hc_error_set(err, HC_EUSAGE, m->source, 0, 0,
                            "scoring: no component %zu (the model has %zu)", k,
                            m->n_components);
    /* A view of the model with component k alone: sub-scores depend on
     * nothing else (weights, bands, segments and the probability models
     * only combine them). */
    hc_model view = *m;
    view.components = m->components + k;
    view.n_components = 1;
    view.n_segments = 0;
    view.segments = NULL;
    view.n_bands = 0;
    view.churn.present = 0;
    view.expansion.present = 0;
    view.expansion.coef = NULL;
    hc_score_out out = {.sub = sub, .sub_stride = n};
    return hc_model_score_rows(&view, t, rows, first, n, threads, &out, err);
}

hc_scores *hc_scores_alloc(const hc_model *m, size_t n_rows)
{
    hc_scores *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t n = n_rows ? n_rows : 1;
    size_t K = m->n_components ? m->n_components : 1;
    s->n_rows = n_rows;
    s->n_components = m->n_components;
    s->sub = malloc(K * n * sizeof *s->sub);
    s->health = malloc(n * sizeof *s->health);
    s->band = malloc(n * sizeof *s->band);
    s->p_churn = malloc(n * sizeof *s->p_churn);
    s->p_expansion = malloc(n * sizeof *s->p_expansion);
    s->segment = malloc(n * sizeof *s->segment);
    if (!s->sub || !s->health || !s->band || !s->p_churn || !s->p_expansion ||
        !s->segment) {
        hc_scores_free(s);
        return NULL;
    }
    return s;
}

void hc_scores_free(hc_scores *s)
{
    if (!s)
        return;
    free(s->sub);
    free(s->health);
    free(s->band);
    free(s->p_churn);
    free(s->p_expansion);
    free(s->segment);
    free(s);
}

hc_status hc_model_score(const hc_model *m, const hc_table *t, hc_scores *s,
                         hc_error *err)
{
    if (s->n_rows != t->n_rows || s->n_components != m->n_components)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "scoring: the score arrays hold %zu rows x %zu "
                            "components, the table has %zu rows and the "
                            "model %zu components", s->n_rows,
                            s->n_components, t->n_rows, m->n_components);
    hc_score_out out = {s->sub, s->n_rows, s->health, s->band, s->p_churn,
                        s->p_expansion, s->segment};
    return hc_model_score_rows(m, t, NULL, 0, t->n_rows, 1, &out, err);
}
