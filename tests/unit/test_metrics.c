/* test_metrics.c - unit and reference tests of the evaluation metrics (hc_metrics). */
#include "test_util.h"

#include <gsl/gsl_errno.h>

#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_metrics.h"
#include "hc_sort.h"
#include "hc_table.h"

/* Agreement target with scikit-learn / R (include/hc_metrics.h). */
#define TOL 1e-9

/* ---- predictions on the shared datasets ---------------------------------
 *
 * Three sets of predictions from fixed coefficients (not fitted here, and
 * deliberately a little miscalibrated), p = 1 / (1 + exp(-eta)) with eta
 * summed left to right, exactly as tests/reference/metrics.R and
 * tests/reference/metrics.py compute them:
 *   telco_a: eta = -1.6 + -0.055 tenure + 0.03 MonthlyCharges + 0.6 SeniorCitizen
 *   telco_b: eta = 0.03 + -0.04 tenure          (73 distinct values: ties)
 *   bank:    eta = -3.8 + 0.07 Age + -1.1 IsActiveMember + 0.5 (Balance / 1e5)
 * y is Churn == "Yes" (telco) and Exited (bank). */

typedef struct {
    size_t n;
    double *y;
    double *p;
} preds;

static void preds_free(preds *d)
{
    free(d->y);
    free(d->p);
}

static double logistic(double eta)
{
    return 1.0 / (1.0 + exp(-eta));
}

/* Loads the named numeric columns (and the label) through
 * hc_table_load_csv, every other column skipped. */
static hc_table *load_table(const char *rel, const hc_colspec *cols,
                            size_t ncols)
{
    const char *dir;
    char path[4096];
    HC_SKIP_WITHOUT_DATASETS(dir);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    hc_load_options opt;
    memset(&opt, 0, sizeof opt);
    opt.cols = cols;
    opt.n_cols = ncols;
    opt.extra = HC_EXTRA_SKIP;
    opt.negative_error_col = -1;
    hc_table *t = NULL;
    hc_error err;
    hc_status st = hc_table_load_csv(path, &opt, &t, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    return t;
}

/* which: 'a' or 'b' (telco models). */
static void load_telco(int which, preds *d)
{
    static const hc_colspec cols[] = {
        {"tenure", HC_COL_NUM, 1},
        {"MonthlyCharges", HC_COL_NUM, 1},
        {"SeniorCitizen", HC_COL_NUM, 1},
        {"Churn", HC_COL_TEXT, 1},
    };
    hc_table *t = load_table("telco/WA_Fn-UseC_-Telco-Customer-Churn.csv",
                             cols, 4);
    d->n = t->n_rows;
    d->y = malloc(d->n * sizeof *d->y);
    d->p = malloc(d->n * sizeof *d->p);
    assert_non_null(d->y);
    assert_non_null(d->p);
    for (size_t i = 0; i < d->n; i++) {
        double ten = hc_table_num(t, 0, i), mc = hc_table_num(t, 1, i);
        double sen = hc_table_num(t, 2, i);
        const char *c = hc_table_text(t, 3, i);
        assert_non_null(c);
        d->y[i] = strcmp(c, "Yes") == 0;
        double eta = which == 'a' ? -1.6 + -0.055 * ten + 0.03 * mc + 0.6 * sen
                                  : 0.03 + -0.04 * ten;
        d->p[i] = logistic(eta);
    }
    hc_table_free(t);
}

static void load_bank(preds *d)
{
    static const hc_colspec cols[] = {
        {"Age", HC_COL_NUM, 1},
        {"IsActiveMember", HC_COL_NUM, 1},
        {"Balance", HC_COL_NUM, 1},
        {"Exited", HC_COL_NUM, 1},
    };
    hc_table *t = load_table("bank-churn/Churn_Modelling.csv", cols, 4);
    d->n = t->n_rows;
    d->y = malloc(d->n * sizeof *d->y);
    d->p = malloc(d->n * sizeof *d->p);
    assert_non_null(d->y);
    assert_non_null(d->p);
    for (size_t i = 0; i < d->n; i++) {
        double eta = -3.8 + 0.07 * hc_table_num(t, 0, i) +
                     -1.1 * hc_table_num(t, 1, i) +
                     0.5 * (hc_table_num(t, 2, i) / 1e5);
        d->p[i] = logistic(eta);
        d->y[i] = hc_table_num(t, 3, i);
    }
    hc_table_free(t);
}

/* ---- reference numbers ---------------------------------------------------
 *
 * R columns: `Rscript tests/reference/metrics.R` (R 4.2.2, pROC 1.18.0 with
 * roc(y, p, levels = c(0, 1), direction = "<"), ci.auc(method = "delong");
 * rms 6.5.0 val.prob(p, y, pl = FALSE) for Intercept, Slope, Emax, Eavg,
 * E90; glm(y ~ 1, offset = qlogis(p), binomial) for calibration-in-the-large;
 * hoslem.test as in ResourceSelection 0.3-x, its p-value taken as
 * pchisq(chi2, 8, lower.tail = FALSE), since 1 - pchisq() loses digits).
 * Python columns: `/usr/bin/python3 tests/reference/metrics.py`
 * (scikit-learn 1.2.1 roc_auc_score, average_precision_score,
 * brier_score_loss, log_loss, calibration_curve(n_bins = 10,
 * strategy = "uniform"); scipy 1.10.1 ks_2samp; lift/capture by an
 * independent numpy implementation of the gains-table rule: the top
 * ceil(N/10) rows, ties at the cut shared pro rata. The lift and capture
 * of telco_a and telco_b changed with that convention (audit item 9; they
 * were of 0.1 N = 704.3 rows); bank's N = 10000 is a multiple of 10). */
typedef struct {
    /* R */
    double auc, delong_low, delong_high, delong_se;
    double intercept, slope, emax, eavg, e90, citl, citl_se;
    double hl_chi2, hl_p;
    /* Python */
    double sk_auc, ap, brier, log_loss, ece, ks, capture, lift, scaled_brier;
    size_t nbins;
    double prob_true[10], prob_pred[10];
    size_t counts[10];
} reference;

static const reference REF_TELCO_A = {
    0.81213828330027305, 0.80123420189115546, 0.82304236470939063,
    0.0055634090703337562,
    -0.10080442791311796, 1.010299973104829, 0.036134376451274319,
    0.01466768214329695, 0.031062960236031237, -0.10699615772173016,
    0.03102431913171556,
    23.621336702138716, 0.0026517269203381118,
    0.81213828330027305, 0.60551458439304895, 0.14706487222753942,
    0.45042489660382207, 0.023503364823829042, 0.47964014417066192,
    0.27073301230604602, 2.7046419938602582, 0.24562271835996485,
    9,
    {0.045012787723785169, 0.12584269662921349, 0.25236294896030248,
     0.31788079470198677, 0.38533541341653665, 0.47440944881889763,
     0.68000000000000005, 0.72256097560975607, 0.859375},
    {0.04885339029253196, 0.14635740141267323, 0.24724066271386799,
     0.35036056125430481, 0.44720405209262903, 0.54971367839560537,
     0.64538628170378043, 0.74302787631224276, 0.82908598139996448},
    {1955, 1335, 1058, 604, 641, 508, 550, 328, 64},
};

static const reference REF_TELCO_B = {
    0.73986717552862891, 0.72712265622090111, 0.75261169483635648,
    0.0065024252528387344,
    -0.0017626795483756627, 0.96917981096307659, 0.044627595660713615,
    0.018658579158521899, 0.036487271045409164, 0.024137154539881557,
    0.029004693756001503,
    79.480455456901112, 6.2194873364801239e-14,
    0.7398671755286288, 0.48373688701217121, 0.1692757694006618,
    0.5106717231370772, 0.027696343613345633, 0.35736012242138376,
    0.22571500510316486, 2.2549089091370074, 0.13169071013489808,
    6,
    {0.07749287749287749, 0.17901234567901234, 0.22169362511893434,
     0.30895983522142123, 0.49412965798876979, 0},
    {0.069474870150376455, 0.14367187239598089, 0.25144829098581145,
     0.35673532874204295, 0.46761212865736251, 0.50749943755062044},
    {1755, 1296, 1051, 971, 1959, 11},
};

static const reference REF_BANK = {
    0.74436814449450206, 0.73240916052259575, 0.75632712846640837,
    0.0061016345536128377,
    -0.31896201428294846, 1.023861563667777, 0.079761895721003284,
    0.050074775720353772, 0.077608507758771914, -0.33878640694320178,
    0.026620777868415504,
    172.19487708023547, 4.4709052271569364e-33,
    0.74436814449450206, 0.43971286268919307, 0.1429393059479335,
    0.44953494573545588, 0.051553436692470339, 0.35693802540727299,
    0.27245949926362295, 2.7245949926362294, 0.118780854160769,
    10,
    {0.050292397660818715, 0.11244429208090503, 0.18291505791505791,
     0.25275482093663909, 0.37899543378995432, 0.52592592592592591,
     0.56554307116104874, 0.66666666666666663, 0.65517241379310343, 0.5},
    {0.071403544424360685, 0.14739871389442269, 0.24834843619703867,
     0.34711391757684312, 0.44457806308825348, 0.54472035710518818,
     0.64556196379102759, 0.74007040137190683, 0.83377546366899313,
     0.9157381706254839},
    {1710, 2917, 2072, 1452, 876, 540, 267, 135, 29, 2},
};

/* Largest difference seen per family, printed for the record. */
static double worst_rank, worst_cal;

static void close_track(double a, double b, double *worst, const char *what,
                        const char *tag)
{
    double d = fabs(a - b);
    if (d > *worst)
        *worst = d;
    if (!(d <= TOL * fmax(1.0, fabs(b)))) {
        fprintf(stderr, "%s %s = %.17g, expected %.17g\n", tag, what, a, b);
        fail();
    }
}

static void check_reference(const char *tag, const preds *d,
                            const reference *r)
{
    hc_error err;
    double v, v2;
    worst_rank = worst_cal = 0.0;

    assert_int_equal(hc_metrics_roc_auc(d->y, d->p, d->n, &v, &err), HC_OK);
    close_track(v, r->auc, &worst_rank, "auc (pROC)", tag);
    close_track(v, r->sk_auc, &worst_rank, "auc (sklearn)", tag);

    hc_metrics_auc_ci ci;
    assert_int_equal(hc_metrics_delong_ci(d->y, d->p, d->n, 0.95, &ci, &err),
                     HC_OK);
    close_track(ci.ci_low, r->delong_low, &worst_rank, "delong low", tag);
    close_track(ci.ci_high, r->delong_high, &worst_rank, "delong high", tag);
    close_track(ci.se, r->delong_se, &worst_rank, "delong se", tag);

    assert_int_equal(hc_metrics_average_precision(d->y, d->p, d->n, &v, &err),
                     HC_OK);
    close_track(v, r->ap, &worst_rank, "average precision", tag);
    assert_int_equal(hc_metrics_ks(d->y, d->p, d->n, &v, NULL, &err), HC_OK);
    close_track(v, r->ks, &worst_rank, "ks", tag);
    assert_int_equal(hc_metrics_top_decile(d->y, d->p, d->n, &v, &v2, &err),
                     HC_OK);
    close_track(v, r->lift, &worst_rank, "lift", tag);
    close_track(v2, r->capture, &worst_rank, "capture", tag);

    assert_int_equal(hc_metrics_brier(d->y, d->p, d->n, &v, &v2, &err), HC_OK);
    close_track(v, r->brier, &worst_cal, "brier", tag);
    close_track(v2, r->scaled_brier, &worst_cal, "scaled brier", tag);
    assert_int_equal(hc_metrics_log_loss(d->y, d->p, d->n, &v, &err), HC_OK);
    close_track(v, r->log_loss, &worst_cal, "log loss", tag);
    assert_int_equal(hc_metrics_ece(d->y, d->p, d->n, 10, &v, &err), HC_OK);
    close_track(v, r->ece, &worst_cal, "ece", tag);

    hc_metrics_reliability_bin bins[10];
    assert_int_equal(hc_metrics_reliability(d->y, d->p, d->n, 10, bins, &err),
                     HC_OK);
    size_t k = 0;
    for (size_t b = 0; b < 10; b++) {
        if (!bins[b].n)
            continue;
        assert_true(k < r->nbins);
        assert_int_equal(bins[b].n, r->counts[k]);
        close_track(bins[b].rate, r->prob_true[k], &worst_cal, "bin rate", tag);
        close_track(bins[b].mean_p, r->prob_pred[k], &worst_cal, "bin mean p",
                    tag);
        assert_true(bins[b].ci_low <= bins[b].rate);
        assert_true(bins[b].rate <= bins[b].ci_high);
        k++;
    }
    assert_int_equal(k, r->nbins);

    hc_metrics_hl hl;
    assert_int_equal(hc_metrics_hosmer_lemeshow(d->y, d->p, d->n, 10, &hl,
                                                &err), HC_OK);
    close_track(hl.chi2, r->hl_chi2, &worst_cal, "hl chi2", tag);
    close_track(hl.p_value, r->hl_p, &worst_cal, "hl p", tag);
    assert_int_equal(hl.df, 8);
    assert_true(fabs(hl.p_value - r->hl_p) <= 1e-6 * r->hl_p); /* relative */

    hc_metrics_calibration_result cal;
    hc_status st = hc_metrics_calibration(d->y, d->p, d->n, &cal, &err);
    if (st)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    close_track(cal.intercept, r->intercept, &worst_cal, "intercept", tag);
    close_track(cal.slope, r->slope, &worst_cal, "slope", tag);
    close_track(cal.in_the_large, r->citl, &worst_cal, "citl", tag);
    close_track(cal.in_the_large_se, r->citl_se, &worst_cal, "citl se", tag);
    close_track(cal.emax, r->emax, &worst_cal, "emax", tag);
    close_track(cal.eavg, r->eavg, &worst_cal, "eavg", tag);
    close_track(cal.e90, r->e90, &worst_cal, "e90", tag);
    assert_int_equal(cal.n_fit, d->n);

    /* The summary must carry the same numbers. */
    hc_metrics_summary s;
    assert_int_equal(hc_metrics_evaluate(d->y, d->p, d->n, &s, &err), HC_OK);
    assert_int_equal(s.n, d->n);
    assert_close(s.roc_auc, r->auc, TOL);
    assert_close(s.roc_auc_ci_low, r->delong_low, TOL);
    assert_close(s.roc_auc_ci_high, r->delong_high, TOL);
    assert_close(s.pr_auc, r->ap, TOL);
    assert_close(s.brier, r->brier, TOL);
    assert_close(s.scaled_brier, r->scaled_brier, TOL);
    assert_close(s.log_loss, r->log_loss, TOL);
    assert_close(s.ece, r->ece, TOL);
    assert_close(s.emax, r->emax, TOL);
    assert_close(s.eavg, r->eavg, TOL);
    assert_close(s.calibration_intercept, r->intercept, TOL);
    assert_close(s.calibration_slope, r->slope, TOL);
    assert_close(s.calibration_in_the_large, r->citl, TOL);
    assert_close(s.hl_chi2, r->hl_chi2, TOL);
    assert_close(s.hl_p, r->hl_p, TOL);
    assert_int_equal(s.hl_df, 8);
    assert_close(s.ks, r->ks, TOL);
    assert_close(s.lift_top_decile, r->lift, TOL);
    assert_close(s.capture_top_decile, r->capture, TOL);
    fprintf(stderr, "%s: largest difference from R/sklearn: rank %.2g, "
                    "calibration %.2g\n", tag, worst_rank, worst_cal);
}

static void test_reference_telco_a(void **state)
{
    (void)state;
    preds d;
    load_telco('a', &d);
    assert_int_equal(d.n, 7043);
    check_reference("telco_a", &d, &REF_TELCO_A);
    preds_free(&d);
}

static void test_reference_telco_b(void **state)
{
    (void)state;
    preds d;
    load_telco('b', &d);
    check_reference("telco_b", &d, &REF_TELCO_B);
    preds_free(&d);
}

static void test_reference_bank(void **state)
{
    (void)state;
    preds d;
    load_bank(&d);
    assert_int_equal(d.n, 10000);
    check_reference("bank", &d, &REF_BANK);
    preds_free(&d);
}

/* pROC roc.test(ra, rb, method = "delong", paired = TRUE) on telco_a vs
 * telco_b (tests/reference/metrics.R, "== paired"). */
static void test_delong_paired_telco(void **state)
{
    (void)state;
    preds a, b;
    load_telco('a', &a);
    load_telco('b', &b);
    hc_metrics_auc_diff t;
    hc_error err;
    assert_int_equal(hc_metrics_delong_paired(a.y, a.p, b.p, a.n, 0.95, &t,
                                              &err), HC_OK);
    assert_close(t.auc1, 0.81213828330027305, TOL);
    assert_close(t.auc2, 0.73986717552862891, TOL);
    assert_close(t.z, 15.058690075583911, TOL);
    assert_close(t.ci_low, 0.0628646608865394, TOL);
    assert_close(t.ci_high, 0.081677554656749099, TOL);
    assert_true(fabs(t.p_value / 3.0272586654308538e-51 - 1.0) < 1e-6);
    fprintf(stderr, "paired delong: z diff %.2g, ci diffs %.2g %.2g\n",
            fabs(t.z - 15.058690075583911), fabs(t.ci_low - 0.0628646608865394),
            fabs(t.ci_high - 0.081677554656749099));
    preds_free(&a);
    preds_free(&b);
}

/* Integer health score H = floor(100 (1 - p)) on bank (89 distinct values,
 * heavy ties), ranked by -H: sklearn/scipy numbers from metrics.py
 * ("== bank_health_int"). */
static void test_integer_health_score_ties(void **state)
{
    (void)state;
    preds d;
    load_bank(&d);
    double *s = malloc(d.n * sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < d.n; i++)
        s[i] = -floor(100.0 * (1.0 - d.p[i]));
    hc_error err;
    double v, v2;
    assert_int_equal(hc_metrics_roc_auc(d.y, s, d.n, &v, &err), HC_OK);
    assert_close(v, 0.74435442739558033, TOL);
    assert_int_equal(hc_metrics_average_precision(d.y, s, d.n, &v, &err), HC_OK);
    assert_close(v, 0.43670958475473448, TOL);
    assert_int_equal(hc_metrics_ks(d.y, s, d.n, &v, NULL, &err), HC_OK);
    assert_close(v, 0.35637855272091451, TOL);
    assert_int_equal(hc_metrics_top_decile(d.y, s, d.n, &v, &v2, &err), HC_OK);
    assert_close(v, 2.7362542955326461, TOL);
    assert_close(v2, 0.27362542955326463, TOL);
    free(s);
    preds_free(&d);
}

/* ---- small cases with closed forms --------------------------------------- */

/* sklearn's documented examples: roc_auc_score([0,0,1,1], [.1,.4,.35,.8])
 * = 0.75 and average_precision_score(same) = 0.8333... (5/6). */
static void test_sklearn_doc_examples(void **state)
{
    (void)state;
    const double y[] = {0, 0, 1, 1}, s[] = {0.1, 0.4, 0.35, 0.8};
    hc_error err;
    double v;
    assert_int_equal(hc_metrics_roc_auc(y, s, 4, &v, &err), HC_OK);
    assert_close(v, 0.75, 1e-15);
    assert_int_equal(hc_metrics_average_precision(y, s, 4, &v, &err), HC_OK);
    assert_close(v, 5.0 / 6.0, 1e-15);
    /* brier_score_loss([0,1,1,0], [.1,.9,.8,.3]) = 0.0375 (sklearn docs):
     * (0.01 + 0.01 + 0.04 + 0.09) / 4. */
    const double yb[] = {0, 1, 1, 0}, pb[] = {0.1, 0.9, 0.8, 0.3};
    assert_int_equal(hc_metrics_brier(yb, pb, 4, &v, NULL, &err), HC_OK);
    assert_close(v, 0.0375, 1e-15);
    /* Log loss closed form: -(log .9 + log .9 + log .8 + log .7) / 4. */
    assert_int_equal(hc_metrics_log_loss(yb, pb, 4, &v, &err), HC_OK);
    assert_close(v, -(2 * log(0.9) + log(0.8) + log(0.7)) / 4, 1e-15);
    /* p = 0 for a churner is clipped to 1e-15: loss -log(1e-15) / 1. */
    const double y1[] = {1}, p0[] = {0.0};
    assert_int_equal(hc_metrics_log_loss(y1, p0, 1, &v, &err), HC_OK);
    assert_close(v, -log(1e-15), 1e-12);
}

/* More rows than the two-thread threshold of the AUC count (2^20), with
 * 97 tied score levels and both classes on every level: the AUC must be
 * the closed form sum over levels v of pos(v) (neg(< v) + neg(v) / 2) /
 * (P N), counted here level by level. Each class is the smaller one in
 * turn (churners few, then many), so both directions of the search run. */
static void test_auc_large_ties_closed_form(void **state)
{
    (void)state;
    enum { N = 1500007, LEVELS = 97 };
    double *y = malloc(N * sizeof *y), *s = malloc(N * sizeof *s);
    assert_non_null(y);
    assert_non_null(s);
    for (int rare = 1; rare >= 0; rare--) {
        double pos[LEVELS] = {0}, neg[LEVELS] = {0};
        for (size_t i = 0; i < N; i++) {
            size_t v = (i * 7919) % LEVELS;
            /* churn more likely at high levels: a few percent overall when
             * rare, most rows otherwise */
            int churn = rare ? (i % 101) < v / 10 : (i % 101) >= v / 10;
            y[i] = churn;
            s[i] = (double)v;
            (churn ? pos : neg)[v]++;
        }
        double P = 0, Nn = 0, num = 0, below = 0;
        for (int v = 0; v < LEVELS; v++) {
            P += pos[v];
            Nn += neg[v];
        }
        for (int v = 0; v < LEVELS; v++) {
            num += pos[v] * (below + neg[v] / 2);
            below += neg[v];
        }
        double v, expect = num / (P * Nn);
        hc_error err;
        assert_int_equal(hc_metrics_roc_auc(y, s, N, &v, &err), HC_OK);
        assert_close(v, expect, 1e-15);
    }
    free(y);
    free(s);
}

/* Ties count one half. Positives score {2,3,1,5,3}, negatives {1,2,2,4,3}:
 * wins + ties/2 = 2 + 3.5 + 0.5 + 5 + 3.5 = 14.5 of 25 pairs = 0.58 by hand;
 * pROC gives the same AUC and DeLong interval [0.19393186839246623,
 * 0.96606813160753369]; roc.test against s2 gives z = -1.5811388300841906,
 * p = 0.11384629800665781, CI of the difference [-0.67187701938273703,
 * 0.071877019382736662] (tests/reference/metrics.R, "== small"). */
static void test_ties_half_and_delong_small(void **state)
{
    (void)state;
    const double y[] = {0, 0, 0, 1, 1, 1, 0, 1, 0, 1};
    const double s1[] = {1, 2, 2, 2, 3, 1, 4, 5, 3, 3};
    const double s2[] = {2, 1, 3, 3, 3, 2, 1, 4, 2, 5};
    hc_error err;
    double v;
    assert_int_equal(hc_metrics_roc_auc(y, s1, 10, &v, &err), HC_OK);
    assert_close(v, 14.5 / 25.0, 1e-15);
    hc_metrics_auc_ci ci;
    assert_int_equal(hc_metrics_delong_ci(y, s1, 10, 0.95, &ci, &err), HC_OK);
    assert_close(ci.ci_low, 0.19393186839246623, TOL);
    assert_close(ci.ci_high, 0.96606813160753369, TOL);
    hc_metrics_auc_diff t;
    assert_int_equal(hc_metrics_delong_paired(y, s1, s2, 10, 0.95, &t, &err),
                     HC_OK);
    assert_close(t.auc2, 0.88, 1e-15);
    assert_close(t.z, -1.5811388300841906, TOL);
    assert_close(t.p_value, 0.11384629800665781, TOL);
    assert_close(t.ci_low, -0.67187701938273703, TOL);
    assert_close(t.ci_high, 0.071877019382736662, TOL);
    /* A score compared with itself: difference 0, variance 0, z = 0 and
     * p = 1 (pROC's convention). */
    assert_int_equal(hc_metrics_delong_paired(y, s1, s1, 10, 0.95, &t, &err),
                     HC_OK);
    assert_true(t.z == 0.0);
    assert_close(t.p_value, 1.0, 1e-15);
    /* Reversing the score gives 1 - AUC. */
    double r[10];
    for (int i = 0; i < 10; i++)
        r[i] = -s1[i];
    assert_int_equal(hc_metrics_roc_auc(y, r, 10, &v, &err), HC_OK);
    assert_close(v, 1.0 - 0.58, 1e-15);
}

/* Ten rows, top decile = 1 row; the two top scores tie (one churner, one
 * not), so the top row holds half a churner: capture 0.5 / 2 = 0.25,
 * lift 0.25 / 0.1 = 2.5 (by hand). KS: positives at {9, 1}, negatives at
 * {9, 8, ..., 2}: after score 1, F_pos = 1/2, F_neg = 0: KS = 0.5. */
static void test_top_decile_ties_and_ks(void **state)
{
    (void)state;
    const double y[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const double s[] = {9, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    hc_error err;
    double lift, cap, ks, at;
    assert_int_equal(hc_metrics_top_decile(y, s, 10, &lift, &cap, &err), HC_OK);
    assert_close(cap, 0.25, 1e-15);
    assert_close(lift, 2.5, 1e-15);
    assert_int_equal(hc_metrics_ks(y, s, 10, &ks, &at, &err), HC_OK);
    assert_close(ks, 0.5, 1e-15);
    assert_close(at, 1.0, 0);
    /* The whole population: capture 1, lift 1. */
    assert_int_equal(hc_metrics_lift(y, s, 10, 1.0, &lift, &cap, &err), HC_OK);
    assert_close(cap, 1.0, 1e-15);
    assert_close(lift, 1.0, 1e-15);
    assert_int_equal(hc_metrics_lift(y, s, 10, 0.0, &lift, &cap, &err),
                     HC_EUSAGE);
}

/* Curves: ends, monotonicity, and the trapezoid area under the ROC points
 * equals the Mann-Whitney AUC (a property; ties make diagonal segments). */
static void test_curves(void **state)
{
    (void)state;
    const double y[] = {0, 0, 0, 1, 1, 1, 0, 1, 0, 1};
    const double s[] = {1, 2, 2, 2, 3, 1, 4, 5, 3, 3};
    hc_error err;
    hc_metrics_curve c;
    assert_int_equal(hc_metrics_curve_compute(HC_CURVE_ROC, y, s, 10, 0, &c,
                                              &err), HC_OK);
    assert_int_equal(c.n, 6); /* 5 distinct scores + the origin */
    assert_true(isinf(c.threshold[0]));
    assert_close(c.x[0], 0, 0);
    assert_close(c.x[c.n - 1], 1, 0);
    assert_close(c.y[c.n - 1], 1, 0);
    double area = 0;
    for (size_t k = 1; k < c.n; k++) {
        assert_true(c.x[k] >= c.x[k - 1] && c.y[k] >= c.y[k - 1]);
        assert_true(c.threshold[k] < c.threshold[k - 1]);
        area += (c.x[k] - c.x[k - 1]) * (c.y[k] + c.y[k - 1]) / 2;
    }
    assert_close(area, 0.58, 1e-15);
    hc_metrics_curve_release(&c);

    assert_int_equal(hc_metrics_curve_compute(HC_CURVE_PR, y, s, 10, 0, &c,
                                              &err), HC_OK);
    /* First point (recall 0, precision 1); at score >= 5: 1 of 1. */
    assert_close(c.y[0], 1, 0);
    assert_close(c.x[1], 0.2, 1e-15);
    assert_close(c.y[1], 1.0, 1e-15);
    assert_close(c.y[c.n - 1], 0.5, 1e-15); /* everything flagged: base rate */
    hc_metrics_curve_release(&c);

    assert_int_equal(hc_metrics_curve_compute(HC_CURVE_GAINS, y, s, 10, 3, &c,
                                              &err), HC_OK);
    assert_int_equal(c.n, 3); /* thinned, ends kept */
    assert_close(c.x[0], 0, 0);
    assert_close(c.x[2], 1, 1e-15);
    assert_close(c.y[2], 1, 1e-15);
    hc_metrics_curve_release(&c);
    hc_metrics_curve_release(NULL);
}

/* Wilson intervals against R's prop.test(k, n, correct = FALSE)$conf.int
 * (tests/reference/metrics.R, "== wilson"). */
/* ECE and reliability by hand: p = {0.1, 0.1, 0.3, 0.95}, y = {0, 1, 1, 1}.
 * 0.1 sits on the first inner edge and falls in bin 0 (sklearn's
 * searchsorted rule: bins are (lo, hi]); bin 0: mean p 0.1, rate 0.5;
 * bin 2 (0.2, 0.3]... 0.3 vs the edge 3 * 0.1 = 0.30000000000000004: in
 * bin 2; bin 9: 0.95 vs 1. ECE = 0.5 * 0.4 + 0.25 * 0.7 + 0.25 * 0.05. */
static void test_ece_by_hand(void **state)
{
    (void)state;
    const double p[] = {0.1, 0.1, 0.3, 0.95}, y[] = {0, 1, 1, 1};
    hc_metrics_reliability_bin b[10];
    hc_error err;
    assert_int_equal(hc_metrics_reliability(y, p, 4, 10, b, &err), HC_OK);
    assert_int_equal(b[0].n, 2);
    assert_int_equal(b[1].n, 0);
    assert_int_equal(b[2].n, 1);
    assert_int_equal(b[9].n, 1);
    assert_close(b[1].mean_p, 0.15, 1e-15); /* empty: the midpoint */
    double e;
    assert_int_equal(hc_metrics_ece(y, p, 4, 10, &e, &err), HC_OK);
    assert_close(e, 0.5 * 0.4 + 0.25 * 0.7 + 0.25 * 0.05, 1e-15);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Property: the quantiles by selection are bit-identical to R's type 7 on
 * the sorted values (hc_metrics_quantile_sorted), and the metrics given a
 * ranking computed once equal those that sort for themselves. */
static void test_quantiles_and_rankings(void **state)
{
    (void)state;
    const size_t n = 50000;
    double *y = malloc(n * sizeof *y), *p = malloc(n * sizeof *p),
           *q = malloc(n * sizeof *q), *s = malloc(n * sizeof *s);
    srand(3);
    for (size_t i = 0; i < n; i++) {
        /* Rounded to 3 decimals: many ties, as integer health scores give. */
        p[i] = round(1000.0 * logistic(-3.0 + 2.0 * ((double)rand() / RAND_MAX))) / 1000.0;
        q[i] = logistic(-3.0 + 2.5 * ((double)rand() / RAND_MAX) + 0.5 * p[i]);
        y[i] = (double)rand() / RAND_MAX < p[i];
        s[i] = p[i];
    }
    hc_sort_by_double_key(s, n, sizeof *s);
    double probs[] = {0, 0.1, 0.25, 0.333, 0.5, 0.9, 0.999, 1}, got[8];
    assert_int_equal(hc_metrics_quantiles(p, n, probs, 8, got), 0);
    for (int j = 0; j < 8; j++)
        assert_true(same_bits(got[j], hc_metrics_quantile_sorted(s, n, probs[j])));

    hc_metrics_ranked *rp = hc_metrics_rank(p, n), *rq = hc_metrics_rank(q, n);
    hc_metrics_summary a, b;
    hc_metrics_calibration_result ca, cb;
    hc_error err;
    assert_int_equal(hc_metrics_evaluate_ex(y, p, NULL, n, 0, &a, &ca, &err), HC_OK);
    assert_int_equal(hc_metrics_evaluate_ex(y, p, rp, n, 0, &b, &cb, &err), HC_OK);
    assert_int_equal(memcmp(&a, &b, sizeof a), 0);
    assert_int_equal(memcmp(&ca, &cb, sizeof ca), 0);
    hc_metrics_curve c1, c2;
    assert_int_equal(hc_metrics_curve_compute(HC_CURVE_PR, y, p, n, 50, &c1, &err), HC_OK);
    assert_int_equal(hc_metrics_curve_compute_ranked(HC_CURVE_PR, y, p, rp, n, 50, &c2, &err),
                     HC_OK);
    assert_int_equal(c1.n, c2.n);
    for (size_t k = 0; k < c1.n; k++)
        assert_true(same_bits(c1.x[k], c2.x[k]) && same_bits(c1.y[k], c2.y[k]));
    hc_metrics_curve_release(&c1);
    hc_metrics_curve_release(&c2);
    hc_metrics_auc_diff d1, d2;
    assert_int_equal(hc_metrics_delong_paired(y, p, q, n, 0.95, &d1, &err), HC_OK);
    assert_int_equal(hc_metrics_delong_paired_ranked(y, p, rp, q, rq, n, 0.95, &d2, &err),
                     HC_OK);
    assert_int_equal(memcmp(&d1, &d2, sizeof d1), 0);
    free(rp);
    free(rq);
    free(y);
    free(p);
    free(q);
    free(s);
}

static void test_degenerate(void **state)
{
    (void)state;
    const double y0[] = {0, 0, 0}, y1[] = {1, 1, 1}, ymix[] = {0, 1, 0};
    const double p[] = {0.2, 0.5, 0.7}, pc[] = {0.3, 0.3, 0.3};
    const double pnan[] = {0.2, NAN, 0.7}, pbig[] = {0.2, 1.5, 0.7};
    const double ybad[] = {0, 2, 1};
    hc_error err;
    double v;
    hc_metrics_summary s;
    assert_int_equal(hc_metrics_roc_auc(y0, p, 3, &v, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "no positive"));
    assert_int_equal(hc_metrics_roc_auc(y1, p, 3, &v, &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_roc_auc(ymix, pnan, 3, &v, &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_roc_auc(ybad, p, 3, &v, &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_roc_auc(ymix, p, 0, &v, &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_brier(ymix, pbig, 3, &v, NULL, &err),
                     HC_ENUMERIC);
    assert_non_null(strstr(err.message, "outside [0, 1]"));
    assert_int_equal(hc_metrics_evaluate(y0, p, 3, &s, &err), HC_ENUMERIC);
    assert_int_equal(hc_metrics_evaluate(ymix, pc, 3, &s, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "all 3 predictions equal"));
    assert_int_equal(hc_metrics_evaluate(ymix, pnan, 3, &s, &err), HC_ENUMERIC);
    assert_close(s.roc_auc, 0, 0); /* zeroed, not NaN */
    /* DeLong needs two of each class. */
    hc_metrics_auc_ci ci;
    assert_int_equal(hc_metrics_delong_ci(ymix, p, 3, 0.95, &ci, &err),
                     HC_ENUMERIC);
    assert_int_equal(hc_metrics_delong_ci(ymix, p, 3, 1.5, &ci, &err),
                     HC_EUSAGE);
    hc_metrics_hl hl;
    assert_int_equal(hc_metrics_hosmer_lemeshow(ymix, pc, 3, 10, &hl, &err),
                     HC_ENUMERIC);
    hc_metrics_calibration_result cal;
    assert_int_equal(hc_metrics_calibration(ymix, pc, 3, &cal, &err),
                     HC_ENUMERIC);
    /* Predictions of exactly 0 or 1 are clipped to [1e-15, 1 - 1e-15]
     * before the logit and counted (audit item 4; val.prob drops them:
     * n_fit was 6 here). Reference values: test_metrics_conventions.c. */
    const double yy[] = {0, 1, 0, 1, 0, 1, 1, 0};
    const double pp[] = {0.0, 0.6, 0.3, 0.8, 0.4, 0.5, 1.0, 0.55};
    assert_int_equal(hc_metrics_calibration(yy, pp, 8, &cal, &err), HC_OK);
    assert_int_equal(cal.n_fit, 8);
    assert_int_equal(cal.n_clipped, 2);
    assert_true(isfinite(cal.slope) && isfinite(cal.emax));
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Property: the memory-lean paths of the large-input metrics give the
 * values of the plain ones bit for bit: the thinned curves against the
 * full ones; PSI and quantiles in place, with the input given back; the
 * paired DeLong test from per-score placements. (Lowess's threaded path:
 * test_lowess.c.) */
static void test_large_paths_bit_identical(void **state)
{
    (void)state;
    const size_t sizes[2] = {20000, 3000};
    for (int si = 0; si < 2; si++) {
        size_t n = sizes[si];
        double *p = malloc(n * sizeof *p), *y = malloc(n * sizeof *y);
        double *q = malloc(n * sizeof *q);
        srand(17 + (unsigned)si);
        for (size_t i = 0; i < n; i++) {
            double u = (double)rand() / RAND_MAX;
            p[i] = floor(u * 2000.0) / 2000.0 * 0.9 + 0.05; /* ties */
            y[i] = (double)rand() / RAND_MAX < p[i] ? 1.0 : 0.0;
            q[i] = 0.5 * p[i] + 0.25 * ((double)rand() / RAND_MAX);
        }
        hc_metrics_ranked *rk = hc_metrics_rank(p, n);
        hc_error err;
        /* Curves: thinned points are the full curve's, by index. */
        for (int kind = 0; kind < 3; kind++) {
            hc_metrics_curve full, thin;
            assert_int_equal(hc_metrics_curve_compute((hc_metrics_curve_kind)kind, y, p, n, 0,
                                                      &full, &err), HC_OK);
            assert_int_equal(hc_metrics_curve_compute((hc_metrics_curve_kind)kind, y, p, n, 50,
                                                      &thin, &err), HC_OK);
            assert_int_equal(thin.n, 50);
            for (size_t m = 0; m < 50; m++) {
                size_t src = (size_t)((double)m * (double)(full.n - 1) / 49.0 + 0.5);
                assert_true(same(thin.x[m], full.x[src]));
                assert_true(same(thin.y[m], full.y[src]));
                assert_true(same(thin.threshold[m], full.threshold[src]));
            }
            hc_metrics_curve_release(&full);
            hc_metrics_curve_release(&thin);
        }
        /* PSI and quantiles in place. */
        hc_metrics_psi_result a, b;
        assert_int_equal(hc_metrics_psi(p, n, q, n, 10, &a, &err), HC_OK);
        double *pc = malloc(n * sizeof *pc);
        memcpy(pc, p, n * sizeof *pc);
        assert_int_equal(hc_metrics_psi_in(pc, n, q, n, 10, &b, &err), HC_OK);
        assert_true(same(a.psi, b.psi));
        assert_int_equal(a.n_bins, b.n_bins);
        assert_true(memcmp(pc, p, n * sizeof *pc) == 0);
        const double probs[3] = {0.1, 0.5, 0.9};
        double qa[3], qb[3];
        assert_int_equal(hc_metrics_quantiles(p, n, probs, 3, qa), 0);
        assert_int_equal(hc_metrics_quantiles_in(pc, n, probs, 3, qb), 0);
        for (int j = 0; j < 3; j++)
            assert_true(same(qa[j], qb[j]));
        assert_true(memcmp(pc, p, n * sizeof *pc) == 0);
        /* DeLong from placements. */
        hc_metrics_auc_diff d1, d2;
        assert_int_equal(hc_metrics_delong_paired(y, p, q, n, 0.95, &d1, &err), HC_OK);
        hc_metrics_ranked *rq = hc_metrics_rank(q, n);
        double auc_p, auc_q;
        double *pl_p = hc_metrics_delong_placements(y, rk, n, &auc_p);
        double *pl_q = hc_metrics_delong_placements(y, rq, n, &auc_q);
        assert_int_equal(hc_metrics_delong_paired_placements(y, p, pl_p, auc_p, q, pl_q, auc_q,
                                                             n, 0.95, &d2, &err), HC_OK);
        assert_true(same(d1.diff, d2.diff) && same(d1.se, d2.se) && same(d1.p_value, d2.p_value));
        assert_true(same(d1.ci_low, d2.ci_low) && same(d1.ci_high, d2.ci_high));
        free(pl_p);
        free(pl_q);
        free(rq);
        free(pc);
        free(rk);
        free(p);
        free(y);
        free(q);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sklearn_doc_examples),
        cmocka_unit_test(test_ties_half_and_delong_small),
        cmocka_unit_test(test_auc_large_ties_closed_form),
        cmocka_unit_test(test_top_decile_ties_and_ks),
        cmocka_unit_test(test_curves),
        cmocka_unit_test(test_large_paths_bit_identical),
        cmocka_unit_test(test_ece_by_hand),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_quantiles_and_rankings),
        cmocka_unit_test(test_reference_telco_a),
        cmocka_unit_test(test_reference_telco_b),
        cmocka_unit_test(test_reference_bank),
        cmocka_unit_test(test_delong_paired_telco),
        cmocka_unit_test(test_integer_health_score_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
