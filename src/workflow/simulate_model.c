/* simulate_model.c - the generative model of `healthcal simulate`: its parameter tables and one account's weekly history of latent health, metrics, hazards and events. */
#include "hc_simulate.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "hc_date.h"

#include "simulate_model.h"

/* The parameter tables (simulate_model.h says what each holds). */

const char *const hc_sim_comp_name[N_COMP] = {"usage", "support", "engagement",
                                              "financial", "relationship"};

const double hc_sim_true_weight[N_COMP] = {0.30, 0.05, 0.00, 0.50, 0.15};
const double hc_sim_hand_weight[N_COMP] = {0.30, 0.20, 0.15, 0.20, 0.15};
const double hc_sim_onb_weight[N_COMP] = {0.35, 0.00, 0.55, 0.00, 0.10};

const double hc_sim_exp_coef[N_COMP] = {0.035, 0.0, 0.010, 0.005, 0.015};

const hc_sim_segment hc_sim_segs[N_SEG] = {
    {"smb", 0.60, 3000, 25000, 1.4, -9.2, {58, 62, 52, 68, 48}},
    {"mid", 0.30, 25000, 120000, 1.0, -9.0, {62, 65, 56, 72, 56}},
    {"enterprise", 0.10, 120000, 800000, 0.5, -8.8, {66, 66, 60, 76, 64}},
};

const hc_sim_metric hc_sim_metrics[N_METRIC] = {
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
    const hc_sim_metric *d = &hc_sim_metrics[m];
    double s = 100.0 * (v - d->low) / (d->high - d->low);
    s = clampd(s, 0, 100);
    return d->higher_is_healthier ? s : 100.0 - s;
}

/* Points subtracted from latent usage on `day`. */
double hc_sim_usage_season(int32_t day)
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

/* The order of the random draws is part of the output's definition (see
 * simulate_model.h): every draw below happens whatever is written. */
void hc_sim_account(hc_sim_state *st, gsl_rng *r, long id)
{
    const long W = st->opt->weeks;
    const long NW = st->n_weeks;

    /* Segment, ARR, start week, contract anniversary. */
    double u = gsl_rng_uniform(r);
    double share0 = hc_sim_segs[0].share, share1 = hc_sim_segs[1].share;
    int sg = u < share0 ? 0 : u < share0 + share1 ? 1 : 2;
    const hc_sim_segment *sp = &hc_sim_segs[sg];
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
    const long onb_days = st->opt->onboarding_days;
    char start_text[11];
    if (onb_days > 0)
        hc_date_format(contract0, start_text);

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
        gsl_ran_gaussian_ziggurat(r, hc_sim_metrics[M_SPONSOR].noise_sd);
    const double innov = AR_SD * sqrt(1 - AR_PHI * AR_PHI);

    int alive = 1;
    long churn_week = -1;
    int32_t churn_day = 0;
    long last_snap = s0 - 1;

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
            nz[m] = hc_sim_metrics[m].noise_sd;
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
            double v = (double)q[m] / scale[hc_sim_metrics[m].decimals];
            sum[hc_sim_metrics[m].comp] += subscore(m, v);
            cnt[hc_sim_metrics[m].comp] += 1;
        }
        double s[N_COMP], H = 0, H_onb = 0, ze = sp->exp_icpt;
        for (int k = 0; k < N_COMP; k++) {
            s[k] = sum[k] / cnt[k];
            H += hc_sim_true_weight[k] * s[k];
            H_onb += hc_sim_onb_weight[k] * s[k];
            ze += hc_sim_exp_coef[k] * s[k];
        }
        int32_t since = st->day[w] - contract0;
        int32_t to_renewal = CONTRACT_DAYS - since % CONTRACT_DAYS;
        /* Without --onboarding-days the same expression as ever (the same
         * doubles, so the same files). */
        double zc = onb_days > 0 && since < onb_days
                        ? sp->churn_icpt + ONB_ICPT_SHIFT + CHURN_SLOPE * H_onb
                        : sp->churn_icpt + CHURN_SLOPE * H;
        zc += to_renewal <= RENEWAL_DAYS_BEFORE ? RENEWAL_LOG_ODDS : 0;
        st->h[w] = logistic(zc);
        st->e[w] = logistic(ze);
        double hc = logistic(CONTR_INTERCEPT + CONTR_SLOPE * (s[K_USAGE] - 50));

        if (alive && w < W) {
            int miss_csat = gsl_rng_uniform(r) < MISSING_RATE;
            int miss_nps = gsl_rng_uniform(r) < MISSING_RATE;
            hc_sim_write_snapshot(st, id, w, sp->name, arr, q, miss_csat,
                                  miss_nps,
                                  st->opt->grades ? hc_sim_grade(s[K_RELATIONSHIP]) : 0,
                                  onb_days > 0 ? start_text : NULL);
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
                hc_sim_write_event(st, id, churn_day, "churn", arr);
                alive = 0;
                churn_week = w;
                st->res.churned_accounts++;
            } else {
                double ux = gsl_rng_uniform(r);
                if (ux < st->e[w]) {
                    int32_t dd = st->day[w] + 1 + (int32_t)gsl_rng_uniform_int(r, 7);
                    double f = EXP_FRAC_LO + (EXP_FRAC_HI - EXP_FRAC_LO) * gsl_rng_uniform(r);
                    long long amount = (long long)floor((double)arr * f + 0.5);
                    hc_sim_write_event(st, id, dd, "expansion", amount);
                    arr += amount;
                    st->res.expansion_events++;
                } else if (gsl_rng_uniform(r) < hc) {
                    int32_t dd = st->day[w] + 1 + (int32_t)gsl_rng_uniform_int(r, 7);
                    double f = CONTR_FRAC_LO + (CONTR_FRAC_HI - CONTR_FRAC_LO) * gsl_rng_uniform(r);
                    long long amount = (long long)floor((double)arr * f + 0.5);
                    hc_sim_write_event(st, id, dd, "contraction", amount);
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
        if (st->opt->truth_probs)
            hc_sim_write_probs(st, id, w, pc, pe);
    }
}
