/* simulate_model.h - the simulator's generative model (constants, parameter tables) and the run state its files share (private to simulate*.c). */
#ifndef HC_SIMULATE_MODEL_H
#define HC_SIMULATE_MODEL_H

#include "hc_outfile.h"
#include "hc_simulate.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>

/* The files are:
 *   simulate.c        the entry points: options, the run, the output files;
 *   simulate_model.c  the generative model: one account's weekly history;
 *   simulate_rows.c   the CSV rows (snapshots, events, truth_probs);
 *   simulate_json.c   truth.json and the starting config current.json. */

/* ------------------------------------------------------------------ */
/* The generative model. Every constant here is also written to         */
/* truth.json, and datasets/README.md describes them in words.          */
/* ------------------------------------------------------------------ */

enum { K_USAGE, K_SUPPORT, K_ENGAGEMENT, K_FINANCIAL, K_RELATIONSHIP, N_COMP };

/* The component names, in the order of K_*. */
extern const char *const hc_sim_comp_name[N_COMP];

/* The weights of the true health score H* = sum_k w_k s_k. Financial health
 * matters most and engagement not at all, so the hand-set weights (what a
 * CS team might guess, written to current.json) are visibly wrong. */
extern const double hc_sim_true_weight[N_COMP];
extern const double hc_sim_hand_weight[N_COMP];

/* Weekly churn hazard: logit h = a_seg + CHURN_SLOPE * H* + renewal term.
 * The component coefficients are CHURN_SLOPE * true_weight[k], all <= 0, so
 * the hazard depends on the components only through H*, a sufficient
 * statistic of it: the case hc_fit.h describes, in which the fitted
 * coefficients b_k give back the true weights as w_k = b_k / sum_j b_j. */
#define CHURN_SLOPE (-0.10)

/* --onboarding-days D: while an account's contract tenure is below D days,
 * logit h = a_seg + ONB_ICPT_SHIFT + CHURN_SLOPE * H_onb + renewal term,
 * H_onb = sum_k onb_weight[k] s_k: onboarding churn is adoption failure,
 * driven by engagement and usage, with financial health playing no part
 * (the opposite of the tenured weights, so a pooled fit is visibly off for
 * onboarding accounts). */
extern const double hc_sim_onb_weight[N_COMP];
#define ONB_ICPT_SHIFT 0.5
#define RENEWAL_LOG_ODDS 0.5
#define RENEWAL_DAYS_BEFORE 28
#define CONTRACT_DAYS 365

/* Weekly expansion hazard: logit e = b_seg + sum_k c_k s_k with the c_k of
 * hc_sim_exp_coef (healthy usage drives expansion; support plays no part). */
extern const double hc_sim_exp_coef[N_COMP];
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

/* --grades: the letter of a true relationship sub-score s (0..100). */
static inline char hc_sim_grade(double s)
{
    return s >= 80 ? 'A' : s >= 60 ? 'B' : s >= 40 ? 'C' : s >= 20 ? 'D' : 'F';
}

typedef struct {
    const char *name;
    double share;
    double arr_lo, arr_hi;   /* initial ARR, log-uniform */
    double churn_icpt;       /* a_seg */
    double exp_icpt;         /* b_seg */
    double mean[N_COMP];     /* segment mean of the latent components */
} hc_sim_segment;

enum { N_SEG = 3 };
extern const hc_sim_segment hc_sim_segs[N_SEG];

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
} hc_sim_metric;

extern const hc_sim_metric hc_sim_metrics[N_METRIC];

/* ------------------------------------------------------------------ */
/* The run state                                                       */
/* ------------------------------------------------------------------ */

/* printf costs about as much as everything else together at 10 million
 * rows, and every number written here is a non-negative scaled integer, so
 * rows are formatted by hand into a 1 MiB buffer handed to fwrite. */
#define OBUF_CAP (1u << 20)
#define ROW_MAX 512

typedef struct {
    FILE *f;
    char *buf;    /* OBUF_CAP bytes (the run allocates it) */
    size_t len;
    int failed;   /* errno of the first failed write, or 0 */
} hc_sim_buf;

/* The output files, in the order of their names in simulate.c; the first
 * three are written row by row through a hc_sim_buf. */
enum { F_SNAP, F_EVENTS, F_PROBS, F_TRUTH, F_CURRENT, N_FILES };

typedef struct {
    const hc_simulate_options *opt;
    long n_weeks;          /* weeks simulated: opt->weeks + 4 */
    int32_t *day;          /* snapshot date of each week */
    char (*date)[11];      /* its text */
    double *season;        /* usage dip of each week */
    double *h, *e;         /* weekly churn / expansion hazard of one account */
    hc_sim_buf out[N_FILES];
    hc_simulate_result res;
    double sum_p;          /* sum of the true 30-day P(churn), uncensored */
} hc_sim_state;

/* --- the generative model (simulate_model.c) --- */

/* Points subtracted from latent usage on `day` (a day number). */
double hc_sim_usage_season(int32_t day);

/* Simulates account `id` (1-based) from the stream `r`, writes its rows
 * (snapshots, events and, when asked for, truth_probs) and adds it to
 * st->res and st->sum_p. The order of the random draws is part of the
 * output's definition: change it and every file changes. */
void hc_sim_account(hc_sim_state *st, gsl_rng *r, long id);

/* --- the CSV rows (simulate_rows.c) --- */

/* Writes out what `b` holds; a failed write is remembered in b->failed. */
void hc_sim_flush(hc_sim_buf *b);

/* Writes the header lines of snapshots.csv, events.csv and (when asked
 * for) truth_probs.csv. */
void hc_sim_write_headers(hc_sim_state *st);

/* One row of snapshots.csv: account `id` in week `w`, in segment `segment`
 * with ARR `arr`, the metrics as scaled integers q (value = q / 10^decimals)
 * in snapshots.csv order; csat and nps left empty when missing; then the
 * grade (0: no column) and the contract start date (NULL: no column). */
void hc_sim_write_snapshot(hc_sim_state *st, long id, long w,
                           const char *segment, long long arr,
                           const long long *q, int miss_csat, int miss_nps,
                           char grade, const char *start_date);

/* One row of events.csv: an event of `type` on `day`, of `amount`. */
void hc_sim_write_event(hc_sim_state *st, long id, int32_t day,
                        const char *type, long long amount);

/* One row of truth_probs.csv: the true 30-day probabilities of churn and
 * expansion after account `id`'s snapshot of week `w`. */
void hc_sim_write_probs(hc_sim_state *st, long id, long w, double p_churn,
                        double p_expansion);

/* --- the JSON files (simulate_json.c) --- */

/* Writes truth.json (every constant of the model, the options and the
 * counts of st->res) to `of`; `path` names it in messages. HC_ENOMEM or
 * HC_EIO. */
hc_status hc_sim_write_truth(hc_outfile *of, const hc_sim_state *st,
                             const char *path, hc_error *err);

/* Writes current.json, the hand-set starting config in schema
 * healthcal-model/1, with the options as its provenance. */
hc_status hc_sim_write_current(hc_outfile *of, const hc_simulate_options *opt,
                               int32_t last_day, const char *path,
                               hc_error *err);

#endif
