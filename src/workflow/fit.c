/* fit.c - the fit workflow: component weights, calibration and segments from labelled history. */
#include "hc_fit.h"
#include "hc_metrics.h"
#include "hc_trace.h"
#include "hc_validate.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define Z95 1.959963984540054

void hc_fit_options_init(hc_fit_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->expansion = 1;
}

void hc_fit_result_release(hc_fit_result *res)
{
    if (!res)
        return;
    hc_model_free(res->tuned);
    hc_logreg_result_release(&res->churn);
    hc_logreg_result_release(&res->expansion);
    free(res->kept);
    free(res->dropped);
    free(res->beta);
    free(res->beta_se);
    free(res->old_weight);
    free(res->new_weight);
    free(res->weight_ci_low);
    free(res->weight_ci_high);
    for (size_t s = 0; s < res->n_segments; s++) {
        free(res->segments[s].name);
        free(res->segments[s].weights);
    }
    free(res->segments);
    memset(res, 0, sizeof *res);
}

/* The design of one fit: complete rows only, one array per component.
 * Column storage lets a subset of components be passed to the logistic
 * regression as pointers, with no copy of the data. */
typedef struct {
    size_t n, k;
    double **own;       /* k arrays of at least n doubles, or NULL (borrowed) */
    const double **col; /* k column pointers (into own) */
    double *churn;      /* n */
    double *expansion;  /* n */
    int32_t *cluster;   /* n account codes */
    int32_t *segment;   /* n segment codes or -1 */
    int borrowed;       /* col, churn and cluster belong to the caller */
} design;

static void design_release(design *d)
{
    if (d->borrowed)
        return;
    for (size_t c = 0; d->own && c < d->k; c++)
        free(d->own[c]);
    free(d->own);
    free(d->col);
    free(d->churn);
    free(d->expansion);
    free(d->cluster);
    free(d->segment);
}

/* Arrays handed over by the table as its metric columns are consumed,
 * each with room for the table's rows (at least the design's n). A new
 * array of that size costs a page fault per 4 KiB on first write (about a
 * sixth of the fit's CPU time went to those); one of these is already
 * resident. */
typedef struct {
    double *buf[16];   /* more are freed at once */
    size_t n;
    size_t room;       /* bytes each holds: the table's rows of doubles */
} spare_arrays;

/* A spare array, or a new one of `bytes` when none is left or fits. */
static void *spare_or_new(spare_arrays *sp, size_t bytes)
{
    return sp->n && bytes <= sp->room ? sp->buf[--sp->n] : malloc(bytes);
}

static void spares_free(spare_arrays *sp)
{
    while (sp->n)
        free(sp->buf[--sp->n]);
}

/* Whether a later component than k reads column `name`. */
static int used_after(const hc_model *m, size_t k, const char *name)
{
    for (size_t c = k + 1; c < m->n_components; c++)
        for (size_t j = 0; j < m->components[c].n_metrics; j++)
            if (strcmp(m->components[c].metrics[j].column, name) == 0)
                return 1;
    return 0;
}

/* Takes the values of component k's metric columns that no later
 * component reads (role columns are kept) into `sp`, for reuse; with no
 * room left there, frees them. */
static void release_metrics(const hc_model *m, size_t k, const hc_snapshots *s,
                            hc_table *t, spare_arrays *sp)
{
    for (size_t j = 0; j < m->components[k].n_metrics; j++) {
        const char *name = m->components[k].metrics[j].column;
        if (used_after(m, k, name))
            continue;
        double *v = hc_snapshots_take_metric(s, t, name);
        if (v && sp->n < sizeof sp->buf / sizeof sp->buf[0])
            sp->buf[sp->n++] = v;
        else
            free(v);
    }
}

/* The design of the rows `rows` (n of them), or with rows NULL of the
 * observations among the table's first n rows. */
static hc_status build_design(const hc_model *m, const hc_history *h,
                              const size_t *rows, size_t n, const hc_fit_options *opt,
                              design *d, size_t *incomplete, hc_error *err)
{
    const hc_snapshots *s = &h->snapshots;
    size_t k = m->n_components, m1 = n ? n : 1;
    memset(d, 0, sizeof *d);
    d->k = k;
    d->own = calloc(k, sizeof *d->own);
    d->col = malloc(k * sizeof *d->col);
    if (!d->own || !d->col) {
        design_release(d);
        return hc_error_nomem(err);
    }
    /* One component at a time, so that with opt->consume each metric
     * column is taken from the table once scored, and its array serves a
     * later component or outcome: the raw metrics and the design are then
     * never both whole in memory. */
    spare_arrays sp = {.n = 0, .room = s->table->n_rows * sizeof(double)};
    hc_status st = HC_OK;
    for (size_t c = 0; c < k && st == HC_OK; c++) {
        if (!(d->own[c] = spare_or_new(&sp, m1 * sizeof **d->own)))
            st = hc_error_nomem(err);
        if (st == HC_OK)
            st = hc_model_score_component(m, c, s->table, rows, 0, n, 2, d->own[c], err);
        if (st == HC_OK && opt->consume)
            release_metrics(m, c, s, opt->consume, &sp);
    }
    /* The per-row outcomes after the metrics are taken. */
    if (st == HC_OK) {
        d->churn = spare_or_new(&sp, m1 * sizeof *d->churn);
        d->expansion = opt->expansion ? spare_or_new(&sp, m1 * sizeof *d->expansion) : NULL;
        d->cluster = spare_or_new(&sp, m1 * sizeof *d->cluster);
        d->segment = opt->segments ? spare_or_new(&sp, m1 * sizeof *d->segment) : NULL;
        if (!d->churn || (opt->expansion && !d->expansion) || !d->cluster ||
            (opt->segments && !d->segment))
            st = hc_error_nomem(err);
    }
    spares_free(&sp);
    if (st != HC_OK) {
        design_release(d);
        return st;
    }
    const int32_t *ids = s->table->cols[s->id_col].code;
    const int32_t *seg = s->segment_col >= 0 ? s->table->cols[s->segment_col].code : NULL;
    size_t kept = 0;
    *incomplete = 0;
    /* Compact the complete rows to the front of every column, in place
     * (kept <= i, so nothing is overwritten before it is read). */
    for (size_t i = 0; i < n; i++) {
        if (!rows && h->labels.status[i] != HC_ROW_OBSERVATION)
            continue; /* scored in passing: the table is read in order */
        int complete = 1;
        for (size_t c = 0; c < k; c++)
            complete &= isfinite(d->own[c][i]) != 0;
        if (!complete) {
            (*incomplete)++;
            continue;
        }
        size_t r = rows ? rows[i] : i;
        for (size_t c = 0; c < k; c++)
            d->own[c][kept] = d->own[c][i];
        d->churn[kept] = h->labels.churn[r];
        if (d->expansion)
            d->expansion[kept] = h->labels.expansion[r];
        d->cluster[kept] = ids[r];
        if (d->segment)
            d->segment[kept] = seg ? seg[r] : -1;
        kept++;
    }
    for (size_t c = 0; c < k; c++)
        d->col[c] = d->own[c];
    d->n = kept;
    return HC_OK;
}

/* Column pointers for the components `kept`, over all rows of the design
 * (sel NULL: no copy) or over the rows `sel`, gathered into `scratch`
 * (n_kept * n_sel doubles). */
static void select_columns(const design *d, const size_t *kept, size_t n_kept,
                           const size_t *sel, size_t n_sel, double *scratch,
                           const double **cols)
{
    for (size_t j = 0; j < n_kept; j++) {
        const double *from = d->col[kept[j]];
        if (!sel) {
            cols[j] = from;
            continue;
        }
        double *to = scratch + j * n_sel;
        for (size_t i = 0; i < n_sel; i++)
            to[i] = from[sel[i]];
        cols[j] = to;
    }
}

/* Gathers a per-row array of the selected rows into buf. */
static const double *gather(const double *v, const size_t *sel, size_t n, double *buf)
{
    if (!sel)
        return v;
    for (size_t i = 0; i < n; i++)
        buf[i] = v[sel[i]];
    return buf;
}

static const int32_t *gather_i32(const int32_t *v, const size_t *sel, size_t n,
                                 int32_t *buf)
{
    if (!sel)
        return v;
    for (size_t i = 0; i < n; i++)
        buf[i] = v[sel[i]];
    return buf;
}

/* The churn fit under the sign constraint b_k <= 0: fit, drop the
 * component with the largest positive z, refit, until no coefficient is
 * positive. On success `kept` lists the `n_kept` surviving components. */
static hc_status constrained_churn_fit(const hc_model *m, const design *d,
                                       const size_t *sel, size_t n_sel,
                                       const hc_fit_options *opt,
                                       size_t *kept, size_t *n_kept,
                                       int *dropped, hc_logreg_result *res,
                                       double *ybuf, int32_t *cbuf,
                                       double *scratch, hc_error *err)
{
    size_t k = d->k;
    const char *names[256];
    const double *cols[256];
    *n_kept = 0;
    for (size_t c = 0; c < k; c++) {
        dropped[c] = 0;
        kept[(*n_kept)++] = c;
    }
    const double *y = gather(d->churn, sel, n_sel, ybuf);
    const int32_t *cl = gather_i32(d->cluster, sel, n_sel, cbuf);
    double start[257];
    int warm = 0;
    for (;;) {
        for (size_t j = 0; j < *n_kept; j++)
            names[j] = m->components[kept[j]].name;
        select_columns(d, kept, *n_kept, sel, n_sel, scratch, cols);
        hc_logreg_problem prob;
        hc_logreg_problem_init(&prob);
        prob.n = n_sel;
        prob.p = *n_kept;
        prob.cols = cols;
        prob.y = y;
        prob.cluster = cl;
        prob.names = names;
        prob.ridge = opt->ridge;
        prob.max_iter = opt->max_iter;
        prob.event_name = "churners";
        prob.start = warm ? start : NULL;
        hc_status st = hc_logreg_fit(&prob, res, err);
        if (st != HC_OK)
            return st;
        size_t worst = SIZE_MAX;
        double worst_z = 0;
        for (size_t j = 0; j < *n_kept; j++) {
            if (res->coef[j + 1] > 0 && (worst == SIZE_MAX || res->z[j + 1] > worst_z)) {
                worst = j;
                worst_z = res->z[j + 1];
            }
        }
        if (worst == SIZE_MAX)
            return HC_OK;
        if (*n_kept == 1) {
            hc_logreg_result_release(res);
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "no component is associated with lower churn: "
                                "every coefficient has the unhealthy sign, so "
                                "no non-negative weights can be fitted");
        }
        dropped[kept[worst]] = 1;
        /* The refit starts from the previous coefficients without the
         * dropped one: a few Newton steps instead of a cold start. */
        start[0] = res->coef[0];
        for (size_t j = 0, o = 1; j < *n_kept; j++)
            if (j != worst)
                start[o++] = res->coef[j + 1];
        warm = 1;
        memmove(kept + worst, kept + worst + 1, (*n_kept - worst - 1) * sizeof *kept);
        (*n_kept)--;
        hc_logreg_result_release(res);
    }
}

/* Weights w_k = b_k / B over the kept components (0 for dropped ones) and
 * their 95% intervals by the delta method: dw_k/db_j = (d_kj B - b_k) / B^2. */
static void weights_from_fit(const hc_logreg_result *fit, const size_t *kept,
                             size_t n_kept, size_t k, double *w, double *lo,
                             double *hi)
{
    double B = 0;
    for (size_t j = 0; j < n_kept; j++)
        B += fit->coef[j + 1];
    const double *cov = fit->robust_cov ? fit->robust_cov : fit->cov;
    size_t p1 = fit->p + 1;
    for (size_t c = 0; c < k; c++)
        w[c] = lo[c] = hi[c] = 0;
    for (size_t a = 0; a < n_kept; a++) {
        double bk = fit->coef[a + 1];
        double var = 0;
        for (size_t i = 0; i < n_kept; i++) {
            double gi = ((i == a ? B : 0) - bk) / (B * B);
            for (size_t j = 0; j < n_kept; j++) {
                double gj = ((j == a ? B : 0) - bk) / (B * B);
                var += gi * gj * cov[(i + 1) * p1 + (j + 1)];
            }
        }
        size_t c = kept[a];
        w[c] = bk / B;
        double se = var > 0 ? sqrt(var) : 0;
        lo[c] = w[c] - Z95 * se;
        hi[c] = w[c] + Z95 * se;
    }
}

/* The expansion model's fit, which needs only the design: it runs on a
 * thread of its own while the churn model is fitted (each fit leaves a
 * core partly idle in its serial steps). The tuned model is set from it
 * after the join (expansion_apply), so the two never write the same data. */
typedef struct {
    const hc_model *m;
    const design *d;
    const hc_fit_options *opt;
    hc_logreg_result res;
    hc_status st;
    hc_error err;
} expansion_job;

static void *expansion_fit(void *arg)
{
    expansion_job *j = arg;
    const char *names[256];
    for (size_t c = 0; c < j->d->k; c++)
        names[c] = j->m->components[c].name;
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = j->d->n;
    prob.p = j->d->k;
    prob.cols = j->d->col;
    prob.y = j->d->expansion;
    prob.cluster = j->d->cluster;
    prob.names = names;
    prob.ridge = j->opt->ridge;
    prob.max_iter = j->opt->max_iter;
    prob.event_name = "expansions";
    hc_error_clear(&j->err);
    j->st = hc_logreg_fit(&prob, &j->res, &j->err);
    return NULL;
}

static hc_status expansion_apply(expansion_job *j, hc_fit_result *res, hc_error *err)
{
    if (j->st == HC_ENOMEM)
        return hc_error_nomem(err);
    if (j->st != HC_OK) {
        snprintf(res->expansion_note, sizeof res->expansion_note,
                 "expansion model not fitted: %s", j->err.message);
        return HC_OK;
    }
    res->expansion = j->res;
    res->has_expansion = 1;
    return hc_model_set_expansion(res->tuned, res->expansion.coef[0],
                                  res->expansion.coef + 1, err);
}

/* Fits logit P = a + b H on the rows `sel` with H = sum_k w_k s_k. */
static hc_status fit_calibration(const design *d, const size_t *sel, size_t n,
                                 const double *w, double *ybuf, double *hbuf,
                                 double *a, double *b, hc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        double hsum = 0;
        for (size_t c = 0; c < d->k; c++)
            hsum += w[c] * d->col[c][sel[i]];
        hbuf[i] = hsum;
        ybuf[i] = d->churn[sel[i]];
    }
    return hc_validate_logistic_map(ybuf, hbuf, n, NULL, a, b, err);
}

static hc_status fit_segments(const hc_model *m, const hc_history *h,
                              const design *d, const hc_fit_options *opt,
                              hc_fit_result *res, hc_error *err)
{
    const hc_snapshots *s = &h->snapshots;
    if (s->segment_col < 0)
        return hc_error_set(err, HC_EUSAGE, s->table->source, 0, 0,
                            "--segments needs a segment column, and the "
                            "snapshots have none");
    const hc_strpool *pool = s->table->cols[s->segment_col].pool;
    size_t n_seg = hc_strpool_count(pool), k = d->k;
    res->segments = calloc(n_seg ? n_seg : 1, sizeof *res->segments);
    size_t *sel = malloc((d->n ? d->n : 1) * sizeof *sel);
    double *ybuf = malloc((d->n ? d->n : 1) * sizeof *ybuf);
    double *hbuf = malloc((d->n ? d->n : 1) * sizeof *hbuf);
    int32_t *cbuf = malloc((d->n ? d->n : 1) * sizeof *cbuf);
    double *scratch = malloc((d->n ? d->n : 1) * k * sizeof *scratch);
    size_t *kept = malloc(k * sizeof *kept);
    int *dropped = malloc(k * sizeof *dropped);
    double *w = malloc(k * sizeof *w), *lo = malloc(k * sizeof *lo),
           *hi = malloc(k * sizeof *hi);
    hc_status st = HC_OK;
    if (!res->segments || !sel || !ybuf || !hbuf || !cbuf || !scratch || !kept ||
        !dropped || !w || !lo || !hi) {
        st = hc_error_nomem(err);
        goto done;
    }
    double e0 = 10.0 * (double)k;
    for (size_t g = 0; g < n_seg && st == HC_OK; g++) {
        hc_fit_segment *fs = &res->segments[res->n_segments++];
        fs->name = strdup(hc_strpool_get(pool, (int32_t)g));
        fs->weights = malloc(k * sizeof *fs->weights);
        if (!fs->name || !fs->weights) {
            st = hc_error_nomem(err);
            break;
        }
        size_t n = 0, events = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->segment[i] == (int32_t)g) {
                sel[n++] = i;
                events += d->churn[i] > 0;
            }
        fs->rows = n;
        fs->events = events;
        memcpy(fs->weights, res->new_weight, k * sizeof *w);
        /* Credibility-weighted weights: the segment's own constrained fit,
         * pulled toward the pooled weights by Z = E / (E + E0). */
        hc_logreg_result own;
        hc_error own_err;
        hc_error_clear(&own_err);
        size_t n_kept;
        hc_status fst = n ? constrained_churn_fit(m, d, sel, n, opt, kept, &n_kept,
                                                  dropped, &own, ybuf, cbuf, scratch,
                                                  &own_err)
                          : HC_ENUMERIC;
        if (fst == HC_ENOMEM) {
            st = hc_error_nomem(err);
            break;
        }
        fs->credibility = (double)events / ((double)events + e0);
        if (fst == HC_OK) {
            weights_from_fit(&own, kept, n_kept, k, w, lo, hi);
            hc_logreg_result_release(&own);
            fs->own_fit = 1;
            for (size_t c = 0; c < k; c++)
                fs->weights[c] = fs->credibility * w[c] +
                                 (1 - fs->credibility) * res->new_weight[c];
        } else {
            snprintf(fs->note, sizeof fs->note, "pooled weights used: %s",
                     n ? own_err.message : "no rows");
        }
        /* Exact renormalisation so the weights sum to 1 in floating point. */
        double sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += fs->weights[c];
        for (size_t c = 0; c < k; c++)
            fs->weights[c] /= sum;
        hc_error cal_err;
        hc_error_clear(&cal_err);
        fst = n ? fit_calibration(d, sel, n, fs->weights, ybuf, hbuf,
                                  &fs->intercept, &fs->slope, &cal_err)
                : HC_ENUMERIC;
        if (fst == HC_ENOMEM) {
            st = hc_error_nomem(err);
            break;
        }
        fs->calibrated = fst == HC_OK;
        if (!fs->calibrated) {
            snprintf(fs->note, sizeof fs->note,
                     "pooled model used: %s", n ? cal_err.message : "no rows");
            continue; /* the segment falls back to the top-level model */
        }
        /* The calibration is shrunk the same way: a segment with few
         * events keeps nearly the pooled intercept and slope, so a handful
         * of churners cannot give it a slope of the wrong sign. */
        const hc_churn_model *pooled = &res->tuned->churn;
        double z = fs->credibility;
        fs->intercept = z * fs->intercept + (1 - z) * pooled->intercept;
        fs->slope = z * fs->slope + (1 - z) * pooled->slope;
        size_t idx;
        hc_churn_model cm = {1, fs->intercept, fs->slope};
        st = hc_model_add_segment(res->tuned, fs->name, &idx, err);
        if (st == HC_OK)
            st = hc_model_set_segment_weights(res->tuned, idx, fs->weights, err);
        if (st == HC_OK)
            st = hc_model_set_segment_churn(res->tuned, idx, &cm, err);
    }
done:
    free(sel);
    free(ybuf);
    free(hbuf);
    free(cbuf);
    free(scratch);
    free(kept);
    free(dropped);
    free(w);
    free(lo);
    free(hi);
    return st;
}

static hc_status alloc_result(hc_fit_result *res, size_t k)
{
    res->n_components = k;
    res->kept = calloc(k, sizeof *res->kept);
    res->dropped = calloc(k, sizeof *res->dropped);
    res->beta = calloc(k, sizeof *res->beta);
    res->beta_se = calloc(k, sizeof *res->beta_se);
    res->old_weight = calloc(k, sizeof *res->old_weight);
    res->new_weight = calloc(k, sizeof *res->new_weight);
    res->weight_ci_low = calloc(k, sizeof *res->weight_ci_low);
    res->weight_ci_high = calloc(k, sizeof *res->weight_ci_high);
    return res->kept && res->dropped && res->beta && res->beta_se &&
                   res->old_weight && res->new_weight && res->weight_ci_low &&
                   res->weight_ci_high
               ? HC_OK
               : HC_ENOMEM;
}

/* The linear score a + b sum_c w_c s_c of the design's rows [begin, end),
 * monotone in P(churn), so it ranks rows as P does. */
typedef struct {
    const design *d;
    const double *w;
    double a, b;
    double *out;
    size_t begin, end;
} linear_job;

static void *linear_run(void *arg)
{
    const linear_job *j = arg;
    for (size_t i = j->begin; i < j->end; i++) {
        double hsum = 0;
        for (size_t c = 0; c < j->d->k; c++)
            hsum += j->w[c] * j->d->col[c][i];
        j->out[i] = j->a + j->b * hsum;
    }
    return NULL;
}

static hc_status in_sample_auc(hc_fit_result *res, const design *d, hc_error *err)
{
    double *p = malloc((d->n ? d->n : 1) * sizeof *p);
    if (!p)
        return hc_error_nomem(err);
    const hc_churn_model *cm = &res->tuned->churn;
    /* Two halves on two threads: each row's value does not depend on the
     * split. */
    linear_job half[2] = {{d, res->new_weight, cm->intercept, cm->slope, p, 0, d->n / 2},
                          {d, res->new_weight, cm->intercept, cm->slope, p, d->n / 2, d->n}};
    pthread_t th;
    int threaded = pthread_create(&th, NULL, linear_run, &half[1]) == 0;
    linear_run(&half[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        linear_run(&half[1]);
    hc_status st = hc_metrics_roc_auc(d->churn, p, d->n, &res->in_sample_auc, err);
    free(p);
    return st;
}

static hc_status check_components(const hc_model *base, hc_error *err)
{
    size_t k = base->n_components;
    if (k == 0 || k > 256)
        return hc_error_set(err, HC_EDATA, base->source, 0, 0,
                            "components: between 1 and 256 components are needed");
    return HC_OK;
}

/* Weights and calibration from the churn fit (res->churn). */
static hc_status finish_churn(hc_fit_result *res, size_t k, hc_error *err)
{
    hc_status st;
    for (size_t j = 0; j < res->n_kept; j++) {
        size_t c = res->kept[j];
        res->beta[c] = res->churn.coef[j + 1];
        res->beta_se[c] = res->churn.robust_se ? res->churn.robust_se[j + 1]
                                               : res->churn.se[j + 1];
    }
    weights_from_fit(&res->churn, res->kept, res->n_kept, k, res->new_weight,
                     res->weight_ci_low, res->weight_ci_high);
    double B = 0;
    for (size_t j = 0; j < res->n_kept; j++)
        B += res->churn.coef[j + 1];
    if (!(B < 0))
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the fitted coefficients sum to zero: the components "
                            "do not separate churners from retained accounts");
    /* Exact sum to 1 for the config (the ratios already sum to 1 up to
     * rounding). */
    st = hc_model_set_weights(res->tuned, res->new_weight, err);
    if (st == HC_OK)
        st = hc_model_set_churn(res->tuned, res->churn.coef[0], B, err);
    return st;
}

/* The fit itself, once the design is built: res->tuned is the copy of
 * `base` (with learned quantiles) that receives the weights. */
static hc_status fit_design(const hc_model *base, const hc_history *h, design *d,
                            const hc_fit_options *opt, int trace,
                            hc_fit_result *res, hc_error *err)
{
    size_t k = base->n_components;
    hc_status st;
    res->n_fit = d->n;
    for (size_t i = 0; i < d->n; i++) {
        res->n_events += d->churn[i] > 0;
        if (d->expansion)
            res->n_expansion_events += d->expansion[i] > 0;
    }
    if (d->n == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no complete observation to fit: every one of the %zu "
                            "observations has a missing component sub-score",
                            res->n_candidates);
    for (size_t c = 0; c < k; c++)
        res->old_weight[c] = base->components[c].weight;
    expansion_job ej = {.m = base, .d = d, .opt = opt, .st = HC_OK};
    pthread_t th;
    int threaded = opt->expansion && pthread_create(&th, NULL, expansion_fit, &ej) == 0;
    st = constrained_churn_fit(res->tuned, d, NULL, d->n, opt, res->kept, &res->n_kept,
                               res->dropped, &res->churn, NULL, NULL, NULL, err);
    if (st == HC_OK && trace)
        hc_trace_mark("fit: churn model");
    if (st == HC_OK)
        st = finish_churn(res, k, err);
    /* The in-sample AUC while the expansion fit may still run. */
    if (st == HC_OK && !opt->skip_auc)
        st = in_sample_auc(res, d, err);
    if (st == HC_OK && trace)
        hc_trace_mark("fit: in-sample AUC");
    if (threaded)
        pthread_join(th, NULL);
    else if (opt->expansion && st == HC_OK)
        expansion_fit(&ej);
    if (st == HC_OK && opt->expansion)
        st = expansion_apply(&ej, res, err);
    else if (ej.st == HC_OK && opt->expansion)
        hc_logreg_result_release(&ej.res);
    if (st != HC_OK)
        return st;
    if (trace)
        hc_trace_mark("fit: expansion model");
    if (opt->segments && (st = fit_segments(res->tuned, h, d, opt, res, err)) != HC_OK)
        return st;
    return HC_OK;
}

hc_status hc_fit_model_columns(const hc_model *base, const double *const *cols,
                               const double *churn, const int32_t *cluster, size_t n,
                               const hc_fit_options *opt, hc_fit_result *res,
                               hc_error *err)
{
    memset(res, 0, sizeof *res);
    hc_status st = check_components(base, err);
    if (st != HC_OK)
        return st;
    if (opt->segments || opt->expansion)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "a fit from sub-score columns has no segments or "
                            "expansion outcomes");
    design d = {0};
    d.n = n;
    d.k = base->n_components;
    d.col = (const double **)cols;
    d.churn = (double *)churn;
    d.cluster = (int32_t *)cluster;
    d.borrowed = 1;
    res->tuned = hc_model_copy(base);
    if (!res->tuned || alloc_result(res, d.k) != HC_OK) {
        hc_fit_result_release(res);
        return hc_error_nomem(err);
    }
    res->n_candidates = n;
    st = fit_design(base, NULL, &d, opt, 0, res, err);
    if (st != HC_OK)
        hc_fit_result_release(res);
    return st;
}

hc_status hc_fit_model(const hc_model *base, const hc_history *h,
                       const size_t *rows, size_t n,
                       const hc_fit_options *opt, hc_fit_result *res,
                       hc_error *err)
{
    memset(res, 0, sizeof *res);
    size_t k = base->n_components;
    hc_status st = check_components(base, err);
    if (st != HC_OK)
        return st;
    const hc_snapshots *s = &h->snapshots;
    size_t *all = NULL;
    int rows_given = rows != NULL;
    if (!rows && !hc_model_has_quantiles(base, 0)) {
        /* Every observation: the design scores the whole table in order
         * and keeps the observations, with no list of row numbers. */
        n = s->table->n_rows;
    } else if (!rows) {
        all = malloc((h->labels.observations ? h->labels.observations : 1) * sizeof *all);
        if (!all)
            return hc_error_nomem(err);
        n = 0;
        for (size_t r = 0; r < s->table->n_rows; r++)
            if (h->labels.status[r] == HC_ROW_OBSERVATION)
                all[n++] = r;
        rows = all;
    }
    design d = {0};
    res->tuned = hc_model_copy(base);
    if (!res->tuned || alloc_result(res, k) != HC_OK) {
        st = hc_error_nomem(err);
        goto fail;
    }
    res->n_candidates = rows ? n : h->labels.observations;
    /* Learned transforms see the training rows only. */
    st = hc_model_learn_quantiles(res->tuned, s->table, rows, n, err);
    if (st != HC_OK)
        goto fail;
    if (opt->consume && opt->consume != s->table) {
        st = hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                          "fit: the table to consume is not the history's");
        goto fail;
    }
    st = build_design(res->tuned, h, rows, n, opt, &d, &res->n_incomplete, err);
    if (st != HC_OK)
        goto fail;
    if (!rows_given)
        hc_trace_mark("fit: design built");
    st = fit_design(base, h, &d, opt, !rows_given, res, err);
    if (st != HC_OK)
        goto fail;
    design_release(&d);
    free(all);
    return HC_OK;
fail:
    design_release(&d);
    free(all);
    hc_fit_result_release(res);
    return st;
}
