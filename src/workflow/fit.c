/* fit.c - the fit workflow: component weights, calibration and segments from labelled history, in the steps of fit_internal.h. */
#include "fit_internal.h"
#include "hc_metrics.h"
#include "hc_trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_fit_options_init(hc_fit_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->expansion = 1;
    opt->recalibrate = HC_RECAL_NONE;
    opt->recal_holdout = 0;
    opt->recal_embargo_days = -1;
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
    free(res->dropped_fit);
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

/* The expansion model's fit, which needs only the design: it runs on a
 * thread of its own while the churn model is fitted (each fit leaves a
 * core partly idle in its serial steps). The tuned model is set from it
 * after the join (expansion_apply), so the two never write the same data. */
typedef struct {
    const hc_model *m;
    const hc_fit_design *d;
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
    prob.cluster_name = j->d->cluster_name;
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

static hc_status alloc_result(hc_fit_result *res, size_t k)
{
    res->n_components = k;
    res->kept = calloc(k, sizeof *res->kept);
    res->dropped = calloc(k, sizeof *res->dropped);
    res->dropped_fit = calloc(k, sizeof *res->dropped_fit);
    res->beta = calloc(k, sizeof *res->beta);
    res->beta_se = calloc(k, sizeof *res->beta_se);
    res->old_weight = calloc(k, sizeof *res->old_weight);
    res->new_weight = calloc(k, sizeof *res->new_weight);
    res->weight_ci_low = calloc(k, sizeof *res->weight_ci_low);
    res->weight_ci_high = calloc(k, sizeof *res->weight_ci_high);
    return res->kept && res->dropped && res->dropped_fit && res->beta && res->beta_se &&
                   res->old_weight && res->new_weight && res->weight_ci_low &&
                   res->weight_ci_high
               ? HC_OK
               : HC_ENOMEM;
}

/* The linear score a + b sum_c w_c s_c of the design's rows [begin, end),
 * monotone in P(churn), so it ranks rows as P does. */
typedef struct {
    const hc_fit_design *d;
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

static hc_status in_sample_auc(hc_fit_result *res, const hc_fit_design *d, hc_error *err)
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
    hc_fit_weights_from_churn(&res->churn, res->kept, res->n_kept, k,
                              res->new_weight, res->weight_ci_low,
                              res->weight_ci_high, NULL);
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
static hc_status fit_on_design(const hc_model *base, const hc_history *h,
                               const hc_fit_design *d, const hc_fit_options *opt,
                               int trace, hc_fit_result *res, hc_error *err)
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
    st = hc_fit_constrained_churn(res->tuned, d, NULL, d->n, opt, res->kept,
                                  &res->n_kept, res->dropped, res->dropped_fit,
                                  &res->churn, NULL, NULL, NULL, err);
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
    if (opt->segments && (st = hc_fit_segments(res->tuned, h, d, opt, res, err)) != HC_OK)
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
    if (opt->recalibrate != HC_RECAL_NONE)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "a fit from sub-score columns has no snapshot dates "
                            "to hold out a recalibration period by");
    hc_fit_design d = {0};
    d.n = n;
    d.k = base->n_components;
    d.col = (const double **)cols;
    d.churn = (double *)churn;
    d.cluster = (int32_t *)cluster;
    d.cluster_name = "account";
    d.borrowed = 1;
    res->tuned = hc_model_copy(base);
    if (!res->tuned || alloc_result(res, d.k) != HC_OK) {
        hc_fit_result_release(res);
        return hc_error_nomem(err);
    }
    /* A map fitted to the base's probabilities does not fit the refit's
     * (and, fitted on later data, would leak it into a backtest fold). */
    hc_model_set_recalibration(res->tuned, NULL, NULL);
    res->n_candidates = n;
    st = fit_on_design(base, NULL, &d, opt, 0, res, err);
    if (st != HC_OK)
        hc_fit_result_release(res);
    return st;
}

hc_status hc_fit_model(const hc_model *base, const hc_history *h,
                       const size_t *rows, size_t n,
                       const hc_fit_options *opt, hc_fit_result *res,
                       hc_error *err)
{
    if (opt->recalibrate != HC_RECAL_NONE)
        return hc_fit_recalibrated(base, h, rows, n, opt, res, err);
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
    hc_fit_design d = {0};
    res->tuned = hc_model_copy(base);
    if (!res->tuned || alloc_result(res, k) != HC_OK) {
        st = hc_error_nomem(err);
        goto fail;
    }
    hc_model_set_recalibration(res->tuned, NULL, NULL); /* the base's map is stale */
    res->n_candidates = rows ? n : h->labels.observations;
    /* Learned transforms see the training rows only. */
    st = hc_model_learn_quantiles(res->tuned, s->table, rows, n, err);
    if (st == HC_OK) /* categorical levels from the training churn (issue 15) */
        st = hc_model_learn_levels(res->tuned, s->table, h->labels.churn, rows, n, err);
    if (st != HC_OK)
        goto fail;
    st = hc_fit_design_build(res->tuned, h, rows, n, opt, &d, &res->n_incomplete, err);
    /* The row list has served its purpose: the design holds the rows. */
    free(all);
    all = NULL;
    if (st != HC_OK)
        goto fail;
    if (!rows_given)
        hc_trace_mark("fit: design built");
    st = fit_on_design(base, h, &d, opt, !rows_given, res, err);
    if (st != HC_OK)
        goto fail;
    hc_fit_design_release(&d);
    return HC_OK;
fail:
    hc_fit_design_release(&d);
    free(all);
    hc_fit_result_release(res);
    return st;
}
