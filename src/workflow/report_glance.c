/* report_glance.c - the report's at-a-glance numbers: each config's churn rate per band in accounts, red against green, lead times and pass bars, and the bands by month over the history. */
#include "report_internal.h"
#include "hc_date.h"
#include "hc_validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The labelled snapshots of the history with a health score under `m`:
 * their account, date, band and outcome, in table order. */
typedef struct {
    size_t n;
    int32_t *account, *day, *band;
    double *y;
} scored_rows;

static void scored_release(scored_rows *s)
{
    free(s->account);
    free(s->day);
    free(s->band);
    free(s->y);
    memset(s, 0, sizeof *s);
}

static hc_status score_observations(const hc_model *m, const hc_history *h, scored_rows *s,
                                    hc_error *err)
{
    memset(s, 0, sizeof *s);
    const hc_table *t = h->snapshots.table;
    size_t n = h->labels.observations, cap = n ? n : 1;
    size_t *rows = calloc(cap, sizeof *rows);
    double *health = malloc(cap * sizeof *health);
    s->account = malloc(cap * sizeof *s->account);
    s->day = malloc(cap * sizeof *s->day);
    s->band = malloc(cap * sizeof *s->band);
    s->y = malloc(cap * sizeof *s->y);
    hc_status st = HC_OK;
    if (!rows || !health || !s->account || !s->day || !s->band || !s->y) {
        st = hc_error_nomem(err);
        goto done;
    }
    n = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (h->labels.status[r] == HC_ROW_OBSERVATION)
            rows[n++] = r;
    hc_score_out out = {.health = health, .band = s->band};
    if ((st = hc_model_score_rows(m, t, rows, 0, n, 1, &out, err)) != HC_OK)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(health[i]) || s->band[i] < 0)
            continue;
        size_t r = rows[i];
        s->band[k] = s->band[i];
        s->account[k] = t->cols[h->snapshots.id_col].code[r];
        s->day[k] = t->cols[h->snapshots.date_col].code[r];
        s->y[k] = h->labels.churn[r];
        k++;
    }
    s->n = k;
done:
    free(rows);
    free(health);
    if (st != HC_OK)
        scored_release(s);
    return st;
}

static void eval_release(hc_report_eval *e)
{
    free(e->band_accounts);
    free(e->band_churned);
    free(e->band_rate);
    free(e->band_lo);
    free(e->band_hi);
    memset(e, 0, sizeof *e);
}

/* Per band: the distinct accounts with a row in it, and of them those with
 * a churner row in it; the green share by each account's latest row. */
static hc_status eval_bands(const scored_rows *s, size_t n_accounts, hc_report_eval *e,
                            hc_error *err)
{
    size_t nb = e->n_bands;
    unsigned char *seen = calloc((n_accounts ? n_accounts : 1) * nb, 1);
    int32_t *latest_day = malloc((n_accounts ? n_accounts : 1) * sizeof *latest_day);
    int32_t *latest_band = malloc((n_accounts ? n_accounts : 1) * sizeof *latest_band);
    if (!seen || !latest_day || !latest_band) {
        free(seen);
        free(latest_day);
        free(latest_band);
        return hc_error_nomem(err);
    }
    for (size_t a = 0; a < n_accounts; a++) {
        latest_day[a] = INT32_MIN;
        latest_band[a] = -1;
    }
    size_t red_rows = 0, red_churn = 0, churn = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t a = (size_t)s->account[i], b = (size_t)s->band[i];
        unsigned char *c = &seen[a * nb + b];
        int y = s->y[i] == 1.0;
        *c |= 1u | (y ? 2u : 0u);
        churn += y;
        if (b == 0) {
            red_rows++;
            red_churn += y;
        }
        if (s->day[i] >= latest_day[a]) {
            latest_day[a] = s->day[i];
            latest_band[a] = (int32_t)b;
        }
    }
    size_t accounts = 0, green = 0;
    for (size_t a = 0; a < n_accounts; a++) {
        if (latest_band[a] < 0)
            continue;
        accounts++;
        green += (size_t)latest_band[a] == nb - 1;
        for (size_t b = 0; b < nb; b++) {
            e->band_accounts[b] += (seen[a * nb + b] & 1u) != 0;
            e->band_churned[b] += (seen[a * nb + b] & 2u) != 0;
        }
    }
    free(seen);
    free(latest_day);
    free(latest_band);
    e->accounts = accounts;
    e->rows = s->n;
    for (size_t b = 0; b < nb; b++) {
        size_t k = e->band_churned[b], m = e->band_accounts[b];
        e->band_rate[b] = m ? (double)k / (double)m : NAN;
        if (m)
            hc_metrics_wilson(k, m, 0.95, &e->band_lo[b], &e->band_hi[b]);
        else
            e->band_lo[b] = e->band_hi[b] = NAN;
    }
    /* Red against green: the Katz log interval of a ratio of two
     * proportions (Katz et al. 1978), with 0.5 added to every cell when a
     * count is zero. */
    double a1 = (double)e->band_churned[0], n1 = (double)e->band_accounts[0];
    double a2 = (double)e->band_churned[nb - 1], n2 = (double)e->band_accounts[nb - 1];
    e->rr = e->rr_lo = e->rr_hi = NAN;
    if (n1 > 0 && n2 > 0 && (a1 > 0 || a2 > 0)) {
        if (a1 == 0 || a2 == 0) {
            a1 += 0.5;
            a2 += 0.5;
            n1 += 1;
            n2 += 1;
        }
        double rr = (a1 / n1) / (a2 / n2);
        double se = sqrt(1 / a1 - 1 / n1 + 1 / a2 - 1 / n2);
        e->rr = rr;
        e->rr_lo = rr * exp(-1.959963984540054 * se);
        e->rr_hi = rr * exp(1.959963984540054 * se);
    }
    e->base_rate = s->n ? (double)churn / (double)s->n : NAN;
    e->red_over_base = red_rows && churn ? ((double)red_churn / (double)red_rows) /
                                               e->base_rate
                                         : NAN;
    e->green_share = accounts ? (double)green / (double)accounts : NAN;
    return HC_OK;
}

static hc_status eval_config(const hc_model *m, const hc_history *h, const int32_t *churn_day,
                             hc_report_eval *e, hc_error *err)
{
    memset(e, 0, sizeof *e);
    if (m->n_bands < 2)
        return HC_OK;
    scored_rows s;
    hc_status st = score_observations(m, h, &s, err);
    if (st != HC_OK)
        return st;
    size_t nb = m->n_bands, na = h->snapshots.n_accounts;
    e->n_bands = nb;
    e->band_accounts = calloc(nb, sizeof *e->band_accounts);
    e->band_churned = calloc(nb, sizeof *e->band_churned);
    e->band_rate = calloc(nb, sizeof *e->band_rate);
    e->band_lo = calloc(nb, sizeof *e->band_lo);
    e->band_hi = calloc(nb, sizeof *e->band_hi);
    if (!e->band_accounts || !e->band_churned || !e->band_rate || !e->band_lo || !e->band_hi)
        st = hc_error_nomem(err);
    if (st == HC_OK)
        st = eval_bands(&s, na, e, err);
    if (st == HC_OK && churn_day && na) {
        if ((st = hc_lead_time_compute(s.band, s.day, s.account, s.n, churn_day, na, nb,
                                       &e->lead, err)) == HC_OK)
            e->has_lead = 1;
    }
    scored_release(&s);
    if (st != HC_OK)
        eval_release(e);
    else
        e->ok = 1;
    return st;
}

/* ---- bands over time ---- */

static int32_t period_start(int32_t day, int quarterly)
{
    int y, mo, d;
    hc_date_to_civil(day, &y, &mo, &d);
    if (quarterly)
        mo = (mo - 1) / 3 * 3 + 1;
    return hc_date_from_civil(y, mo, 1);
}

static int32_t next_period(int32_t start, int quarterly)
{
    int y, mo, d;
    hc_date_to_civil(start, &y, &mo, &d);
    mo += quarterly ? 3 : 1;
    if (mo > 12) {
        mo -= 12;
        y++;
    }
    return hc_date_from_civil(y, mo, 1);
}

static hc_status build_trend(const hc_model *m, const hc_history *h, hc_report_trend *tr,
                             hc_error *err)
{
    memset(tr, 0, sizeof *tr);
    if (m->n_bands < 2)
        return HC_OK;
    scored_rows s;
    hc_status st = score_observations(m, h, &s, err);
    if (st != HC_OK || s.n == 0) {
        scored_release(&s);
        return st;
    }
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < s.n; i++) {
        lo = s.day[i] < lo ? s.day[i] : lo;
        hi = s.day[i] > hi ? s.day[i] : hi;
    }
    tr->quarterly = hi - lo > 731;
    size_t np = 0;
    for (int32_t p = period_start(lo, tr->quarterly); p <= hi; p = next_period(p, tr->quarterly))
        np++;
    size_t nb = m->n_bands, na = h->snapshots.n_accounts;
    tr->n_periods = np;
    tr->n_bands = nb;
    tr->start = malloc(np * sizeof *tr->start);
    tr->accounts = calloc(np * nb, sizeof *tr->accounts);
    tr->churned = calloc(np * nb, sizeof *tr->churned);
    /* per account: the period and row of its latest row in the period being
     * filled; rows come in table order, so track per (account) the latest
     * row of each period with a pass over the periods' rows. */
    size_t *period = malloc(s.n * sizeof *period);
    int32_t *best_day = malloc((na ? na : 1) * sizeof *best_day);
    size_t *best_row = malloc((na ? na : 1) * sizeof *best_row);
    size_t *order = malloc(s.n * sizeof *order), *cnt = calloc(np + 1, sizeof *cnt);
    if (!tr->start || !tr->accounts || !tr->churned || !period || !best_day || !best_row ||
        !order || !cnt) {
        st = hc_error_nomem(err);
        goto done;
    }
    size_t k = 0;
    for (int32_t p = period_start(lo, tr->quarterly); p <= hi; p = next_period(p, tr->quarterly))
        tr->start[k++] = p;
    for (size_t i = 0; i < s.n; i++) {
        int32_t ps = period_start(s.day[i], tr->quarterly);
        size_t a = 0, b = np;
        while (a + 1 < b) { /* the last start <= ps */
            size_t mid = (a + b) / 2;
            if (tr->start[mid] <= ps)
                a = mid;
            else
                b = mid;
        }
        period[i] = a;
        cnt[a + 1]++;
    }
    for (size_t p = 0; p < np; p++)
        cnt[p + 1] += cnt[p];
    for (size_t i = 0; i < s.n; i++)
        order[cnt[period[i]]++] = i; /* cnt[p] ends as the end of period p */
    for (size_t a = 0; a < na; a++)
        best_day[a] = INT32_MIN;
    size_t from = 0;
    for (size_t p = 0; p < np; p++) {
        size_t to = cnt[p];
        for (size_t j = from; j < to; j++) {
            size_t i = order[j];
            size_t a = (size_t)s.account[i];
            if (s.day[i] >= best_day[a]) {
                best_day[a] = s.day[i];
                best_row[a] = i;
            }
        }
        for (size_t j = from; j < to; j++) {
            size_t a = (size_t)s.account[order[j]];
            if (best_day[a] == INT32_MIN)
                continue; /* already counted */
            size_t i = best_row[a];
            tr->accounts[p * nb + (size_t)s.band[i]]++;
            tr->churned[p * nb + (size_t)s.band[i]] += s.y[i] == 1.0;
            best_day[a] = INT32_MIN;
        }
        from = to;
    }
done:
    free(period);
    free(best_day);
    free(best_row);
    free(order);
    free(cnt);
    scored_release(&s);
    return st;
}

hc_status hc_rpt_glance(hc_report_result *res, hc_error *err)
{
    const hc_history *h = &res->history;
    int32_t *churn_day = NULL;
    hc_status st = hc_validate_churn_days(h, &churn_day, err);
    if (st == HC_OK)
        st = eval_config(res->current, h, churn_day, &res->eval[0], err);
    if (st == HC_OK)
        st = eval_config(res->fit.tuned, h, churn_day, &res->eval[1], err);
    free(churn_day);
    if (st == HC_OK)
        st = build_trend(res->current, h, &res->trend, err);
    if (st == HC_OK)
        st = hc_call_list_build(&res->predict, &res->calls, err);
    if (st == HC_OK)
        st = hc_user_health_compute(&res->predict, &res->calls, HC_REPORT_USER_ACCOUNTS,
                                    &res->users, err);
    return st;
}

void hc_rpt_glance_release(hc_report_result *res)
{
    eval_release(&res->eval[0]);
    eval_release(&res->eval[1]);
    free(res->trend.start);
    free(res->trend.accounts);
    free(res->trend.churned);
    memset(&res->trend, 0, sizeof res->trend);
    hc_call_list_release(&res->calls);
    hc_user_health_release(&res->users);
}
