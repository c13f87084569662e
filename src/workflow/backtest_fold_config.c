/* backtest_fold_config.c - one config in one fold: its refit or its own model, scores, probabilities, cut points and PSI on the fold's rows. */
#include "backtest_internal.h"
#include "hc_logreg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The design of a fold's refit from sub-scores `sub` (k columns, column c
 * at sub + c * stride, rows 0..n) with outcomes y: the columns themselves
 * when every sub-score is finite (`complete`); else the complete rows
 * compacted into w (in order, with their outcomes), which are the rows
 * hc_fit_model keeps from the table. *n_fit gets their count, *fit_y the
 * outcomes of the design. */
static hc_status fit_columns(const double *sub, size_t stride, const double *y, size_t n,
                             size_t K, int complete, hc_bt_workspace *w,
                             const double **cols, const double **fit_y, size_t *n_fit,
                             hc_error *err)
{
    if (complete) {
        for (size_t k = 0; k < K; k++)
            cols[k] = sub + k * stride;
        *fit_y = y;
        *n_fit = n;
        return HC_OK;
    }
    size_t mt = w->max_train ? w->max_train : 1;
    if (!w->fit_sub)
        w->fit_sub = malloc(K * mt * sizeof *w->fit_sub);
    if (!w->fit_y)
        w->fit_y = malloc(mt * sizeof *w->fit_y);
    if (!w->fit_sub || !w->fit_y)
        return hc_error_nomem(err);
    size_t q = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = 1;
        for (size_t k = 0; k < K; k++)
            ok &= isfinite(sub[k * stride + i]) != 0;
        if (!ok)
            continue;
        for (size_t k = 0; k < K; k++)
            w->fit_sub[k * mt + q] = sub[k * stride + i];
        w->fit_y[q] = y[i];
        q++;
    }
    for (size_t k = 0; k < K; k++)
        cols[k] = w->fit_sub + k * mt;
    *fit_y = w->fit_y;
    *n_fit = q;
    return HC_OK;
}

/* The refit on design columns (fit_columns), with the message of a design
 * without rows. */
static hc_status fit_design_columns(const hc_model *base, const double *const *cols,
                                    const double *y, size_t n_fit, size_t n_tr,
                                    const hc_fit_options *opt, hc_fit_result *fr,
                                    hc_error *e2)
{
    if (n_fit == 0)
        return hc_error_set(e2, HC_ENUMERIC, NULL, 0, 0,
                            "no complete observation to fit: every one of the "
                            "%zu observations has a missing component sub-score",
                            n_tr);
    return hc_fit_model_columns(base, cols, y, NULL, n_fit, opt, fr, e2);
}

/* The sub-scores under m (the fold's learned copy of models[0], or its
 * refit) of the n plan rows from plan position `begin` (table rows
 * rows[0..n)) into out (component k at out + k * stride): the cache's
 * slices of the components no fold relearns, the others scored from the
 * table (the values hc_model_score_rows gives). */
static hc_status fold_subscores(const hc_model *m, const hc_bt_cache *cache,
                                const hc_table *t, const size_t *rows, size_t begin,
                                size_t n, double *out, size_t stride, hc_error *err)
{
    int partial = cache->sub && cache->learned && cache->k == m->n_components;
    for (size_t k = 0; k < m->n_components; k++) {
        if (partial && !cache->learned[k]) {
            memcpy(out + k * stride, cache->sub + k * cache->n + begin, n * sizeof *out);
            continue;
        }
        hc_status st = hc_model_score_component(m, k, t, rows, 0, n, 1, out + k * stride, err);
        if (st != HC_OK)
            return st;
    }
    return HC_OK;
}

/* A refit whose transforms are learned on each fold's training rows
 * (quantile cuts, categorical levels, seasonal baselines), so that the
 * cache holds no sub-scores of the components holding them: the fold's
 * copy of the config learns them (as hc_fit_model does), the training
 * rows' sub-scores are put together once in w->fold_sub (fold_subscores),
 * and the weights are fitted on those columns, whose sub-scores then give
 * the training H without reading the table again. The result is
 * hc_fit_model's: the same learned pieces, the same design rows and
 * outcomes (hc_fit_model_columns). For refits without segments, expansion
 * or recalibration, which need the table. */
static hc_status refit_learned(const hc_model *base, const hc_history *h,
                               const hc_bt_cache *cache, hc_bt_workspace *w,
                               size_t begin, const size_t *tr, size_t n_tr,
                               const hc_fit_options *opt, hc_fit_result *fr,
                               hc_error *e2, hc_error *err)
{
    const hc_table *t = h->snapshots.table;
    size_t K = base->n_components, mt = w->max_train ? w->max_train : 1;
    if (!w->fold_sub && !(w->fold_sub = malloc(K * mt * sizeof *w->fold_sub)))
        return hc_error_nomem(err);
    hc_model *lm = hc_model_copy(base);
    if (!lm)
        return hc_error_nomem(err);
    hc_model_set_recalibration(lm, NULL, NULL);
    hc_status st = hc_model_learn_quantiles(lm, t, tr, n_tr, e2);
    if (st == HC_OK)
        st = hc_model_learn_levels(lm, t, h->labels.churn, tr, n_tr, e2);
    if (st == HC_OK)
        st = fold_subscores(lm, cache, t, tr, begin, n_tr, w->fold_sub, mt, e2);
    int complete = 1;
    for (size_t i = 0; st == HC_OK && complete && i < K * mt; i += mt)
        for (size_t j = 0; j < n_tr && complete; j++)
            complete = isfinite(w->fold_sub[i + j]) != 0;
    const double *cols[256], *y = NULL;
    size_t n_fit = 0;
    if (st == HC_OK && (st = fit_columns(w->fold_sub, mt, w->y_train, n_tr, K, complete, w,
                                         cols, &y, &n_fit, err)) == HC_OK)
        st = fit_design_columns(lm, cols, y, n_fit, n_tr, opt, fr, e2);
    hc_model_free(lm);
    return st;
}

hc_status hc_bt_fold_config(const hc_history *h, hc_backtest_result *res,
                            const hc_bt_cache *cache, hc_bt_workspace *w, size_t f,
                            size_t c, char *note, size_t note_size, hc_error *err)
{
    const hc_backtest_fold_plan *fp = &res->plan.folds[f];
    hc_backtest_config *cf = &res->configs[c];
    hc_backtest_cell *cell = &res->folds[f].cells[c];
    hc_bt_scratch *s = &w->sc[c];
    const hc_table *t = h->snapshots.table;
    size_t n_tr = fp->train_stop - fp->train_begin, n_te = fp->test_stop - fp->test_begin;
    const hc_backtest_options *opt = &res->opt;
    /* Scored once for every fold, as slices of the cache; or from the
     * cached sub-scores: the tuned config's refit, and models[0] itself. */
    int cached = c < cache->n_models && cache->health[c];
    int from_subs = cache->sub && !cache->learned && (cf->kind == HC_BT_TUNED || c == 0);
    /* A tuned refit that learns transforms on the fold's rows (so the cache
     * holds no sub-scores for it) and needs nothing but its sub-scores. */
    int learned_refit = cf->kind == HC_BT_TUNED && !from_subs && !cached &&
                        !opt->fit.segments && !opt->fit.expansion &&
                        opt->fit.recalibrate == HC_RECAL_NONE;
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
            const double *cols[256], *y = NULL;
            size_t n_fit = 0;
            if ((st = fit_columns(cache->sub + fp->train_begin, cache->n,
                                  cache->y + fp->train_begin, n_tr, cache->k,
                                  cache->sub_complete, w, cols, &y, &n_fit, err)) != HC_OK)
                return st;
            st = fit_design_columns(cf->model, cols, y, n_fit, n_tr, &opt->fit, &fr, &e2);
        } else if (learned_refit) {
            st = refit_learned(cf->model, h, cache, w, fp->train_begin, tr, n_tr, &opt->fit,
                               &fr, &e2, err);
            if (st == HC_ENOMEM)
                return st;
        } else {
            st = hc_fit_model(cf->model, h, tr, n_tr, &opt->fit, &fr, &e2);
        }
        if (st != HC_OK) {
            if (hc_bt_is_skip(st))
                snprintf(note, note_size, "the refit of '%.40s' failed: %.400s", cf->name,
                         e2.message);
            else
                *err = e2;
            return st;
        }
        cell->segments_fitted = fr.n_segments;
        cell->segments_merged = 0;
        for (size_t g = 0; g < fr.n_segments; g++)
            cell->segments_merged += fr.segments[g].merged != 0;
        owned = fr.tuned;
        fr.tuned = NULL;
        hc_fit_result_release(&fr);
        m = owned;
    } else if (hc_model_has_quantiles(cf->model, 1)) {
        owned = hc_model_copy(cf->model);
        if (!owned)
            return hc_error_nomem(err);
        if ((st = hc_model_learn_quantiles(owned, t, tr, n_tr, err)) != HC_OK ||
            (st = hc_model_learn_levels(owned, t, h->labels.churn, tr, n_tr, err)) != HC_OK) {
            hc_model_free(owned);
            return st;
        }
        m = owned;
    }
    hc_score_out otr = {.health = w->train_buf};
    hc_score_out ote = {.health = s->h_test, .p_churn = s->p_test};
    s->h_train = w->train_buf;
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
    } else if (learned_refit) {
        /* The refit's training sub-scores are in w->fold_sub; the test
         * rows' are put together the same way. */
        size_t mte = w->max_test ? w->max_test : 1;
        if (!w->fold_sub_test &&
            !(w->fold_sub_test = malloc(m->n_components * mte * sizeof *w->fold_sub_test))) {
            st = hc_error_nomem(err);
            goto done;
        }
        if ((st = hc_model_score_subs(m, w->fold_sub, w->max_train ? w->max_train : 1, n_tr,
                                      &otr, err)) != HC_OK ||
            (st = fold_subscores(m, cache, t, te, fp->test_begin, n_te, w->fold_sub_test, mte,
                                 err)) != HC_OK ||
            (st = hc_model_score_subs(m, w->fold_sub_test, mte, n_te, &ote, err)) != HC_OK)
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
            if (hc_bt_is_skip(st))
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
        cell->map_used = 1;
    }

    /* Cut points: chosen on the training rows, or the config's bands. */
    s->n_cuts = m->n_bands > 0 ? m->n_bands - 1 : 0;
    for (size_t b = 0; b < s->n_cuts; b++)
        s->cuts[b] = m->bands[b + 1].min;
    cell->objective_train = cell->objective_test = NAN;
    cell->train_red_per_date_mean = cell->train_next_cut = NAN;
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
                    arr_k[q++] = hc_bt_cache_arr(cache, fp->train_begin + i);
        }
        /* The table rows of the searched rows, for their accounts and
         * scoring dates: the plan's slice itself, or compacted alongside. */
        const uint32_t *trows = res->plan.rows + fp->train_begin;
        uint32_t *rows_k = NULL;
        if (k < n_tr) {
            if (!(rows_k = malloc((k ? k : 1) * sizeof *rows_k))) {
                free(arr_k);
                st = hc_error_nomem(err);
                goto done;
            }
            size_t q = 0;
            for (size_t i = 0; i < n_tr; i++)
                if (isfinite(s->h_train[i]))
                    rows_k[q++] = trows[i];
            trows = rows_k;
        }
        hc_threshold_accounts acc;
        hc_bt_units_search(w->units, trows, &acc);
        hc_threshold_options to = opt->threshold;
        to.n_bands = m->n_bands;
        hc_threshold_result tres;
        hc_error te2;
        hc_error_clear(&te2);
        st = hc_thresholds_search_accounts(xh, xy, arr_k, k, &to, &acc, &tres, &te2);
        free(arr_k);
        free(rows_k);
        if (st == HC_OK) {
            for (size_t b = 0; b < s->n_cuts; b++)
                s->cuts[b] = tres.cuts[b];
            cell->objective_met = tres.met;
            cell->objective_train = tres.achieved;
            /* How many accounts a scoring date's red list holds there. */
            const hc_threshold_point *rp = &tres.sweep[tres.red_point];
            cell->train_red_per_date_mean = rp->per_date_mean;
            cell->train_red_per_date_max = rp->per_date_max;
            cell->train_next_cut = tres.next_cut;
            cell->train_next_per_date_max = tres.next_per_date_max;
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
        s->b_test[i] = isfinite(s->h_test[i]) ? hc_bt_band_of_cuts(s->cuts, s->n_cuts, s->h_test[i]) : -1;

    /* PSI of H, training vs test: how far the scores drifted between the
     * rows the fold learns on and those it is tested on (10 bins). */
    cell->psi = NAN;
    {
        /* The test H with a value: the rows themselves when every one has
         * one, else a compacted copy. */
        size_t q = 0;
        while (q < n_te && isfinite(s->h_test[q]))
            q++;
        const double *cur = s->h_test;
        if (q < n_te) {
            q = 0;
            for (size_t i = 0; i < n_te; i++)
                if (isfinite(s->h_test[i]))
                    w->ta[q++] = s->h_test[i];
            cur = w->ta;
        }
        /* The quantiles of the training H are selected in a buffer of
         * max_train doubles: the training H itself when this fold scored
         * it (nothing reads it after), else a copy of the cache's slice. */
        double *buf = xh == w->xa ? w->xa : w->train_buf;
        if (xh != w->xa && xh != w->train_buf && k > 0)
            memcpy(buf, xh, k * sizeof *buf);
        hc_metrics_psi_result pr;
        hc_error pe;
        if (k > 0 && q > 0 && hc_metrics_psi_in(buf, k, cur, q, 10, &pr, &pe) == HC_OK)
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
