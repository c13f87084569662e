/* simulate_rows.c - the CSV rows of `healthcal simulate` (snapshots, events, true probabilities), formatted by hand into large buffers. */
#include "hc_simulate.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hc_date.h"

#include "simulate_model.h"

void hc_sim_flush(hc_sim_buf *b)
{
    if (b->len && fwrite(b->buf, 1, b->len, b->f) != b->len && !b->failed)
        b->failed = errno ? errno : EIO;
    b->len = 0;
}

/* Makes room for one row of at most ROW_MAX bytes. */
static void ob_room(hc_sim_buf *b)
{
    if (b->len + ROW_MAX > OBUF_CAP)
        hc_sim_flush(b);
}

static void ob_str(hc_sim_buf *b, const char *s, size_t n)
{
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void ob_char(hc_sim_buf *b, char c)
{
    b->buf[b->len++] = c;
}

static void ob_uint(hc_sim_buf *b, unsigned long long v)
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
static void ob_fixed(hc_sim_buf *b, long long q, int dec)
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
static void ob_account(hc_sim_buf *b, long id)
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

void hc_sim_write_headers(hc_sim_state *st)
{
    static const char snap_header[] =
        "account_id,snapshot_date,segment,arr,logins_per_week,feature_adoption,"
        "open_tickets,csat,email_open_rate,milestones_done,days_past_due,nps,"
        "exec_sponsor\n";
    static const char event_header[] = "account_id,event_date,event_type,amount\n";
    static const char probs_header[] = "account_id,snapshot_date,p_churn,p_expansion\n";
    if (st->opt->users_per_account > 0) {
        /* account_id,snapshot_date,user_id,segment,... */
        static const size_t cut = sizeof "account_id,snapshot_date" - 1;
        ob_str(&st->out[F_SNAP], snap_header, cut);
        ob_str(&st->out[F_SNAP], ",user_id", 8);
        ob_str(&st->out[F_SNAP], snap_header + cut,
               sizeof snap_header - cut - (st->opt->grades ? 2 : 1));
    } else {
        ob_str(&st->out[F_SNAP], snap_header, sizeof snap_header - (st->opt->grades ? 2 : 1));
    }
    if (st->opt->grades)
        ob_str(&st->out[F_SNAP], ",grade\n", 7);
    if (st->opt->onboarding_days > 0) {
        /* ",start_date" in place of the header's final newline */
        st->out[F_SNAP].len--;
        ob_str(&st->out[F_SNAP], ",start_date\n", 12);
    }
    ob_str(&st->out[F_EVENTS], event_header, sizeof event_header - 1);
    if (st->opt->truth_probs)
        ob_str(&st->out[F_PROBS], probs_header, sizeof probs_header - 1);
}

/* The bounds of metric m as written, in its scaled units (LLONG_MAX: none). */
static void scaled_bounds(int m, long long *lo, long long *hi)
{
    static const long long scale[] = {1, 10, 100};
    const hc_sim_metric *d = &hc_sim_metrics[m];
    long long s = scale[d->decimals];
    *lo = m == M_CSAT ? 1 * s : 0;
    switch (m) {
    case M_ADOPTION: case M_EMAIL: *hi = s; break;
    case M_CSAT: *hi = 5 * s; break;
    case M_MILESTONES: case M_NPS: *hi = 10 * s; break;
    case M_SPONSOR: *hi = 1; break;
    default: *hi = LLONG_MAX; break;
    }
}

void hc_sim_write_snapshot(hc_sim_state *st, long id, long w,
                           const char *segment, long long arr,
                           const long long *q, int miss_csat, int miss_nps,
                           char grade, const char *start_date)
{
    hc_sim_buf *b = &st->out[F_SNAP];
    long n_users = st->opt->users_per_account;
    for (long u = 0; u < (n_users > 0 ? n_users : 1); u++) {
        /* User u's offset: +1, -1, +1, ... units, 0 for the last of an odd
         * count; the pair's offset is 0 where it would cross a bound. */
        int sign = n_users % 2 && u == n_users - 1 ? 0 : u % 2 ? -1 : 1;
        ob_room(b);
        ob_account(b, id);
        ob_char(b, ',');
        ob_str(b, st->date[w], 10);
        ob_char(b, ',');
        if (n_users > 0) {
            ob_account(b, id);
            ob_str(b, "-u", 2);
            ob_uint(b, (unsigned long long)(u + 1));
            ob_char(b, ',');
        }
        ob_str(b, segment, strlen(segment));
        ob_char(b, ',');
        ob_uint(b, (unsigned long long)arr);
        for (int m = 0; m < N_METRIC; m++) {
            ob_char(b, ',');
            if ((m == M_CSAT && miss_csat) || (m == M_NPS && miss_nps))
                continue;
            long long v = q[m];
            if (n_users > 0 && sign) {
                long long lo, hi;
                scaled_bounds(m, &lo, &hi);
                if (v - 1 >= lo && v + 1 <= hi)
                    v += sign;
            }
            ob_fixed(b, v, hc_sim_metrics[m].decimals);
        }
        if (grade) {
            ob_char(b, ',');
            ob_char(b, grade);
        }
        if (start_date) {
            ob_char(b, ',');
            ob_str(b, start_date, 10);
        }
        ob_char(b, '\n');
    }
}

void hc_sim_write_event(hc_sim_state *st, long id, int32_t day,
                        const char *type, long long amount)
{
    hc_sim_buf *b = &st->out[F_EVENTS];
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

void hc_sim_write_probs(hc_sim_state *st, long id, long w, double p_churn,
                        double p_expansion)
{
    hc_sim_buf *b = &st->out[F_PROBS];
    ob_room(b);
    ob_account(b, id);
    ob_char(b, ',');
    ob_str(b, st->date[w], 10);
    ob_char(b, ',');
    /* 8 decimals; kept inside (0, 1) (never binding with these
     * parameters: every hazard is above 1e-5 and below 0.6). */
    long long qc = llround(p_churn * 1e8), qe = llround(p_expansion * 1e8);
    qc = qc < 1 ? 1 : qc > 99999999 ? 99999999 : qc;
    qe = qe < 1 ? 1 : qe > 99999999 ? 99999999 : qe;
    ob_fixed(b, qc, 8);
    ob_char(b, ',');
    ob_fixed(b, qe, 8);
    ob_char(b, '\n');
}
