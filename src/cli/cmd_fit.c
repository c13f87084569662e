/* cmd_fit.c - `healthcal fit`: logistic fits from a labelled table or from history and a config. */
#include "cli.h"
#include "cli_format.h"
#include "cli_history.h"
#include "cli_model.h"
#include "hc_coef_table.h"
#include "hc_date.h"
#include "hc_fit.h"
#include "hc_model.h"
#include "hc_obs_table.h"
#include "hc_outfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_CONFIG = 'c',
    OPT_OUTPUT = 'o',
    OPT_OBSERVATIONS = OPT_FIRST_FREE,
    OPT_LABEL,
    OPT_FEATURES,
    OPT_CLUSTER,
    OPT_RIDGE,
    OPT_COEF_OUT,
    OPT_SEGMENTS,
    OPT_NO_EXPANSION,
    OPT_RECALIBRATE,
    OPT_RECAL_HOLDOUT,
    OPT_SEG_MIN_CHURNED
};

typedef struct {
    cli_history hist;
    const char *config, *output, *observations, *label, *features, *cluster,
        *coef_out;
    double ridge;
    int segments, no_expansion;
    long seg_min_churned;
    const char *recalibrate;
    double recal_holdout;
    cli_format format;
} fit_args;

static int write_coef_csv(const char *path, const hc_logreg_result *res,
                          const char *const *names)
{
    hc_error err;
    hc_outfile *of;
    if (hc_outfile_open(path, &of, &err) != HC_OK)
        return cli_fail(&err);
    hc_coef_table_write_csv(hc_outfile_stream(of), res, names);
    if (hc_outfile_commit(of, &err) != HC_OK)
        return cli_fail(&err);
    return 0;
}

static int write_fit_csv(const char *path, const hc_fit_result *r)
{
    hc_error err;
    hc_outfile *of;
    if (hc_outfile_open(path, &of, &err) != HC_OK)
        return cli_fail(&err);
    hc_coef_table_write_fit_csv(hc_outfile_stream(of), r);
    if (hc_outfile_commit(of, &err) != HC_OK)
        return cli_fail(&err);
    return 0;
}

/* Mode 1: `--observations F --label COL --features a,b,c`. */
static int fit_observations(const fit_args *a)
{
    if (!a->label || !a->features)
        return cli_usage_error("--observations needs --label and --features");
    size_t n_features;
    char **features = cli_split_list(a->features, &n_features);
    if (!features)
        return cli_usage_error("out of memory");
    hc_obs_table_options oo = {.path = a->observations,
                               .delimiter = a->hist.opt.delimiter,
                               .label = a->label,
                               .columns = (const char *const *)features,
                               .n_columns = n_features,
                               .cluster = a->cluster};
    hc_error err;
    hc_error_clear(&err);
    hc_obs_table t;
    if (hc_obs_table_load(&oo, &t, &err) != HC_OK) {
        free(features);
        return cli_fail(&err);
    }
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = t.n;
    prob.p = t.p;
    prob.X = t.X;
    prob.y = t.y;
    prob.cluster = t.cluster;
    prob.cluster_name = a->cluster;
    prob.names = (const char *const *)features;
    prob.ridge = a->ridge;
    hc_logreg_result res;
    int rc = 0;
    if (hc_logreg_fit(&prob, &res, &err) != HC_OK) {
        rc = cli_fail(&err);
    } else {
        if (!a->hist.quiet && t.rows_missing)
            fprintf(stderr, "healthcal: %zu of %zu rows dropped for a missing value\n",
                    t.rows_missing, t.rows_read);
        hc_coef_table_print(cli_format_text(&a->format), &res, (const char *const *)features);
        if (a->coef_out)
            rc = write_coef_csv(a->coef_out, &res, (const char *const *)features);
        if (rc == 0)
            rc = cli_format_emit(&a->format,
                                 hc_coef_table_to_json(&res, (const char *const *)features),
                                 "coefficients");
        hc_logreg_result_release(&res);
    }
    hc_obs_table_release(&t);
    free(features);
    return rc;
}

static void print_weights(FILE *f, const hc_fit_result *r)
{
    fprintf(f, "\n%-16s %10s %10s %22s %12s %10s %22s\n", "component", "old weight",
            "new weight", "95% interval", "beta", "beta s.e.", "beta 95% interval");
    const hc_logreg_result *ch = &r->churn;
    for (size_t c = 0; c < r->n_components; c++) {
        char ci[48], bci[64];
        double beta = r->beta[c], se = r->beta_se[c];
        if (r->dropped[c]) {
            /* The estimate before the drop, so the analyst sees how wrong
             * the sign was (the weight itself is 0 by construction). */
            const hc_fit_dropped *d = &r->dropped_fit[c];
            snprintf(ci, sizeof ci, "dropped");
            beta = d->estimate;
            se = d->robust ? d->robust_se : d->std_error;
            snprintf(bci, sizeof bci, "[%.4g, %.4g]", d->ci_low, d->ci_high);
        } else {
            snprintf(ci, sizeof ci, "[%.3f, %.3f]", r->weight_ci_low[c],
                     r->weight_ci_high[c]);
            snprintf(bci, sizeof bci, "-");
            for (size_t j = 0; j < r->n_kept; j++)
                if (r->kept[j] == c)
                    snprintf(bci, sizeof bci, "[%.4g, %.4g]", ch->ci_low[j + 1],
                             ch->ci_high[j + 1]);
        }
        fprintf(f, "%-16.16s %10.3f %10.3f %22s %12.5g %10.3g %22s\n",
                r->tuned->components[c].name, r->old_weight[c], r->new_weight[c],
                ci, beta, se, bci);
    }
    fprintf(f, "(intervals and beta s.e.: %s)\n", ch->se_label);
    fprintf(f, "\nP(churn within %d days) = 1 / (1 + exp(-(%.6g + %.6g * H)))\n",
            r->tuned->horizon_days, r->tuned->churn.intercept, r->tuned->churn.slope);
    fprintf(f, "fit rows %zu (of %zu observations; %zu with a missing component "
               "left out), churn events %zu, in-sample AUC %.4f\n",
            r->n_fit, r->n_candidates, r->n_incomplete, r->n_events, r->in_sample_auc);
    for (size_t c = 0; c < r->n_components; c++)
        if (r->dropped[c]) {
            const hc_fit_dropped *d = &r->dropped_fit[c];
            fprintf(f, "note: component '%s' had a coefficient of the unhealthy sign "
                       "(higher score, more churn): beta %.4g, 95%% interval "
                       "[%.4g, %.4g], z %.2f, p %.3g in the %s fit; it was refitted "
                       "out and gets weight 0\n",
                    r->tuned->components[c].name, d->estimate, d->ci_low, d->ci_high,
                    d->z, d->p_value,
                    d->step == 1 ? "unconstrained" : "intermediate");
        }
    if (r->expansion_note[0])
        fprintf(f, "note: %s\n", r->expansion_note);
    if (r->n_segments) {
        const hc_fit_shrinkage *k = &r->shrinkage;
        int wn = 14; /* derived keys ("enterprise x emea x onboarding") are long */
        for (size_t s = 0; s < r->n_segments; s++)
            if (strlen(r->segments[s].name) > (size_t)wn)
                wn = strlen(r->segments[s].name) > 60 ? 60 : (int)strlen(r->segments[s].name);
        fprintf(f, "\n%-*s %8s %7s %9s %12s %10s %10s %8s  %s\n", wn, "segment", "rows",
                "events", "churned", "credibility", "intercept", "slope", "accounts", "note");
        for (size_t s = 0; s < r->n_segments; s++) {
            const hc_fit_segment *g = &r->segments[s];
            fprintf(f, "%-*.*s %8zu %7zu %9zu %12.3f %10.4g %10.4g %8zu  %s\n", wn, wn,
                    g->name, g->rows, g->events, g->churned_accounts, g->credibility,
                    g->intercept, g->slope, g->accounts, g->note);
        }
        fprintf(f, "(accounts and churned: accounts; rows and events: snapshot rows)\n");
        if (k->fixed)
            fprintf(f, "credibility Z = C / (C + k), C churned accounts, k = %.4g "
                       "(fixed 10 K: no component has an own-fit estimate in 3 or more segments)\n",
                    k->k);
        else if (isinf(k->k))
            fprintf(f, "credibility Z = C / (C + k), C churned accounts, k infinite "
                       "(empirical Bayes: between-segment variance tau^2 = 0 over %zu "
                       "segments, so every segment gets the pooled model)\n",
                    k->segments);
        else
            fprintf(f, "credibility Z = C / (C + k), C churned accounts, k = %.4g "
                       "(empirical Bayes over %zu segments: sigma^2 %.4g / tau^2 "
                       "%.4g, DerSimonian-Laird)\n",
                    k->k, k->segments, k->sigma2, k->tau2);
    }
}

/* -0.0000 would print for an intercept of -1e-13. */
static double tidy(double v)
{
    return fabs(v) < 5e-9 ? 0.0 : v;
}

/* The recalibration step: the split, the map and calibration on the
 * holdout before and after it. */
static void print_recalibration(FILE *f, const hc_fit_result *r)
{
    const hc_fit_recal *rc = &r->recal;
    const hc_recalibration *map = r->tuned->recalibration;
    char f0[16], f1[16], h0[16], h1[16];
    hc_date_format(rc->fit_first_date, f0);
    hc_date_format(rc->fit_last_date, f1);
    hc_date_format(rc->holdout_first_date, h0);
    hc_date_format(rc->holdout_last_date, h1);
    fprintf(f, "\nrecalibration (%s), fitted out of time on the latest %zu of %zu "
               "snapshot dates (%.0f%%):\n",
            hc_recal_method_name(rc->method), rc->holdout_dates, rc->candidate_dates,
            100 * rc->holdout_fraction);
    fprintf(f, "  weights and H -> p fitted on %zu rows dated %s..%s; %zu rows in the "
               "embargo of %d days (horizon + lead) used by neither\n",
            r->n_fit, f0, f1, rc->embargoed_rows, rc->embargo_days);
    fprintf(f, "  holdout %zu rows (%zu accounts, %zu churners) dated %s..%s",
            rc->holdout_rows, rc->holdout_accounts, rc->holdout_churners, h0, h1);
    if (rc->holdout_unscored)
        fprintf(f, "; %zu rows without a health score left out", rc->holdout_unscored);
    fputc('\n', f);
    if (map && map->method == HC_RECAL_PLATT)
        fprintf(f, "  map: p' = logistic(%.6g + %.6g * logit(p)), p clipped to "
                   "[1e-15, 1 - 1e-15]\n", map->a, map->b);
    else if (map)
        fprintf(f, "  map: isotonic, %zu points, p' from %.4g (p <= %.4g) to %.4g "
                   "(p >= %.4g), linear between them\n",
                map->n_points, map->y[0], map->x[0], map->y[map->n_points - 1],
                map->x[map->n_points - 1]);
    fprintf(f, "  %-28s %12s %12s %10s\n", "on the holdout", "cal. slope",
            "cal. interc.", "Brier");
    fprintf(f, "  %-28s %12.4f %12.4f %10.6f\n", "before (fit's P, out of time)",
            tidy(rc->before_slope), tidy(rc->before_intercept), rc->before_brier);
    fprintf(f, "  %-28s %12.4f %12.4f %10.6f\n", "after (in-sample for the map)",
            tidy(rc->after_slope), tidy(rc->after_intercept), rc->after_brier);
    if (map && map->method == HC_RECAL_ISOTONIC &&
        (map->y[0] == 0 || map->y[map->n_points - 1] == 1))
        fprintf(f, "note: the isotonic map reaches p' = %s: its end blocks rest on few "
                   "holdout rows (%zu churners in all); platt is steadier with few "
                   "events\n",
                map->y[0] == 0 && map->y[map->n_points - 1] == 1 ? "0 and 1"
                : map->y[0] == 0                                 ? "0"
                                                                 : "1",
                rc->holdout_churners);
    fprintf(f, "note: the weights were not refitted on all rows: the map fits the "
               "probabilities of this fit; judge it on later data (validate -c)\n");
}

/* Mode 2: `--snapshots S --events E --config C -o tuned.json`. */
static int fit_history(fit_args *a)
{
    if (cli_history_check(&a->hist, 1) != 0)
        return 1;
    if (!a->config)
        return cli_usage_error("option '--config' is required with --snapshots");
    hc_error err;
    hc_error_clear(&err);
    hc_model *base;
    int rc = cli_model_load_configs(&a->config, 1, &base);
    if (rc != 0)
        return rc;
    hc_history h;
    if (cli_model_load_history(&a->hist, &base, 1, &h, &err) != HC_OK) {
        hc_model_free(base);
        return cli_fail(&err);
    }
    hc_history_options *ho = &a->hist.opt;
    hc_status st;
    if (!a->hist.quiet)
        hc_history_write_counts(&h, stderr);
    hc_fit_options fo;
    hc_fit_options_init(&fo);
    fo.ridge = a->ridge;
    fo.segments = a->segments;
    fo.segment_min_churned = (size_t)a->seg_min_churned;
    fo.expansion = !a->no_expansion;
    if (a->recalibrate && hc_recal_method_parse(a->recalibrate, &fo.recalibrate) != 0) {
        rc = cli_usage_error("--recalibrate: unknown method '%s' (expected platt, "
                             "isotonic or none)", a->recalibrate);
        hc_history_release(&h);
        hc_model_free(base);
        return rc;
    }
    fo.recal_holdout = a->recal_holdout;
    hc_fit_result r;
    st = hc_fit_model(base, &h, NULL, 0, &fo, &r, &err);
    if (st == HC_OK) {
        r.tuned->horizon_days = h.labels.horizon;
        r.tuned->lead_days = h.labels.lead;
        st = hc_fit_annotate(&r, &h, ho->snapshots_path, ho->events_path, HC_VERSION, &err);
    }
    if (st != HC_OK) {
        rc = cli_fail(&err);
    } else {
        /* With the config on stdout, the tables go to stderr. */
        FILE *tables = a->output && strcmp(a->output, "-") == 0 ? stderr
                                                                : cli_format_text(&a->format);
        const char *names[256];
        for (size_t j = 0; j < r.n_kept; j++)
            names[j] = r.tuned->components[r.kept[j]].name;
        fprintf(tables, "churn model (logit of churn within %d days; robust SE by account):\n",
                h.labels.horizon);
        hc_coef_table_print(tables, &r.churn, names);
        print_weights(tables, &r);
        if (r.recalibrated)
            print_recalibration(tables, &r);
        if (a->coef_out)
            rc = write_fit_csv(a->coef_out, &r);
        if (rc == 0 && a->output && hc_model_save(r.tuned, a->output, &err) != HC_OK)
            rc = cli_fail(&err);
        else if (rc == 0 && !a->output && !a->hist.quiet)
            fprintf(stderr, "healthcal: no -o given: the tuned config was not written\n");
        if (rc == 0)
            rc = cli_format_emit(&a->format, hc_coef_table_fit_to_json(&r), "weights");
        hc_fit_result_release(&r);
    }
    hc_history_release(&h);
    hc_model_free(base);
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    static const cli_option options[] = {
        CLI_HISTORY_OPTIONS,
        {"config", OPT_CONFIG, 1, "FILE", "the current (hand-set) config: components and transforms"},
        {"output", OPT_OUTPUT, 1, "FILE", "write the tuned config here (- for stdout)"},
        {"segments", OPT_SEGMENTS, 0, NULL, "per-segment weights, shrunk toward the pooled fit"},
        {"segment-min-churned", OPT_SEG_MIN_CHURNED, 1, "N", "with --segments: merge a segment with fewer churned accounts into the pooled model (default 1)"},
        {"no-expansion", OPT_NO_EXPANSION, 0, NULL, "do not fit the expansion model"},
        {"observations", OPT_OBSERVATIONS, 1, "FILE", "fit a labelled table instead of history"},
        {"label", OPT_LABEL, 1, "COL", "label column of --observations (0/1, true/false, yes/no)"},
        {"features", OPT_FEATURES, 1, "A,B,C", "feature columns of --observations"},
        {"cluster", OPT_CLUSTER, 1, "COL", "cluster column for robust (CR1) standard errors"},
        {"ridge", OPT_RIDGE, 1, "LAMBDA", "L2 penalty on the coefficients (default 0)"},
        {"coef-out", OPT_COEF_OUT, 1, "FILE", "write the coefficient table as CSV"},
        {"recalibrate", OPT_RECALIBRATE, 1, "METHOD", "platt, isotonic or none (default): recalibrate P(churn) out of time"},
        {"recalibrate-holdout", OPT_RECAL_HOLDOUT, 1, "FRACTION", "share of the latest snapshot dates held out for it (default 0.2)"},
        CLI_FORMAT_OPTIONS,
        {0},
    };
    cli_parser p = {
        "fit", "--snapshots FILE --events FILE --config FILE [-o tuned.json] | --observations FILE --label COL --features A,B",
        "Fits logistic regressions by Newton/IRLS. With history and a config: labels\n"
        "the snapshots, maps metrics to component sub-scores with the config's\n"
        "transforms, fits the churn model (weights w_k = b_k / sum b, a component\n"
        "with the unhealthy sign refitted out) and the expansion model, and writes\n"
        "the tuned config. With --observations: fits any labelled table and prints\n"
        "the coefficient table (as R's glm(family = binomial) would).\n"
        "\n"
        "Standard errors: with a cluster (--cluster, and always with history, where\n"
        "the account is the cluster) z, p and the 95% intervals use the CR1\n"
        "cluster-robust SE (sandwich::vcovCL type HC1), as do the weights' delta-\n"
        "method intervals; without one, the model SE. The table names the SE used.\n"
        "A component dropped for the wrong sign is shown with its estimate and\n"
        "interval in the fit it was dropped from.\n"
        "\n"
        "--segments: segment s gets Z_s w_own + (1 - Z_s) w_pooled and its own\n"
        "calibration shrunk the same way, with Z_s = C_s / (C_s + k), C_s the\n"
        "segment's churned accounts (accounts with a churn row in it) and k chosen\n"
        "by empirical Bayes: k = sum_c sigma_c^2 / sum_c tau_c^2, tau_c^2 the\n"
        "between-segment variance of the segments' own weights (DerSimonian-Laird\n"
        "method of moments on their robust variances v_sc) and sigma_c^2 the mean\n"
        "of C_s v_sc. With fewer than 3 segments with an own fit, k = 10 K\n"
        "(K components). The chosen k is printed and recorded in the config.\n"
        "A segment with fewer than --segment-min-churned churned accounts (default\n"
        "1: one without a churner) is merged into the pooled model: no override,\n"
        "Z 0, said in its note. Derived segments (columns.segment as a list such as\n"
        "[\"plan\", \"region\", \"lifecycle\"], and the lifecycle stages) are\n"
        "fitted the same way, one cell per key.\n"
        "\n"
        "--recalibrate platt|isotonic: an out-of-time recalibration of P(churn).\n"
        "The observations of the latest --recalibrate-holdout share of the distinct\n"
        "snapshot dates (default 0.2, rounded up to whole dates) are held out; the\n"
        "weights and the H -> p calibration are fitted on the rows dated at least\n"
        "horizon + lead days + 1 before the holdout's first date (an embargo: their\n"
        "outcome windows end before the holdout begins; the rows in between are\n"
        "used by neither). The tuned config scores the holdout and a map p -> p' is\n"
        "fitted on those out-of-time probabilities: platt p' = logistic(a + b\n"
        "logit(p)) (glm(y ~ qlogis(p), binomial), p clipped to [1e-15, 1 - 1e-15]),\n"
        "or isotonic (pool-adjacent-violators, linear between its points, clipped\n"
        "at the ends, as scikit-learn's IsotonicRegression(out_of_bounds = 'clip');\n"
        "its ends can reach 0 or 1 when the holdout has few churners: prefer platt).\n"
        "The map goes into churn_model.recalibration with the rows and dates it was\n"
        "fitted on; predict, validate, backtest and report apply it. The weights are\n"
        "NOT refitted on all rows afterwards: the map corrects the probabilities it\n"
        "was fitted on, and a refit would change them (so the weights see less\n"
        "data; fit without --recalibrate to use every row). Printed: the holdout's\n"
        "calibration slope, intercept and Brier score before and after the map; the\n"
        "after figures are in-sample for the map. Needs history: an --observations\n"
        "table has no snapshot dates to hold a period out by.",
        options, argc, argv};
    fit_args a;
    memset(&a, 0, sizeof a);
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
        case OPT_OUTPUT: a.output = arg; break;
        case OPT_SEGMENTS: a.segments = 1; break;
        case OPT_NO_EXPANSION: a.no_expansion = 1; break;
        case OPT_SEG_MIN_CHURNED:
            if (cli_parse_long("segment-min-churned", arg, 1, 1000000, &a.seg_min_churned))
                return 1;
            break;
        case OPT_OBSERVATIONS: a.observations = arg; break;
        case OPT_LABEL: a.label = arg; break;
        case OPT_FEATURES: a.features = arg; break;
        case OPT_CLUSTER: a.cluster = arg; break;
        case OPT_COEF_OUT: a.coef_out = arg; break;
        case OPT_RECALIBRATE: a.recalibrate = arg; break;
        case OPT_RECAL_HOLDOUT:
            if (cli_parse_double("recalibrate-holdout", arg, 1e-9, 1 - 1e-9,
                                 &a.recal_holdout))
                return 1;
            break;
        case OPT_RIDGE:
            if (cli_parse_double("ridge", arg, 0, 1e12, &a.ridge))
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
    if (cli_format_check(&a.format, a.output && strcmp(a.output, "-") == 0
                                        ? "the tuned config (--output -)" : NULL))
        return 1;
    if (a.observations && a.hist.opt.snapshots_path)
        return cli_usage_error("give either --observations or --snapshots, not both");
    if (a.observations && (a.recalibrate || a.recal_holdout > 0))
        return cli_usage_error("--recalibrate needs history (--snapshots and --events): "
                               "an --observations table has no snapshot dates to hold "
                               "the latest period out by, and fit writes no config "
                               "from it");
    if (a.recal_holdout > 0 && !a.recalibrate)
        return cli_usage_error("--recalibrate-holdout needs --recalibrate platt|isotonic");
    if (a.observations)
        return fit_observations(&a);
    return fit_history(&a);
}
