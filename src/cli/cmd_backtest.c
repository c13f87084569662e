/* cmd_backtest.c - `healthcal backtest`: walk-forward evaluation of configs and thresholds by date. */
#include "cli.h"
#include "cli_format.h"
#include "cli_history.h"
#include "cli_model.h"
#include "hc_backtest.h"
#include "hc_date.h"
#include "hc_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONFIGS 16

enum {
    OPT_CONFIG = 'c',
    OPT_OUTPUT = 'o',
    OPT_TUNED = OPT_FIRST_FREE,
    OPT_STEP,
    OPT_WINDOW,
    OPT_FIRST_TEST,
    OPT_OBJECTIVE,
    OPT_MIN_BAND,
    OPT_SEGMENTS,
    OPT_SEG_MIN_CHURNED,
    OPT_RIDGE,
    OPT_MIN_CHURNERS,
    OPT_NAMES,
    OPT_CLUSTER,
    OPT_BOOTSTRAP,
    OPT_SEED,
    OPT_ALLOW_IN_SAMPLE
};

static void progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    fprintf(stderr, "\rhealthcal backtest: fold %zu of %zu%s", done, total,
            done == total ? "\n" : "");
    fflush(stderr);
}

/* The out-of-time figures of the threshold search (nested walk-forward). */
static void print_nested(FILE *f, const hc_backtest_result *r)
{
    const hc_backtest_nested *n = &r->nested;
    if (!r->has_nested) {
        fputs("  out of time: fewer than two usable folds, or no cut points on the "
              "earlier folds: no out-of-time figures for the thresholds\n", f);
        return;
    }
    fprintf(f, "  out of time (nested walk-forward: each fold's cut points chosen on the "
               "earlier folds' test rows, scored on its own): red flags %.1f%% of "
               "snapshots, catches %.1f%% of churner snapshots at precision %.1f%%",
            100 * n->share_flagged, 100 * n->recall, 100 * n->precision);
    if (n->churned_arr > 0)
        fprintf(f, ", %.1f%% of churned ARR", 100 * n->arr_recall);
    if (n->dates) {
        double rlo = 0, rhi = 1, plo = 0, phi = 1;
        hc_metrics_wilson(n->red_churned_accounts, n->churned_accounts, 0.95, &rlo, &rhi);
        hc_metrics_wilson(n->red_churned_accounts, n->red_accounts, 0.95, &plo, &phi);
        fprintf(f, "; in accounts: %zu accounts red, %zu of %zu churned accounts caught "
                   "(recall %.1f%%, 95%% CI %.1f%% to %.1f%%; precision %.1f%%, %.1f%% to "
                   "%.1f%%; Wilson over accounts), %.1f red accounts per scoring date on "
                   "average, at most %zu",
                n->red_accounts, n->red_churned_accounts, n->churned_accounts,
                100 * n->account_recall, 100 * rlo, 100 * rhi, 100 * n->account_precision,
                100 * plo, 100 * phi, n->red_per_date_mean, n->red_per_date_max);
    }
    fprintf(f, "; the target (counted in accounts) held in %zu of %zu folds\n", n->met,
            n->scored);
}

/* Per fold: the objective on the training rows and on the test rows (out
 * of time), the red accounts a scoring date's list holds, and the vote on
 * the recommended bands. */
static void print_folds_objective(FILE *f, const hc_backtest_result *r)
{
    const hc_backtest_config *pc = &r->configs[r->primary];
    size_t met = 0, used = 0, dates = 0, red = 0, max = 0, train_max = 0;
    for (size_t fi = 0; fi < r->plan.n_folds; fi++) {
        if (!r->folds[fi].used)
            continue;
        const hc_backtest_cell *cell = &r->folds[fi].cells[r->primary];
        used++;
        met += cell->objective_met != 0;
        dates += cell->test_dates;
        red += cell->band_accounts[0]; /* red test snapshots: one per account a date */
        max = cell->red_per_date_max > max ? cell->red_per_date_max : max;
        train_max = cell->train_red_per_date_max > train_max ? cell->train_red_per_date_max
                                                             : train_max;
    }
    fprintf(f, "  per fold: the objective was met on the training rows in %zu of %zu "
               "folds; the red band held at most %zu accounts on a training scoring date",
            met, used, train_max);
    if (dates)
        fprintf(f, ", and on the test rows %.1f red accounts per scoring date on average, at "
                   "most %zu (folds.csv: red_per_date_mean, red_per_date_max)",
                (double)red / (double)dates, max);
    fputs("\n", f);
    fprintf(f, "  the objective held out of time (on the test rows, counted in accounts) in "
               "%zu of %zu folds: the chosen bands are %s (that needs more than half the "
               "folds; backtest writes no config: `healthcal report` writes the bands into "
               "tuned.json only when they are recommended)\n",
            pc->folds_met_test, pc->folds_evaluated,
            pc->bands_recommended ? "recommended" : "NOT recommended");
}

/* How early each config's bands warned of the test periods' churns. */
static void print_lead_time(FILE *f, const hc_backtest_result *r)
{
    int any = 0;
    for (size_t c = 0; c < r->n_configs; c++) {
        const hc_backtest_config *cf = &r->configs[c];
        if (!cf->has_pooled || !cf->pooled.has_lead_time ||
            !cf->pooled.lead_time.churned_accounts || cf->n_bands < 2)
            continue;
        const hc_lead_time_result *l = &cf->pooled.lead_time;
        if (!any++)
            fprintf(f, "\nlead time out of time (the churned accounts of the test periods, "
                       "each once; share flagged d days before its churn, 95%% CI Wilson over "
                       "accounts)\n");
        fprintf(f, "%s: %zu churned accounts\n", cf->name, l->churned_accounts);
        const hc_lead_time_band *b[2] = {&l->red, &l->below_green};
        for (int k = 0; k < 2; k++) {
            if (k == 0)
                fprintf(f, "  %-18.18s", cf->band_names[0]);
            else
                fprintf(f, "  below %-12.12s", cf->band_names[cf->n_bands - 1]);
            for (size_t h = 0; h < HC_LEAD_TIME_HORIZONS; h++)
                if (b[k]->with_row[h])
                    fprintf(f, "  %d days: %zu of %zu (%.0f%%, %.0f-%.0f%%)",
                            hc_lead_time_days[h], b[k]->flagged[h], b[k]->with_row[h],
                            100 * b[k]->share[h], 100 * b[k]->ci_low[h],
                            100 * b[k]->ci_high[h]);
            if (b[k]->ever)
                fprintf(f, "; first entered a median %.0f days before churn", b[k]->median_days);
            fputc('\n', f);
        }
    }
}

/* With --tuned --segments: how many of each fold refit's segments were
 * merged into its pooled model (too few churned accounts in the fold's
 * training rows), the range over the used folds. */
static void print_segments_merged(FILE *f, const hc_backtest_result *r)
{
    if (!r->opt.fit.segments)
        return;
    for (size_t c = 0; c < r->n_configs; c++) {
        if (r->configs[c].kind != HC_BT_TUNED)
            continue;
        size_t lo = (size_t)-1, hi = 0, cells_lo = (size_t)-1, cells_hi = 0;
        for (size_t fi = 0; fi < r->plan.n_folds; fi++) {
            const hc_backtest_cell *cell = &r->folds[fi].cells[c];
            if (!r->folds[fi].used)
                continue;
            lo = cell->segments_merged < lo ? cell->segments_merged : lo;
            hi = cell->segments_merged > hi ? cell->segments_merged : hi;
            cells_lo = cell->segments_fitted < cells_lo ? cell->segments_fitted : cells_lo;
            cells_hi = cell->segments_fitted > cells_hi ? cell->segments_fitted : cells_hi;
        }
        if (hi == 0 && lo != (size_t)-1)
            fprintf(f, "\nsegments (%s): no fold merged a segment (each fold refit %zu-%zu "
                       "segments)\n", r->configs[c].name, cells_lo, cells_hi);
        else if (lo != (size_t)-1) {
            size_t k = r->opt.fit.segment_min_churned ? r->opt.fit.segment_min_churned : 1;
            char why[96];
            if (k == 1)
                snprintf(why, sizeof why, "no churned account");
            else
                snprintf(why, sizeof why, "fewer than %zu churned accounts", k);
            fprintf(f, "\nsegments (%s): each fold's refit merged %zu-%zu of its %zu-%zu "
                       "segments into the pooled model (%s in the fold's training "
                       "rows; folds.csv: segments_merged)\n",
                    r->configs[c].name, lo, hi, cells_lo, cells_hi, why);
        }
    }
}

static void print_summary(FILE *f, const hc_backtest_result *r)
{
    char a[11], b[11];
    hc_date_format(r->plan.folds[0].test_start, a);
    hc_date_format(r->plan.folds[r->plan.n_folds - 1].test_end, b);
    fprintf(f, "walk-forward backtest: %zu of %zu folds used, test periods %s to %s, "
               "%zu pooled test rows (%zu excluded: no health score under some config)\n",
            r->folds_used, r->plan.n_folds, a, b, r->n_pooled, r->test_excluded);
    fprintf(f, "embargo: training snapshots end %d days (horizon %d + lead %d) before "
               "each test period\n",
            r->plan.horizon + r->plan.lead, r->plan.horizon, r->plan.lead);
    {
        const char *why = hc_backtest_fold_adequacy(r);
        if (why)
            fprintf(f, "caution: %s\n", why);
        else
            fprintf(f, "folds: at least %d used, each test period with at least %d churned "
                       "accounts: enough to conclude\n",
                    HC_BACKTEST_ADEQUATE_FOLDS, HC_BACKTEST_ADEQUATE_CHURNED);
        fputc('\n', f);
    }
    fprintf(f, "%-24s %8s %17s %8s %8s %8s %8s %10s\n", "config", "ROC AUC", "95% CI",
            "PR AUC", "Brier", "ECE", "slope", "red recall");
    for (size_t c = 0; c < r->n_configs; c++) {
        const hc_backtest_config *cf = &r->configs[c];
        if (!cf->has_pooled) {
            fprintf(f, "%-24.24s (no pooled metrics: %s)\n", cf->name, cf->pooled_note);
            continue;
        }
        const hc_metrics_summary *s = &cf->pooled.summary;
        char ci[40];
        snprintf(ci, sizeof ci, "%.3f-%.3f", s->roc_auc_ci_low, s->roc_auc_ci_high);
        fprintf(f, "%-24.24s %8.4f %17s %8.4f %8.5f %8.5f %8.3f", cf->name, s->roc_auc,
                ci, s->pr_auc, s->brier, s->ece, s->calibration_slope);
        if (cf->pooled.has_bands)
            fprintf(f, " %9.1f%%", 100 * cf->pooled.bands.red_recall);
        fputc('\n', f);
    }
    for (size_t c = 0; c < r->n_configs; c++) {
        const hc_backtest_config *cf = &r->configs[c];
        if (!cf->has_pooled)
            continue;
        fprintf(f, "\n%s (probabilities: %s)\n  %s\n  %s\n", cf->name, cf->probabilities,
                cf->pooled.discrimination_text, cf->pooled.calibration_text);
        if (cf->pooled.clusters.active && cf->pooled.clusters.effective_text[0])
            fprintf(f, "  %s\n", cf->pooled.clusters.effective_text);
        for (size_t w = 0; w < cf->pooled.n_warnings; w++)
            fprintf(f, "  warning: %s\n", cf->pooled.warnings[w]);
    }
    for (size_t i = 0; i < r->n_comparisons; i++) {
        const hc_backtest_comparison *c = &r->comparisons[i];
        const char *name = r->configs[c->index].name, *base = r->configs[0].name;
        if (!c->ok) {
            fprintf(f, "\n%s vs %s: no AUC comparison (%s)\n", name, base, c->note);
            continue;
        }
        /* The verdict rests on c->diff: the clustered test when clustered. */
        int sig = c->diff.ci_low > 0 || c->diff.ci_high < 0;
        if (c->clustered)
            fprintf(f, "\n%s vs %s: AUC difference %+.4f (95%% CI %+.4f to %+.4f, %s by "
                       "%s over %zu accounts, p %.3g; rows independent: %+.4f to %+.4f, "
                       "design effect %.2f): %s\n",
                    name, base, c->diff.diff, c->diff.ci_low, c->diff.ci_high,
                    HC_BACKTEST_METHOD_PAIRED_CLUSTERED, c->cluster_name, c->n_clusters,
                    c->diff.p_value, c->ci_low_naive, c->ci_high_naive, c->design_effect,
                    !sig ? "no significant difference"
                    : c->diff.diff > 0 ? "significantly better" : "significantly worse");
        else
            fprintf(f, "\n%s vs %s: AUC difference %+.4f (95%% CI %+.4f to %+.4f, DeLong "
                       "paired, rows independent, p %.3g): %s\n",
                    name, base, c->diff.diff, c->diff.ci_low, c->diff.ci_high,
                    c->diff.p_value,
                    !sig ? "no significant difference"
                    : c->diff.diff > 0 ? "significantly better" : "significantly worse");
    }
    print_lead_time(f, r);
    if (r->opt.use_objective) {
        fprintf(f, "\nthresholds (%s):\n", r->configs[r->primary].name);
        if (r->has_sweep)
            fprintf(f, "  chosen on all pooled test rows (the cut points to deploy; their "
                       "figures are in-sample, chosen and scored on the same rows): %s\n",
                    r->sweep.message);
        else
            fprintf(f, "  no cut points on the pooled test rows: %s\n", r->sweep_note);
        print_nested(f, r);
        print_folds_objective(f, r);
    }
    print_segments_merged(f, r);
    size_t skipped = r->plan.n_folds - r->folds_used;
    if (skipped) {
        fprintf(f, "\nskipped folds:\n");
        for (size_t fi = 0; fi < r->plan.n_folds; fi++)
            if (!r->folds[fi].used) {
                hc_date_format(r->plan.folds[fi].test_start, a);
                fprintf(f, "  fold %zu (test from %s): %s\n", fi + 1, a, r->folds[fi].note);
            }
    }
}

int cmd_backtest(int argc, char **argv)
{
    static const cli_option options[] = {
        CLI_HISTORY_OPTIONS,
        {"config", OPT_CONFIG, 1, "FILE", "a config to evaluate (repeat for several; the first is the baseline)"},
        {"names", OPT_NAMES, 1, "A,B", "display names of the configs, in order"},
        {"tuned", OPT_TUNED, 0, NULL, "also evaluate the model refitted in each fold from the first config"},
        {"step", OPT_STEP, 1, "DAYS", "length of each test period and the step between folds (default 28)"},
        {"window", OPT_WINDOW, 1, "DAYS", "training window in days, or 'expanding' (default 365)"},
        {"first-test", OPT_FIRST_TEST, 1, "DATE", "start of the first test period (default: first date + 182 days + horizon + lead, or + window when shorter)"},
        {"objective", OPT_OBJECTIVE, 1, "SPEC", "choose band cut points, counted in accounts: recall=0.7, arr-recall=0.7, precision=0.3, value:cost=C,save-rate=R (C per account-week in red), capacity=N (at most N red accounts on each scoring date) or capacity=P% (of the accounts scored that date)"},
        {"min-band", OPT_MIN_BAND, 1, "SHARE", "minimum share of snapshots per band (default 0.05)"},
        {"segments", OPT_SEGMENTS, 0, NULL, "refit per-segment weights in each fold"},
        {"segment-min-churned", OPT_SEG_MIN_CHURNED, 1, "N", "with --segments: merge a segment with fewer churned accounts in a fold's training rows into the pooled model (default 1, as fit)"},
        {"ridge", OPT_RIDGE, 1, "LAMBDA", "L2 penalty of the refit (default 0)"},
        {"min-train-churners", OPT_MIN_CHURNERS, 1, "N", "skip folds with fewer training churners (default 10)"},
        {"cluster-col", OPT_CLUSTER, 1, "COL", "cluster the pooled intervals and the paired AUC test by this text column (default: the account id; 'none': rows independent)"},
        {"bootstrap", OPT_BOOTSTRAP, 1, "N", "cluster-bootstrap replicates for the pooled PR AUC, KS, ECE and lift (default 0: the pooled rows are millions)"},
        {"seed", OPT_SEED, 1, "S", "seed of that bootstrap (default 20240101)"},
        {"output", OPT_OUTPUT, 1, "DIR", "output directory (required)"},
        {"allow-in-sample", OPT_ALLOW_IN_SAMPLE, 0, NULL, "backtest a config fitted on rows of the test periods anyway (default: refuse)"},
        CLI_FORMAT_OPTIONS,
        {0},
    };
    cli_parser p = {
        "backtest",
        "--snapshots FILE --events FILE --config FILE [--config FILE] [--tuned] -o DIR",
        "Walk-forward evaluation by date. Each fold tests on [T, T+step) and trains on\n"
        "snapshots in [T-window, T-horizon-lead), so no training label window reaches\n"
        "into the test period. Hand-set configs keep their weights; --tuned refits\n"
        "transforms, weights and calibration in every fold on its training rows only.\n"
        "With --objective, band cut points are chosen on each fold's training rows.\n"
        "\n"
        "Objectives count accounts, not snapshots: recall is churned accounts with a\n"
        "red snapshot before their churn / churned accounts; precision is those\n"
        "caught / accounts ever red; ARR recall counts each account's churned ARR\n"
        "once (the churn event's amount, else the ARR of its last churner snapshot);\n"
        "value = save-rate x churned ARR caught - cost x account-weeks in red (an\n"
        "intervention is one account on one scoring date in red). capacity=N is the\n"
        "largest red band holding at most N accounts on every scoring date of the\n"
        "training rows (capacity=P%: at most P% of that date's accounts). The band\n"
        "rules (--min-band, churn rates falling) stay on snapshots. folds.csv gives\n"
        "each fold's red accounts per scoring date and the objective on the test\n"
        "rows (objective_test, objective_met_test); the bands are recommended when\n"
        "it held out of time in more than half of the folds.\n"
        "Writes folds.csv, summary.json, thresholds.csv, cutpoints.csv,\n"
        "bands_over_time.csv and the plot data files into DIR.\n"
        "\n"
        "Clusters: an account contributes one snapshot a week, so the pooled test\n"
        "rows are clustered by account. The pooled intervals (validate's clustered\n"
        "ones) and the paired AUC test of each config against the first (clustered\n"
        "DeLong, Obuchowski 1997) are by account; the verdict \"significantly\n"
        "better\" rests on the clustered test, and the rows-independent interval and\n"
        "the design effect are printed beside it. --cluster-col none gives the\n"
        "rows-independent intervals. The cluster bootstrap of PR AUC, KS, ECE and\n"
        "lift is off by default (--bootstrap 0) because the pooled rows are millions.",
        options, argc, argv};
    cli_history hist;
    cli_history_init(&hist);
    hc_backtest_options opt;
    hc_backtest_options_init(&opt);
    const char *configs[MAX_CONFIGS];
    size_t n_cfg = 0;
    const char *output = NULL, *names_arg = NULL;
    cli_format format = {0};
    int allow_in_sample = 0;
    hc_error err;
    hc_error_clear(&err);
    const char *arg;
    int c;
    long v;
    while ((c = cli_next(&p, &arg)) != -1) {
        int r = cli_history_option(&hist, c, arg);
        if (r == 0)
            continue;
        if (r > 0)
            return 1;
        switch (c) {
        case OPT_CONFIG:
            if (n_cfg == MAX_CONFIGS)
                return cli_usage_error("at most %d --config files", MAX_CONFIGS);
            configs[n_cfg++] = arg;
            break;
        case OPT_NAMES: names_arg = arg; break;
        case OPT_TUNED: opt.tuned = 1; break;
        case OPT_STEP:
            if (cli_parse_long("step", arg, 1, 3650, &v))
                return 1;
            opt.step_days = (int)v;
            break;
        case OPT_WINDOW:
            if (strcmp(arg, "expanding") == 0)
                opt.window_days = 0;
            else if (cli_parse_long("window", arg, 1, 36500, &v))
                return 1;
            else
                opt.window_days = (int)v;
            break;
        case OPT_FIRST_TEST: {
            int d;
            if (cli_parse_date("first-test", arg, &d))
                return 1;
            opt.first_test = d;
            break;
        }
        case OPT_OBJECTIVE:
            if (hc_backtest_parse_objective(arg, &opt.threshold, &err) != HC_OK)
                return cli_usage_error("option '--objective': %s", err.message);
            opt.use_objective = 1;
            break;
        case OPT_MIN_BAND:
            if (cli_parse_double("min-band", arg, 0, 0.5, &opt.threshold.min_band_share))
                return 1;
            break;
        case OPT_SEGMENTS: opt.fit.segments = 1; break;
        case OPT_SEG_MIN_CHURNED:
            if (cli_parse_long("segment-min-churned", arg, 1, 1000000, &v))
                return 1;
            opt.fit.segment_min_churned = (size_t)v;
            break;
        case OPT_RIDGE:
            if (cli_parse_double("ridge", arg, 0, 1e12, &opt.fit.ridge))
                return 1;
            break;
        case OPT_MIN_CHURNERS:
            if (cli_parse_long("min-train-churners", arg, 2, 1000000, &v))
                return 1;
            opt.min_train_churners = (size_t)v;
            break;
        case OPT_CLUSTER:
            if (strcmp(arg, "none") == 0) {
                opt.unclustered = 1;
                opt.cluster_col = NULL;
            } else {
                opt.unclustered = 0;
                opt.cluster_col = arg;
            }
            break;
        case OPT_BOOTSTRAP:
            if (cli_parse_long("bootstrap", arg, 0, 1000000, &v))
                return 1;
            if (v == 1)
                return cli_usage_error("option '--bootstrap': 0 or at least 2 replicates");
            opt.bootstrap = (size_t)v;
            break;
        case OPT_SEED:
            if (cli_parse_long("seed", arg, 1, 2147483647L, &v))
                return 1;
            opt.seed = (unsigned long)v;
            break;
        case OPT_OUTPUT: output = arg; break;
        case OPT_ALLOW_IN_SAMPLE: allow_in_sample = 1; break;
        case 'h': return 0;
        default:
            if (cli_format_option(&format, c, arg) == 0)
                break;
            return 1;
        }
    }
    if (cli_no_positionals(&p) || cli_history_check(&hist, 1) != 0 ||
        cli_format_check(&format, NULL))
        return 1;
    if (n_cfg == 0)
        return cli_usage_error("option '--config' is required");
    if (!output)
        return cli_usage_error("option '-o DIR' is required");
    size_t n_names = 0;
    char **names = NULL;
    if (names_arg) {
        names = cli_split_list(names_arg, &n_names);
        if (!names)
            return cli_usage_error("out of memory");
        if (n_names != n_cfg) {
            free(names);
            return cli_usage_error("--names gives %zu names for %zu configs", n_names, n_cfg);
        }
    }
    hc_model *models[MAX_CONFIGS];
    int rc = cli_model_load_configs(configs, n_cfg, models);
    if (rc) {
        free(names);
        return rc;
    }
    hc_history h;
    if (cli_model_load_history(&hist, models, n_cfg, &h, &err) != HC_OK) {
        rc = cli_fail(&err);
        goto out_models;
    }
    if (!hist.quiet)
        hc_history_write_counts(&h, stderr);
    for (size_t i = 0; i < n_cfg; i++)
        if (models[i]->churn.present && models[i]->horizon_days != h.labels.horizon)
            cli_warn("config '%s' has a churn model for %d days, but the labels use %d",
                     configs[i], models[i]->horizon_days, h.labels.horizon);
    if ((rc = cli_model_check_in_sample(&h, models, configs, n_cfg, &opt, allow_in_sample)))
        goto out_history;
    if (!hist.quiet && cli_stderr_is_tty())
        opt.progress = progress;
    hc_backtest_result r;
    if (hc_backtest_run(&h, (const hc_model *const *)models, (const char *const *)names,
                        n_cfg, &opt, &r, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else if (hc_backtest_write(&r, &h, output, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        print_summary(cli_format_text(&format), &r);
        if (!hist.quiet)
            fprintf(stderr, "healthcal: wrote folds.csv, summary.json, thresholds.csv and "
                            "plot data to %s\n", output);
        rc = cli_format_emit_files(&format, output, "summary.json", "folds");
    }
    hc_backtest_result_release(&r);
out_history:
    hc_history_release(&h);
out_models:
    for (size_t i = 0; i < n_cfg; i++)
        hc_model_free(models[i]);
    free(names);
    return rc;
}
