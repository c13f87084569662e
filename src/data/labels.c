/* labels.c - churn and expansion labels per snapshot, with censoring and post-churn rules. */
#include "hc_labels.h"
#include "hc_date.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void hc_labels_release(hc_labels *l)
{
    if (!l)
        return;
    free(l->status);
    free(l->churn);
    free(l->expansion);
    memset(l, 0, sizeof *l);
}

/* Does a sorted run of event dates hold one of `type` in (lo, hi]? `pos`
 * is a cursor that only moves forward, because an account's snapshots are
 * visited in date order: the whole labelling pass is linear. */
static int any_in_window(const hc_events *e, size_t begin, size_t end,
                         size_t *pos, int type, int64_t lo, int64_t hi,
                         uint8_t *matched)
{
    while (*pos < end && e->date[*pos] <= lo)
        (*pos)++;
    int hit = 0;
    for (size_t i = *pos > begin ? *pos : begin; i < end && e->date[i] <= hi; i++)
        if (e->type[i] == type) {
            hit = 1;
            matched[i] = 1;
        }
    return hit;
}

/* The counts of hc_labels that a range of accounts adds to. */
typedef struct {
    size_t observations, censored, post_churn, lead_churn;
    size_t churn_positive, expansion_positive;
    size_t repeat_churn_events, events_before_first_snapshot;
} label_counts;

/* Labels the rows of accounts [begin, end). Accounts own disjoint rows and
 * events, so two ranges can be labelled at the same time. */
typedef struct {
    const hc_snapshots *s;
    const hc_events *e;
    const hc_label_options *opt;
    int32_t as_of;
    hc_labels *out;
    uint8_t *matched;
    size_t begin, end;
    label_counts counts;
} label_job;

/* Snapshot rows from which the accounts are labelled on two threads. */
#define LABEL_THREAD_MIN ((size_t)1 << 20)

static void *label_accounts(void *arg)
{
    label_job *j = arg;
    const hc_snapshots *s = j->s;
    const hc_events *e = j->e;
    const hc_label_options *opt = j->opt;
    hc_labels *out = j->out;
    label_counts *cnt = &j->counts;
    uint8_t *matched = j->matched;
    int32_t as_of = j->as_of;
    const int32_t *date = s->table->cols[s->date_col].code;
    for (size_t a = j->begin; a < j->end; a++) {
        size_t eb = 0, ee = 0;
        if (e) {
            eb = e->account_start[a];
            ee = e->account_start[a + 1];
        }
        /* The first churn ends the account's observable life; later churns
         * (win-backs followed by another churn) are counted, not used. */
        int32_t first_churn = INT32_MAX;
        for (size_t i = eb; i < ee; i++) {
            if (e->type[i] != HC_EVENT_CHURN)
                continue;
            if (first_churn == INT32_MAX)
                first_churn = e->date[i];
            else
                cnt->repeat_churn_events++;
        }
        /* Events before the account's first snapshot label nothing (a
         * churn among them still makes every row post-churn); counted so
         * that the summary reconciles with the event file. */
        if (s->account_start[a + 1] > s->account_start[a]) {
            int32_t first = date[s->order[s->account_start[a]]];
            for (size_t i = eb; i < ee && e->date[i] < first; i++)
                cnt->events_before_first_snapshot++;
        }
        size_t cur_churn = eb, cur_exp = eb;
        for (uint32_t k = s->account_start[a]; k < s->account_start[a + 1]; k++) {
            uint32_t r = s->order[k];
            int32_t t = date[r];
            /* 64-bit window ends: a library caller's horizon near INT_MAX
             * must not overflow. */
            int64_t lo = (int64_t)t + opt->lead, hi = lo + opt->horizon;
            if (t >= first_churn) {
                out->status[r] = HC_ROW_POST_CHURN;
                cnt->post_churn++;
            } else if (first_churn <= lo) {
                out->status[r] = HC_ROW_LEAD_CHURN;
                cnt->lead_churn++;
            } else if (hi > as_of) {
                out->status[r] = HC_ROW_CENSORED;
                cnt->censored++;
            } else {
                out->status[r] = HC_ROW_OBSERVATION;
                cnt->observations++;
                if (e) {
                    out->churn[r] = (uint8_t)any_in_window(
                        e, eb, ee, &cur_churn, HC_EVENT_CHURN, lo, hi, matched);
                    out->expansion[r] = (uint8_t)any_in_window(
                        e, eb, ee, &cur_exp, HC_EVENT_EXPANSION, lo, hi, matched);
                }
                cnt->churn_positive += out->churn[r];
                cnt->expansion_positive += out->expansion[r];
            }
        }
    }
    return NULL;
}

hc_status hc_labels_build(const hc_snapshots *s, const hc_events *e,
                          const hc_label_options *opt, hc_labels *out,
                          hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (opt->horizon <= 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the horizon must be at least 1 day (got %d)",
                            opt->horizon);
    if (opt->lead < 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the lead must not be negative (got %d)", opt->lead);
    int32_t as_of = opt->as_of;
    if (as_of == HC_DATE_MISSING) {
        /* Every event row read counts, matched or not: the event file's
         * information runs to its last date either way (last_date is
         * INT32_MIN when it has no rows). */
        as_of = s->last_date;
        if (e && e->last_date > as_of)
            as_of = e->last_date;
    }
    if (as_of < s->first_date) {
        char a[11], f[11];
        hc_date_format(as_of, a);
        hc_date_format(s->first_date, f);
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the as-of date %s is before the first snapshot (%s)",
                            a, f);
    }
    size_t n = s->table->n_rows;
    out->n_rows = n;
    out->as_of = as_of;
    out->horizon = opt->horizon;
    out->lead = opt->lead;
    out->status = malloc(n);
    out->churn = calloc(n, 1);
    out->expansion = calloc(n, 1);
    uint8_t *matched = calloc(e && e->n ? e->n : 1, 1);
    if (!out->status || !out->churn || !out->expansion || !matched) {
        free(matched);
        hc_labels_release(out);
        return hc_error_nomem(err);
    }
    /* The accounts in two halves, the second on its own thread for a large
     * table; the counts are integers, so their sum is the same either way. */
    size_t mid = s->n_accounts / 2;
    label_job half[2] = {{s, e, opt, as_of, out, matched, 0, mid, {0}},
                         {s, e, opt, as_of, out, matched, mid, s->n_accounts, {0}}};
    pthread_t th;
    int threaded = n >= LABEL_THREAD_MIN &&
                   pthread_create(&th, NULL, label_accounts, &half[1]) == 0;
    label_accounts(&half[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        label_accounts(&half[1]);
    for (int h = 0; h < 2; h++) {
        const label_counts *c = &half[h].counts;
        out->observations += c->observations;
        out->censored += c->censored;
        out->post_churn += c->post_churn;
        out->lead_churn += c->lead_churn;
        out->churn_positive += c->churn_positive;
        out->expansion_positive += c->expansion_positive;
        out->repeat_churn_events += c->repeat_churn_events;
        out->events_before_first_snapshot += c->events_before_first_snapshot;
    }
    for (size_t i = 0; e && i < e->n; i++) {
        if (!matched[i])
            continue;
        out->churn_events_matched += e->type[i] == HC_EVENT_CHURN;
        out->expansion_events_matched += e->type[i] == HC_EVENT_EXPANSION;
    }
    free(matched);
    if (out->observations == 0) {
        char a[11];
        hc_date_format(as_of, a);
        hc_labels_release(out);
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "no observations: every snapshot is censored or "
                            "after churn (as-of %s, horizon %d days, lead %d "
                            "days); the horizon may be longer than the data",
                            a, opt->horizon, opt->lead);
    }
    return HC_OK;
}
