/* simulate.c - synthetic account histories with known ground truth (see datasets/README.md). */
#include "hc_simulate.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hc_date.h"
#include "hc_outfile.h"

/* ------------------------------------------------------------------ */
/* The generative model. Every constant here is also written to         */
/* truth.json, and datasets/README.md describes them in words.          */
/* ------------------------------------------------------------------ */

enum { K_USAGE, K_SUPPORT, K_ENGAGEMENT, K_FINANCIAL, K_RELATIONSHIP, N_COMP };

static const char *const comp_name[N_COMP] = {"usage", "support", "engagement",
                                              "financial", "relationship"};

/* The weights of the true health score H* = sum_k w_k s_k. Financial health
 * matters most and engagement not at all, so the hand-set weights below
 * (what a CS team might guess) are visibly wrong. */
static const double true_weight[N_COMP] = {0.30, 0.05, 0.00, 0.50, 0.15};
static const double hand_weight[N_COMP] = {0.30, 0.20, 0.15, 0.20, 0.15};

/* Weekly churn hazard: logit h = a_seg + CHURN_SLOPE * H* + renewal term.
 * The component coefficients are CHURN_SLOPE * true_weight[k], all <= 0, so
 * H* is a sufficient statistic of the hazard (DESIGN.md "The score model"). */
#define CHURN_SLOPE (-0.10)
#define RENEWAL_LOG_ODDS 0.5
#define RENEWAL_DAYS_BEFORE 28
#define CONTRACT_DAYS 365

/* Weekly expansion hazard: logit e = b_seg + sum_k c_k s_k (healthy usage
 * drives expansion; support plays no part). */
static const double exp_coef[N_COMP] = {0.035, 0.0, 0.010, 0.005, 0.015};
#define EXP_FRAC_LO 0.10
#define EXP_FRAC_HI 0.40

/* Weekly contraction hazard: logit c = CONTR_INTERCEPT + CONTR_SLOPE *
 * (s_usage - 50). */
#define CONTR_INTERCEPT (-6.0)
#define CONTR_SLOPE (-0.03)
#define CONTR_FRAC_LO 0.05
#define CONTR_FRAC_HI 0.25

/* Latent health per component: account mean + AR(1) deviation. */
#define ACCOUNT_SD 16.0      /* sd of account means around the segment mean */
#define SHARED_CORR 0.3      /* correlation of account means across components */
#define MEAN_LO 2.0
#define MEAN_HI 98.0
#define AR_PHI 0.97          /* weekly autocorrelation of the deviation */
#define AR_SD 8.0            /* stationary sd of the deviation */
#define SPONSOR_SD 12.0      /* sd of the per-account sponsor threshold offset */

/* Seasonality of latent usage: cos^2 bumps (points subtracted). */
#define SUMMER_DEPTH 10.0    /* centred on 1 August, half-width 35 days */
#define SUMMER_HALF 35.0
#define DECEMBER_DEPTH 12.0  /* centred on 28 December, half-width 14 days */
#define DECEMBER_HALF 14.0

#define NEW_LOGO_SHARE 0.25  /* accounts whose first snapshot is after week 0 */
#define MISSING_RATE 0.01    /* csat and nps cells left empty (MCAR) */

#define HORIZON_DAYS 30      /* truth_probs.csv window (t, t + 30 days] */

typedef struct {
    const char *name;
    double share;
    double arr_lo, arr_hi;   /* initial ARR, log-uniform */
    double churn_icpt;       /* a_seg */
    double exp_icpt;         /* b_seg */
    double mean[N_COMP];     /* segment mean of the latent components */
} seg_params;

enum { N_SEG = 3 };
static const seg_params segs[N_SEG] = {
    {"smb", 0.60, 3000, 25000, 1.4, -9.2, {58, 62, 52, 68, 48}},
    {"mid", 0.30, 25000, 120000, 1.0, -9.0, {62, 65, 56, 72, 56}},
    {"enterprise", 0.10, 120000, 800000, 0.5, -8.8, {66, 66, 60, 76, 64}},
};

/* The metric columns in snapshots.csv order, with the hand-set (and true)
 * linear transforms that turn them into 0-100 sub-scores, and the link from
 * the latent component L (0-100) that generates them. */
enum { M_LOGINS, M_ADOPTION, M_TICKETS, M_CSAT, M_EMAIL, M_MILESTONES, M_DPD,
       M_NPS, M_SPONSOR, N_METRIC };

typedef struct {
    const char *column;
    int comp;
    double low, high;
    int higher_is_healthier;
    int decimals;
    double missing_rate;
    double noise_sd;   /* sd of the Gaussian noise in `link`, 0 when none */
    const char *link;
} metric_def;

static const metric_def metrics[N_METRIC] = {
    {"logins_per_week", K_USAGE, 0, 20, 1, 1, 0, 1.5,
     "max(0, 0.2*L + N(0, sd^2)), rounded to 0.1"},
    {"feature_adoption", K_USAGE, 0, 1, 1, 2, 0, 0.05,
     "clamp(L/100 + N(0, sd^2), 0, 1), rounded to 0.01"},
    {"open_tickets", K_SUPPORT, 0, 10, 0, 0, 0, 0,
     "Poisson(0.08*(100 - L))"},
    {"csat", K_SUPPORT, 1, 5, 1, 1, MISSING_RATE, 0.4,
     "clamp(1 + 0.04*L + N(0, sd^2), 1, 5), rounded to 0.1"},
    {"email_open_rate", K_ENGAGEMENT, 0, 0.6, 1, 2, 0, 0.05,
     "clamp(0.006*L + N(0, sd^2), 0, 1), rounded to 0.01"},
    {"milestones_done", K_ENGAGEMENT, 0, 10, 1, 0, 0, 0,
     "Binomial(10, L/100)"},
    {"days_past_due", K_FINANCIAL, 0, 60, 0, 0, 0, 3.0,
     "max(0, round(0.9*(60 - L) + N(0, sd^2)))"},
    {"nps", K_RELATIONSHIP, 0, 10, 1, 0, MISSING_RATE, 0.8,
     "round(clamp(L/10 + N(0, sd^2), 0, 10))"},
    {"exec_sponsor", K_RELATIONSHIP, 0, 1, 1, 0, 0, SPONSOR_SD,
     "1 if L + o > 50 else 0, o ~ N(0, sd^2) drawn once per account"},
};

/* ------------------------------------------------------------------ */
/* Buffered output with hand-written number formatting                */
/* ------------------------------------------------------------------ */

/* printf costs about as much as everything else together at 10 million
 * rows, and every number written here is a non-negative scaled integer, so
 * rows are formatted by hand into a 1 MiB buffer handed to fwrite. */
#define OBUF_CAP (1u << 20)
#define ROW_MAX 512

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
    int failed;   /* errno of the first failed write, or 0 */
} obuf;

static void ob_flush(obuf *b)
{
    if (b->len && fwrite(b->buf, 1, b->len, b->f) != b->len && !b->failed)
        b->failed = errno ? errno : EIO;
    b->len = 0;
}

/* Makes room for one row of at most ROW_MAX bytes. */
static void ob_room(obuf *b)
{
    if (b->len + ROW_MAX > OBUF_CAP)
        ob_flush(b);
}

static void ob_str(obuf *b, const char *s, size_t n)
{
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void ob_char(obuf *b, char c)
{
    b->buf[b->len++] = c;
}

static void ob_uint(obuf *b, unsigned long long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        b->buf[b->len++] = tmp[--n];
}

/* Writes q / 10^dec with exactly `dec` decimals (q >= 0). */
static void ob_fixed(obuf *b, long long q, int dec)
{
    static const long long pow10[] = {1, 10, 100, 1000, 10000, 100000,
                                      1000000, 10000000, 100000000};
    if (dec == 0) {
        ob_uint(b, (unsigned long long)q);
        return;
    }
    ob_uint(b, (unsigned long long)(q / pow10[dec]));
    ob_char(b, '.');
    long long frac = q % pow10[dec];
    for (int i = dec - 1; i >= 0; i--) {
        b->buf[b->len + (size_t)i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    b->len += (size_t)dec;
}

/* Account ids A000001, A000002, ... (more digits past 999999). */
static void ob_account(obuf *b, long id)
{
    char tmp[24];
    int n = 0;
    while (id || n < 6) {
        tmp[n++] = (char)('0' + id % 10);
        id /= 10;
    }
    ob_char(b, 'A');
    while (n)
        b->buf[b->len++] = tmp[--n];
}

/* ------------------------------------------------------------------ */
/* Model helpers                                                       */
/* ------------------------------------------------------------------ */

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double logistic(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* The hand-set linear transform of a metric (schema healthcal-model/1). */
static double subscore(int m, double v)
{
    const metric_def *d = &metrics[m];
    double s = 100.0 * (v - d->low) / (d->high - d->low);
    s = clampd(s, 0, 100);
    return d->higher_is_healthier ? s : 100.0 - s;
}

/* Points subtracted from latent usage on `day`. */
static double usage_season(int32_t day)
{
    int y, m, d;
    hc_date_to_civil(day, &y, &m, &d);
    double dip = 0;
    double ds = (double)(day - hc_date_from_civil(y, 8, 1));
    if (fabs(ds) < SUMMER_HALF) {
        double c = cos(M_PI / 2 * ds / SUMMER_HALF);
        dip += SUMMER_DEPTH * c * c;
    }
    for (int yy = y - 1; yy <= y; yy++) {
        double dd = (double)(day - hc_date_from_civil(yy, 12, 28));
        if (fabs(dd) < DECEMBER_HALF) {
            double c = cos(M_PI / 2 * dd / DECEMBER_HALF);
            dip += DECEMBER_DEPTH * c * c;
        }
    }
    return dip;
}

static long long round_nonneg(double x, double scale)
{
    return x <= 0 ? 0 : (long long)floor(x * scale + 0.5);
}

/* ------------------------------------------------------------------ */
/* The simulation                                                      */
/* ------------------------------------------------------------------ */

enum { F_SNAP, F_EVENTS, F_PROBS, F_TRUTH, F_CURRENT, N_FILES };
static const char *const file_name[N_FILES] = {
    "snapshots.csv", "events.csv", "truth_probs.csv", "truth.json",
    "current.json"};

typedef struct {
    const hc_simulate_options *opt;
    long n_weeks;          /* weeks simulated: opt->weeks + 4 */
    int32_t *day;          /* snapshot date of each week */
    char (*date)[11];      /* its text */
    double *season;        /* usage dip of each week */
    double *h, *e;         /* weekly churn / expansion hazard of one account */
    obuf out[N_FILES];
    hc_simulate_result res;
    double sum_p;
} sim_state;

static void write_event(sim_state *st, long id, int32_t day, const char *type,
                        long long amount)
{
    obuf *b = &st->out[F_EVENTS];
    char text[11];
    hc_date_format(day, text);
    ob_room(b);
    ob_account(b, id);
    ob_char(b, ',');
    ob_str(b, text, 10);
    ob_char(b, ',');
    ob_str(b, type, strlen(type));
    ob_char(b, ',');
    ob_uint(b, (unsigned long long)amount);
    ob_char(b, '\n');
}

/* Simulates account `id` (1-based) and writes its rows. The order of the
 * random draws is part of the output's definition: change it and every
 * file changes. */
static void simulate_account(sim_state *st, gsl_rng *r, long id)
{
    const long W = st->opt->weeks;
    const long NW = st->n_weeks;

    /* Segment, ARR, start week, contract anniversary. */
    double u = gsl_rng_uniform(r);
    int sg = u < segs[0].share ? 0 : u < segs[0].share + segs[1].share ? 1 : 2;
    const seg_params *sp = &segs[sg];
    double la = log(sp->arr_lo), lb = log(sp->arr_hi);
    long long arr = (long long)floor(exp(la + (lb - la) * gsl_rng_uniform(r)) + 0.5);
    long s0 = 0;
    long max_start = (3 * W) / 4;
    double u_new = gsl_rng_uniform(r);
    double u_start = gsl_rng_uniform(r);
    if (u_new < NEW_LOGO_SHARE && max_start >= 1)
        s0 = 1 + (long)(u_start * (double)max_start);
    int32_t contract0 = st->day[s0];
    unsigned long back = gsl_rng_uniform_int(r, CONTRACT_DAYS);
    if (s0 == 0)
        contract0 -= (int32_t)back;

    /* Latent account means with a shared factor, AR(1) starting values. */
    double mu[N_COMP], x[N_COMP];
    double g = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (int k = 0; k < N_COMP; k++) {
        double ek = gsl_ran_gaussian_ziggurat(r, 1.0);
        mu[k] = clampd(sp->mean[k] + ACCOUNT_SD * (sqrt(SHARED_CORR) * g +
                                                  sqrt(1 - SHARED_CORR) * ek),
                       MEAN_LO, MEAN_HI);
        x[k] = gsl_ran_gaussian_ziggurat(r, AR_SD);
    }
    double sponsor_offset =
        gsl_ran_gaussian_ziggurat(r, metrics[M_SPONSOR].noise_sd);
    const double innov = AR_SD * sqrt(1 - AR_PHI * AR_PHI);

    int alive = 1;
    long churn_week = -1;
    int32_t churn_day = 0;
    long last_snap = s0 - 1;
    obuf *sb = &st->out[F_SNAP];

    for (long w = s0; w < NW; w++) {
        if (w > s0)
            for (int k = 0; k < N_COMP; k++)
                x[k] = AR_PHI * x[k] + gsl_ran_gaussian_ziggurat(r, innov);
        double L[N_COMP];
        for (int k = 0; k < N_COMP; k++)
            L[k] = clampd(mu[k] + x[k], 0, 100);
        L[K_USAGE] = clampd(mu[K_USAGE] + x[K_USAGE] - st->season[w], 0, 100);

        /* Metrics as scaled integers q (value = q / 10^decimals). */
        long long q[N_METRIC];
        double nz[N_METRIC];
        for (int m = 0; m < N_METRIC; m++)
            nz[m] = metrics[m].noise_sd;
        q[M_LOGINS] = round_nonneg(
            0.2 * L[K_USAGE] + gsl_ran_gaussian_ziggurat(r, nz[M_LOGINS]), 10);
        q[M_ADOPTION] = round_nonneg(
            clampd(L[K_USAGE] / 100 + gsl_ran_gaussian_ziggurat(r, nz[M_ADOPTION]),
                   0, 1), 100);
        q[M_TICKETS] = gsl_ran_poisson(r, 0.08 * (100 - L[K_SUPPORT]));
        q[M_CSAT] = round_nonneg(
            clampd(1 + 0.04 * L[K_SUPPORT] + gsl_ran_gaussian_ziggurat(r, nz[M_CSAT]),
                   1, 5), 10);
        q[M_EMAIL] = round_nonneg(
            clampd(0.006 * L[K_ENGAGEMENT] + gsl_ran_gaussian_ziggurat(r, nz[M_EMAIL]),
                   0, 1), 100);
        q[M_MILESTONES] = gsl_ran_binomial(r, L[K_ENGAGEMENT] / 100, 10);
        q[M_DPD] = round_nonneg(
            0.9 * (60 - L[K_FINANCIAL]) + gsl_ran_gaussian_ziggurat(r, nz[M_DPD]), 1);
        q[M_NPS] = round_nonneg(
            clampd(L[K_RELATIONSHIP] / 10 + gsl_ran_gaussian_ziggurat(r, nz[M_NPS]),
                   0, 10), 1);
        q[M_SPONSOR] = L[K_RELATIONSHIP] + sponsor_offset > 50;

        /* True component scores from the values as written. */
        static const double scale[] = {1, 10, 100};
        double sum[N_COMP] = {0}, cnt[N_COMP] = {0};
        for (int m = 0; m < N_METRIC; m++) {
            double v = (double)q[m] / scale[metrics[m].decimals];
            sum[metrics[m].comp] += subscore(m, v);
            cnt[metrics[m].comp] += 1;
        }
        double s[N_COMP], H = 0, ze = sp->exp_icpt;
        for (int k = 0; k < N_COMP; k++) {
            s[k] = sum[k] / cnt[k];
            H += true_weight[k] * s[k];
            ze += exp_coef[k] * s[k];
        }
        int32_t since = st->day[w] - contract0;
        int32_t to_renewal = CONTRACT_DAYS - since % CONTRACT_DAYS;
        double zc = sp->churn_icpt + CHURN_SLOPE * H +
                    (to_renewal <= RENEWAL_DAYS_BEFORE ? RENEWAL_LOG_ODDS : 0);
        st->h[w] = logistic(zc);
        st->e[w] = logistic(ze);
        double hc = logistic(CONTR_INTERCEPT + CONTR_SLOPE * (s[K_USAGE] - 50));

        if (alive && w < W) {
            int miss_csat = gsl_rng_uniform(r) < MISSING_RATE;
            int miss_nps = gsl_rng_uniform(r) < MISSING_RATE;
            ob_room(sb);
            ob_account(sb, id);
            ob_char(sb, ',');
            ob_str(sb, st->date[w], 10);
            ob_char(sb, ',');
            ob_str(sb, sp->name, strlen(sp->name));
            ob_char(sb, ',');
            ob_uint(sb, (unsigned long long)arr);
            for (int m = 0; m < N_METRIC; m++) {
                ob_char(sb, ',');
                if ((m == M_CSAT && miss_csat) || (m == M_NPS && miss_nps))
                    continue;
                ob_fixed(sb, q[m], metrics[m].decimals);
            }
            ob_char(sb, '\n');
            st->res.snapshots++;
            st->res.csat_missing += (size_t)miss_csat;
            st->res.nps_missing += (size_t)miss_nps;
            last_snap = w;
        }

        /* Events in (day[w], day[w] + 7], recorded up to the last snapshot
         * date: at most one per week, churn first. */
        if (alive && w <= W - 2) {
            double uc = gsl_rng_uniform(r);
            if (uc < st->h[w]) {
                churn_day = st->day[w] + 1 + (int32_t)gsl_rng_uniform_int(r, 7);
                write_event(st, id, churn_day, "churn", arr);
                alive = 0;
                churn_week = w;
                st->res.churned_accounts++;
            } else {
                double ux = gsl_rng_uniform(r);
                if (ux < st->e[w]) {
                    int32_t dd = st->day[w] + 1 + (int32_t)gsl_rng_uniform_int(r, 7);
                    double f = EXP_FRAC_LO + (EXP_FRAC_HI - EXP_FRAC_LO) * gsl_rng_uniform(r);
                    long long amount = (long long)floor((double)arr * f + 0.5);
                    write_event(st, id, dd, "expansion", amount);
                    arr += amount;
                    st->res.expansion_events++;
                } else if (gsl_rng_uniform(r) < hc) {
                    int32_t dd = st->day[w] + 1 + (int32_t)gsl_rng_uniform_int(r, 7);
                    double f = CONTR_FRAC_LO + (CONTR_FRAC_HI - CONTR_FRAC_LO) * gsl_rng_uniform(r);
                    long long amount = (long long)floor((double)arr * f + 0.5);
                    write_event(st, id, dd, "contraction", amount);
                    arr -= amount;
                    st->res.contraction_events++;
                }
            }
        }
        /* The truth of the last snapshot needs hazards 4 weeks ahead. */
        if (!alive && w >= churn_week + 4)
            break;
    }

    /* True 30-day probabilities given the hazard path: the window (t, t+30]
     * covers weeks w..w+3 and the first 2 of the 7 days of week w+4, and an
     * event's day is uniform within its week. */
    const double frac = (double)(HORIZON_DAYS - 28) / 7.0;
    obuf *pb = &st->out[F_PROBS];
    for (long w = s0; w <= last_snap; w++) {
        const double *h = st->h + w, *e = st->e + w;
        double surv = 1, alive_noexp = 1, pe = 0;
        for (int j = 0; j < 4; j++) {
            surv *= 1 - h[j];
            pe += alive_noexp * (1 - h[j]) * e[j];
            alive_noexp *= (1 - h[j]) * (1 - e[j]);
        }
        surv *= 1 - h[4] * frac;
        pe += alive_noexp * (1 - h[4]) * e[4] * frac;
        double pc = 1 - surv;
        if (w + 5 <= W - 1) { /* day[w] + 30 <= day[W-1]: not censored */
            st->res.uncensored++;
            st->sum_p += pc;
            if (churn_week >= 0 && churn_day > st->day[w] &&
                churn_day <= st->day[w] + HORIZON_DAYS)
                st->res.churn_30d++;
        }
        if (!st->opt->truth_probs)
            continue;
        ob_room(pb);
        ob_account(pb, id);
        ob_char(pb, ',');
        ob_str(pb, st->date[w], 10);
        ob_char(pb, ',');
        /* 8 decimals; kept inside (0, 1) (never binding with these
         * parameters: every hazard is above 1e-5 and below 0.6). */
        long long qc = llround(pc * 1e8), qe = llround(pe * 1e8);
        qc = qc < 1 ? 1 : qc > 99999999 ? 99999999 : qc;
        qe = qe < 1 ? 1 : qe > 99999999 ? 99999999 : qe;
        ob_fixed(pb, qc, 8);
        ob_char(pb, ',');
        ob_fixed(pb, qe, 8);
        ob_char(pb, '\n');
    }
}

/* ------------------------------------------------------------------ */
/* JSON outputs                                                        */
/* ------------------------------------------------------------------ */

/* json_object_set_new that remembers a failure (out of memory). */
static void jset(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static void jpush(json_t *a, json_t *v, int *bad)
{
    if (!a || !v || json_array_append_new(a, v) != 0)
        *bad = 1;
}

static json_t *weights_object(const double *w, int *bad)
{
    json_t *o = json_object();
    for (int k = 0; k < N_COMP; k++)
        jset(o, comp_name[k], json_real(w[k]), bad);
    return o;
}

static json_t *transform_json(int m, int *bad)
{
    json_t *t = json_object();
    jset(t, "type", json_string("linear"), bad);
    jset(t, "low", json_real(metrics[m].low), bad);
    jset(t, "high", json_real(metrics[m].high), bad);
    jset(t, "higher_is_healthier", json_boolean(metrics[m].higher_is_healthier), bad);
    return t;
}

/* A healthcal-model/1 config with the given weights, the metric transforms
 * and red/yellow/green bands. */
static json_t *model_config(const char *name, const double *w, int *bad)
{
    json_t *c = json_object();
    jset(c, "schema", json_string("healthcal-model/1"), bad);
    jset(c, "name", json_string(name), bad);
    json_t *cols = json_object();
    jset(cols, "account_id", json_string("account_id"), bad);
    jset(cols, "snapshot_date", json_string("snapshot_date"), bad);
    jset(cols, "segment", json_string("segment"), bad);
    jset(cols, "arr", json_string("arr"), bad);
    jset(c, "columns", cols, bad);
    jset(c, "horizon_days", json_integer(HORIZON_DAYS), bad);
    jset(c, "lead_days", json_integer(0), bad);
    jset(c, "missing", json_string("renormalize"), bad);
    json_t *comps = json_array();
    for (int k = 0; k < N_COMP; k++) {
        json_t *comp = json_object();
        jset(comp, "name", json_string(comp_name[k]), bad);
        jset(comp, "weight", json_real(w[k]), bad);
        json_t *ms = json_array();
        for (int m = 0; m < N_METRIC; m++) {
            if (metrics[m].comp != k)
                continue;
            json_t *mo = json_object();
            jset(mo, "column", json_string(metrics[m].column), bad);
            jset(mo, "transform", transform_json(m, bad), bad);
            jpush(ms, mo, bad);
        }
        jset(comp, "metrics", ms, bad);
        jpush(comps, comp, bad);
    }
    jset(c, "components", comps, bad);
    static const char *const band_name[] = {"red", "yellow", "green"};
    static const double band_min[] = {0, 40, 70};
    json_t *bands = json_array();
    for (int i = 0; i < 3; i++) {
        json_t *b = json_object();
        jset(b, "name", json_string(band_name[i]), bad);
        jset(b, "min", json_real(band_min[i]), bad);
        jpush(bands, b, bad);
    }
    jset(c, "bands", bands, bad);
    return c;
}

static json_t *options_json(const hc_simulate_options *opt, int32_t last_day,
                            int *bad)
{
    char d0[11], d1[11];
    hc_date_format(opt->start_day, d0);
    hc_date_format(last_day, d1);
    json_t *o = json_object();
    jset(o, "accounts", json_integer(opt->accounts), bad);
    jset(o, "weeks", json_integer(opt->weeks), bad);
    jset(o, "seed", json_integer((json_int_t)opt->seed), bad);
    jset(o, "start", json_string(d0), bad);
    jset(o, "last_snapshot", json_string(d1), bad);
    jset(o, "rng", json_string("gsl_rng_mt19937"), bad);
    return o;
}

static json_t *current_json(const hc_simulate_options *opt, int32_t last_day,
                            int *bad)
{
    json_t *c = model_config("hand-set starting config", hand_weight, bad);
    json_t *prov = json_object();
    jset(prov, "generator", json_string("healthcal simulate"), bad);
    jset(prov, "note", json_string("hand-set weights and transforms, not fitted; "
                                   "see truth.json for the true weights"), bad);
    jset(prov, "simulation", options_json(opt, last_day, bad), bad);
    jset(c, "provenance", prov, bad);
    return c;
}

static json_t *truth_json(const sim_state *st, int *bad)
{
    const hc_simulate_options *opt = st->opt;
    json_t *t = json_object();
    jset(t, "schema", json_string("healthcal-truth/1"), bad);
    jset(t, "description",
         json_string("true generative parameters of healthcal simulate; "
                     "component scores s_k are the mean of the metric "
                     "sub-scores (transforms as in true_config) of the "
                     "complete values written to snapshots.csv, before "
                     "cells are blanked; hazards are per week (d, d+7] "
                     "after a snapshot date d"), bad);
    jset(t, "options", options_json(opt, st->res.last_day, bad), bad);

    json_t *sg = json_object();
    for (int i = 0; i < N_SEG; i++) {
        json_t *o = json_object();
        jset(o, "share", json_real(segs[i].share), bad);
        jset(o, "arr_min", json_real(segs[i].arr_lo), bad);
        jset(o, "arr_max", json_real(segs[i].arr_hi), bad);
        jset(o, "arr_distribution", json_string("log-uniform"), bad);
        jset(o, "churn_intercept", json_real(segs[i].churn_icpt), bad);
        jset(o, "expansion_intercept", json_real(segs[i].exp_icpt), bad);
        jset(o, "component_means", weights_object(segs[i].mean, bad), bad);
        jset(sg, segs[i].name, o, bad);
    }
    jset(t, "segments", sg, bad);

    json_t *acc = json_object();
    jset(acc, "id_format", json_string("A%06ld, 1-based"), bad);
    jset(acc, "new_logo_share", json_real(NEW_LOGO_SHARE), bad);
    jset(acc, "new_logo_first_week",
         json_string("1 + floor(U * floor(3*weeks/4)); other accounts start at week 0"), bad);
    jset(acc, "contract_start",
         json_string("new logos: first snapshot date; others: start - U{0..364} days"), bad);
    jset(acc, "renewal_cycle_days", json_integer(CONTRACT_DAYS), bad);
    jset(t, "accounts", acc, bad);

    json_t *lat = json_object();
    jset(lat, "account_mean",
         json_string("clamp(segment_mean + sd*(sqrt(rho)*g + sqrt(1-rho)*e_k), 2, 98), "
                     "g shared by the account's components, g, e_k ~ N(0,1)"), bad);
    jset(lat, "account_mean_sd", json_real(ACCOUNT_SD), bad);
    jset(lat, "shared_factor_rho", json_real(SHARED_CORR), bad);
    jset(lat, "ar1_phi", json_real(AR_PHI), bad);
    jset(lat, "ar1_stationary_sd", json_real(AR_SD), bad);
    jset(lat, "value", json_string("L_k = clamp(mean_k + x_k - season_k(date), 0, 100), "
                                   "x_k AR(1) started from its stationary law"), bad);
    json_t *sea = json_object();
    jset(sea, "component", json_string("usage"), bad);
    jset(sea, "summer", json_string("10 * cos^2(pi/2 * d/35) points, d = days from 1 August, |d| < 35"), bad);
    jset(sea, "december", json_string("12 * cos^2(pi/2 * d/14) points, d = days from 28 December, |d| < 14"), bad);
    jset(lat, "seasonality", sea, bad);
    jset(t, "latent", lat, bad);

    json_t *ms = json_array();
    for (int m = 0; m < N_METRIC; m++) {
        json_t *o = json_object();
        jset(o, "column", json_string(metrics[m].column), bad);
        jset(o, "component", json_string(comp_name[metrics[m].comp]), bad);
        jset(o, "link", json_string(metrics[m].link), bad);
        jset(o, "noise_sd", json_real(metrics[m].noise_sd), bad);
        jset(o, "decimals", json_integer(metrics[m].decimals), bad);
        jset(o, "missing_rate", json_real(metrics[m].missing_rate), bad);
        jset(o, "transform", transform_json(m, bad), bad);
        jpush(ms, o, bad);
    }
    jset(t, "metrics", ms, bad);

    double coef[N_COMP];
    for (int k = 0; k < N_COMP; k++)
        coef[k] = CHURN_SLOPE * true_weight[k];
    jset(t, "true_weights", weights_object(true_weight, bad), bad);
    jset(t, "hand_set_weights", weights_object(hand_weight, bad), bad);

    json_t *cm = json_object();
    jset(cm, "unit", json_string("weekly hazard of churn in (d, d+7] given active at d"), bad);
    jset(cm, "formula", json_string("logit h = intercept[segment] + slope*H + renewal; "
                                    "H = sum_k true_weights_k * s_k"), bad);
    json_t *ci = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(ci, segs[i].name, json_real(segs[i].churn_icpt), bad);
    jset(cm, "intercept", ci, bad);
    jset(cm, "slope", json_real(CHURN_SLOPE), bad);
    jset(cm, "coefficients", weights_object(coef, bad), bad);
    jset(cm, "renewal_log_odds", json_real(RENEWAL_LOG_ODDS), bad);
    jset(cm, "renewal_days_before", json_integer(RENEWAL_DAYS_BEFORE), bad);
    jset(cm, "renewal_rule", json_string("added when the next contract anniversary after d is at most 28 days away"), bad);
    jset(cm, "event_day", json_string("d + U{1..7}; the amount is the ARR at churn"), bad);
    json_t *a30 = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(a30, segs[i].name, json_real(segs[i].churn_icpt + log(30.0 / 7.0)), bad);
    jset(cm, "approx_30d_intercept", a30, bad);
    jset(cm, "approx_30d_note", json_string("for small hazards P(churn in 30 days) ~ (30/7)*h, "
                                            "i.e. the weekly intercept + log(30/7)"), bad);
    jset(t, "churn_model", cm, bad);

    json_t *em = json_object();
    jset(em, "unit", json_string("weekly probability of an expansion in (d, d+7] given active at d and no churn that week"), bad);
    jset(em, "formula", json_string("logit e = intercept[segment] + sum_k coefficients_k * s_k"), bad);
    json_t *ei = json_object();
    for (int i = 0; i < N_SEG; i++)
        jset(ei, segs[i].name, json_real(segs[i].exp_icpt), bad);
    jset(em, "intercept", ei, bad);
    jset(em, "coefficients", weights_object(exp_coef, bad), bad);
    jset(em, "amount", json_string("round(ARR * U(0.10, 0.40)), added to ARR"), bad);
    jset(t, "expansion_model", em, bad);

    json_t *xm = json_object();
    jset(xm, "unit", json_string("weekly probability of a contraction given active, no churn and no expansion that week"), bad);
    jset(xm, "formula", json_string("logit c = -6.0 - 0.03*(s_usage - 50)"), bad);
    jset(xm, "amount", json_string("round(ARR * U(0.05, 0.25)), subtracted from ARR"), bad);
    jset(t, "contraction_model", xm, bad);

    jset(t, "truth_probs",
         json_string("p_churn = 1 - prod_{j=0..3}(1-h_{t+j}) * (1 - h_{t+4}*2/7); p_expansion "
                     "likewise with churn competing; given the simulated hazard path, "
                     "including its 4 weeks after t"), bad);
    jset(t, "true_config", model_config("true weights", true_weight, bad), bad);

    json_t *sum = json_object();
    jset(sum, "accounts", json_integer((json_int_t)st->res.accounts), bad);
    jset(sum, "snapshots", json_integer((json_int_t)st->res.snapshots), bad);
    jset(sum, "churned_accounts", json_integer((json_int_t)st->res.churned_accounts), bad);
    jset(sum, "expansion_events", json_integer((json_int_t)st->res.expansion_events), bad);
    jset(sum, "contraction_events", json_integer((json_int_t)st->res.contraction_events), bad);
    jset(sum, "csat_missing", json_integer((json_int_t)st->res.csat_missing), bad);
    jset(sum, "nps_missing", json_integer((json_int_t)st->res.nps_missing), bad);
    jset(sum, "uncensored_snapshots", json_integer((json_int_t)st->res.uncensored), bad);
    jset(sum, "uncensored_churn_30d", json_integer((json_int_t)st->res.churn_30d), bad);
    jset(sum, "mean_true_p_churn_30d", json_real(st->res.mean_p_churn_30d), bad);
    jset(t, "summary", sum, bad);
    return t;
}

static hc_status write_json(hc_outfile *of, json_t *root, int bad,
                            const char *path, hc_error *err)
{
    if (bad || !root) {
        json_decref(root);
        return hc_error_nomem(err);
    }
    FILE *f = hc_outfile_stream(of);
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc != 0 || fputc('\n', f) == EOF)
        return hc_error_set(err, HC_EIO, path, 0, 0, "write failed");
    return HC_OK;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */
/* ------------------------------------------------------------------ */

void hc_simulate_options_init(hc_simulate_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->accounts = 400;
    opt->weeks = 78;
    opt->seed = 1;
    opt->start_day = hc_date_from_civil(2024, 1, 1);
}

static hc_status check_options(const hc_simulate_options *opt, hc_error *err)
{
    if (opt->accounts < 1 || opt->accounts > HC_SIMULATE_MAX_ACCOUNTS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--accounts must be between 1 and %ld (got %ld)",
                            HC_SIMULATE_MAX_ACCOUNTS, opt->accounts);
    if (opt->weeks < 1 || opt->weeks > HC_SIMULATE_MAX_WEEKS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--weeks must be between 1 and %ld (got %ld)",
                            HC_SIMULATE_MAX_WEEKS, opt->weeks);
    if (opt->seed > 4294967295UL)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--seed must be between 0 and 4294967295 (got %lu)",
                            opt->seed);
    /* Dates (including the 4 weeks simulated past the end and a year of
     * contract history before the start) must stay in 1000..9999. */
    if (opt->start_day < hc_date_from_civil(1001, 1, 1) ||
        opt->start_day + 7 * (opt->weeks + 5) > hc_date_from_civil(9999, 12, 31))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--start must be a date between 1001-01-01 and "
                            "year 9999 minus the simulated weeks");
    if (!opt->out_dir || !opt->out_dir[0])
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--out (the output directory) is required");
    return HC_OK;
}

hc_status hc_simulate_run(const hc_simulate_options *opt,
                          hc_simulate_result *res, hc_error *err)
{
    hc_status rc = check_options(opt, err);
    if (rc != HC_OK)
        return rc;
    rc = hc_mkdir_p(opt->out_dir, err);
    if (rc != HC_OK)
        return rc;

    sim_state st;
    memset(&st, 0, sizeof st);
    st.opt = opt;
    st.n_weeks = opt->weeks + 4;
    size_t nw = (size_t)st.n_weeks;
    hc_outfile *of[N_FILES] = {0};
    char *path[N_FILES] = {0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    st.day = malloc(nw * sizeof *st.day);
    st.date = malloc(nw * sizeof *st.date);
    st.season = malloc(nw * sizeof *st.season);
    st.h = malloc(nw * sizeof *st.h);
    st.e = malloc(nw * sizeof *st.e);
    if (!r || !st.day || !st.date || !st.season || !st.h || !st.e) {
        rc = hc_error_nomem(err);
        goto done;
    }
    for (size_t w = 0; w < nw; w++) {
        st.day[w] = opt->start_day + 7 * (int32_t)w;
        hc_date_format(st.day[w], st.date[w]);
        st.season[w] = usage_season(st.day[w]);
    }
    st.res.last_day = st.day[opt->weeks - 1];

    for (int i = 0; i < N_FILES; i++) {
        if (i == F_PROBS && !opt->truth_probs)
            continue;
        size_t n = strlen(opt->out_dir) + strlen(file_name[i]) + 2;
        path[i] = malloc(n);
        if (!path[i]) {
            rc = hc_error_nomem(err);
            goto done;
        }
        snprintf(path[i], n, "%s/%s", opt->out_dir, file_name[i]);
        rc = hc_outfile_open(path[i], &of[i], err);
        if (rc != HC_OK)
            goto done;
        if (i <= F_PROBS) {
            st.out[i].f = hc_outfile_stream(of[i]);
            st.out[i].buf = malloc(OBUF_CAP);
            if (!st.out[i].buf) {
                rc = hc_error_nomem(err);
                goto done;
            }
        }
    }

    static const char snap_header[] =
        "account_id,snapshot_date,segment,arr,logins_per_week,feature_adoption,"
        "open_tickets,csat,email_open_rate,milestones_done,days_past_due,nps,"
        "exec_sponsor\n";
    static const char event_header[] = "account_id,event_date,event_type,amount\n";
    static const char probs_header[] = "account_id,snapshot_date,p_churn,p_expansion\n";
    ob_str(&st.out[F_SNAP], snap_header, sizeof snap_header - 1);
    ob_str(&st.out[F_EVENTS], event_header, sizeof event_header - 1);
    if (opt->truth_probs)
        ob_str(&st.out[F_PROBS], probs_header, sizeof probs_header - 1);

    gsl_rng_set(r, opt->seed);
    for (long a = 1; a <= opt->accounts; a++) {
        simulate_account(&st, r, a);
        st.res.accounts++;
        if (a % 4096 == 0 || a == opt->accounts) {
            if (opt->progress)
                opt->progress(opt->progress_ctx, (double)a / (double)opt->accounts);
            /* A full disk stops the run early (reported below). */
            if (st.out[F_SNAP].failed || st.out[F_EVENTS].failed ||
                st.out[F_PROBS].failed)
                break;
        }
    }
    st.res.mean_p_churn_30d =
        st.res.uncensored ? st.sum_p / (double)st.res.uncensored : NAN;

    for (int i = 0; i <= F_PROBS; i++) {
        if (!of[i])
            continue;
        ob_flush(&st.out[i]);
        if (st.out[i].failed) {
            rc = hc_error_set(err, HC_EIO, path[i], 0, 0, "write failed: %s",
                              strerror(st.out[i].failed));
            goto done;
        }
    }
    int bad = 0;
    rc = write_json(of[F_TRUTH], truth_json(&st, &bad), bad, path[F_TRUTH], err);
    if (rc != HC_OK)
        goto done;
    bad = 0;
    rc = write_json(of[F_CURRENT], current_json(opt, st.res.last_day, &bad), bad,
                    path[F_CURRENT], err);
    if (rc != HC_OK)
        goto done;

    for (int i = 0; i < N_FILES; i++) {
        if (!of[i])
            continue;
        hc_outfile *o = of[i];
        of[i] = NULL;
        rc = hc_outfile_commit(o, err);
        if (rc != HC_OK)
            goto done;
    }
    if (res)
        *res = st.res;

done:
    for (int i = 0; i < N_FILES; i++) {
        hc_outfile_abort(of[i]);
        free(path[i]);
        free(st.out[i].buf);
    }
    gsl_rng_free(r);
    free(st.day);
    free(st.date);
    free(st.season);
    free(st.h);
    free(st.e);
    return rc;
}
