/* labels.c - churn and expansion labels per snapshot, with censoring and post-churn rules. */
#include "hc_labels.h"
#include "hc_date.h"

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
    const int32_t *date = s->table->cols[s->date_col].code;
    for (size_t a = 0; a < s->n_accounts; a++) {
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
                out->repeat_churn_events++;
        }
        /* Events before the account's first snapshot label nothing (a
         * churn among them still makes every row post-churn); counted so
         * that the summary reconciles with the event file. */
        if (s->account_start[a + 1] > s->account_start[a]) {
            int32_t first = date[s->order[s->account_start[a]]];
            for (size_t i = eb; i < ee && e->date[i] < first; i++)
                out->events_before_first_snapshot++;
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
                out->post_churn++;
            } else if (first_churn <= lo) {
                out->status[r] = HC_ROW_LEAD_CHURN;
                out->lead_churn++;
            } else if (hi > as_of) {
                out->status[r] = HC_ROW_CENSORED;
                out->censored++;
            } else {
                out->status[r] = HC_ROW_OBSERVATION;
                out->observations++;
                if (e) {
                    out->churn[r] = (uint8_t)any_in_window(
                        e, eb, ee, &cur_churn, HC_EVENT_CHURN, lo, hi, matched);
                    out->expansion[r] = (uint8_t)any_in_window(
                        e, eb, ee, &cur_exp, HC_EVENT_EXPANSION, lo, hi, matched);
                }
                out->churn_positive += out->churn[r];
                out->expansion_positive += out->expansion[r];
            }
        }
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
