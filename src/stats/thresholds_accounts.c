/* thresholds_accounts.c - the threshold sweep's tallies in accounts and per scoring date: lowest candidate bin per account, red rows per date. */
#include "thresholds_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A date span beyond this many days (about 11,000 years) is not a history. */
#define SPAN_MAX 4000000u
/* Dates x boundaries counted at once: 256 MiB of counts at most. */
#define CELLS_MAX ((size_t)1 << 26)

void hc_thresholds_tally_release(hc_thr_tally *t)
{
    if (!t)
        return;
    free(t->acc);
    free(t->caught);
    free(t->caught_arr);
    free(t->dmin);
    free(t->dmax);
    free(t->dshare);
    free(t->dover);
    memset(t, 0, sizeof *t);
}

/* Per-account state of the walk. */
typedef struct {
    uint32_t *low;        /* lowest boundary over the account's rows (UINT32_MAX: none) */
    uint32_t *low_churn;  /* over its churner rows */
    int32_t *last_date;   /* date of its last churner row so far */
    uint32_t *last_row;   /* and its row (UINT32_MAX: none) */
    double *last_arr;     /* the ARR there */
} acct_state;

static void acct_free(acct_state *s)
{
    free(s->low);
    free(s->low_churn);
    free(s->last_date);
    free(s->last_row);
    free(s->last_arr);
}

/* First pass: account codes in range (and their count when not given),
 * the span of the dates. */
static hc_status scan_codes(size_t n, const hc_threshold_accounts *acc, size_t *n_accounts,
                            int32_t *dlo, int32_t *dhi, hc_error *err)
{
    if (acc->churned_amount && !acc->n_accounts)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "churned amounts need the number of accounts they are for");
    int64_t top = -1;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        size_t k = acc->row ? acc->row[i] : i;
        if (acc->account) {
            int32_t a = acc->account[k];
            if (a < 0 || (acc->n_accounts && (size_t)a >= acc->n_accounts))
                return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                    "account code of row %zu is %ld, outside 0..%zu", i,
                                    (long)a, acc->n_accounts ? acc->n_accounts - 1 : 0);
            top = a > top ? a : top;
        }
        if (acc->date) {
            int32_t d = acc->date[k];
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
    }
    *n_accounts = acc->n_accounts ? acc->n_accounts : (size_t)(top + 1);
    *dlo = lo;
    *dhi = hi;
    if (acc->date && n && (uint64_t)((int64_t)hi - lo) >= SPAN_MAX)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the scoring dates span %lld days: not a history of "
                            "scores", (long long)((int64_t)hi - lo + 1));
    return HC_OK;
}

/* The dense index of each date of the span (-1: no row), and the count D. */
static int32_t *date_index(size_t n, const hc_threshold_accounts *acc, int32_t lo, int32_t hi,
                           size_t *n_dates)
{
    size_t span = (size_t)((int64_t)hi - lo) + 1;
    int32_t *ix = malloc(span * sizeof *ix);
    if (!ix)
        return NULL;
    for (size_t d = 0; d < span; d++)
        ix[d] = -1;
    for (size_t i = 0; i < n; i++)
        ix[acc->date[acc->row ? acc->row[i] : i] - lo] = 0;
    int32_t k = 0;
    for (size_t d = 0; d < span; d++)
        if (ix[d] == 0)
            ix[d] = k++;
    *n_dates = (size_t)k;
    return ix;
}

/* Accounts per boundary from the lowest boundary of each: cumulative
 * counts, and the churned accounts' amounts. */
static void account_sums(const acct_state *s, size_t A, size_t m, const double *amount,
                         const double *arr, hc_thr_tally *t)
{
    size_t nb = m + 2;
    for (size_t a = 0; a < A; a++) {
        if (s->low[a] != UINT32_MAX) {
            t->acc[s->low[a]]++;
            t->accounts++;
        }
        if (s->low_churn[a] == UINT32_MAX)
            continue;
        /* The churned amount of the account's churn event when known;
         * else the ARR of its last churner row (its ARR when it churned). */
        double v = amount ? amount[a] : NAN;
        if (!(isfinite(v) && v >= 0.0)) {
            v = arr ? s->last_arr[a] : 0.0;
            t->churned_from_arr++;
        }
        t->caught[s->low_churn[a]]++;
        t->caught_arr[s->low_churn[a]] += v;
        t->churned++;
        t->churned_arr += v;
    }
    for (size_t b = 1; b < nb; b++) {
        t->acc[b] += t->acc[b - 1];
        t->caught[b] += t->caught[b - 1];
        t->caught_arr[b] += t->caught_arr[b - 1];
    }
}

/* Rows below each boundary per date, from the (date, boundary) counts:
 * cumulative along the boundaries, date by date, with the least, most and
 * largest share over the dates, and the dates over capacity. */
static void date_sums(uint32_t *cnt, size_t D, size_t m, const hc_threshold_options *o,
                      hc_thr_tally *t)
{
    size_t nb = m + 2;
    int cap = o->objective == HC_THRESHOLD_CAPACITY;
    for (size_t b = 0; b < nb; b++) {
        t->dmin[b] = UINT32_MAX;
        t->dmax[b] = 0;
        t->dshare[b] = 0.0;
        t->dover[b] = 0;
    }
    for (size_t d = 0; d < D; d++) {
        uint32_t *c = cnt + d * nb;
        for (size_t b = 1; b < nb; b++)
            c[b] += c[b - 1];
        double rows = (double)c[nb - 1]; /* every row of the date */
        for (size_t b = 0; b < nb; b++) {
            uint32_t red = c[b];
            t->dmin[b] = red < t->dmin[b] ? red : t->dmin[b];
            t->dmax[b] = red > t->dmax[b] ? red : t->dmax[b];
            double share = (double)red / rows;
            t->dshare[b] = share > t->dshare[b] ? share : t->dshare[b];
            /* A share allows share x rows (a tolerance for 10% of 50 = 5). */
            if (cap && (o->capacity_share ? (double)red > o->capacity * rows + 1e-9
                                          : (double)red > o->capacity))
                t->dover[b]++;
        }
    }
}

hc_status hc_thresholds_tally_build(const hc_thr_row *r, size_t n, const double *cut,
                                    size_t m, const double *y, const double *arr,
                                    const hc_threshold_accounts *acc,
                                    const hc_threshold_options *o, hc_thr_tally *t,
                                    hc_error *err)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    size_t A = 0, D = 0, nb = m + 2;
    int32_t dlo = 0, dhi = 0;
    hc_status st = scan_codes(n, acc, &A, &dlo, &dhi, err);
    if (st != HC_OK)
        return st;
    acct_state s;
    memset(&s, 0, sizeof s);
    int32_t *dix = NULL;
    uint32_t *cnt = NULL;
    if (acc->account) {
        size_t a1 = A ? A : 1;
        s.low = malloc(a1 * sizeof *s.low);
        s.low_churn = malloc(a1 * sizeof *s.low_churn);
        s.last_date = malloc(a1 * sizeof *s.last_date);
        s.last_row = malloc(a1 * sizeof *s.last_row);
        s.last_arr = malloc(a1 * sizeof *s.last_arr);
        t->acc = calloc(nb, sizeof *t->acc);
        t->caught = calloc(nb, sizeof *t->caught);
        t->caught_arr = calloc(nb, sizeof *t->caught_arr);
        if (!s.low || !s.low_churn || !s.last_date || !s.last_row || !s.last_arr ||
            !t->acc || !t->caught || !t->caught_arr) {
            st = hc_error_nomem(err);
            goto fail;
        }
        for (size_t a = 0; a < A; a++) {
            s.low[a] = s.low_churn[a] = s.last_row[a] = UINT32_MAX;
            s.last_date[a] = INT32_MIN;
            s.last_arr[a] = 0.0;
        }
        t->by_accounts = 1;
    }
    if (acc->date && n) {
        if (!(dix = date_index(n, acc, dlo, dhi, &D))) {
            st = hc_error_nomem(err);
            goto fail;
        }
        if (D > CELLS_MAX / nb) {
            st = hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                              "%zu scoring dates x %zu candidate cuts are too many to "
                              "count red rows per date; use a coarser grid", D, m);
            goto fail;
        }
        cnt = calloc(D * nb, sizeof *cnt);
        t->dmin = malloc(nb * sizeof *t->dmin);
        t->dmax = malloc(nb * sizeof *t->dmax);
        t->dshare = malloc(nb * sizeof *t->dshare);
        t->dover = malloc(nb * sizeof *t->dover);
        if (!cnt || !t->dmin || !t->dmax || !t->dshare || !t->dover) {
            st = hc_error_nomem(err);
            goto fail;
        }
        t->has_dates = 1;
        t->n_dates = D;
    }
    /* The walk: row i of the sorted order falls at the first boundary b
     * with H < cut[b] (m + 1 above every cut), as in the grid's sums. */
    size_t b = 1;
    for (size_t i = 0; i < n; i++) {
        while (b <= m && !(r[i].h < cut[b]))
            b++;
        uint32_t j = r[i].i;
        size_t k = acc->row ? acc->row[j] : j;
        int32_t d = acc->date ? acc->date[k] : 0;
        if (t->by_accounts) {
            int32_t a = acc->account[k];
            if ((uint32_t)b < s.low[a])
                s.low[a] = (uint32_t)b;
            if (y[j] == 1.0) {
                if ((uint32_t)b < s.low_churn[a])
                    s.low_churn[a] = (uint32_t)b;
                /* Its last churner row: the latest date, ties the later row. */
                if (s.last_row[a] == UINT32_MAX || d > s.last_date[a] ||
                    (d == s.last_date[a] && j > s.last_row[a])) {
                    s.last_date[a] = d;
                    s.last_row[a] = j;
                    s.last_arr[a] = arr ? arr[j] : 0.0;
                }
            }
        }
        if (t->has_dates)
            cnt[(size_t)dix[d - dlo] * nb + b]++;
    }
    if (t->by_accounts)
        account_sums(&s, A, m, acc->churned_amount, arr, t);
    if (t->has_dates)
        date_sums(cnt, D, m, o, t);
    st = HC_OK;
    goto done;
fail:
    hc_thresholds_tally_release(t);
done:
    acct_free(&s);
    free(dix);
    free(cnt);
    return st;
}
