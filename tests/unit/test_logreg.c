/* test_logreg.c - unit and reference tests of the logistic regression core (hc_logreg). */
#include "test_util.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_logreg.h"
#include "hc_table.h"

/* Reference values below come from R 4.x glm(family = binomial) and
 * sandwich 3.0-2, printed by tests/reference/logreg.R (run it from the
 * repository root: `Rscript tests/reference/logreg.R`). glm there uses
 * glm.control(epsilon = 1e-20, maxit = 100), i.e. it iterates until the
 * deviance stops changing, because summary.glm takes its standard errors
 * from the previous iteration's weights: with the default epsilon they are
 * those of a point slightly short of the optimum (up to 6e-4 relative off
 * on socialnet7). The agreement target is 1e-6 relative, the one
 * include/hc_logreg.h states. */
#define REL_TOL 1e-6

/* |a - b| <= tol |b|: relative, however small b is. */
#define assert_rel(a, b, tol) \
    hc_test_assert_rel((a), (b), (tol), #a, __FILE__, __LINE__)

static void hc_test_assert_rel(double a, double b, double tol,
                               const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= tol * fabs(b))) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (rel tol %g)\n",
                file, line, what, a, b, tol);
        fail();
    }
}

/* Compares k coefficients and standard errors with R's and prints the
 * largest relative differences (for the record of agreement). */
static void check_against_r(const char *tag, const hc_logreg_result *r,
                            const double *coef, const double *se, size_t k)
{
    double mc = 0.0, ms = 0.0;
    assert_int_equal(r->p + 1, k);
    for (size_t j = 0; j < k; j++) {
        mc = fmax(mc, fabs(r->coef[j] / coef[j] - 1.0));
        ms = fmax(ms, fabs(r->se[j] / se[j] - 1.0));
    }
    fprintf(stderr, "%s: max relative difference from R: coef %.2g, se %.2g\n",
            tag, mc, ms);
    for (size_t j = 0; j < k; j++) {
        assert_rel(r->coef[j], coef[j], REL_TOL);
        assert_rel(r->se[j], se[j], REL_TOL);
    }
}

/* ---- loading the shared datasets ---------------------------------------- */

typedef struct {
    size_t n, p;
    double *X;       /* n x p row-major */
    double *y;
    int32_t *cluster;
} dataset;

static void dataset_free(dataset *d)
{
    free(d->X);
    free(d->y);
    free(d->cluster);
}

/* Loads `cols` (numeric) as X and the text column `label` as y (1 when the
 * cell equals `yes`), optionally a numeric cluster column, through
 * hc_table_load_csv with every other column skipped. */
static void load(const char *rel, const char *const *cols, size_t p,
                 const char *label, const char *yes, const char *cluster,
                 dataset *d)
{
    const char *dir;
    char path[4096];
    hc_colspec spec[64];
    hc_load_options opt;
    hc_table *t = NULL;
    hc_error err;

    dir = hc_test_datasets();
    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_true(p + 2 <= sizeof spec / sizeof spec[0]);
    for (size_t j = 0; j < p; j++)
        spec[j] = (hc_colspec){cols[j], HC_COL_NUM, 1};
    spec[p] = (hc_colspec){label, HC_COL_TEXT, 1};
    size_t ns = p + 1;
    if (cluster)
        spec[ns++] = (hc_colspec){cluster, HC_COL_NUM, 1};
    memset(&opt, 0, sizeof opt);
    opt.cols = spec;
    opt.n_cols = ns;
    opt.extra = HC_EXTRA_SKIP;
    opt.negative_error_col = -1;
    hc_status st = hc_table_load_csv(path, &opt, &t, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    size_t n = t->n_rows;
    d->n = n;
    d->p = p;
    d->X = malloc(n * p * sizeof(double));
    d->y = malloc(n * sizeof(double));
    d->cluster = cluster ? malloc(n * sizeof(int32_t)) : NULL;
    assert_non_null(d->X);
    assert_non_null(d->y);
    int lc = hc_table_find(t, label);
    int cc = cluster ? hc_table_find(t, cluster) : -1;
    for (size_t j = 0; j < p; j++) {
        int c = hc_table_find(t, cols[j]);
        assert_true(c >= 0);
        assert_int_equal(t->cols[c].n_missing, 0);
        for (size_t i = 0; i < n; i++)
            d->X[i * p + j] = hc_table_num(t, c, i);
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = hc_table_text(t, lc, i);
        assert_non_null(s);
        d->y[i] = strcmp(s, yes) == 0 ? 1.0 : 0.0;
        if (cluster)
            d->cluster[i] = (int32_t)hc_table_num(t, cc, i);
    }
    hc_table_free(t);
}

static void problem_from(hc_logreg_problem *prob, const dataset *d,
                         const char *const *names)
{
    hc_logreg_problem_init(prob);
    prob->n = d->n;
    prob->p = d->p;
    prob->X = d->X;
    prob->y = d->y;
    prob->names = names;
}

/* ---- 1-3: agreement with R glm on the real datasets --------------------- */

static void test_telco(void **state)
{
    (void)state;
    const char *dir;
    HC_SKIP_WITHOUT_DATASETS(dir);
    static const char *const cols[] = {"tenure", "MonthlyCharges",
                                       "SeniorCitizen"};
    dataset d;
    load("telco/WA_Fn-UseC_-Telco-Customer-Churn.csv", cols, 3, "Churn", "Yes",
         NULL, &d);
    assert_int_equal(d.n, 7043);
    hc_logreg_problem prob;
    problem_from(&prob, &d, cols);
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    /* R: glm(y ~ tenure + MonthlyCharges + SeniorCitizen, binomial),
     * y = Churn == "Yes" (tests/reference/logreg.R, "== telco"). */
    static const double coef[] = {-1.7926682876022952, -0.054919826027108869,
                                  0.031098352794225223, 0.63333646291802315};
    static const double se[] = {0.086806076164547108, 0.0017008631201192342,
                                0.0013183531354132997, 0.079485971047514675};
    check_against_r("telco", &r, coef, se, 4);
    assert_rel(r.deviance, 6331.3457203639991, 1e-10);
    assert_rel(r.null_deviance, 8150.1458990196124, 1e-10);
    assert_rel(r.aic, 6339.3457203639991, 1e-10);
    assert_rel(r.loglik, -3165.6728601819996, 1e-10);
    assert_true(r.converged);
    assert_int_equal(r.n_events, 1869);
    assert_null(r.robust_se);
    /* Derived columns follow from coef and se by their definitions
     * (Wald z, two-sided normal p, 95% interval, odds ratio); the p value
     * of SeniorCitizen is R's, from the R coefficient and SE above:
     * z <- 0.63333646291802315 / 0.079485971047514675; 2 * pnorm(-abs(z)). */
    for (size_t j = 0; j < 4; j++) {
        assert_rel(r.z[j], r.coef[j] / r.se[j], 1e-15);
        assert_rel(r.ci_low[j], r.coef[j] - 1.959963984540054 * r.se[j], 1e-15);
        assert_rel(r.ci_high[j], r.coef[j] + 1.959963984540054 * r.se[j], 1e-15);
        assert_rel(r.odds_ratio[j], exp(r.coef[j]), 1e-15);
    }
    assert_rel(r.z[3], 7.9679024433057606, 1e-6);
    assert_rel(r.p_value[3], 1.6139018554388829e-15, 1e-4);
    hc_logreg_result_release(&r);
    dataset_free(&d);
}

static void test_bank(void **state)
{
    (void)state;
    const char *dir;
    HC_SKIP_WITHOUT_DATASETS(dir);
    /* RowNumber and CustomerId are identifiers, Surname, Geography and
     * Gender are text: all excluded. */
    static const char *const cols[] = {
        "CreditScore",   "Age",       "Tenure",         "Balance",
        "NumOfProducts", "HasCrCard", "IsActiveMember", "EstimatedSalary"};
    dataset d;
    /* Exited is numeric 0/1 in this file; loading it as text and
     * comparing with "1" keeps one loader for every dataset. */
    load("bank-churn/Churn_Modelling.csv", cols, 8, "Exited", "1", NULL, &d);
    assert_int_equal(d.n, 10000);
    hc_logreg_problem prob;
    problem_from(&prob, &d, cols);
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    /* R: glm(Exited ~ CreditScore + Age + Tenure + Balance + NumOfProducts +
     * HasCrCard + IsActiveMember + EstimatedSalary, binomial) ("== bank"). */
    static const double coef[] = {
        -3.7741600916857263,    -0.00062304887856846393, 0.07286966822299451,
        -0.01627777847383818,   4.9502756620000803e-06,  -0.023110238034489666,
        -0.03031347463821378,   -1.0855578827516326,     5.3237515428722258e-07};
    static const double se[] = {
        0.23850127343724623,    0.0002757630813014481,  0.0025356193545092143,
        0.0092262588366072186,  4.5686129177886622e-07, 0.046182056554386432,
        0.058389602827563107,   0.056938841921336789,   4.6670851088864346e-07};
    check_against_r("bank", &r, coef, se, 9);
    assert_rel(r.deviance, 8808.5767682425358, 1e-10);
    assert_rel(r.null_deviance, 10109.78254652358, 1e-10);
    assert_rel(r.aic, 8826.5767682425358, 1e-10);
    hc_logreg_result_release(&r);
    dataset_free(&d);
}

static const char *const orange_cols[] = {
    "Account length",      "Number vmail messages", "Total day minutes",
    "Total day calls",     "Total day charge",      "Total eve minutes",
    "Total eve calls",     "Total eve charge",      "Total night minutes",
    "Total night calls",   "Total night charge",    "Total intl minutes",
    "Total intl calls",    "Total intl charge",     "Customer service calls"};

static void test_orange(void **state)
{
    (void)state;
    const char *dir;
    HC_SKIP_WITHOUT_DATASETS(dir);
    /* Area code is a categorical code and is excluded. The charge columns
     * are minutes times a tariff rounded to cents, so nearly collinear
     * with the minutes (1 - R^2 of charge on minutes: 9.6e-8 day, 4.4e-7
     * eve, 1.5e-6 night, 1.5e-5 intl, from R's summary(lm(charge ~
     * minutes))$r.squared), but R fits them, the fit agrees to 1e-6, and
     * so the full set is tested; the collinearity check's threshold
     * (1 - R^2 < 1e-10) leaves them alone. */
    dataset d;
    load("orange-telecom/churn-bigml-80.csv", orange_cols, 15, "Churn", "True",
         NULL, &d);
    assert_int_equal(d.n, 2666);
    hc_logreg_problem prob;
    problem_from(&prob, &d, orange_cols);
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    /* R: glm(y ~ <the 15 columns above>, binomial), y = Churn == "True"
     * ("== orange_full"). */
    static const double coef[] = {
        -7.5531203783136904,  0.0016086600533745028, -0.023481864501699947,
        -1.5653333035643944,  0.0022785277169612623, 9.2804185253567333,
        1.0127054595023484,   -0.00065722349111397736, -11.852147257559437,
        0.051037854895971679, 0.0024797258929563789, -1.0833976314245939,
        -0.074157333883967419, -0.10819531975648303, 0.67805769435095664,
        0.43978391893830338};
    static const double se[] = {
        0.75079256828526264,   0.0014981610312038408, 0.0050028556968312885,
        3.4933056402327303,    0.0029568288097824415, 20.548978633972144,
        1.7534514571388911,    0.002893994746485743,  20.628748164949148,
        0.92963450551099958,   0.0030172368242757128, 20.658323678373922,
        5.5795454452304982,    0.027447239297975729,  20.664173716696908,
        0.041494299472162745};
    check_against_r("orange", &r, coef, se, 16);
    assert_rel(r.deviance, 1908.6105736608079, 1e-10);
    assert_rel(r.null_deviance, 2212.1812902943702, 1e-10);
    hc_logreg_result_release(&r);

    /* Exact collinearity is refused by name: replace the day charge with
     * an exact multiple of the day minutes. */
    for (size_t i = 0; i < d.n; i++)
        d.X[i * 15 + 4] = 0.17 * d.X[i * 15 + 2];
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_ENUMERIC);
    assert_non_null(strstr(err.message, "'Total day minutes' and 'Total day "
                                        "charge' are collinear"));
    assert_null(r.coef);
    dataset_free(&d);
}

/* ---- 4: cluster-robust standard errors ----------------------------------- */

static void test_cluster_robust(void **state)
{
    (void)state;
    const char *dir;
    HC_SKIP_WITHOUT_DATASETS(dir);
    static const char *const cols[] = {"like_per_month", "newfriend_per_month",
                                       "post_per_month", "dislike_per_month",
                                       "account_tenure"};
    dataset d;
    load("fightchurn-sim/socialnet7_dataset.csv", cols, 5, "is_churn", "True",
         "account_id", &d);
    hc_logreg_problem prob;
    problem_from(&prob, &d, cols);
    prob.cluster = d.cluster;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    /* R: fit <- glm(y ~ like_per_month + newfriend_per_month +
     * post_per_month + dislike_per_month + account_tenure, binomial);
     * sqrt(diag(sandwich::vcovCL(fit, cluster = ~account_id,
     * type = "HC1"))) ("== socialnet"). The script also checks that
     * vcovCL equals G/(G-1) (n-1)/(n-k) B (sum_g U_g U_g') B written out
     * by hand (agreement 2e-13). */
    static const double coef[] = {
        -3.4352353438744716,   -0.00065784509103485587, -0.039239481065307877,
        0.00023960293362387241, -0.0039221316820120403, -0.0054406450141525099};
    static const double se[] = {
        0.10168285356190079,  0.00051736263081231715, 0.010234011911011635,
        0.0011497711023066702, 0.0030195333016282749, 0.0014673223610855459};
    static const double robust[] = {
        0.10686540636380779,  0.00054390443940787174, 0.01282301007646898,
        0.0014056065527817609, 0.0033831394429321214, 0.0013302430394555116};
    check_against_r("socialnet", &r, coef, se, 6);
    assert_int_equal(r.n_clusters, 12005);
    assert_non_null(r.robust_se);
    double m = 0.0;
    for (size_t j = 0; j < 6; j++) {
        assert_rel(r.robust_se[j], robust[j], REL_TOL);
        assert_rel(r.robust_cov[j * 6 + j], robust[j] * robust[j], 2 * REL_TOL);
        m = fmax(m, fabs(r.robust_se[j] / robust[j] - 1.0));
    }
    fprintf(stderr, "socialnet: max relative difference of CR1 SEs from "
                    "sandwich::vcovCL: %.2g\n", m);
    assert_rel(r.deviance, 5583.006609073871, 1e-10);
    assert_rel(r.null_deviance, 5648.1465110961653, 1e-10);
    /* Property: only the partition into clusters matters, not the ids.
     * The ids 0..13307 of 32,900 rows take the dense lookup; spread out
     * 131-fold they take the hash map. The slots, and so every sum, are
     * the same: the robust SEs must be identical to the bit. */
    for (size_t i = 0; i < d.n; i++)
        d.cluster[i] = d.cluster[i] * 131 + 7;
    hc_logreg_result r2;
    assert_int_equal(hc_logreg_fit(&prob, &r2, &err), HC_OK);
    assert_int_equal(r2.n_clusters, 12005);
    for (size_t j = 0; j < 6; j++)
        assert_true(r2.robust_se[j] == r.robust_se[j]);
    hc_logreg_result_release(&r2);
    hc_logreg_result_release(&r);
    dataset_free(&d);
}

/* ---- 5: ridge ------------------------------------------------------------ */

static void test_ridge(void **state)
{
    (void)state;
    const char *dir;
    HC_SKIP_WITHOUT_DATASETS(dir);
    static const char *const cols[] = {"tenure", "MonthlyCharges",
                                       "SeniorCitizen"};
    dataset d;
    load("telco/WA_Fn-UseC_-Telco-Customer-Churn.csv", cols, 3, "Churn", "Yes",
         NULL, &d);
    hc_logreg_problem prob;
    problem_from(&prob, &d, cols);
    prob.ridge = 25.0;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    /* R, written out independently of glm ("== ridge25"): BFGS (optim,
     * reltol 1e-16) on -loglik + 25/2 sum(beta[-1]^2) with the analytic
     * gradient, polished by 5 Newton steps (final max |gradient| 1.3e-11);
     * SEs are sqrt(diag(solve(X'WX + diag(c(0, 25, 25, 25))))). */
    static const double coef[] = {-1.7932826320028854, -0.054825139599719928,
                                  0.031321365324323447, 0.54691716072781416};
    static const double se[] = {0.086724997628613937, 0.0016969225353716097,
                                0.0013159482377545838, 0.073901772655131912};
    check_against_r("ridge", &r, coef, se, 4);
    assert_rel(r.deviance, 6332.5274858999219, 1e-10);
    /* The penalty shrinks SeniorCitizen (0.633 unpenalised, see
     * test_telco) and uses fewer than 4 effective parameters. */
    assert_true(r.edf < 4.0 && r.edf > 3.0);

    /* The optimality (KKT) condition as a property, independent of R:
     * sum_i (y_i - p_i) = 0 and sum_i (y_i - p_i) x_ij = lambda beta_j. */
    double g[4] = {0, 0, 0, 0}, scale[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < d.n; i++) {
        double res = d.y[i] - hc_logistic(hc_logreg_linear(&r, d.X + i * 3));
        g[0] += res;
        scale[0] += fabs(res);
        for (size_t j = 0; j < 3; j++) {
            g[j + 1] += res * d.X[i * 3 + j];
            scale[j + 1] += fabs(res * d.X[i * 3 + j]);
        }
    }
    /* Relative to the size of the terms summed (sum |term|). */
    for (size_t j = 0; j < 4; j++) {
        double kkt = j == 0 ? g[0] : g[j] - 25.0 * r.coef[j];
        fprintf(stderr, "ridge: KKT residual %zu: %.3g of %.3g\n", j, kkt,
                scale[j]);
        assert_true(fabs(kkt) < 1e-10 * scale[j]);
    }
    hc_logreg_result_release(&r);
    dataset_free(&d);
}

/* ---- 6: offsets ---------------------------------------------------------- */

static void test_offset(void **state)
{
    (void)state;
    const char *dir;
    HC_SKIP_WITHOUT_DATASETS(dir);
    static const char *const cols[] = {"tenure", "MonthlyCharges",
                                       "SeniorCitizen"};
    dataset d;
    load("telco/WA_Fn-UseC_-Telco-Customer-Churn.csv", cols, 3, "Churn", "Yes",
         NULL, &d);
    double *off = malloc(d.n * sizeof(double));
    double *x2 = malloc(d.n * 2 * sizeof(double));
    assert_non_null(off);
    assert_non_null(x2);

    /* Intercept only (calibration-in-the-large). R ("== offset_null"):
     * o1 <- -1.5 + 0.01 * MonthlyCharges - 0.04 * tenure;
     * glm(y ~ 1, offset = o1, binomial). */
    for (size_t i = 0; i < d.n; i++)
        off[i] = -1.5 + 0.01 * d.X[i * 3 + 1] - 0.04 * d.X[i * 3 + 0];
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = d.n;
    prob.y = d.y;
    prob.offset = off;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    static const double c1[] = {0.922352710354716};
    static const double s1[] = {0.028909617146152807};
    check_against_r("offset_null", &r, c1, s1, 1);
    assert_rel(r.deviance, 6762.827063085223, 1e-10);
    assert_rel(r.null_deviance, 6762.827063085223, 1e-10);
    assert_rel(r.aic, 6764.827063085223, 1e-10);
    hc_logreg_result_release(&r);

    /* With covariates the null deviance is that of the intercept-only fit
     * with the same offset, as glm reports it. R ("== offset_cov"):
     * glm(y ~ tenure + MonthlyCharges, offset = 0.5 * SeniorCitizen). */
    for (size_t i = 0; i < d.n; i++) {
        off[i] = 0.5 * d.X[i * 3 + 2];
        x2[i * 2] = d.X[i * 3];
        x2[i * 2 + 1] = d.X[i * 3 + 1];
    }
    prob.p = 2;
    prob.X = x2;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    static const double c2[] = {-1.7938304821253923, -0.054792271711063566,
                                0.031450576963483662};
    static const double s2[] = {0.086689729160750378, 0.0016946626046000332,
                                0.0013005608276633819};
    check_against_r("offset_cov", &r, c2, s2, 3);
    assert_rel(r.deviance, 6334.1582534353774, 1e-10);
    assert_rel(r.null_deviance, 8026.0896122768791, 1e-10);
    hc_logreg_result_release(&r);
    free(off);
    free(x2);
    dataset_free(&d);
}

/* ---- 7: simulated truth ---------------------------------------------------- */

/* 300 clusters x 20 rows; x1 and x2 share a cluster effect (correlation
 * 0.5 within a cluster) and x2 also correlates with x1 (0.3); y given X is
 * Bernoulli(logistic(-1 + 0.8 x1 - 0.5 x2)), independent across rows. */
static void simulate(unsigned long seed, dataset *d)
{
    size_t G = 300, m = 20, n = G * m;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, seed);
    d->n = n;
    d->p = 2;
    d->X = malloc(n * 2 * sizeof(double));
    d->y = malloc(n * sizeof(double));
    d->cluster = malloc(n * sizeof(int32_t));
    assert_non_null(d->X);
    assert_non_null(d->y);
    assert_non_null(d->cluster);
    for (size_t g = 0; g < G; g++) {
        double u1 = gsl_ran_gaussian(rng, 1.0), u2 = gsl_ran_gaussian(rng, 1.0);
        for (size_t i = g * m; i < (g + 1) * m; i++) {
            double x1 = sqrt(0.5) * u1 + sqrt(0.5) * gsl_ran_gaussian(rng, 1.0);
            double x2 = 0.3 * x1 + sqrt(0.5) * u2 +
                        sqrt(0.5 - 0.09) * gsl_ran_gaussian(rng, 1.0);
            d->X[i * 2] = x1;
            d->X[i * 2 + 1] = x2;
            double pr = hc_logistic(-1.0 + 0.8 * x1 - 0.5 * x2);
            d->y[i] = gsl_rng_uniform(rng) < pr ? 1.0 : 0.0;
            /* Ids need not be 0..G-1 nor contiguous. */
            d->cluster[i] = (int32_t)(1000 + 7 * g);
        }
    }
    gsl_rng_free(rng);
}

static void test_simulated_coverage(void **state)
{
    (void)state;
    static const double truth[] = {-1.0, 0.8, -0.5};
    int covered = 0, total = 0;
    for (unsigned long seed = 1; seed <= 20; seed++) {
        dataset d;
        simulate(seed, &d);
        hc_logreg_problem prob;
        problem_from(&prob, &d, NULL);
        prob.cluster = d.cluster;
        hc_logreg_result r;
        hc_error err;
        assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
        assert_int_equal(r.n_clusters, 300);
        for (size_t j = 0; j < 3; j++) {
            double lo = r.coef[j] - 1.959963984540054 * r.robust_se[j];
            double hi = r.coef[j] + 1.959963984540054 * r.robust_se[j];
            covered += lo <= truth[j] && truth[j] <= hi;
            total++;
        }
        hc_logreg_result_release(&r);
        dataset_free(&d);
    }
    fprintf(stderr, "simulated: true coefficient inside the robust 95%% CI "
                    "for %d of %d (coefficient, seed) pairs\n",
            covered, total);
    assert_true(covered >= 54); /* 90% of 60 */
}

/* Large n runs on two threads; the result must not depend on it and
 * must satisfy the score equations. Over 1 to 12 columns: the pass is
 * compiled for 2 to 8 terms with the count fixed, and generically above. */
static void test_large_threads_kkt(void **state)
{
    (void)state;
    static const size_t ps[] = {1, 3, 5, 7, 9, 12};
    for (size_t t = 0; t < sizeof ps / sizeof ps[0]; t++) {
        size_t n = 200000, p = ps[t];
        double *X = malloc(n * p * sizeof(double));
        double *y = malloc(n * sizeof(double));
        assert_non_null(X);
        assert_non_null(y);
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, 42);
        for (size_t i = 0; i < n; i++) {
            double eta = -2.0;
            for (size_t j = 0; j < p; j++) {
                X[i * p + j] = 100.0 * j + gsl_ran_gaussian(rng, 1.0 + j % 4);
                eta += (0.3 - 0.2 * (double)(j % 4)) * (X[i * p + j] - 100.0 * j);
            }
            y[i] = gsl_rng_uniform(rng) < hc_logistic(eta);
        }
        gsl_rng_free(rng);
        hc_logreg_problem prob;
        hc_logreg_problem_init(&prob);
        prob.n = n;
        prob.p = p;
        prob.X = X;
        prob.y = y;
        hc_logreg_result a, b;
        hc_error err;
        assert_int_equal(hc_logreg_fit(&prob, &a, &err), HC_OK);
        assert_int_equal(hc_logreg_fit(&prob, &b, &err), HC_OK);
        for (size_t j = 0; j <= p; j++) {
            assert_true(a.coef[j] == b.coef[j]);
            assert_true(a.se[j] == b.se[j]);
        }
        /* Score equations sum_i (y_i - p_i) (1, x_i) = 0, relative to the
         * size of the terms summed. */
        double g[13] = {0}, scale[13] = {0};
        for (size_t i = 0; i < n; i++) {
            double res = y[i] - hc_logistic(hc_logreg_linear(&a, X + i * p));
            g[0] += res;
            scale[0] += fabs(res);
            for (size_t j = 0; j < p; j++) {
                g[j + 1] += res * X[i * p + j];
                scale[j + 1] += fabs(res * X[i * p + j]);
            }
        }
        for (size_t j = 0; j <= p; j++)
            assert_true(fabs(g[j]) < 1e-10 * scale[j]);
        hc_logreg_result_release(&a);
        hc_logreg_result_release(&b);
        free(X);
        free(y);
    }
}

/* A warm start at the answer converges at once to the same answer; a poor
 * one converges to it too. */
static void test_warm_start(void **state)
{
    (void)state;
    dataset d;
    simulate(7, &d);
    hc_logreg_problem prob;
    problem_from(&prob, &d, NULL);
    hc_logreg_result a, b, c;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &a, &err), HC_OK);
    prob.start = a.coef;
    assert_int_equal(hc_logreg_fit(&prob, &b, &err), HC_OK);
    assert_true(b.iterations <= 2);
    double far[3] = {3.0, -2.0, 2.0};
    prob.start = far;
    assert_int_equal(hc_logreg_fit(&prob, &c, &err), HC_OK);
    for (size_t j = 0; j < 3; j++) {
        assert_rel(b.coef[j], a.coef[j], 1e-9);
        assert_rel(c.coef[j], a.coef[j], 1e-9);
        assert_rel(c.se[j], a.se[j], 1e-9);
    }
    hc_logreg_result_release(&a);
    hc_logreg_result_release(&b);
    hc_logreg_result_release(&c);
    dataset_free(&d);
}

/* Intercept only: closed forms b0 = logit(ybar), se = 1/sqrt(n ybar
 * (1 - ybar)), null deviance = deviance. */
static void test_intercept_only(void **state)
{
    (void)state;
    double y[10] = {1, 0, 0, 1, 0, 0, 0, 1, 0, 0};
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = 10;
    prob.y = y;
    hc_logreg_result r;
    hc_error err;
    assert_int_equal(hc_logreg_fit(&prob, &r, &err), HC_OK);
    assert_rel(r.coef[0], log(0.3 / 0.7), 1e-12);
    assert_rel(r.se[0], 1.0 / sqrt(10 * 0.3 * 0.7), 1e-12);
    assert_rel(r.deviance, r.null_deviance, 1e-12);
    assert_rel(r.aic, r.deviance + 2.0, 1e-12);
    hc_logreg_result_release(&r);
}

/* hc_logreg_check's moments: the pairwise block merge keeps the standard
 * deviation exact for data far from zero (1e9 + i mod 7 over 5000 rows,
 * ten blocks in two halves); reference: the textbook two-pass formulas
 * on the small integers i mod 7. */
static void test_check_moments(void **state)
{
    (void)state;
    size_t n = 5000;
    double *X = malloc(n * 2 * sizeof(double)), *y = malloc(n * sizeof(double));
    assert_non_null(X);
    assert_non_null(y);
    double m = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        X[i * 2] = 1e9 + (double)(i % 7);
        X[i * 2 + 1] = (double)((i * 13) % 17) - 8.0;
        y[i] = (double)(i % 3 == 0);
        m += (double)(i % 7);
    }
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += ((double)(i % 7) - m) * ((double)(i % 7) - m);
    hc_logreg_problem prob;
    hc_logreg_problem_init(&prob);
    prob.n = n;
    prob.p = 2;
    prob.X = X;
    prob.y = y;
    double mean[2], sd[2];
    hc_error err;
    assert_int_equal(hc_logreg_check(&prob, mean, sd, &err), HC_OK);
    assert_rel(mean[0], 1e9 + m, 1e-15);
    assert_rel(sd[0], sqrt(ss / (double)n), 1e-14);
    free(X);
    free(y);
}

static void test_logistic(void **state)
{
    (void)state;
    assert_true(hc_logistic(0.0) == 0.5);
    assert_true(hc_logistic(-800.0) == 0.0);
    assert_true(hc_logistic(800.0) == 1.0);
    /* R: plogis(3), plogis(-40). */
    assert_rel(hc_logistic(3.0), 0.95257412682243336, 1e-15);
    assert_rel(hc_logistic(-40.0), 4.2483542552915889e-18, 1e-14);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_telco),
        cmocka_unit_test(test_bank),
        cmocka_unit_test(test_orange),
        cmocka_unit_test(test_cluster_robust),
        cmocka_unit_test(test_ridge),
        cmocka_unit_test(test_offset),
        cmocka_unit_test(test_simulated_coverage),
        cmocka_unit_test(test_large_threads_kkt),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_intercept_only),
        cmocka_unit_test(test_check_moments),
        cmocka_unit_test(test_logistic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
