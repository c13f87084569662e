/* simulate.c - `healthcal simulate`: synthetic account histories with known ground truth (the model in simulate_model.c, datasets/README.md). */
#include "hc_simulate.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc_date.h"
#include "hc_outfile.h"

#include "simulate_model.h"

/* The output files, indexed by F_* (simulate_model.h). */
static const char *const file_name[N_FILES] = {
    "snapshots.csv", "events.csv", "truth_probs.csv", "truth.json",
    "current.json"};

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
    if (opt->users_per_account < 0 || opt->users_per_account > 100)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--users-per-account must be between 1 and 100 (got %ld)",
                            opt->users_per_account);
    if (opt->onboarding_days < 0 || opt->onboarding_days > HC_SIMULATE_MAX_ONBOARDING_DAYS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "--onboarding-days must be between 1 and %ld (got %ld)",
                            HC_SIMULATE_MAX_ONBOARDING_DAYS, opt->onboarding_days);
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

    hc_sim_state st;
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
        st.season[w] = hc_sim_usage_season(st.day[w]);
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

    hc_sim_write_headers(&st);

    /* One stream for the whole run, drawn from account after account. */
    gsl_rng_set(r, opt->seed);
    for (long a = 1; a <= opt->accounts; a++) {
        hc_sim_account(&st, r, a);
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
        hc_sim_flush(&st.out[i]);
        if (st.out[i].failed) {
            rc = hc_error_set(err, HC_EIO, path[i], 0, 0, "write failed: %s",
                              strerror(st.out[i].failed));
            goto done;
        }
    }
    rc = hc_sim_write_truth(of[F_TRUTH], &st, path[F_TRUTH], err);
    if (rc != HC_OK)
        goto done;
    rc = hc_sim_write_current(of[F_CURRENT], opt, st.res.last_day,
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
