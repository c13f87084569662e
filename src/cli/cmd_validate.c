/* cmd_validate.c - `healthcal validate`: does a probability, a score or a config predict churn. */
#include "cli.h"
#include "cli_format.h"
#include "cli_history.h"
#include "cli_model.h"
#include "cli_season.h"
#include "hc_backtest.h"
#include "hc_obs_table.h"
#include "hc_validate.h"
#include "hc_provenance.h"
#include "hc_date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_CONFIG = 'c',
    OPT_JSON = 'j',
    OPT_OBSERVATIONS = OPT_FIRST_FREE,
    OPT_LABEL,
    OPT_PROB,
    OPT_SCORE,
    OPT_HIGHER,
    OPT_PLOT_DATA,
    OPT_NAME,
    OPT_LEAKAGE,
    OPT_CLUSTER,
    OPT_BOOTSTRAP,
    OPT_SEED,
    OPT_TOL_MEAN,
    OPT_TOL_SLOPE,
    OPT_FAIL_BELOW_AUC
};

/* The exit code of --fail-below-auc when the ROC AUC is under the bar (the
 * same as drift --fail-on). */
#define EXIT_FAIL_BELOW_AUC 6

/* The exit code of a run that wrote its results but reported some pieces
 * (a band, a segment, a component, Hosmer-Lemeshow) as not estimable;
 * distinct from 3, a run with nothing estimable (no churners at all). */
#define EXIT_NOT_ESTIMABLE 5

typedef struct {
    cli_history hist;
    const char *config, *json, *observations, *label, *prob, *score,
        *plot_data, *name;
    int higher;
    double leakage_auc;
    double tol_mean, tol_slope; /* 0: the defaults */
    const char *cluster_col;   /* NULL: the account id (history), none (observations) */
    long bootstrap, seed;
    double fail_below_auc;     /* 0: off */
    cli_format format;
} validate_args;

/* "none" turns the clustering off. */
static int cluster_off(const validate_args *a)
{
    return a->cluster_col && strcmp(a->cluster_col, "none") == 0;
}

/* An interval "(95% CI lo to hi, METHOD)" or its absence. */
static void print_ci(FILE *f, const char *fmt_value, double v, double lo, double hi,
                     const char *method)
{
    fprintf(f, fmt_value, v);
    fprintf(f, "  (95%% CI ");
    fprintf(f, fmt_value, lo);
    fprintf(f, " to ");
    fprintf(f, fmt_value, hi);
    fprintf(f, ", %s)\n", method);
}

/* The clustered pieces of the text report: accounts, design effects, and
 * the intervals that only exist for clustered rows. */
static void print_clusters(FILE *f, const hc_validate_result *r)
{
    const hc_validate_clusters *c = &r->clusters;
    fprintf(f, "\neffective sample size (rows are clustered by %s)\n", c->name);
    fprintf(f, "  %zu rows, %zu accounts, %zu with a churner row, %zu with a retained row\n",
            r->summary.n, c->n_clusters, c->churned_clusters, c->retained_clusters);
    fprintf(f, "  %s\n", c->effective_text);
    if (!c->auc_estimable)
        fprintf(f, "  clustered ROC AUC interval not estimable (%s); the interval above "
                   "assumes independent rows\n", c->auc_not_estimable);
    else
        fprintf(f, "  ROC AUC 95%% CI assuming independent rows would be %.4f to %.4f "
                   "(design effect %.2f)\n",
                c->auc.ci_low_naive, c->auc.ci_high_naive, c->auc.design_effect);
    if (c->ratios_estimable) {
        fprintf(f, "  churn rate                 ");
        print_ci(f, "%.4f", c->churn_rate.estimate, c->churn_rate.ci_low, c->churn_rate.ci_high,
                 "Clopper-Pearson at the effective size");
        fprintf(f, "  Brier                      ");
        print_ci(f, "%.5f", c->brier.estimate, c->brier.ci_low, c->brier.ci_high,
                 "linearised, by account");
        fprintf(f, "  log loss                   ");
        print_ci(f, "%.5f", c->log_loss.estimate, c->log_loss.ci_low, c->log_loss.ci_high,
                 "linearised, by account");
    }
    if (c->bootstrapped) {
        const hc_metrics_cluster_boot *b = &c->boot;
        char how[96];
        snprintf(how, sizeof how, "cluster bootstrap, %zu replicates, seed %lu", b->used,
                 b->seed);
        fprintf(f, "  PR AUC                     ");
        print_ci(f, "%.4f", b->pr_auc.estimate, b->pr_auc.ci_low, b->pr_auc.ci_high, how);
        fprintf(f, "  KS                         ");
        print_ci(f, "%.4f", b->ks.estimate, b->ks.ci_low, b->ks.ci_high, how);
        fprintf(f, "  ECE                        ");
        print_ci(f, "%.5f", b->ece.estimate, b->ece.ci_low, b->ece.ci_high, how);
        fprintf(f, "  top-decile lift            ");
        print_ci(f, "%.2f", b->lift_top_decile.estimate, b->lift_top_decile.ci_low,
                 b->lift_top_decile.ci_high, how);
        fprintf(f, "  top-decile capture         ");
        print_ci(f, "%.4f", b->capture_top_decile.estimate, b->capture_top_decile.ci_low,
                 b->capture_top_decile.ci_high, how);
    } else {
        fprintf(f, "  PR AUC, KS, ECE, lift: no interval (%s)\n", c->bootstrap_not_done);
    }
}

/* The band table in its two units: snapshots (rows, with the per-snapshot
 * churn rate and its interval), then accounts (each account once per band
 * it visited, as of its latest snapshot, churned accounts and churned ARR
 * once each). */
static void print_bands(FILE *f, const hc_validate_result *r)
{
    const hc_metrics_bands_result *b = &r->bands;
    fprintf(f, "\nbands in snapshots (a snapshot is one account in one week; churn rate: "
               "snapshots followed by a churn within the horizon, 95%% CI %s)\n"
               "  %-12s %6s %10s %6s %10s %10s %17s\n",
            b->clustered ? "clustered by account: Clopper-Pearson at the effective size"
                         : "Wilson, rows independent",
            "band", "min", "snapshots", "share", "churner", "churn rate", "95% CI");
    fprintf(f, "  %-12s %6s %10s %6s %10s\n", "", "", "", "", "snapshots");
    for (size_t k = 0; k < b->n_bands; k++) {
        const hc_metrics_band *x = &b->bands[k];
        char why[200];
        if (hc_validate_band_not_estimable(r, k, why, sizeof why)[0]) {
            fprintf(f, "  %-12.12s %6.1f %10zu   not estimable (%s)\n", r->band_names[k],
                    r->band_mins ? r->band_mins[k] : 0.0, x->accounts, why);
            continue;
        }
        char ci[40];
        snprintf(ci, sizeof ci, "%.2f%%-%.2f%%", 100 * x->rate_ci_low, 100 * x->rate_ci_high);
        fprintf(f, "  %-12.12s %6.1f %10zu %5.1f%% %10zu %9.2f%% %17s\n", r->band_names[k],
                r->band_mins ? r->band_mins[k] : 0.0, x->accounts, 100 * x->share,
                x->churners, 100 * x->churn_rate, ci);
    }
    fprintf(f, "  %-12s %6s %10zu %6s %10zu\n", "all", "", b->n, "", b->churners);
    if (b->clustered)
        fprintf(f, "  %s band as the intervention list: precision %.1f%% (95%% CI %.1f%% to "
                   "%.1f%%), recall %.1f%% of churner snapshots (%.1f%% to %.1f%%)\n",
                r->band_names[0], 100 * b->red_precision, 100 * b->red_precision_ci_low,
                100 * b->red_precision_ci_high, 100 * b->red_recall,
                100 * b->red_recall_ci_low, 100 * b->red_recall_ci_high);
    else
        fprintf(f, "  %s band as the intervention list: precision %.1f%%, recall %.1f%% of "
                   "churner snapshots\n",
                r->band_names[0], 100 * b->red_precision, 100 * b->red_recall);
    fprintf(f, "  band churn rates %s\n",
            r->bands_monotone ? "fall monotonically from the riskiest band to the healthiest"
                              : "are NOT monotone: a healthier band churns more than a riskier one");
    if (!r->has_band_accounts) {
        fprintf(f, "  (no account codes: the bands are counted in snapshots only)\n");
        return;
    }
    const hc_metrics_bands_accounts_result *a = &r->band_accounts;
    fprintf(f, "\nbands in accounts (each account counted once; ARR once per account)\n"
               "  %-12s %9s %9s %9s %14s %14s %14s\n"
               "  %-12s %9s %9s %9s %14s %14s\n",
            "band", "accounts", "accounts", "churned", "ARR", "ARR", "churned ARR",
            "", "visited", "as of", "accounts", "visited", "as of");
    for (size_t k = 0; k < a->n_bands; k++) {
        const hc_metrics_band_accounts *x = &a->bands[k];
        fprintf(f, "  %-12.12s %9zu %9zu %9zu %14.0f %14.0f %14.0f\n", r->band_names[k],
                x->accounts, x->accounts_latest, x->churned_accounts, x->arr, x->arr_latest,
                x->churned_arr);
    }
    fprintf(f, "  %-12s %9s %9zu %9zu %14s %14.0f %14.0f\n", "all", "", a->accounts,
            a->churned_accounts, "", a->arr_latest, a->churned_arr);
    fprintf(f, "  visited: accounts with a snapshot in the band, an account that moved counted "
               "in each band it visited, with the ARR of its latest snapshot there; as of: "
               "each account once, in the band of its latest snapshot, with its ARR there\n");
    fprintf(f, "  churned: each churned account once, in the band of its last snapshot before "
               "the churn; ");
    if (a->has_amounts)
        fprintf(f, "churned ARR from the churn event's amount (%zu account%s) or, for an "
                   "event without an amount, the ARR at that last snapshot (%zu)\n",
                a->churned_with_amount, a->churned_with_amount == 1 ? "" : "s",
                a->churned_from_arr);
    else
        fprintf(f, "no events: churned ARR is the ARR at that last snapshot (%zu account%s)\n",
                a->churned_from_arr, a->churned_from_arr == 1 ? "" : "s");
    if (a->churned_accounts) {
        fprintf(f, "  %s band catches %zu of %zu churned accounts (%.1f%%)",
                r->band_names[0], a->bands[0].churned_accounts, a->churned_accounts,
                100.0 * (double)a->bands[0].churned_accounts / (double)a->churned_accounts);
        if (a->churned_arr > 0)
            fprintf(f, " and %.1f%% of churned ARR", 100 * a->bands[0].churned_arr / a->churned_arr);
        fputc('\n', f);
    }
}

/* How early the score warns, per churned account. */
static void print_lead_time(FILE *f, const hc_validate_result *r)
{
    if (!r->has_lead_time || !r->lead_time.churned_accounts)
        return;
    const hc_lead_time_result *l = &r->lead_time;
    fprintf(f, "\nlead time (each churned account once: its labelled snapshots before its "
               "first churn event; 95%% CI Wilson over accounts)\n");
    const hc_lead_time_band *b[2] = {&l->red, &l->below_green};
    char name[2][80];
    snprintf(name[0], sizeof name[0], "%s", r->band_names[0]);
    snprintf(name[1], sizeof name[1], "below %s", r->band_names[r->bands.n_bands - 1]);
    for (int k = 0; k < 2; k++) {
        fprintf(f, "  %-14s ever before churning: %zu of %zu", name[k], b[k]->ever,
                l->churned_accounts);
        if (b[k]->ever)
            fprintf(f, ", first entered a median %.0f days (mean %.0f) before the churn",
                    b[k]->median_days, b[k]->mean_days);
        fputc('\n', f);
        for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++)
            if (b[k]->with_row[h])
                fprintf(f, "    %3d days before: %zu of %zu (%.1f%%, %.1f%% to %.1f%%)\n",
                        hc_lead_time_days[h], b[k]->flagged[h], b[k]->with_row[h],
                        100 * b[k]->share[h], 100 * b[k]->ci_low[h], 100 * b[k]->ci_high[h]);
    }
}

/* Calibration by calendar month (hc_calendar.h). */
static void print_months(FILE *f, const hc_calendar_result *c)
{
    static const char *const names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    fprintf(f, "\ncalibration by calendar month (snapshots dated in the month, any year; "
               "O/E = observed / expected churners; 95%% CI clustered by account)\n");
    fprintf(f, "  month  snapshots  accounts   churner  predicted   observed           95%% CI"
               "    O/E         95%% CI\n");
    fprintf(f, "                                snapshots\n");
    char differ[12 * 5] = "";
    for (int m = 0; m < 12; m++) {
        const hc_calendar_month *t = &c->month[m];
        if (!t->rows)
            continue;
        fprintf(f, "  %-5s %10zu %9zu %9zu %9.2f%% %9.2f%%", names[m], t->rows, t->accounts,
                t->churner_rows, 100 * t->predicted, 100 * t->observed);
        if (!t->estimable) {
            fprintf(f, "  not estimable (%s)\n",
                    t->accounts < 2 ? "fewer than 2 accounts" : "no predicted churn");
            continue;
        }
        char rate_ci[48], oe_ci[48];
        snprintf(rate_ci, sizeof rate_ci, "%.2f%%-%.2f%%", 100 * t->observed_ci_low,
                 100 * t->observed_ci_high);
        snprintf(oe_ci, sizeof oe_ci, "%.2f-%.2f", t->oe_ci_low, t->oe_ci_high);
        fprintf(f, " %16s %6.2f %14s%s\n", rate_ci, t->oe, oe_ci, t->differs ? "  differs" : "");
        if (t->differs) {
            strcat(differ, differ[0] ? ", " : "");
            strcat(differ, names[m]);
        }
    }
    if (c->months_differ)
        fprintf(f, "  calibration differs in %s (O/E interval excludes 1); with 12 months, one "
                   "such month in about two histories is chance (1 - 0.95^12 = 46%%)\n",
                differ);
    else
        fprintf(f, "  no month's O/E interval excludes 1\n");
}

static void print_result(FILE *f, const char *what, const hc_validate_result *r)
{
    const hc_metrics_summary *s = &r->summary;
    const hc_metrics_calibration_result *c = &r->calibration;
    fprintf(f, "validation of %s: %zu rows, %zu churners (%.2f%%)\n\n", what, s->n,
            s->positives, 100 * s->base_rate);
    fprintf(f, "discrimination (ranking of risk)\n");
    fprintf(f, "  ROC AUC                    %.4f  (95%% CI %.4f to %.4f, %s)\n",
            s->roc_auc, s->roc_auc_ci_low, s->roc_auc_ci_high,
            r->clusters.active && r->clusters.auc_estimable
                ? "clustered DeLong by account, Obuchowski 1997"
                : "DeLong, rows independent");
    fprintf(f, "  PR AUC (avg precision)     %.4f  (base rate %.4f)\n", s->pr_auc,
            s->base_rate);
    fprintf(f, "  KS                         %.4f\n", s->ks);
    char top[64];
    snprintf(top, sizeof top, "top decile (%zu rows)", (s->n + 9) / 10);
    fprintf(f, "  %-26s lift %.2f, captures %.1f%% of churners\n", top, s->lift_top_decile,
            100 * s->capture_top_decile);
    fprintf(f, "\ncalibration (probabilities: %s)\n",
            r->in_sample_map ? "in-sample logistic map of the score" : "as given");
    if (r->in_sample_map)
        fprintf(f, "  map                        logit p = %.6g %+.6g * score\n",
                r->map_intercept, r->map_slope);
    fprintf(f, "  Brier                      %.5f  (scaled %.4f)\n", s->brier,
            s->scaled_brier);
    fprintf(f, "  log loss                   %.5f\n", s->log_loss);
    fprintf(f, "  ECE (10 uniform bins)      %.5f\n", s->ece);
    fprintf(f, "  Emax / Eavg / E90          %.5f / %.5f / %.5f\n", s->emax, s->eavg,
            s->e90);
    const char *cm = r->clusters.active && r->clusters.calibration_estimable
                         ? "Wald, cluster sandwich design effect"
                         : "Wald, rows independent";
    fprintf(f, "  calibration intercept      ");
    print_ci(f, "%.4f", c->intercept, r->intercept_ci_low, r->intercept_ci_high, cm);
    fprintf(f, "  calibration slope          ");
    print_ci(f, "%.4f", c->slope, r->slope_ci_low, r->slope_ci_high, cm);
    fprintf(f, "  calibration-in-the-large   ");
    print_ci(f, "%.4f", c->in_the_large, r->citl_ci_low, r->citl_ci_high, cm);
    if (s->hl_estimable) {
        fprintf(f, "  Hosmer-Lemeshow            chi2 %.3f on %d df (%zu groups), p %.4g; "
                   "%s\n",
                s->hl_chi2, s->hl_df, s->hl_groups, s->hl_p, HC_VALIDATE_HL_ASSUMPTION);
    } else {
        char why[200];
        fprintf(f, "  Hosmer-Lemeshow            not estimable (%s)\n",
                hc_validate_hl_not_estimable(r, why, sizeof why));
    }
    fprintf(f, "  rows clipped               %zu (p = 0 or 1 clipped to [1e-15, 1 - 1e-15] "
               "for log loss and the calibration fits)\n",
            c->n_clipped);
    if (r->has_bands) {
        print_bands(f, r);
        print_lead_time(f, r);
    }
    if (r->has_months)
        print_months(f, &r->months);
    if (r->has_flags) /* cli_season.c */
        cli_season_print_flags(f, &r->flags);
    if (r->n_segments) {
        fprintf(f, "\nsegments (ROC AUC of the health score within each)\n");
        for (size_t k = 0; k < r->n_segments; k++) {
            const hc_validate_segment *g = &r->segments[k];
            if (g->estimable)
                fprintf(f, "  %-16.16s %9zu rows %7zu churners  AUC %.4f (95%% CI %.4f to "
                           "%.4f)\n",
                        g->name, g->n, g->churners, g->auc, g->auc_ci_low, g->auc_ci_high);
            else
                fprintf(f, "  %-16.16s %9zu rows %7zu churners  not estimable (%s)\n",
                        g->name, g->n, g->churners, g->not_estimable);
        }
    }
    if (r->n_components) {
        fprintf(f, "\ncomponents alone (ROC AUC of each sub-score, low = risk)\n");
        for (size_t k = 0; k < r->n_components; k++) {
            const hc_validate_component *x = &r->components[k];
            if (x->estimable)
                fprintf(f, "  %-16.16s %9zu rows  AUC %.4f\n", x->name, x->n, x->auc);
            else
                fprintf(f, "  %-16.16s %9zu rows  not estimable (%s)\n", x->name, x->n,
                        x->not_estimable);
        }
    }
    if (r->clusters.active)
        print_clusters(f, r);
    else
        fprintf(f, "\nintervals assume independent rows (no --cluster-col): with repeated "
                   "snapshots of one account they are too narrow\n");
    fprintf(f, "\nverdict\n  %s\n  %s\n", r->discrimination_text, r->calibration_text);
    if (r->recal.present)
        fprintf(f, "\nrecalibration\n  %s\n", r->recal.note);
    if (r->n_warnings) {
        fprintf(f, "\nwarnings\n");
        for (size_t k = 0; k < r->n_warnings; k++)
            fprintf(f, "  %s\n", r->warnings[k]);
    }
    if (r->n_not_estimable)
        fprintf(f, "\n%zu piece%s not estimable (see above); exit status %d\n",
                r->n_not_estimable, r->n_not_estimable == 1 ? "" : "s",
                EXIT_NOT_ESTIMABLE);
}

static int finish_result(const validate_args *a, const char *what,
                         const hc_validate_result *r, const hc_validate_source *src)
{
    hc_error err;
    hc_error_clear(&err);
    FILE *text = a->json && strcmp(a->json, "-") == 0 ? stderr : cli_format_text(&a->format);
    print_result(text, what, r);
    if (a->json && hc_validate_write_json(r, src, a->json, &err) != HC_OK)
        return cli_fail(&err);
    if (a->format.kind != CLI_FORMAT_TEXT) {
        int rc = cli_format_emit(&a->format, hc_validate_to_json(r, src), "summary");
        if (rc)
            return rc;
    }
    if (a->plot_data) {
        const hc_validate_result *rs[1] = {r};
        const char *names[1] = {a->name ? a->name : what};
        if (hc_backtest_write_plot_data(a->plot_data, rs, names, 1, &err) != HC_OK)
            return cli_fail(&err);
    }
    if (a->fail_below_auc > 0) {
        double auc = r->summary.roc_auc;
        if (!(auc >= a->fail_below_auc)) {
            fprintf(stderr, "healthcal: validate: ROC AUC %.4f is below --fail-below-auc %g; "
                            "exit status %d\n",
                    auc, a->fail_below_auc, EXIT_FAIL_BELOW_AUC);
            return EXIT_FAIL_BELOW_AUC;
        }
    }
    return r->n_not_estimable ? EXIT_NOT_ESTIMABLE : 0;
}

/* `--observations F --label COL (--prob COL | --score COL)`. */
static int validate_observations(const validate_args *a)
{
    if (!a->label)
        return cli_usage_error("--observations needs --label");
    if (!a->prob == !a->score)
        return cli_usage_error("--observations needs exactly one of --prob and --score");
    if (a->higher && !a->score)
        return cli_usage_error("--higher-is-healthier applies to --score only");
    const char *col = a->prob ? a->prob : a->score;
    const char *cols[1] = {col};
    const char *cluster = a->cluster_col && !cluster_off(a) ? a->cluster_col : NULL;
    if (cluster && (strcmp(cluster, col) == 0 || strcmp(cluster, a->label) == 0))
        return cli_usage_error("--cluster-col '%s' is also the label or the %s column", cluster,
                               a->prob ? "probability" : "score");
    hc_obs_table_options oo = {.path = a->observations,
                               .delimiter = a->hist.opt.delimiter,
                               .label = a->label,
                               .columns = cols,
                               .n_columns = 1,
                               .cluster = cluster};
    hc_error err;
    hc_error_clear(&err);
    hc_obs_table t;
    if (hc_obs_table_load(&oo, &t, &err) != HC_OK)
        return cli_fail(&err);
    if (!a->hist.quiet && t.rows_missing)
        fprintf(stderr, "healthcal: %zu of %zu rows dropped for a missing label or value\n",
                t.rows_missing, t.rows_read);
    hc_validate_input in;
    hc_validate_input_init(&in);
    in.n = t.n;
    in.y = t.y;
    in.leakage_auc = a->leakage_auc;
    in.tol_mean = a->tol_mean;
    in.tol_slope = a->tol_slope;
    in.cluster = t.cluster;
    in.cluster_name = cluster;
    in.bootstrap = a->bootstrap < 0 ? HC_VALIDATE_BOOTSTRAP_AUTO : (size_t)a->bootstrap;
    in.seed = (unsigned long)a->seed;
    if (a->prob)
        in.p = t.X;
    else {
        in.score = t.X;
        in.higher_is_healthier = a->higher;
    }
    hc_validate_result r;
    int rc;
    if (hc_validate_run(&in, &r, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        hc_validate_source src = {.kind = a->prob ? "probability" : "score",
                                  .file = a->observations,
                                  .column = col,
                                  .rows_read = t.rows_read,
                                  .rows_dropped = t.rows_missing,
                                  .cluster_column = cluster};
        char what[512];
        snprintf(what, sizeof what, "%s '%s' of %s", a->prob ? "probability" : "score",
                 col, a->observations);
        rc = finish_result(a, what, &r, &src);
    }
    hc_validate_result_release(&r);
    hc_obs_table_release(&t);
    return rc;
}

/* `--snapshots S --events E --config C`. */
static int validate_config(validate_args *a)
{
    if (cli_history_check(&a->hist, 1) != 0)
        return 1;
    if (!a->config)
        return cli_usage_error("option '--config' is required with --snapshots");
    if (a->prob || a->score || a->label || a->higher)
        return cli_usage_error("--prob, --score, --label and --higher-is-healthier "
                               "go with --observations");
    hc_model *m;
    const char *paths[1] = {a->config};
    int rc = cli_model_load_configs(paths, 1, &m);
    if (rc)
        return rc;
    hc_error err;
    hc_error_clear(&err);
    hc_history h;
    if (cli_model_load_history(&a->hist, &m, 1, &h, &err) != HC_OK) {
        hc_model_free(m);
        return cli_fail(&err);
    }
    if (!a->hist.quiet)
        hc_history_write_counts(&h, stderr);
    if (m->horizon_days != h.labels.horizon && m->churn.present)
        cli_warn("the config's churn model is for %d days but the labels use %d",
                 m->horizon_days, h.labels.horizon);
    hc_provenance_overlap ov;
    if (hc_provenance_check(m, &h, HC_DATE_MISSING, HC_DATE_MISSING, "these rows", &ov,
                            &err) != HC_OK) {
        hc_history_release(&h);
        hc_model_free(m);
        return cli_fail(&err);
    }
    hc_validate_result r;
    hc_validate_rows counts;
    memset(&counts, 0, sizeof counts);
    hc_validate_model_options vo;
    hc_validate_model_options_init(&vo);
    vo.leakage_auc = a->leakage_auc;
    vo.tol_mean = a->tol_mean;
    vo.tol_slope = a->tol_slope;
    vo.clustered = !cluster_off(a);
    vo.cluster_col = cluster_off(a) ? NULL : a->cluster_col;
    vo.bootstrap = a->bootstrap < 0 ? HC_VALIDATE_BOOTSTRAP_AUTO : (size_t)a->bootstrap;
    vo.seed = (unsigned long)a->seed;
    if (hc_validate_model_opts(m, &h, NULL, 0, &vo, &r, &counts, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        if (!a->hist.quiet && counts.missing_health)
            fprintf(stderr, "healthcal: %zu of %zu observations dropped: every "
                            "component missing\n",
                    counts.missing_health, counts.observations);
        if (!a->hist.quiet && !counts.churn_model_used)
            fprintf(stderr, "healthcal: the config has no churn model; probabilities "
                            "are an in-sample logistic map of the health score\n");
        hc_validate_source src = {.kind = "config",
                                  .file = a->hist.opt.snapshots_path,
                                  .config = a->config,
                                  .rows_read = counts.observations,
                                  .rows_dropped = counts.missing_health,
                                  .cluster_column = r.clusters.active ? r.clusters.name : NULL,
                                  .in_sample_known = ov.known,
                                  .in_sample = ov.in_sample,
                                  .in_sample_text = ov.in_sample ? ov.text : NULL};
        char what[512];
        snprintf(what, sizeof what, "config '%s'%s", m->name ? m->name : a->config,
                 ov.in_sample ? " IN-SAMPLE" : "");
        if (ov.in_sample)
            cli_warn("%s", ov.text);
        rc = finish_result(a, what, &r, &src);
    }
    hc_validate_result_release(&r);
    hc_history_release(&h);
    hc_model_free(m);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    static const cli_option options[] = {
        CLI_HISTORY_OPTIONS,
        {"config", OPT_CONFIG, 1, "FILE", "score the history with this config"},
        {"observations", OPT_OBSERVATIONS, 1, "FILE", "a labelled table with a probability or score column"},
        {"label", OPT_LABEL, 1, "COL", "outcome column of --observations (0/1, true/false, yes/no)"},
        {"prob", OPT_PROB, 1, "COL", "predicted churn probability column (0-1)"},
        {"score", OPT_SCORE, 1, "COL", "raw score column (higher = riskier unless --higher-is-healthier)"},
        {"higher-is-healthier", OPT_HIGHER, 0, NULL, "with --score: a higher score means a healthier account"},
        {"json", OPT_JSON, 1, "FILE", "write every metric as JSON (- for stdout)"},
        {"plot-data", OPT_PLOT_DATA, 1, "DIR", "write the data files `healthcal plot` draws"},
        {"name", OPT_NAME, 1, "TEXT", "name of the series in --plot-data files"},
        {"leakage-auc", OPT_LEAKAGE, 1, "X", "warn of leakage when the score or one component alone has ROC AUC above X (default 0.90)"},
        {"cluster-col", OPT_CLUSTER, 1, "COL", "account (cluster) id column: intervals by account (default with --snapshots: the account id; 'none': rows independent)"},
        {"bootstrap", OPT_BOOTSTRAP, 1, "N", "cluster-bootstrap replicates for PR AUC, KS, ECE and lift (default 1000 up to 1,000,000 rows, none above; 0: none)"},
        {"seed", OPT_SEED, 1, "S", "seed of the cluster bootstrap (default 20240101)"},
        {"tolerance-mean", OPT_TOL_MEAN, 1, "R", "a mean prediction off the observed rate by more than R of it is material (default 0.2)"},
        {"tolerance-slope", OPT_TOL_SLOPE, 1, "D", "a calibration slope off 1 by more than D is material (default 0.2)"},
        {"fail-below-auc", OPT_FAIL_BELOW_AUC, 1, "X", "exit 6 when the ROC AUC is below X (or not computable), for CI"},
        CLI_FORMAT_OPTIONS,
        {0},
    };
    cli_parser p = {
        "validate",
        "--observations FILE --label COL (--prob COL | --score COL) [--cluster-col COL] "
        "[--json OUT] | --snapshots FILE --events FILE --config FILE [--cluster-col COL] "
        "[--bootstrap N] [--seed S] [--json OUT]",
        "Scores predictions against what happened: ROC AUC with a (clustered) DeLong interval,\n"
        "PR AUC, Brier, log loss, calibration slope and intercept, ECE,\n"
        "Hosmer-Lemeshow, KS, top-decile lift, and churn rates per band; then says\n"
        "in plain words whether the score discriminates (AUC >= 0.8 well, >= 0.7\n"
        "moderately, else poorly: Hosmer & Lemeshow 2013) and whether it is\n"
        "calibrated. Calibration is judged by detection and by size: \"calibrated\"\n"
        "when the 95% intervals of the calibration slope contain 1 and of\n"
        "calibration-in-the-large contain 0 and the effect sizes are within their\n"
        "tolerances; \"calibrated within tolerance\" when the rows detect a\n"
        "miscalibration too small to matter; \"not calibrated\" when it is detected\n"
        "and material: the mean prediction off the observed rate by more than\n"
        "--tolerance-mean of it (0.2: expected/observed outside 0.8-1.2) or the\n"
        "slope off 1 by more than --tolerance-slope (0.2); \"calibration uncertain\"\n"
        "when nothing is detected but an estimate is past its tolerance (too few\n"
        "data to tell). A raw --score is ranked as is; its calibration metrics use\n"
        "an in-sample logistic map and are labelled so.\n"
        "\n"
        "Conventions (also in the JSON \"conventions\" object):\n"
        "  ECE: " HC_VALIDATE_CONVENTION_ECE ".\n"
        "  log loss: " HC_VALIDATE_CONVENTION_LOG_LOSS ".\n"
        "  Hosmer-Lemeshow: " HC_VALIDATE_CONVENTION_HL ".\n"
        "  top-decile lift: " HC_VALIDATE_CONVENTION_LIFT ".\n"
        "  reliability diagram: " HC_VALIDATE_CONVENTION_RELIABILITY ".\n"
        "\n"
        "Clustered rows: an account contributes a snapshot a week and its rows are\n"
        "correlated, so with --snapshots every interval is clustered by the account\n"
        "id (--cluster-col names another id column; with --observations it names\n"
        "the account column; 'none' treats rows as independent). ROC AUC: clustered\n"
        "DeLong (Obuchowski 1997); churn rates, red-band precision and recall:\n"
        "Clopper-Pearson at the effective sample size of a linearised ratio\n"
        "variance (Korn & Graubard 1998); Brier\n"
        "and log loss: linearised by account; calibration slope, intercept and\n"
        "calibration-in-the-large: model SE times the root of the cluster sandwich\n"
        "design effect; PR AUC, KS, ECE, top-decile lift: a cluster bootstrap that\n"
        "resamples accounts (--bootstrap N, --seed S). Hosmer-Lemeshow assumes\n"
        "independent rows and is not valid for repeated snapshots. One row per\n"
        "account gives the rows-independent intervals exactly.\n"
        "\n"
        "Leakage: a warning names the score or a component whose ROC AUC alone\n"
        "exceeds --leakage-auc (0.90; published user-churn benchmarks, RelBench, sit\n"
        "at 0.52-0.70), or a component whose lone AUC exceeds the second best\n"
        "component's by more than 0.15, and suggests checking its timestamps.\n"
        "\n"
        "Exit status: 0 everything computed; 5 results written, but some pieces\n"
        "(an empty band, a segment without churners, Hosmer-Lemeshow without\n"
        "groups) are reported as not estimable; 3 nothing estimable (e.g. no\n"
        "churners at all); 1 usage; 2 bad input data; 4 output or memory failure;\n"
        "6 results written, but the ROC AUC is below --fail-below-auc X.",
        options, argc, argv};
    validate_args a;
    memset(&a, 0, sizeof a);
    a.bootstrap = -1; /* the default: HC_VALIDATE_BOOTSTRAP_AUTO */
    a.seed = (long)HC_VALIDATE_SEED_DEFAULT;
    cli_history_init(&a.hist);
    const char *arg;
    int c;
    while ((c = cli_next(&p, &arg)) != -1) {
        int r = cli_history_option(&a.hist, c, arg);
        if (r == 0)
            continue;
        if (r > 0)
            return 1;
        switch (c) {
        case OPT_CONFIG: a.config = arg; break;
        case OPT_JSON: a.json = arg; break;
        case OPT_OBSERVATIONS: a.observations = arg; break;
        case OPT_LABEL: a.label = arg; break;
        case OPT_PROB: a.prob = arg; break;
        case OPT_SCORE: a.score = arg; break;
        case OPT_HIGHER: a.higher = 1; break;
        case OPT_PLOT_DATA: a.plot_data = arg; break;
        case OPT_NAME: a.name = arg; break;
        case OPT_LEAKAGE:
            if (cli_parse_double("leakage-auc", arg, 0.5, 1.0, &a.leakage_auc))
                return 1;
            break;
        case OPT_CLUSTER: a.cluster_col = arg; break;
        case OPT_TOL_MEAN:
            if (cli_parse_double("tolerance-mean", arg, 1e-6, 10.0, &a.tol_mean))
                return 1;
            break;
        case OPT_TOL_SLOPE:
            if (cli_parse_double("tolerance-slope", arg, 1e-6, 10.0, &a.tol_slope))
                return 1;
            break;
        case OPT_FAIL_BELOW_AUC:
            if (cli_parse_double("fail-below-auc", arg, 1e-9, 1.0, &a.fail_below_auc))
                return 1;
            break;
        case OPT_BOOTSTRAP:
            if (cli_parse_long("bootstrap", arg, 0, 1000000, &a.bootstrap))
                return 1;
            if (a.bootstrap == 1)
                return cli_usage_error("--bootstrap needs 0 (none) or at least 2 replicates");
            break;
        case OPT_SEED:
            if (cli_parse_long("seed", arg, 0, 2147483647L, &a.seed))
                return 1;
            break;
        case 'h': return 0;
        default:
            if (cli_format_option(&a.format, c, arg) == 0)
                break;
            return 1;
        }
    }
    if (cli_no_positionals(&p))
        return 1;
    if (cli_format_check(&a.format, a.json && strcmp(a.json, "-") == 0 ? "--json -" : NULL))
        return 1;
    if (a.observations && a.hist.opt.snapshots_path)
        return cli_usage_error("give either --observations or --snapshots, not both");
    if (!a.observations && !a.hist.opt.snapshots_path)
        return cli_usage_error("give --observations FILE or --snapshots FILE "
                               "(see 'healthcal validate --help')");
    if (a.observations)
        return validate_observations(&a);
    return validate_config(&a);
}
