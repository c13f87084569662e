/* hc_simulate.h - synthetic account histories with known ground truth (layer: workflows).
 *
 * hc_simulate_run writes, into one directory, a weekly snapshot history,
 * the churn / expansion / contraction events, the true generative
 * parameters (truth.json), a hand-set starting config in schema
 * healthcal-model/1 (current.json) and optionally the true 30-day event
 * probabilities of every snapshot (truth_probs.csv). The generative model
 * is documented in datasets/README.md; every constant of it is also written
 * into truth.json. Random numbers come from one GSL mt19937 stream seeded
 * with the seed and drawn in a fixed order, account after account (the
 * same draws whatever is written), so the same options give byte-identical
 * files (on the same platform and libm), and asking for truth_probs.csv
 * does not change the other files. The sources: simulate.c (the run),
 * simulate_model.c (the generative model), simulate_rows.c and
 * simulate_json.c (the files), under src/workflow/.
 */
#ifndef HC_SIMULATE_H
#define HC_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"

/* Upper limits of the options (checked by hc_simulate_run). */
#define HC_SIMULATE_MAX_ACCOUNTS 10000000L
#define HC_SIMULATE_MAX_WEEKS 1040L
#define HC_SIMULATE_MAX_ONBOARDING_DAYS 3650L

/* Called now and then with the fraction of accounts done (0..1). */
typedef void (*hc_simulate_progress_fn)(void *ctx, double fraction);

typedef struct {
    long accounts;          /* number of accounts, 1..HC_SIMULATE_MAX_ACCOUNTS */
    long weeks;             /* weekly snapshot dates, 1..HC_SIMULATE_MAX_WEEKS */
    unsigned long seed;     /* GSL mt19937 seed, 0..2^32-1 (GSL maps 0 to 4357) */
    int32_t start_day;      /* first snapshot date as a day number (hc_date.h) */
    const char *out_dir;    /* output directory, created when missing */
    int truth_probs;        /* also write truth_probs.csv */
    long users_per_account; /* 0: one row per account and week; N (1..100):
                               N user rows instead (column user_id after
                               snapshot_date, ids A000001-u1 ...), whose
                               values are the account's plus offsets of one
                               unit +d, -d, +d, ... (0 for the last of an odd
                               N, and wherever a bound would be crossed) that
                               sum to zero: the users' mean is the account's
                               value (up to the rounding of doubles), so the
                               truth holds for a "mean" roll-up. No extra
                               random draws. */
    int grades;             /* also write a `grade` column: the letter of the
                               true relationship sub-score (A >= 80, B >= 60,
                               C >= 40, D >= 20, else F; no extra random
                               draws, so every other column is unchanged) */
    long onboarding_days;   /* 0: one churn model for every account; D
                               (1..HC_SIMULATE_MAX_ONBOARDING_DAYS): while
                               an account's contract tenure (snapshot date
                               minus contract start) is below D days, its
                               weekly churn hazard follows the onboarding
                               weights and intercept shift of truth.json
                               ("onboarding": adoption failure, driven by
                               engagement and usage, not by financial
                               health); tenured accounts keep the usual
                               model. Adds a `start_date` column (the
                               contract start) as the last column of
                               snapshots.csv so that tenure can be measured,
                               and a lifecycle stage (onboarding below D
                               days, tenured after) as the segment of
                               current.json. No extra random draws, so without
                               the option every file is as before; with it
                               the draws are the same until an account's
                               churn outcome differs (a churn in another
                               week), after which the one stream is drawn
                               in another order and the rest of the history
                               differs from the run without it. */
    hc_simulate_progress_fn progress; /* NULL for none */
    void *progress_ctx;
} hc_simulate_options;

/* What was written: counts for a summary line and for tests. */
typedef struct {
    size_t accounts;
    size_t snapshots;           /* rows of snapshots.csv */
    size_t churned_accounts;    /* = churn events */
    size_t expansion_events;
    size_t contraction_events;
    size_t csat_missing;        /* empty csat cells */
    size_t nps_missing;         /* empty nps cells */
    size_t uncensored;          /* snapshots whose 30-day window ends by the
                                   last snapshot date */
    size_t churn_30d;           /* of those, with a churn in (t, t+30] */
    double mean_p_churn_30d;    /* mean true P(churn in (t, t+30]) over the
                                   uncensored snapshots */
    int32_t last_day;           /* last snapshot date (day number) */
} hc_simulate_result;

/* Fills `opt` with the defaults: 400 accounts, 78 weeks, seed 1, start
 * 2024-01-01, no output directory, no truth_probs.csv, no progress. */
void hc_simulate_options_init(hc_simulate_options *opt);

/* Simulates and writes DIR/snapshots.csv, DIR/events.csv, DIR/truth.json,
 * DIR/current.json and, when opt->truth_probs is set, DIR/truth_probs.csv,
 * each atomically (temporary file + rename). Returns HC_OK and fills `res`
 * (which may be NULL); HC_EUSAGE naming the option (e.g. "--accounts")
 * when an option is out of range; HC_EIO when the directory or a file
 * cannot be written (files already renamed into place stay, the others are
 * not created); HC_ENOMEM. The caller keeps ownership of `opt`. */
hc_status hc_simulate_run(const hc_simulate_options *opt,
                          hc_simulate_result *res, hc_error *err);

#endif
