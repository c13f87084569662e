/* backtest.c - walk-forward backtest: folds by date with an embargo, refits, thresholds, pooled metrics. */
#include "hc_backtest.h"
#include "backtest_cache.h"
#include "hc_date.h"
#include "hc_logreg.h"
#include "hc_trace.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_backtest_options_init(hc_backtest_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->step_days = 90;
    opt->window_days = 365;
    opt->first_test = HC_DATE_MISSING;
    hc_fit_options_init(&opt->fit);
    opt->fit.expansion = 0;
    opt->fit.skip_auc = 1;
    hc_threshold_options_init(&opt->threshold);
    opt->min_train_churners = 10;
}

/* Parses a number at s that ends the text or a comma; returns the bytes
 * used, or -1. */
static int parse_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && (*end == '\0' || *end == ',') && isfinite(*v)
               ? (int)(end - s)
               : -1;
}

hc_status hc_backtest_parse_objective(const char *text, hc_threshold_options *t,
                                      hc_error *err)
{
    static const struct {
        const char *prefix;
        hc_threshold_objective obj;
    } simple[] = {{"recall=", HC_THRESHOLD_RECALL},
                  {"arr-recall=", HC_THRESHOLD_ARR_RECALL},
                  {"precision=", HC_THRESHOLD_PRECISION}};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        size_t len = strlen(simple[i].prefix);
        if (strncmp(text, simple[i].prefix, len) != 0)
            continue;
        double v;
        int used = parse_number(text + len, &v);
        if (used < 0 || text[len + (size_t)used] != '\0' || !(v > 0 && v <= 1))
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': the target after '=' must be a "
                                "number in (0, 1]", text);
        t->objective = simple[i].obj;
        t->target = v;
        return HC_OK;
    }
    if (strncmp(text, "value:", 6) == 0) {
        const char *s = text + 6;
        int have_cost = 0, have_rate = 0;
        double cost = 0, rate = 0;
        while (*s) {
            double v;
            int used;
            if (strncmp(s, "cost=", 5) == 0 && (used = parse_number(s + 5, &v)) >= 0 &&
                v >= 0) {
                cost = v;
                have_cost = 1;
                s += 5 + used;
            } else if (strncmp(s, "save-rate=", 10) == 0 &&
                       (used = parse_number(s + 10, &v)) >= 0 && v >= 0 && v <= 1) {
                rate = v;
                have_rate = 1;
                s += 10 + used;
            } else {
                return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                    "objective '%s': expected value:cost=C,save-rate=R "
                                    "with C >= 0 (ARR per intervention) and R in "
                                    "[0, 1]; cannot read '%s'", text, s);
            }
            if (*s == ',')
                s++;
        }
        if (!have_cost || !have_rate)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': both cost= and save-rate= are needed",
                                text);
        t->objective = HC_THRESHOLD_VALUE;
        t->cost = cost;
        t->save_rate = rate;
        t->target = 0;
        return HC_OK;
    }
    return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                        "unknown objective '%s' (use recall=0.7, arr-recall=0.7, "
                        "precision=0.3 or value:cost=C,save-rate=R)", text);
}

/* ---- the plan ---- */

/* First index i with date[i] >= d in the sorted dates. */
static size_t lower_bound(const int32_t *date, size_t n, int64_t d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)date[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void hc_backtest_plan_release(hc_backtest_plan *plan)
{
    if (!plan)
        return;
    free(plan->rows);
    free(plan->date);
    free(plan->folds);
    memset(plan, 0, sizeof *plan);
}

hc_status hc_backtest_plan_build(const hc_history *h, const hc_backtest_options *opt,
                                 hc_backtest_plan *plan, hc_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (opt->step_days <= 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the test step must be at least 1 day (got %d)",
                            opt->step_days);
    if (opt->window_days < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the training window cannot be negative (got %d)",
                            opt->window_days);
    const hc_snapshots *s = &h->snapshots;
    const int32_t *dates = s->table->cols[s->date_col].code;
    size_t n = h->labels.observations;
    plan->horizon = h->labels.horizon;
    plan->lead = h->labels.lead;
    /* The observations by date, ties in row order: a counting sort over
     * the days spanned (dates are days within years 1000 to 9999, so the
     * counts stay small), one pass to count and one to place. */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    size_t k = 0;
    for (size_t r = 0; r < s->table->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION) {
            lo = dates[r] < lo ? dates[r] : lo;
            hi = dates[r] > hi ? dates[r] : hi;
            k++;
        }
    n = k;
    if (n == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no labelled observations to backtest");
    if (s->table->n_rows > UINT32_MAX)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the backtest handles at most %lu snapshot rows",
                            (unsigned long)UINT32_MAX);
    size_t span = (size_t)((int64_t)hi - lo) + 1;
    size_t *start = calloc(span + 1, sizeof *start);
    plan->rows = malloc(n * sizeof *plan->rows);
    plan->date = malloc(n * sizeof *plan->date);
    if (!start || !plan->rows || !plan->date) {
        free(start);
        hc_backtest_plan_release(plan);
        return hc_error_nomem(err);
    }
    for (size_t r = 0; r < s->table->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION)
            start[(size_t)(dates[r] - lo) + 1]++;
    for (size_t d = 0; d < span; d++)
        start[d + 1] += start[d];
    for (size_t r = 0; r < s->table->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION) {
            size_t at = start[dates[r] - lo]++;
            plan->rows[at] = (uint32_t)r;
            plan->date[at] = dates[r];
        }
    free(start);
    plan->n_rows = n;
    plan->first_date = plan->date[0];
    plan->last_date = plan->date[n - 1];
    int64_t embargo = (int64_t)plan->horizon + plan->lead;
    int64_t step = opt->step_days, window = opt->window_days;
    int64_t t0 = opt->first_test != HC_DATE_MISSING
                     ? opt->first_test
                     : plan->first_date + (window > 0 ? window : step + embargo);
    size_t cap = t0 <= plan->last_date
                     ? (size_t)((plan->last_date - t0) / step + 1)
                     : 0;
    if (cap == 0) {
        char a[11], b[11], c[11];
        hc_date_format(plan->first_date, a);
        hc_date_format(plan->last_date, b);
        hc_date_format((int32_t)t0, c);
        hc_backtest_plan_release(plan);
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the labelled history (observations %s to %s) is too "
                            "short for one fold: the first test period would start "
                            "on %s; use a shorter --window or --step", a, b, c);
    }
    plan->folds = calloc(cap, sizeof *plan->folds);
    if (!plan->folds) {
        hc_backtest_plan_release(plan);
        return hc_error_nomem(err);
    }
    for (size_t f = 0; f < cap; f++) {
        int64_t T = t0 + (int64_t)f * step;
        hc_backtest_fold_plan *fp = &plan->folds[f];
        int64_t tr_lo = window > 0 ? T - window : plan->first_date;
        int64_t tr_hi = T - embargo; /* exclusive: t < T - H - lead */
        fp->test_start = (int32_t)T;
        fp->test_end = (int32_t)(T + step - 1);
        fp->train_start = (int32_t)tr_lo;
        fp->train_end = (int32_t)(tr_hi - 1);
        fp->train_begin = lower_bound(plan->date, n, tr_lo);
        fp->train_stop = lower_bound(plan->date, n, tr_hi);
        if (fp->train_stop < fp->train_begin)
            fp->train_stop = fp->train_begin;
        fp->test_begin = lower_bound(plan->date, n, T);
        fp->test_stop = lower_bound(plan->date, n, T + step);
    }
    plan->n_folds = cap;
    return HC_OK;
}

/* ---- running ---- */

static void cell_release_models(hc_backtest_result *res, size_t f)
{
    for (size_t c = 0; c < res->n_configs; c++)
        if (res->configs[c].fold_models) {
            hc_model_free(res->configs[c].fold_models[f]);
            res->configs[c].fold_models[f] = NULL;
        }
}

void hc_backtest_result_release(hc_backtest_result *res)
{
    if (!res)
        return;
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        free(cf->name);
        if (cf->band_names)
            for (size_t b = 0; b < cf->n_bands; b++)
                free(cf->band_names[b]);
        free(cf->band_names);
        hc_validate_result_release(&cf->pooled);
        free(cf->p);
        free(cf->health);
        free(cf->band);
        if (cf->fold_models) {
            for (size_t f = 0; f < res->plan.n_folds; f++)
                hc_model_free(cf->fold_models[f]);
            free(cf->fold_models);
        }
    }
    free(res->configs);
    if (res->folds)
        for (size_t f = 0; f < res->plan.n_folds; f++)
            free(res->folds[f].cells);
    free(res->folds);
    free(res->pooled_row);
    free(res->pooled_y);
    free(res->pooled_arr);
    free(res->comparisons);
    hc_threshold_result_release(&res->sweep);
    hc_backtest_plan_release(&res->plan);
    memset(res, 0, sizeof *res);
}

/* Per-config scratch for one fold, allocated once for the largest fold. */
typedef struct {
    double *h_train_buf; /* max_train; NULL for a config the cache scores */
    const double *h_train; /* the fold's training H: the buffer or the cache */
    double *h_test;    /* max_test */
    double *p_test;
    int32_t *b_test;
    double cuts[HC_THRESHOLDS_MAX_BANDS];
    size_t n_cuts;
} scratch;

/* The configs whose pooled p, H and bands are made after the folds from
 * the cache (pooled_outputs) rather than stored fold by fold: those the
 * cache scores (hand-set without per-fold quantiles, and the tuned refit
 * on cached sub-scores). What that needs beyond the cells' cut points and
 * maps: whether each fold's p came from the logistic map of H, and the
 * tuned config's models (in fold_models). */
typedef struct {
    unsigned char *deferred;   /* n_configs */
    unsigned char *map_used;   /* n_folds x n_configs (fold-major) */
} deferral;

/* Shared buffers of the run. */
typedef struct {
    size_t max_train, max_test;
    const double *y_train, *arr_train;     /* the fold's slices of the cache */
    const double *y_test, *arr_test;
    double *xa, *xb;     /* max_train, allocated when a training row lacks H */
    double *ta, *tb;     /* max_test: a fold's test rows, compacted */
    unsigned char *valid;                  /* max_test */
    /* the complete training rows of the refit, when some sub-score is
     * missing (allocated on first use) */
    double *fit_sub;                       /* k x max_train */
    double *fit_y;                         /* max_train */
    int32_t *fit_cluster;                  /* max_train */
    size_t *rows;      /* max_train + max_test: a fold's rows for the APIs
                          that read the table (allocated on first use) */
    double *psi_buf;   /* max_train: PSI scratch when no config lends one */
    const deferral *defer;                 /* shared by both workspaces */
    scratch *sc;                           /* n_configs */
    int ready;                             /* compute_fold left a fold to pool */
} workspace;

static void workspace_release(workspace *w, size_t n_cfg)
{
    free(w->xa);
    free(w->xb);
    free(w->ta);
    free(w->tb);
    free(w->valid);
    free(w->fit_sub);
    free(w->fit_y);
    free(w->fit_cluster);
    free(w->rows);
    free(w->psi_buf);
    if (w->sc)
        for (size_t c = 0; c < n_cfg; c++) {
            free(w->sc[c].h_train_buf);
            free(w->sc[c].h_test);
            free(w->sc[c].p_test);
            free(w->sc[c].b_test);
        }
    free(w->sc);
}

static hc_status workspace_alloc(workspace *w, const hc_backtest_plan *plan,
                                 const hc_bt_cache *cache, size_t n_cfg, hc_error *err)
{
    memset(w, 0, sizeof *w);
    for (size_t f = 0; f < plan->n_folds; f++) {
        const hc_backtest_fold_plan *fp = &plan->folds[f];
        size_t a = fp->train_stop - fp->train_begin, b = fp->test_stop - fp->test_begin;
        w->max_train = a > w->max_train ? a : w->max_train;
        w->max_test = b > w->max_test ? b : w->max_test;
    }
    size_t mt = w->max_train ? w->max_train : 1, ms = w->max_test ? w->max_test : 1;
    w->ta = malloc(ms * sizeof *w->ta);
    w->tb = malloc(ms * sizeof *w->tb);
    w->valid = malloc(ms);
    w->sc = calloc(n_cfg, sizeof *w->sc);
    int ok = w->ta && w->tb && w->valid && w->sc;
    for (size_t c = 0; ok && c < n_cfg; c++) {
        scratch *s = &w->sc[c];
        int cached = c < cache->n_models && cache->health[c];
        s->h_train_buf = cached ? NULL : malloc(mt * sizeof *s->h_train_buf);
        s->h_test = malloc(ms * sizeof *s->h_test);
        s->p_test = malloc(ms * sizeof *s->p_test);
        s->b_test = malloc(ms * sizeof *s->b_test);
        ok = (cached || s->h_train_buf) && s->h_test && s->p_test && s->b_test;
    }
    if (!ok) {
        workspace_release(w, n_cfg);
        return hc_error_nomem(err);
    }
    return HC_OK;
}

/* The objective's value for a red band of `red_n` rows holding
 * `red_churn` churners and `red_carr` churned ARR, out of `churners`
 * churners and `carr` churned ARR. */
static double objective_value(const hc_threshold_options *o, size_t red_n,
                              size_t red_churn, double red_carr, size_t churners,
                              double carr)
{
    switch (o->objective) {
    case HC_THRESHOLD_RECALL:
        return churners ? (double)red_churn / (double)churners : NAN;
    case HC_THRESHOLD_ARR_RECALL:
        return carr > 0 ? red_carr / carr : NAN;
    case HC_THRESHOLD_PRECISION:
        return red_n ? (double)red_churn / (double)red_n : NAN;
    case HC_THRESHOLD_VALUE:
        return o->save_rate * red_carr - o->cost * (double)red_n;
    }
    return NAN;
}

static int32_t band_of_cuts(const double *cuts, size_t n_cuts, double h)
{
    int32_t b = 0;
    while ((size_t)b < n_cuts && h >= cuts[b])
        b++;
    return b;
}

/* Status of a per-fold step: HC_OK, a skip (the fold is unusable; the
 * message is in `note`) or a hard error returned to the caller. */
static int is_skip(hc_status st)
{
    return st == HC_ENUMERIC;
}

/* The design of a fold's refit from the cached sub-scores: the slices of
 * the training rows when every sub-score is finite; else the complete rows
 * compacted into w (in order, with their outcomes and accounts), which are
 * the rows hc_fit_model keeps from the table. *n_fit gets their count. */
static hc_status fit_columns(const hc_bt_cache *cache, workspace *w,
                             const hc_backtest_fold_plan *fp, const double **cols,
                             size_t *n_fit, hc_error *err)
{
    size_t b = fp->train_begin, n_tr = fp->train_stop - fp->train_begin, K = cache->k;
    if (cache->sub_complete) {
        for (size_t k = 0; k < K; k++)
            cols[k] = cache->sub + k * cache->n + b;
        *n_fit = n_tr;
        return HC_OK;
    }
    size_t mt = w->max_train ? w->max_train : 1;
    if (!w->fit_sub)
        w->fit_sub = malloc(K * mt * sizeof *w->fit_sub);
    if (!w->fit_y)
        w->fit_y = malloc(mt * sizeof *w->fit_y);
    if (!w->fit_cluster)
        w->fit_cluster = malloc(mt * sizeof *w->fit_cluster);
    if (!w->fit_sub || !w->fit_y || !w->fit_cluster)
        return hc_error_nomem(err);
    size_t q = 0;
    for (size_t i = b; i < b + n_tr; i++) {
        int complete = 1;
        for (size_t k = 0; k < K; k++)
            complete &= isfinite(cache->sub[k * cache->n + i]) != 0;
        if (!complete)
            continue;
        for (size_t k = 0; k < K; k++)
            w->fit_sub[k * mt + q] = cache->sub[k * cache->n + i];
        w->fit_y[q] = cache->y[i];
        w->fit_cluster[q] = cache->cluster[i];
        q++;
    }
    for (size_t k = 0; k < K; k++)
        cols[k] = w->fit_sub + k * mt;
    *n_fit = q;
    return HC_OK;
}

/* Scores one config in one fold: builds or copies its model, scores the
 * training and test rows, its probabilities and its cut points. */
static hc_status fold_config(const hc_history *h, hc_backtest_result *res,
                             const hc_bt_cache *cache, workspace *w, size_t f, size_t c,
                             char *note, size_t note_size, hc_error *err)
{
    const hc_backtest_fold_plan *fp = &res->plan.folds[f];
    hc_backtest_config *cf = &res->configs[c];
    hc_backtest_cell *cell = &res->folds[f].cells[c];
    scratch *s = &w->sc[c];
    const hc_table *t = h->snapshots.table;
    size_t n_tr = fp->train_stop - fp->train_begin, n_te = fp->test_stop - fp->test_begin;
    const hc_backtest_options *opt = &res->opt;
    int cached = c < cache->n_models && cache->health[c];
    int from_subs = cf->kind == HC_BT_TUNED && cache->sub;
    /* The fold's rows as the table-reading APIs take them, when a config
     * reads the table in this fold. */
    const size_t *tr = NULL, *te = NULL;
    if (!cached && !from_subs) {
        if (!w->rows && !(w->rows = malloc((w->max_train + w->max_test + 1) *
                                           sizeof *w->rows)))
            return hc_error_nomem(err);
        for (size_t i = 0; i < n_tr; i++)
            w->rows[i] = res->plan.rows[fp->train_begin + i];
        for (size_t i = 0; i < n_te; i++)
            w->rows[w->max_train + i] = res->plan.rows[fp->test_begin + i];
        tr = w->rows;
        te = w->rows + w->max_train;
    }
    hc_model *owned = NULL;
    const hc_model *m = cf->model;
    hc_status st = HC_OK;
    hc_error e2;
    hc_error_clear(&e2);

    /* The tuned config's refit works on the cached sub-scores when it can:
     * the fold's training rows are a slice of them. */
    if (cf->kind == HC_BT_TUNED) {
        hc_fit_result fr;
        if (from_subs) {
            const double *cols[256];
            size_t n_fit = 0;
            if ((st = fit_columns(cache, w, fp, cols, &n_fit, err)) != HC_OK)
                return st;
            if (n_fit == 0)
                st = hc_error_set(&e2, HC_ENUMERIC, NULL, 0, 0,
                                  "no complete observation to fit: every one of the "
                                  "%zu observations has a missing component sub-score",
                                  n_tr);
            else if (cache->sub_complete)
                st = hc_fit_model_columns(cf->model, cols, cache->y + fp->train_begin,
                                          cache->cluster + fp->train_begin, n_fit,
                                          &opt->fit, &fr, &e2);
            else
                st = hc_fit_model_columns(cf->model, cols, w->fit_y, w->fit_cluster,
                                          n_fit, &opt->fit, &fr, &e2);
        } else {
            st = hc_fit_model(cf->model, h, tr, n_tr, &opt->fit, &fr, &e2);
        }
        if (st != HC_OK) {
            if (is_skip(st))
                snprintf(note, note_size, "the refit of '%.40s' failed: %.400s", cf->name,
                         e2.message);
            else
                *err = e2;
            return st;
        }
        owned = fr.tuned;
        fr.tuned = NULL;
        hc_fit_result_release(&fr);
        m = owned;
    } else if (hc_model_has_quantiles(cf->model, 1)) {
        owned = hc_model_copy(cf->model);
        if (!owned)
            return hc_error_nomem(err);
        if ((st = hc_model_learn_quantiles(owned, t, tr, n_tr, err)) != HC_OK) {
            hc_model_free(owned);
            return st;
        }
        m = owned;
    }
    hc_score_out otr = {.health = s->h_train_buf};
    hc_score_out ote = {.health = s->h_test, .p_churn = s->p_test};
    s->h_train = s->h_train_buf;
    if (cached) {
        /* Scored once for every fold. */
        s->h_train = cache->health[c] + fp->train_begin;
        memcpy(s->h_test, cache->health[c] + fp->test_begin, n_te * sizeof *s->h_test);
        if (cache->p[c]) /* else no churn model: the map below makes p */
            memcpy(s->p_test, cache->p[c] + fp->test_begin, n_te * sizeof *s->p_test);
    } else if (from_subs) {
        if ((st = hc_model_score_subs(m, cache->sub + fp->train_begin, cache->n, n_tr,
                                      &otr, err)) != HC_OK ||
            (st = hc_model_score_subs(m, cache->sub + fp->test_begin, cache->n, n_te,
                                      &ote, err)) != HC_OK)
            goto done;
    } else if ((st = hc_model_score_rows(m, t, tr, 0, n_tr, 1, &otr, err)) != HC_OK ||
               (st = hc_model_score_rows(m, t, te, 0, n_te, 1, &ote, err)) != HC_OK) {
        goto done;
    }

    /* Training rows with a health score, for the map, cuts and PSI: the
     * rows themselves when every one has H, else a compacted copy. */
    size_t k = 0;
    while (k < n_tr && isfinite(s->h_train[k]))
        k++;
    const double *xh = s->h_train, *xy = w->y_train;
    if (k < n_tr) {
        if (!w->xa)
            w->xa = malloc(w->max_train * sizeof *w->xa);
        if (!w->xb)
            w->xb = malloc(w->max_train * sizeof *w->xb);
        if (!w->xa || !w->xb) {
            st = hc_error_nomem(err);
            goto done;
        }
        k = 0;
        for (size_t i = 0; i < n_tr; i++) {
            if (!isfinite(s->h_train[i]))
                continue;
            w->xa[k] = s->h_train[i];
            w->xb[k] = w->y_train[i];
            k++;
        }
        xh = w->xa;
        xy = w->xb;
    }
    /* Probabilities: the config's churn model when it covers every scored
     * test row, else a logistic map of H fitted on the training rows. */
    int have_p = m->churn.present;
    for (size_t i = 0; have_p && i < n_te; i++)
        if (isfinite(s->h_test[i]) && !isfinite(s->p_test[i]))
            have_p = 0;
    cell->map_intercept = m->churn.intercept;
    cell->map_slope = m->churn.slope;
    if (!have_p) {
        double a, b;
        st = hc_validate_logistic_map(xy, xh, k, NULL, &a, &b, &e2);
        if (st != HC_OK) {
            if (is_skip(st))
                snprintf(note, note_size,
                         "the logistic map of '%.40s' on the training rows failed: %.400s",
                         cf->name, e2.message);
            else
                *err = e2;
            goto done;
        }
        for (size_t i = 0; i < n_te; i++)
            s->p_test[i] = isfinite(s->h_test[i]) ? hc_logistic(a + b * s->h_test[i]) : NAN;
        cell->map_intercept = a;
        cell->map_slope = b;
        if (w->defer->deferred[c])
            w->defer->map_used[f * res->n_configs + c] = 1;
    }

    /* Cut points: chosen on the training rows, or the config's bands. */
    s->n_cuts = m->n_bands > 0 ? m->n_bands - 1 : 0;
    for (size_t b = 0; b < s->n_cuts; b++)
        s->cuts[b] = m->bands[b + 1].min;
    cell->objective_train = cell->objective_test = NAN;
    if (opt->use_objective && m->n_bands >= 2) {
        /* The ARR of the training rows with a score, compacted alongside. */
        double *arr_k = NULL;
        if (h->snapshots.arr_col >= 0) {
            arr_k = malloc((k ? k : 1) * sizeof *arr_k);
            if (!arr_k) {
                st = hc_error_nomem(err);
                goto done;
            }
            size_t q = 0;
            for (size_t i = 0; i < n_tr; i++)
                if (isfinite(s->h_train[i]))
                    arr_k[q++] = w->arr_train[i];
        }
        hc_threshold_options to = opt->threshold;
        to.n_bands = m->n_bands;
        hc_threshold_result tres;
        hc_error te2;
        hc_error_clear(&te2);
        st = hc_thresholds_search(xh, xy, arr_k, k, &to, &tres, &te2);
        free(arr_k);
        if (st == HC_OK) {
            for (size_t b = 0; b < s->n_cuts; b++)
                s->cuts[b] = tres.cuts[b];
            cell->objective_met = tres.met;
            cell->objective_train = tres.achieved;
            hc_threshold_result_release(&tres);
        } else if (st == HC_ENUMERIC || st == HC_EUSAGE) {
            snprintf(cell->note, sizeof cell->note,
                     "no cut points met the constraints on the training rows (%.380s); "
                     "the config's own bands were used", te2.message);
            st = HC_OK;
        } else {
            *err = te2;
            goto done;
        }
    }
    cell->n_cuts = s->n_cuts;
    memcpy(cell->cuts, s->cuts, s->n_cuts * sizeof *s->cuts);
    for (size_t i = 0; i < n_te; i++)
        s->b_test[i] = isfinite(s->h_test[i]) ? band_of_cuts(s->cuts, s->n_cuts, s->h_test[i]) : -1;

    /* PSI of H, training vs test (DESIGN.md "Backtest"). */
    cell->psi = NAN;
    {
        size_t q = 0;
        for (size_t i = 0; i < n_te; i++)
            if (isfinite(s->h_test[i]))
                w->ta[q++] = s->h_test[i];
        /* The quantiles of the training H are selected in a buffer of
         * max_train doubles: the training H itself when it is this fold's
         * own, else a copy in one no config uses now (the tuned config's,
         * filled only after every other config's fold). */
        double *buf = NULL;
        if (xh == s->h_train_buf || xh == w->xa) {
            buf = (double *)(xh == w->xa ? w->xa : s->h_train_buf);
        } else if (k > 0 && q > 0) {
            size_t last = res->n_configs - 1;
            if (c < last && res->configs[last].kind == HC_BT_TUNED &&
                w->sc[last].h_train_buf)
                buf = w->sc[last].h_train_buf;
            else if (w->psi_buf || (w->psi_buf = malloc((w->max_train ? w->max_train : 1) *
                                                        sizeof *w->psi_buf)))
                buf = w->psi_buf;
            if (buf)
                memcpy(buf, xh, k * sizeof *buf);
        }
        hc_metrics_psi_result pr;
        hc_error pe;
        if (k > 0 && q > 0 && buf && hc_metrics_psi_in(buf, k, w->ta, q, 10, &pr, &pe) == HC_OK)
            cell->psi = pr.psi;
    }
done:
    if (st == HC_OK && cf->fold_models) {
        if (!owned && !(owned = hc_model_copy(m)))
            st = hc_error_nomem(err);
        cf->fold_models[f] = owned;
        owned = NULL;
    }
    hc_model_free(owned);
    return st;
}

/* Metrics of one config on the fold's common test rows (already compacted
 * into xa = p, xb = y). */
static void fold_metrics(hc_backtest_cell *cell, const double *y, const double *p,
                         size_t n)
{
    hc_error e;
    hc_error_clear(&e);
    /* Per fold, folds.csv reports no lowess-based metric: skip the smooth. */
    if (hc_metrics_evaluate_ex(y, p, NULL, n, HC_METRICS_NO_SMOOTH, &cell->metrics, NULL, &e) == HC_OK) {
        cell->has_metrics = 1;
    } else {
        cell->has_metrics = 0;
        size_t pos = 0;
        for (size_t i = 0; i < n; i++)
            pos += y[i] == 1.0;
        cell->metrics.n = n;
        cell->metrics.positives = pos;
        if (pos == 0)
            snprintf(cell->note, sizeof cell->note,
                     "no churners among the %zu test rows: the metrics are "
                     "undefined for this fold (its rows still count in the "
                     "pooled metrics)", n);
        else
            snprintf(cell->note, sizeof cell->note, "metrics undefined: %.400s", e.message);
    }
}

/* The first half of a fold: every config's scores, probabilities and cut
 * points on the fold's rows, into the workspace `w`. Folds are independent
 * here, so two run at once on two workspaces; w->ready says whether the
 * fold is to be pooled. */
static hc_status compute_fold(const hc_history *h, hc_backtest_result *res,
                              const hc_bt_cache *cache, workspace *w, size_t f,
                              hc_error *err)
{
    w->ready = 0;
    hc_backtest_fold *fold = &res->folds[f];
    const hc_backtest_fold_plan *fp = &res->plan.folds[f];
    size_t n_tr = fp->train_stop - fp->train_begin, n_te = fp->test_stop - fp->test_begin;
    fold->n_train = n_tr;
    w->y_train = cache->y + fp->train_begin;
    w->arr_train = cache->arr + fp->train_begin;
    w->y_test = cache->y + fp->test_begin;
    w->arr_test = cache->arr + fp->test_begin;
    for (size_t i = 0; i < n_tr; i++)
        fold->train_positives += w->y_train[i] == 1.0;
    if (n_te == 0) {
        snprintf(fold->note, sizeof fold->note, "no observations in the test period");
        return HC_OK;
    }
    if (n_tr == 0) {
        snprintf(fold->note, sizeof fold->note,
                 "no training observations before the embargo");
        return HC_OK;
    }
    if (fold->train_positives < res->opt.min_train_churners) {
        snprintf(fold->note, sizeof fold->note,
                 "only %zu churners among the %zu training rows (at least %zu "
                 "needed)", fold->train_positives, n_tr, res->opt.min_train_churners);
        return HC_OK;
    }
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_status st = fold_config(h, res, cache, w, f, c, fold->note, sizeof fold->note,
                                   err);
        if (st == HC_OK)
            continue;
        cell_release_models(res, f);
        memset(fold->cells, 0, res->n_configs * sizeof *fold->cells);
        return is_skip(st) ? HC_OK : st;
    }
    /* The common test rows: every config has H and p. */
    size_t nv = 0;
    for (size_t i = 0; i < n_te; i++) {
        int ok = 1;
        for (size_t c = 0; c < res->n_configs && ok; c++)
            ok = isfinite(w->sc[c].h_test[i]) && isfinite(w->sc[c].p_test[i]);
        w->valid[i] = (unsigned char)ok;
        nv += ok;
    }
    fold->test_excluded = n_te - nv;
    fold->n_test = nv;
    if (nv == 0) {
        snprintf(fold->note, sizeof fold->note,
                 "none of the %zu test rows has a health score under every config", n_te);
        cell_release_models(res, f);
        return HC_OK;
    }
    /* Per-fold metrics of every config on the common rows, here rather
     * than in pool_fold so that two folds compute them at once. */
    size_t q = 0;
    for (size_t i = 0; i < n_te; i++)
        if (w->valid[i])
            w->ta[q++] = w->y_test[i];
    for (size_t c = 0; c < res->n_configs; c++) {
        q = 0;
        for (size_t i = 0; i < n_te; i++)
            if (w->valid[i])
                w->tb[q++] = w->sc[c].p_test[i];
        fold_metrics(&fold->cells[c], w->ta, w->tb, nv);
    }
    w->ready = 1;
    return HC_OK;
}

/* The second half: appends the fold's common test rows to the pooled
 * arrays and computes its per-fold metrics. Runs in fold order, so the
 * pooled rows are in the same order however the folds were computed. */
static void pool_fold(hc_backtest_result *res, workspace *w, size_t f,
                      unsigned char *mark)
{
    if (!w->ready)
        return;
    hc_backtest_fold *fold = &res->folds[f];
    const hc_backtest_fold_plan *fp = &res->plan.folds[f];
    size_t n_te = fp->test_stop - fp->test_begin, nv = fold->n_test;
    size_t base = res->n_pooled;
    const double *y = w->y_test, *arr = w->arr_test;
    /* The rows themselves, their outcomes and ARR join the pool after the
     * folds, by compaction of the plan and the cache (pooled_from_cache),
     * and so do the p, H and bands of a deferred config
     * (pooled_outputs): here the rows are only marked. */
    for (size_t i = 0; i < n_te; i++) {
        mark[fp->test_begin + i] = w->valid[i];
        if (w->valid[i])
            fold->test_positives += y[i] == 1.0;
    }
    double carr = 0;
    for (size_t i = 0; i < n_te; i++)
        if (w->valid[i])
            carr += y[i] == 1.0 ? arr[i] : 0.0;
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        hc_backtest_cell *cell = &fold->cells[c];
        scratch *s = &w->sc[c];
        for (size_t i = 0, q = base; !w->defer->deferred[c] && i < n_te; i++) {
            if (!w->valid[i])
                continue;
            cf->p[q] = s->p_test[i];
            cf->health[q] = s->h_test[i];
            cf->band[q] = s->b_test[i];
            q++;
        }
        /* Bands on the test rows under this fold's cut points. */
        double red_carr = 0;
        for (size_t i = 0; i < n_te; i++) {
            if (!w->valid[i])
                continue;
            int32_t b = s->b_test[i];
            cell->band_accounts[b]++;
            cell->band_churners[b] += y[i] == 1.0;
            cell->band_arr[b] += arr[i];
        }
        for (size_t i = 0; i < n_te; i++)
            if (w->valid[i] && s->b_test[i] == 0 && y[i] == 1.0)
                red_carr += arr[i];
        size_t red_n = cell->band_accounts[0], red_y = cell->band_churners[0];
        cell->red_share = (double)red_n / (double)nv;
        cell->red_precision = red_n ? (double)red_y / (double)red_n : NAN;
        cell->red_recall = fold->test_positives
                               ? (double)red_y / (double)fold->test_positives
                               : NAN;
        cell->red_arr_recall = carr > 0 ? red_carr / carr : NAN;
        if (res->opt.use_objective)
            cell->objective_test = objective_value(&res->opt.threshold, red_n, red_y,
                                                   red_carr, fold->test_positives, carr);
    }
    res->n_pooled += nv;
    fold->used = 1;
    res->folds_used++;
}

typedef struct {
    const hc_history *h;
    hc_backtest_result *res;
    const hc_bt_cache *cache;
    workspace *w;
    size_t f;
    hc_status st;
    hc_error err;
} fold_job;

static void *fold_thread(void *arg)
{
    fold_job *j = arg;
    j->st = compute_fold(j->h, j->res, j->cache, j->w, j->f, &j->err);
    return NULL;
}

static hc_status setup_configs(hc_backtest_result *res, const hc_model *const *configs,
                               const char *const *names, size_t n, hc_error *err)
{
    size_t n_cfg = n + (res->opt.tuned ? 1 : 0);
    res->configs = calloc(n_cfg, sizeof *res->configs);
    if (!res->configs)
        return hc_error_nomem(err);
    res->n_configs = n_cfg;
    for (size_t c = 0; c < n_cfg; c++) {
        hc_backtest_config *cf = &res->configs[c];
        int tuned = c == n;
        const hc_model *m = tuned ? configs[0] : configs[c];
        cf->kind = tuned ? HC_BT_TUNED : HC_BT_HAND_SET;
        cf->model = m;
        char buf[256];
        if (tuned)
            snprintf(buf, sizeof buf, "tuned");
        else if (names && names[c])
            snprintf(buf, sizeof buf, "%s", names[c]);
        else if (m->name)
            snprintf(buf, sizeof buf, "%s", m->name);
        else
            snprintf(buf, sizeof buf, "config %zu", c + 1);
        /* Display names must be distinct: they key the output files. */
        for (size_t d = 0; d < c; d++)
            if (strcmp(res->configs[d].name, buf) == 0) {
                size_t len = strlen(buf);
                snprintf(buf + (len < 240 ? len : 240), sizeof buf - (len < 240 ? len : 240),
                         " (%zu)", c + 1);
                break;
            }
        cf->name = strdup(buf);
        if (!cf->name)
            return hc_error_nomem(err);
        if (m->n_bands > HC_THRESHOLDS_MAX_BANDS)
            return hc_error_set(err, HC_EUSAGE, m->source, 0, 0,
                                "bands: the config has %zu bands; the backtest "
                                "handles at most %d", m->n_bands,
                                HC_THRESHOLDS_MAX_BANDS);
        cf->n_bands = m->n_bands;
        cf->band_names = calloc(m->n_bands ? m->n_bands : 1, sizeof *cf->band_names);
        if (!cf->band_names)
            return hc_error_nomem(err);
        for (size_t b = 0; b < m->n_bands; b++)
            if (!(cf->band_names[b] = strdup(m->bands[b].name)))
                return hc_error_nomem(err);
        if (tuned)
            cf->probabilities = "refitted on each fold's training rows (hc_fit_model)";
        else if (m->churn.present)
            cf->probabilities = "the config's churn_model (fixed)";
        else
            cf->probabilities = "logistic map of H fitted on each fold's training rows";
        if (res->opt.keep_models &&
            !(cf->fold_models = calloc(res->plan.n_folds, sizeof *cf->fold_models)))
            return hc_error_nomem(err);
    }
    return HC_OK;
}

/* The folds' cells, and the pooled arrays filled fold by fold: those of
 * the configs that are not deferred. pooled_row, pooled_y and pooled_arr
 * are compactions of the plan and the cache (pooled_from_cache). */
static hc_status alloc_pooled(hc_backtest_result *res, const deferral *d,
                              hc_error *err)
{
    size_t cap = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++)
        cap += res->plan.folds[f].test_stop - res->plan.folds[f].test_begin;
    cap = cap ? cap : 1;
    res->folds = calloc(res->plan.n_folds, sizeof *res->folds);
    if (!res->folds)
        return hc_error_nomem(err);
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        res->folds[f].index = f;
        res->folds[f].plan = &res->plan.folds[f];
        if (!(res->folds[f].cells = calloc(res->n_configs, sizeof *res->folds[f].cells)))
            return hc_error_nomem(err);
    }
    for (size_t c = 0; c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        if (d->deferred[c])
            continue;
        cf->p = malloc(cap * sizeof *cf->p);
        cf->health = malloc(cap * sizeof *cf->health);
        cf->band = malloc(cap * sizeof *cf->band);
        if (!cf->p || !cf->health || !cf->band)
            return hc_error_nomem(err);
    }
    return HC_OK;
}

/* Keeps the values v[i] with mark[i] set, in order, at the front of v
 * (q <= i: nothing is overwritten before it is read); returns their count. */
static size_t compact_doubles(double *v, const unsigned char *mark, size_t n)
{
    size_t q = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i])
            v[q++] = v[i];
    return q;
}

static size_t compact_rows(uint32_t *v, const unsigned char *mark, size_t n)
{
    size_t q = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i])
            v[q++] = v[i];
    return q;
}

/* Gives back the tail of a compacted array (a failed shrink keeps it). */
static void *shrink(void *p, size_t bytes)
{
    void *q = realloc(p, bytes ? bytes : 1);
    return q ? q : p;
}

/* The pooled p, H and bands of the deferred configs, from the cache and
 * what each fold kept (cut points, the map of H or the config's own p,
 * the tuned model), with the arithmetic fold_config uses: the values it
 * would have stored. Runs before pooled_from_cache, on the marked rows. */
static hc_status pooled_outputs(hc_backtest_result *res, const hc_bt_cache *cache,
                                const deferral *d, const unsigned char *mark,
                                hc_error *err)
{
    size_t np = res->n_pooled ? res->n_pooled : 1, nc = res->n_configs, max_test = 1;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        const hc_backtest_fold_plan *fp = &res->plan.folds[f];
        max_test = fp->test_stop - fp->test_begin > max_test ? fp->test_stop - fp->test_begin
                                                             : max_test;
    }
    double *th = NULL, *tp = NULL; /* a fold's tuned H and p */
    hc_status st = HC_OK;
    for (size_t c = 0; c < nc && st == HC_OK; c++) {
        if (!d->deferred[c])
            continue;
        hc_backtest_config *cf = &res->configs[c];
        int tuned = cf->kind == HC_BT_TUNED;
        cf->p = malloc(np * sizeof *cf->p);
        cf->band = malloc(np * sizeof *cf->band);
        if (tuned)
            cf->health = malloc(np * sizeof *cf->health);
        if (tuned && !th) {
            th = malloc(max_test * sizeof *th);
            tp = malloc(max_test * sizeof *tp);
        }
        if (!cf->p || !cf->band || (tuned && (!cf->health || !th || !tp))) {
            st = hc_error_nomem(err);
            break;
        }
        size_t q = 0;
        for (size_t f = 0; f < res->plan.n_folds && st == HC_OK; f++) {
            if (!res->folds[f].used)
                continue;
            const hc_backtest_fold_plan *fp = &res->plan.folds[f];
            const hc_backtest_cell *cell = &res->folds[f].cells[c];
            size_t b = fp->test_begin, n_te = fp->test_stop - fp->test_begin;
            const double *H = NULL, *P = NULL;
            if (!tuned) { /* a cached config: c < cache->n_models */
                H = cache->health[c] + b;
                P = cache->p[c] ? cache->p[c] + b : NULL;
            } else {
                hc_score_out out = {.health = th, .p_churn = tp};
                st = hc_model_score_subs(cf->fold_models[f], cache->sub + b, cache->n, n_te,
                                         &out, err);
                H = th;
                P = tp;
            }
            int map = d->map_used[f * nc + c];
            for (size_t i = 0; st == HC_OK && i < n_te; i++) {
                if (!mark[b + i])
                    continue;
                double h = H[i];
                if (tuned)
                    cf->health[q] = h;
                cf->p[q] = map ? hc_logistic(cell->map_intercept + cell->map_slope * h) : P[i];
                cf->band[q] = band_of_cuts(cell->cuts, cell->n_cuts, h);
                q++;
            }
        }
        if (!res->opt.keep_models && cf->fold_models) {
            for (size_t f = 0; f < res->plan.n_folds; f++)
                hc_model_free(cf->fold_models[f]);
            free(cf->fold_models);
            cf->fold_models = NULL;
        }
    }
    free(th);
    free(tp);
    return st;
}

/* The pooled rows are the marked plan rows in plan order (folds test
 * consecutive date ranges, each a slice of the plan, and pool in fold
 * order), so the plan's rows and the cache's outcomes, ARR and cached H
 * become the pooled arrays by compaction in place: no second copy of
 * them is ever held. The plan's rows move to pooled_row (plan.rows is
 * NULL afterwards); the rest of the cache is freed. */
static void pooled_from_cache(hc_backtest_result *res, hc_bt_cache *cache,
                              const unsigned char *mark)
{
    size_t n = res->plan.n_rows, np = res->n_pooled;
    compact_rows(res->plan.rows, mark, n);
    res->pooled_row = shrink(res->plan.rows, np * sizeof *res->pooled_row);
    res->plan.rows = NULL;
    compact_doubles(cache->y, mark, n);
    res->pooled_y = shrink(cache->y, np * sizeof *res->pooled_y);
    cache->y = NULL;
    compact_doubles(cache->arr, mark, n);
    res->pooled_arr = shrink(cache->arr, np * sizeof *res->pooled_arr);
    cache->arr = NULL;
    for (size_t c = 0; c < res->n_configs && c < cache->n_models; c++) {
        if (!cache->health[c])
            continue;
        compact_doubles(cache->health[c], mark, n);
        res->configs[c].health = shrink(cache->health[c], np * sizeof(double));
        cache->health[c] = NULL;
    }
    hc_bt_cache_release(cache);
}

/* The ranking of a config's pooled p, runnable on a thread. */
typedef struct {
    const double *p;
    size_t n;
    hc_metrics_ranked *ranked; /* NULL when out of memory */
} rank_job;

static void *rank_run(void *arg)
{
    rank_job *j = arg;
    j->ranked = hc_metrics_rank(j->p, j->n);
    return NULL;
}

/* The pooled validation of config c on `ranked`, the ranking of its p
 * (freed here); when `pl` is not NULL, the DeLong placements of its p go
 * there (the paired tests need n doubles per config, not its 2n-word
 * ranking). `next`, when not NULL, is the ranking of the next config:
 * made on a second thread while the placements are, the one step of
 * another config small enough to share the memory of this one's. */
static hc_status pooled_validation(hc_backtest_result *res, size_t c, int have_arr,
                                   hc_metrics_ranked *ranked, rank_job *next,
                                   double **pl, double *auc, hc_error *err)
{
    hc_backtest_config *cf = &res->configs[c];
    size_t n = res->n_pooled;
    if (!ranked)
        return hc_error_nomem(err);
    hc_validate_input in;
    hc_validate_input_init(&in);
    in.n = n;
    in.y = res->pooled_y;
    in.p = cf->p;
    in.score = cf->health;
    in.higher_is_healthier = 1;
    in.score_is_health = 1;
    if (cf->n_bands > 0) {
        in.band = cf->band;
        in.n_bands = cf->n_bands;
        in.band_names = (const char *const *)cf->band_names;
    }
    in.arr = have_arr ? res->pooled_arr : NULL;
    in.p_ranked = ranked;
    hc_error e;
    hc_error_clear(&e);
    hc_status st = hc_validate_run(&in, &cf->pooled, &e);
    pthread_t th;
    int threaded = next && pthread_create(&th, NULL, rank_run, next) == 0;
    if (st == HC_OK) {
        cf->has_pooled = 1;
    } else {
        hc_validate_result_release(&cf->pooled);
        if (!is_skip(st)) {
            *err = e;
        } else {
            snprintf(cf->pooled_note, sizeof cf->pooled_note, "%.500s", e.message);
            st = HC_OK;
        }
    }
    if (st == HC_OK && pl &&
        !(*pl = hc_metrics_delong_placements(res->pooled_y, ranked, n, auc)))
        st = hc_error_nomem(err);
    free(ranked);
    if (threaded)
        pthread_join(th, NULL);
    else if (next)
        rank_run(next);
    return st;
}

/* The threshold sweep on the pooled out-of-sample health of the primary
 * config (a sweep that finds nothing leaves a note). */
static hc_status sweep(hc_backtest_result *res, int have_arr, hc_error *err)
{
    res->primary = res->opt.tuned ? res->n_configs - 1 : 0;
    hc_backtest_config *pc = &res->configs[res->primary];
    hc_threshold_options to = res->opt.threshold;
    if (!res->opt.use_objective)
        hc_threshold_options_init(&to);
    to.n_bands = pc->n_bands >= 2 ? pc->n_bands : 2;
    if (!have_arr && (to.objective == HC_THRESHOLD_ARR_RECALL ||
                      to.objective == HC_THRESHOLD_VALUE))
        to.objective = HC_THRESHOLD_RECALL;
    hc_error e;
    hc_error_clear(&e);
    hc_status st = hc_thresholds_search(pc->health, res->pooled_y,
                                        have_arr ? res->pooled_arr : NULL,
                                        res->n_pooled, &to, &res->sweep, &e);
    if (st == HC_OK) {
        res->has_sweep = 1;
    } else if (is_skip(st) || st == HC_EUSAGE) {
        snprintf(res->sweep_note, sizeof res->sweep_note, "%.500s", e.message);
    } else {
        *err = e;
        return st;
    }
    return HC_OK;
}

/* Pooled validation, comparisons and the sweep, one after the other (but
 * for the next config's ranking, made beside the placements): each works
 * on several copies of the millions of pooled rows (a ranking, the lowess
 * working set, the sweep's sorted rows), and run side by side they made
 * the backtest's memory peak. The metrics use the second core inside. */
static hc_status pool(const hc_history *h, hc_backtest_result *res, hc_error *err)
{
    size_t n = res->n_pooled, nc = res->n_configs;
    int have_arr = h->snapshots.arr_col >= 0;
    double **pl = calloc(nc, sizeof *pl);
    double *auc = calloc(nc, sizeof *auc);
    res->n_comparisons = nc - 1;
    res->comparisons = calloc(nc, sizeof *res->comparisons);
    hc_status st = pl && auc && res->comparisons ? HC_OK : hc_error_nomem(err);
    hc_metrics_ranked *ranked = st == HC_OK ? hc_metrics_rank(res->configs[0].p, n) : NULL;
    for (size_t c = 0; st == HC_OK && c < nc; c++) {
        rank_job next = {c + 1 < nc ? res->configs[c + 1].p : NULL, n, NULL};
        st = pooled_validation(res, c, have_arr, ranked, c + 1 < nc ? &next : NULL,
                               nc > 1 ? &pl[c] : NULL, &auc[c], err);
        ranked = next.ranked;
    }
    free(ranked); /* after an error */
    hc_trace_mark("backtest: pooled validation");
    for (size_t c = 1; st == HC_OK && c < nc; c++) {
        hc_backtest_comparison *cmp = &res->comparisons[c - 1];
        cmp->index = c;
        hc_error e;
        hc_error_clear(&e);
        hc_status dst = hc_metrics_delong_paired_placements(
            res->pooled_y, res->configs[c].p, pl[c], auc[c], res->configs[0].p, pl[0],
            auc[0], n, 0.95, &cmp->diff, &e);
        if (dst == HC_OK) {
            cmp->ok = 1;
        } else if (is_skip(dst)) {
            snprintf(cmp->note, sizeof cmp->note, "%.500s", e.message);
        } else {
            *err = e;
            st = dst;
        }
    }
    for (size_t c = 0; pl && c < nc; c++)
        free(pl[c]);
    free(pl);
    free(auc);
    if (st == HC_OK)
        st = sweep(res, have_arr, err);
    hc_trace_mark("backtest: DeLong tests and threshold sweep");
    return st;
}

hc_status hc_backtest_run(const hc_history *h, const hc_model *const *configs,
                          const char *const *names, size_t n,
                          const hc_backtest_options *opt,
                          hc_backtest_result *res, hc_error *err)
{
    memset(res, 0, sizeof *res);
    if (n == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "no config to backtest");
    res->opt = *opt;
    res->opt.progress = NULL;
    res->opt.progress_ctx = NULL;
    if (opt->use_objective && h->snapshots.arr_col < 0 &&
        (opt->threshold.objective == HC_THRESHOLD_ARR_RECALL ||
         opt->threshold.objective == HC_THRESHOLD_VALUE))
        return hc_error_set(err, HC_EUSAGE, h->snapshots.table->source, 0, 0,
                            "the %s objective needs ARR, and the snapshots have "
                            "no ARR column", opt->threshold.objective ==
                            HC_THRESHOLD_VALUE ? "value" : "arr-recall");
    hc_status st = hc_backtest_plan_build(h, opt, &res->plan, err);
    if (st != HC_OK)
        return st;
    /* The folds are placed: their row ranges are all that is read of the
     * dates from here on. */
    free(res->plan.date);
    res->plan.date = NULL;
    hc_trace_mark("backtest: plan");
    if ((st = setup_configs(res, configs, names, n, err)) != HC_OK)
        return st;
    hc_bt_cache cache;
    if ((st = hc_bt_cache_build(h, &res->plan, configs, n, opt->tuned,
                                opt->tuned && !opt->fit.segments && !opt->fit.expansion,
                                opt->consume, &cache, err)) != HC_OK)
        return st;
    hc_trace_mark("backtest: rows scored once");
    /* Which plan rows joined the pool (pool_fold), and which configs'
     * pooled outputs are made after the folds. */
    unsigned char *mark = calloc(res->plan.n_rows ? res->plan.n_rows : 1, 1);
    deferral defer;
    defer.deferred = calloc(res->n_configs, 1);
    defer.map_used = calloc(res->plan.n_folds * res->n_configs + 1, 1);
    if (!mark || !defer.deferred || !defer.map_used)
        st = hc_error_nomem(err);
    for (size_t c = 0; st == HC_OK && c < res->n_configs; c++) {
        hc_backtest_config *cf = &res->configs[c];
        defer.deferred[c] = (unsigned char)((c < cache.n_models && cache.health[c]) ||
                                            (cf->kind == HC_BT_TUNED && cache.sub));
        /* The tuned models of the folds rescore the pooled rows. */
        if (defer.deferred[c] && cf->kind == HC_BT_TUNED && !cf->fold_models &&
            !(cf->fold_models = calloc(res->plan.n_folds, sizeof *cf->fold_models)))
            st = hc_error_nomem(err);
    }
    if (st == HC_OK)
        st = alloc_pooled(res, &defer, err);
    if (st != HC_OK) {
        free(mark);
        free(defer.deferred);
        free(defer.map_used);
        hc_bt_cache_release(&cache);
        return st;
    }
    /* Two folds at a time, one on a second thread, each with its own
     * workspace; then both are pooled in fold order. */
    workspace w[2];
    if ((st = workspace_alloc(&w[0], &res->plan, &cache, res->n_configs, err)) != HC_OK) {
        free(mark);
        free(defer.deferred);
        free(defer.map_used);
        hc_bt_cache_release(&cache);
        return st;
    }
    if ((st = workspace_alloc(&w[1], &res->plan, &cache, res->n_configs, err)) != HC_OK) {
        workspace_release(&w[0], res->n_configs);
        free(mark);
        free(defer.deferred);
        free(defer.map_used);
        hc_bt_cache_release(&cache);
        return st;
    }
    w[0].defer = w[1].defer = &defer;
    size_t nf = res->plan.n_folds;
    for (size_t f = 0; f < nf && st == HC_OK; f += 2) {
        fold_job job = {h, res, &cache, &w[1], f + 1, HC_OK, {0}};
        pthread_t th;
        int threaded = 0;
        w[1].ready = 0;
        if (f + 1 < nf)
            threaded = pthread_create(&th, NULL, fold_thread, &job) == 0;
        st = compute_fold(h, res, &cache, &w[0], f, err);
        if (threaded)
            pthread_join(th, NULL);
        else if (f + 1 < nf)
            fold_thread(&job);
        if (st == HC_OK && job.st != HC_OK) {
            st = job.st;
            *err = job.err;
        }
        if (st != HC_OK)
            break;
        pool_fold(res, &w[0], f, mark);
        if (f + 1 < nf)
            pool_fold(res, &w[1], f + 1, mark);
        hc_trace_mark("backtest: two folds");
        for (size_t g = f; opt->progress && g < f + 2 && g < nf; g++)
            opt->progress(opt->progress_ctx, g + 1, nf);
    }
    workspace_release(&w[0], res->n_configs);
    workspace_release(&w[1], res->n_configs);
    if (st == HC_OK)
        st = pooled_outputs(res, &cache, &defer, mark, err);
    if (st == HC_OK)
        pooled_from_cache(res, &cache, mark);
    hc_bt_cache_release(&cache);
    free(mark);
    free(defer.deferred);
    free(defer.map_used);
    if (st != HC_OK)
        return st;
    if (res->folds_used == 0) {
        const char *why = res->plan.n_folds ? res->folds[0].note : "";
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "none of the %zu folds could be evaluated (the first: "
                            "%s)", res->plan.n_folds, why);
    }
    for (size_t f = 0; f < res->plan.n_folds; f++)
        res->test_excluded += res->folds[f].test_excluded;
    return pool(h, res, err);
}
