/* test_simulate_tenure.c - unit tests of `simulate --onboarding-days`: the hazard follows the stage of the written start_date, no extra random draws, bad values. */
#include "test_util.h"
#include "test_sim_dir.h"

#include "hc_date.h"
#include "hc_simulate.h"

static void run_sim(const char *dir, long accounts, long weeks, unsigned long seed,
                    long onboarding_days)
{
    hc_simulate_options opt;
    hc_simulate_options_init(&opt);
    opt.accounts = accounts;
    opt.weeks = weeks;
    opt.seed = seed;
    opt.out_dir = dir;
    opt.truth_probs = 1;
    opt.onboarding_days = onboarding_days;
    sim_run(&opt);
}

/* Out-of-range values are usage errors naming the option; 0 is the default. */
static void test_bad_options(void **state)
{
    (void)state;
    hc_simulate_options opt;
    hc_simulate_options_init(&opt);
    assert_int_equal(opt.onboarding_days, 0);
    opt.out_dir = "/nonexistent/never-created";
    const long bad[] = {-1, HC_SIMULATE_MAX_ONBOARDING_DAYS + 1};
    for (int i = 0; i < 2; i++) {
        opt.onboarding_days = bad[i];
        hc_error err;
        hc_error_clear(&err);
        assert_int_equal(hc_simulate_run(&opt, NULL, &err), HC_EUSAGE);
        assert_non_null(strstr(err.message, "--onboarding-days"));
    }
    assert_int_equal(access("/nonexistent/never-created", F_OK), -1);
}

/* With one week there is no churn draw (events need w <= W - 2), so no
 * outcome can differ: the option must leave every snapshot cell and the
 * events byte-identical (it draws no random number) and only append the
 * start_date column. */
static void test_no_extra_draws(void **state)
{
    (void)state;
    char *a = sim_make_dir(), *b = sim_make_dir();
    run_sim(a, 300, 1, 11, 0);
    run_sim(b, 300, 1, 11, 90);
    char *sa = sim_read_file(a, "snapshots.csv", NULL);
    char *sb = sim_read_file(b, "snapshots.csv", NULL);
    /* strip the last column of b line by line and compare */
    size_t n = 0, lines = 0;
    char *out = malloc(strlen(sb) + 1);
    assert_non_null(out);
    for (char *p = sb; *p;) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        char *comma = nl;
        while (comma > p && *comma != ',')
            comma--;
        assert_true(comma > p);
        if (lines == 0)
            assert_int_equal(strncmp(comma, ",start_date\n", 12), 0);
        else
            assert_int_equal(nl - comma, 11); /* ,YYYY-MM-DD */
        memcpy(out + n, p, (size_t)(comma - p));
        n += (size_t)(comma - p);
        out[n++] = '\n';
        p = nl + 1;
        lines++;
    }
    out[n] = '\0';
    assert_int_equal(lines, 301);
    assert_string_equal(out, sa);
    char *ea = sim_read_file(a, "events.csv", NULL), *eb = sim_read_file(b, "events.csv", NULL);
    assert_string_equal(ea, eb);
    char *ta = sim_read_file(a, "truth.json", NULL), *tb = sim_read_file(b, "truth.json", NULL);
    assert_null(strstr(ta, "onboarding"));
    assert_non_null(strstr(tb, "\"onboarding_days\": 90"));
    char *ca = sim_read_file(a, "current.json", NULL), *cb = sim_read_file(b, "current.json", NULL);
    assert_null(strstr(ca, "lifecycle"));
    assert_non_null(strstr(cb, "\"lifecycle\": {"));
    free(sa), free(sb), free(out), free(ea), free(eb), free(ta), free(tb), free(ca), free(cb);
    sim_remove_dir(a);
    sim_remove_dir(b);
}

/* The documented model (datasets/README.md), recomputed from the files. */
typedef struct {
    int acct;
    int32_t day, start;
    int seg;
    int blank;
    double s[5];
    double pc; /* truth_probs p_churn */
} row;

static const double true_w[5] = {0.30, 0.05, 0.00, 0.50, 0.15};
static const double onb_w[5] = {0.35, 0.00, 0.55, 0.00, 0.10};

static double sub(double v, double lo, double hi, int higher)
{
    double s = 100.0 * (v - lo) / (hi - lo);
    s = s < 0 ? 0 : s > 100 ? 100 : s;
    return higher ? s : 100 - s;
}

static int32_t day_of(const char *s)
{
    int32_t d;
    assert_int_equal(hc_date_parse(s, 10, &d), 0);
    return d;
}

/* Weekly hazard of row r under the stage rule (onb: use it at all). */
static double hazard(const row *r, long D, int use_stage)
{
    static const double icpt[3] = {1.4, 1.0, 0.5};
    int32_t since = r->day - r->start;
    int onb = use_stage && since < D;
    double H = 0;
    for (int k = 0; k < 5; k++)
        H += (onb ? onb_w[k] : true_w[k]) * r->s[k];
    int32_t to_renewal = 365 - since % 365;
    double z = icpt[r->seg] + (onb ? 0.5 : 0) - 0.10 * H + (to_renewal <= 28 ? 0.5 : 0);
    return 1 / (1 + exp(-z));
}

/* The true 30-day P(churn) of truth_probs.csv is the one of the hazards of
 * the stages that the written start_date gives (onboarding weights and
 * +0.5 below 90 days of tenure, the usual ones after): recomputed from the
 * written rows wherever weeks w .. w+4 are all written without a blank
 * cell, it matches to the 8 written decimals; the usual hazard everywhere
 * (the option ignored) does not match the onboarding rows. */
static void test_hazard_by_stage(void **state)
{
    (void)state;
    const long D = 90;
    char *dir = sim_make_dir();
    run_sim(dir, 300, 40, 3, D);
    char *snap = sim_read_file(dir, "snapshots.csv", NULL);
    char *probs = sim_read_file(dir, "truth_probs.csv", NULL);
    size_t cap = 0;
    for (char *p = snap; *p; p++)
        cap += *p == '\n';
    row *rows = calloc(cap, sizeof *rows);
    assert_non_null(rows);
    size_t n = 0;
    char *sp = strchr(snap, '\n') + 1, *pp = strchr(probs, '\n') + 1;
    while (*sp) {
        char *f[14];
        int nf = 0;
        char *nl = strchr(sp, '\n');
        *nl = '\0';
        f[nf++] = sp;
        for (char *q = sp; *q; q++)
            if (*q == ',') {
                *q = '\0';
                assert_true(nf < 14);
                f[nf++] = q + 1;
            }
        assert_int_equal(nf, 14);
        row *r = &rows[n++];
        r->acct = atoi(f[0] + 1);
        r->day = day_of(f[1]);
        r->start = day_of(f[13]);
        r->seg = strcmp(f[2], "smb") == 0 ? 0 : strcmp(f[2], "mid") == 0 ? 1 : 2;
        r->blank = !f[7][0] || !f[11][0];
        double v[9];
        for (int m = 0; m < 9; m++)
            v[m] = atof(f[4 + m]);
        r->s[0] = (sub(v[0], 0, 20, 1) + sub(v[1], 0, 1, 1)) / 2;
        r->s[1] = (sub(v[2], 0, 10, 0) + sub(v[3], 1, 5, 1)) / 2;
        r->s[2] = (sub(v[4], 0, 0.6, 1) + sub(v[5], 0, 10, 1)) / 2;
        r->s[3] = sub(v[6], 0, 60, 0);
        r->s[4] = (sub(v[7], 0, 10, 1) + sub(v[8], 0, 1, 1)) / 2;
        /* the truth_probs row of the same snapshot (same order) */
        char *pnl = strchr(pp, '\n');
        assert_non_null(pnl);
        *pnl = '\0';
        assert_int_equal(strncmp(pp, f[0], strlen(f[0])), 0);
        char *c = strrchr(pp, ',');
        *c = '\0';
        r->pc = atof(strrchr(pp, ',') + 1);
        pp = pnl + 1;
        sp = nl + 1;
    }
    size_t checked[2] = {0, 0}, ignored_off = 0;
    for (size_t i = 0; i + 4 < n; i++) {
        int ok = 1;
        for (int j = 0; j <= 4 && ok; j++)
            ok = rows[i + j].acct == rows[i].acct && rows[i + j].day == rows[i].day + 7 * j &&
                 !rows[i + j].blank;
        if (!ok)
            continue;
        /* start_date is the same on every row of the account */
        assert_int_equal(rows[i + 4].start, rows[i].start);
        double surv = 1, surv0 = 1;
        for (int j = 0; j < 4; j++) {
            surv *= 1 - hazard(&rows[i + j], D, 1);
            surv0 *= 1 - hazard(&rows[i + j], D, 0);
        }
        surv *= 1 - hazard(&rows[i + 4], D, 1) * 2.0 / 7.0;
        surv0 *= 1 - hazard(&rows[i + 4], D, 0) * 2.0 / 7.0;
        assert_close(1 - surv, rows[i].pc, 1e-7);
        int onb = rows[i].day - rows[i].start < D;
        checked[onb]++;
        if (onb && fabs((1 - surv0) - rows[i].pc) > 1e-4)
            ignored_off++;
    }
    /* both stages are exercised, and the usual hazard is off on (nearly)
     * every onboarding row checked */
    assert_true(checked[0] > 1000);
    assert_true(checked[1] > 200);
    assert_true(ignored_off > checked[1] * 9 / 10);
    free(rows);
    free(snap);
    free(probs);
    sim_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_no_extra_draws),
        cmocka_unit_test(test_hazard_by_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
