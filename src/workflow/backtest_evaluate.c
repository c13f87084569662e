/* backtest_evaluate.c - the pooled evaluation: validation of every config, paired DeLong tests against the first (clustered by account), the threshold sweep of the primary. */
#include "backtest_internal.h"
#include "hc_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cluster codes of the pooled rows (4 bytes a row): the text codes of
 * the cluster column (opt.cluster_col, default the account id) at each
 * pooled row, into a new array the caller frees, and the column's name in
 * *name. *out stays NULL when the options ask for independent rows. A
 * missing or non-text column, or an empty cell, is HC_EDATA naming the
 * file and column (the same rule as hc_validate_model_opts). */
static hc_status pooled_clusters(const hc_history *h, const hc_backtest_result *res,
                                 int32_t **out, const char **name, int *by_account,
                                 hc_error *err)
{
    *out = NULL;
    *name = NULL;
    *by_account = 0;
    if (res->opt.unclustered)
        return HC_OK;
    const hc_table *t = h->snapshots.table;
    const char *want = res->opt.cluster_col;
    int col = want ? hc_table_find(t, want) : h->snapshots.id_col;
    if (col < 0)
        return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                            "no cluster column '%s' in the snapshots (--cluster-col)",
                            want ? want : "the account id");
    if (t->cols[col].type != HC_COL_TEXT)
        return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                            "cluster column '%s' is not a text (id) column: a cluster "
                            "names the account each row belongs to (--cluster-col)",
                            t->cols[col].name);
    int32_t *cl = malloc((res->n_pooled ? res->n_pooled : 1) * sizeof *cl);
    if (!cl)
        return hc_error_nomem(err);
    for (size_t i = 0; i < res->n_pooled; i++) {
        uint32_t r = res->pooled_row[i];
        cl[i] = t->cols[col].code[r];
        if (cl[i] < 0) {
            free(cl);
            return hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r), 0,
                                "cluster column '%s' is empty", t->cols[col].name);
        }
    }
    *out = cl;
    *name = t->cols[col].name;
    *by_account = col == h->snapshots.id_col;
    return HC_OK;
}

/* The account codes of the pooled rows, for the band tallies in accounts
 * when the clusters are not the accounts: a short-lived array (4 bytes a
 * row) the caller frees right after use. NULL when out of memory. */
static int32_t *pooled_accounts(const hc_history *h, const hc_backtest_result *res)
{
    const hc_table *t = h->snapshots.table;
    const int32_t *code = t->cols[h->snapshots.id_col].code;
    int32_t *a = malloc((res->n_pooled ? res->n_pooled : 1) * sizeof *a);
    for (size_t i = 0; a && i < res->n_pooled; i++)
        a[i] = code[res->pooled_row[i]]; /* never empty (hc_snapshots_load) */
    return a;
}

/* What the band tallies in accounts read: the account codes of the pooled
 * rows (the cluster codes when they are the accounts, else a short-lived
 * array), each account's churned ARR from its churn event, and the ARR.
 * The pooled rows are in date order (the plan sorts them by date and the
 * folds pool them in fold order), so no dates are needed: a later row is
 * a later snapshot. */
typedef struct {
    const int32_t *account;    /* NULL: made per config (pooled_accounts) */
    const double *churned;     /* n_accounts entries, or NULL without events */
    size_t n_accounts;
    const double *arr;         /* pooled ARR, or NULL */
    /* The lead times of the pooled validation (hc_lead_time.h): each
     * pooled row's snapshot date and each account's first churn day. */
    const int32_t *date;       /* n_pooled, or NULL */
    const int32_t *churn_day;  /* n_accounts, or NULL */
} bt_accounts;

/* The snapshot dates of the pooled rows (4 bytes a row; NULL when out of
 * memory): the lead times read them. */
static int32_t *pooled_dates(const hc_history *h, const hc_backtest_result *res)
{
    const int32_t *code = h->snapshots.table->cols[h->snapshots.date_col].code;
    int32_t *d = malloc((res->n_pooled ? res->n_pooled : 1) * sizeof *d);
    for (size_t i = 0; d && i < res->n_pooled; i++)
        d[i] = code[res->pooled_row[i]];
    return d;
}

/* Config c's fold cells in accounts: each used fold's slice of the pooled
 * rows (the folds pool their test rows in fold order) tallied under that
 * fold's bands. A fold whose tally fails (never expected: the rows were
 * checked by the pooled tally) keeps has_band_accounts 0. */
static hc_status fold_band_accounts(hc_backtest_result *res, size_t c, const int32_t *account,
                                    const bt_accounts *ba, hc_error *err)
{
    hc_backtest_config *cf = &res->configs[c];
    size_t base = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        hc_backtest_fold *fold = &res->folds[f];
        if (!fold->used)
            continue;
        size_t nf = fold->n_test;
        hc_backtest_cell *cell = &fold->cells[c];
        hc_metrics_bands_accounts_result t;
        hc_error e;
        hc_error_clear(&e);
        hc_status st = nf ? hc_metrics_bands_accounts(cf->band + base, res->pooled_y + base,
                                                      account + base, NULL,
                                                      ba->arr ? ba->arr + base : NULL,
                                                      ba->churned, ba->n_accounts, nf,
                                                      cf->n_bands, &t, &e)
                          : HC_ENUMERIC;
        base += nf;
        if (st == HC_ENOMEM) {
            *err = e;
            return st;
        }
        if (st != HC_OK)
            continue;
        for (size_t b = 0; b < cf->n_bands && b < HC_THRESHOLDS_MAX_BANDS; b++) {
            cell->band_n_accounts[b] = t.bands[b].accounts;
            cell->band_accounts_latest[b] = t.bands[b].accounts_latest;
            cell->band_churned_accounts[b] = t.bands[b].churned_accounts;
            cell->band_arr_accounts[b] = t.bands[b].arr;
            cell->band_arr_latest[b] = t.bands[b].arr_latest;
            cell->band_churned_arr[b] = t.bands[b].churned_arr;
        }
        cell->has_band_accounts = 1;
        hc_metrics_bands_accounts_release(&t);
    }
    return HC_OK;
}

/* The band tallies in accounts of config c (pooled, then per fold) when
 * its pooled validation did not make them (the clusters were not the
 * accounts), and the fold cells'. */
static hc_status band_accounts(const hc_history *h, hc_backtest_result *res, size_t c,
                               const bt_accounts *ba, hc_error *err)
{
    hc_backtest_config *cf = &res->configs[c];
    if (cf->n_bands == 0 || !cf->band || res->n_pooled == 0)
        return HC_OK;
    int32_t *own = NULL;
    const int32_t *account = ba->account;
    if (!account && !(account = own = pooled_accounts(h, res)))
        return hc_error_nomem(err);
    hc_status st = HC_OK;
    if (cf->has_pooled && !cf->pooled.has_band_accounts) {
        hc_validate_input in;
        hc_validate_input_init(&in);
        in.n = res->n_pooled;
        in.y = res->pooled_y;
        in.band = cf->band;
        in.n_bands = cf->n_bands;
        in.arr = ba->arr;
        in.account = account;
        in.n_accounts = ba->n_accounts;
        in.churned_amount = ba->churned;
        in.date = ba->date;
        in.churn_day = ba->churn_day;
        st = hc_validate_band_accounts(&in, &cf->pooled, err);
    }
    if (st == HC_OK)
        st = fold_band_accounts(res, c, account, ba, err);
    free(own);
    return st;
}

/* Config c's per-fold ROC AUC intervals clustered: each used fold's slice
 * of the pooled rows (its common test rows, in fold order) by the
 * clustered DeLong estimator, the rows-independent interval kept beside
 * it. A fold whose clusters allow no clustered variance (fewer than two
 * accounts with a churner) keeps the rows-independent one, unflagged. */
static void fold_clustered_auc(hc_backtest_result *res, size_t c, const int32_t *cluster)
{
    const hc_backtest_config *cf = &res->configs[c];
    size_t base = 0;
    for (size_t f = 0; f < res->plan.n_folds; f++) {
        hc_backtest_fold *fold = &res->folds[f];
        if (!fold->used)
            continue;
        size_t nf = fold->n_test;
        hc_backtest_cell *cell = &fold->cells[c];
        hc_metrics_summary *m = &cell->metrics;
        cell->roc_auc_ci_low_naive = m->roc_auc_ci_low;
        cell->roc_auc_ci_high_naive = m->roc_auc_ci_high;
        cell->roc_auc_design_effect = 1.0;
        hc_metrics_auc_ci_clustered a;
        hc_error e;
        hc_error_clear(&e);
        if (cluster && cell->has_metrics && nf &&
            hc_metrics_delong_clustered(res->pooled_y + base, cf->p + base, cluster + base, nf,
                                        0.95, &a, &e) == HC_OK) {
            m->roc_auc_ci_low = a.ci.ci_low;
            m->roc_auc_ci_high = a.ci.ci_high;
            cell->roc_auc_design_effect = a.design_effect;
            cell->auc_clustered = 1;
        }
        base += nf;
    }
}

/* The pooled validation of config c; with pl, also the DeLong placements
 * of its pooled p into *pl (n doubles, for the paired tests) and its AUC
 * into *auc, from the same ranking (one sort of p serves both). */
static hc_status pooled_validation(hc_backtest_result *res, size_t c, int have_arr,
                                   const int32_t *cluster, const char *cluster_name,
                                   const bt_accounts *ba, double **pl, double *auc,
                                   hc_error *err)
{
    hc_backtest_config *cf = &res->configs[c];
    size_t n = res->n_pooled;
    hc_metrics_ranked *ranked = hc_metrics_rank(cf->p, n);
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
    /* Clustered by account; the bootstrap is off unless asked for: over
     * millions of pooled rows its replicates would dominate the backtest,
     * and the intervals that decide (AUC, rates, calibration) have closed
     * forms. */
    in.cluster = cluster;
    in.cluster_name = cluster_name;
    in.bootstrap = cluster ? res->opt.bootstrap : 0;
    in.seed = res->opt.seed ? res->opt.seed : HC_VALIDATE_SEED_DEFAULT;
    /* Bands in accounts, when the clusters are the accounts (else after
     * the run, band_accounts) */
    in.account = ba->account;
    in.n_accounts = ba->n_accounts;
    in.churned_amount = ba->churned;
    /* Lead times of the churned accounts over the out-of-time rows: each
     * row in the band its fold's cut points gave (hc_lead_time.h) */
    in.date = ba->date;
    in.churn_day = ba->churn_day;
    hc_error e;
    hc_error_clear(&e);
    hc_status st = hc_validate_run(&in, &cf->pooled, &e);
    if (pl && (st == HC_OK || hc_bt_is_skip(st)) &&
        !(*pl = hc_metrics_delong_placements(res->pooled_y, ranked, n, auc))) {
        free(ranked);
        if (st == HC_OK)
            hc_validate_result_release(&cf->pooled);
        return hc_error_nomem(err);
    }
    free(ranked);
    if (st == HC_OK) {
        cf->has_pooled = 1;
    } else {
        hc_validate_result_release(&cf->pooled);
        if (!hc_bt_is_skip(st)) {
            *err = e;
        } else {
            snprintf(cf->pooled_note, sizeof cf->pooled_note, "%.500s", e.message);
            st = HC_OK;
        }
    }
    return st;
}

/* The threshold sweep on the pooled out-of-sample health of the primary
 * config, counted in accounts and per scoring date (a sweep that finds
 * nothing leaves a note), then the nested walk-forward of the same search. */
static hc_status sweep(hc_backtest_result *res, int have_arr, const hc_bt_units *u,
                       hc_bt_account_scratch *s, hc_error *err)
{
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
    hc_threshold_accounts acc;
    hc_bt_units_search(u, res->pooled_row, &acc);
    hc_status st = hc_thresholds_search_accounts(pc->health, res->pooled_y,
                                                 have_arr ? res->pooled_arr : NULL,
                                                 res->n_pooled, &to, &acc, &res->sweep, &e);
    if (st == HC_OK) {
        res->has_sweep = 1;
    } else if (hc_bt_is_skip(st) || st == HC_EUSAGE) {
        snprintf(res->sweep_note, sizeof res->sweep_note, "%.500s", e.message);
    } else {
        *err = e;
        return st;
    }
    /* The pooled sweep chose and scored its cut points on the same rows:
     * the same search walked forward gives the out-of-time figures of the
     * cut points an objective recommends (without one, the config's own
     * bands are used and nothing is chosen). */
    return res->opt.use_objective ? hc_bt_nested_thresholds(res, &to, have_arr, u, s, err)
                                  : HC_OK;
}

/* DeLong's placements of config c's pooled p (NULL when out of memory),
 * from a ranking of its own, and its AUC. */
static double *placements(const hc_backtest_result *res, size_t c, double *auc)
{
    hc_metrics_ranked *ranked = hc_metrics_rank(res->configs[c].p, res->n_pooled);
    double *pl = ranked ? hc_metrics_delong_placements(res->pooled_y, ranked,
                                                       res->n_pooled, auc)
                        : NULL;
    free(ranked);
    return pl;
}

/* The paired test of config c against config 0 from their placements:
 * clustered (Obuchowski 1997) when cluster codes are given, with the
 * rows-independent test beside it; else the rows-independent test alone.
 * The verdicts read cmp->diff, so with clusters they rest on the
 * clustered test. */
static hc_status compare(const hc_backtest_result *res, size_t c, double *const *pl,
                         const double *auc, const int32_t *cluster,
                         const char *cluster_name, hc_backtest_comparison *cmp,
                         hc_error *err)
{
    size_t n = res->n_pooled;
    hc_metrics_auc_diff naive;
    hc_status st = hc_metrics_delong_paired_placements(
        res->pooled_y, res->configs[c].p, pl[c], auc[c], res->configs[0].p, pl[0], auc[0],
        n, 0.95, &naive, err);
    if (st != HC_OK)
        return st;
    cmp->diff = naive;
    cmp->se_naive = naive.se;
    cmp->ci_low_naive = naive.ci_low;
    cmp->ci_high_naive = naive.ci_high;
    cmp->p_value_naive = naive.p_value;
    cmp->design_effect = 1.0;
    if (!cluster)
        return HC_OK;
    hc_metrics_auc_diff_clustered cd;
    st = hc_metrics_delong_paired_clustered_placements(res->pooled_y, pl[c], auc[c], pl[0],
                                                       auc[0], cluster, n, 0.95, &cd, err);
    if (st != HC_OK)
        return st;
    cmp->diff = cd.d;
    cmp->design_effect = cd.design_effect;
    cmp->n_clusters = cd.n_clusters;
    cmp->clustered = 1;
    snprintf(cmp->cluster_name, sizeof cmp->cluster_name, "%.63s",
             cluster_name ? cluster_name : "cluster");
    return HC_OK;
}

/* Pooled validation, the sweep and comparisons, one after the other: each
 * works on several copies of the millions of pooled rows (a ranking, the
 * lowess working set, the placements, the sweep's sorted rows), and run
 * side by side they made the backtest's memory peak. So the placements of
 * the paired tests are made after every validation, from rankings of
 * their own, rather than kept from each validation's ranking through the
 * next validation; only the last config's come from its validation's
 * ranking (no validation follows it), which saves one sort of p. The
 * metrics use the second core inside. */
hc_status hc_bt_pooled_evaluate(const hc_history *h, hc_backtest_result *res,
                                hc_error *err)
{
    size_t nc = res->n_configs;
    int have_arr = h->snapshots.arr_col >= 0;
    res->primary = res->opt.tuned ? nc - 1 : 0;
    double **pl = calloc(nc, sizeof *pl);
    double *auc = calloc(nc, sizeof *auc);
    res->n_comparisons = nc - 1;
    res->comparisons = calloc(nc, sizeof *res->comparisons);
    hc_status st = pl && auc && res->comparisons ? HC_OK : hc_error_nomem(err);
    int32_t *cluster = NULL;
    const char *cluster_name = NULL;
    int by_account = 0;
    double *churned = NULL;
    int32_t *churn_day = NULL, *date = NULL;
    if (st == HC_OK)
        st = pooled_clusters(h, res, &cluster, &cluster_name, &by_account, err);
    if (st == HC_OK)
        st = hc_validate_churn_amounts(h, &churned, err);
    if (st == HC_OK && (st = hc_validate_churn_days(h, &churn_day, err)) == HC_OK &&
        churn_day && !(date = pooled_dates(h, res)))
        st = hc_error_nomem(err);
    bt_accounts ba = {.account = by_account ? cluster : NULL,
                      .churned = churned,
                      .n_accounts = h->snapshots.n_accounts,
                      .arr = have_arr ? res->pooled_arr : NULL,
                      .date = date,
                      .churn_day = churn_day};
    /* The thresholds' accounts and dates, read through pooled_row. */
    hc_bt_units units;
    hc_bt_units_init(&units, h, churned);
    hc_bt_account_scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    if (st == HC_OK)
        st = hc_bt_account_scratch_alloc(&scratch, units.n_accounts, err);
    /* One config at a time: a deferred tuned config's pooled values are
     * made just before its validation; after it, only the p of each
     * config is read again (the paired tests) and the H of the primary
     * (the sweep), so the rest is freed then. */
    for (size_t c = 0; c < nc; c++) {
        hc_backtest_config *cf = &res->configs[c];
        if (st == HC_OK)
            st = hc_bt_pooled_tuned(res, h, c, err);
        if (st == HC_OK)
            st = pooled_validation(res, c, have_arr, cluster, cluster_name, &ba,
                                   nc > 1 && c == nc - 1 ? &pl[c] : NULL, &auc[c], err);
        if (st == HC_OK)
            fold_clustered_auc(res, c, cluster);
        if (st == HC_OK)
            st = band_accounts(h, res, c, &ba, err);
        if (st == HC_OK)
            hc_bt_fold_accounts(res, c, &units, &scratch);
        free(cf->band);
        cf->band = NULL;
        if (c != res->primary) {
            free(cf->health);
            cf->health = NULL;
        }
    }
    free(date);
    free(churn_day);
    hc_trace_mark("backtest: pooled validation");
    if (st == HC_OK)
        st = sweep(res, have_arr, &units, &scratch, err);
    hc_bt_account_scratch_release(&scratch);
    free(res->configs[res->primary].health);
    res->configs[res->primary].health = NULL;
    /* The placements of the last config come from its pooled validation;
     * the others' from rankings of their own, made here. */
    if (st == HC_OK && nc > 1 && !(pl[0] = placements(res, 0, &auc[0])))
        st = hc_error_nomem(err);
    for (size_t c = 1; st == HC_OK && c < nc; c++) {
        hc_backtest_comparison *cmp = &res->comparisons[c - 1];
        cmp->index = c;
        if (!pl[c] && !(pl[c] = placements(res, c, &auc[c]))) {
            st = hc_error_nomem(err);
            break;
        }
        hc_error e;
        hc_error_clear(&e);
        hc_status dst = compare(res, c, pl, auc, cluster, cluster_name, cmp, &e);
        if (dst == HC_OK) {
            cmp->ok = 1;
        } else if (hc_bt_is_skip(dst)) {
            snprintf(cmp->note, sizeof cmp->note, "%.500s", e.message);
        } else {
            *err = e;
            st = dst;
        }
        /* Config 0's placements serve every comparison; config c's only this one. */
        free(pl[c]);
        pl[c] = NULL;
    }
    for (size_t c = 0; pl && c < nc; c++)
        free(pl[c]);
    free(pl);
    free(auc);
    free(cluster);
    free(churned);
    hc_trace_mark("backtest: threshold sweep and DeLong tests");
    return st;
}
